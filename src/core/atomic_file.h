/* atomic_file.h — output files that appear whole or not at all.
 * Owns: the NAME.partial → fsync → rename protocol of DESIGN.md §6. A writer
 * that fails or is abandoned removes its partial file, so a failed command
 * never leaves a truncated output behind (and never touches an existing
 * file of the final name). */
#ifndef REELAY_CORE_ATOMIC_FILE_H
#define REELAY_CORE_ATOMIC_FILE_H

#include <stdio.h>

#include "core/error.h"

typedef struct reelay_atomic_file {
    FILE *fp;          /* write here between begin and commit */
    char *final_path;
    char *partial_path;
} reelay_atomic_file;

/* Creates final_path + ".partial" (replacing a stale one). */
int reelay_atomic_begin(reelay_atomic_file *file, const char *final_path, reelay_err *err);

/* Flushes, fsyncs and renames the partial file to the final name; on any
 * failure the partial file is removed and REELAY_E_IO returned. Always
 * releases the writer. */
int reelay_atomic_commit(reelay_atomic_file *file, reelay_err *err);

/* Removes the partial file and releases the writer (safe after a failed
 * begin, and after commit). */
void reelay_atomic_abort(reelay_atomic_file *file);

/* Makes SIGINT, SIGTERM and SIGHUP remove every partial file still open
 * (then die of the signal as before), so an interrupted command (Ctrl-C,
 * `timeout`, a service stop) leaves no NAME.partial behind either. Called
 * once from main; a command that handles these signals itself (serve,
 * worker) installs its own handlers over it and aborts its writers. At most
 * REELAY_ATOMIC_TRACKED writers are tracked at once; more still work, they
 * are only not removed on a signal. */
#define REELAY_ATOMIC_TRACKED 16
void reelay_atomic_remove_on_signal(void);

#endif
