#include "core/gzip.h"

#include <limits.h>
#include <zlib.h>

bool reelay_is_gzip(const unsigned char *data, size_t len)
{
    return len >= 2 && data[0] == 0x1f && data[1] == 0x8b;
}

int reelay_gunzip(const unsigned char *data, size_t len, size_t max_out, reelay_buf *out, reelay_err *err)
{
    if (len == 0) return reelay_err_set(err, REELAY_E_INPUT, "empty gzip data");
    if (len > UINT_MAX) return reelay_err_set(err, REELAY_E_INPUT, "gzip data larger than 4 GiB");

    z_stream zs = {0};
    /* 16 + MAX_WBITS: gzip wrapper only. */
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
        return reelay_err_set(err, REELAY_E_INTERNAL, "zlib initialisation failed");
    zs.next_in = (unsigned char *)data;
    zs.avail_in = (unsigned)len;
    size_t start_len = out->len;

    int rc = REELAY_OK;
    for (;;) {
        if (reelay_buf_reserve(out, 65536) != 0) {
            rc = reelay_err_set(err, REELAY_E_INTERNAL, "out of memory while decompressing");
            break;
        }
        size_t room = out->cap - out->len - 1;
        if (room > UINT_MAX) room = UINT_MAX;
        zs.next_out = out->data + out->len;
        zs.avail_out = (unsigned)room;
        int z = inflate(&zs, Z_NO_FLUSH);
        out->len += room - zs.avail_out;
        out->data[out->len] = '\0';
        if (out->len - start_len > max_out) {
            rc = reelay_err_set(err, REELAY_E_INPUT, "gzip data expands beyond the limit of %zu bytes (twice --max-input-bytes)", max_out);
            break;
        }
        if (z == Z_STREAM_END) {
            /* Another member may follow (concatenated gzip files); trailing zero
             * padding is tolerated as gzip(1) does. */
            const unsigned char *tail = zs.next_in;
            size_t rest = zs.avail_in;
            size_t zeros = 0;
            while (zeros < rest && tail[zeros] == 0) zeros++;
            if (zeros == rest) break;
            if (!reelay_is_gzip(tail, rest)) {
                rc = reelay_err_set(err, REELAY_E_INPUT, "trailing garbage after gzip data");
                break;
            }
            inflateReset(&zs);
            continue;
        }
        if (z == Z_OK) continue;
        if (z == Z_BUF_ERROR && zs.avail_in == 0) {
            rc = reelay_err_set(err, REELAY_E_INPUT, "truncated gzip data (stream ends early)");
            break;
        }
        if (z == Z_MEM_ERROR) {
            rc = reelay_err_set(err, REELAY_E_INTERNAL, "out of memory while decompressing");
            break;
        }
        rc = reelay_err_set(err, REELAY_E_INPUT, "corrupt gzip data: %s",
                            zs.msg ? zs.msg : "invalid deflate stream");
        break;
    }
    inflateEnd(&zs);
    return rc;
}
