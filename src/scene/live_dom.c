/* live_dom.c — a web window's DOM through its events (contract in
 * live_dom.h). */
#include "scene/live_dom.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

#define NIL REELAY_LIVE_NIL

void reelay_live_dom_init(reelay_live_dom *d)
{
    memset(d, 0, sizeof *d);
    reelay_idmap_init(&d->ids);
    reelay_idmap_init(&d->pend);
    d->free_head = NIL;
    d->doc_id = 1;
    d->title_id = -1;
}

void reelay_live_dom_release(reelay_live_dom *d)
{
    free(d->v);
    reelay_idmap_free(&d->ids);
    free(d->scratch);
    free(d->pend_next);
    free(d->pend_tail);
    free(d->work);
    reelay_idmap_free(&d->pend);
    memset(d, 0, sizeof *d);
}

static void dom_reset(reelay_live_dom *d)
{
    d->n = 0;
    d->free_head = NIL;
    reelay_idmap_clear(&d->ids);
    d->title_id = -1;
}

bool reelay_live_dom_find(const reelay_live_dom *d, int64_t id, uint32_t *slot)
{
    return reelay_idmap_get(&d->ids, id, slot);
}

bool reelay_live_dom_holds(const reelay_live_dom *d, uint32_t slot, uint64_t serial)
{
    return serial != 0 && slot < d->n && d->v[slot].serial == serial;
}

static uint32_t dom_alloc(reelay_live_dom *d)
{
    uint32_t i;
    if (d->free_head != NIL) {
        i = d->free_head;
        d->free_head = d->v[i].next;
    } else {
        if (d->n == d->cap) {
            if (d->cap >= (NIL - 1) / 2) return NIL;
            uint32_t cap = d->cap ? d->cap * 2 : 256;
            reelay_live_node *p = realloc(d->v, (size_t)cap * sizeof *p);
            if (!p) return NIL;
            d->v = p;
            d->cap = cap;
        }
        i = d->n++;
    }
    memset(&d->v[i], 0, sizeof d->v[i]);
    d->v[i].parent = d->v[i].first = d->v[i].last = d->v[i].prev = d->v[i].next = NIL;
    d->v[i].serial = ++d->serials;
    return i;
}

static void dom_unlink(reelay_live_dom *d, uint32_t i)
{
    reelay_live_node *x = &d->v[i];
    if (x->parent != NIL) {
        reelay_live_node *p = &d->v[x->parent];
        if (p->first == i) p->first = x->next;
        if (p->last == i) p->last = x->prev;
    }
    if (x->prev != NIL) d->v[x->prev].next = x->next;
    if (x->next != NIL) d->v[x->next].prev = x->prev;
    x->parent = x->prev = x->next = NIL;
}

/* Links i under parent, before `before` (a child of parent) or last. */
static void dom_link(reelay_live_dom *d, uint32_t i, uint32_t parent, uint32_t before)
{
    reelay_live_node *x = &d->v[i];
    x->parent = parent;
    if (parent == NIL) return;
    reelay_live_node *p = &d->v[parent];
    if (before == NIL) {
        x->prev = p->last;
        if (p->last != NIL) d->v[p->last].next = i;
        p->last = i;
        if (p->first == NIL) p->first = i;
        return;
    }
    reelay_live_node *b = &d->v[before];
    x->next = before;
    x->prev = b->prev;
    if (b->prev != NIL) d->v[b->prev].next = i;
    b->prev = i;
    if (p->first == before) p->first = i;
}

/* The node after i in a pre-order walk of root's subtree (children skipped
 * when skip_children), or NIL at the end. */
uint32_t reelay_live_dom_preorder_next(const reelay_live_dom *d, uint32_t i, uint32_t root, bool skip_children)
{
    if (!skip_children && d->v[i].first != NIL) return d->v[i].first;
    while (i != root) {
        if (d->v[i].next != NIL) return d->v[i].next;
        i = d->v[i].parent;
        if (i == NIL) return NIL;
    }
    return NIL;
}

/* Detaches root's subtree, unmaps its ids (where they still point at it)
 * and frees its slots. */
static int dom_remove(reelay_live_dom *d, uint32_t root)
{
    size_t n = 0;
    for (uint32_t i = root; i != NIL; i = reelay_live_dom_preorder_next(d, i, root, false)) {
        if (!reelay_grow_array((void **)&d->scratch, &d->scratch_cap, n + 1, sizeof *d->scratch)) return -1;
        d->scratch[n++] = i;
    }
    dom_unlink(d, root);
    for (size_t k = 0; k < n; k++) {
        uint32_t i = d->scratch[k], mapped;
        if (reelay_live_dom_find(d, d->v[i].n.id, &mapped) && mapped == i) reelay_idmap_remove(&d->ids, d->v[i].n.id);
        d->v[i].n.type = DOM_COMMENT; /* nothing reads a freed slot, but be safe */
        d->v[i].serial = 0;
        d->v[i].next = d->free_head;
        d->free_head = i;
    }
    return 0;
}

/* True when i is anc or inside it (or too deep to tell: the safe answer). */
static bool dom_inside(const reelay_live_dom *d, uint32_t i, uint32_t anc)
{
    for (int k = 0; k < REELAY_LIVE_INSIDE_MAX && i != NIL; k++) {
        if (i == anc) return true;
        i = d->v[i].parent;
    }
    return i != NIL;
}

/* Inserts a node record under the live node its parent_id names (or as a
 * root when parentless). Returns 1 when the parent is not live (the caller
 * defers or drops it), 0 when inserted, -1 when out of memory. */
static int dom_insert(reelay_live_dom *d, const reelay_dom_node *src, bool parentless)
{
    uint32_t parent = NIL;
    if (!parentless && !reelay_live_dom_find(d, src->parent_id, &parent)) return 1;
    uint32_t old;
    if (reelay_live_dom_find(d, src->id, &old)) {
        /* rrweb moves a node that is added again; moving it inside itself is
         * refused, so then the old node only loses its id. */
        if (parent != NIL && dom_inside(d, parent, old)) {
            reelay_idmap_remove(&d->ids, src->id);
        } else if (dom_remove(d, old) != 0) {
            return -1;
        }
    }
    uint32_t i = dom_alloc(d);
    if (i == NIL) return -1;
    d->v[i].n = *src;
    if (src->type == DOM_TEXT && parent != NIL &&
        (reelay_dom_is_tag(&d->v[parent].n, "style") || reelay_dom_is_tag(&d->v[parent].n, "script")))
        d->v[i].n.is_style_text = true;
    uint32_t before = NIL;
    if (parent != NIL && src->next_id != -1 && src->next_id != src->id &&
        reelay_live_dom_find(d, src->next_id, &before) && d->v[before].parent != parent)
        before = NIL;
    dom_link(d, i, parent, before);
    if (reelay_idmap_put(&d->ids, src->id, i) != 0) return -1;
    return 0;
}

/* True when slot i is part of the top-level document: not inside an
 * iframe's document (a document node with a parent) nor a shadow tree.
 * Only such a <title> names the tab; a frame's title names the frame. */
static bool dom_in_top_document(const reelay_live_dom *d, uint32_t i)
{
    for (int k = 0; k < REELAY_LIVE_INSIDE_MAX && i != NIL; k++) {
        const reelay_live_node *x = &d->v[i];
        if (x->n.is_shadow || (x->n.type == DOM_DOCUMENT && x->parent != NIL)) return false;
        i = x->parent;
    }
    return i == NIL;
}

/* Whether the node record src, just inserted, is the document's title
 * element: an HTML <title> of the top-level document. */
static bool is_document_title(const reelay_live_dom *d, const reelay_dom_node *src)
{
    uint32_t slot;
    return reelay_dom_is_tag(src, "title") && !src->is_svg && reelay_live_dom_find(d, src->id, &slot) &&
           d->v[slot].n.type == DOM_ELEMENT && dom_in_top_document(d, slot);
}

int reelay_live_dom_snapshot(reelay_live_dom *d, const reelay_dom_tree *tree)
{
    dom_reset(d);
    d->doc_id = tree->count && tree->nodes[0].type == DOM_DOCUMENT ? tree->nodes[0].id : 1;
    for (size_t k = 0; k < tree->count; k++) {
        const reelay_dom_node *src = &tree->nodes[k];
        int rc = dom_insert(d, src, src->parent_id == -1);
        if (rc == 1) rc = dom_insert(d, src, true); /* pre-order: cannot happen in a sound snapshot */
        if (rc < 0) return -1;
        if (d->title_id == -1 && is_document_title(d, src)) d->title_id = src->id;
    }
    return 0;
}

/* Applies one web mutation in rrweb's order: removes, adds, texts,
 * attributes. An add whose parent is not live yet waits for that parent to
 * be added by the same mutation (rrweb's queue); adds still waiting at the
 * end are dropped, as rrweb drops them. */
int reelay_live_dom_mutate(reelay_live_dom *d, const reelay_event *ev)
{
    for (size_t k = 0; k < ev->u.mutation.dom_remove_count; k++) {
        uint32_t i;
        if (reelay_live_dom_find(d, ev->u.mutation.dom_removes[k].id, &i) && dom_remove(d, i) != 0) return -1;
    }

    const reelay_dom_tree *adds = &ev->u.mutation.dom_adds;
    if (adds->count) {
        if (adds->count > d->pend_cap) {
            if (adds->count > SIZE_MAX / sizeof(size_t)) return -1;
            size_t *next = realloc(d->pend_next, adds->count * sizeof *next);
            if (next) d->pend_next = next;
            size_t *tails = realloc(d->pend_tail, adds->count * sizeof *tails);
            if (tails) d->pend_tail = tails;
            size_t *work = realloc(d->work, adds->count * sizeof *work);
            if (work) d->work = work;
            if (!next || !tails || !work) return -1;
            d->pend_cap = adds->count;
        }
        /* Adds still waiting from the last mutation were dropped; most
         * mutations leave none, so this rarely costs a clear. */
        if (d->pend.count) reelay_idmap_clear(&d->pend);
        for (size_t k = 0; k < adds->count; k++) {
            const reelay_dom_node *src = &adds->nodes[k];
            int rc = dom_insert(d, src, false);
            if (rc < 0) return -1;
            if (rc == 1) {
                /* Wait for the parent: append to its chain. */
                uint32_t head;
                d->pend_next[k] = SIZE_MAX;
                if (reelay_idmap_get(&d->pend, src->parent_id, &head)) {
                    d->pend_next[d->pend_tail[head]] = k;
                    d->pend_tail[head] = k;
                } else {
                    if (k > UINT32_MAX - 1 || reelay_idmap_put(&d->pend, src->parent_id, (uint32_t)k) != 0)
                        return -1;
                    d->pend_tail[k] = k;
                }
                continue;
            }
            /* Inserted: release whatever waited for it (and for those). Each
             * add enters the work list at most once. */
            size_t top = 0;
            d->work[top++] = k;
            while (top) {
                size_t done = d->work[--top];
                uint32_t head;
                int64_t pid = adds->nodes[done].id;
                if (!reelay_idmap_get(&d->pend, pid, &head)) continue;
                reelay_idmap_remove(&d->pend, pid);
                for (size_t j = head; j != SIZE_MAX; j = d->pend_next[j]) {
                    int r = dom_insert(d, &adds->nodes[j], false);
                    if (r < 0) return -1;
                    if (r == 0) d->work[top++] = j;
                }
            }
        }
    }

    for (size_t k = 0; k < ev->u.mutation.text_count; k++) {
        uint32_t i;
        const reelay_dom_text_change *t = &ev->u.mutation.texts[k];
        if (reelay_live_dom_find(d, t->id, &i)) d->v[i].n.text = t->value ? t->value : "";
    }
    for (size_t k = 0; k < ev->u.mutation.attribute_count; k++) {
        uint32_t i;
        const reelay_dom_attr_change *a = &ev->u.mutation.attributes[k];
        if (!a->name || !reelay_live_dom_find(d, a->id, &i)) continue;
        reelay_dom_node *n = &d->v[i].n;
        const char **slot = NULL;
        if (strcmp(a->name, "id") == 0) slot = &n->attr_id;
        else if (strcmp(a->name, "class") == 0) slot = &n->attr_class;
        else if (strcmp(a->name, "type") == 0) slot = &n->attr_type;
        else if (strcmp(a->name, "name") == 0) slot = &n->attr_name;
        else if (strcmp(a->name, "aria-label") == 0) slot = &n->attr_aria_label;
        else if (strcmp(a->name, "placeholder") == 0) slot = &n->attr_placeholder;
        else if (strcmp(a->name, "title") == 0) slot = &n->attr_title;
        else if (strcmp(a->name, "href") == 0) slot = &n->attr_href;
        if (slot) *slot = a->value;
    }

    /* A page without a <title> may get one later. */
    uint32_t ti;
    if (d->title_id == -1 || !reelay_live_dom_find(d, d->title_id, &ti)) {
        d->title_id = -1;
        for (size_t k = 0; k < adds->count; k++) {
            const reelay_dom_node *src = &adds->nodes[k];
            if (is_document_title(d, src)) {
                d->title_id = src->id;
                break;
            }
        }
    }
    return 0;
}

const char *reelay_live_dom_title(const reelay_live_dom *d, int max_children)
{
    uint32_t i;
    if (d->title_id == -1 || !reelay_live_dom_find(d, d->title_id, &i)) return NULL;
    int visited = 0;
    for (uint32_t c = d->v[i].first; c != NIL && visited < max_children; c = d->v[c].next, visited++)
        if (d->v[c].n.type == DOM_TEXT) return d->v[c].n.text && d->v[c].n.text[0] ? d->v[c].n.text : NULL;
    return NULL;
}
