/* rrweb_event.h — one rrweb / PostHog event object → reelay events.
 * Owns: the event-level mapping of formats-web.md §1 and mobile-wireframes.md §2
 * (types, incremental sources, plugins, custom tags), activity flags and the
 * content hash used to drop duplicates. Containers (files, lines, wrappers) are
 * ingest.c's business; this module sees one event at a time. */
#ifndef REELAY_INGEST_RRWEB_EVENT_H
#define REELAY_INGEST_RRWEB_EVENT_H

#include <jansson.h>
#include <stdint.h>

#include "core/error.h"
#include "ingest/ingest.h"
#include "session/session.h"

/* Converts `event` (decompressing cv payloads in place, so it is not const)
 * into zero or one session event in `window`. Unknown types and sources are
 * skipped and counted. `where` names the event in messages ("line 12",
 * "event 40"). `limits` (NULL for the defaults) bounds viewports and the
 * snapshot and mutation trees. */
int reelay_read_rrweb_event(reelay_session *session, json_t *event, uint32_t window,
                            const reelay_ingest_options *limits, const char *where, reelay_err *err);

#endif
