/* touch_state.h — the touch indicator of PostHog's player at any instant.
 * Owns: reelay_touch_track, an index of each window's touch happenings built
 * once from a session, and the pure query of what the indicator looks like
 * at a session time (mobile-wireframes.md §4.8). It never draws: the painter
 * is renderers/overlay/touch.h.
 *
 * What it models (posthog-rrweb replay/index.ts and PostHog's PlayerFrame.scss):
 *  - the ring: one element per window. TouchStart moves it to the touch and
 *    adds the touch-active class; TouchEnd moves it and removes the class;
 *    TouchCancel only removes the class; TouchMove positions (incremental
 *    source 6, each at timestamp + timeOffset) only move it. The class drives
 *    two CSS transitions, simulated per the CSS Transitions spec (including
 *    interruption and the reversing shortening of a fade cut short):
 *    border alpha 0<->1 over 200 ms ease-in-out, and left/top over 250 ms
 *    linear — but only when the style after the change is touch-active. The
 *    TouchEnd move lands in the same style change that drops the class, so it
 *    jumps; the 250 ms slide happens for moves while a finger is down.
 *  - the tail (rrweb drawMouseTail, PostHog's default showMouseTail): every
 *    move pushes its point; TouchStart first empties the list; each point
 *    leaves the list 500 ms (session time) after it was pushed. The canvas
 *    strokes the remaining points as one polyline, so the tail does not fade:
 *    segments vanish whole, and a lone point draws nothing (canvas prunes
 *    zero-length lines).
 *  - several fingers: Android sends one event per pointer with the same
 *    timestamp. rrweb has one ring, so events apply in order and the last one
 *    wins; events with equal timestamps form one style change (no frame in
 *    between), except that TouchStart forces one before adding the class.
 *  - ignored like rrweb ignores them: touches before the window has content
 *    (its first full snapshot, or a mutation the player turns into a minimal
 *    snapshot, §4.9), interactions with a negative or missing target id, and
 *    windows that never saw a TouchStart or a TouchMove (no touch-device ring).
 *    Points with non-finite coordinates or times are skipped. Other target ids
 *    are assumed to exist once the window has content (id 0 becomes <body>).
 *    One departure: in a mobile recording without any screen (capture off),
 *    where the player would show nothing, every window has content from the
 *    start, so its touches show over reelay's "no screen recorded" screen.
 *  - continuous playback: what the player shows while playing through, not
 *    right after a seek (rrweb then draws no tail and restarts the fades). */
#ifndef REELAY_SCENE_TOUCH_STATE_H
#define REELAY_SCENE_TOUCH_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "session/session.h"

/* Player constants (session milliseconds at playback speed 1). */
#define REELAY_TOUCH_FADE_MS 200.0 /* border-color transition, ease-in-out */
#define REELAY_TOUCH_MOVE_MS 250.0 /* left/top transition while touch-active, linear */
#define REELAY_TOUCH_TAIL_MS 500.0 /* lifetime of one tail point */

typedef struct reelay_touch_point {
    double x, y; /* logical units, same space as wireframes */
    double time; /* when it was pushed, epoch ms */
} reelay_touch_point;

typedef struct reelay_touch_state {
    bool active;       /* something is drawn: ring_alpha > 0 or a drawable tail */
    bool animating;    /* the drawing changes continuously at this instant */
    double stable_until; /* when !animating: the state is the same for every t in
                          * [ts, stable_until) (INFINITY: for ever); == ts when animating */
    bool ring_visible; /* ring_alpha > 0 */
    double ring_alpha; /* 0..1, alpha of rgba(73,80,246,α) */
    double x, y;       /* the ring's anchor (CSS left/top): the touch point, logical units;
                        * meaningful when has_position */
    bool has_position; /* the ring has been placed at least once */
    /* Tail points still alive, oldest first; borrowed from the track. Stroked
     * as one polyline; nothing shows unless two of them differ. */
    const reelay_touch_point *tail;
    size_t tail_count;
    bool tail_visible; /* tail_count >= 2 and not all points equal */
} reelay_touch_state;

typedef struct reelay_touch_track reelay_touch_track;

/* Builds the index of every window of the session (which may be freed
 * afterwards: the track copies what it needs). playback_speed scales the CSS
 * transitions, which run on wall-clock time in the browser, to session time
 * (pass 1 for normal speed); the tail's lifetime is already divided by the
 * speed in rrweb, so it stays 500 session ms. Fails with REELAY_E_USAGE for a
 * speed that is not a positive finite number, REELAY_E_INTERNAL when out of
 * memory. */
int reelay_touch_track_new(const reelay_session *session, double playback_speed, reelay_touch_track **out,
                           reelay_err *err);
void reelay_touch_track_free(reelay_touch_track *track);

/* The indicator of `window` (an index into session->windows) at session time
 * ts, epoch ms: every happening at or before ts has been applied. O(log n) in
 * the window's touch count. An unknown window or a non-finite ts gives the
 * inactive state. Pure: the track is not changed, calls may come in any order. */
void reelay_touch_at(const reelay_touch_track *track, uint32_t window, double ts, reelay_touch_state *out);

/* Touch happenings indexed for the window (for tests and statistics). */
size_t reelay_touch_track_count(const reelay_touch_track *track, uint32_t window);

#endif
