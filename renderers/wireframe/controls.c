/* controls.c — the `input` wireframes (mobile-wireframes.md §3.3, §4.5):
 * one-line text inputs, buttons, selects, checkboxes and radios, the drawn
 * toggle, and the three progress bars. Where PostHog leaves the look to the
 * browser (input, select, checkbox, <progress>), the controls imitate
 * Chrome's light-theme defaults; the toggle and the circular and rating bars
 * follow the player's own CSS. */
#include <math.h>
#include <string.h>

#include "renderers/wireframe/wf_internal.h"

/* Chrome's light-theme control colours. */
#define UA_ACCENT 0x0075FF
#define UA_BORDER 0x767676
#define UA_DISABLED 0xC6C6C6
#define UA_TRACK 0xEFEFEF
/* Chrome's checkbox and radio size in CSS px. */
#define UA_CHECK_SIZE 13.0
/* Chrome's checkbox corner radius and border width in CSS px, at any size. */
#define UA_CHECK_RADIUS 2.0
#define UA_CHECK_BORDER 1.0
/* Width kept for a select's drop-down arrow, and where the arrow's middle
 * lies from the right edge (measured in Chromium). */
#define UA_SELECT_ARROW 20.0
#define UA_SELECT_ARROW_CENTER 8.0
/* Chrome's menulist indents its text by this much (its internal padding,
 * which the player's padding reset does not reach). */
#define UA_SELECT_TEXT_INSET 4.0
/* Spinner and indeterminate bar period (ms): the player's spinner turns once per 2 s. */
#define ANIMATION_PERIOD_MS 2000.0

bool wf_is_form_control(const reelay_wireframe *wf)
{
    if (wf->type != WF_INPUT) return false;
    switch (wf->input_type) {
    case WF_INPUT_CHECKBOX:
    case WF_INPUT_RADIO: return wf->label == NULL; /* labelled: the <label> carries the styles */
    case WF_INPUT_NONE:
    case WF_INPUT_TOGGLE:
    case WF_INPUT_PROGRESS: return false;
    default: return true;
    }
}

static double place(double start, double room, double size, reelay_align align)
{
    if (align == WF_ALIGN_CENTER) return start + (room - size) / 2;
    if (align == WF_ALIGN_END) return start + room - size;
    return start;
}

/* Phase in [0, 1) of an animation at view time, 0 for absurd times. */
static double animation_phase(const reelay_wf_renderer *r)
{
    double t = r->view->timestamp;
    if (!isfinite(t)) return 0;
    double phase = fmod(t, ANIMATION_PERIOD_MS) / ANIMATION_PERIOD_MS;
    return phase < 0 ? phase + 1 : phase;
}

static void path_ellipse(cairo_t *cr, double x, double y, double w, double h)
{
    cairo_save(cr);
    cairo_translate(cr, x + w / 2, y + h / 2);
    cairo_scale(cr, w / 2, h / 2);
    cairo_new_sub_path(cr);
    cairo_arc(cr, 0, 0, 1, 0, 2 * REELAY_PI);
    cairo_close_path(cr);
    cairo_restore(cr);
}

/* ------------------------------------------------------------------------ */
/* Text inputs, buttons, selects                                            */

/* One line, left-aligned and vertically centred by the UA: alignment
 * styles do not move an input's value. */
static void paint_text_input(reelay_wf_renderer *r, cairo_t *cr, const reelay_wireframe *wf, const wf_inherit *self)
{
    wf_geom g;
    unsigned rules = WF_BOX_NO_BLOCK_PADDING | (wf->input_type == WF_INPUT_SEARCH ? WF_BOX_BORDER_BOX : 0);
    if (!wf_box_begin(r, cr, wf, self->color, rules, &g)) return;
    const char *text =
        wf_text_prepare(r, wf->value, wf->input_type == WF_INPUT_PASSWORD ? WF_TEXT_BULLETS : WF_TEXT_LINE);
    reelay_text_style st = wf_text_style(self, self->color);
    st.wrap = false;
    st.valign = TEXT_ALIGN_CENTER;
    wf_draw_text(r, cr, &g, text, g.content, &st);
}

static void paint_button(reelay_wf_renderer *r, cairo_t *cr, const reelay_wireframe *wf, const wf_inherit *self)
{
    wf_geom g;
    if (!wf_box_begin(r, cr, wf, self->color, WF_BOX_NO_BLOCK_PADDING | WF_BOX_BORDER_BOX, &g)) return;
    const char *text = wf_text_prepare(r, wf->value, WF_TEXT_COLLAPSE);
    reelay_text_style st = wf_text_style(self, self->color);
    st.halign = st.valign = st.line_align = TEXT_ALIGN_CENTER;
    wf_draw_text(r, cr, &g, text, g.content, &st);
}

static void paint_select(reelay_wf_renderer *r, cairo_t *cr, const reelay_wireframe *wf, const wf_inherit *self)
{
    wf_geom g;
    if (!wf_box_begin(r, cr, wf, self->color, WF_BOX_NO_BLOCK_PADDING | WF_BOX_BORDER_BOX, &g)) return;
    const char *shown = NULL;
    for (size_t i = 0; i < wf->option_count && !shown; i++)
        if (wf->options[i] && wf->value && strcmp(wf->options[i], wf->value) == 0) shown = wf->options[i];
    if (!shown && wf->option_count > 0) shown = wf->options[0];
    const wf_box *c = &g.content;
    double arrow = fmin(UA_SELECT_ARROW, c->w);
    double inset = fmin(UA_SELECT_TEXT_INSET, c->w - arrow);
    reelay_text_style st = wf_text_style(self, self->color);
    st.wrap = false;
    st.valign = TEXT_ALIGN_CENTER;
    wf_box text_box = {c->x + inset, c->y, c->w - arrow - inset, c->h};
    cairo_save(cr);
    cairo_rectangle(cr, text_box.x, g.padding.y, text_box.w, g.padding.h);
    cairo_clip(cr);
    wf_draw_text(r, cr, &g, wf_text_prepare(r, shown, WF_TEXT_LINE), text_box, &st);
    cairo_restore(cr);
    cairo_save(cr);
    wf_clip_padding(cr, &g);
    /* A chevron sized with the font, like Chrome's menulist arrow. */
    double k = wf_clamp(self->font_size / 16.0, 0.25, 4.0);
    double ax = c->x + c->w - fmin(UA_SELECT_ARROW_CENTER * k, c->w / 2), ay = c->y + c->h / 2;
    cairo_move_to(cr, ax - 4.25 * k, ay - 2.25 * k);
    cairo_line_to(cr, ax, ay + 2 * k);
    cairo_line_to(cr, ax + 4.25 * k, ay - 2.25 * k);
    cairo_set_line_width(cr, 1.5 * k);
    reelay_set_source(cr, self->color);
    cairo_stroke(cr);
    cairo_restore(cr);
}

/* ------------------------------------------------------------------------ */
/* Checkbox, radio, toggle                                                  */

/* Chrome's checkbox/radio drawn in an s x s square at (x, y). */
static void draw_check_control(cairo_t *cr, double x, double y, double s, bool radio, bool checked, bool disabled)
{
    if (s < WF_MIN_DIM) return;
    double u = s / UA_CHECK_SIZE;
    reelay_rgba accent = reelay_rgb_hex(disabled ? UA_DISABLED : UA_ACCENT);
    reelay_rgba border = reelay_rgb_hex(disabled ? UA_DISABLED : UA_BORDER);
    reelay_rgba white = reelay_rgb_hex(0xFFFFFF);
    cairo_save(cr);
    cairo_set_line_width(cr, u);
    if (radio) {
        double cx = x + s / 2, cy = y + s / 2, rad = s / 2 - u / 2;
        cairo_new_sub_path(cr);
        cairo_arc(cr, cx, cy, rad, 0, 2 * REELAY_PI);
        reelay_set_source(cr, white);
        cairo_fill_preserve(cr);
        reelay_set_source(cr, checked ? accent : border);
        cairo_stroke(cr);
        if (checked) {
            cairo_new_sub_path(cr);
            cairo_arc(cr, cx, cy, s * 0.3, 0, 2 * REELAY_PI);
            cairo_fill(cr);
        }
    } else if (checked) {
        /* Chrome keeps the corner radius and the border at 2px and 1px
         * whatever the box's size; only the tick grows with it. */
        reelay_path_rounded_rect(cr, x, y, s, s, UA_CHECK_RADIUS);
        reelay_set_source(cr, accent);
        cairo_fill(cr);
        cairo_move_to(cr, x + 3 * u, y + 6.5 * u);
        cairo_line_to(cr, x + 5.5 * u, y + 9 * u);
        cairo_line_to(cr, x + 10 * u, y + 4 * u);
        cairo_set_line_width(cr, 1.8 * u);
        reelay_set_source(cr, white);
        cairo_stroke(cr);
    } else {
        double line = fmin(UA_CHECK_BORDER, s / 2);
        reelay_path_rounded_rect(cr, x + line / 2, y + line / 2, s - line, s - line, UA_CHECK_RADIUS - line / 2);
        cairo_set_line_width(cr, line);
        reelay_set_source(cr, white);
        cairo_fill_preserve(cr);
        reelay_set_source(cr, border);
        cairo_stroke(cr);
    }
    cairo_restore(cr);
}

/* A checkbox's or radio's label text as the inline content after the
 * 13px control: on the control's line when it fits, else wrapped to the
 * label's width with the first line indented past the control and the
 * next ones starting under it. */
typedef struct check_label {
    double w, h;     /* the row: control and text together (w), the text's height (h) */
    double baseline; /* of the first line, from the text's top */
    bool indented;   /* wrapped: style->indent is set and the text spans the label's width */
} check_label;

static check_label layout_check_label(reelay_wf_renderer *r, cairo_t *cr, const char *text, double width,
                                      reelay_text_style *style)
{
    check_label label = {.w = UA_CHECK_SIZE};
    if (!text) return label;
    reelay_text_style one = *style;
    one.wrap = false;
    double tw, th;
    reelay_text_measure(cr, r->fonts, text, 0, &one, &tw, &th);
    if (!style->wrap || UA_CHECK_SIZE + tw <= width) {
        *style = one;
        label.w += tw;
        label.h = th;
        label.baseline = reelay_text_baseline(cr, r->fonts, text, 0, &one);
        return label;
    }
    style->indent = UA_CHECK_SIZE;
    reelay_text_measure(cr, r->fonts, text, width, style, &tw, &th);
    label.w = fmax(width, tw);
    label.h = th;
    label.baseline = reelay_text_baseline(cr, r->fonts, text, width, style);
    label.indented = true;
    return label;
}

static void paint_check(reelay_wf_renderer *r, cairo_t *cr, const reelay_wireframe *wf, const wf_inherit *self)
{
    bool radio = wf->input_type == WF_INPUT_RADIO;
    wf_geom g;
    if (!wf->label) {
        /* The bare <input> takes the styles and is sized to the box. */
        if (!wf_box_begin(r, cr, wf, self->color, WF_BOX_NO_BLOCK_PADDING | WF_BOX_BORDER_BOX, &g)) return;
        const wf_box *c = &g.content;
        double s = fmin(c->w, c->h);
        draw_check_control(cr, c->x + (c->w - s) / 2, c->y + (c->h - s) / 2, s, radio, wf->checked, wf->disabled);
        return;
    }
    /* <label style=…>[input][label text]</label>, placed by the label's
     * alignment. */
    if (!wf_box_begin(r, cr, wf, self->color, WF_BOX_CONTENT, &g)) return;
    const wf_box *c = &g.content;
    const char *text = self->font_size >= 0.1 ? wf_text_prepare(r, wf->label, WF_TEXT_COLLAPSE) : NULL;
    reelay_text_style st = wf_text_style(self, self->color);
    check_label label = layout_check_label(r, cr, text, c->w, &st);
    /* The control's bottom edge sits on the first line's baseline. */
    double rise = fmax(0, label.baseline - UA_CHECK_SIZE), drop = fmax(0, UA_CHECK_SIZE - label.baseline);
    double row_h = fmax(UA_CHECK_SIZE, label.h + drop);
    double rx = place(c->x, c->w, label.w, wf->style.horizontal_align);
    double ry = place(c->y, c->h, row_h, wf->style.vertical_align);
    cairo_save(cr);
    wf_clip_padding(cr, &g);
    draw_check_control(cr, rx, ry + rise, UA_CHECK_SIZE, radio, wf->checked, wf->disabled);
    cairo_restore(cr);
    /* A <label> does not clip: a wrapped label's lines show below its box. */
    wf_box area = label.indented ? (wf_box){rx, ry + drop, c->w, label.h}
                                 : (wf_box){rx + UA_CHECK_SIZE, ry + drop, label.w - UA_CHECK_SIZE, label.h};
    wf_draw_text_overflowing(r, cr, text, area, &st);
}

/* A rectangle with elliptical corners given as fractions of its own size
 * (CSS percentage radii). */
static void path_percent_rounded(cairo_t *cr, double x, double y, double w, double h, double fraction)
{
    cairo_save(cr);
    cairo_translate(cr, x, y);
    cairo_scale(cr, w, h);
    reelay_path_rounded_rect(cr, 0, 0, 1, 1, fraction);
    cairo_restore(cr);
}

/* The player's switch (TX makeToggleParts, spec §4.5) in box b. */
static void draw_switch(cairo_t *cr, wf_box b, const reelay_wireframe *wf)
{
    if (b.w < WF_MIN_DIM || b.h < WF_MIN_DIM) return;
    reelay_rgba fill = reelay_rgba_or(&wf->style.color, reelay_rgb_hex(wf->checked ? 0x1D4AFF : 0xF3F4EF));
    reelay_rgba knob_border = reelay_rgba_or(&wf->style.border_color, fill);

    reelay_rgba track = fill;
    track.a *= 0.2;
    path_percent_rounded(cr, b.x + 0.05 * b.w, b.y + 0.33 * b.h, 0.75 * b.w, 0.33 * b.h, 0.075);
    reelay_set_source(cr, track);
    cairo_fill(cr);

    /* The knob is content-box: its 2px border lies outside 40% x 75%. */
    double kw = 0.4 * b.w + 4, kh = 0.75 * b.h + 4;
    double kx = wf->checked ? b.x + 0.95 * b.w - kw : b.x + 0.05 * b.w;
    double ky = b.y + 0.015 * b.h;
    path_ellipse(cr, kx, ky, kw, kh);
    reelay_set_source(cr, knob_border);
    cairo_fill(cr);
    path_ellipse(cr, kx + 2, ky + 2, kw - 4, kh - 4);
    reelay_set_source(cr, fill);
    cairo_fill(cr);
}

static void paint_toggle(reelay_wf_renderer *r, cairo_t *cr, const reelay_wireframe *wf, const wf_inherit *self)
{
    wf_geom g;
    if (!wf_box_begin(r, cr, wf, self->color, WF_BOX_CONTENT, &g)) return;
    wf_box sw = g.content;
    const char *text = wf->label && self->font_size >= 0.1 ? wf_text_prepare(r, wf->label, WF_TEXT_COLLAPSE) : NULL;
    if (text) {
        /* <label>[text][switch flex:1]</label>: the text keeps its width. */
        reelay_text_style st = wf_text_style(self, self->color);
        st.wrap = false;
        st.valign = wf->style.vertical_align == WF_ALIGN_CENTER ? TEXT_ALIGN_CENTER
                    : wf->style.vertical_align == WF_ALIGN_END  ? TEXT_ALIGN_END
                                                                : TEXT_ALIGN_START;
        double tw, th;
        reelay_text_measure(cr, r->fonts, text, 0, &st, &tw, &th);
        tw = fmin(tw, sw.w);
        wf_draw_text(r, cr, &g, text, (wf_box){sw.x, sw.y, tw, sw.h}, &st);
        sw.x += tw;
        sw.w -= tw;
    }
    draw_switch(cr, sw, wf);
}

/* ------------------------------------------------------------------------ */
/* Progress                                                                 */

/* Chrome's <progress> as the player shows it (measured in Chromium): a pill
 * half as tall as the box, vertically centred, across its whole width; a
 * track, the value's share filled from the left edge with a square end, and
 * a thin grey border over both. The colours are the UA's: style.color does
 * not reach the bar. Value 0 or absent is indeterminate: a pill a fifth as
 * wide moving across. */
#define PROGRESS_BORDER 1.0
static const reelay_rgba PROGRESS_BORDER_COLOR = {117 / 255.0, 117 / 255.0, 117 / 255.0, 0.5};

static void paint_progress_bar(reelay_wf_renderer *r, cairo_t *cr, const reelay_wireframe *wf, const wf_geom *g)
{
    const wf_box *c = &g->content;
    double h = c->h / 2, y = c->y + (c->h - h) / 2;
    if (c->w < WF_MIN_DIM || h < WF_MIN_DIM) return;
    double max = wf->has_progress_max && isfinite(wf->progress_max) && wf->progress_max > 0 ? wf->progress_max : 1;
    bool determinate = wf->has_progress_value && isfinite(wf->progress_value) && wf->progress_value > 0;
    cairo_save(cr);
    reelay_path_rounded_rect(cr, c->x, y, c->w, h, h / 2);
    reelay_set_source(cr, reelay_rgb_hex(UA_TRACK));
    cairo_fill_preserve(cr);
    cairo_clip(cr);
    reelay_set_source(cr, reelay_rgb_hex(UA_ACCENT));
    if (determinate) {
        double frac = fmin(wf->progress_value, max) / max;
        cairo_rectangle(cr, c->x, y, c->w * frac, h);
    } else {
        r->info->animates = true;
        double chunk = c->w * 0.2;
        reelay_path_rounded_rect(cr, c->x - chunk + animation_phase(r) * (c->w + chunk), y, chunk, h, h / 2);
    }
    cairo_fill(cr);
    /* The border is drawn inside the pill, over the fill. */
    double bw = fmin(PROGRESS_BORDER, h / 2);
    reelay_path_rounded_rect(cr, c->x + bw / 2, y + bw / 2, c->w - bw, h - bw, (h - bw) / 2);
    cairo_set_line_width(cr, bw);
    reelay_set_source(cr, PROGRESS_BORDER_COLOR);
    cairo_stroke(cr);
    cairo_restore(cr);
}

/* The player's rule (TX makeProgressElement): a ring only for a positive
 * integer value <= max whose percentage value/max*100 is an integer too. */
static bool circular_determinate(const reelay_wireframe *wf)
{
    if (!wf->has_progress_value) return false;
    double v = wf->progress_value, max = wf->has_progress_max ? wf->progress_max : 1;
    if (!isfinite(v) || !isfinite(max) || !(v > 0) || v != floor(v) || !(v <= max)) return false;
    double pct = v / max * 100;
    return isfinite(pct) && pct == floor(pct);
}

static void paint_circular(reelay_wf_renderer *r, cairo_t *cr, const reelay_wireframe *wf, const wf_geom *g)
{
    /* Minimal styles: the box is at (x, y) sized width x height. */
    double x = g->border.x, y = g->border.y, w = g->content.w, h = g->content.h;
    if (w < WF_MIN_DIM || h < WF_MIN_DIM) return;
    const reelay_wf_style *st = &wf->style;
    reelay_rgba bg = reelay_rgba_or(&st->background_color, reelay_rgb_hex(0xF3F4EF));
    reelay_rgba fg = reelay_rgba_or(&st->color, reelay_rgb_hex(0x35373E));
    double cx = x + w / 2, cy = y + h / 2;
    cairo_save(cr);
    if (circular_determinate(wf)) {
        /* conic-gradient(fg calc(value * 1%), bg 0) under a white disc of
         * 80% of the radius: the raw value is the percentage (quirk §6.4). */
        path_ellipse(cr, x, y, w, h);
        cairo_clip(cr);
        reelay_set_source(cr, bg);
        cairo_paint(cr);
        double sweep = fmin(wf->progress_value, 100) / 100 * 2 * REELAY_PI;
        cairo_move_to(cr, cx, cy);
        cairo_arc(cr, cx, cy, w + h, -REELAY_PI / 2, -REELAY_PI / 2 + sweep);
        cairo_close_path(cr);
        reelay_set_source(cr, fg);
        cairo_fill(cr);
        path_ellipse(cr, cx - 0.4 * w, cy - 0.4 * h, 0.8 * w, 0.8 * h);
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_fill(cr);
    } else {
        /* Spinner: a content-box circle with a 4px border, white on top,
         * turning once every 2 s. */
        r->info->animates = true;
        reelay_rgba ring = reelay_rgba_or(&st->border_color, fg);
        double ow = w + 8, oh = h + 8;
        cx = x + ow / 2;
        cy = y + oh / 2;
        path_ellipse(cr, x, y, ow, oh);
        cairo_clip(cr);
        reelay_set_source(cr, bg);
        cairo_paint(cr);
        cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
        path_ellipse(cr, x, y, ow, oh);
        path_ellipse(cr, x + 4, y + 4, w, h);
        cairo_clip(cr);
        reelay_set_source(cr, ring);
        cairo_paint(cr);
        /* The top border is the wedge between the lines from the centre to
         * the two top corners. */
        cairo_translate(cr, cx, cy);
        cairo_rotate(cr, animation_phase(r) * 2 * REELAY_PI);
        cairo_move_to(cr, 0, 0);
        cairo_line_to(cr, -ow / 2, -oh / 2);
        cairo_line_to(cr, ow / 2, -oh / 2);
        cairo_close_path(cr);
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_fill(cr);
    }
    cairo_restore(cr);
}

/* A five-pointed star in the 24-unit box of the player's star SVGs. */
static void path_star(cairo_t *cr, double outer, double inner)
{
    for (int i = 0; i < 10; i++) {
        double a = -REELAY_PI / 2 + i * REELAY_PI / 5;
        double rad = i % 2 ? inner : outer;
        double px = 12 + rad * cos(a), py = 12.8 + rad * sin(a);
        if (i == 0) {
            cairo_move_to(cr, px, py);
        } else {
            cairo_line_to(cr, px, py);
        }
    }
    cairo_close_path(cr);
}

typedef enum star_kind { STAR_FILLED, STAR_HALF, STAR_EMPTY } star_kind;

static void draw_star(cairo_t *cr, double x, double y, double size, star_kind kind, reelay_rgba color)
{
    cairo_save(cr);
    cairo_translate(cr, x, y);
    cairo_scale(cr, size / 24, size / 24);
    reelay_set_source(cr, color);
    if (kind != STAR_EMPTY) {
        cairo_save(cr);
        if (kind == STAR_HALF) {
            cairo_rectangle(cr, 0, 0, 12, 24);
            cairo_clip(cr);
        }
        path_star(cr, 10.5, 4.3);
        cairo_fill(cr);
        cairo_restore(cr);
    }
    if (kind != STAR_FILLED) {
        cairo_set_line_width(cr, 2);
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
        path_star(cr, 9.5, 3.9);
        cairo_stroke(cr);
    }
    cairo_restore(cr);
}

static double star_count(double v)
{
    return floor(wf_clamp(v, 0, 100));
}

/* Stars (TX makeRatingElement): ⌊value⌋ filled, one half for a fractional
 * part, the rest of max empty; a flex row with padding 2px 4px whose stars
 * are as tall as the box, in currentColor. */
static void paint_rating(reelay_wf_renderer *r, cairo_t *cr, const reelay_wireframe *wf, const wf_geom *g,
                         const wf_inherit *self)
{
    double v = wf->progress_value, max = wf->progress_max;
    if (!wf->has_progress_value || !wf->has_progress_max || !isfinite(v) || !isfinite(max)) {
        const char *label = wf->label && wf->label[0] ? wf->label : wf->type_name ? wf->type_name : "input";
        wf_paint_placeholder(r, cr, wf, g, self, label);
        return;
    }
    wf_paint_box(r, cr, wf, g);
    double filled = star_count(v);
    double half = v - floor(v) > 0 ? 1 : 0;
    double empty = ceil(wf_clamp(max - filled - half, 0, 100));
    double total = filled + half + empty;
    /* Stars as tall as the box, unless the row is too narrow for them: flex
     * items shrink to share its width (4px padding each side), keeping
     * their aspect, at the row's top. */
    double size = g->content.h, x = g->content.x + 4, y = g->content.y + 2;
    if (total > 0 && total * size > g->content.w - 8) size = fmax(0, g->content.w - 8) / total;
    if (size < WF_MIN_DIM) return;
    for (double i = 0; i < total && x < r->clip_x1; i++, x += size) {
        star_kind kind = i < filled ? STAR_FILLED : i < filled + half ? STAR_HALF : STAR_EMPTY;
        if (x + size > r->clip_x0) draw_star(cr, x, y, size, kind, self->color);
    }
}

static void paint_progress(reelay_wf_renderer *r, cairo_t *cr, const reelay_wireframe *wf, const wf_inherit *self)
{
    wf_geom g;
    /* Only the horizontal bar is a <progress>; the others are divs. */
    bool native = wf->style.bar != WF_BAR_CIRCULAR && wf->style.bar != WF_BAR_RATING;
    wf_geometry(r, wf, self->color, native ? WF_BOX_BORDER_BOX : WF_BOX_CONTENT, &g);
    wf_box reach = g.border;
    if (wf->style.bar == WF_BAR_CIRCULAR) {
        reach.w += 8; /* the spinner's border */
        reach.h += 8;
    }
    if (!wf_box_visible(r, &reach)) return;
    switch (wf->style.bar) {
    case WF_BAR_CIRCULAR: paint_circular(r, cr, wf, &g); break;
    case WF_BAR_RATING: paint_rating(r, cr, wf, &g, self); break;
    case WF_BAR_HORIZONTAL:
    case WF_BAR_NONE:
    default:
        wf_paint_box(r, cr, wf, &g);
        paint_progress_bar(r, cr, wf, &g);
        break;
    }
}

void wf_paint_input(reelay_wf_renderer *r, cairo_t *cr, const reelay_wireframe *wf, const wf_inherit *self)
{
    switch (wf->input_type) {
    case WF_INPUT_SELECT: paint_select(r, cr, wf, self); break;
    case WF_INPUT_BUTTON: paint_button(r, cr, wf, self); break;
    case WF_INPUT_CHECKBOX:
    case WF_INPUT_RADIO: paint_check(r, cr, wf, self); break;
    case WF_INPUT_TOGGLE: paint_toggle(r, cr, wf, self); break;
    case WF_INPUT_PROGRESS: paint_progress(r, cr, wf, self); break;
    case WF_INPUT_NONE: {
        /* The player drops these; should one reach us, a plain box. */
        wf_geom g;
        wf_box_begin(r, cr, wf, self->color, WF_BOX_CONTENT, &g);
        break;
    }
    default: paint_text_input(r, cr, wf, self); break;
    }
}
