/* touch.h — the touch overlay: PostHog's touch ring and mouse tail.
 * Owns: painting one reelay_touch_state (src/scene/touch_state.h).
 *
 * Conventions of renderers/overlay/ (cursor, touches, clicks, scroll
 * indicators): an overlay painter draws one scene-side state on top of an
 * already painted frame, into a cairo_t whose user space is the logical
 * viewport (1 unit = 1 CSS px of the recording, scaled by the caller). It
 * never clears, leaves the cairo_t's state as it found it, and draws nothing
 * for an inactive state. It reads no session and keeps no state.
 *
 * Geometry (PostHog's PlayerFrame.scss `.replayer-mouse.touch-device`):
 * a 70×70 box with a 4 px solid border and border-radius 100%, at CSS
 * left/top = the touch point and margin -37 px. PostHog's app loads
 * Tailwind's preflight (box-sizing: border-box), so the 70 px include the
 * border: the box spans [x-37, x+33], the circle's centre lands at
 * (x-2, y-2), outer radius 35, inner radius 31, colour rgba(73,80,246,α).
 * The tail canvas (rrweb's default mouseTail) comes after the ring in the
 * wrapper, so it paints above it: a red 3 px polyline with round caps and
 * the canvas's default miter joins, zero-length segments dropped. */
#ifndef REELAY_OVERLAY_TOUCH_H
#define REELAY_OVERLAY_TOUCH_H

#include <cairo.h>

#include "scene/touch_state.h"

#define REELAY_TOUCH_RING_SIZE 70.0   /* border-box width and height */
#define REELAY_TOUCH_RING_BORDER 4.0
#define REELAY_TOUCH_RING_MARGIN 37.0 /* negative margin-left/top */
#define REELAY_TOUCH_TAIL_WIDTH 3.0

/* Paints the ring (when ring_visible) then the tail (when tail_visible). */
void reelay_paint_touch(cairo_t *cr, const reelay_touch_state *state);

#endif
