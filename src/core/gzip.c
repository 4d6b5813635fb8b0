#include "core/gzip.h"

#include <limits.h>
#include <zlib.h>

bool reelay_is_gzip(const unsigned char *data, size_t len)
{
    return len >= 2 && data[0] == 0x1f && data[1] == 0x8b;
}

/* zlib writes straight into out's free space: open_window points zs there
 * (at least 64 KiB; 0 when out of memory), close_window keeps what zlib
 * wrote (and the terminating NUL reelay_buf keeps). */
static size_t open_window(reelay_buf *out, z_stream *zs)
{
    if (reelay_buf_reserve(out, 65536) != 0) return 0;
    size_t room = out->cap - out->len - 1;
    if (room > UINT_MAX) room = UINT_MAX;
    zs->next_out = out->data + out->len;
    zs->avail_out = (unsigned)room;
    return room;
}

static void close_window(reelay_buf *out, const z_stream *zs, size_t room)
{
    out->len += room - zs->avail_out;
    out->data[out->len] = '\0';
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
        size_t room = open_window(out, &zs);
        if (!room) {
            rc = reelay_err_set(err, REELAY_E_INTERNAL, "out of memory while decompressing");
            break;
        }
        int z = inflate(&zs, Z_NO_FLUSH);
        close_window(out, &zs, room);
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

int reelay_gzip(const unsigned char *data, size_t len, reelay_buf *out, reelay_err *err)
{
    z_stream zs = {0};
    /* 16 + MAX_WBITS: a gzip wrapper, whose header zlib writes with no name and mtime 0 */
    if (deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return reelay_err_set(err, REELAY_E_INTERNAL, "zlib initialisation failed");
    int rc = REELAY_OK;
    int z = Z_OK;
    size_t left = len;
    zs.next_in = (unsigned char *)data;
    do {
        if (zs.avail_in == 0 && left > 0) {
            zs.avail_in = left > UINT_MAX ? UINT_MAX : (unsigned)left;
            left -= zs.avail_in;
        }
        size_t room = open_window(out, &zs);
        if (!room) {
            rc = reelay_err_set(err, REELAY_E_INTERNAL, "out of memory while compressing");
            break;
        }
        z = deflate(&zs, left == 0 && zs.avail_in == 0 ? Z_FINISH : Z_NO_FLUSH);
        close_window(out, &zs, room);
        if (z == Z_STREAM_ERROR) {
            rc = reelay_err_set(err, REELAY_E_INTERNAL, "compression failed");
            break;
        }
    } while (z != Z_STREAM_END);
    deflateEnd(&zs);
    return rc;
}
