/* Unit tests for renderers/web/interaction (the web interaction view): pixel
 * probes on ARGB32 surfaces for the chrome (tabs, URL field, clipping of long
 * URLs, missing strings), the page outline and its scrolling, and the
 * annotations (click pills and their placement at the edges, the rage ring,
 * the focus card and its text and caret, the submit pill, toasts: place,
 * colour, count and fades), plus the painters' extent and determinism.
 * States are built by hand. REELAY_TEST_DUMP=dir writes sample views there
 * (web-view-demo.png; web-view-demo-720.png, a 1440-wide view at 720 px;
 * web-view-phone.png; web-view-detail.png, the chrome magnified). */
#define _POSIX_C_SOURCE 200809L
#include "test_support.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "renderers/overlay/pointer.h"
#include "renderers/web/interaction.h"

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */
/* ------------------------------------------------------------------------ */

#define BULLETS "\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2"
#define LONG_URL                                                                                             \
    "https://app.example.com/projects/12345/insights/very-long-path-segment/another-segment/"              \
    "and-yet-another-one?query=string&with=many&parameters=that&never=end#and-a-fragment-too"

/* The URL field's box for a chrome of this width (interaction.c's layout). */
#define FIELD_LEFT 108.0
#define FIELD_RIGHT(w) ((w) - 36.0)
#define FIELD_TOP 40.5
#define FIELD_BOTTOM 70.5

static int red(uint32_t p) { return (int)(p >> 16 & 0xFF); }
static int green(uint32_t p) { return (int)(p >> 8 & 0xFF); }
static int blue(uint32_t p) { return (int)(p & 0xFF); }
static int alpha(uint32_t p) { return (int)(p >> 24 & 0xFF); }
static int luma(uint32_t p) { return (red(p) * 299 + green(p) * 587 + blue(p) * 114) / 1000; }

/* True when every pixel of the rectangle equals value. */
static bool rect_is(ts_canvas *c, int x0, int y0, int x1, int y1, uint32_t value)
{
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++)
            if (ts_pixel(c, x, y) != value) return false;
    return true;
}

/* Pixels of the rectangle that satisfy pred. */
static int count_if(ts_canvas *c, int x0, int y0, int x1, int y1, bool (*pred)(uint32_t))
{
    int n = 0;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++)
            if (pred(ts_pixel(c, x, y))) n++;
    return n;
}

static bool is_dark(uint32_t p) { return alpha(p) == 0xFF && luma(p) < 110; }
static bool is_red(uint32_t p) { return alpha(p) > 0x80 && red(p) > 0xB0 && green(p) < 0x60 && blue(p) < 0x60; }
static bool is_green(uint32_t p) { return alpha(p) > 0xC0 && green(p) > 0x80 && red(p) < 0x40; }
static bool is_opaque_dark(uint32_t p) { return alpha(p) > 0xC0 && luma(p) < 60; }
static bool is_white(uint32_t p) { return alpha(p) == 0xFF && luma(p) > 240; }

/* Same size and the same pixels. */
static bool same_pixels(ts_canvas *a, ts_canvas *b)
{
    if (a->width != b->width || a->height != b->height) return false;
    cairo_surface_flush(a->surface);
    cairo_surface_flush(b->surface);
    int stride = cairo_image_surface_get_stride(a->surface);
    return memcmp(cairo_image_surface_get_data(a->surface), cairo_image_surface_get_data(b->surface),
                  (size_t)stride * (size_t)a->height) == 0;
}

static bool same_region(ts_canvas *a, ts_canvas *b, int x0, int y0, int x1, int y1)
{
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++)
            if (ts_pixel(a, x, y) != ts_pixel(b, x, y)) return false;
    return true;
}

static reelay_web_state two_tabs(void)
{
    reelay_web_state s = {
        .has_window = true,
        .window = 1,
        .url = "https://shop.example.com/checkout?step=2",
        .title = "Checkout – Example Shop",
        .tab_count = 2,
    };
    s.tabs[0] = (reelay_web_tab){.window = 0, .title = "Pricing – Example Shop", .url = "https://example.com/pricing"};
    s.tabs[1] = (reelay_web_tab){.window = 1, .title = s.title, .url = s.url, .active = true};
    return s;
}

static ts_canvas chrome(reelay_fonts *fonts, const reelay_web_state *s, int w)
{
    ts_canvas c = ts_canvas_new(w, (int)REELAY_WEB_CHROME_HEIGHT);
    reelay_paint_web_chrome(c.cr, fonts, s, w);
    return c;
}

static ts_canvas annotations(reelay_fonts *fonts, const reelay_web_state *s, int vw, int vh)
{
    ts_canvas c = ts_canvas_new(vw, vh);
    reelay_paint_web_annotations(c.cr, fonts, s, vw, vh);
    return c;
}

static reelay_web_click click_at(double x, double y, const char *label)
{
    return (reelay_web_click){.kind = REELAY_WEB_CLICK, .has_xy = true, .x = x, .y = y, .age_ms = 100,
                              .label = label};
}

/* ------------------------------------------------------------------------ */
/* Chrome                                                                   */
/* ------------------------------------------------------------------------ */

static void test_chrome_tabs_and_url(void **state)
{
    reelay_fonts *fonts = *state;
    reelay_web_state s = two_tabs();
    ts_canvas c = chrome(fonts, &s, 1000);
    /* Fully painted: the chrome is opaque across its box. */
    assert_int_equal(count_if(&c, 0, 0, 1000, 76, is_dark) > 0, true);
    for (int x = 0; x < 1000; x += 37) assert_int_equal(alpha(ts_pixel(&c, x, 2)), 0xFF);
    /* Tabs are 240 wide from x = 8: the second (active) one is white near its
     * top, the first keeps the frame's grey. */
    uint32_t inactive = ts_pixel(&c, 8 + 120, 11), active = ts_pixel(&c, 8 + 240 + 120, 11);
    assert_int_equal(active, 0xFFFFFFFFu);
    assert_true(luma(active) > luma(inactive) + 10);
    /* Both tabs show their titles (dark glyphs in each). */
    assert_true(count_if(&c, 40, 12, 230, 34, is_dark) > 20);
    assert_true(count_if(&c, 280, 12, 470, 34, is_dark) > 20);
    /* The URL field: a grey pill with dark text in it, on the white toolbar. */
    uint32_t field = ts_pixel(&c, (int)FIELD_RIGHT(1000) - 8, 55);
    assert_true(luma(field) < 250 && luma(field) > 220);
    assert_int_equal(ts_pixel(&c, (int)FIELD_RIGHT(1000) + 4, 55), 0xFFFFFFFFu);
    assert_true(count_if(&c, (int)FIELD_LEFT + 28, 42, 500, 70, is_dark) > 30);
    ts_canvas_free(&c);
}

static void test_chrome_long_url_clipped(void **state)
{
    reelay_fonts *fonts = *state;
    reelay_web_state s = two_tabs();
    s.url = LONG_URL;
    const int w = 700;
    ts_canvas c = chrome(fonts, &s, w);
    int right = (int)FIELD_RIGHT(w);
    /* Text reaches the field's end (ellipsized) ... */
    assert_true(count_if(&c, right - 80, 42, right - 14, 70, is_dark) > 5);
    /* ... but stays inside its padding: the last 12 units are the field's grey
     * and nothing dark lands outside the field. */
    uint32_t field = ts_pixel(&c, right - 8, 55);
    assert_true(rect_is(&c, right - 12, 48, right - 4, 63, field));
    assert_int_equal(count_if(&c, right + 1, 37, w - 26, 75, is_dark), 0);
    assert_int_equal(count_if(&c, 98, 37, (int)FIELD_LEFT - 1, 75, is_dark), 0); /* right of the reload icon */
    ts_canvas_free(&c);
}

static void test_chrome_missing_strings(void **state)
{
    reelay_fonts *fonts = *state;
    /* Nothing known: one "New tab" and "about:blank". */
    reelay_web_state empty = {0};
    ts_canvas c = chrome(fonts, &empty, 800);
    assert_true(count_if(&c, 30, 12, 240, 34, is_dark) > 10);
    assert_true(count_if(&c, (int)FIELD_LEFT + 28, 42, 300, 70, is_dark) > 10);
    ts_canvas_free(&c);

    /* A tab without a title shows its URL's host. */
    reelay_web_state by_host = two_tabs();
    by_host.tabs[0].title = NULL;
    by_host.tabs[0].url = "https://user@example.com:8080/pricing?x=1";
    reelay_web_state by_title = two_tabs();
    by_title.tabs[0].title = "example.com:8080";
    ts_canvas a = chrome(fonts, &by_host, 1000), b = chrome(fonts, &by_title, 1000);
    assert_true(same_region(&a, &b, 0, 0, 248, 36));
    ts_canvas_free(&a);
    ts_canvas_free(&b);

    /* NULL title and URL everywhere, and a tab count past the array. */
    reelay_web_state nulls = two_tabs();
    nulls.url = nulls.title = NULL;
    nulls.tabs[0].title = nulls.tabs[0].url = NULL;
    nulls.tabs[1].title = nulls.tabs[1].url = NULL;
    c = chrome(fonts, &nulls, 600);
    assert_true(count_if(&c, (int)FIELD_LEFT + 28, 42, 300, 70, is_dark) > 10);
    ts_canvas_free(&c);
    reelay_paint_web_chrome(NULL, fonts, &nulls, 600);
    c = ts_canvas_new(100, 100);
    reelay_paint_web_chrome(c.cr, fonts, NULL, 100);
    reelay_paint_web_chrome(c.cr, fonts, &nulls, NAN);
    reelay_paint_web_chrome(c.cr, fonts, &nulls, -5);
    assert_true(ts_blank_rect(&c, 0, 0, 100, 100));
    ts_canvas_free(&c);
}

static void test_chrome_tab_widths(void **state)
{
    reelay_fonts *fonts = *state;
    reelay_web_state s = two_tabs();
    s.tab_count = REELAY_WEB_MAX_TABS;
    for (size_t i = 0; i < REELAY_WEB_MAX_TABS; i++)
        s.tabs[i] = (reelay_web_tab){.window = (uint32_t)i, .title = "A tab with a rather long title",
                                     .active = i == 2};
    /* 8 tabs in 400 units: each at the 60-unit minimum, the third raised. */
    ts_canvas c = chrome(fonts, &s, 400);
    assert_int_equal(ts_pixel(&c, 8 + 2 * 60 + 30, 11), 0xFFFFFFFFu);
    assert_true(luma(ts_pixel(&c, 8 + 60 + 30, 11)) < 240);
    ts_canvas_free(&c);
    /* Painted inside its box only, however many tabs. */
    c = ts_canvas_new(440, 116);
    cairo_translate(c.cr, 20, 20);
    reelay_paint_web_chrome(c.cr, fonts, &s, 400);
    assert_true(ts_blank_rect(&c, 0, 0, 440, 20));
    assert_true(ts_blank_rect(&c, 0, 96, 440, 116));
    assert_true(ts_blank_rect(&c, 0, 0, 20, 116));
    assert_true(ts_blank_rect(&c, 420, 0, 440, 116));
    assert_false(ts_blank_rect(&c, 20, 20, 420, 96));
    ts_canvas_free(&c);
}

/* ------------------------------------------------------------------------ */
/* Page                                                                     */
/* ------------------------------------------------------------------------ */

static ts_canvas page(const reelay_web_state *s, double scroll, bool has_scroll, int vw, int vh)
{
    reelay_pointer_state p = {.active = true, .has_scroll = has_scroll, .scroll_y = scroll};
    ts_canvas c = ts_canvas_new(vw, vh);
    reelay_paint_web_page(c.cr, s, &p, vw, vh);
    return c;
}

static void test_page_moves_with_scroll(void **state)
{
    (void)state;
    reelay_web_state s = two_tabs();
    const int vw = 400, vh = 300, dy = 100;
    ts_canvas a = page(&s, 0, true, vw, vh), b = page(&s, dy, true, vw, vh);
    /* Opaque, and faint: nothing darker than the outline's grey. */
    assert_int_equal(alpha(ts_pixel(&a, 0, 0)), 0xFF);
    assert_int_equal(count_if(&a, 0, 0, vw, vh, is_dark), 0);
    for (int y = 0; y < vh; y++)
        for (int x = 0; x < vw; x++) assert_true(luma(ts_pixel(&a, x, y)) > 200);
    /* Scrolled by 100: row y shows what row y + 100 showed (the document's
     * top edge and first bands have gone up and out). */
    assert_false(same_pixels(&a, &b));
    for (int y = 0; y < vh - dy; y++)
        for (int x = 0; x < vw; x++)
            if (ts_pixel(&b, x, y) != ts_pixel(&a, x, y + dy)) fail_msg("(%d, %d) did not scroll", x, y);
    ts_canvas_free(&b);
    /* Without has_scroll (or a pointer) the offset is 0. */
    b = page(&s, dy, false, vw, vh);
    assert_true(same_pixels(&a, &b));
    ts_canvas_free(&b);
    b = ts_canvas_new(vw, vh);
    reelay_paint_web_page(b.cr, &s, NULL, vw, vh);
    assert_true(same_pixels(&a, &b));
    ts_canvas_free(&b);
    ts_canvas_free(&a);
}

static void test_page_bottom_edge(void **state)
{
    (void)state;
    reelay_web_state s = two_tabs();
    s.page_height = 500;
    const int vw = 400, vh = 300;
    /* Scrolled to 300: the document ends at 200. */
    ts_canvas c = page(&s, 300, true, vw, vh);
    uint32_t surround = ts_pixel(&c, vw / 2, vh - 2);
    uint32_t edge = ts_pixel(&c, vw / 2, 199);
    assert_true(luma(edge) < luma(surround) - 8);
    assert_true(rect_is(&c, 0, 201, vw, vh, surround));
    assert_int_equal(ts_pixel(&c, vw / 2, 190), 0xFFFFFFFFu); /* the document's white */
    ts_canvas_free(&c);
    /* Unknown height: the document runs past the bottom. */
    s.page_height = 0;
    c = page(&s, 300, true, vw, vh);
    assert_int_equal(ts_pixel(&c, vw / 2, vh - 2) != surround, true);
    ts_canvas_free(&c);
}

/* ------------------------------------------------------------------------ */
/* Annotations                                                              */
/* ------------------------------------------------------------------------ */

static void test_click_label_near_point(void **state)
{
    reelay_fonts *fonts = *state;
    reelay_web_state s = {.click_count = 1};
    s.clicks[0] = click_at(200, 150, "button \"Checkout\"");
    ts_canvas c = annotations(fonts, &s, 800, 600);
    /* The pill starts down-right of the point, clear of the cursor. */
    assert_true(count_if(&c, 212, 174, 360, 200, is_opaque_dark) > 200);
    assert_true(ts_blank_rect(&c, 0, 0, 800, 140));
    assert_true(ts_blank_rect(&c, 0, 0, 190, 600));
    assert_true(ts_blank_rect(&c, 0, 220, 800, 600));
    /* The dot on the point itself. */
    assert_true(alpha(ts_pixel(&c, 200, 150)) > 0xC0);
    ts_canvas_free(&c);
    /* A NULL label still says "click". */
    s.clicks[0].label = NULL;
    c = annotations(fonts, &s, 800, 600);
    assert_true(count_if(&c, 212, 174, 260, 200, is_opaque_dark) > 50);
    ts_canvas_free(&c);
}

static void test_click_label_clamped(void **state)
{
    reelay_fonts *fonts = *state;
    const int vw = 800, vh = 600;
    reelay_web_state s = {.click_count = 1};
    s.clicks[0] = click_at(795, 596, "a \"A fairly long link text that needs room\"");
    ts_canvas c = ts_canvas_new(vw + 60, vh + 60);
    reelay_paint_web_annotations(c.cr, fonts, &s, vw, vh);
    /* Flipped up and left of the point, inside the viewport. */
    assert_true(ts_blank_rect(&c, vw, 0, vw + 60, vh + 60));
    assert_true(ts_blank_rect(&c, 0, vh, vw + 60, vh + 60));
    assert_true(count_if(&c, 500, 540, 790, 590, is_opaque_dark) > 300);
    ts_canvas_free(&c);

    /* At the top-left corner it stays in, too. */
    s.clicks[0] = click_at(2, 2, "x");
    c = ts_canvas_new(vw, vh);
    cairo_translate(c.cr, 30, 30);
    reelay_paint_web_annotations(c.cr, fonts, &s, vw - 60, vh - 60);
    assert_true(ts_blank_rect(&c, 0, 0, vw, 30));
    assert_true(ts_blank_rect(&c, 0, 0, 30, vh));
    assert_false(ts_blank_rect(&c, 30, 30, 120, 80));
    ts_canvas_free(&c);

    /* A label wider than the viewport is cut to it. */
    s.clicks[0] = click_at(50, 50, "button \"This label is very long indeed and goes on and on and on forever\"");
    c = ts_canvas_new(400, 300);
    reelay_paint_web_annotations(c.cr, fonts, &s, 300, 200);
    assert_true(ts_blank_rect(&c, 300, 0, 400, 300));
    assert_false(ts_blank_rect(&c, 250, 60, 300, 110));
    ts_canvas_free(&c);
}

static void test_click_kinds(void **state)
{
    reelay_fonts *fonts = *state;
    reelay_web_state a = {.click_count = 1}, b = {.click_count = 1};
    a.clicks[0] = b.clicks[0] = click_at(100, 100, "button \"Save\"");
    b.clicks[0].kind = REELAY_WEB_DBL_CLICK;
    ts_canvas ca = annotations(fonts, &a, 600, 400), cb = annotations(fonts, &b, 600, 400);
    assert_false(same_pixels(&ca, &cb));
    ts_canvas_free(&cb);
    b.clicks[0].kind = REELAY_WEB_RIGHT_CLICK;
    cb = annotations(fonts, &b, 600, 400);
    assert_false(same_pixels(&ca, &cb));
    /* Without x/y there is nothing to point at. */
    ts_canvas_free(&cb);
    b.clicks[0].has_xy = false;
    cb = annotations(fonts, &b, 600, 400);
    assert_true(ts_blank_rect(&cb, 0, 0, 600, 400));
    ts_canvas_free(&cb);
    ts_canvas_free(&ca);
}

static void test_rage_click(void **state)
{
    reelay_fonts *fonts = *state;
    reelay_web_state s = {.click_count = 3};
    for (int i = 0; i < 3; i++) {
        s.clicks[i] = click_at(300 + i, 200, "button \"Pay now\"");
        s.clicks[i].rage = true;
        s.clicks[i].rage_count = i + 1;
        s.clicks[i].age_ms = 300 - 100 * i;
    }
    ts_canvas c = annotations(fonts, &s, 800, 600);
    /* The ring, ~30 units around the newest click, and the red pill. */
    int ring = 0;
    for (int r = 24; r <= 38; r++) ring += is_red(ts_pixel(&c, 302 + r, 200)) || is_red(ts_pixel(&c, 302 - r, 200));
    assert_true(ring >= 2);
    assert_true(count_if(&c, 320, 230, 500, 270, is_red) > 300);
    /* Only the newest of the burst has a pill: nothing from the older ones'
     * places that the newest's does not cover. */
    reelay_web_state last = s;
    last.clicks[0] = s.clicks[2];
    last.click_count = 1;
    ts_canvas d = annotations(fonts, &last, 800, 600);
    assert_true(same_pixels(&c, &d));
    ts_canvas_free(&d);
    /* The pulse: a different age, a different ring. */
    last.clicks[0].age_ms += REELAY_WEB_RAGE_PULSE_MS / 4;
    d = annotations(fonts, &last, 800, 600);
    assert_false(same_region(&c, &d, 250, 150, 350, 250));
    ts_canvas_free(&d);
    ts_canvas_free(&c);
}

static reelay_web_state focused(const char *text, double typed_age)
{
    return (reelay_web_state){
        .focus = {.active = true,
                  .label = "input#email",
                  .text = text,
                  .takes_text = true,
                  .age_ms = 2000,
                  .typed_age_ms = typed_age},
    };
}

static void test_focus_card(void **state)
{
    reelay_fonts *fonts = *state;
    const int vw = 800, vh = 600;
    reelay_web_state s = focused(BULLETS, INFINITY);
    s.focus.active = false;
    ts_canvas c = annotations(fonts, &s, vw, vh);
    assert_true(ts_blank_rect(&c, 0, 0, vw, vh));
    ts_canvas_free(&c);
    s.focus.active = true;
    c = annotations(fonts, &s, vw, vh);
    /* Bottom-left, 16 units in: a dark card with a white input box. */
    assert_false(ts_blank_rect(&c, 16, vh - 100, 200, vh - 16));
    assert_true(ts_blank_rect(&c, 0, 0, vw, vh / 2));
    assert_true(ts_blank_rect(&c, vw / 2, 0, vw, vh));
    assert_true(count_if(&c, 16, vh - 100, 316, vh - 16, is_opaque_dark) > 500);
    assert_int_equal(ts_pixel(&c, 250, vh - 40), 0xFFFFFFFFu);
    ts_canvas_free(&c);
}

static void test_focus_text(void **state)
{
    reelay_fonts *fonts = *state;
    const int vw = 800, vh = 600;
    reelay_web_state empty = focused("", INFINITY), bullets = focused(BULLETS, INFINITY);
    ts_canvas a = annotations(fonts, &empty, vw, vh), b = annotations(fonts, &bullets, vw, vh);
    ts_canvas a2 = annotations(fonts, &empty, vw, vh);
    assert_true(same_pixels(&a, &a2));
    /* The box (its left part) differs: dark bullets on white. */
    assert_false(same_region(&a, &b, 30, vh - 60, 120, vh - 30));
    assert_true(count_if(&b, 30, vh - 60, 120, vh - 30, is_dark) > count_if(&a, 30, vh - 60, 120, vh - 30, is_dark));
    ts_canvas_free(&a2);
    /* The caret shows for REELAY_WEB_TYPING_MS after a keystroke only. */
    reelay_web_state typing = focused(BULLETS, 100), later = focused(BULLETS, REELAY_WEB_TYPING_MS);
    ts_canvas t = annotations(fonts, &typing, vw, vh), l = annotations(fonts, &later, vw, vh);
    assert_false(same_pixels(&t, &b));
    assert_true(same_pixels(&l, &b));
    ts_canvas_free(&t);
    ts_canvas_free(&l);
    /* A long value shows its end and stays in the box. */
    reelay_web_state long_value = focused("a very long recorded value that goes on well past the box end", INFINITY);
    t = annotations(fonts, &long_value, vw, vh);
    assert_true(ts_blank_rect(&t, 320, 0, vw, vh));
    ts_canvas_free(&t);
    ts_canvas_free(&a);
    ts_canvas_free(&b);
}

/* Elements that take no text (a button, a checkbox, a video) get the card's
 * head alone: no white field under it, and a checkbox's state beside its
 * name. */
static void test_focus_card_without_field(void **state)
{
    reelay_fonts *fonts = *state;
    const int vw = 800, vh = 600;
    reelay_web_state field = focused("", INFINITY);
    reelay_web_state button = field;
    button.focus.label = "button \"Play\"";
    button.focus.takes_text = false;
    ts_canvas f = annotations(fonts, &field, vw, vh), b = annotations(fonts, &button, vw, vh);
    /* the field's white box is there for an input, nowhere for the button */
    assert_int_equal(ts_pixel(&f, 250, vh - 40), 0xFFFFFFFFu);
    assert_true(count_if(&f, 200, vh - 100, 300, vh - 16, is_white) > 1000);
    assert_int_equal(count_if(&b, 200, vh - 100, 300, vh - 16, is_white), 0);
    /* a shorter card, still bottom-left */
    assert_true(count_if(&b, 16, vh - 70, 316, vh - 16, is_opaque_dark) > 500);
    assert_true(ts_blank_rect(&b, 0, 0, vw, vh - 90));
    assert_true(ts_blank_rect(&b, vw / 2, 0, vw, vh));
    /* the video element alike: a name, never a field */
    reelay_web_state video = button;
    video.focus.label = "video";
    ts_canvas v = annotations(fonts, &video, vw, vh);
    assert_int_equal(count_if(&v, 200, vh - 100, 300, vh - 16, is_white), 0);
    /* a checkbox's state is written after its name */
    reelay_web_state box = button;
    box.focus.label = "input#agree";
    box.focus.text = "checked";
    reelay_web_state bare = box;
    bare.focus.text = "";
    ts_canvas c = annotations(fonts, &box, vw, vh), n = annotations(fonts, &bare, vw, vh);
    assert_false(same_pixels(&c, &n));
    assert_int_equal(count_if(&c, 200, vh - 100, 300, vh - 16, is_white), 0);
    ts_canvas_free(&c);
    ts_canvas_free(&n);
    ts_canvas_free(&v);
    ts_canvas_free(&f);
    ts_canvas_free(&b);
}

static void test_submit(void **state)
{
    reelay_fonts *fonts = *state;
    reelay_web_state s = {.submit_recent = true, .submit_age_ms = 200, .submit_label = "form#checkout"};
    ts_canvas c = annotations(fonts, &s, 800, 600);
    /* Green, at the top centre. */
    assert_true(count_if(&c, 300, 16, 500, 44, is_green) > 500);
    assert_true(ts_blank_rect(&c, 0, 80, 800, 600));
    assert_true(ts_blank_rect(&c, 0, 0, 200, 600));
    assert_true(ts_blank_rect(&c, 600, 0, 800, 600));
    ts_canvas_free(&c);
    s.submit_recent = false;
    c = annotations(fonts, &s, 800, 600);
    assert_true(ts_blank_rect(&c, 0, 0, 800, 600));
    ts_canvas_free(&c);
}

static reelay_web_state with_toasts(size_t n)
{
    static const char *const texts[] = {"Error: Cannot read properties of undefined (reading 'id')",
                                        "POST /api/checkout \xE2\x86\x92 500", "Warning: slow network"};
    static const reelay_web_toast_kind kinds[] = {REELAY_WEB_TOAST_ERROR, REELAY_WEB_TOAST_NETWORK,
                                                  REELAY_WEB_TOAST_WARNING};
    reelay_web_state s = {.toast_count = n};
    for (size_t i = 0; i < n && i < REELAY_WEB_MAX_TOASTS; i++)
        s.toasts[i] = (reelay_web_toast){.kind = kinds[i], .text = texts[i], .age_ms = 1000};
    return s;
}

static void test_toasts(void **state)
{
    reelay_fonts *fonts = *state;
    const int vw = 1000, vh = 600;
    reelay_web_state s = with_toasts(3);
    ts_canvas c = annotations(fonts, &s, vw, vh);
    /* Bottom-right, within 60% of the width. */
    assert_true(ts_blank_rect(&c, 0, 0, vw, vh / 2));
    assert_true(ts_blank_rect(&c, 0, 0, vw - 600, vh));
    assert_true(ts_blank_rect(&c, vw - 16, 0, vw, vh));
    assert_true(ts_blank_rect(&c, 0, vh - 12, vw, vh)); /* the shadow reaches 4 below */
    /* Newest at the bottom: the warning (amber: strong green channel), then
     * the network failure and the error above it (red: weak green). Probed
     * at the right padding, where there is no text. */
    int x = vw - 16 - 6;
    int rows[3] = {0, 0, 0}, found = 0;
    for (int y = vh - 17; y > vh / 2 && found < 3; y--) {
        uint32_t p = ts_pixel(&c, x, y);
        if (alpha(p) == 0xFF && (found == 0 || ts_pixel(&c, x, y + 1) != p) && red(p) > 0xB0) {
            if (found == 0 || y < rows[found - 1] - 20) rows[found++] = y;
        }
    }
    assert_int_equal(found, 3);
    uint32_t warning = ts_pixel(&c, x, rows[0] - 10), network = ts_pixel(&c, x, rows[1] - 10),
             error = ts_pixel(&c, x, rows[2] - 10);
    assert_true(green(warning) > 0x60 && red(warning) > 0xC0);
    assert_true(green(network) < 0x40 && red(network) > 0xC0);
    assert_true(green(error) < 0x40 && red(error) > 0xC0);
    ts_canvas_free(&c);

    /* A count past the array paints the first REELAY_WEB_MAX_TOASTS. */
    reelay_web_state more = with_toasts(3);
    more.toast_count = 7;
    ts_canvas d = annotations(fonts, &more, vw, vh);
    c = annotations(fonts, &s, vw, vh);
    assert_true(same_pixels(&c, &d));
    ts_canvas_free(&d);
    ts_canvas_free(&c);
}

static void test_toast_slide_and_fade(void **state)
{
    reelay_fonts *fonts = *state;
    const int vw = 800, vh = 400;
    reelay_web_state s = with_toasts(1);
    ts_canvas full = annotations(fonts, &s, vw, vh);
    /* Halfway in: fainter and further right. */
    s.toasts[0].age_ms = REELAY_WEB_TOAST_IN_MS / 2;
    ts_canvas in = annotations(fonts, &s, vw, vh);
    uint32_t p_full = ts_pixel(&full, vw - 22, vh - 30), p_in = ts_pixel(&in, vw - 22, vh - 30);
    assert_true(alpha(p_in) < alpha(p_full));
    int left_full = vw, left_in = vw;
    for (int x = 0; x < vw; x++) {
        if (left_full == vw && alpha(ts_pixel(&full, x, vh - 30)) > 0x40) left_full = x;
        if (left_in == vw && alpha(ts_pixel(&in, x, vh - 30)) > 0x40) left_in = x;
    }
    assert_true(left_in > left_full);
    ts_canvas_free(&in);
    /* Fading out over the last 300 ms. */
    s.toasts[0].age_ms = REELAY_WEB_TOAST_MS - REELAY_WEB_FADE_OUT_MS / 2;
    ts_canvas out = annotations(fonts, &s, vw, vh);
    int a = alpha(ts_pixel(&out, vw - 22, vh - 30));
    assert_true(a > 0x30 && a < 0xA0);
    ts_canvas_free(&out);
    ts_canvas_free(&full);
}

static void test_lifetimes_end(void **state)
{
    reelay_fonts *fonts = *state;
    reelay_web_state s = with_toasts(3);
    for (size_t i = 0; i < 3; i++) s.toasts[i].age_ms = REELAY_WEB_TOAST_MS;
    s.click_count = 2;
    s.clicks[0] = click_at(100, 100, "a");
    s.clicks[0].age_ms = REELAY_WEB_CLICK_LABEL_MS;
    s.clicks[1] = click_at(300, 100, "b");
    s.clicks[1].age_ms = REELAY_WEB_CLICK_LABEL_MS + 50;
    s.clicks[1].rage = true;
    s.clicks[1].rage_count = 4;
    s.submit_recent = true;
    s.submit_age_ms = REELAY_WEB_SUBMIT_MS;
    ts_canvas c = annotations(fonts, &s, 800, 600);
    assert_true(ts_blank_rect(&c, 0, 0, 800, 600));
    ts_canvas_free(&c);
    /* Non-finite or negative ages paint nothing either. */
    s.clicks[0].age_ms = NAN;
    s.clicks[1].age_ms = -1;
    s.submit_age_ms = INFINITY;
    s.toasts[0].age_ms = NAN;
    s.clicks[0].x = INFINITY;
    c = annotations(fonts, &s, 800, 600);
    assert_true(ts_blank_rect(&c, 0, 0, 800, 600));
    ts_canvas_free(&c);
    /* Just before the end: still there, faint. */
    s.clicks[0] = click_at(100, 100, "a");
    s.clicks[0].age_ms = REELAY_WEB_CLICK_LABEL_MS - REELAY_WEB_FADE_OUT_MS / 2;
    s.click_count = 1;
    c = annotations(fonts, &s, 800, 600);
    int a = alpha(ts_pixel(&c, 130, 135));
    assert_true(a > 0x30 && a < 0xA0);
    ts_canvas_free(&c);
}

/* ------------------------------------------------------------------------ */
/* Everything together                                                      */
/* ------------------------------------------------------------------------ */

static reelay_web_state full_state(void)
{
    reelay_web_state s = two_tabs();
    s.has_viewport = true;
    s.viewport_width = 1280;
    s.viewport_height = 800;
    s.page_height = 2400;
    s.click_count = 4;
    s.clicks[0] = click_at(360, 300, "a \"Pricing\"");
    s.clicks[0].age_ms = 900;
    for (int i = 1; i < 4; i++) {
        s.clicks[i] = click_at(820 + 3 * i, 560 - 2 * i, "button \"Pay now\"");
        s.clicks[i].rage = true;
        s.clicks[i].rage_count = 2 + i;
        s.clicks[i].age_ms = 400 - 120 * i;
    }
    s.clicks[1].rage = false;
    s.focus = (reelay_web_focus){.active = true, .label = "input#card-number", .text =
                                     "\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2"
                                     "\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2",
                                 .takes_text = true, .age_ms = 3000, .typed_age_ms = 120};
    s.toast_count = 2;
    s.toasts[0] = (reelay_web_toast){.kind = REELAY_WEB_TOAST_WARNING,
                                     .text = "Warning: Each child in a list should have a unique \"key\" prop.",
                                     .age_ms = 2500};
    s.toasts[1] = (reelay_web_toast){.kind = REELAY_WEB_TOAST_NETWORK, .text = "POST /api/payments \xE2\x86\x92 502",
                                     .age_ms = 800};
    s.submit_recent = true;
    s.submit_age_ms = 500;
    s.submit_label = "form#payment";
    return s;
}

/* The whole view at scale: chrome, page, pointer, annotations. */
static ts_canvas full_view(reelay_fonts *fonts, const reelay_web_state *s, double scale)
{
    double vw = s->viewport_width, vh = s->viewport_height;
    ts_canvas c = ts_canvas_new((int)(vw * scale), (int)((REELAY_WEB_CHROME_HEIGHT + vh) * scale));
    cairo_scale(c.cr, scale, scale);
    reelay_paint_web_chrome(c.cr, fonts, s, vw);
    reelay_pointer_state p = {.active = true, .has_position = true, .cursor_visible = true, .x = 826, .y = 553,
                              .has_scroll = true, .scroll_y = 240, .scroll_alpha = 1, .has_viewport = true,
                              .viewport_width = vw, .viewport_height = vh};
    p.ripple_count = 1;
    p.ripples[0] = (reelay_pointer_ripple){.x = 826, .y = 553, .age_ms = 160};
    cairo_save(c.cr);
    cairo_translate(c.cr, 0, REELAY_WEB_CHROME_HEIGHT);
    reelay_paint_web_page(c.cr, s, &p, vw, vh);
    reelay_paint_pointer(c.cr, fonts, &p, s->page_height);
    reelay_paint_web_annotations(c.cr, fonts, s, vw, vh);
    cairo_restore(c.cr);
    return c;
}

static void test_deterministic_and_contained(void **state)
{
    reelay_fonts *fonts = *state;
    reelay_web_state s = full_state();
    ts_canvas a = full_view(fonts, &s, 0.5), b = full_view(fonts, &s, 0.5);
    assert_true(same_pixels(&a, &b));
    ts_canvas_free(&a);
    ts_canvas_free(&b);

    /* Page and annotations stay in (0, 0, vw, vh), offset into a larger canvas. */
    const int vw = 500, vh = 360, m = 30;
    s.clicks[0] = click_at(498, 358, "button \"Edge\"");
    s.clicks[1] = click_at(1, 1, NULL);
    ts_canvas c = ts_canvas_new(vw + 2 * m, vh + 2 * m);
    cairo_translate(c.cr, m, m);
    reelay_pointer_state p = {.has_scroll = true, .scroll_y = -50};
    reelay_paint_web_page(c.cr, &s, &p, vw, vh);
    reelay_paint_web_annotations(c.cr, fonts, &s, vw, vh);
    assert_true(ts_blank_rect(&c, 0, 0, vw + 2 * m, m));
    assert_true(ts_blank_rect(&c, 0, vh + m, vw + 2 * m, vh + 2 * m));
    assert_true(ts_blank_rect(&c, 0, 0, m, vh + 2 * m));
    assert_true(ts_blank_rect(&c, vw + m, 0, vw + 2 * m, vh + 2 * m));
    /* The cairo_t is left as found: the translation still holds. */
    double x = 0, y = 0;
    cairo_user_to_device(c.cr, &x, &y);
    assert_true(x == m && y == m);
    ts_canvas_free(&c);
    /* Without fonts the shapes still show. */
    c = ts_canvas_new(vw, vh);
    reelay_paint_web_chrome(c.cr, NULL, &s, vw);
    assert_false(ts_blank_rect(&c, 0, 0, vw, 76));
    ts_canvas_free(&c);
    c = ts_canvas_new(vw, vh);
    reelay_paint_web_annotations(c.cr, NULL, &s, vw, vh);
    assert_false(ts_blank_rect(&c, 0, 0, vw, vh));
    ts_canvas_free(&c);
    /* Degenerate sizes paint nothing. */
    c = ts_canvas_new(50, 50);
    reelay_paint_web_page(c.cr, &s, NULL, 0, 50);
    reelay_paint_web_page(c.cr, &s, NULL, 50, NAN);
    reelay_paint_web_annotations(c.cr, fonts, &s, -1, 50);
    reelay_paint_web_annotations(c.cr, fonts, NULL, 50, 50);
    assert_true(ts_blank_rect(&c, 0, 0, 50, 50));
    ts_canvas_free(&c);
}

static void test_sizes_scale_with_viewport(void **state)
{
    reelay_fonts *fonts = *state;
    /* The same click on a 1920-wide viewport gets a pill twice as tall as on
     * a 960-wide one (and no smaller than that below 960). */
    reelay_web_state s = {.click_count = 1};
    s.clicks[0] = click_at(100, 100, "button \"Go\"");
    int heights[3];
    const int widths[3] = {480, 960, 1920};
    for (int i = 0; i < 3; i++) {
        ts_canvas c = annotations(fonts, &s, widths[i], 600);
        int top = -1, bottom = -1;
        for (int y = 115; y < 600; y++) {
            bool on = is_opaque_dark(ts_pixel(&c, 140, y));
            if (on && top < 0) top = y;
            if (on) bottom = y;
        }
        heights[i] = bottom - top + 1;
        ts_canvas_free(&c);
    }
    assert_int_equal(heights[0], heights[1]);
    assert_true(abs(heights[2] - 2 * heights[1]) <= 2);
}

/* REELAY_TEST_DUMP=dir: the full view at 1:1 and a 1440-wide one at 720 px. */
static void test_dump_sample(void **state)
{
    const char *dir = getenv("REELAY_TEST_DUMP");
    if (!dir) skip();
    reelay_fonts *fonts = *state;
    reelay_web_state s = full_state();
    char path[512];
    ts_canvas c = full_view(fonts, &s, 1);
    snprintf(path, sizeof path, "%s/web-view-demo.png", dir);
    assert_int_equal(cairo_surface_write_to_png(c.surface, path), CAIRO_STATUS_SUCCESS);
    ts_canvas_free(&c);
    s.viewport_width = 1440;
    s.viewport_height = 900;
    c = full_view(fonts, &s, 0.5);
    snprintf(path, sizeof path, "%s/web-view-demo-720.png", dir);
    assert_int_equal(cairo_surface_write_to_png(c.surface, path), CAIRO_STATUS_SUCCESS);
    ts_canvas_free(&c);
    /* A phone-sized viewport. */
    s = full_state();
    s.viewport_width = 390;
    s.viewport_height = 760;
    s.clicks[0].x = 120;
    for (int i = 1; i < 4; i++) s.clicks[i].x = 330 + i;
    c = full_view(fonts, &s, 1);
    snprintf(path, sizeof path, "%s/web-view-phone.png", dir);
    assert_int_equal(cairo_surface_write_to_png(c.surface, path), CAIRO_STATUS_SUCCESS);
    ts_canvas_free(&c);
    /* The chrome and an annotation corner, magnified, for the details. */
    c = ts_canvas_new(1400, 2 * (int)REELAY_WEB_CHROME_HEIGHT + 400);
    cairo_scale(c.cr, 2, 2);
    reelay_paint_web_chrome(c.cr, fonts, &s, 700);
    cairo_translate(c.cr, 0, REELAY_WEB_CHROME_HEIGHT);
    s.clicks[0].x = 120;
    s.clicks[0].y = 40;
    reelay_paint_web_page(c.cr, &s, NULL, 700, 200);
    reelay_paint_web_annotations(c.cr, fonts, &s, 700, 200);
    snprintf(path, sizeof path, "%s/web-view-detail.png", dir);
    assert_int_equal(cairo_surface_write_to_png(c.surface, path), CAIRO_STATUS_SUCCESS);
    ts_canvas_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chrome_tabs_and_url),
        cmocka_unit_test(test_chrome_long_url_clipped),
        cmocka_unit_test(test_chrome_missing_strings),
        cmocka_unit_test(test_chrome_tab_widths),
        cmocka_unit_test(test_page_moves_with_scroll),
        cmocka_unit_test(test_page_bottom_edge),
        cmocka_unit_test(test_click_label_near_point),
        cmocka_unit_test(test_click_label_clamped),
        cmocka_unit_test(test_click_kinds),
        cmocka_unit_test(test_rage_click),
        cmocka_unit_test(test_focus_card),
        cmocka_unit_test(test_focus_text),
        cmocka_unit_test(test_focus_card_without_field),
        cmocka_unit_test(test_submit),
        cmocka_unit_test(test_toasts),
        cmocka_unit_test(test_toast_slide_and_fade),
        cmocka_unit_test(test_lifetimes_end),
        cmocka_unit_test(test_deterministic_and_contained),
        cmocka_unit_test(test_sizes_scale_with_viewport),
        cmocka_unit_test(test_dump_sample),
    };
    return cmocka_run_group_tests(tests, ts_fonts_setup, ts_fonts_teardown);
}
