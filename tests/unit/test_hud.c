/* Unit tests for renderers/overlay/hud (the HUD strip and the skip card):
 * strip height and time formats, then pixel probes on ARGB32 surfaces at
 * several widths — the strip's extent, the progress fill's end, marker
 * colours and their per-cell coalescing (against a reference computed here),
 * the texts' placement and clipping, and the card's dimming and extent.
 * REELAY_TEST_DUMP=dir writes a sample frame (screen + card + HUD) there. */
#define _POSIX_C_SOURCE 200809L
#include "test_support.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "renderers/overlay/hud.h"
#include "session/timeline.h"

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */
/* ------------------------------------------------------------------------ */

#define MARGIN 16
#define SENTINEL 0xFFFF00FFu /* opaque magenta, painted around the strip */
#define LONG_SCREEN                                                                                          \
    "https://app.example.com/projects/12345/insights/very-long-path-segment/another-segment/"              \
    "and-yet-another-one?query=string&with=many&parameters=that&never=end#and-a-fragment-too"

static const int WIDTHS[] = {360, 822, 1920};
#define WIDTH_COUNT (sizeof WIDTHS / sizeof WIDTHS[0])

static reelay_hud_state base_state(void)
{
    return (reelay_hud_state){
        .elapsed_ms = 133000,
        .total_ms = 600000,
        .wall_clock_ms = NAN,
        .speed = 1,
    };
}

static cairo_surface_t *sentinel_surface(int w, int h)
{
    return ts_filled_surface(w, h, SENTINEL);
}

static uint32_t pixel(cairo_surface_t *s, int x, int y)
{
    return ts_surface_pixel(s, x, y);
}

static int red(uint32_t p) { return (int)(p >> 16 & 0xFF); }
static int green(uint32_t p) { return (int)(p >> 8 & 0xFF); }
static int blue(uint32_t p) { return (int)(p & 0xFF); }
static int luma(uint32_t p) { return (red(p) * 299 + green(p) * 587 + blue(p) * 114) / 1000; }

/* A strip of width w at (MARGIN, MARGIN) on a sentinel surface, its height
 * from reelay_hud_height. */
static cairo_surface_t *paint_strip(reelay_fonts *fonts, int w, const reelay_hud_state *st)
{
    int h = reelay_hud_height(w);
    cairo_surface_t *s = sentinel_surface(w + 2 * MARGIN, h + 2 * MARGIN);
    cairo_t *cr = cairo_create(s);
    reelay_paint_hud(cr, fonts, MARGIN, MARGIN, w, h, st);
    assert_int_equal(cairo_status(cr), CAIRO_STATUS_SUCCESS);
    cairo_destroy(cr);
    cairo_surface_flush(s);
    return s;
}

/* Pixel (x, y) of the strip (strip coordinates). */
static uint32_t at(cairo_surface_t *s, int x, int y)
{
    return pixel(s, MARGIN + x, MARGIN + y);
}

static uint32_t background(cairo_surface_t *s)
{
    return at(s, 0, 0); /* the top-left corner is above the markers */
}

/* The first and last strip rows where the middle column of a strip with one
 * error marker in the middle differs from an empty strip: the markers' ends,
 * above and below the bar, where only markers paint. */
static void marker_rows(reelay_fonts *fonts, int w, int *top, int *bottom)
{
    reelay_hud_state st = base_state();
    reelay_hud_marker m = {.position = 0.5, .kind = REELAY_HUD_ERROR};
    cairo_surface_t *empty = paint_strip(fonts, w, &st);
    st.markers = &m;
    st.marker_count = 1;
    cairo_surface_t *marked = paint_strip(fonts, w, &st);
    *top = *bottom = -1;
    for (int y = 0; y < reelay_hud_height(w); y++)
        if (at(empty, w / 2, y) != at(marked, w / 2, y)) {
            if (*top < 0) *top = y;
            *bottom = y;
        }
    assert_true(*top > 0 && *bottom > *top);
    /* Only background there without the marker. */
    assert_int_equal(at(empty, w / 2, *top), background(empty));
    assert_int_equal(at(empty, w / 2, *bottom), background(empty));
    cairo_surface_destroy(empty);
    cairo_surface_destroy(marked);
}

static int marker_row(reelay_fonts *fonts, int w)
{
    int top, bottom;
    marker_rows(fonts, w, &top, &bottom);
    return top;
}

/* First strip row where column 0 stops being background: the bar's top. */
static int bar_row(cairo_surface_t *s)
{
    uint32_t bg = background(s);
    for (int y = 0; y < cairo_image_surface_get_height(s) - 2 * MARGIN; y++)
        if (at(s, 0, y) != bg) return y;
    fail_msg("no bar");
    return -1;
}

/* Number of pixels in the strip's columns [x0, x1) and rows [y0, y1) that
 * differ from the background. */
static int count_ink(cairo_surface_t *s, int x0, int x1, int y0, int y1)
{
    uint32_t bg = background(s);
    int n = 0;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) n += at(s, x, y) != bg;
    return n;
}

/* The text row: everything below the markers (a quarter of the height). */
static int text_top(int w)
{
    return reelay_hud_height(w) * 3 / 10;
}

/* Leftmost/rightmost strip column holding ink in the text row, in [x0, x1). */
static void ink_extent(cairo_surface_t *s, int w, int x0, int x1, int *left, int *right)
{
    *left = -1;
    *right = -1;
    int h = reelay_hud_height(w);
    for (int x = x0; x < x1; x++)
        if (count_ink(s, x, x + 1, text_top(w), h) > 0) {
            if (*left < 0) *left = x;
            *right = x;
        }
}

static bool same_columns(cairo_surface_t *a, cairo_surface_t *b, int x0, int x1, int h)
{
    for (int y = 0; y < h; y++)
        for (int x = x0; x < x1; x++)
            if (at(a, x, y) != at(b, x, y)) return false;
    return true;
}

/* ------------------------------------------------------------------------ */
/* Sizes and formats                                                        */
/* ------------------------------------------------------------------------ */

static void test_height(void **state)
{
    (void)state;
    assert_int_equal(reelay_hud_height(720), 64);
    assert_int_equal(reelay_hud_height(1440), 128);
    assert_int_equal(reelay_hud_height(1920), 170);
    assert_int_equal(reelay_hud_height(360), 40);
    assert_int_equal(reelay_hud_height(0), 40);
    assert_int_equal(reelay_hud_height(-5), 40);
    int last = 0;
    for (int w = 1; w <= 8192; w++) {
        int h = reelay_hud_height(w);
        if (h % 2 != 0 || h < 40 || h < last) fail_msg("height %d at width %d (previous %d)", h, w, last);
        last = h;
    }
    assert_true(reelay_hud_height(1 << 30) > 0); /* no overflow */
}

static void test_marker_cell(void **state)
{
    (void)state;
    assert_int_equal(reelay_hud_marker_cell(360), 2);
    assert_int_equal(reelay_hud_marker_cell(1920), 2);
    assert_int_equal(reelay_hud_marker_cell(3840), 6);
    assert_int_equal(reelay_hud_marker_cell(0), 2);
    assert_int_equal(reelay_hud_marker_cell(NAN), 2);
}

static void test_format_time(void **state)
{
    (void)state;
    static const struct {
        double ms;
        bool long_form;
        const char *want;
    } cases[] = {
        {0, false, "00:00"},         {999, false, "00:00"},        {133000, false, "02:13"},
        {133999, false, "02:13"},    {600000, false, "10:00"},     {3599999, false, "59:59"},
        {3600000, false, "1:00:00"}, {36000000, false, "10:00:00"}, {133000, true, "0:02:13"},
        {-5000, false, "00:00"},     {NAN, false, "00:00"},        {INFINITY, false, "00:00"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[32];
        reelay_format_clock(cases[i].ms, cases[i].long_form, buf, sizeof buf);
        if (strcmp(buf, cases[i].want) != 0) fail_msg("%.0f ms: got %s, want %s", cases[i].ms, buf, cases[i].want);
    }
    char small[4];
    reelay_format_clock(133000, false, small, sizeof small);
    assert_string_equal(small, "02:"); /* truncated, terminated */
    reelay_format_clock(1e300, false, small, sizeof small);
}

/* Noto Sans's default figures are tabular: without that the clock would
 * shake as the seconds tick (text.h offers no font features to ask for tnum). */
static void test_digits_tabular(void **state)
{
    reelay_fonts *fonts = *state;
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 8, 8);
    cairo_t *cr = cairo_create(s);
    reelay_text_style style = {.family = "sans-serif", .size = 19};
    double w0, h0;
    reelay_text_measure(cr, fonts, "00:00 / 10:00", 0, &style, &w0, &h0);
    static const char *const clocks[] = {"11:11 / 10:00", "47:58 / 10:00", "23:69 / 10:00"};
    for (size_t i = 0; i < sizeof clocks / sizeof clocks[0]; i++) {
        double w, h;
        reelay_text_measure(cr, fonts, clocks[i], 0, &style, &w, &h);
        if (fabs(w - w0) > 0.01) fail_msg("%s is %.3f wide, 00:00 is %.3f", clocks[i], w, w0);
    }
    cairo_destroy(cr);
    cairo_surface_destroy(s);
}

/* ------------------------------------------------------------------------ */
/* The strip                                                                */
/* ------------------------------------------------------------------------ */

/* Everything at once (markers at both ends, full progress, long texts, a
 * speed, the UTC clock): every pixel of the rectangle is painted opaque, its
 * top and bottom rows are the background, and nothing outside changed. */
static void test_strip_extent(void **state)
{
    reelay_fonts *fonts = *state;
    reelay_hud_marker markers[] = {{0, REELAY_HUD_ERROR}, {0.5, REELAY_HUD_TAP}, {1, REELAY_HUD_ERROR}};
    reelay_hud_range cut = {0.9, 1.0};
    for (size_t i = 0; i < WIDTH_COUNT; i++) {
        int w = WIDTHS[i], h = reelay_hud_height(w);
        reelay_hud_state st = base_state();
        st.total_ms = 5 * 3600000.0;
        st.elapsed_ms = 4 * 3600000.0;
        st.wall_clock_ms = 1714572207000.0;
        st.screen = LONG_SCREEN;
        st.progress = 1;
        st.speed = 16;
        st.markers = markers;
        st.marker_count = 3;
        st.cut_ranges = &cut;
        st.cut_count = 1;
        cairo_surface_t *s = paint_strip(fonts, w, &st);
        uint32_t bg = background(s);
        assert_int_equal(bg, 0xFF111827u);
        for (int y = 0; y < h + 2 * MARGIN; y++)
            for (int x = 0; x < w + 2 * MARGIN; x++) {
                bool inside = x >= MARGIN && x < MARGIN + w && y >= MARGIN && y < MARGIN + h;
                uint32_t p = pixel(s, x, y);
                if (!inside && p != SENTINEL) fail_msg("width %d: painted outside at (%d,%d): %08x", w, x, y, p);
                if (inside && (p == SENTINEL || p >> 24 != 0xFF))
                    fail_msg("width %d: not painted at (%d,%d): %08x", w, x, y, p);
            }
        for (int x = 0; x < w; x++) {
            if (at(s, x, 0) != bg) fail_msg("width %d: top row at %d", w, x);
            if (at(s, x, h - 1) != bg) fail_msg("width %d: bottom row at %d", w, x);
        }
        cairo_surface_destroy(s);
    }
}

/* The fill covers columns before progress·w and the track those after. */
static void test_progress_fill(void **state)
{
    reelay_fonts *fonts = *state;
    static const double progresses[] = {0.37, 0.5, 0.913, 0.0021};
    for (size_t i = 0; i < WIDTH_COUNT; i++) {
        int w = WIDTHS[i];
        reelay_hud_state st = base_state();
        st.progress = 0;
        cairo_surface_t *empty = paint_strip(fonts, w, &st);
        st.progress = 1;
        cairo_surface_t *full = paint_strip(fonts, w, &st);
        int row = bar_row(empty);
        assert_int_equal(bar_row(full), row);
        uint32_t track = at(empty, 0, row), fill = at(full, 0, row);
        assert_int_not_equal(track, fill);
        for (int x = 0; x < w; x++) {
            assert_int_equal(at(empty, x, row), track);
            assert_int_equal(at(full, x, row), fill);
        }
        for (size_t j = 0; j < sizeof progresses / sizeof progresses[0]; j++) {
            st.progress = progresses[j];
            cairo_surface_t *s = paint_strip(fonts, w, &st);
            double end = progresses[j] * w;
            for (int x = 0; x < w; x++) {
                uint32_t p = at(s, x, row);
                if (x + 1 <= floor(end) && p != fill) fail_msg("width %d, %.4f: column %d not filled", w, end, x);
                if (x >= ceil(end) && p != track) fail_msg("width %d, %.4f: column %d filled", w, end, x);
            }
            cairo_surface_destroy(s);
        }
        /* Out of range and NaN clamp rather than overflow. */
        st.progress = 7;
        cairo_surface_t *over = paint_strip(fonts, w, &st);
        assert_true(same_columns(over, full, 0, w, reelay_hud_height(w)));
        st.progress = NAN;
        cairo_surface_t *nan = paint_strip(fonts, w, &st);
        assert_true(same_columns(nan, empty, 0, w, reelay_hud_height(w)));
        cairo_surface_destroy(over);
        cairo_surface_destroy(nan);
        cairo_surface_destroy(empty);
        cairo_surface_destroy(full);
    }
}

typedef enum hue { HUE_NONE, HUE_GREY, HUE_BLUE, HUE_ORANGE, HUE_RED } hue;

static hue hue_of(uint32_t p)
{
    int r = red(p), g = green(p), b = blue(p);
    if (abs(r - g) < 24 && abs(g - b) < 24) return r > 170 ? HUE_GREY : HUE_NONE;
    if (r > 200 && g < 100 && b < 100) return HUE_RED;
    if (r > 200 && g >= 100 && g < 190 && b < 90) return HUE_ORANGE;
    if (b > 200 && b > r + 60) return HUE_BLUE;
    return HUE_NONE;
}

static const hue KIND_HUE[] = {HUE_GREY, HUE_BLUE, HUE_ORANGE, HUE_RED};

/* One marker of each kind at 0.5 shows its colour in the middle column (and
 * nothing a quarter of the way along); two kinds in one place show the worse. */
static void test_marker_colours(void **state)
{
    reelay_fonts *fonts = *state;
    for (size_t i = 0; i < WIDTH_COUNT; i++) {
        int w = WIDTHS[i], row = marker_row(fonts, w);
        for (int kind = REELAY_HUD_TAP; kind <= REELAY_HUD_ERROR; kind++) {
            reelay_hud_marker m = {.position = 0.5, .kind = (reelay_hud_marker_kind)kind};
            reelay_hud_state st = base_state();
            st.markers = &m;
            st.marker_count = 1;
            cairo_surface_t *s = paint_strip(fonts, w, &st);
            /* Taps stay within the bar; the other kinds stick out. */
            hue got = hue_of(at(s, w / 2, row));
            hue want = kind == REELAY_HUD_TAP ? HUE_NONE : KIND_HUE[kind];
            if (got != want) fail_msg("width %d kind %d: %08x", w, kind, at(s, w / 2, row));
            assert_int_equal(hue_of(at(s, w / 4, row)), HUE_NONE);
            /* Every marker spans the bar, on top of it. */
            int bar = bar_row(s);
            assert_int_equal(hue_of(at(s, w / 2, bar + 1)), KIND_HUE[kind]);
            cairo_surface_destroy(s);
        }
        /* Errors on top whichever comes first. */
        reelay_hud_marker pairs[2][2] = {{{0.5, REELAY_HUD_ERROR}, {0.5, REELAY_HUD_TAP}},
                                         {{0.5, REELAY_HUD_TAP}, {0.5, REELAY_HUD_ERROR}}};
        for (int p = 0; p < 2; p++) {
            reelay_hud_state st = base_state();
            st.markers = pairs[p];
            st.marker_count = 2;
            cairo_surface_t *s = paint_strip(fonts, w, &st);
            assert_int_equal(hue_of(at(s, w / 2, row)), HUE_RED);
            cairo_surface_destroy(s);
        }
    }
}

static uint32_t lcg(uint64_t *seed)
{
    *seed = *seed * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(*seed >> 33);
}

static int compare_markers(const void *a, const void *b)
{
    const reelay_hud_marker *ma = a, *mb = b;
    return (ma->position > mb->position) - (ma->position < mb->position);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Checks every cell of a row against the worst kind the reference puts
 * there (HUE_NONE for cells without markers), taps left out when the row is
 * outside the bar. */
static void check_cells(cairo_surface_t *s, int w, int row, const reelay_hud_marker *m, size_t n, bool taps)
{
    int cell = reelay_hud_marker_cell(w);
    int cells = (w + cell - 1) / cell;
    int *worst = malloc((size_t)cells * sizeof *worst);
    assert_non_null(worst);
    for (int c = 0; c < cells; c++) worst[c] = -1;
    for (size_t i = 0; i < n; i++) {
        if (!taps && m[i].kind == REELAY_HUD_TAP) continue;
        double p = m[i].position < 0 ? 0 : m[i].position > 1 ? 1 : m[i].position;
        int c = (int)floor(p * w / cell);
        if (c >= cells) c = cells - 1;
        if ((int)m[i].kind > worst[c]) worst[c] = (int)m[i].kind;
    }
    int used = 0;
    for (int x = 0; x < w; x++) {
        int c = x / cell;
        hue want = worst[c] < 0 ? HUE_NONE : KIND_HUE[worst[c]];
        hue got = hue_of(at(s, x, row));
        if (got != want) fail_msg("width %d column %d (cell %d): hue %d, want %d (%08x)", w, x, c, got, want,
                                  at(s, x, row));
        used += worst[c] >= 0;
    }
    assert_true(used > 0 && used < w); /* the case is not degenerate */
    free(worst);
}

/* 100,000 markers, mostly taps with a few rarer kinds, bunched into parts of
 * the bar so some cells stay empty: each column shows its cell's worst kind.
 * Unsorted, the same markers paint the same pixels. */
static void test_marker_coalescing(void **state)
{
    reelay_fonts *fonts = *state;
    enum { COUNT = 100000 };
    reelay_hud_marker *m = malloc(COUNT * sizeof *m);
    assert_non_null(m);
    uint64_t seed = 42;
    for (size_t i = 0; i < COUNT; i++) {
        uint32_t r = lcg(&seed) % 6000;
        reelay_hud_marker_kind kind = r < 3 ? REELAY_HUD_ERROR : r < 13 ? REELAY_HUD_NETWORK_FAIL
                                      : r < 53 ? REELAY_HUD_SCREEN : REELAY_HUD_TAP;
        /* Three bunches: [0, 0.2), [0.45, 0.55) and [0.8, 1.0]. */
        double u = (lcg(&seed) % 1000000) / 1000000.0;
        double pos = u < 0.4 ? u / 2 : u < 0.6 ? 0.45 + (u - 0.4) / 2 : 0.8 + (u - 0.6) / 2;
        m[i] = (reelay_hud_marker){.position = pos, .kind = kind};
    }
    /* Exactly at the ends, and a lone error between bunches. */
    m[0] = (reelay_hud_marker){.position = 1.0, .kind = REELAY_HUD_SCREEN};
    m[1] = (reelay_hud_marker){.position = 0.0, .kind = REELAY_HUD_NETWORK_FAIL};
    m[2] = (reelay_hud_marker){.position = 0.3, .kind = REELAY_HUD_ERROR};
    m[3] = (reelay_hud_marker){.position = 0.35, .kind = REELAY_HUD_TAP};
    reelay_hud_marker *sorted = malloc(COUNT * sizeof *sorted);
    assert_non_null(sorted);
    memcpy(sorted, m, COUNT * sizeof *m);
    qsort(sorted, COUNT, sizeof *sorted, compare_markers);

    for (size_t i = 0; i < WIDTH_COUNT; i++) {
        int w = WIDTHS[i], row, below;
        marker_rows(fonts, w, &row, &below);
        reelay_hud_state st = base_state();
        st.markers = sorted;
        st.marker_count = COUNT;
        double t0 = now_s();
        cairo_surface_t *s = paint_strip(fonts, w, &st);
        double took = now_s() - t0;
        print_message("width %d: %d markers painted in %.1f ms\n", w, COUNT, took * 1000);
        check_cells(s, w, row, sorted, COUNT, false);
        check_cells(s, w, below, sorted, COUNT, false);
        reelay_hud_state bare = base_state();
        cairo_surface_t *empty = paint_strip(fonts, w, &bare);
        check_cells(s, w, bar_row(empty) + 1, sorted, COUNT, true); /* on the track */
        cairo_surface_destroy(empty);
        st.markers = m;
        cairo_surface_t *unsorted = paint_strip(fonts, w, &st);
        assert_true(same_columns(s, unsorted, 0, w, reelay_hud_height(w)));
        cairo_surface_destroy(unsorted);
        cairo_surface_destroy(s);
    }
    free(sorted);
    free(m);
}

/* Out-of-range kinds and NaN positions are ignored; positions beyond the
 * ends land in the end cells. */
static void test_marker_bad_input(void **state)
{
    reelay_fonts *fonts = *state;
    int w = 822, row = marker_row(fonts, w);
    reelay_hud_marker m[] = {{NAN, REELAY_HUD_ERROR}, {0.5, (reelay_hud_marker_kind)99}, {-3, REELAY_HUD_ERROR},
                             {INFINITY, REELAY_HUD_ERROR}, {4, REELAY_HUD_SCREEN}};
    reelay_hud_state st = base_state();
    st.markers = m;
    st.marker_count = sizeof m / sizeof m[0];
    cairo_surface_t *s = paint_strip(fonts, w, &st);
    assert_int_equal(hue_of(at(s, 0, row)), HUE_RED);
    assert_int_equal(hue_of(at(s, w - 1, row)), HUE_BLUE);
    for (int x = 2; x < w - 2; x++) assert_int_equal(hue_of(at(s, x, row)), HUE_NONE);
    cairo_surface_destroy(s);
}

static void test_cut_ranges(void **state)
{
    reelay_fonts *fonts = *state;
    int w = 822;
    reelay_hud_state st = base_state();
    st.progress = 0.5;
    cairo_surface_t *plain = paint_strip(fonts, w, &st);
    reelay_hud_range cuts[] = {{0.2, 0.3}, {0.7, 0.7}};
    st.cut_ranges = cuts;
    st.cut_count = 2;
    cairo_surface_t *cut = paint_strip(fonts, w, &st);
    int row = bar_row(plain) + 1;
    assert_int_not_equal(at(cut, (int)(0.25 * w), row), at(plain, (int)(0.25 * w), row));
    assert_int_not_equal(at(cut, (int)(0.7 * w), row), at(plain, (int)(0.7 * w), row)); /* empty: 1 px */
    assert_int_equal(at(cut, (int)(0.5 * w), row), at(plain, (int)(0.5 * w), row));
    assert_int_equal(at(cut, (int)(0.9 * w), row), at(plain, (int)(0.9 * w), row));
    assert_true(luma(at(cut, (int)(0.25 * w), row)) > luma(at(plain, (int)(0.25 * w), row)));
    cairo_surface_destroy(cut);
    cairo_surface_destroy(plain);
}

/* The clock is in the left part of the text row and changes with the time;
 * the UTC time of day is at the right, only when given. */
static void test_clock_text(void **state)
{
    reelay_fonts *fonts = *state;
    for (size_t i = 0; i < WIDTH_COUNT; i++) {
        int w = WIDTHS[i], h = reelay_hud_height(w);
        reelay_hud_state st = base_state();
        cairo_surface_t *a = paint_strip(fonts, w, &st);
        assert_true(count_ink(a, 0, w / 3, text_top(w), h) > 20);
        int light = 0;
        for (int y = text_top(w); y < h; y++)
            for (int x = 0; x < w / 3; x++) light += luma(at(a, x, y)) > 200;
        assert_true(light > 5);
        assert_int_equal(count_ink(a, w / 2, w, text_top(w), h), 0); /* nothing else shown */
        st.elapsed_ms = 455000;
        cairo_surface_t *b = paint_strip(fonts, w, &st);
        assert_false(same_columns(a, b, 0, w / 3, h));
        st.wall_clock_ms = 1714572207000.0; /* 2024-05-01 14:03:27 UTC */
        cairo_surface_t *c = paint_strip(fonts, w, &st);
        assert_true(count_ink(c, w * 2 / 3, w, text_top(w), h) > 20);
        assert_true(same_columns(b, c, 0, w / 3, h));
        cairo_surface_destroy(a);
        cairo_surface_destroy(b);
        cairo_surface_destroy(c);
    }
}

/* A long screen name is ellipsized between the clock and the UTC clock: the
 * columns of both are exactly as without it, and it stops short of the
 * strip's right edge. A short one fits and leaves the UTC clock in place. */
static void test_screen_clipped(void **state)
{
    reelay_fonts *fonts = *state;
    for (size_t i = 0; i < WIDTH_COUNT; i++) {
        int w = WIDTHS[i], h = reelay_hud_height(w);
        reelay_hud_state st = base_state();
        cairo_surface_t *clock_only = paint_strip(fonts, w, &st);
        int clock_left, clock_right;
        ink_extent(clock_only, w, 0, w, &clock_left, &clock_right);
        assert_true(clock_left >= 0 && clock_right < w / 2);

        st.screen = LONG_SCREEN;
        cairo_surface_t *long_name = paint_strip(fonts, w, &st);
        assert_true(same_columns(long_name, clock_only, 0, clock_right + 2, h));
        int left, right;
        ink_extent(long_name, w, clock_right + 2, w, &left, &right);
        assert_true(left > clock_right + 2 && right > w / 2); /* it is there, and long */
        assert_true(right < w - 4 && right >= w - 4 - w / 20);

        st.wall_clock_ms = 1714572207000.0;
        st.screen = NULL;
        cairo_surface_t *utc = paint_strip(fonts, w, &st);
        int utc_left, utc_right;
        ink_extent(utc, w, w / 2, w, &utc_left, &utc_right);
        st.screen = LONG_SCREEN;
        cairo_surface_t *both = paint_strip(fonts, w, &st);
        if (utc_left > 0 && count_ink(both, utc_left, w, text_top(w), h) ==
                                count_ink(utc, utc_left, w, text_top(w), h)) {
            /* The UTC clock stayed: it is untouched, and so is the clock. */
            assert_true(same_columns(both, utc, utc_left - 2, w, h));
            assert_true(same_columns(both, utc, 0, clock_right + 2, h));
        } else {
            /* Gave way to the name: the name then looks as without it. */
            assert_int_equal(w, 360);
            assert_true(same_columns(both, long_name, 0, w, h));
        }
        st.screen = "Home";
        cairo_surface_t *short_name = paint_strip(fonts, w, &st);
        assert_true(same_columns(short_name, utc, utc_left - 2, w, h)); /* fits beside the UTC clock */
        assert_false(same_columns(short_name, utc, 0, w, h));
        cairo_surface_destroy(short_name);
        cairo_surface_destroy(both);
        cairo_surface_destroy(utc);
        cairo_surface_destroy(long_name);
        cairo_surface_destroy(clock_only);
    }
}

/* Long sessions switch both times to h:mm:ss; the clock's box (where the
 * screen name starts) does not move from second to second. */
static void test_clock_stable(void **state)
{
    reelay_fonts *fonts = *state;
    int w = 822, left0 = -1;
    static const double elapsed[] = {0, 11000, 599000, 488000};
    for (size_t i = 0; i < sizeof elapsed / sizeof elapsed[0]; i++) {
        reelay_hud_state st = base_state();
        st.elapsed_ms = elapsed[i];
        st.screen = "Settings";
        cairo_surface_t *s = paint_strip(fonts, w, &st);
        int clock_left, clock_right, left, right;
        ink_extent(s, w, 0, w, &clock_left, &clock_right);
        reelay_hud_state bare = st;
        bare.screen = NULL;
        cairo_surface_t *b = paint_strip(fonts, w, &bare);
        ink_extent(b, w, 0, w, &clock_left, &clock_right);
        ink_extent(s, w, clock_right + 2, w, &left, &right);
        if (left0 < 0) left0 = left;
        assert_int_equal(left, left0);
        cairo_surface_destroy(b);
        cairo_surface_destroy(s);
    }
    /* Over an hour the clock grows (two "0:" more) and the name moves right. */
    reelay_hud_state st = base_state();
    st.total_ms = 2 * 3600000.0;
    st.screen = "Settings";
    cairo_surface_t *s = paint_strip(fonts, w, &st);
    int l, r;
    ink_extent(s, w, 0, w, &l, &r);
    assert_true(r > left0);
    cairo_surface_destroy(s);
}

static void test_speed_pill(void **state)
{
    reelay_fonts *fonts = *state;
    int w = 822, h = reelay_hud_height(w);
    reelay_hud_state st = base_state();
    st.screen = "Checkout";
    cairo_surface_t *normal = paint_strip(fonts, w, &st);
    static const double no_pill[] = {0, -2, NAN, INFINITY};
    for (size_t i = 0; i < sizeof no_pill / sizeof no_pill[0]; i++) {
        st.speed = no_pill[i];
        cairo_surface_t *s = paint_strip(fonts, w, &st);
        assert_true(same_columns(s, normal, 0, w, h));
        cairo_surface_destroy(s);
    }
    st.speed = 2;
    cairo_surface_t *fast = paint_strip(fonts, w, &st);
    assert_false(same_columns(fast, normal, 0, w, h));
    int clock_left, clock_right;
    reelay_hud_state bare = base_state();
    cairo_surface_t *b = paint_strip(fonts, w, &bare);
    ink_extent(b, w, 0, w, &clock_left, &clock_right);
    assert_true(same_columns(fast, normal, 0, clock_right + 2, h)); /* the clock stays */
    /* The screen name moved right to make room for the pill. */
    int l_fast, r_fast, l_norm, r_norm;
    ink_extent(fast, w, clock_right + 2, w, &l_fast, &r_fast);
    ink_extent(normal, w, clock_right + 2, w, &l_norm, &r_norm);
    assert_true(r_fast > r_norm);
    cairo_surface_destroy(b);
    cairo_surface_destroy(fast);
    cairo_surface_destroy(normal);
}

/* The same state paints the same pixels; the cairo_t is left as found; bad
 * arguments paint nothing. */
static void test_state_and_determinism(void **state)
{
    reelay_fonts *fonts = *state;
    int w = 822, h = reelay_hud_height(w);
    reelay_hud_marker m[] = {{0.1, REELAY_HUD_TAP}, {0.4, REELAY_HUD_ERROR}};
    reelay_hud_state st = base_state();
    st.screen = "Home";
    st.wall_clock_ms = 0;
    st.markers = m;
    st.marker_count = 2;
    st.progress = 0.3;
    cairo_surface_t *a = paint_strip(fonts, w, &st);
    cairo_surface_t *b = paint_strip(fonts, w, &st);
    assert_true(same_columns(a, b, -MARGIN, w + MARGIN, h));

    cairo_surface_t *s = sentinel_surface(64, 64);
    cairo_t *cr = cairo_create(s);
    cairo_set_source_rgb(cr, 0.25, 0.5, 0.75);
    cairo_set_line_width(cr, 7);
    reelay_paint_hud(cr, fonts, 0, 0, 64, 40, &st);
    reelay_paint_skip_card(cr, fonts, 0, 0, 64, 64, "skipped 1s", 0.5);
    double r, g, bl;
    assert_int_equal(cairo_pattern_get_rgba(cairo_get_source(cr), &r, &g, &bl, NULL), CAIRO_STATUS_SUCCESS);
    assert_true(r == 0.25 && g == 0.5 && bl == 0.75);
    assert_true(cairo_get_line_width(cr) == 7);
    cairo_destroy(cr);
    cairo_surface_destroy(s);

    cairo_surface_t *untouched = sentinel_surface(32, 32);
    cr = cairo_create(untouched);
    reelay_paint_hud(cr, fonts, 0, 0, 32, 32, NULL);
    reelay_paint_hud(cr, NULL, 0, 0, 32, 32, &st);
    reelay_paint_hud(cr, fonts, 0, 0, 0, 32, &st);
    reelay_paint_hud(cr, fonts, 0, 0, NAN, 32, &st);
    reelay_paint_skip_card(cr, fonts, 0, 0, 32, -1, "x", 0);
    reelay_paint_skip_card(cr, NULL, 0, 0, 32, 32, "x", 0);
    reelay_paint_hud(NULL, fonts, 0, 0, 32, 32, &st);
    reelay_paint_skip_card(NULL, fonts, 0, 0, 32, 32, "x", 0);
    cairo_destroy(cr);
    cairo_surface_flush(untouched);
    for (int y = 0; y < 32; y++)
        for (int x = 0; x < 32; x++) assert_int_equal(pixel(untouched, x, y), SENTINEL);
    cairo_surface_destroy(untouched);
    cairo_surface_destroy(a);
    cairo_surface_destroy(b);
}

/* ------------------------------------------------------------------------ */
/* The skip card                                                            */
/* ------------------------------------------------------------------------ */

#define SCREEN_GREY 0xFF8899AAu

static cairo_surface_t *paint_card(reelay_fonts *fonts, int w, int h, const char *text, double progress)
{
    cairo_surface_t *s = sentinel_surface(w + 2 * MARGIN, h + 2 * MARGIN);
    cairo_t *cr = cairo_create(s);
    cairo_rectangle(cr, MARGIN, MARGIN, w, h);
    cairo_set_source_rgb(cr, 0x88 / 255.0, 0x99 / 255.0, 0xAA / 255.0);
    cairo_fill(cr);
    reelay_paint_skip_card(cr, fonts, MARGIN, MARGIN, w, h, text, progress);
    assert_int_equal(cairo_status(cr), CAIRO_STATUS_SUCCESS);
    cairo_destroy(cr);
    cairo_surface_flush(s);
    return s;
}

static void test_skip_card(void **state)
{
    reelay_fonts *fonts = *state;
    static const int sizes[][2] = {{360, 640}, {822, 1460}, {1920, 1016}, {120, 90}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        int w = sizes[i][0], h = sizes[i][1];
        cairo_surface_t *s = paint_card(fonts, w, h, "skipped 4m 12s", 0.5);
        /* Outside untouched; inside darker than the screen was. */
        for (int y = 0; y < h + 2 * MARGIN; y++)
            for (int x = 0; x < w + 2 * MARGIN; x++) {
                bool inside = x >= MARGIN && x < MARGIN + w && y >= MARGIN && y < MARGIN + h;
                uint32_t p = pixel(s, x, y);
                if (!inside && p != SENTINEL) fail_msg("%dx%d: painted outside at (%d,%d)", w, h, x, y);
            }
        uint32_t corner = at(s, 1, 1);
        assert_true(luma(corner) < luma(SCREEN_GREY) / 2 + 10);
        assert_true(luma(corner) > 0);
        assert_int_equal(at(s, w - 1, h - 1), corner);
        /* Light text in the middle band, in a card darker than the dimmed screen. */
        int light = 0, card = 0;
        for (int y = h * 2 / 5; y < h * 3 / 5; y++)
            for (int x = w / 4; x < w * 3 / 4; x++) {
                light += luma(at(s, x, y)) > 200;
                card += luma(at(s, x, y)) < luma(corner) - 10;
            }
        if (light < 20 || card < 20) fail_msg("%dx%d: %d light, %d card pixels", w, h, light, card);
        /* The progress indicator moves; the rest stays. */
        cairo_surface_t *done = paint_card(fonts, w, h, "skipped 4m 12s", 1);
        assert_false(same_columns(s, done, 0, w, h));
        assert_true(same_columns(s, done, 0, w / 8, h));
        cairo_surface_destroy(done);
        cairo_surface_destroy(s);
    }
}

/* A long text is ellipsized inside the rectangle: the card leaves a dimmed
 * margin on both sides; no text still draws the icon card. */
static void test_skip_card_long_and_empty(void **state)
{
    reelay_fonts *fonts = *state;
    int w = 360, h = 640;
    cairo_surface_t *s = paint_card(fonts, w, h, "skipped " LONG_SCREEN, 0.25);
    uint32_t dim = at(s, 0, 0);
    for (int x = 0; x < 6; x++) {
        assert_int_equal(at(s, x, h / 2), dim);
        assert_int_equal(at(s, w - 1 - x, h / 2), dim);
    }
    cairo_surface_destroy(s);
    static const char *const empties[] = {"", NULL};
    for (size_t i = 0; i < 2; i++) {
        cairo_surface_t *e = paint_card(fonts, w, h, empties[i], 0.25);
        int light = 0;
        for (int y = h / 3; y < h * 2 / 3; y++)
            for (int x = w / 3; x < w * 2 / 3; x++) light += luma(at(e, x, y)) > 200;
        assert_true(light > 10); /* the icon */
        cairo_surface_destroy(e);
    }
}

/* ------------------------------------------------------------------------ */
/* Sample                                                                   */
/* ------------------------------------------------------------------------ */

/* REELAY_TEST_DUMP=dir: a 720-wide frame (a stand-in screen with the card
 * over it, the strip below) and a 1920-wide strip, for looking at. */
static void test_dump_sample(void **state)
{
    const char *dir = getenv("REELAY_TEST_DUMP");
    if (!dir) skip();
    reelay_fonts *fonts = *state;
    enum { COUNT = 400 };
    reelay_hud_marker m[COUNT];
    uint64_t seed = 7;
    for (size_t i = 0; i < COUNT; i++) {
        uint32_t r = lcg(&seed) % 100;
        m[i] = (reelay_hud_marker){
            .position = (lcg(&seed) % 10000) / 10000.0,
            .kind = r < 2 ? REELAY_HUD_ERROR : r < 5 ? REELAY_HUD_NETWORK_FAIL : r < 12 ? REELAY_HUD_SCREEN
                                                                                   : REELAY_HUD_TAP,
        };
    }
    qsort(m, COUNT, sizeof m[0], compare_markers);
    reelay_hud_range cut = {0.62, 0.64};
    reelay_hud_state st = {
        .elapsed_ms = 133000,
        .total_ms = 600000,
        .wall_clock_ms = 1714572207000.0,
        .screen = "https://app.example.com/checkout/payment?step=2&coupon=SPRING",
        .progress = 0.41,
        .markers = m,
        .marker_count = COUNT,
        .speed = 2,
        .cut_ranges = &cut,
        .cut_count = 1,
    };
    int w = 720, screen_h = 1280, hud_h = reelay_hud_height(w);
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, screen_h + hud_h);
    cairo_t *cr = cairo_create(s);
    cairo_set_source_rgb(cr, 0.96, 0.96, 0.97);
    cairo_paint(cr);
    for (int i = 0; i < 8; i++) {
        cairo_rectangle(cr, 40, 120 + i * 140, w - 80, 100);
        cairo_set_source_rgb(cr, 0.3 + 0.08 * i, 0.5, 0.8 - 0.05 * i);
        cairo_fill(cr);
    }
    reelay_paint_skip_card(cr, fonts, 0, 0, w, screen_h, "skipped 4m 12s", 0.6);
    reelay_paint_hud(cr, fonts, 0, screen_h, w, hud_h, &st);
    cairo_destroy(cr);
    char path[512];
    snprintf(path, sizeof path, "%s/hud-frame-720.png", dir);
    assert_int_equal(cairo_surface_write_to_png(s, path), CAIRO_STATUS_SUCCESS);
    cairo_surface_destroy(s);

    st.total_ms = 2 * 3600000.0 + 5000;
    st.elapsed_ms = 3725000;
    st.speed = 1;
    cairo_surface_t *wide = paint_strip(fonts, 1920, &st);
    snprintf(path, sizeof path, "%s/hud-strip-1920.png", dir);
    assert_int_equal(cairo_surface_write_to_png(wide, path), CAIRO_STATUS_SUCCESS);
    cairo_surface_destroy(wide);
    st.screen = "MainActivity";
    st.wall_clock_ms = NAN;
    cairo_surface_t *narrow = paint_strip(fonts, 360, &st);
    snprintf(path, sizeof path, "%s/hud-strip-360.png", dir);
    assert_int_equal(cairo_surface_write_to_png(narrow, path), CAIRO_STATUS_SUCCESS);
    cairo_surface_destroy(narrow);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_height),
        cmocka_unit_test(test_marker_cell),
        cmocka_unit_test(test_format_time),
        cmocka_unit_test(test_digits_tabular),
        cmocka_unit_test(test_strip_extent),
        cmocka_unit_test(test_progress_fill),
        cmocka_unit_test(test_marker_colours),
        cmocka_unit_test(test_marker_coalescing),
        cmocka_unit_test(test_marker_bad_input),
        cmocka_unit_test(test_cut_ranges),
        cmocka_unit_test(test_clock_text),
        cmocka_unit_test(test_screen_clipped),
        cmocka_unit_test(test_clock_stable),
        cmocka_unit_test(test_speed_pill),
        cmocka_unit_test(test_state_and_determinism),
        cmocka_unit_test(test_skip_card),
        cmocka_unit_test(test_skip_card_long_and_empty),
        cmocka_unit_test(test_dump_sample),
    };
    return cmocka_run_group_tests(tests, ts_fonts_setup, ts_fonts_teardown);
}
