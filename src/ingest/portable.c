#include "ingest/portable.h"


#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/utf8.h"
#include "ingest/json_util.h"

/* Console messages are for a subtitle line and an error panel, not a log
 * archive; this keeps a runaway payload from bloating the session. */
enum { PATH_LEN = 256 };

typedef enum portable_type {
    PT_INITIAL_STATE,
    PT_MOUSEMOVE,
    PT_CLICK,
    PT_SCROLL,
    PT_INPUT,
    PT_SUBMIT,
    PT_NAVIGATION,
    PT_CONSOLE,
    PT_ERROR,
    PT_PROMISE_ERROR,
    PT_UNKNOWN,
} portable_type;

static portable_type type_from_name(const char *name)
{
    static const struct { const char *name; portable_type type; } table[] = {
        {"initial_state", PT_INITIAL_STATE}, {"mousemove", PT_MOUSEMOVE},
        {"click", PT_CLICK},                 {"scroll", PT_SCROLL},
        {"input", PT_INPUT},                 {"submit", PT_SUBMIT},
        {"navigation", PT_NAVIGATION},       {"console", PT_CONSOLE},
        {"error", PT_ERROR},                 {"promise_error", PT_PROMISE_ERROR},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strcmp(name, table[i].name) == 0) return table[i].type;
    return PT_UNKNOWN;
}

/* Everything one event's mapping needs besides the JSON itself. */
typedef struct reader {
    reelay_session *session;
    const reelay_ingest_options *limits; /* NULL: the defaults */
    reelay_err *err;
    uint32_t window;
    const json_t *metadata; /* object or NULL */
} reader;

static int oom(reelay_err *err)
{
    return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
}

/* ---- times --------------------------------------------------------------- */

static bool is_leap(long year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int month_days(long year, int month)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && is_leap(year) ? 29 : days[month - 1];
}

/* Days from 1970-01-01 to year-month-day in the proleptic Gregorian calendar,
 * computed directly so the result never depends on the local time zone. */
static long days_from_civil(long year, int month, int day)
{
    long y = year - 1;
    long leaps_before = y / 4 - y / 100 + y / 400;
    const long leaps_before_1970 = 1969 / 4 - 1969 / 100 + 1969 / 400;
    long days = 365 * (year - 1970) + (leaps_before - leaps_before_1970);
    for (int m = 1; m < month; m++) days += month_days(year, m);
    return days + day - 1;
}

/* Reads exactly `count` decimal digits. */
static bool read_digits(const char **p, int count, long *out)
{
    long value = 0;
    for (int i = 0; i < count; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9') return false;
        value = value * 10 + (c - '0');
    }
    *p += count;
    *out = value;
    return true;
}

/* YYYY-MM-DD[(T| )HH:MM[:SS[.fff…]]][Z|±HH[:]MM|±HH] → epoch ms. A time
 * without a zone is taken as UTC: the recorder writes toISOString(), and
 * guessing a local zone would make output depend on the machine. */
static bool parse_iso_time(const char *s, double *out)
{
    long year, month, day, hour = 0, minute = 0, second = 0;
    double fraction = 0;
    const char *p = s;
    if (!read_digits(&p, 4, &year) || *p++ != '-' || !read_digits(&p, 2, &month) || *p++ != '-' ||
        !read_digits(&p, 2, &day))
        return false;
    if (year < 1 || month < 1 || month > 12 || day < 1 || day > month_days(year, (int)month)) return false;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        if (!read_digits(&p, 2, &hour) || *p++ != ':' || !read_digits(&p, 2, &minute)) return false;
        if (*p == ':') {
            p++;
            if (!read_digits(&p, 2, &second)) return false;
            if (*p == '.' || *p == ',') {
                p++;
                double scale = 0.1;
                if (*p < '0' || *p > '9') return false;
                for (; *p >= '0' && *p <= '9'; p++) {
                    fraction += (*p - '0') * scale;
                    scale /= 10;
                }
            }
        }
        /* 60 admits a leap second; it lands on the next minute's first second. */
        if (hour > 23 || minute > 59 || second > 60) return false;
    }
    long offset_minutes = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p++ == '-' ? -1 : 1;
        long oh, om = 0;
        if (!read_digits(&p, 2, &oh)) return false;
        if (*p == ':') p++;
        if (*p >= '0' && *p <= '9' && !read_digits(&p, 2, &om)) return false;
        if (oh > 23 || om > 59) return false;
        offset_minutes = sign * (oh * 60 + om);
    }
    if (*p != '\0') return false;
    double days = (double)days_from_civil(year, (int)month, (int)day);
    double seconds = days * 86400.0 + (double)(hour * 3600 + minute * 60 + second) - (double)offset_minutes * 60.0;
    /* Rounded to whole microseconds so "…20.123Z" is exactly …123 ms. */
    *out = seconds * 1000.0 + round(fraction * 1e6) / 1e3;
    return true;
}

/* A time as epoch ms: a number, an ISO-8601 string, or a string of digits.
 * `path` names the value in messages. Absent counts as invalid; callers
 * check presence first when the time is optional. */
static int read_time(const json_t *value, double *out, const char *path, reelay_err *err)
{
    double t;
    bool ok = reelay_json_number(value, &t);
    if (!ok && json_is_string(value)) {
        const char *s = json_string_value(value);
        ok = parse_iso_time(s, &t);
        if (!ok && *s) {
            char *end;
            t = strtod(s, &end);
            ok = *end == '\0' && end != s && s[0] >= '0' && s[0] <= '9';
        }
    }
    if (!ok)
        return reelay_err_set(err, REELAY_E_INPUT, "%s: expected epoch milliseconds or an ISO-8601 time", path);
    if (!isfinite(t)) return reelay_err_set(err, REELAY_E_INPUT, "%s: time is not a finite number", path);
    if (t < 0) return reelay_err_set(err, REELAY_E_INPUT, "%s: time %.15g is negative", path, t);
    if (t > REELAY_JSON_NUMBER_LIMIT)
        return reelay_err_set(err, REELAY_E_INPUT, "%s: time %.15g is out of range", path, t);
    *out = t;
    return REELAY_OK;
}

/* ---- text helpers -------------------------------------------------------- */

/* Copies at most max bytes of s, backing off so no UTF-8 sequence is split. */
static const char *copy_cut(reelay_arena *arena, const char *s, size_t len, size_t max)
{
    return reelay_arena_strndup(arena, s, reelay_utf8_cut(s, len, max));
}

/* A field that should be text: strings as they are, numbers printed (ids and
 * session ids are sometimes numeric). NULL when absent or another type;
 * *failed reports an allocation failure. */
static const char *text_field(reelay_arena *arena, const json_t *object, const char *key, bool *failed)
{
    return reelay_json_scalar_text(arena, json_object_get(object, key), failed);
}

/* Appends a console argument: strings raw (as a console shows them), any
 * other value as compact JSON. */
static int append_value(reelay_buf *buf, const json_t *value)
{
    if (json_is_string(value)) return reelay_buf_append(buf, json_string_value(value), json_string_length(value));
    char *dump = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!dump) return -1;
    int rc = reelay_buf_append_str(buf, dump);
    free(dump);
    return rc;
}

/* Finishes a console message: NUL bytes end it (strings may carry them),
 * then it is cut to REELAY_CONSOLE_MESSAGE_MAX on a UTF-8 boundary. */
static const char *finish_message(reelay_arena *arena, reelay_buf *buf)
{
    const char *s = buf->data ? (const char *)buf->data : "";
    return copy_cut(arena, s, strlen(s), REELAY_CONSOLE_MESSAGE_MAX);
}

/* ---- event mapping -------------------------------------------------------- */

static reelay_event *new_event(reader *r, reelay_event_kind kind, double ts, int rr_type, int rr_source,
                               bool active)
{
    reelay_event *ev = reelay_session_add_event(r->session);
    if (!ev) return NULL;
    ev->kind = kind;
    ev->timestamp = ts;
    ev->window = r->window;
    ev->rr_type = rr_type;
    ev->rr_source = rr_source;
    ev->active = active;
    return ev;
}

static int hash_event(reelay_event *ev, const json_t *event_json, reelay_err *err)
{
    if (reelay_json_content_hash(event_json, ev->content_hash) != 0) return oom(err);
    return REELAY_OK;
}

/* Reads an optional {width,height} object at parent[key]. */
static int read_viewport(const json_t *parent, const char *key, double *w, double *h, bool *present,
                         const char *where, reelay_err *err)
{
    char path[PATH_LEN];
    *present = false;
    const json_t *viewport = json_object_get(parent, key);
    if (!viewport || json_is_null(viewport)) return REELAY_OK;
    reelay_json_path_key(path, sizeof path, where, key);
    if (!json_is_object(viewport)) return reelay_err_set(err, REELAY_E_INPUT, "%s: expected an object", path);
    bool has_w = false, has_h = false;
    int rc = reelay_json_get_number(viewport, "width", w, &has_w, path, err);
    if (rc == REELAY_OK) rc = reelay_json_get_number(viewport, "height", h, &has_h, path, err);
    *present = has_w || has_h;
    return rc;
}

static const char *metadata_url(reader *r, bool *failed)
{
    return r->metadata ? text_field(&r->session->arena, r->metadata, "url", failed) : NULL;
}

static int map_initial_state(reader *r, const json_t *event_json, const json_t *data, double ts, const char *where)
{
    reelay_arena *arena = &r->session->arena;
    double width = 0, height = 0;
    bool has_viewport = false, failed = false;
    int rc = read_viewport(data, "viewport", &width, &height, &has_viewport, where, r->err);
    if (rc == REELAY_OK && !has_viewport) {
        /* Flat {width,height}, then the recording's metadata, as fallbacks. */
        bool has_w = false, has_h = false;
        rc = reelay_json_get_number(data, "width", &width, &has_w, where, r->err);
        if (rc == REELAY_OK) rc = reelay_json_get_number(data, "height", &height, &has_h, where, r->err);
        if (rc == REELAY_OK && !has_w && !has_h && r->metadata)
            rc = read_viewport(r->metadata, "viewport", &width, &height, &has_viewport, "metadata", r->err);
    }
    if (rc == REELAY_OK) rc = reelay_check_viewport(r->limits, width, height, where, r->err);
    if (rc != REELAY_OK) return rc;
    const char *href = text_field(arena, data, "url", &failed);
    if (!href) href = text_field(arena, data, "href", &failed);
    if (!href) href = metadata_url(r, &failed);
    const char *title = text_field(arena, data, "title", &failed);
    if (failed) return oom(r->err);

    const json_t *scroll = json_object_get(data, "scroll");
    double sx = 0, sy = 0;
    bool has_scroll = false;
    if (scroll && !json_is_null(scroll)) {
        char path[PATH_LEN];
        reelay_json_path_key(path, sizeof path, where, "scroll");
        if (!json_is_object(scroll)) return reelay_err_set(r->err, REELAY_E_INPUT, "%s: expected an object", path);
        rc = reelay_json_get_number(scroll, "x", &sx, NULL, path, r->err);
        if (rc == REELAY_OK) rc = reelay_json_get_number(scroll, "y", &sy, NULL, path, r->err);
        if (rc != REELAY_OK) return rc;
        has_scroll = true;
    }

    reelay_event *ev = new_event(r, EV_META, ts, RR_META, -1, true);
    if (!ev) return oom(r->err);
    ev->u.meta.width = width;
    ev->u.meta.height = height;
    ev->u.meta.href = href;
    ev->u.meta.title = title;
    rc = hash_event(ev, event_json, r->err);
    if (rc != REELAY_OK || !has_scroll) return rc;

    ev = new_event(r, EV_SCROLL, ts, RR_INCREMENTAL, RR_SRC_SCROLL, true);
    if (!ev) return oom(r->err);
    ev->u.scroll.target_id = 1;
    ev->u.scroll.x = sx;
    ev->u.scroll.y = sy;
    rc = hash_event(ev, event_json, r->err);
    /* Same source JSON and timestamp as the meta event: without a distinct
     * hash, duplicate removal would drop this scroll as a copy of the meta. */
    ev->content_hash[0] = ev->content_hash[0] * 0x9e3779b97f4a7c15ULL + 0x5c;
    return rc;
}

static int map_mousemove(reader *r, const json_t *event_json, const json_t *data, double ts, const char *where)
{
    double x = 0, y = 0;
    bool has_x = false, has_y = false;
    int rc = reelay_json_get_number(data, "x", &x, &has_x, where, r->err);
    if (rc == REELAY_OK) rc = reelay_json_get_number(data, "y", &y, &has_y, where, r->err);
    if (rc != REELAY_OK) return rc;
    if (!has_x || !has_y) {
        /* A move without a position cannot be drawn; not worth failing on. */
        r->session->stats.skipped_events++;
        return REELAY_OK;
    }
    reelay_position *pos = reelay_arena_alloc(&r->session->arena, sizeof *pos);
    if (!pos) return oom(r->err);
    pos->x = x;
    pos->y = y;
    pos->target_id = -1;
    pos->time_offset_ms = 0;
    reelay_event *ev = new_event(r, EV_POINTER_MOVE, ts, RR_INCREMENTAL, RR_SRC_MOUSE_MOVE, true);
    if (!ev) return oom(r->err);
    ev->u.pointer.positions = pos;
    ev->u.pointer.count = 1;
    return hash_event(ev, event_json, r->err);
}

static int map_click(reader *r, const json_t *event_json, const json_t *data, double ts, const char *where)
{
    reelay_arena *arena = &r->session->arena;
    double x = 0, y = 0, button = 0, detail = 0;
    bool has_x = false, has_y = false, failed = false;
    int rc = reelay_json_get_number(data, "x", &x, &has_x, where, r->err);
    if (rc == REELAY_OK) rc = reelay_json_get_number(data, "y", &y, &has_y, where, r->err);
    if (rc == REELAY_OK) rc = reelay_json_get_number(data, "button", &button, NULL, where, r->err);
    if (rc == REELAY_OK) rc = reelay_json_get_number(data, "detail", &detail, NULL, where, r->err);
    if (rc != REELAY_OK) return rc;

    const char *path = text_field(arena, data, "target", &failed);
    if (!path) path = text_field(arena, data, "selector", &failed);
    const char *text = text_field(arena, data, "text", &failed);
    const char *tag_raw = text_field(arena, data, "tagName", &failed);
    if (!tag_raw) tag_raw = text_field(arena, data, "tag", &failed);
    if (failed) return oom(r->err);
    char *tag = NULL;
    if (tag_raw) {
        tag = reelay_arena_strdup(arena, tag_raw);
        if (!tag) return oom(r->err);
        for (char *c = tag; *c; c++)
            if (*c >= 'A' && *c <= 'Z') *c = (char)(*c - 'A' + 'a');
    }
    int pointer_type = 0;
    const json_t *pt = json_object_get(data, "pointerType");
    if (json_is_string(pt)) {
        const char *s = json_string_value(pt);
        pointer_type = strcmp(s, "touch") == 0 ? 2 : strcmp(s, "pen") == 0 ? 1 : 0;
    }

    reelay_event *ev = new_event(r, EV_INTERACTION, ts, RR_INCREMENTAL, RR_SRC_MOUSE_INTERACTION, true);
    if (!ev) return oom(r->err);
    ev->u.interaction.type = button == 2 ? RR_CONTEXT_MENU : detail == 2 ? RR_DBL_CLICK : RR_CLICK;
    ev->u.interaction.target_id = -1;
    ev->u.interaction.x = x;
    ev->u.interaction.y = y;
    ev->u.interaction.has_xy = has_x && has_y;
    ev->u.interaction.pointer_type = pointer_type;
    ev->u.interaction.target_path = path;
    ev->u.interaction.target_text = text;
    ev->u.interaction.target_tag = tag;
    return hash_event(ev, event_json, r->err);
}

static int map_scroll(reader *r, const json_t *event_json, const json_t *data, double ts, const char *where)
{
    double x = 0, y = 0;
    int rc = reelay_json_get_number(data, "x", &x, NULL, where, r->err);
    if (rc == REELAY_OK) rc = reelay_json_get_number(data, "y", &y, NULL, where, r->err);
    if (rc != REELAY_OK) return rc;
    reelay_event *ev = new_event(r, EV_SCROLL, ts, RR_INCREMENTAL, RR_SRC_SCROLL, true);
    if (!ev) return oom(r->err);
    ev->u.scroll.target_id = 1; /* the document: window scroll */
    ev->u.scroll.x = x;
    ev->u.scroll.y = y;
    return hash_event(ev, event_json, r->err);
}

static int map_input(reader *r, const json_t *event_json, const json_t *data, double ts)
{
    reelay_arena *arena = &r->session->arena;
    bool failed = false;
    const char *path = text_field(arena, data, "target", &failed);
    if (!path) path = text_field(arena, data, "selector", &failed);
    const json_t *value = json_object_get(data, "value");
    bool checked = json_is_true(json_object_get(data, "checked"));
    const char *text;
    if (json_is_boolean(value)) {
        /* Checkboxes and radios record their state as the value. */
        checked = json_is_true(value);
        text = "";
    } else {
        text = text_field(arena, data, "value", &failed);
        if (!text) text = "";
    }
    if (failed) return oom(r->err);
    reelay_event *ev = new_event(r, EV_INPUT, ts, RR_INCREMENTAL, RR_SRC_INPUT, true);
    if (!ev) return oom(r->err);
    ev->u.input.target_id = -1;
    ev->u.input.text = text;
    ev->u.input.is_checked = checked;
    ev->u.input.target_path = path;
    return hash_event(ev, event_json, r->err);
}

static int map_submit(reader *r, const json_t *event_json, const json_t *data, double ts)
{
    bool failed = false;
    const char *path = text_field(&r->session->arena, data, "target", &failed);
    if (!path) path = text_field(&r->session->arena, data, "selector", &failed);
    if (failed) return oom(r->err);
    reelay_event *ev = new_event(r, EV_SUBMIT, ts, RR_INCREMENTAL, -1, true);
    if (!ev) return oom(r->err);
    ev->u.submit.target_path = path;
    return hash_event(ev, event_json, r->err);
}

static int map_navigation(reader *r, const json_t *event_json, const json_t *data, double ts)
{
    bool failed = false;
    const char *url = text_field(&r->session->arena, data, "url", &failed);
    if (!url) url = text_field(&r->session->arena, data, "href", &failed);
    const char *title = text_field(&r->session->arena, data, "title", &failed);
    if (failed) return oom(r->err);
    reelay_event *ev = new_event(r, EV_NAVIGATION, ts, RR_META, -1, true);
    if (!ev) return oom(r->err);
    ev->u.navigation.url = url ? url : "";
    ev->u.navigation.title = title;
    return hash_event(ev, event_json, r->err);
}

static reelay_console_level level_from_name(const char *name)
{
    if (strcmp(name, "log") == 0) return CONSOLE_LOG;
    if (strcmp(name, "info") == 0) return CONSOLE_INFO;
    if (strcmp(name, "warn") == 0 || strcmp(name, "warning") == 0) return CONSOLE_WARN;
    if (strcmp(name, "error") == 0) return CONSOLE_ERROR;
    if (strcmp(name, "debug") == 0) return CONSOLE_DEBUG;
    return CONSOLE_OTHER;
}

static int add_console(reader *r, const json_t *event_json, double ts, reelay_console_level level,
                       const char *level_name, const char *message, bool is_exception)
{
    reelay_event *ev = new_event(r, EV_CONSOLE, ts, RR_PLUGIN, -1, false);
    if (!ev) return oom(r->err);
    ev->u.console.level = level;
    ev->u.console.level_name = level_name;
    ev->u.console.message = message;
    ev->u.console.is_exception = is_exception;
    return hash_event(ev, event_json, r->err);
}

/* The console text stops growing once past the cut, so a huge args array
 * costs little more than the part that is kept. */
static int map_console(reader *r, const json_t *event_json, const json_t *data, double ts)
{
    reelay_arena *arena = &r->session->arena;
    bool failed = false;
    const char *level_name = text_field(arena, data, "level", &failed);
    if (!level_name) level_name = "log";
    reelay_buf buf;
    reelay_buf_init(&buf);
    int rc = 0;
    const json_t *message = json_object_get(data, "message");
    const json_t *args = json_object_get(data, "args");
    if (message && !json_is_null(message)) {
        rc = append_value(&buf, message);
    } else if (json_is_array(args)) {
        for (size_t i = 0; i < json_array_size(args) && rc == 0 && buf.len <= REELAY_CONSOLE_MESSAGE_MAX; i++) {
            if (i > 0) rc = reelay_buf_append(&buf, " ", 1);
            if (rc == 0) rc = append_value(&buf, json_array_get(args, i));
        }
    }
    const char *text = rc == 0 ? finish_message(arena, &buf) : NULL;
    reelay_buf_free(&buf);
    if (failed || !text) return oom(r->err);
    return add_console(r, event_json, ts, level_from_name(level_name), level_name, text, false);
}

static int map_error(reader *r, const json_t *event_json, const json_t *data, double ts, const char *where)
{
    double line = 0, col = 0;
    bool has_line = false, has_col = false;
    int rc = reelay_json_get_number(data, "lineno", &line, &has_line, where, r->err);
    if (rc == REELAY_OK) rc = reelay_json_get_number(data, "colno", &col, &has_col, where, r->err);
    if (rc != REELAY_OK) return rc;
    reelay_buf buf;
    reelay_buf_init(&buf);
    const json_t *message = json_object_get(data, "message");
    const json_t *source = json_object_get(data, "source");
    if (message && !json_is_null(message)) rc = append_value(&buf, message);
    else rc = reelay_buf_append_str(&buf, "Error");
    if (rc == 0 && json_is_string(source) && json_string_length(source) > 0) {
        rc = reelay_buf_printf(&buf, " (%s", json_string_value(source));
        if (rc == 0 && has_line) rc = reelay_buf_printf(&buf, ":%.15g", line);
        if (rc == 0 && has_line && has_col) rc = reelay_buf_printf(&buf, ":%.15g", col);
        if (rc == 0) rc = reelay_buf_append(&buf, ")", 1);
    }
    const char *text = rc == 0 ? finish_message(&r->session->arena, &buf) : NULL;
    reelay_buf_free(&buf);
    if (!text) return oom(r->err);
    return add_console(r, event_json, ts, CONSOLE_ERROR, "error", text, true);
}

static int map_promise_error(reader *r, const json_t *event_json, const json_t *data, double ts)
{
    reelay_buf buf;
    reelay_buf_init(&buf);
    const json_t *reason = json_object_get(data, "reason");
    if (!reason || json_is_null(reason)) reason = json_object_get(data, "message");
    int rc = reelay_buf_append_str(&buf, "Unhandled rejection: ");
    if (rc == 0 && reason && !json_is_null(reason)) rc = append_value(&buf, reason);
    const char *text = rc == 0 ? finish_message(&r->session->arena, &buf) : NULL;
    reelay_buf_free(&buf);
    if (!text) return oom(r->err);
    return add_console(r, event_json, ts, CONSOLE_ERROR, "error", text, true);
}

/* ---- the recording ------------------------------------------------------- */

bool reelay_is_portable(const json_t *root)
{
    /* `events` of the wrong type still selects this reader, so the user gets
     * "events: expected an array" rather than "unrecognised JSON object". */
    if (!json_is_object(root) || !json_object_get(root, "events")) return false;
    return json_object_get(root, "sessionId") || json_object_get(root, "startTime") ||
           json_object_get(root, "metadata");
}

/* An optional recording-level time (startTime/endTime). */
static int optional_time(const json_t *root, const char *key, double *out, bool *present, reelay_err *err)
{
    const json_t *value = json_object_get(root, key);
    *present = false;
    if (!value || json_is_null(value)) return REELAY_OK;
    int rc = read_time(value, out, key, err);
    if (rc == REELAY_OK) *present = true;
    return rc;
}

static int read_event(reader *r, const json_t *event_json, size_t index, bool *saw_initial, double *earliest,
                      bool *has_earliest)
{
    char where[PATH_LEN], path[PATH_LEN];
    reelay_json_path_index(where, sizeof where, "events", index);
    if (!json_is_object(event_json)) return reelay_err_set(r->err, REELAY_E_INPUT, "%s: expected an object", where);

    const json_t *type_json = json_object_get(event_json, "type");
    if (!json_is_string(type_json))
        return reelay_err_set(r->err, REELAY_E_INPUT, "%s.type: expected a string", where);
    portable_type type = type_from_name(json_string_value(type_json));
    if (type == PT_UNKNOWN) {
        r->session->stats.skipped_events++;
        return REELAY_OK;
    }

    reelay_json_path_key(path, sizeof path, where, "timestamp");
    double ts = 0;
    int rc = read_time(json_object_get(event_json, "timestamp"), &ts, path, r->err);
    if (rc != REELAY_OK) return rc;

    /* A missing data object is read as empty: `submit` or `navigation`
     * without details is still worth showing. */
    reelay_json_path_key(path, sizeof path, where, "data");
    const json_t *data = json_object_get(event_json, "data");
    json_t *empty = NULL;
    if (!data || json_is_null(data)) {
        empty = json_object();
        if (!empty) return oom(r->err);
        data = empty;
    } else if (!json_is_object(data)) {
        return reelay_err_set(r->err, REELAY_E_INPUT, "%s: expected an object", path);
    }

    if (!*has_earliest || ts < *earliest) *earliest = ts;
    *has_earliest = true;

    switch (type) {
    case PT_INITIAL_STATE:
        *saw_initial = true;
        rc = map_initial_state(r, event_json, data, ts, path);
        break;
    case PT_MOUSEMOVE: rc = map_mousemove(r, event_json, data, ts, path); break;
    case PT_CLICK: rc = map_click(r, event_json, data, ts, path); break;
    case PT_SCROLL: rc = map_scroll(r, event_json, data, ts, path); break;
    case PT_INPUT: rc = map_input(r, event_json, data, ts); break;
    case PT_SUBMIT: rc = map_submit(r, event_json, data, ts); break;
    case PT_NAVIGATION: rc = map_navigation(r, event_json, data, ts); break;
    case PT_CONSOLE: rc = map_console(r, event_json, data, ts); break;
    case PT_ERROR: rc = map_error(r, event_json, data, ts, path); break;
    case PT_PROMISE_ERROR: rc = map_promise_error(r, event_json, data, ts); break;
    case PT_UNKNOWN: break;
    }
    json_decref(empty);
    return rc;
}

/* Without an initial_state event the metadata's viewport still sizes the
 * frame; the synthesized meta has no source JSON, so it carries no content
 * hash and is never taken for a duplicate. */
static int synthesize_meta(reader *r, bool has_start, double start, bool has_earliest, double earliest)
{
    if (!r->metadata) return REELAY_OK;
    double width = 0, height = 0;
    bool has_viewport = false, failed = false;
    int rc = read_viewport(r->metadata, "viewport", &width, &height, &has_viewport, "metadata", r->err);
    if (rc != REELAY_OK || !has_viewport) return rc;
    rc = reelay_check_viewport(r->limits, width, height, "metadata.viewport", r->err);
    if (rc != REELAY_OK) return rc;
    if (!has_start && !has_earliest) return REELAY_OK;
    /* Never after the first event, or the first frames would have no size. */
    double ts = has_start ? start : earliest;
    if (has_earliest && earliest < ts) ts = earliest;
    const char *href = metadata_url(r, &failed);
    if (failed) return oom(r->err);
    reelay_event *ev = new_event(r, EV_META, ts, RR_META, -1, true);
    if (!ev) return oom(r->err);
    ev->u.meta.width = width;
    ev->u.meta.height = height;
    ev->u.meta.href = href;
    return REELAY_OK;
}

int reelay_read_portable(const json_t *root, reelay_session *session, const reelay_ingest_options *limits,
                         reelay_err *err)
{
    if (!json_is_object(root))
        return reelay_err_set(err, REELAY_E_INPUT, "portable recording: expected a JSON object");
    const json_t *events = json_object_get(root, "events");
    if (!json_is_array(events)) return reelay_err_set(err, REELAY_E_INPUT, "events: expected an array");
    int rc = reelay_check_event_count(limits, json_array_size(events), "events", err);
    if (rc != REELAY_OK) return rc;

    session->format = REELAY_FORMAT_PORTABLE;
    session->source = REELAY_SOURCE_PORTABLE;
    bool failed = false;
    const char *session_id = text_field(&session->arena, root, "sessionId", &failed);
    const char *user = text_field(&session->arena, root, "userId", &failed);
    if (failed) return oom(err);
    session->session_id = session_id ? session_id : "";
    session->user = user ? user : "";

    double start = 0, end = 0;
    bool has_start = false, has_end = false;
    rc = optional_time(root, "startTime", &start, &has_start, err);
    if (rc == REELAY_OK) rc = optional_time(root, "endTime", &end, &has_end, err);
    if (rc != REELAY_OK) return rc;

    int window = reelay_session_window(session, "0");
    if (window < 0) return oom(err);
    const json_t *metadata = json_object_get(root, "metadata");
    reader r = {
        .session = session,
        .limits = limits,
        .err = err,
        .window = (uint32_t)window,
        .metadata = json_is_object(metadata) ? metadata : NULL,
    };

    bool saw_initial = false, has_earliest = false;
    double earliest = 0;
    for (size_t i = 0; i < json_array_size(events); i++) {
        rc = read_event(&r, json_array_get(events, i), i, &saw_initial, &earliest, &has_earliest);
        if (rc != REELAY_OK) return rc;
    }
    if (!saw_initial) return synthesize_meta(&r, has_start, start, has_earliest, earliest);
    return REELAY_OK;
}
