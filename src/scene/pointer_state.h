/* pointer_state.h — the mouse pointer of a web recording at any instant.
 * Owns: reelay_pointer_track, an index of each window's cursor positions,
 * button presses, clicks, document scrolls and viewport sizes built once from
 * a session, and the pure query of what the pointer overlays show at a session
 * time. It never draws: the painter is renderers/overlay/pointer.h.
 *
 * What it models (rrweb's Replayer, formats-web.md §1.3–1.4, and the
 * portable recorder's mapping in src/ingest/portable.c):
 *  - positions: MouseMove (source 1) and Drag (12) positions, each at
 *    timestamp + timeOffset, and the x/y of mouse interactions that carry
 *    them (rrweb moves its cursor for those too). TouchMove (6) positions are
 *    the touch indicator's (src/scene/touch_state.h), not the cursor's.
 *    Samples are sorted by time (equal times keep input order; the last wins).
 *  - motion: rrweb sets left/top at each sample and lets a 50 ms linear CSS
 *    transition carry the cursor there; with the recorder sampling a moving
 *    mouse about every 50 ms, that is a linear glide from sample to sample.
 *    We mirror the glide but without the transition's lag: the cursor
 *    arrives at each sample at its time, moving linearly from the previous
 *    sample. A gap longer than REELAY_POINTER_GLIDE_MS means the mouse rested
 *    (a moving mouse is sampled far more often), so the glide only fills the
 *    last REELAY_POINTER_GLIDE_MS before the next sample, instead of a slow
 *    drift across the whole pause.
 *  - visibility: no cursor before the window's first position, and none while
 *    the pointer is a finger: the latest interaction with a pointer type says
 *    which (touch hides; mouse or pen shows), as do TouchStart/End/Cancel and
 *    TouchMove positions (touch). Mouse moves do not switch back: browsers
 *    emulate them after touches.
 *  - pressed: from MouseDown until MouseUp.
 *  - ripples: rrweb plays its `.replayer-mouse.active` animation on Click;
 *    we also ripple ContextMenu (a right click has no Click). DblClick:
 *    rrweb data records both clicks before it, the portable recorder records
 *    the second click as the DblClick itself, so a DblClick adds ripples
 *    until two clicks of the window fall within REELAY_POINTER_DBL_WINDOW_MS
 *    before it (a lone DblClick: one at its time and one
 *    REELAY_POINTER_DBL_GAP_MS earlier, for the first click of the pair).
 *  - document scroll: a Scroll (source 3) whose target is the document node
 *    of the window's latest full snapshot (the snapshot's root when it is a
 *    Document node; rrweb gives the document id 1, which is also what is
 *    assumed before any snapshot and what the portable recorder writes). Each
 *    web full snapshot resets the offset to its initialOffset quietly (a page
 *    load, not a user scroll). The offset steps: it is shown at once.
 *    A scroll "changes" when its offset differs from the one before it.
 *  - viewport: Meta and ViewportResize sizes, for the painter's right edge.
 *  - inputs are untrusted: positions, times and offsets that are not finite
 *    are skipped; events of unknown windows are ignored. */
#ifndef REELAY_SCENE_POINTER_STATE_H
#define REELAY_SCENE_POINTER_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "session/session.h"

/* Constants in session milliseconds. */
#define REELAY_POINTER_GLIDE_MS 250.0      /* longest glide into a sample */
#define REELAY_POINTER_RIPPLE_MS 500.0     /* lifetime of a click ripple */
#define REELAY_POINTER_MAX_RIPPLES 4       /* ripples reported at once, newest kept */
#define REELAY_POINTER_DBL_WINDOW_MS 500.0 /* clicks that belong to a DblClick */
#define REELAY_POINTER_DBL_GAP_MS 150.0    /* assumed gap of a lone DblClick's clicks */
#define REELAY_POINTER_SCROLL_HOLD_MS 500.0 /* scroll indicator fully shown */
#define REELAY_POINTER_SCROLL_FADE_MS 800.0 /* ...and gone this long after the last change */

typedef enum reelay_scroll_dir {
    REELAY_SCROLL_NONE = 0,
    REELAY_SCROLL_DOWN, /* y grew (the last change moved y, or y and x) */
    REELAY_SCROLL_UP,
    REELAY_SCROLL_RIGHT, /* only x changed */
    REELAY_SCROLL_LEFT,
} reelay_scroll_dir;

typedef struct reelay_pointer_ripple {
    double x, y;   /* logical viewport units */
    double age_ms; /* 0 <= age < REELAY_POINTER_RIPPLE_MS */
} reelay_pointer_ripple;

typedef struct reelay_pointer_state {
    bool active;         /* something is drawn: cursor, a ripple or the scroll indicator */
    bool animating;      /* the drawing changes continuously at this instant */
    double stable_until; /* when !animating: the state is the same for every t in
                          * [ts, stable_until) (INFINITY: for ever), scroll_age_ms
                          * aside (it is not drawn); == ts when animating */

    bool has_position;   /* a position was recorded at or before ts */
    double x, y;         /* the cursor's tip, logical units; meaningful when has_position */
    bool touch;          /* the pointer is a finger: no cursor */
    bool cursor_visible; /* has_position && !touch */
    bool pressed;        /* between MouseDown and MouseUp */

    /* Ripples alive at ts, oldest first (so newer ones paint on top). */
    reelay_pointer_ripple ripples[REELAY_POINTER_MAX_RIPPLES];
    size_t ripple_count;

    bool has_scroll;     /* a document scroll offset is known */
    double scroll_x, scroll_y;
    bool scroll_recent;  /* the offset changed less than SCROLL_FADE_MS ago */
    double scroll_age_ms; /* since that change; meaningful when scroll_recent */
    double scroll_alpha; /* indicator opacity 0..1: 1 while held, then linear to 0 */
    reelay_scroll_dir scroll_dir; /* of the latest change (kept after it fades) */

    bool has_viewport;   /* the recorded viewport at ts */
    double viewport_width, viewport_height;
} reelay_pointer_state;

/* What the track indexed for one window (for tests and statistics). */
typedef struct reelay_pointer_counts {
    size_t positions; /* cursor samples */
    size_t presses;   /* MouseDown and MouseUp */
    size_t ripples;
    size_t scrolls;   /* document offsets, snapshot resets included */
} reelay_pointer_counts;

typedef struct reelay_pointer_track reelay_pointer_track;

/* Builds the index of every window of the session (which may be freed
 * afterwards: the track copies what it needs). Fails with
 * REELAY_E_INTERNAL when out of memory. */
int reelay_pointer_track_new(const reelay_session *session, reelay_pointer_track **out, reelay_err *err);
void reelay_pointer_track_free(reelay_pointer_track *track);

/* The pointer of `window` (an index into session->windows) at session time
 * ts, epoch ms: everything at or before ts has happened. O(log n) in the
 * window's counts. An unknown window or a non-finite ts gives the inactive
 * state. Pure: calls may come in any order. */
void reelay_pointer_at(const reelay_pointer_track *track, uint32_t window, double ts, reelay_pointer_state *out);

reelay_pointer_counts reelay_pointer_track_counts(const reelay_pointer_track *track, uint32_t window);

#endif
