#include "render/moments.h"

#include <stdlib.h>
#include <string.h>

static const reelay_hud_marker_kind *marker_kind(const reelay_event *ev, reelay_hud_marker_kind *kind)
{
    switch (ev->kind) {
    case EV_INTERACTION:
        if (ev->u.interaction.type == RR_TOUCH_START || ev->u.interaction.type == RR_CLICK ||
            ev->u.interaction.type == RR_DBL_CLICK) {
            *kind = REELAY_HUD_TAP;
            return kind;
        }
        return NULL;
    case EV_CONSOLE:
        if (ev->u.console.level == CONSOLE_ERROR || ev->u.console.is_exception) {
            *kind = REELAY_HUD_ERROR;
            return kind;
        }
        return NULL;
    case EV_NETWORK:
        for (size_t i = 0; i < ev->u.network.count; i++) {
            if (ev->u.network.requests[i].status >= 400) {
                *kind = REELAY_HUD_NETWORK_FAIL;
                return kind;
            }
        }
        return NULL;
    default:
        return NULL;
    }
}

/* The screen an event names: a meta event's href, a navigation's URL. */
static const char *screen_of(const reelay_event *ev)
{
    const char *name = NULL;
    if (ev->kind == EV_META) name = ev->u.meta.href;
    if (ev->kind == EV_NAVIGATION) name = ev->u.navigation.url;
    return name && name[0] ? name : NULL;
}

static int add_marker(reelay_moments *out, size_t *cap, double position, reelay_hud_marker_kind kind)
{
    if (out->marker_count == *cap) {
        size_t grown_cap = *cap ? *cap * 2 : 64;
        reelay_hud_marker *grown = realloc(out->markers, grown_cap * sizeof *grown);
        if (!grown) return -1;
        out->markers = grown;
        *cap = grown_cap;
    }
    out->markers[out->marker_count++] = (reelay_hud_marker){.position = position, .kind = kind};
    return 0;
}

static int compare_markers(const void *a, const void *b)
{
    const reelay_hud_marker *ma = a, *mb = b;
    if (ma->position < mb->position) return -1;
    if (ma->position > mb->position) return 1;
    return (int)ma->kind - (int)mb->kind;
}

int reelay_moments_collect(const reelay_session *session, const reelay_timeline *timeline, reelay_moments *out,
                           reelay_err *err)
{
    memset(out, 0, sizeof *out);
    size_t segment_count = 0;
    const reelay_timeline_segment *segments = reelay_timeline_segments(timeline, &segment_count);
    double duration = reelay_timeline_duration_ms(timeline);
    if (segment_count == 0 || duration <= 0) return REELAY_OK;
    double shown_from = segments[0].session_start, shown_to = segments[segment_count - 1].session_end;

    size_t marker_cap = 0, chapter_cap = 0;
    const char *last_screen = NULL;
    for (size_t i = 0; i < session->event_count; i++) {
        const reelay_event *ev = &session->events[i];
        reelay_hud_marker_kind kind;
        const char *screen = screen_of(ev);
        bool is_marker = marker_kind(ev, &kind) != NULL;
        bool new_screen = screen && (!last_screen || strcmp(screen, last_screen) != 0);
        if (screen) last_screen = screen;
        if (!is_marker && !new_screen) continue;
        /* A screen named before the clip starts still titles its first chapter. */
        if (ev->timestamp > shown_to || (ev->timestamp < shown_from && !new_screen)) continue;
        double out_ms = 0;
        if (ev->timestamp >= shown_from) reelay_timeline_output_time(timeline, ev->timestamp, &out_ms);
        if (ev->timestamp >= shown_from) {
            if (is_marker && add_marker(out, &marker_cap, out_ms / duration, kind) != 0) goto oom;
            if (new_screen && add_marker(out, &marker_cap, out_ms / duration, REELAY_HUD_SCREEN) != 0) goto oom;
        }
        if (!new_screen) continue;
        /* Several screen changes at one output instant: the last one names it. */
        if (out->chapter_count > 0 && out->chapters[out->chapter_count - 1].start_ms >= out_ms) {
            out->chapters[out->chapter_count - 1].title = screen;
            continue;
        }
        if (out->chapter_count == chapter_cap) {
            size_t cap = chapter_cap ? chapter_cap * 2 : 16;
            reelay_chapter *grown = realloc(out->chapters, cap * sizeof *grown);
            if (!grown) goto oom;
            out->chapters = grown;
            chapter_cap = cap;
        }
        out->chapters[out->chapter_count++] = (reelay_chapter){.start_ms = out_ms, .title = screen};
    }
    qsort(out->markers, out->marker_count, sizeof *out->markers, compare_markers);
    for (size_t i = 0; i < out->chapter_count; i++)
        out->chapters[i].end_ms = i + 1 < out->chapter_count ? out->chapters[i + 1].start_ms : duration;
    /* The first chapter starts the video, whatever screen it shows. */
    if (out->chapter_count > 0) out->chapters[0].start_ms = 0;
    return REELAY_OK;
oom:
    reelay_moments_free(out);
    return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
}

void reelay_moments_free(reelay_moments *moments)
{
    free(moments->markers);
    free(moments->chapters);
    memset(moments, 0, sizeof *moments);
}
