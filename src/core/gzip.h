/* gzip.h — gzip detection, bounded decompression and compression (zlib).
 * Owns: nothing beyond the output buffer it fills. Used for gzip input files,
 * PostHog's `cv: "2024-10"` compressed payloads and recordings attached to
 * archives. */
#ifndef REELAY_CORE_GZIP_H
#define REELAY_CORE_GZIP_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/error.h"

bool reelay_is_gzip(const unsigned char *data, size_t len);

/* Decompresses every gzip member in data into out (appending). Fails with
 * REELAY_E_INPUT on corrupt or truncated data, or when the output would exceed
 * max_out bytes (decompression bombs). The message does not name the file. */
int reelay_gunzip(const unsigned char *data, size_t len, size_t max_out, reelay_buf *out, reelay_err *err);

/* Compresses data as one gzip member appended to out. Deterministic: no
 * file name and a zero modification time in the header, so the same bytes
 * always give the same member. */
int reelay_gzip(const unsigned char *data, size_t len, reelay_buf *out, reelay_err *err);

#endif
