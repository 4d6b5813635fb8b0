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

/* What else is known about a failure, for whoever decides to retry it. */
enum reelay_err_flag {
    /* Trying again will not help: the output path is a directory, exists
     * (and the job may not replace it), or cannot be written for lack of
     * permission. */
    REELAY_ERR_LASTING = 1u << 0,
    /* A queue claim is no longer this worker's (its lease ran out and
     * another worker took the job, or the job is gone). */
    REELAY_ERR_LOST_CLAIM = 1u << 1,
};

typedef struct reelay_err {
    int code;
    unsigned flags; /* enum reelay_err_flag; cleared by every set */
    char msg[1024];
} reelay_err;

void reelay_err_clear(reelay_err *err);

/* Sets code and message; returns code so callers can `return reelay_err_set(...)`.
 * err may be NULL (the message is then dropped). */
int reelay_err_set(reelay_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int reelay_err_vset(reelay_err *err, int code, const char *fmt, va_list ap);

/* Adds flags (enum reelay_err_flag) to the error just set; returns its
 * code. err may be NULL. */
int reelay_err_mark(reelay_err *err, unsigned flags);

/* Prepends "prefix: " to an existing message (e.g. the file name). */
void reelay_err_prefix(reelay_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
