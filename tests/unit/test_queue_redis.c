/* The redis queue backend against a real redis-server, started per test on
 * a free port and stopped after it. */
#include "test_support.h"

#include <errno.h>
#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "job/queue.h"

typedef struct server {
    pid_t pid;
    int port;
    char dir[64];      /* its working directory (the AOF when persistent) */
    bool persistent;   /* --appendonly yes: data survives a restart */
    int load_delay_us; /* per key while loading the AOF (key-load-delay): a slow start */
    pid_t proxy;       /* a proxy in front of it (proxy_start), stopped with it */
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

/* PING's answer: "PONG", an error's first word ("LOADING", "BUSY"), or
 * "" when there is none. */
static void ping_reply(int port, char *out, size_t size)
{
    out[0] = '\0';
    redisContext *ctx = raw_connect(port);
    if (!ctx) return;
    redisReply *reply = redisCommand(ctx, "PING");
    if (reply && (reply->type == REDIS_REPLY_STATUS || reply->type == REDIS_REPLY_ERROR) && reply->str)
        snprintf(out, size, "%.*s", (int)strcspn(reply->str, " "), reply->str);
    if (reply) freeReplyObject(reply);
    redisFree(ctx);
}

/* Up: answering, or loading its data (which a slow start is about). */
static bool ping(int port)
{
    char reply[32];
    ping_reply(port, reply, sizeof reply);
    return strcmp(reply, "PONG") == 0 || strcmp(reply, "LOADING") == 0;
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
        /* A load delay also wants the loader to answer clients (LOADING)
         * often, not once a few megabytes. */
        char delay[16];
        snprintf(delay, sizeof delay, "%d", s->load_delay_us);
        execlp("redis-server", "redis-server", "--port", port, "--save", "", "--appendonly",
               s->persistent ? "yes" : "no", "--dir", s->dir, "--bind", "127.0.0.1", "--daemonize", "no",
               "--key-load-delay", delay, "--loading-process-events-interval-bytes", "1024", (char *)NULL);
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
    if (s->proxy > 0) {
        kill(s->proxy, SIGKILL);
        waitpid(s->proxy, NULL, 0);
        s->proxy = 0;
    }
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

/* Copies one chunk from `from` to `to`; false when either side closed. */
static bool relay_chunk(int from, int to, char *buf, size_t size, ssize_t *got)
{
    *got = read(from, buf, size);
    if (*got <= 0) return false;
    for (ssize_t off = 0; off < *got;) {
        ssize_t n = write(to, buf + off, (size_t)(*got - off));
        if (n <= 0) return false;
        off += n;
    }
    return true;
}

/* A proxy in front of the server that drops the connection instead of
 * passing on the reply to the first command whose text holds `marker`:
 * the command ran, its client never hears so. One connection at a time,
 * as a queue handle makes them. */
static void proxy_serve(int listener, int upstream_port, const char *marker)
{
    static char buf[1 << 16];
    bool dropped = false;
    for (;;) {
        int client = accept(listener, NULL, NULL);
        if (client < 0) _exit(0);
        int server_fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)upstream_port),
                                   .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        if (connect(server_fd, (struct sockaddr *)&addr, sizeof addr) != 0) _exit(1);
        bool armed = false;
        for (;;) {
            struct pollfd fds[2] = {{.fd = client, .events = POLLIN}, {.fd = server_fd, .events = POLLIN}};
            if (poll(fds, 2, -1) < 0) break;
            ssize_t got;
            if (fds[0].revents) {
                if (!relay_chunk(client, server_fd, buf, sizeof buf - 1, &got)) break;
                buf[got] = '\0';
                if (!dropped && strstr(buf, marker)) armed = true;
            }
            if (fds[1].revents) {
                if (armed) {
                    dropped = true;
                    break;
                }
                if (!relay_chunk(server_fd, client, buf, sizeof buf, &got)) break;
            }
        }
        close(client);
        close(server_fd);
    }
}

/* Returns the proxy's port; it runs until the test's teardown. */
static int proxy_start(server *s, const char *marker)
{
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(listener >= 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof addr;
    assert_int_equal(bind(listener, (struct sockaddr *)&addr, sizeof addr), 0);
    assert_int_equal(listen(listener, 8), 0);
    assert_int_equal(getsockname(listener, (struct sockaddr *)&addr, &len), 0);
    s->proxy = fork();
    assert_true(s->proxy >= 0);
    if (s->proxy == 0) {
        /* Gone with the test, and off its output (which a reader may
         * wait on to close). */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) {
            dup2(null, 1);
            dup2(null, 2);
        }
        proxy_serve(listener, s->port, marker);
    }
    close(listener);
    return ntohs(addr.sin_port);
}

/* Seconds on the monotonic clock. */
static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static reelay_queue *open_queue_wait(const server *s, double lease_s, double wait_s)
{
    char spec[64];
    snprintf(spec, sizeof spec, "redis://127.0.0.1:%d", s->port);
    reelay_queue *q = NULL;
    reelay_err err;
    reelay_err_clear(&err);
    if (reelay_queue_open_wait(spec, lease_s, wait_s, &q, &err) != REELAY_OK) fail_msg("open %s: %s", spec, err.msg);
    return q;
}

/* Submits a job document given as text; returns the code, err filled. */
static int submit_text(reelay_queue *q, const char *text, reelay_err *err)
{
    json_t *doc = ts_json(text);
    reelay_err_clear(err);
    int rc = reelay_queue_submit(q, doc, err);
    json_decref(doc);
    return rc;
}

/* A text answer to a raw command ("" for nil), or the test fails. */
static void raw_text(const server *s, const char *command, char *out, size_t size)
{
    redisContext *ctx = raw_connect(s->port);
    assert_non_null(ctx);
    redisReply *reply = redisCommand(ctx, command);
    if (!reply || (reply->type != REDIS_REPLY_STRING && reply->type != REDIS_REPLY_NIL))
        fail_msg("%s: no text reply", command);
    snprintf(out, size, "%s", reply->type == REDIS_REPLY_STRING ? reply->str : "");
    freeReplyObject(reply);
    redisFree(ctx);
}

/* A field of INFO's answer, as a number. */
static long long info_number(const server *s, const char *section, const char *field)
{
    redisContext *ctx = raw_connect(s->port);
    assert_non_null(ctx);
    redisReply *reply = redisCommand(ctx, "INFO %s", section);
    char name[128];
    snprintf(name, sizeof name, "\r\n%s:", field);
    const char *at = reply && reply->type == REDIS_REPLY_STRING ? strstr(reply->str, name) : NULL;
    if (!at) fail_msg("INFO %s: no %s", section, field);
    long long n = atoll(at + strlen(name));
    freeReplyObject(reply);
    redisFree(ctx);
    return n;
}

/* The server's used_memory (INFO memory), without the latency histogram
 * it keeps per command name once run (some 30 KB each, for good): those
 * are no job's data. */
static long long used_memory(const server *s)
{
    raw_command(s, "CONFIG RESETSTAT");
    return info_number(s, "memory", "used_memory");
}

/* How many consumers the group has; *found whether one is called name. */
static size_t consumers(const server *s, const char *name, bool *found)
{
    redisContext *ctx = raw_connect(s->port);
    assert_non_null(ctx);
    redisReply *reply = redisCommand(ctx, "XINFO CONSUMERS reelay:jobs reelay");
    if (!reply || reply->type != REDIS_REPLY_ARRAY) fail_msg("XINFO CONSUMERS: no list");
    *found = false;
    for (size_t i = 0; i < reply->elements; i++) {
        const redisReply *c = reply->element[i];
        for (size_t j = 0; j + 1 < c->elements; j += 2)
            if (strcmp(c->element[j]->str, "name") == 0 && strcmp(c->element[j + 1]->str, name) == 0) *found = true;
    }
    size_t n = reply->elements;
    freeReplyObject(reply);
    redisFree(ctx);
    return n;
}

static long trim(reelay_queue *q, double older_than_s)
{
    long removed = -1;
    reelay_err err;
    reelay_err_clear(&err);
    if (reelay_queue_trim(q, older_than_s, &removed, &err) != REELAY_OK) fail_msg("trim: %s", err.msg);
    return removed;
}

/* Claims and finishes n queued jobs, whichever come first. */
static void run_all(reelay_queue *q, int n)
{
    for (int i = 0; i < n; i++) {
        reelay_claim claim;
        claim_one(q, &claim, NULL, 1);
        assert_false(finish(q, &claim, REELAY_JOB_DONE, 0));
    }
}

/* Restarts a persistent server that loads its data slowly (at least
 * delay_us per key), and checks that it does: commands are answered
 * LOADING for a while. */
static void restart_loading(server *s, int delay_us)
{
    s->load_delay_us = delay_us;
    server_restart(s);
    char reply[32];
    ping_reply(s->port, reply, sizeof reply);
    if (strcmp(reply, "LOADING") != 0) fail_msg("the restarted server is not loading: PING says '%s'", reply);
}

/* Enough keys for a load with key-load-delay to take a few seconds. */
static void fill(const server *s, int keys)
{
    redisContext *ctx = raw_connect(s->port);
    assert_non_null(ctx);
    redisReply *reply = redisCommand(ctx, "EVAL %s 0 %d",
                                     "for i = 1, tonumber(ARGV[1]) do redis.call('SET', 'filler:' .. i, 'x') end "
                                     "return 1",
                                     keys);
    if (!reply || reply->type != REDIS_REPLY_INTEGER) fail_msg("filling: %s", reply ? reply->str : "no reply");
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
        {"redis://user@localhost:6379", "a password after ':'"},
        {"redis://:@localhost:6379", "a password after ':'"},
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

static void test_waits_out_loading(void **state)
{
    /* A restarted server answers LOADING until its data is back: every
     * command waits it out (up to the queue's wait) instead of failing. */
    server *s = *state;
    reelay_queue *q = open_queue(s, 60), *brief = open_queue_wait(s, 60, 1);
    submit(q, "before-1");
    submit(q, "before-2");
    reelay_claim claim;
    claim_one(q, &claim, "before-1", 1);
    fill(s, 8000);

    restart_loading(s, 300); /* 2.4 s at least */
    /* A wait shorter than the load: an error naming the server and why. */
    reelay_job_state st;
    reelay_err err;
    reelay_err_clear(&err);
    double began = now_s();
    assert_int_equal(reelay_queue_status(brief, "before-2", &st, NULL, &err), REELAY_E_IO);
    assert_true(now_s() - began >= 0.9);
    char address[64];
    snprintf(address, sizeof address, "127.0.0.1:%d", s->port);
    if (!strstr(err.msg, address) || !strstr(err.msg, "LOADING")) fail_msg("message: %s", err.msg);
    assert_int_equal(state_of(q, "before-2", NULL), REELAY_STATE_QUEUED);

    restart_loading(s, 100);
    assert_false(finish(q, &claim, REELAY_JOB_DONE, 0));
    assert_int_equal(state_of(brief, "before-1", NULL), REELAY_STATE_DONE);

    restart_loading(s, 100);
    claim_one(q, &claim, "before-2", 1);
    assert_false(finish(q, &claim, REELAY_JOB_DONE, 0));

    restart_loading(s, 100);
    submit(q, "during");
    assert_int_equal(state_of(q, "during", NULL), REELAY_STATE_QUEUED);
    assert_int_equal(raw_integer(s, "XLEN reelay:results"), 2);
    reelay_queue_close(brief);
    reelay_queue_close(q);
}

static void test_waits_out_busy_script(void **state)
{
    /* Another client's script past busy-reply-threshold: the server answers
     * BUSY to everything else until it ends; our command did not run and
     * is sent again. */
    server *s = *state;
    reelay_queue *q = open_queue(s, 60);
    submit(q, "b1");
    raw_command(s, "CONFIG SET busy-reply-threshold 100");
    redisContext *slow = raw_connect(s->port);
    assert_non_null(slow);
    const char *script = "local s = redis.call('TIME') while true do local t = redis.call('TIME') "
                         "if (t[1] - s[1]) * 1000000 + (t[2] - s[2]) > 1500000 then break end end return 1";
    assert_int_equal(redisAppendCommand(slow, "EVAL %s 0", script), REDIS_OK);
    int done = 0;
    while (!done) assert_int_equal(redisBufferWrite(slow, &done), REDIS_OK);
    sleep_ms(300);
    char reply[32];
    ping_reply(s->port, reply, sizeof reply);
    assert_string_equal(reply, "BUSY");
    double began = now_s();
    reelay_claim claim;
    claim_one(q, &claim, "b1", 1);
    assert_true(now_s() - began >= 0.5);
    redisReply *r = NULL;
    assert_int_equal(redisGetReply(slow, (void **)&r), REDIS_OK);
    assert_int_equal(r->type, REDIS_REPLY_INTEGER);
    freeReplyObject(r);
    redisFree(slow);
    assert_false(finish(q, &claim, REELAY_JOB_DONE, 0));
    reelay_queue_close(q);
}

static void test_lost_claim_flagged(void **state)
{
    server *s = *state;
    reelay_queue *a = open_queue(s, 1), *b = open_queue(s, 1);
    submit(a, "x");
    reelay_claim held, taken;
    claim_one(a, &held, "x", 1);
    sleep_ms(1200);
    claim_one(b, &taken, "x", 2);
    reelay_err err;
    reelay_err_clear(&err);
    assert_int_equal(reelay_queue_heartbeat(a, &held, &err), REELAY_E_IO);
    assert_true(err.flags & REELAY_ERR_LOST_CLAIM);
    /* Finishing: done (complete) and a failure that would be retried
     * (requeue) alike; and handing it back. */
    reelay_job_result r = result_of(&held, REELAY_JOB_DONE, 0);
    bool retried = true;
    reelay_err_clear(&err);
    assert_int_equal(reelay_queue_finish(a, &held, &r, &retried, &err), REELAY_E_IO);
    assert_true(err.flags & REELAY_ERR_LOST_CLAIM);
    r = result_of(&held, REELAY_JOB_FAILED, REELAY_E_IO);
    reelay_err_clear(&err);
    assert_int_equal(reelay_queue_finish(a, &held, &r, &retried, &err), REELAY_E_IO);
    assert_true(err.flags & REELAY_ERR_LOST_CLAIM);
    assert_false(retried);
    reelay_err_clear(&err);
    assert_int_equal(reelay_queue_release(a, &held, &err), REELAY_E_IO);
    assert_true(err.flags & REELAY_ERR_LOST_CLAIM);
    reelay_claim_free(&held);
    assert_int_equal(state_of(b, "x", NULL), REELAY_STATE_RUNNING);
    assert_false(finish(b, &taken, REELAY_JOB_DONE, 0));
    /* A server that does not answer is not a lost claim: the claim may
     * well be ours still. */
    reelay_queue *brief = open_queue_wait(s, 60, 1);
    submit(brief, "y");
    claim_one(brief, &held, "y", 1);
    server_stop(s);
    reelay_err_clear(&err);
    assert_int_equal(reelay_queue_heartbeat(brief, &held, &err), REELAY_E_IO);
    assert_int_equal(err.flags, 0);
    r = result_of(&held, REELAY_JOB_DONE, 0);
    reelay_err_clear(&err);
    assert_int_equal(reelay_queue_finish(brief, &held, &r, &retried, &err), REELAY_E_IO);
    assert_int_equal(err.flags, 0);
    reelay_claim_free(&held);
    reelay_queue_close(brief);
    reelay_queue_close(a);
    reelay_queue_close(b);
}

static void test_output_belongs_to_one_job(void **state)
{
    server *s = *state;
    reelay_queue *q = open_queue(s, 60);
    reelay_err err;
    assert_int_equal(submit_text(q,
                                 "{\"id\":\"a\",\"input\":\"in.json\",\"output\":\"out/shared.webm\","
                                 "\"options\":{\"poster\":\"out/a.png\",\"--manifest\":\"out/a.json\"}}",
                                 &err),
                     REELAY_OK);
    /* The same output. */
    assert_int_equal(submit_text(q, "{\"id\":\"b\",\"input\":\"in.json\",\"output\":\"out/shared.webm\"}", &err),
                     REELAY_E_USAGE);
    assert_string_equal(err.msg, "output out/shared.webm belongs to job a");
    assert_true(err.flags & REELAY_ERR_LASTING);
    assert_int_equal(state_of(q, "b", NULL), REELAY_STATE_UNKNOWN);
    /* Another job's sidecar (in another spelling): nothing of c is made,
     * its own free output included. */
    assert_int_equal(submit_text(q,
                                 "{\"id\":\"c\",\"input\":\"in.json\",\"output\":\"out/c.webm\","
                                 "\"options\":{\"manifest\":\"out/a.json\"}}",
                                 &err),
                     REELAY_E_USAGE);
    assert_string_equal(err.msg, "output out/a.json belongs to job a");
    assert_true(err.flags & REELAY_ERR_LASTING);
    assert_int_equal(raw_integer(s, "EXISTS reelay:output:out/c.webm"), 0);
    assert_int_equal(raw_integer(s, "EXISTS reelay:job:c"), 0);
    assert_int_equal(raw_integer(s, "XLEN reelay:jobs"), 1);
    /* A sidecar over another job's output. */
    assert_int_equal(submit_text(q,
                                 "{\"id\":\"d\",\"input\":\"in.json\",\"output\":\"out/d.webm\","
                                 "\"options\":{\"preview\":\"out/shared.webm\"}}",
                                 &err),
                     REELAY_E_USAGE);
    assert_string_equal(err.msg, "output out/shared.webm belongs to job a");
    /* The owner itself again: refused as a duplicate id, not for its names. */
    assert_int_equal(submit_text(q,
                                 "{\"id\":\"a\",\"input\":\"in.json\",\"output\":\"out/shared.webm\","
                                 "\"options\":{\"poster\":\"out/a.png\",\"--manifest\":\"out/a.json\"}}",
                                 &err),
                     REELAY_E_USAGE);
    assert_non_null(strstr(err.msg, "already in the queue"));
    assert_false(err.flags & REELAY_ERR_LASTING);
    /* Finished, the names stay the job's (until it is trimmed). */
    reelay_claim claim;
    claim_one(q, &claim, "a", 1);
    assert_false(finish(q, &claim, REELAY_JOB_DONE, 0));
    assert_int_equal(submit_text(q, "{\"id\":\"b\",\"input\":\"in.json\",\"output\":\"out/shared.webm\"}", &err),
                     REELAY_E_USAGE);
    assert_string_equal(err.msg, "output out/shared.webm belongs to job a");
    /* Other names are free; a job may name one file twice. */
    assert_int_equal(submit_text(q,
                                 "{\"id\":\"e\",\"input\":\"in.json\",\"output\":\"out/e.webm\","
                                 "\"options\":{\"poster\":\"out/e.png\",\"preview\":\"out/e.png\"}}",
                                 &err),
                     REELAY_OK);
    char owner[80];
    raw_text(s, "GET reelay:output:out/e.png", owner, sizeof owner);
    assert_string_equal(owner, "e");
    /* A name whose owner was deleted by hand is free again. */
    raw_command(s, "DEL reelay:job:e");
    assert_int_equal(submit_text(q, "{\"id\":\"f\",\"input\":\"in.json\",\"output\":\"out/e.webm\"}", &err), REELAY_OK);
    reelay_queue_close(q);
}

static void test_submit_reply_lost(void **state)
{
    /* The submit ran, its reply was lost: sent again, it finds its own job
     * and its own output names, and succeeds without a second copy. */
    server *s = *state;
    server via = {.port = proxy_start(s, "reelay:output:")};
    long long connections = info_number(s, "stats", "total_connections_received");
    reelay_queue *q = open_queue(&via, 60);
    reelay_err err;
    assert_int_equal(submit_text(q,
                                 "{\"id\":\"once\",\"input\":\"in.json\",\"output\":\"out/once.webm\","
                                 "\"options\":{\"poster\":\"out/once.png\"}}",
                                 &err),
                     REELAY_OK);
    /* The connection opened, then the one after the lost reply (and the
     * raw one asking). */
    assert_int_equal(info_number(s, "stats", "total_connections_received") - connections, 3);
    assert_int_equal(raw_integer(s, "XLEN reelay:jobs"), 1);
    char owner[80];
    raw_text(s, "GET reelay:output:out/once.png", owner, sizeof owner);
    assert_string_equal(owner, "once");
    reelay_queue_close(q);
}

static void test_trim_forgets_old_jobs(void **state)
{
    server *s = *state;
    /* Consumers idle past the trimming handle's lease (1 s) count as
     * dead; the others' long leases keep their claims from being taken
     * over meanwhile. */
    reelay_queue *q = open_queue(s, 60), *holder = open_queue(s, 60), *trimmer = open_queue(s, 1);
    const char *old[] = {"old-1", "old-2", "old-failed"};
    for (int i = 0; i < 3; i++) submit(q, old[i]);
    submit(q, "running");
    reelay_claim claim;
    claim_one(q, &claim, "old-1", 1);
    assert_false(finish(q, &claim, REELAY_JOB_DONE, 0));
    claim_one(q, &claim, "old-2", 1);
    assert_false(finish(q, &claim, REELAY_JOB_DONE, 0));
    claim_one(q, &claim, "old-failed", 1);
    assert_false(finish(q, &claim, REELAY_JOB_FAILED, REELAY_E_INPUT));
    /* Held by a worker that goes quiet: running, whatever its age. */
    reelay_claim held;
    claim_one(holder, &held, "running", 1);
    /* A dead letter, and a consumer that died holding nothing. */
    raw_command(s, "XADD reelay:jobs * nothing here");
    claim_none(q);
    raw_command(s, "XGROUP CREATECONSUMER reelay:jobs reelay ghost");
    assert_int_equal(raw_integer(s, "XLEN reelay:dead"), 1);
    sleep_ms(1300);

    submit(q, "young");
    submit(q, "queued");
    claim_one(q, &claim, "young", 1);
    assert_false(finish(q, &claim, REELAY_JOB_DONE, 0));
    assert_int_equal(raw_integer(s, "XLEN reelay:results"), 4);
    bool ghost = false;
    assert_int_equal(consumers(s, "ghost", &ghost), 3);
    assert_true(ghost);

    assert_int_equal(trim(trimmer, 1.0), 3);
    for (int i = 0; i < 3; i++) assert_int_equal(state_of(q, old[i], NULL), REELAY_STATE_UNKNOWN);
    assert_int_equal(state_of(q, "young", NULL), REELAY_STATE_DONE);
    assert_int_equal(state_of(q, "running", NULL), REELAY_STATE_RUNNING);
    assert_int_equal(state_of(q, "queued", NULL), REELAY_STATE_QUEUED);
    reelay_queue_counts c = counts_of(q);
    assert_int_equal(c.done, 1);
    assert_int_equal(c.failed, 0);
    assert_int_equal(c.running, 1);
    assert_int_equal(c.queued, 1);
    assert_int_equal(raw_integer(s, "XLEN reelay:results"), 1);
    assert_int_equal(raw_integer(s, "XLEN reelay:dead"), 0);
    assert_int_equal(raw_integer(s, "ZCARD reelay:finished"), 1);
    assert_int_equal(raw_integer(s, "EXISTS reelay:output:out/old-1.mp4"), 0);
    assert_int_equal(raw_integer(s, "EXISTS reelay:output:out/young.mp4"), 1);
    /* The dead consumer went; the quiet one holding a job stays. */
    assert_int_equal(consumers(s, "ghost", &ghost), 2);
    assert_false(ghost);
    /* The forgotten job's names and id are free; the young job's are not. */
    reelay_err err;
    assert_int_equal(submit_text(q, "{\"id\":\"other\",\"input\":\"in.json\",\"output\":\"out/old-1.mp4\"}", &err),
                     REELAY_OK);
    assert_int_equal(submit_text(q, "{\"id\":\"old-2\",\"input\":\"in.json\",\"output\":\"out/old-2.mp4\"}", &err),
                     REELAY_OK);
    assert_int_equal(submit_text(q, "{\"id\":\"other-2\",\"input\":\"in.json\",\"output\":\"out/young.mp4\"}", &err),
                     REELAY_E_USAGE);
    assert_string_equal(err.msg, "output out/young.mp4 belongs to job young");

    /* Nothing more is old enough; then retention 0 takes the young job. */
    assert_int_equal(trim(trimmer, 3600), 0);
    assert_int_equal(trim(trimmer, 0), 1);
    assert_int_equal(state_of(q, "young", NULL), REELAY_STATE_UNKNOWN);
    assert_int_equal(raw_integer(s, "XLEN reelay:results"), 0);
    /* The running job is still its worker's to finish. */
    reelay_err_clear(&err);
    assert_int_equal(reelay_queue_heartbeat(holder, &held, &err), REELAY_OK);
    assert_false(finish(holder, &held, REELAY_JOB_DONE, 0));
    assert_int_equal(state_of(q, "running", NULL), REELAY_STATE_DONE);
    reelay_queue_close(trimmer);
    reelay_queue_close(holder);
    reelay_queue_close(q);
}

static void test_trim_in_batches(void **state)
{
    /* More than one script call's worth: every job goes, in several calls. */
    server *s = *state;
    reelay_queue *q = open_queue(s, 60);
    enum { JOBS = 450 };
    for (int i = 0; i < JOBS; i++) {
        char id[16];
        snprintf(id, sizeof id, "many-%03d", i);
        submit(q, id);
    }
    run_all(q, JOBS);
    assert_int_equal(raw_integer(s, "XLEN reelay:results"), JOBS);
    assert_int_equal(trim(q, 0), JOBS);
    assert_int_equal(raw_integer(s, "XLEN reelay:results"), 0);
    assert_int_equal(raw_integer(s, "ZCARD reelay:finished"), 0);
    assert_int_equal(raw_integer(s, "SCARD reelay:status:done"), 0);
    assert_int_equal(trim(q, 0), 0);
    reelay_queue_close(q);
}

static void test_trim_memory(void **state)
{
    /* What 200 finished jobs cost the server, and what trimming gives
     * back (printed for the record). */
    server *s = *state;
    reelay_queue *q = open_queue(s, 60);
    long long empty = used_memory(s);
    for (int i = 0; i < 200; i++) {
        char id[16];
        snprintf(id, sizeof id, "mem-%03d", i);
        submit(q, id);
    }
    run_all(q, 200);
    long long full = used_memory(s);
    assert_int_equal(trim(q, 0), 200);
    long long trimmed = used_memory(s);
    print_message("used_memory: %lld bytes empty, %lld after 200 finished jobs, %lld after trim with retention 0\n",
                  empty, full, trimmed);
    /* Back to where it started, give or take a connection's buffers. */
    assert_true(trimmed < empty + (full - empty) / 10);
    /* Left: the jobs stream with its group, and the results stream, empty. */
    assert_int_equal(raw_integer(s, "DBSIZE"), 2);
    assert_int_equal(raw_integer(s, "XLEN reelay:results"), 0);
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
        cmocka_unit_test_setup_teardown(test_waits_out_loading, setup_persistent, teardown),
        cmocka_unit_test_setup_teardown(test_waits_out_busy_script, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lost_claim_flagged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_output_belongs_to_one_job, setup, teardown),
        cmocka_unit_test_setup_teardown(test_submit_reply_lost, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trim_forgets_old_jobs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trim_in_batches, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trim_memory, setup, teardown),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
