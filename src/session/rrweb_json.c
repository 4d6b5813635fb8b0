#include "session/rrweb_json.h"

int reelay_rrweb_json_window(const reelay_session *session, uint32_t window, reelay_buf *out, size_t *count,
                             reelay_err *err)
{
    size_t n = 0;
    if (reelay_buf_append_str(out, "[") != 0) return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    for (size_t i = 0; i < session->event_count; i++) {
        const reelay_event *ev = &session->events[i];
        if (ev->window != window || !ev->rrweb_json) continue;
        if ((n > 0 && reelay_buf_append_str(out, ",") != 0) || reelay_buf_append_str(out, ev->rrweb_json) != 0)
            return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
        n++;
    }
    if (reelay_buf_append_str(out, "]") != 0) return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    if (count) *count = n;
    if (n == 0) return reelay_err_set(err, REELAY_E_INPUT, "no rrweb events to replay in this window");
    return REELAY_OK;
}
