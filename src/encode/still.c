#include "encode/still.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <webp/encode.h>

#include "core/atomic_file.h"

/* WebP's bitstream stores dimensions in 14 bits. */
#define WEBP_MAX_SIDE 16383

/* Lossless effort 0..9: 6 is libwebp's default. Stills are written once per
 * command, so the few hundred milliseconds it costs on a phone-sized frame
 * are worth the smaller file. */
#define STILL_WEBP_LEVEL 6

/* The stream writers keep the errno of a failed write: cairo and libwebp
 * report only "write error", and a user needs to read "No space left on
 * device" or "File too large". */
typedef struct file_sink {
    FILE *fp;
    int error; /* errno of the first failed write, 0 if none */
} file_sink;

static bool sink_write(file_sink *sink, const void *data, size_t length)
{
    errno = 0;
    if (fwrite(data, 1, length, sink->fp) == length) return true;
    if (!sink->error) sink->error = errno ? errno : EIO;
    return false;
}

static cairo_status_t write_to_file(void *closure, const unsigned char *data, unsigned int length)
{
    return sink_write(closure, data, length) ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

static int write_png(cairo_surface_t *surface, const char *path, const reelay_atomic_options *write,
                     reelay_atomic_file *held, reelay_err *err)
{
    reelay_atomic_file file;
    int rc = reelay_atomic_begin_with(&file, path, write, err);
    if (rc != REELAY_OK) return rc;
    file_sink sink = {file.fp, 0};
    cairo_status_t status = cairo_surface_write_to_png_stream(surface, write_to_file, &sink);
    if (status != CAIRO_STATUS_SUCCESS) {
        reelay_atomic_abort(&file);
        if (status == CAIRO_STATUS_WRITE_ERROR)
            return reelay_err_set(err, REELAY_E_IO, "%s: cannot write PNG: %s", path,
                                  strerror(sink.error ? sink.error : EIO));
        return reelay_err_set(err, REELAY_E_INTERNAL, "%s: cannot write PNG: %s", path, cairo_status_to_string(status));
    }
    return reelay_atomic_finish(&file, held, err);
}

int reelay_write_png(cairo_surface_t *surface, const char *path, reelay_err *err)
{
    return write_png(surface, path, NULL, NULL, err);
}

static int webp_to_file(const uint8_t *data, size_t size, const WebPPicture *picture)
{
    return sink_write(picture->custom_ptr, data, size);
}

/* Cairo keeps pixels as native-endian 0xAARRGGBB words, premultiplied in
 * ARGB32 and with an undefined top byte in RGB24; WebP wants the same words
 * straight (not premultiplied), so only the alpha handling differs. */
static void copy_pixels(cairo_surface_t *surface, WebPPicture *picture)
{
    const unsigned char *data = cairo_image_surface_get_data(surface);
    int stride = cairo_image_surface_get_stride(surface);
    int opaque = cairo_image_surface_get_format(surface) == CAIRO_FORMAT_RGB24;
    for (int y = 0; y < picture->height; y++) {
        const uint32_t *src = (const uint32_t *)(const void *)(data + (size_t)y * (size_t)stride);
        uint32_t *dst = picture->argb + (size_t)y * (size_t)picture->argb_stride;
        for (int x = 0; x < picture->width; x++) {
            uint32_t px = src[x];
            uint32_t a = px >> 24;
            if (opaque || a == 255) {
                dst[x] = px | 0xff000000u;
            } else if (a == 0) {
                dst[x] = 0;
            } else {
                uint32_t r = ((px >> 16 & 0xff) * 255 + a / 2) / a;
                uint32_t g = ((px >> 8 & 0xff) * 255 + a / 2) / a;
                uint32_t b = ((px & 0xff) * 255 + a / 2) / a;
                dst[x] = a << 24 | r << 16 | g << 8 | b;
            }
        }
    }
}

static int write_webp(cairo_surface_t *surface, const char *path, const reelay_atomic_options *write,
                      reelay_atomic_file *held, reelay_err *err)
{
    if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS ||
        cairo_surface_get_type(surface) != CAIRO_SURFACE_TYPE_IMAGE)
        return reelay_err_set(err, REELAY_E_INTERNAL, "%s: not an image surface", path);
    cairo_format_t format = cairo_image_surface_get_format(surface);
    if (format != CAIRO_FORMAT_RGB24 && format != CAIRO_FORMAT_ARGB32)
        return reelay_err_set(err, REELAY_E_INTERNAL, "%s: unsupported surface format %d", path, (int)format);
    int width = cairo_image_surface_get_width(surface);
    int height = cairo_image_surface_get_height(surface);
    if (width > WEBP_MAX_SIDE || height > WEBP_MAX_SIDE)
        return reelay_err_set(err, REELAY_E_USAGE, "%s: %dx%d is larger than WebP allows (%d px a side); use .png",
                              path, width, height, WEBP_MAX_SIDE);

    WebPConfig config;
    WebPPicture picture;
    if (!WebPConfigInit(&config) || !WebPConfigLosslessPreset(&config, STILL_WEBP_LEVEL) || !WebPPictureInit(&picture))
        return reelay_err_set(err, REELAY_E_INTERNAL, "libwebp version mismatch");
    picture.use_argb = 1;
    picture.width = width;
    picture.height = height;
    if (!WebPPictureAlloc(&picture)) return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    cairo_surface_flush(surface);
    copy_pixels(surface, &picture);

    reelay_atomic_file file;
    int rc = reelay_atomic_begin_with(&file, path, write, err);
    if (rc != REELAY_OK) {
        WebPPictureFree(&picture);
        return rc;
    }
    file_sink sink = {file.fp, 0};
    picture.writer = webp_to_file;
    picture.custom_ptr = &sink;
    int ok = WebPEncode(&config, &picture);
    WebPEncodingError error = picture.error_code;
    WebPPictureFree(&picture);
    if (!ok) {
        reelay_atomic_abort(&file);
        if (error == VP8_ENC_ERROR_BAD_WRITE)
            return reelay_err_set(err, REELAY_E_IO, "%s: cannot write WebP: %s", path,
                                  strerror(sink.error ? sink.error : EIO));
        return reelay_err_set(err, REELAY_E_INTERNAL, "%s: cannot write WebP (libwebp error %d)", path, (int)error);
    }
    return reelay_atomic_finish(&file, held, err);
}

/* The extension of path's last component ("" when it has none). */
static const char *extension(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash + 1 : path, '.');
    return dot ? dot : "";
}

int reelay_still_check_name(const char *path, reelay_err *err)
{
    const char *ext = extension(path);
    if (strcasecmp(ext, ".png") == 0 || strcasecmp(ext, ".webp") == 0) return REELAY_OK;
    return reelay_err_set(err, REELAY_E_USAGE, "%s: unknown image type \"%s\" (use .png or .webp)", path, ext);
}

int reelay_write_still(cairo_surface_t *surface, const char *path, reelay_err *err)
{
    return reelay_write_still_held(surface, path, NULL, NULL, err);
}

int reelay_write_still_held(cairo_surface_t *surface, const char *path, const reelay_atomic_options *write,
                            reelay_atomic_file *held, reelay_err *err)
{
    int rc = reelay_still_check_name(path, err);
    if (rc != REELAY_OK) return rc;
    if (strcasecmp(extension(path), ".webp") == 0) return write_webp(surface, path, write, held, err);
    return write_png(surface, path, write, held, err);
}
