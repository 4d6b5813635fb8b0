/* interaction.h — the web interaction view: what a support engineer needs to
 * follow a web recording whose page pixels were never recorded.
 * Owns: painting a reelay_web_state (src/scene/web_scene.h): the browser
 * frame (tabs, URL bar with the page title), the page area (the recorded
 * viewport with a faint outline of the page, moved by the scroll offset),
 * and the annotations (click labels, rage-click highlight, the focused input
 * with its masked text, form submits, toasts for console errors/warnings and
 * failed requests). The cursor, ripples and scroll bar are
 * renderers/overlay/pointer.h, painted by the caller over the page.
 *
 * Conventions of renderers/overlay/: user space is logical (1 unit = 1 CSS px
 * of the recording); painters never clear outside their area, leave the
 * cairo_t as they found it and keep no state. Text is never drawn from
 * anything but the state's strings (masking is the scene's job).
 *
 * Canvas of the whole view: width = viewport width, height =
 * REELAY_WEB_CHROME_HEIGHT + viewport height; the chrome at the top, the page
 * below it. */
#ifndef REELAY_WEB_INTERACTION_H
#define REELAY_WEB_INTERACTION_H

#include <cairo.h>

#include "renderers/paint/text.h"
#include "scene/pointer_state.h"
#include "scene/web_scene.h"

/* Tab strip plus toolbar (URL bar), logical units. */
#define REELAY_WEB_CHROME_HEIGHT 76.0

/* The browser frame across (0, 0, width, REELAY_WEB_CHROME_HEIGHT). */
void reelay_paint_web_chrome(cairo_t *cr, reelay_fonts *fonts, const reelay_web_state *state, double width);

/* The page area (0, 0, vw, vh): background and the faint page outline for
 * the document scroll offset in `pointer` (may be NULL: no scroll). */
void reelay_paint_web_page(cairo_t *cr, const reelay_web_state *state, const reelay_pointer_state *pointer, double vw,
                           double vh);

/* Annotations over the page area (0, 0, vw, vh): click labels and rage
 * highlight, the focused input, submits, toasts. */
void reelay_paint_web_annotations(cairo_t *cr, reelay_fonts *fonts, const reelay_web_state *state, double vw,
                                  double vh);

#endif
