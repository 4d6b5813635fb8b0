/* utf8.h — byte-level UTF-8 helpers for text taken from recordings. */
#ifndef REELAY_CORE_UTF8_H
#define REELAY_CORE_UTF8_H

#include <stddef.h>

/* The largest length <= max at which s[0..len) can be cut without splitting
 * a UTF-8 sequence (len itself when len <= max). */
static inline size_t reelay_utf8_cut(const char *s, size_t len, size_t max)
{
    if (len <= max) return len;
    size_t cut = max;
    /* s[cut] is the first byte dropped; if it continues a sequence, that
     * sequence's earlier bytes go too. */
    while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80) cut--;
    return cut;
}

#endif
