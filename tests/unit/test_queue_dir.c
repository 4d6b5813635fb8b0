/* The spool-directory queue: claims are exclusive, a claim without
 * heartbeats expires back to the inbox, attempts are counted, results
 * land in done/ or failed/; lost claims are flagged, a job is findable
 * while it moves, leftovers in tmp/ are recovered, output names belong to
 * one job, and trim forgets old jobs. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "job/queue.h"

static char root[64];

static int setup(void **state)
{
    (void)state;
    snprintf(root, sizeof root, "/tmp/reelay-queue-XXXXXX");
    return mkdtemp(root) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : -1;
}

static reelay_queue *open_queue(const char *name, double lease_s)
{
    char spec[128];
    snprintf(spec, sizeof spec, "dir:%s/%s", root, name);
    reelay_queue *q = NULL;
    reelay_err err;
    if (reelay_queue_open(spec, lease_s, &q, &err) != REELAY_OK) fail_msg("open: %s", err.msg);
    return q;
}

static void submit(reelay_queue *q, const char *id)
{
    char output[128];
    snprintf(output, sizeof output, "out-%s.webm", id);
    json_t *doc = json_pack("{s:s, s:s, s:s}", "id", id, "input", "in.json", "output", output);
    reelay_err err;
    if (reelay_queue_submit(q, doc, &err) != REELAY_OK) fail_msg("submit %s: %s", id, err.msg);
    json_decref(doc);
}

static reelay_job_result result_for(const reelay_claim *c, reelay_job_status status, int code)
{
    reelay_job_result r = {.status = status, .attempts = c->attempts, .error_code = code};
    snprintf(r.id, sizeof r.id, "%s", c->id);
    if (code) snprintf(r.error_message, sizeof r.error_message, "it broke");
    return r;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void test_claims_are_exclusive(void **state)
{
    (void)state;
    reelay_queue *a = open_queue("exclusive", 60), *b = open_queue("exclusive", 60);
    char id[16];
    for (int i = 0; i < 10; i++) {
        snprintf(id, sizeof id, "j%d", i);
        submit(a, id);
    }
    int seen[10] = {0};
    reelay_err err;
    for (int turn = 0; turn < 12; turn++) {
        reelay_claim c;
        bool got;
        assert_int_equal(reelay_queue_claim(turn % 2 ? b : a, &c, &got, &err), REELAY_OK);
        if (turn >= 10) {
            assert_false(got);
            continue;
        }
        assert_true(got);
        assert_non_null(c.doc);
        assert_int_equal(c.attempts, 1);
        seen[atoi(c.id + 1)]++;
        reelay_claim_free(&c);
    }
    for (int i = 0; i < 10; i++) assert_int_equal(seen[i], 1);
    reelay_queue_counts counts;
    assert_int_equal(reelay_queue_counts_get(a, &counts, &err), REELAY_OK);
    assert_int_equal(counts.queued, 0);
    assert_int_equal(counts.running, 10);
    reelay_queue_close(a);
    reelay_queue_close(b);
}

static void test_lease_expiry_and_attempts(void **state)
{
    (void)state;
    reelay_queue *q = open_queue("lease", 1);
    submit(q, "slow");
    reelay_err err;
    reelay_claim c;
    bool got;
    assert_int_equal(reelay_queue_claim(q, &c, &got, &err), REELAY_OK);
    assert_true(got);
    /* Heartbeats keep it: nothing to claim after more than a lease. */
    for (int i = 0; i < 3; i++) {
        sleep_ms(500);
        assert_int_equal(reelay_queue_heartbeat(q, &c, &err), REELAY_OK);
    }
    reelay_claim other;
    assert_int_equal(reelay_queue_claim(q, &other, &got, &err), REELAY_OK);
    assert_false(got);
    /* Silence: it expires, back to the inbox, and the next claim is attempt 2. */
    sleep_ms(1300);
    assert_int_equal(reelay_queue_claim(q, &other, &got, &err), REELAY_OK);
    assert_true(got);
    assert_string_equal(other.id, "slow");
    assert_int_equal(other.attempts, 2);
    /* The first holder lost it: its heartbeat and its finish fail. */
    assert_int_equal(reelay_queue_heartbeat(q, &c, &err), REELAY_E_IO);
    reelay_job_result late = result_for(&c, REELAY_JOB_DONE, 0);
    bool retried;
    assert_int_equal(reelay_queue_finish(q, &c, &late, &retried, &err), REELAY_E_IO);
    reelay_claim_free(&c);
    /* Expired a third time: failed for good, error recorded. */
    reelay_claim_free(&other);
    sleep_ms(1300);
    assert_int_equal(reelay_queue_claim(q, &other, &got, &err), REELAY_OK);
    assert_int_equal(other.attempts, 3);
    reelay_claim_free(&other);
    sleep_ms(1300);
    assert_int_equal(reelay_queue_claim(q, &other, &got, &err), REELAY_OK);
    assert_false(got);
    reelay_job_state st;
    json_t *result = NULL;
    assert_int_equal(reelay_queue_status(q, "slow", &st, &result, &err), REELAY_OK);
    assert_int_equal(st, REELAY_STATE_FAILED);
    assert_non_null(result);
    assert_int_equal(json_integer_value(json_object_get(result, "attempts")), 3);
    assert_non_null(strstr(json_string_value(json_object_get(json_object_get(result, "error"), "message")),
                           "heartbeat"));
    json_decref(result);
    reelay_queue_close(q);
}

static void test_finish_retry_release_status(void **state)
{
    (void)state;
    reelay_queue *q = open_queue("finish", 60);
    submit(q, "a");
    submit(q, "b");
    reelay_err err;
    reelay_claim c;
    bool got, retried;
    reelay_job_state st;
    assert_int_equal(reelay_queue_status(q, "a", &st, NULL, &err), REELAY_OK);
    assert_int_equal(st, REELAY_STATE_QUEUED);
    assert_int_equal(reelay_queue_status(q, "zzz", &st, NULL, &err), REELAY_OK);
    assert_int_equal(st, REELAY_STATE_UNKNOWN);
    assert_int_equal(reelay_queue_status(q, "../a", &st, NULL, &err), REELAY_E_USAGE);

    /* A transient failure goes back to the queue, twice; the third is final. */
    for (int attempt = 1; attempt <= 3; attempt++) {
        do {
            assert_int_equal(reelay_queue_claim(q, &c, &got, &err), REELAY_OK);
            assert_true(got);
            if (strcmp(c.id, "a") != 0) { /* b: give it back uncounted */
                assert_int_equal(reelay_queue_release(q, &c, &err), REELAY_OK);
                reelay_claim_free(&c);
                continue;
            }
            break;
        } while (true);
        assert_int_equal(c.attempts, attempt);
        assert_int_equal(reelay_queue_status(q, "a", &st, NULL, &err), REELAY_OK);
        assert_int_equal(st, REELAY_STATE_RUNNING);
        reelay_job_result r = result_for(&c, REELAY_JOB_FAILED, REELAY_E_INTERNAL);
        assert_int_equal(reelay_queue_finish(q, &c, &r, &retried, &err), REELAY_OK);
        assert_int_equal(retried, attempt < 3);
        reelay_claim_free(&c);
    }
    json_t *result = NULL;
    assert_int_equal(reelay_queue_status(q, "a", &st, &result, &err), REELAY_OK);
    assert_int_equal(st, REELAY_STATE_FAILED);
    assert_int_equal(json_integer_value(json_object_get(result, "attempts")), 3);
    json_decref(result);

    /* b was released every time: still its first attempt. An input error is final at once. */
    assert_int_equal(reelay_queue_claim(q, &c, &got, &err), REELAY_OK);
    assert_string_equal(c.id, "b");
    assert_int_equal(c.attempts, 1);
    reelay_job_result r = result_for(&c, REELAY_JOB_FAILED, REELAY_E_INPUT);
    assert_int_equal(reelay_queue_finish(q, &c, &r, &retried, &err), REELAY_OK);
    assert_false(retried);
    reelay_claim_free(&c);
    reelay_queue_counts counts;
    assert_int_equal(reelay_queue_counts_get(q, &counts, &err), REELAY_OK);
    assert_int_equal(counts.failed, 2);
    assert_int_equal(counts.queued + counts.running + counts.done, 0);

    /* Ids already known are refused, whatever their state. */
    json_t *doc = json_pack("{s:s, s:s, s:s}", "id", "a", "input", "i", "output", "o.webm");
    assert_int_equal(reelay_queue_submit(q, doc, &err), REELAY_E_USAGE);
    json_decref(doc);
    reelay_queue_close(q);
}

static void test_bad_specs(void **state)
{
    (void)state;
    reelay_queue *q = NULL;
    reelay_err err;
    assert_int_equal(reelay_queue_open("dir:", 60, &q, &err), REELAY_E_USAGE);
    assert_int_equal(reelay_queue_open("ftp://x", 60, &q, &err), REELAY_E_USAGE);
    assert_int_equal(reelay_queue_open("dir:/tmp/x", 0, &q, &err), REELAY_E_USAGE);
    assert_int_equal(reelay_queue_open("dir:/proc/reelay-cannot-be-here", 60, &q, &err), REELAY_E_IO);
    assert_null(q);
}

/* ------------------------------------------------------------ file helpers */

static void queue_path(const char *name, const char *rel, char *out, size_t size)
{
    snprintf(out, size, "%s/%s/%s", root, name, rel);
}

static bool queue_has(const char *name, const char *rel)
{
    char path[512];
    queue_path(name, rel, path, sizeof path);
    return access(path, F_OK) == 0;
}

static void write_text(const char *name, const char *rel, const char *text)
{
    char path[512];
    queue_path(name, rel, path, sizeof path);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    assert_int_equal(fclose(fp), 0);
}

/* Sets a file's mtime seconds_ago into the past. */
static void age(const char *name, const char *rel, double seconds_ago)
{
    char path[512];
    queue_path(name, rel, path, sizeof path);
    struct timespec t[2];
    clock_gettime(CLOCK_REALTIME, &t[0]);
    t[0].tv_sec -= (time_t)seconds_ago;
    t[1] = t[0];
    if (utimensat(AT_FDCWD, path, t, 0) != 0) fail_msg("age %s: %m", path);
}

static long count_files(const char *name, const char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "ls -A '%s/%s/%s' | wc -l", root, name, dir);
    FILE *fp = popen(cmd, "r");
    long n = -1;
    if (!fp || fscanf(fp, "%ld", &n) != 1) fail_msg("cannot count %s", dir);
    pclose(fp);
    return n;
}

static reelay_job_state state_of(reelay_queue *q, const char *id)
{
    reelay_job_state st;
    reelay_err err;
    assert_int_equal(reelay_queue_status(q, id, &st, NULL, &err), REELAY_OK);
    return st;
}

static void claim_one(reelay_queue *q, const char *id, reelay_claim *c)
{
    bool got;
    reelay_err err;
    assert_int_equal(reelay_queue_claim(q, c, &got, &err), REELAY_OK);
    assert_true(got);
    assert_string_equal(c->id, id);
}

/* --------------------------------------------------------------- lost claims */

static void assert_lost(int rc, const reelay_err *err)
{
    assert_int_equal(rc, REELAY_E_IO);
    assert_true(err->flags & REELAY_ERR_LOST_CLAIM);
}

static void test_lost_claims_flagged(void **state)
{
    (void)state;
    reelay_queue *q = open_queue("lost", 1);
    submit(q, "a");
    reelay_err err;
    reelay_claim first, second;
    claim_one(q, "a", &first);
    assert_int_equal(reelay_queue_heartbeat(q, &first, &err), REELAY_OK);
    /* Expired and taken by another attempt: heartbeat, finish and release all say lost. */
    sleep_ms(1300);
    claim_one(q, "a", &second);
    assert_int_equal(second.attempts, 2);
    assert_lost(reelay_queue_heartbeat(q, &first, &err), &err);
    reelay_job_result r = result_for(&first, REELAY_JOB_DONE, 0);
    bool retried;
    assert_lost(reelay_queue_finish(q, &first, &r, &retried, &err), &err);
    r = result_for(&first, REELAY_JOB_FAILED, REELAY_E_IO); /* a retry: requeue */
    assert_lost(reelay_queue_finish(q, &first, &r, &retried, &err), &err);
    assert_lost(reelay_queue_release(q, &first, &err), &err);
    assert_false(queue_has("lost", "done/a.json"));
    assert_int_equal(state_of(q, "a"), REELAY_STATE_RUNNING);
    /* The claimed file gone (expired back to the inbox, nobody took it yet). */
    char from[512], to[512];
    queue_path("lost", "claimed/a.json", from, sizeof from);
    queue_path("lost", "inbox/a.json", to, sizeof to);
    assert_int_equal(rename(from, to), 0);
    assert_lost(reelay_queue_heartbeat(q, &second, &err), &err);
    r = result_for(&second, REELAY_JOB_DONE, 0);
    assert_lost(reelay_queue_finish(q, &second, &r, &retried, &err), &err);
    assert_lost(reelay_queue_release(q, &second, &err), &err);
    assert_int_equal(state_of(q, "a"), REELAY_STATE_QUEUED);
    /* The attempts file gone (the queue emptied under the worker): a broken
     * queue, the claim unknown rather than lost. */
    reelay_claim_free(&second);
    claim_one(q, "a", &second);
    char attempts[512];
    queue_path("lost", "attempts/a", attempts, sizeof attempts);
    assert_int_equal(unlink(attempts), 0);
    assert_int_equal(reelay_queue_heartbeat(q, &second, &err), REELAY_E_IO);
    assert_int_equal(err.flags & REELAY_ERR_LOST_CLAIM, 0);
    assert_non_null(strstr(err.msg, "cannot read the claim's attempts"));
    reelay_claim_free(&first);
    reelay_claim_free(&second);
    reelay_queue_close(q);
}

/* ------------------------------------------------- results before claims go */

static void test_results_settle_claims(void **state)
{
    (void)state;
    reelay_queue *q = open_queue("settle", 1);
    reelay_err err;
    bool got, retried;
    /* A finish stores the result and removes the claim, leaving nothing in tmp/. */
    submit(q, "a");
    reelay_claim c;
    claim_one(q, "a", &c);
    reelay_job_result r = result_for(&c, REELAY_JOB_DONE, 0);
    assert_int_equal(reelay_queue_finish(q, &c, &r, &retried, &err), REELAY_OK);
    reelay_claim_free(&c);
    assert_true(queue_has("settle", "done/a.json"));
    assert_false(queue_has("settle", "claimed/a.json"));
    assert_int_equal(count_files("settle", "tmp"), 0);
    /* A worker stopped between storing a result and removing its claim: the
     * result counts, and the claim goes when it expires, the job not rerun. */
    submit(q, "b");
    claim_one(q, "b", &c);
    write_text("settle", "done/b.json", "{\"id\":\"b\",\"status\":\"done\"}");
    assert_int_equal(state_of(q, "b"), REELAY_STATE_DONE);
    reelay_claim_free(&c);
    sleep_ms(1300);
    reelay_claim other;
    assert_int_equal(reelay_queue_claim(q, &other, &got, &err), REELAY_OK);
    assert_false(got);
    assert_false(queue_has("settle", "claimed/b.json"));
    assert_false(queue_has("settle", "inbox/b.json"));
    /* An inbox copy of a job with a result (its stale worker finished it as
     * it expired) is dropped by the claim that takes it. */
    write_text("settle", "inbox/b.json", "{\"id\":\"b\",\"input\":\"i\",\"output\":\"o.webm\"}");
    assert_int_equal(state_of(q, "b"), REELAY_STATE_DONE);
    assert_int_equal(reelay_queue_claim(q, &other, &got, &err), REELAY_OK);
    assert_false(got);
    assert_int_equal(count_files("settle", "inbox") + count_files("settle", "claimed"), 0);
    /* A job back in the inbox with its attempts used up: the claim taking
     * it stores its failed/ result, and nothing runs. */
    submit(q, "c");
    write_text("settle", "attempts/c", "3\n");
    assert_int_equal(reelay_queue_claim(q, &other, &got, &err), REELAY_OK);
    assert_false(got);
    json_t *result = NULL;
    reelay_job_state st;
    assert_int_equal(reelay_queue_status(q, "c", &st, &result, &err), REELAY_OK);
    assert_int_equal(st, REELAY_STATE_FAILED);
    assert_int_equal(json_integer_value(json_object_get(result, "attempts")), 3);
    json_decref(result);
    assert_false(queue_has("settle", "claimed/c.json"));
    reelay_queue_close(q);
}

/* A job moved between inbox/ and claimed/ as fast as another process can
 * (claim, release) is found at every look. */
static void test_status_while_moving(void **state)
{
    (void)state;
    reelay_queue *q = open_queue("moving", 60);
    submit(q, "m");
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        reelay_queue *mover = open_queue("moving", 60);
        reelay_err err;
        for (int i = 0; i < 400; i++) {
            reelay_claim c;
            bool got = false;
            if (reelay_queue_claim(mover, &c, &got, &err) != REELAY_OK || !got) _exit(2);
            int rc = reelay_queue_release(mover, &c, &err);
            reelay_claim_free(&c);
            if (rc != REELAY_OK) _exit(3);
        }
        reelay_queue_close(mover);
        _exit(0);
    }
    long looks = 0, unknown = 0;
    int status;
    while (waitpid(child, &status, WNOHANG) == 0) {
        looks++;
        if (state_of(q, "m") == REELAY_STATE_UNKNOWN) unknown++;
    }
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_true(looks > 100);
    assert_int_equal(unknown, 0);
    reelay_queue_close(q);
}

/* ---------------------------------------------------------- tmp/ leftovers */

static void test_open_recovers_tmp(void **state)
{
    (void)state;
    reelay_queue *q = open_queue("recover", 60);
    reelay_queue_close(q);
    const char *doc = "{\"id\":\"%s\",\"input\":\"i\",\"output\":\"%s.webm\"}";
    char text[256], host[80], name[256];
    /* An older version's claims held in tmp/ by processes now gone (no pid is that high). */
    snprintf(text, sizeof text, doc, "held", "held");
    write_text("recover", "tmp/held.finishing.999999999", text);
    snprintf(text, sizeof text, doc, "held2", "held2");
    write_text("recover", "tmp/held2.expired.999999999", text);
    write_text("recover", "done/done-already.json", "{\"id\":\"done-already\",\"status\":\"done\"}");
    write_text("recover", "tmp/done-already.finishing.999999999", text);
    /* Held by a live process moments ago: left to it. */
    snprintf(name, sizeof name, "tmp/live.finishing.%ld", (long)getpid());
    write_text("recover", name, text);
    /* Writes of this machine's dead processes, and of other machines. */
    gethostname(host, sizeof host);
    snprintf(name, sizeof name, "tmp/done~x.json~%s~999999999~0123456789abcdef", host);
    write_text("recover", name, "{}");
    write_text("recover", "tmp/done~y.json~elsewhere~1~0123456789abcdef", "{}");
    write_text("recover", "tmp/done~z.json~elsewhere~1~fedcba9876543210", "{}");
    age("recover", "tmp/done~z.json~elsewhere~1~fedcba9876543210", 2 * 86400);
    q = open_queue("recover", 60);
    assert_int_equal(state_of(q, "held"), REELAY_STATE_QUEUED);
    assert_int_equal(state_of(q, "held2"), REELAY_STATE_QUEUED);
    assert_int_equal(state_of(q, "done-already"), REELAY_STATE_DONE);
    assert_false(queue_has("recover", "inbox/done-already.json"));
    assert_false(queue_has("recover", name)); /* this machine's, its process gone */
    assert_true(queue_has("recover", "tmp/done~y.json~elsewhere~1~0123456789abcdef"));
    assert_false(queue_has("recover", "tmp/done~z.json~elsewhere~1~fedcba9876543210"));
    snprintf(name, sizeof name, "tmp/live.finishing.%ld", (long)getpid());
    assert_true(queue_has("recover", name));
    assert_int_equal(count_files("recover", "tmp"), 2);
    /* The recovered jobs run as any other. */
    reelay_claim c;
    claim_one(q, "held", &c);
    assert_int_equal(c.attempts, 1);
    reelay_claim_free(&c);
    reelay_queue_close(q);
}

/* --------------------------------------------------------- output ownership */

static int submit_doc(reelay_queue *q, const char *id, const char *output, const char *poster, reelay_err *err)
{
    json_t *doc = json_pack("{s:s, s:s, s:s}", "id", id, "input", "in.json", "output", output);
    if (poster) json_object_set_new(doc, "options", json_pack("{s:s}", "poster", poster));
    int rc = reelay_queue_submit(q, doc, err);
    json_decref(doc);
    return rc;
}

static uint64_t fnv1a64(const char *s)
{
    uint64_t h = 14695981039346656037ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static void test_outputs_belong_to_one_job(void **state)
{
    (void)state;
    reelay_queue *q = open_queue("owners", 60);
    reelay_err err;
    assert_int_equal(submit_doc(q, "a", "/v/a.webm", "/v/a.png", &err), REELAY_OK);
    /* Its poster named by another job: refused for good, nothing queued,
     * nothing of b's kept. */
    assert_int_equal(submit_doc(q, "b", "/v/b.webm", "/v/a.png", &err), REELAY_E_USAGE);
    assert_true(err.flags & REELAY_ERR_LASTING);
    assert_string_equal(err.msg, "output /v/a.png belongs to job a");
    assert_int_equal(state_of(q, "b"), REELAY_STATE_UNKNOWN);
    assert_int_equal(count_files("owners", "outputs"), 2);
    assert_int_equal(submit_doc(q, "c", "/v/b.webm", NULL, &err), REELAY_OK);
    assert_int_equal(submit_doc(q, "d", "/v/a.webm", "/v/d.png", &err), REELAY_E_USAGE);
    assert_string_equal(err.msg, "output /v/a.webm belongs to job a");
    /* The same file as two sidecars of one job is no conflict. */
    json_t *twice = json_pack("{s:s, s:s, s:s, s:{s:s, s:s}}", "id", "e", "input", "in.json", "output", "/v/e.webm",
                              "options", "poster", "/v/e.webp", "preview", "/v/e.webp");
    assert_int_equal(reelay_queue_submit(q, twice, &err), REELAY_OK);
    json_decref(twice);
    /* Entries of a submit of this id that stopped half-way are its own. */
    char entry[64], text[128];
    snprintf(entry, sizeof entry, "outputs/%016llx", (unsigned long long)fnv1a64("/v/f.webm"));
    write_text("owners", entry, "{\"path\":\"/v/f.webm\",\"id\":\"f\"}");
    assert_int_equal(submit_doc(q, "f", "/v/f.webm", NULL, &err), REELAY_OK);
    /* Another path with the same hash: this path takes the next slot. */
    snprintf(entry, sizeof entry, "outputs/%016llx", (unsigned long long)fnv1a64("/v/g.webm"));
    snprintf(text, sizeof text, "{\"path\":\"/v/not-g.webm\",\"id\":\"x\"}");
    write_text("owners", entry, text);
    assert_int_equal(submit_doc(q, "g", "/v/g.webm", NULL, &err), REELAY_OK);
    strcat(entry, ".1");
    assert_true(queue_has("owners", entry));
    assert_int_equal(submit_doc(q, "h", "/v/g.webm", NULL, &err), REELAY_E_USAGE);
    assert_string_equal(err.msg, "output /v/g.webm belongs to job g");
    /* A refused id (already queued) takes nothing either. */
    assert_int_equal(submit_doc(q, "a", "/v/new.webm", NULL, &err), REELAY_E_USAGE);
    assert_int_equal(submit_doc(q, "i", "/v/new.webm", NULL, &err), REELAY_OK);
    reelay_queue_close(q);
}

/* Submitters racing for one output: exactly one job gets it. */
static void test_outputs_race(void **state)
{
    (void)state;
    reelay_queue *q = open_queue("race", 60);
    enum { RACERS = 8 };
    pid_t pids[RACERS];
    for (int i = 0; i < RACERS; i++) {
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0) {
            reelay_queue *mine = open_queue("race", 60);
            char id[16];
            snprintf(id, sizeof id, "r%d", i);
            reelay_err err;
            int rc = submit_doc(mine, id, "/v/shared.webm", NULL, &err);
            reelay_queue_close(mine);
            _exit(rc == REELAY_OK ? 0 : rc == REELAY_E_USAGE && (err.flags & REELAY_ERR_LASTING) ? 1 : 2);
        }
    }
    int won = 0, refused = 0;
    for (int i = 0; i < RACERS; i++) {
        int status;
        assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
        assert_true(WIFEXITED(status));
        won += WEXITSTATUS(status) == 0;
        refused += WEXITSTATUS(status) == 1;
    }
    assert_int_equal(won, 1);
    assert_int_equal(refused, RACERS - 1);
    assert_int_equal(count_files("race", "inbox"), 1);
    assert_int_equal(count_files("race", "outputs"), 1);
    assert_int_equal(count_files("race", "tmp"), 0);
    reelay_queue_close(q);
}

/* ---------------------------------------------------------------- retention */

static void finish_as(reelay_queue *q, const char *id, reelay_job_status status, int code)
{
    reelay_claim c;
    claim_one(q, id, &c);
    reelay_job_result r = result_for(&c, status, code);
    bool retried;
    reelay_err err;
    assert_int_equal(reelay_queue_finish(q, &c, &r, &retried, &err), REELAY_OK);
    assert_false(retried);
    reelay_claim_free(&c);
}

static void test_trim(void **state)
{
    (void)state;
    reelay_queue *q = open_queue("trim", 60);
    reelay_err err;
    long removed = -1;
    submit(q, "old-done");
    finish_as(q, "old-done", REELAY_JOB_DONE, 0);
    submit(q, "old-failed");
    finish_as(q, "old-failed", REELAY_JOB_FAILED, REELAY_E_INPUT);
    submit(q, "young");
    finish_as(q, "young", REELAY_JOB_DONE, 0);
    submit(q, "running");
    reelay_claim c;
    claim_one(q, "running", &c);
    submit(q, "queued");
    age("trim", "done/old-done.json", 7200);
    age("trim", "failed/old-failed.json", 7200);
    age("trim", "claimed/running.json", 7200 - 600); /* old, but not a result */
    age("trim", "inbox/queued.json", 7200);
    /* Leftovers: a stray write older than the retention (kept by open, it
     * could be live elsewhere), one younger, an orphan ownership entry. */
    write_text("trim", "tmp/done~x.json~elsewhere~1~0123456789abcdef", "{}");
    age("trim", "tmp/done~x.json~elsewhere~1~0123456789abcdef", 7200);
    write_text("trim", "tmp/done~y.json~elsewhere~1~0123456789abcdef", "{}");
    write_text("trim", "outputs/00000000000000aa", "{\"path\":\"/v/orphan.webm\",\"id\":\"never-queued\"}");
    age("trim", "outputs/00000000000000aa", 7200);
    assert_int_equal(reelay_queue_trim(q, 3600, &removed, &err), REELAY_OK);
    assert_int_equal(removed, 2);
    assert_int_equal(state_of(q, "old-done"), REELAY_STATE_UNKNOWN);
    assert_int_equal(state_of(q, "old-failed"), REELAY_STATE_UNKNOWN);
    assert_int_equal(state_of(q, "young"), REELAY_STATE_DONE);
    assert_int_equal(state_of(q, "running"), REELAY_STATE_RUNNING);
    assert_int_equal(state_of(q, "queued"), REELAY_STATE_QUEUED);
    assert_false(queue_has("trim", "attempts/old-done"));
    assert_false(queue_has("trim", "attempts/old-failed"));
    assert_true(queue_has("trim", "attempts/young"));
    assert_false(queue_has("trim", "tmp/done~x.json~elsewhere~1~0123456789abcdef"));
    assert_true(queue_has("trim", "tmp/done~y.json~elsewhere~1~0123456789abcdef"));
    assert_false(queue_has("trim", "outputs/00000000000000aa"));
    /* young, running and queued keep their outputs; the trimmed jobs' are free again. */
    assert_int_equal(count_files("trim", "outputs"), 3);
    assert_int_equal(submit_doc(q, "again", "out-old-done.webm", NULL, &err), REELAY_OK);
    assert_int_equal(submit_doc(q, "again-2", "out-old-failed.webm", NULL, &err), REELAY_OK);
    assert_int_equal(submit_doc(q, "clash", "out-young.webm", NULL, &err), REELAY_E_USAGE);
    assert_int_equal(reelay_queue_heartbeat(q, &c, &err), REELAY_OK);
    reelay_claim_free(&c);
    /* Retention 0 forgets every finished job at once; a job whose claim
     * was left beside its result waits for the claim to go. */
    write_text("trim", "done/running.json", "{\"id\":\"running\",\"status\":\"done\"}");
    assert_int_equal(reelay_queue_trim(q, 0, &removed, &err), REELAY_OK);
    assert_int_equal(removed, 1);
    assert_int_equal(state_of(q, "young"), REELAY_STATE_UNKNOWN);
    assert_int_equal(state_of(q, "running"), REELAY_STATE_DONE);
    assert_true(queue_has("trim", "attempts/running"));
    reelay_queue_close(q);
}

/* Trims running at once forget each job once. */
static void test_trim_concurrent(void **state)
{
    (void)state;
    reelay_queue *q = open_queue("trims", 60);
    enum { JOBS = 40, TRIMMERS = 4 };
    char id[16], rel[64];
    for (int i = 0; i < JOBS; i++) {
        snprintf(id, sizeof id, "t%d", i);
        submit(q, id);
        finish_as(q, id, REELAY_JOB_DONE, 0);
        snprintf(rel, sizeof rel, "done/%s.json", id);
        age("trims", rel, 100);
    }
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pids[TRIMMERS];
    for (int i = 0; i < TRIMMERS; i++) {
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0) {
            reelay_queue *mine = open_queue("trims", 60);
            long removed = 0;
            reelay_err err;
            int rc = reelay_queue_trim(mine, 10, &removed, &err);
            reelay_queue_close(mine);
            if (rc != REELAY_OK) removed = -1000;
            if (write(fds[1], &removed, sizeof removed) != sizeof removed) _exit(2);
            _exit(0);
        }
    }
    close(fds[1]);
    long total = 0, one;
    for (int i = 0; i < TRIMMERS; i++) {
        int status;
        assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
        assert_int_equal(read(fds[0], &one, sizeof one), (ssize_t)sizeof one);
        assert_true(one >= 0);
        total += one;
    }
    close(fds[0]);
    assert_int_equal(total, JOBS);
    assert_int_equal(count_files("trims", "done") + count_files("trims", "attempts"), 0);
    assert_int_equal(count_files("trims", "outputs") + count_files("trims", "tmp"), 0);
    reelay_queue_close(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_claims_are_exclusive),
        cmocka_unit_test(test_lease_expiry_and_attempts),
        cmocka_unit_test(test_finish_retry_release_status),
        cmocka_unit_test(test_bad_specs),
        cmocka_unit_test(test_lost_claims_flagged),
        cmocka_unit_test(test_results_settle_claims),
        cmocka_unit_test(test_status_while_moving),
        cmocka_unit_test(test_open_recovers_tmp),
        cmocka_unit_test(test_outputs_belong_to_one_job),
        cmocka_unit_test(test_outputs_race),
        cmocka_unit_test(test_trim),
        cmocka_unit_test(test_trim_concurrent),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
