/* draw.h — small Cairo helpers shared by the renderers.
 * Owns: colour conversion and the light/dark test of PostHog's player
 * (mobile-wireframes.md §4.7), rounded-rectangle paths, and the striped
 * placeholder box (§4.6) used for masked images, web views and the keyboard. */
#ifndef REELAY_PAINT_DRAW_H
#define REELAY_PAINT_DRAW_H

#include <cairo.h>
#include <stdbool.h>
#include <stdint.h>

#include "renderers/paint/text.h"
#include "session/wireframe.h"

#define REELAY_PI 3.14159265358979323846

/* 0xRRGGBB, opaque. */
reelay_rgba reelay_rgb_hex(uint32_t rgb);

/* The colour when it was given and understood, else fallback. */
reelay_rgba reelay_rgba_or(const reelay_color *color, reelay_rgba fallback);

/* PostHog's isLight on the colour's raw text (#RGB/#RRGGBB, '#' optional):
 * luma floor(0.299R + 0.587G + 0.114B) > 128. A colour that is not set uses
 * fallback_hex; unparsable text is not light. */
bool reelay_color_is_light(const reelay_color *color, const char *fallback_hex);

void reelay_set_source(cairo_t *cr, reelay_rgba color);

/* Fills the rectangle with colour (discarding any current path). */
void reelay_fill_rect(cairo_t *cr, double x, double y, double w, double h, reelay_rgba colour);

/* The style of reelay's own labels (HUD, inspector, overlay pills): Noto
 * Sans via "sans-serif", colour 0xRRGGBB, left-aligned and vertically centred
 * in its box. */
reelay_text_style reelay_label_style(double size, uint32_t rgb, bool bold);

/* Path of a rectangle with corner radius r (clamped to half the shorter side). */
void reelay_path_rounded_rect(cairo_t *cr, double x, double y, double w, double h, double r);

/* The placeholder look: background, the 16-unit dark diagonal stripe tile from
 * the box's top-left corner, and a centred label clipped to the box. */
void reelay_paint_placeholder(cairo_t *cr, reelay_fonts *fonts, double x, double y, double w, double h,
                              reelay_rgba background, reelay_rgba label_color, const char *label,
                              double font_size, const char *family);

#endif
