/* still.h — single frames written as image files.
 * Owns: PNG output of a rendered surface, written atomically (the file
 * appears whole or not at all). Animated WebP previews and poster frames
 * arrive with `render`. */
#ifndef REELAY_ENCODE_STILL_H
#define REELAY_ENCODE_STILL_H

#include <cairo.h>

#include "core/error.h"

/* Writes surface as PNG to path. Fails with REELAY_E_IO (nothing left at
 * path) or REELAY_E_INTERNAL. */
int reelay_write_png(cairo_surface_t *surface, const char *path, reelay_err *err);

#endif
