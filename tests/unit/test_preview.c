/* Unit tests for src/encode/preview: animated WebP previews written from
 * synthetic frames (a red block moving over grey, a still blue block) and
 * decoded back with libwebp's WebPAnimDecoder: canvas size, frame-rate
 * capping, frame durations, colours, merged identical frames, the loop
 * count, determinism, the duration cap, and that failures leave no file. */
#include "test_support.h"

#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <webp/demux.h>

#include "encode/preview.h"

/* ------------------------------------------------------------- helpers */

/* Source frames: 640x360 unless a test says otherwise. */
enum { SRC_W = 640, SRC_H = 360, BLOCK_W = 160, BLOCK_H = 90, BLOCK_Y = 40 };

typedef struct rgb {
    int r, g, b;
} rgb;

static const rgb GREY = {128, 128, 128};
static const rgb RED = {230, 20, 20};
static const rgb BLUE = {20, 40, 220};

/* Where frame i's red block starts: 16 px further each frame, so every
 * source frame differs from the one before. */
static int block_x(int i)
{
    return i * 16 % (SRC_W - BLOCK_W);
}

static void fill(uint8_t *bgra, int stride, int x0, int y0, int w, int h, rgb c)
{
    for (int y = y0; y < y0 + h; y++) {
        uint8_t *px = bgra + (size_t)y * (size_t)stride + (size_t)x0 * 4;
        for (int x = 0; x < w; x++, px += 4) {
            px[0] = (uint8_t)c.b;
            px[1] = (uint8_t)c.g;
            px[2] = (uint8_t)c.r;
            px[3] = 0; /* alpha is ignored: RGB24's undefined byte */
        }
    }
}

/* Frame i of the moving-block animation in a buffer of stride bytes a row
 * (the padding beyond the pixels is garbage on purpose). */
static void draw_frame(uint8_t *bgra, int stride, int i)
{
    memset(bgra, 0x5a, (size_t)stride * SRC_H);
    fill(bgra, stride, 0, 0, SRC_W, SRC_H, GREY);
    fill(bgra, stride, block_x(i), BLOCK_Y, BLOCK_W, BLOCK_H, RED);
    fill(bgra, stride, SRC_W - BLOCK_W, SRC_H - BLOCK_H, BLOCK_W, BLOCK_H, BLUE);
}

typedef struct decoded {
    int width, height;
    int loop_count;
    int count;
    int end_ms[1024];     /* when each frame stops showing */
    uint8_t *rgba[1024];  /* each frame as shown, width * height * 4 */
} decoded;

static decoded *decode_file(const char *path)
{
    size_t len;
    char *bytes = ts_read_text(path, &len);
    WebPData data = {(const uint8_t *)bytes, len};
    WebPAnimDecoderOptions options;
    assert_true(WebPAnimDecoderOptionsInit(&options));
    options.color_mode = MODE_RGBA;
    options.use_threads = 0;
    WebPAnimDecoder *decoder = WebPAnimDecoderNew(&data, &options);
    if (!decoder) fail_msg("%s: not a WebP libwebp can decode", path);
    WebPAnimInfo info;
    assert_true(WebPAnimDecoderGetInfo(decoder, &info));
    decoded *d = calloc(1, sizeof *d);
    assert_non_null(d);
    d->width = (int)info.canvas_width;
    d->height = (int)info.canvas_height;
    d->loop_count = (int)info.loop_count;
    size_t frame_bytes = (size_t)d->width * (size_t)d->height * 4;
    while (WebPAnimDecoderHasMoreFrames(decoder)) {
        assert_true(d->count < 1024);
        uint8_t *pixels;
        int timestamp;
        assert_true(WebPAnimDecoderGetNext(decoder, &pixels, &timestamp));
        d->end_ms[d->count] = timestamp;
        d->rgba[d->count] = malloc(frame_bytes);
        assert_non_null(d->rgba[d->count]);
        memcpy(d->rgba[d->count], pixels, frame_bytes);
        d->count++;
    }
    assert_int_equal(d->count, (int)info.frame_count);
    WebPAnimDecoderDelete(decoder);
    free(bytes);
    return d;
}

static void decoded_free(decoded *d)
{
    for (int i = 0; i < d->count; i++) free(d->rgba[i]);
    free(d);
}

static int duration(const decoded *d, int frame)
{
    return d->end_ms[frame] - (frame > 0 ? d->end_ms[frame - 1] : 0);
}

static void expect_colour(const decoded *d, int frame, int x, int y, rgb want)
{
    const uint8_t *px = d->rgba[frame] + ((size_t)y * (size_t)d->width + (size_t)x) * 4;
    /* Lossy at quality 60: flat areas come back within a few levels. */
    const int tolerance = 20;
    if (abs(px[0] - want.r) > tolerance || abs(px[1] - want.g) > tolerance || abs(px[2] - want.b) > tolerance ||
        px[3] != 255)
        fail_msg("frame %d at (%d,%d): got %d,%d,%d,%d, want %d,%d,%d,255", frame, x, y, px[0], px[1], px[2], px[3],
                 want.r, want.g, want.b);
}

typedef struct fixture {
    char dir[64];
    char path[128];    /* dir/out.webp */
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f) return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/reelay-preview-XXXXXX");
    if (!mkdtemp(f->dir)) return -1;
    snprintf(f->path, sizeof f->path, "%s/out.webp", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    DIR *dir = opendir(f->dir);
    if (dir) {
        struct dirent *entry;
        char path[512];
        while ((entry = readdir(dir))) {
            if (entry->d_name[0] == '.') continue;
            snprintf(path, sizeof path, "%s/%s", f->dir, entry->d_name);
            if (unlink(path) != 0) rmdir(path);
        }
        closedir(dir);
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

static reelay_preview_options options_for(const char *path)
{
    reelay_preview_options o = reelay_preview_defaults();
    o.path = path;
    o.src_width = SRC_W;
    o.src_height = SRC_H;
    o.max_width = 320;
    return o;
}

static reelay_preview *open_ok(const reelay_preview_options *o)
{
    reelay_preview *preview = NULL;
    reelay_err err;
    reelay_err_clear(&err);
    int rc = reelay_preview_open(o, &preview, &err);
    if (rc != REELAY_OK) fail_msg("open: %d %s", rc, err.msg);
    assert_non_null(preview);
    return preview;
}

/* Source frame i shown at i * 1000 / fps, for count frames; the preview
 * ends one source frame after the last. Returns the file's size. */
static int64_t write_animation(const reelay_preview_options *o, int count, double fps)
{
    reelay_preview *preview = open_ok(o);
    int stride = SRC_W * 4 + 12;
    uint8_t *frame = malloc((size_t)stride * SRC_H);
    assert_non_null(frame);
    reelay_err err;
    for (int i = 0; i < count; i++) {
        draw_frame(frame, stride, i);
        int rc = reelay_preview_add(preview, frame, stride, i * 1000.0 / fps, &err);
        if (rc != REELAY_OK) fail_msg("add %d: %s", i, err.msg);
    }
    free(frame);
    int64_t bytes = -1;
    int rc = reelay_preview_finish(preview, count * 1000.0 / fps, &bytes, &err);
    if (rc != REELAY_OK) fail_msg("finish: %s", err.msg);
    return bytes;
}

/* Writes a one-frame preview of a w x h source and returns its canvas. */
static void canvas_for(const char *path, int src_w, int src_h, int max_width, int *w, int *h)
{
    reelay_preview_options o = options_for(path);
    o.src_width = src_w;
    o.src_height = src_h;
    o.max_width = max_width;
    reelay_preview *preview = open_ok(&o);
    uint8_t *frame = calloc((size_t)src_w * (size_t)src_h, 4);
    assert_non_null(frame);
    reelay_err err;
    assert_int_equal(reelay_preview_add(preview, frame, src_w * 4, 0, &err), REELAY_OK);
    free(frame);
    assert_int_equal(reelay_preview_finish(preview, 500, NULL, &err), REELAY_OK);
    decoded *d = decode_file(path);
    *w = d->width;
    *h = d->height;
    decoded_free(d);
}

/* --------------------------------------------------------------- tests */

static void test_defaults(void **state)
{
    (void)state;
    reelay_preview_options o = reelay_preview_defaults();
    assert_int_equal(o.max_width, 480);
    assert_true(o.max_fps == 12);
    assert_int_equal(o.quality, 60);
    assert_true(o.max_duration_ms == 0);
    assert_null(o.path);
}

static void test_canvas_scaled_even_aspect_kept(void **state)
{
    fixture *f = *state;
    int w, h;
    /* A 1080x2400 phone: 480 x 1066.7, rounded to the nearest even height. */
    canvas_for(f->path, 1080, 2400, 480, &w, &h);
    assert_int_equal(w, 480);
    assert_int_equal(h, 1066);
    /* Odd target width comes down to even; 700 * 332 / 1000 = 232.4. */
    canvas_for(f->path, 1000, 700, 333, &w, &h);
    assert_int_equal(w, 332);
    assert_int_equal(h, 232);
    /* Never upscaled. */
    canvas_for(f->path, 200, 100, 480, &w, &h);
    assert_int_equal(w, 200);
    assert_int_equal(h, 100);
    /* An odd source loses a column to stay even: 101 * 200 / 201 = 100.5 -> 100. */
    canvas_for(f->path, 201, 101, 480, &w, &h);
    assert_int_equal(w, 200);
    assert_int_equal(h, 100);
}

static void test_fps_cap_30_source(void **state)
{
    fixture *f = *state;
    reelay_preview_options o = options_for(f->path);
    /* 2 s at 30 fps, capped at 12: a kept frame needs 83.3 ms since the
     * last, so every third one (100 ms apart) is kept. */
    int64_t bytes = write_animation(&o, 60, 30);
    assert_true(bytes > 0);
    decoded *d = decode_file(f->path);
    assert_int_equal(d->width, 320);
    assert_int_equal(d->height, 180);
    assert_int_equal(d->count, 20);
    for (int k = 0; k < d->count; k++) assert_int_equal(duration(d, k), 100);
    assert_int_equal(d->end_ms[d->count - 1], 2000);
    decoded_free(d);
}

static void test_fps_cap_60_source(void **state)
{
    fixture *f = *state;
    reelay_preview_options o = options_for(f->path);
    /* 2 s at 60 fps: every fifth frame (83.3 ms) is kept, despite 5 * 1000/60
     * falling a hair under 1000/12 in floating point. */
    write_animation(&o, 120, 60);
    decoded *d = decode_file(f->path);
    assert_int_equal(d->count, 24);
    for (int k = 0; k < d->count; k++) {
        assert_true(duration(d, k) == 83 || duration(d, k) == 84);
        /* Whole milliseconds, rounded from the exact times: no drift. */
        assert_int_equal(d->end_ms[k], (int)lround((k + 1) * 1000.0 / 12));
    }
    assert_int_equal(d->end_ms[d->count - 1], 2000);
    decoded_free(d);
}

static void test_slow_source_keeps_every_frame(void **state)
{
    fixture *f = *state;
    reelay_preview_options o = options_for(f->path);
    write_animation(&o, 10, 10);
    decoded *d = decode_file(f->path);
    assert_int_equal(d->count, 10);
    for (int k = 0; k < d->count; k++) assert_int_equal(duration(d, k), 100);
    decoded_free(d);
}

static void test_colours_follow_the_moving_block(void **state)
{
    fixture *f = *state;
    reelay_preview_options o = options_for(f->path);
    write_animation(&o, 30, 30);
    decoded *d = decode_file(f->path);
    assert_int_equal(d->count, 10);
    for (int k = 0; k < d->count; k++) {
        int x = block_x(3 * k) / 2; /* kept frame k is source frame 3k, at half size */
        expect_colour(d, k, x + BLOCK_W / 4, (BLOCK_Y + BLOCK_H / 2) / 2, RED);
        expect_colour(d, k, (SRC_W - BLOCK_W / 2) / 2, (SRC_H - BLOCK_H / 2) / 2, BLUE);
        /* Below the block's row, left of the blue one: background. */
        expect_colour(d, k, 40, 160, GREY);
        /* Just left of the block (or right of it at the start): background. */
        int bx = x >= 20 ? x - 10 : x + BLOCK_W / 2 + 10;
        expect_colour(d, k, bx, (BLOCK_Y + BLOCK_H / 2) / 2, GREY);
    }
    decoded_free(d);
}

static void test_identical_frames_are_merged(void **state)
{
    fixture *f = *state;
    reelay_preview_options o = options_for(f->path);
    o.max_fps = 30;
    reelay_preview *preview = open_ok(&o);
    int stride = SRC_W * 4;
    uint8_t *frame = malloc((size_t)stride * SRC_H);
    assert_non_null(frame);
    reelay_err err;
    /* One second of the same picture, then a change for half a second. The
     * odd frames differ in the ignored alpha byte only: not the same bytes,
     * but the same picture, which the encoder merges in turn. */
    draw_frame(frame, stride, 0);
    for (int i = 0; i < 30; i++) {
        frame[3] = (uint8_t)(i % 2 ? 0xff : 0);
        assert_int_equal(reelay_preview_add(preview, frame, stride, i * 100 / 3.0, &err), REELAY_OK);
    }
    draw_frame(frame, stride, 5);
    assert_int_equal(reelay_preview_add(preview, frame, stride, 1000, &err), REELAY_OK);
    free(frame);
    int64_t bytes;
    assert_int_equal(reelay_preview_finish(preview, 1500, &bytes, &err), REELAY_OK);
    decoded *d = decode_file(f->path);
    assert_int_equal(d->count, 2);
    assert_int_equal(duration(d, 0), 1000);
    assert_int_equal(duration(d, 1), 500);
    expect_colour(d, 1, block_x(5) / 2 + 20, (BLOCK_Y + BLOCK_H / 2) / 2, RED);
    decoded_free(d);
}

static void test_loops_forever(void **state)
{
    fixture *f = *state;
    reelay_preview_options o = options_for(f->path);
    write_animation(&o, 6, 10);
    decoded *d = decode_file(f->path);
    assert_true(d->count > 1);
    assert_int_equal(d->loop_count, 0);
    decoded_free(d);
}

static void test_deterministic(void **state)
{
    fixture *f = *state;
    reelay_preview_options o = options_for(f->path);
    int64_t first_bytes = write_animation(&o, 45, 30);
    size_t len1, len2;
    char *first = ts_read_text(f->path, &len1);
    assert_int_equal((int64_t)len1, first_bytes);
    int64_t second_bytes = write_animation(&o, 45, 30);
    char *second = ts_read_text(f->path, &len2);
    assert_int_equal(first_bytes, second_bytes);
    assert_int_equal(len1, len2);
    assert_memory_equal(first, second, len1);
    free(first);
    free(second);
    assert_int_equal(ts_dir_entries(f->dir), 1); /* out.webp alone: no temporary file left */
}

static void test_duration_cap(void **state)
{
    fixture *f = *state;
    reelay_preview_options o = options_for(f->path);
    o.max_duration_ms = 1000;
    /* 3 s of 10 fps frames: those from 1 s on are dropped, and the end is
     * held to the cap. */
    write_animation(&o, 30, 10);
    decoded *d = decode_file(f->path);
    assert_int_equal(d->count, 10);
    assert_int_equal(d->end_ms[d->count - 1], 1000);
    decoded_free(d);
}

static void test_frames_start_late(void **state)
{
    fixture *f = *state;
    reelay_preview_options o = options_for(f->path);
    reelay_preview *preview = open_ok(&o);
    int stride = SRC_W * 4;
    uint8_t *frame = malloc((size_t)stride * SRC_H);
    assert_non_null(frame);
    reelay_err err;
    /* Output time need not start at 0: the preview starts at its first frame. */
    for (int i = 0; i < 4; i++) {
        draw_frame(frame, stride, i);
        assert_int_equal(reelay_preview_add(preview, frame, stride, 5000 + i * 250, &err), REELAY_OK);
    }
    free(frame);
    assert_int_equal(reelay_preview_finish(preview, 6000, NULL, &err), REELAY_OK);
    decoded *d = decode_file(f->path);
    assert_int_equal(d->count, 4);
    for (int k = 0; k < 4; k++) assert_int_equal(duration(d, k), 250);
    decoded_free(d);
}

static void test_abort_leaves_nothing(void **state)
{
    fixture *f = *state;
    reelay_preview_options o = options_for(f->path);
    reelay_preview *preview = open_ok(&o);
    int stride = SRC_W * 4;
    uint8_t *frame = malloc((size_t)stride * SRC_H);
    assert_non_null(frame);
    reelay_err err;
    for (int i = 0; i < 5; i++) {
        draw_frame(frame, stride, i);
        assert_int_equal(reelay_preview_add(preview, frame, stride, i * 100.0, &err), REELAY_OK);
    }
    free(frame);
    reelay_preview_abort(preview);
    assert_int_equal(ts_dir_entries(f->dir), 0);
    reelay_preview_abort(NULL);
    reelay_preview_abort(open_ok(&o));
    assert_int_equal(ts_dir_entries(f->dir), 0);
}

static void test_unwritable_destination(void **state)
{
    fixture *f = *state;
    char path[256];
    snprintf(path, sizeof path, "%s/missing/out.webp", f->dir);
    reelay_preview_options o = options_for(path);
    reelay_preview *preview = (reelay_preview *)&o; /* must be reset to NULL */
    reelay_err err;
    assert_int_equal(reelay_preview_open(&o, &preview, &err), REELAY_E_IO);
    assert_int_equal(err.code, REELAY_E_IO);
    assert_null(preview);
    assert_int_equal(ts_dir_entries(f->dir), 0);

    /* The name is a directory: known at open, nothing made. */
    snprintf(path, sizeof path, "%s/taken.webp", f->dir);
    assert_int_equal(mkdir(path, 0700), 0);
    o.path = path;
    assert_int_equal(reelay_preview_open(&o, &preview, &err), REELAY_E_IO);
    assert_true(err.flags & REELAY_ERR_LASTING);
    assert_non_null(strstr(err.msg, "Is a directory"));
    assert_null(preview);
    assert_int_equal(ts_dir_entries(f->dir), 1); /* only the directory */
}

static void test_bad_options(void **state)
{
    fixture *f = *state;
    struct {
        const char *field;
        reelay_preview_options o;
    } cases[9];
    int n = 0;
    reelay_preview_options good = options_for(f->path);
    for (int i = 0; i < 9; i++) cases[i].o = good;
    cases[n].field = "path", cases[n++].o.path = NULL;
    cases[n].field = "path", cases[n++].o.path = "";
    cases[n].field = "frame size", cases[n++].o.src_width = 0;
    cases[n].field = "frame size", cases[n++].o.src_height = 1;
    cases[n].field = "width", cases[n++].o.max_width = 1;
    cases[n].field = "frame rate", cases[n++].o.max_fps = 0;
    cases[n].field = "frame rate", cases[n++].o.max_fps = NAN;
    cases[n].field = "quality", cases[n++].o.quality = 101;
    cases[n].field = "duration", cases[n++].o.max_duration_ms = -1;
    for (int i = 0; i < n; i++) {
        reelay_preview *preview = (reelay_preview *)&good;
        reelay_err err;
        reelay_err_clear(&err);
        assert_int_equal(reelay_preview_open(&cases[i].o, &preview, &err), REELAY_E_USAGE);
        assert_null(preview);
        if (!strstr(err.msg, cases[i].field)) fail_msg("case %d: \"%s\" does not name %s", i, err.msg, cases[i].field);
    }
    /* A canvas taller than WebP allows. */
    good.src_width = 100;
    good.src_height = 20000;
    reelay_preview *preview;
    reelay_err err;
    assert_int_equal(reelay_preview_open(&good, &preview, &err), REELAY_E_USAGE);
    assert_int_equal(ts_dir_entries(f->dir), 0);
}

static void test_misuse_is_internal_and_leaves_nothing(void **state)
{
    fixture *f = *state;
    reelay_preview_options o = options_for(f->path);
    uint8_t *frame = calloc((size_t)SRC_W * SRC_H, 4);
    assert_non_null(frame);
    reelay_err err;

    reelay_preview *preview = open_ok(&o);
    assert_int_equal(reelay_preview_finish(preview, 100, NULL, &err), REELAY_E_INTERNAL); /* no frames */
    assert_int_equal(ts_dir_entries(f->dir), 0);

    preview = open_ok(&o);
    assert_int_equal(reelay_preview_add(preview, frame, SRC_W * 4, 500, &err), REELAY_OK);
    assert_int_equal(reelay_preview_add(preview, frame, SRC_W * 4, 499, &err), REELAY_E_INTERNAL);
    assert_int_equal(reelay_preview_finish(preview, 1000, NULL, &err), REELAY_E_INTERNAL); /* failed before */
    assert_int_equal(ts_dir_entries(f->dir), 0);

    preview = open_ok(&o);
    assert_int_equal(reelay_preview_add(preview, frame, SRC_W * 4 - 4, 0, &err), REELAY_E_INTERNAL);
    reelay_preview_abort(preview);

    preview = open_ok(&o);
    assert_int_equal(reelay_preview_add(preview, frame, SRC_W * 4, 0, &err), REELAY_OK);
    assert_int_equal(reelay_preview_add(preview, frame, SRC_W * 4, 40, &err), REELAY_OK); /* dropped, but seen */
    assert_int_equal(reelay_preview_finish(preview, 39, NULL, &err), REELAY_E_INTERNAL);
    assert_int_equal(ts_dir_entries(f->dir), 0);
    assert_int_equal(reelay_preview_finish(NULL, 0, NULL, &err), REELAY_E_INTERNAL);
    free(frame);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test_setup_teardown(test_canvas_scaled_even_aspect_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fps_cap_30_source, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fps_cap_60_source, setup, teardown),
        cmocka_unit_test_setup_teardown(test_slow_source_keeps_every_frame, setup, teardown),
        cmocka_unit_test_setup_teardown(test_colours_follow_the_moving_block, setup, teardown),
        cmocka_unit_test_setup_teardown(test_identical_frames_are_merged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_loops_forever, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deterministic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duration_cap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_frames_start_late, setup, teardown),
        cmocka_unit_test_setup_teardown(test_abort_leaves_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unwritable_destination, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_options, setup, teardown),
        cmocka_unit_test_setup_teardown(test_misuse_is_internal_and_leaves_nothing, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
