#include "session/highlights.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/utf8.h"
#include "session/timeline.h"

/* A moment's detail (after the "—") is cut to this many bytes. */
#define DETAIL_MAX 140

typedef struct moment {
    reelay_highlight_kind kind;
    double from, to;      /* the moment itself (a rage run spans its clicks) */
    const char *words;    /* "console error", ... */
    const char *detail;   /* arena; may be "" */
} moment;

typedef struct moments {
    moment *v;
    size_t n, cap;
    reelay_arena *arena;
} moments;

/* A chosen window and the best moment in it. */
typedef struct window {
    double start, end;
    size_t best; /* index into the sorted moments */
    size_t count;
} window;

static const char *const KIND_NAMES[REELAY_HL_KIND_COUNT] = {"error", "failed_request", "rage_click", "submit",
                                                             "slow_screen"};

const char *reelay_highlight_kind_name(reelay_highlight_kind kind)
{
    return (unsigned)kind < REELAY_HL_KIND_COUNT ? KIND_NAMES[kind] : "unknown";
}

reelay_highlight_options reelay_highlight_defaults(const reelay_session *session)
{
    return (reelay_highlight_options){
        .budget_ms = REELAY_HIGHLIGHT_DEFAULT_S * 1000.0,
        .speed = 1.0,
        .card_ms = REELAY_TIMELINE_CARD_MS,
        .clip_from = session->first_ts,
        .clip_to = session->last_ts,
        .pre_ms = REELAY_HIGHLIGHT_PRE_MS,
        .post_ms = REELAY_HIGHLIGHT_POST_MS,
    };
}

/* text as one line of at most DETAIL_MAX bytes ("…" when cut), in the arena. */
static const char *one_line(reelay_arena *arena, const char *text)
{
    if (!text) text = "";
    size_t len = strlen(text);
    size_t keep = reelay_utf8_cut(text, len, DETAIL_MAX);
    char *copy = reelay_arena_alloc(arena, keep + sizeof "\xE2\x80\xA6");
    if (!copy) return NULL;
    for (size_t i = 0; i < keep; i++) {
        unsigned char c = (unsigned char)text[i];
        copy[i] = c < 0x20 || c == 0x7F ? ' ' : (char)c;
    }
    copy[keep] = '\0';
    if (keep < len) strcat(copy, "\xE2\x80\xA6");
    return copy;
}

/* s cut to at most max bytes on a UTF-8 boundary, into buf (max + 1 bytes). */
static const char *cut(const char *s, char *buf, size_t max)
{
    size_t len = reelay_utf8_cut(s, strlen(s), max);
    memcpy(buf, s, len);
    buf[len] = '\0';
    return buf;
}

static int add(moments *m, reelay_highlight_kind kind, double from, double to, const char *words, const char *detail)
{
    if (!reelay_grow_array((void **)&m->v, &m->cap, m->n + 1, sizeof *m->v)) return -1;
    const char *line = one_line(m->arena, detail);
    if (!line) return -1;
    m->v[m->n++] = (moment){.kind = kind, .from = from, .to = to, .words = words, .detail = line};
    return 0;
}

/* A run of clicks of one window, for rage clicks. */
typedef struct run {
    double t0, x0, y0, last;
    int count;
    bool touch;
    bool open;
    size_t first_event;
} run;

static const char *name_of(const reelay_highlight_options *o, size_t event_index)
{
    return o->namer ? o->namer(o->namer_context, event_index) : NULL;
}

static int close_run(moments *m, run *r, const reelay_highlight_options *o, const reelay_session *session)
{
    if (!r->open) return 0;
    r->open = false;
    if (r->count < REELAY_RAGE_CLICKS) return 0;
    char detail[REELAY_HIGHLIGHT_TEXT_MAX + 64], part[REELAY_HIGHLIGHT_TEXT_MAX + 1];
    const char *label = name_of(o, r->first_event);
    const char *unit = r->touch ? "taps" : "clicks";
    if (!label) {
        const reelay_event *ev = &session->events[r->first_event];
        if (ev->kind == EV_INTERACTION) label = ev->u.interaction.target_text;
    }
    if (label && label[0])
        snprintf(detail, sizeof detail, "%d %s on %s", r->count, unit, cut(label, part, DETAIL_MAX));
    else
        snprintf(detail, sizeof detail, "%d %s at %.0f, %.0f", r->count, unit, r->x0, r->y0);
    return add(m, REELAY_HL_RAGE_CLICK, r->t0, r->last, r->touch ? "rage tap" : "rage click", detail);
}

bool reelay_rage_joins(double t0, double x0, double y0, double t, double x, double y)
{
    return t - t0 <= REELAY_RAGE_WINDOW_MS && hypot(x - x0, y - y0) <= REELAY_RAGE_RADIUS_PX;
}

/* A click or tap: joins its window's run or starts one. */
static int on_click(moments *m, run *r, const reelay_event *ev, size_t index, const reelay_highlight_options *o,
                    const reelay_session *session)
{
    int type = ev->u.interaction.type;
    if (type == RR_DBL_CLICK) return 0; /* summarises the clicks before it */
    double x = ev->u.interaction.x, y = ev->u.interaction.y;
    bool has_xy = ev->u.interaction.has_xy && isfinite(x) && isfinite(y);
    bool joins = r->open && has_xy && reelay_rage_joins(r->t0, r->x0, r->y0, ev->timestamp, x, y);
    if (joins) {
        r->count++;
        r->last = ev->timestamp;
        return 0;
    }
    if (close_run(m, r, o, session) != 0) return -1;
    if (!has_xy) return 0;
    *r = (run){.t0 = ev->timestamp, .x0 = x, .y0 = y, .last = ev->timestamp, .count = 1,
               .touch = type == RR_TOUCH_START, .open = true, .first_event = index};
    return 0;
}

static bool is_click(const reelay_event *ev)
{
    if (ev->kind != EV_INTERACTION) return false;
    int t = ev->u.interaction.type;
    return t == RR_CLICK || t == RR_DBL_CLICK || t == RR_CONTEXT_MENU || t == RR_TOUCH_START;
}

static const char *screen_of(const reelay_event *ev)
{
    const char *name = ev->kind == EV_META ? ev->u.meta.href : ev->kind == EV_NAVIGATION ? ev->u.navigation.url : NULL;
    return name && name[0] ? name : NULL;
}

/* Every moment of the session, in event order (rage runs when they end). */
static int detect(const reelay_session *session, const reelay_highlight_options *o, moments *m)
{
    run *runs = calloc(session->window_count ? session->window_count : 1, sizeof *runs);
    if (!runs) return -1;
    const char *screen = NULL;
    double last_action = NAN;
    int rc = 0;
    for (size_t i = 0; i < session->event_count && rc == 0; i++) {
        const reelay_event *ev = &session->events[i];
        double t = ev->timestamp;
        const char *name = screen_of(ev);
        if (name && screen && strcmp(name, screen) != 0 && t - last_action >= REELAY_HIGHLIGHT_SLOW_MS) {
            char detail[REELAY_HIGHLIGHT_TEXT_MAX + 64], part[DETAIL_MAX + 1], wait[32];
            reelay_format_skipped(t - last_action, wait, sizeof wait);
            snprintf(detail, sizeof detail, "%s, %s after the last action", cut(name, part, 100), wait);
            rc = add(m, REELAY_HL_SLOW_SCREEN, t, t, "slow screen change", detail);
        }
        if (name) screen = name;
        if (is_click(ev)) {
            last_action = t;
            if (ev->window < session->window_count) rc = rc ? rc : on_click(m, &runs[ev->window], ev, i, o, session);
        } else if (ev->kind == EV_INPUT || ev->kind == EV_SUBMIT) {
            last_action = t;
        }
        if (rc != 0) break;
        switch (ev->kind) {
        case EV_CONSOLE:
            if (ev->u.console.level == CONSOLE_ERROR || ev->u.console.is_exception)
                rc = add(m, REELAY_HL_ERROR, t, t, ev->u.console.is_exception ? "uncaught error" : "console error",
                         ev->u.console.message && ev->u.console.message[0] ? ev->u.console.message : "error");
            break;
        case EV_NETWORK:
            for (size_t k = 0; k < ev->u.network.count && rc == 0; k++) {
                const reelay_network_request *r = &ev->u.network.requests[k];
                if (r->status < 400) continue;
                char detail[REELAY_HIGHLIGHT_TEXT_MAX + 64], method[17], url[DETAIL_MAX + 1];
                snprintf(detail, sizeof detail, "%s %s \xE2\x86\x92 %d",
                         cut(r->method && r->method[0] ? r->method : "GET", method, 16),
                         cut(r->url ? r->url : "?", url, 120), r->status);
                rc = add(m, REELAY_HL_FAILED_REQUEST, t, t, "failed request", detail);
            }
            break;
        case EV_SUBMIT: {
            const char *label = name_of(o, i);
            rc = add(m, REELAY_HL_SUBMIT, t, t, "form submitted",
                     label ? label : ev->u.submit.target_path ? ev->u.submit.target_path : "");
            break;
        }
        default:
            break;
        }
    }
    for (size_t w = 0; w < session->window_count && rc == 0; w++) rc = close_run(m, &runs[w], o, session);
    free(runs);
    return rc;
}

static int by_rank(const void *a, const void *b)
{
    const moment *x = a, *y = b;
    if (x->kind != y->kind) return (int)x->kind - (int)y->kind;
    return (x->from > y->from) - (x->from < y->from);
}

/* Output time a window costs: its play and its card. */
static double cost(const reelay_highlight_options *o, double start, double end)
{
    return (end - start) / o->speed + o->card_ms;
}

/* Whether two windows (a before b) are better as one. */
static bool joins(const reelay_highlight_options *o, double a_end, double b_start)
{
    double gap = b_start - a_end;
    return gap <= 0 || gap / o->speed < REELAY_TIMELINE_MIN_CUT_CARDS * o->card_ms;
}

typedef struct chosen {
    window *v;
    size_t n;
    double total; /* output ms */
} chosen;

/* Adds moment k's window [a, b], joined with the chosen windows it touches,
 * when the total stays within the budget; false when it would not (v has
 * room for every moment). */
static bool try_add(chosen *c, const reelay_highlight_options *o, const moment *sorted, size_t k, double a, double b)
{
    /* The windows [lo, hi) that the new one joins. */
    size_t lo = 0;
    while (lo < c->n && !joins(o, c->v[lo].end, a) && c->v[lo].end < a) lo++;
    size_t hi = lo;
    while (hi < c->n && (joins(o, b, c->v[hi].start) || c->v[hi].start <= b)) hi++;
    double start = a, end = b, before = 0;
    size_t best = k, count = 1;
    for (size_t i = lo; i < hi; i++) {
        start = fmin(start, c->v[i].start);
        end = fmax(end, c->v[i].end);
        before += cost(o, c->v[i].start, c->v[i].end);
        count += c->v[i].count;
        size_t other = c->v[i].best;
        if (by_rank(&sorted[other], &sorted[best]) < 0) best = other;
    }
    double total = c->total - before + cost(o, start, end);
    if (total > o->budget_ms + 1e-6) return false;
    memmove(&c->v[lo + 1], &c->v[hi], (c->n - hi) * sizeof *c->v);
    c->v[lo] = (window){.start = start, .end = end, .best = best, .count = count};
    c->n = c->n - (hi - lo) + 1;
    c->total = total;
    return true;
}

/* The first moment's window cut to fit the budget, around the moment. */
static bool shrink_to_fit(const reelay_highlight_options *o, const moment *m, double *a, double *b)
{
    double room = (o->budget_ms - o->card_ms) * o->speed; /* session ms */
    if (!(room > 0)) return false;
    double span = m->to - m->from;
    if (span >= room) {
        *a = m->from;
        *b = m->from + room;
        return true;
    }
    double extra = room - span, pads = o->pre_ms + o->post_ms;
    double pre = pads > 0 ? extra * o->pre_ms / pads : 0;
    *a = fmax(o->clip_from, m->from - pre);
    *b = fmin(o->clip_to, *a + room);
    return true;
}

static int check_options(const reelay_highlight_options *o, reelay_err *err)
{
    if (!(o->budget_ms > 0) || !isfinite(o->budget_ms))
        return reelay_err_set(err, REELAY_E_USAGE, "--highlights must be a length above 0 s");
    if (!(o->speed > 0) || !isfinite(o->speed))
        return reelay_err_set(err, REELAY_E_USAGE, "--speed must be a number above 0 (got %g)", o->speed);
    if (!(o->card_ms >= 0) || !isfinite(o->card_ms) || !(o->pre_ms >= 0) || !(o->post_ms >= 0) ||
        !isfinite(o->pre_ms) || !isfinite(o->post_ms) || !(o->clip_to >= o->clip_from))
        return reelay_err_set(err, REELAY_E_USAGE, "bad highlight options");
    return REELAY_OK;
}

/* The card's line for window w. */
static const char *card_text(reelay_arena *arena, const reelay_session *session, const moment *m, size_t more)
{
    char at[32], text[REELAY_HIGHLIGHT_TEXT_MAX + 64];
    reelay_format_clock(m->from - session->first_ts, false, at, sizeof at);
    int n = snprintf(text, sizeof text, "%s at %s%s%s", m->words, at, m->detail[0] ? " \xE2\x80\x94 " : "",
                     m->detail);
    if (more > 0 && n > 0 && (size_t)n < sizeof text)
        snprintf(text + n, sizeof text - (size_t)n, " (+%zu more)", more);
    return reelay_arena_strdup(arena, text);
}

int reelay_highlights_find(const reelay_session *session, const reelay_highlight_options *options,
                           reelay_highlights *out, reelay_err *err)
{
    memset(out, 0, sizeof *out);
    reelay_arena_init(&out->text);
    int rc = check_options(options, err);
    if (rc != REELAY_OK) return rc;
    const reelay_highlight_options *o = options;
    moments m = {.arena = &out->text};
    chosen c = {0};
    if (detect(session, o, &m) != 0) goto oom;

    /* Only moments that start inside the clip. */
    size_t kept = 0;
    for (size_t i = 0; i < m.n; i++)
        if (m.v[i].from >= o->clip_from && m.v[i].from <= o->clip_to) m.v[kept++] = m.v[i];
    m.n = kept;
    out->found = m.n;
    if (m.n == 0) goto done;
    qsort(m.v, m.n, sizeof *m.v, by_rank);

    c.v = malloc(m.n * sizeof *c.v);
    if (!c.v) goto oom;
    for (size_t k = 0; k < m.n; k++) {
        double a = fmax(o->clip_from, m.v[k].from - o->pre_ms), b = fmin(o->clip_to, m.v[k].to + o->post_ms);
        if (try_add(&c, o, m.v, k, a, b) || c.n > 0) continue;
        if (shrink_to_fit(o, &m.v[k], &a, &b)) try_add(&c, o, m.v, k, a, b);
    }
    if (c.n > 0) {
        out->items = calloc(c.n, sizeof *out->items);
        if (!out->items) goto oom;
    }
    for (size_t i = 0; i < c.n; i++) {
        const moment *best = &m.v[c.v[i].best];
        const char *text = card_text(&out->text, session, best, c.v[i].count - 1);
        if (!text) goto oom;
        out->items[out->count++] = (reelay_highlight){.kind = best->kind,
                                                      .ts = best->from,
                                                      .start = c.v[i].start,
                                                      .end = c.v[i].end,
                                                      .text = text,
                                                      .moments = c.v[i].count};
    }
done:
    free(m.v);
    free(c.v);
    return REELAY_OK;
oom:
    free(m.v);
    free(c.v);
    reelay_highlights_free(out);
    return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
}

void reelay_highlights_free(reelay_highlights *highlights)
{
    if (!highlights) return;
    free(highlights->items);
    reelay_arena_free(&highlights->text);
    memset(highlights, 0, sizeof *highlights);
}
