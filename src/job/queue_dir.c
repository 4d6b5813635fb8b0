/* The dir backend: a spool directory.
 *   inbox/ID.json     queued job documents
 *   claimed/ID.json   taken by a worker; its mtime is the heartbeat
 *   attempts/ID       how many times the job was claimed
 *   done/ID.json      results of finished jobs
 *   failed/ID.json    results of failed jobs
 *   tmp/              files being written, and claims being moved
 * Every step is one rename within the directory's file system, so two
 * workers never both win a job: the one whose rename succeeds owns it. */
#include "job/queue_backend.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/atomic_file.h"

typedef struct dir_queue {
    char *root;
    double lease_s;
} dir_queue;

static const char *const SUBDIRS[] = {"inbox", "claimed", "attempts", "done", "failed", "tmp"};

static void path_of(const dir_queue *q, const char *dir, const char *id, const char *ext, char *out, size_t size)
{
    snprintf(out, size, "%s/%s/%s%s", q->root, dir, id, ext);
}

static int make_dir(const char *path, reelay_err *err)
{
    if (mkdir(path, 0777) == 0 || errno == EEXIST) return REELAY_OK;
    return reelay_err_set(err, REELAY_E_IO, "%s: cannot create the directory: %s", path, strerror(errno));
}

/* Every user of the queue writes to it: a directory it cannot write (a
 * read-only mount, another user's) is refused at once, not at the first
 * job. */
static int check_dir(const char *path, reelay_err *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return reelay_err_set(err, REELAY_E_IO, "%s: cannot open the queue directory: %s", path, strerror(errno));
    if (!S_ISDIR(st.st_mode)) return reelay_err_set(err, REELAY_E_IO, "%s: not a directory", path);
    if (access(path, W_OK | X_OK) != 0)
        return reelay_err_set(err, REELAY_E_IO, "%s: the queue directory is not writable: %s", path,
                              strerror(errno));
    return REELAY_OK;
}

static void dir_close(void *impl)
{
    dir_queue *q = impl;
    if (!q) return;
    free(q->root);
    free(q);
}

static const reelay_queue_ops DIR_OPS;

int reelay_queue_dir_open(const char *path, double lease_s, const reelay_queue_ops **ops, void **impl,
                          reelay_err *err)
{
    dir_queue *q = calloc(1, sizeof *q);
    if (!q || !(q->root = strdup(path))) {
        free(q);
        return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    }
    q->lease_s = lease_s;
    int rc = make_dir(q->root, err);
    for (size_t i = 0; rc == REELAY_OK && i < sizeof SUBDIRS / sizeof SUBDIRS[0]; i++) {
        char sub[4096];
        snprintf(sub, sizeof sub, "%s/%s", q->root, SUBDIRS[i]);
        rc = make_dir(sub, err);
        if (rc == REELAY_OK) rc = check_dir(sub, err);
    }
    if (rc != REELAY_OK) {
        dir_close(q);
        return rc;
    }
    *ops = &DIR_OPS;
    *impl = q;
    return REELAY_OK;
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Writes text to dir/ID.ext through tmp/ (whole or not at all). */
static int write_file(const dir_queue *q, const char *dir, const char *id, const char *ext, const char *text,
                      reelay_err *err)
{
    char final[4096];
    path_of(q, dir, id, ext, final, sizeof final);
    reelay_atomic_file file;
    int rc = reelay_atomic_begin(&file, final, err);
    if (rc != REELAY_OK) return rc;
    if (fputs(text, file.fp) < 0) {
        reelay_atomic_abort(&file);
        return reelay_err_set(err, REELAY_E_IO, "%s: cannot write: %s", final, strerror(errno));
    }
    return reelay_atomic_commit(&file, err);
}

static int read_attempts(const dir_queue *q, const char *id)
{
    char path[4096];
    path_of(q, "attempts", id, "", path, sizeof path);
    FILE *fp = fopen(path, "r");
    int n = 0;
    if (fp) {
        if (fscanf(fp, "%d", &n) != 1) n = 0;
        fclose(fp);
    }
    return n < 0 ? 0 : n;
}

static int write_attempts(const dir_queue *q, const char *id, int n, reelay_err *err)
{
    char text[32];
    snprintf(text, sizeof text, "%d\n", n);
    return write_file(q, "attempts", id, "", text, err);
}

static int dir_submit(void *impl, json_t *doc, const char *id, reelay_err *err)
{
    dir_queue *q = impl;
    int rc = REELAY_OK;
    const char *dirs[] = {"inbox", "claimed", "done", "failed"};
    for (size_t i = 0; i < 4; i++) {
        char path[4096];
        path_of(q, dirs[i], id, ".json", path, sizeof path);
        if (exists(path)) return reelay_err_set(err, REELAY_E_USAGE, "job %s is already in the queue (%s)", id, dirs[i]);
    }
    char *text = json_dumps(doc, JSON_COMPACT);
    if (!text) return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    /* Written under tmp/, then linked into inbox/: link never replaces. */
    rc = write_file(q, "tmp", id, ".submit", text, err);
    free(text);
    if (rc != REELAY_OK) return rc;
    char from[4096], to[4096];
    path_of(q, "tmp", id, ".submit", from, sizeof from);
    path_of(q, "inbox", id, ".json", to, sizeof to);
    if (link(from, to) != 0) rc = reelay_err_set(err, errno == EEXIST ? REELAY_E_USAGE : REELAY_E_IO,
                                                 "job %s: cannot queue: %s", id, strerror(errno));
    unlink(from);
    return rc;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double mtime_of(const struct stat *st)
{
    return (double)st->st_mtim.tv_sec + st->st_mtim.tv_nsec / 1e9;
}

/* "ID.json" -> "ID" when ID is a valid job id. */
static bool id_of(const char *name, char *id, size_t size)
{
    size_t n = strlen(name);
    if (n <= 5 || strcmp(name + n - 5, ".json") != 0 || n - 5 >= size) return false;
    memcpy(id, name, n - 5);
    id[n - 5] = '\0';
    return reelay_job_id_valid(id);
}

static int failed_result_file(dir_queue *q, const char *id, int attempts, int code, const char *message,
                              reelay_err *err)
{
    reelay_job_result r = {.status = REELAY_JOB_FAILED, .attempts = attempts, .error_code = code};
    snprintf(r.id, sizeof r.id, "%s", id);
    snprintf(r.error_message, sizeof r.error_message, "%s", message);
    json_t *doc = reelay_job_result_to_json(&r);
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    if (!text) return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    int rc = write_file(q, "failed", id, ".json", text, err);
    free(text);
    return rc;
}

/* Claims whose heartbeat stopped go back to the inbox, or fail for good. */
static int reclaim_expired(dir_queue *q, reelay_err *err)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/claimed", q->root);
    DIR *d = opendir(dir);
    if (!d) return reelay_err_set(err, REELAY_E_IO, "%s: cannot list: %s", dir, strerror(errno));
    double now = now_s();
    int rc = REELAY_OK;
    struct dirent *entry;
    while (rc == REELAY_OK && (entry = readdir(d))) {
        char id[REELAY_JOB_ID_MAX + 1], path[4096], held[4096];
        if (!id_of(entry->d_name, id, sizeof id)) continue;
        path_of(q, "claimed", id, ".json", path, sizeof path);
        struct stat st;
        if (stat(path, &st) != 0 || now - mtime_of(&st) <= q->lease_s) continue;
        /* Whoever moves it first handles it. */
        char suffix[64];
        snprintf(suffix, sizeof suffix, ".expired.%ld", (long)getpid());
        path_of(q, "tmp", id, suffix, held, sizeof held);
        if (rename(path, held) != 0) {
            /* ENOENT: another worker handles it. */
            if (errno != ENOENT)
                rc = reelay_err_set(err, REELAY_E_IO, "%s: cannot take back an expired claim: %s", path,
                                    strerror(errno));
            continue;
        }
        int attempts = read_attempts(q, id);
        if (attempts >= REELAY_QUEUE_MAX_ATTEMPTS) {
            char message[256];
            snprintf(message, sizeof message,
                     "no heartbeat for %.0f s after %d attempts: its workers died or hung", q->lease_s, attempts);
            rc = failed_result_file(q, id, attempts, REELAY_E_INTERNAL, message, err);
            if (rc == REELAY_OK) unlink(held);
        } else {
            char inbox[4096];
            path_of(q, "inbox", id, ".json", inbox, sizeof inbox);
            if (rename(held, inbox) != 0)
                rc = reelay_err_set(err, REELAY_E_IO, "%s: cannot requeue: %s", inbox, strerror(errno));
        }
        if (rc != REELAY_OK) rename(held, path); /* still expired: the next look tries again */
    }
    closedir(d);
    return rc;
}

typedef struct queued {
    char id[REELAY_JOB_ID_MAX + 1];
    double mtime;
} queued;

static int by_age(const void *a, const void *b)
{
    const queued *x = a, *y = b;
    if (x->mtime != y->mtime) return x->mtime < y->mtime ? -1 : 1;
    return strcmp(x->id, y->id);
}

/* The inbox, oldest first. */
static int list_inbox(dir_queue *q, queued **out, size_t *count, reelay_err *err)
{
    *out = NULL;
    *count = 0;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/inbox", q->root);
    DIR *d = opendir(dir);
    if (!d) return reelay_err_set(err, REELAY_E_IO, "%s: cannot list: %s", dir, strerror(errno));
    size_t cap = 0;
    struct dirent *entry;
    while ((entry = readdir(d))) {
        queued item;
        if (!id_of(entry->d_name, item.id, sizeof item.id)) continue;
        char path[4096];
        path_of(q, "inbox", item.id, ".json", path, sizeof path);
        struct stat st;
        if (stat(path, &st) != 0) continue;
        item.mtime = mtime_of(&st);
        if (*count == cap) {
            cap = cap ? cap * 2 : 64;
            queued *grown = realloc(*out, cap * sizeof *grown);
            if (!grown) {
                closedir(d);
                free(*out);
                *out = NULL;
                return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
            }
            *out = grown;
        }
        (*out)[(*count)++] = item;
    }
    closedir(d);
    if (*count > 1) qsort(*out, *count, sizeof **out, by_age);
    return REELAY_OK;
}

static int dir_claim(void *impl, reelay_claim *claim, bool *got, reelay_err *err)
{
    dir_queue *q = impl;
    int rc = reclaim_expired(q, err);
    queued *items = NULL;
    size_t count = 0;
    if (rc == REELAY_OK) rc = list_inbox(q, &items, &count, err);
    for (size_t i = 0; rc == REELAY_OK && i < count && !*got; i++) {
        char from[4096], to[4096];
        path_of(q, "inbox", items[i].id, ".json", from, sizeof from);
        path_of(q, "claimed", items[i].id, ".json", to, sizeof to);
        /* The heartbeat starts now, before the claim is visible. ENOENT:
         * another worker won it; anything else is the queue's fault. */
        if (utimensat(AT_FDCWD, from, NULL, 0) != 0 || rename(from, to) != 0) {
            if (errno != ENOENT) rc = reelay_err_set(err, REELAY_E_IO, "%s: cannot claim: %s", from, strerror(errno));
            continue;
        }
        snprintf(claim->id, sizeof claim->id, "%s", items[i].id);
        claim->attempts = read_attempts(q, claim->id) + 1;
        rc = write_attempts(q, claim->id, claim->attempts, err);
        if (rc != REELAY_OK) {
            rename(to, from); /* uncounted, so not ours: back it goes (or it expires) */
            break;
        }
        *got = true;
        struct stat st;
        json_error_t jerr;
        if (stat(to, &st) == 0 && st.st_size > REELAY_JOB_MAX_BYTES) {
            snprintf(claim->problem, sizeof claim->problem, "job file %s.json is %lld bytes: a job is at most %d",
                     claim->id, (long long)st.st_size, REELAY_JOB_MAX_BYTES);
        } else if (!(claim->doc = json_load_file(to, JSON_REJECT_DUPLICATES, &jerr))) {
            snprintf(claim->problem, sizeof claim->problem, "job file %s.json:%d:%d: %s", claim->id, jerr.line,
                     jerr.column, jerr.text);
        } else {
            /* Its result is filed under the file's name: another id would
             * record the job under two names. */
            const char *id = json_string_value(json_object_get(claim->doc, "id"));
            if (id && strcmp(id, claim->id) != 0) {
                snprintf(claim->problem, sizeof claim->problem, "job file %s.json has the id \"%.64s\": a job "
                         "file is named after its id", claim->id, id);
                json_decref(claim->doc);
                claim->doc = NULL;
            }
        }
    }
    free(items);
    return rc;
}

/* A claim is still ours while no later claim counted another attempt (the
 * claimed/ file has the same name whoever holds it). */
static int check_ours(const dir_queue *q, const reelay_claim *claim, reelay_err *err)
{
    char path[4096];
    path_of(q, "attempts", claim->id, "", path, sizeof path);
    /* Never removed: gone means the queue directory went (or was emptied). */
    if (access(path, F_OK) != 0)
        return reelay_err_set(err, REELAY_E_IO, "%s: cannot read the claim's attempts: %s", path, strerror(errno));
    if (read_attempts(q, claim->id) != claim->attempts)
        return reelay_err_set(err, REELAY_E_IO, "job %s: the claim expired and went to another worker",
                              claim->id);
    return REELAY_OK;
}

static int dir_heartbeat(void *impl, const reelay_claim *claim, reelay_err *err)
{
    dir_queue *q = impl;
    int rc = check_ours(q, claim, err);
    if (rc != REELAY_OK) return rc;
    char path[4096];
    path_of(q, "claimed", claim->id, ".json", path, sizeof path);
    if (utimensat(AT_FDCWD, path, NULL, 0) != 0)
        return reelay_err_set(err, REELAY_E_IO, "%s: lost the claim: %s", path, strerror(errno));
    return REELAY_OK;
}

/* Moves the claim out of claimed/ (proving it is still ours) to tmp/. */
static int take_claim(dir_queue *q, const reelay_claim *claim, char *held, size_t size, reelay_err *err)
{
    int rc = check_ours(q, claim, err);
    if (rc != REELAY_OK) return rc;
    char path[4096], suffix[64];
    path_of(q, "claimed", claim->id, ".json", path, sizeof path);
    snprintf(suffix, sizeof suffix, ".finishing.%ld", (long)getpid());
    path_of(q, "tmp", claim->id, suffix, held, size);
    if (rename(path, held) != 0)
        return reelay_err_set(err, REELAY_E_IO, "job %s: the claim expired and went to another worker",
                              claim->id);
    return REELAY_OK;
}

/* A finish that failed after take_claim: the claim goes back to claimed/
 * with its last heartbeat, so it expires and the job is retried (or failed
 * for good) as if its worker had died; the message says where it is. */
static int put_back(const dir_queue *q, const reelay_claim *claim, const char *held, int rc, reelay_err *err)
{
    char path[4096], why[sizeof err->msg];
    path_of(q, "claimed", claim->id, ".json", path, sizeof path);
    snprintf(why, sizeof why, "%s", err->msg);
    if (rename(held, path) == 0)
        return reelay_err_set(err, rc, "%.700s; the job stays claimed and goes back to the queue when its lease runs "
                              "out", why);
    return reelay_err_set(err, rc, "%.700s; the job file stays at %.200s (cannot put it back: %s)", why, held,
                          strerror(errno));
}

static int dir_complete(void *impl, reelay_claim *claim, const reelay_job_result *result, reelay_err *err)
{
    dir_queue *q = impl;
    char held[4096];
    int rc = take_claim(q, claim, held, sizeof held, err);
    if (rc != REELAY_OK) return rc;
    json_t *doc = reelay_job_result_to_json(result);
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    if (!text) rc = reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    else rc = write_file(q, result->status == REELAY_JOB_DONE ? "done" : "failed", claim->id, ".json", text, err);
    free(text);
    if (rc != REELAY_OK) return put_back(q, claim, held, rc, err);
    unlink(held);
    return REELAY_OK;
}

static int dir_requeue(void *impl, reelay_claim *claim, bool uncount, reelay_err *err)
{
    dir_queue *q = impl;
    char held[4096], inbox[4096];
    int rc = take_claim(q, claim, held, sizeof held, err);
    if (rc != REELAY_OK) return rc;
    if (uncount) rc = write_attempts(q, claim->id, claim->attempts - 1, err);
    path_of(q, "inbox", claim->id, ".json", inbox, sizeof inbox);
    if (rename(held, inbox) != 0) {
        rc = reelay_err_set(err, REELAY_E_IO, "%s: cannot requeue: %s", inbox, strerror(errno));
        return put_back(q, claim, held, rc, err);
    }
    return rc;
}

static int dir_status(void *impl, const char *id, reelay_job_state *state, json_t **result, reelay_err *err)
{
    dir_queue *q = impl;
    (void)err;
    static const struct {
        const char *dir;
        reelay_job_state state;
    } places[] = {{"done", REELAY_STATE_DONE},
                  {"failed", REELAY_STATE_FAILED},
                  {"claimed", REELAY_STATE_RUNNING},
                  {"inbox", REELAY_STATE_QUEUED}};
    for (size_t i = 0; i < sizeof places / sizeof places[0]; i++) {
        char path[4096];
        path_of(q, places[i].dir, id, ".json", path, sizeof path);
        if (!exists(path)) continue;
        *state = places[i].state;
        if (result && (*state == REELAY_STATE_DONE || *state == REELAY_STATE_FAILED))
            *result = json_load_file(path, 0, NULL);
        return REELAY_OK;
    }
    return REELAY_OK;
}

static long count_jobs(const dir_queue *q, const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", q->root, dir);
    DIR *d = opendir(path);
    if (!d) return -1;
    long n = 0;
    struct dirent *entry;
    char id[REELAY_JOB_ID_MAX + 1];
    while ((entry = readdir(d)))
        if (id_of(entry->d_name, id, sizeof id)) n++;
    closedir(d);
    return n;
}

static int dir_counts(void *impl, reelay_queue_counts *c, reelay_err *err)
{
    dir_queue *q = impl;
    c->queued = count_jobs(q, "inbox");
    c->running = count_jobs(q, "claimed");
    c->done = count_jobs(q, "done");
    c->failed = count_jobs(q, "failed");
    if (c->queued < 0 || c->running < 0 || c->done < 0 || c->failed < 0)
        return reelay_err_set(err, REELAY_E_IO, "%s: cannot list the queue", q->root);
    return REELAY_OK;
}

static const reelay_queue_ops DIR_OPS = {
    .name = "dir",
    .submit = dir_submit,
    .claim = dir_claim,
    .heartbeat = dir_heartbeat,
    .complete = dir_complete,
    .requeue = dir_requeue,
    .status = dir_status,
    .counts = dir_counts,
    .close = dir_close,
};
