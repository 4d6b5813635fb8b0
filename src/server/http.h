/* http.h — the HTTP API over the job queue (`reelay serve`).
 * Owns: the libmicrohttpd daemon and its threads, the routes of DESIGN.md §8
 * (POST /v1/jobs, GET /v1/jobs/ID, GET /v1/jobs/ID/output, /healthz,
 * /metrics), bearer-token checks, request body limits, the confinement of
 * every client-named path to the server's directories, the uploads it
 * stores, and the request counters it exports. It never renders: workers
 * take the jobs from the queue. It does not own the queue handle it is
 * given (the caller opens and closes it), but it is the only user of that
 * handle while it runs, and serialises its calls with a mutex because a
 * backend need not be thread-safe.
 *
 * Paths: a job's output is always OUTPUT_DIR/NAME where NAME is the
 * client's relative name (no absolute paths, no "." or ".." or empty
 * segments, no NUL); sidecar options (poster, preview, manifest) likewise.
 * A JSON job's input must be a relative name inside the inputs directory
 * (and exist there); without an inputs directory JSON jobs cannot name
 * inputs at all and recordings are sent as the request body instead.
 * Every job the server builds carries "output_root" (the output directory)
 * so that workers confine its writes there; an existing parent directory of
 * an output must resolve inside it, and an existing file is replaced only
 * when the job says "overwrite": true (?overwrite=true for uploads). Jobs
 * are held to the operator's ceilings before they are queued.
 *
 * Slow clients: at most max_connections at once, max_connections_per_client
 * from one address; a request's line and headers must arrive within
 * header_timeout_s of its start (a trickle that keeps the connection from
 * being idle does not extend it), and a body must keep up a minimum average
 * rate, or the connection is cut. Requests that need the queue wait for it
 * at most a second, and while it is failing only one request at a time
 * tries it: the others get 503 with Retry-After at once. /healthz never
 * touches the queue. */
#ifndef REELAY_SERVER_HTTP_H
#define REELAY_SERVER_HTTP_H

#include <stdint.h>

#include "core/error.h"
#include "job/job.h"
#include "job/queue.h"

#define REELAY_SERVER_DEFAULT_BODY_LIMIT (256ull * 1024 * 1024)
/* Connections at once, lowered to what the open-file limit allows (each
 * connection may hold two descriptors: its socket and an upload or a
 * download). */
#define REELAY_SERVER_DEFAULT_MAX_CONNECTIONS 1024u
/* Connections at once from one client address: enough for a browser (6)
 * or a client's pool, far below the whole server's. */
#define REELAY_SERVER_DEFAULT_PER_CLIENT 16u
/* Seconds for a request's line and headers, from its first byte's wait. */
#define REELAY_SERVER_DEFAULT_HEADER_TIMEOUT_S 10.0

typedef struct reelay_server reelay_server;

typedef struct reelay_server_options {
    const char *host;        /* numeric address or host name; NULL or "" = every IPv4 interface */
    int port;                /* 0 = any free port (see reelay_server_port) */
    reelay_queue *queue;     /* opened by the caller, closed after reelay_server_stop */
    const char *output_dir;  /* required; created if missing */
    const char *upload_dir;  /* recording bodies; NULL = OUTPUT_DIR/uploads (created if missing) */
    const char *inputs_dir;  /* optional: where JSON jobs' relative "input" names point; must exist */
    const char *token;       /* NULL or "" = no authentication */
    uint64_t body_limit;     /* bytes; 0 = REELAY_SERVER_DEFAULT_BODY_LIMIT */
    /* 0 = REELAY_SERVER_DEFAULT_MAX_CONNECTIONS (lowered to fit the
     * open-file limit); more than the limit allows is REELAY_E_USAGE. */
    unsigned max_connections;
    unsigned max_connections_per_client; /* per client IP address; 0 = REELAY_SERVER_DEFAULT_PER_CLIENT */
    double header_timeout_s;             /* 0 = REELAY_SERVER_DEFAULT_HEADER_TIMEOUT_S */
    const reelay_job_ceilings *ceilings; /* what jobs may ask for (copied); NULL = reelay_job_ceilings_default() */
    /* Called (from server threads, one call at a time) with one line about
     * a failure the client only sees as a 500; NULL = dropped. */
    void (*log)(void *context, const char *line);
    void *log_context;
} reelay_server_options;

/* Splits "ADDR:PORT", "[V6ADDR]:PORT" or ":PORT" (host becomes "") into
 * host and port (0..65535). REELAY_E_USAGE when malformed. */
int reelay_server_parse_listen(const char *text, char *host, size_t host_size, int *port, reelay_err *err);

/* Creates the directories, binds and starts serving on background
 * threads. REELAY_E_USAGE for bad options, REELAY_E_IO when a directory
 * cannot be made or the address cannot be bound. */
int reelay_server_start(const reelay_server_options *options, reelay_server **out, reelay_err *err);

/* The bound port (the chosen one when options.port was 0). */
int reelay_server_port(const reelay_server *server);
/* "127.0.0.1:8080" or "[::1]:8080": what the server listens on. */
const char *reelay_server_address(const reelay_server *server);
/* The connection limits in force (after the defaults and the open-file
 * limit). */
unsigned reelay_server_max_connections(const reelay_server *server);
unsigned reelay_server_max_connections_per_client(const reelay_server *server);
/* The absolute output and upload directories. */
const char *reelay_server_output_dir(const reelay_server *server);
const char *reelay_server_upload_dir(const reelay_server *server);

/* Stops accepting, ends open requests (removing their partial uploads),
 * joins the threads and frees the server. NULL is fine. */
void reelay_server_stop(reelay_server *server);

#endif
