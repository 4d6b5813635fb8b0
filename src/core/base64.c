#include "core/base64.h"

#include <stdint.h>

/* The standard alphabet only (RFC 4648 §4): the SDKs never send the URL-safe
 * one, and accepting both would make a corrupt payload look valid. */
static int b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == '\v';
}

/* Puts out back as it was (a half-decoded tail is never useful) and passes
 * the error code through. */
static int restore(reelay_buf *out, size_t start_len, int code)
{
    out->len = start_len;
    if (out->data) out->data[start_len] = '\0';
    return code;
}

static int not_base64(reelay_buf *out, size_t start_len, reelay_err *err, size_t offset)
{
    return restore(out, start_len, reelay_err_set(err, REELAY_E_INPUT, "not base64 at offset %zu", offset));
}

static int too_long(reelay_buf *out, size_t start_len, reelay_err *err, size_t max_out)
{
    return restore(out, start_len,
                   reelay_err_set(err, REELAY_E_INPUT, "base64 data decodes to more than %zu bytes", max_out));
}

int reelay_base64_decode(const char *text, size_t len, size_t max_out, reelay_buf *out, reelay_err *err)
{
    const size_t start_len = out->len;
    /* Every 4 characters give at most 3 bytes; white space only lowers that. */
    size_t bound = len / 4 * 3 + 3;
    if (bound > max_out) bound = max_out;
    if (reelay_buf_reserve(out, bound) != 0)
        return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory decoding base64");

    unsigned char *dst = out->data + start_len;
    size_t produced = 0;
    uint32_t acc = 0;
    int n = 0;   /* characters in the current 4-character group */
    int pad = 0; /* '=' seen; only white space and more '=' may follow */
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (is_space(c)) continue;
        if (c == '=') {
            /* Padding stands for the missing characters of a 2- or
             * 3-character final group, never more. */
            if (n < 2 || n + pad >= 4) return not_base64(out, start_len, err, i);
            pad++;
            continue;
        }
        int v = b64_value(c);
        if (v < 0 || pad) return not_base64(out, start_len, err, i);
        acc = acc << 6 | (uint32_t)v;
        if (++n == 4) {
            if (produced + 3 > max_out) return too_long(out, start_len, err, max_out);
            dst[produced++] = (unsigned char)(acc >> 16);
            dst[produced++] = (unsigned char)(acc >> 8);
            dst[produced++] = (unsigned char)acc;
            acc = 0;
            n = 0;
        }
    }
    /* Unpadded tails: 2 characters carry one byte, 3 carry two. One lone
     * character carries only 6 bits, so the text was cut. */
    if (n == 1)
        return restore(out, start_len, reelay_err_set(err, REELAY_E_INPUT, "base64 data cut short at offset %zu", len));
    if (n > 1) {
        size_t extra = (size_t)n - 1;
        if (produced + extra > max_out) return too_long(out, start_len, err, max_out);
        acc <<= 6 * (4 - n);
        dst[produced++] = (unsigned char)(acc >> 16);
        if (n == 3) dst[produced++] = (unsigned char)(acc >> 8);
    }
    out->len = start_len + produced;
    out->data[out->len] = '\0';
    return REELAY_OK;
}
