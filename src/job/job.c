#include "job/job.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "encode/video.h"
#include "render/options.h"

bool reelay_job_id_valid(const char *id)
{
    if (!id || !id[0] || id[0] == '.') return false;
    size_t n = 0;
    for (const char *p = id; *p; p++, n++) {
        unsigned char c = (unsigned char)*p;
        if (n >= REELAY_JOB_ID_MAX || !(isalnum(c) || c == '.' || c == '_' || c == '-')) return false;
    }
    return true;
}

static int required_string(const json_t *doc, const char *key, const char *where, const char **out, reelay_err *err)
{
    const json_t *value = json_object_get(doc, key);
    if (!value) return reelay_err_set(err, REELAY_E_USAGE, "%s: \"%s\" is required", where, key);
    if (!json_is_string(value) || json_string_length(value) == 0)
        return reelay_err_set(err, REELAY_E_USAGE, "%s: \"%s\" must be a non-empty string", where, key);
    if (strlen(json_string_value(value)) != json_string_length(value))
        return reelay_err_set(err, REELAY_E_USAGE, "%s: \"%s\" contains a NUL character", where, key);
    *out = json_string_value(value);
    return REELAY_OK;
}

/* An option's JSON value as the command line's text; integers print
 * without a fraction, other numbers with enough digits to round-trip. */
static bool option_text(const json_t *value, char *buf, size_t size, const char **out)
{
    if (json_is_string(value)) {
        *out = json_string_value(value);
        return strlen(*out) == json_string_length(value);
    }
    if (json_is_true(value) || json_is_false(value)) {
        *out = json_is_true(value) ? "true" : "false";
        return true;
    }
    if (json_is_integer(value)) {
        snprintf(buf, size, "%lld", (long long)json_integer_value(value));
    } else if (json_is_real(value) && isfinite(json_real_value(value))) {
        snprintf(buf, size, "%.17g", json_real_value(value));
    } else {
        return false;
    }
    *out = buf;
    return true;
}

static int read_options(const json_t *options, const char *where, reelay_render_options *o, reelay_err *err)
{
    if (!options || json_is_null(options)) return REELAY_OK;
    if (!json_is_object(options)) return reelay_err_set(err, REELAY_E_USAGE, "%s: \"options\" must be an object", where);
    const char *key;
    const json_t *value;
    json_object_foreach((json_t *)options, key, value) {
        char name[64], number[64];
        const char *text = NULL;
        if (!reelay_render_option_name(key, name, sizeof name) ||
            reelay_render_option_kind(name) == REELAY_OPTION_UNKNOWN)
            return reelay_err_set(err, REELAY_E_USAGE, "%s: options.%s: unknown option", where, key);
        if (!option_text(value, number, sizeof number, &text))
            return reelay_err_set(err, REELAY_E_USAGE, "%s: options.%s: expected a string, number or boolean", where,
                                  key);
        int rc = reelay_render_option_set(o, name, text, err);
        if (rc != REELAY_OK) {
            reelay_err_prefix(err, "%s: options.%s", where, key);
            return rc;
        }
    }
    return REELAY_OK;
}

int reelay_job_from_json(json_t *doc, const char *where, reelay_job *job, reelay_err *err)
{
    memset(job, 0, sizeof *job);
    if (!json_is_object(doc)) return reelay_err_set(err, REELAY_E_USAGE, "%s: a job must be a JSON object", where);
    const char *id = NULL;
    int rc = required_string(doc, "id", where, &id, err);
    if (rc == REELAY_OK && !reelay_job_id_valid(id))
        rc = reelay_err_set(err, REELAY_E_USAGE,
                            "%s: \"id\" must be 1 to %d characters of letters, digits, '.', '_' or '-', not starting "
                            "with '.'",
                            where, REELAY_JOB_ID_MAX);
    if (rc == REELAY_OK) rc = required_string(doc, "input", where, &job->input, err);
    if (rc == REELAY_OK) rc = required_string(doc, "output", where, &job->output, err);
    const char *known[] = {"id", "input", "output", "options"};
    const char *key;
    const json_t *value;
    json_object_foreach(doc, key, value) {
        bool ok = false;
        for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) ok = ok || strcmp(key, known[i]) == 0;
        if (rc == REELAY_OK && !ok) rc = reelay_err_set(err, REELAY_E_USAGE, "%s: unknown field \"%s\"", where, key);
    }
    if (rc != REELAY_OK) return rc;
    snprintf(job->id, sizeof job->id, "%s", id);
    job->options = reelay_render_defaults();
    job->options.output = job->output;
    rc = read_options(json_object_get(doc, "options"), where, &job->options, err);
    reelay_codec codec;
    if (rc == REELAY_OK && reelay_video_resolve(job->output, job->options.codec, &codec, err) != REELAY_OK) {
        reelay_err_prefix(err, "%s: output", where);
        rc = err->code;
    }
    if (rc != REELAY_OK) return rc;
    job->doc = json_incref(doc);
    return REELAY_OK;
}

int reelay_job_parse(const char *text, size_t len, const char *where, reelay_job *job, reelay_err *err)
{
    memset(job, 0, sizeof *job);
    if (len > REELAY_JOB_MAX_BYTES)
        return reelay_err_set(err, REELAY_E_USAGE, "%s: a job document is at most %d bytes (this one is %zu)", where,
                              REELAY_JOB_MAX_BYTES, len);
    json_error_t jerr;
    json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc)
        return reelay_err_set(err, REELAY_E_USAGE, "%s:%d:%d: %s", where, jerr.line, jerr.column, jerr.text);
    int rc = reelay_job_from_json(doc, where, job, err);
    json_decref(doc);
    return rc;
}

void reelay_job_free(reelay_job *job)
{
    if (!job) return;
    json_decref(job->doc);
    memset(job, 0, sizeof *job);
}

static const char *const ERROR_NAMES[] = {"ok", "usage", "input", "io", "internal"};

const char *reelay_job_error_name(int code)
{
    if (code < 0 || code >= (int)(sizeof ERROR_NAMES / sizeof ERROR_NAMES[0])) return "internal";
    return ERROR_NAMES[code];
}

/* Seconds to the millisecond: more digits only look precise. */
static double to_ms(double seconds)
{
    return isfinite(seconds) ? round(seconds * 1000.0) / 1000.0 : 0;
}

json_t *reelay_job_result_to_json(const reelay_job_result *r)
{
    json_t *doc = json_pack("{s:s, s:s, s:s, s:I, s:s, s:I, s:f, s:f, s:i}", "id", r->id, "status",
                            r->status == REELAY_JOB_DONE ? "done" : "failed", "output", r->output, "bytes",
                            (json_int_t)r->bytes, "sha256", r->sha256, "frames", (json_int_t)r->frames, "duration_s",
                            to_ms(r->duration_s), "render_s", to_ms(r->render_s), "attempts", r->attempts);
    if (!doc) return NULL;
    json_t *error = r->status == REELAY_JOB_DONE
                        ? json_null()
                        : json_pack("{s:s, s:s}", "code", reelay_job_error_name(r->error_code), "message",
                                    r->error_message);
    if (!error || json_object_set_new(doc, "error", error) != 0) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}

static void copy_text(const json_t *doc, const char *key, char *out, size_t size)
{
    const char *text = json_string_value(json_object_get(doc, key));
    snprintf(out, size, "%s", text ? text : "");
}

int reelay_job_result_from_json(const json_t *doc, reelay_job_result *r, reelay_err *err)
{
    memset(r, 0, sizeof *r);
    const char *status = json_string_value(json_object_get(doc, "status"));
    if (!json_is_object(doc) || !status || (strcmp(status, "done") != 0 && strcmp(status, "failed") != 0))
        return reelay_err_set(err, REELAY_E_INPUT, "not a job result");
    copy_text(doc, "id", r->id, sizeof r->id);
    r->status = strcmp(status, "done") == 0 ? REELAY_JOB_DONE : REELAY_JOB_FAILED;
    copy_text(doc, "output", r->output, sizeof r->output);
    copy_text(doc, "sha256", r->sha256, sizeof r->sha256);
    r->bytes = (int64_t)json_integer_value(json_object_get(doc, "bytes"));
    r->frames = (int64_t)json_integer_value(json_object_get(doc, "frames"));
    r->duration_s = json_number_value(json_object_get(doc, "duration_s"));
    r->render_s = json_number_value(json_object_get(doc, "render_s"));
    r->attempts = (int)json_integer_value(json_object_get(doc, "attempts"));
    const json_t *error = json_object_get(doc, "error");
    if (json_is_object(error)) {
        const char *code = json_string_value(json_object_get(error, "code"));
        r->error_code = REELAY_E_INTERNAL;
        for (int i = 0; code && i < (int)(sizeof ERROR_NAMES / sizeof ERROR_NAMES[0]); i++)
            if (strcmp(code, ERROR_NAMES[i]) == 0) r->error_code = i;
        copy_text(error, "message", r->error_message, sizeof r->error_message);
    }
    return REELAY_OK;
}
