#include "ingest/json_util.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

bool reelay_json_number(const json_t *value, double *out)
{
    if (json_is_integer(value)) {
        *out = (double)json_integer_value(value);
        return true;
    }
    if (json_is_real(value)) {
        *out = json_real_value(value);
        return true;
    }
    return false;
}

int reelay_json_get_number(const json_t *object, const char *key, double *out, bool *present,
                           const char *where, reelay_err *err)
{
    if (present) *present = false;
    const json_t *value = json_object_get(object, key);
    if (!value || json_is_null(value)) return REELAY_OK;
    double number;
    if (!reelay_json_number(value, &number))
        return reelay_err_set(err, REELAY_E_INPUT, "%s.%s: expected a number", where, key);
    if (!isfinite(number) || fabs(number) > REELAY_JSON_NUMBER_LIMIT)
        return reelay_err_set(err, REELAY_E_INPUT, "%s.%s: number %g is out of range", where, key, number);
    *out = number;
    if (present) *present = true;
    return REELAY_OK;
}

int reelay_json_get_id(const json_t *object, const char *key, int64_t *out, bool *present,
                       const char *where, reelay_err *err)
{
    if (present) *present = false;
    const json_t *value = json_object_get(object, key);
    if (!value || json_is_null(value)) return REELAY_OK;
    if (json_is_integer(value)) {
        *out = (int64_t)json_integer_value(value);
    } else if (json_is_real(value)) {
        double d = json_real_value(value);
        /* 9.2e18 is the largest double below 2^63 we accept. */
        if (!isfinite(d) || d != floor(d) || fabs(d) > 9.2e18)
            return reelay_err_set(err, REELAY_E_INPUT, "%s.%s: id %g is not a 64-bit integer", where, key, d);
        *out = (int64_t)d;
    } else {
        return reelay_err_set(err, REELAY_E_INPUT, "%s.%s: expected an integer id", where, key);
    }
    if (present) *present = true;
    return REELAY_OK;
}

const char *reelay_json_string_copy(reelay_arena *arena, const json_t *value)
{
    if (!json_is_string(value)) return NULL;
    const char *s = json_string_value(value);
    return reelay_arena_strndup(arena, s, strlen(s));
}

const char *reelay_json_scalar_text(reelay_arena *arena, const json_t *value, bool *failed)
{
    char number[64];
    const char *text;
    if (json_is_string(value)) {
        text = reelay_json_string_copy(arena, value);
    } else if (json_is_integer(value)) {
        snprintf(number, sizeof number, "%" PRId64, (int64_t)json_integer_value(value));
        text = reelay_arena_strdup(arena, number);
    } else if (json_is_real(value)) {
        snprintf(number, sizeof number, "%.15g", json_real_value(value));
        text = reelay_arena_strdup(arena, number);
    } else {
        return NULL;
    }
    if (!text) *failed = true;
    return text;
}

const char *reelay_json_get_string(reelay_arena *arena, const json_t *object, const char *key)
{
    return reelay_json_string_copy(arena, json_object_get(object, key));
}

void reelay_json_path_key(char *out, size_t size, const char *where, const char *key)
{
    snprintf(out, size, "%s.%s", where, key);
}

void reelay_json_path_index(char *out, size_t size, const char *where, size_t index)
{
    snprintf(out, size, "%s[%zu]", where, index);
}

typedef struct hash_state {
    uint64_t fnv;
    uint64_t mix;
} hash_state;

static int hash_chunk(const char *buffer, size_t size, void *data)
{
    hash_state *h = data;
    for (size_t i = 0; i < size; i++) {
        unsigned char c = (unsigned char)buffer[i];
        h->fnv = (h->fnv ^ c) * 0x100000001b3ULL;
        h->mix = (h->mix + c + 1) * 0x9e3779b97f4a7c15ULL;
        h->mix ^= h->mix >> 29;
    }
    return 0;
}

int reelay_json_content_hash(const json_t *value, uint64_t out[2])
{
    hash_state h = {0xcbf29ce484222325ULL, 0x2545f4914f6cdd1dULL};
    const size_t flags = JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY;
    int rc;
    if (json_is_object(value) &&
        (json_object_get(value, "delay") || json_object_get(value, "windowId") ||
         json_object_get(value, "window_id"))) {
        json_t *copy = json_copy((json_t *)value);
        if (!copy) return -1;
        json_object_del(copy, "delay");
        json_object_del(copy, "windowId");
        json_object_del(copy, "window_id");
        rc = json_dump_callback(copy, hash_chunk, &h, flags);
        json_decref(copy);
    } else {
        rc = json_dump_callback(value, hash_chunk, &h, flags);
    }
    out[0] = h.fnv;
    out[1] = h.mix | 1; /* never both zero: zero means "not hashed" */
    return rc;
}
