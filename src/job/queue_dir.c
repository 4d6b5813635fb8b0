/* The dir backend: a spool directory.
 *   inbox/ID.json     queued job documents
 *   claimed/ID.json   taken by a worker; its mtime is the heartbeat
 *   attempts/ID       how many times the job was claimed
 *   done/ID.json      results of finished jobs
 *   failed/ID.json    results of failed jobs
 *   outputs/HASH      {"path", "id"}: the output file `path` belongs to job id
 *   tmp/              files being written (DIR~NAME~HOST~PID~RANDOM)
 * Two workers never both win a job: a claim is one rename out of inbox/,
 * and the one whose rename succeeds owns it. A job is in one of inbox/,
 * claimed/, done/ or failed/ at every instant, never in tmp/ alone: a
 * claim moves back to inbox/ in one rename, and a result is stored while
 * the claim still holds the job, the claim removed only after. */
#include "job/queue_backend.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/idmap.h"
#include "core/random.h"

typedef struct dir_queue {
    char *root;
    double lease_s;
    char host[65]; /* in temporary names: tells this machine's leftovers from another machine's writes */
} dir_queue;

static const char *const SUBDIRS[] = {"inbox", "claimed", "attempts", "done", "failed", "tmp", "outputs"};

/* Nothing legitimate stays in tmp/ longer: a write takes seconds at most. */
#define TEMP_MAX_AGE_S 86400.0
/* An output entry whose job the queue does not know may be a submit still
 * on its way to inbox/: only entries older than this are orphans. */
#define SUBMIT_GRACE_S 3600.0
/* Slots per output hash: a colliding path takes the next one. */
#define OWNER_SLOTS 4
/* Looks at a job's places before calling it unknown (it may be moving). */
#define FIND_PASSES 100

static void path_of(const dir_queue *q, const char *dir, const char *id, const char *ext, char *out, size_t size)
{
    snprintf(out, size, "%s/%s/%s%s", q->root, dir, id, ext);
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
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

/* ------------------------------------------------------------ writing files */

static bool write_all(int fd, const char *text)
{
    size_t left = strlen(text);
    while (left > 0) {
        ssize_t n = write(fd, text, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        text += n;
        left -= (size_t)n;
    }
    return true;
}

/* Writes text to a new file in tmp/, synced, named after where it goes
 * and who wrote it (so a restarted worker can tell its dead writes from a
 * live writer's). */
static int stage(const dir_queue *q, const char *dir, const char *name, const char *text, char *temp, size_t size,
                 reelay_err *err)
{
    int fd = -1;
    for (int i = 0; i < 8 && fd < 0; i++) {
        char r[17];
        if (reelay_random_hex(r, 16, NULL) != REELAY_OK)
            snprintf(r, sizeof r, "%016llx", (unsigned long long)(now_s() * 1e9) + (unsigned)i);
        snprintf(temp, size, "%s/tmp/%s~%s~%s~%ld~%s", q->root, dir, name, q->host, (long)getpid(), r);
        fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST) break;
    }
    if (fd < 0) return reelay_err_set(err, REELAY_E_IO, "%s: cannot create: %s", temp, strerror(errno));
    const char *step = !write_all(fd, text) ? "write" : fsync(fd) != 0 ? "sync" : NULL;
    int saved = errno;
    if (close(fd) != 0 && !step) {
        step = "close";
        saved = errno;
    }
    if (!step) return REELAY_OK;
    unlink(temp);
    return reelay_err_set(err, REELAY_E_IO, "%s: cannot %s: %s", temp, step, strerror(saved));
}

/* Stores text as dir/name, whole or not at all. replace: over an existing
 * file (rename); otherwise never (link), *existed saying the name was
 * taken. */
static int store(const dir_queue *q, const char *dir, const char *name, const char *text, bool replace,
                 bool *existed, reelay_err *err)
{
    char temp[4096], final[4096];
    if (existed) *existed = false;
    path_of(q, dir, name, "", final, sizeof final);
    int rc = stage(q, dir, name, text, temp, sizeof temp, err);
    if (rc != REELAY_OK) return rc;
    int failed = replace ? rename(temp, final) : link(temp, final);
    int saved = errno;
    if (failed || !replace) unlink(temp);
    if (!failed) return REELAY_OK;
    if (!replace && saved == EEXIST && existed) {
        *existed = true;
        return REELAY_OK;
    }
    return reelay_err_set(err, REELAY_E_IO, "%s: cannot create: %s", final, strerror(saved));
}

/* 0 with the count, or why it cannot be read (ENOENT: the job was never
 * claimed, or was trimmed). */
static int read_attempts(const dir_queue *q, const char *id, int *n)
{
    char path[4096];
    path_of(q, "attempts", id, "", path, sizeof path);
    *n = 0;
    FILE *fp = fopen(path, "r");
    if (!fp) return errno;
    if (fscanf(fp, "%d", n) != 1 || *n < 0) *n = 0;
    fclose(fp);
    return 0;
}

static int write_attempts(const dir_queue *q, const char *id, int n, reelay_err *err)
{
    char text[32];
    snprintf(text, sizeof text, "%d\n", n);
    return store(q, "attempts", id, text, true, NULL, err);
}

static int store_json(const dir_queue *q, const char *dir, const char *name, json_t *doc, bool replace,
                      bool *existed, reelay_err *err)
{
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    if (!text) return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    int rc = store(q, dir, name, text, replace, existed, err);
    free(text);
    return rc;
}

static int store_result(const dir_queue *q, const char *id, const reelay_job_result *result, reelay_err *err)
{
    char name[REELAY_JOB_ID_MAX + 8];
    snprintf(name, sizeof name, "%s.json", id);
    json_t *doc = reelay_job_result_to_json(result);
    int rc = store_json(q, result->status == REELAY_JOB_DONE ? "done" : "failed", name, doc, true, NULL, err);
    json_decref(doc);
    return rc;
}

/* ------------------------------------------------------------- finding jobs */

typedef struct place {
    const char *dir;
    reelay_job_state state;
    int rank; /* a result outranks a claim left behind, a claim an inbox copy seen before it moved */
} place;

/* In the order a job moves through them, so that a job moving on during a
 * look is seen at its next place. */
static const place PLACES[] = {
    {"inbox", REELAY_STATE_QUEUED, 0},
    {"claimed", REELAY_STATE_RUNNING, 1},
    {"done", REELAY_STATE_DONE, 3},
    {"failed", REELAY_STATE_FAILED, 2},
};
#define PLACE_COUNT (sizeof PLACES / sizeof PLACES[0])

static int look_once(const dir_queue *q, const char *id)
{
    int found = -1;
    for (int i = 0; i < (int)PLACE_COUNT; i++) {
        char path[4096];
        path_of(q, PLACES[i].dir, id, ".json", path, sizeof path);
        if (exists(path) && (found < 0 || PLACES[i].rank > PLACES[found].rank)) found = i;
    }
    return found;
}

/* The place (index into PLACES) of job id, or -1 when the queue does not
 * know it. One look misses a job only when it goes back from claimed/ to
 * inbox/ between the two looks; only a job once claimed does that, and it
 * has an attempts file, so such a job is looked for again. */
static int find_job(const dir_queue *q, const char *id)
{
    char attempts[4096];
    path_of(q, "attempts", id, "", attempts, sizeof attempts);
    for (int pass = 0; pass < FIND_PASSES; pass++) {
        int at = look_once(q, id);
        if (at >= 0) return at;
        if (pass >= 1 && !exists(attempts)) break;
    }
    return -1;
}

static bool has_result(const dir_queue *q, const char *id)
{
    char path[4096];
    path_of(q, "done", id, ".json", path, sizeof path);
    if (exists(path)) return true;
    path_of(q, "failed", id, ".json", path, sizeof path);
    return exists(path);
}

/* --------------------------------------------------------- output ownership */

static void owner_name(const char *path, int slot, char *out, size_t size)
{
    unsigned long long h = reelay_text_hash(path);
    if (slot == 0) snprintf(out, size, "%016llx", h);
    else snprintf(out, size, "%016llx.%d", h, slot);
}

/* outputs/NAME as a document: 0, ENOENT when the slot is free, or EIO. */
static int read_owner(const dir_queue *q, const char *name, json_t **owner)
{
    char path[4096];
    path_of(q, "outputs", name, "", path, sizeof path);
    FILE *fp = fopen(path, "r");
    if (!fp) return errno;
    *owner = json_loadf(fp, 0, NULL);
    fclose(fp);
    return *owner ? 0 : EIO;
}

static int belongs_to_other(const char *path, const char *owner_id, reelay_err *err)
{
    reelay_err_set(err, REELAY_E_USAGE, "output %s belongs to job %s", path, owner_id ? owner_id : "(unknown)");
    return reelay_err_mark(err, REELAY_ERR_LASTING);
}

/* Looks through the slots of path's hash: 0 when path belongs to id
 * already, ENOENT with *free_slot (-1: none) when to nobody; an error set
 * when to another job or unreadable. */
static int find_owner(const dir_queue *q, const char *path, const char *id, int *free_slot, reelay_err *err)
{
    *free_slot = -1;
    for (int slot = 0; slot < OWNER_SLOTS; slot++) {
        char name[32];
        owner_name(path, slot, name, sizeof name);
        json_t *owner = NULL;
        int e = read_owner(q, name, &owner);
        if (e == ENOENT) {
            if (*free_slot < 0) *free_slot = slot;
            continue;
        }
        if (e) return reelay_err_set(err, REELAY_E_IO, "%s/outputs/%s: cannot read: %s", q->root, name, strerror(e));
        const char *owned = json_string_value(json_object_get(owner, "path"));
        const char *owner_id = json_string_value(json_object_get(owner, "id"));
        int rc = ENOENT; /* another path with the same hash: on to the next slot */
        if (owned && strcmp(owned, path) == 0)
            rc = owner_id && strcmp(owner_id, id) == 0 ? REELAY_OK : belongs_to_other(path, owner_id, err);
        json_decref(owner);
        if (rc != ENOENT) return rc;
    }
    return ENOENT;
}

/* Makes path belong to job id: an entry created with link, so of two
 * submitters racing for it one wins. *created: this call made the entry
 * (a submit that fails removes it); an entry of the same id (a submit of
 * it that stopped half-way) is taken as it is. */
static int claim_output(const dir_queue *q, const char *path, const char *id, char *entry, size_t size,
                        bool *created, reelay_err *err)
{
    *created = false;
    for (int round = 0; round < 8; round++) {
        int free_slot;
        int rc = find_owner(q, path, id, &free_slot, err);
        if (rc != ENOENT) return rc;
        if (free_slot < 0)
            return reelay_err_set(err, REELAY_E_IO, "output %s: its %d ownership slots hold other paths", path,
                                  OWNER_SLOTS);
        owner_name(path, free_slot, entry, size);
        json_t *doc = json_pack("{s:s, s:s}", "path", path, "id", id);
        bool existed;
        rc = store_json(q, "outputs", entry, doc, false, &existed, err);
        json_decref(doc);
        if (rc != REELAY_OK) return rc;
        if (!existed) {
            *created = true;
            return REELAY_OK;
        }
    }
    return reelay_err_set(err, REELAY_E_IO, "output %s: its ownership entry keeps changing", path);
}

typedef struct taken_outputs {
    char names[REELAY_JOB_MAX_OUTPUTS][32];
    size_t count;
} taken_outputs;

static void release_outputs(const dir_queue *q, const taken_outputs *taken)
{
    for (size_t i = 0; i < taken->count; i++) {
        char path[4096];
        path_of(q, "outputs", taken->names[i], "", path, sizeof path);
        unlink(path);
    }
}

/* Every file the job writes becomes its own, or none does. */
static int claim_outputs(const dir_queue *q, const json_t *doc, const char *id, taken_outputs *taken,
                         reelay_err *err)
{
    reelay_job_output_names *outputs = malloc(sizeof *outputs);
    if (!outputs) return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    reelay_job_output_names_of(doc, outputs);
    taken->count = 0;
    for (size_t i = 0; i < outputs->count; i++) {
        bool created;
        int rc = claim_output(q, outputs->name[i], id, taken->names[taken->count], sizeof taken->names[0], &created, err);
        if (rc != REELAY_OK) {
            release_outputs(q, taken);
            taken->count = 0;
            free(outputs);
            return rc;
        }
        if (created) taken->count++;
    }
    free(outputs);
    return REELAY_OK;
}

static int dir_submit(void *impl, json_t *doc, const char *id, reelay_err *err)
{
    dir_queue *q = impl;
    int at = find_job(q, id);
    if (at >= 0) return reelay_err_set(err, REELAY_E_USAGE, "job %s is already in the queue (%s)", id, PLACES[at].dir);
    taken_outputs taken;
    int rc = claim_outputs(q, doc, id, &taken, err);
    if (rc != REELAY_OK) return rc;
    char name[REELAY_JOB_ID_MAX + 8];
    snprintf(name, sizeof name, "%s.json", id);
    bool existed = false;
    rc = store_json(q, "inbox", name, doc, false, &existed, err);
    if (rc == REELAY_OK && existed)
        return reelay_err_set(err, REELAY_E_USAGE, "job %s is already in the queue (inbox)", id);
    /* (A submit of the same id that won the race may rely on the entries
     * this one made: they stay, naming that id.) */
    if (rc != REELAY_OK) release_outputs(q, &taken);
    return rc;
}

/* ------------------------------------------------------------------ claims */

/* A claimed job whose heartbeat stopped goes back to the inbox in one
 * rename, whatever its attempts (the claim that takes it next fails it
 * for good when they are used up); a claim whose job already has a result
 * (its worker stopped between storing it and removing the claim) just
 * goes. ENOENT: another worker handled it first. */
static int expire(const dir_queue *q, const char *id, reelay_err *err)
{
    char path[4096], inbox[4096];
    path_of(q, "claimed", id, ".json", path, sizeof path);
    path_of(q, "inbox", id, ".json", inbox, sizeof inbox);
    if (has_result(q, id)) {
        unlink(path);
        return REELAY_OK;
    }
    if (rename(path, inbox) != 0 && errno != ENOENT)
        return reelay_err_set(err, REELAY_E_IO, "%s: cannot take back an expired claim: %s", path, strerror(errno));
    return REELAY_OK;
}

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
        char id[REELAY_JOB_ID_MAX + 1], path[4096];
        if (!id_of(entry->d_name, id, sizeof id)) continue;
        path_of(q, "claimed", id, ".json", path, sizeof path);
        struct stat st;
        if (stat(path, &st) == 0 && now - mtime_of(&st) > q->lease_s) rc = expire(q, id, err);
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

static int failed_result_file(dir_queue *q, const char *id, int attempts, int code, const char *message,
                              reelay_err *err)
{
    reelay_job_result r = {.status = REELAY_JOB_FAILED, .attempts = attempts, .error_code = code};
    snprintf(r.id, sizeof r.id, "%s", id);
    snprintf(r.error_message, sizeof r.error_message, "%s", message);
    return store_result(q, id, &r, err);
}

/* A job back from its last expired claim: its failed/ result is stored
 * while this claim holds it, then the claim goes. A result that cannot be
 * stored leaves the claim to expire and be tried again. */
static int fail_for_good(dir_queue *q, const char *id, int attempts, reelay_err *err)
{
    char message[256], path[4096];
    snprintf(message, sizeof message, "no heartbeat for %.0f s after %d attempts: its workers died or hung", q->lease_s,
             attempts);
    int rc = failed_result_file(q, id, attempts, REELAY_E_INTERNAL, message, err);
    path_of(q, "claimed", id, ".json", path, sizeof path);
    if (rc == REELAY_OK) unlink(path);
    return rc;
}

/* Reads the claimed job document into claim (a problem noted instead when
 * it cannot be used); false when the file is gone: a worker still holding
 * the previous attempt finished the job just as this one took it. */
static bool load_claimed(const dir_queue *q, reelay_claim *claim)
{
    char path[4096];
    path_of(q, "claimed", claim->id, ".json", path, sizeof path);
    struct stat st;
    json_error_t jerr;
    if (stat(path, &st) != 0) {
        if (errno == ENOENT) return false;
        st.st_size = 0; /* unreadable: the parse below says why */
    }
    if (st.st_size > REELAY_JOB_MAX_BYTES) {
        snprintf(claim->problem, sizeof claim->problem, "job file %s.json is %lld bytes: a job is at most %d",
                 claim->id, (long long)st.st_size, REELAY_JOB_MAX_BYTES);
    } else if (!(claim->doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr))) {
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
    return true;
}

/* A job this worker just moved into claimed/: it runs (*got), or it is
 * settled without running when it has a result already or its attempts
 * are used up. */
static int take_job(dir_queue *q, const char *id, reelay_claim *claim, bool *got, reelay_err *err)
{
    char from[4096], to[4096];
    path_of(q, "inbox", id, ".json", from, sizeof from);
    path_of(q, "claimed", id, ".json", to, sizeof to);
    if (has_result(q, id)) {
        unlink(to);
        return REELAY_OK;
    }
    int attempts;
    int e = read_attempts(q, id, &attempts);
    int rc = REELAY_OK;
    if (e && e != ENOENT)
        rc = reelay_err_set(err, REELAY_E_IO, "%s/attempts/%s: cannot read: %s", q->root, id, strerror(e));
    else if (attempts >= REELAY_QUEUE_MAX_ATTEMPTS)
        return fail_for_good(q, id, attempts, err);
    else
        rc = write_attempts(q, id, attempts + 1, err);
    if (rc != REELAY_OK) {
        rename(to, from); /* uncounted, so not ours: back it goes (or it expires) */
        return rc;
    }
    snprintf(claim->id, sizeof claim->id, "%s", id);
    claim->attempts = attempts + 1;
    *got = load_claimed(q, claim);
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
        rc = take_job(q, items[i].id, claim, got, err);
    }
    free(items);
    return rc;
}

static int lost(reelay_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int lost(reelay_err *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    reelay_err_vset(err, REELAY_E_IO, fmt, ap);
    va_end(ap);
    return reelay_err_mark(err, REELAY_ERR_LOST_CLAIM);
}

/* A claim is still ours while its claimed/ file is there and no later
 * claim counted another attempt (the file has the same name whoever holds
 * it). A lost claim is flagged, so its worker can stop rendering at once;
 * a queue that cannot be read leaves it unknown. */
static int check_ours(const dir_queue *q, const reelay_claim *claim, reelay_err *err)
{
    char path[4096];
    int attempts;
    int e = read_attempts(q, claim->id, &attempts);
    path_of(q, "attempts", claim->id, "", path, sizeof path);
    /* Removed only with a result, never under a claim: gone means the
     * queue directory went (or was emptied), a broken queue rather than a
     * claim taken, so the claim is left unknown. */
    if (e) return reelay_err_set(err, REELAY_E_IO, "%s: cannot read the claim's attempts: %s", path, strerror(e));
    if (attempts != claim->attempts)
        return lost(err, "job %s: the claim expired and went to another worker", claim->id);
    path_of(q, "claimed", claim->id, ".json", path, sizeof path);
    struct stat st;
    if (stat(path, &st) == 0) return REELAY_OK;
    if (errno == ENOENT) return lost(err, "job %s: the claim expired and went back to the queue", claim->id);
    return reelay_err_set(err, REELAY_E_IO, "%s: cannot look at the claim: %s", path, strerror(errno));
}

static int dir_heartbeat(void *impl, const reelay_claim *claim, reelay_err *err)
{
    dir_queue *q = impl;
    int rc = check_ours(q, claim, err);
    if (rc != REELAY_OK) return rc;
    char path[4096];
    path_of(q, "claimed", claim->id, ".json", path, sizeof path);
    if (utimensat(AT_FDCWD, path, NULL, 0) == 0) return REELAY_OK;
    if (errno == ENOENT) return lost(err, "%s: lost the claim: %s", path, strerror(errno));
    return reelay_err_set(err, REELAY_E_IO, "%s: cannot renew the claim: %s", path, strerror(errno));
}

/* A finish that failed with the claim untouched: it expires, and the job
 * is retried (or failed for good) as if its worker had died. */
static int stays_claimed(reelay_err *err, int rc)
{
    char why[sizeof err->msg];
    snprintf(why, sizeof why, "%s", err->msg);
    return reelay_err_set(err, rc, "%.700s; the job stays claimed and goes back to the queue when its lease runs out",
                          why);
}

static int dir_complete(void *impl, reelay_claim *claim, const reelay_job_result *result, reelay_err *err)
{
    dir_queue *q = impl;
    int rc = check_ours(q, claim, err);
    if (rc != REELAY_OK) return rc;
    rc = store_result(q, claim->id, result, err);
    if (rc != REELAY_OK) return stays_claimed(err, rc);
    /* Findable by its result from now on, the job needs its claim no more
     * (unless another worker took it meanwhile: then that worker's own
     * finish replaces this result). */
    reelay_err ignored;
    char path[4096];
    path_of(q, "claimed", claim->id, ".json", path, sizeof path);
    if (check_ours(q, claim, &ignored) == REELAY_OK) unlink(path);
    return REELAY_OK;
}

static int dir_requeue(void *impl, reelay_claim *claim, bool uncount, reelay_err *err)
{
    dir_queue *q = impl;
    int rc = check_ours(q, claim, err);
    if (rc != REELAY_OK) return rc;
    /* Uncounted before it moves: once in the inbox, the next claim counts. */
    if (uncount && (rc = write_attempts(q, claim->id, claim->attempts - 1, err)) != REELAY_OK)
        return stays_claimed(err, rc);
    char path[4096], inbox[4096];
    path_of(q, "claimed", claim->id, ".json", path, sizeof path);
    path_of(q, "inbox", claim->id, ".json", inbox, sizeof inbox);
    if (rename(path, inbox) == 0) return REELAY_OK;
    if (errno == ENOENT) return lost(err, "job %s: the claim expired and went back to the queue", claim->id);
    rc = reelay_err_set(err, REELAY_E_IO, "%s: cannot requeue: %s", inbox, strerror(errno));
    reelay_err ignored;
    if (uncount) write_attempts(q, claim->id, claim->attempts, &ignored); /* ours again, to expire */
    return stays_claimed(err, rc);
}

static int dir_status(void *impl, const char *id, reelay_job_state *state, json_t **result, reelay_err *err)
{
    dir_queue *q = impl;
    (void)err;
    int at = find_job(q, id);
    if (at < 0) return REELAY_OK;
    *state = PLACES[at].state;
    if (result && (*state == REELAY_STATE_DONE || *state == REELAY_STATE_FAILED)) {
        char path[4096];
        path_of(q, PLACES[at].dir, id, ".json", path, sizeof path);
        *result = json_load_file(path, 0, NULL);
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

/* --------------------------------------------------- leftovers in tmp/ */

static bool process_gone(long pid)
{
    return pid > 0 && kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

/* "ID.expired.PID" or "ID.finishing.PID": a claim an older version moved
 * into tmp/ while it handled it. */
static bool held_claim(const char *name, char *id, size_t size, long *pid)
{
    const char *dot = strrchr(name, '.');
    if (!dot || !dot[1] || strspn(dot + 1, "0123456789") != strlen(dot + 1)) return false;
    *pid = strtol(dot + 1, NULL, 10);
    static const char *const KINDS[] = {".expired", ".finishing"};
    for (size_t i = 0; i < 2; i++) {
        size_t k = strlen(KINDS[i]), n = (size_t)(dot - name);
        if (n <= k || strncmp(dot - k, KINDS[i], k) != 0 || n - k >= size) continue;
        memcpy(id, name, n - k);
        id[n - k] = '\0';
        return reelay_job_id_valid(id);
    }
    return false;
}

/* A held claim goes back to the inbox (never over a copy there), unless
 * its job has a result or a claim again: then it is only a copy. Its
 * writer is gone when its process is (on this machine) or when it was
 * moved more than a lease ago. */
static void recover_held(const dir_queue *q, const char *name, const char *id, long pid, const struct stat *st,
                         double now)
{
    double moved = (double)st->st_ctim.tv_sec + st->st_ctim.tv_nsec / 1e9;
    if (!process_gone(pid) && now - moved <= q->lease_s) return;
    char held[4096], inbox[4096], claimed[4096];
    path_of(q, "tmp", name, "", held, sizeof held);
    path_of(q, "inbox", id, ".json", inbox, sizeof inbox);
    path_of(q, "claimed", id, ".json", claimed, sizeof claimed);
    if (has_result(q, id) || exists(claimed) || link(held, inbox) == 0 || errno == EEXIST) unlink(held);
}

/* A file written through tmp/ that nobody will move: its writer's process
 * is gone (on this machine), or it is older than max_age_s (a day at
 * most, whoever wrote it). */
static bool stale_temp(const dir_queue *q, const char *name, const struct stat *st, double now, double max_age_s)
{
    double age = now - mtime_of(st);
    if (age > TEMP_MAX_AGE_S) return true;
    char host[sizeof q->host];
    long pid;
    /* DIR~NAME~HOST~PID~RANDOM */
    const char *p = strchr(name, '~');
    p = p ? strchr(p + 1, '~') : NULL;
    if (p && sscanf(p + 1, "%64[^~]~%ld~", host, &pid) == 2 && strcmp(host, q->host) == 0) return process_gone(pid);
    return age > max_age_s;
}

static int clean_tmp(const dir_queue *q, double max_age_s, reelay_err *err)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/tmp", q->root);
    DIR *d = opendir(dir);
    if (!d) return reelay_err_set(err, REELAY_E_IO, "%s: cannot list: %s", dir, strerror(errno));
    double now = now_s();
    struct dirent *entry;
    while ((entry = readdir(d))) {
        char path[4096], id[REELAY_JOB_ID_MAX + 1];
        long pid;
        struct stat st;
        path_of(q, "tmp", entry->d_name, "", path, sizeof path);
        if (entry->d_name[0] == '.' || lstat(path, &st) != 0 || !S_ISREG(st.st_mode)) continue;
        if (held_claim(entry->d_name, id, sizeof id, &pid)) recover_held(q, entry->d_name, id, pid, &st, now);
        else if (stale_temp(q, entry->d_name, &st, now, max_age_s)) unlink(path);
    }
    closedir(d);
    return REELAY_OK;
}

/* ---------------------------------------------------------------- retention */

typedef struct id_list {
    char (*ids)[REELAY_JOB_ID_MAX + 1];
    size_t count, cap;
} id_list;

static int add_id(id_list *list, const char *id)
{
    if (list->count == list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 64;
        void *grown = realloc(list->ids, cap * sizeof *list->ids);
        if (!grown) return REELAY_E_INTERNAL;
        list->ids = grown;
        list->cap = cap;
    }
    snprintf(list->ids[list->count++], sizeof list->ids[0], "%s", id);
    return REELAY_OK;
}

static int by_id(const void *a, const void *b)
{
    return strcmp(a, b);
}

static bool has_id(const id_list *list, const char *id)
{
    return id && list->count && bsearch(id, list->ids, list->count, sizeof list->ids[0], by_id);
}

/* Results in dir older than the cutoff, into old (ids); other files there
 * (an older version's partial results) older than stray_age_s go. */
static int old_results(const dir_queue *q, const char *dir, double cutoff, double stray_age_s, id_list *old,
                       reelay_err *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", q->root, dir);
    DIR *d = opendir(path);
    if (!d) return reelay_err_set(err, REELAY_E_IO, "%s: cannot list: %s", path, strerror(errno));
    double now = now_s();
    int rc = REELAY_OK;
    struct dirent *entry;
    while (rc == REELAY_OK && (entry = readdir(d))) {
        char id[REELAY_JOB_ID_MAX + 1];
        struct stat st;
        path_of(q, dir, entry->d_name, "", path, sizeof path);
        if (entry->d_name[0] == '.' || lstat(path, &st) != 0 || !S_ISREG(st.st_mode)) continue;
        if (!id_of(entry->d_name, id, sizeof id)) {
            if (now - mtime_of(&st) > stray_age_s) unlink(path);
        } else if (mtime_of(&st) <= cutoff && add_id(old, id) != REELAY_OK) {
            rc = reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
        }
    }
    closedir(d);
    return rc;
}

/* Ownership entries of the jobs forgotten, and orphans: entries of jobs
 * the queue does not know (a submit that stopped half-way), once older
 * than orphan_age_s. */
static int forget_outputs(const dir_queue *q, const id_list *forgotten, double orphan_age_s, reelay_err *err)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/outputs", q->root);
    DIR *d = opendir(dir);
    if (!d) return reelay_err_set(err, REELAY_E_IO, "%s: cannot list: %s", dir, strerror(errno));
    double now = now_s();
    struct dirent *entry;
    while ((entry = readdir(d))) {
        char path[4096];
        struct stat st;
        json_t *owner = NULL;
        path_of(q, "outputs", entry->d_name, "", path, sizeof path);
        if (entry->d_name[0] == '.' || stat(path, &st) != 0 || read_owner(q, entry->d_name, &owner) != 0) continue;
        const char *id = json_string_value(json_object_get(owner, "id"));
        bool orphan = now - mtime_of(&st) > orphan_age_s && !(id && reelay_job_id_valid(id) && find_job(q, id) >= 0);
        if (has_id(forgotten, id) || orphan) unlink(path);
        json_decref(owner);
    }
    closedir(d);
    return REELAY_OK;
}

/* Forgets one job: its attempts, then (by the caller) its entries, its
 * result last, so that a trim stopped anywhere leaves a job the next trim
 * finds again. A job with a claim or an inbox copy left beside its result
 * is left until those are cleared (by expiry or the next claim). */
static bool settled(const dir_queue *q, const char *id)
{
    char path[4096];
    path_of(q, "claimed", id, ".json", path, sizeof path);
    if (exists(path)) return false;
    path_of(q, "inbox", id, ".json", path, sizeof path);
    return !exists(path);
}

static bool remove_results(const dir_queue *q, const char *id)
{
    char path[4096];
    path_of(q, "done", id, ".json", path, sizeof path);
    bool removed = unlink(path) == 0;
    path_of(q, "failed", id, ".json", path, sizeof path);
    if (unlink(path) == 0) removed = true;
    return removed;
}

static int dir_trim(void *impl, double older_than_s, long *removed, reelay_err *err)
{
    dir_queue *q = impl;
    double temp_age = older_than_s < TEMP_MAX_AGE_S ? older_than_s : TEMP_MAX_AGE_S;
    id_list old = {0}, forgotten = {0};
    int rc = clean_tmp(q, temp_age, err);
    double cutoff = now_s() - older_than_s;
    if (rc == REELAY_OK) rc = old_results(q, "done", cutoff, temp_age, &old, err);
    if (rc == REELAY_OK) rc = old_results(q, "failed", cutoff, temp_age, &old, err);
    for (size_t i = 0; rc == REELAY_OK && i < old.count; i++) {
        if (!settled(q, old.ids[i])) continue;
        char path[4096];
        path_of(q, "attempts", old.ids[i], "", path, sizeof path);
        unlink(path);
        if (add_id(&forgotten, old.ids[i]) != REELAY_OK) rc = reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    }
    if (forgotten.count > 1) qsort(forgotten.ids, forgotten.count, sizeof forgotten.ids[0], by_id);
    if (rc == REELAY_OK) rc = forget_outputs(q, &forgotten, older_than_s > SUBMIT_GRACE_S ? older_than_s : SUBMIT_GRACE_S, err);
    /* Counted by whoever removes the result, so trims running at once
     * count each job once. */
    for (size_t i = 0; rc == REELAY_OK && i < forgotten.count; i++)
        if ((i == 0 || strcmp(forgotten.ids[i], forgotten.ids[i - 1]) != 0) && remove_results(q, forgotten.ids[i]))
            (*removed)++;
    free(old.ids);
    free(forgotten.ids);
    return rc;
}

/* ---------------------------------------------------------------- opening */

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

/* This machine's name as it goes into temporary names: no '~', no '/'. */
static void host_name(char *out, size_t size)
{
    if (gethostname(out, size) != 0) snprintf(out, size, "unknown");
    out[size - 1] = '\0';
    for (char *p = out; *p; p++)
        if (!(('a' <= *p && *p <= 'z') || ('A' <= *p && *p <= 'Z') || ('0' <= *p && *p <= '9') || *p == '.' ||
              *p == '-'))
            *p = '-';
    if (!out[0]) snprintf(out, size, "unknown");
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
    host_name(q->host, sizeof q->host);
    int rc = make_dir(q->root, err);
    for (size_t i = 0; rc == REELAY_OK && i < sizeof SUBDIRS / sizeof SUBDIRS[0]; i++) {
        char sub[4096];
        snprintf(sub, sizeof sub, "%s/%s", q->root, SUBDIRS[i]);
        rc = make_dir(sub, err);
        if (rc == REELAY_OK) rc = check_dir(sub, err);
    }
    /* What a crash or an older version left in tmp/: claims back to the
     * inbox, dead writes removed. */
    if (rc == REELAY_OK) rc = clean_tmp(q, TEMP_MAX_AGE_S, err);
    if (rc != REELAY_OK) {
        dir_close(q);
        return rc;
    }
    *ops = &DIR_OPS;
    *impl = q;
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
    .trim = dir_trim,
    .close = dir_close,
};
