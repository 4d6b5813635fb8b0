/* activity.h — PostHog's activity segments (formats-web.md §7).
 * Owns: which stretches of a session are active and which are idle, computed
 * from the events' `active` flags with the 5-second rule. The timeline (skip
 * idle), `info` (active time) and the HUD all read these segments. */
#ifndef REELAY_SESSION_ACTIVITY_H
#define REELAY_SESSION_ACTIVITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "session/session.h"

#define REELAY_ACTIVITY_THRESHOLD_MS 5000.0

typedef struct reelay_segment {
    double start_ts, end_ts; /* epoch ms; end = the segment's last event */
    uint32_t window;
    bool active;             /* whether its first event was active */
} reelay_segment;

/* Segments over all windows in time order, by the player's rules (§7.2):
 * a new segment starts when an active event follows an inactive segment, when
 * more than threshold_ms passed since the last active event of an active
 * segment, when an active event is in another window, or after the last event
 * of a window. *out is malloc'ed; free() it. */
int reelay_activity_segments(const reelay_session *session, double threshold_ms, reelay_segment **out,
                             size_t *count, reelay_err *err);

/* Sum of the active segments' lengths, in milliseconds. */
double reelay_active_ms(const reelay_segment *segments, size_t count);

#endif
