#include "renderers/paint/image.h"

#include <libavcodec/avcodec.h>
#include <libavutil/error.h>
#include <libavutil/log.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
#include <limits.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <webp/decode.h>

#include "core/base64.h"
#include "core/buf.h"

/* Bound on the compressed bytes of one image. A 16 M-pixel image compresses
 * far below this; the bound only stops a runaway payload early. */
#define MAX_ENCODED_BYTES ((size_t)128 << 20)
/* Bound on cache entries, so a recording full of distinct broken images
 * (negative entries cost no pixel bytes) cannot grow the cache forever. */
#define CACHE_MAX_ENTRIES 65536u
/* Direct-mapped table of source addresses seen recently (see address_hint). */
#define HINT_SLOTS 256u
#define NONE UINT32_MAX

/* ---------------------------------------------------------------- source */

/* Where the base64 payload of a source is, and the MIME type it was labelled
 * with (for messages only: the bytes' magic decides the format). */
typedef struct image_source {
    const char *payload;
    size_t len;
    char label[40];
} image_source;

static bool has_prefix_ci(const char *s, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    if (len < n) return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 'A' && c <= 'Z') c = (unsigned char)(c - 'A' + 'a');
        if (c != (unsigned char)prefix[i]) return false;
    }
    return true;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Copies untrusted label text into a message-safe buffer. */
static void copy_label(char *out, size_t size, const char *s, size_t len)
{
    size_t n = len < size - 1 ? len : size - 1;
    for (size_t i = 0; i < n; i++) out[i] = s[i] > ' ' && s[i] < 0x7f ? s[i] : '?';
    out[n] = '\0';
}

/* "data:<mime>[;param]*;base64,<payload>" or bare base64 (PNG by PostHog's
 * rule, mobile-wireframes.md §3.5). Parameters such as ";charset=utf-8" are
 * skipped; only the base64 encoding is supported. */
static int parse_source(const char *source, size_t len, image_source *src, reelay_err *err)
{
    while (len > 0 && is_blank(*source)) {
        source++;
        len--;
    }
    src->label[0] = '\0';
    if (has_prefix_ci(source, len, "url(") || has_prefix_ci(source, len, "http://") ||
        has_prefix_ci(source, len, "https://"))
        return reelay_err_set(err, REELAY_E_INPUT, "not an embedded image (a URL)");
    if (!has_prefix_ci(source, len, "data:")) {
        src->payload = source;
        src->len = len;
        return REELAY_OK;
    }
    const char *header = source + 5;
    const char *comma = memchr(header, ',', len - 5);
    if (!comma) return reelay_err_set(err, REELAY_E_INPUT, "data URI without a comma");
    const char *end = comma;
    const char *semi = memchr(header, ';', (size_t)(end - header));
    const char *mime_end = semi ? semi : end;
    copy_label(src->label, sizeof src->label, header, (size_t)(mime_end - header));
    bool base64 = false;
    for (const char *p = mime_end; p < end;) {
        const char *param = p + 1; /* after ';' */
        const char *next = memchr(param, ';', (size_t)(end - param));
        if (!next) next = end;
        const char *a = param, *b = next;
        while (a < b && is_blank(*a)) a++;
        while (b > a && is_blank(b[-1])) b--;
        if (has_prefix_ci(a, (size_t)(b - a), "base64") && b - a == 6) base64 = true;
        p = next;
    }
    if (!base64) return reelay_err_set(err, REELAY_E_INPUT, "data URI is not base64 (%s)", src->label);
    src->payload = comma + 1;
    src->len = len - (size_t)(src->payload - source);
    return REELAY_OK;
}

/* --------------------------------------------------------------- helpers */

static int check_pixels(long w, long h, size_t max_pixels, reelay_err *err)
{
    if (w <= 0 || h <= 0) return reelay_err_set(err, REELAY_E_INPUT, "image has no pixels (%ldx%ld)", w, h);
    if ((uint64_t)w * (uint64_t)h > max_pixels)
        return reelay_err_set(err, REELAY_E_INPUT, "image %ldx%ld exceeds the %zu-pixel limit", w, h, max_pixels);
    return REELAY_OK;
}

static int cairo_failure(cairo_status_t status, const char *what, reelay_err *err)
{
    if (status == CAIRO_STATUS_NO_MEMORY) return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory for %s", what);
    return reelay_err_set(err, REELAY_E_INPUT, "%s: %s", what, cairo_status_to_string(status));
}

static cairo_surface_t *new_surface(int w, int h, reelay_err *err)
{
    cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h);
    cairo_status_t status = cairo_surface_status(surface);
    if (status == CAIRO_STATUS_SUCCESS) return surface;
    cairo_surface_destroy(surface);
    cairo_failure(status, "an image surface", err);
    return NULL;
}

/* Every surface handed out is ARGB32, so painting and byte accounting have
 * one case: Cairo gives RGB24 for opaque PNGs, and newer Cairo versions give
 * float formats for 16-bit PNGs. Takes ownership of src. */
static cairo_surface_t *to_argb32(cairo_surface_t *src, reelay_err *err)
{
    if (cairo_image_surface_get_format(src) == CAIRO_FORMAT_ARGB32) return src;
    cairo_surface_t *dst = new_surface(cairo_image_surface_get_width(src), cairo_image_surface_get_height(src), err);
    if (dst) {
        cairo_t *cr = cairo_create(dst);
        cairo_set_operator(cr, CAIRO_OPERATOR_SOURCE);
        cairo_set_source_surface(cr, src, 0, 0);
        cairo_paint(cr);
        cairo_status_t status = cairo_status(cr);
        cairo_destroy(cr);
        if (status != CAIRO_STATUS_SUCCESS) {
            cairo_failure(status, "converting a PNG", err);
            cairo_surface_destroy(dst);
            dst = NULL;
        }
    }
    cairo_surface_destroy(src);
    return dst;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static unsigned be16(const unsigned char *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

/* ------------------------------------------------------------------- PNG */

typedef struct mem_reader {
    const unsigned char *data;
    size_t len, pos;
} mem_reader;

static cairo_status_t read_mem(void *closure, unsigned char *data, unsigned int length)
{
    mem_reader *r = closure;
    if (length > r->len - r->pos) return CAIRO_STATUS_READ_ERROR;
    memcpy(data, r->data + r->pos, length);
    r->pos += length;
    return CAIRO_STATUS_SUCCESS;
}

static cairo_surface_t *decode_png(const unsigned char *d, size_t n, size_t max_pixels, reelay_err *err)
{
    /* Cairo allocates the whole image as soon as libpng has read IHDR, so the
     * pixel bound must be applied before Cairo sees the data. libpng insists
     * that IHDR is the first chunk, so this is the size it will use. */
    if (n < 8 + 8 + 13 + 4) {
        reelay_err_set(err, REELAY_E_INPUT, "truncated PNG");
        return NULL;
    }
    if (be32(d + 8) != 13 || memcmp(d + 12, "IHDR", 4) != 0) {
        reelay_err_set(err, REELAY_E_INPUT, "corrupt PNG (no IHDR chunk first)");
        return NULL;
    }
    uint32_t w = be32(d + 16), h = be32(d + 20);
    if (w > INT32_MAX || h > INT32_MAX) {
        reelay_err_set(err, REELAY_E_INPUT, "corrupt PNG (size %" PRIu32 "x%" PRIu32 ")", w, h);
        return NULL;
    }
    if (check_pixels((long)w, (long)h, max_pixels, err) != REELAY_OK) return NULL;

    mem_reader reader = {d, n, 0};
    cairo_surface_t *surface = cairo_image_surface_create_from_png_stream(read_mem, &reader);
    cairo_status_t status = cairo_surface_status(surface);
    if (status != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(surface);
        /* Cairo 1.16 reports libpng's errors (bad CRC, bad deflate data...)
         * as CAIRO_STATUS_NO_MEMORY, so that status cannot be told from a
         * real shortage here. The size was bounded above, so blame the data. */
        if (status == CAIRO_STATUS_READ_ERROR)
            reelay_err_set(err, REELAY_E_INPUT, "truncated PNG");
        else
            reelay_err_set(err, REELAY_E_INPUT, "corrupt PNG");
        return NULL;
    }
    return to_argb32(surface, err);
}

/* ------------------------------------------------------------------ WebP */

static int webp_failure(VP8StatusCode status, reelay_err *err)
{
    switch (status) {
    case VP8_STATUS_OUT_OF_MEMORY: return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory decoding WebP");
    case VP8_STATUS_NOT_ENOUGH_DATA: return reelay_err_set(err, REELAY_E_INPUT, "truncated WebP");
    case VP8_STATUS_UNSUPPORTED_FEATURE: return reelay_err_set(err, REELAY_E_INPUT, "unsupported WebP feature");
    default: return reelay_err_set(err, REELAY_E_INPUT, "corrupt WebP (libwebp status %d)", (int)status);
    }
}

static cairo_surface_t *decode_webp(const unsigned char *d, size_t n, size_t max_pixels, reelay_err *err)
{
    WebPDecoderConfig config;
    if (!WebPInitDecoderConfig(&config)) {
        reelay_err_set(err, REELAY_E_INTERNAL, "libwebp version mismatch");
        return NULL;
    }
    VP8StatusCode status = WebPGetFeatures(d, n, &config.input);
    if (status != VP8_STATUS_OK) {
        webp_failure(status, err);
        return NULL;
    }
    if (config.input.has_animation) {
        reelay_err_set(err, REELAY_E_INPUT, "animated WebP is not supported");
        return NULL;
    }
    if (check_pixels(config.input.width, config.input.height, max_pixels, err) != REELAY_OK) return NULL;
    cairo_surface_t *surface = new_surface(config.input.width, config.input.height, err);
    if (!surface) return NULL;

    /* Cairo's ARGB32 is a native-endian 32-bit word with premultiplied
     * alpha: bytes B,G,R,A on little-endian machines, A,R,G,B on big-endian. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    config.output.colorspace = MODE_Argb;
#else
    config.output.colorspace = MODE_bgrA;
#endif
    cairo_surface_flush(surface);
    int stride = cairo_image_surface_get_stride(surface);
    config.output.is_external_memory = 1;
    config.output.u.RGBA.rgba = cairo_image_surface_get_data(surface);
    config.output.u.RGBA.stride = stride;
    config.output.u.RGBA.size = (size_t)stride * (size_t)config.input.height;
    config.options.use_threads = 0;
    status = WebPDecode(d, n, &config);
    WebPFreeDecBuffer(&config.output);
    if (status != VP8_STATUS_OK) {
        webp_failure(status, err);
        cairo_surface_destroy(surface);
        return NULL;
    }
    cairo_surface_mark_dirty(surface);
    return surface;
}

/* ------------------------------------------------------------------ JPEG */

static bool is_sof(unsigned m)
{
    /* SOF0..SOF15, except DHT (C4), JPG (C8) and DAC (CC) in that range. */
    return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
}

static int corrupt_jpeg(reelay_err *err, size_t at)
{
    return reelay_err_set(err, REELAY_E_INPUT, "corrupt JPEG at byte %zu", at);
}

/* Walks the marker segments to read the frame size before any decoder
 * allocates, and refuses data that stops before its end-of-image marker:
 * libavcodec would otherwise return a cut file as a half-grey picture. */
static int jpeg_probe(const unsigned char *d, size_t n, long *w, long *h, reelay_err *err)
{
    bool frame = false, in_scan = false;
    size_t i = 2; /* after SOI */
    while (i < n) {
        if (in_scan) {
            /* Entropy-coded data: only 0xFF bytes can start anything. */
            const unsigned char *ff = memchr(d + i, 0xFF, n - i);
            if (!ff) break;
            i = (size_t)(ff - d);
        }
        if (d[i] != 0xFF) return corrupt_jpeg(err, i);
        if (i + 1 >= n) break;
        unsigned m = d[i + 1];
        bool restart = m >= 0xD0 && m <= 0xD7;
        if (m == 0xFF) { /* fill byte before a marker */
            i++;
            continue;
        }
        if (in_scan && (m == 0x00 || restart)) { /* stuffed 0xFF, restart marker */
            i += 2;
            continue;
        }
        if (m == 0xD9) {
            if (!frame) return reelay_err_set(err, REELAY_E_INPUT, "JPEG without a picture");
            return REELAY_OK;
        }
        if (m == 0x01) { /* TEM: a marker without a segment */
            i += 2;
            continue;
        }
        if (m == 0x00 || m == 0xD8 || restart) return corrupt_jpeg(err, i);
        if (n - i < 4) break;
        size_t seg = be16(d + i + 2);
        if (seg < 2) return corrupt_jpeg(err, i);
        if (seg > n - i - 2) break;
        if (is_sof(m)) {
            if (seg < 8 || frame) return corrupt_jpeg(err, i);
            *h = (long)be16(d + i + 5);
            *w = (long)be16(d + i + 7);
            frame = true;
        }
        if (m == 0xDA && !frame) return corrupt_jpeg(err, i);
        in_scan = m == 0xDA;
        i += 2 + seg;
    }
    return reelay_err_set(err, REELAY_E_INPUT, "truncated JPEG");
}

static int av_failure(int rc, reelay_err *err)
{
    if (rc == AVERROR(ENOMEM)) return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory decoding JPEG");
    char text[AV_ERROR_MAX_STRING_SIZE];
    av_strerror(rc, text, sizeof text);
    return reelay_err_set(err, REELAY_E_INPUT, "corrupt JPEG (%s)", text);
}

/* The MJPEG decoder reports JPEG's full-range YCbCr with the deprecated
 * "yuvj" formats; swscale wants the plain format plus an explicit range
 * (and warns through av_log when given a yuvj one). */
static enum AVPixelFormat plain_format(enum AVPixelFormat format, bool *full_range)
{
    switch (format) {
    case AV_PIX_FMT_YUVJ420P: *full_range = true; return AV_PIX_FMT_YUV420P;
    case AV_PIX_FMT_YUVJ422P: *full_range = true; return AV_PIX_FMT_YUV422P;
    case AV_PIX_FMT_YUVJ444P: *full_range = true; return AV_PIX_FMT_YUV444P;
    case AV_PIX_FMT_YUVJ440P: *full_range = true; return AV_PIX_FMT_YUV440P;
    case AV_PIX_FMT_YUVJ411P: *full_range = true; return AV_PIX_FMT_YUV411P;
    case AV_PIX_FMT_GRAY8: *full_range = true; return format; /* JFIF grey is full range */
    default: return format;
    }
}

static cairo_surface_t *frame_to_surface(const AVFrame *frame, size_t max_pixels, reelay_err *err)
{
    int w = frame->width, h = frame->height;
    if (check_pixels(w, h, max_pixels, err) != REELAY_OK) return NULL;
    bool full_range = frame->color_range == AVCOL_RANGE_JPEG;
    enum AVPixelFormat src_format = plain_format((enum AVPixelFormat)frame->format, &full_range);
    /* AV_PIX_FMT_RGB32 is native-endian ARGB, exactly CAIRO_FORMAT_ARGB32;
     * the JPEG is opaque, so alpha 255 is already premultiplied. */
    struct SwsContext *sws = sws_getContext(w, h, src_format, w, h, AV_PIX_FMT_RGB32,
                                            SWS_BILINEAR | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT, NULL, NULL, NULL);
    if (!sws) {
        const char *name = av_get_pix_fmt_name((enum AVPixelFormat)frame->format);
        reelay_err_set(err, REELAY_E_INPUT, "unsupported JPEG pixel format %s", name ? name : "(none)");
        return NULL;
    }
    const int *coefficients = sws_getCoefficients(SWS_CS_ITU601);
    sws_setColorspaceDetails(sws, coefficients, full_range ? 1 : 0, coefficients, 1, 0, 1 << 16, 1 << 16);
    cairo_surface_t *surface = new_surface(w, h, err);
    if (surface) {
        cairo_surface_flush(surface);
        uint8_t *dst[4] = {cairo_image_surface_get_data(surface), NULL, NULL, NULL};
        int dst_stride[4] = {cairo_image_surface_get_stride(surface), 0, 0, 0};
        int rows = sws_scale(sws, (const uint8_t *const *)frame->data, frame->linesize, 0, h, dst, dst_stride);
        cairo_surface_mark_dirty(surface);
        if (rows != h) {
            reelay_err_set(err, REELAY_E_INTERNAL, "swscale converted %d of %d JPEG rows", rows, h);
            cairo_surface_destroy(surface);
            surface = NULL;
        }
    }
    sws_freeContext(sws);
    return surface;
}

static cairo_surface_t *decode_jpeg(const unsigned char *d, size_t n, size_t max_pixels, reelay_err *err)
{
    long w = 0, h = 0;
    if (jpeg_probe(d, n, &w, &h, err) != REELAY_OK) return NULL;
    if (check_pixels(w, h, max_pixels, err) != REELAY_OK) return NULL;
    if (n > INT_MAX) {
        reelay_err_set(err, REELAY_E_INPUT, "JPEG of %zu bytes is too large", n);
        return NULL;
    }
    const AVCodec *codec = avcodec_find_decoder(AV_CODEC_ID_MJPEG);
    if (!codec) {
        reelay_err_set(err, REELAY_E_INTERNAL, "libavcodec has no MJPEG decoder");
        return NULL;
    }
    AVCodecContext *ctx = avcodec_alloc_context3(codec);
    AVPacket *packet = av_packet_alloc();
    AVFrame *frame = av_frame_alloc();
    cairo_surface_t *surface = NULL;
    if (!ctx || !packet || !frame) {
        reelay_err_set(err, REELAY_E_INTERNAL, "out of memory decoding JPEG");
    } else {
        /* The decoder checks a bound itself too, in case the frame header it
         * trusts differs from the one probed above. It checks rows padded to
         * 64 pixels (libavcodec's STRIDE_ALIGN), so the probed size is given
         * that slack; frame_to_surface checks the exact size again. */
        ctx->max_pixels = (int64_t)((w + 63) / 64 * 64) * h;
        ctx->thread_count = 1;
        /* A damaged image becomes a placeholder rather than a smeared picture. */
        ctx->err_recognition |= AV_EF_EXPLODE;
        /* A bad image is reported through err; the decoder's own complaints
         * are demoted to debug level for this context only (the global
         * av_log level is left alone). */
        ctx->log_level_offset = AV_LOG_DEBUG - AV_LOG_ERROR;
        int rc = avcodec_open2(ctx, codec, NULL);
        if (rc >= 0) {
            packet->data = (uint8_t *)d;
            packet->size = (int)n;
            rc = avcodec_send_packet(ctx, packet);
        }
        if (rc >= 0) rc = avcodec_send_packet(ctx, NULL); /* no more input: drain */
        if (rc >= 0) rc = avcodec_receive_frame(ctx, frame);
        if (rc < 0)
            av_failure(rc, err);
        else if ((frame->flags & AV_FRAME_FLAG_CORRUPT) || frame->decode_error_flags)
            reelay_err_set(err, REELAY_E_INPUT, "corrupt JPEG");
        else
            surface = frame_to_surface(frame, max_pixels, err);
    }
    av_frame_free(&frame);
    av_packet_free(&packet);
    avcodec_free_context(&ctx);
    return surface;
}

/* ---------------------------------------------------------------- decode */

static cairo_surface_t *decode_bytes(const unsigned char *d, size_t n, const char *label, size_t max_pixels,
                                     reelay_err *err)
{
    static const unsigned char png_magic[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (n >= 12 && memcmp(d, "RIFF", 4) == 0 && memcmp(d + 8, "WEBP", 4) == 0)
        return decode_webp(d, n, max_pixels, err);
    if (n >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF) return decode_jpeg(d, n, max_pixels, err);
    if (n >= 8 && memcmp(d, png_magic, 8) == 0) return decode_png(d, n, max_pixels, err);
    if (label[0])
        reelay_err_set(err, REELAY_E_INPUT, "unsupported image format (labelled %s)", label);
    else
        reelay_err_set(err, REELAY_E_INPUT, "unsupported image format");
    return NULL;
}

static cairo_surface_t *decode_source(const char *source, size_t len, size_t max_pixels, reelay_err *err)
{
    image_source src;
    if (parse_source(source, len, &src, err) != REELAY_OK) return NULL;
    reelay_buf bytes;
    reelay_buf_init(&bytes);
    cairo_surface_t *surface = NULL;
    if (reelay_base64_decode(src.payload, src.len, MAX_ENCODED_BYTES, &bytes, err) != REELAY_OK) {
        reelay_err_prefix(err, "image data");
    } else if (bytes.len == 0) {
        reelay_err_set(err, REELAY_E_INPUT, "empty image data");
    } else if (reelay_buf_reserve(&bytes, AV_INPUT_BUFFER_PADDING_SIZE) != 0) {
        reelay_err_set(err, REELAY_E_INTERNAL, "out of memory decoding an image");
    } else {
        /* libavcodec may read a little past the end of its input. */
        memset(bytes.data + bytes.len, 0, AV_INPUT_BUFFER_PADDING_SIZE);
        surface = decode_bytes(bytes.data, bytes.len, src.label, max_pixels, err);
    }
    reelay_buf_free(&bytes);
    return surface;
}

cairo_surface_t *reelay_image_decode(const char *source, size_t max_pixels, reelay_err *err)
{
    reelay_err_clear(err);
    if (!source) {
        reelay_err_set(err, REELAY_E_INPUT, "no image data");
        return NULL;
    }
    return decode_source(source, strlen(source), max_pixels ? max_pixels : REELAY_IMAGE_MAX_PIXELS, err);
}

/* ----------------------------------------------------------------- cache */

typedef struct cache_entry {
    uint64_t key[2];          /* content hash of the source text */
    size_t len;               /* of the source text; part of the key */
    cairo_surface_t *surface; /* NULL: a remembered failure */
    char *why;                /* the failure's message */
    size_t bytes;             /* pixel bytes of surface */
    uint32_t chain;           /* next entry in the same bucket; next free slot when not live */
    uint32_t newer, older;    /* recency list */
    uint32_t generation;      /* bumped on eviction, so stale address hints miss */
    bool live;
} cache_entry;

/* Remembers which entry a source *address* resolved to, so a string looked up
 * on every frame is hashed once. Equal address and length imply equal content
 * only while that string is alive and unchanged, which the header requires of
 * callers for the cache's lifetime (the session's strings live in its arena).
 * A violated rule yields a wrong image, never a stale pointer: only the
 * address value is compared, and the entry generation catches evictions. */
typedef struct address_hint {
    const char *source;
    size_t len;
    uint32_t entry, generation;
} address_hint;

struct reelay_image_cache {
    size_t max_bytes, max_pixels;
    cache_entry *entries;
    uint32_t slots, capacity, free_slot, live;
    uint32_t *buckets; /* heads of hash chains; count is a power of two */
    uint32_t bucket_count;
    uint32_t newest, oldest;
    address_hint hints[HINT_SLOTS];
    reelay_image_stats stats;
};

static uint64_t rotl64(uint64_t x, int r)
{
    return x << r | x >> (64 - r);
}

static uint64_t fmix64(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ULL;
    k ^= k >> 33;
    return k;
}

/* 128-bit content hash: two 64-bit multiply-rotate lanes with different
 * constants over 8-byte words, finished with MurmurHash3's fmix64. Not
 * cryptographic; it only has to make accidental equality of two different
 * images' text negligible (a recording's author could collide two of their
 * own images, and gains nothing). */
static void content_hash(const char *s, size_t len, uint64_t out[2])
{
    uint64_t a = 0x9E3779B185EBCA87ULL ^ len, b = 0xC2B2AE3D27D4EB4FULL + len;
    size_t i = 0;
    uint64_t word;
    for (; i + 8 <= len; i += 8) {
        memcpy(&word, s + i, 8);
        a = rotl64(a ^ word * 0x87C37B91114253D5ULL, 31) * 0x4CF5AD432745937FULL;
        b = rotl64(b + word * 0x165667B19E3779F9ULL, 27) * 0x52DCE729DA3ED66BULL + 0x38495AB5ULL;
    }
    word = 0;
    memcpy(&word, s + i, len - i);
    a = rotl64(a ^ word * 0x87C37B91114253D5ULL, 31) * 0x4CF5AD432745937FULL;
    b = rotl64(b + word * 0x165667B19E3779F9ULL, 27) * 0x52DCE729DA3ED66BULL;
    out[0] = fmix64(a ^ rotl64(b, 17));
    out[1] = fmix64(b + a);
}

static uint32_t hint_slot(const char *source)
{
    return (uint32_t)(((uint64_t)(uintptr_t)source * 0x9E3779B97F4A7C15ULL) >> 56) & (HINT_SLOTS - 1);
}

reelay_image_cache *reelay_image_cache_new(size_t max_bytes, size_t max_pixels)
{
    reelay_image_cache *cache = calloc(1, sizeof *cache);
    if (!cache) return NULL;
    cache->max_bytes = max_bytes;
    cache->max_pixels = max_pixels ? max_pixels : REELAY_IMAGE_MAX_PIXELS;
    cache->free_slot = cache->newest = cache->oldest = NONE;
    cache->bucket_count = 64;
    cache->buckets = malloc(cache->bucket_count * sizeof *cache->buckets);
    if (!cache->buckets) {
        free(cache);
        return NULL;
    }
    for (uint32_t i = 0; i < cache->bucket_count; i++) cache->buckets[i] = NONE;
    return cache;
}

void reelay_image_cache_free(reelay_image_cache *cache)
{
    if (!cache) return;
    for (uint32_t i = 0; i < cache->slots; i++) {
        if (!cache->entries[i].live) continue;
        cairo_surface_destroy(cache->entries[i].surface);
        free(cache->entries[i].why);
    }
    free(cache->entries);
    free(cache->buckets);
    free(cache);
}

void reelay_image_cache_stats(const reelay_image_cache *cache, reelay_image_stats *out)
{
    if (cache) {
        *out = cache->stats;
    } else {
        memset(out, 0, sizeof *out);
    }
}

static uint32_t bucket_of(const reelay_image_cache *cache, const uint64_t key[2])
{
    return (uint32_t)(key[0] & (cache->bucket_count - 1));
}

static uint32_t find_entry(const reelay_image_cache *cache, const uint64_t key[2], size_t len)
{
    for (uint32_t i = cache->buckets[bucket_of(cache, key)]; i != NONE; i = cache->entries[i].chain) {
        const cache_entry *e = &cache->entries[i];
        if (e->key[0] == key[0] && e->key[1] == key[1] && e->len == len) return i;
    }
    return NONE;
}

static void list_unlink(reelay_image_cache *cache, uint32_t i)
{
    cache_entry *e = &cache->entries[i];
    if (e->newer != NONE) cache->entries[e->newer].older = e->older;
    else cache->newest = e->older;
    if (e->older != NONE) cache->entries[e->older].newer = e->newer;
    else cache->oldest = e->newer;
}

static void list_push_newest(reelay_image_cache *cache, uint32_t i)
{
    cache_entry *e = &cache->entries[i];
    e->newer = NONE;
    e->older = cache->newest;
    if (cache->newest != NONE) cache->entries[cache->newest].newer = i;
    cache->newest = i;
    if (cache->oldest == NONE) cache->oldest = i;
}

/* Doubles the bucket array when the chains would grow past one entry on
 * average. Failure only makes chains longer. */
static void maybe_grow_buckets(reelay_image_cache *cache)
{
    if (cache->live < cache->bucket_count || cache->bucket_count > UINT32_MAX / 4) return;
    uint32_t count = cache->bucket_count * 2;
    uint32_t *buckets = malloc((size_t)count * sizeof *buckets);
    if (!buckets) return;
    for (uint32_t i = 0; i < count; i++) buckets[i] = NONE;
    free(cache->buckets);
    cache->buckets = buckets;
    cache->bucket_count = count;
    for (uint32_t i = 0; i < cache->slots; i++) {
        cache_entry *e = &cache->entries[i];
        if (!e->live) continue;
        uint32_t b = bucket_of(cache, e->key);
        e->chain = buckets[b];
        buckets[b] = i;
    }
}

/* A free entry slot (not yet linked anywhere), or NONE when out of memory. */
static uint32_t take_slot(reelay_image_cache *cache)
{
    if (cache->free_slot != NONE) {
        uint32_t i = cache->free_slot;
        cache->free_slot = cache->entries[i].chain;
        return i;
    }
    if (cache->slots == cache->capacity) {
        uint32_t capacity = cache->capacity ? cache->capacity * 2 : 64;
        cache_entry *grown = realloc(cache->entries, (size_t)capacity * sizeof *grown);
        if (!grown) return NONE;
        cache->entries = grown;
        cache->capacity = capacity;
    }
    cache->entries[cache->slots] = (cache_entry){.generation = 0, .live = false};
    return cache->slots++;
}

static void release_slot(reelay_image_cache *cache, uint32_t i)
{
    cache->entries[i].live = false;
    cache->entries[i].chain = cache->free_slot;
    cache->free_slot = i;
}

static void evict(reelay_image_cache *cache, uint32_t i)
{
    cache_entry *e = &cache->entries[i];
    uint32_t *link = &cache->buckets[bucket_of(cache, e->key)];
    while (*link != i) link = &cache->entries[*link].chain;
    *link = e->chain;
    list_unlink(cache, i);
    cairo_surface_destroy(e->surface);
    free(e->why);
    e->surface = NULL;
    e->why = NULL;
    cache->stats.bytes -= e->bytes;
    cache->stats.evictions++;
    cache->live--;
    e->generation++;
    release_slot(cache, i);
}

/* Evicts least recently used entries until the decoded bytes fit the budget
 * and the entry count its bound, sparing `keep` (the entry being returned).
 * When `keep` alone is over budget it stays: the caller gets its image, and
 * the next call on another source evicts it. */
static void trim(reelay_image_cache *cache, uint32_t keep)
{
    size_t keep_bytes = cache->entries[keep].bytes;
    for (uint32_t i = cache->oldest; i != NONE && cache->stats.bytes > cache->max_bytes &&
                                     cache->stats.bytes > keep_bytes;) {
        uint32_t newer = cache->entries[i].newer;
        /* Failures hold no pixels; dropping them would not help. */
        if (i != keep && cache->entries[i].surface) evict(cache, i);
        i = newer;
    }
    while (cache->live > CACHE_MAX_ENTRIES) {
        uint32_t i = cache->oldest;
        if (i == keep) i = cache->entries[i].newer;
        if (i == NONE) break;
        evict(cache, i);
    }
}

static cairo_surface_t *answer(const cache_entry *e, reelay_err *why)
{
    if (e->surface) return e->surface;
    reelay_err_set(why, REELAY_E_INPUT, "%s", e->why ? e->why : "image could not be decoded");
    return NULL;
}

cairo_surface_t *reelay_image_cache_get(reelay_image_cache *cache, const char *source, reelay_err *why)
{
    reelay_err_clear(why);
    if (!cache || !source) {
        reelay_err_set(why, REELAY_E_INPUT, "no image data");
        return NULL;
    }
    size_t len = strlen(source);
    address_hint *hint = &cache->hints[hint_slot(source)];
    uint32_t i = NONE;
    if (hint->source == source && hint->len == len && cache->entries[hint->entry].live &&
        cache->entries[hint->entry].generation == hint->generation)
        i = hint->entry;
    uint64_t key[2] = {0, 0};
    if (i == NONE) {
        content_hash(source, len, key);
        i = find_entry(cache, key, len);
    }
    if (i != NONE) {
        cache->stats.hits++;
        list_unlink(cache, i);
        list_push_newest(cache, i);
    } else {
        i = take_slot(cache);
        if (i == NONE) {
            reelay_err_set(why, REELAY_E_INTERNAL, "out of memory caching an image");
            return NULL;
        }
        reelay_err failure;
        reelay_err_clear(&failure);
        cairo_surface_t *surface = decode_source(source, len, cache->max_pixels, &failure);
        if (!surface && failure.code != REELAY_E_INPUT) {
            /* Out of memory is not a property of the image: try again later. */
            release_slot(cache, i);
            cache->stats.failures++;
            if (why) *why = failure;
            return NULL;
        }
        cache_entry *e = &cache->entries[i];
        e->key[0] = key[0];
        e->key[1] = key[1];
        e->len = len;
        e->surface = surface;
        e->why = surface ? NULL : strdup(failure.msg); /* NULL: a generic message */
        e->bytes = surface ? (size_t)cairo_image_surface_get_stride(surface) *
                                 (size_t)cairo_image_surface_get_height(surface)
                           : 0;
        e->live = true;
        uint32_t b = bucket_of(cache, key);
        e->chain = cache->buckets[b];
        cache->buckets[b] = i;
        list_push_newest(cache, i);
        cache->live++;
        cache->stats.bytes += e->bytes;
        if (surface) cache->stats.decodes++;
        else cache->stats.failures++;
        maybe_grow_buckets(cache);
    }
    *hint = (address_hint){source, len, i, cache->entries[i].generation};
    trim(cache, i);
    return answer(&cache->entries[i], why);
}
