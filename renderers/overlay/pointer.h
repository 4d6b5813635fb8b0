/* pointer.h — the pointer overlays of the web interaction view: the mouse
 * cursor, click ripples and the document scroll indicator.
 * Owns: painting one reelay_pointer_state (src/scene/pointer_state.h).
 *
 * Conventions of renderers/overlay/ (see touch.h): user space is the logical
 * viewport (1 unit = 1 CSS px of the recording); the painter never clears,
 * leaves the cairo_t as it found it, draws nothing for an inactive state, and
 * keeps no state.
 *
 * Layers, bottom to top: the scroll indicator, the ripples, the cursor.
 *  - cursor: a classic arrow REELAY_POINTER_CURSOR_HEIGHT units tall with its
 *    tip at the position, white with a black outline; pressed, it shrinks to
 *    90 % around the tip and turns light grey.
 *  - ripple: a ring of PostHog's player blue, rgb(73,80,246), centred on the
 *    click; its radius grows linearly from 0 to REELAY_POINTER_RIPPLE_RADIUS
 *    and its alpha falls linearly from 0.6 to 0 over the ripple's life.
 *  - scroll indicator (while scroll_alpha > 0): with a page height taller
 *    than the viewport, a thin rounded thumb along the viewport's right edge
 *    whose length is the visible share of the page and whose position is
 *    scroll_y over the scrollable range; without one, a small pill at the top
 *    right with the direction and the offset, e.g. "↓ 1,240 px". The viewport
 *    is the state's recorded one, else the cairo_t's clip extents. */
#ifndef REELAY_OVERLAY_POINTER_H
#define REELAY_OVERLAY_POINTER_H

#include <cairo.h>

#include "renderers/paint/text.h"
#include "scene/pointer_state.h"

#define REELAY_POINTER_CURSOR_HEIGHT 20.0
#define REELAY_POINTER_RIPPLE_RADIUS 24.0
#define REELAY_POINTER_RIPPLE_ALPHA 0.6
#define REELAY_POINTER_RIPPLE_WIDTH 2.5
#define REELAY_POINTER_BAR_WIDTH 6.0  /* scroll thumb */
#define REELAY_POINTER_BAR_MARGIN 3.0 /* from the viewport's edges */

/* page_height: the document's height in logical units when known, else 0
 * (or anything not larger than the viewport): the pill is drawn instead.
 * fonts may be NULL: the pill is then left out. */
void reelay_paint_pointer(cairo_t *cr, reelay_fonts *fonts, const reelay_pointer_state *state, double page_height);

/* The pill's text for an offset and direction, e.g. "↓ 1,240 px", into buf
 * (always terminated). */
void reelay_pointer_scroll_label(const reelay_pointer_state *state, char *buf, size_t size);

#endif
