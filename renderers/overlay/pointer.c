#include "renderers/overlay/pointer.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "renderers/paint/draw.h"

#define RIPPLE_RGB 0x4950F6
/* The pill's look: small, dark, unobtrusive. */
#define PILL_FONT 12.0
#define PILL_PAD_X 8.0
#define PILL_PAD_Y 4.0
#define PILL_MARGIN 10.0
#define PILL_ALPHA 0.7
#define BAR_MIN_LENGTH 24.0
#define BAR_ALPHA 0.55
/* Offsets beyond this are shown clamped: real pages are far smaller. */
#define LABEL_MAX 1e15

/* The classic arrow, tip at the origin, in a 20-unit-tall design. */
static const double ARROW[][2] = {
    {0, 0}, {0, 17}, {4.2, 13.2}, {7, 19.6}, {9.8, 18.4}, {7.1, 12.2}, {12.6, 12.2},
};

static void paint_cursor(cairo_t *cr, const reelay_pointer_state *s)
{
    double scale = REELAY_POINTER_CURSOR_HEIGHT / 20.0 * (s->pressed ? 0.9 : 1.0);
    cairo_save(cr);
    cairo_translate(cr, s->x, s->y);
    cairo_scale(cr, scale, scale);
    cairo_new_path(cr);
    for (size_t i = 0; i < sizeof ARROW / sizeof ARROW[0]; i++) cairo_line_to(cr, ARROW[i][0], ARROW[i][1]);
    cairo_close_path(cr);
    reelay_set_source(cr, reelay_rgb_hex(s->pressed ? 0xD0D0D0 : 0xFFFFFF));
    cairo_fill_preserve(cr);
    cairo_set_line_width(cr, 1.25);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    reelay_set_source(cr, reelay_rgb_hex(0x000000));
    cairo_stroke(cr);
    cairo_restore(cr);
}

static void paint_ripple(cairo_t *cr, const reelay_pointer_ripple *r)
{
    double life = r->age_ms / REELAY_POINTER_RIPPLE_MS;
    if (!(life >= 0 && life < 1) || !isfinite(r->x) || !isfinite(r->y)) return;
    double radius = REELAY_POINTER_RIPPLE_RADIUS * life;
    if (radius <= 0) return;
    reelay_rgba colour = reelay_rgb_hex(RIPPLE_RGB);
    colour.a = REELAY_POINTER_RIPPLE_ALPHA * (1 - life);
    cairo_new_path(cr);
    cairo_arc(cr, r->x, r->y, radius, 0, 2 * REELAY_PI);
    cairo_set_line_width(cr, REELAY_POINTER_RIPPLE_WIDTH);
    reelay_set_source(cr, colour);
    cairo_stroke(cr);
}

/* Decimal digits of |v| with a comma every three, after a '-' when negative. */
static void format_grouped(double v, char *buf, size_t size)
{
    char digits[32];
    double a = fmin(fabs(v), LABEL_MAX);
    snprintf(digits, sizeof digits, "%.0f", a);
    size_t len = strlen(digits), o = 0;
    if (v <= -0.5 && o + 1 < size) buf[o++] = '-';
    for (size_t i = 0; i < len && o + 1 < size; i++) {
        if (i > 0 && (len - i) % 3 == 0) {
            buf[o++] = ',';
            if (o + 1 >= size) break;
        }
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
}

void reelay_pointer_scroll_label(const reelay_pointer_state *state, char *buf, size_t size)
{
    if (!buf || size == 0) return;
    buf[0] = '\0';
    if (!state) return;
    bool horizontal = state->scroll_dir == REELAY_SCROLL_LEFT || state->scroll_dir == REELAY_SCROLL_RIGHT;
    const char *arrow = state->scroll_dir == REELAY_SCROLL_DOWN    ? "\u2193 "
                        : state->scroll_dir == REELAY_SCROLL_UP    ? "\u2191 "
                        : state->scroll_dir == REELAY_SCROLL_RIGHT ? "\u2192 "
                        : state->scroll_dir == REELAY_SCROLL_LEFT  ? "\u2190 "
                                                                   : "";
    char number[64];
    format_grouped(horizontal ? state->scroll_x : state->scroll_y, number, sizeof number);
    snprintf(buf, size, "%s%s px", arrow, number);
}

static void paint_bar(cairo_t *cr, const reelay_pointer_state *s, double vw, double vh, double page_height)
{
    double track = vh - 2 * REELAY_POINTER_BAR_MARGIN;
    if (track <= 0) return;
    double length = fmax(fmin(BAR_MIN_LENGTH, track), track * vh / page_height);
    double range = page_height - vh;
    double f = s->scroll_y / range;
    f = f < 0 ? 0 : f > 1 ? 1 : f; /* overscroll and stale heights stay on the track */
    double x = vw - REELAY_POINTER_BAR_MARGIN - REELAY_POINTER_BAR_WIDTH;
    double y = REELAY_POINTER_BAR_MARGIN + (track - length) * f;
    reelay_path_rounded_rect(cr, x, y, REELAY_POINTER_BAR_WIDTH, length, REELAY_POINTER_BAR_WIDTH / 2);
    /* A light rim keeps the dark thumb visible on dark pages. */
    reelay_rgba fill = reelay_rgb_hex(0x000000), rim = reelay_rgb_hex(0xFFFFFF);
    fill.a = BAR_ALPHA * s->scroll_alpha;
    rim.a = 0.5 * s->scroll_alpha;
    reelay_set_source(cr, fill);
    cairo_fill_preserve(cr);
    cairo_set_line_width(cr, 1);
    reelay_set_source(cr, rim);
    cairo_stroke(cr);
}

static void paint_pill(cairo_t *cr, reelay_fonts *fonts, const reelay_pointer_state *s, double vw)
{
    char label[96];
    reelay_pointer_scroll_label(s, label, sizeof label);
    reelay_text_style style = reelay_label_style(PILL_FONT, 0xFFFFFF, true);
    style.halign = TEXT_ALIGN_CENTER;
    style.color.a = s->scroll_alpha;
    double tw = 0, th = 0;
    reelay_text_measure(cr, fonts, label, 0, &style, &tw, &th);
    double w = tw + 2 * PILL_PAD_X, h = th + 2 * PILL_PAD_Y;
    double x = vw - PILL_MARGIN - w, y = PILL_MARGIN;
    reelay_rgba bg = reelay_rgb_hex(0x000000);
    bg.a = PILL_ALPHA * s->scroll_alpha;
    reelay_path_rounded_rect(cr, x, y, w, h, h / 2);
    reelay_set_source(cr, bg);
    cairo_fill(cr);
    reelay_text_draw(cr, fonts, label, x, y, w, h, &style);
}

static void paint_scroll(cairo_t *cr, reelay_fonts *fonts, const reelay_pointer_state *s, double page_height)
{
    double vw = s->viewport_width, vh = s->viewport_height;
    if (!s->has_viewport) {
        double x1, y1, x2, y2;
        cairo_clip_extents(cr, &x1, &y1, &x2, &y2);
        vw = x2;
        vh = y2;
    }
    if (!(vw > 0 && vh > 0 && isfinite(vw) && isfinite(vh)) || !isfinite(s->scroll_y)) return;
    if (isfinite(page_height) && page_height > vh)
        paint_bar(cr, s, vw, vh, page_height);
    else if (fonts)
        paint_pill(cr, fonts, s, vw);
}

void reelay_paint_pointer(cairo_t *cr, reelay_fonts *fonts, const reelay_pointer_state *state, double page_height)
{
    if (!cr || !state || !state->active) return;
    cairo_save(cr);
    if (state->has_scroll && state->scroll_alpha > 0 && state->scroll_alpha <= 1)
        paint_scroll(cr, fonts, state, page_height);
    size_t n = state->ripple_count < REELAY_POINTER_MAX_RIPPLES ? state->ripple_count : REELAY_POINTER_MAX_RIPPLES;
    for (size_t i = 0; i < n; i++) paint_ripple(cr, &state->ripples[i]);
    if (state->cursor_visible && isfinite(state->x) && isfinite(state->y)) paint_cursor(cr, state);
    cairo_restore(cr);
}
