/* page_changes.c — when a web window's page looks different (contract in
 * page_changes.h).
 *
 * Hover, in rrweb's terms: a seek applies its events at once and only then
 * hovers the latest pointer target (its Flush), on the DOM as the seek left
 * it. Which events share a seek depends on the frames asked for, which this
 * index does not know; so besides the marks (the chain of the last hover)
 * it keeps the elements whose mark a mutation since then may have changed
 * (unsure), and a hover counts when an element it toggles, or an unsure
 * one, can be restyled. Between two seeks that ask for no other change the
 * DOM does not move, so such a hover leaves every pixel as it was. Checked
 * against a build that counts every change of hovered element, frame by
 * frame: the public PostHog export needs 218 page frames instead of 243,
 * two public PostHog blobs 3 and 39 fewer, rrweb's demo 10 fewer, with
 * every page frame and video frame the same. */
#include "scene/page_changes.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "scene/hover_rules.h"
#include "scene/live_dom.h"

/* rrweb incremental sources past the ones session.h names. */
enum { RR_SRC_LOG = 11 };

#define CHAIN_MAX 4096  /* elements up a hover chain; a deeper one is not followed */
#define UNSURE_MAX 4096 /* unsure elements kept; past them the marks are unknown */

/* An element of a hover chain, as the live DOM's slot and serial. */
typedef struct hover_mark {
    uint32_t slot;
    uint64_t serial;
} hover_mark;

typedef struct window_changes {
    double *times; /* ascending */
    size_t count, cap;
    reelay_live_dom dom;       /* the window's DOM at the event being read */
    reelay_hover_rules *rules; /* what hovering can restyle, from the style text read so far */
    int64_t target;            /* the latest hover target, -1 before any */
    hover_mark *marks;         /* the elements rrweb has marked :hover: target and ancestors */
    size_t mark_count, mark_cap;
    uint64_t *ever_marked;     /* per DOM slot: the serial of a node marked since the last snapshot */
    size_t ever_cap;
    hover_mark *unsure;        /* elements that may be marked or not, whatever `marks` says */
    size_t unsure_count, unsure_cap;
    bool rebuilt;              /* a snapshot since the last hover: nothing of before is marked */
    bool marks_unknown;        /* the marks cannot be trusted at all: the next hover counts */
} window_changes;

struct reelay_page_changes {
    window_changes *windows;
    size_t window_count;
    hover_mark *chain; /* scratch: a chain being compared */
    size_t chain_cap;
};

static bool is_pointer_source(int source)
{
    return source == RR_SRC_MOUSE_MOVE || source == RR_SRC_TOUCH_MOVE || source == RR_SRC_DRAG ||
           source == RR_SRC_MOUSE_INTERACTION;
}

/* The node rrweb hovers after a pointer event, or -1 when the event moves
 * no hover: a move's last position, and the interactions rrweb replays as a
 * mouse position (clicks, button and touch presses and releases). */
static int64_t hover_target(const reelay_event *ev)
{
    if (ev->kind == EV_POINTER_MOVE && ev->u.pointer.count > 0)
        return ev->u.pointer.positions[ev->u.pointer.count - 1].target_id;
    if (ev->kind != EV_INTERACTION) return -1;
    switch (ev->u.interaction.type) {
    case RR_CLICK:
    case RR_MOUSE_DOWN:
    case RR_MOUSE_UP:
    case RR_TOUCH_START:
    case RR_TOUCH_END:
        return ev->u.interaction.target_id;
    default:
        return -1;
    }
}

/* Whether the node m is one of list[0..count). */
static bool holds(const hover_mark *list, size_t count, hover_mark m)
{
    for (size_t k = 0; k < count; k++)
        if (list[k].slot == m.slot && list[k].serial == m.serial) return true;
    return false;
}

/* rrweb's hoverElements: the target and each parentElement up its document
 * or shadow root (an iframe's <html> has no parent element, nor has a
 * shadow root's child), into changes->chain. Returns the chain's length, or
 * SIZE_MAX when the DOM does not hold the target, the chain is too deep to
 * follow or memory runs out. */
static size_t hover_chain(reelay_page_changes *changes, const reelay_live_dom *d, int64_t target)
{
    uint32_t slot;
    if (!reelay_live_dom_find(d, target, &slot)) return SIZE_MAX;
    size_t n = 0;
    while (slot != REELAY_LIVE_NIL) {
        const reelay_live_node *x = &d->v[slot];
        if (x->n.type == DOM_ELEMENT) {
            if (n == CHAIN_MAX ||
                !reelay_grow_array((void **)&changes->chain, &changes->chain_cap, n + 1, sizeof *changes->chain))
                return SIZE_MAX;
            changes->chain[n++] = (hover_mark){slot, x->serial};
        }
        if (x->n.is_shadow || x->parent == REELAY_LIVE_NIL || d->v[x->parent].n.type != DOM_ELEMENT) break;
        slot = x->parent;
    }
    return n;
}

/* Whether toggling the element at m may restyle the page. */
static bool restyles(const window_changes *w, const hover_mark *m)
{
    return reelay_live_dom_holds(&w->dom, m->slot, m->serial) && /* a node gone shows nothing */
           reelay_hover_rules_match(w->rules, &w->dom.v[m->slot].n);
}

/* Whether a hover of `target` can change the page: an element whose hover
 * state toggles (marked before and not in the new chain, or the reverse)
 * or may toggle (unsure) is one some :hover rule may restyle; with unknown
 * marks, always. The marks become the new chain. -1 when out of memory. */
static int hover_moves(reelay_page_changes *changes, window_changes *w, int64_t target, bool *changed)
{
    w->target = target;
    size_t n = hover_chain(changes, &w->dom, target);
    if (n == SIZE_MAX) {
        /* rrweb ignores a node it does not hold; this DOM may hold less
         * than rrweb's, so count it and stop trusting the marks. */
        *changed = true;
        w->marks_unknown = true;
        return 0;
    }
    bool toggles = w->marks_unknown;
    for (size_t k = 0; k < n && !toggles; k++)
        toggles = !holds(w->marks, w->mark_count, changes->chain[k]) && restyles(w, &changes->chain[k]);
    for (size_t k = 0; k < w->mark_count && !toggles; k++)
        toggles = !holds(changes->chain, n, w->marks[k]) && restyles(w, &w->marks[k]);
    for (size_t k = 0; k < w->unsure_count && !toggles; k++) toggles = restyles(w, &w->unsure[k]);
    if (!reelay_grow_array((void **)&w->marks, &w->mark_cap, n ? n : 1, sizeof *w->marks)) return -1;
    memcpy(w->marks, changes->chain, n * sizeof *w->marks);
    w->mark_count = n;
    for (size_t k = 0; k < n; k++) {
        uint32_t slot = changes->chain[k].slot;
        size_t had = w->ever_cap;
        if (!reelay_grow_array((void **)&w->ever_marked, &w->ever_cap, (size_t)slot + 1, sizeof *w->ever_marked))
            return -1;
        memset(w->ever_marked + had, 0, (w->ever_cap - had) * sizeof *w->ever_marked);
        w->ever_marked[slot] = changes->chain[k].serial;
    }
    /* rrweb unmarks everything of the root before marking the chain */
    w->unsure_count = 0;
    w->marks_unknown = false;
    w->rebuilt = false;
    *changed = toggles;
    return 0;
}

/* Adds an element to the unsure ones; past UNSURE_MAX the marks are
 * unknown. -1 when out of memory. */
static int add_unsure(window_changes *w, hover_mark m)
{
    if (holds(w->unsure, w->unsure_count, m)) return 0;
    if (w->unsure_count == UNSURE_MAX) {
        w->marks_unknown = true;
        return 0;
    }
    if (!reelay_grow_array((void **)&w->unsure, &w->unsure_cap, w->unsure_count + 1, sizeof *w->unsure)) return -1;
    w->unsure[w->unsure_count++] = m;
    return 0;
}

static bool was_marked(const window_changes *w, uint32_t slot)
{
    return slot < w->ever_cap && reelay_live_dom_holds(&w->dom, slot, w->ever_marked[slot]);
}

/* After a mutation: which elements may now be marked otherwise than the
 * marks say, whichever seek hovers the target (the top of this file): any
 * element hovered since the last snapshot whose attributes changed (its
 * class write drops its mark; a stale mark was measured too), and every
 * element in or out of the target's chain when the mutation changed that
 * chain. A target the mutation removed leaves the marks unknown: rrweb
 * would not hover it, and the marks before it are not kept. -1 when out
 * of memory. */
static int check_marks(reelay_page_changes *changes, window_changes *w, const reelay_event *ev)
{
    if (w->marks_unknown || w->target < 0) return 0;
    for (size_t k = 0; k < ev->u.mutation.attribute_count; k++) {
        uint32_t slot;
        if (reelay_live_dom_find(&w->dom, ev->u.mutation.attributes[k].id, &slot) && was_marked(w, slot) &&
            add_unsure(w, (hover_mark){slot, w->dom.v[slot].serial}) != 0)
            return -1;
    }
    size_t n = hover_chain(changes, &w->dom, w->target);
    if (n == SIZE_MAX) {
        /* after a snapshot nothing of before is marked anyway */
        if (!w->rebuilt) w->marks_unknown = true;
        return 0;
    }
    for (size_t k = 0; k < n; k++)
        if (!holds(w->marks, w->mark_count, changes->chain[k]) && add_unsure(w, changes->chain[k]) != 0) return -1;
    for (size_t k = 0; k < w->mark_count; k++)
        if (!holds(changes->chain, n, w->marks[k]) && add_unsure(w, w->marks[k]) != 0) return -1;
    return 0;
}

static void release_reading(window_changes *w)
{
    reelay_live_dom_release(&w->dom);
    reelay_hover_rules_free(w->rules);
    w->rules = NULL;
    free(w->marks);
    w->marks = NULL;
    w->mark_count = w->mark_cap = 0;
    free(w->ever_marked);
    w->ever_marked = NULL;
    w->ever_cap = 0;
    free(w->unsure);
    w->unsure = NULL;
    w->unsure_count = w->unsure_cap = 0;
}

/* Reads the event's style text into the window's rules and its DOM changes
 * into the live DOM; then says whether the page it shows changed. -1 when
 * out of memory. */
static int read_event(reelay_page_changes *changes, window_changes *w, const reelay_event *ev, bool *changed)
{
    *changed = false;
    reelay_err err;
    if (!ev->rrweb_json) {
        reelay_hover_rules_set_any(w->rules); /* the style text is unknown */
    } else if (reelay_hover_rules_json_may_hold(ev->rrweb_json) &&
               reelay_hover_rules_add_event_json(w->rules, ev->rrweb_json, &err) != REELAY_OK) {
        return -1;
    }
    if (ev->kind == EV_FULL_SNAPSHOT && !ev->mobile) {
        if (reelay_live_dom_snapshot(&w->dom, &ev->u.full.dom) != 0) return -1;
        /* A rebuilt document has nothing marked, unless the seek that
         * rebuilds it also hovers the last target: its new chain is unsure. */
        w->mark_count = 0;
        w->unsure_count = 0;
        w->marks_unknown = false;
        w->rebuilt = true;
        if (w->target >= 0) {
            size_t n = hover_chain(changes, &w->dom, w->target);
            for (size_t k = 0; n != SIZE_MAX && k < n; k++)
                if (add_unsure(w, changes->chain[k]) != 0) return -1;
        }
    } else if (ev->kind == EV_MUTATION && !ev->mobile) {
        if (reelay_live_dom_mutate(&w->dom, ev) != 0 || check_marks(changes, w, ev) != 0) return -1;
    }
    if (ev->rr_type == RR_FULL_SNAPSHOT || ev->rr_type == RR_META) {
        *changed = true;
        return 0;
    }
    if (ev->rr_type != RR_INCREMENTAL) return 0;
    if (!is_pointer_source(ev->rr_source)) {
        *changed = ev->rr_source != RR_SRC_LOG;
        return 0;
    }
    if (ev->kind == EV_INTERACTION && (ev->u.interaction.type == RR_FOCUS || ev->u.interaction.type == RR_BLUR)) {
        *changed = true;
        return 0;
    }
    int64_t target = hover_target(ev);
    if (target < 0) return 0; /* rrweb hovers nothing for it */
    return hover_moves(changes, w, target, changed);
}

int reelay_page_changes_new(const reelay_session *session, reelay_page_changes **out, reelay_err *err)
{
    *out = NULL;
    reelay_page_changes *changes = calloc(1, sizeof *changes);
    if (!changes) return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    changes->window_count = session->window_count;
    changes->windows = calloc(session->window_count ? session->window_count : 1, sizeof *changes->windows);
    if (!changes->windows) {
        free(changes);
        return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    }
    for (size_t i = 0; i < changes->window_count; i++) {
        window_changes *w = &changes->windows[i];
        reelay_live_dom_init(&w->dom);
        w->target = -1;
        if (reelay_hover_rules_new(&w->rules, err) != REELAY_OK) {
            reelay_page_changes_free(changes);
            return REELAY_E_INTERNAL;
        }
    }
    for (size_t i = 0; i < session->event_count; i++) {
        const reelay_event *ev = &session->events[i];
        if (ev->window >= changes->window_count) continue;
        window_changes *w = &changes->windows[ev->window];
        bool changed;
        if (read_event(changes, w, ev, &changed) != 0 ||
            (changed && !reelay_grow_array((void **)&w->times, &w->cap, w->count + 1, sizeof *w->times))) {
            reelay_page_changes_free(changes);
            return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
        }
        if (changed) w->times[w->count++] = ev->timestamp;
    }
    /* Only the change times are queried: the DOMs and rules go. */
    for (size_t i = 0; i < changes->window_count; i++) release_reading(&changes->windows[i]);
    free(changes->chain);
    changes->chain = NULL;
    *out = changes;
    return REELAY_OK;
}

void reelay_page_changes_free(reelay_page_changes *changes)
{
    if (!changes) return;
    for (size_t i = 0; i < changes->window_count; i++) {
        release_reading(&changes->windows[i]);
        free(changes->windows[i].times);
    }
    free(changes->windows);
    free(changes->chain);
    free(changes);
}

size_t reelay_page_changes_revision(const reelay_page_changes *changes, uint32_t window, double ts)
{
    if (!changes || window >= changes->window_count) return 0;
    const window_changes *w = &changes->windows[window];
    /* the first change after ts */
    size_t lo = 0, hi = w->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (w->times[mid] <= ts)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

double reelay_page_changes_next(const reelay_page_changes *changes, uint32_t window, double ts)
{
    size_t next = reelay_page_changes_revision(changes, window, ts);
    if (!changes || window >= changes->window_count || next >= changes->windows[window].count) return INFINITY;
    return changes->windows[window].times[next];
}

size_t reelay_page_changes_count(const reelay_page_changes *changes, uint32_t window)
{
    if (!changes || window >= changes->window_count) return 0;
    return changes->windows[window].count;
}
