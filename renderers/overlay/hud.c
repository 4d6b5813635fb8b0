#include "renderers/overlay/hud.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "renderers/paint/draw.h"
#include "session/timeline.h"

#define HUD_BACKGROUND 0x111827
#define HUD_TRACK 0x374151
#define HUD_FILL 0x6366F1
#define HUD_TEXT 0xF9FAFB
#define HUD_SCREEN_TEXT 0xD1D5DB
#define HUD_DIM_TEXT 0x9CA3AF

/* Indexed by reelay_hud_marker_kind. */
static const uint32_t MARKER_COLOURS[] = {0xD1D5DB, 0x38BDF8, 0xF97316, 0xEF4444};
#define MARKER_KINDS (sizeof MARKER_COLOURS / sizeof MARKER_COLOURS[0])

/* Past this, sizes only cost time (and keep int arithmetic far from overflow). */
#define HUD_MAX_WIDTH 32768

int reelay_hud_height(int output_width)
{
    if (output_width > HUD_MAX_WIDTH) output_width = HUD_MAX_WIDTH;
    int h = 2 * (int)lround(output_width * 32.0 / 720.0);
    return h < 40 ? 40 : h;
}

int reelay_hud_marker_cell(double strip_width)
{
    if (!(strip_width > 0)) return 2;
    if (strip_width > HUD_MAX_WIDTH) strip_width = HUD_MAX_WIDTH;
    long half = lround(strip_width / 1440.0);
    return 2 * (int)(half < 1 ? 1 : half);
}

/* Vertical layout of the strip, in pixels from its top, all whole numbers so
 * the bar and the markers have crisp edges. */
typedef struct hud_layout {
    double marker_top, bar_top, bar_bottom, marker_bottom;
    double pad, gap, font_size;
} hud_layout;

static hud_layout layout_for(double h)
{
    double u = h / 64.0;
    hud_layout l = {
        .marker_top = round(4 * u),
        .bar_top = round(7 * u),
        .bar_bottom = round(13 * u),
        .marker_bottom = round(16 * u),
        .pad = round(14 * u),
        .gap = round(12 * u),
        .font_size = 19 * u,
    };
    if (l.bar_bottom < l.bar_top + 2) l.bar_bottom = l.bar_top + 2;
    if (l.marker_top >= l.bar_top) l.marker_top = l.bar_top - 1;
    if (l.marker_bottom <= l.bar_bottom) l.marker_bottom = l.bar_bottom + 1;
    return l;
}

static double clamp01(double v)
{
    if (!(v > 0)) return 0; /* also NaN */
    return v < 1 ? v : 1;
}

static void fill_rect(cairo_t *cr, double x, double y, double w, double h, uint32_t rgb)
{
    reelay_fill_rect(cr, x, y, w, h, reelay_rgb_hex(rgb));
}

/* One pass per kind, least important first, each adding a rectangle for every
 * run of markers in one cell whose most important kind is this one. Sorted
 * markers make one run per cell; unsorted ones make more, but the later
 * passes still cover the earlier ones, so every cell ends up in the colour of
 * the most important kind it holds. Cost: O(markers) per pass, one fill each. */
static void paint_markers(cairo_t *cr, const reelay_hud_state *s, double x, double w, const double top[],
                          const double height[])
{
    double cell = reelay_hud_marker_cell(w);
    long cells = (long)ceil(w / cell);
    if (cells < 1) return;
    for (unsigned kind = 0; kind < MARKER_KINDS; kind++) {
        cairo_new_path(cr);
        bool any = false;
        long run_cell = -1;
        unsigned run_kind = 0;
        /* The cells painted so far for this kind, merged while contiguous. */
        long span_first = -1, span_last = -1;
        for (size_t i = 0; i <= s->marker_count; i++) {
            long c = -1;
            unsigned k = 0;
            if (i < s->marker_count) {
                const reelay_hud_marker *m = &s->markers[i];
                k = (unsigned)m->kind;
                if (k >= MARKER_KINDS || !isfinite(m->position)) continue;
                c = (long)floor(clamp01(m->position) * w / cell);
                if (c >= cells) c = cells - 1;
                if (c == run_cell) {
                    if (k > run_kind) run_kind = k;
                    continue;
                }
            }
            /* A run ended (or the list did): keep its cell if it is this kind's. */
            if (run_cell >= 0 && run_kind == kind) {
                if (span_first >= 0 && run_cell == span_last + 1) {
                    span_last = run_cell;
                } else {
                    if (span_first >= 0) {
                        double x0 = x + span_first * cell, x1 = fmin(x + (span_last + 1) * cell, x + w);
                        cairo_rectangle(cr, x0, top[kind], x1 - x0, height[kind]);
                        any = true;
                    }
                    span_first = span_last = run_cell;
                }
            }
            run_cell = c;
            run_kind = k;
        }
        if (span_first >= 0) {
            double x0 = x + span_first * cell, x1 = fmin(x + (span_last + 1) * cell, x + w);
            cairo_rectangle(cr, x0, top[kind], x1 - x0, height[kind]);
            any = true;
        }
        if (any) {
            reelay_set_source(cr, reelay_rgb_hex(MARKER_COLOURS[kind]));
            cairo_fill(cr);
        }
    }
    cairo_new_path(cr);
}

static void paint_bar(cairo_t *cr, const reelay_hud_state *s, double x, double y, double w, const hud_layout *l)
{
    double top = y + l->bar_top, height = l->bar_bottom - l->bar_top;
    fill_rect(cr, x, top, w, height, HUD_TRACK);
    double progress = clamp01(s->progress);
    if (progress > 0) fill_rect(cr, x, top, progress * w, height, HUD_FILL);
    if (s->cut_ranges && s->cut_count > 0) {
        /* At least a pixel wide: a long idle stretch cut to a one-second card
         * would otherwise vanish from the bar. */
        cairo_new_path(cr);
        for (size_t i = 0; i < s->cut_count; i++) {
            double a = clamp01(s->cut_ranges[i].start), b = clamp01(s->cut_ranges[i].end);
            if (!(b >= a)) continue;
            double x0 = x + a * w, x1 = fmax(x + b * w, x0 + 1);
            cairo_rectangle(cr, x0, top, x1 - x0, height);
        }
        cairo_set_source_rgba(cr, 1, 1, 1, 0.35);
        cairo_fill(cr);
    }
    if (s->markers && s->marker_count > 0) {
        /* Taps stay within the bar: a session has hundreds of them, and the
         * rarer kinds that stick out above and below are the ones to find. */
        double tall_top = y + l->marker_top, tall = l->marker_bottom - l->marker_top;
        double tops[MARKER_KINDS] = {top, tall_top, tall_top, tall_top};
        double heights[MARKER_KINDS] = {height, tall, tall, tall};
        paint_markers(cr, s, x, w, tops, heights);
    }
}

/* A rounded rectangle filled only where it meets the clip rectangle. */
static void fill_rounded_clipped(cairo_t *cr, double clip_x, double clip_y, double clip_w, double clip_h, double x,
                                 double y, double w, double h, double radius, uint32_t rgb)
{
    cairo_save(cr);
    cairo_new_path(cr);
    cairo_rectangle(cr, clip_x, clip_y, fmax(clip_w, 0), fmax(clip_h, 0));
    cairo_clip(cr);
    reelay_path_rounded_rect(cr, x, y, w, h, radius);
    reelay_set_source(cr, reelay_rgb_hex(rgb));
    cairo_fill(cr);
    cairo_restore(cr);
}

/* "2×", "1.5×", "0.25×"; false when the speed is 1 or meaningless. */
static bool format_speed(double speed, char *buf, size_t size)
{
    if (!isfinite(speed) || speed <= 0 || speed == 1) return false;
    if (speed > 9999) speed = 9999;
    snprintf(buf, size, "%.3g\xC3\x97", speed);
    return true;
}

static void format_utc(double epoch_ms, char *buf, size_t size)
{
    double day_s = fmod(floor(epoch_ms / 1000.0), 86400.0);
    if (day_s < 0) day_s += 86400.0;
    int t = (int)day_s;
    snprintf(buf, size, "%02d:%02d:%02d UTC", t / 3600, t / 60 % 60, t % 60);
}

static void paint_text_row(cairo_t *cr, reelay_fonts *fonts, const reelay_hud_state *s, double x, double y,
                           double w, double h, const hud_layout *l)
{
    double row_y = y + l->marker_bottom, row_h = h - l->marker_bottom;
    double left = x + l->pad, right = x + w - l->pad;
    if (row_h <= 0 || right <= left) return;

    char elapsed[32], total[32], clock[80];
    /* both times in the long form from an hour on, so the text keeps its width */
    bool long_form = isfinite(s->total_ms) && s->total_ms >= 3600000.0;
    reelay_format_clock(s->elapsed_ms, long_form, elapsed, sizeof elapsed);
    reelay_format_clock(s->total_ms, long_form, total, sizeof total);
    snprintf(clock, sizeof clock, "%s / %s", elapsed, total);
    reelay_text_style clock_style = reelay_label_style(l->font_size, HUD_TEXT, false);
    /* A little slack: the clip box of a text is its logical width, and
     * antialiased ink may spill a fraction of a pixel past it. */
    double clock_w = ceil(reelay_text_digit_shape_width(cr, fonts, clock, &clock_style)) + 2;
    reelay_text_draw(cr, fonts, clock, left, row_y, fmin(clock_w, right - left), row_h, &clock_style);
    left += clock_w + l->gap;

    char speed[32];
    if (left < right && format_speed(s->speed, speed, sizeof speed)) {
        reelay_text_style pill_style = reelay_label_style(l->font_size * 0.8, HUD_TEXT, true);
        double tw, th;
        reelay_text_measure(cr, fonts, speed, 0, &pill_style, &tw, &th);
        double pill_pad = round(l->font_size * 0.35);
        double pill_w = ceil(tw) + 2 * pill_pad, pill_h = round(th + pill_pad * 0.6);
        double pill_y = row_y + round((row_h - pill_h) / 2);
        fill_rounded_clipped(cr, left, row_y, right - left, row_h, left, pill_y, pill_w, pill_h, pill_h / 2,
                             HUD_TRACK);
        pill_style.halign = TEXT_ALIGN_CENTER;
        reelay_text_draw(cr, fonts, speed, left, pill_y, fmin(pill_w, right - left), pill_h, &pill_style);
        left += pill_w + l->gap;
    }

    bool has_screen = s->screen && s->screen[0];
    reelay_text_style screen_style = reelay_label_style(l->font_size, HUD_SCREEN_TEXT, false);
    screen_style.ellipsize = true;
    if (isfinite(s->wall_clock_ms)) {
        char utc[32];
        format_utc(s->wall_clock_ms, utc, sizeof utc);
        reelay_text_style utc_style = reelay_label_style(l->font_size, HUD_DIM_TEXT, false);
        double utc_w = ceil(reelay_text_digit_shape_width(cr, fonts, utc, &utc_style)) + 2;
        /* The screen name tells more than the time of day: the clock gives
         * way when the name would be left less than it needs (or 6 em). */
        double need = 0;
        if (has_screen) {
            double sw, sh;
            reelay_text_measure(cr, fonts, s->screen, 0, &screen_style, &sw, &sh);
            need = fmin(ceil(sw), 6 * l->font_size) + l->gap;
        }
        if (right - left >= utc_w + need) {
            utc_style.halign = TEXT_ALIGN_END;
            reelay_text_draw(cr, fonts, utc, right - utc_w, row_y, utc_w, row_h, &utc_style);
            right -= utc_w + l->gap;
        }
    }
    if (has_screen && right - left >= l->font_size)
        reelay_text_draw(cr, fonts, s->screen, left, row_y, right - left, row_h, &screen_style);
}

void reelay_paint_hud(cairo_t *cr, reelay_fonts *fonts, double x, double y, double w, double h,
                      const reelay_hud_state *state)
{
    if (!cr || !fonts || !state || !(w > 0) || !(h > 0)) return;
    if (w > HUD_MAX_WIDTH) w = HUD_MAX_WIDTH;
    hud_layout l = layout_for(h);
    cairo_save(cr);
    cairo_new_path(cr);
    cairo_rectangle(cr, x, y, w, h);
    cairo_clip(cr);
    fill_rect(cr, x, y, w, h, HUD_BACKGROUND);
    paint_bar(cr, state, x, y, w, &l);
    paint_text_row(cr, fonts, state, x, y, w, h, &l);
    cairo_restore(cr);
}

/* Two right-pointing triangles side by side in (x, y, w, h). */
static void path_fast_forward(cairo_t *cr, double x, double y, double w, double h)
{
    double half = w / 2;
    for (int i = 0; i < 2; i++) {
        double x0 = x + i * half;
        cairo_move_to(cr, x0, y);
        cairo_line_to(cr, x0 + half, y + h / 2);
        cairo_line_to(cr, x0, y + h);
        cairo_close_path(cr);
    }
}

void reelay_paint_skip_card(cairo_t *cr, reelay_fonts *fonts, double x, double y, double w, double h,
                            const char *skipped_text, double progress)
{
    if (!cr || !fonts || !(w > 0) || !(h > 0)) return;
    cairo_save(cr);
    cairo_new_path(cr);
    cairo_rectangle(cr, x, y, w, h);
    cairo_clip(cr);
    cairo_set_source_rgba(cr, 0, 0, 0, 0.55);
    cairo_paint(cr);

    double size = fmin(w, h) / 24;
    size = size < 12 ? 12 : size > 48 ? 48 : size;
    double pad = round(size * 0.9), gap = round(size * 0.5);
    double icon_w = round(size * 1.1), icon_h = round(size * 0.7);
    double bar_h = fmax(2, round(size * 0.2)), bar_gap = round(size * 0.6);
    reelay_text_style style = reelay_label_style(size, HUD_TEXT, true);
    style.ellipsize = true;
    const char *text = skipped_text ? skipped_text : "";
    double text_w = 0, text_h = 0;
    reelay_text_measure(cr, fonts, text[0] ? text : "0", 0, &style, &text_w, &text_h);
    if (!text[0]) text_w = 0;
    double max_text_w = w - 2 * size - 2 * pad - icon_w - gap;
    text_w = fmax(0, fmin(ceil(text_w), max_text_w));

    double card_w = 2 * pad + icon_w + (text_w > 0 ? gap + text_w : 0);
    double line_h = ceil(fmax(text_h, icon_h));
    double card_h = 2 * pad + line_h + bar_gap + bar_h;
    double cx = x + round((w - card_w) / 2), cy = y + round((h - card_h) / 2);

    cairo_new_path(cr);
    reelay_path_rounded_rect(cr, cx, cy, card_w, card_h, size * 0.6);
    reelay_rgba card = reelay_rgb_hex(HUD_BACKGROUND);
    card.a = 0.92;
    reelay_set_source(cr, card);
    cairo_fill(cr);

    double line_y = cy + pad;
    cairo_new_path(cr);
    path_fast_forward(cr, cx + pad, line_y + round((line_h - icon_h) / 2), icon_w, icon_h);
    reelay_set_source(cr, reelay_rgb_hex(HUD_TEXT));
    cairo_fill(cr);
    if (text_w > 0) reelay_text_draw(cr, fonts, text, cx + pad + icon_w + gap, line_y, text_w, line_h, &style);

    double bar_x = cx + pad, bar_w = card_w - 2 * pad, bar_y = line_y + line_h + bar_gap;
    cairo_new_path(cr);
    reelay_path_rounded_rect(cr, bar_x, bar_y, bar_w, bar_h, bar_h / 2);
    reelay_set_source(cr, reelay_rgb_hex(HUD_TRACK));
    cairo_fill(cr);
    /* Clipped rather than shrunk: a short fill keeps the bar's rounded left
     * end instead of collapsing into a dot. */
    double done = clamp01(progress) * bar_w;
    if (done > 0)
        fill_rounded_clipped(cr, bar_x, bar_y, done, bar_h, bar_x, bar_y, bar_w, bar_h, bar_h / 2, HUD_FILL);
    cairo_restore(cr);
}
