#include "ingest/compressed.h"

#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/gzip.h"

/* UTF-8 text whose code points are all <= U+00FF → one byte per code point. */
static int latin1_bytes(const char *text, size_t len, reelay_buf *out, reelay_err *err)
{
    if (reelay_buf_reserve(out, len) != 0) return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c < 0x80) {
            out->data[out->len++] = c;
        } else if ((c == 0xC2 || c == 0xC3) && i + 1 < len &&
                   ((unsigned char)text[i + 1] & 0xC0) == 0x80) {
            out->data[out->len++] = (unsigned char)(((c & 0x03) << 6) | ((unsigned char)text[i + 1] & 0x3F));
            i++;
        } else {
            return reelay_err_set(err, REELAY_E_INPUT,
                                  "compressed payload has a character above U+00FF at byte %zu", i);
        }
    }
    out->data[out->len] = '\0';
    return REELAY_OK;
}

json_t *reelay_decompress_field(const json_t *string_value, reelay_err *err)
{
    reelay_buf packed, plain;
    reelay_buf_init(&packed);
    reelay_buf_init(&plain);
    json_t *result = NULL;
    if (latin1_bytes(json_string_value(string_value), json_string_length(string_value), &packed, err) != REELAY_OK)
        goto done;
    if (!reelay_is_gzip(packed.data, packed.len)) {
        reelay_err_set(err, REELAY_E_INPUT, "compressed payload does not start with the gzip signature");
        goto done;
    }
    if (reelay_gunzip(packed.data, packed.len, REELAY_COMPRESSED_FIELD_MAX, &plain, err) != REELAY_OK) {
        reelay_err_prefix(err, "compressed payload");
        goto done;
    }
    json_error_t jerr;
    result = json_loadb((const char *)plain.data, plain.len, JSON_ALLOW_NUL, &jerr);
    if (!result)
        reelay_err_set(err, REELAY_E_INPUT, "compressed payload is not JSON after gunzip: line %d, column %d: %s",
                       jerr.line, jerr.column, jerr.text);
done:
    reelay_buf_free(&packed);
    reelay_buf_free(&plain);
    return result;
}

static int decompress_member(json_t *object, const char *key, size_t *decoded, const char *where,
                             reelay_err *err)
{
    json_t *value = json_object_get(object, key);
    if (!json_is_string(value)) return REELAY_OK;
    json_t *decoded_value = reelay_decompress_field(value, err);
    if (!decoded_value) {
        reelay_err_prefix(err, "%s.%s", where, key);
        return err ? err->code : REELAY_E_INPUT;
    }
    if (json_object_set_new(object, key, decoded_value) != 0)
        return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    (*decoded)++;
    return REELAY_OK;
}

int reelay_decompress_event(json_t *event, size_t *decoded, const char *where, reelay_err *err)
{
    const char *cv = json_string_value(json_object_get(event, "cv"));
    if (!cv || strcmp(cv, "2024-10") != 0) return REELAY_OK;

    json_t *type = json_object_get(event, "type");
    if (!json_is_integer(type)) return REELAY_OK;
    char path[256];
    if (json_integer_value(type) == 2) {
        snprintf(path, sizeof path, "%s", where);
        return decompress_member(event, "data", decoded, path, err);
    }
    json_t *data = json_object_get(event, "data");
    json_t *source = json_object_get(data, "source");
    if (json_integer_value(type) != 3 || !json_is_integer(source)) return REELAY_OK;
    snprintf(path, sizeof path, "%s.data", where);
    static const char *const mutation_fields[] = {"texts", "attributes", "removes", "adds"};
    static const char *const style_fields[] = {"adds", "removes"};
    const char *const *fields = NULL;
    size_t field_count = 0;
    if (json_integer_value(source) == 0) {
        fields = mutation_fields;
        field_count = 4;
    } else if (json_integer_value(source) == 8) {
        fields = style_fields;
        field_count = 2;
    }
    for (size_t i = 0; i < field_count; i++) {
        int rc = decompress_member(data, fields[i], decoded, path, err);
        if (rc != REELAY_OK) return rc;
    }
    return REELAY_OK;
}
