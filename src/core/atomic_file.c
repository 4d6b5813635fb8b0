/* Linux-specific: O_TMPFILE, linkat through /proc/self/fd. */
#define _GNU_SOURCE

#include "core/atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "core/random.h"

#define OWNER_ATTRIBUTE "user.reelay.owner"

/* The named temporary files open now, for the signal handler (which may
 * only read them and call unlink, both async-signal-safe). Process-wide
 * because a signal handler gets no context to find them through: the one
 * piece of global state outside main, written only by begin and release. */
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
    if (file->temp_name) untrack(file->partial_path);
    if (file->fp) fclose(file->fp);
    /* A zeroed struct has fd 0 there, which is not ours. */
    if (file->final_path && file->dir_fd >= 0) close(file->dir_fd);
    free(file->final_path);
    free(file->partial_path);
    free(file->base);
    free(file->temp_name);
    memset(file, 0, sizeof *file);
    file->dir_fd = -1;
}

/* Whether the file `name` in dir_fd carries owner's tag. */
static bool owned_by(int dir_fd, const char *name, const char *owner)
{
    if (!owner) return false;
    int fd = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return false;
    char tag[256];
    ssize_t n = fgetxattr(fd, OWNER_ATTRIBUTE, tag, sizeof tag);
    close(fd);
    return n >= 0 && (size_t)n == strlen(owner) && memcmp(tag, owner, (size_t)n) == 0;
}

/* Errors no retry will mend: the place is wrong, not the moment. */
static bool lasting_errno(int e)
{
    return e == ENOENT || e == ENOTDIR || e == EISDIR || e == EACCES || e == EPERM || e == EROFS || e == ELOOP ||
           e == ENAMETOOLONG || e == EEXIST;
}

static int fail(reelay_atomic_file *file, const char *path, const char *step, int e, reelay_err *err)
{
    reelay_err_set(err, REELAY_E_IO, "%s: cannot %s: %s", path, step, strerror(e));
    if (lasting_errno(e)) reelay_err_mark(err, REELAY_ERR_LASTING);
    reelay_atomic_abort(file);
    return REELAY_E_IO;
}

static char *join(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *out = malloc(n);
    if (out) snprintf(out, n, "%s/%s", a, b);
    return out;
}

/* Opens the directory `dir` (relative to root, or as it is without one)
 * for the writer: below a root, one component at a time, refusing
 * symlinks and dot segments. Sets errno and returns -1 on failure. */
static int open_directory(const char *dir, const char *root, bool *escaped)
{
    *escaped = false;
    if (!root) return open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    char *copy = strdup(dir);
    if (!copy) {
        if (fd >= 0) close(fd);
        errno = ENOMEM;
        return -1;
    }
    char *save = NULL;
    for (char *part = strtok_r(copy, "/", &save); part && fd >= 0; part = strtok_r(NULL, "/", &save)) {
        if (strcmp(part, ".") == 0 || strcmp(part, "..") == 0) {
            close(fd);
            fd = -1;
            *escaped = true;
            errno = EPERM;
            break;
        }
        int next = openat(fd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        int saved = errno;
        struct stat st;
        if (next < 0 && fstatat(fd, part, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) *escaped = true;
        close(fd);
        fd = next;
        errno = saved;
    }
    free(copy);
    return fd;
}

/* The directory part of path relative to root ("" when the file is
 * directly in it); NULL when path is not below root. */
static const char *below_root(const char *path, const char *root)
{
    size_t n = strlen(root);
    while (n > 1 && root[n - 1] == '/') n--;
    if (strncmp(path, root, n) != 0 || path[n] != '/') return NULL;
    return path + n + 1;
}

static int random_name(const char *base, char **out)
{
    char hex[17];
    if (reelay_random_hex(hex, 16, NULL) != REELAY_OK) return -1;
    size_t n = strlen(base) + sizeof hex + sizeof "..partial";
    *out = malloc(n);
    if (!*out) return -1;
    snprintf(*out, n, "%s.%s.partial", base, hex);
    return 0;
}

/* A named temporary beside the final name: created, never reused. */
static int open_named(reelay_atomic_file *file, const char *dir)
{
    for (int tries = 0; tries < 8; tries++) {
        free(file->temp_name);
        file->temp_name = NULL;
        if (random_name(file->base, &file->temp_name) != 0) {
            errno = ENOMEM;
            return -1;
        }
        int fd = openat(file->dir_fd, file->temp_name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0) {
            file->partial_path = join(dir, file->temp_name);
            if (!file->partial_path) {
                close(fd);
                unlinkat(file->dir_fd, file->temp_name, 0);
                errno = ENOMEM;
                return -1;
            }
            track(file->partial_path);
            return fd;
        }
        if (errno != EEXIST) return -1;
    }
    return -1;
}

/* An unnamed file in the directory, published through /proc/self/fd; -1
 * with errno when the file system (or a missing /proc) does not allow it. */
static int open_unnamed(reelay_atomic_file *file)
{
    if (access("/proc/self/fd", X_OK) != 0) {
        errno = EOPNOTSUPP;
        return -1;
    }
    int fd = openat(file->dir_fd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0666);
    if (fd < 0) return -1;
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    file->partial_path = strdup(path);
    if (!file->partial_path) {
        close(fd);
        errno = ENOMEM;
        return -1;
    }
    return fd;
}

int reelay_atomic_begin(reelay_atomic_file *file, const char *final_path, reelay_err *err)
{
    return reelay_atomic_begin_with(file, final_path, NULL, err);
}

int reelay_atomic_begin_with(reelay_atomic_file *file, const char *final_path, const reelay_atomic_options *options,
                             reelay_err *err)
{
    memset(file, 0, sizeof *file);
    file->dir_fd = -1;
    reelay_atomic_options defaults = {0};
    if (!options) options = &defaults;
    file->keep_existing = options->keep_existing;
    file->owner = options->owner;
    file->final_path = strdup(final_path);
    const char *slash = strrchr(final_path, '/');
    char *dir = slash ? strndup(final_path, (size_t)(slash - final_path)) : strdup(".");
    if (dir && slash && !dir[0]) { /* "/name" */
        free(dir);
        dir = strdup("/");
    }
    file->base = strdup(slash ? slash + 1 : final_path);
    if (!file->final_path || !dir || !file->base) {
        free(dir);
        release(file);
        return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    }
    if (!file->base[0] || strcmp(file->base, ".") == 0 || strcmp(file->base, "..") == 0) {
        free(dir);
        fail(file, final_path, "create", EISDIR, err);
        return REELAY_E_IO;
    }
    const char *inner = NULL;
    if (options->root && !(inner = below_root(final_path, options->root))) {
        free(dir);
        reelay_err_set(err, REELAY_E_IO, "%s: cannot create: it is not inside %s", final_path, options->root);
        reelay_err_mark(err, REELAY_ERR_LASTING);
        release(file);
        return REELAY_E_IO;
    }
    bool escaped = false;
    char *inner_dir = NULL;
    if (inner) {
        const char *last = strrchr(inner, '/');
        inner_dir = last ? strndup(inner, (size_t)(last - inner)) : strdup("");
    }
    file->dir_fd = inner ? (inner_dir ? open_directory(inner_dir, options->root, &escaped) : -1)
                         : open_directory(dir, NULL, &escaped);
    int saved = errno;
    free(inner_dir);
    if (file->dir_fd < 0) {
        free(dir);
        if (escaped) {
            reelay_err_set(err, REELAY_E_IO, "%s: cannot create: the path leaves %s (a symlink or '..')", final_path,
                           options->root);
            reelay_err_mark(err, REELAY_ERR_LASTING);
            release(file);
            return REELAY_E_IO;
        }
        return fail(file, final_path, "create", saved, err);
    }
    struct stat st;
    if (fstatat(file->dir_fd, file->base, &st, AT_SYMLINK_NOFOLLOW) == 0) {
        if (S_ISDIR(st.st_mode)) {
            free(dir);
            return fail(file, final_path, "create", EISDIR, err);
        }
        if (file->keep_existing && owned_by(file->dir_fd, file->base, file->owner)) {
            file->keep_existing = false; /* our own earlier attempt's: replaced like any file we may replace */
        } else if (file->keep_existing) {
            free(dir);
            reelay_err_set(err, REELAY_E_IO, "%s: exists already (not replaced)", final_path);
            reelay_err_mark(err, REELAY_ERR_LASTING);
            release(file);
            return REELAY_E_IO;
        }
        file->existed = true;
        file->existing_dev = st.st_dev;
        file->existing_ino = st.st_ino;
    }
    int fd = open_unnamed(file);
    if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) fd = open_named(file, dir);
    saved = errno;
    free(dir);
    if (fd < 0) return fail(file, final_path, "create", saved, err);
    /* Best effort: without extended attributes a retry cannot tell its own
     * earlier file from another's, and refuses to replace it. */
    if (file->owner) fsetxattr(fd, OWNER_ATTRIBUTE, file->owner, strlen(file->owner), 0);
    file->fp = fdopen(fd, "wb");
    if (!file->fp) {
        saved = errno;
        close(fd);
        return fail(file, final_path, "create", saved, err);
    }
    return REELAY_OK;
}

int reelay_atomic_prepare(reelay_atomic_file *file, reelay_err *err)
{
    if (!file->fp) return reelay_err_set(err, REELAY_E_INTERNAL, "output file was not opened");
    if (file->prepared) return REELAY_OK;
    /* ferror too: a write that failed earlier (a full disk under fputs)
     * may have dropped its bytes and left nothing for fflush to fail on. */
    errno = 0;
    if (ferror(file->fp) || fflush(file->fp) != 0) {
        int e = errno ? errno : EIO;
        reelay_err_set(err, REELAY_E_IO, "%s: cannot write: %s", file->final_path, strerror(e));
        reelay_atomic_abort(file);
        return REELAY_E_IO;
    }
    if (fsync(fileno(file->fp)) != 0) {
        int e = errno;
        reelay_err_set(err, REELAY_E_IO, "%s: cannot sync: %s", file->final_path, strerror(e));
        reelay_atomic_abort(file);
        return REELAY_E_IO;
    }
    file->prepared = true;
    return REELAY_OK;
}

/* Links the temporary file under `name` in its directory (never replacing). */
static int link_as(reelay_atomic_file *file, const char *name)
{
    if (file->temp_name) return linkat(file->dir_fd, file->temp_name, file->dir_fd, name, 0);
    return linkat(AT_FDCWD, file->partial_path, file->dir_fd, name, AT_SYMLINK_FOLLOW);
}

/* Whether the final name still holds what it held at begin. */
static bool unchanged_since_begin(const reelay_atomic_file *file)
{
    struct stat st;
    if (fstatat(file->dir_fd, file->base, &st, AT_SYMLINK_NOFOLLOW) != 0) return !file->existed || errno == ENOENT;
    return file->existed && st.st_dev == file->existing_dev && st.st_ino == file->existing_ino;
}

/* Puts a prepared file in place; the writer stays held (for commit_all). */
static int publish(reelay_atomic_file *file, reelay_err *err)
{
    if (file->existed && !file->keep_existing) {
        if (!unchanged_since_begin(file)) {
            reelay_err_set(err, REELAY_E_IO, "%s: another writer replaced it meanwhile: kept theirs",
                           file->final_path);
            return REELAY_E_IO;
        }
        /* rename replaces; an unnamed file needs a name to be renamed from. */
        if (!file->temp_name) {
            char *name = NULL;
            if (random_name(file->base, &name) != 0 || link_as(file, name) != 0) {
                int e = name ? errno : ENOMEM;
                free(name);
                return reelay_err_set(err, REELAY_E_IO, "%s: cannot link: %s", file->final_path, strerror(e));
            }
            file->temp_name = name; /* from now on removed like a named one */
        }
        if (renameat(file->dir_fd, file->temp_name, file->dir_fd, file->base) != 0) {
            int e = errno;
            return reelay_err_set(err, REELAY_E_IO, "%s: cannot rename: %s", file->final_path, strerror(e));
        }
        free(file->temp_name);
        file->temp_name = NULL;
    } else if (link_as(file, file->base) != 0) {
        int e = errno;
        if (e == EEXIST) {
            reelay_err_set(err, REELAY_E_IO, "%s: %s", file->final_path,
                           file->keep_existing ? "exists already (not replaced)"
                                               : "another writer created it meanwhile: kept theirs");
            return reelay_err_mark(err, file->keep_existing ? REELAY_ERR_LASTING : 0);
        }
        reelay_err_set(err, REELAY_E_IO, "%s: cannot link: %s", file->final_path, strerror(e));
        return reelay_err_mark(err, lasting_errno(e) ? REELAY_ERR_LASTING : 0);
    }
    /* The new name is durable only once its directory is synced. */
    if (fsync(file->dir_fd) != 0 && errno != EINVAL) {
        int e = errno;
        unlinkat(file->dir_fd, file->base, 0);
        return reelay_err_set(err, REELAY_E_IO, "%s: cannot sync its directory: %s", file->final_path, strerror(e));
    }
    return REELAY_OK;
}

int reelay_atomic_commit(reelay_atomic_file *file, reelay_err *err)
{
    return reelay_atomic_commit_all(file, 1, err);
}

int reelay_atomic_finish(reelay_atomic_file *file, reelay_atomic_file *held, reelay_err *err)
{
    if (!held) return reelay_atomic_commit(file, err);
    int rc = reelay_atomic_prepare(file, err);
    if (rc != REELAY_OK) return rc;
    *held = *file;
    memset(file, 0, sizeof *file);
    file->dir_fd = -1;
    return REELAY_OK;
}

int reelay_atomic_commit_all(reelay_atomic_file *files, size_t count, reelay_err *err)
{
    int rc = REELAY_OK;
    for (size_t i = 0; i < count && rc == REELAY_OK; i++) rc = reelay_atomic_prepare(&files[i], err);
    size_t published = 0;
    while (rc == REELAY_OK && published < count) {
        rc = publish(&files[published], err);
        if (rc == REELAY_OK) published++;
    }
    if (rc != REELAY_OK)
        for (size_t i = 0; i < published; i++)
            unlinkat(files[i].dir_fd, files[i].base, 0);
    for (size_t i = 0; i < count; i++) reelay_atomic_abort(&files[i]);
    return rc;
}

void reelay_atomic_abort(reelay_atomic_file *file)
{
    if (file->temp_name && file->final_path && file->dir_fd >= 0) unlinkat(file->dir_fd, file->temp_name, 0);
    release(file);
}
