/* Unit tests for src/encode/still: PNG and lossless WebP stills chosen by
 * extension, decoded back (Cairo for PNG, libwebp for WebP) to check size
 * and exact colours, straight alpha from Cairo's premultiplied pixels,
 * refused extensions, and atomic writes (no .partial, nothing on failure). */
#include "test_support.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <webp/decode.h>

#include "encode/still.h"

enum { W = 67, H = 41 }; /* odd sizes: no encoder gets an easy case */

/* Quadrants: red, green / blue, white; in ARGB32 the bottom-right one is
 * half-transparent orange instead. */
static cairo_surface_t *make_surface(cairo_format_t format)
{
    cairo_surface_t *surface = cairo_image_surface_create(format, W, H);
    cairo_t *cr = cairo_create(surface);
    cairo_set_operator(cr, CAIRO_OPERATOR_SOURCE);
    const double colours[4][4] = {{1, 0, 0, 1}, {0, 1, 0, 1}, {0, 0, 1, 1}, {1, 0.5, 0, 0.5}};
    for (int q = 0; q < 4; q++) {
        const double *c = colours[q];
        if (q == 3 && format == CAIRO_FORMAT_RGB24)
            cairo_set_source_rgb(cr, 1, 1, 1);
        else
            cairo_set_source_rgba(cr, c[0], c[1], c[2], c[3]);
        cairo_rectangle(cr, q % 2 ? W / 2 : 0, q / 2 ? H / 2 : 0, q % 2 ? W - W / 2 : W / 2, q / 2 ? H - H / 2 : H / 2);
        cairo_fill(cr);
    }
    cairo_destroy(cr);
    return surface;
}

typedef struct rgba {
    int r, g, b, a;
} rgba;

/* Expected straight-alpha colour at (x, y) of make_surface(format). */
static rgba expected(cairo_format_t format, int x, int y)
{
    int q = (x >= W / 2) + 2 * (y >= H / 2);
    static const rgba opaque[4] = {{255, 0, 0, 255}, {0, 255, 0, 255}, {0, 0, 255, 255}, {255, 255, 255, 255}};
    if (q == 3 && format == CAIRO_FORMAT_ARGB32) return (rgba){255, 128, 0, 128};
    return opaque[q];
}

static void expect_pixel(rgba got, rgba want, int x, int y)
{
    /* Cairo stores 8-bit premultiplied channels, so half-transparent colours
     * come back to within one level. */
    if (abs(got.r - want.r) > 1 || abs(got.g - want.g) > 1 || abs(got.b - want.b) > 1 || abs(got.a - want.a) > 1)
        fail_msg("(%d,%d): got %d,%d,%d,%d, want %d,%d,%d,%d", x, y, got.r, got.g, got.b, got.a, want.r, want.g, want.b,
                 want.a);
}

static void check_webp(const char *path, cairo_format_t format)
{
    size_t len;
    char *bytes = ts_read_text(path, &len);
    int width, height;
    uint8_t *pixels = WebPDecodeRGBA((const uint8_t *)bytes, len, &width, &height);
    assert_non_null(pixels);
    assert_int_equal(width, W);
    assert_int_equal(height, H);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            const uint8_t *p = pixels + ((size_t)y * W + (size_t)x) * 4;
            expect_pixel((rgba){p[0], p[1], p[2], p[3]}, expected(format, x, y), x, y);
        }
    WebPFree(pixels);
    free(bytes);
}

static void check_png(const char *path)
{
    cairo_surface_t *surface = cairo_image_surface_create_from_png(path);
    assert_int_equal(cairo_surface_status(surface), CAIRO_STATUS_SUCCESS);
    assert_int_equal(cairo_image_surface_get_width(surface), W);
    assert_int_equal(cairo_image_surface_get_height(surface), H);
    const unsigned char *data = cairo_image_surface_get_data(surface);
    int stride = cairo_image_surface_get_stride(surface);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            uint32_t px = ((const uint32_t *)(const void *)(data + (size_t)y * (size_t)stride))[x];
            expect_pixel((rgba){px >> 16 & 0xff, px >> 8 & 0xff, px & 0xff, 255}, expected(CAIRO_FORMAT_RGB24, x, y),
                         x, y);
        }
    cairo_surface_destroy(surface);
}

typedef struct fixture {
    char dir[64];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f) return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/reelay-still-XXXXXX");
    if (!mkdtemp(f->dir)) return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    const char *names[] = {"a.png", "b.webp", "c.WebP", "d.PNG", "x.webp", "keep.webp"};
    char path[160];
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        snprintf(path, sizeof path, "%s/%s", f->dir, names[i]);
        unlink(path);
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

static char *in_dir(const fixture *f, const char *name)
{
    static char path[160];
    snprintf(path, sizeof path, "%s/%s", f->dir, name);
    return path;
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static int exists_partial(const char *path)
{
    char partial[200];
    snprintf(partial, sizeof partial, "%s.partial", path);
    return exists(partial);
}

static void write_ok(cairo_surface_t *surface, const char *path)
{
    reelay_err err;
    reelay_err_clear(&err);
    int rc = reelay_write_still(surface, path, &err);
    if (rc != REELAY_OK) fail_msg("%s: %d %s", path, rc, err.msg);
    assert_true(exists(path));
    assert_false(exists_partial(path));
}

static void test_png_by_extension(void **state)
{
    fixture *f = *state;
    cairo_surface_t *surface = make_surface(CAIRO_FORMAT_RGB24);
    write_ok(surface, in_dir(f, "a.png"));
    check_png(in_dir(f, "a.png"));
    write_ok(surface, in_dir(f, "d.PNG"));
    check_png(in_dir(f, "d.PNG"));
    cairo_surface_destroy(surface);
}

static void test_webp_lossless_rgb24(void **state)
{
    fixture *f = *state;
    cairo_surface_t *surface = make_surface(CAIRO_FORMAT_RGB24);
    write_ok(surface, in_dir(f, "b.webp"));
    check_webp(in_dir(f, "b.webp"), CAIRO_FORMAT_RGB24);
    write_ok(surface, in_dir(f, "c.WebP"));
    check_webp(in_dir(f, "c.WebP"), CAIRO_FORMAT_RGB24);
    cairo_surface_destroy(surface);
}

static void test_webp_straight_alpha_from_argb32(void **state)
{
    fixture *f = *state;
    cairo_surface_t *surface = make_surface(CAIRO_FORMAT_ARGB32);
    write_ok(surface, in_dir(f, "b.webp"));
    check_webp(in_dir(f, "b.webp"), CAIRO_FORMAT_ARGB32);
    cairo_surface_destroy(surface);
}

static void test_unknown_extension_refused(void **state)
{
    fixture *f = *state;
    cairo_surface_t *surface = make_surface(CAIRO_FORMAT_RGB24);
    const char *names[] = {"x.jpg", "x", "x.png.tmp", "x.webp/", "x.webpx", "png"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        reelay_err err;
        reelay_err_clear(&err);
        assert_int_equal(reelay_write_still(surface, in_dir(f, names[i]), &err), REELAY_E_USAGE);
        assert_int_equal(err.code, REELAY_E_USAGE);
        assert_non_null(strstr(err.msg, ".png"));
        assert_non_null(strstr(err.msg, ".webp"));
        assert_false(exists(in_dir(f, names[i])));
        assert_false(exists_partial(in_dir(f, names[i])));
    }
    /* A dot in a directory name is not an extension. */
    reelay_err err;
    assert_int_equal(reelay_write_still(surface, "/tmp/dir.png/still", &err), REELAY_E_USAGE);
    cairo_surface_destroy(surface);
}

static void test_failures_leave_nothing(void **state)
{
    fixture *f = *state;
    cairo_surface_t *surface = make_surface(CAIRO_FORMAT_RGB24);
    reelay_err err;
    char path[200];
    snprintf(path, sizeof path, "%s/missing/x.webp", f->dir);
    assert_int_equal(reelay_write_still(surface, path, &err), REELAY_E_IO);
    snprintf(path, sizeof path, "%s/missing/x.png", f->dir);
    assert_int_equal(reelay_write_still(surface, path, &err), REELAY_E_IO);
    cairo_surface_destroy(surface);

    /* A surface WebP cannot take fails before anything is created, and an
     * existing file of that name is left as it was. */
    const char *keep = in_dir(f, "keep.webp");
    FILE *fp = fopen(keep, "w");
    assert_non_null(fp);
    fputs("old", fp);
    fclose(fp);
    cairo_surface_t *a8 = cairo_image_surface_create(CAIRO_FORMAT_A8, 4, 4);
    assert_int_equal(reelay_write_still(a8, keep, &err), REELAY_E_INTERNAL);
    cairo_surface_destroy(a8);
    cairo_surface_t *wide = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 16384, 2);
    assert_int_equal(reelay_write_still(wide, keep, &err), REELAY_E_USAGE);
    cairo_surface_destroy(wide);
    assert_false(exists_partial(keep));
    size_t len;
    char *text = ts_read_text(keep, &len);
    assert_string_equal(text, "old");
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_png_by_extension, setup, teardown),
        cmocka_unit_test_setup_teardown(test_webp_lossless_rgb24, setup, teardown),
        cmocka_unit_test_setup_teardown(test_webp_straight_alpha_from_argb32, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_extension_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failures_leave_nothing, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
