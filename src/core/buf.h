/* buf.h — growable byte buffer and whole-file reading.
 * Owns: heap bytes that outlive a single call (file contents, decompressed data),
 * and the growth rule of heap arrays.
 * The buffer is always NUL-terminated one byte past len so text parsers can use it. */
#ifndef REELAY_CORE_BUF_H
#define REELAY_CORE_BUF_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

typedef struct reelay_buf {
    unsigned char *data;
    size_t len;
    size_t cap;
} reelay_buf;

void reelay_buf_init(reelay_buf *buf);
void reelay_buf_free(reelay_buf *buf);
/* Ensures room for `extra` more bytes plus the terminator. Returns 0 or -1 (no memory). */
int reelay_buf_reserve(reelay_buf *buf, size_t extra);
int reelay_buf_append(reelay_buf *buf, const void *data, size_t len);
int reelay_buf_append_str(reelay_buf *buf, const char *s);
int reelay_buf_printf(reelay_buf *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Grows a heap array of `size`-byte items to hold at least `need`
 * (doubling from 16, overflow-checked); *items and *cap change only on
 * success. False when out of memory. */
bool reelay_grow_array(void **items, size_t *cap, size_t need, size_t size);

/* Reads a whole file, or standard input when path is "-". Fails with REELAY_E_INPUT
 * when the content exceeds max_bytes and REELAY_E_IO when it cannot be read. */
int reelay_read_file(const char *path, size_t max_bytes, reelay_buf *out, reelay_err *err);

#endif
