/* The HTTP API over the queue: routing, auth, uploads, downloads, metrics.
 * libmicrohttpd calls on_request several times per request: once with the
 * headers (where everything but POST /v1/jobs is answered, and where a
 * POST is checked as far as it can be before its body is read), then once
 * per piece of body, then once more when the body is complete.
 * Around it, a watchdog thread cuts connections whose request head or body
 * comes too slowly (libmicrohttpd's own timeout is an idle timeout, which a
 * client sending one byte every few seconds never meets), and a gate in
 * front of the queue keeps a failing queue from holding every thread. */
/* realpath is XSI, beyond the project's _POSIX_C_SOURCE. */
#define _XOPEN_SOURCE 700

#include "server/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/idmap.h"
#include "core/random.h"
#include "render/options.h"
#include "source/source.h"

/* HTTP status codes counted in /metrics: 100..599. */
#define CODE_SLOTS 600
/* Client-given relative names: far below PATH_MAX once joined. */
#define NAME_MAX_LEN 1024
/* Uploads and JSON jobs are I/O bound (disk, fsync), not CPU bound, and a
 * request waiting for the queue holds its thread (and the connections that
 * thread accepted): enough threads that the rest go on meanwhile. */
#define THREADS 16
/* At most this many threads wait for the queue at once (the others answer
 * 503 busy at once), so /healthz, downloads and refusals always find a
 * thread. */
#define QUEUE_MAX_WAITERS (THREADS / 2)
/* Descriptors kept for everything but connections (the queue, logs, the
 * daemon's own), and what one connection may hold. */
#define FD_RESERVE 64
#define FDS_PER_CONNECTION 2
/* A body's pace: after a grace period it must have averaged this many
 * bytes a second (Apache's mod_reqtimeout uses 500), and it may pause
 * longer than a request head may (a phone changing networks). */
#define BODY_GRACE_S 10.0
#define MIN_BODY_RATE 1024.0
#define BODY_IDLE_TIMEOUT_S 30u
/* How often the watchdog looks at the connections. */
#define WATCH_INTERVAL_S 0.2
/* How long a request waits for another request's queue call. */
#define QUEUE_WAIT_S 1
/* Retry-After for a busy queue and for a failing one. */
#define RETRY_BUSY_S 1
#define RETRY_FAILING_S 5

/* Where a connection's current request stands, for the watchdog. */
typedef enum conn_phase {
    PHASE_HEAD,   /* waiting for a request line and headers (also between keep-alive requests) */
    PHASE_BODY,   /* the request is ours; its body (if any) is coming */
    PHASE_ANSWER, /* the request is complete: being answered */
} conn_phase;

/* One TCP connection (libmicrohttpd's socket context). */
typedef struct conn {
    struct conn *prev, *next;
    int fd;
    conn_phase phase;
    double since;        /* when the phase began (monotonic seconds) */
    uint64_t body_bytes; /* PHASE_BODY: received so far */
    bool cut;            /* shut down by the watchdog */
} conn;

struct reelay_server {
    struct MHD_Daemon *daemon;
    reelay_queue *queue;
    char *output_root, *upload_root, *inputs_root; /* absolute, symlinks resolved */
    const char *upload_rel; /* upload_root inside output_root ("uploads"), or NULL */
    char *token;
    size_t token_len;
    uint64_t body_limit;
    reelay_job_ceilings ceilings;
    double header_timeout_s;
    unsigned max_connections, per_client;
    int port;
    char address[INET6_ADDRSTRLEN + 16];
    void (*log)(void *context, const char *line);
    void *log_context;
    pthread_mutex_t queue_lock; /* held through every call on queue */
    /* The queue's breaker (never held through a call): after a call found
     * the queue unreachable or unwritable, requests that were waiting then
     * get that answer at once, and later ones try it one at a time. */
    pthread_mutex_t gate_lock;
    bool queue_failing, queue_probing;
    double queue_failed_at;
    double queue_held_since; /* when the current call took queue_lock; 0 = free */
    int queue_waiters;       /* requests waiting for queue_lock */
    char queue_failure[sizeof ((reelay_err *)0)->msg];
    /* The watchdog: its thread, the open connections, and what it cut. */
    pthread_mutex_t conns_lock;
    pthread_cond_t watch_wake;
    pthread_t watchdog;
    bool watching, watch_stop;
    conn *conns;
    long cut_head, cut_body;
    pthread_mutex_t stats_lock; /* the counters below, and log calls */
    long responses[CODE_SLOTS];
    reelay_idmap observed; /* hashes of the ids whose results are counted below */
    long observed_done, observed_failed;
    double render_seconds;
    long long frames;
};

typedef enum body_kind { BODY_NONE, BODY_JOB, BODY_RECORDING } body_kind;

/* One request's state between the calls of on_request. */
typedef struct request {
    body_kind kind;
    double began;       /* when its connection started waiting for it (monotonic) */
    int retry_after;    /* seconds, for a 503 from the queue gate */
    uint64_t received, limit;
    reelay_buf json;    /* BODY_JOB: the document */
    int fd;             /* BODY_RECORDING: the partial upload, or -1 */
    char *partial;      /* its path (removed unless renamed) */
    char *final;        /* upload_root/ID.rec */
    json_t *doc;        /* BODY_RECORDING: the job, checked before the body came */
    char id[REELAY_JOB_ID_MAX + 1];
    bool write_failed;  /* the rest of the body is dropped, then a 500 */
    char write_error[256];
} request;

/* ---- small helpers ------------------------------------------------------ */

static void log_line(reelay_server *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void log_line(reelay_server *s, const char *fmt, ...)
{
    if (!s->log) return;
    char line[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&s->stats_lock);
    s->log(s->log_context, line);
    pthread_mutex_unlock(&s->stats_lock);
}

static bool ends_with(const char *text, const char *suffix)
{
    size_t n = strlen(text), m = strlen(suffix);
    return n >= m && strcmp(text + n - m, suffix) == 0;
}

/* dir + "/" + name, or NULL when out of memory. */
static char *join(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    char *path = malloc(a + b + 2);
    if (!path) return NULL;
    memcpy(path, dir, a);
    path[a] = '/';
    memcpy(path + a + 1, name, b + 1);
    return path;
}

/* True when path is root itself or below it (both absolute, resolved). */
static bool inside(const char *root, const char *path)
{
    size_t n = strlen(root);
    if (strncmp(root, path, n) != 0) return false;
    return path[n] == '/' || (path[n] == '\0') || (n == 1 && root[0] == '/');
}

/* mkdir -p. */
static int make_dirs(const char *path, reelay_err *err)
{
    char *copy = strdup(path);
    if (!copy) return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    int rc = REELAY_OK;
    for (char *p = copy + 1;; p++) {
        if (*p != '/' && *p != '\0') continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(copy, 0777) != 0 && errno != EEXIST) {
            rc = reelay_err_set(err, REELAY_E_IO, "%s: cannot create the directory: %s", copy, strerror(errno));
            break;
        }
        *p = saved;
        if (saved == '\0') break;
    }
    free(copy);
    return rc;
}

/* An existing directory's absolute, resolved path (malloc'd); writable
 * too when `writable`. */
static int resolve_dir(const char *path, const char *what, bool writable, char **out, reelay_err *err)
{
    *out = realpath(path, NULL);
    if (!*out) return reelay_err_set(err, REELAY_E_IO, "%s %s: %s", what, path, strerror(errno));
    struct stat st;
    int rc = REELAY_OK;
    if (stat(*out, &st) != 0 || !S_ISDIR(st.st_mode))
        rc = reelay_err_set(err, REELAY_E_IO, "%s %s: not a directory", what, path);
    else if (writable && access(*out, W_OK | X_OK) != 0)
        rc = reelay_err_set(err, REELAY_E_IO, "%s %s: not writable: %s", what, path, strerror(errno));
    if (rc != REELAY_OK) {
        free(*out);
        *out = NULL;
    }
    return rc;
}

/* ---- paths from clients ------------------------------------------------- */

/* A client's name for a file inside one of our directories: relative, no
 * empty segments, no segment starting with '.' (so no "." or ".." and no
 * hidden or ".partial"-looking names), and not inside the uploads. Returns
 * NULL when fine, else why not. */
static const char *bad_name(const reelay_server *s, const char *name, size_t len, bool under_output)
{
    if (len == 0) return "is empty";
    if (strlen(name) != len) return "contains a NUL character";
    if (len > NAME_MAX_LEN) return "is too long";
    if (name[0] == '/') return "must be a relative name (no leading '/')";
    for (const char *seg = name; *seg;) {
        const char *end = strchr(seg, '/');
        size_t n = end ? (size_t)(end - seg) : strlen(seg);
        if (n == 0) return "has an empty path segment ('//' or a trailing '/')";
        if (seg[0] == '.') return "has a segment starting with '.' ('..' and hidden names are refused)";
        if (!end) break;
        seg = end + 1;
        if (!*seg) return "has an empty path segment ('//' or a trailing '/')";
    }
    if (under_output && s->upload_rel) {
        size_t n = strlen(s->upload_rel);
        if (strncmp(name, s->upload_rel, n) == 0 && (name[n] == '/' || name[n] == '\0'))
            return "points into the uploads directory";
    }
    return NULL;
}

/* ---- slow clients ------------------------------------------------------- */

/* libmicrohttpd tells us of each connection as it starts and ends; the
 * watchdog keeps them in a list with the phase of their current request. */
static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    reelay_server *s = cls;
    conn *k = *socket_context;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        k = info ? calloc(1, sizeof *k) : NULL;
        if (!k) {
            /* A connection nobody watches could be held forever. */
            if (info) shutdown(info->connect_fd, SHUT_RDWR);
            return;
        }
        k->fd = info->connect_fd;
        k->phase = PHASE_HEAD;
        k->since = reelay_monotonic_s();
        pthread_mutex_lock(&s->conns_lock);
        k->next = s->conns;
        if (s->conns) s->conns->prev = k;
        s->conns = k;
        pthread_mutex_unlock(&s->conns_lock);
        *socket_context = k;
        return;
    }
    if (!k) return;
    /* The socket is closed only after this returns: once k is out of the
     * list under the lock, the watchdog cannot shut down a reused fd. */
    pthread_mutex_lock(&s->conns_lock);
    if (k->prev) k->prev->next = k->next;
    else s->conns = k->next;
    if (k->next) k->next->prev = k->prev;
    pthread_mutex_unlock(&s->conns_lock);
    free(k);
    *socket_context = NULL;
}

static conn *conn_of(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info ? info->socket_context : NULL;
}

static void conn_set_phase(reelay_server *s, struct MHD_Connection *c, conn_phase phase)
{
    conn *k = conn_of(c);
    if (!k) return;
    pthread_mutex_lock(&s->conns_lock);
    k->phase = phase;
    k->since = reelay_monotonic_s();
    k->body_bytes = 0;
    pthread_mutex_unlock(&s->conns_lock);
}

/* A request's head is complete: its body phase starts. *began: when the
 * connection started waiting for this request. Returns how long the head
 * took, which the watchdog may not have seen pass the limit yet. */
static double conn_request_began(reelay_server *s, struct MHD_Connection *c, double *began)
{
    double now = reelay_monotonic_s();
    *began = now;
    conn *k = conn_of(c);
    if (!k) return 0;
    pthread_mutex_lock(&s->conns_lock);
    if (k->phase == PHASE_HEAD) *began = k->since;
    k->phase = PHASE_BODY;
    k->since = now;
    k->body_bytes = 0;
    pthread_mutex_unlock(&s->conns_lock);
    return now - *began;
}

static void conn_add_body(reelay_server *s, struct MHD_Connection *c, size_t n)
{
    conn *k = conn_of(c);
    if (!k) return;
    pthread_mutex_lock(&s->conns_lock);
    k->body_bytes += n;
    pthread_mutex_unlock(&s->conns_lock);
}

/* True when k's request has been too slow: a head past the timeout, or a
 * body below the minimum rate after its grace period. */
static bool too_slow(const reelay_server *s, const conn *k, double now)
{
    double elapsed = now - k->since;
    if (k->phase == PHASE_HEAD) return elapsed > s->header_timeout_s;
    if (k->phase == PHASE_BODY) return elapsed > BODY_GRACE_S + (double)k->body_bytes / MIN_BODY_RATE;
    return false;
}

/* Shuts the slow connections down; libmicrohttpd's thread then sees the
 * end of the stream and closes them as if the client had. Under
 * conns_lock. */
static void cut_slow(reelay_server *s, double now)
{
    for (conn *k = s->conns; k; k = k->next) {
        if (k->cut || !too_slow(s, k, now)) continue;
        shutdown(k->fd, SHUT_RDWR);
        k->cut = true;
        if (k->phase == PHASE_HEAD) s->cut_head++;
        else s->cut_body++;
    }
}

static void *watchdog_main(void *arg)
{
    reelay_server *s = arg;
    pthread_mutex_lock(&s->conns_lock);
    while (!s->watch_stop) {
        cut_slow(s, reelay_monotonic_s());
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        long ns = until.tv_nsec + (long)(WATCH_INTERVAL_S * 1e9);
        until.tv_sec += ns / 1000000000L;
        until.tv_nsec = ns % 1000000000L;
        pthread_cond_timedwait(&s->watch_wake, &s->conns_lock, &until);
    }
    pthread_mutex_unlock(&s->conns_lock);
    return NULL;
}

static int watchdog_start(reelay_server *s, reelay_err *err)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    int e = pthread_cond_init(&s->watch_wake, &attr);
    pthread_condattr_destroy(&attr);
    if (e == 0 && (e = pthread_create(&s->watchdog, NULL, watchdog_main, s)) != 0) pthread_cond_destroy(&s->watch_wake);
    if (e != 0) return reelay_err_set(err, REELAY_E_INTERNAL, "cannot start the connection watchdog: %s", strerror(e));
    s->watching = true;
    return REELAY_OK;
}

static void watchdog_stop(reelay_server *s)
{
    if (!s->watching) return;
    pthread_mutex_lock(&s->conns_lock);
    s->watch_stop = true;
    pthread_cond_signal(&s->watch_wake);
    pthread_mutex_unlock(&s->conns_lock);
    pthread_join(s->watchdog, NULL);
    pthread_cond_destroy(&s->watch_wake);
    s->watching = false;
}

/* ---- responses ---------------------------------------------------------- */

static void count_response(reelay_server *s, unsigned code)
{
    pthread_mutex_lock(&s->stats_lock);
    if (code < CODE_SLOTS) s->responses[code]++;
    pthread_mutex_unlock(&s->stats_lock);
}

static enum MHD_Result respond(reelay_server *s, struct MHD_Connection *c, unsigned code, struct MHD_Response *r)
{
    if (!r) return MHD_NO;
    enum MHD_Result ok = MHD_queue_response(c, code, r);
    MHD_destroy_response(r);
    if (ok == MHD_YES) count_response(s, code);
    return ok;
}

static struct MHD_Response *text_response(const char *text, size_t len, const char *type)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)text, MHD_RESPMEM_MUST_COPY);
    if (r) MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    return r;
}

/* A JSON document (reference stolen) as the body, with a final newline. */
static struct MHD_Response *json_response(json_t *doc)
{
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    if (!text) return NULL;
    size_t n = strlen(text);
    char *body = realloc(text, n + 2);
    if (!body) {
        free(text);
        return NULL;
    }
    body[n] = '\n';
    body[n + 1] = '\0';
    struct MHD_Response *r = MHD_create_response_from_buffer(n + 1, body, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(body);
        return NULL;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    return r;
}

static json_t *error_doc(const char *code, const char *message)
{
    return json_pack("{s:{s:s, s:s}}", "error", "code", code, "message", message);
}

/* An error response; a 503 says when to come back (retry_after seconds). */
static enum MHD_Result respond_message(reelay_server *s, struct MHD_Connection *c, unsigned status, const char *code,
                                       const char *message, int retry_after)
{
    if (status >= 500) log_line(s, "%u %s", status, message);
    struct MHD_Response *r = json_response(error_doc(code, message));
    if (r && status == 401) MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"reelay\"");
    if (r && status == 503) {
        char seconds[16];
        snprintf(seconds, sizeof seconds, "%d", retry_after);
        MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, seconds);
    }
    return respond(s, c, status, r);
}

static enum MHD_Result respond_error(reelay_server *s, struct MHD_Connection *c, unsigned status, const char *code,
                                     const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static enum MHD_Result respond_error(reelay_server *s, struct MHD_Connection *c, unsigned status, const char *code,
                                     const char *fmt, ...)
{
    char message[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    return respond_message(s, c, status, code, message, RETRY_FAILING_S);
}

/* A queue call that failed: a queue that cannot be reached or written
 * (Redis down or out of memory, a read-only spool directory) or is busy
 * may be back soon, 503 with Retry-After; anything else is ours, 500. */
static enum MHD_Result respond_queue_error(reelay_server *s, struct MHD_Connection *c, const request *rq, int rc,
                                           const reelay_err *err)
{
    char message[1200];
    snprintf(message, sizeof message, "queue: %s", err->msg);
    return respond_message(s, c, rc == REELAY_E_IO ? 503 : 500, reelay_job_error_name(rc), message,
                           rq->retry_after > 0 ? rq->retry_after : RETRY_FAILING_S);
}

static enum MHD_Result respond_method(reelay_server *s, struct MHD_Connection *c, const char *method,
                                      const char *allow)
{
    char message[160];
    snprintf(message, sizeof message, "%.40s is not allowed here (allowed: %s)", method, allow);
    struct MHD_Response *r = json_response(error_doc("method_not_allowed", message));
    if (r) MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
    return respond(s, c, 405, r);
}

/* ---- the queue gate ----------------------------------------------------- */

/* Refused at once: the queue is failing, and either another request is
 * trying it or this one was already waiting when it failed (that failure
 * is its answer). Under gate_lock. */
static bool gate_refuses(const reelay_server *s, const request *rq)
{
    return s->queue_failing && (s->queue_probing || rq->began <= s->queue_failed_at);
}

static int gate_refusal(reelay_server *s, request *rq, reelay_err *err)
{
    rq->retry_after = RETRY_FAILING_S;
    return reelay_err_set(err, REELAY_E_IO, "%s (%.1f s ago; not tried again for this request)", s->queue_failure,
                          reelay_monotonic_s() - s->queue_failed_at);
}

/* The realtime clock (pthread_mutex_timedlock's) `seconds` from now. */
static struct timespec realtime_after(double seconds)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    if (seconds < 0) seconds = 0;
    long ns = t.tv_nsec + (long)((seconds - (double)(long)seconds) * 1e9);
    t.tv_sec += (time_t)seconds + ns / 1000000000L;
    t.tv_nsec = ns % 1000000000L;
    return t;
}

/* Takes the queue for one request's calls. REELAY_OK with queue_lock held
 * (queue_leave releases it); REELAY_E_IO at once when the gate refuses.
 * Nobody waits for a call that has lasted QUEUE_WAIT_S: a slow queue
 * answers 503 (busy) instead of making every request wait in line, each
 * holding a thread. *probe: this request is the one trying a failing
 * queue. */
static int queue_enter(reelay_server *s, request *rq, bool *probe, reelay_err *err)
{
    *probe = false;
    double now = reelay_monotonic_s();
    pthread_mutex_lock(&s->gate_lock);
    bool refused = gate_refuses(s, rq);
    bool crowded = !refused && s->queue_waiters >= QUEUE_MAX_WAITERS;
    if (refused) gate_refusal(s, rq, err);
    else if (!crowded && s->queue_failing) *probe = s->queue_probing = true;
    if (!refused && !crowded) s->queue_waiters++;
    double deadline = (s->queue_held_since > 0 ? s->queue_held_since : now) + QUEUE_WAIT_S;
    pthread_mutex_unlock(&s->gate_lock);
    if (refused) return err->code;

    struct timespec until = realtime_after(deadline - now);
    bool held = !crowded && pthread_mutex_timedlock(&s->queue_lock, &until) == 0;
    pthread_mutex_lock(&s->gate_lock);
    if (!crowded) s->queue_waiters--;
    /* The call this request waited for may have failed meanwhile. */
    refused = held && !*probe && gate_refuses(s, rq);
    if (refused) gate_refusal(s, rq, err);
    if (held && !refused) s->queue_held_since = reelay_monotonic_s();
    if (!held && *probe) s->queue_probing = false;
    pthread_mutex_unlock(&s->gate_lock);
    if (refused) pthread_mutex_unlock(&s->queue_lock);
    if (held && !refused) return REELAY_OK;
    if (refused) return err->code;
    rq->retry_after = RETRY_BUSY_S;
    if (crowded) return reelay_err_set(err, REELAY_E_IO, "the queue is busy (%d requests are waiting for it)",
                                       QUEUE_MAX_WAITERS);
    return reelay_err_set(err, REELAY_E_IO, "the queue is busy (a call has taken over %d s)", QUEUE_WAIT_S);
}

/* Gives the queue back after a call that ended with rc, remembering how it
 * went: an unreachable or unwritable queue (REELAY_E_IO) trips the breaker,
 * any answer from it resets it. */
static void queue_leave(reelay_server *s, bool probe, int rc, const reelay_err *err)
{
    pthread_mutex_lock(&s->gate_lock);
    s->queue_failing = rc == REELAY_E_IO;
    if (s->queue_failing) {
        s->queue_failed_at = reelay_monotonic_s();
        snprintf(s->queue_failure, sizeof s->queue_failure, "%s", err->msg);
    }
    if (probe) s->queue_probing = false;
    s->queue_held_since = 0;
    pthread_mutex_unlock(&s->gate_lock);
    pthread_mutex_unlock(&s->queue_lock);
}

/* ---- auth --------------------------------------------------------------- */

/* Equal in time that depends only on the expected token's length: every
 * byte is compared whatever the differences, and a shorter or longer
 * candidate still walks the whole expected token. */
static bool token_equal(const char *given, size_t given_len, const char *want, size_t want_len)
{
    volatile unsigned char diff = (unsigned char)(given_len != want_len);
    for (size_t i = 0; i < want_len; i++) {
        unsigned char g = i < given_len ? (unsigned char)given[i] : 0;
        diff |= (unsigned char)(g ^ (unsigned char)want[i]);
    }
    return diff == 0;
}

static bool authorized(const reelay_server *s, struct MHD_Connection *c)
{
    if (!s->token) return true;
    const char *header = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    if (!header || strncasecmp(header, "Bearer ", 7) != 0) return false;
    const char *given = header + 7;
    while (*given == ' ') given++;
    size_t n = strlen(given);
    while (n > 0 && given[n - 1] == ' ') n--;
    return token_equal(given, n, s->token, s->token_len);
}

/* ---- metrics ------------------------------------------------------------ */

/* Counts a finished job's result once, whichever request read it first. */
static void observe_result(reelay_server *s, const char *id, reelay_job_state state, const json_t *result)
{
    if (!result || (state != REELAY_STATE_DONE && state != REELAY_STATE_FAILED)) return;
    int64_t key = (int64_t)reelay_text_hash(id);
    pthread_mutex_lock(&s->stats_lock);
    uint32_t seen;
    if (!reelay_idmap_get(&s->observed, key, &seen) && reelay_idmap_put(&s->observed, key, 1) == 0) {
        if (state == REELAY_STATE_DONE) s->observed_done++;
        else s->observed_failed++;
        s->render_seconds += json_number_value(json_object_get(result, "render_s"));
        s->frames += (long long)json_integer_value(json_object_get(result, "frames"));
    }
    pthread_mutex_unlock(&s->stats_lock);
}

static enum MHD_Result serve_metrics(reelay_server *s, struct MHD_Connection *c, request *rq)
{
    reelay_queue_counts counts;
    reelay_err err;
    reelay_err_clear(&err);
    bool probe;
    int rc = queue_enter(s, rq, &probe, &err);
    if (rc == REELAY_OK) {
        rc = reelay_queue_counts_get(s->queue, &counts, &err);
        queue_leave(s, probe, rc, &err);
    }
    if (rc != REELAY_OK) return respond_queue_error(s, c, rq, rc, &err);

    reelay_buf b;
    reelay_buf_init(&b);
    int bad = reelay_buf_printf(
        &b,
        "# HELP reelay_jobs Jobs in the queue by status (read from the queue at each scrape).\n"
        "# TYPE reelay_jobs gauge\n"
        "reelay_jobs{status=\"queued\"} %ld\nreelay_jobs{status=\"running\"} %ld\n"
        "reelay_jobs{status=\"done\"} %ld\nreelay_jobs{status=\"failed\"} %ld\n"
        "# HELP reelay_queue_depth Jobs waiting for a worker.\n"
        "# TYPE reelay_queue_depth gauge\n"
        "reelay_queue_depth %ld\n",
        counts.queued, counts.running, counts.done, counts.failed, counts.queued);
    pthread_mutex_lock(&s->stats_lock);
    bad |= reelay_buf_printf(&b, "# HELP reelay_http_requests_total HTTP responses this server process sent, by "
                                 "status code.\n# TYPE reelay_http_requests_total counter\n");
    for (int code = 100; code < CODE_SLOTS; code++)
        if (s->responses[code]) bad |= reelay_buf_printf(&b, "reelay_http_requests_total{code=\"%d\"} %ld\n", code,
                                                         s->responses[code]);
    bad |= reelay_buf_printf(
        &b,
        "# HELP reelay_results_observed_total Finished jobs whose results this server process has read (on GET "
        "/v1/jobs/ID or its output), each counted once; not every job in the queue.\n"
        "# TYPE reelay_results_observed_total counter\n"
        "reelay_results_observed_total{status=\"done\"} %ld\nreelay_results_observed_total{status=\"failed\"} %ld\n"
        "# HELP reelay_render_seconds_total Render seconds of the results counted in "
        "reelay_results_observed_total.\n"
        "# TYPE reelay_render_seconds_total counter\n"
        "reelay_render_seconds_total %.3f\n"
        "# HELP reelay_frames_total Frames of the results counted in reelay_results_observed_total.\n"
        "# TYPE reelay_frames_total counter\n"
        "reelay_frames_total %lld\n",
        s->observed_done, s->observed_failed, s->render_seconds, s->frames);
    pthread_mutex_unlock(&s->stats_lock);
    pthread_mutex_lock(&s->conns_lock);
    bad |= reelay_buf_printf(
        &b,
        "# HELP reelay_http_connections_cut_total Connections cut for a request head slower than the header "
        "timeout, or a body below the minimum rate.\n"
        "# TYPE reelay_http_connections_cut_total counter\n"
        "reelay_http_connections_cut_total{phase=\"head\"} %ld\nreelay_http_connections_cut_total{phase=\"body\"} "
        "%ld\n",
        s->cut_head, s->cut_body);
    pthread_mutex_unlock(&s->conns_lock);
    struct MHD_Response *r =
        bad ? NULL : text_response((const char *)b.data, b.len, "text/plain; version=0.0.4; charset=utf-8");
    reelay_buf_free(&b);
    if (!r) return respond_error(s, c, 500, "internal", "out of memory");
    return respond(s, c, 200, r);
}

/* ---- GET /v1/jobs/ID and /v1/jobs/ID/output ----------------------------- */

static const char *state_name(reelay_job_state state)
{
    switch (state) {
    case REELAY_STATE_QUEUED: return "queued";
    case REELAY_STATE_RUNNING: return "running";
    case REELAY_STATE_DONE: return "done";
    case REELAY_STATE_FAILED: return "failed";
    default: return "unknown";
    }
}

static json_t *links_doc(const char *id)
{
    char self[128], output[160];
    snprintf(self, sizeof self, "/v1/jobs/%s", id);
    snprintf(output, sizeof output, "/v1/jobs/%s/output", id);
    return json_pack("{s:s, s:s}", "self", self, "output", output);
}

static int job_status(reelay_server *s, request *rq, const char *id, reelay_job_state *state, json_t **result,
                      reelay_err *err)
{
    bool probe;
    int rc = queue_enter(s, rq, &probe, err);
    if (rc != REELAY_OK) return rc;
    rc = reelay_queue_status(s->queue, id, state, result, err);
    queue_leave(s, probe, rc, err);
    if (rc == REELAY_OK) observe_result(s, id, *state, result ? *result : NULL);
    return rc;
}

/* A job a request names: true with its state and result (the caller's to
 * release), or false with the response already given (the queue failed:
 * 503 or 500; no such job: 404) in *response. */
static bool find_job(reelay_server *s, struct MHD_Connection *c, request *rq, const char *id,
                     reelay_job_state *state, json_t **result, enum MHD_Result *response)
{
    reelay_err err;
    reelay_err_clear(&err);
    *result = NULL;
    int rc = job_status(s, rq, id, state, result, &err);
    if (rc != REELAY_OK) {
        *response = respond_queue_error(s, c, rq, rc, &err);
        return false;
    }
    if (*state == REELAY_STATE_UNKNOWN) {
        json_decref(*result);
        *result = NULL;
        *response = respond_error(s, c, 404, "not_found", "no job %s", id);
        return false;
    }
    return true;
}

static enum MHD_Result serve_status(reelay_server *s, struct MHD_Connection *c, request *rq, const char *id)
{
    reelay_job_state state;
    json_t *result = NULL;
    enum MHD_Result response;
    if (!find_job(s, c, rq, id, &state, &result, &response)) return response;
    json_t *doc = json_pack("{s:s, s:s, s:o, s:o}", "id", id, "status", state_name(state), "result",
                            result ? result : json_null(), "links", links_doc(id));
    struct MHD_Response *r = json_response(doc);
    if (!r) return respond_error(s, c, 500, "internal", "out of memory");
    return respond(s, c, 200, r);
}

static const char *video_type(const char *path)
{
    if (ends_with(path, ".webm")) return "video/webm";
    if (ends_with(path, ".mp4")) return "video/mp4";
    if (ends_with(path, ".mkv")) return "video/x-matroska";
    return "application/octet-stream";
}

typedef enum range_kind { RANGE_NONE, RANGE_OK, RANGE_UNSATISFIABLE } range_kind;

static bool parse_u64(const char *p, const char **end, uint64_t *out)
{
    if (*p < '0' || *p > '9') return false;
    uint64_t v = 0;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (v > (UINT64_MAX - 9) / 10) return false;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    *end = p;
    *out = v;
    return true;
}

/* One "bytes=a-b", "bytes=a-" or "bytes=-n" range against a file of `size`
 * bytes. Anything else (several ranges, other units, malformed) is ignored,
 * as RFC 9110 allows: the whole file is sent. */
static range_kind parse_range(const char *header, uint64_t size, uint64_t *first, uint64_t *last)
{
    if (!header || strncmp(header, "bytes=", 6) != 0) return RANGE_NONE;
    const char *p = header + 6, *end;
    while (*p == ' ') p++;
    uint64_t a, b = 0;
    if (*p == '-') {
        if (!parse_u64(p + 1, &end, &b)) return RANGE_NONE;
        while (*end == ' ') end++;
        if (*end) return RANGE_NONE;
        if (b == 0 || size == 0) return RANGE_UNSATISFIABLE;
        *first = b >= size ? 0 : size - b;
        *last = size - 1;
        return RANGE_OK;
    }
    if (!parse_u64(p, &end, &a) || *end != '-') return RANGE_NONE;
    p = end + 1;
    bool open_ended = *p == '\0' || *p == ' ';
    if (!open_ended) {
        if (!parse_u64(p, &end, &b)) return RANGE_NONE;
        p = end;
        if (b < a) return RANGE_NONE;
    }
    while (*p == ' ') p++;
    if (*p) return RANGE_NONE;
    if (a >= size) return RANGE_UNSATISFIABLE;
    *first = a;
    *last = open_ended || b >= size ? size - 1 : b;
    return RANGE_OK;
}

/* The result's output as a path inside our output directory: it was
 * written as OUTPUT_DIR/NAME by this server, so NAME is what follows our
 * directory; a result from a worker that sees the directory under another
 * mount keeps only the file name. */
static char *output_path_of(const reelay_server *s, const char *output)
{
    size_t n = strlen(s->output_root);
    const char *name;
    if (strncmp(output, s->output_root, n) == 0 && output[n] == '/') {
        name = output + n + 1;
    } else {
        name = strrchr(output, '/');
        name = name ? name + 1 : output;
    }
    if (bad_name(s, name, strlen(name), true)) return NULL;
    return join(s->output_root, name);
}

static enum MHD_Result serve_output(reelay_server *s, struct MHD_Connection *c, request *rq, const char *id)
{
    reelay_job_state state;
    json_t *result = NULL;
    enum MHD_Result response;
    if (!find_job(s, c, rq, id, &state, &result, &response)) return response;
    if (state != REELAY_STATE_DONE) {
        json_decref(result);
        char message[160];
        snprintf(message, sizeof message, "job %s is %s: its output exists once it is done", id, state_name(state));
        json_t *doc = error_doc("not_ready", message);
        if (doc) json_object_set_new(doc, "status", json_string(state_name(state)));
        return respond(s, c, 409, json_response(doc));
    }
    const char *output = json_string_value(json_object_get(result, "output"));
    if (output && reelay_source_is_url(output)) {
        /* the result shows it without a presigned URL's query */
        char message[1200];
        snprintf(message, sizeof message, "job %s wrote its video to %s; this server keeps no copy", id, output);
        json_t *doc = error_doc("elsewhere", message);
        if (doc) json_object_set_new(doc, "output", json_string(output));
        json_decref(result);
        return respond(s, c, 404, json_response(doc));
    }
    char *candidate = output ? output_path_of(s, output) : NULL;
    json_decref(result);
    if (!candidate)
        return respond_error(s, c, 404, "not_found", "job %s: its output is not in the output directory", id);
    /* Symlinks are followed, and the target must still be ours. */
    char *path = realpath(candidate, NULL);
    free(candidate);
    if (!path) return respond_error(s, c, 404, "not_found", "job %s: its output file is gone", id);
    int fd = -1;
    struct stat st;
    if (inside(s->output_root, path)) fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0) close(fd);
        free(path);
        return respond_error(s, c, 404, "not_found", "job %s: its output is not a file in the output directory", id);
    }
    const char *type = video_type(path);
    free(path);
    uint64_t size = (uint64_t)st.st_size, first = 0, last = size ? size - 1 : 0;
    range_kind range = parse_range(MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_RANGE), size,
                                   &first, &last);
    char content_range[96];
    if (range == RANGE_UNSATISFIABLE) {
        close(fd);
        snprintf(content_range, sizeof content_range, "bytes */%llu", (unsigned long long)size);
        struct MHD_Response *r = json_response(error_doc("range", "the range is outside the file"));
        if (r) MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_RANGE, content_range);
        return respond(s, c, 416, r);
    }
    uint64_t length = range == RANGE_OK ? last - first + 1 : size;
    /* The response owns fd from here on. */
    struct MHD_Response *r = MHD_create_response_from_fd_at_offset64(length, fd, range == RANGE_OK ? first : 0);
    if (!r) {
        close(fd);
        return respond_error(s, c, 500, "internal", "out of memory");
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(r, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
    if (range == RANGE_OK) {
        snprintf(content_range, sizeof content_range, "bytes %llu-%llu/%llu", (unsigned long long)first,
                 (unsigned long long)last, (unsigned long long)size);
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_RANGE, content_range);
    }
    return respond(s, c, range == RANGE_OK ? 206 : 200, r);
}

/* ---- POST /v1/jobs ------------------------------------------------------ */

/* Options that name files (the sidecars) become paths in the output
 * directory, like the output. */
static int confine_options(const reelay_server *s, json_t *options, reelay_err *err)
{
    if (!json_is_object(options)) return REELAY_OK; /* validation names the problem */
    const char *key;
    json_t *value;
    json_object_foreach(options, key, value) {
        char name[64];
        if (!reelay_render_option_name(key, name, sizeof name) || !reelay_render_option_is_sidecar(name) ||
            !json_is_string(value) || reelay_source_is_url(json_string_value(value)))
            continue; /* a URL is held to --allow-url by admit_job */
        const char *why = bad_name(s, json_string_value(value), json_string_length(value), true);
        if (why)
            return reelay_err_set(err, REELAY_E_USAGE, "options.%s %s: it names a file in the output directory",
                                  key, why);
        char *path = join(s->output_root, json_string_value(value));
        if (!path || json_object_set_new(options, key, json_string(path)) != 0) {
            free(path);
            return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
        }
        free(path);
    }
    return REELAY_OK;
}

/* Sets doc[key] to a string (a new copy). */
static int set_string(json_t *doc, const char *key, const char *value, reelay_err *err)
{
    if (json_object_set_new(doc, key, json_string(value)) != 0)
        return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    return REELAY_OK;
}

static int set_path(json_t *doc, const char *key, const char *dir, const char *name, reelay_err *err)
{
    char *path = join(dir, name);
    if (!path) return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    int rc = set_string(doc, key, path, err);
    free(path);
    return rc;
}

/* The name inside the output directory of one of our output paths. */
static const char *output_name(const reelay_server *s, const char *path)
{
    size_t n = strlen(s->output_root);
    return strncmp(path, s->output_root, n) == 0 && path[n] == '/' ? path + n + 1 : path;
}

/* The deepest part of path's directory that exists (lstat: a dangling
 * symlink exists too), malloc'd; NULL when out of memory. */
static char *existing_parent(const char *path)
{
    char *dir = strdup(path);
    if (!dir) return NULL;
    struct stat st;
    for (char *slash = strrchr(dir, '/'); slash && slash != dir; slash = strrchr(dir, '/')) {
        *slash = '\0';
        if (lstat(dir, &st) == 0) return dir;
    }
    strcpy(dir, "/");
    return dir;
}

/* One file a job will write: its existing parent must resolve (symlinks
 * followed) to a directory inside the output directory and outside the
 * uploads (400), and an existing file is replaced only when the job allows
 * it (409). `hint` says how to allow it. */
static int check_output(const reelay_server *s, const char *path, bool overwrite, const char *hint, unsigned *status,
                        reelay_err *err)
{
    const char *name = output_name(s, path);
    char *parent = existing_parent(path);
    char *resolved = parent ? realpath(parent, NULL) : NULL;
    struct stat st;
    int rc = REELAY_OK;
    if (!parent) {
        rc = reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    } else if (!resolved || !inside(s->output_root, resolved) || (s->upload_rel && inside(s->upload_root, resolved))) {
        rc = reelay_err_set(err, REELAY_E_USAGE, "output %s: its directory %s leads out of the output directory", name,
                            output_name(s, parent));
    } else if (stat(resolved, &st) != 0 || !S_ISDIR(st.st_mode)) {
        rc = reelay_err_set(err, REELAY_E_USAGE, "output %s: %s is not a directory", name, output_name(s, parent));
    } else if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        *status = 409;
        rc = reelay_err_set(err, REELAY_E_USAGE, "output %s is a directory", name);
    } else if (!overwrite && lstat(path, &st) == 0) {
        *status = 409;
        rc = reelay_err_set(err, REELAY_E_USAGE, "output %s exists already (%s to replace it)", name, hint);
    }
    free(parent);
    free(resolved);
    return rc;
}

/* The last steps for every job the server builds: the output root set,
 * validated as a worker would, held to the ceilings, and its files
 * checked (check_output). *status: the HTTP status of a refusal. id (if
 * not NULL) gets the job's id. */
static int admit_job(const reelay_server *s, json_t *doc, const char *hint, char *id, unsigned *status,
                     reelay_err *err)
{
    *status = 400;
    int rc = set_string(doc, "output_root", s->output_root, err);
    reelay_job job;
    bool parsed = rc == REELAY_OK && reelay_job_from_json(doc, "job", &job, err) == REELAY_OK;
    if (rc == REELAY_OK && !parsed) rc = err->code;
    if (parsed) rc = reelay_job_apply_ceilings(&job, &s->ceilings, "job", err);
    const char *paths[REELAY_JOB_MAX_OUTPUTS];
    size_t n = parsed ? reelay_job_output_paths(doc, paths) : 0;
    for (size_t i = 0; i < n && rc == REELAY_OK; i++)
        if (!reelay_source_is_url(paths[i])) rc = check_output(s, paths[i], job.overwrite, hint, status, err);
    if (rc == REELAY_OK && id) snprintf(id, REELAY_JOB_ID_MAX + 1, "%s", job.id);
    if (parsed) reelay_job_free(&job);
    if (rc != REELAY_OK && rc != REELAY_E_USAGE) *status = 500;
    return rc;
}

/* The client's job document made into ours: an id, the output and
 * sidecars inside the output directory, the input inside the inputs
 * directory; then admitted (admit_job). *status: the HTTP status of a
 * refusal. */
static int server_job(reelay_server *s, const json_t *client, const char *query_id, json_t **out, char *id,
                      unsigned *status, reelay_err *err)
{
    *out = NULL;
    *status = 400;
    if (!json_is_object(client)) return reelay_err_set(err, REELAY_E_USAGE, "job: a job must be a JSON object");
    if (json_object_get(client, "output_root"))
        return reelay_err_set(err, REELAY_E_USAGE,
                              "job: \"output_root\" is the server's to set (its output directory)");
    json_t *doc = json_deep_copy(client);
    if (!doc) {
        *status = 500;
        return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    }
    int rc = REELAY_OK;
    const json_t *given_id = json_object_get(doc, "id");
    if (given_id && query_id && json_is_string(given_id) && strcmp(json_string_value(given_id), query_id) != 0)
        rc = reelay_err_set(err, REELAY_E_USAGE, "job: \"id\" and ?id= differ");
    if (rc == REELAY_OK && !given_id) {
        char fresh[17];
        if (!query_id) rc = reelay_random_hex(fresh, 16, err);
        if (rc == REELAY_OK) rc = set_string(doc, "id", query_id ? query_id : fresh, err);
    }
    const json_t *output = json_object_get(doc, "output");
    if (rc == REELAY_OK && json_is_string(output) && !reelay_source_is_url(json_string_value(output))) {
        const char *why = bad_name(s, json_string_value(output), json_string_length(output), true);
        if (why)
            rc = reelay_err_set(err, REELAY_E_USAGE,
                                "job: \"output\" %s: it names a file in the server's output directory", why);
        else
            rc = set_path(doc, "output", s->output_root, json_string_value(output), err);
    }
    const json_t *input = json_object_get(doc, "input");
    if (rc == REELAY_OK && json_is_string(input) && reelay_source_is_url(json_string_value(input))) {
        /* a URL: held to --allow-url by admit_job */
    } else if (rc == REELAY_OK && !s->inputs_root) {
        rc = reelay_err_set(err, REELAY_E_USAGE,
                            "job: this server takes no \"input\" paths (it has no --inputs directory): POST the "
                            "recording itself as the body, with options as query parameters, or name a URL "
                            "that its --allow-url list allows");
    } else if (rc == REELAY_OK && !json_is_string(input)) {
        rc = reelay_err_set(err, REELAY_E_USAGE, "job: \"input\" is required: a name inside the inputs directory");
    } else if (rc == REELAY_OK) {
        const char *why = bad_name(s, json_string_value(input), json_string_length(input), false);
        if (why) {
            rc = reelay_err_set(err, REELAY_E_USAGE,
                                "job: \"input\" %s: it names a file in the server's inputs directory", why);
        } else {
            char *joined = join(s->inputs_root, json_string_value(input));
            char *resolved = joined ? realpath(joined, NULL) : NULL;
            if (!joined) rc = reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
            else if (!resolved || !inside(s->inputs_root, resolved))
                rc = reelay_err_set(err, REELAY_E_USAGE, "job: \"input\" %s is not a file in the inputs directory",
                                    json_string_value(input));
            else
                rc = set_string(doc, "input", resolved, err);
            free(joined);
            free(resolved);
        }
    }
    if (rc == REELAY_OK) rc = confine_options(s, json_object_get(doc, "options"), err);
    if (rc == REELAY_OK) rc = admit_job(s, doc, "set \"overwrite\": true", id, status, err);
    else if (rc != REELAY_E_USAGE) *status = 500;
    if (rc != REELAY_OK) {
        json_decref(doc);
        return rc;
    }
    *out = doc;
    return REELAY_OK;
}

typedef struct query_scan {
    const reelay_server *server;
    json_t *options;
    const char *format;
    const char *id;
    bool overwrite;
    bool only_id; /* JSON jobs carry their options in the document */
    reelay_err *err;
} query_scan;

static enum MHD_Result on_query_value(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    query_scan *q = cls;
    if (strcmp(key, "id") == 0) {
        q->id = value ? value : "";
    } else if (q->only_id) {
        reelay_err_set(q->err, REELAY_E_USAGE, "?%s: a job document carries its options inside (only ?id= here)",
                       key);
    } else if (strcmp(key, "format") == 0) {
        q->format = value ? value : "";
    } else if (strcmp(key, "overwrite") == 0) {
        /* A job field, not a render option. */
        if (!value || strcmp(value, "true") == 0 || strcmp(value, "1") == 0) q->overwrite = true;
        else if (strcmp(value, "false") == 0 || strcmp(value, "0") == 0) q->overwrite = false;
        else reelay_err_set(q->err, REELAY_E_USAGE, "bad ?overwrite=%s: expected true or false", value);
    } else if (json_object_get(q->options, key)) {
        reelay_err_set(q->err, REELAY_E_USAGE, "?%s is given twice", key);
    } else {
        char name[64];
        /* Sidecars are refused: a recording's job writes one file, named by
         * the server. */
        if (reelay_render_option_name(key, name, sizeof name) && reelay_render_option_is_sidecar(name))
            reelay_err_set(q->err, REELAY_E_USAGE, "?%s is not available for uploads: use a job document", key);
        else if (json_object_set_new(q->options, key, value ? json_string(value) : json_true()) != 0)
            reelay_err_set(q->err, REELAY_E_INTERNAL, "out of memory");
    }
    return q->err->code == REELAY_OK ? MHD_YES : MHD_NO;
}

static void request_free(request *rq)
{
    if (!rq) return;
    if (rq->fd >= 0) close(rq->fd);
    if (rq->partial) unlink(rq->partial);
    free(rq->partial);
    free(rq->final);
    json_decref(rq->doc);
    reelay_buf_free(&rq->json);
    free(rq);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode why)
{
    (void)why;
    request_free(*con_cls);
    *con_cls = NULL;
    /* A kept-alive connection waits for its next request's head. */
    conn_set_phase(cls, c, PHASE_HEAD);
}

static bool is_json_type(const char *type)
{
    if (!type) return false;
    while (*type == ' ') type++;
    size_t n = strlen("application/json");
    return strncasecmp(type, "application/json", n) == 0 && (type[n] == '\0' || type[n] == ';' || type[n] == ' ');
}

/* Known to the queue already (queued, running or finished)? Inside the
 * queue gate, with the submit that follows it. */
static int known_locked(reelay_server *s, const char *id, bool *known, reelay_err *err)
{
    reelay_job_state state;
    int rc = reelay_queue_status(s->queue, id, &state, NULL, err);
    *known = rc == REELAY_OK && state != REELAY_STATE_UNKNOWN;
    return rc;
}

/* The headers of POST /v1/jobs: everything that can be refused before the
 * body is read is refused here (a response now ends the request without
 * reading the body). */
static enum MHD_Result begin_post(reelay_server *s, struct MHD_Connection *c, request *rq)
{
    reelay_err err;
    reelay_err_clear(&err);
    bool json = is_json_type(MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE));
    rq->kind = json ? BODY_JOB : BODY_RECORDING;
    rq->limit = json && s->body_limit > REELAY_JOB_MAX_BYTES ? REELAY_JOB_MAX_BYTES : s->body_limit;
    const char *length = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    uint64_t declared;
    const char *end;
    if (length && parse_u64(length, &end, &declared) && !*end && declared > rq->limit)
        return respond_error(s, c, 413, "too_large", "the body is %llu bytes; the limit is %llu%s",
                             (unsigned long long)declared, (unsigned long long)rq->limit,
                             json ? " for a job document" : "");

    query_scan q = {.server = s, .options = json_object(), .only_id = json, .err = &err};
    if (!q.options) return respond_error(s, c, 500, "internal", "out of memory");
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, on_query_value, &q);
    if (err.code == REELAY_OK && q.id && !reelay_job_id_valid(q.id))
        reelay_err_set(&err, REELAY_E_USAGE,
                       "?id= must be 1 to %d characters of letters, digits, '.', '_' or '-', not starting with '.'",
                       REELAY_JOB_ID_MAX);
    if (err.code == REELAY_OK && q.id) snprintf(rq->id, sizeof rq->id, "%s", q.id);
    if (json || err.code != REELAY_OK) {
        json_decref(q.options);
        if (err.code != REELAY_OK)
            return respond_error(s, c, err.code == REELAY_E_USAGE ? 400 : 500, reelay_job_error_name(err.code), "%s",
                                 err.msg);
        return MHD_YES;
    }

    /* A recording: its job is complete but for the body, so it is checked
     * now. */
    const char *format = q.format ? q.format : "webm";
    if (strcmp(format, "webm") != 0 && strcmp(format, "mp4") != 0 && strcmp(format, "mkv") != 0)
        reelay_err_set(&err, REELAY_E_USAGE, "bad ?format=%s: expected webm, mp4 or mkv", format);
    if (err.code == REELAY_OK && !rq->id[0]) reelay_random_hex(rq->id, 16, &err);
    char output[REELAY_JOB_ID_MAX + 8], upload[REELAY_JOB_ID_MAX + 8];
    snprintf(output, sizeof output, "%s.%s", rq->id, format);
    snprintf(upload, sizeof upload, "%s.rec", rq->id);
    if (err.code == REELAY_OK && !(rq->final = join(s->upload_root, upload)))
        reelay_err_set(&err, REELAY_E_INTERNAL, "out of memory");
    if (err.code == REELAY_OK) {
        rq->doc = json_pack("{s:s, s:s, s:s, s:O, s:b}", "id", rq->id, "input", rq->final, "output", "", "options",
                            q.options, "overwrite", q.overwrite);
        if (!rq->doc) reelay_err_set(&err, REELAY_E_INTERNAL, "out of memory");
    }
    json_decref(q.options);
    if (err.code == REELAY_OK) set_path(rq->doc, "output", s->output_root, output, &err);
    unsigned status = err.code == REELAY_E_USAGE ? 400 : 500;
    if (err.code == REELAY_OK) admit_job(s, rq->doc, "add ?overwrite=true", NULL, &status, &err);
    if (err.code != REELAY_OK) return respond_error(s, c, status, reelay_job_error_name(err.code), "%s", err.msg);
    bool known = false, probe;
    int rc = queue_enter(s, rq, &probe, &err);
    if (rc == REELAY_OK) {
        rc = known_locked(s, rq->id, &known, &err);
        queue_leave(s, probe, rc, &err);
    }
    if (rc != REELAY_OK) return respond_queue_error(s, c, rq, rc, &err);
    if (known) return respond_error(s, c, 409, "conflict", "job %s exists already", rq->id);
    /* A pause in a long upload is not a slow client; its pace is watched
     * (MIN_BODY_RATE). */
    MHD_set_connection_option(c, MHD_CONNECTION_OPTION_TIMEOUT, BODY_IDLE_TIMEOUT_S);

    /* Streamed to a file of its own: two uploads of one id do not mix, and
     * only one of them gets to rename it into place. */
    char suffix[17];
    if (reelay_random_hex(suffix, 16, &err) == REELAY_OK) {
        size_t n = strlen(rq->final) + 32;
        rq->partial = malloc(n);
        if (rq->partial) snprintf(rq->partial, n, "%s.%s.partial", rq->final, suffix);
    }
    if (rq->partial) rq->fd = open(rq->partial, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (!rq->partial || rq->fd < 0) {
        if (err.code == REELAY_OK)
            reelay_err_set(&err, REELAY_E_IO, "%s: cannot create: %s", rq->partial ? rq->partial : "upload",
                           strerror(errno));
        free(rq->partial);
        rq->partial = NULL; /* nothing to remove */
        return respond_error(s, c, 500, reelay_job_error_name(err.code), "%s", err.msg);
    }
    return MHD_YES;
}

/* A piece of body. False ends the connection: the body grew past the
 * limit without saying so in Content-Length (chunked), and libmicrohttpd
 * cannot answer in the middle of a body — reading on to say 413 would
 * mean reading without bound. */
static bool take_body(reelay_server *s, request *rq, const char *data, size_t size)
{
    rq->received += size;
    if (rq->received > rq->limit) {
        log_line(s, "a request body passed the %llu byte limit mid-way: connection closed",
                 (unsigned long long)rq->limit);
        return false;
    }
    if (rq->kind == BODY_JOB) return reelay_buf_append(&rq->json, data, size) == 0;
    while (size > 0 && !rq->write_failed) {
        ssize_t n = write(rq->fd, data, size);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            rq->write_failed = true;
            snprintf(rq->write_error, sizeof rq->write_error, "%s: cannot write: %s", rq->partial,
                     n < 0 ? strerror(errno) : "no space");
            break;
        }
        data += n;
        size -= (size_t)n;
    }
    return true;
}

static enum MHD_Result respond_queued(reelay_server *s, struct MHD_Connection *c, const char *id)
{
    json_t *doc = json_pack("{s:s, s:s, s:o}", "id", id, "status", "queued", "links", links_doc(id));
    struct MHD_Response *r = json_response(doc);
    if (!r) return respond_error(s, c, 500, "internal", "out of memory");
    char location[128];
    snprintf(location, sizeof location, "/v1/jobs/%s", id);
    MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, location);
    return respond(s, c, 202, r);
}

/* text with the output directory's prefix taken off every path in it:
 * clients name files relative to it, and the server's layout is not
 * theirs to see. */
static void as_client_names(const reelay_server *s, const char *text, char *out, size_t size)
{
    size_t root_len = strlen(s->output_root), n = 0;
    while (*text && n + 1 < size) {
        if (strncmp(text, s->output_root, root_len) == 0 && text[root_len] == '/') {
            text += root_len + 1;
            continue;
        }
        out[n++] = *text++;
    }
    out[n] = '\0';
}

/* Checks for a duplicate and submits, inside the queue gate. 202, 409 (the
 * id, or an output another job names) or an error. */
static enum MHD_Result submit(reelay_server *s, struct MHD_Connection *c, json_t *doc, const char *id, request *rq)
{
    reelay_err err;
    reelay_err_clear(&err);
    bool known = false, taken = false, probe;
    int rc = queue_enter(s, rq, &probe, &err);
    if (rc != REELAY_OK) return respond_queue_error(s, c, rq, rc, &err);
    int queue_rc = rc = known_locked(s, id, &known, &err);
    if (rc == REELAY_OK && !known && rq->partial) {
        /* The upload takes its final name only when its job is queued: a
         * stale file of that name belongs to no job. */
        if (rename(rq->partial, rq->final) != 0)
            rc = reelay_err_set(&err, REELAY_E_IO, "%s: cannot rename: %s", rq->final, strerror(errno));
        else {
            free(rq->partial);
            rq->partial = NULL;
        }
    }
    if (rc == REELAY_OK && !known) {
        queue_rc = rc = reelay_queue_submit(s->queue, doc, &err);
        /* The job was valid, so a refusal is about what other jobs hold:
         * an output one of them names (lasting), or an id someone else
         * queued meanwhile (another server on the same queue). */
        taken = rc == REELAY_E_USAGE && (err.flags & REELAY_ERR_LASTING);
        known = rc == REELAY_E_USAGE && !taken;
        if (rc != REELAY_OK && rq->final) unlink(rq->final);
    }
    queue_leave(s, probe, queue_rc, &err);
    if (known) return respond_error(s, c, 409, "conflict", "job %s exists already", id);
    if (taken) {
        char message[sizeof err.msg];
        as_client_names(s, err.msg, message, sizeof message);
        return respond_error(s, c, 409, "conflict", "%s", message);
    }
    if (queue_rc != REELAY_OK) return respond_queue_error(s, c, rq, queue_rc, &err);
    if (rc != REELAY_OK) return respond_error(s, c, 500, reelay_job_error_name(rc), "%s", err.msg);
    return respond_queued(s, c, id);
}

static enum MHD_Result finish_post(reelay_server *s, struct MHD_Connection *c, request *rq)
{
    if (rq->received == 0)
        return respond_error(s, c, 400, "usage",
                             "the body is empty: send a recording, or a job document as application/json");
    if (rq->kind == BODY_JOB) {
        reelay_err err;
        reelay_err_clear(&err);
        json_error_t jerr;
        json_t *client = json_loadb((const char *)rq->json.data, rq->json.len, JSON_REJECT_DUPLICATES, &jerr);
        if (!client) return respond_error(s, c, 400, "usage", "job:%d:%d: %s", jerr.line, jerr.column, jerr.text);
        json_t *doc = NULL;
        char id[REELAY_JOB_ID_MAX + 1];
        unsigned status;
        int rc = server_job(s, client, rq->id[0] ? rq->id : NULL, &doc, id, &status, &err);
        json_decref(client);
        if (rc != REELAY_OK) return respond_error(s, c, status, reelay_job_error_name(rc), "%s", err.msg);
        enum MHD_Result result = submit(s, c, doc, id, rq);
        json_decref(doc);
        return result;
    }
    if (rq->write_failed) return respond_error(s, c, 500, "io", "%s", rq->write_error);
    bool synced = fsync(rq->fd) == 0;
    int saved = errno;
    if (close(rq->fd) != 0 && synced) {
        synced = false;
        saved = errno;
    }
    rq->fd = -1;
    if (!synced) return respond_error(s, c, 500, "io", "%s: cannot write: %s", rq->partial, strerror(saved));
    return submit(s, c, rq->doc, rq->id, rq);
}

/* ---- routing ------------------------------------------------------------ */

static bool is_get(const char *method)
{
    return strcmp(method, MHD_HTTP_METHOD_GET) == 0 || strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
}

/* The headers of a request: route, check, and answer all but uploads. */
static enum MHD_Result begin(reelay_server *s, struct MHD_Connection *c, const char *url, const char *method,
                             request *rq)
{
    if (strcmp(url, "/healthz") == 0) {
        if (!is_get(method)) return respond_method(s, c, method, "GET, HEAD");
        return respond(s, c, 200, text_response("ok\n", 3, "text/plain; charset=utf-8"));
    }
    if (!authorized(s, c))
        return respond_error(s, c, 401, "unauthorized", "a valid 'Authorization: Bearer TOKEN' header is required");
    if (strcmp(url, "/metrics") == 0) {
        if (!is_get(method)) return respond_method(s, c, method, "GET, HEAD");
        return serve_metrics(s, c, rq);
    }
    if (strcmp(url, "/v1/jobs") == 0) {
        if (strcmp(method, MHD_HTTP_METHOD_POST) != 0) return respond_method(s, c, method, "POST");
        return begin_post(s, c, rq);
    }
    const char *prefix = "/v1/jobs/";
    if (strncmp(url, prefix, strlen(prefix)) == 0) {
        const char *rest = url + strlen(prefix);
        const char *slash = strchr(rest, '/');
        bool output = false;
        if (slash) {
            if (strcmp(slash, "/output") != 0) return respond_error(s, c, 404, "not_found", "no such resource");
            output = true;
        }
        if (!is_get(method)) return respond_method(s, c, method, "GET, HEAD");
        char id[REELAY_JOB_ID_MAX + 2];
        size_t n = slash ? (size_t)(slash - rest) : strlen(rest);
        if (n >= sizeof id) n = sizeof id - 1; /* too long either way: invalid */
        memcpy(id, rest, n);
        id[n] = '\0';
        if (!reelay_job_id_valid(id))
            return respond_error(s, c, 400, "usage",
                                 "bad job id: 1 to %d characters of letters, digits, '.', '_' or '-', not starting "
                                 "with '.'",
                                 REELAY_JOB_ID_MAX);
        return output ? serve_output(s, c, rq, id) : serve_status(s, c, rq, id);
    }
    return respond_error(s, c, 404, "not_found", "no such resource");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)version;
    reelay_server *s = cls;
    request *rq = *con_cls;
    if (!rq) {
        rq = calloc(1, sizeof *rq);
        if (!rq) return MHD_NO;
        rq->fd = -1;
        reelay_buf_init(&rq->json);
        *con_cls = rq;
        double head_s = conn_request_began(s, c, &rq->began);
        if (head_s > s->header_timeout_s)
            return respond_error(s, c, 408, "timeout", "the request's headers took %.1f s; the limit is %.0f s",
                                 head_s, s->header_timeout_s);
        /* A POST is judged before its body is read; anything else once the
         * request is complete, because a response queued before that ends
         * the connection instead of keeping it alive. */
        if (strcmp(method, MHD_HTTP_METHOD_POST) == 0) return begin(s, c, url, method, rq);
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        conn_add_body(s, c, *upload_data_size);
        bool ok;
        if (rq->kind == BODY_NONE) { /* a body nobody asked for (GET with a body): dropped, within bounds */
            rq->received += *upload_data_size;
            ok = rq->received <= REELAY_JOB_MAX_BYTES;
        } else {
            ok = take_body(s, rq, upload_data, *upload_data_size);
        }
        *upload_data_size = 0;
        return ok ? MHD_YES : MHD_NO;
    }
    conn_set_phase(s, c, PHASE_ANSWER);
    if (rq->kind == BODY_NONE) return begin(s, c, url, method, rq);
    return finish_post(s, c, rq);
}

/* ---- start and stop ----------------------------------------------------- */

int reelay_server_parse_listen(const char *text, char *host, size_t host_size, int *port, reelay_err *err)
{
    const char *colon, *host_start = text;
    size_t host_len;
    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (!close || close[1] != ':')
            return reelay_err_set(err, REELAY_E_USAGE, "bad listen address '%s': expected [ADDR]:PORT", text);
        host_start = text + 1;
        host_len = (size_t)(close - host_start);
        colon = close + 1;
    } else {
        colon = strrchr(text, ':');
        if (!colon) return reelay_err_set(err, REELAY_E_USAGE, "bad listen address '%s': expected ADDR:PORT", text);
        host_len = (size_t)(colon - text);
        if (memchr(text, ':', host_len))
            return reelay_err_set(err, REELAY_E_USAGE, "bad listen address '%s': write IPv6 as [ADDR]:PORT", text);
    }
    char *end = NULL;
    long n = strtol(colon + 1, &end, 10);
    if (!colon[1] || *end || n < 0 || n > 65535)
        return reelay_err_set(err, REELAY_E_USAGE, "bad port in '%s': expected 0 to 65535", text);
    if (host_len >= host_size) return reelay_err_set(err, REELAY_E_USAGE, "listen address '%s' is too long", text);
    memcpy(host, host_start, host_len);
    host[host_len] = '\0';
    *port = (int)n;
    return REELAY_OK;
}

/* Binds here rather than in libmicrohttpd so that a failure has a reason. */
static int bind_listener(reelay_server *s, const char *host, int port, int *out, bool *v6, reelay_err *err)
{
    *out = -1;
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    hints.ai_family = host && host[0] ? AF_UNSPEC : AF_INET;
    char service[16];
    snprintf(service, sizeof service, "%d", port);
    struct addrinfo *list = NULL;
    int gai = getaddrinfo(host && host[0] ? host : NULL, service, &hints, &list);
    if (gai != 0)
        return reelay_err_set(err, REELAY_E_USAGE, "cannot listen on '%s': %s", host ? host : "", gai_strerror(gai));
    int saved = 0;
    for (struct addrinfo *ai = list; ai && *out < 0; ai = ai->ai_next) {
        int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            saved = errno;
            continue;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        /* A deep backlog: a burst of connections waits to be accepted
         * rather than having its SYNs dropped (a second's retry each). */
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, SOMAXCONN) != 0 ||
            fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0) {
            saved = errno;
            close(fd);
            continue;
        }
        *out = fd;
        *v6 = ai->ai_family == AF_INET6;
    }
    freeaddrinfo(list);
    if (*out < 0)
        return reelay_err_set(err, REELAY_E_IO, "cannot listen on %s:%d: %s", host && host[0] ? host : "0.0.0.0",
                              port, strerror(saved));
    struct sockaddr_storage bound;
    socklen_t len = sizeof bound;
    char text[INET6_ADDRSTRLEN] = "?";
    if (getsockname(*out, (struct sockaddr *)&bound, &len) == 0) {
        if (bound.ss_family == AF_INET6) {
            const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&bound;
            inet_ntop(AF_INET6, &a->sin6_addr, text, sizeof text);
            s->port = ntohs(a->sin6_port);
            snprintf(s->address, sizeof s->address, "[%s]:%d", text, s->port);
        } else {
            const struct sockaddr_in *a = (const struct sockaddr_in *)&bound;
            inet_ntop(AF_INET, &a->sin_addr, text, sizeof text);
            s->port = ntohs(a->sin_port);
            snprintf(s->address, sizeof s->address, "%s:%d", text, s->port);
        }
    }
    return REELAY_OK;
}

static void free_server(reelay_server *s)
{
    free(s->output_root);
    free(s->upload_root);
    free(s->inputs_root);
    if (s->token) {
        memset(s->token, 0, s->token_len);
        free(s->token);
    }
    reelay_idmap_free(&s->observed);
    pthread_mutex_destroy(&s->queue_lock);
    pthread_mutex_destroy(&s->gate_lock);
    pthread_mutex_destroy(&s->conns_lock);
    pthread_mutex_destroy(&s->stats_lock);
    free(s);
}

/* The connection limits from the options and the open-file limit: every
 * connection may hold FDS_PER_CONNECTION descriptors, and FD_RESERVE stay
 * for the rest of the process. */
static int connection_limits(reelay_server *s, const reelay_server_options *o, reelay_err *err)
{
    struct rlimit files = {0};
    rlim_t available = 0;
    if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur > FD_RESERVE)
        available = (files.rlim_cur - FD_RESERVE) / FDS_PER_CONNECTION;
    if (files.rlim_cur == RLIM_INFINITY) available = (rlim_t)UINT_MAX;
    s->max_connections = o->max_connections ? o->max_connections : REELAY_SERVER_DEFAULT_MAX_CONNECTIONS;
    if (!o->max_connections && s->max_connections > available) s->max_connections = (unsigned)available;
    unsigned long long needed = (unsigned long long)s->max_connections * FDS_PER_CONNECTION + FD_RESERVE;
    if (s->max_connections > available)
        return reelay_err_set(err, REELAY_E_USAGE,
                              "%u connections need %llu open files; the open-file limit (ulimit -n) is %llu",
                              s->max_connections, needed, (unsigned long long)files.rlim_cur);
    /* libmicrohttpd shares the limit out among its threads. */
    if (s->max_connections < THREADS)
        return reelay_err_set(err, REELAY_E_USAGE, "%u connections are too few: at least %d", s->max_connections,
                              THREADS);
    s->per_client = o->max_connections_per_client ? o->max_connections_per_client : REELAY_SERVER_DEFAULT_PER_CLIENT;
    if (s->per_client > s->max_connections) s->per_client = s->max_connections;
    return REELAY_OK;
}

static struct MHD_Daemon *start_daemon(reelay_server *s, int fd, bool v6)
{
    unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | (v6 ? MHD_USE_IPv6 : 0);
    /* The idle timeout: a request head must come within header_timeout_s
     * anyway (the watchdog sees to trickles), and a connection kept alive
     * waits no longer for its next request. */
    unsigned idle_s = (unsigned)(s->header_timeout_s + 0.999);
    return MHD_start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_LISTEN_SOCKET, fd,
                            MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_NOTIFY_CONNECTION, on_connection,
                            s, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)THREADS, MHD_OPTION_CONNECTION_LIMIT,
                            s->max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT, s->per_client,
                            MHD_OPTION_CONNECTION_TIMEOUT, idle_s, MHD_OPTION_END);
}

int reelay_server_start(const reelay_server_options *o, reelay_server **out, reelay_err *err)
{
    *out = NULL;
    if (!o->queue) return reelay_err_set(err, REELAY_E_USAGE, "the server needs a queue");
    if (!o->output_dir || !o->output_dir[0])
        return reelay_err_set(err, REELAY_E_USAGE, "the server needs an output directory");
    if (o->port < 0 || o->port > 65535) return reelay_err_set(err, REELAY_E_USAGE, "bad port %d", o->port);
    reelay_server *s = calloc(1, sizeof *s);
    if (!s) return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    pthread_mutex_init(&s->queue_lock, NULL);
    pthread_mutex_init(&s->gate_lock, NULL);
    pthread_mutex_init(&s->conns_lock, NULL);
    pthread_mutex_init(&s->stats_lock, NULL);
    reelay_idmap_init(&s->observed);
    s->queue = o->queue;
    s->body_limit = o->body_limit ? o->body_limit : REELAY_SERVER_DEFAULT_BODY_LIMIT;
    s->ceilings = o->ceilings ? *o->ceilings : reelay_job_ceilings_default();
    s->header_timeout_s = o->header_timeout_s > 0 ? o->header_timeout_s : REELAY_SERVER_DEFAULT_HEADER_TIMEOUT_S;
    s->log = o->log;
    s->log_context = o->log_context;
    int rc = connection_limits(s, o, err);
    if (rc == REELAY_OK) rc = make_dirs(o->output_dir, err);
    if (rc == REELAY_OK) rc = resolve_dir(o->output_dir, "output directory", true, &s->output_root, err);
    char *default_uploads = NULL;
    if (rc == REELAY_OK && !o->upload_dir && !(default_uploads = join(s->output_root, "uploads")))
        rc = reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    const char *uploads = o->upload_dir ? o->upload_dir : default_uploads;
    if (rc == REELAY_OK) rc = make_dirs(uploads, err);
    if (rc == REELAY_OK) rc = resolve_dir(uploads, "upload directory", true, &s->upload_root, err);
    free(default_uploads);
    if (rc == REELAY_OK && o->inputs_dir)
        rc = resolve_dir(o->inputs_dir, "inputs directory", false, &s->inputs_root, err);
    if (rc == REELAY_OK && strcmp(s->upload_root, s->output_root) == 0)
        rc = reelay_err_set(err, REELAY_E_USAGE, "the upload directory must not be the output directory itself");
    /* Clients must not name files among the uploads. */
    if (rc == REELAY_OK && inside(s->output_root, s->upload_root))
        s->upload_rel = s->upload_root + strlen(s->output_root) + 1;
    if (rc == REELAY_OK && o->token && o->token[0]) {
        s->token_len = strlen(o->token);
        if (!(s->token = strdup(o->token))) rc = reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    }
    int fd = -1;
    bool v6 = false;
    if (rc == REELAY_OK) rc = watchdog_start(s, err);
    if (rc == REELAY_OK) rc = bind_listener(s, o->host, o->port, &fd, &v6, err);
    if (rc == REELAY_OK) {
        s->daemon = start_daemon(s, fd, v6);
        if (!s->daemon) {
            /* Whether libmicrohttpd closed it on failure varies by version. */
            if (fcntl(fd, F_GETFD) != -1) close(fd);
            rc = reelay_err_set(err, REELAY_E_INTERNAL, "cannot start the HTTP daemon on %s", s->address);
        }
    }
    if (rc != REELAY_OK) {
        watchdog_stop(s);
        free_server(s);
        return rc;
    }
    *out = s;
    return REELAY_OK;
}

unsigned reelay_server_max_connections(const reelay_server *s)
{
    return s->max_connections;
}

unsigned reelay_server_max_connections_per_client(const reelay_server *s)
{
    return s->per_client;
}

int reelay_server_port(const reelay_server *s)
{
    return s->port;
}

const char *reelay_server_address(const reelay_server *s)
{
    return s->address;
}

const char *reelay_server_output_dir(const reelay_server *s)
{
    return s->output_root;
}

const char *reelay_server_upload_dir(const reelay_server *s)
{
    return s->upload_root;
}

void reelay_server_stop(reelay_server *s)
{
    if (!s) return;
    /* Ends every connection, calling on_completed for open requests, and
     * closes the listening socket. */
    watchdog_stop(s);
    MHD_stop_daemon(s->daemon);
    free_server(s);
}
