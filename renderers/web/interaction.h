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
 * below it.
 *
 * Look (Chrome's light theme, fixed logical sizes):
 *  - chrome: a grey tab strip with one tab per state tab (the state's own
 *    page when there is none), each REELAY_WEB_TAB_MIN_WIDTH to
 *    REELAY_WEB_TAB_MAX_WIDTH wide (overflowing ones cut at the edge); the
 *    active one white with Chrome's flared shape, joined to the white
 *    toolbar. Tab text: the title, else the URL's host, else "New tab",
 *    ellipsized. The toolbar holds back/forward/reload and a menu (left out
 *    below 360 units) and a rounded URL field: https:// becomes a lock, other
 *    schemes are shown dimmed, the host is dark and the rest dimmed,
 *    ellipsized at the end; "about:blank" when the URL is unknown.
 *  - page: a light grey surround and the document as a white rounded
 *    rectangle with a faint outline (inset by 2 % of the width at the sides
 *    and top, its bottom edge at page_height - scroll_y when the
 *    height is known) holding faint skeleton bands in page coordinates, so
 *    they scroll with it. No text: it never passes for the page's content.
 *  - annotations, bottom to top: the focus card, rage rings, click pills, the
 *    submit pill, toasts. Sizes are logical units times
 *    k = max(1, vw / REELAY_WEB_UI_REFERENCE_WIDTH), text REELAY_WEB_UI_FONT·k.
 *     · click: a dot on the point and a dark pill down-right of it, clear of
 *       the cursor (flipped left/above near the edges, then clamped inside):
 *       "2×"/"right-click" in an accent colour, then the label ("click" when
 *       unknown). Rage: a red ring breathing ±12 % around
 *       REELAY_WEB_RAGE_RADIUS_PX with period REELAY_WEB_RAGE_PULSE_MS and a
 *       red pill "rage click ×N" + label. A click with a newer one within
 *       REELAY_WEB_RAGE_RADIUS_PX draws nothing: a burst shows one pill.
 *       Faded out over the last REELAY_WEB_FADE_OUT_MS of
 *       REELAY_WEB_CLICK_LABEL_MS.
 *     · focus: a dark card at the bottom left (moved above the toasts when
 *       they would meet): "FOCUSED" and the label, then, when
 *       focus.takes_text, a white input box with a blue focus ring showing
 *       focus.text (right-aligned when it overflows, so the end shows) and a
 *       caret only while typed_age_ms < REELAY_WEB_TYPING_MS; otherwise the
 *       head alone, focus.text (a checkbox's "checked") after the label.
 *       Not faded: it has no lifetime.
 *     · submit: a green pill at the top centre, "form submitted" + label,
 *       faded out over the last REELAY_WEB_FADE_OUT_MS of REELAY_WEB_SUBMIT_MS.
 *     · toasts: one line each, at most REELAY_WEB_TOAST_MAX_SHARE of the
 *       width, right-aligned at the bottom right, newest at the bottom; red
 *       (errors, failed requests) or amber (warnings) with an icon; sliding
 *       in from the right and fading in over REELAY_WEB_TOAST_IN_MS, fading
 *       out over the last REELAY_WEB_FADE_OUT_MS of REELAY_WEB_TOAST_MS.
 *  Items whose age is outside [0, lifetime) or not finite draw nothing. */
#ifndef REELAY_WEB_INTERACTION_H
#define REELAY_WEB_INTERACTION_H

#include <cairo.h>

#include "renderers/paint/text.h"
#include "scene/pointer_state.h"
#include "scene/web_scene.h"

/* Tab strip plus toolbar (URL bar), logical units. */
#define REELAY_WEB_CHROME_HEIGHT 76.0
#define REELAY_WEB_TAB_STRIP_HEIGHT 36.0 /* the toolbar is the remaining 40 */
#define REELAY_WEB_TAB_MIN_WIDTH 60.0    /* tabs share the strip between these */
#define REELAY_WEB_TAB_MAX_WIDTH 240.0

/* Annotation sizes are logical units times max(1, vw / this): a 1440-wide
 * viewport rendered 720 px wide still gets ~10 px text, and a phone-sized
 * one is not blown up. */
#define REELAY_WEB_UI_REFERENCE_WIDTH 960.0
#define REELAY_WEB_UI_FONT 13.0          /* pills, toasts, the focus card's header */
#define REELAY_WEB_UI_MARGIN 16.0        /* from the viewport's edges */

/* Fades (session ms, by the items' ages). */
#define REELAY_WEB_FADE_OUT_MS 300.0     /* click labels, submits and toasts, before their end */
#define REELAY_WEB_TOAST_IN_MS 200.0     /* toasts slide in from the right */
#define REELAY_WEB_RAGE_PULSE_MS 600.0   /* one period of the rage ring */
#define REELAY_WEB_TOAST_MAX_SHARE 0.6   /* of the viewport's width */

/* The browser frame across (0, 0, width, REELAY_WEB_CHROME_HEIGHT). With
 * fonts NULL (here and for the annotations) the shapes are drawn without
 * their text. */
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
