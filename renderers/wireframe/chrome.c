/* chrome.c — the screen chrome PostHog's player draws itself
 * (mobile-wireframes.md §4.7): the status bar with its clock, the Android
 * navigation bar, and the keyboard placeholder. */
#include <math.h>
#include <stdio.h>

#include "renderers/wireframe/wf_internal.h"

static reelay_rgba black_or_white(bool light)
{
    return reelay_rgb_hex(light ? 0x000000 : 0xFFFFFF);
}

/* The player formats the clock with toLocaleTimeString in the viewer's
 * locale and timezone; reelay uses UTC and a 24-hour "HH:MM" instead, so a
 * recording renders to the same frames on every machine. */
static void format_clock(double timestamp_ms, char out[16])
{
    int minutes = 0;
    if (isfinite(timestamp_ms)) {
        double m = floor(fmod(timestamp_ms, 86400000.0) / 60000.0);
        if (m < 0) m += 1440;
        minutes = (int)wf_clamp(m, 0, 1439);
    }
    snprintf(out, 16, "%02d:%02d", minutes / 60, minutes % 60);
}

/* A bar's box with its own styles and a text colour forced to black on a
 * light background, else white (PostHog's isLight); fallback_hex is what a
 * missing background counts as. Paints the box when it shows and returns
 * whether it does; *st and *g are filled either way. */
static bool bar_begin(reelay_wf_renderer *r, cairo_t *cr, const reelay_wireframe *wf, const wf_inherit *inh,
                      const char *fallback_hex, reelay_text_style *st, wf_geom *g)
{
    reelay_rgba color = black_or_white(reelay_color_is_light(&wf->style.background_color, fallback_hex));
    wf_inherit self = wf_element_inherit(inh, wf);
    *st = wf_text_style(&self, color);
    st->wrap = false;
    st->valign = TEXT_ALIGN_CENTER; /* a flex row, vertically centred */
    return wf_box_begin(r, cr, wf, color, WF_BOX_CONTENT, g);
}

void wf_paint_status_bar(reelay_wf_renderer *r, cairo_t *cr, const reelay_wireframe *wf, const wf_inherit *inh)
{
    /* No background counts as white here (and nothing extra is painted). */
    reelay_text_style st;
    wf_geom g;
    bar_begin(r, cr, wf, inh, "#ffffff", &st, &g);
    char clock[16];
    format_clock(r->view->timestamp, clock);
    /* A 5px spacer, then the clock; the bar does not clip (overflow:visible),
     * so a bar of no height still shows its clock, centred on its edge. */
    const wf_box *c = &g.content;
    wf_draw_text_overflowing(r, cr, clock, (wf_box){c->x + 5, c->y, fmax(c->w - 5, 1), c->h}, &st);
}

void wf_paint_navigation_bar(reelay_wf_renderer *r, cairo_t *cr, const reelay_wireframe *wf,
                             const wf_inherit *inh)
{
    /* Here no background counts as #f3f4ef for the light test. */
    reelay_text_style st;
    wf_geom g;
    if (!bar_begin(r, cr, wf, inh, "#f3f4ef", &st, &g) || !(st.size >= 0.1)) return;
    /* ◀ ⚪ ⬜️ */
    static const char *const glyphs[3] = {"\xE2\x97\x80", "\xE2\x9A\xAA", "\xE2\xAC\x9C\xEF\xB8\x8F"};
    double widths[3], total = 0, unused;
    for (int i = 0; i < 3; i++) {
        reelay_text_measure(cr, r->fonts, glyphs[i], 0, &st, &widths[i], &unused);
        total += widths[i];
    }
    /* justify-content: space-around; with no room left, the row is centred. */
    const wf_box *c = &g.content;
    double free_space = c->w - total;
    double gap = free_space > 0 ? free_space / 3 : 0;
    double x = c->x + (free_space > 0 ? gap / 2 : free_space / 2);
    for (int i = 0; i < 3; i++) {
        if (widths[i] > 0) wf_draw_text(r, cr, &g, glyphs[i], (wf_box){x, c->y, widths[i], c->h}, &st);
        x += widths[i] + gap;
    }
}

void wf_paint_keyboard(reelay_wf_renderer *r, cairo_t *cr)
{
    const reelay_scene_keyboard *kb = &r->view->keyboard;
    double lim = r->limit;
    double h = wf_clamp(kb->height, 0, 2 * lim);
    double w = kb->has_width ? wf_clamp(kb->width, 0, 2 * lim) : r->view_w;
    double x = 0, y = r->view_h - h; /* bottom:0, at the left edge */
    if (kb->has_x || kb->has_y) {
        x = kb->has_x ? wf_clamp(kb->x, -lim, lim) : 0;
        y = kb->has_y ? wf_clamp(kb->y, -lim, lim) : 0;
    }
    wf_box box = {x, y, w, h};
    if (!wf_box_visible(r, &box)) return;
    /* Coloured like the last navigation bar, when one was seen. */
    const reelay_color *nav = r->view->navigation_background;
    bool nav_seen = nav && nav->set;
    reelay_rgba bg = nav_seen ? reelay_rgba_or(nav, reelay_rgb_hex(0xF3F4EF)) : reelay_rgb_hex(0xF3F4EF);
    reelay_rgba fg = nav_seen ? black_or_white(reelay_color_is_light(nav, "#f3f4ef")) : reelay_rgb_hex(0x35373E);
    reelay_paint_placeholder(cr, r->fonts, x, y, w, h, bg, fg, "keyboard", WF_DEFAULT_FONT_SIZE,
                             r->default_family);
}
