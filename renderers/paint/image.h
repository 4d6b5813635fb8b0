/* image.h — decoding embedded images into Cairo surfaces, with a cache.
 * Owns: turning an image source as mobile SDKs send it (a data URI
 * "data:image/webp|jpeg|png;base64,...", or bare base64 which means PNG,
 * mobile-wireframes.md §3.5) into a premultiplied ARGB32 cairo surface; the
 * decoders (libwebp for WebP, libavcodec's MJPEG decoder for JPEG, Cairo for
 * PNG); the pixel-count bound against decompression bombs; and a cache keyed
 * by content, because iOS resends the same images every second.
 * A source that cannot be decoded yields NULL (the renderer draws the
 * placeholder instead) and is remembered as bad, not retried (details at
 * reelay_image_cache_get). */
#ifndef REELAY_PAINT_IMAGE_H
#define REELAY_PAINT_IMAGE_H

#include <cairo.h>
#include <stddef.h>

#include "core/error.h"

/* Default bound on width*height of one decoded image (16 M pixels = 64 MiB). */
#define REELAY_IMAGE_MAX_PIXELS (16u * 1024u * 1024u)
/* Default bound on the decoded bytes the cache keeps. */
#define REELAY_IMAGE_CACHE_BYTES (256u * 1024u * 1024u)

typedef struct reelay_image_cache reelay_image_cache;

typedef struct reelay_image_stats {
    size_t hits;         /* lookups answered from the cache, remembered failures included */
    size_t decodes;      /* successful decodes */
    size_t failures;     /* decodes that failed (each bad source once, unless evicted) */
    size_t evictions;
    size_t bytes;        /* decoded bytes currently cached */
} reelay_image_stats;

/* max_bytes bounds the decoded pixels kept; least recently used images are
 * evicted past it. One image larger than the whole budget is still decoded
 * and returned, and evicted by the next call for another source. max_pixels
 * bounds each image (0 means REELAY_IMAGE_MAX_PIXELS). NULL when out of
 * memory. A cache is not thread-safe. */
reelay_image_cache *reelay_image_cache_new(size_t max_bytes, size_t max_pixels);
void reelay_image_cache_free(reelay_image_cache *cache);

/* Returns the decoded image for `source` (NUL-terminated), borrowed: valid
 * until the next call on this cache. NULL when the source is not a decodable
 * image; then, if why is not NULL, why->msg says what was wrong (for --verbose
 * diagnostics; it is not an error of the render). Sources are matched by
 * content, so equal text in different strings decodes once.
 * The cache also remembers source *addresses* to skip rehashing a string it
 * has seen: every source passed in must stay alive and unchanged for as long
 * as the cache is used (the session's strings, which live in its arena, do;
 * so create the cache per session and free it before the session).
 * Undecodable data is remembered and never retried; running out of memory
 * (why->code REELAY_E_INTERNAL) is not remembered. */
cairo_surface_t *reelay_image_cache_get(reelay_image_cache *cache, const char *source, reelay_err *why);

/* Decodes without caching: a new ARGB32 surface the caller destroys, or NULL
 * with err set (REELAY_E_INPUT for bad data, REELAY_E_INTERNAL for no
 * memory). max_pixels 0 means REELAY_IMAGE_MAX_PIXELS. */
cairo_surface_t *reelay_image_decode(const char *source, size_t max_pixels, reelay_err *err);

void reelay_image_cache_stats(const reelay_image_cache *cache, reelay_image_stats *out);

#endif
