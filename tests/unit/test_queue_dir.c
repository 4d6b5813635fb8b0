/* The spool-directory queue: claims are exclusive, a claim without
 * heartbeats expires back to the inbox, attempts are counted, results
 * land in done/ or failed/. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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
    json_t *doc = json_pack("{s:s, s:s, s:s}", "id", id, "input", "in.json", "output", "out.webm");
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_claims_are_exclusive),
        cmocka_unit_test(test_lease_expiry_and_attempts),
        cmocka_unit_test(test_finish_retry_release_status),
        cmocka_unit_test(test_bad_specs),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
