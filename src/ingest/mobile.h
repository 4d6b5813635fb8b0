/* mobile.h — PostHog mobile wireframe JSON → reelay_wireframe structs.
 * Owns: the mapping of mobile-wireframes.md §3 (types, input variants, styles)
 * and of mobile mutations (§2.3). Unknown wireframe types and inputs without
 * inputType are dropped with their subtree and counted (spec §3.2, quirk 9).
 * Everything is copied into the arena, so the JSON can be freed afterwards. */
#ifndef REELAY_INGEST_MOBILE_H
#define REELAY_INGEST_MOBILE_H

#include <jansson.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/error.h"
#include "ingest/ingest.h"
#include "session/session.h"

/* True when an incremental event's data is a mobile mutation: adds[0] or
 * updates[0] has a "wireframe" key (spec §2.3). */
bool reelay_is_mobile_mutation(const json_t *data);

/* Parses an array of wireframes (a full snapshot's `data.wireframes`).
 * `where` names the array in messages, e.g. "event 3: data.wireframes".
 * `limits` (NULL for the defaults) bounds the nesting (max_tree_depth) and
 * the wireframes met (max_wireframes); going over is an error naming the
 * flag, never a deep recursion. */
int reelay_parse_wireframes(const json_t *array, reelay_arena *arena, reelay_wireframe **out,
                            size_t *count, reelay_ingest_stats *stats, const reelay_ingest_options *limits,
                            const char *where, reelay_err *err);

/* Parses a mobile mutation's data (adds, updates, removes) into
 * ev->u.mutation, with the same limits over all of its wireframes. */
int reelay_parse_mobile_mutation(const json_t *data, reelay_arena *arena, reelay_event *ev,
                                 reelay_ingest_stats *stats, const reelay_ingest_options *limits,
                                 const char *where, reelay_err *err);

/* Parses a CSS colour string: #RGB, #RGBA, #RRGGBB, #RRGGBBAA (with or without
 * '#'), rgb()/rgba(), and the CSS basic named colours plus "transparent". */
reelay_color reelay_parse_color(reelay_arena *arena, const char *text);

#endif
