/* inspector.h — the inspector panel beside the recorded screen: the live event log.
 * Owns: painting the log of a session (screens, taps, keyboard, failed
 * requests, console errors) as of one output time into a panel, the panel's
 * width for a screen area, finding how much of the log is visible (binary
 * search), and telling whether the panel's pixels change between two output
 * times. It keeps no state and reads no session: the caller builds the log.
 *
 * Like the HUD strip (hud.h), the panel is painted in output pixels (a user
 * space of 1 unit = 1 output pixel), never clears, draws nothing outside the
 * rectangle given, leaves the cairo_t's state as it found it (not its
 * current path, which is no part of that state), and uses the
 * HUD's dark theme and marker colours.
 *
 * Panel layout, top to bottom: a header ("Events", the number shown so far,
 * and pills counting errors and failed requests so far), a rule, then one row
 * per entry, oldest at the top and the newest at the bottom. Rows fill from
 * the top; once they no longer fit, the oldest scroll out so the newest is
 * always the last row. A row: the session clock "mm:ss", a badge in the
 * kind's colour ("SCREEN", "TAP", "KEY", "NET", "ERROR", "INFO"), and the
 * text on one line, ellipsized. An entry's row is highlighted for
 * REELAY_INSPECTOR_HIGHLIGHT_MS after it appears, fading out. */
#ifndef REELAY_OVERLAY_INSPECTOR_H
#define REELAY_OVERLAY_INSPECTOR_H

#include <cairo.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "renderers/paint/text.h"

typedef enum reelay_log_kind {
    REELAY_LOG_SCREEN = 0,    /* navigation or screen change: sky blue */
    REELAY_LOG_TAP,           /* click or tap: light grey */
    REELAY_LOG_KEYBOARD,      /* keyboard shown or typing: violet */
    REELAY_LOG_NETWORK_FAIL,  /* failed request: orange */
    REELAY_LOG_ERROR,         /* console error or exception: red */
    REELAY_LOG_INFO,          /* anything else: grey */
} reelay_log_kind;

typedef struct reelay_log_entry {
    double out_ms;       /* output time at which it happens (entries sorted by it, finite) */
    double session_ms;   /* session time since the start, shown as the entry's clock */
    reelay_log_kind kind;
    const char *text;    /* UTF-8, e.g. "Tap at 120, 480", "Screen ProductActivity", "GET /api/cart → 500",
                          * "TypeError: x is undefined"; line breaks show as spaces, invalid bytes as '?' */
    /* Errors and failed requests from the first entry up to and including
     * this one: filled by reelay_log_tally(), read by the header. */
    uint32_t errors_so_far, failures_so_far;
} reelay_log_entry;

/* How long an entry's row stays highlighted after it appears (fading). */
#define REELAY_INSPECTOR_HIGHLIGHT_MS 1500.0

/* Fills errors_so_far and failures_so_far of every entry (O(count), once
 * after building the log): the header reads them from the newest entry shown,
 * so painting a frame needs no pass over the log. */
void reelay_log_tally(reelay_log_entry *entries, size_t count);

/* How many entries are shown at now_ms: those with out_ms <= now_ms, a prefix
 * of the sorted log (binary search, O(log count)). 0 for a NaN now_ms. */
size_t reelay_log_visible(const reelay_log_entry *entries, size_t count, double now_ms);

/* Panel width in pixels beside a screen area of this size: 3/4 of the screen
 * height (a portrait phone's panel is then a little wider than the phone),
 * even (for 4:2:0 video), at least 320, at most 4096. */
int reelay_inspector_width(int screen_width, int screen_height);

/* Paints the panel into (x, y, w, h) (output pixels) as of output time now_ms.
 * The font is h/48 px (at least 11, and at most w/22 so a narrow panel keeps
 * room for text). Cost: O(rows shown + log count). A NULL cr or fonts, or an
 * empty rectangle, paints nothing; NULL entries or count 0 paint the header
 * only. */
void reelay_paint_inspector(cairo_t *cr, reelay_fonts *fonts, double x, double y, double w, double h,
                            const reelay_log_entry *entries, size_t count, double now_ms);

/* Whether the panel's pixels may differ between output times a_ms and b_ms
 * (either order), so the renderer can reuse a frame when false: true when an
 * entry appears in between (out_ms in (min, max]) or a highlight is fading at
 * either time; true for a NaN time; false for equal times. O(log count). */
bool reelay_inspector_changes(const reelay_log_entry *entries, size_t count, double a_ms, double b_ms);

#endif
