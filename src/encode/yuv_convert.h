/* yuv_convert.h — rendered frames to the encoders' pixels.
 * Owns: the conversion of Cairo's BGRA (B,G,R,X bytes) to yuv420p BT.709
 * limited range with libswscale, the same on every CPU, for one frame size;
 * whole, or only the bands of rows that differ from the frame before: most
 * frames of a session change a few rows (a pointer, a clock), and the rest
 * of the picture is the previous one's. A band is converted with margin
 * rows around it and only its own rows are kept, so the result is
 * byte-identical to a whole conversion (tests/unit/test_yuv_convert.c).
 * Not thread-safe: one converter per thread. */
#ifndef REELAY_ENCODE_YUV_CONVERT_H
#define REELAY_ENCODE_YUV_CONVERT_H

#include <stdint.h>

#include "core/error.h"

typedef struct reelay_yuv_converter reelay_yuv_converter;

/* A converter for width x height frames (both even, > 0). */
int reelay_yuv_converter_new(int width, int height, reelay_yuv_converter **out, reelay_err *err);
void reelay_yuv_converter_free(reelay_yuv_converter *converter);

/* bgra (stride bytes a row) into the Y, U and V planes of dst. */
int reelay_yuv_convert(reelay_yuv_converter *converter, const uint8_t *bgra, int stride, uint8_t *const dst[3],
                       const int dst_stride[3], reelay_err *err);

/* The same, where dst already holds the conversion of previous (a frame
 * of the same size and stride): only the bands of rows where bgra differs
 * from it are converted. *rows_converted (may be NULL) says how many rows
 * were. */
int reelay_yuv_convert_changed(reelay_yuv_converter *converter, const uint8_t *bgra, const uint8_t *previous,
                               int stride, uint8_t *const dst[3], const int dst_stride[3], int *rows_converted,
                               reelay_err *err);

#endif
