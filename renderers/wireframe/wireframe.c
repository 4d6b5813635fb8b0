/* wireframe.c — the renderer's entry point, the tree walk with CSS
 * inheritance, and the painters for plain boxes, text, images and
 * placeholders (mobile-wireframes.md §4.2–§4.6). Inputs are in controls.c,
 * bars and keyboard in chrome.c. */
#include "renderers/wireframe/wireframe.h"

#include <glib.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "renderers/wireframe/wf_internal.h"

/* A corrupted pool with a link cycle must not hang a render. */
#define WF_MAX_STEPS (1u << 24)
/* The largest viewport side taken seriously (units). */
#define WF_MAX_VIEWPORT 100000.0

reelay_wf_renderer *reelay_wf_renderer_new(reelay_fonts *fonts, reelay_image_cache *images, reelay_err *err)
{
    if (!fonts || !images) {
        reelay_err_set(err, REELAY_E_INTERNAL, "wireframe renderer needs fonts and an image cache");
        return NULL;
    }
    reelay_wf_renderer *r = calloc(1, sizeof *r);
    if (r) {
        r->fonts = fonts;
        r->images = images;
        r->default_family = reelay_default_font_family(REELAY_DEFAULT_FONT_SERIF);
        r->stack_cap = 64;
        r->stack = calloc(r->stack_cap, sizeof *r->stack);
        r->text_cap = (size_t)WF_MAX_TEXT * 3 + 4;
        r->text = malloc(r->text_cap);
    }
    if (!r || !r->stack || !r->text) {
        reelay_wf_renderer_free(r);
        reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
        return NULL;
    }
    return r;
}

void reelay_wf_renderer_free(reelay_wf_renderer *renderer)
{
    if (!renderer) return;
    free(renderer->stack);
    free(renderer->text);
    free(renderer);
}

void reelay_wf_renderer_set_default_font(reelay_wf_renderer *renderer, reelay_default_font font)
{
    if (renderer) renderer->default_family = reelay_default_font_family(font);
}

double wf_clamp(double v, double lo, double hi)
{
    if (!(v >= lo)) return lo;
    return v > hi ? hi : v;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

const char *wf_text_prepare(reelay_wf_renderer *r, const char *text, wf_text_mode mode)
{
    if (!text) return NULL;
    size_t len = reelay_utf8_cut(text, strnlen(text, WF_MAX_TEXT + 1), WF_MAX_TEXT);
    char *out = r->text;
    size_t n = 0;
    if (mode == WF_TEXT_BULLETS) {
        for (size_t i = 0; i < len; i++) {
            if (((unsigned char)text[i] & 0xC0) == 0x80) continue;
            memcpy(out + n, "\xE2\x80\xA2", 3);
            n += 3;
        }
    } else if (mode == WF_TEXT_LINE) {
        /* HTML's value sanitisation for one-line inputs strips line breaks. */
        for (size_t i = 0; i < len; i++)
            if (text[i] != '\r' && text[i] != '\n') out[n++] = text[i];
    } else {
        bool after_space = true; /* drops leading white space */
        for (size_t i = 0; i < len; i++) {
            if (is_space(text[i])) {
                if (!after_space) out[n++] = ' ';
                after_space = true;
            } else {
                out[n++] = text[i];
                after_space = false;
            }
        }
        if (n > 0 && out[n - 1] == ' ') n--;
    }
    out[n] = '\0';
    /* Pango warns about and mangles invalid UTF-8; a '?' per bad byte keeps
     * the rest intact (test-built views or future parsers may not validate). */
    const char *p = out;
    const char *bad = NULL;
    while (!g_utf8_validate(p, (gssize)(out + n - p), &bad)) {
        out[bad - out] = '?';
        p = bad + 1;
    }
    return n > 0 ? out : NULL;
}

/* ------------------------------------------------------------------------ */
/* Geometry and boxes                                                       */

void wf_geometry(const reelay_wf_renderer *r, const reelay_wireframe *wf, reelay_rgba color, unsigned rules,
                 wf_geom *g)
{
    const reelay_wf_style *st = &wf->style;
    double lim = r->limit;
    double x = isfinite(wf->x) ? wf_clamp(wf->x, -lim, lim) : 0;
    double y = isfinite(wf->y) ? wf_clamp(wf->y, -lim, lim) : 0;
    /* A non-numeric size is `auto`: an empty box (text sizes itself later). */
    double w = wf->has_width ? wf_clamp(wf->width_is_viewport ? r->view_w : wf->width, 0, 2 * lim) : 0;
    double h = wf->has_height ? wf_clamp(wf->height, 0, 2 * lim) : 0;
    double pl = st->padding_left.set ? wf_clamp(st->padding_left.value, 0, lim) : 0;
    double pr = st->padding_right.set ? wf_clamp(st->padding_right.value, 0, lim) : 0;
    bool padding_block = !(rules & WF_BOX_NO_BLOCK_PADDING);
    double pt = padding_block && st->padding_top.set ? wf_clamp(st->padding_top.value, 0, lim) : 0;
    double pb = padding_block && st->padding_bottom.set ? wf_clamp(st->padding_bottom.value, 0, lim) : 0;
    /* Any border field makes the border solid; CSS then fills the missing
     * width with `medium` (3px) and the colour with currentColor (§4.4). */
    bool bordered = st->border_width.set || st->border_radius.set || st->border_color.set;
    double bw = !bordered ? 0 : st->border_width.set ? wf_clamp(st->border_width.value, 0, lim) : 3.0;
    if (rules & WF_BOX_BORDER_BOX) {
        /* The content takes what border and padding leave, never less than nothing. */
        w = fmax(0, w - pl - pr - 2 * bw);
        h = fmax(0, h - pt - pb - 2 * bw);
    }

    g->color = color;
    g->border_color = reelay_rgba_or(&st->border_color, color);
    g->border_width = bw;
    g->radius = st->border_radius.set ? wf_clamp(st->border_radius.value, 0, lim) : 0;
    g->content = (wf_box){x + bw + pl, y + bw + pt, w, h};
    g->padding = (wf_box){x + bw, y + bw, w + pl + pr, h + pt + pb};
    g->border = (wf_box){x, y, w + pl + pr + 2 * bw, h + pt + pb + 2 * bw};
}

/* Grows or shrinks the content box, keeping its top-left (auto sizes). */
static void geometry_resize(wf_geom *g, double w, double h)
{
    double dw = w - g->content.w, dh = h - g->content.h;
    g->content.w = w;
    g->content.h = h;
    g->padding.w += dw;
    g->padding.h += dh;
    g->border.w += dw;
    g->border.h += dh;
}

bool wf_box_visible(const reelay_wf_renderer *r, const wf_box *b)
{
    return b->w >= WF_MIN_DIM && b->h >= WF_MIN_DIM && b->x < r->clip_x1 && b->y < r->clip_y1 &&
           b->x + b->w > r->clip_x0 && b->y + b->h > r->clip_y0;
}

static double inner_radius(const wf_geom *g)
{
    return fmax(0, g->radius - g->border_width);
}

void wf_clip_padding(cairo_t *cr, const wf_geom *g)
{
    const wf_box *p = &g->padding;
    reelay_path_rounded_rect(cr, p->x, p->y, p->w, p->h, inner_radius(g));
    cairo_clip(cr);
}

static void paint_border(cairo_t *cr, const wf_geom *g)
{
    if (!(g->border_width > 0) || g->border_color.a <= 0) return;
    const wf_box *b = &g->border, *p = &g->padding;
    cairo_save(cr);
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
    reelay_path_rounded_rect(cr, b->x, b->y, b->w, b->h, g->radius);
    if (p->w > 0 && p->h > 0) reelay_path_rounded_rect(cr, p->x, p->y, p->w, p->h, inner_radius(g));
    reelay_set_source(cr, g->border_color);
    cairo_fill(cr);
    cairo_restore(cr);
}

/* background-image: no-repeat, at the padding box's top-left, sized
 * contain (the player's default), cover or auto (§3.4), clipped to the
 * rounded border box. */
static void paint_background_image(reelay_wf_renderer *r, cairo_t *cr, const reelay_wf_style *st, const wf_geom *g)
{
    /* url(...) is CSS the player passes through verbatim; it names a
     * resource we cannot fetch. */
    if (strncmp(st->background_image, "url(", 4) == 0) return;
    cairo_surface_t *img = reelay_image_cache_get(r->images, st->background_image, NULL);
    if (!img) return;
    double iw = cairo_image_surface_get_width(img), ih = cairo_image_surface_get_height(img);
    const wf_box *p = &g->padding;
    if (iw <= 0 || ih <= 0 || p->w < WF_MIN_DIM || p->h < WF_MIN_DIM) return;
    double s;
    switch (st->background_size) {
    case WF_BG_SIZE_COVER: s = fmax(p->w / iw, p->h / ih); break;
    case WF_BG_SIZE_AUTO: s = 1.0; break;
    case WF_BG_SIZE_CONTAIN:
    case WF_BG_SIZE_UNSET:
    default: s = fmin(p->w / iw, p->h / ih); break;
    }
    if (!(s > 0) || !isfinite(s) || iw * s < WF_MIN_DIM || ih * s < WF_MIN_DIM) return;
    const wf_box *b = &g->border;
    cairo_save(cr);
    reelay_path_rounded_rect(cr, b->x, b->y, b->w, b->h, g->radius);
    cairo_clip(cr);
    cairo_translate(cr, p->x, p->y);
    cairo_scale(cr, s, s);
    cairo_set_source_surface(cr, img, 0, 0);
    cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_GOOD);
    cairo_rectangle(cr, 0, 0, iw, ih);
    cairo_fill(cr);
    cairo_restore(cr);
}

void wf_paint_box(reelay_wf_renderer *r, cairo_t *cr, const reelay_wireframe *wf, const wf_geom *g)
{
    const reelay_wf_style *st = &wf->style;
    const wf_box *b = &g->border;
    if (st->background_color.set && st->background_color.valid && st->background_color.a > 0) {
        reelay_set_source(cr, reelay_rgba_or(&st->background_color, reelay_rgb_hex(0xFFFFFF)));
        reelay_path_rounded_rect(cr, b->x, b->y, b->w, b->h, g->radius);
        cairo_fill(cr);
    }
    if (st->background_image && st->background_image[0]) paint_background_image(r, cr, st, g);
    paint_border(cr, g);
}

/* ------------------------------------------------------------------------ */
/* Text and placeholders                                                    */

reelay_text_style wf_text_style(const wf_inherit *inh, reelay_rgba color)
{
    reelay_text_style st = {
        .family = inh->family,
        .size = inh->font_size,
        .color = color,
        .wrap = !inh->nowrap,
        .keep_words = true, /* overflow-wrap:normal; only placeholders break words */
        .unclipped = true,
        .device_metrics = true, /* the player's text is Chromium's */
    };
    return st;
}

bool wf_box_begin(reelay_wf_renderer *r, cairo_t *cr, const reelay_wireframe *wf, reelay_rgba color,
                  unsigned rules, wf_geom *g)
{
    wf_geometry(r, wf, color, rules, g);
    if (!wf_box_visible(r, &g->border)) return false;
    wf_paint_box(r, cr, wf, g);
    return true;
}

void wf_draw_text_overflowing(reelay_wf_renderer *r, cairo_t *cr, const char *text, wf_box area,
                              const reelay_text_style *style)
{
    /* font-size:0 hides text (reelay_text_draw would read 0 as "default"). */
    if (!text || !(style->size >= 0.1) || style->color.a <= 0) return;
    reelay_text_style st = *style;
    st.unclipped = true;
    reelay_text_draw(cr, r->fonts, text, area.x, area.y, area.w, area.h, &st);
}

void wf_draw_text(reelay_wf_renderer *r, cairo_t *cr, const wf_geom *g, const char *text, wf_box area,
                  const reelay_text_style *style)
{
    if (g->padding.w < WF_MIN_DIM || g->padding.h < WF_MIN_DIM) return;
    cairo_save(cr);
    wf_clip_padding(cr, g);
    wf_draw_text_overflowing(r, cr, text, area, style);
    cairo_restore(cr);
}

void wf_paint_placeholder(reelay_wf_renderer *r, cairo_t *cr, const reelay_wireframe *wf, const wf_geom *g,
                          const wf_inherit *inh, const char *label)
{
    const wf_box *b = &g->border;
    if (!wf_box_visible(r, b)) return;
    reelay_rgba bg = reelay_rgba_or(&wf->style.background_color, reelay_rgb_hex(0xF3F4EF));
    reelay_rgba fg = reelay_rgba_or(&wf->style.color, reelay_rgb_hex(0x35373E));
    const char *text = inh->font_size >= 0.1 ? wf_text_prepare(r, label, WF_TEXT_COLLAPSE) : NULL;
    cairo_save(cr);
    reelay_path_rounded_rect(cr, b->x, b->y, b->w, b->h, g->radius);
    cairo_clip(cr);
    reelay_paint_placeholder(cr, r->fonts, b->x, b->y, b->w, b->h, bg, fg, text, inh->font_size, inh->family);
    cairo_restore(cr);
    paint_border(cr, g);
}

static reelay_text_align text_align(reelay_align a)
{
    switch (a) {
    case WF_ALIGN_CENTER: return TEXT_ALIGN_CENTER;
    case WF_ALIGN_END: return TEXT_ALIGN_END;
    case WF_ALIGN_START:
    case WF_ALIGN_UNSET: break;
    }
    return TEXT_ALIGN_START;
}

/* A `text` element: white-space:normal (it wraps even inside divs),
 * overflow:hidden, and flex placement of the whole run when an alignment is
 * set, with its lines left-aligned (§4.4). */
static void paint_text(reelay_wf_renderer *r, cairo_t *cr, const reelay_wireframe *wf, const wf_inherit *self)
{
    wf_geom g;
    wf_geometry(r, wf, self->color, WF_BOX_CONTENT, &g);
    const char *text = wf_text_prepare(r, wf->text, WF_TEXT_COLLAPSE);
    reelay_text_style st = wf_text_style(self, self->color);
    st.halign = text_align(wf->style.horizontal_align);
    st.valign = text_align(wf->style.vertical_align);
    if (text && (!wf->has_width || !wf->has_height)) {
        /* position:fixed with an auto size shrinks to fit its text, up to the
         * viewport's right edge. */
        double room = wf->has_width ? g.content.w : fmax(0, r->view_w - g.content.x);
        double tw, th;
        reelay_text_measure(cr, r->fonts, text, room, &st, &tw, &th);
        if (!wf->has_width) tw = fmin(tw, room);
        geometry_resize(&g, wf->has_width ? g.content.w : tw, wf->has_height ? g.content.h : th);
    }
    if (!wf_box_visible(r, &g.border)) return;
    wf_paint_box(r, cr, wf, &g);
    wf_draw_text(r, cr, &g, text, g.content, &st);
}

/* <img>: the picture stretched to the content box (object-fit: fill) over
 * the background colour; a missing or undecodable picture is a placeholder
 * labelled with the type (§4.5). */
static void paint_image(reelay_wf_renderer *r, cairo_t *cr, const reelay_wireframe *wf, const wf_inherit *self)
{
    wf_geom g;
    wf_geometry(r, wf, self->color, WF_BOX_CONTENT, &g);
    if (!wf_box_visible(r, &g.border)) return;
    const char *label = wf->type == WF_SCREENSHOT ? "screenshot" : "image";
    if (!wf->base64 || !wf->base64[0]) {
        wf_paint_placeholder(r, cr, wf, &g, self, label);
        return;
    }
    cairo_surface_t *img = reelay_image_cache_get(r->images, wf->base64, NULL);
    if (!img) {
        r->info->images_failed++;
        wf_paint_placeholder(r, cr, wf, &g, self, label);
        return;
    }
    wf_paint_box(r, cr, wf, &g);
    const wf_box *c = &g.content;
    double iw = cairo_image_surface_get_width(img), ih = cairo_image_surface_get_height(img);
    if (iw <= 0 || ih <= 0 || c->w < WF_MIN_DIM || c->h < WF_MIN_DIM) return;
    cairo_save(cr);
    wf_clip_padding(cr, &g);
    cairo_rectangle(cr, c->x, c->y, c->w, c->h);
    cairo_clip(cr);
    cairo_translate(cr, c->x, c->y);
    cairo_scale(cr, c->w / iw, c->h / ih);
    cairo_set_source_surface(cr, img, 0, 0);
    /* PAD: edge pixels are not blended with transparency when stretched. */
    cairo_pattern_set_extend(cairo_get_source(cr), CAIRO_EXTEND_PAD);
    cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_GOOD);
    cairo_paint(cr);
    cairo_restore(cr);
}

static void paint_placeholder_node(reelay_wf_renderer *r, cairo_t *cr, const reelay_wireframe *wf,
                                   const wf_inherit *self)
{
    wf_geom g;
    wf_geometry(r, wf, self->color, WF_BOX_CONTENT, &g);
    /* label || url || type, where "" counts as absent (JavaScript ||). */
    const char *label = wf->label && wf->label[0] ? wf->label
                        : wf->url && wf->url[0]   ? wf->url
                        : wf->type_name && wf->type_name[0] ? wf->type_name
                        : wf->type == WF_WEB_VIEW ? "web_view"
                                                  : "placeholder";
    wf_paint_placeholder(r, cr, wf, &g, self, label);
}

static void paint_plain(reelay_wf_renderer *r, cairo_t *cr, const reelay_wireframe *wf, const wf_inherit *self)
{
    wf_geom g;
    wf_box_begin(r, cr, wf, self->color, WF_BOX_CONTENT, &g);
}

static void paint_node(reelay_wf_renderer *r, cairo_t *cr, const reelay_wireframe *wf, const wf_inherit *self)
{
    r->info->nodes_painted++;
    switch (wf->type) {
    case WF_TEXT: paint_text(r, cr, wf, self); break;
    case WF_IMAGE:
    case WF_SCREENSHOT: paint_image(r, cr, wf, self); break;
    case WF_PLACEHOLDER:
    case WF_WEB_VIEW: paint_placeholder_node(r, cr, wf, self); break;
    case WF_INPUT: wf_paint_input(r, cr, wf, self); break;
    /* Bars inside the tree come from incremental mutations, which convert
     * them in place (§4.7). */
    case WF_STATUS_BAR: wf_paint_status_bar(r, cr, wf, self); break;
    case WF_NAVIGATION_BAR: wf_paint_navigation_bar(r, cr, wf, self); break;
    case WF_DIV:
    case WF_RECTANGLE:
    case WF_RADIO_GROUP:
    default: paint_plain(r, cr, wf, self); break;
    }
}

/* ------------------------------------------------------------------------ */
/* Tree walk                                                                */

wf_inherit wf_element_inherit(const wf_inherit *parent, const reelay_wireframe *wf)
{
    wf_inherit s = *parent;
    const reelay_wf_style *st = &wf->style;
    if (st->color.set && st->color.valid) {
        s.color = reelay_rgba_or(&st->color, s.color);
    } else if (wf_is_form_control(wf)) {
        /* The UA sheet gives form controls their own text colour
         * (fieldtext/buttontext; GrayText when disabled). */
        s.color = reelay_rgb_hex(wf->disabled ? 0x6D6D6D : 0x000000);
    }
    if (st->font_size.set) s.font_size = wf_clamp(st->font_size.value, 0, REELAY_TEXT_MAX_SIZE);
    if (st->font_family && st->font_family[0]) s.family = st->font_family;
    if (wf->type == WF_DIV) s.nowrap = true;
    if (wf->type == WF_TEXT) s.nowrap = false;
    return s;
}

static wf_inherit root_inherit(const reelay_wf_renderer *r)
{
    wf_inherit s = {
        .color = reelay_rgb_hex(0x000000),
        .font_size = WF_DEFAULT_FONT_SIZE,
        .family = r->default_family,
        .nowrap = false,
    };
    return s;
}

static int push_depth(reelay_wf_renderer *r, size_t depth, reelay_err *err)
{
    if (depth < r->stack_cap) return REELAY_OK;
    size_t cap = r->stack_cap * 2;
    wf_inherit *grown = realloc(r->stack, cap * sizeof *grown);
    if (!grown) return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    r->stack = grown;
    r->stack_cap = cap;
    return REELAY_OK;
}

/* Pre-order over the live tree, iteratively (trees from recordings can be
 * deep); stack[d] is what nodes at depth d inherit. */
static int paint_tree(reelay_wf_renderer *r, cairo_t *cr, reelay_err *err)
{
    const reelay_scene_node *nodes = r->view->nodes;
    uint32_t cur = r->view->first_root;
    if (!nodes) return REELAY_OK;
    size_t depth = 0;
    r->stack[0] = root_inherit(r);
    for (uint32_t steps = 0; cur != REELAY_SCENE_NONE && steps < WF_MAX_STEPS; steps++) {
        const reelay_scene_node *n = &nodes[cur];
        wf_inherit self = r->stack[depth];
        if (n->wf) {
            self = wf_element_inherit(&r->stack[depth], n->wf);
            paint_node(r, cr, n->wf, &self);
        }
        if (n->first_child != REELAY_SCENE_NONE) {
            int rc = push_depth(r, depth + 1, err);
            if (rc) return rc;
            r->stack[++depth] = self;
            cur = n->first_child;
            continue;
        }
        while (cur != REELAY_SCENE_NONE && nodes[cur].next_sibling == REELAY_SCENE_NONE) {
            cur = nodes[cur].parent;
            if (cur == REELAY_SCENE_NONE) break;
            if (depth == 0) return REELAY_OK; /* links disagree with depth: stop */
            depth--;
        }
        if (cur != REELAY_SCENE_NONE) cur = nodes[cur].next_sibling;
    }
    return REELAY_OK;
}

int reelay_wf_render(reelay_wf_renderer *renderer, const reelay_wf_view *view, cairo_t *cr,
                     reelay_wf_render_info *info, reelay_err *err)
{
    reelay_wf_render_info local;
    if (!info) info = &local;
    *info = (reelay_wf_render_info){0};
    if (!renderer || !view || !cr) return reelay_err_set(err, REELAY_E_INTERNAL, "wireframe render: missing argument");
    if (cairo_status(cr) != CAIRO_STATUS_SUCCESS)
        return reelay_err_set(err, REELAY_E_INTERNAL, "wireframe render: %s", cairo_status_to_string(cairo_status(cr)));
    reelay_wf_renderer *r = renderer;
    r->view = view;
    r->info = info;
    cairo_clip_extents(cr, &r->clip_x0, &r->clip_y0, &r->clip_x1, &r->clip_y1);
    /* Without a viewport, the visible area stands in for it. */
    r->view_w = wf_clamp(view->width > 0 ? view->width : r->clip_x1, 0, WF_MAX_VIEWPORT);
    r->view_h = wf_clamp(view->height > 0 ? view->height : r->clip_y1, 0, WF_MAX_VIEWPORT);
    r->limit = WF_LIMIT_VIEWPORTS * fmax(1.0, fmax(r->view_w, r->view_h));

    cairo_save(cr);
    cairo_set_operator(cr, CAIRO_OPERATOR_OVER);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_rectangle(cr, 0, 0, r->view_w, r->view_h);
    cairo_fill(cr);

    int rc = paint_tree(r, cr, err);
    if (!rc) {
        wf_inherit root = root_inherit(r);
        if (view->keyboard.open) {
            wf_paint_keyboard(r, cr);
            info->nodes_painted++;
        }
        if (view->navigation_bar) {
            wf_paint_navigation_bar(r, cr, view->navigation_bar, &root);
            info->nodes_painted++;
        }
        if (view->status_bar) {
            wf_paint_status_bar(r, cr, view->status_bar, &root);
            info->nodes_painted++;
        }
    }
    cairo_restore(cr);
    r->view = NULL;
    r->info = NULL;
    if (!rc && cairo_status(cr) != CAIRO_STATUS_SUCCESS)
        rc = reelay_err_set(err, REELAY_E_INTERNAL, "wireframe render: %s", cairo_status_to_string(cairo_status(cr)));
    return rc;
}
