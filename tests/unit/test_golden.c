/* Golden-frame tests: every case of tests/golden/cases.tsv is rendered through
 * the whole pipeline (ingest, scene, renderer, output scaling) and compared
 * with tests/golden/NAME.png within a small tolerance, so font rasterisation
 * or libwebp/libavcodec rounding differences between builds do not fail, but
 * any visible change does. On a mismatch the actual frame and a diff image
 * are written to $REELAY_GOLDEN_OUT (default /tmp/reelay-golden).
 * REELAY_UPDATE_GOLDEN=1 rewrites the references instead (scripts/update-golden.sh). */
#include "test_support.h"

#include <cairo.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "render/options.h"
#include "ingest/ingest.h"
#include "renderers/frame/frame.h"

#define MAX_CASES 128
/* A pixel differs when a channel is off by more than this (of 255)... */
#define PIXEL_TOLERANCE 40
/* ...and a frame fails when more than this fraction of pixels differ, or the
 * mean channel difference exceeds MEAN_TOLERANCE. */
#define DIFFERING_FRACTION 0.002
#define MEAN_TOLERANCE 0.6

typedef struct golden_case {
    char name[64];
    char input[256];
    char at[32];
    char size[32];
    char overlays[64];
} golden_case;

static cairo_surface_t *render_case(const golden_case *gc)
{
    reelay_err err;
    reelay_err_clear(&err);
    reelay_session *session = NULL;
    if (reelay_ingest_path(gc->input, NULL, &session, &err) != REELAY_OK) fail_msg("%s: %s", gc->name, err.msg);
    double at_ms;
    if (reelay_parse_time(gc->at, &at_ms, &err) != REELAY_OK) fail_msg("%s: %s", gc->name, err.msg);
    if (at_ms > session->last_ts - session->first_ts)
        fail_msg("%s: %s is beyond the end of %s", gc->name, gc->at, gc->input);
    reelay_frame_maker *maker = reelay_frame_maker_new(session, NULL, &err);
    if (!maker) fail_msg("%s: %s", gc->name, err.msg);
    unsigned overlays;
    if (reelay_parse_overlays(gc->overlays, REELAY_OVERLAY_TOUCHES | REELAY_OVERLAY_POINTER, &overlays, &err) !=
        REELAY_OK)
        fail_msg("%s: %s", gc->name, err.msg);
    reelay_frame_maker_set_overlays(maker, overlays);
    if (reelay_frame_maker_seek(maker, session->first_ts + at_ms, NULL, &err) != REELAY_OK)
        fail_msg("%s: %s", gc->name, err.msg);
    double vw, vh;
    if (!reelay_frame_maker_viewport(maker, &vw, &vh)) fail_msg("%s: no viewport at %s", gc->name, gc->at);
    int width = 0, height = 0;
    double scale;
    if (strncmp(gc->size, "scale:", 6) == 0 && reelay_parse_scale(gc->size + 6, &scale, &err) == REELAY_OK)
        reelay_frame_scaled_size(vw, vh, scale, REELAY_OUTPUT_DIM_CEILING, &width, &height);
    else if (strncmp(gc->size, "size:", 5) == 0 && reelay_parse_size(gc->size + 5, &width, &height, &err) == REELAY_OK)
        ;
    else if (strcmp(gc->size, "default") == 0)
        reelay_frame_default_size(vw, vh, &width, &height);
    else
        fail_msg("%s: bad size column '%s'", gc->name, gc->size);
    cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
    reelay_frame_info info;
    if (reelay_frame_maker_paint(maker, surface, &info, &err) != REELAY_OK) fail_msg("%s: %s", gc->name, err.msg);
    assert_true(info.has_content);
    reelay_frame_maker_free(maker);
    reelay_session_free(session);
    return surface;
}

static const char *out_dir(void)
{
    const char *dir = getenv("REELAY_GOLDEN_OUT");
    return dir && dir[0] ? dir : "/tmp/reelay-golden";
}

static uint32_t pixel(const unsigned char *data, int stride, int x, int y)
{
    uint32_t value;
    memcpy(&value, data + (size_t)y * (size_t)stride + (size_t)x * 4, 4);
    return value;
}

/* True when the frames match within the tolerances; else why says how they
 * differ and the actual and diff images are saved. */
static bool frames_match(const golden_case *gc, cairo_surface_t *actual, cairo_surface_t *expected, char *why,
                         size_t why_size)
{
    int w = cairo_image_surface_get_width(actual), h = cairo_image_surface_get_height(actual);
    if (cairo_image_surface_get_width(expected) != w || cairo_image_surface_get_height(expected) != h) {
        snprintf(why, why_size, "%s: size %dx%d, reference %dx%d", gc->name, w, h,
                 cairo_image_surface_get_width(expected), cairo_image_surface_get_height(expected));
        return false;
    }
    cairo_surface_flush(expected);
    const unsigned char *a = cairo_image_surface_get_data(actual), *e = cairo_image_surface_get_data(expected);
    int sa = cairo_image_surface_get_stride(actual), se = cairo_image_surface_get_stride(expected);
    cairo_surface_t *diff = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    unsigned char *d = cairo_image_surface_get_data(diff);
    int sd = cairo_image_surface_get_stride(diff);
    size_t differing = 0;
    double total = 0;
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            uint32_t pa = pixel(a, sa, x, y), pe = pixel(e, se, x, y);
            int worst = 0;
            for (int shift = 0; shift < 24; shift += 8) {
                int delta = abs((int)((pa >> shift) & 0xFF) - (int)((pe >> shift) & 0xFF));
                total += delta;
                if (delta > worst) worst = delta;
            }
            if (worst > PIXEL_TOLERANCE) differing++;
            /* Diff image: differing pixels red, others a faded copy. */
            uint32_t grey = ((pe & 0xFF) + ((pe >> 8) & 0xFF) + ((pe >> 16) & 0xFF)) / 12 + 170;
            uint32_t out = worst > PIXEL_TOLERANCE ? 0xFF0000u : (grey << 16 | grey << 8 | grey);
            memcpy(d + (size_t)y * (size_t)sd + (size_t)x * 4, &out, 4);
        }
    }
    cairo_surface_mark_dirty(diff);
    double fraction = (double)differing / ((double)w * h);
    double mean = total / ((double)w * h * 3);
    if (fraction > DIFFERING_FRACTION || mean > MEAN_TOLERANCE) {
        char path[512];
        mkdir(out_dir(), 0777);
        snprintf(path, sizeof path, "%s/%s.actual.png", out_dir(), gc->name);
        cairo_surface_write_to_png(actual, path);
        snprintf(path, sizeof path, "%s/%s.diff.png", out_dir(), gc->name);
        cairo_surface_write_to_png(diff, path);
        cairo_surface_destroy(diff);
        snprintf(why, why_size,
                 "%s: %.3f%% of pixels differ (limit %.3f%%), mean difference %.3f (limit %.1f); see %s/%s.*.png",
                 gc->name, fraction * 100, DIFFERING_FRACTION * 100, mean, MEAN_TOLERANCE, out_dir(), gc->name);
        return false;
    }
    cairo_surface_destroy(diff);
    return true;
}

static void test_golden_case(void **state)
{
    const golden_case *gc = *state;
    cairo_surface_t *actual = render_case(gc);
    char reference[512];
    snprintf(reference, sizeof reference, "tests/golden/%s.png", gc->name);
    const char *update = getenv("REELAY_UPDATE_GOLDEN");
    if (update && strcmp(update, "1") == 0) {
        assert_int_equal(cairo_surface_write_to_png(actual, reference), CAIRO_STATUS_SUCCESS);
        print_message("updated %s\n", reference);
    } else {
        cairo_surface_t *expected = cairo_image_surface_create_from_png(reference);
        if (cairo_surface_status(expected) != CAIRO_STATUS_SUCCESS)
            fail_msg("%s: cannot read %s (%s); run scripts/update-golden.sh to create it", gc->name, reference,
                     cairo_status_to_string(cairo_surface_status(expected)));
        char why[512];
        bool match = frames_match(gc, actual, expected, why, sizeof why);
        cairo_surface_destroy(expected);
        if (!match) fail_msg("%s", why);
    }
    cairo_surface_destroy(actual);
}

/* The comparison itself must be able to fail: a frame compared with a copy
 * carrying a visible change is rejected. */
static void test_comparison_detects_change(void **state)
{
    (void)state;
    cairo_surface_t *a = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 100, 100);
    cairo_surface_t *b = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 100, 100);
    cairo_t *ca = cairo_create(a), *cb = cairo_create(b);
    cairo_set_source_rgb(ca, 1, 1, 1);
    cairo_paint(ca);
    cairo_set_source_rgb(cb, 1, 1, 1);
    cairo_paint(cb);
    cairo_set_source_rgb(cb, 0, 0, 0);
    cairo_rectangle(cb, 10, 10, 3, 3); /* 9 pixels: 0.09%, under the count limit... */
    cairo_fill(cb);
    cairo_destroy(ca);
    cairo_destroy(cb);
    golden_case gc = {.name = "self-check"};
    char why[512];
    assert_true(frames_match(&gc, a, b, why, sizeof why)); /* ...and under the mean limit: tolerated */
    cairo_t *c2 = cairo_create(b);
    cairo_set_source_rgb(c2, 0, 0, 0);
    cairo_rectangle(c2, 50, 50, 10, 10); /* a 10x10 box: 1% of the frame */
    cairo_fill(c2);
    cairo_destroy(c2);
    assert_false(frames_match(&gc, a, b, why, sizeof why));
    assert_non_null(strstr(why, "of pixels differ"));
    cairo_surface_destroy(a);
    cairo_surface_destroy(b);
}

static size_t load_cases(golden_case *cases)
{
    FILE *fp = fopen("tests/golden/cases.tsv", "r");
    if (!fp) {
        fprintf(stderr, "cannot open tests/golden/cases.tsv: %s\n", strerror(errno));
        exit(1);
    }
    char line[1024];
    size_t count = 0;
    while (fgets(line, sizeof line, fp)) {
        if (line[0] == '#' || line[0] == '\n') continue;
        golden_case *gc = &cases[count];
        int fields = count == MAX_CASES ? 0
                                        : sscanf(line, "%63[^\t]\t%255[^\t]\t%31[^\t]\t%31[^\t\n]\t%63[^\t\n]", gc->name,
                                                 gc->input, gc->at, gc->size, gc->overlays);
        if (fields == 4) snprintf(gc->overlays, sizeof gc->overlays, "none");
        if (fields < 4) {
            fprintf(stderr, "tests/golden/cases.tsv: bad line: %s", line);
            exit(1);
        }
        count++;
    }
    fclose(fp);
    return count;
}

int main(void)
{
    static golden_case cases[MAX_CASES];
    size_t count = load_cases(cases);
    struct CMUnitTest tests[MAX_CASES + 1];
    tests[0] = (struct CMUnitTest)cmocka_unit_test(test_comparison_detects_change);
    for (size_t i = 0; i < count; i++) {
        tests[i + 1] = (struct CMUnitTest)cmocka_unit_test_prestate(test_golden_case, &cases[i]);
        tests[i + 1].name = cases[i].name;
    }
    return _cmocka_run_group_tests("golden", tests, count + 1, NULL, NULL);
}
