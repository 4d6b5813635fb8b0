#include "encode/yuv_convert.h"

#include <libavutil/common.h>
#include <libavutil/mem.h>
#include <libavutil/pixfmt.h>
#include <libswscale/swscale.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Rows compared, and converted, together (even). */
#define BAND_ROWS 32
/* Rows converted above and below a band and dropped (even): libswscale's
 * vertical chroma filter reads neighbouring rows and clamps at the edges of
 * what it is given, so a band converted alone differs from the whole
 * conversion in its outer rows. Measured: from 4 rows up they match; twice
 * that for a filter that may reach further. */
#define MARGIN_ROWS 8
/* Bytes a scratch row and plane are aligned to (libavutil's largest). */
#define SCRATCH_ALIGN 64
/* Heights of the band conversions: the first, the middle and the last bands
 * (and, for short frames, a few more). */
#define MAX_BAND_CONTEXTS 6

typedef struct band_context {
    int height;
    struct SwsContext *sws;
} band_context;

struct reelay_yuv_converter {
    int width, height;
    struct SwsContext *whole;
    band_context bands[MAX_BAND_CONTEXTS];
    uint8_t *scratch; /* one band with its margins: Y, then U, then V */
    uint8_t *scratch_planes[3];
    int scratch_stride[3];
};

/* Cairo's little-endian B,G,R,X bytes; the X byte is ignored. BITEXACT and
 * ACCURATE_RND make the conversion the same on every CPU. FULL_CHR_H_INP
 * filters chroma from every input pixel (sharper colour edges on text) and
 * measured about twice as fast at 822x1828. */
static struct SwsContext *make_context(int width, int height)
{
    struct SwsContext *sws =
        sws_getContext(width, height, AV_PIX_FMT_BGR0, width, height, AV_PIX_FMT_YUV420P,
                       SWS_BILINEAR | SWS_ACCURATE_RND | SWS_BITEXACT | SWS_FULL_CHR_H_INP, NULL, NULL, NULL);
    if (!sws) return NULL;
    /* Full-range RGB in, BT.709 limited range out, matching the stream tags. */
    const int *bt709 = sws_getCoefficients(SWS_CS_ITU709);
    if (sws_setColorspaceDetails(sws, bt709, 1, bt709, 0, 0, 1 << 16, 1 << 16) < 0) {
        sws_freeContext(sws);
        return NULL;
    }
    return sws;
}

int reelay_yuv_converter_new(int width, int height, reelay_yuv_converter **out, reelay_err *err)
{
    *out = NULL;
    if (width <= 0 || height <= 0 || width % 2 || height % 2)
        return reelay_err_set(err, REELAY_E_INTERNAL, "cannot convert %dx%d frames (even sizes only)", width, height);
    reelay_yuv_converter *c = calloc(1, sizeof *c);
    if (!c) return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory for a frame converter");
    c->width = width;
    c->height = height;
    c->whole = make_context(width, height);
    /* Rows aligned as libavutil aligns a frame's: libswscale takes another
     * (not always bit-identical) path for unaligned rows. */
    int luma_stride = FFALIGN(width, SCRATCH_ALIGN), chroma_stride = FFALIGN(width / 2, SCRATCH_ALIGN);
    size_t rows = BAND_ROWS + 2 * MARGIN_ROWS;
    size_t luma = (size_t)luma_stride * rows, chroma = (size_t)chroma_stride * (rows / 2);
    c->scratch = av_malloc(luma + 2 * chroma);
    if (!c->whole || !c->scratch) {
        reelay_yuv_converter_free(c);
        return reelay_err_set(err, REELAY_E_INTERNAL, "libswscale cannot convert BGRA to yuv420p BT.709");
    }
    c->scratch_planes[0] = c->scratch;
    c->scratch_planes[1] = c->scratch + luma;
    c->scratch_planes[2] = c->scratch + luma + chroma;
    c->scratch_stride[0] = luma_stride;
    c->scratch_stride[1] = c->scratch_stride[2] = chroma_stride;
    *out = c;
    return REELAY_OK;
}

void reelay_yuv_converter_free(reelay_yuv_converter *c)
{
    if (!c) return;
    sws_freeContext(c->whole);
    for (int i = 0; i < MAX_BAND_CONTEXTS; i++) sws_freeContext(c->bands[i].sws);
    av_free(c->scratch);
    free(c);
}

int reelay_yuv_convert(reelay_yuv_converter *c, const uint8_t *bgra, int stride, uint8_t *const dst[3],
                       const int dst_stride[3], reelay_err *err)
{
    const uint8_t *src[4] = {bgra, NULL, NULL, NULL};
    const int src_stride[4] = {stride, 0, 0, 0};
    if (sws_scale(c->whole, src, src_stride, 0, c->height, dst, dst_stride) != c->height)
        return reelay_err_set(err, REELAY_E_INTERNAL, "libswscale failed to convert a frame");
    return REELAY_OK;
}

/* The context converting `height` rows, made on first use; NULL when out
 * of memory or of room (then the caller converts the whole frame). */
static struct SwsContext *band_context_for(reelay_yuv_converter *c, int height)
{
    for (int i = 0; i < MAX_BAND_CONTEXTS; i++) {
        band_context *b = &c->bands[i];
        if (b->sws && b->height == height) return b->sws;
        if (!b->sws) {
            b->sws = make_context(c->width, height);
            b->height = height;
            return b->sws;
        }
    }
    return NULL;
}

static bool rows_differ(const uint8_t *a, const uint8_t *b, int stride, int width, int from, int to)
{
    size_t row_bytes = (size_t)width * 4;
    for (int y = from; y < to; y++)
        if (memcmp(a + (size_t)y * stride, b + (size_t)y * stride, row_bytes) != 0) return true;
    return false;
}

/* Rows [from, to) of bgra into dst: converted with their margins into the
 * scratch band, then only their own rows copied. False when no context. */
static bool convert_band(reelay_yuv_converter *c, const uint8_t *bgra, int stride, uint8_t *const dst[3],
                         const int dst_stride[3], int from, int to)
{
    int band_from = from - MARGIN_ROWS > 0 ? from - MARGIN_ROWS : 0;
    int band_to = to + MARGIN_ROWS < c->height ? to + MARGIN_ROWS : c->height;
    int band_height = band_to - band_from;
    struct SwsContext *sws = band_context_for(c, band_height);
    if (!sws) return false;
    const uint8_t *src[4] = {bgra + (size_t)band_from * stride, NULL, NULL, NULL};
    const int src_stride[4] = {stride, 0, 0, 0};
    if (sws_scale(sws, src, src_stride, 0, band_height, c->scratch_planes, c->scratch_stride) != band_height)
        return false;
    for (int plane = 0; plane < 3; plane++) {
        int shift = plane ? 1 : 0;
        int first = from >> shift, last = to >> shift, skip = (from - band_from) >> shift;
        size_t bytes = (size_t)(c->width >> shift);
        for (int y = first; y < last; y++)
            memcpy(dst[plane] + (size_t)y * dst_stride[plane],
                   c->scratch_planes[plane] + (size_t)(skip + y - first) * c->scratch_stride[plane], bytes);
    }
    return true;
}

int reelay_yuv_convert_changed(reelay_yuv_converter *c, const uint8_t *bgra, const uint8_t *previous, int stride,
                               uint8_t *const dst[3], const int dst_stride[3], int *rows_converted,
                               reelay_err *err)
{
    if (rows_converted) *rows_converted = 0;
    int converted = 0;
    for (int from = 0; from < c->height; from += BAND_ROWS) {
        int to = from + BAND_ROWS < c->height ? from + BAND_ROWS : c->height;
        /* a band's chroma rows read the rows around it too */
        int reach_from = from - MARGIN_ROWS > 0 ? from - MARGIN_ROWS : 0;
        int reach_to = to + MARGIN_ROWS < c->height ? to + MARGIN_ROWS : c->height;
        if (!rows_differ(bgra, previous, stride, c->width, reach_from, reach_to)) continue;
        if (!convert_band(c, bgra, stride, dst, dst_stride, from, to)) {
            int rc = reelay_yuv_convert(c, bgra, stride, dst, dst_stride, err);
            if (rc == REELAY_OK && rows_converted) *rows_converted = c->height;
            return rc;
        }
        converted += to - from;
    }
    if (rows_converted) *rows_converted = converted;
    return REELAY_OK;
}
