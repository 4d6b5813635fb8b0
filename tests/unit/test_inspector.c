/* Unit tests for renderers/overlay/inspector (the event-log side panel):
 * the panel width, the binary search and the tally against brute force, then
 * pixel probes on ARGB32 surfaces — the panel's extent, the rows shown at a
 * time (read back as the sequence of badge colours, top to bottom, and
 * compared with a brute-force filter of the log), colours, clipping of long
 * texts, the highlight's fade, and reelay_inspector_changes against the
 * pixels it promises stay the same.
 * REELAY_TEST_DUMP writes a sample frame (screen + panel + HUD) to
 * $REELAY_TEST_DUMP/inspector-sample.png when it names a directory, else to
 * /tmp/inspector-sample.png. */
#define _POSIX_C_SOURCE 200809L
#include "test_support.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "renderers/overlay/hud.h"
#include "renderers/overlay/inspector.h"

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */
/* ------------------------------------------------------------------------ */

#define MARGIN 16
#define SENTINEL 0xFFFF00FFu /* opaque magenta, painted around the panel */
#define BACKGROUND 0xFF111827u
#define PANEL_W 634
#define PANEL_H 844

/* The badge colours by kind (the HUD's marker colours where it has the kind). */
static const uint32_t BADGE[] = {0x38BDF8, 0xD1D5DB, 0xA78BFA, 0xF97316, 0xEF4444, 0x94A3B8};
#define KINDS 6

static uint32_t lcg(uint64_t *seed)
{
    *seed = *seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(*seed >> 33);
}

static cairo_surface_t *sentinel_surface(int w, int h)
{
    return ts_filled_surface(w, h, SENTINEL);
}

static uint32_t pixel(cairo_surface_t *s, int x, int y)
{
    return ts_surface_pixel(s, x, y);
}

/* Pixel (x, y) of the panel (panel coordinates). */
static uint32_t at(cairo_surface_t *s, int x, int y)
{
    return pixel(s, MARGIN + x, MARGIN + y);
}

/* A w × h panel at (MARGIN, MARGIN) on a sentinel surface. */
static cairo_surface_t *paint_panel(reelay_fonts *fonts, int w, int h, const reelay_log_entry *e, size_t n,
                                    double now_ms)
{
    cairo_surface_t *s = sentinel_surface(w + 2 * MARGIN, h + 2 * MARGIN);
    cairo_t *cr = cairo_create(s);
    reelay_paint_inspector(cr, fonts, MARGIN, MARGIN, w, h, e, n, now_ms);
    assert_int_equal(cairo_status(cr), CAIRO_STATUS_SUCCESS);
    cairo_destroy(cr);
    cairo_surface_flush(s);
    return s;
}

static bool same_pixels(cairo_surface_t *a, cairo_surface_t *b)
{
    int w = cairo_image_surface_get_width(a), h = cairo_image_surface_get_height(a);
    assert_int_equal(w, cairo_image_surface_get_width(b));
    assert_int_equal(h, cairo_image_surface_get_height(b));
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            if (pixel(a, x, y) != pixel(b, x, y)) return false;
    return true;
}

/* Whether rows [y0, y1) of the panel differ between two paintings. */
static bool rows_differ(cairo_surface_t *a, cairo_surface_t *b, int w, int y0, int y1)
{
    for (int y = y0; y < y1; y++)
        for (int x = 0; x < w; x++)
            if (at(a, x, y) != at(b, x, y)) return true;
    return false;
}

static int kind_of_colour(uint32_t p)
{
    for (int k = 0; k < KINDS; k++)
        if (p == (0xFF000000u | BADGE[k])) return k;
    return -1;
}

/* The panel's font size and side padding, as documented. */
static double font_size(int w, int h)
{
    return fmax(11, fmin(h / 48.0, w / 22.0));
}

/* The left edge of the badge column: the leftmost start of a horizontal run
 * of 8 or more pixels of one badge colour (glyphs make no such runs). -1 when
 * no badge is painted. */
static int badge_column(cairo_surface_t *s, int w, int h)
{
    int best = -1;
    for (int y = 0; y < h; y++) {
        int run = 0, run_kind = -1;
        for (int x = 0; x < w && (best < 0 || x - run < best); x++) {
            int k = kind_of_colour(at(s, x, y));
            run = k >= 0 && k == run_kind ? run + 1 : k >= 0;
            run_kind = k;
            if (run == 8 && (best < 0 || x - 7 < best)) best = x - 7;
        }
    }
    return best;
}

/* The badges top to bottom, as kinds, read down a column just inside their
 * left edge (left of every label); returns how many, up to max. Each badge
 * is one run of its colour: rows leave a gap between badges. Optionally the
 * last row of the bottom badge, and each badge's height (in heights). */
static size_t read_badges_sized(cairo_surface_t *s, int w, int h, int *kinds, size_t max, int *bottom_y,
                                int *heights)
{
    int x = badge_column(s, w, h);
    if (bottom_y) *bottom_y = -1;
    if (x < 0) return 0;
    x += 3;
    size_t n = 0;
    int run = 0, run_kind = -1;
    for (int y = 0; y <= h; y++) {
        int k = y < h ? kind_of_colour(at(s, x, y)) : -1;
        if (k == run_kind && k >= 0) {
            run++;
            continue;
        }
        if (run_kind >= 0 && run >= 3) {
            assert_true(n < max);
            if (heights) heights[n] = run;
            kinds[n++] = run_kind;
            if (bottom_y) *bottom_y = y - 1;
        }
        run_kind = k;
        run = k >= 0;
    }
    return n;
}

static size_t read_badges(cairo_surface_t *s, int w, int h, int *kinds, size_t max, int *bottom_y)
{
    return read_badges_sized(s, w, h, kinds, max, bottom_y, NULL);
}

static bool is_red(uint32_t p)
{
    int r = p >> 16 & 0xFF, g = p >> 8 & 0xFF, b = p & 0xFF;
    return r > 180 && g < 110 && b < 110;
}

static bool is_orange(uint32_t p)
{
    int r = p >> 16 & 0xFF, g = p >> 8 & 0xFF, b = p & 0xFF;
    return r > 200 && g > 80 && g < 150 && b < 60;
}

static int count_pixels(cairo_surface_t *s, int x0, int y0, int x1, int y1, bool (*test)(uint32_t))
{
    int n = 0;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) n += test(at(s, x, y));
    return n;
}

static reelay_log_entry entry(double out_ms, reelay_log_kind kind, const char *text)
{
    return (reelay_log_entry){.out_ms = out_ms, .session_ms = out_ms, .kind = kind, .text = text};
}

static const char *const TEXTS[] = {
    "Screen ProductActivity", "Tap at 120, 480", "Keyboard shown", "GET /api/cart \xE2\x86\x92 500",
    "TypeError: x is undefined", "App backgrounded",
};

/* A sorted log of n entries, several sharing an out_ms, kinds at random. */
static reelay_log_entry *random_log(size_t n, uint64_t seed)
{
    reelay_log_entry *log = calloc(n, sizeof *log);
    assert_non_null(log);
    double t = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t r = lcg(&seed);
        if (r % 4) t += 50 + r % 3000;
        reelay_log_kind kind = (reelay_log_kind)(lcg(&seed) % KINDS);
        log[i] = entry(t, kind, TEXTS[kind]);
    }
    reelay_log_tally(log, n);
    return log;
}

/* ------------------------------------------------------------------------ */
/* Sizes, search, tally                                                     */
/* ------------------------------------------------------------------------ */

static void test_width(void **state)
{
    (void)state;
    assert_int_equal(reelay_inspector_width(390, 844), 634);
    assert_int_equal(reelay_inspector_width(1080, 2340), 1756);
    assert_int_equal(reelay_inspector_width(1280, 720), 540);
    assert_int_equal(reelay_inspector_width(360, 400), 320);
    assert_int_equal(reelay_inspector_width(0, 0), 320);
    assert_int_equal(reelay_inspector_width(-5, -5), 320);
    assert_int_equal(reelay_inspector_width(100000, 100000), 4096);
    for (int h = 1; h < 3000; h += 7) {
        int w = reelay_inspector_width(h / 2, h);
        assert_int_equal(w % 2, 0);
        assert_true(w >= 320 && w <= 4096);
        assert_true(w == 320 || fabs(w - 0.75 * h) <= 1);
    }
}

static size_t brute_visible(const reelay_log_entry *log, size_t n, double now)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) k += log[i].out_ms <= now;
    return k;
}

static void test_visible_matches_filter(void **state)
{
    (void)state;
    for (size_t n = 0; n < 40; n++) {
        reelay_log_entry *log = random_log(n ? n : 1, 11 + n);
        size_t count = n; /* n = 0 checks an empty log */
        for (size_t i = 0; i < count; i++) {
            double t = log[i].out_ms;
            assert_int_equal(reelay_log_visible(log, count, t), brute_visible(log, count, t));
            assert_int_equal(reelay_log_visible(log, count, t - 0.001), brute_visible(log, count, t - 0.001));
            assert_int_equal(reelay_log_visible(log, count, t + 0.001), brute_visible(log, count, t + 0.001));
        }
        assert_int_equal(reelay_log_visible(log, count, -1), 0);
        assert_int_equal(reelay_log_visible(log, count, INFINITY), count);
        assert_int_equal(reelay_log_visible(log, count, -INFINITY), 0);
        assert_int_equal(reelay_log_visible(log, count, NAN), 0);
        free(log);
    }
    assert_int_equal(reelay_log_visible(NULL, 5, 100), 0);

    reelay_log_entry *big = random_log(10000, 99);
    uint64_t seed = 5;
    double end = big[9999].out_ms;
    for (int i = 0; i < 2000; i++) {
        double t = (lcg(&seed) % 1000001) / 1000000.0 * (end + 2000) - 1000;
        if (i % 3 == 0) t = big[lcg(&seed) % 10000].out_ms; /* exact ties */
        assert_int_equal(reelay_log_visible(big, 10000, t), brute_visible(big, 10000, t));
    }
    free(big);
}

static void test_tally(void **state)
{
    (void)state;
    reelay_log_entry log[] = {
        entry(0, REELAY_LOG_SCREEN, "a"),       entry(1, REELAY_LOG_ERROR, "b"),
        entry(2, REELAY_LOG_NETWORK_FAIL, "c"), entry(3, REELAY_LOG_ERROR, "d"),
        entry(4, REELAY_LOG_TAP, "e"),          entry(5, (reelay_log_kind)77, "f"),
    };
    log[0].errors_so_far = 9; /* overwritten */
    reelay_log_tally(log, 6);
    const uint32_t errors[] = {0, 1, 1, 2, 2, 2}, failures[] = {0, 0, 1, 1, 1, 1};
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(log[i].errors_so_far, errors[i]);
        assert_int_equal(log[i].failures_so_far, failures[i]);
    }
    reelay_log_tally(NULL, 3); /* no crash */
}

/* ------------------------------------------------------------------------ */
/* Pixels                                                                   */
/* ------------------------------------------------------------------------ */

static const int SIZES[][2] = {{PANEL_W, PANEL_H}, {320, 480}, {810, 1080}, {320, 2000}, {200, 90}};
#define SIZE_COUNT (sizeof SIZES / sizeof SIZES[0])

static void test_extent(void **state)
{
    reelay_fonts *fonts = *state;
    reelay_log_entry *log = random_log(300, 3);
    static char long_text[3000];
    memset(long_text, 'W', sizeof long_text - 1);
    log[299].text = long_text;
    for (size_t i = 0; i < SIZE_COUNT; i++) {
        int w = SIZES[i][0], h = SIZES[i][1];
        cairo_surface_t *s = paint_panel(fonts, w, h, log, 300, log[299].out_ms + 100);
        for (int y = 0; y < h + 2 * MARGIN; y++)
            for (int x = 0; x < w + 2 * MARGIN; x++) {
                bool inside = x >= MARGIN && y >= MARGIN && x < MARGIN + w && y < MARGIN + h;
                if (inside)
                    assert_true(pixel(s, x, y) != SENTINEL && pixel(s, x, y) >> 24 == 0xFF);
                else
                    assert_int_equal(pixel(s, x, y), SENTINEL);
            }
        cairo_surface_destroy(s);
    }
    free(log);
}

/* An empty log, and a log none of whose entries has happened yet, paint the
 * header alone: the list area is bare background. */
static void test_header_only(void **state)
{
    reelay_fonts *fonts = *state;
    reelay_log_entry *log = random_log(50, 4);
    cairo_surface_t *empty = paint_panel(fonts, PANEL_W, PANEL_H, NULL, 0, 5000);
    cairo_surface_t *early = paint_panel(fonts, PANEL_W, PANEL_H, log, 50, log[0].out_ms - 1);
    cairo_surface_t *started = paint_panel(fonts, PANEL_W, PANEL_H, log, 50, log[0].out_ms);
    assert_true(same_pixels(empty, early));
    assert_false(same_pixels(empty, started));
    int header = (int)round(font_size(PANEL_W, PANEL_H) * 2.6);
    int inked = 0;
    for (int y = 0; y < PANEL_H; y++)
        for (int x = 4; x < PANEL_W; x++) { /* past the left edge's rule */
            if (y > header + 4) assert_int_equal(at(empty, x, y), BACKGROUND);
            else inked += at(empty, x, y) != BACKGROUND;
        }
    assert_true(inked > 100); /* "Events" and the pills */
    int kinds[4];
    assert_int_equal(read_badges(empty, PANEL_W, PANEL_H, kinds, 4, NULL), 0);
    assert_int_equal(read_badges(started, PANEL_W, PANEL_H, kinds, 4, NULL), 1);
    assert_int_equal(kinds[0], (int)log[0].kind);
    cairo_surface_destroy(empty);
    cairo_surface_destroy(early);
    cairo_surface_destroy(started);
    free(log);
}

/* An entry is not shown a moment before its time, and is at it. */
static void test_future_hidden(void **state)
{
    reelay_fonts *fonts = *state;
    reelay_log_entry log[] = {entry(1000, REELAY_LOG_SCREEN, "Screen Home"), entry(9000, REELAY_LOG_TAP, "Tap")};
    reelay_log_tally(log, 2);
    cairo_surface_t *a = paint_panel(fonts, PANEL_W, PANEL_H, log, 2, 6000);
    cairo_surface_t *b = paint_panel(fonts, PANEL_W, PANEL_H, log, 2, 8999.999);
    cairo_surface_t *c = paint_panel(fonts, PANEL_W, PANEL_H, log, 2, 9000);
    assert_true(same_pixels(a, b));
    assert_false(same_pixels(b, c));
    int kinds[4];
    assert_int_equal(read_badges(b, PANEL_W, PANEL_H, kinds, 4, NULL), 1);
    assert_int_equal(read_badges(c, PANEL_W, PANEL_H, kinds, 4, NULL), 2);
    assert_int_equal(kinds[1], REELAY_LOG_TAP);
    cairo_surface_destroy(a);
    cairo_surface_destroy(b);
    cairo_surface_destroy(c);
}

static void test_newest_at_bottom(void **state)
{
    reelay_fonts *fonts = *state;
    reelay_log_entry log[] = {
        entry(1000, REELAY_LOG_SCREEN, "Screen Home"),
        entry(2000, REELAY_LOG_TAP, "Tap at 120, 480"),
        entry(3000, REELAY_LOG_ERROR, "TypeError: x is undefined"),
        entry(4000, REELAY_LOG_NETWORK_FAIL, "GET /api/cart \xE2\x86\x92 500"),
    };
    reelay_log_tally(log, 4);
    int kinds[8], previous_bottom = -1;
    for (size_t n = 1; n <= 4; n++) {
        cairo_surface_t *s = paint_panel(fonts, PANEL_W, PANEL_H, log, 4, log[n - 1].out_ms + 50);
        int bottom;
        assert_int_equal(read_badges(s, PANEL_W, PANEL_H, kinds, 8, &bottom), n);
        for (size_t i = 0; i < n; i++) assert_int_equal(kinds[i], (int)log[i].kind);
        assert_true(bottom > previous_bottom); /* the newest row is below the others */
        previous_bottom = bottom;
        cairo_surface_destroy(s);
    }
}

/* 10,000 entries: the rows shown are the last ones of a brute-force filter,
 * as many as fit, the newest at the bottom; the count of rows that fit stays
 * the same as the log grows. */
static void test_many_entries(void **state)
{
    reelay_fonts *fonts = *state;
    enum { N = 10000 };
    reelay_log_entry *log = random_log(N, 17);
    uint64_t seed = 23;
    size_t rows_fit = 0;
    int kinds[200], heights[200];
    double times[] = {log[0].out_ms, log[5].out_ms + 1, log[N / 2].out_ms, log[N - 1].out_ms - 0.5,
                      log[N - 1].out_ms, log[N - 1].out_ms + 1e6, 0, 0, 0};
    for (size_t j = 6; j < sizeof times / sizeof times[0]; j++)
        times[j] = log[lcg(&seed) % N].out_ms + (lcg(&seed) % 2000);
    for (size_t j = 0; j < sizeof times / sizeof times[0]; j++) {
        size_t shown = brute_visible(log, N, times[j]);
        cairo_surface_t *s = paint_panel(fonts, PANEL_W, PANEL_H, log, N, times[j]);
        size_t rows = read_badges_sized(s, PANEL_W, PANEL_H, kinds, 200, NULL, heights);
        /* Whole rows only: the newest is not cut off by the panel's bottom. */
        for (size_t i = 0; i < rows; i++) assert_int_equal(heights[i], heights[0]);
        if (shown > 40) {
            if (!rows_fit) rows_fit = rows;
            assert_int_equal(rows, rows_fit);
        } else {
            assert_true(rows == shown || rows == rows_fit);
        }
        assert_true(rows > 0 && rows <= shown);
        for (size_t i = 0; i < rows; i++) assert_int_equal(kinds[i], (int)log[shown - rows + i].kind);
        cairo_surface_destroy(s);
    }
    /* 844 px: a font of 17.6 px, rows of 32 px: about 24 of them. */
    assert_true(rows_fit >= 20 && rows_fit <= 28);
    free(log);
}

static void test_error_red(void **state)
{
    reelay_fonts *fonts = *state;
    reelay_log_entry log[] = {
        entry(1000, REELAY_LOG_TAP, "Tap at 1, 2"),
        entry(2000, REELAY_LOG_SCREEN, "Screen Cart"),
        entry(3000, REELAY_LOG_ERROR, "TypeError: x is undefined"),
        entry(4000, REELAY_LOG_NETWORK_FAIL, "POST /api/pay \xE2\x86\x92 502"),
    };
    reelay_log_tally(log, 4);
    int header = (int)round(font_size(PANEL_W, PANEL_H) * 2.6);
    cairo_surface_t *before = paint_panel(fonts, PANEL_W, PANEL_H, log, 4, 2999);
    cairo_surface_t *error = paint_panel(fonts, PANEL_W, PANEL_H, log, 4, 3500);
    cairo_surface_t *failed = paint_panel(fonts, PANEL_W, PANEL_H, log, 4, 9000);
    /* No red or orange before: the pills are grey at 0. */
    assert_int_equal(count_pixels(before, 0, 0, PANEL_W, PANEL_H, is_red), 0);
    assert_int_equal(count_pixels(before, 0, 0, PANEL_W, PANEL_H, is_orange), 0);
    /* The error's row, and the header's pill, are red. */
    assert_true(count_pixels(error, 0, header, PANEL_W, PANEL_H, is_red) > 100);
    assert_true(count_pixels(error, 0, 0, PANEL_W, header, is_red) > 100);
    assert_int_equal(count_pixels(error, 0, 0, PANEL_W, PANEL_H, is_orange), 0);
    assert_true(count_pixels(failed, 0, header, PANEL_W, PANEL_H, is_orange) > 100);
    assert_true(count_pixels(failed, 0, 0, PANEL_W, header, is_orange) > 100);
    /* The header's count moved on without the list changing above it. */
    assert_true(rows_differ(before, error, PANEL_W, 0, header));
    cairo_surface_destroy(before);
    cairo_surface_destroy(error);
    cairo_surface_destroy(failed);
}

/* A long text (with line breaks, a kilobyte-long word and invalid UTF-8) is
 * cut to one line: nothing in the right padding, nothing below its row. */
static void test_long_text_clipped(void **state)
{
    reelay_fonts *fonts = *state;
    static char text[5000];
    size_t n = 0;
    const char *head = "TypeError: Cannot read properties of undefined (reading 'items')\n    at Cart.render "
                       "(cart.js:12:7)\n\tat \xFF\xFE bad bytes ";
    memcpy(text, head, strlen(head));
    n = strlen(head);
    while (n < sizeof text - 1) text[n++] = 'M';
    text[n] = '\0';
    for (size_t i = 0; i < SIZE_COUNT; i++) {
        int w = SIZES[i][0], h = SIZES[i][1];
        double fs = font_size(w, h);
        int pad = (int)round(fs * 0.9);
        int list_top = (int)(round(fs * 2.6) + fmax(1, round(fs / 16)));
        int row_bottom = list_top + (int)(round(fs * 0.4) + round(fs * 1.8));
        reelay_log_entry log[] = {entry(0, REELAY_LOG_ERROR, text)};
        reelay_log_tally(log, 1);
        cairo_surface_t *s = paint_panel(fonts, w, h, log, 1, 10000);
        for (int y = 0; y < h; y++)
            for (int x = 4; x < w; x++)
                if (y >= list_top && (x >= w - pad + 1 || y >= row_bottom)) assert_int_equal(at(s, x, y), BACKGROUND);
        if (h > 400) {
            /* The text reaches the right padding: it was ellipsized, not dropped. */
            bool inked = false;
            for (int y = row_bottom - (int)round(fs * 1.8); y < row_bottom; y++)
                for (int x = w - pad - (int)fs; x < w - pad; x++) inked |= at(s, x, y) != BACKGROUND;
            assert_true(inked);
        }
        cairo_surface_destroy(s);
    }
}

static void test_highlight_fades(void **state)
{
    reelay_fonts *fonts = *state;
    reelay_log_entry log[] = {entry(1000, REELAY_LOG_SCREEN, "Screen Home"), entry(5000, REELAY_LOG_TAP, "Tap")};
    reelay_log_tally(log, 2);
    double fs = font_size(PANEL_W, PANEL_H);
    int row1 = (int)(round(fs * 2.6) + fmax(1, round(fs / 16)) + round(fs * 0.4) + round(fs * 1.8));
    int row2 = row1 + (int)round(fs * 1.8);
    cairo_surface_t *fresh = paint_panel(fonts, PANEL_W, PANEL_H, log, 2, 5100);
    cairo_surface_t *fading = paint_panel(fonts, PANEL_W, PANEL_H, log, 2, 5700);
    cairo_surface_t *settled = paint_panel(fonts, PANEL_W, PANEL_H, log, 2, 8000);
    cairo_surface_t *later = paint_panel(fonts, PANEL_W, PANEL_H, log, 2, 60000);
    assert_true(rows_differ(fresh, settled, PANEL_W, row1, row2));
    assert_true(rows_differ(fresh, fading, PANEL_W, row1, row2));
    assert_true(rows_differ(fading, settled, PANEL_W, row1, row2));
    assert_false(rows_differ(fresh, settled, PANEL_W, 0, row1)); /* the older row is long settled */
    assert_true(same_pixels(settled, later));
    /* Highlighted is lighter than settled, across the row's right end too. */
    uint32_t hi = at(fresh, PANEL_W - 3, row1 + 2), lo = at(settled, PANEL_W - 3, row1 + 2);
    assert_int_equal(lo, BACKGROUND);
    assert_true((hi & 0xFF) > (lo & 0xFF) + 20);
    cairo_surface_destroy(fresh);
    cairo_surface_destroy(fading);
    cairo_surface_destroy(settled);
    cairo_surface_destroy(later);
}

static void test_changes(void **state)
{
    reelay_fonts *fonts = *state;
    reelay_log_entry log[] = {
        entry(1000, REELAY_LOG_SCREEN, "Screen Home"), entry(5000, REELAY_LOG_TAP, "Tap"),
        entry(5000, REELAY_LOG_ERROR, "Error"),        entry(5800, REELAY_LOG_TAP, "Tap 2"),
        entry(20000, REELAY_LOG_INFO, "Bye"),
    };
    reelay_log_tally(log, 5);
    const double H = REELAY_INSPECTOR_HIGHLIGHT_MS;
    assert_false(reelay_inspector_changes(log, 5, 0, 999));
    assert_true(reelay_inspector_changes(log, 5, 0, 1000));      /* appears at b */
    assert_true(reelay_inspector_changes(log, 5, 1000, 0));      /* either order */
    assert_true(reelay_inspector_changes(log, 5, 999.9, 1000));
    assert_true(reelay_inspector_changes(log, 5, 1000, 1000 + H - 1)); /* fading at both */
    assert_true(reelay_inspector_changes(log, 5, 1000 + H - 1, 4000)); /* fading at a */
    assert_false(reelay_inspector_changes(log, 5, 1000 + H, 4999));    /* faded out at both */
    assert_false(reelay_inspector_changes(log, 5, 3000, 3000));
    assert_false(reelay_inspector_changes(log, 5, 1200, 1200));        /* equal times, even fading */
    assert_true(reelay_inspector_changes(log, 5, 4999, 5000));         /* two at once */
    assert_true(reelay_inspector_changes(log, 5, 5000, 5500));         /* fading */
    assert_true(reelay_inspector_changes(log, 5, 5500, 5800));         /* another appears */
    assert_true(reelay_inspector_changes(log, 5, 7200, 7400));         /* 5800's fade */
    assert_false(reelay_inspector_changes(log, 5, 5800 + H, 19999));
    assert_true(reelay_inspector_changes(log, 5, 100, 1e9));
    assert_false(reelay_inspector_changes(log, 5, 20000 + H, INFINITY));
    assert_true(reelay_inspector_changes(log, 5, NAN, 3000));
    assert_true(reelay_inspector_changes(log, 5, 3000, NAN));
    assert_false(reelay_inspector_changes(NULL, 0, 0, 1e9));
    assert_false(reelay_inspector_changes(log, 0, 0, 1e9));

    /* Where it says unchanged, the pixels are the same; and it says so
     * somewhere (every 100 ms from 0 to 24 s, and at each entry's time). */
    double times[260];
    size_t n = 0;
    for (int i = 0; i <= 240; i++) times[n++] = i * 100.0;
    for (size_t i = 0; i < 5; i++) times[n++] = log[i].out_ms - 0.01;
    for (size_t i = 1; i < n; i++) /* insertion sort */
        for (size_t j = i; j > 0 && times[j - 1] > times[j]; j--) {
            double t = times[j];
            times[j] = times[j - 1];
            times[j - 1] = t;
        }
    cairo_surface_t *previous = paint_panel(fonts, 400, 300, log, 5, times[0]);
    int unchanged = 0, changed = 0;
    for (size_t i = 1; i < n; i++) {
        cairo_surface_t *s = paint_panel(fonts, 400, 300, log, 5, times[i]);
        bool differs = !same_pixels(previous, s);
        if (!reelay_inspector_changes(log, 5, times[i - 1], times[i])) {
            assert_false(differs);
            unchanged++;
        } else {
            changed += differs;
        }
        cairo_surface_destroy(previous);
        previous = s;
    }
    cairo_surface_destroy(previous);
    assert_true(unchanged > 150);
    assert_true(changed > 20);
}

/* Bad input paints something sane or nothing; state is restored; the same
 * call paints the same pixels. */
static void test_bad_input_and_state(void **state)
{
    reelay_fonts *fonts = *state;
    reelay_log_entry log[] = {
        {.out_ms = 0, .session_ms = NAN, .kind = (reelay_log_kind)99, .text = NULL},
        {.out_ms = 10, .session_ms = -5, .kind = REELAY_LOG_KEYBOARD, .text = ""},
        {.out_ms = 20, .session_ms = 1e300, .kind = REELAY_LOG_INFO, .text = "\n\n\t  "},
        {.out_ms = 30, .session_ms = 4000000, .kind = REELAY_LOG_TAP, .text = "\xC3"},
    };
    reelay_log_tally(log, 4);
    cairo_surface_t *s = sentinel_surface(300, 300);
    cairo_t *cr = cairo_create(s);
    reelay_paint_inspector(NULL, fonts, 0, 0, 100, 100, log, 4, 50);
    reelay_paint_inspector(cr, NULL, 0, 0, 100, 100, log, 4, 50);
    reelay_paint_inspector(cr, fonts, 0, 0, 0, 100, log, 4, 50);
    reelay_paint_inspector(cr, fonts, 0, 0, 100, -1, log, 4, 50);
    reelay_paint_inspector(cr, fonts, 0, 0, NAN, 100, log, 4, 50);
    cairo_surface_flush(s);
    for (int y = 0; y < 300; y++)
        for (int x = 0; x < 300; x++) assert_int_equal(pixel(s, x, y), SENTINEL);

    cairo_set_source_rgb(cr, 0.1, 0.2, 0.3);
    reelay_paint_inspector(cr, fonts, 10, 10, 280, 280, log, 4, NAN); /* header only */
    reelay_paint_inspector(cr, fonts, 10, 10, 280, 280, log, 4, 50);
    assert_int_equal(cairo_status(cr), CAIRO_STATUS_SUCCESS);
    double x0, y0, x1, y1;
    cairo_clip_extents(cr, &x0, &y0, &x1, &y1);
    assert_true(x0 == 0 && y0 == 0 && x1 == 300 && y1 == 300);
    double r, g, b, a;
    assert_int_equal(cairo_pattern_get_rgba(cairo_get_source(cr), &r, &g, &b, &a), CAIRO_STATUS_SUCCESS);
    assert_true(fabs(r - 0.1) < 1e-9 && fabs(g - 0.2) < 1e-9 && fabs(b - 0.3) < 1e-9);
    cairo_destroy(cr);
    cairo_surface_destroy(s);

    reelay_log_entry *big = random_log(500, 8);
    cairo_surface_t *one = paint_panel(fonts, 500, 700, big, 500, big[300].out_ms + 400);
    cairo_surface_t *two = paint_panel(fonts, 500, 700, big, 500, big[300].out_ms + 400);
    assert_true(same_pixels(one, two));
    cairo_surface_destroy(one);
    cairo_surface_destroy(two);
    free(big);
}

/* A phone-sized stand-in screen with the panel at its right and the HUD
 * strip below both, as `reelay render --layout inspector` lays them out. */
static void test_dump_sample(void **state)
{
    const char *env = getenv("REELAY_TEST_DUMP");
    if (!env) skip();
    reelay_fonts *fonts = *state;
    static const struct {
        double t;
        reelay_log_kind kind;
        const char *text;
    } SCRIPT[] = {
        {0, REELAY_LOG_SCREEN, "Screen MainActivity"},
        {2100, REELAY_LOG_TAP, "Tap at 120, 480"},
        {2900, REELAY_LOG_SCREEN, "Screen ProductListActivity"},
        {5200, REELAY_LOG_TAP, "Tap at 200, 612 \xE2\x80\x94 \"Running shoes, size 42, blue\""},
        {6000, REELAY_LOG_SCREEN, "Screen ProductActivity"},
        {8400, REELAY_LOG_KEYBOARD, "Keyboard shown (search)"},
        {9100, REELAY_LOG_INFO, "App backgrounded"},
        {12000, REELAY_LOG_TAP, "Tap at 310, 760 \xE2\x80\x94 \"Add to cart\""},
        {12400, REELAY_LOG_NETWORK_FAIL, "POST /api/cart/items \xE2\x86\x92 500 (312 ms)"},
        {12500, REELAY_LOG_ERROR,
         "TypeError: Cannot read properties of undefined (reading 'items') at CartStore.add (cart.js:88)"},
        {14000, REELAY_LOG_TAP, "Tap at 310, 760 \xE2\x80\x94 \"Add to cart\""},
        {14300, REELAY_LOG_NETWORK_FAIL, "POST /api/cart/items \xE2\x86\x92 500 (298 ms)"},
        {15100, REELAY_LOG_TAP, "Tap at 40, 90 \xE2\x80\x94 back"},
    };
    enum { N = sizeof SCRIPT / sizeof SCRIPT[0] };
    reelay_log_entry log[N];
    reelay_hud_marker markers[N];
    const reelay_hud_marker_kind hud_kind[] = {REELAY_HUD_SCREEN,       REELAY_HUD_TAP,   REELAY_HUD_TAP,
                                               REELAY_HUD_NETWORK_FAIL, REELAY_HUD_ERROR, REELAY_HUD_TAP};
    double total = 30000, now = 15500;
    for (size_t i = 0; i < N; i++) {
        log[i] = entry(SCRIPT[i].t, SCRIPT[i].kind, SCRIPT[i].text);
        log[i].session_ms = 60000 + SCRIPT[i].t;
        markers[i] = (reelay_hud_marker){.position = SCRIPT[i].t / total, .kind = hud_kind[SCRIPT[i].kind]};
    }
    reelay_log_tally(log, N);

    int sw = 390, sh = 844, pw = reelay_inspector_width(sw, sh), hh = reelay_hud_height(sw + pw);
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, sw + pw, sh + hh);
    cairo_t *cr = cairo_create(s);
    cairo_set_source_rgb(cr, 0.93, 0.94, 0.96);
    cairo_paint(cr);
    cairo_set_source_rgb(cr, 0.39, 0.40, 0.95);
    cairo_rectangle(cr, 0, 0, sw, 96);
    cairo_fill(cr);
    reelay_paint_inspector(cr, fonts, sw, 0, pw, sh, log, N, now);
    reelay_hud_state hud = {
        .elapsed_ms = 60000 + now,
        .total_ms = 60000 + total,
        .wall_clock_ms = NAN,
        .screen = "ProductActivity",
        .progress = now / total,
        .markers = markers,
        .marker_count = N,
        .speed = 1,
    };
    reelay_paint_hud(cr, fonts, 0, sh, sw + pw, hh, &hud);
    cairo_destroy(cr);

    char path[4096];
    struct stat st;
    if (stat(env, &st) == 0 && S_ISDIR(st.st_mode))
        snprintf(path, sizeof path, "%s/inspector-sample.png", env);
    else
        snprintf(path, sizeof path, "/tmp/inspector-sample.png");
    assert_int_equal(cairo_surface_write_to_png(s, path), CAIRO_STATUS_SUCCESS);
    cairo_surface_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_width),
        cmocka_unit_test(test_visible_matches_filter),
        cmocka_unit_test(test_tally),
        cmocka_unit_test(test_extent),
        cmocka_unit_test(test_header_only),
        cmocka_unit_test(test_future_hidden),
        cmocka_unit_test(test_newest_at_bottom),
        cmocka_unit_test(test_many_entries),
        cmocka_unit_test(test_error_red),
        cmocka_unit_test(test_long_text_clipped),
        cmocka_unit_test(test_highlight_fades),
        cmocka_unit_test(test_changes),
        cmocka_unit_test(test_bad_input_and_state),
        cmocka_unit_test(test_dump_sample),
    };
    return cmocka_run_group_tests(tests, ts_fonts_setup, ts_fonts_teardown);
}
