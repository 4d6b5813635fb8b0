/* web_dom.h — rrweb serialized DOM JSON → reelay_dom_tree, and web mutations.
 * Owns: the mapping of formats-web.md §1.5 (node types, the attributes kept,
 * text trimming) and of web mutation data (adds, removes, texts, attributes).
 * Everything is copied into the arena, so the JSON can be freed afterwards. */
#ifndef REELAY_INGEST_WEB_DOM_H
#define REELAY_INGEST_WEB_DOM_H

#include <jansson.h>

#include "core/arena.h"
#include "core/error.h"
#include "ingest/ingest.h"
#include "session/session.h"

/* Flattens a serialized node (a full snapshot's data.node) and its subtree in
 * pre-order. The root gets parent_id -1 and next_id -1. `limits` (NULL for
 * the defaults) bounds the nesting (max_tree_depth) and the node count
 * (max_wireframes); going over is an error naming the flag. */
int reelay_parse_dom_tree(const json_t *node, reelay_arena *arena, reelay_dom_tree *out,
                          const reelay_ingest_options *limits, const char *where, reelay_err *err);

/* Parses a web mutation's data (texts, attributes, removes, adds) into
 * ev->u.mutation.dom_*; each added node (with its subtree) is flattened into
 * dom_adds, the added root keeping the add's parentId and nextId. The
 * limits apply to each added subtree's nesting and to all added nodes. */
int reelay_parse_web_mutation(const json_t *data, reelay_arena *arena, reelay_event *ev,
                              const reelay_ingest_options *limits, const char *where, reelay_err *err);

/* Builds an index from node id to position in tree->nodes (last one wins). */
int reelay_dom_index(const reelay_dom_tree *tree, reelay_idmap *index);

#endif
