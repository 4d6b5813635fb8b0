/* rrweb_json.h — a window's rrweb events as one JSON array.
 * Owns: choosing the events the web page engine replays (one window's events
 * that kept their rrweb JSON, in session order) and joining them. It never
 * parses: the text is what the reader kept (ingest.h keep_rrweb_json). */
#ifndef REELAY_SESSION_RRWEB_JSON_H
#define REELAY_SESSION_RRWEB_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"
#include "session/session.h"

/* Appends "[event,event,...]" to out: every event of `window` that carries
 * rrweb_json. *count (may be NULL) is the number joined. REELAY_E_INPUT when
 * there is none (a session read without keep_rrweb_json, or a window with no
 * rrweb event), REELAY_E_INTERNAL when out of memory. */
int reelay_rrweb_json_window(const reelay_session *session, uint32_t window, reelay_buf *out, size_t *count,
                             reelay_err *err);

#endif
