#include "scene/touch_state.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef enum item_kind { ITEM_START, ITEM_END, ITEM_CANCEL, ITEM_MOVE } item_kind;

/* One touch happening, before simulation. */
typedef struct item {
    uint32_t window;
    item_kind kind;
    double time;  /* effective time: TouchMove positions happen at timestamp + timeOffset */
    size_t event; /* index in the session, then position index: the tie-breaks */
    size_t sub;
    double x, y;
} item;

/* One CSS transition of one property (CSS Transitions §3), or a settled
 * value when dur <= 0. The value is from + (to - from) * timing(progress). */
typedef struct css_tr {
    double t0, dur;
    double from, to;
    double rev_start; /* reversing-adjusted start value */
    double factor;    /* reversing shortening factor */
} css_tr;

typedef enum timing { TIMING_LINEAR, TIMING_EASE_IN_OUT } timing;

/* The indicator after all happenings of one timestamp. */
typedef struct group {
    double time;
    css_tr alpha, x, y;
    bool has_position;
    size_t tail_begin, tail_end; /* points pushed since the last TouchStart, up to this group */
} group;

typedef struct win_range {
    size_t group_begin, group_end;
    size_t items;
} win_range;

struct reelay_touch_track {
    win_range *windows;
    size_t window_count;
    group *groups;
    reelay_touch_point *points;
    /* same_from[k]: first index of the run of points equal to point k that
     * ends at k (within its tail list), so "all alive points are equal" is
     * one comparison. */
    size_t *same_from;
};

/* ------------------------------------------------------------------------ */
/* CSS transitions                                                          */
/* ------------------------------------------------------------------------ */

/* cubic-bezier(0.42, 0, 0.58, 1): solve x(s) = p by bisection (x is monotonic),
 * then return y(s). 40 halvings are far below any visible difference. */
static double ease_in_out(double p)
{
    if (p <= 0) return 0;
    if (p >= 1) return 1;
    double lo = 0, hi = 1, s = p;
    for (int i = 0; i < 40; i++) {
        s = 0.5 * (lo + hi);
        double u = 1 - s;
        double x = 3 * u * u * s * 0.42 + 3 * u * s * s * 0.58 + s * s * s;
        if (x < p)
            lo = s;
        else
            hi = s;
    }
    double u = 1 - s;
    return 3 * u * s * s + s * s * s; /* y1 = 0, y2 = 1 */
}

static double output_progress(const css_tr *t, double now, timing tm)
{
    if (t->dur <= 0 || now >= t->t0 + t->dur) return 1;
    double p = now <= t->t0 ? 0 : (now - t->t0) / t->dur;
    return tm == TIMING_LINEAR ? p : ease_in_out(p);
}

static double tr_value(const css_tr *t, double now, timing tm)
{
    return t->from + (t->to - t->from) * output_progress(t, now, tm);
}

static bool tr_running(const css_tr *t, double now)
{
    return t->dur > 0 && now < t->t0 + t->dur;
}

static css_tr tr_settled(double value)
{
    return (css_tr){.from = value, .to = value, .rev_start = value, .factor = 1};
}

/* A style change event at `now` whose after-change value is `after` and
 * whose after-change transition-duration is `duration`. */
static void tr_change(css_tr *t, double now, double after, double duration, timing tm)
{
    if (tr_running(t, now)) {
        if (t->to == after) return;
        double current = tr_value(t, now, tm);
        if (current == after || duration <= 0) {
            *t = tr_settled(after);
        } else if (t->rev_start == after) {
            double factor = fabs(output_progress(t, now, tm) * t->factor + 1 - t->factor);
            *t = (css_tr){.t0 = now, .dur = duration * factor, .from = current, .to = after,
                          .rev_start = t->to, .factor = factor};
        } else {
            *t = (css_tr){.t0 = now, .dur = duration, .from = current, .to = after, .rev_start = current,
                          .factor = 1};
        }
        return;
    }
    if (t->to == after) return;
    if (duration <= 0) {
        *t = tr_settled(after);
        return;
    }
    *t = (css_tr){.t0 = now, .dur = duration, .from = t->to, .to = after, .rev_start = t->to, .factor = 1};
}

/* ------------------------------------------------------------------------ */
/* Collecting happenings                                                    */
/* ------------------------------------------------------------------------ */

static bool is_picture(const reelay_wireframe *wf)
{
    return (wf->type == WF_SCREENSHOT || wf->type == WF_IMAGE) && wf->base64 && wf->has_width &&
           wf->has_height && wf->width > 0 && wf->height > 0;
}

/* PROC's screenshot test, as the wireframe scene applies it: a picture among
 * the first three flattened adds (pre-order; bars without children). At most
 * three levels deep, since each level uses one of the three. */
static bool picture_among_first(const reelay_wireframe *wf, int *left)
{
    if (*left <= 0) return false;
    (*left)--;
    if (is_picture(wf)) return true;
    if (wf->type == WF_STATUS_BAR || wf->type == WF_NAVIGATION_BAR) return false;
    for (size_t i = 0; i < wf->child_count && *left > 0; i++)
        if (picture_among_first(&wf->children[i], left)) return true;
    return false;
}

/* Whether the event gives its window a DOM to target (the body, id 5). */
static bool gives_content(const reelay_event *ev)
{
    if (ev->kind == EV_FULL_SNAPSHOT) return true;
    if (ev->kind != EV_MUTATION || !ev->mobile) return false;
    int left = 3;
    for (size_t i = 0; i < ev->u.mutation.add_count && left > 0; i++)
        if (picture_among_first(&ev->u.mutation.adds[i].wireframe, &left)) return true;
    for (size_t i = 0; i < ev->u.mutation.update_count && left > 0; i++)
        if (picture_among_first(&ev->u.mutation.updates[i].wireframe, &left)) return true;
    return false;
}

static bool is_touch_move(const reelay_event *ev)
{
    return ev->kind == EV_POINTER_MOVE && ev->rr_source == RR_SRC_TOUCH_MOVE;
}

static bool is_touch_interaction(const reelay_event *ev)
{
    if (ev->kind != EV_INTERACTION) return false;
    int type = ev->u.interaction.type;
    return type == RR_TOUCH_START || type == RR_TOUCH_END || type == RR_TOUCH_CANCEL;
}

typedef struct win_info {
    bool touch_device; /* rrweb's indicatesTouchDevice: a TouchStart or a TouchMove */
    bool has_content;
    double content_time;
    size_t content_event;
} win_info;

static bool after_content(const win_info *w, double time, size_t event)
{
    return w->has_content && (time > w->content_time || (time == w->content_time && event > w->content_event));
}

/* A mobile recording without one screen (an SDK with screen capture off)
 * has no DOM for rrweb to target, so the player would show no touch at all.
 * reelay draws a placeholder screen there, and the touches are all such a
 * recording holds: every touch counts. */
static void give_screenless_windows_content(const reelay_session *session, win_info *info, size_t nw)
{
    if (session->source != REELAY_SOURCE_MOBILE) return;
    for (size_t e = 0; e < session->event_count; e++)
        if (session->events[e].mobile) return;
    for (size_t w = 0; w < nw; w++) {
        info[w].has_content = true;
        info[w].content_time = -INFINITY;
        info[w].content_event = 0;
    }
}

static int cmp_items(const void *pa, const void *pb)
{
    const item *a = pa, *b = pb;
    if (a->window != b->window) return a->window < b->window ? -1 : 1;
    if (a->time != b->time) return a->time < b->time ? -1 : 1;
    if (a->event != b->event) return a->event < b->event ? -1 : 1;
    if (a->sub != b->sub) return a->sub < b->sub ? -1 : 1;
    return 0;
}

static size_t collect(const reelay_session *s, const win_info *info, item *items)
{
    size_t n = 0;
    for (size_t e = 0; e < s->event_count; e++) {
        const reelay_event *ev = &s->events[e];
        if (ev->window >= s->window_count || !info[ev->window].touch_device) continue;
        const win_info *w = &info[ev->window];
        if (is_touch_interaction(ev)) {
            /* rrweb ignores interactions whose target is -1 or not in the DOM;
             * the reader stores -1 for a missing id. Missing x/y count as 0 (d.x || 0). */
            double x = ev->u.interaction.x, y = ev->u.interaction.y;
            if (ev->u.interaction.target_id < 0 || !isfinite(x) || !isfinite(y) || !isfinite(ev->timestamp))
                continue;
            if (!after_content(w, ev->timestamp, e)) continue;
            item_kind kind = ev->u.interaction.type == RR_TOUCH_START ? ITEM_START
                             : ev->u.interaction.type == RR_TOUCH_END ? ITEM_END
                                                                      : ITEM_CANCEL;
            items[n++] = (item){.window = ev->window, .kind = kind, .time = ev->timestamp, .event = e, .x = x, .y = y};
        } else if (is_touch_move(ev)) {
            for (size_t i = 0; i < ev->u.pointer.count; i++) {
                const reelay_position *p = &ev->u.pointer.positions[i];
                double t = ev->timestamp + p->time_offset_ms;
                if (p->target_id < 0 || !isfinite(p->x) || !isfinite(p->y) || !isfinite(t)) continue;
                if (!after_content(w, t, e)) continue;
                items[n++] = (item){.window = ev->window, .kind = ITEM_MOVE, .time = t, .event = e, .sub = i,
                                    .x = p->x, .y = p->y};
            }
        }
    }
    return n;
}

/* ------------------------------------------------------------------------ */
/* Simulation                                                               */
/* ------------------------------------------------------------------------ */

typedef struct sim {
    bool class_active; /* touch-active in the DOM (applied at the next style change) */
    bool has_position;
    double left, top;  /* inline left/top in the DOM */
    css_tr alpha, x, y;
    size_t tail_begin;
    double fade_ms, move_ms;
} sim;

static void style_change(sim *m, double now)
{
    tr_change(&m->alpha, now, m->class_active ? 1 : 0, m->fade_ms, TIMING_EASE_IN_OUT);
    if (!m->has_position) return;
    double move = m->class_active ? m->move_ms : 0;
    tr_change(&m->x, now, m->left, move, TIMING_LINEAR);
    tr_change(&m->y, now, m->top, move, TIMING_LINEAR);
}

static void place(sim *m, const item *it)
{
    if (!m->has_position) {
        /* From `auto` nothing interpolates: the first placement is a jump. */
        m->x = tr_settled(it->x);
        m->y = tr_settled(it->y);
    }
    m->has_position = true;
    m->left = it->x;
    m->top = it->y;
}

/* Runs one window's sorted items [begin, end), appending groups and points. */
static void simulate(reelay_touch_track *t, const item *items, size_t begin, size_t end, double speed,
                     size_t *group_count, size_t *point_count)
{
    sim m = {.alpha = tr_settled(0), .x = tr_settled(0), .y = tr_settled(0), .tail_begin = *point_count,
             .fade_ms = REELAY_TOUCH_FADE_MS * speed, .move_ms = REELAY_TOUCH_MOVE_MS * speed};
    for (size_t i = begin; i < end;) {
        double now = items[i].time;
        for (; i < end && items[i].time == now; i++) {
            const item *it = &items[i];
            if (it->kind == ITEM_START) m.tail_begin = *point_count;
            if (it->kind != ITEM_CANCEL) {
                place(&m, it);
                size_t k = (*point_count)++;
                t->points[k] = (reelay_touch_point){.x = it->x, .y = it->y, .time = now};
                bool same = k > m.tail_begin && t->points[k - 1].x == it->x && t->points[k - 1].y == it->y;
                t->same_from[k] = same ? t->same_from[k - 1] : k;
            }
            /* TouchStart reads offsetWidth before adding the class: the move
             * gets a style change of its own, without touch-active's slide. */
            if (it->kind == ITEM_START) style_change(&m, now);
            if (it->kind == ITEM_START)
                m.class_active = true;
            else if (it->kind != ITEM_MOVE)
                m.class_active = false;
        }
        style_change(&m, now);
        t->groups[(*group_count)++] = (group){.time = now, .alpha = m.alpha, .x = m.x, .y = m.y,
                                              .has_position = m.has_position, .tail_begin = m.tail_begin,
                                              .tail_end = *point_count};
    }
}

/* ------------------------------------------------------------------------ */
/* Public                                                                   */
/* ------------------------------------------------------------------------ */

void reelay_touch_track_free(reelay_touch_track *track)
{
    if (!track) return;
    free(track->windows);
    free(track->groups);
    free(track->points);
    free(track->same_from);
    free(track);
}

static int oom(reelay_touch_track *t, win_info *info, item *items, reelay_err *err)
{
    reelay_touch_track_free(t);
    free(info);
    free(items);
    return reelay_err_set(err, REELAY_E_INTERNAL, "touch track: out of memory");
}

int reelay_touch_track_new(const reelay_session *session, double playback_speed, reelay_touch_track **out,
                           reelay_err *err)
{
    *out = NULL;
    if (!isfinite(playback_speed) || playback_speed <= 0)
        return reelay_err_set(err, REELAY_E_USAGE, "touch track: playback speed %g is not a positive number",
                              playback_speed);
    size_t nw = session->window_count;
    reelay_touch_track *t = calloc(1, sizeof *t);
    win_info *info = calloc(nw ? nw : 1, sizeof *info);
    item *items = NULL;
    if (!t || !info) return oom(t, info, items, err);
    t->window_count = nw;
    t->windows = calloc(nw ? nw : 1, sizeof *t->windows);
    if (!t->windows) return oom(t, info, items, err);

    size_t cap = 0;
    for (size_t e = 0; e < session->event_count; e++) {
        const reelay_event *ev = &session->events[e];
        if (ev->window >= nw) continue;
        win_info *w = &info[ev->window];
        if ((is_touch_interaction(ev) && ev->u.interaction.type == RR_TOUCH_START) || is_touch_move(ev))
            w->touch_device = true;
        if (!w->has_content && gives_content(ev)) {
            w->has_content = true;
            w->content_time = ev->timestamp;
            w->content_event = e;
        }
        size_t add = is_touch_interaction(ev) ? 1 : is_touch_move(ev) ? ev->u.pointer.count : 0;
        if (add > SIZE_MAX / sizeof(item) - cap) return oom(t, info, items, err);
        cap += add;
    }
    give_screenless_windows_content(session, info, nw);
    items = calloc(cap ? cap : 1, sizeof *items);
    t->groups = calloc(cap ? cap : 1, sizeof *t->groups);
    t->points = calloc(cap ? cap : 1, sizeof *t->points);
    t->same_from = calloc(cap ? cap : 1, sizeof *t->same_from);
    if (!items || !t->groups || !t->points || !t->same_from) return oom(t, info, items, err);

    size_t n = collect(session, info, items);
    qsort(items, n, sizeof *items, cmp_items);
    size_t groups = 0, points = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && items[j].window == items[i].window) j++;
        win_range *r = &t->windows[items[i].window];
        r->group_begin = groups;
        r->items = j - i;
        simulate(t, items, i, j, playback_speed, &groups, &points);
        r->group_end = groups;
        i = j;
    }
    free(info);
    free(items);
    *out = t;
    return REELAY_OK;
}

size_t reelay_touch_track_count(const reelay_touch_track *track, uint32_t window)
{
    if (!track || window >= track->window_count) return 0;
    return track->windows[window].items;
}

/* First index in [lo, hi) whose point is still alive at ts (pushed after ts - TAIL). */
static size_t first_live_point(const reelay_touch_point *p, size_t lo, size_t hi, double ts)
{
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ts < p[mid].time + REELAY_TOUCH_TAIL_MS)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

void reelay_touch_at(const reelay_touch_track *track, uint32_t window, double ts, reelay_touch_state *out)
{
    memset(out, 0, sizeof *out);
    out->stable_until = INFINITY;
    if (!track || window >= track->window_count || !isfinite(ts)) return;
    const win_range *r = &track->windows[window];
    /* Last group at or before ts. */
    size_t lo = r->group_begin, hi = r->group_end;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (track->groups[mid].time <= ts)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < r->group_end) out->stable_until = track->groups[lo].time;
    if (lo == r->group_begin) return;
    const group *g = &track->groups[lo - 1];

    double alpha = tr_value(&g->alpha, ts, TIMING_EASE_IN_OUT);
    out->ring_alpha = alpha < 0 ? 0 : alpha > 1 ? 1 : alpha;
    out->ring_visible = out->ring_alpha > 0;
    out->has_position = g->has_position;
    if (g->has_position) {
        out->x = tr_value(&g->x, ts, TIMING_LINEAR);
        out->y = tr_value(&g->y, ts, TIMING_LINEAR);
    }

    size_t first = first_live_point(track->points, g->tail_begin, g->tail_end, ts);
    out->tail = first < g->tail_end ? &track->points[first] : NULL;
    out->tail_count = g->tail_end - first;
    out->tail_visible = out->tail_count >= 2 && track->same_from[g->tail_end - 1] > first;
    out->active = out->ring_visible || out->tail_visible;

    bool moving = tr_running(&g->x, ts) || tr_running(&g->y, ts);
    out->animating = tr_running(&g->alpha, ts) || (moving && out->ring_visible);
    if (out->animating) {
        out->stable_until = ts;
    } else if (out->tail_count) {
        double expiry = out->tail[0].time + REELAY_TOUCH_TAIL_MS;
        if (expiry < out->stable_until) out->stable_until = expiry;
    }
}
