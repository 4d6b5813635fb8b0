#include "scene/pointer_state.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* One indexed happening. What x, y, aux and k mean depends on the series. */
typedef struct rec {
    uint32_t window;
    double time;
    size_t event, sub; /* input order: the tie-breaks of equal times */
    double x, y;
    double aux; /* scrolls: time of the latest change (-INFINITY: none) */
    int k;      /* modes: 1 touch; presses: 1 down; ripples: kind; scrolls: quiet, then direction */
} rec;

/* Records sorted by (window, time, input order); a window's records are
 * v[begin[w], begin[w + 1]). */
typedef struct series {
    rec *v;
    size_t n, cap;
    size_t *begin;
} series;

enum { S_POS, S_MODE, S_PRESS, S_RIPPLE, S_SCROLL, S_VIEW, S_COUNT };
enum { RIPPLE_CLICK, RIPPLE_DBL };

struct reelay_pointer_track {
    size_t window_count;
    series s[S_COUNT];
};

/* ------------------------------------------------------------------------ */
/* Series                                                                   */
/* ------------------------------------------------------------------------ */

static int cmp_recs(const void *pa, const void *pb)
{
    const rec *a = pa, *b = pb;
    if (a->window != b->window) return a->window < b->window ? -1 : 1;
    if (a->time != b->time) return a->time < b->time ? -1 : 1;
    if (a->event != b->event) return a->event < b->event ? -1 : 1;
    if (a->sub != b->sub) return a->sub < b->sub ? -1 : 1;
    return 0;
}

static void push(series *s, rec r)
{
    /* Capacities are counted before collecting: this never overflows. */
    if (s->n < s->cap) s->v[s->n++] = r;
}

/* Sorts the records and fills the window offsets. */
static void finish(series *s, size_t window_count)
{
    if (s->n > 1) qsort(s->v, s->n, sizeof *s->v, cmp_recs);
    size_t i = 0;
    for (size_t w = 0; w <= window_count; w++) {
        while (i < s->n && s->v[i].window < w) i++;
        s->begin[w] = i;
    }
}

/* Index of the window's last record at or before ts, or SIZE_MAX. When a
 * record follows, *next (a stable_until bound) is lowered to its time. */
static size_t last_at(const series *s, uint32_t w, double ts, double *next)
{
    size_t lo = s->begin[w], hi = s->begin[w + 1], end = hi;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->v[mid].time <= ts)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < end && s->v[lo].time < *next) *next = s->v[lo].time;
    return lo == s->begin[w] ? SIZE_MAX : lo - 1;
}

/* ------------------------------------------------------------------------ */
/* Collecting                                                               */
/* ------------------------------------------------------------------------ */

static bool is_touch_type(int type)
{
    return type == RR_TOUCH_START || type == RR_TOUCH_MOVE_DEPARTED || type == RR_TOUCH_END ||
           type == RR_TOUCH_CANCEL;
}

static bool is_cursor_move(const reelay_event *ev)
{
    return ev->kind == EV_POINTER_MOVE && (ev->rr_source == RR_SRC_MOUSE_MOVE || ev->rr_source == RR_SRC_DRAG);
}

static bool is_touch_move(const reelay_event *ev)
{
    return ev->kind == EV_POINTER_MOVE && ev->rr_source == RR_SRC_TOUCH_MOVE;
}

/* Upper bounds of what each series receives from one event. */
static void count_event(const reelay_event *ev, size_t add[S_COUNT])
{
    switch (ev->kind) {
    case EV_POINTER_MOVE:
        if (is_cursor_move(ev)) add[S_POS] += ev->u.pointer.count;
        if (is_touch_move(ev)) add[S_MODE] += ev->u.pointer.count;
        break;
    case EV_INTERACTION:
        add[S_POS]++;
        add[S_MODE]++;
        add[S_PRESS]++;
        add[S_RIPPLE] += 2; /* a lone DblClick makes two */
        break;
    case EV_FULL_SNAPSHOT:
    case EV_SCROLL:
        add[S_SCROLL]++;
        break;
    case EV_META:
    case EV_VIEWPORT_RESIZE:
        add[S_VIEW]++;
        break;
    default:
        break;
    }
}

static rec at_event(uint32_t window, double time, size_t event, size_t sub)
{
    return (rec){.window = window, .time = time, .event = event, .sub = sub};
}

static void collect_interaction(reelay_pointer_track *t, const reelay_event *ev, size_t e)
{
    int type = ev->u.interaction.type;
    double ts = ev->timestamp, x = ev->u.interaction.x, y = ev->u.interaction.y;
    rec r = at_event(ev->window, ts, e, 0);
    int pt = ev->u.interaction.pointer_type;
    if (is_touch_type(type) || pt == 0 || pt == 1 || pt == 2) {
        r.k = is_touch_type(type) || pt == 2;
        push(&t->s[S_MODE], r);
    }
    if (type == RR_MOUSE_DOWN || type == RR_MOUSE_UP) {
        r.k = type == RR_MOUSE_DOWN;
        push(&t->s[S_PRESS], r);
    }
    if (!ev->u.interaction.has_xy || !isfinite(x) || !isfinite(y) || is_touch_type(type)) return;
    r.x = x;
    r.y = y;
    r.k = 0;
    push(&t->s[S_POS], r);
    if (type == RR_CLICK || type == RR_CONTEXT_MENU || type == RR_DBL_CLICK) {
        r.k = type == RR_DBL_CLICK ? RIPPLE_DBL : RIPPLE_CLICK;
        push(&t->s[S_RIPPLE], r);
    }
}

static void collect_moves(reelay_pointer_track *t, const reelay_event *ev, size_t e)
{
    bool cursor = is_cursor_move(ev);
    for (size_t i = 0; i < ev->u.pointer.count; i++) {
        const reelay_position *p = &ev->u.pointer.positions[i];
        rec r = at_event(ev->window, ev->timestamp + p->time_offset_ms, e, i);
        if (!isfinite(r.time)) continue;
        if (!cursor) {
            r.k = 1;
            push(&t->s[S_MODE], r);
            continue;
        }
        if (!isfinite(p->x) || !isfinite(p->y)) continue;
        r.x = p->x;
        r.y = p->y;
        push(&t->s[S_POS], r);
    }
}

/* The id rrweb gives the document: the snapshot's root when it is one. */
static int64_t document_id(const reelay_event *snapshot)
{
    const reelay_dom_tree *dom = &snapshot->u.full.dom;
    if (dom->count && dom->nodes[0].type == DOM_DOCUMENT) return dom->nodes[0].id;
    return 1;
}

static void collect(reelay_pointer_track *t, const reelay_session *s, int64_t *doc)
{
    for (size_t e = 0; e < s->event_count; e++) {
        const reelay_event *ev = &s->events[e];
        if (ev->window >= s->window_count) continue;
        if (!isfinite(ev->timestamp)) continue;
        rec r = at_event(ev->window, ev->timestamp, e, 0);
        switch (ev->kind) {
        case EV_POINTER_MOVE:
            collect_moves(t, ev, e);
            break;
        case EV_INTERACTION:
            collect_interaction(t, ev, e);
            break;
        case EV_FULL_SNAPSHOT:
            if (ev->mobile) break;
            /* Events are in time order, so this is the document from now on. */
            doc[ev->window] = document_id(ev);
            r.x = ev->u.full.offset_left;
            r.y = ev->u.full.offset_top;
            r.k = 1; /* quiet */
            if (isfinite(r.x) && isfinite(r.y)) push(&t->s[S_SCROLL], r);
            break;
        case EV_SCROLL:
            r.x = ev->u.scroll.x;
            r.y = ev->u.scroll.y;
            if (ev->u.scroll.target_id == doc[ev->window] && isfinite(r.x) && isfinite(r.y))
                push(&t->s[S_SCROLL], r);
            break;
        case EV_META:
        case EV_VIEWPORT_RESIZE:
            r.x = ev->kind == EV_META ? ev->u.meta.width : ev->u.resize.width;
            r.y = ev->kind == EV_META ? ev->u.meta.height : ev->u.resize.height;
            if (isfinite(r.x) && isfinite(r.y) && r.x > 0 && r.y > 0) push(&t->s[S_VIEW], r);
            break;
        default:
            break;
        }
    }
}

/* ------------------------------------------------------------------------ */
/* Derived records                                                          */
/* ------------------------------------------------------------------------ */

/* Replaces DblClick records by the ripples they add (see the header) into
 * out, which has room for twice the input; returns the new count. */
static size_t resolve_ripples(const series *in, size_t window_count, rec *out)
{
    size_t n = 0;
    for (size_t w = 0; w < window_count; w++) {
        size_t first = n;
        for (size_t i = in->begin[w]; i < in->begin[w + 1]; i++) {
            rec r = in->v[i];
            if (r.k != RIPPLE_DBL) {
                out[n++] = r;
                continue;
            }
            size_t recent = 0;
            for (size_t j = n; j > first && recent < 2; j--)
                if (out[j - 1].time > r.time - REELAY_POINTER_DBL_WINDOW_MS) recent++;
            if (recent == 0) {
                /* Nothing kept lies in the window before it: order holds. */
                out[n] = r;
                out[n++].time = r.time - REELAY_POINTER_DBL_GAP_MS;
            }
            if (recent < 2) out[n++] = r;
        }
    }
    return n;
}

/* Turns each scroll record's k from "quiet" into the direction of the latest
 * change at or before it, and aux into that change's time. */
static void mark_scroll_changes(series *s, size_t window_count)
{
    for (size_t w = 0; w < window_count; w++) {
        double px = 0, py = 0, changed = -INFINITY;
        int dir = REELAY_SCROLL_NONE;
        for (size_t i = s->begin[w]; i < s->begin[w + 1]; i++) {
            rec *r = &s->v[i];
            if (!r->k && (r->x != px || r->y != py)) {
                changed = r->time;
                if (r->y != py)
                    dir = r->y > py ? REELAY_SCROLL_DOWN : REELAY_SCROLL_UP;
                else
                    dir = r->x > px ? REELAY_SCROLL_RIGHT : REELAY_SCROLL_LEFT;
            }
            px = r->x;
            py = r->y;
            r->aux = changed;
            r->k = dir;
        }
    }
}

/* ------------------------------------------------------------------------ */
/* Public                                                                   */
/* ------------------------------------------------------------------------ */

void reelay_pointer_track_free(reelay_pointer_track *track)
{
    if (!track) return;
    for (int i = 0; i < S_COUNT; i++) {
        free(track->s[i].v);
        free(track->s[i].begin);
    }
    free(track);
}

static int oom(reelay_pointer_track *t, int64_t *doc, reelay_err *err)
{
    reelay_pointer_track_free(t);
    free(doc);
    return reelay_err_set(err, REELAY_E_INTERNAL, "pointer track: out of memory");
}

int reelay_pointer_track_new(const reelay_session *session, reelay_pointer_track **out, reelay_err *err)
{
    *out = NULL;
    size_t nw = session->window_count;
    reelay_pointer_track *t = calloc(1, sizeof *t);
    int64_t *doc = calloc(nw ? nw : 1, sizeof *doc);
    if (!t || !doc || nw == SIZE_MAX) return oom(t, doc, err);
    t->window_count = nw;
    for (size_t w = 0; w < nw; w++) doc[w] = 1;

    size_t cap[S_COUNT] = {0};
    for (size_t e = 0; e < session->event_count; e++) {
        size_t add[S_COUNT] = {0};
        count_event(&session->events[e], add);
        for (int i = 0; i < S_COUNT; i++) {
            if (add[i] > SIZE_MAX / (2 * sizeof(rec)) - cap[i]) return oom(t, doc, err);
            cap[i] += add[i];
        }
    }
    for (int i = 0; i < S_COUNT; i++) {
        t->s[i].cap = cap[i];
        t->s[i].v = calloc(cap[i] ? cap[i] : 1, sizeof(rec));
        t->s[i].begin = calloc(nw + 1, sizeof(size_t));
        if (!t->s[i].v || !t->s[i].begin) return oom(t, doc, err);
    }
    collect(t, session, doc);
    free(doc);
    for (int i = 0; i < S_COUNT; i++) finish(&t->s[i], nw);

    /* The ripple capacity counted two per interaction: room for the result. */
    series *rp = &t->s[S_RIPPLE];
    rec *resolved = calloc(rp->cap ? rp->cap : 1, sizeof(rec));
    if (!resolved) return oom(t, NULL, err);
    rp->n = resolve_ripples(rp, nw, resolved);
    free(rp->v);
    rp->v = resolved;
    finish(rp, nw);
    mark_scroll_changes(&t->s[S_SCROLL], nw);
    *out = t;
    return REELAY_OK;
}

reelay_pointer_counts reelay_pointer_track_counts(const reelay_pointer_track *track, uint32_t window)
{
    reelay_pointer_counts c = {0};
    if (!track || window >= track->window_count) return c;
    const series *s = track->s;
    c.positions = s[S_POS].begin[window + 1] - s[S_POS].begin[window];
    c.presses = s[S_PRESS].begin[window + 1] - s[S_PRESS].begin[window];
    c.ripples = s[S_RIPPLE].begin[window + 1] - s[S_RIPPLE].begin[window];
    c.scrolls = s[S_SCROLL].begin[window + 1] - s[S_SCROLL].begin[window];
    return c;
}

/* Cursor position at ts from the last sample at or before it (i). */
static void cursor_at(const series *s, uint32_t w, size_t i, double ts, reelay_pointer_state *out, double *next)
{
    const rec *a = &s->v[i];
    out->has_position = true;
    out->x = a->x;
    out->y = a->y;
    if (i + 1 >= s->begin[w + 1]) return;
    const rec *b = &s->v[i + 1]; /* b->time > ts >= a->time */
    if (a->x == b->x && a->y == b->y) return; /* *next already holds b's time */
    double start = fmax(a->time, b->time - REELAY_POINTER_GLIDE_MS);
    if (ts < start) {
        *next = fmin(*next, start);
        return;
    }
    double f = (ts - start) / (b->time - start);
    out->x = a->x + (b->x - a->x) * f;
    out->y = a->y + (b->y - a->y) * f;
    out->animating = true;
}

static void ripples_at(const series *s, uint32_t w, size_t last, double ts, reelay_pointer_state *out)
{
    size_t n = 0;
    reelay_pointer_ripple newest_first[REELAY_POINTER_MAX_RIPPLES];
    for (size_t i = last + 1; i > s->begin[w] && n < REELAY_POINTER_MAX_RIPPLES; i--) {
        const rec *r = &s->v[i - 1];
        double age = ts - r->time;
        if (!(age < REELAY_POINTER_RIPPLE_MS)) break; /* sorted: older ones are dead too */
        newest_first[n++] = (reelay_pointer_ripple){.x = r->x, .y = r->y, .age_ms = age};
    }
    for (size_t k = 0; k < n; k++) out->ripples[k] = newest_first[n - 1 - k];
    out->ripple_count = n;
    if (n) out->animating = true;
}

static void scroll_at(const rec *r, double ts, reelay_pointer_state *out, double *next)
{
    out->has_scroll = true;
    out->scroll_x = r->x;
    out->scroll_y = r->y;
    out->scroll_dir = (reelay_scroll_dir)r->k;
    double age = ts - r->aux; /* +inf when it never changed */
    if (!(age < REELAY_POINTER_SCROLL_FADE_MS)) return;
    out->scroll_recent = true;
    out->scroll_age_ms = age;
    if (age < REELAY_POINTER_SCROLL_HOLD_MS) {
        out->scroll_alpha = 1;
        *next = fmin(*next, r->aux + REELAY_POINTER_SCROLL_HOLD_MS);
    } else {
        out->scroll_alpha = (REELAY_POINTER_SCROLL_FADE_MS - age) /
                            (REELAY_POINTER_SCROLL_FADE_MS - REELAY_POINTER_SCROLL_HOLD_MS);
        out->animating = true;
    }
}

void reelay_pointer_at(const reelay_pointer_track *track, uint32_t window, double ts, reelay_pointer_state *out)
{
    memset(out, 0, sizeof *out);
    out->stable_until = INFINITY;
    if (!track || window >= track->window_count || !isfinite(ts)) return;
    const series *s = track->s;
    double next = INFINITY;

    size_t i = last_at(&s[S_POS], window, ts, &next);
    if (i != SIZE_MAX) cursor_at(&s[S_POS], window, i, ts, out, &next);
    i = last_at(&s[S_MODE], window, ts, &next);
    out->touch = i != SIZE_MAX && s[S_MODE].v[i].k;
    out->cursor_visible = out->has_position && !out->touch;
    i = last_at(&s[S_PRESS], window, ts, &next);
    out->pressed = i != SIZE_MAX && s[S_PRESS].v[i].k;
    i = last_at(&s[S_RIPPLE], window, ts, &next);
    if (i != SIZE_MAX) ripples_at(&s[S_RIPPLE], window, i, ts, out);
    i = last_at(&s[S_SCROLL], window, ts, &next);
    if (i != SIZE_MAX) scroll_at(&s[S_SCROLL].v[i], ts, out, &next);
    i = last_at(&s[S_VIEW], window, ts, &next);
    if (i != SIZE_MAX) {
        out->has_viewport = true;
        out->viewport_width = s[S_VIEW].v[i].x;
        out->viewport_height = s[S_VIEW].v[i].y;
    }

    out->active = out->cursor_visible || out->ripple_count || out->scroll_alpha > 0;
    out->stable_until = out->animating ? ts : next;
}
