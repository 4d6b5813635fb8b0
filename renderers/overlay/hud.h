/* hud.h — the HUD strip under the recorded screen, and the skipped-idle card.
 * Owns: painting one reelay_hud_state into a strip (session clock, optional
 * UTC time of day, playback speed, screen name or URL, progress bar with
 * event markers and cut ranges) and painting the "skipped" card over a frozen
 * screen. It formats the times it shows; it reads no session and keeps no
 * state.
 *
 * Unlike the other overlay painters, whose user space is the recording's
 * logical viewport, both painters here take rectangles in output pixels:
 * the caller paints them with a user space of 1 unit = 1 output pixel
 * (normally the identity), because marker cells and bar edges are snapped to
 * whole pixels. Like them, they never clear, draw nothing outside the
 * rectangle given, and leave the cairo_t's state as they found it.
 *
 * Strip layout, top to bottom: the progress bar across the whole width
 * (markers other than taps stick out above and below it), then one text row: the clock
 * "02:13 / 10:00" at the left, a "2×" pill when the speed is not 1, the
 * screen ellipsized into the room left, and "14:03:27 UTC" at the right
 * (left out when it would leave the screen name too little room). */
#ifndef REELAY_OVERLAY_HUD_H
#define REELAY_OVERLAY_HUD_H

#include <cairo.h>
#include <stdbool.h>
#include <stddef.h>

#include "renderers/paint/text.h"

/* In increasing importance: a cell with several kinds shows the last. */
typedef enum reelay_hud_marker_kind {
    REELAY_HUD_TAP = 0,       /* click or tap: light grey, within the bar's height */
    REELAY_HUD_SCREEN,        /* navigation or screen change: sky blue */
    REELAY_HUD_NETWORK_FAIL,  /* failed request: orange */
    REELAY_HUD_ERROR,         /* console error or exception: red */
} reelay_hud_marker_kind;

typedef struct reelay_hud_marker {
    double position; /* 0..1 along the bar */
    reelay_hud_marker_kind kind;
} reelay_hud_marker;

/* A stretch of the bar that stands for cut idle time, shaded. */
typedef struct reelay_hud_range {
    double start, end; /* 0..1 along the bar */
} reelay_hud_range;

typedef struct reelay_hud_state {
    double elapsed_ms, total_ms; /* session time since the start, and the session's length */
    double wall_clock_ms;        /* epoch ms of the instant shown (for a UTC clock); NAN to omit */
    const char *screen;          /* screen name or URL; NULL/"" = none */
    double progress;             /* 0..1 output position */
    const reelay_hud_marker *markers; /* sorted by position (any order paints the same, slower) */
    size_t marker_count;
    double speed;                /* shown as "2×" when != 1 (and finite, > 0) */
    const reelay_hud_range *cut_ranges; /* optional; NULL/0 = none */
    size_t cut_count;
} reelay_hud_state;

/* Strip height in pixels for an output of this width: 64 px at 720 px wide,
 * proportional, even (for 4:2:0 video), at least 40. */
int reelay_hud_height(int output_width);

/* Width in pixels of the cells markers are coalesced into on a strip this
 * wide: marker i lands in cell floor(position · w / cell) and every cell shows
 * its most important kind. Even (2 px at most sizes) so a marker keeps its
 * colour through 4:2:0 chroma subsampling. */
int reelay_hud_marker_cell(double strip_width);

/* Paints the strip into (x, y, w, h). A NULL argument or an empty rectangle
 * paints nothing (so does a NULL cr, fonts or an empty rectangle below). */
void reelay_paint_hud(cairo_t *cr, reelay_fonts *fonts, double x, double y, double w, double h,
                      const reelay_hud_state *state);

/* The card shown while an idle stretch is skipped: dims (x, y, w, h) (the
 * screen area) and draws a centred rounded card with a fast-forward icon, the
 * caller's text (e.g. "skipped 4m 12s") and a thin bar showing progress 0..1
 * through the card's time on screen. The icon is drawn, not a glyph: U+23E9
 * has emoji presentation, and Pango would take it from Noto Color Emoji. */
void reelay_paint_skip_card(cairo_t *cr, reelay_fonts *fonts, double x, double y, double w, double h,
                            const char *skipped_text, double progress);

#endif
