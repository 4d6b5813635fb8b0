/* page_changes.c — when a web window's page looks different (contract in
 * page_changes.h).
 *
 * Hover, in rrweb's terms: a seek applies its events at once and only then
 * hovers the latest pointer target (its Flush), on the DOM as the seek left
 * it. Which events share a seek depends on the frames asked for, which this
 * index does not know; so the hovered chain is trusted only while no
 * mutation has touched it since the pointer event that set it, nor any
 * element hovered before (see page_changes.h). Between two seeks that ask
 * for no other change the DOM does not move, so a trusted chain is what
 * rrweb has marked, and a hover that toggles no element a rule can
 * restyle leaves every pixel as it was. Checked on the public PostHog
 * export: 20 of its 243 page frames go, and the video stays byte-identical
 * (scripts/bench.sh --only web). */
#define _GNU_SOURCE /* strcasestr */
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

#define CHAIN_MAX 4096 /* elements up a hover chain; a deeper one is not followed */

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
    bool marks_unknown;        /* the marks cannot be trusted: the next hover counts */
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

static bool is_marked(const window_changes *w, uint32_t slot, uint64_t serial)
{
    for (size_t k = 0; k < w->mark_count; k++)
        if (w->marks[k].slot == slot && w->marks[k].serial == serial) return true;
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

/* Whether a hover of `target` can change the page: an element whose hover
 * state toggles (marked before and not in the new chain, or the reverse)
 * is one some :hover rule may restyle; with unknown marks, always. The
 * marks become the new chain. -1 when out of memory. */
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
    for (size_t k = 0; k < n && !toggles; k++) {
        const hover_mark *m = &changes->chain[k];
        toggles = !is_marked(w, m->slot, m->serial) && reelay_hover_rules_match(w->rules, &w->dom.v[m->slot].n);
    }
    for (size_t k = 0; k < w->mark_count && !toggles; k++) {
        const hover_mark *m = &w->marks[k];
        if (!reelay_live_dom_holds(&w->dom, m->slot, m->serial)) continue; /* gone: no pixels */
        bool stays = false;
        for (size_t j = 0; j < n && !stays; j++) stays = changes->chain[j].slot == m->slot;
        toggles = !stays && reelay_hover_rules_match(w->rules, &w->dom.v[m->slot].n);
    }
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
    w->marks_unknown = false;
    *changed = toggles;
    return 0;
}

static bool was_marked(const window_changes *w, uint32_t slot)
{
    return slot < w->ever_cap && reelay_live_dom_holds(&w->dom, slot, w->ever_marked[slot]);
}

/* After a mutation: whether the marks still are what rrweb shows, whichever
 * seek hovers the target: no attribute of an element hovered since the
 * last snapshot changed, and the target's chain is the marked one. */
static void check_marks(reelay_page_changes *changes, window_changes *w, const reelay_event *ev)
{
    if (w->marks_unknown || w->target < 0) return;
    for (size_t k = 0; k < ev->u.mutation.attribute_count; k++) {
        uint32_t slot;
        if (reelay_live_dom_find(&w->dom, ev->u.mutation.attributes[k].id, &slot) && was_marked(w, slot)) {
            w->marks_unknown = true;
            return;
        }
    }
    size_t n = hover_chain(changes, &w->dom, w->target);
    if (n != w->mark_count) {
        w->marks_unknown = true;
        return;
    }
    for (size_t k = 0; k < n; k++)
        if (changes->chain[k].slot != w->marks[k].slot || changes->chain[k].serial != w->marks[k].serial) {
            w->marks_unknown = true;
            return;
        }
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
    } else if ((strcasestr(ev->rrweb_json, "hover") || strcasestr(ev->rrweb_json, "class")) &&
               reelay_hover_rules_add_event_json(w->rules, ev->rrweb_json, &err) != REELAY_OK) {
        return -1;
    }
    if (ev->kind == EV_FULL_SNAPSHOT && !ev->mobile) {
        if (reelay_live_dom_snapshot(&w->dom, &ev->u.full.dom) != 0) return -1;
        /* a rebuilt document: rrweb may hover the last target in it or not */
        w->mark_count = 0;
        w->marks_unknown = w->target >= 0;
    } else if (ev->kind == EV_MUTATION && !ev->mobile) {
        if (reelay_live_dom_mutate(&w->dom, ev) != 0) return -1;
        check_marks(changes, w, ev);
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
