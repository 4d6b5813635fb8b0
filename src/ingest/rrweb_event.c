#include "ingest/rrweb_event.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/utf8.h"
#include "ingest/compressed.h"
#include "ingest/json_util.h"
#include "ingest/mobile.h"
#include "ingest/web_dom.h"

/* Positions per pointer batch / requests per network event beyond which the
 * input is rejected as implausible. */
#define BATCH_ITEMS_MAX 100000

typedef struct reader {
    reelay_session *session;
    reelay_arena *arena;
    const reelay_ingest_options *limits; /* NULL: the defaults */
    const char *where;
    reelay_err *err;
} reader;

static int oom(reader *r)
{
    return reelay_err_set(r->err, REELAY_E_INTERNAL, "out of memory");
}

static int bad(reader *r, const char *fmt, const char *detail)
{
    return reelay_err_set(r->err, REELAY_E_INPUT, fmt, r->where, detail);
}

/* Active per PostHog's player (formats-web.md §7.1). */
static bool is_active(int type, int source)
{
    if (type == RR_FULL_SNAPSHOT || type == RR_META) return true;
    if (type != RR_INCREMENTAL) return false;
    return (source >= RR_SRC_MOUSE_MOVE && source <= RR_SRC_MEDIA_INTERACTION) || source == RR_SRC_DRAG;
}

static int read_meta(reader *r, const json_t *data, reelay_event *ev)
{
    char where[256];
    snprintf(where, sizeof where, "%s: data", r->where);
    ev->kind = EV_META;
    if (reelay_json_get_number(data, "width", &ev->u.meta.width, NULL, where, r->err) != REELAY_OK ||
        reelay_json_get_number(data, "height", &ev->u.meta.height, NULL, where, r->err) != REELAY_OK)
        return r->err->code;
    if (reelay_check_viewport(r->limits, ev->u.meta.width, ev->u.meta.height, where, r->err) != REELAY_OK)
        return r->err->code;
    ev->u.meta.href = reelay_json_get_string(r->arena, data, "href");
    return REELAY_OK;
}

static int read_full_snapshot(reader *r, const json_t *data, reelay_event *ev)
{
    char where[256];
    ev->kind = EV_FULL_SNAPSHOT;
    const json_t *offset = json_object_get(data, "initialOffset");
    if (json_is_object(offset)) {
        snprintf(where, sizeof where, "%s: data.initialOffset", r->where);
        if (reelay_json_get_number(offset, "top", &ev->u.full.offset_top, NULL, where, r->err) != REELAY_OK ||
            reelay_json_get_number(offset, "left", &ev->u.full.offset_left, NULL, where, r->err) != REELAY_OK)
            return r->err->code;
    }
    const json_t *wireframes = json_object_get(data, "wireframes");
    if (wireframes) {
        if (!json_is_array(wireframes)) return bad(r, "%s: data.wireframes: %s", "expected an array");
        ev->mobile = true;
        snprintf(where, sizeof where, "%s: data.wireframes", r->where);
        return reelay_parse_wireframes(wireframes, r->arena, &ev->u.full.wireframes, &ev->u.full.wireframe_count,
                                       &r->session->stats, r->limits, where, r->err);
    }
    const json_t *node = json_object_get(data, "node");
    if (!json_is_object(node)) return bad(r, "%s: data: %s", "full snapshot has neither `node` nor `wireframes`");
    snprintf(where, sizeof where, "%s: data.node", r->where);
    return reelay_parse_dom_tree(node, r->arena, &ev->u.full.dom, r->limits, where, r->err);
}

static int read_positions(reader *r, const json_t *data, reelay_event *ev)
{
    const json_t *positions = json_object_get(data, "positions");
    if (!json_is_array(positions)) return bad(r, "%s: data.positions: %s", "expected an array");
    size_t count = json_array_size(positions);
    if (count > BATCH_ITEMS_MAX) return bad(r, "%s: data.positions: %s", "too many positions in one event");
    ev->kind = EV_POINTER_MOVE;
    ev->u.pointer.positions = reelay_arena_array(r->arena, count ? count : 1, sizeof(reelay_position));
    if (!ev->u.pointer.positions) return oom(r);
    for (size_t i = 0; i < count; i++) {
        const json_t *item = json_array_get(positions, i);
        char where[256];
        snprintf(where, sizeof where, "%s: data.positions[%zu]", r->where, i);
        if (!json_is_object(item)) return reelay_err_set(r->err, REELAY_E_INPUT, "%s: expected an object", where);
        reelay_position *p = &ev->u.pointer.positions[i];
        p->target_id = -1;
        bool has_x, has_y;
        if (reelay_json_get_number(item, "x", &p->x, &has_x, where, r->err) != REELAY_OK ||
            reelay_json_get_number(item, "y", &p->y, &has_y, where, r->err) != REELAY_OK ||
            reelay_json_get_id(item, "id", &p->target_id, NULL, where, r->err) != REELAY_OK ||
            reelay_json_get_number(item, "timeOffset", &p->time_offset_ms, NULL, where, r->err) != REELAY_OK)
            return r->err->code;
        if (!has_x || !has_y) return reelay_err_set(r->err, REELAY_E_INPUT, "%s: position without x and y", where);
    }
    ev->u.pointer.count = count;
    return REELAY_OK;
}

static int read_interaction(reader *r, const json_t *data, reelay_event *ev)
{
    char where[256];
    snprintf(where, sizeof where, "%s: data", r->where);
    double type = -1, pointer = -1;
    bool has_x = false, has_y = false;
    ev->kind = EV_INTERACTION;
    ev->u.interaction.target_id = -1;
    if (reelay_json_get_number(data, "type", &type, NULL, where, r->err) != REELAY_OK ||
        reelay_json_get_id(data, "id", &ev->u.interaction.target_id, NULL, where, r->err) != REELAY_OK ||
        reelay_json_get_number(data, "x", &ev->u.interaction.x, &has_x, where, r->err) != REELAY_OK ||
        reelay_json_get_number(data, "y", &ev->u.interaction.y, &has_y, where, r->err) != REELAY_OK ||
        reelay_json_get_number(data, "pointerType", &pointer, NULL, where, r->err) != REELAY_OK)
        return r->err->code;
    if (type < RR_MOUSE_UP || type > RR_TOUCH_CANCEL || type != floor(type))
        return bad(r, "%s: data.type: %s", "unknown mouse interaction type");
    ev->u.interaction.type = (int)type;
    ev->u.interaction.has_xy = has_x && has_y;
    ev->u.interaction.pointer_type = (pointer >= 0 && pointer <= 2) ? (int)pointer : -1;
    return REELAY_OK;
}

static int read_scroll(reader *r, const json_t *data, reelay_event *ev)
{
    char where[256];
    snprintf(where, sizeof where, "%s: data", r->where);
    ev->kind = EV_SCROLL;
    ev->u.scroll.target_id = -1;
    if (reelay_json_get_id(data, "id", &ev->u.scroll.target_id, NULL, where, r->err) != REELAY_OK ||
        reelay_json_get_number(data, "x", &ev->u.scroll.x, NULL, where, r->err) != REELAY_OK ||
        reelay_json_get_number(data, "y", &ev->u.scroll.y, NULL, where, r->err) != REELAY_OK)
        return r->err->code;
    return REELAY_OK;
}

static int read_resize(reader *r, const json_t *data, reelay_event *ev)
{
    char where[256];
    snprintf(where, sizeof where, "%s: data", r->where);
    ev->kind = EV_VIEWPORT_RESIZE;
    if (reelay_json_get_number(data, "width", &ev->u.resize.width, NULL, where, r->err) != REELAY_OK ||
        reelay_json_get_number(data, "height", &ev->u.resize.height, NULL, where, r->err) != REELAY_OK)
        return r->err->code;
    if (reelay_check_viewport(r->limits, ev->u.resize.width, ev->u.resize.height, where, r->err) != REELAY_OK)
        return r->err->code;
    return REELAY_OK;
}

static int read_input(reader *r, const json_t *data, reelay_event *ev)
{
    char where[256];
    snprintf(where, sizeof where, "%s: data", r->where);
    ev->kind = EV_INPUT;
    ev->u.input.target_id = -1;
    if (reelay_json_get_id(data, "id", &ev->u.input.target_id, NULL, where, r->err) != REELAY_OK)
        return r->err->code;
    ev->u.input.text = reelay_json_get_string(r->arena, data, "text");
    ev->u.input.is_checked = json_is_true(json_object_get(data, "isChecked"));
    return REELAY_OK;
}

static int read_incremental(reader *r, const json_t *data, reelay_event *ev, bool *skip)
{
    switch (ev->rr_source) {
    case RR_SRC_MUTATION: {
        ev->kind = EV_MUTATION;
        char where[256];
        snprintf(where, sizeof where, "%s: data", r->where);
        if (reelay_is_mobile_mutation(data)) {
            ev->mobile = true;
            return reelay_parse_mobile_mutation(data, r->arena, ev, &r->session->stats, r->limits, where, r->err);
        }
        return reelay_parse_web_mutation(data, r->arena, ev, r->limits, where, r->err);
    }
    case RR_SRC_MOUSE_MOVE:
    case RR_SRC_TOUCH_MOVE:
    case RR_SRC_DRAG:
        return read_positions(r, data, ev);
    case RR_SRC_MOUSE_INTERACTION: return read_interaction(r, data, ev);
    case RR_SRC_SCROLL: return read_scroll(r, data, ev);
    case RR_SRC_VIEWPORT_RESIZE: return read_resize(r, data, ev);
    case RR_SRC_INPUT: return read_input(r, data, ev);
    case RR_SRC_MEDIA_INTERACTION: ev->kind = EV_MEDIA; return REELAY_OK;
    default:
        /* 8 StyleSheetRule … 16 CustomElement: known, not modelled yet. */
        if (ev->rr_source >= 8 && ev->rr_source <= 16) {
            ev->kind = EV_INCREMENTAL_OTHER;
            return REELAY_OK;
        }
        *skip = true;
        return REELAY_OK;
    }
}

static int read_keyboard(reader *r, const json_t *payload, reelay_event *ev)
{
    char where[256];
    snprintf(where, sizeof where, "%s: data.payload", r->where);
    ev->kind = EV_KEYBOARD;
    ev->mobile = true;
    if (!json_is_object(payload)) return bad(r, "%s: data.payload: %s", "expected an object");
    ev->u.keyboard.open = json_is_true(json_object_get(payload, "open"));
    if (reelay_json_get_number(payload, "height", &ev->u.keyboard.height, NULL, where, r->err) != REELAY_OK ||
        reelay_json_get_number(payload, "x", &ev->u.keyboard.x, &ev->u.keyboard.has_x, where, r->err) != REELAY_OK ||
        reelay_json_get_number(payload, "y", &ev->u.keyboard.y, &ev->u.keyboard.has_y, where, r->err) != REELAY_OK ||
        reelay_json_get_number(payload, "width", &ev->u.keyboard.width, &ev->u.keyboard.has_width, where, r->err) !=
            REELAY_OK)
        return r->err->code;
    return REELAY_OK;
}

static int read_custom(reader *r, const json_t *data, reelay_event *ev)
{
    const char *tag = json_string_value(json_object_get(data, "tag"));
    const json_t *payload = json_object_get(data, "payload");
    if (tag && strcmp(tag, "keyboard") == 0) return read_keyboard(r, payload, ev);
    if (tag && strcmp(tag, "$pageview") == 0) {
        const char *href = json_string_value(json_object_get(payload, "href"));
        if (href) {
            ev->kind = EV_NAVIGATION;
            ev->u.navigation.url = reelay_arena_strdup(r->arena, href);
            return ev->u.navigation.url ? REELAY_OK : oom(r);
        }
    }
    ev->kind = EV_CUSTOM;
    ev->u.custom.tag = tag ? reelay_arena_strdup(r->arena, tag) : "";
    return ev->u.custom.tag ? REELAY_OK : oom(r);
}

static reelay_console_level console_level(const char *level)
{
    if (!level) return CONSOLE_OTHER;
    static const struct { const char *name; reelay_console_level level; } names[] = {
        {"log", CONSOLE_LOG},     {"info", CONSOLE_INFO},   {"warn", CONSOLE_WARN}, {"warning", CONSOLE_WARN},
        {"error", CONSOLE_ERROR}, {"assert", CONSOLE_ERROR}, {"debug", CONSOLE_DEBUG}, {"trace", CONSOLE_DEBUG},
        /* Android logcat letters (mobile-wireframes.md §2.6). */
        {"E", CONSOLE_ERROR},     {"F", CONSOLE_ERROR},     {"A", CONSOLE_ERROR},   {"W", CONSOLE_WARN},
        {"I", CONSOLE_INFO},      {"D", CONSOLE_DEBUG},     {"V", CONSOLE_DEBUG},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(level, names[i].name) == 0) return names[i].level;
    return CONSOLE_OTHER;
}

/* Appends one console argument. posthog-js stores each argument stringified,
 * so a string argument arrives with its JSON quotes; those are removed. */
static int append_console_item(reelay_buf *text, const json_t *item)
{
    if (text->len > 0 && reelay_buf_append(text, " ", 1) != 0) return -1;
    if (json_is_string(item)) {
        const char *s = json_string_value(item);
        size_t len = strlen(s);
        if (len >= 2 && s[0] == '"' && s[len - 1] == '"') {
            json_t *unquoted = json_loadb(s, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
            if (json_is_string(unquoted)) {
                int rc = reelay_buf_append_str(text, json_string_value(unquoted));
                json_decref(unquoted);
                return rc;
            }
            json_decref(unquoted);
        }
        return reelay_buf_append(text, s, len);
    }
    char *dumped = json_dumps(item, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!dumped) return -1;
    int rc = reelay_buf_append_str(text, dumped);
    free(dumped);
    return rc;
}

static int read_console(reader *r, const json_t *payload, reelay_event *ev)
{
    ev->kind = EV_CONSOLE;
    const char *level = json_string_value(json_object_get(payload, "level"));
    ev->u.console.level = console_level(level);
    ev->u.console.level_name = reelay_arena_strdup(r->arena, level ? level : "");
    reelay_buf text;
    reelay_buf_init(&text);
    const json_t *items = json_object_get(payload, "payload");
    int rc = 0;
    if (json_is_array(items)) {
        size_t i;
        const json_t *item;
        json_array_foreach(items, i, item) {
            if (text.len > REELAY_CONSOLE_MESSAGE_MAX) break;
            if ((rc = append_console_item(&text, item)) != 0) break;
        }
    } else if (items) {
        rc = append_console_item(&text, items);
    }
    if (rc != 0) {
        reelay_buf_free(&text);
        return oom(r);
    }
    const char *raw = text.data ? (const char *)text.data : "";
    ev->u.console.message = reelay_arena_strndup(r->arena, raw, reelay_utf8_cut(raw, text.len, REELAY_CONSOLE_MESSAGE_MAX));
    reelay_buf_free(&text);
    return ev->u.console.message && ev->u.console.level_name ? REELAY_OK : oom(r);
}

static int read_network(reader *r, const json_t *payload, reelay_event *ev)
{
    ev->kind = EV_NETWORK;
    const json_t *requests = json_object_get(payload, "requests");
    size_t count = json_is_array(requests) ? json_array_size(requests) : 0;
    if (count > BATCH_ITEMS_MAX) return bad(r, "%s: data.payload.requests: %s", "too many requests in one event");
    ev->u.network.requests = reelay_arena_array(r->arena, count ? count : 1, sizeof(reelay_network_request));
    if (!ev->u.network.requests) return oom(r);
    size_t kept = 0;
    for (size_t i = 0; i < count; i++) {
        const json_t *item = json_array_get(requests, i);
        if (!json_is_object(item)) continue;
        reelay_network_request *req = &ev->u.network.requests[kept];
        char where[256];
        snprintf(where, sizeof where, "%s: data.payload.requests[%zu]", r->where, i);
        double status = 0;
        bool has_status = false;
        if (reelay_json_get_number(item, "responseStatus", &status, &has_status, where, r->err) != REELAY_OK ||
            (!has_status && reelay_json_get_number(item, "status", &status, NULL, where, r->err) != REELAY_OK) ||
            reelay_json_get_number(item, "duration", &req->duration_ms, NULL, where, r->err) != REELAY_OK ||
            reelay_json_get_number(item, "timestamp", &req->timestamp_ms, NULL, where, r->err) != REELAY_OK)
            return r->err->code;
        req->status = (status >= 0 && status < 1000) ? (int)status : 0;
        req->url = reelay_json_get_string(r->arena, item, "name");
        req->method = reelay_json_get_string(r->arena, item, "method");
        kept++;
    }
    ev->u.network.count = kept;
    return REELAY_OK;
}

static int read_plugin(reader *r, const json_t *data, reelay_event *ev)
{
    const char *plugin = json_string_value(json_object_get(data, "plugin"));
    const json_t *payload = json_object_get(data, "payload");
    if (plugin && strcmp(plugin, "rrweb/console@1") == 0 && json_is_object(payload))
        return read_console(r, payload, ev);
    if (plugin && strcmp(plugin, "rrweb/network@1") == 0 && json_is_object(payload))
        return read_network(r, payload, ev);
    ev->kind = EV_PLUGIN_OTHER;
    ev->u.plugin.name = reelay_arena_strdup(r->arena, plugin ? plugin : "");
    return ev->u.plugin.name ? REELAY_OK : oom(r);
}

int reelay_read_rrweb_event(reelay_session *session, json_t *event, uint32_t window,
                            const reelay_ingest_options *limits, const char *where, reelay_err *err)
{
    reader r = {session, &session->arena, limits, where, err};
    if (!json_is_object(event)) return reelay_err_set(err, REELAY_E_INPUT, "%s: expected an event object", where);

    const json_t *type_value = json_object_get(event, "type");
    if (!json_is_integer(type_value))
        return reelay_err_set(err, REELAY_E_INPUT, "%s: type: expected an integer event type", where);
    json_int_t type = json_integer_value(type_value);
    if (type < RR_DOM_CONTENT_LOADED || type > RR_PLUGIN) {
        /* Unknown kinds are skipped whatever else they carry (PostHog's
         * transformer passes them through untouched). */
        session->stats.skipped_events++;
        return REELAY_OK;
    }
    double timestamp;
    bool has_timestamp;
    if (reelay_json_get_number(event, "timestamp", &timestamp, &has_timestamp, where, err) != REELAY_OK)
        return err->code;
    if (!has_timestamp)
        return reelay_err_set(err, REELAY_E_INPUT, "%s: timestamp: missing (expected epoch milliseconds)", where);
    if (timestamp < 0)
        return reelay_err_set(err, REELAY_E_INPUT, "%s: timestamp: negative time %.0f", where, timestamp);

    if (reelay_decompress_event(event, &session->stats.decompressed_payloads, where, err) != REELAY_OK)
        return err->code;

    const json_t *data = json_object_get(event, "data");
    if (type >= RR_FULL_SNAPSHOT && type <= RR_PLUGIN && !json_is_object(data))
        return reelay_err_set(err, REELAY_E_INPUT, "%s: data: expected an object", where);

    reelay_event *ev = reelay_session_add_event(session);
    if (!ev) return oom(&r);
    ev->timestamp = timestamp;
    ev->window = window;
    ev->rr_type = (int)type;
    if (type == RR_INCREMENTAL) {
        const json_t *source = json_object_get(data, "source");
        if (!json_is_integer(source) || json_integer_value(source) < 0 || json_integer_value(source) > 1000)
            return reelay_err_set(err, REELAY_E_INPUT, "%s: data.source: expected an incremental source number", where);
        ev->rr_source = (int)json_integer_value(source);
    }
    ev->active = is_active(ev->rr_type, ev->rr_source);

    bool skip = false;
    int rc = REELAY_OK;
    switch (type) {
    case RR_DOM_CONTENT_LOADED:
    case RR_LOAD: ev->kind = EV_LOAD; break;
    case RR_FULL_SNAPSHOT: rc = read_full_snapshot(&r, data, ev); break;
    case RR_INCREMENTAL: rc = read_incremental(&r, data, ev, &skip); break;
    case RR_META: rc = read_meta(&r, data, ev); break;
    case RR_CUSTOM: rc = read_custom(&r, data, ev); break;
    case RR_PLUGIN: rc = read_plugin(&r, data, ev); break;
    }
    if (rc != REELAY_OK) return rc;
    if (skip) {
        session->event_count--;
        session->stats.skipped_events++;
        return REELAY_OK;
    }
    if (reelay_json_content_hash(event, ev->content_hash) != 0) return oom(&r);
    /* mobile wireframes never go to the page engine */
    if (limits && limits->keep_rrweb_json && !ev->mobile) {
        char *json = json_dumps(event, JSON_COMPACT | JSON_ENCODE_ANY);
        if (!json) return oom(&r);
        ev->rrweb_json = reelay_arena_strdup(r.arena, json);
        free(json);
        if (!ev->rrweb_json) return oom(&r);
    }
    return REELAY_OK;
}
