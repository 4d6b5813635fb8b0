#include "scene/page_changes.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* rrweb incremental sources past the ones session.h names. */
enum { RR_SRC_LOG = 11 };

typedef struct window_changes {
    double *times; /* ascending */
    size_t count, cap;
    int64_t hovered; /* the element rrweb's mouse is over; -1 none yet */
    bool hover_styled; /* some :hover rule was recorded in this window */
} window_changes;

struct reelay_page_changes {
    window_changes *windows;
    size_t window_count;
};

static bool is_pointer_source(int source)
{
    return source == RR_SRC_MOUSE_MOVE || source == RR_SRC_TOUCH_MOVE || source == RR_SRC_DRAG ||
           source == RR_SRC_MOUSE_INTERACTION;
}

/* The element a pointer event leaves hovered, or -1 when it names none. */
static int64_t pointer_target(const reelay_event *ev)
{
    if (ev->kind == EV_POINTER_MOVE && ev->u.pointer.count > 0)
        return ev->u.pointer.positions[ev->u.pointer.count - 1].target_id;
    if (ev->kind == EV_INTERACTION) return ev->u.interaction.target_id;
    return -1;
}

static bool changes_page(const reelay_event *ev, window_changes *w)
{
    if (ev->rr_type == RR_FULL_SNAPSHOT || ev->rr_type == RR_META) {
        w->hovered = -1; /* a rebuilt page has no hover yet */
        return true;
    }
    if (ev->rr_type != RR_INCREMENTAL) return false;
    if (!is_pointer_source(ev->rr_source)) return ev->rr_source != RR_SRC_LOG;
    if (ev->kind == EV_INTERACTION && (ev->u.interaction.type == RR_FOCUS || ev->u.interaction.type == RR_BLUR))
        return true;
    if (!w->hover_styled) return false;
    int64_t target = pointer_target(ev);
    if (target < 0 || target == w->hovered) return false;
    w->hovered = target;
    return true;
}

int reelay_page_changes_new(const reelay_session *session, reelay_page_changes **out, reelay_err *err)
{
    *out = NULL;
    reelay_page_changes *changes = calloc(1, sizeof *changes);
    if (!changes) return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    changes->window_count = session->window_count;
    changes->windows = calloc(session->window_count ? session->window_count : 1, sizeof *changes->windows);
    if (!changes->windows) {
        free(changes);
        return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    }
    for (size_t i = 0; i < changes->window_count; i++) changes->windows[i].hovered = -1;
    /* Which windows can show hover at all. Without the recorded JSON the
     * style text is unknown: assume they can. */
    for (size_t i = 0; i < session->event_count; i++) {
        const reelay_event *ev = &session->events[i];
        if (ev->window >= changes->window_count) continue;
        if (!ev->rrweb_json || strstr(ev->rrweb_json, ":hover")) changes->windows[ev->window].hover_styled = true;
    }
    for (size_t i = 0; i < session->event_count; i++) {
        const reelay_event *ev = &session->events[i];
        if (ev->window >= changes->window_count) continue;
        window_changes *w = &changes->windows[ev->window];
        if (!changes_page(ev, w)) continue;
        if (w->count == w->cap) {
            size_t cap = w->cap ? w->cap * 2 : 64;
            double *times = realloc(w->times, cap * sizeof *times);
            if (!times) {
                reelay_page_changes_free(changes);
                return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
            }
            w->times = times;
            w->cap = cap;
        }
        w->times[w->count++] = ev->timestamp;
    }
    *out = changes;
    return REELAY_OK;
}

void reelay_page_changes_free(reelay_page_changes *changes)
{
    if (!changes) return;
    for (size_t i = 0; i < changes->window_count; i++) free(changes->windows[i].times);
    free(changes->windows);
    free(changes);
}

size_t reelay_page_changes_revision(const reelay_page_changes *changes, uint32_t window, double ts)
{
    if (!changes || window >= changes->window_count) return 0;
    const window_changes *w = &changes->windows[window];
    /* the first change after ts */
    size_t lo = 0, hi = w->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (w->times[mid] <= ts)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

double reelay_page_changes_next(const reelay_page_changes *changes, uint32_t window, double ts)
{
    size_t next = reelay_page_changes_revision(changes, window, ts);
    if (!changes || window >= changes->window_count || next >= changes->windows[window].count) return INFINITY;
    return changes->windows[window].times[next];
}

size_t reelay_page_changes_count(const reelay_page_changes *changes, uint32_t window)
{
    if (!changes || window >= changes->window_count) return 0;
    return changes->windows[window].count;
}
