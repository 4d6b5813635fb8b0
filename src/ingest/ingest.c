#include "ingest/ingest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/buf.h"
#include "core/gzip.h"
#include "ingest/archive.h"
#include "ingest/json_util.h"
#include "ingest/portable.h"
#include "ingest/rrweb_event.h"
#include "session/url_privacy.h"
#include "source/source.h"

/* The window used when a container names none. */
#define DEFAULT_WINDOW "default"

typedef struct ingest_ctx {
    reelay_session *session;
    const reelay_ingest_options *options;
    reelay_err *err;
} ingest_ctx;

reelay_ingest_options reelay_ingest_defaults(void)
{
    reelay_ingest_options options = {
        .max_input_bytes = (size_t)1 << 30,
        .max_decompressed_bytes = (size_t)2 << 30,
        .max_events = 20u * 1000u * 1000u,
        .max_wireframes = 1000u * 1000u,
        .max_tree_depth = 512,
        .max_viewport = 32768,
    };
    return options;
}

reelay_ingest_options reelay_ingest_limits(const reelay_ingest_options *limits)
{
    reelay_ingest_options resolved = limits ? *limits : reelay_ingest_defaults();
    if (resolved.max_tree_depth > REELAY_MAX_TREE_DEPTH_CEILING) resolved.max_tree_depth = REELAY_MAX_TREE_DEPTH_CEILING;
    if (resolved.max_tree_depth < 1) resolved.max_tree_depth = 1;
    return resolved;
}

int reelay_check_event_count(const reelay_ingest_options *limits, size_t count, const char *where, reelay_err *err)
{
    size_t max = reelay_ingest_limits(limits).max_events;
    if (count <= max) return REELAY_OK;
    return reelay_err_set(err, REELAY_E_INPUT, "%s: more than %zu events (raise --max-events)", where, max);
}

int reelay_check_viewport(const reelay_ingest_options *limits, double width, double height, const char *where,
                          reelay_err *err)
{
    if (width < 0 || height < 0) return reelay_err_set(err, REELAY_E_INPUT, "%s: negative viewport size", where);
    double max = reelay_ingest_limits(limits).max_viewport;
    if (width > max || height > max)
        return reelay_err_set(err, REELAY_E_INPUT, "%s: viewport %gx%g is larger than %g (raise --max-viewport)",
                              where, width, height, max);
    return REELAY_OK;
}

/* A window id as text: PostHog uses UUID strings, small integers in current
 * exports, and old non-UUID strings. NULL when the value is neither. */
static const char *window_key_text(const json_t *value, char *scratch, size_t size)
{
    if (json_is_string(value)) return json_string_value(value);
    if (json_is_integer(value)) {
        snprintf(scratch, size, "%lld", (long long)json_integer_value(value));
        return scratch;
    }
    return NULL;
}

static int window_index(ingest_ctx *ctx, const char *key, uint32_t *out)
{
    int index = reelay_session_window(ctx->session, key);
    if (index < 0) return reelay_err_set(ctx->err, REELAY_E_INTERNAL, "out of memory");
    *out = (uint32_t)index;
    return REELAY_OK;
}

/* One more rrweb event, within --max-events. */
static int read_counted_event(ingest_ctx *ctx, json_t *event, uint32_t window, const char *where)
{
    if (reelay_check_event_count(ctx->options, ctx->session->event_count + 1, where, ctx->err) != REELAY_OK)
        return ctx->err->code;
    return reelay_read_rrweb_event(ctx->session, event, window, ctx->options, where, ctx->err);
}

static int read_event(ingest_ctx *ctx, json_t *event, const char *fallback_window, const char *where)
{
    char scratch[32];
    const char *key = window_key_text(json_object_get(event, "windowId"), scratch, sizeof scratch);
    if (!key) key = window_key_text(json_object_get(event, "window_id"), scratch, sizeof scratch);
    if (!key) key = fallback_window;
    uint32_t window = 0;
    if (window_index(ctx, key, &window) != REELAY_OK) return ctx->err->code;
    return read_counted_event(ctx, event, window, where);
}

static int read_event_array(ingest_ctx *ctx, json_t *array, const char *fallback_window, const char *path)
{
    size_t i;
    json_t *event;
    json_array_foreach(array, i, event) {
        char where[256];
        reelay_json_path_index(where, sizeof where, path, i);
        if (read_event(ctx, event, fallback_window, where) != REELAY_OK) return ctx->err->code;
    }
    return REELAY_OK;
}

static bool is_event_object(const json_t *value)
{
    return json_is_object(value) && json_object_get(value, "type") && json_object_get(value, "timestamp");
}

static const json_t *window_batch_key(const json_t *value)
{
    const json_t *key = json_object_get(value, "window_id");
    return key ? key : json_object_get(value, "windowId");
}

/* One JSONL item in any of PostHog's three line shapes (formats-web.md §5.6).
 * Returns REELAY_OK with *recognised=false for anything else. */
static int read_line_item(ingest_ctx *ctx, json_t *item, const char *where, bool *recognised)
{
    char scratch[32];
    *recognised = true;
    if (json_is_array(item) && json_array_size(item) == 2) {
        const char *key = window_key_text(json_array_get(item, 0), scratch, sizeof scratch);
        json_t *event = json_array_get(item, 1);
        if (key && json_is_object(event)) {
            uint32_t window = 0;
            if (window_index(ctx, key, &window) != REELAY_OK) return ctx->err->code;
            return read_counted_event(ctx, event, window, where);
        }
    } else if (is_event_object(item)) {
        return read_event(ctx, item, DEFAULT_WINDOW, where);
    } else if (json_is_object(item) && window_batch_key(item) && json_is_array(json_object_get(item, "data"))) {
        const char *key = window_key_text(window_batch_key(item), scratch, sizeof scratch);
        char path[256];
        snprintf(path, sizeof path, "%s: data", where);
        return read_event_array(ctx, json_object_get(item, "data"), key ? key : DEFAULT_WINDOW, path);
    }
    *recognised = false;
    return REELAY_OK;
}

static bool is_blank(const unsigned char *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r') return false;
    return true;
}

/* JSONL is split on '\n' only: compressed payloads contain U+0085 and
 * U+001C–U+001E, which other line-splitting rules would break on. */
static int read_jsonl(ingest_ctx *ctx, const unsigned char *data, size_t len)
{
    size_t line_no = 0;
    size_t pos = 0;
    while (pos < len) {
        const unsigned char *start = data + pos;
        const unsigned char *nl = memchr(start, '\n', len - pos);
        size_t line_len = nl ? (size_t)(nl - start) : len - pos;
        pos += line_len + (nl ? 1 : 0);
        line_no++;
        if (is_blank(start, line_len)) continue;

        json_error_t jerr;
        json_t *item = json_loadb((const char *)start, line_len, JSON_ALLOW_NUL, &jerr);
        if (!item)
            return reelay_err_set(ctx->err, REELAY_E_INPUT, "line %zu, column %d: invalid JSON: %s", line_no,
                                  jerr.column, jerr.text);
        char where[64];
        snprintf(where, sizeof where, "line %zu", line_no);
        bool recognised;
        int rc = read_line_item(ctx, item, where, &recognised);
        json_decref(item);
        if (rc != REELAY_OK) return rc;
        if (!recognised) ctx->session->stats.skipped_lines++;
    }
    return REELAY_OK;
}

static int set_session_string(ingest_ctx *ctx, const char **field, const char *value)
{
    if (!value || (*field && (*field)[0])) return REELAY_OK;
    const char *copy = reelay_arena_strdup(&ctx->session->arena, value);
    if (!copy) return reelay_err_set(ctx->err, REELAY_E_INTERNAL, "out of memory");
    *field = copy;
    return REELAY_OK;
}

/* The most human name PostHog has for a person. */
static int read_person(ingest_ctx *ctx, const json_t *person)
{
    if (!json_is_object(person)) return REELAY_OK;
    const json_t *props = json_object_get(person, "properties");
    const char *name = json_string_value(json_object_get(props, "email"));
    if (!name) name = json_string_value(json_object_get(person, "name"));
    if (!name) name = json_string_value(json_array_get(json_object_get(person, "distinct_ids"), 0));
    return set_session_string(ctx, &ctx->session->user, name);
}

static int read_export(ingest_ctx *ctx, json_t *root)
{
    const char *version = json_string_value(json_object_get(root, "version"));
    json_t *data = json_object_get(root, "data");
    if (!version) return reelay_err_set(ctx->err, REELAY_E_INPUT, "version: expected a string");
    if (!json_is_object(data)) return reelay_err_set(ctx->err, REELAY_E_INPUT, "data: expected an object");
    if (read_person(ctx, json_object_get(data, "person")) != REELAY_OK ||
        set_session_string(ctx, &ctx->session->session_id, json_string_value(json_object_get(data, "id"))) !=
            REELAY_OK)
        return ctx->err->code;

    /* 2024-04-30 is a community wrapper of raw blob_v2 events with the same
     * shape as 2023-04-28; it is accepted and reported as an export. */
    if (strcmp(version, "2023-04-28") == 0 || strcmp(version, "2024-04-30") == 0) {
        ctx->session->format = REELAY_FORMAT_POSTHOG_EXPORT;
        json_t *snapshots = json_object_get(data, "snapshots");
        if (!json_is_array(snapshots))
            return reelay_err_set(ctx->err, REELAY_E_INPUT, "data.snapshots: expected an array of events");
        return read_event_array(ctx, snapshots, DEFAULT_WINDOW, "data.snapshots");
    }
    if (strcmp(version, "2022-12-02") == 0) {
        ctx->session->format = REELAY_FORMAT_POSTHOG_EXPORT_LEGACY;
        json_t *by_window = json_object_get(data, "snapshotsByWindowId");
        if (!json_is_object(by_window))
            return reelay_err_set(ctx->err, REELAY_E_INPUT, "data.snapshotsByWindowId: expected an object");
        const char *key;
        json_t *events;
        json_object_foreach(by_window, key, events) {
            char path[256];
            snprintf(path, sizeof path, "data.snapshotsByWindowId[\"%.120s\"]", key);
            if (!json_is_array(events))
                return reelay_err_set(ctx->err, REELAY_E_INPUT, "%s: expected an array of events", path);
            if (read_event_array(ctx, events, key, path) != REELAY_OK) return ctx->err->code;
        }
        return REELAY_OK;
    }
    return reelay_err_set(ctx->err, REELAY_E_INPUT,
                          "version: unsupported PostHog export version \"%.40s\" (supported: 2023-04-28, 2022-12-02)",
                          version);
}

/* Arrays of $snapshot analytics events, as SDKs send them (mobile-wireframes.md §1.1). */
static int read_snapshot_events(ingest_ctx *ctx, json_t *array, const char *path)
{
    ctx->session->format = REELAY_FORMAT_SNAPSHOT_EVENTS;
    size_t i;
    json_t *item;
    json_array_foreach(array, i, item) {
        char where[256];
        reelay_json_path_index(where, sizeof where, path, i);
        if (!json_is_object(item)) return reelay_err_set(ctx->err, REELAY_E_INPUT, "%s: expected an object", where);
        const char *name = json_string_value(json_object_get(item, "event"));
        json_t *props = json_object_get(item, "properties");
        if (!name || strcmp(name, "$snapshot") != 0 || !json_is_object(props)) {
            ctx->session->stats.skipped_events++;
            continue;
        }
        if (set_session_string(ctx, &ctx->session->session_id,
                               json_string_value(json_object_get(props, "$session_id"))) != REELAY_OK ||
            set_session_string(ctx, &ctx->session->user, json_string_value(json_object_get(item, "distinct_id"))) !=
                REELAY_OK)
            return ctx->err->code;
        const char *source = json_string_value(json_object_get(props, "$snapshot_source"));
        if (source && strcmp(source, "mobile") == 0) ctx->session->source = REELAY_SOURCE_MOBILE;

        char scratch[32];
        const char *key = window_key_text(json_object_get(props, "$window_id"), scratch, sizeof scratch);
        if (!key) key = DEFAULT_WINDOW;
        json_t *payload = json_object_get(props, "$snapshot_data");
        const char *field = "$snapshot_data";
        if (!payload) {
            payload = json_object_get(props, "$snapshot_items");
            field = "$snapshot_items";
        }
        char inner[320];
        snprintf(inner, sizeof inner, "%s.properties.%s", where, field);
        if (json_is_array(payload)) {
            if (read_event_array(ctx, payload, key, inner) != REELAY_OK) return ctx->err->code;
        } else if (json_is_object(payload)) {
            if (read_event(ctx, payload, key, inner) != REELAY_OK) return ctx->err->code;
        } else {
            return reelay_err_set(ctx->err, REELAY_E_INPUT, "%s: expected an array of events", inner);
        }
    }
    return REELAY_OK;
}

static bool is_snapshot_event(const json_t *value)
{
    const json_t *props = json_object_get(value, "properties");
    return json_is_object(value) &&
           (json_object_get(value, "event") || json_object_get(props, "$snapshot_data") ||
            json_object_get(props, "$snapshot_items"));
}

static int read_root_array(ingest_ctx *ctx, json_t *root)
{
    if (json_array_size(root) == 0)
        return reelay_err_set(ctx->err, REELAY_E_INPUT, "the file is an empty JSON array: no events");
    json_t *first = json_array_get(root, 0);
    if (json_is_string(first) || json_is_integer(first)) {
        /* A single blob_v2 line: ["<window>", {event}]. */
        ctx->session->format = REELAY_FORMAT_POSTHOG_JSONL;
        bool recognised;
        if (read_line_item(ctx, root, "line 1", &recognised) != REELAY_OK) return ctx->err->code;
        if (!recognised)
            return reelay_err_set(ctx->err, REELAY_E_INPUT, "line 1: expected [windowId, event]");
        return REELAY_OK;
    }
    if (is_snapshot_event(first)) return read_snapshot_events(ctx, root, "");
    ctx->session->format = REELAY_FORMAT_RRWEB_ARRAY;
    return read_event_array(ctx, root, DEFAULT_WINDOW, "");
}

static int read_root_object(ingest_ctx *ctx, json_t *root)
{
    if (json_object_get(root, "version") && json_object_get(root, "data")) return read_export(ctx, root);

    json_t *result = json_object_get(root, "result");
    if (json_is_object(result) && json_is_array(json_object_get(result, "snapshots"))) {
        ctx->session->format = REELAY_FORMAT_POSTHOG_API;
        if (read_person(ctx, json_object_get(result, "person")) != REELAY_OK) return ctx->err->code;
        return read_event_array(ctx, json_object_get(result, "snapshots"), DEFAULT_WINDOW, "result.snapshots");
    }
    if (reelay_is_portable(root)) {
        ctx->session->format = REELAY_FORMAT_PORTABLE;
        return reelay_read_portable(root, ctx->session, ctx->options, ctx->err);
    }
    /* A captured request body: {"batch": [...]} (PostHog /batch) or {"body": [...]}. */
    static const char *const wrappers[] = {"batch", "body"};
    for (size_t i = 0; i < 2; i++) {
        json_t *list = json_object_get(root, wrappers[i]);
        if (json_is_array(list) && is_snapshot_event(json_array_get(list, 0)))
            return read_snapshot_events(ctx, list, wrappers[i]);
    }
    bool recognised;
    ctx->session->format = REELAY_FORMAT_POSTHOG_JSONL;
    if (read_line_item(ctx, root, "line 1", &recognised) != REELAY_OK) return ctx->err->code;
    if (!recognised)
        return reelay_err_set(ctx->err, REELAY_E_INPUT,
                              "unrecognised JSON object: expected a PostHog export ({\"version\", \"data\"}), "
                              "a portable recording ({\"events\": [...]}), or an rrweb event");
    return REELAY_OK;
}

/* A file whose first line is a complete JSON value and which has more lines. */
static bool looks_like_jsonl(const unsigned char *data, size_t len)
{
    const unsigned char *nl = memchr(data, '\n', len);
    if (!nl) return false;
    json_t *first = json_loadb((const char *)data, (size_t)(nl - data), JSON_ALLOW_NUL, NULL);
    bool ok = first != NULL;
    json_decref(first);
    return ok;
}

static int read_document(ingest_ctx *ctx, const unsigned char *data, size_t len)
{
    /* A UTF-8 byte-order mark is dropped; white space is left for jansson so
     * its line numbers match the file's. */
    if (len >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF) {
        data += 3;
        len -= 3;
    }
    size_t first = 0;
    while (first < len && (data[first] == ' ' || data[first] == '\t' || data[first] == '\r' || data[first] == '\n'))
        first++;
    if (first == len) return reelay_err_set(ctx->err, REELAY_E_INPUT, "the input is empty");
    if (data[first] != '{' && data[first] != '[')
        return reelay_err_set(ctx->err, REELAY_E_INPUT,
                              "not a recording: expected JSON or JSON lines (first byte 0x%02x)", data[first]);

    json_error_t jerr;
    json_t *root = json_loadb((const char *)data, len, JSON_ALLOW_NUL, &jerr);
    if (!root) {
        if (looks_like_jsonl(data + first, len - first)) {
            ctx->session->format = REELAY_FORMAT_POSTHOG_JSONL;
            return read_jsonl(ctx, data, len);
        }
        return reelay_err_set(ctx->err, REELAY_E_INPUT, "line %d, column %d: invalid JSON: %s", jerr.line,
                              jerr.column, jerr.text);
    }
    int rc = json_is_array(root) ? read_root_array(ctx, root) : read_root_object(ctx, root);
    json_decref(root);
    return rc;
}

int reelay_ingest_memory(const unsigned char *data, size_t len, const char *name,
                         const reelay_ingest_options *options, reelay_session **out, reelay_err *err)
{
    reelay_ingest_options defaults = reelay_ingest_defaults();
    if (!options) options = &defaults;
    *out = NULL;
    reelay_session *session = reelay_session_new();
    if (!session) return reelay_err_set(err, REELAY_E_INTERNAL, "%s: out of memory", name);
    ingest_ctx ctx = {session, options, err};

    reelay_buf plain, attached;
    reelay_buf_init(&plain);
    reelay_buf_init(&attached);
    int rc = REELAY_OK;
    if (reelay_archive_is_matroska(data, len)) {
        /* a video reelay made with --attach-recording: read its recording */
        rc = reelay_archive_read_recording(data, len, options->max_input_bytes, &attached, err);
        data = attached.data;
        len = attached.len;
    }
    if (rc == REELAY_OK && options->keep_source) {
        session->source_bytes = malloc(len ? len : 1);
        if (!session->source_bytes) rc = reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
        else if (len) memcpy(session->source_bytes, data, len);
        session->source_len = len;
    }
    if (rc == REELAY_OK && reelay_is_gzip(data, len)) {
        rc = reelay_gunzip(data, len, options->max_decompressed_bytes, &plain, err);
        if (rc == REELAY_OK) rc = read_document(&ctx, plain.data, plain.len);
    } else if (rc == REELAY_OK) {
        rc = read_document(&ctx, data, len);
    }
    reelay_buf_free(&plain);
    reelay_buf_free(&attached);
    if (rc == REELAY_OK) rc = reelay_session_finalize(session, err);
    if (rc == REELAY_OK) rc = reelay_session_mask_urls(session, options->unmask_inputs, err);
    if (rc != REELAY_OK) {
        reelay_err_prefix(err, "%s", name);
        reelay_session_free(session);
        return rc;
    }
    *out = session;
    return REELAY_OK;
}

int reelay_ingest_path(const char *path, const reelay_ingest_options *options, reelay_session **out,
                       reelay_err *err)
{
    reelay_ingest_options defaults = reelay_ingest_defaults();
    if (!options) options = &defaults;
    char name[REELAY_SHOWN_INPUT_MAX];
    reelay_source_shown_input(path, name, sizeof name);
    reelay_buf input;
    reelay_source_access access = {.urls = options->urls, .s3 = options->s3, .posthog = options->posthog};
    int rc = reelay_source_read(path, options->max_input_bytes, &access, &input, err);
    if (rc != REELAY_OK) return rc;
    rc = reelay_ingest_memory(input.data, input.len, name, options, out, err);
    reelay_buf_free(&input);
    return rc;
}
