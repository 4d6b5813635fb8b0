#include "core/random.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

int reelay_random_hex(char *out, size_t digits, reelay_err *err)
{
    unsigned char bytes[32];
    size_t n = (digits + 1) / 2;
    if (n > sizeof bytes) {
        n = sizeof bytes;
        digits = 2 * n;
    }
    if (getrandom(bytes, n, 0) != (ssize_t)n)
        return reelay_err_set(err, REELAY_E_IO, "cannot read random bytes: %s", strerror(errno));
    for (size_t i = 0; i < digits; i++) out[i] = "0123456789abcdef"[(bytes[i / 2] >> (i % 2 ? 0 : 4)) & 15];
    out[digits] = '\0';
    return REELAY_OK;
}
