#include "core/error.h"

#include <stdio.h>
#include <string.h>

void reelay_err_clear(reelay_err *err)
{
    if (!err) return;
    err->code = REELAY_OK;
    err->msg[0] = '\0';
}

int reelay_err_vset(reelay_err *err, int code, const char *fmt, va_list ap)
{
    if (!err) return code;
    err->code = code;
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

void reelay_err_prefix(reelay_err *err, const char *fmt, ...)
{
    if (!err) return;
    char prefix[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    char old[sizeof err->msg];
    memcpy(old, err->msg, sizeof old);
    snprintf(err->msg, sizeof err->msg, "%s: %s", prefix, old);
}
