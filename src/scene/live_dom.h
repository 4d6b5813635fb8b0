/* live_dom.h — a web window's DOM as rrweb's replayer holds it at one moment.
 * Owns: reelay_live_dom, a linked node tree that full snapshots replace and
 * mutations edit in rrweb's order (removes, adds, texts, attributes), with
 * its id index and the top-level document's <title> element. Scenes walk the
 * session's events through it (scene/web_scene.c for labels and titles,
 * scene/page_changes.c for the elements a mouse move hovers).
 *
 * Only what session/dom.h keeps is known (tag, id, class and a few other
 * attributes, short texts). Node links only ever point at live nodes, and a
 * node is only linked under a node that is not inside it, so the tree has no
 * cycles; every walk is iterative and bounded. */
#ifndef REELAY_SCENE_LIVE_DOM_H
#define REELAY_SCENE_LIVE_DOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/idmap.h"
#include "session/dom.h"
#include "session/session.h"

#define REELAY_LIVE_NIL UINT32_MAX
/* Levels climbed to test "is inside"; deeper counts as inside. */
#define REELAY_LIVE_INSIDE_MAX 1024

typedef struct reelay_live_node {
    reelay_dom_node n; /* a copy: mutations change its text and attributes */
    uint32_t parent, first, last, prev, next; /* slots, REELAY_LIVE_NIL when none */
    /* Which node holds the slot: every insert gets a new serial (a node
     * rrweb removes and adds again is a new node to it too), 0 once freed. */
    uint64_t serial;
} reelay_live_node;

typedef struct reelay_live_dom {
    reelay_live_node *v;
    uint32_t n, cap, free_head; /* freed slots chain through .next */
    reelay_idmap ids;           /* id -> slot */
    int64_t doc_id;             /* the document node: window scrolls target it */
    int64_t title_id;           /* the top-level document's <title> element, -1 when none */
    uint64_t serials;           /* the last serial given */
    /* working memory of snapshot and mutate */
    uint32_t *scratch;
    size_t scratch_cap;
    reelay_idmap pend; /* deferred mutation adds: parent id -> first deferred add, chained */
    size_t *pend_next, *pend_tail, *work;
    size_t pend_cap;
} reelay_live_dom;

/* An empty DOM whose document id is rrweb's usual 1 (what the portable
 * recorder writes) until a snapshot names another. */
void reelay_live_dom_init(reelay_live_dom *d);
void reelay_live_dom_release(reelay_live_dom *d);

/* Replaces the whole DOM with a full snapshot's tree. -1 when out of memory. */
int reelay_live_dom_snapshot(reelay_live_dom *d, const reelay_dom_tree *tree);

/* Applies one web mutation event as rrweb does: an add whose parent is not
 * live yet waits for that parent to be added by the same mutation; adds
 * still waiting at the end are dropped. -1 when out of memory. */
int reelay_live_dom_mutate(reelay_live_dom *d, const reelay_event *ev);

bool reelay_live_dom_find(const reelay_live_dom *d, int64_t id, uint32_t *slot);

/* Whether slot still holds the node that had this serial. */
bool reelay_live_dom_holds(const reelay_live_dom *d, uint32_t slot, uint64_t serial);

/* The node after i in a pre-order walk of root's subtree (children skipped
 * when skip_children), or REELAY_LIVE_NIL at the end. */
uint32_t reelay_live_dom_preorder_next(const reelay_live_dom *d, uint32_t i, uint32_t root, bool skip_children);

/* The text of the document <title>'s first text child (NULL when none or
 * empty), looking at most `max_children` children. */
const char *reelay_live_dom_title(const reelay_live_dom *d, int max_children);

#endif
