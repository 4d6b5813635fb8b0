/* The web page engine (renderers/web/page_engine.h, src/engine/): the page of
 * fixtures/web/page-boxes.rrweb.json (scripts/gen_web_page_fixtures.py)
 * against tests/golden/web-page-boxes.png within a tolerance plus exact box
 * colours, determinism, and an engine that crashes, hangs or outgrows its
 * memory: one clear error naming the session time, and no process of its
 * group left (the engine, its Xvfb, WebKit's processes).
 * The engine is the built reelay binary ($REELAY_BIN, set by CTest).
 * REELAY_UPDATE_GOLDEN=1 rewrites the reference. */
#include "test_support.h"

#include <cairo.h>
#include <dirent.h>
#include <signal.h>
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
#define PIXEL_TOLERANCE 40
#define DIFFERING_FRACTION 0.005
#define MEAN_TOLERANCE 1.0

typedef struct fixture {
    reelay_session *session;
    reelay_buf events;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    reelay_err err;
    reelay_err_clear(&err);
    reelay_ingest_options options = reelay_ingest_defaults();
    options.keep_rrweb_json = true;
    if (reelay_ingest_path(FIXTURE, &options, &f->session, &err) != REELAY_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    reelay_buf_init(&f->events);
    size_t count = 0;
    if (reelay_rrweb_json_window(f->session, 0, &f->events, &count, &err) != REELAY_OK || count != 5) {
        fprintf(stderr, "events: %s (%zu)\n", err.msg, count);
        return -1;
    }
    *state = f;
    return 0;
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
    int rc = reelay_page_engine_start(&options, W, H, (const char *)f->events.data, f->events.len, &engine, err);
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

    if (getenv("REELAY_UPDATE_GOLDEN")) {
        assert_int_equal(cairo_surface_write_to_png(page, GOLDEN), CAIRO_STATUS_SUCCESS);
    } else {
        cairo_surface_t *expected = cairo_image_surface_create_from_png(GOLDEN);
        assert_int_equal(cairo_surface_status(expected), CAIRO_STATUS_SUCCESS);
        assert_int_equal(cairo_image_surface_get_width(expected), W);
        assert_int_equal(cairo_image_surface_get_height(expected), H);
        size_t differing = 0;
        double total = 0;
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++) {
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
        double fraction = (double)differing / (W * H), mean = total / (W * H * 3.0);
        if (fraction > DIFFERING_FRACTION || mean > MEAN_TOLERANCE) {
            cairo_surface_write_to_png(page, "/tmp/reelay-web-page-boxes.png");
            fail_msg("page differs from %s: %.4f of pixels, mean %.3f (actual: /tmp/reelay-web-page-boxes.png)",
                     GOLDEN, fraction, mean);
        }
    }
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_and_boxes),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_killed_engine),
        cmocka_unit_test(test_hung_engine),
        cmocka_unit_test(test_memory_ceiling),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
