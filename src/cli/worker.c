/* `reelay worker --queue SPEC` and `reelay submit --queue SPEC JOB...`. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "job/queue.h"
#include "job/worker.h"
#include "net/s3.h"
#include "net/url.h"
#include "source/source.h"

static volatile sig_atomic_t stop_requested;

static void request_stop(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void worker_usage(FILE *out)
{
    fprintf(out, "usage: reelay worker --queue Q [--lease S] [--poll S] [--exit-when-empty] [--max-jobs N]\n"
                 "                     [--job-timeout T] [--retention T] [--retry-backoff T] [CEILINGS]\n"
                 "  --queue Q          where jobs wait: dir:PATH (a spool directory) or\n"
                 "                     redis://HOST:PORT[/DB] (Redis Streams, for many machines)\n"
                 "  --lease S          a claim lives S seconds without a heartbeat (default 60)\n"
                 "  --poll S           wait between looks at an empty queue (default 1)\n"
                 "  --exit-when-empty  stop once there is nothing left to claim\n"
                 "  --max-jobs N       stop after N jobs\n"
                 "  --job-timeout T    a render running longer is killed and its job failed (default 1h;\n"
                 "                     0 = none)\n"
                 "  --retention T      finished jobs older than T are forgotten by the queue (default 7d;\n"
                 "                     0 = at once; 'forever' = never); outputs are never removed\n"
                 "  --retry-backoff T  wait before a failed job is retried, doubled per attempt (default 5s)\n"
                 "  CEILINGS           --max-duration, --max-frames, --max-input-bytes, --max-events,\n"
                 "                     --max-image-pixels, --max-wireframes, --max-tree-depth, --max-viewport,\n"
                 "                     --max-output-dim (default 4096 here), --max-page-memory (default 2G),\n"
                 "                     --max-page-time (default 30s), --max-fps (default 60): a job may\n"
                 "                     lower these limits, never raise them (above: the job fails at once)\n"
                 "  --no-page-sandbox  web page view: run WebKit without its bubblewrap sandbox (every job;\n"
                 "                     for hosts that forbid namespaces, such as most containers)\n"
                 REELAY_CLI_POSTHOG_USAGE
                 "  --allow-url LIST   URLs a job may name as input or output (repeatable; none by default):\n"
                 "                     https://HOST[:PORT][/PREFIX], *.DOMAIN for any name below it,\n"
                 "                     s3://BUCKET[/PREFIX], s3://* and posthog; host names reach public\n"
                 "                     addresses only, a private one only when named as an IP literal\n"
                 "Times: seconds, or with a unit: 90s, 15m, 2h, 7d.\n"
                 "SIGTERM or SIGINT: no new jobs; the running one finishes, then exit 0.\n");
}

static int parse_seconds(const char *name, const char *text, double *out, reelay_err *err)
{
    char *end = NULL;
    double v = strtod(text, &end);
    if (!text[0] || *end || !(v >= 0.01 && v <= 86400))
        return reelay_err_set(err, REELAY_E_USAGE, "bad %s '%s': expected seconds from 0.01 to 86400", name, text);
    *out = v;
    return REELAY_OK;
}

/* "90", "90s", "15m", "2h", "7d": seconds, 0 to a year. */
static int parse_duration(const char *name, const char *text, double *out, reelay_err *err)
{
    char *end = NULL;
    double v = strtod(text, &end);
    double unit = !*end ? 1 : strcmp(end, "s") == 0 ? 1 : strcmp(end, "m") == 0 ? 60 : strcmp(end, "h") == 0 ? 3600
                : strcmp(end, "d") == 0 ? 86400 : -1;
    if (!text[0] || end == text || unit < 0 || !(v >= 0 && v * unit <= 366 * 86400.0))
        return reelay_err_set(err, REELAY_E_USAGE, "bad %s '%s': expected a time such as 90, 90s, 15m, 2h or 7d",
                              name, text);
    *out = v * unit;
    return REELAY_OK;
}

static void log_line(void *context, const char *line)
{
    (void)context;
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    fprintf(stderr, "%04d-%02d-%02dT%02d:%02d:%02dZ reelay worker: %s\n", tm.tm_year + 1900, tm.tm_mon + 1,
            tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, line);
}

int reelay_cmd_worker(int argc, char **argv)
{
    const char *spec = NULL;
    double lease_s = REELAY_QUEUE_DEFAULT_LEASE_S;
    reelay_job_ceilings ceilings = reelay_job_ceilings_default();
    reelay_posthog_settings posthog = reelay_cli_posthog_env();
    reelay_worker_options o = {.poll_s = 1.0,
                               .log = log_line,
                               .stop = &stop_requested,
                               .ceilings = &ceilings,
                               .job_timeout_s = REELAY_WORKER_DEFAULT_JOB_TIMEOUT_S,
                               .retention_s = REELAY_QUEUE_DEFAULT_RETENTION_S,
                               .retry_backoff_s = 5};
    reelay_err err;
    reelay_err_clear(&err);
    for (int i = 1; i < argc && err.code == REELAY_OK; i++) {
        const char *arg = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            worker_usage(stdout);
            return REELAY_OK;
        } else if (strcmp(arg, "--queue") == 0 && value) {
            spec = argv[++i];
        } else if (strcmp(arg, "--lease") == 0 && value) {
            parse_seconds("--lease", argv[++i], &lease_s, &err);
        } else if (strcmp(arg, "--poll") == 0 && value) {
            parse_seconds("--poll", argv[++i], &o.poll_s, &err);
        } else if (strcmp(arg, "--exit-when-empty") == 0) {
            o.exit_when_empty = true;
        } else if (strcmp(arg, "--job-timeout") == 0 && value) {
            parse_duration(arg, argv[++i], &o.job_timeout_s, &err);
        } else if (strcmp(arg, "--retention") == 0 && value) {
            i++;
            if (strcmp(value, "forever") == 0) o.retention_s = -1;
            else parse_duration(arg, value, &o.retention_s, &err);
        } else if (strcmp(arg, "--retry-backoff") == 0 && value) {
            parse_duration(arg, argv[++i], &o.retry_backoff_s, &err);
        } else if (strcmp(arg, "--no-page-sandbox") == 0) {
            ceilings.limits.page_engine.no_sandbox = true;
        } else if (reelay_job_ceiling_flag(arg) && value) {
            reelay_job_ceiling_set(&ceilings, arg, argv[++i], &err);
        } else if (reelay_cli_posthog_flag(arg, value, &posthog)) {
            i++;
        } else if (strcmp(arg, "--max-jobs") == 0 && value) {
            char *end = NULL;
            o.max_jobs = strtol(argv[++i], &end, 10);
            if (!value[0] || *end || o.max_jobs < 1)
                reelay_err_set(&err, REELAY_E_USAGE, "bad --max-jobs '%s': expected a positive number", value);
        } else {
            reelay_err_set(&err, REELAY_E_USAGE, "unknown argument %s (or it needs a value)", arg);
        }
    }
    if (err.code == REELAY_OK && !spec) reelay_err_set(&err, REELAY_E_USAGE, "--queue is required");
    /* the operator's S3 and PostHog settings, for every job */
    reelay_s3_config s3;
    if (err.code == REELAY_OK) reelay_cli_remote_access(&s3, &posthog, &ceilings.limits.ingest, &err);
    if (err.code != REELAY_OK) {
        fprintf(stderr, "reelay worker: %s\n", err.msg);
        worker_usage(stderr);
        return err.code;
    }
    /* Renew a claim three times per lease: one late heartbeat is no loss. */
    o.heartbeat_s = lease_s / 3;
    o.result_keep_s = lease_s;
    reelay_queue *queue = NULL;
    int rc = reelay_queue_open(spec, lease_s, &queue, &err);
    if (rc != REELAY_OK) {
        fprintf(stderr, "reelay worker: %s\n", err.msg);
        return rc;
    }
    struct sigaction action = {.sa_handler = request_stop};
    sigemptyset(&action.sa_mask);
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGINT, &action, NULL);
    log_line(NULL, "started");
    reelay_worker_stats stats;
    rc = reelay_worker_run(queue, &o, &stats, &err);
    if (rc != REELAY_OK) fprintf(stderr, "reelay worker: %s\n", err.msg);
    char summary[200];
    snprintf(summary, sizeof summary, "stopping: %ld done, %ld failed, %ld retried, %ld not recorded, %ld dropped",
             stats.done, stats.failed, stats.retried, stats.unrecorded, stats.lost);
    log_line(NULL, summary);
    /* Results the queue would not store: the jobs are not lost, but this
     * worker's work was, and whoever runs it should know. */
    if (rc == REELAY_OK && stats.unrecorded > 0) {
        fprintf(stderr, "reelay worker: %ld result(s) could not be recorded (see above); their jobs go back to the "
                        "queue when their leases run out\n", stats.unrecorded);
        rc = REELAY_E_IO;
    }
    reelay_queue_close(queue);
    return rc;
}

static void submit_usage(FILE *out)
{
    fprintf(out, "usage: reelay submit --queue dir:PATH|redis://HOST:PORT[/DB] JOB.json... (or - for stdin)\n"
                 "       reelay submit --queue Q -o DEST [--format webm|mp4|mkv] [--options JSON] INPUTS...\n"
                 "  a job is {\"id\", \"input\", \"output\", \"options\": {...}} with options named as for\n"
                 "  `reelay render` (\"fps\": 12, \"codec\": \"h264\", \"no_skip_idle\": true, ...)\n"
                 "  -o DEST       makes a job of each of INPUTS (recordings: paths the workers can read, URLs;\n"
                 "                - reads their names from standard input, one per line, as `reelay list`\n"
                 "                prints them): id from the name as in `reelay batch`, output DEST/ID.FORMAT\n"
                 "                (DEST a directory on the workers' disk, s3://BUCKET/PREFIX or an https URL)\n"
                 "  --format F    the outputs' container (default webm)\n"
                 "  --options J   every job's options, a JSON object ('{\"to\": 60, \"codec\": \"h264\"}')\n"
                 "Prints each queued job's id; exit 0 when every job was queued.\n");
}

/* Submits one document; prints its id or the error naming `what`. */
static int submit_one(reelay_queue *queue, json_t *doc, const char *what, reelay_err *err)
{
    int rc = reelay_queue_submit(queue, doc, err);
    if (rc == REELAY_OK)
        printf("%s\n", json_string_value(json_object_get(doc, "id")));
    else
        fprintf(stderr, "reelay submit: %s: %s\n", what, err->msg);
    return rc;
}

/* DEST/ID.FORMAT; a relative DEST is made absolute (workers run elsewhere). */
static int output_for(const char *dest, const char *id, const char *format, char *out, size_t size, reelay_err *err)
{
    char cwd[4096] = "";
    if (!reelay_url_has_scheme(dest) && dest[0] != '/' && !getcwd(cwd, sizeof cwd))
        return reelay_err_set(err, REELAY_E_IO, "cannot tell the current directory: %s", strerror(errno));
    size_t len = strlen(dest);
    bool slash = len > 0 && dest[len - 1] == '/';
    int n = snprintf(out, size, "%s%s%s%s%s.%s", cwd, cwd[0] ? "/" : "", dest, slash ? "" : "/", id, format);
    if (n < 0 || (size_t)n >= size) return reelay_err_set(err, REELAY_E_USAGE, "-o %s: the output name is too long", dest);
    return REELAY_OK;
}

/* -o DEST: a job of each input. */
static int submit_inputs(reelay_queue *queue, reelay_cli_inputs *inputs, const char *dest, const char *format,
                         json_t *options, reelay_err *err)
{
    char (*ids)[REELAY_JOB_ID_MAX + 1] = calloc(inputs->count ? inputs->count : 1, sizeof *ids);
    if (!ids) return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    int worst = REELAY_OK;
    for (size_t i = 0; i < inputs->count; i++) {
        reelay_cli_job_id(inputs, i, ids, ids[i]);
        char output[4096], shown[REELAY_SHOWN_INPUT_MAX];
        reelay_source_shown_input(inputs->names[i], shown, sizeof shown);
        int rc = output_for(dest, ids[i], format, output, sizeof output, err);
        json_t *doc = NULL;
        if (rc == REELAY_OK) {
            doc = json_pack("{s:s, s:s, s:s}", "id", ids[i], "input", inputs->names[i], "output", output);
            if (!doc || (options && json_object_set(doc, "options", options) != 0))
                rc = reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
        }
        if (rc == REELAY_OK)
            rc = submit_one(queue, doc, shown, err);
        else
            fprintf(stderr, "reelay submit: %s: %s\n", shown, err->msg);
        if (rc != REELAY_OK && worst == REELAY_OK) worst = rc;
        json_decref(doc);
    }
    free(ids);
    return worst;
}

int reelay_cmd_submit(int argc, char **argv)
{
    const char *spec = NULL, *dest = NULL, *format = "webm", *options_text = NULL;
    reelay_cli_inputs names = {0};
    bool from_stdin = false;
    reelay_err err;
    reelay_err_clear(&err);
    for (int i = 1; i < argc && err.code == REELAY_OK; i++) {
        const char *arg = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            submit_usage(stdout);
            reelay_cli_inputs_free(&names);
            return REELAY_OK;
        } else if (strcmp(arg, "--queue") == 0 && value) {
            spec = argv[++i];
        } else if ((strcmp(arg, "-o") == 0 || strcmp(arg, "--output") == 0) && value) {
            dest = argv[++i];
        } else if (strcmp(arg, "--format") == 0 && value) {
            format = argv[++i];
            if (strcmp(format, "webm") != 0 && strcmp(format, "mp4") != 0 && strcmp(format, "mkv") != 0)
                reelay_err_set(&err, REELAY_E_USAGE, "bad --format '%s': expected webm, mp4 or mkv", format);
        } else if (strcmp(arg, "--options") == 0 && value) {
            options_text = argv[++i];
        } else if (strcmp(arg, "-") == 0) {
            from_stdin = true;
        } else if (arg[0] == '-' && arg[1]) {
            reelay_err_set(&err, REELAY_E_USAGE, "unknown option %s (or it needs a value)", arg);
        } else {
            reelay_cli_inputs_add(&names, argv[i], &err);
        }
    }
    json_t *options = NULL;
    if (err.code == REELAY_OK && options_text) {
        json_error_t jerr;
        options = json_loads(options_text, JSON_REJECT_DUPLICATES, &jerr);
        if (!json_is_object(options))
            reelay_err_set(&err, REELAY_E_USAGE, "--options: expected a JSON object%s%s", options ? "" : ": ",
                           options ? "" : jerr.text);
    }
    if (err.code == REELAY_OK && !dest && (options_text || strcmp(format, "webm") != 0))
        reelay_err_set(&err, REELAY_E_USAGE, "--options and --format go with -o DEST (inputs, not job documents)");
    if (err.code == REELAY_OK && !spec) reelay_err_set(&err, REELAY_E_USAGE, "--queue is required");
    /* "-": job documents' text (one) without -o, names of inputs with it */
    if (err.code == REELAY_OK && from_stdin && dest) reelay_cli_inputs_read_list(&names, &err);
    else if (err.code == REELAY_OK && from_stdin) reelay_cli_inputs_add(&names, "-", &err);
    if (err.code == REELAY_OK && names.count == 0)
        reelay_err_set(&err, REELAY_E_USAGE, dest ? "no INPUTS given" : "no JOB given");
    if (err.code != REELAY_OK) {
        fprintf(stderr, "reelay submit: %s\n", err.msg);
        submit_usage(stderr);
        json_decref(options);
        reelay_cli_inputs_free(&names);
        return REELAY_E_USAGE;
    }
    reelay_queue *queue = NULL;
    /* A person or a script is waiting: an unreachable server is reported
     * in seconds, not waited for. */
    int rc = reelay_queue_open_wait(spec, REELAY_QUEUE_DEFAULT_LEASE_S, REELAY_QUEUE_BRIEF_WAIT_S, &queue, &err);
    if (rc != REELAY_OK) {
        fprintf(stderr, "reelay submit: %s\n", err.msg);
        json_decref(options);
        reelay_cli_inputs_free(&names);
        return rc;
    }
    int worst = REELAY_OK;
    if (dest) {
        worst = submit_inputs(queue, &names, dest, format, options, &err);
    } else {
        for (size_t i = 0; i < names.count; i++) {
            reelay_buf text;
            reelay_buf_init(&text);
            rc = reelay_read_file(names.names[i], REELAY_JOB_MAX_BYTES, &text, &err);
            json_t *doc = NULL;
            if (rc == REELAY_OK) {
                json_error_t jerr;
                doc = json_loadb((const char *)text.data, text.len, JSON_REJECT_DUPLICATES, &jerr);
                if (!doc) rc = reelay_err_set(&err, REELAY_E_USAGE, "%d:%d: %s", jerr.line, jerr.column, jerr.text);
            }
            if (rc == REELAY_OK)
                rc = submit_one(queue, doc, names.names[i], &err);
            else
                fprintf(stderr, "reelay submit: %s: %s\n", names.names[i], err.msg);
            if (rc != REELAY_OK && worst == REELAY_OK) worst = rc;
            json_decref(doc);
            reelay_buf_free(&text);
        }
    }
    reelay_queue_close(queue);
    json_decref(options);
    reelay_cli_inputs_free(&names);
    return worst;
}
