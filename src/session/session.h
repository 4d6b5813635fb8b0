/* session.h — the normalized session model every later stage reads.
 * Owns: reelay_session (events sorted by time, windows, metadata) and its arena.
 * Readers in src/ingest fill a session through reelay_session_add_event and
 * finish it with reelay_session_finalize; after that the session is read-only.
 * Times are epoch milliseconds (double: rrweb timestamps may be fractional). */
#ifndef REELAY_SESSION_SESSION_H
#define REELAY_SESSION_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/error.h"
#include "session/dom.h"
#include "session/wireframe.h"

typedef enum reelay_source {
    REELAY_SOURCE_UNKNOWN = 0,
    REELAY_SOURCE_MOBILE,
    REELAY_SOURCE_WEB,
    REELAY_SOURCE_PORTABLE,
} reelay_source;

typedef enum reelay_format {
    REELAY_FORMAT_UNKNOWN = 0,
    REELAY_FORMAT_POSTHOG_EXPORT,        /* version 2023-04-28 */
    REELAY_FORMAT_POSTHOG_EXPORT_LEGACY, /* version 2022-12-02 */
    REELAY_FORMAT_POSTHOG_JSONL,         /* blob lines, any of the three shapes */
    REELAY_FORMAT_RRWEB_ARRAY,           /* plain array of rrweb events */
    REELAY_FORMAT_SNAPSHOT_EVENTS,       /* array of $snapshot analytics events */
    REELAY_FORMAT_POSTHOG_API,           /* {"result":{"snapshots":[...]}} (2021 API) */
    REELAY_FORMAT_PORTABLE,              /* portable-recorder JSON */
} reelay_format;

/* rrweb numbers (formats-web.md §1.2–1.4). */
enum reelay_rr_type {
    RR_DOM_CONTENT_LOADED = 0,
    RR_LOAD = 1,
    RR_FULL_SNAPSHOT = 2,
    RR_INCREMENTAL = 3,
    RR_META = 4,
    RR_CUSTOM = 5,
    RR_PLUGIN = 6,
};

enum reelay_rr_source {
    RR_SRC_MUTATION = 0,
    RR_SRC_MOUSE_MOVE = 1,
    RR_SRC_MOUSE_INTERACTION = 2,
    RR_SRC_SCROLL = 3,
    RR_SRC_VIEWPORT_RESIZE = 4,
    RR_SRC_INPUT = 5,
    RR_SRC_TOUCH_MOVE = 6,
    RR_SRC_MEDIA_INTERACTION = 7,
    RR_SRC_DRAG = 12,
};

enum reelay_mouse_interaction {
    RR_MOUSE_UP = 0,
    RR_MOUSE_DOWN = 1,
    RR_CLICK = 2,
    RR_CONTEXT_MENU = 3,
    RR_DBL_CLICK = 4,
    RR_FOCUS = 5,
    RR_BLUR = 6,
    RR_TOUCH_START = 7,
    RR_TOUCH_MOVE_DEPARTED = 8,
    RR_TOUCH_END = 9,
    RR_TOUCH_CANCEL = 10,
};

typedef enum reelay_event_kind {
    EV_META = 0,           /* viewport size and screen name / URL */
    EV_FULL_SNAPSHOT,      /* mobile wireframes or a web DOM */
    EV_MUTATION,           /* mobile wireframe mutation or web DOM mutation */
    EV_POINTER_MOVE,       /* mouse move, touch move, drag: a batch of positions */
    EV_INTERACTION,        /* mouse/touch interaction: click, touch start/end, focus, ... */
    EV_SCROLL,
    EV_VIEWPORT_RESIZE,
    EV_INPUT,
    EV_MEDIA,
    EV_INCREMENTAL_OTHER,  /* style sheets, canvas, fonts, selection, ...: no visual model yet */
    EV_KEYBOARD,           /* mobile keyboard open/close (custom tag "keyboard") */
    EV_NAVIGATION,         /* $pageview custom events, portable `navigation` */
    EV_CUSTOM,             /* any other custom event */
    EV_CONSOLE,            /* console plugin, portable console/error/promise_error */
    EV_NETWORK,            /* network plugin */
    EV_PLUGIN_OTHER,
    EV_SUBMIT,             /* portable `submit` */
    EV_LOAD,               /* rrweb DomContentLoaded / Load */
    EV_KIND_COUNT
} reelay_event_kind;

typedef enum reelay_console_level {
    CONSOLE_LOG = 0,
    CONSOLE_INFO,
    CONSOLE_WARN,
    CONSOLE_ERROR,
    CONSOLE_DEBUG,
    CONSOLE_OTHER,
    CONSOLE_LEVEL_COUNT
} reelay_console_level;

/* Console messages are cut to this many bytes (on a UTF-8 boundary): a toast
 * or a subtitle never needs more. */
#define REELAY_CONSOLE_MESSAGE_MAX 1000

typedef struct reelay_position {
    double x, y;
    int64_t target_id;
    double time_offset_ms; /* <= 0, relative to the event timestamp */
} reelay_position;

typedef struct reelay_network_request {
    const char *url;
    const char *method;
    int status; /* 0 when unknown */
    double duration_ms;
    double timestamp_ms;
} reelay_network_request;

/* Web DOM mutation (formats-web.md §1.5). Attribute changes keep the values
 * of only the attributes the DOM model keeps (see dom.h); an element whose
 * other attributes changed gets one more record, without a name. */
typedef struct reelay_dom_remove {
    int64_t parent_id;
    int64_t id;
} reelay_dom_remove;

typedef struct reelay_dom_text_change {
    int64_t id;
    const char *value;
} reelay_dom_text_change;

typedef struct reelay_dom_attr_change {
    int64_t id;
    const char *name;  /* a kept attribute; NULL: other attributes (style, disabled...) changed */
    const char *value; /* NULL = attribute removed */
} reelay_dom_attr_change;

typedef struct reelay_event {
    reelay_event_kind kind;
    double timestamp;   /* epoch ms */
    uint32_t window;    /* index into session->windows */
    uint32_t seq;       /* input order, for stable sorting */
    int rr_type;        /* rrweb type (portable events: the closest rrweb type) */
    int rr_source;      /* rrweb incremental source, -1 when not incremental */
    bool active;        /* counts as user activity (formats-web.md §7.1) */
    bool mobile;        /* carries mobile wireframes (a snapshot, mutation or keyboard) */
    uint64_t content_hash[2]; /* of the canonical JSON, for duplicate removal */
    /* The rrweb event as compact JSON (compressed payloads already
     * decompressed), for the web page engine; NULL unless the reader was
     * asked to keep it (reelay_ingest_options.keep_rrweb_json). */
    const char *rrweb_json;

    union {
        struct {
            double width, height;
            const char *href;
            const char *title; /* portable initial_state's page title, else NULL */
        } meta;
        struct {
            /* mobile: wireframes; web: dom */
            reelay_wireframe *wireframes;
            size_t wireframe_count;
            reelay_dom_tree dom;
            double offset_top, offset_left;
        } full;
        struct {
            /* mobile */
            reelay_wf_mutation_node *adds;
            size_t add_count;
            reelay_wf_mutation_node *updates;
            size_t update_count;
            reelay_wf_remove *removes;
            size_t remove_count;
            /* web */
            reelay_dom_tree dom_adds; /* each node's parent_id/next_id from the add */
            reelay_dom_remove *dom_removes;
            size_t dom_remove_count;
            reelay_dom_text_change *texts;
            size_t text_count;
            reelay_dom_attr_change *attributes;
            size_t attribute_count;
        } mutation;
        struct { reelay_position *positions; size_t count; } pointer;
        struct {
            int type; /* enum reelay_mouse_interaction */
            int64_t target_id;
            double x, y;
            bool has_xy;
            int pointer_type; /* 0 mouse, 1 pen, 2 touch, -1 unknown */
            /* portable recorder: what was clicked, as recorded */
            const char *target_path;
            const char *target_text;
            const char *target_tag;
        } interaction;
        struct { int64_t target_id; double x, y; } scroll;
        struct { double width, height; } resize;
        struct {
            int64_t target_id;
            const char *text;   /* as recorded (PostHog masks to '*') */
            bool is_checked;
            const char *target_path; /* portable */
        } input;
        struct {
            bool open;
            double height, x, y, width;
            bool has_x, has_y, has_width;
        } keyboard;
        struct {
            const char *url;
            const char *title; /* portable navigation's page title, else NULL */
        } navigation;
        struct { const char *tag; } custom;
        struct {
            reelay_console_level level;
            const char *level_name; /* as recorded */
            const char *message;    /* payload joined, cut to a sane length */
            bool is_exception;      /* portable error / promise_error */
        } console;
        struct { reelay_network_request *requests; size_t count; } network;
        struct { const char *name; } plugin;
        struct { const char *target_path; } submit;
    } u;
} reelay_event;

typedef struct reelay_window {
    const char *key;       /* the recording's window id, as text */
    double first_ts, last_ts;
    double width, height;  /* first viewport seen for this window; 0 when none */
    bool has_viewport;
} reelay_window;

/* Counters of things read but not modelled (never fatal). */
typedef struct reelay_ingest_stats {
    size_t skipped_events;          /* unknown event types/sources/shapes */
    size_t skipped_wireframes;      /* unknown wireframe types, inputs without inputType (with subtree) */
    size_t skipped_lines;           /* JSONL lines that are blank-free but not events */
    size_t duplicates_dropped;
    size_t decompressed_payloads;   /* cv 2024-10 fields gunzipped */
} reelay_ingest_stats;

typedef struct reelay_session {
    reelay_arena arena;
    reelay_format format;
    reelay_source source;
    const char *session_id; /* "" when unknown */
    const char *user;       /* distinct id / person name; "" when unknown */
    double first_ts, last_ts;

    reelay_event *events;
    size_t event_count;
    size_t event_cap;

    reelay_window *windows;
    size_t window_count;
    size_t window_cap;

    reelay_ingest_stats stats;
    /* The recording's bytes as read (a gzip file stays compressed; from an
     * archive, the attached recording), kept only when the reader was asked
     * to (ingest's keep_source, for --attach-recording); owned, NULL else. */
    unsigned char *source_bytes;
    size_t source_len;
} reelay_session;

reelay_session *reelay_session_new(void);
void reelay_session_free(reelay_session *session);

/* Index of the window with this key, adding it when new. Returns -1 on OOM. */
int reelay_session_window(reelay_session *session, const char *key);

/* Appends a zeroed event and returns it (seq set), or NULL on OOM. */
reelay_event *reelay_session_add_event(reelay_session *session);

/* Sorts stably by timestamp, drops exact duplicates (same timestamp, window
 * and content hash), fills window ranges/viewports, first/last timestamps and
 * the source. Fails when there is no event at all. */
int reelay_session_finalize(reelay_session *session, reelay_err *err);

const char *reelay_format_name(reelay_format format);
const char *reelay_source_name(reelay_source source);
const char *reelay_console_level_name(reelay_console_level level);

#endif
