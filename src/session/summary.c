#include "session/summary.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "session/activity.h"

/* Screen name or URL an event announces, or NULL. */
static const char *screen_of(const reelay_event *ev)
{
    if (ev->kind == EV_META) return ev->u.meta.href;
    if (ev->kind == EV_NAVIGATION) return ev->u.navigation.url;
    return NULL;
}

int reelay_summarize(const reelay_session *session, reelay_summary *out, reelay_err *err)
{
    memset(out, 0, sizeof *out);
    reelay_segment *segments;
    size_t segment_count;
    if (reelay_activity_segments(session, REELAY_ACTIVITY_THRESHOLD_MS, &segments, &segment_count, err) !=
        REELAY_OK)
        return err->code;
    out->active_ms = reelay_active_ms(segments, segment_count);
    free(segments);
    out->duration_ms = session->last_ts - session->first_ts;
    out->events = session->event_count;
    out->skipped = session->stats.skipped_events + session->stats.skipped_wireframes + session->stats.skipped_lines;
    out->duplicates = session->stats.duplicates_dropped;

    const char **last_screen = calloc(session->window_count ? session->window_count : 1, sizeof *last_screen);
    if (!last_screen) return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    for (size_t i = 0; i < session->event_count; i++) {
        const reelay_event *ev = &session->events[i];
        switch (ev->kind) {
        case EV_META: out->meta++; break;
        case EV_FULL_SNAPSHOT: out->full_snapshots++; break;
        case EV_MUTATION: out->mutations++; break;
        case EV_POINTER_MOVE: out->pointer_moves++; break;
        case EV_INTERACTION:
            if (ev->u.interaction.type == RR_TOUCH_START) out->touches++;
            if (ev->u.interaction.type == RR_CLICK || ev->u.interaction.type == RR_DBL_CLICK ||
                ev->u.interaction.type == RR_CONTEXT_MENU)
                out->clicks++;
            break;
        case EV_SCROLL: out->scrolls++; break;
        case EV_VIEWPORT_RESIZE: out->viewport_resizes++; break;
        case EV_INPUT: out->inputs++; break;
        case EV_KEYBOARD: out->keyboard++; break;
        case EV_NAVIGATION: out->navigations++; break;
        case EV_SUBMIT: out->submits++; break;
        case EV_CUSTOM: out->custom++; break;
        case EV_CONSOLE: out->console[ev->u.console.level]++; break;
        case EV_NETWORK:
            out->network_requests += ev->u.network.count;
            for (size_t r = 0; r < ev->u.network.count; r++)
                if (ev->u.network.requests[r].status >= 400) out->network_failed++;
            break;
        default: break;
        }
        const char *screen = screen_of(ev);
        if (screen && screen[0] && (!last_screen[ev->window] || strcmp(last_screen[ev->window], screen) != 0)) {
            out->screens++;
            last_screen[ev->window] = screen;
        }
    }
    free(last_screen);
    return REELAY_OK;
}

void reelay_format_iso8601(double epoch_ms, char *out, size_t size)
{
    double whole = floor(epoch_ms / 1000.0);
    int millis = (int)llround(epoch_ms - whole * 1000.0);
    if (millis >= 1000) {
        whole += 1;
        millis -= 1000;
    }
    time_t seconds = (time_t)whole;
    struct tm tm;
    if (!gmtime_r(&seconds, &tm)) {
        snprintf(out, size, "?");
        return;
    }
    snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
             tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
}

static double round3(double value)
{
    return round(value * 1000.0) / 1000.0;
}

/* Integral numbers print as integers ("411", not "411.0"). */
static json_t *number_json(double value)
{
    if (value == floor(value) && fabs(value) < 9e15) return json_integer((json_int_t)value);
    return json_real(value);
}

json_t *reelay_summary_json(const reelay_session *session, const reelay_summary *s)
{
    char start[40], end[40];
    reelay_format_iso8601(session->first_ts, start, sizeof start);
    reelay_format_iso8601(session->last_ts, end, sizeof end);

    json_t *windows = json_array();
    for (size_t i = 0; windows && i < session->window_count; i++) {
        const reelay_window *w = &session->windows[i];
        json_array_append_new(windows, json_pack("{s:s, s:o, s:o}", "id", w->key, "width", number_json(w->width),
                                                 "height", number_json(w->height)));
    }
    json_t *console = json_object();
    for (int level = 0; console && level < CONSOLE_LEVEL_COUNT; level++)
        json_object_set_new(console, reelay_console_level_name((reelay_console_level)level),
                            json_integer((json_int_t)s->console[level]));

    json_t *counts = json_pack(
        "{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:I, s:I, s:I, s:I, s:I}",
        "events", (json_int_t)s->events, "meta", (json_int_t)s->meta, "full_snapshots",
        (json_int_t)s->full_snapshots, "mutations", (json_int_t)s->mutations, "pointer_moves",
        (json_int_t)s->pointer_moves, "touches", (json_int_t)s->touches, "clicks", (json_int_t)s->clicks,
        "scrolls", (json_int_t)s->scrolls, "viewport_resizes", (json_int_t)s->viewport_resizes, "inputs",
        (json_int_t)s->inputs, "keyboard", (json_int_t)s->keyboard, "navigations", (json_int_t)s->navigations,
        "submits", (json_int_t)s->submits, "custom", (json_int_t)s->custom, "console", console, "network",
        (json_int_t)s->network_requests, "network_failed", (json_int_t)s->network_failed, "screens",
        (json_int_t)s->screens, "skipped", (json_int_t)s->skipped, "duplicates", (json_int_t)s->duplicates);

    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:f, s:f, s:o, s:o}", "format",
                     reelay_format_name(session->format), "source", reelay_source_name(session->source),
                     "session_id", session->session_id, "user", session->user, "start", start, "end", end,
                     "duration_s", round3(s->duration_ms / 1000.0), "active_s", round3(s->active_ms / 1000.0),
                     "windows", windows, "counts", counts);
}
