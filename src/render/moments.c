#include "render/moments.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A subtitle cue stays up this long unless the next one comes sooner... */
#define CUE_MS 3000.0
/* ...and entries this close to a cue's start join it, up to CUE_LINES lines. */
#define CUE_JOIN_MS 500.0
#define CUE_LINES 3

/* Growable arrays of the three lists. */
typedef struct lists {
    reelay_moments *out;
    size_t marker_cap, chapter_cap, log_cap;
} lists;

static int add_marker(lists *l, double position, reelay_hud_marker_kind kind)
{
    reelay_moments *m = l->out;
    if (m->marker_count == l->marker_cap) {
        size_t cap = l->marker_cap ? l->marker_cap * 2 : 64;
        reelay_hud_marker *grown = realloc(m->markers, cap * sizeof *grown);
        if (!grown) return -1;
        m->markers = grown;
        l->marker_cap = cap;
    }
    m->markers[m->marker_count++] = (reelay_hud_marker){.position = position, .kind = kind};
    return 0;
}

static int add_log(lists *l, double out_ms, double session_ms, reelay_log_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static int add_log(lists *l, double out_ms, double session_ms, reelay_log_kind kind, const char *fmt, ...)
{
    reelay_moments *m = l->out;
    if (m->log_count == l->log_cap) {
        size_t cap = l->log_cap ? l->log_cap * 2 : 64;
        reelay_log_entry *grown = realloc(m->log, cap * sizeof *grown);
        if (!grown) return -1;
        m->log = grown;
        l->log_cap = cap;
    }
    char text[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    const char *copy = reelay_arena_strdup(&m->text, text);
    if (!copy) return -1;
    m->log[m->log_count++] = (reelay_log_entry){
        .out_ms = out_ms, .session_ms = session_ms, .kind = kind, .text = copy};
    return 0;
}

static int add_chapter(lists *l, double out_ms, const char *title)
{
    reelay_moments *m = l->out;
    /* Several screen changes at one output instant: the last one names it. */
    if (m->chapter_count > 0 && m->chapters[m->chapter_count - 1].start_ms >= out_ms) {
        m->chapters[m->chapter_count - 1].title = title;
        return 0;
    }
    if (m->chapter_count == l->chapter_cap) {
        size_t cap = l->chapter_cap ? l->chapter_cap * 2 : 16;
        reelay_chapter *grown = realloc(m->chapters, cap * sizeof *grown);
        if (!grown) return -1;
        m->chapters = grown;
        l->chapter_cap = cap;
    }
    m->chapters[m->chapter_count++] = (reelay_chapter){.start_ms = out_ms, .title = title};
    return 0;
}

/* The screen an event names: a meta event's href, a navigation's URL. */
static const char *screen_of(const reelay_event *ev)
{
    const char *name = NULL;
    if (ev->kind == EV_META) name = ev->u.meta.href;
    if (ev->kind == EV_NAVIGATION) name = ev->u.navigation.url;
    return name && name[0] ? name : NULL;
}

/* Markers and log entries of one event (screen changes are handled by the
 * caller); `label`/`value` from the web scene, or NULL. */
static int describe(lists *l, const reelay_event *ev, double out_ms, double position, double session_ms,
                    const char *label, const char *value)
{
    switch (ev->kind) {
    case EV_INTERACTION: {
        int type = ev->u.interaction.type;
        if (type != RR_TOUCH_START && type != RR_CLICK && type != RR_DBL_CLICK && type != RR_CONTEXT_MENU) return 0;
        if (add_marker(l, position, REELAY_HUD_TAP) != 0) return -1;
        const char *verb = type == RR_TOUCH_START ? "Tap"
                           : type == RR_CLICK     ? "Click"
                           : type == RR_DBL_CLICK ? "Double click"
                                                  : "Right click";
        if (label) return add_log(l, out_ms, session_ms, REELAY_LOG_TAP, "%s %s", verb, label);
        if (ev->u.interaction.has_xy)
            return add_log(l, out_ms, session_ms, REELAY_LOG_TAP, "%s at %.0f, %.0f", verb, ev->u.interaction.x,
                           ev->u.interaction.y);
        return add_log(l, out_ms, session_ms, REELAY_LOG_TAP, "%s", verb);
    }
    case EV_INPUT:
        if (!value) return 0;
        return add_log(l, out_ms, session_ms, REELAY_LOG_KEYBOARD, "Input %s: %s", label ? label : "field", value);
    case EV_SUBMIT:
        return add_log(l, out_ms, session_ms, REELAY_LOG_INFO, "Form submitted%s%s", label ? " " : "",
                       label ? label : "");
    case EV_KEYBOARD:
        return add_log(l, out_ms, session_ms, REELAY_LOG_KEYBOARD, "Keyboard %s",
                       ev->u.keyboard.open ? "opened" : "closed");
    case EV_CONSOLE:
        if (ev->u.console.level != CONSOLE_ERROR && !ev->u.console.is_exception) return 0;
        if (add_marker(l, position, REELAY_HUD_ERROR) != 0) return -1;
        return add_log(l, out_ms, session_ms, REELAY_LOG_ERROR, "%s",
                       ev->u.console.message && ev->u.console.message[0] ? ev->u.console.message : "error");
    case EV_NETWORK: {
        bool marked = false;
        for (size_t i = 0; i < ev->u.network.count; i++) {
            const reelay_network_request *r = &ev->u.network.requests[i];
            if (r->status < 400) continue;
            if (!marked && add_marker(l, position, REELAY_HUD_NETWORK_FAIL) != 0) return -1;
            marked = true;
            if (add_log(l, out_ms, session_ms, REELAY_LOG_NETWORK_FAIL, "%s %s \xE2\x86\x92 %d",
                        r->method && r->method[0] ? r->method : "GET", r->url ? r->url : "?", r->status) != 0)
                return -1;
        }
        return 0;
    }
    default:
        return 0;
    }
}

static int compare_markers(const void *a, const void *b)
{
    const reelay_hud_marker *ma = a, *mb = b;
    if (ma->position < mb->position) return -1;
    if (ma->position > mb->position) return 1;
    return (int)ma->kind - (int)mb->kind;
}

/* Close entries share a cue (a two-finger tap is one line pair, not two
 * flickering cues); a cue lasts CUE_MS or until the next one. */
static int build_cues(reelay_moments *m, double duration)
{
    if (m->log_count == 0) return 0;
    m->cues = calloc(m->log_count, sizeof *m->cues);
    if (!m->cues) return -1;
    for (size_t i = 0; i < m->log_count;) {
        size_t j = i + 1;
        size_t bytes = strlen(m->log[i].text) + 1;
        while (j < m->log_count && j - i < CUE_LINES && m->log[j].out_ms - m->log[i].out_ms <= CUE_JOIN_MS)
            bytes += strlen(m->log[j++].text) + 1;
        char *text = reelay_arena_alloc(&m->text, bytes);
        if (!text) return -1;
        text[0] = '\0';
        for (size_t k = i; k < j; k++) {
            if (k > i) strcat(text, "\n");
            strcat(text, m->log[k].text);
        }
        double start = m->log[i].out_ms;
        double end = start + CUE_MS;
        if (j < m->log_count && m->log[j].out_ms < end) end = m->log[j].out_ms;
        if (end > duration) end = duration;
        if (end < start) end = start;
        m->cues[m->cue_count++] = (reelay_cue){.start_ms = start, .end_ms = end, .text = text};
        i = j;
    }
    return 0;
}

/* Highlights: each card names the highlight after it, and so its chapter. */
static int card_chapters(lists *l, const reelay_timeline *timeline)
{
    size_t count;
    const reelay_timeline_segment *segments = reelay_timeline_segments(timeline, &count);
    for (size_t i = 0; i < count; i++)
        if (segments[i].kind == REELAY_TL_SKIP && segments[i].text &&
            add_chapter(l, segments[i].out_start_ms, segments[i].text) != 0)
            return -1;
    return 0;
}

int reelay_moments_collect(const reelay_session *session, const reelay_timeline *timeline,
                           const reelay_web_scene *web, reelay_moments *out, reelay_err *err)
{
    memset(out, 0, sizeof *out);
    reelay_arena_init(&out->text);
    double duration = reelay_timeline_duration_ms(timeline);
    double shown_from, shown_to;
    reelay_timeline_session_range(timeline, &shown_from, &shown_to);
    if (duration <= 0) return REELAY_OK;

    lists l = {.out = out};
    bool highlights = reelay_timeline_is_highlights(timeline);
    if (highlights && card_chapters(&l, timeline) != 0) goto oom;
    const char *last_screen = NULL;
    for (size_t i = 0; i < session->event_count; i++) {
        const reelay_event *ev = &session->events[i];
        const char *screen = screen_of(ev);
        bool new_screen = screen && (!last_screen || strcmp(screen, last_screen) != 0);
        if (screen) last_screen = screen;
        if (ev->timestamp > shown_to) break;
        double out_ms = 0;
        bool shown = ev->timestamp >= shown_from;
        /* Highlights leave the gaps between them out, and their events too. */
        if (shown && !reelay_timeline_output_time(timeline, ev->timestamp, &out_ms) && highlights) shown = false;
        double position = out_ms / duration, session_ms = ev->timestamp - session->first_ts;
        /* A screen named before the clip starts still titles its first chapter. */
        if (new_screen && !highlights && add_chapter(&l, out_ms, screen) != 0) goto oom;
        if (!shown) continue;
        if (new_screen && (add_marker(&l, position, REELAY_HUD_SCREEN) != 0 ||
                           add_log(&l, out_ms, session_ms, REELAY_LOG_SCREEN, "Screen %s", screen) != 0))
            goto oom;
        const char *label = web ? reelay_web_scene_event_label(web, i) : NULL;
        const char *value = web ? reelay_web_scene_event_value(web, i) : NULL;
        if (describe(&l, ev, out_ms, position, session_ms, label, value) != 0) goto oom;
    }
    if (out->marker_count > 1) qsort(out->markers, out->marker_count, sizeof *out->markers, compare_markers);
    for (size_t i = 0; i < out->chapter_count; i++)
        out->chapters[i].end_ms = i + 1 < out->chapter_count ? out->chapters[i + 1].start_ms : duration;
    /* The first chapter starts the video, whatever screen it shows. */
    if (out->chapter_count > 0) out->chapters[0].start_ms = 0;
    reelay_log_tally(out->log, out->log_count);
    if (build_cues(out, duration) != 0) goto oom;
    return REELAY_OK;
oom:
    reelay_moments_free(out);
    return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
}

void reelay_moments_free(reelay_moments *moments)
{
    free(moments->markers);
    free(moments->chapters);
    free(moments->log);
    free(moments->cues);
    reelay_arena_free(&moments->text);
    memset(moments, 0, sizeof *moments);
}
