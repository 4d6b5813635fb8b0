#include "core/atomic_file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void release(reelay_atomic_file *file)
{
    free(file->final_path);
    free(file->partial_path);
    file->final_path = file->partial_path = NULL;
    file->fp = NULL;
}

int reelay_atomic_begin(reelay_atomic_file *file, const char *final_path, reelay_err *err)
{
    memset(file, 0, sizeof *file);
    size_t len = strlen(final_path);
    file->final_path = strdup(final_path);
    file->partial_path = malloc(len + sizeof ".partial");
    if (!file->final_path || !file->partial_path) {
        release(file);
        return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    }
    memcpy(file->partial_path, final_path, len);
    memcpy(file->partial_path + len, ".partial", sizeof ".partial");
    file->fp = fopen(file->partial_path, "wb");
    if (!file->fp) {
        int saved = errno;
        reelay_err_set(err, REELAY_E_IO, "%s: cannot create: %s", file->partial_path, strerror(saved));
        release(file);
        return REELAY_E_IO;
    }
    return REELAY_OK;
}

int reelay_atomic_commit(reelay_atomic_file *file, reelay_err *err)
{
    if (!file->fp) return reelay_err_set(err, REELAY_E_INTERNAL, "output file was not opened");
    const char *step = "write";
    int failed = fflush(file->fp) != 0;
    if (!failed) {
        step = "sync";
        failed = fsync(fileno(file->fp)) != 0;
    }
    int saved = errno;
    if (fclose(file->fp) != 0 && !failed) {
        step = "close";
        failed = 1;
        saved = errno;
    }
    file->fp = NULL;
    if (!failed) {
        step = "rename";
        failed = rename(file->partial_path, file->final_path) != 0;
        saved = errno;
    }
    if (failed) {
        reelay_err_set(err, REELAY_E_IO, "%s: cannot %s: %s", file->final_path, step, strerror(saved));
        unlink(file->partial_path);
        release(file);
        return REELAY_E_IO;
    }
    release(file);
    return REELAY_OK;
}

void reelay_atomic_abort(reelay_atomic_file *file)
{
    if (file->fp) {
        fclose(file->fp);
        file->fp = NULL;
    }
    if (file->partial_path) unlink(file->partial_path);
    release(file);
}
