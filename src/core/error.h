/* error.h — error values shared by every module.
 * Owns: the reelay_err message buffer and the process exit codes of DESIGN.md §7.
 * Libraries never exit(); they fill a reelay_err and return its code. */
#ifndef REELAY_CORE_ERROR_H
#define REELAY_CORE_ERROR_H

#include <stdarg.h>

enum reelay_code {
    REELAY_OK = 0,
    REELAY_E_USAGE = 1,    /* bad command line */
    REELAY_E_INPUT = 2,    /* bad or unsupported input */
    REELAY_E_IO = 3,       /* cannot read or write a file */
    REELAY_E_INTERNAL = 4, /* out of memory, library failure, bug */
};

typedef struct reelay_err {
    int code;
    char msg[1024];
} reelay_err;

void reelay_err_clear(reelay_err *err);

/* Sets code and message; returns code so callers can `return reelay_err_set(...)`.
 * err may be NULL (the message is then dropped). */
int reelay_err_set(reelay_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int reelay_err_vset(reelay_err *err, int code, const char *fmt, va_list ap);

/* Prepends "prefix: " to an existing message (e.g. the file name). */
void reelay_err_prefix(reelay_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
