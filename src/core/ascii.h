/* ascii.h — locale-independent character helpers for text from recordings
 * and command lines (hex colours, percent-encoding). */
#ifndef REELAY_CORE_ASCII_H
#define REELAY_CORE_ASCII_H

/* The value of a hexadecimal digit, or -1 when c is none. */
static inline int reelay_hex_digit(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

#endif
