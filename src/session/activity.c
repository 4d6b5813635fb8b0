#include "session/activity.h"

#include <stdlib.h>

int reelay_activity_segments(const reelay_session *session, double threshold_ms, reelay_segment **out,
                             size_t *count, reelay_err *err)
{
    *out = NULL;
    *count = 0;
    size_t cap = 0;
    reelay_segment *segments = NULL;
    reelay_segment *current = NULL;
    double last_active_ts = 0;
    bool seen_active = false;

    for (size_t i = 0; i < session->event_count; i++) {
        const reelay_event *ev = &session->events[i];
        bool starts_new = current == NULL;
        if (current) {
            const reelay_event *prev = &session->events[i - 1];
            bool prev_was_window_end = session->windows[prev->window].last_ts == prev->timestamp &&
                                       prev->window != ev->window;
            starts_new = (ev->active && !current->active) ||
                         (current->active && seen_active && ev->timestamp - last_active_ts > threshold_ms) ||
                         (ev->active && ev->window != current->window) || prev_was_window_end;
        }
        if (starts_new) {
            if (*count == cap) {
                cap = cap ? cap * 2 : 16;
                reelay_segment *grown = realloc(segments, cap * sizeof *grown);
                if (!grown) {
                    free(segments);
                    return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
                }
                segments = grown;
            }
            current = &segments[(*count)++];
            current->start_ts = ev->timestamp;
            current->window = ev->window;
            current->active = ev->active;
        }
        current->end_ts = ev->timestamp;
        if (ev->active) {
            last_active_ts = ev->timestamp;
            seen_active = true;
        }
    }
    *out = segments;
    return REELAY_OK;
}

double reelay_active_ms(const reelay_segment *segments, size_t count)
{
    double total = 0;
    for (size_t i = 0; i < count; i++)
        if (segments[i].active) total += segments[i].end_ts - segments[i].start_ts;
    return total;
}
