/* wireframe_scene.c — the live wireframe tree of each window, moved through
 * time by seeks (contract and ownership in wireframe_scene.h).
 *
 * The rules are PostHog's player: its transformer turns each mobile event into
 * rrweb DOM mutations and rrweb applies them (mobile-wireframes.md §4.7, §4.9).
 * Decisions where the spec is silent, in one place:
 *  - Node identity follows rrweb's mirror: the id map points at the latest node
 *    added with an id. Adding an id that is still mapped reuses (moves) the
 *    mapped node when its own properties are unchanged — rrweb's
 *    buildNodeWithSN returns the existing node when isNodeMetaEqual — and
 *    otherwise creates a second node with that id (both are painted; only the
 *    newest is reachable by id). Moving a node under itself is refused, as the
 *    DOM refuses it, by skipping that add.
 *  - A remove whose parentId is known but is not the node's real parent
 *    unmaps the subtree but leaves it painted (rrweb unmaps first, then
 *    removeChild throws and is caught).
 *  - parentId 5 is <body> (top level) unless a wireframe itself has id 5; the
 *    other reserved skeleton ids (§4.1) are treated as unknown parents.
 *  - Android's root update (no parentId, quirk 7): its remove and its own add
 *    are dropped, its children are added under the existing root by id, so an
 *    unchanged child moves to the end and a changed child is added beside its
 *    old copy, which stays beneath it.
 *  - The transformer's de-duplication of adds (quirk 6) is not mirrored: for
 *    elements the reuse rule above gives the same tree; the text-node
 *    collision it causes is a bug we knowingly skip.
 *  - Everything is per window: tree, bars, keyboard, viewport, and the
 *    remembered navigation-bar background (updated by every navigation bar
 *    the transformer converts in that window — the lifted one of a full
 *    snapshot and any inside mutation adds/updates, in event order, even
 *    before content — and only by bars that have a background).
 *  - Before a window's first content, mutations and keyboard events do nothing
 *    (the player has no document yet), except the synthesised snapshot (§4.9
 *    end): a mutation whose first three flattened adds hold an image or
 *    screenshot with a size starts the window with that image alone.
 *  - Viewport: the window's latest meta; before any meta, the size of the
 *    first top-level wireframe of the window's first content (the player's
 *    patched-in meta, §2.1).
 * All walks are iterative, so depth built up by chained mutations is safe. */
#include "scene/wireframe_scene.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/idmap.h"

#define NONE REELAY_SCENE_NONE
#define BODY_ID 5 /* <body> in the transformed document (§4.1) */
/* Pool indexes stay below this so they never collide with NONE. */
#define MAX_POOL (UINT32_MAX - 1u)

typedef struct wf_frame {
    const reelay_wireframe *wf; /* whose children are being visited */
    size_t next;                /* next child to visit */
    uint32_t node;              /* the live node built for wf (full snapshots) */
} wf_frame;

/* One entry of the transformer's flattened adds: a node without children,
 * placed under whatever node its parent id names when it is applied. */
typedef struct flat_add {
    const reelay_wireframe *wf;
    int64_t parent_id;
    bool has_parent;
} flat_add;

/* Where a backward seek can restart a window: a mobile full snapshot or a
 * synthesised one, with the state that events before it left behind. */
typedef struct rebuild_point {
    size_t pos;                      /* index into win.evs */
    size_t meta_ev;                  /* latest meta before it (global index), SIZE_MAX when none */
    const reelay_color *nav_before;  /* remembered navigation background before it */
} rebuild_point;

typedef struct win {
    /* Index built once by reelay_wf_scene_new. */
    size_t *evs; /* global indexes of this window's events the scene reads */
    size_t ev_count, ev_cap;
    rebuild_point *points;
    size_t point_count, point_cap;
    double fallback_w, fallback_h;
    bool has_fallback;

    /* Live state. */
    reelay_scene_node *nodes; /* pool; a free slot has wf == NULL, chained by next_sibling */
    uint32_t cap, used, free_head;
    size_t live;
    reelay_idmap ids;
    uint32_t first_root, last_root;
    bool has_content, has_meta;
    double meta_w, meta_h;
    const char *href;
    const reelay_wireframe *status_bar, *navigation_bar;
    const reelay_color *nav_bg;
    reelay_scene_keyboard keyboard;
    size_t applied_end; /* 1 + global index of the last event applied here, 0 when none */
} win;

/* Queued adds linked into trees by parent id (apply_pending). */
typedef struct pending_link {
    uint32_t parent, child, next, tail;
} pending_link;

typedef struct shown_change {
    size_t cursor; /* from this many applied events on ... */
    uint32_t window; /* ... this window is on screen */
} shown_change;

struct reelay_wf_scene {
    const reelay_session *session;
    win *wins;
    size_t win_count;
    shown_change *shown;
    size_t shown_count, shown_cap;
    uint32_t initial_window;

    size_t cursor; /* events [0, cursor) are applied */
    bool seeked, broken;
    double ts;
    double minute; /* floor(ts / 60000) of the last seek: the status-bar clock */
    size_t live_total, node_limit;

    /* Scratch, reused across events. */
    wf_frame *stack;
    size_t stack_cap;
    flat_add *adds;
    size_t add_cap;
    pending_link *pend;
    size_t pend_cap;
    reelay_idmap pend_ids;
};

/* ------------------------------------------------------------------------ */
/* Small helpers                                                            */
/* ------------------------------------------------------------------------ */

static int oom(reelay_err *err)
{
    return reelay_err_set(err, REELAY_E_INTERNAL, "wireframe scene: out of memory");
}

static bool str_eq(const char *a, const char *b)
{
    if (!a || !b) return a == b;
    return strcmp(a, b) == 0;
}

static bool color_eq(const reelay_color *a, const reelay_color *b)
{
    return a->set == b->set && a->valid == b->valid && a->r == b->r && a->g == b->g && a->b == b->b &&
           a->a == b->a && str_eq(a->raw, b->raw);
}

static bool length_eq(reelay_length a, reelay_length b)
{
    return a.set == b.set && (!a.set || a.value == b.value);
}

static bool style_eq(const reelay_wf_style *a, const reelay_wf_style *b)
{
    return color_eq(&a->color, &b->color) && color_eq(&a->background_color, &b->background_color) &&
           color_eq(&a->border_color, &b->border_color) && str_eq(a->background_image, b->background_image) &&
           a->background_size == b->background_size && length_eq(a->border_width, b->border_width) &&
           length_eq(a->border_radius, b->border_radius) && a->vertical_align == b->vertical_align &&
           a->horizontal_align == b->horizontal_align && length_eq(a->font_size, b->font_size) &&
           str_eq(a->font_family, b->font_family) && length_eq(a->padding_top, b->padding_top) &&
           length_eq(a->padding_bottom, b->padding_bottom) && length_eq(a->padding_left, b->padding_left) &&
           length_eq(a->padding_right, b->padding_right) && a->bar == b->bar;
}

/* rrweb's isNodeMetaEqual compares a node's own attributes, never its
 * children; the wireframe's own fields are what those attributes come from. */
static bool wf_props_equal(const reelay_wireframe *a, const reelay_wireframe *b)
{
    if (a == b) return true;
    if (a->id != b->id || a->type != b->type || !str_eq(a->type_name, b->type_name) || a->x != b->x ||
        a->y != b->y || a->has_width != b->has_width || a->has_height != b->has_height ||
        (a->has_width && a->width != b->width) || (a->has_height && a->height != b->height) ||
        a->width_is_viewport != b->width_is_viewport || !str_eq(a->text, b->text) ||
        !str_eq(a->base64, b->base64) || !str_eq(a->url, b->url) || !str_eq(a->label, b->label) ||
        a->input_type != b->input_type || !str_eq(a->input_type_name, b->input_type_name) ||
        !str_eq(a->value, b->value) || a->has_progress_value != b->has_progress_value ||
        (a->has_progress_value && a->progress_value != b->progress_value) ||
        a->has_progress_max != b->has_progress_max || (a->has_progress_max && a->progress_max != b->progress_max) ||
        a->checked != b->checked || a->disabled != b->disabled || a->option_count != b->option_count)
        return false;
    for (size_t i = 0; i < a->option_count; i++)
        if (!str_eq(a->options ? a->options[i] : NULL, b->options ? b->options[i] : NULL)) return false;
    return style_eq(&a->style, &b->style);
}

static bool is_bar(const reelay_wireframe *wf)
{
    return wf->type == WF_STATUS_BAR || wf->type == WF_NAVIGATION_BAR;
}

static bool positive_integer(bool present, double v)
{
    return present && v > 0 && v == floor(v);
}

static int push_frame(reelay_wf_scene *s, size_t *depth, const reelay_wireframe *wf, uint32_t node, reelay_err *err)
{
    if (!reelay_grow_array((void **)&s->stack, &s->stack_cap, *depth + 1, sizeof *s->stack)) return oom(err);
    s->stack[(*depth)++] = (wf_frame){.wf = wf, .next = 0, .node = node};
    return REELAY_OK;
}

/* Advances a pre-order walk kept on s->stack: the next unvisited child and
 * its parent's frame (valid until the next push), popping finished frames;
 * NULL when the walk is over. */
static const reelay_wireframe *walk_next(reelay_wf_scene *s, size_t *depth, const wf_frame **parent)
{
    while (*depth > 0) {
        wf_frame *f = &s->stack[*depth - 1];
        if (f->next < f->wf->child_count) {
            *parent = f;
            return &f->wf->children[f->next++];
        }
        (*depth)--;
    }
    return NULL;
}

/* ------------------------------------------------------------------------ */
/* Node pool and tree links                                                 */
/* ------------------------------------------------------------------------ */

static void reset_tree(reelay_wf_scene *s, win *w)
{
    s->live_total -= w->live;
    w->live = 0;
    w->used = 0;
    w->free_head = NONE;
    w->first_root = w->last_root = NONE;
    reelay_idmap_clear(&w->ids);
}

/* Resets everything a full snapshot or a rebuild starts from. */
static void reset_window(reelay_wf_scene *s, win *w)
{
    reset_tree(s, w);
    w->has_content = false;
    w->has_meta = false;
    w->meta_w = w->meta_h = 0;
    w->href = NULL;
    w->status_bar = w->navigation_bar = NULL;
    w->nav_bg = NULL;
    memset(&w->keyboard, 0, sizeof w->keyboard);
    w->applied_end = 0;
}

static int node_new(reelay_wf_scene *s, win *w, const reelay_wireframe *wf, uint32_t *out, reelay_err *err)
{
    if (s->live_total >= s->node_limit)
        return reelay_err_set(err, REELAY_E_INPUT,
                              "wireframe scene: more than %zu live wireframe nodes at once (the recording "
                              "keeps adding nodes without removing them; raise --max-wireframes)",
                              s->node_limit);
    uint32_t i;
    if (w->free_head != NONE) {
        i = w->free_head;
        w->free_head = w->nodes[i].next_sibling;
    } else {
        if (w->used == w->cap) {
            if (w->cap >= MAX_POOL) return reelay_err_set(err, REELAY_E_INPUT, "wireframe scene: node pool full");
            size_t limit = s->node_limit < MAX_POOL ? s->node_limit : MAX_POOL;
            size_t cap = w->cap ? (size_t)w->cap * 2 : 64;
            if (cap > limit) cap = limit;
            if (cap <= w->cap) cap = (size_t)w->cap + 1;
            reelay_scene_node *p = realloc(w->nodes, cap * sizeof *p);
            if (!p) return oom(err);
            w->nodes = p;
            w->cap = (uint32_t)cap;
        }
        i = w->used++;
    }
    w->nodes[i] = (reelay_scene_node){
        .id = wf->id,
        .wf = wf,
        .parent = NONE,
        .first_child = NONE,
        .last_child = NONE,
        .next_sibling = NONE,
        .prev_sibling = NONE,
    };
    w->live++;
    s->live_total++;
    *out = i;
    return REELAY_OK;
}

static void detach(win *w, uint32_t i)
{
    reelay_scene_node *n = &w->nodes[i];
    uint32_t p = n->parent;
    if (n->prev_sibling != NONE)
        w->nodes[n->prev_sibling].next_sibling = n->next_sibling;
    else if (p != NONE)
        w->nodes[p].first_child = n->next_sibling;
    else
        w->first_root = n->next_sibling;
    if (n->next_sibling != NONE)
        w->nodes[n->next_sibling].prev_sibling = n->prev_sibling;
    else if (p != NONE)
        w->nodes[p].last_child = n->prev_sibling;
    else
        w->last_root = n->prev_sibling;
    n->parent = n->prev_sibling = n->next_sibling = NONE;
}

/* Appends i as the last child of parent (NONE = top level). */
static void append(win *w, uint32_t parent, uint32_t i)
{
    uint32_t *first = parent == NONE ? &w->first_root : &w->nodes[parent].first_child;
    uint32_t *last = parent == NONE ? &w->last_root : &w->nodes[parent].last_child;
    reelay_scene_node *n = &w->nodes[i];
    n->parent = parent;
    n->prev_sibling = *last;
    n->next_sibling = NONE;
    if (*last != NONE)
        w->nodes[*last].next_sibling = i;
    else
        *first = i;
    *last = i;
}

/* Pre-order successor of i, staying inside the subtree rooted at top. */
static uint32_t next_in_subtree(const win *w, uint32_t i, uint32_t top)
{
    if (w->nodes[i].first_child != NONE) return w->nodes[i].first_child;
    while (i != top) {
        if (w->nodes[i].next_sibling != NONE) return w->nodes[i].next_sibling;
        i = w->nodes[i].parent;
    }
    return NONE;
}

/* rrweb's removeNodeFromMap: deletes the id of every node of the subtree,
 * whichever node that id currently points at. */
static void unmap_subtree(win *w, uint32_t top)
{
    for (uint32_t i = top; i != NONE; i = next_in_subtree(w, i, top)) reelay_idmap_remove(&w->ids, w->nodes[i].id);
}

/* Frees a subtree (already unmapped) into the free list, children first. */
static void free_subtree(reelay_wf_scene *s, win *w, uint32_t top)
{
    detach(w, top);
    uint32_t i = top;
    for (;;) {
        while (w->nodes[i].first_child != NONE) i = w->nodes[i].first_child;
        uint32_t parent = w->nodes[i].parent, next = w->nodes[i].next_sibling;
        bool last = i == top;
        w->nodes[i].wf = NULL;
        w->nodes[i].next_sibling = w->free_head;
        w->free_head = i;
        w->live--;
        s->live_total--;
        if (last) break;
        if (next != NONE) {
            w->nodes[parent].first_child = next;
            w->nodes[next].prev_sibling = NONE;
            i = next;
        } else {
            w->nodes[parent].first_child = w->nodes[parent].last_child = NONE;
            i = parent;
        }
    }
}

static bool is_ancestor_or_self(const win *w, uint32_t a, uint32_t i)
{
    for (; i != NONE; i = w->nodes[i].parent)
        if (i == a) return true;
    return false;
}

/* The node a mutation's parentId names: a mapped wireframe, or <body>
 * (*out = NONE, the top level). False when unknown. */
static bool resolve_parent(const win *w, int64_t parent_id, bool has_parent, uint32_t *out)
{
    if (!has_parent) return false;
    if (reelay_idmap_get(&w->ids, parent_id, out)) return true;
    if (parent_id == BODY_ID) {
        *out = NONE;
        return true;
    }
    return false;
}

/* Adds wf (without its children) as the last child of parent, or moves the
 * node already mapped to its id when nothing about it changed (see top).
 * *out = the node, NONE when the add was refused; *reused says it moved. */
static int place(reelay_wf_scene *s, win *w, const reelay_wireframe *wf, uint32_t parent, uint32_t *out,
                 bool *reused, reelay_err *err)
{
    *out = NONE;
    *reused = false;
    uint32_t e;
    if (reelay_idmap_get(&w->ids, wf->id, &e) && wf_props_equal(w->nodes[e].wf, wf)) {
        if (is_ancestor_or_self(w, e, parent)) return REELAY_OK;
        detach(w, e);
        append(w, parent, e);
        w->nodes[e].wf = wf;
        *out = e;
        *reused = true;
        return REELAY_OK;
    }
    uint32_t n = NONE;
    int rc = node_new(s, w, wf, &n, err);
    if (rc) return rc;
    append(w, parent, n);
    if (reelay_idmap_put(&w->ids, wf->id, n) != 0) return oom(err);
    *out = n;
    return REELAY_OK;
}

/* ------------------------------------------------------------------------ */
/* Bars and the remembered navigation background                            */
/* ------------------------------------------------------------------------ */

/* TX stripBarsFromWireframes: within one top-level wireframe the first bar of
 * each kind found depth-first wins; across top-level wireframes the last. */
static int lift_bars(reelay_wf_scene *s, const reelay_wireframe *wfs, size_t count, const reelay_wireframe **status,
                     const reelay_wireframe **nav, reelay_err *err)
{
    *status = *nav = NULL;
    for (size_t t = 0; t < count; t++) {
        const reelay_wireframe *sb = NULL, *nb = NULL;
        size_t depth = 0;
        if (is_bar(&wfs[t])) {
            if (wfs[t].type == WF_STATUS_BAR)
                sb = &wfs[t];
            else
                nb = &wfs[t];
        } else if (push_frame(s, &depth, &wfs[t], NONE, err) != REELAY_OK) {
            return REELAY_E_INTERNAL;
        }
        const wf_frame *parent;
        for (const reelay_wireframe *c; (c = walk_next(s, &depth, &parent)) != NULL;) {
            if (c->type == WF_STATUS_BAR) {
                if (!sb) sb = c;
            } else if (c->type == WF_NAVIGATION_BAR) {
                if (!nb) nb = c;
            } else if (c->child_count && push_frame(s, &depth, c, NONE, err) != REELAY_OK) {
                return REELAY_E_INTERNAL;
            }
        }
        if (sb) *status = sb;
        if (nb) *nav = nb;
    }
    return REELAY_OK;
}

static const reelay_color *nav_background(const reelay_wireframe *nav, const reelay_color *current)
{
    return nav && nav->style.background_color.set ? &nav->style.background_color : current;
}

/* The transformer converts children before their parent, so within one
 * subtree the navigation bar converted last is the last in post-order. */
static int nav_in_subtree(reelay_wf_scene *s, const reelay_wireframe *top, const reelay_color **nav, reelay_err *err)
{
    size_t depth = 0;
    if (push_frame(s, &depth, top, NONE, err) != REELAY_OK) return REELAY_E_INTERNAL;
    while (depth > 0) {
        wf_frame *f = &s->stack[depth - 1];
        if (f->next < f->wf->child_count) {
            const reelay_wireframe *c = &f->wf->children[f->next++];
            if (push_frame(s, &depth, c, NONE, err) != REELAY_OK) return REELAY_E_INTERNAL;
            continue;
        }
        if (f->wf->type == WF_NAVIGATION_BAR) *nav = nav_background(f->wf, *nav);
        depth--;
    }
    return REELAY_OK;
}

/* The remembered navigation background after the transformer has seen ev. */
static int nav_after(reelay_wf_scene *s, const reelay_event *ev, const reelay_color **nav, reelay_err *err)
{
    if (!ev->mobile) return REELAY_OK;
    if (ev->kind == EV_FULL_SNAPSHOT) {
        const reelay_wireframe *sb, *nb;
        int rc = lift_bars(s, ev->u.full.wireframes, ev->u.full.wireframe_count, &sb, &nb, err);
        if (rc) return rc;
        *nav = nav_background(nb, *nav);
    } else if (ev->kind == EV_MUTATION) {
        for (size_t i = 0; i < ev->u.mutation.add_count; i++) {
            int rc = nav_in_subtree(s, &ev->u.mutation.adds[i].wireframe, nav, err);
            if (rc) return rc;
        }
        for (size_t i = 0; i < ev->u.mutation.update_count; i++) {
            int rc = nav_in_subtree(s, &ev->u.mutation.updates[i].wireframe, nav, err);
            if (rc) return rc;
        }
    }
    return REELAY_OK;
}

/* ------------------------------------------------------------------------ */
/* Full snapshots                                                           */
/* ------------------------------------------------------------------------ */

/* Builds one top-level wireframe's subtree structurally, as rrweb's rebuild
 * does, leaving every bar (and its children) out. */
static int build_subtree(reelay_wf_scene *s, win *w, const reelay_wireframe *top, reelay_err *err)
{
    uint32_t n;
    bool reused;
    int rc = place(s, w, top, NONE, &n, &reused, err);
    if (rc || n == NONE || reused) return rc;
    size_t depth = 0;
    if (push_frame(s, &depth, top, n, err) != REELAY_OK) return REELAY_E_INTERNAL;
    const wf_frame *parent;
    for (const reelay_wireframe *c; (c = walk_next(s, &depth, &parent)) != NULL;) {
        if (is_bar(c)) continue;
        rc = place(s, w, c, parent->node, &n, &reused, err);
        if (rc) return rc;
        /* A reused node keeps its children: rrweb returns it before building any. */
        if (n != NONE && !reused && c->child_count && push_frame(s, &depth, c, n, err) != REELAY_OK)
            return REELAY_E_INTERNAL;
    }
    return REELAY_OK;
}

static int apply_full_snapshot(reelay_wf_scene *s, win *w, const reelay_event *ev, reelay_err *err)
{
    reset_tree(s, w);
    memset(&w->keyboard, 0, sizeof w->keyboard);
    w->has_content = true;
    int rc = lift_bars(s, ev->u.full.wireframes, ev->u.full.wireframe_count, &w->status_bar, &w->navigation_bar, err);
    for (size_t t = 0; t < ev->u.full.wireframe_count && !rc; t++)
        if (!is_bar(&ev->u.full.wireframes[t])) rc = build_subtree(s, w, &ev->u.full.wireframes[t], err);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Mutations                                                                */
/* ------------------------------------------------------------------------ */

/* TX chooseParentId: screenshots always go to <body>. */
static void entry_parent(const reelay_wf_mutation_node *m, int64_t *parent_id, bool *has_parent)
{
    bool shot = m->wireframe.type == WF_SCREENSHOT;
    *parent_id = shot ? BODY_ID : m->parent_id;
    *has_parent = shot || m->has_parent_id;
}

/* Appends the transformer's flattened adds for one add/update entry: the
 * wireframe, then each descendant in pre-order with its parent's id. Bars
 * are converted without their children. */
static int flatten(reelay_wf_scene *s, const reelay_wf_mutation_node *m, size_t *count, size_t limit,
                   reelay_err *err)
{
    flat_add first = {.wf = &m->wireframe};
    entry_parent(m, &first.parent_id, &first.has_parent);
    if (*count >= limit) return REELAY_OK;
    if (!reelay_grow_array((void **)&s->adds, &s->add_cap, *count + 1, sizeof *s->adds)) return oom(err);
    s->adds[(*count)++] = first;
    if (is_bar(&m->wireframe) || !m->wireframe.child_count) return REELAY_OK;
    size_t depth = 0;
    if (push_frame(s, &depth, &m->wireframe, NONE, err) != REELAY_OK) return REELAY_E_INTERNAL;
    const wf_frame *parent;
    for (const reelay_wireframe *c; *count < limit && (c = walk_next(s, &depth, &parent)) != NULL;) {
        if (!reelay_grow_array((void **)&s->adds, &s->add_cap, *count + 1, sizeof *s->adds)) return oom(err);
        s->adds[(*count)++] = (flat_add){.wf = c, .parent_id = parent->wf->id, .has_parent = true};
        if (!is_bar(c) && c->child_count && push_frame(s, &depth, c, NONE, err) != REELAY_OK)
            return REELAY_E_INTERNAL;
    }
    return REELAY_OK;
}

/* Adds first, then the adds of updates (TX makeIncrementalEvent order). */
static int flatten_event(reelay_wf_scene *s, const reelay_event *ev, size_t limit, size_t *count, reelay_err *err)
{
    *count = 0;
    for (size_t i = 0; i < ev->u.mutation.add_count && *count < limit; i++) {
        int rc = flatten(s, &ev->u.mutation.adds[i], count, limit, err);
        if (rc) return rc;
    }
    for (size_t i = 0; i < ev->u.mutation.update_count && *count < limit; i++) {
        int rc = flatten(s, &ev->u.mutation.updates[i], count, limit, err);
        if (rc) return rc;
    }
    return REELAY_OK;
}

/* PROC's screenshot check: an image (image or screenshot wireframe with a
 * picture and a size) among the first three flattened adds. */
static int synth_image(reelay_wf_scene *s, const reelay_event *ev, const reelay_wireframe **out, reelay_err *err)
{
    *out = NULL;
    if (ev->kind != EV_MUTATION || !ev->mobile) return REELAY_OK;
    size_t count;
    int rc = flatten_event(s, ev, 3, &count, err);
    if (rc) return rc;
    for (size_t i = 0; i < count; i++) {
        const reelay_wireframe *wf = s->adds[i].wf;
        if ((wf->type == WF_SCREENSHOT || wf->type == WF_IMAGE) && wf->base64 && wf->has_width && wf->has_height &&
            wf->width > 0 && wf->height > 0) {
            *out = wf;
            break;
        }
    }
    return REELAY_OK;
}

static void apply_remove(reelay_wf_scene *s, win *w, int64_t parent_id, bool has_parent, int64_t id)
{
    uint32_t target, parent;
    if (!reelay_idmap_get(&w->ids, id, &target)) return;
    if (!resolve_parent(w, parent_id, has_parent, &parent)) return;
    unmap_subtree(w, target);
    if (w->nodes[target].parent == parent) free_subtree(s, w, target);
}

/* rrweb retries adds whose parent was missing once the first pass is over:
 * the queued adds form trees by parent id; a tree whose root's parent now
 * exists is applied root first, the rest is dropped. The k pending adds are
 * s->adds[0, k). Linear in k, whatever order they came in. */
static int apply_pending(reelay_wf_scene *s, win *w, size_t k, reelay_err *err)
{
    if (k == 0) return REELAY_OK;
    if (k >= MAX_POOL) return reelay_err_set(err, REELAY_E_INPUT, "wireframe scene: mutation too large");
    if (!reelay_grow_array((void **)&s->pend, &s->pend_cap, k, sizeof *s->pend)) return oom(err);
    pending_link *link = s->pend;
    reelay_idmap_clear(&s->pend_ids);
    for (size_t i = 0; i < k; i++) {
        link[i] = (pending_link){.parent = NONE, .child = NONE, .next = NONE, .tail = NONE};
        if (!reelay_idmap_get(&s->pend_ids, s->adds[i].wf->id, NULL) &&
            reelay_idmap_put(&s->pend_ids, s->adds[i].wf->id, (uint32_t)i) != 0)
            return oom(err);
    }
    /* Each add hangs under the first queued add its parent id names. */
    for (size_t i = 0; i < k; i++) {
        uint32_t p;
        if (!s->adds[i].has_parent || !reelay_idmap_get(&s->pend_ids, s->adds[i].parent_id, &p) || p == i)
            continue;
        link[i].parent = p;
        if (link[p].tail == NONE)
            link[p].child = (uint32_t)i;
        else
            link[link[p].tail].next = (uint32_t)i;
        link[p].tail = (uint32_t)i;
    }
    /* Roots have no queued parent, so the links below a root form a tree. */
    for (uint32_t r = 0; r < k; r++) {
        uint32_t parent;
        if (link[r].parent != NONE || !resolve_parent(w, s->adds[r].parent_id, s->adds[r].has_parent, &parent))
            continue;
        uint32_t i = r;
        for (;;) {
            if (resolve_parent(w, s->adds[i].parent_id, s->adds[i].has_parent, &parent)) {
                uint32_t n;
                bool reused;
                int rc = place(s, w, s->adds[i].wf, parent, &n, &reused, err);
                if (rc) return rc;
            }
            if (link[i].child != NONE) {
                i = link[i].child;
                continue;
            }
            while (i != r && link[i].next == NONE) i = link[i].parent;
            if (i == r) break;
            i = link[i].next;
        }
    }
    return REELAY_OK;
}

static int apply_mutation(reelay_wf_scene *s, win *w, const reelay_event *ev, reelay_err *err)
{
    if (!ev->mobile) {
        /* A remove-only mobile event reaches rrweb as a plain mutation (§2.3). */
        for (size_t i = 0; i < ev->u.mutation.dom_remove_count; i++)
            apply_remove(s, w, ev->u.mutation.dom_removes[i].parent_id, true, ev->u.mutation.dom_removes[i].id);
        return REELAY_OK;
    }
    for (size_t i = 0; i < ev->u.mutation.remove_count; i++)
        apply_remove(s, w, ev->u.mutation.removes[i].parent_id, true, ev->u.mutation.removes[i].id);
    for (size_t i = 0; i < ev->u.mutation.update_count; i++) {
        int64_t parent_id;
        bool has_parent;
        entry_parent(&ev->u.mutation.updates[i], &parent_id, &has_parent);
        apply_remove(s, w, parent_id, has_parent, ev->u.mutation.updates[i].wireframe.id);
    }
    size_t count;
    int rc = flatten_event(s, ev, SIZE_MAX, &count, err);
    if (rc) return rc;
    size_t pending = 0;
    for (size_t i = 0; i < count; i++) {
        flat_add a = s->adds[i];
        uint32_t parent, n;
        bool reused;
        if (!resolve_parent(w, a.parent_id, a.has_parent, &parent)) {
            s->adds[pending++] = a;
            continue;
        }
        rc = place(s, w, a.wf, parent, &n, &reused, err);
        if (rc) return rc;
    }
    return apply_pending(s, w, pending, err);
}

/* The player's minimal snapshot: <body> holding just the image (§4.9 end). */
static int apply_synth_snapshot(reelay_wf_scene *s, win *w, const reelay_wireframe *image, reelay_err *err)
{
    reset_tree(s, w);
    memset(&w->keyboard, 0, sizeof w->keyboard);
    w->status_bar = w->navigation_bar = NULL;
    w->has_content = true;
    uint32_t n;
    bool reused;
    return place(s, w, image, NONE, &n, &reused, err);
}

/* ------------------------------------------------------------------------ */
/* Events                                                                   */
/* ------------------------------------------------------------------------ */

static bool scene_reads(const reelay_event *ev)
{
    return ev->kind == EV_META || (ev->kind == EV_FULL_SNAPSHOT && ev->mobile) || ev->kind == EV_MUTATION ||
           ev->kind == EV_KEYBOARD;
}

static void apply_keyboard(win *w, const reelay_event *ev)
{
    if (!w->has_content) return;
    reelay_scene_keyboard *k = &w->keyboard;
    memset(k, 0, sizeof *k);
    if (!ev->u.keyboard.open) return;
    k->open = true;
    k->height = ev->u.keyboard.height;
    k->has_x = positive_integer(ev->u.keyboard.has_x, ev->u.keyboard.x);
    k->has_y = positive_integer(ev->u.keyboard.has_y, ev->u.keyboard.y);
    k->has_width = positive_integer(ev->u.keyboard.has_width, ev->u.keyboard.width);
    k->x = k->has_x ? ev->u.keyboard.x : 0;
    k->y = k->has_y ? ev->u.keyboard.y : 0;
    k->width = k->has_width ? ev->u.keyboard.width : 0;
}

static int apply_event(reelay_wf_scene *s, win *w, size_t index, reelay_err *err)
{
    const reelay_event *ev = &s->session->events[index];
    int rc = REELAY_OK;
    w->applied_end = index + 1;
    switch (ev->kind) {
    case EV_META:
        w->has_meta = true;
        w->meta_w = ev->u.meta.width;
        w->meta_h = ev->u.meta.height;
        w->href = ev->u.meta.href;
        break;
    case EV_FULL_SNAPSHOT:
        if (ev->mobile) rc = apply_full_snapshot(s, w, ev, err);
        break;
    case EV_MUTATION:
        if (!w->has_content) {
            const reelay_wireframe *image;
            rc = synth_image(s, ev, &image, err);
            if (rc || !image) break;
            rc = apply_synth_snapshot(s, w, image, err);
            if (rc) break;
        }
        rc = apply_mutation(s, w, ev, err);
        break;
    case EV_KEYBOARD: apply_keyboard(w, ev); break;
    default: break;
    }
    if (!rc) rc = nav_after(s, ev, &w->nav_bg, err);
    return rc;
}

/* Brings one window to "events [0, cursor) applied" from its last rebuild
 * point before cursor. */
static int rebuild_window(reelay_wf_scene *s, win *w, size_t cursor, reelay_err *err)
{
    reset_window(s, w);
    size_t lo = 0, hi = w->point_count; /* first point at or after cursor */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (w->evs[w->points[mid].pos] < cursor)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t pos = 0;
    if (lo > 0) {
        const rebuild_point *p = &w->points[lo - 1];
        pos = p->pos;
        w->nav_bg = p->nav_before;
        if (p->meta_ev != SIZE_MAX) {
            const reelay_event *meta = &s->session->events[p->meta_ev];
            w->has_meta = true;
            w->meta_w = meta->u.meta.width;
            w->meta_h = meta->u.meta.height;
            w->href = meta->u.meta.href;
        }
    }
    for (; pos < w->ev_count && w->evs[pos] < cursor; pos++) {
        int rc = apply_event(s, w, w->evs[pos], err);
        if (rc) return rc;
    }
    return REELAY_OK;
}

/* ------------------------------------------------------------------------ */
/* Index built at creation                                                  */
/* ------------------------------------------------------------------------ */

static void set_fallback(win *w, const reelay_event *ev, const reelay_wireframe *image)
{
    const reelay_wireframe *first = image;
    for (size_t t = 0; !first && ev->kind == EV_FULL_SNAPSHOT && t < ev->u.full.wireframe_count; t++)
        if (!is_bar(&ev->u.full.wireframes[t])) first = &ev->u.full.wireframes[t];
    if (first && first->has_width && first->has_height && !first->width_is_viewport && first->width > 0 &&
        first->height > 0) {
        w->has_fallback = true;
        w->fallback_w = first->width;
        w->fallback_h = first->height;
    }
}

static int record_shown(reelay_wf_scene *s, size_t cursor, uint32_t window)
{
    uint32_t current = s->shown_count ? s->shown[s->shown_count - 1].window : s->initial_window;
    if (current == window) return 0;
    if (!reelay_grow_array((void **)&s->shown, &s->shown_cap, s->shown_count + 1, sizeof *s->shown)) return -1;
    s->shown[s->shown_count++] = (shown_change){.cursor = cursor, .window = window};
    return 0;
}

/* One pass over the session: per window the events the scene reads and its
 * rebuild points, and which window is on screen after each event — the
 * window of the latest active event among windows with content, else the
 * first window that got content. */
static int build_index(reelay_wf_scene *s, reelay_err *err)
{
    const reelay_session *ses = s->session;
    size_t n = s->win_count;
    size_t *last_meta = malloc((n ? n : 1) * sizeof *last_meta);
    size_t *last_active = malloc((n ? n : 1) * sizeof *last_active);
    const reelay_color **nav = calloc(n ? n : 1, sizeof *nav);
    bool *content = calloc(n ? n : 1, sizeof *content);
    int rc = REELAY_OK;
    if (!last_meta || !last_active || !nav || !content) {
        rc = oom(err);
        goto out;
    }
    for (size_t i = 0; i < n; i++) last_meta[i] = last_active[i] = SIZE_MAX;
    size_t chosen = SIZE_MAX, chosen_ev = 0, fallback = SIZE_MAX;

    /* The window shown before anything happened: the first to get content. */
    s->initial_window = 0;
    for (size_t i = 0; i < ses->event_count; i++) {
        const reelay_event *ev = &ses->events[i];
        if (ev->window < n && ev->kind == EV_FULL_SNAPSHOT && ev->mobile) {
            s->initial_window = ev->window;
            break;
        }
    }

    for (size_t i = 0; i < ses->event_count && !rc; i++) {
        const reelay_event *ev = &ses->events[i];
        if (ev->window >= n) continue;
        uint32_t wi = ev->window;
        win *w = &s->wins[wi];
        if (scene_reads(ev)) {
            if (!reelay_grow_array((void **)&w->evs, &w->ev_cap, w->ev_count + 1, sizeof *w->evs)) {
                rc = oom(err);
                break;
            }
            w->evs[w->ev_count++] = i;
            const reelay_wireframe *image = NULL;
            bool point = ev->kind == EV_FULL_SNAPSHOT && ev->mobile;
            if (!point && !content[wi] && ev->kind == EV_MUTATION) {
                rc = synth_image(s, ev, &image, err);
                if (rc) break;
                point = image != NULL;
            }
            if (point) {
                if (!reelay_grow_array((void **)&w->points, &w->point_cap, w->point_count + 1, sizeof *w->points)) {
                    rc = oom(err);
                    break;
                }
                w->points[w->point_count++] =
                    (rebuild_point){.pos = w->ev_count - 1, .meta_ev = last_meta[wi], .nav_before = nav[wi]};
                if (!content[wi]) {
                    set_fallback(w, ev, image);
                    content[wi] = true;
                    if (fallback == SIZE_MAX) fallback = wi;
                    if (last_active[wi] != SIZE_MAX && (chosen == SIZE_MAX || last_active[wi] > chosen_ev)) {
                        chosen = wi;
                        chosen_ev = last_active[wi];
                    }
                }
            }
            if (ev->kind == EV_META) last_meta[wi] = i;
            rc = nav_after(s, ev, &nav[wi], err);
            if (rc) break;
        }
        if (ev->active) {
            last_active[wi] = i;
            if (content[wi]) {
                chosen = wi;
                chosen_ev = i;
            }
        }
        size_t shown = chosen != SIZE_MAX ? chosen : fallback != SIZE_MAX ? fallback : s->initial_window;
        if (record_shown(s, i + 1, (uint32_t)shown) != 0) rc = oom(err);
    }
out:
    free(last_meta);
    free(last_active);
    free(nav);
    free(content);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Public API                                                               */
/* ------------------------------------------------------------------------ */

void reelay_wf_scene_free(reelay_wf_scene *scene)
{
    if (!scene) return;
    for (size_t i = 0; i < scene->win_count; i++) {
        win *w = &scene->wins[i];
        free(w->evs);
        free(w->points);
        free(w->nodes);
        reelay_idmap_free(&w->ids);
    }
    free(scene->wins);
    free(scene->shown);
    free(scene->stack);
    free(scene->adds);
    free(scene->pend);
    reelay_idmap_free(&scene->pend_ids);
    free(scene);
}

reelay_wf_scene *reelay_wf_scene_new(const reelay_session *session)
{
    if (!session || session->event_count >= SIZE_MAX / 2 || session->window_count > UINT32_MAX) return NULL;
    reelay_wf_scene *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->session = session;
    s->node_limit = REELAY_SCENE_MAX_NODES;
    reelay_idmap_init(&s->pend_ids);
    s->win_count = session->window_count;
    s->wins = calloc(s->win_count ? s->win_count : 1, sizeof *s->wins);
    if (!s->wins) {
        free(s);
        return NULL;
    }
    for (size_t i = 0; i < s->win_count; i++) {
        reelay_idmap_init(&s->wins[i].ids);
        reset_window(s, &s->wins[i]);
    }
    reelay_err err;
    reelay_err_clear(&err);
    if (build_index(s, &err) != REELAY_OK) {
        reelay_wf_scene_free(s);
        return NULL;
    }
    return s;
}

void reelay_wf_scene_set_node_limit(reelay_wf_scene *scene, size_t limit)
{
    if (scene) scene->node_limit = limit;
}

static uint32_t shown_window(const reelay_wf_scene *s)
{
    size_t lo = 0, hi = s->shown_count; /* first change after the cursor */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->shown[mid].cursor <= s->cursor)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? s->shown[lo - 1].window : s->initial_window;
}

int reelay_wf_scene_seek(reelay_wf_scene *scene, double ts, bool *changed, reelay_err *err)
{
    if (changed) *changed = false;
    if (!scene) return reelay_err_set(err, REELAY_E_INTERNAL, "wireframe scene: no scene");
    if (isnan(ts)) return reelay_err_set(err, REELAY_E_USAGE, "wireframe scene: seek time is not a number");
    const reelay_session *ses = scene->session;
    size_t lo = 0, hi = ses->event_count; /* first event after ts */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ses->events[mid].timestamp <= ts)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t target = lo;
    double minute = floor(ts / 60000.0);
    bool moved = !scene->seeked || scene->broken || target != scene->cursor;
    int rc = REELAY_OK;
    if (scene->broken || target < scene->cursor) {
        /* Only windows with an applied event at or after target are stale. */
        for (size_t i = 0; i < scene->win_count && !rc; i++)
            if (scene->broken || scene->wins[i].applied_end > target)
                rc = rebuild_window(scene, &scene->wins[i], target, err);
    } else {
        for (size_t i = scene->cursor; i < target && !rc; i++) {
            const reelay_event *ev = &ses->events[i];
            if (ev->window < scene->win_count && scene_reads(ev))
                rc = apply_event(scene, &scene->wins[ev->window], i, err);
        }
    }
    if (rc) {
        /* Half-applied: the next seek rebuilds every window from its index. */
        scene->broken = true;
        return rc;
    }
    scene->broken = false;
    scene->cursor = target;
    scene->ts = ts;
    uint32_t shown = shown_window(scene);
    bool clock = scene->seeked && shown < scene->win_count && scene->wins[shown].status_bar &&
                 minute != scene->minute;
    scene->minute = minute;
    scene->seeked = true;
    if (changed) *changed = moved || clock;
    return REELAY_OK;
}

void reelay_wf_scene_view(const reelay_wf_scene *scene, reelay_wf_view *view)
{
    memset(view, 0, sizeof *view);
    view->first_root = NONE;
    if (!scene) return;
    view->timestamp = scene->ts;
    uint32_t shown = shown_window(scene);
    view->window = shown;
    if (shown >= scene->win_count) return;
    const win *w = &scene->wins[shown];
    view->has_content = w->has_content;
    if (w->has_meta) {
        view->width = w->meta_w;
        view->height = w->meta_h;
    } else if (w->has_content && w->has_fallback) {
        view->width = w->fallback_w;
        view->height = w->fallback_h;
    }
    view->screen_name = w->href;
    view->nodes = w->nodes;
    view->first_root = w->first_root;
    view->status_bar = w->status_bar;
    view->navigation_bar = w->navigation_bar;
    view->navigation_background = w->nav_bg;
    view->keyboard = w->keyboard;
}

size_t reelay_wf_scene_node_count(const reelay_wf_scene *scene)
{
    if (!scene) return 0;
    uint32_t shown = shown_window(scene);
    return shown < scene->win_count ? scene->wins[shown].live : 0;
}
