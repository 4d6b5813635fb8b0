#include "job/job.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encode/still.h"
#include "encode/video.h"
#include "net/url.h"
#include "render/options.h"
#include "sink/sink.h"
#include "source/source.h"

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

/* The output and sidecars: a path or a URL the sink writes (s3://, a
 * presigned http(s):// one), named so that the container and image formats
 * follow from the name (a URL's path, before its query). Whether a URL is
 * allowed is the worker's policy, checked when the job runs. */
static int check_outputs(reelay_job *job, const char *where, reelay_err *err)
{
    const char *const named[] = {job->output, job->options.poster, job->options.preview, job->options.manifest,
                                 job->options.email_html};
    const char *const fields[] = {"output", "options.poster", "options.preview", "options.manifest",
                                  "options.email_html"};
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++) {
        char name[512], shown[REELAY_SINK_SHOWN_MAX];
        if (!named[i]) continue;
        reelay_source_shown_input(named[i], shown, sizeof shown);
        if (reelay_source_is_url(named[i]) && !reelay_sink_is_url(named[i]))
            return reelay_err_set(err, REELAY_E_USAGE, "%s: %s %s: only a path, s3:// or http(s):// can be written",
                                  where, fields[i], shown);
        if (!reelay_sink_file_name(named[i], name, sizeof name))
            return reelay_err_set(err, REELAY_E_USAGE, "%s: %s %s: names no file", where, fields[i], shown);
        reelay_codec codec;
        int rc = i == 0 ? reelay_video_resolve(name, job->options.codec, &codec, err)
                 : i == 1 ? reelay_still_check_name(name, err)
                          : REELAY_OK;
        if (rc != REELAY_OK) {
            reelay_err_prefix(err, "%s: %s", where, fields[i]);
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
    const json_t *overwrite = json_object_get(doc, "overwrite");
    if (rc == REELAY_OK && overwrite && !json_is_boolean(overwrite))
        rc = reelay_err_set(err, REELAY_E_USAGE, "%s: \"overwrite\" must be true or false", where);
    job->overwrite = json_is_true(overwrite);
    const json_t *root = json_object_get(doc, "output_root");
    if (rc == REELAY_OK && root) {
        if (!json_is_string(root) || json_string_value(root)[0] != '/' ||
            strlen(json_string_value(root)) != json_string_length(root))
            rc = reelay_err_set(err, REELAY_E_USAGE, "%s: \"output_root\" must be an absolute path", where);
        else
            job->output_root = json_string_value(root);
    }
    const char *known[] = {"id", "input", "output", "options", "overwrite", "output_root"};
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
    job->options.overwrite = job->overwrite;
    job->options.output_root = job->output_root;
    job->options.owner = id; /* points into doc, as the other strings */
    rc = read_options(json_object_get(doc, "options"), where, &job->options, err);
    rc = rc == REELAY_OK ? check_outputs(job, where, err) : rc;
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

size_t reelay_job_output_paths(const json_t *doc, const char *paths[REELAY_JOB_MAX_OUTPUTS])
{
    size_t n = 0;
    const char *output = json_string_value(json_object_get(doc, "output"));
    if (output) paths[n++] = output;
    const json_t *options = json_object_get(doc, "options");
    if (!json_is_object(options)) return n;
    const char *key;
    const json_t *value;
    json_object_foreach((json_t *)options, key, value) {
        char name[64];
        if (!json_is_string(value) || !reelay_render_option_name(key, name, sizeof name)) continue;
        if (reelay_render_option_is_sidecar(name) && n < REELAY_JOB_MAX_OUTPUTS) paths[n++] = json_string_value(value);
    }
    return n;
}

void reelay_job_output_names_of(const json_t *doc, reelay_job_output_names *names)
{
    names->count = reelay_job_output_paths(doc, names->name);
    for (size_t i = 0; i < names->count; i++) {
        if (!reelay_source_is_url(names->name[i])) continue;
        reelay_source_shown_input(names->name[i], names->shown[i], sizeof names->shown[i]);
        names->name[i] = names->shown[i];
    }
}

/* ---------------------------------------------------------------- ceilings */

/* The limits a ceiling holds, as flags; fps is checked apart. */
static const char *const CEILING_LIMITS[] = {
    "max-input-bytes", "max-events",   "max-wireframes", "max-tree-depth", "max-viewport",
    "max-duration",    "max-frames",   "max-image-pixels", "max-output-dim", "max-page-memory", "max-page-time",
};
#define CEILING_LIMIT_COUNT (sizeof CEILING_LIMITS / sizeof CEILING_LIMITS[0])
#define DEFAULT_MAX_FPS 60
/* A service's frames stay at most 4K-class (3840 fits): 8192x8192 frames
 * took 5.7 GB and 18 s each when measured. */
#define DEFAULT_MAX_OUTPUT_DIM 4096

reelay_job_ceilings reelay_job_ceilings_default(void)
{
    reelay_job_ceilings c = {.limits = reelay_render_defaults(), .max_fps = DEFAULT_MAX_FPS};
    c.limits.max_output_dim = DEFAULT_MAX_OUTPUT_DIM;
    return c;
}

/* The flag's name without "--", when it names a ceiling. */
static const char *ceiling_name(const char *flag)
{
    if (!flag || strncmp(flag, "--", 2) != 0) return NULL;
    flag += 2;
    if (strcmp(flag, "max-fps") == 0 || strcmp(flag, "allow-url") == 0) return flag;
    for (size_t i = 0; i < CEILING_LIMIT_COUNT; i++)
        if (strcmp(flag, CEILING_LIMITS[i]) == 0) return flag;
    return NULL;
}

bool reelay_job_ceiling_flag(const char *flag)
{
    return ceiling_name(flag) != NULL;
}

int reelay_job_ceiling_set(reelay_job_ceilings *c, const char *flag, const char *value, reelay_err *err)
{
    const char *name = ceiling_name(flag);
    if (!name) return reelay_err_set(err, REELAY_E_USAGE, "unknown ceiling %s", flag ? flag : "");
    if (!value) return reelay_err_set(err, REELAY_E_USAGE, "%s needs a value", flag);
    if (strcmp(name, "allow-url") == 0) return reelay_url_policy_add(&c->urls, value, err);
    if (strcmp(name, "max-fps") != 0) return reelay_render_option_set(&c->limits, name, value, err);
    char *end = NULL;
    long fps = strtol(value, &end, 10);
    if (!value[0] || *end || fps < 1 || fps > 240)
        return reelay_err_set(err, REELAY_E_USAGE, "bad --max-fps '%s': expected a whole number from 1 to 240", value);
    c->max_fps = (int)fps;
    return REELAY_OK;
}

/* One limit of o as a number, to compare a job's with its ceiling's. */
static double limit_value(const reelay_render_options *o, const char *name)
{
    if (strcmp(name, "max-input-bytes") == 0) return (double)o->ingest.max_input_bytes;
    if (strcmp(name, "max-events") == 0) return (double)o->ingest.max_events;
    if (strcmp(name, "max-wireframes") == 0) return (double)o->ingest.max_wireframes;
    if (strcmp(name, "max-tree-depth") == 0) return o->ingest.max_tree_depth;
    if (strcmp(name, "max-viewport") == 0) return o->ingest.max_viewport;
    if (strcmp(name, "max-duration") == 0) return o->max_duration_ms;
    if (strcmp(name, "max-frames") == 0) return (double)o->max_frames;
    if (strcmp(name, "max-image-pixels") == 0) return (double)o->max_image_pixels;
    if (strcmp(name, "max-page-memory") == 0) return (double)o->page_engine.max_memory_bytes;
    if (strcmp(name, "max-page-time") == 0) return o->page_engine.request_timeout_s;
    return o->max_output_dim; /* max-output-dim */
}

/* Copies one limit from `from` into `to`. */
static void copy_limit(reelay_render_options *to, const reelay_render_options *from, const char *name)
{
    if (strcmp(name, "max-input-bytes") == 0) {
        to->ingest.max_input_bytes = from->ingest.max_input_bytes;
        to->ingest.max_decompressed_bytes = from->ingest.max_decompressed_bytes;
    }
    if (strcmp(name, "max-events") == 0) to->ingest.max_events = from->ingest.max_events;
    if (strcmp(name, "max-wireframes") == 0) to->ingest.max_wireframes = from->ingest.max_wireframes;
    if (strcmp(name, "max-tree-depth") == 0) to->ingest.max_tree_depth = from->ingest.max_tree_depth;
    if (strcmp(name, "max-viewport") == 0) to->ingest.max_viewport = from->ingest.max_viewport;
    if (strcmp(name, "max-duration") == 0) to->max_duration_ms = from->max_duration_ms;
    if (strcmp(name, "max-frames") == 0) to->max_frames = from->max_frames;
    if (strcmp(name, "max-page-memory") == 0) to->page_engine.max_memory_bytes = from->page_engine.max_memory_bytes;
    if (strcmp(name, "max-page-time") == 0) to->page_engine.request_timeout_s = from->page_engine.request_timeout_s;
    if (strcmp(name, "max-image-pixels") == 0) to->max_image_pixels = from->max_image_pixels;
    if (strcmp(name, "max-output-dim") == 0) to->max_output_dim = from->max_output_dim;
}

/* The job's own spelling of option `name` when it set it, else NULL. */
static const char *given_option(const json_t *doc, const char *name)
{
    const json_t *options = json_object_get(doc, "options");
    const char *key;
    const json_t *value;
    json_object_foreach((json_t *)options, key, value) {
        char spelled[64];
        if (reelay_render_option_name(key, spelled, sizeof spelled) && strcmp(spelled, name) == 0) return key;
    }
    return NULL;
}

static int above_ceiling(const char *where, const char *key, const char *what, reelay_err *err)
{
    reelay_err_set(err, REELAY_E_USAGE, "%s: options.%s %s", where, key, what);
    return reelay_err_mark(err, REELAY_ERR_LASTING);
}

/* Every URL the job names, input and outputs, held to the operator's list
 * before anything is fetched or rendered. */
static int check_urls(const reelay_job *job, const reelay_url_policy *urls, const char *where, reelay_err *err)
{
    const char *names[1 + REELAY_JOB_MAX_OUTPUTS] = {job->input};
    size_t count = 1 + reelay_job_output_paths(job->doc, names + 1);
    for (size_t i = 0; i < count; i++) {
        if (!reelay_url_has_scheme(names[i])) continue; /* a path (file:// is a URL here, refused) */
        bool private_ok;
        if (!urls) {
            char shown[REELAY_SHOWN_INPUT_MAX];
            reelay_source_shown_input(names[i], shown, sizeof shown);
            reelay_err_set(err, REELAY_E_USAGE, "%s: %s: a URL %s is not allowed here (this service has no --allow-url)",
                           where, shown, i == 0 ? "input" : "output");
            return reelay_err_mark(err, REELAY_ERR_LASTING);
        }
        if (reelay_url_policy_check(urls, names[i], &private_ok, err) != REELAY_OK) {
            reelay_err_prefix(err, "%s", where);
            return err->code;
        }
    }
    return REELAY_OK;
}

int reelay_job_apply_ceilings(reelay_job *job, const reelay_job_ceilings *c, const char *where, reelay_err *err)
{
    reelay_render_options *o = &job->options;
    o->page_engine.no_sandbox = c->limits.page_engine.no_sandbox; /* the operator's, never the job's */
    o->ingest.s3 = c->limits.ingest.s3;                           /* likewise: S3 settings from AWS_* */
    o->ingest.posthog = c->limits.ingest.posthog;                 /* and PostHog's */
    o->ingest.urls = c->urls.count ? &c->urls : NULL;
    if (check_urls(job, o->ingest.urls, where, err) != REELAY_OK) return err->code;
    for (size_t i = 0; i < CEILING_LIMIT_COUNT; i++) {
        const char *name = CEILING_LIMITS[i];
        if (!(limit_value(o, name) > limit_value(&c->limits, name))) continue;
        const char *key = given_option(job->doc, name);
        if (!key) {
            copy_limit(o, &c->limits, name);
            continue;
        }
        /* Durations in seconds, as people write them. */
        double scale = strcmp(name, "max-duration") == 0 ? 1000 : 1;
        const char *unit = scale > 1 || strcmp(name, "max-page-time") == 0 ? " s" : "";
        char what[200];
        snprintf(what, sizeof what, "%.0f%s is above this service's ceiling of %.0f%s", limit_value(o, name) / scale,
                 unit, limit_value(&c->limits, name) / scale, unit);
        return above_ceiling(where, key, what, err);
    }
    if (o->fps > c->max_fps) {
        char what[96];
        snprintf(what, sizeof what, "%d is above this service's ceiling of %d fps", o->fps, c->max_fps);
        return above_ceiling(where, given_option(job->doc, "fps") ? given_option(job->doc, "fps") : "fps", what, err);
    }
    int dim = c->limits.max_output_dim;
    if (o->width > dim || o->height > dim) {
        char what[96];
        snprintf(what, sizeof what, "%dx%d is larger than this service's ceiling of %d pixels a side", o->width,
                 o->height, dim);
        return above_ceiling(where, given_option(job->doc, "size") ? given_option(job->doc, "size") : "size", what,
                             err);
    }
    return REELAY_OK;
}

static const char *const ERROR_NAMES[] = {"ok", "usage", "input", "io", "internal"};

bool reelay_job_result_retryable(const reelay_job_result *r)
{
    return r->status == REELAY_JOB_FAILED && (r->error_code == REELAY_E_INTERNAL || r->error_code == REELAY_E_IO) &&
           !r->lasting;
}

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
    if (error && r->status != REELAY_JOB_DONE && r->lasting) json_object_set_new(error, "lasting", json_true());
    if (!error || json_object_set_new(doc, "error", error) != 0) {
        json_decref(doc);
        return NULL;
    }
    if (r->status == REELAY_JOB_DONE && r->output_count > 0) {
        json_t *outputs = json_array();
        for (int i = 0; outputs && i < r->output_count; i++) {
            const reelay_job_output *o = &r->outputs[i];
            json_array_append_new(outputs, json_pack("{s:s, s:s, s:I}", "role", o->role, o->url ? "url" : "path",
                                                     o->where, "bytes", (json_int_t)o->bytes));
        }
        if (!outputs || json_object_set_new(doc, "outputs", outputs) != 0) {
            json_decref(doc);
            return NULL;
        }
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
        r->lasting = json_is_true(json_object_get(error, "lasting"));
    }
    const json_t *outputs = json_object_get(doc, "outputs");
    for (size_t i = 0; i < json_array_size(outputs) && r->output_count < REELAY_JOB_MAX_OUTPUTS; i++) {
        const json_t *item = json_array_get(outputs, i);
        reelay_job_output *o = &r->outputs[r->output_count++];
        copy_text(item, "role", o->role, sizeof o->role);
        o->url = json_object_get(item, "url") != NULL;
        copy_text(item, o->url ? "url" : "path", o->where, sizeof o->where);
        o->bytes = (int64_t)json_integer_value(json_object_get(item, "bytes"));
    }
    return REELAY_OK;
}
