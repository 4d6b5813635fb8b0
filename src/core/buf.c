#include "core/buf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void reelay_buf_init(reelay_buf *buf)
{
    buf->data = NULL;
    buf->len = 0;
    buf->cap = 0;
}

void reelay_buf_free(reelay_buf *buf)
{
    free(buf->data);
    reelay_buf_init(buf);
}

int reelay_buf_reserve(reelay_buf *buf, size_t extra)
{
    if (extra > SIZE_MAX - buf->len - 1) return -1;
    size_t need = buf->len + extra + 1;
    if (need <= buf->cap) return 0;
    size_t cap = buf->cap ? buf->cap : 256;
    while (cap < need) cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    unsigned char *grown = realloc(buf->data, cap);
    if (!grown) return -1;
    buf->data = grown;
    buf->cap = cap;
    return 0;
}

int reelay_buf_append(reelay_buf *buf, const void *data, size_t len)
{
    if (reelay_buf_reserve(buf, len) != 0) return -1;
    if (len) memcpy(buf->data + buf->len, data, len);
    buf->len += len;
    buf->data[buf->len] = '\0';
    return 0;
}

int reelay_buf_append_str(reelay_buf *buf, const char *s)
{
    return reelay_buf_append(buf, s, strlen(s));
}

int reelay_buf_printf(reelay_buf *buf, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || reelay_buf_reserve(buf, (size_t)n) != 0) return -1;
    va_start(ap, fmt);
    vsnprintf((char *)buf->data + buf->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    buf->len += (size_t)n;
    return 0;
}

int reelay_read_file(const char *path, size_t max_bytes, reelay_buf *out, reelay_err *err)
{
    int from_stdin = strcmp(path, "-") == 0;
    FILE *fp = from_stdin ? stdin : fopen(path, "rb");
    if (!fp) return reelay_err_set(err, REELAY_E_IO, "%s: cannot open: %s", path, strerror(errno));

    reelay_buf_init(out);
    int rc = REELAY_OK;
    unsigned char chunk[65536];
    for (;;) {
        size_t n = fread(chunk, 1, sizeof chunk, fp);
        if (n > 0) {
            if (out->len + n > max_bytes) {
                rc = reelay_err_set(err, REELAY_E_INPUT,
                                    "%s: input is larger than the limit of %zu bytes (raise --max-input-bytes)", path, max_bytes);
                break;
            }
            if (reelay_buf_append(out, chunk, n) != 0) {
                rc = reelay_err_set(err, REELAY_E_INTERNAL, "%s: out of memory reading input", path);
                break;
            }
        }
        if (n < sizeof chunk) {
            if (ferror(fp)) rc = reelay_err_set(err, REELAY_E_IO, "%s: read error: %s", path, strerror(errno));
            break;
        }
    }
    if (!from_stdin) fclose(fp);
    if (rc == REELAY_OK && reelay_buf_reserve(out, 0) != 0)
        rc = reelay_err_set(err, REELAY_E_INTERNAL, "%s: out of memory reading input", path);
    if (rc != REELAY_OK) reelay_buf_free(out);
    return rc;
}

bool reelay_grow_array(void **items, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap) return true;
    size_t n = *cap ? *cap : 16;
    while (n < need) {
        if (n > SIZE_MAX / 2 / size) return false;
        n *= 2;
    }
    void *p = realloc(*items, n * size);
    if (!p) return false;
    *items = p;
    *cap = n;
    return true;
}
