/* preview.h — animated WebP previews of a rendered session.
 * Owns: turning a stream of full-size frames into a small looping WebP:
 * frame-rate capping, downscaling, lossy encoding with libwebp's
 * WebPAnimEncoder, and the atomic write of the result.
 *
 * Memory grows with the output, not the input: the encoder keeps a few
 * canvases of the scaled size and the frames already encoded (never raw
 * frames); the preview adds a copy of the last kept source frame and one
 * full-size picture while scaling. Peak: about twice the file size (at
 * assembly) plus about 5 scaled and 2 source frames' worth of pixels. */
#ifndef REELAY_ENCODE_PREVIEW_H
#define REELAY_ENCODE_PREVIEW_H

#include <stdint.h>

#include "core/atomic_file.h"
#include "core/error.h"

typedef struct reelay_preview_options {
    const char *path;          /* output file; copied by open */
    int src_width, src_height; /* size of the frames given to add */
    int max_width;             /* default 480; 2..16383 */
    double max_fps;            /* default 12; (0, 120] */
    int quality;               /* default 60, lossy; 0..100 */
    double max_duration_ms;    /* 0 = no cap; later frames are dropped */
    const reelay_atomic_options *write; /* how the file is put in place; NULL = replace, anywhere */
} reelay_preview_options;

typedef struct reelay_preview reelay_preview;

reelay_preview_options reelay_preview_defaults(void);

/* Validates options (REELAY_E_USAGE naming the bad one) and creates its
 * temporary file at once, so an unwritable destination fails here
 * (REELAY_E_IO) rather than after all the encoding work.
 *
 * The preview is src scaled to max_width (aspect kept, both sides even,
 * never upscaled), loops forever, and is deterministic: the same frames give
 * the same bytes. */
int reelay_preview_open(const reelay_preview_options *options, reelay_preview **out, reelay_err *err);

/* A frame (BGRA/BGRX little-endian bytes, CAIRO_FORMAT_RGB24 or ARGB32
 * layout, alpha ignored: previews are opaque) shown from out_ms (output time;
 * the preview starts at the first frame's out_ms). A frame closer than
 * 1/max_fps to the previous kept one is dropped before any work is done on
 * it, and so is one past max_duration_ms; the kept frame before it simply
 * shows longer. A frame identical to the last kept one costs a compare, and
 * one that merely looks the same (within the lossy tolerance) its scaling:
 * either way the previous frame just shows longer, nothing is stored.
 *
 * out_ms must not decrease and bgra must hold src_height rows of stride
 * (>= 4 * src_width) bytes: otherwise REELAY_E_INTERNAL. After any failure
 * only reelay_preview_abort is valid. */
int reelay_preview_add(reelay_preview *preview, const uint8_t *bgra, int stride, double out_ms, reelay_err *err);

/* end_ms: when the last frame stops showing (>= the last out_ms given to
 * add; capped by max_duration_ms). Assembles and writes atomically
 * (core/atomic_file.h), sets *bytes_out (may be NULL) to the file's size,
 * and frees the preview whatever the outcome. No frame kept, or a bad end_ms:
 * REELAY_E_INTERNAL; a write failure: REELAY_E_IO. On failure nothing is
 * left at path. */
int reelay_preview_finish(reelay_preview *preview, double end_ms, int64_t *bytes_out, reelay_err *err);
/* The same, but the file is handed over unpublished in *held, for the
 * caller to commit with others (reelay_atomic_commit_all). */
int reelay_preview_finish_held(reelay_preview *preview, double end_ms, int64_t *bytes_out, reelay_atomic_file *held,
                               reelay_err *err);

/* Frees the preview and its temporary file: nothing is left behind. NULL-safe. */
void reelay_preview_abort(reelay_preview *preview);

#endif
