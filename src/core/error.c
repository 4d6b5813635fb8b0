#include "core/error.h"

#include <stdio.h>
#include <string.h>

void reelay_err_clear(reelay_err *err)
{
    if (!err) return;
    err->code = REELAY_OK;
    err->flags = 0;
    err->msg[0] = '\0';
}

int reelay_err_vset(reelay_err *err, int code, const char *fmt, va_list ap)
{
    if (!err) return code;
    err->code = code;
    err->flags = 0;
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    return code;
}

int reelay_err_set(reelay_err *err, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    reelay_err_vset(err, code, fmt, ap);
    va_end(ap);
    return code;
}

int reelay_err_mark(reelay_err *err, unsigned flags)
{
    if (!err) return REELAY_E_INTERNAL;
    err->flags |= flags;
    return err->code;
}

void reelay_err_prefix(reelay_err *err, const char *fmt, ...)
{
    if (!err) return;
    char prefix[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    size_t plen = strlen(prefix);
    /* Shift the old message right to make room for "prefix: "; the tail is
     * cut if the whole no longer fits. */
    size_t room = sizeof err->msg - 1;
    size_t shift = plen + 2 < room ? plen + 2 : room;
    size_t old_len = strlen(err->msg);
    size_t keep = old_len + shift <= room ? old_len : room - shift;
    memmove(err->msg + shift, err->msg, keep);
    err->msg[shift + keep] = '\0';
    memcpy(err->msg, prefix, shift >= 2 ? shift - 2 : shift);
    if (shift >= 2) memcpy(err->msg + shift - 2, ": ", 2);
}
