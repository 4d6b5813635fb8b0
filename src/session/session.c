#include "session/session.h"

#include <stdlib.h>
#include <string.h>

reelay_session *reelay_session_new(void)
{
    reelay_session *session = calloc(1, sizeof *session);
    if (!session) return NULL;
    reelay_arena_init(&session->arena);
    session->session_id = "";
    session->user = "";
    return session;
}

void reelay_session_free(reelay_session *session)
{
    if (!session) return;
    free(session->events);
    free(session->windows);
    free(session->source_bytes);
    reelay_arena_free(&session->arena);
    free(session);
}

int reelay_session_window(reelay_session *session, const char *key)
{
    for (size_t i = 0; i < session->window_count; i++)
        if (strcmp(session->windows[i].key, key) == 0) return (int)i;
    if (session->window_count == session->window_cap) {
        size_t cap = session->window_cap ? session->window_cap * 2 : 4;
        reelay_window *grown = realloc(session->windows, cap * sizeof *grown);
        if (!grown) return -1;
        session->windows = grown;
        session->window_cap = cap;
    }
    char *copy = reelay_arena_strdup(&session->arena, key);
    if (!copy) return -1;
    reelay_window *w = &session->windows[session->window_count];
    memset(w, 0, sizeof *w);
    w->key = copy;
    return (int)session->window_count++;
}

reelay_event *reelay_session_add_event(reelay_session *session)
{
    if (session->event_count == session->event_cap) {
        size_t cap = session->event_cap ? session->event_cap * 2 : 256;
        reelay_event *grown = realloc(session->events, cap * sizeof *grown);
        if (!grown) return NULL;
        session->events = grown;
        session->event_cap = cap;
    }
    reelay_event *ev = &session->events[session->event_count];
    memset(ev, 0, sizeof *ev);
    ev->seq = (uint32_t)session->event_count;
    ev->rr_source = -1;
    session->event_count++;
    return ev;
}

static int compare_events(const void *a, const void *b)
{
    const reelay_event *x = a, *y = b;
    if (x->timestamp < y->timestamp) return -1;
    if (x->timestamp > y->timestamp) return 1;
    /* seq makes qsort stable: equal timestamps keep input order. */
    return (x->seq > y->seq) - (x->seq < y->seq);
}

static bool same_content(const reelay_event *a, const reelay_event *b)
{
    return a->timestamp == b->timestamp && a->window == b->window &&
           a->content_hash[0] == b->content_hash[0] && a->content_hash[1] == b->content_hash[1];
}

int reelay_session_finalize(reelay_session *session, reelay_err *err)
{
    if (session->event_count == 0)
        return reelay_err_set(err, REELAY_E_INPUT, "the recording contains no events");

    qsort(session->events, session->event_count, sizeof *session->events, compare_events);

    /* PostHog drops an event identical to another with the same timestamp.
     * Duplicates need not be adjacent among same-timestamp events, so each
     * event is compared with the kept events of its timestamp group. */
    size_t kept = 0, group_start = 0;
    for (size_t i = 0; i < session->event_count; i++) {
        reelay_event *ev = &session->events[i];
        if (kept > 0 && session->events[kept - 1].timestamp != ev->timestamp) group_start = kept;
        bool duplicate = false;
        bool hashed = ev->content_hash[0] != 0 || ev->content_hash[1] != 0;
        for (size_t j = group_start; hashed && j < kept && !duplicate; j++)
            duplicate = same_content(&session->events[j], ev);
        if (duplicate) {
            session->stats.duplicates_dropped++;
            continue;
        }
        if (kept != i) session->events[kept] = *ev;
        kept++;
    }
    session->event_count = kept;

    for (size_t w = 0; w < session->window_count; w++) session->windows[w].first_ts = -1;
    bool any_wireframes = false;
    for (size_t i = 0; i < session->event_count; i++) {
        const reelay_event *ev = &session->events[i];
        reelay_window *w = &session->windows[ev->window];
        if (w->first_ts < 0) w->first_ts = ev->timestamp;
        w->last_ts = ev->timestamp;
        if (!w->has_viewport && ev->kind == EV_META && ev->u.meta.width > 0 && ev->u.meta.height > 0) {
            w->width = ev->u.meta.width;
            w->height = ev->u.meta.height;
            w->has_viewport = true;
        }
        if (ev->mobile) any_wireframes = true;
    }
    /* Windows that only appeared in events later dropped keep first_ts = -1. */
    for (size_t w = 0; w < session->window_count; w++)
        if (session->windows[w].first_ts < 0) session->windows[w].first_ts = 0;

    session->first_ts = session->events[0].timestamp;
    session->last_ts = session->events[session->event_count - 1].timestamp;
    if (session->source == REELAY_SOURCE_UNKNOWN)
        session->source = any_wireframes ? REELAY_SOURCE_MOBILE : REELAY_SOURCE_WEB;
    return REELAY_OK;
}

const char *reelay_format_name(reelay_format format)
{
    switch (format) {
    case REELAY_FORMAT_POSTHOG_EXPORT: return "posthog-export-2023-04-28";
    case REELAY_FORMAT_POSTHOG_EXPORT_LEGACY: return "posthog-export-2022-12-02";
    case REELAY_FORMAT_POSTHOG_JSONL: return "posthog-jsonl";
    case REELAY_FORMAT_RRWEB_ARRAY: return "rrweb-array";
    case REELAY_FORMAT_SNAPSHOT_EVENTS: return "posthog-snapshot-events";
    case REELAY_FORMAT_POSTHOG_API: return "posthog-api-snapshots";
    case REELAY_FORMAT_PORTABLE: return "portable-recorder";
    case REELAY_FORMAT_UNKNOWN: break;
    }
    return "unknown";
}

const char *reelay_source_name(reelay_source source)
{
    switch (source) {
    case REELAY_SOURCE_MOBILE: return "mobile";
    case REELAY_SOURCE_WEB: return "web";
    case REELAY_SOURCE_PORTABLE: return "portable";
    case REELAY_SOURCE_UNKNOWN: break;
    }
    return "unknown";
}

const char *reelay_console_level_name(reelay_console_level level)
{
    static const char *const names[CONSOLE_LEVEL_COUNT] = {"log", "info", "warn", "error", "debug", "other"};
    return (unsigned)level < CONSOLE_LEVEL_COUNT ? names[level] : "other";
}
