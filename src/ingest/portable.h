/* portable.h — the portable-recorder JSON format (DESIGN.md §5.4).
 * Owns: the mapping of {sessionId, userId, startTime, endTime, events, metadata}
 * and its event types (initial_state, click, mousemove, scroll, input, submit,
 * navigation, console, error, promise_error) onto reelay events. */
#ifndef REELAY_INGEST_PORTABLE_H
#define REELAY_INGEST_PORTABLE_H

#include <jansson.h>
#include <stdbool.h>

#include "core/error.h"
#include "ingest/ingest.h"
#include "session/session.h"

/* True when root looks like a portable recording: an object with an `events`
 * key and at least one of sessionId/startTime/metadata. */
bool reelay_is_portable(const json_t *root);

/* Adds the recording's events and metadata to session (one window, key "0").
 * Errors name the event index: "events[4].timestamp: expected a number".
 * Unknown event types are skipped and counted in session->stats. `limits`
 * (NULL for the defaults) bounds the event count and the viewport. */
int reelay_read_portable(const json_t *root, reelay_session *session, const reelay_ingest_options *limits,
                         reelay_err *err);

#endif
