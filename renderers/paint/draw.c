#include "renderers/paint/draw.h"

#include <math.h>
#include <string.h>

#include "core/ascii.h"

reelay_rgba reelay_rgb_hex(uint32_t rgb)
{
    reelay_rgba c = {((rgb >> 16) & 0xFF) / 255.0, ((rgb >> 8) & 0xFF) / 255.0, (rgb & 0xFF) / 255.0, 1.0};
    return c;
}

reelay_rgba reelay_rgba_or(const reelay_color *color, reelay_rgba fallback)
{
    if (!color || !color->set || !color->valid) return fallback;
    reelay_rgba c = {color->r / 255.0, color->g / 255.0, color->b / 255.0, color->a / 255.0};
    return c;
}

static bool parse_hex_rgb(const char *text, int rgb[3])
{
    if (text[0] == '#') text++;
    size_t len = strlen(text);
    if (len != 3 && len != 6) return false;
    for (size_t i = 0; i < len; i++)
        if (reelay_hex_digit(text[i]) < 0) return false;
    for (int i = 0; i < 3; i++)
        rgb[i] = len == 3 ? reelay_hex_digit(text[i]) * 17
                          : reelay_hex_digit(text[2 * i]) * 16 + reelay_hex_digit(text[2 * i + 1]);
    return true;
}

bool reelay_color_is_light(const reelay_color *color, const char *fallback_hex)
{
    const char *text = (color && color->set && color->raw) ? color->raw : fallback_hex;
    int rgb[3];
    if (!text || !parse_hex_rgb(text, rgb)) return false;
    int luma = (int)floor(0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]);
    return luma > 128;
}

void reelay_set_source(cairo_t *cr, reelay_rgba color)
{
    cairo_set_source_rgba(cr, color.r, color.g, color.b, color.a);
}

void reelay_fill_rect(cairo_t *cr, double x, double y, double w, double h, reelay_rgba colour)
{
    cairo_new_path(cr);
    cairo_rectangle(cr, x, y, w, h);
    reelay_set_source(cr, colour);
    cairo_fill(cr);
}

reelay_text_style reelay_label_style(double size, uint32_t rgb, bool bold)
{
    return (reelay_text_style){
        .family = "sans-serif",
        .size = size,
        .bold = bold,
        .color = reelay_rgb_hex(rgb),
        .halign = TEXT_ALIGN_START,
        .valign = TEXT_ALIGN_CENTER,
    };
}

void reelay_path_rounded_rect(cairo_t *cr, double x, double y, double w, double h, double r)
{
    double limit = fmin(w, h) / 2.0;
    if (r > limit) r = limit;
    if (r <= 0) {
        cairo_rectangle(cr, x, y, w, h);
        return;
    }
    cairo_new_sub_path(cr);
    cairo_arc(cr, x + w - r, y + r, r, -REELAY_PI / 2, 0);
    cairo_arc(cr, x + w - r, y + h - r, r, 0, REELAY_PI / 2);
    cairo_arc(cr, x + r, y + h - r, r, REELAY_PI / 2, REELAY_PI);
    cairo_arc(cr, x + r, y + r, r, REELAY_PI, 3 * REELAY_PI / 2);
    cairo_close_path(cr);
}

/* The tile is black with #2D2D2D where (x + y) mod 16 lies in [8, 16): its
 * band polygon and corner triangle join into continuous 45° stripes. */
static void paint_stripes(cairo_t *cr, double x, double y, double w, double h)
{
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_rectangle(cr, x, y, w, h);
    cairo_fill(cr);
    reelay_set_source(cr, reelay_rgb_hex(0x2D2D2D));
    double span = w + h;
    for (double c = 8; c < span + 16; c += 16) {
        cairo_move_to(cr, x + c, y);
        cairo_line_to(cr, x + c + 8, y);
        cairo_line_to(cr, x + c + 8 - span, y + span);
        cairo_line_to(cr, x + c - span, y + span);
        cairo_close_path(cr);
    }
    cairo_fill(cr);
}

void reelay_paint_placeholder(cairo_t *cr, reelay_fonts *fonts, double x, double y, double w, double h,
                              reelay_rgba background, reelay_rgba label_color, const char *label,
                              double font_size, const char *family)
{
    if (w <= 0 || h <= 0) return;
    cairo_save(cr);
    cairo_rectangle(cr, x, y, w, h);
    cairo_clip(cr);
    reelay_set_source(cr, background);
    cairo_paint(cr);
    paint_stripes(cr, x, y, w, h);
    /* The player's label is white-space:normal with overflow-wrap:anywhere:
     * a label of one word (a URL: Chrome breaks no URL at its slashes) fills
     * each line to the edge. */
    reelay_text_style style = {
        .family = family,
        .size = font_size,
        .color = label_color,
        .wrap = true,
        .break_chars = label && !strchr(label, ' '),
        .halign = TEXT_ALIGN_CENTER,
        .valign = TEXT_ALIGN_CENTER,
        .line_align = TEXT_ALIGN_START,
        .device_metrics = true, /* placeholders are the player's, drawn by Chromium */
    };
    /* Centred while it fits; a taller label starts at the top, where
     * Chromium shows it, rather than losing its first line. */
    double tw, th;
    reelay_text_measure(cr, fonts, label, w, &style, &tw, &th);
    if (th > h) style.valign = TEXT_ALIGN_START;
    reelay_text_draw(cr, fonts, label, x, y, w, h, &style);
    cairo_restore(cr);
}
