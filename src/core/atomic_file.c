#include "core/atomic_file.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The partial paths open now, for the signal handler (which may only read
 * them and call unlink, both async-signal-safe). Process-wide because a
 * signal handler gets no context to find them through: the one piece of
 * global state outside main, written only by begin and release. A path is
 * tracked from fopen until just before it is freed. */
static _Atomic(char *) tracked[REELAY_ATOMIC_TRACKED];

static void track(char *path)
{
    for (size_t i = 0; i < REELAY_ATOMIC_TRACKED; i++) {
        char *expected = NULL;
        if (atomic_compare_exchange_strong(&tracked[i], &expected, path)) return;
    }
}

static void untrack(char *path)
{
    if (!path) return;
    for (size_t i = 0; i < REELAY_ATOMIC_TRACKED; i++) {
        char *expected = path;
        if (atomic_compare_exchange_strong(&tracked[i], &expected, NULL)) return;
    }
}

static void remove_tracked(int signal_number)
{
    int saved = errno;
    for (size_t i = 0; i < REELAY_ATOMIC_TRACKED; i++) {
        char *path = atomic_load(&tracked[i]);
        if (path) unlink(path);
    }
    errno = saved;
    signal(signal_number, SIG_DFL);
    raise(signal_number);
}

void reelay_atomic_remove_on_signal(void)
{
    static const int signals[] = {SIGINT, SIGTERM, SIGHUP};
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) {
        struct sigaction action = {.sa_handler = remove_tracked};
        sigemptyset(&action.sa_mask);
        for (size_t j = 0; j < sizeof signals / sizeof signals[0]; j++) sigaddset(&action.sa_mask, signals[j]);
        /* An ignored signal (nohup, a shell's background job) stays ignored. */
        struct sigaction previous;
        if (sigaction(signals[i], NULL, &previous) == 0 && previous.sa_handler == SIG_IGN) continue;
        sigaction(signals[i], &action, NULL);
    }
}

static void release(reelay_atomic_file *file)
{
    untrack(file->partial_path);
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
    track(file->partial_path);
    return REELAY_OK;
}

int reelay_atomic_commit(reelay_atomic_file *file, reelay_err *err)
{
    if (!file->fp) return reelay_err_set(err, REELAY_E_INTERNAL, "output file was not opened");
    const char *step = "write";
    /* ferror too: a write that failed earlier (a full disk under fputs)
     * may have dropped its bytes and left nothing for fflush to fail on. */
    errno = 0;
    int failed = ferror(file->fp) || fflush(file->fp) != 0;
    if (failed && !errno) errno = EIO;
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
