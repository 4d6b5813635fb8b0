/* BGRA → yuv420p: converting only the changed bands of a frame gives the
 * very bytes of a whole conversion, wherever the changes lie and whatever
 * the frame's height (bands, margins and the frame's edges). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <libavutil/imgutils.h>
#include <libavutil/mem.h>

#include "encode/yuv_convert.h"

/* Planes as libavutil lays out a frame's (the encoder's pictures): rows
 * aligned, so libswscale takes the paths it takes for them. */
typedef struct planes {
    uint8_t *data[4];
    int stride[4];
    size_t size[3];
} planes;

static void planes_new(planes *p, int width, int height)
{
    assert_true(av_image_alloc(p->data, p->stride, width, height, AV_PIX_FMT_YUV420P, 64) > 0);
    p->size[0] = (size_t)p->stride[0] * height;
    p->size[1] = (size_t)p->stride[1] * (height / 2);
    p->size[2] = (size_t)p->stride[2] * (height / 2);
    for (int i = 0; i < 3; i++) memset(p->data[i], 0, p->size[i]);
}

static void assert_planes_equal(const planes *a, const planes *b, int width, int height)
{
    for (int i = 0; i < 3; i++) {
        int rows = i ? height / 2 : height, bytes = i ? width / 2 : width;
        for (int y = 0; y < rows; y++)
            assert_memory_equal(a->data[i] + (size_t)y * a->stride[i], b->data[i] + (size_t)y * b->stride[i],
                                bytes);
    }
}

static void planes_free(planes *p)
{
    av_freep(&p->data[0]);
}

/* Colour edges and noise everywhere: the chroma filter has work at every row. */
static void paint_noise(uint8_t *bgra, int width, uint32_t seed, int from, int to)
{
    uint32_t x = seed * 2654435761u + 1;
    for (int y = from; y < to; y++)
        for (int i = 0; i < width * 4; i++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            bgra[(size_t)y * width * 4 + i] = (uint8_t)((i % 4 == 3) ? 0xff : (x >> 8) ^ (y * 7));
        }
}

/* Converts `after` as a change from `before`, rows [from, to) changed, and
 * compares with the whole conversion; returns the rows converted. */
static int check_change(reelay_yuv_converter *c, int width, int height, int from, int to)
{
    size_t bytes = (size_t)width * 4 * height;
    uint8_t *before = malloc(bytes), *after = malloc(bytes);
    assert_non_null(before);
    assert_non_null(after);
    paint_noise(before, width, 1, 0, height);
    memcpy(after, before, bytes);
    paint_noise(after, width, 2, from, to);
    planes whole, changed;
    planes_new(&whole, width, height);
    planes_new(&changed, width, height);
    reelay_err err;
    reelay_err_clear(&err);
    assert_int_equal(reelay_yuv_convert(c, before, width * 4, changed.data, changed.stride, &err), REELAY_OK);
    assert_int_equal(reelay_yuv_convert(c, after, width * 4, whole.data, whole.stride, &err), REELAY_OK);
    int rows = -1;
    assert_int_equal(reelay_yuv_convert_changed(c, after, before, width * 4, changed.data, changed.stride, &rows,
                                                &err),
                     REELAY_OK);
    assert_planes_equal(&whole, &changed, width, height);
    planes_free(&whole);
    planes_free(&changed);
    free(before);
    free(after);
    return rows;
}

static void test_changed_bands_match_whole(void **state)
{
    (void)state;
    static const int sizes[][2] = {{1210, 828}, {130, 96}, {64, 40}, {200, 34}, {16, 2}, {48, 66}};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        int width = sizes[s][0], height = sizes[s][1];
        reelay_yuv_converter *c = NULL;
        reelay_err err;
        reelay_err_clear(&err);
        assert_int_equal(reelay_yuv_converter_new(width, height, &c, &err), REELAY_OK);
        /* the top rows, one row inside a band, the rows around a band
         * boundary, the last row of a band alone and the first (whose
         * neighbours' chroma they change), the last rows, everything,
         * nothing */
        const int changes[][2] = {{0, 1},   {height / 2, height / 2 + 1}, {31, 33}, {31, 32}, {32, 33},
                                  {63, 64}, {height - 1, height},          {0, height}, {0, 0}};
        for (size_t i = 0; i < sizeof changes / sizeof changes[0]; i++) {
            int from = changes[i][0] < height ? changes[i][0] : height - 1;
            int to = changes[i][1] <= height ? changes[i][1] : height;
            if (from < 0) from = 0;
            int rows = check_change(c, width, height, from, to);
            if (from == to) assert_int_equal(rows, 0);
            else assert_true(rows > 0 && rows <= height);
        }
        reelay_yuv_converter_free(c);
    }
}

static void test_small_change_converts_few_rows(void **state)
{
    (void)state;
    reelay_yuv_converter *c = NULL;
    reelay_err err;
    reelay_err_clear(&err);
    assert_int_equal(reelay_yuv_converter_new(1210, 828, &c, &err), REELAY_OK);
    /* a pointer's worth of rows: one or two bands, not the frame */
    int rows = check_change(c, 1210, 828, 400, 420);
    assert_true(rows >= 20 && rows <= 64);
    reelay_yuv_converter_free(c);
}

static void test_odd_size_refused(void **state)
{
    (void)state;
    reelay_yuv_converter *c = NULL;
    reelay_err err;
    reelay_err_clear(&err);
    assert_int_not_equal(reelay_yuv_converter_new(101, 40, &c, &err), REELAY_OK);
    assert_null(c);
    assert_non_null(strstr(err.msg, "101x40"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_changed_bands_match_whole),
        cmocka_unit_test(test_small_change_converts_few_rows),
        cmocka_unit_test(test_odd_size_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
