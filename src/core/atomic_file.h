/* atomic_file.h — output files that appear whole or not at all.
 * Owns: the write-aside → fsync → link-into-place protocol of DESIGN.md §6.
 * Each writer has a temporary file of its own: an unnamed one (O_TMPFILE)
 * in the output's directory where the file system has them, so a writer
 * that dies leaves nothing behind; else NAME.XXXXXXXXXXXXXXXX.partial
 * created with O_EXCL. Two writers of one name never share bytes, so a
 * stalled writer cannot scribble over a file another one finished.
 *
 * Publishing never follows a symlink in the final name. A writer that may
 * not replace (keep_existing) publishes with link(), which fails when the
 * name exists; a replacing writer renames over the file, but only over the
 * file that was there when it began (one that appeared or changed since is
 * another writer's, and is kept). With a root, every directory from the
 * root to the file is opened without following symlinks, so a link inside
 * the root cannot lead a write out of it.
 *
 * A writer can be prepared (flushed and synced: every byte is on disk) and
 * published later, so a render can publish its video and sidecars together
 * after one last check (job/pool.h asks the queue whether the job is still
 * its own). */
#ifndef REELAY_CORE_ATOMIC_FILE_H
#define REELAY_CORE_ATOMIC_FILE_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "core/error.h"

typedef struct reelay_atomic_options {
    bool keep_existing; /* an existing file of the final name is never replaced (REELAY_ERR_LASTING)... */
    /* ...unless it carries this owner's tag: files are tagged with it (the
     * extended attribute user.reelay.owner, where the file system has
     * them), so a job's retry may replace what its own earlier attempt
     * published before it died. NULL = no tag. */
    const char *owner;
    const char *root;   /* absolute; the file must lie below it, reached without symlinks; NULL = anywhere */
} reelay_atomic_options;

typedef struct reelay_atomic_file {
    FILE *fp;           /* write here between begin and prepare */
    char *final_path;
    char *partial_path; /* the bytes so far, readable by path (/proc/self/fd/N for an unnamed file) */
    /* private */
    int dir_fd;         /* the final name's directory, -1 when released */
    char *base;         /* the final name within dir_fd */
    char *temp_name;    /* the named temporary within dir_fd, NULL for an unnamed one */
    bool keep_existing;
    const char *owner;  /* borrowed from the options */
    bool existed;       /* a file of the final name was there at begin... */
    dev_t existing_dev; /* ...this one */
    ino_t existing_ino;
    bool prepared;
} reelay_atomic_file;

/* Starts a writer that may replace an existing file, anywhere. */
int reelay_atomic_begin(reelay_atomic_file *file, const char *final_path, reelay_err *err);
/* The same with options (NULL = the defaults above). REELAY_E_IO naming
 * final_path when the directory cannot be reached or written; with
 * REELAY_ERR_LASTING when it never will be (missing, not a directory, no
 * permission, read-only, outside the root or through a symlink). */
int reelay_atomic_begin_with(reelay_atomic_file *file, const char *final_path, const reelay_atomic_options *options,
                             reelay_err *err);

/* Flushes and fsyncs; the file stays open, unpublished. On failure the
 * writer is aborted and REELAY_E_IO returned. */
int reelay_atomic_prepare(reelay_atomic_file *file, reelay_err *err);

/* Prepares (if not yet) and puts the file in place under its final name;
 * always releases the writer. On failure nothing is left: REELAY_E_IO,
 * with REELAY_ERR_LASTING when the name is taken and may not be replaced. */
int reelay_atomic_commit(reelay_atomic_file *file, reelay_err *err);

/* Commits file when held is NULL; else prepares it and moves the writer
 * into *held, to be committed (or aborted) by the caller later. */
int reelay_atomic_finish(reelay_atomic_file *file, reelay_atomic_file *held, reelay_err *err);

/* Commits files[0..count) in order; when one fails, the ones already put
 * in place are removed again and the rest aborted, so all appear or none
 * does (until a crash between two of them). */
int reelay_atomic_commit_all(reelay_atomic_file *files, size_t count, reelay_err *err);

/* Drops the temporary file and releases the writer (safe after a failed
 * begin, after commit, and on a zeroed struct). */
void reelay_atomic_abort(reelay_atomic_file *file);

/* Makes SIGINT, SIGTERM and SIGHUP remove every named temporary file still
 * open (then die of the signal as before); unnamed ones vanish by
 * themselves. Called once from main; a command that handles these signals
 * itself (serve, worker) installs its own handlers over it and aborts its
 * writers. At most REELAY_ATOMIC_TRACKED writers are tracked at once; more
 * still work, they are only not removed on a signal. */
#define REELAY_ATOMIC_TRACKED 16
void reelay_atomic_remove_on_signal(void);

#endif
