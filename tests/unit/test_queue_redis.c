/* The redis queue backend against a real redis-server, started per test on
 * a free port and stopped after it. */
#include "test_support.h"

#include <errno.h>
#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "job/queue.h"

typedef struct server {
    pid_t pid;
    int port;
    char dir[64];    /* its working directory (the AOF when persistent) */
    bool persistent; /* --appendonly yes: data survives a restart */
} server;

static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static bool redis_server_installed(void)
{
    const char *path = getenv("PATH");
    char *copy = strdup(path ? path : "/usr/bin:/bin");
    bool found = false;
    for (char *save = NULL, *dir = strtok_r(copy, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
        char full[4096];
        snprintf(full, sizeof full, "%s/redis-server", dir);
        found = access(full, X_OK) == 0;
    }
    free(copy);
    return found;
}

/* A port nobody listens on now (the kernel's pick for port 0). */
static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof addr;
    assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof addr), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&addr, &len), 0);
    close(fd);
    return ntohs(addr.sin_port);
}

static redisContext *raw_connect(int port)
{
    struct timeval tv = {.tv_sec = 1};
    redisContext *ctx = redisConnectWithTimeout("127.0.0.1", port, tv);
    if (ctx && ctx->err) {
        redisFree(ctx);
        return NULL;
    }
    return ctx;
}

static bool ping(int port)
{
    redisContext *ctx = raw_connect(port);
    if (!ctx) return false;
    redisReply *reply = redisCommand(ctx, "PING");
    bool ok = reply && reply->type == REDIS_REPLY_STATUS && strcmp(reply->str, "PONG") == 0;
    if (reply) freeReplyObject(reply);
    redisFree(ctx);
    return ok;
}

/* Starts redis-server on s->port; false when it exits or never answers. */
static bool launch(server *s)
{
    char port[16];
    snprintf(port, sizeof port, "%d", s->port);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) {
            dup2(null, 1);
            dup2(null, 2);
        }
        if (chdir(s->dir) != 0) _exit(126);
        execlp("redis-server", "redis-server", "--port", port, "--save", "", "--appendonly",
               s->persistent ? "yes" : "no", "--dir", s->dir, "--bind", "127.0.0.1", "--daemonize", "no",
               (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 100; i++) {
        if (ping(s->port)) {
            s->pid = pid;
            return true;
        }
        int status;
        if (waitpid(pid, &status, WNOHANG) == pid) return false;
        sleep_ms(50);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return false;
}

static void server_stop(server *s)
{
    if (s->pid <= 0) return;
    kill(s->pid, SIGTERM);
    waitpid(s->pid, NULL, 0);
    s->pid = 0;
}

/* A fresh server on a free port (another process may take the port first:
 * then another one). */
static void server_start(server *s, bool persistent)
{
    memset(s, 0, sizeof *s);
    s->persistent = persistent;
    snprintf(s->dir, sizeof s->dir, "/tmp/reelay-redis-XXXXXX");
    assert_non_null(mkdtemp(s->dir));
    for (int tries = 0; tries < 5; tries++) {
        s->port = free_port();
        if (launch(s)) return;
    }
    fail_msg("redis-server did not start on a free port");
}

/* The same port again, with what the AOF kept. */
static void server_restart(server *s)
{
    server_stop(s);
    for (int tries = 0; tries < 20; tries++) {
        if (launch(s)) return;
        sleep_ms(100);
    }
    fail_msg("redis-server did not restart on port %d", s->port);
}

static void remove_dir(const char *dir)
{
    char command[256];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    if (system(command) != 0) print_error("could not remove %s\n", dir);
}

static int group_setup(void **state)
{
    (void)state;
    if (!redis_server_installed()) {
        print_error("redis-server is not installed: run scripts/install-deps.sh\n");
        return -1;
    }
    return 0;
}

static int setup_with(void **state, bool persistent)
{
    server *s = calloc(1, sizeof *s);
    assert_non_null(s);
    server_start(s, persistent);
    *state = s;
    return 0;
}

static int setup(void **state)
{
    return setup_with(state, false);
}

static int setup_persistent(void **state)
{
    return setup_with(state, true);
}

static int teardown(void **state)
{
    server *s = *state;
    server_stop(s);
    remove_dir(s->dir);
    free(s);
    return 0;
}

static reelay_queue *open_queue(const server *s, double lease_s)
{
    char spec[64];
    snprintf(spec, sizeof spec, "redis://127.0.0.1:%d", s->port);
    reelay_queue *q = NULL;
    reelay_err err;
    reelay_err_clear(&err);
    if (reelay_queue_open(spec, lease_s, &q, &err) != REELAY_OK) fail_msg("open %s: %s", spec, err.msg);
    assert_string_equal(reelay_queue_backend(q), "redis");
    return q;
}

static void submit(reelay_queue *q, const char *id)
{
    char text[256];
    snprintf(text, sizeof text, "{\"id\":\"%s\",\"input\":\"in/%s.json\",\"output\":\"out/%s.mp4\"}", id, id, id);
    json_t *doc = ts_json(text);
    reelay_err err;
    reelay_err_clear(&err);
    if (reelay_queue_submit(q, doc, &err) != REELAY_OK) fail_msg("submit %s: %s", id, err.msg);
    json_decref(doc);
}

/* Claims a job, or fails the test. */
static void claim_one(reelay_queue *q, reelay_claim *claim, const char *id, int attempts)
{
    bool got = false;
    reelay_err err;
    reelay_err_clear(&err);
    if (reelay_queue_claim(q, claim, &got, &err) != REELAY_OK) fail_msg("claim: %s", err.msg);
    if (!got) fail_msg("claim: nothing, expected %s", id ? id : "a job");
    if (id) assert_string_equal(claim->id, id);
    if (attempts) assert_int_equal(claim->attempts, attempts);
    assert_non_null(claim->doc);
    assert_non_null(claim->backend);
    assert_string_equal(json_string_value(json_object_get(claim->doc, "id")), claim->id);
}

static void claim_none(reelay_queue *q)
{
    reelay_claim claim;
    bool got = true;
    reelay_err err;
    reelay_err_clear(&err);
    if (reelay_queue_claim(q, &claim, &got, &err) != REELAY_OK) fail_msg("claim: %s", err.msg);
    if (got) fail_msg("claim: got %s, expected none", claim.id);
    reelay_claim_free(&claim);
}

static reelay_job_result result_of(const reelay_claim *claim, reelay_job_status status, int code)
{
    reelay_job_result r = {.status = status, .attempts = claim->attempts, .error_code = code, .frames = 12};
    snprintf(r.id, sizeof r.id, "%s", claim->id);
    snprintf(r.output, sizeof r.output, "out/%s.mp4", claim->id);
    if (status == REELAY_JOB_FAILED) snprintf(r.error_message, sizeof r.error_message, "it broke");
    return r;
}

/* Finishes a claim (which is freed), returning whether it was retried. */
static bool finish(reelay_queue *q, reelay_claim *claim, reelay_job_status status, int code)
{
    reelay_job_result r = result_of(claim, status, code);
    bool retried = false;
    reelay_err err;
    reelay_err_clear(&err);
    if (reelay_queue_finish(q, claim, &r, &retried, &err) != REELAY_OK) fail_msg("finish: %s", err.msg);
    reelay_claim_free(claim);
    return retried;
}

static reelay_job_state state_of(reelay_queue *q, const char *id, json_t **result)
{
    reelay_job_state state;
    reelay_err err;
    reelay_err_clear(&err);
    if (reelay_queue_status(q, id, &state, result, &err) != REELAY_OK) fail_msg("status %s: %s", id, err.msg);
    return state;
}

static reelay_queue_counts counts_of(reelay_queue *q)
{
    reelay_queue_counts c;
    reelay_err err;
    reelay_err_clear(&err);
    if (reelay_queue_counts_get(q, &c, &err) != REELAY_OK) fail_msg("counts: %s", err.msg);
    return c;
}

/* An integer answer to a raw command, or the test fails. */
static long long raw_integer(const server *s, const char *command)
{
    redisContext *ctx = raw_connect(s->port);
    assert_non_null(ctx);
    redisReply *reply = redisCommand(ctx, command);
    if (!reply || reply->type != REDIS_REPLY_INTEGER) fail_msg("%s: no integer reply", command);
    long long n = reply->integer;
    freeReplyObject(reply);
    redisFree(ctx);
    return n;
}

static void raw_command(const server *s, const char *command)
{
    redisContext *ctx = raw_connect(s->port);
    assert_non_null(ctx);
    redisReply *reply = redisCommand(ctx, command);
    if (!reply || reply->type == REDIS_REPLY_ERROR) fail_msg("%s: %s", command, reply ? reply->str : "no reply");
    freeReplyObject(reply);
    redisFree(ctx);
}

static void test_bad_specs(void **state)
{
    (void)state;
    static const struct {
        const char *spec, *message;
    } cases[] = {
        {"redis://", "the port is missing"},
        {"redis://localhost", "the port is missing"},
        {"redis://:6379", "bad host"},
        {"redis://local host:6379", "bad host"},
        {"redis://localhost:0", "the port is 1 to 65535"},
        {"redis://localhost:65536", "the port is 1 to 65535"},
        {"redis://localhost:63a", "the port is 1 to 65535"},
        {"redis://localhost:", "the port is 1 to 65535"},
        {"redis://localhost:6379/", "DB is a database number"},
        {"redis://localhost:6379/x", "DB is a database number"},
        {"redis://localhost:6379/1/2", "DB is a database number"},
        {"redis://user@localhost:6379", "bad host"},
        {"redis://[::1:6379", "an IPv6 address in []"},
        {"redis:localhost:6379", "expected dir:PATH or redis://HOST:PORT[/DB]"},
        {"http://localhost:6379", "expected dir:PATH or redis://HOST:PORT[/DB]"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        reelay_queue *q = NULL;
        reelay_err err;
        reelay_err_clear(&err);
        assert_int_equal(reelay_queue_open(cases[i].spec, 60, &q, &err), REELAY_E_USAGE);
        assert_null(q);
        if (!strstr(err.msg, cases[i].message)) fail_msg("%s: '%s' lacks '%s'", cases[i].spec, err.msg, cases[i].message);
    }
}

static void test_submit_claim_complete(void **state)
{
    server *s = *state;
    reelay_queue *q = open_queue(s, 60);
    assert_int_equal(state_of(q, "j1", NULL), REELAY_STATE_UNKNOWN);
    submit(q, "j1");
    assert_int_equal(state_of(q, "j1", NULL), REELAY_STATE_QUEUED);
    reelay_claim claim;
    claim_one(q, &claim, "j1", 1);
    assert_string_equal(json_string_value(json_object_get(claim.doc, "output")), "out/j1.mp4");
    assert_int_equal(state_of(q, "j1", NULL), REELAY_STATE_RUNNING);
    reelay_err err;
    reelay_err_clear(&err);
    assert_int_equal(reelay_queue_heartbeat(q, &claim, &err), REELAY_OK);
    assert_false(finish(q, &claim, REELAY_JOB_DONE, 0));
    json_t *result = NULL;
    assert_int_equal(state_of(q, "j1", &result), REELAY_STATE_DONE);
    assert_non_null(result);
    reelay_job_result r;
    assert_int_equal(reelay_job_result_from_json(result, &r, &err), REELAY_OK);
    assert_string_equal(r.id, "j1");
    assert_int_equal(r.status, REELAY_JOB_DONE);
    assert_int_equal(r.frames, 12);
    json_decref(result);
    claim_none(q);
    /* Published on the results stream; acknowledged and gone from the jobs. */
    assert_int_equal(raw_integer(s, "XLEN reelay:results"), 1);
    assert_int_equal(raw_integer(s, "XLEN reelay:jobs"), 0);
    reelay_queue_close(q);
}

static void test_duplicate_refused(void **state)
{
    server *s = *state;
    reelay_queue *q = open_queue(s, 60);
    submit(q, "dup");
    json_t *doc = ts_json("{\"id\":\"dup\",\"input\":\"other.json\",\"output\":\"o.webm\"}");
    reelay_err err;
    reelay_err_clear(&err);
    assert_int_equal(reelay_queue_submit(q, doc, &err), REELAY_E_USAGE);
    assert_non_null(strstr(err.msg, "already in the queue (queued)"));
    /* Finished, still refused: an id names one job for good. */
    reelay_claim claim;
    claim_one(q, &claim, "dup", 1);
    assert_false(finish(q, &claim, REELAY_JOB_DONE, 0));
    assert_int_equal(reelay_queue_submit(q, doc, &err), REELAY_E_USAGE);
    assert_non_null(strstr(err.msg, "(done)"));
    json_decref(doc);
    assert_int_equal(raw_integer(s, "XLEN reelay:results"), 1);
    claim_none(q);
    reelay_queue_close(q);
}

static void test_claim_empty(void **state)
{
    reelay_queue *q = open_queue(*state, 60);
    claim_none(q);
    reelay_queue_counts c = counts_of(q);
    assert_int_equal(c.queued + c.running + c.done + c.failed, 0);
    reelay_queue_close(q);
}

static void test_two_consumers_never_share(void **state)
{
    server *s = *state;
    reelay_queue *a = open_queue(s, 60), *b = open_queue(s, 60);
    for (int i = 0; i < 20; i++) {
        char id[16];
        snprintf(id, sizeof id, "job-%02d", i);
        submit(i % 2 ? a : b, id);
    }
    int seen[20] = {0}, by_a = 0, by_b = 0;
    reelay_claim claims[20];
    /* All held at once, so that a job handed out twice would show. */
    for (int i = 0; i < 20; i++) {
        claim_one(i % 2 ? b : a, &claims[i], NULL, 1);
        int n = atoi(claims[i].id + 4);
        assert_in_range(n, 0, 19);
        seen[n]++;
        *(i % 2 ? &by_b : &by_a) += 1;
    }
    claim_none(a);
    claim_none(b);
    for (int i = 0; i < 20; i++) assert_int_equal(seen[i], 1);
    assert_int_equal(by_a, 10);
    assert_int_equal(by_b, 10);
    assert_int_equal(counts_of(a).running, 20);
    for (int i = 0; i < 20; i++) assert_false(finish(i % 2 ? b : a, &claims[i], REELAY_JOB_DONE, 0));
    reelay_queue_counts c = counts_of(b);
    assert_int_equal(c.done, 20);
    assert_int_equal(c.queued + c.running + c.failed, 0);
    reelay_queue_close(a);
    reelay_queue_close(b);
}

static void test_takeover_after_lease(void **state)
{
    server *s = *state;
    reelay_queue *a = open_queue(s, 1), *b = open_queue(s, 1);
    submit(a, "slow");
    reelay_claim held, taken;
    claim_one(a, &held, "slow", 1);
    claim_none(b); /* not yet: the lease runs */
    sleep_ms(1200);
    claim_one(b, &taken, "slow", 2);
    /* The first worker learns it lost the job and cannot finish it. */
    reelay_err err;
    reelay_err_clear(&err);
    assert_int_equal(reelay_queue_heartbeat(a, &held, &err), REELAY_E_IO);
    assert_non_null(strstr(err.msg, "went to another worker"));
    reelay_job_result r = result_of(&held, REELAY_JOB_DONE, 0);
    bool retried = true;
    assert_int_equal(reelay_queue_finish(a, &held, &r, &retried, &err), REELAY_E_IO);
    assert_non_null(strstr(err.msg, "went to another worker"));
    assert_false(retried);
    reelay_claim_free(&held);
    assert_int_equal(state_of(b, "slow", NULL), REELAY_STATE_RUNNING);
    assert_false(finish(b, &taken, REELAY_JOB_DONE, 0));
    assert_int_equal(state_of(a, "slow", NULL), REELAY_STATE_DONE);
    assert_int_equal(raw_integer(s, "XLEN reelay:results"), 1);
    reelay_queue_close(a);
    reelay_queue_close(b);
}

static void test_heartbeat_keeps_claim(void **state)
{
    server *s = *state;
    reelay_queue *a = open_queue(s, 1), *b = open_queue(s, 1);
    submit(a, "long");
    reelay_claim claim;
    claim_one(a, &claim, "long", 1);
    for (int i = 0; i < 4; i++) {
        sleep_ms(400);
        reelay_err err;
        reelay_err_clear(&err);
        if (reelay_queue_heartbeat(a, &claim, &err) != REELAY_OK) fail_msg("heartbeat: %s", err.msg);
        claim_none(b);
    }
    assert_false(finish(a, &claim, REELAY_JOB_DONE, 0));
    assert_int_equal(state_of(b, "long", NULL), REELAY_STATE_DONE);
    reelay_queue_close(a);
    reelay_queue_close(b);
}

static void test_poison_job_dead_lettered(void **state)
{
    server *s = *state;
    reelay_queue *producer = open_queue(s, 1);
    submit(producer, "poison");
    submit(producer, "fine");
    /* Three workers each take it and die (their claims never finish). */
    for (int attempt = 1; attempt <= 3; attempt++) {
        reelay_queue *worker = open_queue(s, 1);
        reelay_claim claim;
        claim_one(worker, &claim, "poison", attempt);
        reelay_claim_free(&claim);
        reelay_queue_close(worker);
        if (attempt == 1) {
            /* The healthy job goes its way meanwhile. */
            reelay_claim other;
            claim_one(producer, &other, "fine", 1);
            assert_false(finish(producer, &other, REELAY_JOB_DONE, 0));
        }
        sleep_ms(1200);
    }
    /* The fourth delivery is not run: the job is dead-lettered and fails. */
    reelay_queue *last = open_queue(s, 1);
    claim_none(last);
    json_t *result = NULL;
    assert_int_equal(state_of(last, "poison", &result), REELAY_STATE_FAILED);
    assert_non_null(result);
    reelay_job_result r;
    reelay_err err;
    assert_int_equal(reelay_job_result_from_json(result, &r, &err), REELAY_OK);
    json_decref(result);
    assert_int_equal(r.status, REELAY_JOB_FAILED);
    assert_int_equal(r.attempts, 3);
    assert_int_equal(r.error_code, REELAY_E_INTERNAL);
    assert_non_null(strstr(r.error_message, "after 3 attempts"));
    assert_int_equal(raw_integer(s, "XLEN reelay:dead"), 1);
    assert_int_equal(raw_integer(s, "XLEN reelay:results"), 2);
    assert_int_equal(raw_integer(s, "XLEN reelay:jobs"), 0);
    reelay_queue_counts c = counts_of(last);
    assert_int_equal(c.failed, 1);
    assert_int_equal(c.done, 1);
    assert_int_equal(c.queued + c.running, 0);
    reelay_queue_close(last);
    reelay_queue_close(producer);
}

static void test_transient_failure_retried(void **state)
{
    server *s = *state;
    reelay_queue *q = open_queue(s, 60);
    submit(q, "flaky");
    reelay_claim claim;
    for (int attempt = 1; attempt < 3; attempt++) {
        claim_one(q, &claim, "flaky", attempt);
        assert_true(finish(q, &claim, REELAY_JOB_FAILED, REELAY_E_IO));
        assert_int_equal(state_of(q, "flaky", NULL), REELAY_STATE_QUEUED);
    }
    claim_one(q, &claim, "flaky", 3);
    assert_false(finish(q, &claim, REELAY_JOB_FAILED, REELAY_E_IO));
    json_t *result = NULL;
    assert_int_equal(state_of(q, "flaky", &result), REELAY_STATE_FAILED);
    assert_int_equal(json_integer_value(json_object_get(result, "attempts")), 3);
    assert_string_equal(json_string_value(json_object_get(json_object_get(result, "error"), "code")), "io");
    json_decref(result);
    claim_none(q);
    /* A failure that will not pass is not tried again. */
    submit(q, "bad-input");
    claim_one(q, &claim, "bad-input", 1);
    assert_false(finish(q, &claim, REELAY_JOB_FAILED, REELAY_E_INPUT));
    assert_int_equal(state_of(q, "bad-input", NULL), REELAY_STATE_FAILED);
    reelay_queue_close(q);
}

static void test_release_uncounted(void **state)
{
    server *s = *state;
    reelay_queue *q = open_queue(s, 60);
    submit(q, "handed-back");
    reelay_claim claim;
    reelay_err err;
    reelay_err_clear(&err);
    for (int i = 0; i < 5; i++) {
        claim_one(q, &claim, "handed-back", 1);
        assert_int_equal(reelay_queue_release(q, &claim, &err), REELAY_OK);
        reelay_claim_free(&claim);
        assert_int_equal(state_of(q, "handed-back", NULL), REELAY_STATE_QUEUED);
    }
    /* Counted attempts carry over a release. */
    claim_one(q, &claim, "handed-back", 1);
    assert_true(finish(q, &claim, REELAY_JOB_FAILED, REELAY_E_INTERNAL));
    claim_one(q, &claim, "handed-back", 2);
    assert_int_equal(reelay_queue_release(q, &claim, &err), REELAY_OK);
    reelay_claim_free(&claim);
    claim_one(q, &claim, "handed-back", 2);
    assert_false(finish(q, &claim, REELAY_JOB_DONE, 0));
    assert_int_equal(state_of(q, "handed-back", NULL), REELAY_STATE_DONE);
    assert_int_equal(raw_integer(s, "XLEN reelay:jobs"), 0);
    reelay_queue_close(q);
}

static void test_survives_redis_restart(void **state)
{
    server *s = *state;
    reelay_queue *q = open_queue(s, 60);
    submit(q, "before-1");
    submit(q, "before-2");
    reelay_claim claim;
    claim_one(q, &claim, "before-1", 1);
    server_restart(s);
    /* The claim survived in the AOF; the handle reconnects on its own. */
    reelay_err err;
    reelay_err_clear(&err);
    if (reelay_queue_heartbeat(q, &claim, &err) != REELAY_OK) fail_msg("heartbeat after restart: %s", err.msg);
    assert_false(finish(q, &claim, REELAY_JOB_DONE, 0));
    server_restart(s);
    claim_one(q, &claim, "before-2", 1);
    assert_false(finish(q, &claim, REELAY_JOB_DONE, 0));
    server_restart(s);
    submit(q, "after");
    assert_int_equal(state_of(q, "before-1", NULL), REELAY_STATE_DONE);
    reelay_queue_counts c = counts_of(q);
    assert_int_equal(c.done, 2);
    assert_int_equal(c.queued, 1);
    reelay_queue_close(q);
}

static void test_connection_killed(void **state)
{
    server *s = *state;
    reelay_queue *q = open_queue(s, 60);
    submit(q, "k1");
    raw_command(s, "CLIENT KILL TYPE normal SKIPME yes");
    reelay_claim claim;
    claim_one(q, &claim, "k1", 1);
    raw_command(s, "CLIENT KILL TYPE normal SKIPME yes");
    assert_false(finish(q, &claim, REELAY_JOB_DONE, 0));
    raw_command(s, "CLIENT KILL TYPE normal SKIPME yes");
    assert_int_equal(state_of(q, "k1", NULL), REELAY_STATE_DONE);
    reelay_queue_close(q);
}

static void test_server_restarted_empty(void **state)
{
    /* Without persistence a restart loses the stream and its group: the
     * reconnection makes the group again. */
    server *s = *state;
    reelay_queue *q = open_queue(s, 60);
    submit(q, "lost");
    server_restart(s);
    claim_none(q);
    submit(q, "new");
    reelay_claim claim;
    claim_one(q, &claim, "new", 1);
    assert_false(finish(q, &claim, REELAY_JOB_DONE, 0));
    assert_int_equal(state_of(q, "lost", NULL), REELAY_STATE_UNKNOWN);
    /* The stream deleted under a live connection: the same. */
    raw_command(s, "DEL reelay:jobs");
    claim_none(q);
    submit(q, "newer");
    claim_one(q, &claim, "newer", 1);
    assert_false(finish(q, &claim, REELAY_JOB_DONE, 0));
    reelay_queue_close(q);
}

static void test_counts(void **state)
{
    server *s = *state;
    reelay_queue *q = open_queue(s, 60);
    const char *ids[] = {"c1", "c2", "c3", "c4"};
    for (int i = 0; i < 4; i++) submit(q, ids[i]);
    reelay_queue_counts c = counts_of(q);
    assert_int_equal(c.queued, 4);
    assert_int_equal(c.running + c.done + c.failed, 0);
    reelay_claim first, second;
    claim_one(q, &first, "c1", 1);
    claim_one(q, &second, "c2", 1);
    c = counts_of(q);
    assert_int_equal(c.queued, 2);
    assert_int_equal(c.running, 2);
    assert_false(finish(q, &first, REELAY_JOB_DONE, 0));
    assert_false(finish(q, &second, REELAY_JOB_FAILED, REELAY_E_USAGE));
    c = counts_of(q);
    assert_int_equal(c.queued, 2);
    assert_int_equal(c.running, 0);
    assert_int_equal(c.done, 1);
    assert_int_equal(c.failed, 1);
    reelay_queue_close(q);
}

static void test_database_number(void **state)
{
    server *s = *state;
    char spec[64];
    snprintf(spec, sizeof spec, "redis://127.0.0.1:%d/3", s->port);
    reelay_queue *q = NULL;
    reelay_err err;
    reelay_err_clear(&err);
    if (reelay_queue_open(spec, 60, &q, &err) != REELAY_OK) fail_msg("open %s: %s", spec, err.msg);
    submit(q, "in-db-3");
    assert_int_equal(state_of(q, "in-db-3", NULL), REELAY_STATE_QUEUED);
    reelay_queue_close(q);
    assert_int_equal(raw_integer(s, "EXISTS reelay:job:in-db-3"), 0);
    redisContext *ctx = raw_connect(s->port);
    assert_non_null(ctx);
    redisReply *reply = redisCommand(ctx, "SELECT 3");
    assert_non_null(reply);
    freeReplyObject(reply);
    reply = redisCommand(ctx, "EXISTS reelay:job:in-db-3");
    assert_non_null(reply);
    assert_int_equal(reply->integer, 1);
    freeReplyObject(reply);
    redisFree(ctx);
    /* A database the server does not have: refused at once, not retried. */
    snprintf(spec, sizeof spec, "redis://127.0.0.1:%d/4000", s->port);
    assert_int_equal(reelay_queue_open(spec, 60, &q, &err), REELAY_E_IO);
    assert_null(q);
    assert_non_null(strstr(err.msg, "SELECT"));
    assert_non_null(strstr(err.msg, "127.0.0.1"));
}

static void test_unexpected_data(void **state)
{
    /* Keys of the wrong type (someone else's data): errors, no crash. */
    server *s = *state;
    reelay_queue *q = open_queue(s, 60);
    raw_command(s, "SET reelay:job:odd hello");
    raw_command(s, "HSET reelay:job:weird status sleeping");
    reelay_job_state st;
    reelay_err err;
    reelay_err_clear(&err);
    assert_int_equal(reelay_queue_status(q, "odd", &st, NULL, &err), REELAY_E_IO);
    assert_non_null(strstr(err.msg, "WRONGTYPE"));
    assert_int_equal(reelay_queue_status(q, "weird", &st, NULL, &err), REELAY_E_IO);
    assert_non_null(strstr(err.msg, "unexpected reply from redis"));
    raw_command(s, "SET reelay:status:done x");
    reelay_queue_counts c;
    assert_int_equal(reelay_queue_counts_get(q, &c, &err), REELAY_E_IO);
    raw_command(s, "DEL reelay:status:done");
    /* A stream entry without a valid id is set aside, not run. */
    raw_command(s, "XADD reelay:jobs * id ../etc job {}");
    raw_command(s, "XADD reelay:jobs * nothing here");
    submit(q, "good");
    reelay_claim claim;
    claim_one(q, &claim, "good", 1);
    reelay_claim_free(&claim);
    assert_int_equal(raw_integer(s, "XLEN reelay:dead"), 2);
    reelay_queue_close(q);
}

static void test_unreadable_job_document(void **state)
{
    /* Text that is not JSON reaches the worker as a problem to fail with. */
    server *s = *state;
    reelay_queue *q = open_queue(s, 60);
    raw_command(s, "HSET reelay:job:broken status queued");
    raw_command(s, "XADD reelay:jobs * id broken job {oops attempts 0");
    reelay_claim claim;
    bool got = false;
    reelay_err err;
    reelay_err_clear(&err);
    assert_int_equal(reelay_queue_claim(q, &claim, &got, &err), REELAY_OK);
    assert_true(got);
    assert_string_equal(claim.id, "broken");
    assert_null(claim.doc);
    assert_non_null(strstr(claim.problem, "job broken"));
    assert_false(finish(q, &claim, REELAY_JOB_FAILED, REELAY_E_INPUT));
    assert_int_equal(state_of(q, "broken", NULL), REELAY_STATE_FAILED);
    reelay_queue_close(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_specs),
        cmocka_unit_test_setup_teardown(test_submit_claim_complete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_claim_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_two_consumers_never_share, setup, teardown),
        cmocka_unit_test_setup_teardown(test_takeover_after_lease, setup, teardown),
        cmocka_unit_test_setup_teardown(test_heartbeat_keeps_claim, setup, teardown),
        cmocka_unit_test_setup_teardown(test_poison_job_dead_lettered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transient_failure_retried, setup, teardown),
        cmocka_unit_test_setup_teardown(test_release_uncounted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_survives_redis_restart, setup_persistent, teardown),
        cmocka_unit_test_setup_teardown(test_connection_killed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_server_restarted_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_database_number, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unexpected_data, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unreadable_job_document, setup, teardown),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
