/* The HTTP API (server/http.h) in this process, on 127.0.0.1 and a port the
 * kernel picks, over a spool-directory queue in a temporary directory,
 * spoken to by a minimal HTTP/1.1 client over a socket. A second queue
 * handle on the same directory plays the worker. */
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "test_support.h"

#include "job/job.h"
#include "job/queue.h"
#include "server/http.h"

#define FIXTURE_RECORDING "fixtures/mobile/android-shop.blob.jsonl"

/* ---- a minimal client --------------------------------------------------- */

typedef struct reply {
    int status;    /* 0 when the server sent nothing (closed the connection) */
    char *head;    /* status line and headers */
    char *body;
    size_t body_len;
} reply;

static void reply_free(reply *r)
{
    free(r->head);
    free(r->body);
    memset(r, 0, sizeof *r);
}

/* A connection to the server from `source` (a 127/8 address: all of it is
 * local on Linux), or from 127.0.0.1 when NULL. */
static int connect_from(int port, const char *source)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    if (source) {
        struct sockaddr_in local = {.sin_family = AF_INET};
        assert_int_equal(inet_pton(AF_INET, source, &local.sin_addr), 1);
        assert_int_equal(bind(fd, (struct sockaddr *)&local, sizeof local), 0);
    }
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&addr, sizeof addr), 0);
    struct timeval timeout = {.tv_sec = 20};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    return fd;
}

static int connect_to(int port)
{
    return connect_from(port, NULL);
}

static void send_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return; /* the server may close early (413): what it said is read next */
        p += n;
        len -= (size_t)n;
    }
}

/* Reads to the end (requests say Connection: close) and splits the reply. */
static reply read_reply(int fd)
{
    reply r = {0};
    size_t cap = 4096, len = 0;
    char *data = malloc(cap);
    assert_non_null(data);
    for (;;) {
        if (len + 4096 > cap) {
            cap *= 2;
            data = realloc(data, cap);
            assert_non_null(data);
        }
        ssize_t n = recv(fd, data + len, cap - len - 1, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        len += (size_t)n;
    }
    close(fd);
    data[len] = '\0';
    char *split = strstr(data, "\r\n\r\n");
    if (strncmp(data, "HTTP/1.1 ", 9) != 0 || !split) {
        free(data);
        return r;
    }
    r.status = atoi(data + 9);
    size_t head_len = (size_t)(split - data) + 2;
    r.head = strndup(data, head_len);
    r.body_len = len - head_len - 2;
    r.body = malloc(r.body_len + 1);
    memcpy(r.body, split + 4, r.body_len);
    r.body[r.body_len] = '\0';
    free(data);
    return r;
}

/* One request; `headers` is "" or lines ending in \r\n. */
static reply request_raw(int port, const char *method, const char *path, const char *headers, const void *body,
                         size_t len, bool send_length)
{
    int fd = connect_to(port);
    char head[4096];
    int n = snprintf(head, sizeof head, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%s", method,
                     path, headers);
    if (send_length && (body || strcmp(method, "POST") == 0))
        n += snprintf(head + n, sizeof head - (size_t)n, "Content-Length: %zu\r\n", len);
    n += snprintf(head + n, sizeof head - (size_t)n, "\r\n");
    send_all(fd, head, (size_t)n);
    if (body) send_all(fd, body, len);
    return read_reply(fd);
}

static reply request(int port, const char *method, const char *path, const char *headers, const void *body,
                     size_t len)
{
    return request_raw(port, method, path, headers, body, len, true);
}

static reply get(int port, const char *path, const char *headers)
{
    return request(port, "GET", path, headers, NULL, 0);
}

static reply post_json(int port, const char *path, const char *headers, const char *doc)
{
    char all[1024];
    snprintf(all, sizeof all, "Content-Type: application/json\r\n%s", headers);
    return request(port, "POST", path, all, doc, strlen(doc));
}

/* A header's value (first match, case-insensitive name), in `out`. */
static const char *header(const reply *r, const char *name, char *out, size_t size)
{
    size_t n = strlen(name);
    const char *line = r->head ? strstr(r->head, "\r\n") : NULL;
    for (; line && line[2]; line = strstr(line + 2, "\r\n")) {
        const char *start = line + 2;
        if (strncasecmp(start, name, n) == 0 && start[n] == ':') {
            const char *value = start + n + 1;
            while (*value == ' ') value++;
            const char *end = strstr(value, "\r\n");
            snprintf(out, size, "%.*s", (int)(end - value), value);
            return out;
        }
    }
    return NULL;
}

static void expect_header(const reply *r, const char *name, const char *want)
{
    char value[512];
    if (!header(r, name, value, sizeof value)) fail_msg("no %s header in:\n%s", name, r->head);
    if (strcmp(value, want) != 0) fail_msg("%s: '%s', expected '%s'", name, value, want);
}

static json_t *body_json(const reply *r)
{
    json_error_t jerr;
    json_t *doc = json_loadb(r->body, r->body_len, 0, &jerr);
    if (!doc) fail_msg("status %d, body is not JSON (%s): %s", r->status, jerr.text, r->body);
    return doc;
}

/* The status, and for errors the {"error": {"code", "message"}} shape with
 * `fragment` in the message. */
static void expect_status(reply *r, int status, const char *fragment)
{
    if (r->status != status) fail_msg("status %d, expected %d; body: %s", r->status, status, r->body ? r->body : "");
    if (status < 400) return;
    json_t *doc = body_json(r);
    const char *code = json_string_value(json_object_get(json_object_get(doc, "error"), "code"));
    const char *message = json_string_value(json_object_get(json_object_get(doc, "error"), "message"));
    if (!code || !message) fail_msg("no error object: %s", r->body);
    if (fragment && !strstr(message, fragment)) fail_msg("message '%s' lacks '%s'", message, fragment);
    json_decref(doc);
}

/* ---- the server under test ---------------------------------------------- */

typedef struct fixture {
    char dir[64];
    char spec[128];
    char outputs[128];
    char uploads[160];
    reelay_queue *queue;  /* the server's */
    reelay_queue *worker; /* a second handle, as a worker process would have */
    reelay_server *server;
    int port;
} fixture;

/* Starts a server with options o (its queue and output directory are the
 * fixture's); the server's start code. */
static int try_start(fixture *f, reelay_server_options o, reelay_err *err)
{
    memset(f, 0, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/reelay-http-test-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->spec, sizeof f->spec, "dir:%s/q", f->dir);
    snprintf(f->outputs, sizeof f->outputs, "%s/out", f->dir);
    snprintf(f->uploads, sizeof f->uploads, "%s/out/uploads", f->dir);
    reelay_err_clear(err);
    assert_int_equal(reelay_queue_open(f->spec, 60, &f->queue, err), REELAY_OK);
    assert_int_equal(reelay_queue_open(f->spec, 60, &f->worker, err), REELAY_OK);
    o.host = "127.0.0.1";
    o.port = 0;
    o.queue = f->queue;
    o.output_dir = f->outputs;
    return reelay_server_start(&o, &f->server, err);
}

static void start_with(fixture *f, reelay_server_options o)
{
    reelay_err err;
    if (try_start(f, o, &err) != REELAY_OK) fail_msg("start: %s", err.msg);
    f->port = reelay_server_port(f->server);
    assert_true(f->port > 0);
    assert_string_equal(reelay_server_upload_dir(f->server), f->uploads);
}

static void start(fixture *f, const char *token, uint64_t body_limit, const char *inputs)
{
    start_with(f, (reelay_server_options){.inputs_dir = inputs, .token = token, .body_limit = body_limit});
}

static void stop(fixture *f)
{
    reelay_server_stop(f->server);
    reelay_queue_close(f->queue);
    reelay_queue_close(f->worker);
    char command[128];
    snprintf(command, sizeof command, "rm -rf '%s'", f->dir);
    assert_int_equal(system(command), 0);
}

static int count_files(const char *dir, const char *containing)
{
    char command[512];
    snprintf(command, sizeof command, "ls -A '%s' 2>/dev/null | grep -c -- '%s'", dir, containing);
    FILE *p = popen(command, "r");
    int n = -1;
    if (!p || fscanf(p, "%d", &n) != 1) n = -1;
    if (p) pclose(p);
    return n;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return NULL;
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *data = malloc((size_t)n + 1);
    *len = fread(data, 1, (size_t)n, fp);
    fclose(fp);
    return data;
}

/* The id from a 202 reply. */
static void accepted_id(reply *r, char *id, size_t size)
{
    expect_status(r, 202, NULL);
    json_t *doc = body_json(r);
    const char *value = json_string_value(json_object_get(doc, "id"));
    assert_non_null(value);
    assert_string_equal(json_string_value(json_object_get(doc, "status")), "queued");
    char self[128];
    snprintf(self, sizeof self, "/v1/jobs/%s", value);
    assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "links"), "self")), self);
    snprintf(id, size, "%s", value);
    json_decref(doc);
}

static long metric(int port, const char *headers, const char *name)
{
    reply r = get(port, "/metrics", headers);
    assert_int_equal(r.status, 200);
    char pattern[160];
    snprintf(pattern, sizeof pattern, "\n%s ", name);
    const char *line = strstr(r.body, pattern);
    if (!line) fail_msg("no %s in:\n%s", name, r.body);
    long value = atol(line + strlen(pattern));
    reply_free(&r);
    return value;
}

/* ---- tests -------------------------------------------------------------- */

static void test_routes(void **state)
{
    (void)state;
    fixture f;
    start(&f, NULL, 0, NULL);
    reply r = get(f.port, "/healthz", "");
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "ok\n");
    reply_free(&r);
    r = get(f.port, "/nowhere", "");
    expect_status(&r, 404, NULL);
    reply_free(&r);
    r = get(f.port, "/v1/jobs/abc/else", "");
    expect_status(&r, 404, NULL);
    reply_free(&r);
    r = request(f.port, "DELETE", "/v1/jobs/abc", "", NULL, 0);
    expect_status(&r, 405, NULL);
    expect_header(&r, "Allow", "GET, HEAD");
    reply_free(&r);
    r = get(f.port, "/v1/jobs", "");
    expect_status(&r, 405, NULL);
    expect_header(&r, "Allow", "POST");
    reply_free(&r);
    r = get(f.port, "/v1/jobs/.hidden", "");
    expect_status(&r, 400, "bad job id");
    reply_free(&r);
    r = get(f.port, "/v1/jobs/nope", "");
    expect_status(&r, 404, "no job nope");
    reply_free(&r);
    r = get(f.port, "/v1/jobs/nope/output", "");
    expect_status(&r, 404, NULL);
    reply_free(&r);
    r = request(f.port, "POST", "/v1/jobs", "Content-Type: application/octet-stream\r\n", "", 0);
    expect_status(&r, 400, "empty");
    reply_free(&r);
    stop(&f);
}

/* A JSON job from submission to download, the worker played through the
 * queue API. */
static void test_job_lifecycle(void **state)
{
    (void)state;
    fixture f;
    start(&f, NULL, 0, "fixtures/mobile");
    reply r = post_json(f.port, "/v1/jobs", "",
                        "{\"id\":\"job-1\",\"input\":\"android-shop.blob.jsonl\",\"output\":\"clip.webm\","
                        "\"options\":{\"fps\":6}}");
    char id[80];
    accepted_id(&r, id, sizeof id);
    assert_string_equal(id, "job-1");
    expect_header(&r, "Location", "/v1/jobs/job-1");
    reply_free(&r);

    r = get(f.port, "/v1/jobs/job-1", "");
    assert_int_equal(r.status, 200);
    json_t *doc = body_json(&r);
    assert_string_equal(json_string_value(json_object_get(doc, "status")), "queued");
    assert_true(json_is_null(json_object_get(doc, "result")));
    json_decref(doc);
    reply_free(&r);

    r = get(f.port, "/v1/jobs/job-1/output", "");
    expect_status(&r, 409, "queued");
    doc = body_json(&r);
    assert_string_equal(json_string_value(json_object_get(doc, "status")), "queued");
    json_decref(doc);
    reply_free(&r);
    assert_int_equal(metric(f.port, "", "reelay_jobs{status=\"queued\"}"), 1);

    /* The worker: claim, write the output, finish. */
    reelay_err err;
    reelay_err_clear(&err);
    reelay_claim claim;
    bool got = false;
    assert_int_equal(reelay_queue_claim(f.worker, &claim, &got, &err), REELAY_OK);
    assert_true(got);
    assert_string_equal(claim.id, "job-1");
    const char *input = json_string_value(json_object_get(claim.doc, "input"));
    char output[512];
    snprintf(output, sizeof output, "%s", json_string_value(json_object_get(claim.doc, "output")));
    char want[256];
    snprintf(want, sizeof want, "%s/clip.webm", f.outputs);
    assert_string_equal(output, want);
    assert_non_null(strstr(input, "/fixtures/mobile/android-shop.blob.jsonl"));
    assert_true(input[0] == '/');

    r = get(f.port, "/v1/jobs/job-1", "");
    doc = body_json(&r);
    assert_string_equal(json_string_value(json_object_get(doc, "status")), "running");
    json_decref(doc);
    reply_free(&r);

    const char bytes[] = "0123456789abcdef";
    FILE *fp = fopen(output, "wb");
    assert_non_null(fp);
    fwrite(bytes, 1, 16, fp);
    fclose(fp);
    reelay_job_result result = {.status = REELAY_JOB_DONE, .bytes = 16, .frames = 42, .render_s = 1.5,
                                .duration_s = 7, .attempts = 1};
    snprintf(result.id, sizeof result.id, "job-1");
    snprintf(result.output, sizeof result.output, "%s", output);
    bool retried;
    assert_int_equal(reelay_queue_finish(f.worker, &claim, &result, &retried, &err), REELAY_OK);
    reelay_claim_free(&claim);

    r = get(f.port, "/v1/jobs/job-1", "");
    assert_int_equal(r.status, 200);
    doc = body_json(&r);
    assert_string_equal(json_string_value(json_object_get(doc, "status")), "done");
    json_t *res = json_object_get(doc, "result");
    assert_int_equal(json_integer_value(json_object_get(res, "frames")), 42);
    assert_string_equal(json_string_value(json_object_get(res, "status")), "done");
    json_decref(doc);
    reply_free(&r);

    r = get(f.port, "/v1/jobs/job-1/output", "");
    assert_int_equal(r.status, 200);
    assert_int_equal(r.body_len, 16);
    assert_memory_equal(r.body, bytes, 16);
    expect_header(&r, "Content-Type", "video/webm");
    expect_header(&r, "Content-Length", "16");
    expect_header(&r, "Accept-Ranges", "bytes");
    reply_free(&r);

    r = get(f.port, "/v1/jobs/job-1/output", "Range: bytes=2-5\r\n");
    assert_int_equal(r.status, 206);
    assert_int_equal(r.body_len, 4);
    assert_memory_equal(r.body, "2345", 4);
    expect_header(&r, "Content-Range", "bytes 2-5/16");
    reply_free(&r);
    r = get(f.port, "/v1/jobs/job-1/output", "Range: bytes=-3\r\n");
    assert_int_equal(r.status, 206);
    assert_int_equal(r.body_len, 3);
    assert_memory_equal(r.body, "def", 3);
    expect_header(&r, "Content-Range", "bytes 13-15/16");
    reply_free(&r);
    r = get(f.port, "/v1/jobs/job-1/output", "Range: bytes=10-\r\n");
    assert_int_equal(r.status, 206);
    assert_memory_equal(r.body, "abcdef", 6);
    reply_free(&r);
    r = get(f.port, "/v1/jobs/job-1/output", "Range: bytes=999999-\r\n");
    expect_status(&r, 416, NULL);
    expect_header(&r, "Content-Range", "bytes */16");
    reply_free(&r);
    r = get(f.port, "/v1/jobs/job-1/output", "Range: bytes=5-2\r\n"); /* malformed: the whole file */
    assert_int_equal(r.status, 200);
    assert_int_equal(r.body_len, 16);
    reply_free(&r);

    /* Duplicates: by document id and by ?id=. */
    r = post_json(f.port, "/v1/jobs", "",
                  "{\"id\":\"job-1\",\"input\":\"android-shop.blob.jsonl\",\"output\":\"other.webm\"}");
    expect_status(&r, 409, "job-1");
    reply_free(&r);
    r = post_json(f.port, "/v1/jobs?id=job-1", "", "{\"input\":\"android-shop.blob.jsonl\",\"output\":\"o.webm\"}");
    expect_status(&r, 409, NULL);
    reply_free(&r);

    /* Results read are counted once. */
    assert_int_equal(metric(f.port, "", "reelay_frames_total"), 42);
    assert_int_equal(metric(f.port, "", "reelay_jobs{status=\"done\"}"), 1);
    assert_int_equal(metric(f.port, "", "reelay_queue_depth"), 0);

    /* The output is served only from inside the output directory. */
    assert_int_equal(unlink(output), 0);
    assert_int_equal(symlink("/etc/passwd", output), 0);
    r = get(f.port, "/v1/jobs/job-1/output", "");
    expect_status(&r, 404, NULL);
    reply_free(&r);
    stop(&f);
}

static void test_recording_upload(void **state)
{
    (void)state;
    fixture f;
    start(&f, NULL, 0, NULL);
    size_t len = 0;
    char *recording = read_file(FIXTURE_RECORDING, &len);
    assert_non_null(recording);
    reply r = request(f.port, "POST", "/v1/jobs?fps=8&format=mp4&vfr=true",
                      "Content-Type: application/octet-stream\r\n", recording, len);
    char id[80];
    accepted_id(&r, id, sizeof id);
    reply_free(&r);
    assert_int_equal(strlen(id), 16);

    char path[512];
    snprintf(path, sizeof path, "%s/%s.rec", f.uploads, id);
    size_t stored_len = 0;
    char *stored = read_file(path, &stored_len);
    assert_non_null(stored);
    assert_int_equal(stored_len, len);
    assert_memory_equal(stored, recording, len);
    free(stored);
    assert_int_equal(count_files(f.uploads, "partial"), 0);

    reelay_err err;
    reelay_err_clear(&err);
    reelay_claim claim;
    bool got = false;
    assert_int_equal(reelay_queue_claim(f.worker, &claim, &got, &err), REELAY_OK);
    assert_true(got);
    assert_string_equal(claim.id, id);
    reelay_job job;
    assert_int_equal(reelay_job_from_json(claim.doc, "job", &job, &err), REELAY_OK);
    assert_int_equal(job.options.fps, 8);
    assert_int_equal(job.options.frame_rate, REELAY_RATE_VFR);
    assert_string_equal(job.input, path);
    char want[512];
    snprintf(want, sizeof want, "%s/%s.mp4", f.outputs, id);
    assert_string_equal(job.output, want);
    reelay_job_free(&job);
    reelay_claim_free(&claim);

    /* A chosen id, then the same id again. */
    r = request(f.port, "POST", "/v1/jobs?id=mine", "Content-Type: application/gzip\r\n", recording, len);
    accepted_id(&r, id, sizeof id);
    assert_string_equal(id, "mine");
    reply_free(&r);
    r = request(f.port, "POST", "/v1/jobs?id=mine", "", recording, len);
    expect_status(&r, 409, "mine");
    reply_free(&r);

    /* Bad options: refused before the body is stored. */
    const char *bad[][2] = {{"/v1/jobs?fps=0", "--fps"},
                            {"/v1/jobs?format=avi", "format"},
                            {"/v1/jobs?bogus=1", "unknown option"},
                            {"/v1/jobs?poster=p.png", "poster"},
                            {"/v1/jobs?id=..x", "?id="},
                            {"/v1/jobs?codec=h264", "output"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = request(f.port, "POST", bad[i][0], "", recording, len);
        expect_status(&r, 400, bad[i][1]);
        reply_free(&r);
    }
    assert_int_equal(count_files(f.uploads, "rec"), 2);
    free(recording);
    stop(&f);
}

static void test_confinement(void **state)
{
    (void)state;
    fixture f;
    start(&f, NULL, 0, "fixtures/mobile");
    const char *bad[][2] = {
        {"{\"input\":\"android-shop.blob.jsonl\",\"output\":\"../x.webm\"}", "output"},
        {"{\"input\":\"android-shop.blob.jsonl\",\"output\":\"/etc/x.webm\"}", "relative"},
        {"{\"input\":\"android-shop.blob.jsonl\",\"output\":\"a/../../x.webm\"}", "'.'"},
        {"{\"input\":\"android-shop.blob.jsonl\",\"output\":\"a//x.webm\"}", "empty"},
        {"{\"input\":\"android-shop.blob.jsonl\",\"output\":\"\"}", "output"},
        {"{\"input\":\"android-shop.blob.jsonl\",\"output\":\"a\\u0000.webm\"}", "NUL"},
        {"{\"input\":\"android-shop.blob.jsonl\",\"output\":\"uploads/x.webm\"}", "uploads"},
        {"{\"input\":\"../mobile/android-shop.blob.jsonl\",\"output\":\"x.webm\"}", "input"},
        {"{\"input\":\"/etc/passwd\",\"output\":\"x.webm\"}", "input"},
        {"{\"input\":\"missing.json\",\"output\":\"x.webm\"}", "not a file in the inputs"},
        {"{\"input\":\"android-shop.blob.jsonl\"}", "\"output\" is required"},
        {"{\"input\":\"android-shop.blob.jsonl\",\"output\":\"x.webm\",\"options\":{\"poster\":\"../p.png\"}}",
         "poster"},
        {"{\"input\":\"android-shop.blob.jsonl\",\"output\":\"x.webm\",\"options\":{\"fps\":0}}", "--fps"},
        {"{\"input\":\"android-shop.blob.jsonl\",\"output\":\"x.avi\"}", "output"},
        {"[1]", "object"},
        {"{\"input\":", "job:1"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        reply r = post_json(f.port, "/v1/jobs", "", bad[i][0]);
        expect_status(&r, 400, bad[i][1]);
        json_t *doc = body_json(&r);
        assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "error"), "code")), "usage");
        json_decref(doc);
        reply_free(&r);
    }
    /* Sidecars are confined too, and accepted inside. */
    reply r = post_json(f.port, "/v1/jobs", "",
                        "{\"id\":\"side\",\"input\":\"android-shop.blob.jsonl\",\"output\":\"s/x.webm\","
                        "\"options\":{\"poster\":\"s/x.png\"}}");
    char id[80];
    accepted_id(&r, id, sizeof id);
    reply_free(&r);
    reelay_queue_counts counts;
    reelay_err err;
    reelay_err_clear(&err);
    assert_int_equal(reelay_queue_counts_get(f.worker, &counts, &err), REELAY_OK);
    assert_int_equal(counts.queued, 1);
    reelay_claim claim;
    bool got;
    assert_int_equal(reelay_queue_claim(f.worker, &claim, &got, &err), REELAY_OK);
    char want[256];
    snprintf(want, sizeof want, "%s/s/x.png", f.outputs);
    assert_string_equal(json_string_value(json_object_get(json_object_get(claim.doc, "options"), "poster")), want);
    reelay_claim_free(&claim);
    stop(&f);

    /* Without --inputs, JSON jobs name no inputs at all. */
    start(&f, NULL, 0, NULL);
    r = post_json(f.port, "/v1/jobs", "", "{\"input\":\"android-shop.blob.jsonl\",\"output\":\"x.webm\"}");
    expect_status(&r, 400, "--inputs");
    reply_free(&r);
    stop(&f);
}

static void test_body_limit(void **state)
{
    (void)state;
    fixture f;
    start(&f, NULL, 1024, NULL);
    char body[2048];
    memset(body, '{', sizeof body);
    /* Declared too large: refused at the headers, before any body. */
    reply r = request(f.port, "POST", "/v1/jobs?id=big", "Expect: 100-continue\r\n", NULL, sizeof body);
    expect_status(&r, 413, "limit");
    reply_free(&r);
    r = request(f.port, "POST", "/v1/jobs?id=big", "", body, sizeof body);
    assert_true(r.status == 413 || r.status == 0); /* 0: the reset beat the reply to the socket */
    reply_free(&r);
    /* Chunked past the limit: the connection ends, nothing is kept. */
    char chunked[4096];
    int n = snprintf(chunked, sizeof chunked, "%x\r\n", (unsigned)sizeof body);
    memcpy(chunked + n, body, sizeof body);
    n += (int)sizeof body;
    n += snprintf(chunked + n, sizeof chunked - (size_t)n, "\r\n0\r\n\r\n");
    r = request_raw(f.port, "POST", "/v1/jobs?id=big", "Transfer-Encoding: chunked\r\n", chunked, (size_t)n, false);
    assert_int_equal(r.status, 0);
    reply_free(&r);
    r = get(f.port, "/v1/jobs/big", "");
    expect_status(&r, 404, NULL);
    reply_free(&r);
    assert_int_equal(count_files(f.uploads, "big"), 0);
    /* Within the limit. */
    r = request(f.port, "POST", "/v1/jobs?id=small", "", body, 1000);
    expect_status(&r, 202, NULL);
    reply_free(&r);
    stop(&f);

    /* Job documents are held in memory: at most REELAY_JOB_MAX_BYTES. */
    start(&f, NULL, 0, NULL);
    size_t big = REELAY_JOB_MAX_BYTES + 10;
    char *doc = malloc(big + 1);
    memset(doc, ' ', big);
    doc[big] = '\0';
    doc[0] = '{';
    doc[big - 1] = '}';
    r = post_json(f.port, "/v1/jobs", "", doc);
    expect_status(&r, 413, "job document");
    reply_free(&r);
    free(doc);
    stop(&f);
}

static void test_auth(void **state)
{
    (void)state;
    fixture f;
    start(&f, "s3cret-token", 0, "fixtures/mobile");
    reply r = get(f.port, "/healthz", "");
    assert_int_equal(r.status, 200);
    reply_free(&r);
    const char *wrong[] = {"", "Authorization: Bearer nope\r\n", "Authorization: Bearer s3cret-toke\r\n",
                           "Authorization: Bearer s3cret-tokenX\r\n", "Authorization: Basic s3cret-token\r\n",
                           "Authorization: Bearer \r\n"};
    for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
        r = get(f.port, "/metrics", wrong[i]);
        expect_status(&r, 401, "Bearer");
        expect_header(&r, "WWW-Authenticate", "Bearer realm=\"reelay\"");
        reply_free(&r);
    }
    const char *job = "{\"input\":\"android-shop.blob.jsonl\",\"output\":\"x.webm\"}";
    r = post_json(f.port, "/v1/jobs", "", job);
    expect_status(&r, 401, NULL);
    reply_free(&r);
    r = post_json(f.port, "/v1/jobs", "Authorization: Bearer wrong-token!\r\n", job);
    expect_status(&r, 401, NULL);
    reply_free(&r);
    r = post_json(f.port, "/v1/jobs", "Authorization: Bearer s3cret-token\r\n", job);
    char id[80];
    accepted_id(&r, id, sizeof id);
    reply_free(&r);
    char path[128];
    snprintf(path, sizeof path, "/v1/jobs/%s", id);
    r = get(f.port, path, "authorization: bearer s3cret-token\r\n");
    assert_int_equal(r.status, 200);
    reply_free(&r);
    r = get(f.port, "/nowhere", "");
    expect_status(&r, 401, NULL);
    reply_free(&r);
    const char *right = "Authorization: Bearer s3cret-token\r\n";
    assert_int_equal(metric(f.port, right, "reelay_http_requests_total{code=\"401\"}"), 9);
    stop(&f);
}

static void test_metrics(void **state)
{
    (void)state;
    fixture f;
    start(&f, NULL, 0, "fixtures/mobile");
    for (int i = 0; i < 3; i++) {
        char doc[256];
        snprintf(doc, sizeof doc, "{\"id\":\"m%d\",\"input\":\"android-shop.blob.jsonl\",\"output\":\"m%d.webm\"}",
                 i, i);
        reply r = post_json(f.port, "/v1/jobs", "", doc);
        expect_status(&r, 202, NULL);
        reply_free(&r);
    }
    reply r = get(f.port, "/metrics", "");
    assert_int_equal(r.status, 200);
    expect_header(&r, "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    assert_non_null(strstr(r.body, "# TYPE reelay_jobs gauge\n"));
    assert_non_null(strstr(r.body, "\nreelay_jobs{status=\"queued\"} 3\n"));
    assert_non_null(strstr(r.body, "\nreelay_jobs{status=\"running\"} 0\n"));
    assert_non_null(strstr(r.body, "\nreelay_queue_depth 3\n"));
    assert_non_null(strstr(r.body, "\nreelay_http_requests_total{code=\"202\"} 3\n"));
    assert_non_null(strstr(r.body, "# TYPE reelay_render_seconds_total counter\n"));
    reply_free(&r);
    stop(&f);
}

/* Stopping with an upload half sent: the partial file goes, nothing leaks. */
static void test_stop_mid_upload(void **state)
{
    (void)state;
    fixture f;
    start(&f, NULL, 0, NULL);
    int fd = connect_to(f.port);
    const char *head = "POST /v1/jobs?id=half HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n";
    send_all(fd, head, strlen(head));
    char part[5000];
    memset(part, 'x', sizeof part);
    send_all(fd, part, sizeof part);
    /* Until the server has the partial file. */
    for (int i = 0; i < 200 && count_files(f.uploads, "partial") < 1; i++) {
        struct timespec pause = {0, 10 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    assert_int_equal(count_files(f.uploads, "partial"), 1);
    reelay_server_stop(f.server);
    f.server = NULL;
    close(fd);
    assert_int_equal(count_files(f.uploads, "half"), 0);
    stop(&f);
}

static void test_parse_listen(void **state)
{
    (void)state;
    char host[64];
    int port;
    reelay_err err;
    reelay_err_clear(&err);
    assert_int_equal(reelay_server_parse_listen("127.0.0.1:8080", host, sizeof host, &port, &err), REELAY_OK);
    assert_string_equal(host, "127.0.0.1");
    assert_int_equal(port, 8080);
    assert_int_equal(reelay_server_parse_listen("[::1]:0", host, sizeof host, &port, &err), REELAY_OK);
    assert_string_equal(host, "::1");
    assert_int_equal(port, 0);
    assert_int_equal(reelay_server_parse_listen(":9000", host, sizeof host, &port, &err), REELAY_OK);
    assert_string_equal(host, "");
    const char *bad[] = {"8080", "host:", "host:70000", "::1:80", "[::1]80", "a:b"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(reelay_server_parse_listen(bad[i], host, sizeof host, &port, &err), REELAY_E_USAGE);
}

/* ---- outputs: one owner each, existing files kept, parents confined ---- */

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

/* POSTs a JSON job and checks the status and message fragment. */
static void post_expect(const fixture *f, const char *doc, int status, const char *fragment)
{
    reply r = post_json(f->port, "/v1/jobs", "", doc);
    expect_status(&r, status, fragment);
    reply_free(&r);
}

static void upload_expect(const fixture *f, const char *path, int status, const char *fragment)
{
    reply r = request(f->port, "POST", path, "Content-Type: application/octet-stream\r\n", "[]", 2);
    expect_status(&r, status, fragment);
    reply_free(&r);
}

#define JOB(fields) "{\"input\":\"android-shop.blob.jsonl\"," fields "}"

static void test_output_owners(void **state)
{
    (void)state;
    fixture f;
    start(&f, NULL, 0, "fixtures/mobile");
    /* Two jobs naming one output, or one sidecar: the second is refused
     * with the queue's own message. */
    post_expect(&f, JOB("\"id\":\"a\",\"output\":\"same.webm\""), 202, NULL);
    post_expect(&f, JOB("\"id\":\"b\",\"output\":\"same.webm\""), 409, "output same.webm belongs to job a");
    post_expect(&f, JOB("\"id\":\"c\",\"output\":\"c.webm\",\"options\":{\"poster\":\"shared.png\"}"), 202, NULL);
    post_expect(&f, JOB("\"id\":\"d\",\"output\":\"d.webm\",\"options\":{\"poster\":\"shared.png\"}"), 409,
                "shared.png belongs to job c");
    /* An upload's output is owned like any other. */
    upload_expect(&f, "/v1/jobs?id=up", 202, NULL);
    post_expect(&f, JOB("\"id\":\"e\",\"output\":\"up.webm\""), 409, "output up.webm belongs to job up");
    /* The id case is still the id's. */
    post_expect(&f, JOB("\"id\":\"a\",\"output\":\"other.webm\""), 409, "job a exists already");
    assert_int_equal(count_files(f.uploads, "rec"), 1);
    stop(&f);
}

static void test_output_exists(void **state)
{
    (void)state;
    fixture f;
    start(&f, NULL, 0, "fixtures/mobile");
    write_file(f.outputs, "old.webm", "old");
    write_file(f.outputs, "old.png", "old");
    post_expect(&f, JOB("\"id\":\"g\",\"output\":\"old.webm\""), 409,
                "output old.webm exists already (set \"overwrite\": true to replace it)");
    post_expect(&f, JOB("\"id\":\"h\",\"output\":\"h.webm\",\"options\":{\"poster\":\"old.png\"}"), 409,
                "output old.png exists already");
    post_expect(&f, JOB("\"id\":\"g\",\"output\":\"old.webm\",\"overwrite\":true"), 202, NULL);
    post_expect(&f, JOB("\"id\":\"g2\",\"output\":\"g2.webm\",\"overwrite\":\"yes\""), 400, "overwrite");
    char dir[256];
    snprintf(dir, sizeof dir, "%s/dir.webm", f.outputs);
    assert_int_equal(mkdir(dir, 0777), 0);
    post_expect(&f, JOB("\"id\":\"i\",\"output\":\"dir.webm\",\"overwrite\":true"), 409, "is a directory");

    /* Uploads say it as a query parameter. */
    write_file(f.outputs, "up2.webm", "old");
    upload_expect(&f, "/v1/jobs?id=up2", 409, "output up2.webm exists already (add ?overwrite=true");
    upload_expect(&f, "/v1/jobs?id=up2&overwrite=maybe", 400, "?overwrite=");
    upload_expect(&f, "/v1/jobs?id=up2&overwrite=true", 202, NULL);
    assert_int_equal(count_files(f.uploads, "up2"), 1);

    /* The output root is the server's to set: in every job it builds,
     * never from a client. */
    post_expect(&f, JOB("\"id\":\"j\",\"output\":\"j.webm\",\"output_root\":\"/tmp\""), 400, "output_root");
    reelay_err err;
    reelay_err_clear(&err);
    for (int i = 0; i < 2; i++) {
        reelay_claim claim;
        bool got = false;
        assert_int_equal(reelay_queue_claim(f.worker, &claim, &got, &err), REELAY_OK);
        assert_true(got);
        assert_string_equal(json_string_value(json_object_get(claim.doc, "output_root")),
                            reelay_server_output_dir(f.server));
        assert_true(json_is_true(json_object_get(claim.doc, "overwrite")));
        reelay_claim_free(&claim);
    }
    stop(&f);
}

/* A directory inside the output directory that is a symlink out of it
 * (or into the uploads, or dangling) cannot hold outputs. */
static void test_output_symlinks(void **state)
{
    (void)state;
    fixture f;
    start(&f, NULL, 0, "fixtures/mobile");
    char outside[128], link[256], target[256];
    snprintf(outside, sizeof outside, "%s/outside", f.dir);
    assert_int_equal(mkdir(outside, 0777), 0);
    snprintf(link, sizeof link, "%s/link", f.outputs);
    assert_int_equal(symlink(outside, link), 0);
    snprintf(link, sizeof link, "%s/dangle", f.outputs);
    assert_int_equal(symlink("/nonexistent-reelay-dir", link), 0);
    snprintf(link, sizeof link, "%s/up", f.outputs);
    assert_int_equal(symlink(f.uploads, link), 0);
    snprintf(target, sizeof target, "%s/sub", f.outputs);
    assert_int_equal(mkdir(target, 0777), 0);
    snprintf(link, sizeof link, "%s/alias", f.outputs);
    assert_int_equal(symlink("sub", link), 0);
    write_file(f.outputs, "file", "x");

    post_expect(&f, JOB("\"output\":\"link/x.webm\""), 400, "output link/x.webm: its directory link leads out");
    post_expect(&f, JOB("\"output\":\"link/deeper/x.webm\""), 400, "leads out of the output directory");
    post_expect(&f, JOB("\"output\":\"x.webm\",\"options\":{\"poster\":\"link/p.png\"}"), 400, "link/p.png");
    post_expect(&f, JOB("\"output\":\"dangle/x.webm\""), 400, "leads out of the output directory");
    post_expect(&f, JOB("\"output\":\"up/x.webm\""), 400, "leads out of the output directory");
    post_expect(&f, JOB("\"output\":\"file/x.webm\""), 400, "file is not a directory");
    post_expect(&f, JOB("\"output\":\"alias/new/x.webm\""), 202, NULL);
    assert_int_equal(count_files(outside, ""), 0);
    stop(&f);
}

/* ---- ceilings ----------------------------------------------------------- */

static void test_ceilings(void **state)
{
    (void)state;
    reelay_job_ceilings ceilings = reelay_job_ceilings_default();
    reelay_err err;
    reelay_err_clear(&err);
    assert_int_equal(reelay_job_ceiling_set(&ceilings, "--max-fps", "30", &err), REELAY_OK);
    assert_int_equal(reelay_job_ceiling_set(&ceilings, "--max-duration", "1:00:00", &err), REELAY_OK);
    fixture f;
    start_with(&f, (reelay_server_options){.inputs_dir = "fixtures/mobile", .ceilings = &ceilings});
    post_expect(&f, JOB("\"output\":\"a.webm\",\"options\":{\"fps\":60}"), 400, "ceiling");
    post_expect(&f, JOB("\"output\":\"a.webm\",\"options\":{\"max_duration\":\"2:00:00\"}"), 400, "max_duration");
    post_expect(&f, JOB("\"output\":\"a.webm\",\"options\":{\"fps\":30,\"max_duration\":\"0:30:00\"}"), 202, NULL);
    upload_expect(&f, "/v1/jobs?fps=48", 400, "ceiling");
    upload_expect(&f, "/v1/jobs?max_duration=48:00:00", 400, "max_duration");
    upload_expect(&f, "/v1/jobs?fps=24", 202, NULL);
    assert_int_equal(count_files(f.uploads, "rec"), 1);
    stop(&f);

    /* Without flags, the defaults hold what the issue found lifted. */
    start(&f, NULL, 0, "fixtures/mobile");
    const char *lifted[] = {
        JOB("\"output\":\"a.webm\",\"options\":{\"fps\":240}"),
        JOB("\"output\":\"a.webm\",\"options\":{\"max_output_dim\":16384,\"size\":\"16384x16384\"}"),
        JOB("\"output\":\"a.webm\",\"options\":{\"max_duration\":\"100:00:00\"}"),
        JOB("\"output\":\"a.webm\",\"options\":{\"max_frames\":\"100M\"}"),
        JOB("\"output\":\"a.webm\",\"options\":{\"max_input_bytes\":\"8G\"}"),
        JOB("\"output\":\"a.webm\",\"options\":{\"max_image_pixels\":\"1G\"}"),
        JOB("\"output\":\"a.webm\",\"options\":{\"max_viewport\":32769}"),
    };
    for (size_t i = 0; i < sizeof lifted / sizeof lifted[0]; i++) post_expect(&f, lifted[i], 400, NULL);
    post_expect(&f, JOB("\"output\":\"a.webm\",\"options\":{\"fps\":60,\"max_frames\":1000}"), 202, NULL);
    stop(&f);
}

/* ---- slow clients ------------------------------------------------------- */

/* True when the server ends the connection (EOF or reset) within seconds;
 * anything it sends first is read and dropped. */
static bool closed_within(int fd, double seconds)
{
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &t);
        double left = seconds - ((double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) / 1e9);
        if (left <= 0) return false;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, (int)(left * 1000) + 1) <= 0) continue;
        char buf[512];
        ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return true;
    }
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void test_slow_clients(void **state)
{
    (void)state;
    fixture f;
    start_with(&f, (reelay_server_options){.max_connections_per_client = 2, .header_timeout_s = 1});
    assert_int_equal(reelay_server_max_connections_per_client(f.server), 2);
    /* Two connections from one address are held; a third is refused at
     * once, and another address is served meanwhile. */
    int a = connect_from(f.port, "127.0.0.1"), b = connect_from(f.port, "127.0.0.1");
    struct timespec pause = {0, 100 * 1000 * 1000};
    nanosleep(&pause, NULL);
    int third = connect_from(f.port, "127.0.0.1");
    assert_true(closed_within(third, 0.5));
    close(third);
    assert_false(closed_within(a, 0.1));
    int other = connect_from(f.port, "127.0.0.2");
    const char *healthz = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    send_all(other, healthz, strlen(healthz));
    reply r = read_reply(other);
    assert_int_equal(r.status, 200);
    reply_free(&r);

    /* A head trickled a byte at a time is never idle, and is cut at the
     * header timeout all the same. */
    int slow = connect_from(f.port, "127.0.0.3");
    const char *head = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
    double started = now_s();
    bool cut = false;
    for (size_t i = 0; head[i] && !cut; i++) {
        send(slow, head + i, 1, MSG_NOSIGNAL);
        cut = closed_within(slow, 0.2);
    }
    double took = now_s() - started;
    if (!cut || took < 0.9 || took > 3) fail_msg("trickled head: cut %d after %.2f s", cut, took);
    close(slow);
    /* And the idle ones went the same way. */
    assert_true(closed_within(a, 3));
    assert_true(closed_within(b, 3));
    close(a);
    close(b);
    /* The idle ones may have met libmicrohttpd's idle timeout first; the
     * trickle only the watchdog. */
    assert_true(metric(f.port, "", "reelay_http_connections_cut_total{phase=\"head\"}") >= 1);
    stop(&f);
}

/* The connection limit fits the open-file limit: lowered by default,
 * refused when asked for beyond it. */
static void test_connection_limits(void **state)
{
    (void)state;
    struct rlimit saved;
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &saved), 0);
    struct rlimit low = {.rlim_cur = 256, .rlim_max = saved.rlim_max};
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
    fixture f;
    start(&f, NULL, 0, NULL);
    assert_int_equal(reelay_server_max_connections(f.server), 96); /* (256 - 64) / 2 */
    assert_int_equal(reelay_server_max_connections_per_client(f.server), REELAY_SERVER_DEFAULT_PER_CLIENT);
    stop(&f);
    reelay_err err;
    assert_int_equal(try_start(&f, (reelay_server_options){.max_connections = 1000}, &err), REELAY_E_USAGE);
    assert_non_null(strstr(err.msg, "ulimit -n"));
    f.server = NULL;
    stop(&f);
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &saved), 0);
}

int main(void)
{
    /* Replies after an early close: a write to it must not end the test. */
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_listen),      cmocka_unit_test(test_routes),
        cmocka_unit_test(test_job_lifecycle),     cmocka_unit_test(test_recording_upload),
        cmocka_unit_test(test_confinement),       cmocka_unit_test(test_body_limit),
        cmocka_unit_test(test_auth),              cmocka_unit_test(test_metrics),
        cmocka_unit_test(test_stop_mid_upload),   cmocka_unit_test(test_output_owners),
        cmocka_unit_test(test_output_exists),     cmocka_unit_test(test_output_symlinks),
        cmocka_unit_test(test_ceilings),          cmocka_unit_test(test_slow_clients),
        cmocka_unit_test(test_connection_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
