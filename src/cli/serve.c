/* `reelay serve --listen ADDR:PORT --queue SPEC --output-dir DIR`: the HTTP
 * API over a queue (server/http.h), until SIGINT or SIGTERM. It does not
 * render: `reelay worker` processes take the jobs. */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cli/cli.h"
#include "job/job.h"
#include "render/options.h"
#include "job/queue.h"
#include "net/url.h"
#include "server/http.h"

/* Set by the signal handler, read by the main thread. */
static volatile sig_atomic_t stop_requested;

static void on_signal(int signal_number)
{
    (void)signal_number;
    stop_requested = 1;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: reelay serve --listen ADDR:PORT --queue SPEC --output-dir DIR [--inputs DIR]\n"
            "                    [--upload-dir DIR] [--body-limit BYTES] [--max-connections N]\n"
            "                    [--max-connections-per-client N] [ceilings: --max-fps N --max-duration T ...]\n"
            "  --listen ADDR:PORT   where to listen: 127.0.0.1:8080, [::1]:8080, :8080 (every IPv4 interface)\n"
            "  --queue SPEC         the job queue, e.g. dir:/var/spool/reelay\n"
            "  --output-dir DIR     where workers write videos (created if missing); clients name files in it\n"
            "  --inputs DIR         lets JSON jobs name recordings in DIR (relative names only)\n"
            "  --upload-dir DIR     where uploaded recordings are kept (default: OUTPUT_DIR/uploads)\n"
            "  --body-limit BYTES   largest request body (default 256M; suffixes K, M, G are binary)\n"
            "  --max-connections N  connections at once (default 1024, fewer when the open-file limit is low)\n"
            "  --max-connections-per-client N\n"
            "                       connections at once from one client address (default 16)\n"
            "Ceilings: what a job may ask for; a job above one is refused (400), and one that sets no limit\n"
            "gets the ceiling. --max-fps N (default 60, at most 240), and the render limits with their\n"
            "render defaults: --max-duration T, --max-frames N, --max-input-bytes BYTES, --max-events N,\n"
            "--max-wireframes N, --max-tree-depth N, --max-viewport PX, --max-image-pixels N,\n"
            "--max-output-dim PX (default 4096 here; also bounds --size), --max-page-memory BYTES (the web\n"
            "page engine's processes, default 2G), --max-page-time T (one page frame, default 30 s).\n"
            "--no-page-sandbox: web page view without WebKit's bubblewrap sandbox, for every job (for hosts\n"
            "that forbid namespaces, such as most containers).\n"
            "--allow-url LIST: URLs a job may name as its \"input\" or outputs (repeatable; none by default):\n"
            "https://HOST[:PORT][/PREFIX] (*.DOMAIN: any name below it), s3://BUCKET[/PREFIX], s3://*,\n"
            "posthog. Host names reach public addresses only; a private one only when named as an IP literal.\n"
            "Slow clients: a request's headers must arrive within 10 s, and a body must average 1 KiB/s\n"
            "after its first 10 s, or the connection is cut.\n"
            "Environment: REELAY_TOKEN=SECRET requires 'Authorization: Bearer SECRET' on every endpoint\n"
            "but /healthz.\n"
            "Endpoints: POST /v1/jobs (a job document as application/json, or a recording as the body with\n"
            "render options as query parameters: ?fps=12&format=mp4&cfr=true&overwrite=true), GET /v1/jobs/ID,\n"
            "GET /v1/jobs/ID/output (Range requests work), GET /healthz, GET /metrics.\n");
}

static void log_to_stderr(void *context, const char *line)
{
    (void)context;
    fprintf(stderr, "reelay serve: %s\n", line);
}

/* A connection count for `flag`. */
static int parse_connections(const char *text, const char *flag, unsigned *out, reelay_err *err)
{
    uint64_t n = 0;
    int rc = reelay_parse_count(text, flag, &n, err);
    if (rc == REELAY_OK && n > 1000000)
        rc = reelay_err_set(err, REELAY_E_USAGE, "bad %s '%s': at most 1000000", flag, text);
    if (rc == REELAY_OK) *out = (unsigned)n;
    return rc;
}

/* Connections cost descriptors: the soft open-file limit goes up to the
 * hard one, so the default connection limit fits (the server lowers its
 * limit to what is left otherwise). */
static void raise_open_file_limit(void)
{
    struct rlimit files;
    if (getrlimit(RLIMIT_NOFILE, &files) != 0 || files.rlim_cur >= files.rlim_max) return;
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
}

int reelay_cmd_serve(int argc, char **argv)
{
    reelay_err err;
    reelay_err_clear(&err);
    const char *listen = NULL, *queue_spec = NULL;
    reelay_server_options options = {.log = log_to_stderr};
    reelay_job_ceilings ceilings = reelay_job_ceilings_default();
    options.ceilings = &ceilings;
    for (int i = 1; i < argc && err.code == REELAY_OK; i++) {
        const char *arg = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            usage(stdout);
            return REELAY_OK;
        } else if (strcmp(arg, "--listen") == 0 && value) {
            listen = argv[++i];
        } else if (strcmp(arg, "--queue") == 0 && value) {
            queue_spec = argv[++i];
        } else if ((strcmp(arg, "--output-dir") == 0 || strcmp(arg, "-o") == 0) && value) {
            options.output_dir = argv[++i];
        } else if (strcmp(arg, "--inputs") == 0 && value) {
            options.inputs_dir = argv[++i];
        } else if (strcmp(arg, "--upload-dir") == 0 && value) {
            options.upload_dir = argv[++i];
        } else if (strcmp(arg, "--body-limit") == 0 && value) {
            reelay_parse_count(argv[++i], "--body-limit", &options.body_limit, &err);
        } else if (strcmp(arg, "--max-connections") == 0 && value) {
            parse_connections(argv[++i], arg, &options.max_connections, &err);
        } else if (strcmp(arg, "--max-connections-per-client") == 0 && value) {
            parse_connections(argv[++i], arg, &options.max_connections_per_client, &err);
        } else if (strcmp(arg, "--no-page-sandbox") == 0) {
            ceilings.limits.page_engine.no_sandbox = true;
        } else if (reelay_job_ceiling_flag(arg) && value) {
            reelay_job_ceiling_set(&ceilings, arg, argv[++i], &err);
        } else {
            reelay_err_set(&err, REELAY_E_USAGE, "unknown argument %s (or it needs a value)", arg);
        }
    }
    if (err.code == REELAY_OK && !listen) reelay_err_set(&err, REELAY_E_USAGE, "--listen ADDR:PORT is required");
    if (err.code == REELAY_OK && !queue_spec) reelay_err_set(&err, REELAY_E_USAGE, "--queue SPEC is required");
    if (err.code == REELAY_OK && !options.output_dir)
        reelay_err_set(&err, REELAY_E_USAGE, "--output-dir DIR is required");
    char host[256];
    if (err.code == REELAY_OK) reelay_server_parse_listen(listen, host, sizeof host, &options.port, &err);
    if (err.code != REELAY_OK) {
        fprintf(stderr, "reelay serve: %s\n", err.msg);
        usage(stderr);
        return err.code;
    }
    options.host = host;
    options.token = getenv("REELAY_TOKEN");

    /* The stop signals are blocked before the server's threads start (they
     * inherit the mask), so only the sigsuspend below ever takes them. */
    sigset_t stop_signals, previous;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    struct sigaction action = {.sa_handler = on_signal};
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
    /* A client that goes away mid-download is an error on that connection,
     * not the end of the server. */
    signal(SIGPIPE, SIG_IGN);
    pthread_sigmask(SIG_BLOCK, &stop_signals, &previous);

    raise_open_file_limit();
    reelay_queue *queue = NULL;
    reelay_server *server = NULL;
    /* Requests wait for the queue: an unreachable Redis is a quick 503, and
     * at the start a quick refusal, not a minute of silence. */
    int rc = reelay_queue_open_wait(queue_spec, REELAY_QUEUE_DEFAULT_LEASE_S, REELAY_QUEUE_BRIEF_WAIT_S, &queue,
                                    &err);
    options.queue = queue;
    if (rc == REELAY_OK) rc = reelay_server_start(&options, &server, &err);
    if (rc != REELAY_OK) {
        fprintf(stderr, "reelay serve: %s\n", err.msg);
        reelay_queue_close(queue);
        pthread_sigmask(SIG_SETMASK, &previous, NULL);
        return rc;
    }
    char shown_queue[1024];
    if (strncmp(queue_spec, "redis://", 8) == 0)
        reelay_url_display(queue_spec, shown_queue, sizeof shown_queue); /* without a password */
    else
        snprintf(shown_queue, sizeof shown_queue, "%s", queue_spec);
    fprintf(stderr, "reelay serve: listening on http://%s (queue %s, outputs in %s)\n", reelay_server_address(server),
            shown_queue, reelay_server_output_dir(server));
    fprintf(stderr, "reelay serve: at most %u connections, %u per client address\n",
            reelay_server_max_connections(server), reelay_server_max_connections_per_client(server));
    fflush(stderr);

    sigset_t wait_mask = previous;
    sigdelset(&wait_mask, SIGINT);
    sigdelset(&wait_mask, SIGTERM);
    while (!stop_requested) sigsuspend(&wait_mask);

    fprintf(stderr, "reelay serve: stopping\n");
    reelay_server_stop(server);
    reelay_queue_close(queue);
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    return REELAY_OK;
}
