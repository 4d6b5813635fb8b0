#include "encode/preview.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <webp/encode.h>
#include <webp/mux.h>

#include "core/atomic_file.h"

/* WebP's bitstream stores dimensions in 14 bits. */
#define WEBP_MAX_SIDE 16383
#define MAX_FPS 120.0

/* Frame times are doubles that often come from frame counts (n * 1000/30),
 * so a frame exactly 1/max_fps after the last kept one may land a hair
 * short of it; WebP timestamps are whole milliseconds anyway. */
#define GAP_TOLERANCE_MS 0.5


struct reelay_preview {
    int src_width, src_height;
    int width, height; /* the canvas: scaled, even */
    double min_gap_ms;
    double max_duration_ms;
    WebPAnimEncoder *encoder;
    WebPConfig config;
    reelay_atomic_file file;
    int failed;
    int seen;           /* any frame given to add, kept or not */
    double last_ms;     /* out_ms of the last frame given to add */
    int kept;           /* frames handed to the encoder */
    double first_ms;    /* out_ms of the first kept frame: time 0 of the preview */
    double last_kept_ms;
    int last_timestamp; /* of the last encoded frame, in preview milliseconds */
    uint8_t *previous;  /* the last kept source frame, packed rows */
};

reelay_preview_options reelay_preview_defaults(void)
{
    return (reelay_preview_options){.max_width = 480, .max_fps = 12, .quality = 60, .max_duration_ms = 0};
}

/* Width max_width at most, never upscaled, both sides even (rounded to the
 * nearest even height, so the aspect error stays under one pixel). */
static void canvas_size(const reelay_preview_options *o, int *width, int *height)
{
    int w = o->src_width < o->max_width ? o->src_width : o->max_width;
    w &= ~1;
    long h = 2 * lround((double)o->src_height * w / o->src_width / 2);
    *width = w;
    *height = h < 2 ? 2 : h > INT_MAX ? INT_MAX : (int)h;
}

static int check_options(const reelay_preview_options *o, reelay_err *err)
{
    if (!o->path || !o->path[0]) return reelay_err_set(err, REELAY_E_USAGE, "preview: no output path");
    if (o->src_width < 2 || o->src_height < 2)
        return reelay_err_set(err, REELAY_E_USAGE, "preview: frame size %dx%d is too small (2x2 at least)",
                              o->src_width, o->src_height);
    if (o->max_width < 2 || o->max_width > WEBP_MAX_SIDE)
        return reelay_err_set(err, REELAY_E_USAGE, "preview: width must be 2..%d, not %d", WEBP_MAX_SIDE,
                              o->max_width);
    if (!(o->max_fps > 0 && o->max_fps <= MAX_FPS))
        return reelay_err_set(err, REELAY_E_USAGE, "preview: frame rate must be above 0 and at most %g, not %g",
                              MAX_FPS, o->max_fps);
    if (o->quality < 0 || o->quality > 100)
        return reelay_err_set(err, REELAY_E_USAGE, "preview: quality must be 0..100, not %d", o->quality);
    if (!(o->max_duration_ms >= 0 && isfinite(o->max_duration_ms)))
        return reelay_err_set(err, REELAY_E_USAGE, "preview: maximum duration must be 0 (none) or more, not %g",
                              o->max_duration_ms);
    int width, height;
    canvas_size(o, &width, &height);
    if (height > WEBP_MAX_SIDE)
        return reelay_err_set(err, REELAY_E_USAGE, "preview: %dx%d frames scale to %dx%d, taller than WebP allows (%d)",
                              o->src_width, o->src_height, width, height, WEBP_MAX_SIDE);
    return REELAY_OK;
}

static int setup_encoder(reelay_preview *p, int quality, reelay_err *err)
{
    WebPAnimEncoderOptions anim;
    if (!WebPAnimEncoderOptionsInit(&anim) || !WebPConfigPreset(&p->config, WEBP_PRESET_DEFAULT, (float)quality))
        return reelay_err_set(err, REELAY_E_INTERNAL, "libwebp version mismatch");
    anim.anim_params.loop_count = 0; /* forever */
    /* Key frames only help seeking, which nobody does in a preview; without
     * them every frame is a changed rectangle, and the encoder never holds
     * more than the previous frame back. */
    anim.kmax = INT_MAX;
    anim.kmin = INT_MAX - 1;
    anim.minimize_size = 0; /* tries every dispose/blend pair: twice the time for a few percent */
    /* Trying lossless for each frame as well saved nothing on UI frames
     * (text and photos alike) and costs a second encode. */
    anim.allow_mixed = 0;
    /* method 4 (libwebp's default): 2 is 25% faster and 5% larger, 6 is 4x
     * slower and 2% smaller. */
    p->config.method = 4;
    p->config.thread_level = 0;
    if (!WebPValidateConfig(&p->config)) return reelay_err_set(err, REELAY_E_INTERNAL, "libwebp refused the preview settings");
    p->encoder = WebPAnimEncoderNew(p->width, p->height, &anim);
    if (!p->encoder) return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    return REELAY_OK;
}

static void release(reelay_preview *p)
{
    free(p->previous);
    WebPAnimEncoderDelete(p->encoder);
    reelay_atomic_abort(&p->file);
    free(p);
}

int reelay_preview_open(const reelay_preview_options *options, reelay_preview **out, reelay_err *err)
{
    *out = NULL;
    int rc = check_options(options, err);
    if (rc != REELAY_OK) return rc;
    reelay_preview *p = calloc(1, sizeof *p);
    if (!p) return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    p->src_width = options->src_width;
    p->src_height = options->src_height;
    canvas_size(options, &p->width, &p->height);
    p->min_gap_ms = 1000.0 / options->max_fps - GAP_TOLERANCE_MS;
    p->max_duration_ms = options->max_duration_ms;
    p->previous = malloc((size_t)p->src_width * 4 * (size_t)p->src_height);
    if (!p->previous) {
        free(p);
        return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    }
    rc = reelay_atomic_begin_with(&p->file, options->path, options->write, err);
    if (rc != REELAY_OK) {
        free(p->previous);
        free(p);
        return rc;
    }
    rc = setup_encoder(p, options->quality, err);
    if (rc != REELAY_OK) {
        release(p);
        return rc;
    }
    *out = p;
    return REELAY_OK;
}

static int fail(reelay_preview *p, reelay_err *err, const char *what)
{
    p->failed = 1;
    return reelay_err_set(err, REELAY_E_INTERNAL, "preview: %s", what);
}

/* Scales and encodes one kept frame. */
static int encode_frame(reelay_preview *p, const uint8_t *bgra, int stride, int timestamp, reelay_err *err)
{
    WebPPicture picture;
    if (!WebPPictureInit(&picture)) return fail(p, err, "libwebp version mismatch");
    picture.use_argb = 1;
    picture.width = p->src_width;
    picture.height = p->src_height;
    int ok = WebPPictureImportBGRX(&picture, bgra, stride);
    if (ok && (p->width != p->src_width || p->height != p->src_height))
        ok = WebPPictureRescale(&picture, p->width, p->height);
    if (!ok) {
        WebPPictureFree(&picture);
        return fail(p, err, "out of memory");
    }
    ok = WebPAnimEncoderAdd(p->encoder, &picture, timestamp, &p->config);
    WebPPictureFree(&picture);
    if (!ok) {
        p->failed = 1;
        return reelay_err_set(err, REELAY_E_INTERNAL, "preview: libwebp: %s", WebPAnimEncoderGetError(p->encoder));
    }
    return REELAY_OK;
}

static int same_as_previous(const reelay_preview *p, const uint8_t *bgra, int stride)
{
    size_t row = (size_t)p->src_width * 4;
    for (int y = 0; y < p->src_height; y++)
        if (memcmp(p->previous + row * (size_t)y, bgra + (size_t)stride * (size_t)y, row) != 0) return 0;
    return 1;
}

static void keep_as_previous(reelay_preview *p, const uint8_t *bgra, int stride)
{
    size_t row = (size_t)p->src_width * 4;
    for (int y = 0; y < p->src_height; y++) memcpy(p->previous + row * (size_t)y, bgra + (size_t)stride * (size_t)y, row);
}

int reelay_preview_add(reelay_preview *p, const uint8_t *bgra, int stride, double out_ms, reelay_err *err)
{
    if (p->failed) return reelay_err_set(err, REELAY_E_INTERNAL, "preview: used after a failure");
    if (!bgra || stride / 4 < p->src_width) return fail(p, err, "frame buffer missing or stride too small");
    if (!isfinite(out_ms)) return fail(p, err, "frame time is not a number");
    if (p->seen && out_ms < p->last_ms) {
        p->failed = 1;
        return reelay_err_set(err, REELAY_E_INTERNAL, "preview: frame time goes back (%.3f ms after %.3f ms)", out_ms,
                              p->last_ms);
    }
    p->seen = 1;
    p->last_ms = out_ms;
    if (p->kept > 0) {
        double since_first = out_ms - p->first_ms;
        if (p->max_duration_ms > 0 && since_first >= p->max_duration_ms) return REELAY_OK;
        if (out_ms - p->last_kept_ms < p->min_gap_ms) return REELAY_OK;
        if (since_first > INT_MAX / 2) return fail(p, err, "preview is too long");
    }
    if (p->kept == 0) p->first_ms = out_ms;
    p->kept++;
    p->last_kept_ms = out_ms;
    /* Sessions sit still most of the time. The encoder would find such a
     * frame unchanged too and just lengthen the previous one, but only after
     * scaling it (most of the cost of a frame); a compare against the last
     * kept source frame costs a tenth of that. */
    if (p->kept > 1 && same_as_previous(p, bgra, stride)) return REELAY_OK;
    int timestamp = (int)lround(out_ms - p->first_ms);
    int rc = encode_frame(p, bgra, stride, timestamp, err);
    if (rc != REELAY_OK) return rc;
    p->last_timestamp = timestamp;
    keep_as_previous(p, bgra, stride);
    return REELAY_OK;
}

static int assemble_and_write(reelay_preview *p, double end_ms, int64_t *bytes_out, reelay_atomic_file *held,
                              reelay_err *err)
{
    if (p->failed) return reelay_err_set(err, REELAY_E_INTERNAL, "preview: used after a failure");
    if (p->kept == 0) return reelay_err_set(err, REELAY_E_INTERNAL, "preview: no frames");
    if (!isfinite(end_ms) || end_ms < p->last_ms)
        return reelay_err_set(err, REELAY_E_INTERNAL, "preview: end %.3f ms is before the last frame (%.3f ms)", end_ms,
                              p->last_ms);
    double duration = end_ms - p->first_ms;
    if (p->max_duration_ms > 0 && duration > p->max_duration_ms) duration = p->max_duration_ms;
    if (duration > INT_MAX / 2) return reelay_err_set(err, REELAY_E_INTERNAL, "preview: preview is too long");
    /* A last frame of 0 ms would be shown for a browser's default (100 ms). */
    int end = (int)lround(duration);
    if (end <= p->last_timestamp) end = p->last_timestamp + 1;

    WebPData data;
    WebPDataInit(&data);
    if (!WebPAnimEncoderAdd(p->encoder, NULL, end, NULL) || !WebPAnimEncoderAssemble(p->encoder, &data)) {
        WebPDataClear(&data);
        return reelay_err_set(err, REELAY_E_INTERNAL, "preview: libwebp: %s", WebPAnimEncoderGetError(p->encoder));
    }
    /* The encoded frames are in data now: free them before the write. */
    WebPAnimEncoderDelete(p->encoder);
    p->encoder = NULL;
    size_t size = data.size;
    errno = 0;
    int written = fwrite(data.bytes, 1, size, p->file.fp) == size;
    int saved = errno ? errno : EIO; /* the reason, for the message: disk full, file too large */
    WebPDataClear(&data);
    if (!written) return reelay_err_set(err, REELAY_E_IO, "%s: cannot write: %s", p->file.final_path, strerror(saved));
    int rc = reelay_atomic_finish(&p->file, held, err);
    if (rc != REELAY_OK) return rc;
    if (bytes_out) *bytes_out = (int64_t)size;
    return REELAY_OK;
}

int reelay_preview_finish(reelay_preview *preview, double end_ms, int64_t *bytes_out, reelay_err *err)
{
    return reelay_preview_finish_held(preview, end_ms, bytes_out, NULL, err);
}

int reelay_preview_finish_held(reelay_preview *preview, double end_ms, int64_t *bytes_out, reelay_atomic_file *held,
                               reelay_err *err)
{
    if (!preview) return reelay_err_set(err, REELAY_E_INTERNAL, "preview: not open");
    int rc = assemble_and_write(preview, end_ms, bytes_out, held, err);
    release(preview);
    return rc;
}

void reelay_preview_abort(reelay_preview *preview)
{
    if (preview) release(preview);
}
