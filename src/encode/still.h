/* still.h — single frames written as image files.
 * Owns: PNG and WebP output of a rendered surface, chosen by the file name's
 * extension and written atomically (the file appears whole or not at all).
 * Animated previews live in encode/preview.h. */
#ifndef REELAY_ENCODE_STILL_H
#define REELAY_ENCODE_STILL_H

#include <cairo.h>

#include "core/atomic_file.h"
#include "core/error.h"

/* Writes surface as PNG to path. Fails with REELAY_E_IO (nothing left at
 * path) or REELAY_E_INTERNAL. */
int reelay_write_png(cairo_surface_t *surface, const char *path, reelay_err *err);

/* Writes an image surface (CAIRO_FORMAT_RGB24 or ARGB32) to path as PNG or
 * WebP, by path's extension: .png or .webp, in any case. WebP is lossless
 * (the same pixels as the PNG, usually a fraction of its size), so the
 * extension picks a container, never a quality. Fails with REELAY_E_USAGE
 * for any other extension (or a WebP wider or taller than 16383 px, the
 * format's limit), REELAY_E_IO, or REELAY_E_INTERNAL; on failure nothing is
 * left at path and an existing file there is untouched. */
int reelay_write_still(cairo_surface_t *surface, const char *path, reelay_err *err);

/* The same, written as `write` says (NULL = replace, anywhere); with held
 * non-NULL the file is handed over unpublished, for the caller to commit
 * with others (core/atomic_file.h). */
int reelay_write_still_held(cairo_surface_t *surface, const char *path, const reelay_atomic_options *write,
                            reelay_atomic_file *held, reelay_err *err);

/* REELAY_OK when reelay_write_still knows path's extension, else the same
 * REELAY_E_USAGE it would fail with: for checking a name before the work. */
int reelay_still_check_name(const char *path, reelay_err *err);

#endif
