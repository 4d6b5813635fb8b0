/* The web page engine (renderers/web/page_engine.h, src/engine/): the page of
 * fixtures/web/page-boxes.rrweb.json (scripts/gen_web_page_fixtures.py)
 * against tests/golden/web-page-boxes.png within a tolerance plus exact box
 * colours, determinism, and an engine that crashes, hangs or outgrows its
 * memory: one clear error naming the session time, and no process of its
 * group left (the engine, its Xvfb, WebKit's processes). Then the widgets
 * page (fixtures/web/page-widgets.rrweb.json: a same-origin iframe, a shadow
 * root, form controls set by input events, a div scrolled by a scroll event)
 * against tests/golden/web-page-widgets-{before,after}.png, with pixels and
 * regions that each part alone can explain, before and after its event.
 * The engine is the built reelay binary ($REELAY_BIN, set by CTest).
 * REELAY_UPDATE_GOLDEN=1 rewrites the references. */
#include "test_support.h"

#include <cairo.h>
#include <dirent.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/clock.h"
#include "ingest/ingest.h"
#include "renderers/web/page_engine.h"
#include "session/rrweb_json.h"

#define FIXTURE "fixtures/web/page-boxes.rrweb.json"
#define GOLDEN "tests/golden/web-page-boxes.png"
#define W 320
#define H 240
#define WIDGETS_FIXTURE "fixtures/web/page-widgets.rrweb.json"
#define WIDGETS_GOLDEN_BEFORE "tests/golden/web-page-widgets-before.png"
#define WIDGETS_GOLDEN_AFTER "tests/golden/web-page-widgets-after.png"
#define WIDGETS_W 400
#define WIDGETS_H 300
#define PIXEL_TOLERANCE 40
#define DIFFERING_FRACTION 0.005
#define MEAN_TOLERANCE 1.0

typedef struct fixture {
    reelay_session *session;
    reelay_buf events;
    int width, height;
} fixture;

/* The recording at path, which must hold `events` rrweb events: fewer means
 * ingest dropped some (the widgets page would silently lose a feature). */
static int load(void **state, const char *path, size_t events, int width, int height)
{
    fixture *f = calloc(1, sizeof *f);
    f->width = width;
    f->height = height;
    reelay_err err;
    reelay_err_clear(&err);
    reelay_ingest_options options = reelay_ingest_defaults();
    options.keep_rrweb_json = true;
    if (reelay_ingest_path(path, &options, &f->session, &err) != REELAY_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    reelay_buf_init(&f->events);
    size_t count = 0;
    if (reelay_rrweb_json_window(f->session, 0, &f->events, &count, &err) != REELAY_OK || count != events) {
        fprintf(stderr, "events: %s (%zu)\n", err.msg, count);
        return -1;
    }
    *state = f;
    return 0;
}

static int setup(void **state)
{
    return load(state, FIXTURE, 5, W, H);
}

static int setup_widgets(void **state)
{
    return load(state, WIDGETS_FIXTURE, 10, WIDGETS_W, WIDGETS_H);
}

static int teardown(void **state)
{
    fixture *f = *state;
    reelay_buf_free(&f->events);
    reelay_session_free(f->session);
    free(f);
    return 0;
}

static reelay_page_engine *start(fixture *f, const reelay_page_engine_options *extra, reelay_err *err)
{
    reelay_page_engine_options options = extra ? *extra : (reelay_page_engine_options){0};
    options.binary = getenv("REELAY_BIN");
    assert_non_null(options.binary);
    reelay_page_engine *engine = NULL;
    reelay_err_clear(err);
    int rc = reelay_page_engine_start(&options, f->width, f->height, (const char *)f->events.data, f->events.len,
                                      &engine, err);
    if (rc != REELAY_OK) fail_msg("start: %s", err->msg);
    return engine;
}

static double at(const fixture *f, double seconds)
{
    return f->session->first_ts + seconds * 1000;
}

static uint32_t rgb(cairo_surface_t *s, int x, int y)
{
    uint32_t v;
    memcpy(&v, cairo_image_surface_get_data(s) + (size_t)y * (size_t)cairo_image_surface_get_stride(s) + (size_t)x * 4,
           4);
    return v & 0xFFFFFF;
}

/* page against the reference PNG golden within the tolerances (WebKitGTK
 * moves with Debian's updates: text antialiasing and native controls may
 * shift a little), or rewrites golden under REELAY_UPDATE_GOLDEN. A failure
 * leaves the actual page in /tmp/reelay-<golden's name> to look at. */
static void compare_golden(cairo_surface_t *page, const char *golden)
{
    int w = cairo_image_surface_get_width(page), h = cairo_image_surface_get_height(page);
    if (getenv("REELAY_UPDATE_GOLDEN")) {
        assert_int_equal(cairo_surface_write_to_png(page, golden), CAIRO_STATUS_SUCCESS);
        return;
    }
    cairo_surface_t *expected = cairo_image_surface_create_from_png(golden);
    assert_int_equal(cairo_surface_status(expected), CAIRO_STATUS_SUCCESS);
    assert_int_equal(cairo_image_surface_get_width(expected), w);
    assert_int_equal(cairo_image_surface_get_height(expected), h);
    size_t differing = 0;
    double total = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            uint32_t a = rgb(page, x, y), e = rgb(expected, x, y);
            int worst = 0;
            for (int shift = 0; shift < 24; shift += 8) {
                int d = abs((int)((a >> shift) & 255) - (int)((e >> shift) & 255));
                total += d;
                if (d > worst) worst = d;
            }
            if (worst > PIXEL_TOLERANCE) differing++;
        }
    cairo_surface_destroy(expected);
    double fraction = (double)differing / ((double)w * h), mean = total / ((double)w * h * 3.0);
    if (fraction > DIFFERING_FRACTION || mean > MEAN_TOLERANCE) {
        const char *name = strrchr(golden, '/');
        char actual[256];
        snprintf(actual, sizeof actual, "/tmp/reelay-%s", name ? name + 1 : golden);
        cairo_surface_write_to_png(page, actual);
        fail_msg("page differs from %s: %.4f of pixels, mean %.3f (actual: %s)", golden, fraction, mean, actual);
    }
}

/* Processes of group pgid still alive (zombies are dead), waiting up to 3 s for them to go. */
static int live_in_group(int pgid)
{
    int live = 0;
    double until = reelay_monotonic_s() + 3;
    do {
        live = 0;
        DIR *proc = opendir("/proc");
        struct dirent *entry;
        while (proc && (entry = readdir(proc))) {
            if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
            char path[64], text[512];
            snprintf(path, sizeof path, "/proc/%.20s/stat", entry->d_name);
            FILE *fp = fopen(path, "r");
            if (!fp) continue;
            size_t n = fread(text, 1, sizeof text - 1, fp);
            fclose(fp);
            text[n] = '\0';
            const char *rest = strrchr(text, ')');
            char st;
            int ppid, pgrp;
            if (rest && sscanf(rest + 1, " %c %d %d", &st, &ppid, &pgrp) == 3 && pgrp == pgid && st != 'Z') live++;
        }
        if (proc) closedir(proc);
        if (live) reelay_sleep_s(0.05);
    } while (live && reelay_monotonic_s() < until);
    return live;
}

static void test_golden_and_boxes(void **state)
{
    fixture *f = *state;
    reelay_err err;
    reelay_page_engine *engine = start(f, NULL, &err);
    int pgid = reelay_page_engine_pid(engine);
    assert_true(live_in_group(pgid) >= 2); /* the engine and at least its Xvfb */
    cairo_surface_t *page = NULL;
    assert_int_equal(reelay_page_engine_frame(engine, at(f, 0.5), 0.5, &page, &err), REELAY_OK);
    assert_int_equal(cairo_image_surface_get_width(page), W);
    assert_int_equal(cairo_image_surface_get_height(page), H);
    /* the boxes, exactly */
    assert_int_equal(rgb(page, 60, 40), 0xFF0000);
    assert_int_equal(rgb(page, 180, 40), 0x0000FF);
    assert_int_equal(rgb(page, 40, 120), 0xFFFF00);
    assert_int_equal(rgb(page, 280, 200), 0x000000);
    assert_int_equal(rgb(page, 200, 150), 0xF0F0F0); /* background; rrweb's cursor is hidden */

    compare_golden(page, GOLDEN);
    /* the mutation at 1.0 s, then back before it */
    assert_int_equal(reelay_page_engine_frame(engine, at(f, 1.5), 1.5, &page, &err), REELAY_OK);
    assert_int_equal(rgb(page, 60, 40), 0x00C000);
    assert_int_equal(reelay_page_engine_frame(engine, at(f, 0.5), 0.5, &page, &err), REELAY_OK);
    assert_int_equal(rgb(page, 60, 40), 0xFF0000);
    reelay_page_engine_stop(engine);
    assert_int_equal(live_in_group(pgid), 0);
}

/* Two engines, and one engine seeking away and back, give the same bytes. */
static void test_deterministic(void **state)
{
    fixture *f = *state;
    reelay_err err;
    size_t bytes = (size_t)W * H * 4;
    unsigned char *first = malloc(bytes), *again = malloc(bytes);
    for (int run = 0; run < 2; run++) {
        reelay_page_engine *engine = start(f, NULL, &err);
        cairo_surface_t *page = NULL;
        assert_int_equal(reelay_page_engine_frame(engine, at(f, 1.5), 1.5, &page, &err), REELAY_OK);
        memcpy(run ? again : first, cairo_image_surface_get_data(page), bytes);
        if (run) {
            assert_memory_equal(first, again, bytes);
            assert_int_equal(reelay_page_engine_frame(engine, at(f, 0.2), 0.2, &page, &err), REELAY_OK);
            assert_int_equal(reelay_page_engine_frame(engine, at(f, 1.5), 1.5, &page, &err), REELAY_OK);
            assert_memory_equal(first, cairo_image_surface_get_data(page), bytes);
        }
        reelay_page_engine_stop(engine);
    }
    free(first);
    free(again);
}

/* Requests in flight: each page comes back for its own time whatever was
 * asked before or after it; one asked for and skipped is dropped; more than
 * REELAY_PAGE_ENGINE_DEPTH drop the oldest; a time not asked for still
 * comes right. Red before the mutation at 1.0 s, green after. */
static void test_requests_in_flight(void **state)
{
    fixture *f = *state;
    reelay_err err;
    reelay_page_engine *engine = start(f, NULL, &err);
    cairo_surface_t *page = NULL;
    assert_true(reelay_page_engine_has_room(engine));
    assert_int_equal(reelay_page_engine_request(engine, at(f, 0.5), 0.5, &err), REELAY_OK);
    assert_int_equal(reelay_page_engine_request(engine, at(f, 1.2), 1.2, &err), REELAY_OK);
    assert_int_equal(reelay_page_engine_request(engine, at(f, 1.2), 1.2, &err), REELAY_OK); /* a no-op */
    for (int i = 0; i < REELAY_PAGE_ENGINE_DEPTH - 2; i++)
        assert_int_equal(reelay_page_engine_request(engine, at(f, 1.5 + 0.01 * i), 1.5 + 0.01 * i, &err),
                         REELAY_OK);
    assert_false(reelay_page_engine_has_room(engine));
    assert_int_equal(reelay_page_engine_frame(engine, at(f, 0.5), 0.5, &page, &err), REELAY_OK);
    assert_int_equal(rgb(page, 60, 40), 0xFF0000);
    assert_true(reelay_page_engine_has_room(engine));
    /* 1.2 s is skipped: 1.5 s is the next page */
    assert_int_equal(reelay_page_engine_frame(engine, at(f, 1.5), 1.5, &page, &err), REELAY_OK);
    assert_int_equal(rgb(page, 60, 40), 0x00C000);
    /* one more than fit asked for: the oldest are dropped to make room */
    for (int i = 0; i < REELAY_PAGE_ENGINE_DEPTH + 1; i++)
        assert_int_equal(reelay_page_engine_request(engine, at(f, 1.6 + 0.1 * i), 1.6 + 0.1 * i, &err), REELAY_OK);
    assert_int_equal(reelay_page_engine_frame(engine, at(f, 1.6 + 0.1 * REELAY_PAGE_ENGINE_DEPTH),
                                              1.6 + 0.1 * REELAY_PAGE_ENGINE_DEPTH, &page, &err),
                     REELAY_OK);
    assert_int_equal(rgb(page, 60, 40), 0x00C000);
    /* not asked for, and before what was: drawn on its own */
    assert_int_equal(reelay_page_engine_request(engine, at(f, 1.9), 1.9, &err), REELAY_OK);
    assert_int_equal(reelay_page_engine_frame(engine, at(f, 0.6), 0.6, &page, &err), REELAY_OK);
    assert_int_equal(rgb(page, 60, 40), 0xFF0000);
    assert_true(reelay_page_engine_has_room(engine));
    reelay_page_engine_stop(engine);
}

static void test_killed_engine(void **state)
{
    fixture *f = *state;
    reelay_err err;
    reelay_page_engine *engine = start(f, NULL, &err);
    int pgid = reelay_page_engine_pid(engine);
    cairo_surface_t *page = NULL;
    assert_int_equal(reelay_page_engine_frame(engine, at(f, 0.5), 0.5, &page, &err), REELAY_OK);
    kill(pgid, SIGKILL);
    assert_int_equal(reelay_page_engine_frame(engine, at(f, 1.25), 1.25, &page, &err), REELAY_E_INTERNAL);
    assert_null(page);
    assert_non_null(strstr(err.msg, "page engine: the page engine died (Killed) at session time 1.250 s"));
    assert_int_equal(live_in_group(pgid), 0);
    reelay_page_engine_stop(engine);
}

static void test_hung_engine(void **state)
{
    fixture *f = *state;
    reelay_err err;
    reelay_page_engine_options options = {.request_timeout_s = 1};
    reelay_page_engine *engine = start(f, &options, &err);
    int pgid = reelay_page_engine_pid(engine);
    kill(pgid, SIGSTOP);
    cairo_surface_t *page = NULL;
    double t0 = reelay_monotonic_s();
    assert_int_equal(reelay_page_engine_frame(engine, at(f, 2), 2, &page, &err), REELAY_E_INTERNAL);
    assert_true(reelay_monotonic_s() - t0 < 3);
    assert_non_null(strstr(err.msg, "no answer within 1 s (drawing the page) at session time 2.000 s"));
    assert_int_equal(live_in_group(pgid), 0);
    reelay_page_engine_stop(engine);
}

static void test_memory_ceiling(void **state)
{
    fixture *f = *state;
    reelay_err err;
    reelay_page_engine_options options = {.binary = getenv("REELAY_BIN"), .max_memory_bytes = 8u << 20};
    reelay_page_engine *engine = NULL;
    int rc = reelay_page_engine_start(&options, W, H, (const char *)f->events.data, f->events.len, &engine, &err);
    if (rc == REELAY_OK) { /* started between two looks: the first frame trips it */
        cairo_surface_t *page = NULL;
        rc = reelay_page_engine_frame(engine, at(f, 1), 1, &page, &err);
        reelay_page_engine_stop(engine);
    }
    assert_int_equal(rc, REELAY_E_INTERNAL);
    assert_non_null(strstr(err.msg, "more than the 8 MB allowed"));
}

/* A copy of the engine's page, which lives only until the next request. */
static cairo_surface_t *copy_page(cairo_surface_t *page)
{
    int w = cairo_image_surface_get_width(page), h = cairo_image_surface_get_height(page);
    cairo_surface_t *copy = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    cairo_surface_flush(page);
    cairo_surface_flush(copy);
    int from = cairo_image_surface_get_stride(page), to = cairo_image_surface_get_stride(copy);
    for (int y = 0; y < h; y++)
        memcpy(cairo_image_surface_get_data(copy) + (size_t)y * (size_t)to,
               cairo_image_surface_get_data(page) + (size_t)y * (size_t)from, (size_t)w * 4);
    cairo_surface_mark_dirty(copy);
    return copy;
}

typedef struct rect {
    int x, y, w, h;
} rect;

static bool dark(uint32_t v)
{
    return ((v >> 16) & 255) < 128 && ((v >> 8) & 255) < 128 && (v & 255) < 128;
}

/* far from grey: a filled accent colour, not the border or the page */
static bool saturated(uint32_t v)
{
    int r = (v >> 16) & 255, g = (v >> 8) & 255, b = v & 255;
    int hi = r > g ? (r > b ? r : b) : (g > b ? g : b), lo = r < g ? (r < b ? r : b) : (g < b ? g : b);
    return hi - lo > 100;
}

static int count_where(cairo_surface_t *s, rect r, bool (*pred)(uint32_t))
{
    int n = 0;
    for (int y = r.y; y < r.y + r.h; y++)
        for (int x = r.x; x < r.x + r.w; x++) n += pred(rgb(s, x, y));
    return n;
}

static int differing(cairo_surface_t *a, cairo_surface_t *b, rect r)
{
    int n = 0;
    for (int y = r.y; y < r.y + r.h; y++)
        for (int x = r.x; x < r.x + r.w; x++) n += rgb(a, x, y) != rgb(b, x, y);
    return n;
}

/* Places on the widgets page (scripts/gen_web_page_fixtures.py --widgets),
 * the insides of the controls, without their borders. */
static const rect TEXT_INPUT = {12, 147, 146, 20};
static const rect CHECKBOX = {170, 148, 18, 18};
static const rect SELECT = {197, 147, 61, 20};
static const rect TEXTAREA = {12, 182, 146, 46};
static const rect BUTTON = {170, 185, 90, 30};

/* Every part of the widgets page is drawn, each event changes its part and
 * only it, and seeking back rebuilds the very same page. One engine. */
static void test_widgets(void **state)
{
    fixture *f = *state;
    reelay_err err;
    reelay_page_engine *engine = start(f, NULL, &err);
    cairo_surface_t *page = NULL;
    assert_int_equal(reelay_page_engine_frame(engine, at(f, 0.5), 0.5, &page, &err), REELAY_OK);
    assert_int_equal(cairo_image_surface_get_width(page), WIDGETS_W);
    assert_int_equal(cairo_image_surface_get_height(page), WIDGETS_H);
    cairo_surface_t *before = copy_page(page);
    /* the iframe's document, attached by the isAttachIframe mutation: its
     * block and its own style sheet's background */
    assert_int_equal(rgb(before, 70, 55), 0xFF00FF);
    assert_int_equal(rgb(before, 150, 20), 0xE0FFE0);
    /* the shadow root: its style sheet reaches its block and the page's
     * div.inner{background:#ff0000} does not; the host's light child has no
     * slot, so it is not drawn */
    assert_int_equal(rgb(before, 270, 55), 0xFF8000);
    assert_int_equal(rgb(before, 355, 105), 0xFFFFFF);
    assert_int_equal(rgb(before, 370, 20), 0xFFFFFF);
    /* the scrolled div not yet scrolled: its first block fills it, first row to last */
    assert_int_equal(rgb(before, 330, 150), 0xFFFF00);
    assert_int_equal(rgb(before, 330, 229), 0xFFFF00);
    assert_int_equal(rgb(before, 174, 189), 0x008000); /* the button's corner */
    assert_int_equal(rgb(before, 200, 280), 0xF0F0F0);
    assert_int_equal(count_where(before, TEXT_INPUT, dark), 0); /* empty */
    assert_true(count_where(before, TEXTAREA, dark) > 50);        /* its two lines */
    compare_golden(before, WIDGETS_GOLDEN_BEFORE);

    assert_int_equal(reelay_page_engine_frame(engine, at(f, 1.5), 1.5, &page, &err), REELAY_OK);
    cairo_surface_t *after = copy_page(page);
    /* the mutation inside the iframe (a node of the iframe's document) */
    assert_int_equal(rgb(after, 70, 55), 0x8000FF);
    assert_int_equal(rgb(after, 150, 20), 0xE0FFE0);
    assert_int_equal(rgb(after, 270, 55), 0xFF8000);
    /* scrolled by exactly its first block: the second fills it, first row to
     * last (a pixel less shows the first's yellow above, more the third's green below) */
    assert_int_equal(rgb(after, 330, 150), 0x0000FF);
    assert_int_equal(rgb(after, 330, 229), 0x0000FF);
    /* the input events: the text typed, the box ticked (filled with the
     * accent colour), another option chosen */
    int typed = count_where(after, TEXT_INPUT, dark);
    int ticked = count_where(after, CHECKBOX, saturated), unticked = count_where(before, CHECKBOX, saturated);
    if (typed < 30 || ticked < unticked + 40 || differing(before, after, SELECT) < 20)
        fail_msg("input events not drawn: %d dark pixels in the text input, checkbox %d -> %d saturated, select %d "
                 "differing",
                 typed, unticked, ticked, differing(before, after, SELECT));
    /* what no event touched stays as it was */
    assert_int_equal(differing(before, after, TEXTAREA), 0);
    assert_int_equal(differing(before, after, BUTTON), 0);
    compare_golden(after, WIDGETS_GOLDEN_AFTER);

    /* back: the rebuild undoes the scroll, the values and the iframe's mutation */
    assert_int_equal(reelay_page_engine_frame(engine, at(f, 0.5), 0.5, &page, &err), REELAY_OK);
    assert_int_equal(differing(before, page, (rect){0, 0, WIDGETS_W, WIDGETS_H}), 0);
    cairo_surface_destroy(before);
    cairo_surface_destroy(after);
    reelay_page_engine_stop(engine);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_and_boxes),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_requests_in_flight),
        cmocka_unit_test(test_killed_engine),
        cmocka_unit_test(test_hung_engine),
        cmocka_unit_test(test_memory_ceiling),
    };
    const struct CMUnitTest widgets[] = {
        cmocka_unit_test(test_widgets),
    };
    int failed = cmocka_run_group_tests_name("page engine", tests, setup, teardown);
    return failed + cmocka_run_group_tests_name("page engine: widgets", widgets, setup_widgets, teardown);
}
