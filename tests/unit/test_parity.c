/* Parity with PostHog's player: reelay's mobile frames compared, by SSIM, with
 * frames PostHog's own pipeline rendered for the same recordings
 * (../shared/fixtures/reference/posthog-player/, beside the repository; its
 * README says how they were made). Each instant of a recording's times.tsv is
 * rendered at the reference's size with the sans-serif default font the
 * references were made with, and must reach that instant's floor; the median
 * over the recording must reach the recording's floor. The floors sit just
 * under what reelay reaches, so a regression fails.
 *
 * REELAY_PARITY_OUT=DIR also writes reelay's frames there (NAME_T.png), for
 * looking at them side by side with the references. Without the references
 * (a checkout on its own) the test is skipped with a message. */
#include "test_support.h"

#include <cairo.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ingest/ingest.h"
#include "renderers/frame/frame.h"

#define REFERENCE_DIR "../shared/fixtures/reference/posthog-player"
#define MAX_INSTANTS 64

/* SSIM as Wang et al. (2004): an 11x11 gaussian window (sigma 1.5) over luma,
 * constants for 8-bit values, averaged over the windows inside the image. */
#define SSIM_RADIUS 5
#define SSIM_SIGMA 1.5
#define SSIM_C1 ((0.01 * 255) * (0.01 * 255))
#define SSIM_C2 ((0.03 * 255) * (0.03 * 255))

/* An instant known to differ for reasons that are the viewer's, or the
 * player's own misbehaviour, with the floor it is held to instead. */
typedef struct parity_exception {
    const char *at; /* as written in times.tsv */
    double floor;
    const char *why;
} parity_exception;

typedef struct parity_recording {
    const char *name;
    double median_floor; /* the recording's median SSIM must reach this */
    double instant_floor; /* every other instant must reach this */
    const parity_exception *exceptions;
} parity_recording;

/* Measured 2026-12 (reelay / the reference): fixtures-test-inputs median
 * 0.9987, fixtures-wireframe-variants 0.9948, synthetic-extras 0.9985. The
 * floors sit a little under what is reached. */
static const parity_exception TEST_INPUTS_EXCEPTIONS[] = {
    {"3", 0.09, "undecodable image: Chromium shows a broken-image icon, reelay the labelled image placeholder"},
    {"5", 0.09, "undecodable image: Chromium shows a broken-image icon, reelay the labelled image placeholder"},
    {NULL, 0, NULL},
};

static const parity_exception VARIANTS_EXCEPTIONS[] = {
    {"13.6", 0.96, "a 30px checkbox: Chrome's tick is drawn a little differently at that size"},
    {"14.6", 0.79, "labelled toggle: reelay keeps the switch on the label's row (an app's switch row)"},
    {"16.6", 0.80, "labelled toggle: reelay keeps the switch on the label's row (an app's switch row)"},
    {"23.6", 0.89, "spinner: the reference was captured with animations paused, reelay's turns with time"},
    {"24.6", 0.95, "indeterminate bar: the reference's animation is paused, reelay's chunk moves with time"},
    {NULL, 0, NULL},
};

static const parity_exception SYNTHETIC_EXCEPTIONS[] = {
    {"9.6", 0.96, "labelled toggle: reelay keeps the switch on the label's row (an app's switch row)"},
    {NULL, 0, NULL},
};

static const parity_recording RECORDINGS[] = {
    {"fixtures-test-inputs", 0.995, 0.985, TEST_INPUTS_EXCEPTIONS},
    {"fixtures-wireframe-variants", 0.99, 0.975, VARIANTS_EXCEPTIONS},
    {"synthetic-extras", 0.995, 0.98, SYNTHETIC_EXCEPTIONS},
};

/* ------------------------------------------------------------------------ */
/* SSIM                                                                     */

/* Luma (BT.601) of an RGB24/ARGB32 image surface, one float per pixel. */
static float *surface_luma(cairo_surface_t *surface)
{
    cairo_surface_flush(surface);
    int w = cairo_image_surface_get_width(surface), h = cairo_image_surface_get_height(surface);
    int stride = cairo_image_surface_get_stride(surface);
    const unsigned char *data = cairo_image_surface_get_data(surface);
    float *luma = malloc((size_t)w * (size_t)h * sizeof *luma);
    assert_non_null(luma);
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            uint32_t p;
            memcpy(&p, data + (size_t)y * (size_t)stride + (size_t)x * 4, 4);
            luma[(size_t)y * (size_t)w + (size_t)x] =
                (float)(0.299 * ((p >> 16) & 0xFF) + 0.587 * ((p >> 8) & 0xFF) + 0.114 * (p & 0xFF));
        }
    }
    return luma;
}

static void gaussian_weights(double weights[2 * SSIM_RADIUS + 1])
{
    double sum = 0;
    for (int i = -SSIM_RADIUS; i <= SSIM_RADIUS; i++) {
        weights[i + SSIM_RADIUS] = exp(-(double)(i * i) / (2 * SSIM_SIGMA * SSIM_SIGMA));
        sum += weights[i + SSIM_RADIUS];
    }
    for (int i = 0; i < 2 * SSIM_RADIUS + 1; i++) weights[i] /= sum;
}

/* The five windowed moments (means, variances' and covariance's raw sums)
 * for the window centred at each inside pixel: a horizontal pass over the
 * whole image, then a vertical one per output pixel. */
enum { M_A, M_B, M_AA, M_BB, M_AB, MOMENTS };

static double ssim_of_lumas(const float *a, const float *b, int w, int h)
{
    const int d = 2 * SSIM_RADIUS + 1;
    if (w < d || h < d) return 0;
    double weights[2 * SSIM_RADIUS + 1];
    gaussian_weights(weights);
    int ow = w - d + 1, oh = h - d + 1;
    size_t plane = (size_t)ow * (size_t)h;
    double *rows = malloc(plane * MOMENTS * sizeof *rows);
    assert_non_null(rows);
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < ow; x++) {
            double m[MOMENTS] = {0};
            for (int k = 0; k < d; k++) {
                size_t i = (size_t)y * (size_t)w + (size_t)(x + k);
                double va = a[i], vb = b[i], wk = weights[k];
                m[M_A] += wk * va;
                m[M_B] += wk * vb;
                m[M_AA] += wk * va * va;
                m[M_BB] += wk * vb * vb;
                m[M_AB] += wk * va * vb;
            }
            for (int j = 0; j < MOMENTS; j++) rows[j * plane + (size_t)y * (size_t)ow + (size_t)x] = m[j];
        }
    }
    double total = 0;
    for (int y = 0; y < oh; y++) {
        for (int x = 0; x < ow; x++) {
            double m[MOMENTS] = {0};
            for (int k = 0; k < d; k++)
                for (int j = 0; j < MOMENTS; j++)
                    m[j] += weights[k] * rows[j * plane + (size_t)(y + k) * (size_t)ow + (size_t)x];
            double var_a = m[M_AA] - m[M_A] * m[M_A], var_b = m[M_BB] - m[M_B] * m[M_B];
            double cov = m[M_AB] - m[M_A] * m[M_B];
            total += ((2 * m[M_A] * m[M_B] + SSIM_C1) * (2 * cov + SSIM_C2)) /
                     ((m[M_A] * m[M_A] + m[M_B] * m[M_B] + SSIM_C1) * (var_a + var_b + SSIM_C2));
        }
    }
    free(rows);
    return total / ((double)ow * oh);
}

/* SSIM of two image surfaces of the same size. */
static double ssim(cairo_surface_t *a, cairo_surface_t *b)
{
    int w = cairo_image_surface_get_width(a), h = cairo_image_surface_get_height(a);
    assert_int_equal(w, cairo_image_surface_get_width(b));
    assert_int_equal(h, cairo_image_surface_get_height(b));
    float *la = surface_luma(a), *lb = surface_luma(b);
    double s = ssim_of_lumas(la, lb, w, h);
    free(la);
    free(lb);
    return s;
}

/* ------------------------------------------------------------------------ */
/* The references                                                           */

typedef struct parity_instant {
    char at[32]; /* as the PNG is named: the seconds with no trailing zeros ("3", "0.6") */
    double seconds;
} parity_instant;

static bool references_present(void)
{
    struct stat st;
    return stat(REFERENCE_DIR "/README.md", &st) == 0;
}

/* The instants of a recording's times.tsv ("seconds<TAB>label" lines). */
static size_t load_instants(const char *name, parity_instant *out)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s/times.tsv", REFERENCE_DIR, name);
    FILE *f = fopen(path, "r");
    if (!f) fail_msg("cannot open %s", path);
    size_t n = 0;
    char line[1024];
    while (n < MAX_INSTANTS && fgets(line, sizeof line, f)) {
        size_t len = strcspn(line, "\t\r\n");
        char *end = NULL;
        out[n].seconds = strtod(line, &end);
        if (len == 0 || end != line + len) continue;
        snprintf(out[n].at, sizeof out[n].at, "%g", out[n].seconds);
        n++;
    }
    fclose(f);
    return n;
}

/* The instant's stated floor: its exception's, else the recording's. */
static const parity_exception *exception_for(const parity_recording *rec, const char *at)
{
    for (const parity_exception *e = rec->exceptions; e->at; e++)
        if (strcmp(e->at, at) == 0) return e;
    return NULL;
}

static cairo_surface_t *render_instant(reelay_frame_maker *maker, const reelay_session *session, double seconds,
                                       int width, int height)
{
    reelay_err err;
    reelay_err_clear(&err);
    if (reelay_frame_maker_seek(maker, session->first_ts + seconds * 1000.0, NULL, &err) != REELAY_OK)
        fail_msg("seek to %.3f: %s", seconds, err.msg);
    cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
    reelay_frame_info info;
    if (reelay_frame_maker_paint(maker, surface, &info, &err) != REELAY_OK) fail_msg("paint: %s", err.msg);
    return surface;
}

static void save_actual(const char *name, const char *at, cairo_surface_t *surface)
{
    const char *dir = getenv("REELAY_PARITY_OUT");
    if (!dir || !dir[0]) return;
    mkdir(dir, 0777);
    char path[4096];
    if (snprintf(path, sizeof path, "%s/%s_%s.png", dir, name, at) < (int)sizeof path)
        cairo_surface_write_to_png(surface, path);
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void test_recording(void **state)
{
    const parity_recording *rec = *state;
    if (!references_present()) {
        print_message("skipped: no references at %s (they live beside the repository)\n", REFERENCE_DIR);
        skip();
    }
    parity_instant instants[MAX_INSTANTS];
    size_t count = load_instants(rec->name, instants);
    assert_true(count > 0);
    char path[512];
    snprintf(path, sizeof path, "%s/%s/recording.json", REFERENCE_DIR, rec->name);
    reelay_session *session = ts_session_from_path(path);
    reelay_err err;
    reelay_err_clear(&err);
    reelay_frame_options options = {.default_font = REELAY_DEFAULT_FONT_SANS};
    reelay_frame_maker *maker = reelay_frame_maker_new(session, &options, &err);
    if (!maker) fail_msg("%s: %s", rec->name, err.msg);
    reelay_frame_maker_set_overlays(maker, REELAY_OVERLAY_NONE);

    double scores[MAX_INSTANTS];
    char failures[2048] = "";
    size_t used = 0;
    for (size_t i = 0; i < count; i++) {
        if (snprintf(path, sizeof path, "%s/%s/ph_%s.png", REFERENCE_DIR, rec->name, instants[i].at) >=
            (int)sizeof path)
            fail_msg("path too long");
        cairo_surface_t *expected = cairo_image_surface_create_from_png(path);
        if (cairo_surface_status(expected) != CAIRO_STATUS_SUCCESS) fail_msg("cannot read %s", path);
        cairo_surface_t *actual = render_instant(maker, session, instants[i].seconds,
                                                 cairo_image_surface_get_width(expected),
                                                 cairo_image_surface_get_height(expected));
        save_actual(rec->name, instants[i].at, actual);
        scores[i] = ssim(actual, expected);
        const parity_exception *e = exception_for(rec, instants[i].at);
        double floor = e ? e->floor : rec->instant_floor;
        print_message("%s t=%s SSIM %.4f (floor %.3f%s%s)\n", rec->name, instants[i].at, scores[i], floor,
                      e ? ": " : "", e ? e->why : "");
        if (scores[i] < floor && used < sizeof failures)
            used += (size_t)snprintf(failures + used, sizeof failures - used, " t=%s %.4f < %.3f;", instants[i].at,
                                     scores[i], floor);
        cairo_surface_destroy(actual);
        cairo_surface_destroy(expected);
    }
    reelay_frame_maker_free(maker);
    reelay_session_free(session);

    qsort(scores, count, sizeof scores[0], compare_doubles);
    double median = count % 2 ? scores[count / 2] : (scores[count / 2 - 1] + scores[count / 2]) / 2;
    print_message("%s: median SSIM %.4f (floor %.3f), min %.4f over %zu instants\n", rec->name, median,
                  rec->median_floor, scores[0], count);
    if (failures[0]) fail_msg("%s: instants under their floor:%s", rec->name, failures);
    if (median < rec->median_floor) fail_msg("%s: median SSIM %.4f < %.3f", rec->name, median, rec->median_floor);
}

/* The measure itself: identical images score 1, a shifted copy clearly less,
 * and a blank image against a drawn one far less. */
static void test_ssim_measure(void **state)
{
    (void)state;
    cairo_surface_t *a = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 64, 64);
    cairo_surface_t *b = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 64, 64);
    cairo_surface_t *blank = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 64, 64);
    cairo_t *ca = cairo_create(a), *cb = cairo_create(b), *cblank = cairo_create(blank);
    cairo_t *all[3] = {ca, cb, cblank};
    for (int i = 0; i < 3; i++) {
        cairo_set_source_rgb(all[i], 1, 1, 1);
        cairo_paint(all[i]);
        cairo_set_source_rgb(all[i], 0, 0, 0);
    }
    for (int i = 0; i < 8; i++) {
        cairo_rectangle(ca, 4 + i * 7, 10, 3, 40);
        cairo_rectangle(cb, 5 + i * 7, 10, 3, 40);
    }
    cairo_fill(ca);
    cairo_fill(cb);
    for (int i = 0; i < 3; i++) cairo_destroy(all[i]);
    assert_true(fabs(ssim(a, a) - 1.0) < 1e-9);
    double shifted = ssim(a, b), empty = ssim(a, blank);
    assert_true(shifted < 0.9);
    assert_true(empty < shifted);
    cairo_surface_destroy(a);
    cairo_surface_destroy(b);
    cairo_surface_destroy(blank);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ssim_measure),
        cmocka_unit_test_prestate(test_recording, (void *)&RECORDINGS[0]),
        cmocka_unit_test_prestate(test_recording, (void *)&RECORDINGS[1]),
        cmocka_unit_test_prestate(test_recording, (void *)&RECORDINGS[2]),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
