/* Unit tests for renderers/wireframe: views built by hand, rendered to small
 * surfaces, checked by probing pixels. */
#include "test_support.h"

#include <cairo.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "renderers/paint/image.h"
#include "renderers/paint/text.h"
#include "renderers/wireframe/wireframe.h"

typedef struct fixture {
    reelay_fonts *fonts;
    reelay_image_cache *images;
    reelay_wf_renderer *renderer;
} fixture;

static int group_setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    reelay_err err;
    reelay_err_clear(&err);
    f->fonts = reelay_fonts_new(&err);
    if (!f->fonts) {
        fprintf(stderr, "fonts: %s\n", err.msg);
        return -1;
    }
    f->images = reelay_image_cache_new(REELAY_IMAGE_CACHE_BYTES, REELAY_IMAGE_MAX_PIXELS);
    f->renderer = reelay_wf_renderer_new(f->fonts, f->images, &err);
    if (!f->images || !f->renderer) return -1;
    *state = f;
    return 0;
}

static int group_teardown(void **state)
{
    fixture *f = *state;
    reelay_wf_renderer_free(f->renderer);
    reelay_image_cache_free(f->images);
    reelay_fonts_free(f->fonts);
    free(f);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Hand-built views                                                         */

typedef struct tview {
    reelay_scene_node *nodes;
    reelay_wireframe *wfs;
    uint32_t n, cap;
    reelay_wf_view view;
} tview;

static void tv_init(tview *t, uint32_t cap, double w, double h)
{
    memset(t, 0, sizeof *t);
    t->nodes = calloc(cap, sizeof *t->nodes);
    t->wfs = calloc(cap, sizeof *t->wfs);
    assert_non_null(t->nodes);
    assert_non_null(t->wfs);
    t->cap = cap;
    t->view.has_content = true;
    t->view.width = w;
    t->view.height = h;
    t->view.nodes = t->nodes;
    t->view.first_root = REELAY_SCENE_NONE;
}

static void tv_free(tview *t)
{
    free(t->nodes);
    free(t->wfs);
}

static const char *type_name(reelay_wf_type type)
{
    static const char *const names[] = {"div",      "text",        "image",       "screenshot",
                                        "rectangle", "placeholder", "web_view",    "input",
                                        "radio_group", "status_bar", "navigation_bar"};
    return names[type];
}

static void wf_set(reelay_wireframe *wf, reelay_wf_type type, double x, double y, double w, double h)
{
    memset(wf, 0, sizeof *wf);
    wf->type = type;
    wf->type_name = type_name(type);
    wf->x = x;
    wf->y = y;
    wf->width = w;
    wf->height = h;
    wf->has_width = wf->has_height = true;
}

/* Appends a node under parent (REELAY_SCENE_NONE: top level). */
static reelay_wireframe *tv_add(tview *t, uint32_t parent, reelay_wf_type type, double x, double y, double w,
                                double h)
{
    assert_true(t->n < t->cap);
    uint32_t i = t->n++;
    reelay_scene_node *node = &t->nodes[i];
    node->id = i + 1;
    node->wf = &t->wfs[i];
    node->parent = parent;
    node->first_child = node->last_child = node->next_sibling = node->prev_sibling = REELAY_SCENE_NONE;
    if (parent == REELAY_SCENE_NONE) {
        if (t->view.first_root == REELAY_SCENE_NONE) {
            t->view.first_root = i;
        } else {
            uint32_t last = t->view.first_root;
            while (t->nodes[last].next_sibling != REELAY_SCENE_NONE) last = t->nodes[last].next_sibling;
            t->nodes[last].next_sibling = i;
            node->prev_sibling = last;
        }
    } else {
        reelay_scene_node *p = &t->nodes[parent];
        if (p->first_child == REELAY_SCENE_NONE) {
            p->first_child = i;
        } else {
            t->nodes[p->last_child].next_sibling = i;
            node->prev_sibling = p->last_child;
        }
        p->last_child = i;
    }
    wf_set(&t->wfs[i], type, x, y, w, h);
    return &t->wfs[i];
}

static uint32_t tv_index(const tview *t, const reelay_wireframe *wf)
{
    return (uint32_t)(wf - t->wfs);
}

static int hexval(char c)
{
    return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

/* A parsed colour from "#RRGGBB" (the literal stays as raw text). */
static reelay_color col(const char *hex)
{
    reelay_color c = {.set = true, .valid = true, .a = 255, .raw = hex};
    c.r = (uint8_t)(hexval(hex[1]) * 16 + hexval(hex[2]));
    c.g = (uint8_t)(hexval(hex[3]) * 16 + hexval(hex[4]));
    c.b = (uint8_t)(hexval(hex[5]) * 16 + hexval(hex[6]));
    return c;
}

static reelay_length len(double v)
{
    reelay_length l = {.set = true, .value = v};
    return l;
}

/* ------------------------------------------------------------------------ */
/* Rendering and probing                                                    */

static cairo_surface_t *render_scaled(void **state, tview *t, double scale, reelay_wf_render_info *info)
{
    fixture *f = *state;
    int w = (int)ceil(t->view.width * scale), h = (int)ceil(t->view.height * scale);
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h);
    cairo_t *cr = cairo_create(s);
    cairo_scale(cr, scale, scale);
    reelay_err err;
    reelay_err_clear(&err);
    reelay_wf_render_info local;
    int rc = reelay_wf_render(f->renderer, &t->view, cr, info ? info : &local, &err);
    if (rc != REELAY_OK) fail_msg("render failed: %s", err.msg);
    assert_int_equal(cairo_status(cr), CAIRO_STATUS_SUCCESS);
    cairo_destroy(cr);
    cairo_surface_flush(s);
    /* REELAY_TEST_DUMP=dir keeps every frame as a PNG, for looking at. */
    const char *dump = getenv("REELAY_TEST_DUMP");
    if (dump) {
        static int serial;
        char path[512];
        snprintf(path, sizeof path, "%s/wf-%03d.png", dump, serial++);
        cairo_surface_write_to_png(s, path);
    }
    return s;
}

static cairo_surface_t *render(void **state, tview *t, reelay_wf_render_info *info)
{
    return render_scaled(state, t, 1.0, info);
}

typedef struct px {
    int r, g, b, a;
} px;

static px pixel(cairo_surface_t *s, int x, int y)
{
    assert_true(x >= 0 && y >= 0 && x < cairo_image_surface_get_width(s) && y < cairo_image_surface_get_height(s));
    const unsigned char *data = cairo_image_surface_get_data(s);
    uint32_t v = *(const uint32_t *)(data + (size_t)y * (size_t)cairo_image_surface_get_stride(s) + (size_t)x * 4);
    px p = {(int)(v >> 16) & 0xFF, (int)(v >> 8) & 0xFF, (int)v & 0xFF, (int)(v >> 24)};
    return p;
}

static void assert_px(cairo_surface_t *s, int x, int y, int r, int g, int b, int tol)
{
    px p = pixel(s, x, y);
    if (abs(p.r - r) > tol || abs(p.g - g) > tol || abs(p.b - b) > tol)
        fail_msg("pixel (%d,%d) is (%d,%d,%d), expected (%d,%d,%d)", x, y, p.r, p.g, p.b, r, g, b);
}

typedef bool (*px_pred)(px p);

static bool non_white(px p)
{
    return p.r < 240 || p.g < 240 || p.b < 240;
}
static bool dark(px p)
{
    return p.r < 100 && p.g < 100 && p.b < 100;
}
static bool bright(px p)
{
    return p.r > 200 && p.g > 200 && p.b > 200;
}
static bool greenish(px p)
{
    return p.g - p.r > 40 && p.g - p.b > 40;
}
static bool pure_red(px p)
{
    return p.r > 200 && p.g < 60 && p.b < 60;
}
static bool stripe_black(px p)
{
    return p.r == 0 && p.g == 0 && p.b == 0;
}
static bool stripe_grey(px p)
{
    return p.r == 0x2D && p.g == 0x2D && p.b == 0x2D;
}
static bool non_black_px(px p)
{
    return p.r > 60 || p.g > 60 || p.b > 60;
}
static bool colourful(px p)
{
    int mx = p.r > p.g ? (p.r > p.b ? p.r : p.b) : (p.g > p.b ? p.g : p.b);
    int mn = p.r < p.g ? (p.r < p.b ? p.r : p.b) : (p.g < p.b ? p.g : p.b);
    return mx - mn > 100;
}

/* Pixels in [x0, x1) x [y0, y1) (clamped to the surface) matching pred. */
static int count(cairo_surface_t *s, int x0, int y0, int x1, int y1, px_pred pred)
{
    int w = cairo_image_surface_get_width(s), h = cairo_image_surface_get_height(s);
    int n = 0;
    for (int y = y0 < 0 ? 0 : y0; y < y1 && y < h; y++)
        for (int x = x0 < 0 ? 0 : x0; x < x1 && x < w; x++)
            if (pred(pixel(s, x, y))) n++;
    return n;
}

static int count_all(cairo_surface_t *s, px_pred pred)
{
    return count(s, 0, 0, cairo_image_surface_get_width(s), cairo_image_surface_get_height(s), pred);
}

static bool same_pixels(cairo_surface_t *a, cairo_surface_t *b)
{
    int h = cairo_image_surface_get_height(a), stride = cairo_image_surface_get_stride(a);
    return memcmp(cairo_image_surface_get_data(a), cairo_image_surface_get_data(b), (size_t)h * (size_t)stride) == 0;
}

/* Standard base64 of a file (the tests' own tiny encoder). */
static char *file_base64(const char *path)
{
    size_t n;
    unsigned char *data = (unsigned char *)ts_read_text(path, &n);
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *out = malloc((n + 2) / 3 * 4 + 1);
    assert_non_null(out);
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)data[i] << 16;
        if (i + 1 < n) v |= (uint32_t)data[i + 1] << 8;
        if (i + 2 < n) v |= data[i + 2];
        out[o++] = abc[(v >> 18) & 63];
        out[o++] = abc[(v >> 12) & 63];
        out[o++] = i + 1 < n ? abc[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < n ? abc[v & 63] : '=';
    }
    out[o] = '\0';
    free(data);
    return out;
}

/* ------------------------------------------------------------------------ */
/* Boxes                                                                    */

static void test_box_background_border_radius(void **state)
{
    tview t;
    tv_init(&t, 8, 100, 100);
    reelay_wireframe *wf = tv_add(&t, REELAY_SCENE_NONE, WF_RECTANGLE, 10, 10, 60, 40);
    wf->style.background_color = col("#ff0000");
    wf->style.border_width = len(4);
    wf->style.border_color = col("#0000ff");
    wf->style.border_radius = len(12);
    reelay_wf_render_info info;
    cairo_surface_t *s = render(state, &t, &info);
    /* Content box 60x40 plus a 4px border on each side: 68x48 from (10,10). */
    assert_px(s, 44, 34, 255, 0, 0, 0);
    assert_px(s, 11, 34, 0, 0, 255, 0);  /* left border */
    assert_px(s, 76, 34, 0, 0, 255, 0);  /* right border, beyond width: content-box */
    assert_px(s, 44, 56, 0, 0, 255, 0);  /* bottom border */
    assert_px(s, 10, 10, 255, 255, 255, 0); /* rounded corner stays white */
    assert_px(s, 77, 57, 255, 255, 255, 0);
    assert_px(s, 5, 5, 255, 255, 255, 0);   /* the white canvas */
    assert_px(s, 90, 90, 255, 255, 255, 0);
    assert_int_equal(info.nodes_painted, 1);
    assert_false(info.animates);
    cairo_surface_destroy(s);
    tv_free(&t);
}

static void test_border_defaults_to_3px_current_color(void **state)
{
    tview t;
    tv_init(&t, 8, 60, 60);
    reelay_wireframe *wf = tv_add(&t, REELAY_SCENE_NONE, WF_DIV, 10, 10, 30, 30);
    wf->style.color = col("#00ff00");
    wf->style.border_radius = len(0); /* any border field: solid, medium (3px), currentColor */
    cairo_surface_t *s = render(state, &t, NULL);
    assert_px(s, 11, 25, 0, 255, 0, 0);
    assert_px(s, 45, 25, 0, 255, 0, 0); /* 30 + 2*3 = 36 wide: the border is 43..46 */
    assert_px(s, 43, 25, 0, 255, 0, 0);
    assert_px(s, 42, 25, 255, 255, 255, 0);
    assert_px(s, 25, 25, 255, 255, 255, 0);
    assert_px(s, 47, 25, 255, 255, 255, 0);
    cairo_surface_destroy(s);
    tv_free(&t);
}

static void test_padding_grows_the_box(void **state)
{
    tview t;
    tv_init(&t, 8, 80, 80);
    reelay_wireframe *wf = tv_add(&t, REELAY_SCENE_NONE, WF_RECTANGLE, 10, 10, 20, 20);
    wf->style.background_color = col("#00ff00");
    cairo_surface_t *plain = render(state, &t, NULL);
    assert_px(plain, 35, 35, 255, 255, 255, 0);
    wf->style.padding_left = len(5);
    wf->style.padding_right = len(10);
    wf->style.padding_top = len(2);
    wf->style.padding_bottom = len(20);
    cairo_surface_t *padded = render(state, &t, NULL);
    assert_px(padded, 44, 51, 0, 255, 0, 0); /* 10 + 5 + 20 + 10 = 45; 10 + 2 + 20 + 20 = 52 */
    assert_px(padded, 46, 20, 255, 255, 255, 0);
    assert_px(padded, 20, 53, 255, 255, 255, 0);
    cairo_surface_destroy(plain);
    cairo_surface_destroy(padded);
    tv_free(&t);
}

static void test_parents_do_not_clip_and_paint_order(void **state)
{
    tview t;
    tv_init(&t, 8, 100, 100);
    reelay_wireframe *parent = tv_add(&t, REELAY_SCENE_NONE, WF_DIV, 0, 0, 20, 20);
    parent->style.background_color = col("#ff0000");
    uint32_t p = tv_index(&t, parent);
    reelay_wireframe *child = tv_add(&t, p, WF_RECTANGLE, 10, 10, 50, 50); /* overflows its parent */
    child->style.background_color = col("#0000ff");
    reelay_wireframe *later = tv_add(&t, p, WF_RECTANGLE, 40, 40, 40, 40); /* later sibling on top */
    later->style.background_color = col("#00ff00");
    reelay_wireframe *top = tv_add(&t, REELAY_SCENE_NONE, WF_RECTANGLE, 70, 70, 20, 20);
    top->style.background_color = col("#000000");
    reelay_wf_render_info info;
    cairo_surface_t *s = render(state, &t, &info);
    assert_px(s, 5, 5, 255, 0, 0, 0);
    assert_px(s, 15, 15, 0, 0, 255, 0);  /* child over parent */
    assert_px(s, 35, 35, 0, 0, 255, 0);  /* outside the parent: not clipped */
    assert_px(s, 50, 50, 0, 255, 0, 0);  /* later sibling over earlier */
    assert_px(s, 75, 75, 0, 0, 0, 0);    /* later root over the subtree */
    assert_int_equal(info.nodes_painted, 4);
    cairo_surface_destroy(s);
    tv_free(&t);
}

static void test_viewport_width_and_white_canvas(void **state)
{
    tview t;
    tv_init(&t, 8, 90, 40);
    reelay_wireframe *wf = tv_add(&t, REELAY_SCENE_NONE, WF_DIV, 0, 10, 0, 10);
    wf->width_is_viewport = true;
    wf->style.background_color = col("#123456");
    cairo_surface_t *s = render_scaled(state, &t, 2.0, NULL);
    assert_px(s, 1, 30, 0x12, 0x34, 0x56, 0);
    assert_px(s, 178, 30, 0x12, 0x34, 0x56, 0);
    assert_px(s, 100, 5, 255, 255, 255, 0);
    assert_int_equal(pixel(s, 100, 5).a, 255);
    cairo_surface_destroy(s);
    tv_free(&t);
}

/* ------------------------------------------------------------------------ */
/* Text                                                                     */

static void test_text_clipped_to_box_and_inherits_color(void **state)
{
    tview t;
    tv_init(&t, 8, 120, 80);
    reelay_wireframe *parent = tv_add(&t, REELAY_SCENE_NONE, WF_DIV, 0, 0, 5, 5);
    parent->style.color = col("#00aa00");
    parent->style.font_size = len(14);
    reelay_wireframe *text = tv_add(&t, tv_index(&t, parent), WF_TEXT, 20, 20, 60, 20);
    text->text = "WWWW WWWW WWWW WWWW WWWW WWWW WWWW";
    cairo_surface_t *s = render(state, &t, NULL);
    int inside = count(s, 20, 20, 80, 40, non_white);
    assert_true(inside > 50);
    assert_true(count(s, 20, 20, 80, 40, greenish) > 20);
    /* Wrapped lines overflow the 20-unit height but are clipped. */
    assert_int_equal(count_all(s, non_white), inside);
    cairo_surface_destroy(s);

    /* Without any colour: black (grey antialiasing, never green). */
    parent->style.color = (reelay_color){0};
    s = render(state, &t, NULL);
    assert_true(count(s, 20, 20, 80, 40, non_white) > 50);
    assert_int_equal(count_all(s, greenish), 0);
    assert_true(count_all(s, dark) > 10);
    cairo_surface_destroy(s);
    tv_free(&t);
}

/* Pixel rows holding ink: how tall the drawn text is. */
static int ink_rows(cairo_surface_t *s)
{
    int rows = 0;
    for (int y = 0; y < cairo_image_surface_get_height(s); y++)
        if (count(s, 0, y, cairo_image_surface_get_width(s), y + 1, dark) > 0) rows++;
    return rows;
}

static void test_text_wraps_but_nowrap_is_inherited_from_divs(void **state)
{
    tview t;
    tv_init(&t, 8, 200, 200);
    reelay_wireframe *button = tv_add(&t, REELAY_SCENE_NONE, WF_INPUT, 10, 10, 60, 150);
    button->input_type = WF_INPUT_BUTTON;
    button->value = "aaaa bbbb cccc dddd";
    cairo_surface_t *wrapped = render(state, &t, NULL);
    int wrapped_rows = ink_rows(wrapped);

    /* The same button inside a div: white-space:nowrap, one line. */
    tview u;
    tv_init(&u, 8, 200, 200);
    reelay_wireframe *div = tv_add(&u, REELAY_SCENE_NONE, WF_DIV, 0, 0, 1, 1);
    reelay_wireframe *inner = tv_add(&u, tv_index(&u, div), WF_INPUT, 10, 10, 60, 150);
    *inner = *button;
    cairo_surface_t *single = render(state, &u, NULL);
    int single_rows = ink_rows(single);
    assert_true(single_rows > 5);
    assert_true(wrapped_rows > 2 * single_rows);

    /* A text element resets white-space to normal even inside a div. */
    reelay_wireframe *text = tv_add(&u, tv_index(&u, div), WF_TEXT, 100, 10, 60, 150);
    text->text = "aaaa bbbb cccc dddd";
    cairo_surface_t *both = render(state, &u, NULL);
    assert_true(ink_rows(both) >= wrapped_rows);
    cairo_surface_destroy(wrapped);
    cairo_surface_destroy(single);
    cairo_surface_destroy(both);
    tv_free(&t);
    tv_free(&u);
}

/* Centre of the dark pixels. */
static void ink_centre(cairo_surface_t *s, double *cx, double *cy)
{
    double sx = 0, sy = 0;
    int n = 0;
    for (int y = 0; y < cairo_image_surface_get_height(s); y++)
        for (int x = 0; x < cairo_image_surface_get_width(s); x++)
            if (dark(pixel(s, x, y))) {
                sx += x;
                sy += y;
                n++;
            }
    assert_true(n > 0);
    *cx = sx / n;
    *cy = sy / n;
}

static void test_text_alignment_and_button_centring(void **state)
{
    tview t;
    tv_init(&t, 8, 200, 100);
    reelay_wireframe *text = tv_add(&t, REELAY_SCENE_NONE, WF_TEXT, 0, 0, 200, 100);
    text->text = "Hi";
    double cx, cy;
    cairo_surface_t *s = render(state, &t, NULL);
    ink_centre(s, &cx, &cy);
    assert_true(cx < 30 && cy < 30); /* top-left without alignment */
    cairo_surface_destroy(s);

    text->style.horizontal_align = WF_ALIGN_END;
    text->style.vertical_align = WF_ALIGN_END;
    s = render(state, &t, NULL);
    ink_centre(s, &cx, &cy);
    assert_true(cx > 170 && cy > 70);
    cairo_surface_destroy(s);

    wf_set(text, WF_INPUT, 0, 0, 200, 100);
    text->input_type = WF_INPUT_BUTTON;
    text->value = "OK";
    text->style.padding_top = len(60); /* padding-block is forced to 0 on buttons */
    s = render(state, &t, NULL);
    ink_centre(s, &cx, &cy);
    assert_true(fabs(cx - 100) < 8 && fabs(cy - 50) < 8);
    cairo_surface_destroy(s);
    tv_free(&t);
}

static void test_cjk_and_emoji_have_glyphs(void **state)
{
    tview t;
    tv_init(&t, 8, 120, 40);
    reelay_wireframe *text = tv_add(&t, REELAY_SCENE_NONE, WF_TEXT, 0, 0, 120, 40);
    text->style.font_size = len(24);
    text->text = "\xEE\x80\x80\xEE\x80\x80"; /* U+E000 twice: no font has it, tofu boxes */
    cairo_surface_t *tofu = render(state, &t, NULL);
    text->text = "\xE4\xB8\xAD\xE6\x96\x87"; /* 中文 */
    cairo_surface_t *cjk = render(state, &t, NULL);
    text->text = "\xF0\x9F\x98\x80"; /* 😀 */
    cairo_surface_t *emoji = render(state, &t, NULL);
    assert_true(count_all(tofu, non_white) > 20);
    assert_true(count_all(cjk, non_white) > 20);
    assert_false(same_pixels(tofu, cjk));
    /* Tofu boxes are hollow rectangles; 中 has a vertical stroke through the
     * middle of the first glyph cell, which a box does not. */
    assert_true(abs(count_all(cjk, dark) - count_all(tofu, dark)) > 10);
    assert_true(count_all(emoji, colourful) > 50);
    assert_int_equal(count_all(tofu, colourful), 0);
    cairo_surface_destroy(tofu);
    cairo_surface_destroy(cjk);
    cairo_surface_destroy(emoji);
    tv_free(&t);
}

/* ------------------------------------------------------------------------ */
/* Placeholders and images                                                  */

static void test_placeholder_stripes_and_label(void **state)
{
    tview t;
    tv_init(&t, 8, 100, 100);
    reelay_wireframe *wf = tv_add(&t, REELAY_SCENE_NONE, WF_PLACEHOLDER, 10, 10, 64, 64);
    cairo_surface_t *s = render(state, &t, NULL);
    assert_true(count(s, 10, 10, 74, 74, stripe_black) > 500);
    assert_true(count(s, 10, 10, 74, 74, stripe_grey) > 500);
    /* The label "placeholder" is drawn in #35373e over the stripes. */
    assert_true(count(s, 10, 10, 74, 74, bright) == 0);
    assert_px(s, 80, 80, 255, 255, 255, 0);
    cairo_surface_destroy(s);

    wf->style.color = col("#ffffff");
    wf->label = "LABEL";
    s = render(state, &t, NULL);
    assert_true(count(s, 10, 10, 74, 74, bright) > 10);
    cairo_surface_destroy(s);

    wf->type = WF_WEB_VIEW;
    wf->type_name = "web_view";
    wf->label = NULL;
    wf->url = "https://example.com";
    s = render(state, &t, NULL);
    assert_true(count(s, 10, 10, 74, 74, bright) > 10);
    assert_true(count(s, 10, 10, 74, 74, stripe_grey) > 300);
    cairo_surface_destroy(s);
    tv_free(&t);
}

static void test_image_stretched_with_background(void **state)
{
    char *b64 = file_base64("fixtures/images/quad.png");
    tview t;
    tv_init(&t, 8, 120, 40);
    /* quad.png is 37x25: TL crimson, TR dodger blue, BL white, BR green at
     * half alpha. Stretched non-uniformly to 100x20. */
    reelay_wireframe *wf = tv_add(&t, REELAY_SCENE_NONE, WF_IMAGE, 10, 10, 100, 20);
    wf->base64 = b64;
    wf->style.background_color = col("#000000");
    reelay_wf_render_info info;
    cairo_surface_t *s = render(state, &t, &info);
    assert_int_equal(info.images_failed, 0);
    assert_px(s, 30, 14, 220, 20, 60, 2);
    assert_px(s, 90, 14, 30, 144, 255, 2);
    assert_px(s, 30, 26, 255, 255, 255, 2);
    assert_px(s, 90, 26, 0, 64, 0, 3); /* green over the black background */
    assert_px(s, 108, 28, 0, 64, 0, 3); /* stretched to the box's corner */
    assert_px(s, 112, 20, 255, 255, 255, 0);
    cairo_surface_destroy(s);

    /* Also as a data URI, with a radius clipping the corners. */
    size_t n = strlen(b64) + 32;
    char *uri = malloc(n);
    snprintf(uri, n, "data:image/png;base64,%s", b64);
    wf->base64 = uri;
    wf->style.border_radius = len(8);
    wf->style.border_width = len(0);
    s = render(state, &t, NULL);
    assert_px(s, 30, 14, 220, 20, 60, 2);
    assert_px(s, 10, 10, 255, 255, 255, 0);
    cairo_surface_destroy(s);
    free(uri);
    free(b64);
    tv_free(&t);
}

static void test_undecodable_or_missing_image_is_a_placeholder(void **state)
{
    tview t;
    tv_init(&t, 8, 80, 80);
    reelay_wireframe *wf = tv_add(&t, REELAY_SCENE_NONE, WF_SCREENSHOT, 0, 0, 64, 64);
    wf->base64 = "data:image/png;base64,bm90IGEgcG5n"; /* "not a png" */
    reelay_wf_render_info info;
    cairo_surface_t *s = render(state, &t, &info);
    assert_int_equal(info.images_failed, 1);
    assert_true(count(s, 0, 0, 64, 64, stripe_grey) > 300);
    cairo_surface_destroy(s);

    wf->base64 = NULL;
    s = render(state, &t, &info);
    assert_int_equal(info.images_failed, 0);
    assert_true(count(s, 0, 0, 64, 64, stripe_grey) > 300);
    cairo_surface_destroy(s);
    tv_free(&t);
}

static void test_background_image_sizes(void **state)
{
    char *b64 = file_base64("fixtures/images/quad.png");
    tview t;
    tv_init(&t, 8, 100, 60);
    reelay_wireframe *wf = tv_add(&t, REELAY_SCENE_NONE, WF_RECTANGLE, 0, 0, 80, 40);
    wf->style.background_image = b64;
    /* contain (default): 37x25 scaled by 1.6 -> 59.2x40 at the top-left. */
    cairo_surface_t *s = render(state, &t, NULL);
    assert_px(s, 10, 10, 220, 20, 60, 2);
    assert_px(s, 45, 10, 30, 144, 255, 2);
    assert_px(s, 70, 10, 255, 255, 255, 0);
    cairo_surface_destroy(s);

    /* cover: scaled by 80/37 -> 80x54, clipped to the box. */
    wf->style.background_size = WF_BG_SIZE_COVER;
    s = render(state, &t, NULL);
    assert_px(s, 70, 10, 30, 144, 255, 2);
    assert_px(s, 70, 45, 255, 255, 255, 0);
    cairo_surface_destroy(s);

    /* auto: natural size 37x25. */
    wf->style.background_size = WF_BG_SIZE_AUTO;
    s = render(state, &t, NULL);
    assert_px(s, 30, 5, 30, 144, 255, 2);
    assert_px(s, 45, 5, 255, 255, 255, 0);
    cairo_surface_destroy(s);

    /* url(...) cannot be fetched: ignored. */
    wf->style.background_image = "url('https://example.com/a.png')";
    wf->style.background_color = col("#00ff00");
    s = render(state, &t, NULL);
    assert_px(s, 10, 10, 0, 255, 0, 0);
    cairo_surface_destroy(s);
    free(b64);
    tv_free(&t);
}

/* ------------------------------------------------------------------------ */
/* Inputs                                                                   */

static void test_password_shows_bullets(void **state)
{
    tview t;
    tv_init(&t, 8, 120, 40);
    reelay_wireframe *wf = tv_add(&t, REELAY_SCENE_NONE, WF_INPUT, 0, 0, 120, 40);
    wf->input_type = WF_INPUT_TEXT;
    wf->value = "Hidden";
    cairo_surface_t *plain = render(state, &t, NULL);
    wf->input_type = WF_INPUT_PASSWORD;
    cairo_surface_t *hidden = render(state, &t, NULL);
    assert_true(count_all(plain, dark) > 10);
    assert_true(count_all(hidden, dark) > 10);
    assert_false(same_pixels(plain, hidden));
    /* Bullets are small discs; "Hidden" has ascenders. */
    assert_true(ink_rows(hidden) + 3 < ink_rows(plain));
    double cx, cy;
    ink_centre(hidden, &cx, &cy);
    assert_true(fabs(cy - 20) < 4); /* vertically centred */
    assert_true(cx < 40);           /* left-aligned */
    cairo_surface_destroy(plain);
    cairo_surface_destroy(hidden);
    tv_free(&t);
}

static bool ua_blue(px p)
{
    return p.b > 200 && p.r < 40 && p.g > 90 && p.g < 150;
}

static void test_checkbox_and_radio_states(void **state)
{
    tview t;
    tv_init(&t, 8, 120, 30);
    reelay_wireframe *wf = tv_add(&t, REELAY_SCENE_NONE, WF_INPUT, 0, 0, 120, 30);
    wf->input_type = WF_INPUT_CHECKBOX;
    wf->label = "Remember me";
    cairo_surface_t *off = render(state, &t, NULL);
    wf->checked = true;
    cairo_surface_t *on = render(state, &t, NULL);
    assert_false(same_pixels(off, on));
    assert_int_equal(count(off, 0, 0, 14, 30, ua_blue), 0);
    assert_true(count(on, 0, 0, 14, 30, ua_blue) > 40); /* the control at the start */
    assert_true(count(on, 14, 0, 120, 30, dark) > 20);   /* then the label */
    wf->disabled = true;
    cairo_surface_t *disabled = render(state, &t, NULL);
    assert_int_equal(count_all(disabled, ua_blue), 0);
    cairo_surface_destroy(off);
    cairo_surface_destroy(on);
    cairo_surface_destroy(disabled);

    /* Unlabelled radio: sized to the box. */
    wf_set(wf, WF_INPUT, 0, 0, 30, 30);
    wf->input_type = WF_INPUT_RADIO;
    off = render(state, &t, NULL);
    wf->checked = true;
    on = render(state, &t, NULL);
    assert_int_equal(count_all(off, ua_blue), 0);
    assert_true(count(on, 8, 8, 22, 22, ua_blue) > 100);
    cairo_surface_destroy(off);
    cairo_surface_destroy(on);
    tv_free(&t);
}

static void test_toggle_knob_moves(void **state)
{
    tview t;
    tv_init(&t, 8, 60, 30);
    reelay_wireframe *wf = tv_add(&t, REELAY_SCENE_NONE, WF_INPUT, 0, 0, 60, 30);
    wf->input_type = WF_INPUT_TOGGLE;
    wf->style.color = col("#ff0000");
    cairo_surface_t *off = render(state, &t, NULL);
    wf->checked = true;
    cairo_surface_t *on = render(state, &t, NULL);
    int off_left = count(off, 0, 0, 30, 30, pure_red), off_right = count(off, 30, 0, 60, 30, pure_red);
    int on_left = count(on, 0, 0, 30, 30, pure_red), on_right = count(on, 30, 0, 60, 30, pure_red);
    assert_true(off_left > 3 * off_right);
    assert_true(on_right > 3 * on_left);
    /* The track is drawn at 20% opacity: a light pink, not pure red. */
    px track = pixel(off, 42, 15);
    assert_true(track.r == 255 && track.g > 180 && track.g < 230);
    cairo_surface_destroy(off);
    cairo_surface_destroy(on);

    /* Default colours: blue when checked. */
    wf->style.color = (reelay_color){0};
    on = render(state, &t, NULL);
    px knob = pixel(on, 38, 12);
    assert_true(knob.r == 0x1D && knob.g == 0x4A && knob.b == 0xFF);
    cairo_surface_destroy(on);
    tv_free(&t);
}

static void test_select_shows_selected_option_and_arrow(void **state)
{
    tview t;
    tv_init(&t, 8, 120, 30);
    reelay_wireframe *wf = tv_add(&t, REELAY_SCENE_NONE, WF_INPUT, 0, 0, 120, 30);
    wf->input_type = WF_INPUT_SELECT;
    const char *options[] = {"Apple", "Mango"};
    wf->options = options;
    wf->option_count = 2;
    cairo_surface_t *first = render(state, &t, NULL);
    wf->value = "Mango";
    cairo_surface_t *chosen = render(state, &t, NULL);
    wf->value = "Apple";
    cairo_surface_t *apple = render(state, &t, NULL);
    assert_false(same_pixels(first, chosen));
    assert_true(same_pixels(first, apple));
    assert_true(count(chosen, 100, 0, 120, 30, non_white) > 5); /* the arrow */
    cairo_surface_destroy(first);
    cairo_surface_destroy(chosen);
    cairo_surface_destroy(apple);
    tv_free(&t);
}

/* ------------------------------------------------------------------------ */
/* Progress                                                                 */

static void test_progress_horizontal_and_indeterminate(void **state)
{
    tview t;
    tv_init(&t, 8, 100, 20);
    reelay_wireframe *wf = tv_add(&t, REELAY_SCENE_NONE, WF_INPUT, 0, 0, 100, 20);
    wf->input_type = WF_INPUT_PROGRESS;
    wf->has_progress_value = true;
    wf->progress_value = 30;
    wf->has_progress_max = true;
    wf->progress_max = 100;
    reelay_wf_render_info info;
    cairo_surface_t *s = render(state, &t, &info);
    assert_false(info.animates);
    /* Chrome's bar: half the box's height, centred (rows 5 to 15), 30% filled
     * under a thin border. */
    int blue = count(s, 0, 0, 100, 20, ua_blue);
    assert_true(blue > 200 && blue < 320);
    assert_int_equal(count(s, 0, 0, 100, 4, non_white), 0);
    assert_int_equal(count(s, 0, 16, 100, 20, non_white), 0);
    assert_true(count(s, 40, 6, 100, 14, non_white) > 400); /* the track */
    cairo_surface_destroy(s);

    wf->progress_value = 0; /* indeterminate */
    t.view.timestamp = 1000;
    cairo_surface_t *a = render(state, &t, &info);
    assert_true(info.animates);
    t.view.timestamp = 1500;
    cairo_surface_t *b = render(state, &t, &info);
    assert_false(same_pixels(a, b));
    cairo_surface_destroy(a);
    cairo_surface_destroy(b);
    tv_free(&t);
}

static bool ring_fg(px p)
{
    return p.r < 80 && p.g < 80 && p.b < 80;
}
static bool ring_bg(px p)
{
    return p.r > 230 && p.r < 250 && p.b < 245 && p.b > 225 && !(p.r == 255 && p.b == 255);
}

static void test_progress_ring_fraction_and_spinner(void **state)
{
    tview t;
    tv_init(&t, 8, 100, 100);
    reelay_wireframe *wf = tv_add(&t, REELAY_SCENE_NONE, WF_INPUT, 0, 0, 100, 100);
    wf->input_type = WF_INPUT_PROGRESS;
    wf->style.bar = WF_BAR_CIRCULAR;
    wf->style.color = col("#000000");
    wf->has_progress_value = true;
    wf->progress_value = 25;
    wf->has_progress_max = true;
    wf->progress_max = 100;
    reelay_wf_render_info info;
    cairo_surface_t *s = render(state, &t, &info);
    assert_false(info.animates);
    int fg = count_all(s, ring_fg), bg = count_all(s, ring_bg);
    double frac = (double)fg / (fg + bg);
    if (fabs(frac - 0.25) > 0.04) fail_msg("ring fill fraction %.3f (fg %d bg %d)", frac, fg, bg);
    assert_true(count(s, 50, 0, 100, 50, ring_fg) > 0.9 * fg); /* clockwise from 12 o'clock */
    assert_px(s, 50, 50, 255, 255, 255, 0);                      /* the white inner disc */
    cairo_surface_destroy(s);

    /* 1 of 3 is 33.3…%: not an integer, so a spinner that turns. */
    wf->progress_value = 1;
    wf->progress_max = 3;
    t.view.timestamp = 0;
    cairo_surface_t *a = render(state, &t, &info);
    assert_true(info.animates);
    t.view.timestamp = 500;
    cairo_surface_t *b = render(state, &t, &info);
    assert_false(same_pixels(a, b));
    cairo_surface_destroy(a);
    cairo_surface_destroy(b);
    tv_free(&t);
}

static void test_rating_stars(void **state)
{
    tview t;
    tv_init(&t, 8, 140, 24);
    reelay_wireframe *wf = tv_add(&t, REELAY_SCENE_NONE, WF_INPUT, 0, 0, 140, 20);
    wf->input_type = WF_INPUT_PROGRESS;
    wf->style.bar = WF_BAR_RATING;
    wf->has_progress_value = true;
    wf->has_progress_max = true;
    wf->progress_max = 5;
    /* Stars are 20 units wide from x = 4; the centre of a star is 12.8/24 down. */
    double values[3] = {1, 2.5, 4};
    int filled_expected[3] = {1, 2, 4};
    for (int i = 0; i < 3; i++) {
        wf->progress_value = values[i];
        cairo_surface_t *s = render(state, &t, NULL);
        int filled = 0, half = 0;
        for (int star = 0; star < 5; star++) {
            bool left = dark(pixel(s, 4 + 20 * star + 8, 12)), right = dark(pixel(s, 4 + 20 * star + 12, 12));
            if (left && right) filled++;
            if (left && !right) half++;
        }
        assert_int_equal(filled, filled_expected[i]);
        assert_int_equal(half, i == 1 ? 1 : 0);
        /* Five stars in all, the last one empty but drawn; nothing past 104. */
        assert_int_equal(count(s, 106, 0, 140, 24, non_white), 0);
        assert_true(count(s, 84, 0, 104, 24, non_white) > 10);
        cairo_surface_destroy(s);
    }

    wf->has_progress_max = false; /* no max: a placeholder */
    cairo_surface_t *s = render(state, &t, NULL);
    assert_true(count_all(s, stripe_grey) > 300);
    cairo_surface_destroy(s);
    tv_free(&t);
}

/* ------------------------------------------------------------------------ */
/* Chrome                                                                   */

/* Chrome's UA sheet makes buttons border-box: a 100x30 button with a 2px
 * border is 100x30 in all, border included (PostHog's player). */
static void test_button_border_inside_its_size(void **state)
{
    tview t;
    tv_init(&t, 4, 120, 40);
    reelay_wireframe *wf = tv_add(&t, REELAY_SCENE_NONE, WF_INPUT, 0, 0, 100, 30);
    wf->input_type = WF_INPUT_BUTTON;
    wf->style.border_width = len(2);
    wf->style.border_color = col("#000000");
    cairo_surface_t *s = render(state, &t, NULL);
    assert_true(dark(pixel(s, 99, 15)));
    assert_true(dark(pixel(s, 50, 29)));
    assert_int_equal(count(s, 100, 0, 120, 40, non_white), 0);
    assert_int_equal(count(s, 0, 30, 120, 40, non_white), 0);
    cairo_surface_destroy(s);
    tv_free(&t);
}

/* Labels do not clip (overflow:visible): a checkbox label wrapping past its
 * 30px box shows its second line below it, starting under the control. */
static void test_check_label_overflows_its_box(void **state)
{
    tview t;
    tv_init(&t, 4, 200, 80);
    reelay_wireframe *wf = tv_add(&t, REELAY_SCENE_NONE, WF_INPUT, 0, 0, 100, 30);
    wf->input_type = WF_INPUT_CHECKBOX;
    wf->label = "i will wrap the checkbox";
    cairo_surface_t *s = render(state, &t, NULL);
    assert_true(count(s, 0, 30, 100, 60, dark) > 10);
    assert_true(count(s, 0, 30, 12, 60, dark) > 0); /* the second line starts at the left edge */
    cairo_surface_destroy(s);
    tv_free(&t);
}

/* A status bar of no height still shows its clock, centred on its edge. */
static void test_zero_height_status_bar_shows_clock(void **state)
{
    tview t;
    tv_init(&t, 4, 200, 80);
    reelay_wireframe bar;
    wf_set(&bar, WF_STATUS_BAR, 10, 20, 100, 0);
    t.view.status_bar = &bar;
    t.view.timestamp = 1700000000000.0;
    cairo_surface_t *s = render(state, &t, NULL);
    assert_true(count(s, 15, 8, 110, 32, dark) > 20);
    cairo_surface_destroy(s);
    tv_free(&t);
}

/* Text naming no family takes the renderer's default font. */
static void test_default_font_reaches_unstyled_text(void **state)
{
    fixture *f = *state;
    tview t;
    tv_init(&t, 4, 200, 40);
    reelay_wireframe *wf = tv_add(&t, REELAY_SCENE_NONE, WF_TEXT, 0, 0, 200, 40);
    wf->text = "Default family";
    cairo_surface_t *serif = render(state, &t, NULL);
    reelay_wf_renderer_set_default_font(f->renderer, REELAY_DEFAULT_FONT_SANS);
    cairo_surface_t *sans = render(state, &t, NULL);
    wf->style.font_family = "sans-serif";
    cairo_surface_t *named = render(state, &t, NULL);
    reelay_wf_renderer_set_default_font(f->renderer, REELAY_DEFAULT_FONT_SERIF);
    cairo_surface_t *named_serif_default = render(state, &t, NULL);
    assert_false(same_pixels(serif, sans));
    assert_true(same_pixels(sans, named));
    assert_true(same_pixels(named, named_serif_default)); /* a named family ignores the default */
    cairo_surface_destroy(serif);
    cairo_surface_destroy(sans);
    cairo_surface_destroy(named);
    cairo_surface_destroy(named_serif_default);
    tv_free(&t);
}

static void test_status_bar_colour_follows_background(void **state)
{
    tview t;
    tv_init(&t, 8, 120, 100);
    reelay_wireframe bar;
    wf_set(&bar, WF_STATUS_BAR, 0, 0, 120, 24);
    bar.style.background_color = col("#000000");
    t.view.status_bar = &bar;
    t.view.timestamp = 1700000000000.0 + 13 * 3600000.0; /* some afternoon, UTC */
    cairo_surface_t *dark_bg = render(state, &t, NULL);
    assert_true(count(dark_bg, 0, 0, 120, 24, bright) > 20);
    /* The clock starts after the 5px spacer. */
    assert_int_equal(count(dark_bg, 0, 0, 5, 24, bright), 0);
    cairo_surface_destroy(dark_bg);

    bar.style.background_color = col("#eeeeee");
    cairo_surface_t *light_bg = render(state, &t, NULL);
    assert_true(count(light_bg, 0, 0, 120, 24, dark) > 20);
    cairo_surface_destroy(light_bg);

    /* The clock shows the time: another minute, other pixels. */
    t.view.timestamp += 60000;
    cairo_surface_t *later = render(state, &t, NULL);
    t.view.timestamp -= 60000;
    cairo_surface_t *again = render(state, &t, NULL);
    assert_false(same_pixels(later, again));
    cairo_surface_destroy(later);
    cairo_surface_destroy(again);
    tv_free(&t);
}

static void test_navigation_bar_glyphs(void **state)
{
    tview t;
    tv_init(&t, 8, 150, 100);
    reelay_wireframe bar;
    wf_set(&bar, WF_NAVIGATION_BAR, 0, 70, 150, 30);
    bar.style.background_color = col("#000000");
    t.view.navigation_bar = &bar;
    cairo_surface_t *s = render(state, &t, NULL);
    /* Three glyphs spread around the row: ink in each third. */
    assert_true(count(s, 0, 70, 50, 100, non_black_px) > 5);
    assert_true(count(s, 50, 70, 100, 100, non_black_px) > 5);
    assert_true(count(s, 100, 70, 150, 100, non_black_px) > 5);
    assert_int_equal(count(s, 0, 0, 150, 70, non_white), 0);
    cairo_surface_destroy(s);
    tv_free(&t);
}

static void test_keyboard_position_and_layering(void **state)
{
    tview t;
    tv_init(&t, 8, 100, 200);
    reelay_wireframe *full = tv_add(&t, REELAY_SCENE_NONE, WF_RECTANGLE, 0, 0, 100, 200);
    full->style.background_color = col("#ff0000");
    t.view.keyboard.open = true;
    t.view.keyboard.height = 80;
    cairo_surface_t *s = render(state, &t, NULL);
    assert_px(s, 50, 60, 255, 0, 0, 0);
    assert_true(count(s, 0, 120, 100, 200, stripe_grey) > 1000); /* over the tree, at the bottom */
    assert_int_equal(count(s, 0, 0, 100, 118, stripe_grey), 0);
    cairo_surface_destroy(s);

    /* Placed at x/y when given. */
    t.view.keyboard.has_x = t.view.keyboard.has_y = true;
    t.view.keyboard.x = 10;
    t.view.keyboard.y = 20;
    t.view.keyboard.has_width = true;
    t.view.keyboard.width = 50;
    s = render(state, &t, NULL);
    assert_true(count(s, 10, 20, 60, 100, stripe_grey) > 500);
    assert_int_equal(count(s, 0, 101, 100, 200, stripe_grey), 0);
    assert_px(s, 80, 50, 255, 0, 0, 0);
    cairo_surface_destroy(s);

    /* The bars go over the keyboard; the keyboard takes the nav colour. */
    t.view.keyboard.has_x = t.view.keyboard.has_y = t.view.keyboard.has_width = false;
    reelay_wireframe nav, status;
    wf_set(&nav, WF_NAVIGATION_BAR, 0, 180, 100, 20);
    nav.style.background_color = col("#0000ff");
    reelay_color nav_bg = col("#0000ff");
    t.view.navigation_bar = &nav;
    t.view.navigation_background = &nav_bg;
    wf_set(&status, WF_STATUS_BAR, 0, 110, 100, 20); /* over the keyboard on purpose */
    status.style.background_color = col("#00ff00");
    t.view.status_bar = &status;
    s = render(state, &t, NULL);
    assert_px(s, 2, 198, 0, 0, 255, 0);   /* nav over keyboard */
    assert_px(s, 98, 128, 0, 255, 0, 0);  /* status over keyboard */
    assert_true(count(s, 0, 135, 100, 175, stripe_grey) > 500);
    cairo_surface_destroy(s);
    tv_free(&t);
}

/* ------------------------------------------------------------------------ */
/* Robustness                                                               */

static void test_absurd_values_do_not_crash(void **state)
{
    enum { N = 3000 };
    tview t;
    tv_init(&t, N + 64, 50, 50);
    double nasty[] = {NAN, INFINITY, -INFINITY, 1e300, -1e300, -5, 0, 1e-300, 4e9};
    size_t nn = sizeof nasty / sizeof nasty[0];
    static const reelay_input_type inputs[] = {WF_INPUT_TEXT,     WF_INPUT_PASSWORD, WF_INPUT_SELECT,
                                               WF_INPUT_BUTTON,   WF_INPUT_CHECKBOX, WF_INPUT_RADIO,
                                               WF_INPUT_TOGGLE,   WF_INPUT_PROGRESS, WF_INPUT_OTHER};
    size_t big_len = 200000;
    char *big = malloc(big_len + 1);
    for (size_t i = 0; i < big_len; i++) big[i] = i % 7 == 6 ? ' ' : (char)('a' + i % 26);
    big[big_len] = '\0';
    big[big_len - 1] = (char)0xE2; /* a cut UTF-8 sequence at the very end */
    const char *bad_utf8 = "ok \xFF\xFE bad \xC3";
    for (size_t i = 0; i < 60; i++) {
        reelay_wf_type type = (reelay_wf_type)(i % 11);
        reelay_wireframe *wf =
            tv_add(&t, REELAY_SCENE_NONE, type, nasty[i % nn], nasty[(i + 1) % nn], nasty[(i + 2) % nn],
                   nasty[(i + 3) % nn]);
        wf->width_is_viewport = i % 5 == 0;
        wf->text = i % 2 ? big : bad_utf8;
        wf->value = i % 3 ? big : bad_utf8;
        wf->label = i % 4 ? bad_utf8 : big;
        wf->base64 = i % 3 ? "###" : NULL;
        wf->input_type = inputs[i % 9];
        wf->style.bar = (reelay_progress_bar)(i % 4);
        wf->has_progress_value = wf->has_progress_max = true;
        wf->progress_value = nasty[(i + 4) % nn];
        wf->progress_max = nasty[(i + 5) % nn];
        wf->style.font_size = len(i % 2 ? 1e9 : nasty[i % nn]);
        wf->style.border_width = len(nasty[(i + 6) % nn]);
        wf->style.border_radius = len(nasty[(i + 7) % nn]);
        wf->style.padding_left = len(nasty[(i + 8) % nn]);
        wf->style.padding_top = len(nasty[i % nn]);
        wf->style.background_color = col("#336699");
        wf->style.background_image = i % 2 ? "@@@" : "url(x)";
        wf->style.font_family = i % 2 ? "sans-serif-bold" : ".SFUI-Regular, Helvetica, a very long family list";
    }
    /* A deep chain: the walk must not recurse. */
    uint32_t parent = REELAY_SCENE_NONE;
    for (size_t i = 0; t.n < t.cap; i++) {
        reelay_wireframe *wf = tv_add(&t, parent, i % 2 ? WF_TEXT : WF_DIV, 1, 1, 2, 2);
        wf->text = "x";
        parent = tv_index(&t, wf);
    }
    reelay_wireframe bar;
    wf_set(&bar, WF_STATUS_BAR, NAN, 1e300, INFINITY, -3);
    t.view.status_bar = &bar;
    t.view.navigation_bar = &bar;
    t.view.keyboard.open = true;
    t.view.keyboard.height = 1e300;
    t.view.timestamp = NAN;
    reelay_wf_render_info info;
    cairo_surface_t *s = render_scaled(state, &t, 2.0, &info);
    assert_int_equal(info.nodes_painted, t.n + 3);
    cairo_surface_destroy(s);

    /* An unknown viewport falls back to the surface. */
    t.view.width = NAN;
    t.view.height = -1;
    t.view.timestamp = -1e300;
    fixture *f = *state;
    cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 40, 40);
    cairo_t *cr = cairo_create(surface);
    reelay_err err;
    assert_int_equal(reelay_wf_render(f->renderer, &t.view, cr, NULL, &err), REELAY_OK);
    assert_int_equal(cairo_status(cr), CAIRO_STATUS_SUCCESS);
    cairo_destroy(cr);
    cairo_surface_destroy(surface);
    free(big);
    tv_free(&t);
}

static void test_errors_are_values(void **state)
{
    fixture *f = *state;
    reelay_err err;
    reelay_err_clear(&err);
    assert_null(reelay_wf_renderer_new(NULL, f->images, &err));
    assert_int_equal(err.code, REELAY_E_INTERNAL);
    tview t;
    tv_init(&t, 1, 10, 10);
    /* A cairo context already in error is reported, not drawn into. */
    cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 10, 10);
    cairo_t *cr = cairo_create(surface);
    cairo_scale(cr, 0, 0);
    reelay_err_clear(&err);
    assert_int_equal(reelay_wf_render(f->renderer, &t.view, cr, NULL, &err), REELAY_E_INTERNAL);
    assert_non_null(strstr(err.msg, "matrix"));
    cairo_destroy(cr);
    cairo_surface_destroy(surface);
    tv_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_box_background_border_radius),
        cmocka_unit_test(test_border_defaults_to_3px_current_color),
        cmocka_unit_test(test_padding_grows_the_box),
        cmocka_unit_test(test_parents_do_not_clip_and_paint_order),
        cmocka_unit_test(test_viewport_width_and_white_canvas),
        cmocka_unit_test(test_text_clipped_to_box_and_inherits_color),
        cmocka_unit_test(test_text_wraps_but_nowrap_is_inherited_from_divs),
        cmocka_unit_test(test_text_alignment_and_button_centring),
        cmocka_unit_test(test_cjk_and_emoji_have_glyphs),
        cmocka_unit_test(test_placeholder_stripes_and_label),
        cmocka_unit_test(test_image_stretched_with_background),
        cmocka_unit_test(test_undecodable_or_missing_image_is_a_placeholder),
        cmocka_unit_test(test_background_image_sizes),
        cmocka_unit_test(test_password_shows_bullets),
        cmocka_unit_test(test_checkbox_and_radio_states),
        cmocka_unit_test(test_toggle_knob_moves),
        cmocka_unit_test(test_select_shows_selected_option_and_arrow),
        cmocka_unit_test(test_progress_horizontal_and_indeterminate),
        cmocka_unit_test(test_progress_ring_fraction_and_spinner),
        cmocka_unit_test(test_rating_stars),
        cmocka_unit_test(test_status_bar_colour_follows_background),
        cmocka_unit_test(test_navigation_bar_glyphs),
        cmocka_unit_test(test_keyboard_position_and_layering),
        cmocka_unit_test(test_absurd_values_do_not_crash),
        cmocka_unit_test(test_errors_are_values),
        cmocka_unit_test(test_button_border_inside_its_size),
        cmocka_unit_test(test_check_label_overflows_its_box),
        cmocka_unit_test(test_zero_height_status_bar_shows_clock),
        cmocka_unit_test(test_default_font_reaches_unstyled_text),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
