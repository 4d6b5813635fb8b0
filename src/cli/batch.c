/* `reelay batch INPUTS... -o DIR [-j N] [render options]`: many recordings,
 * rendered in parallel child processes (job/pool.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/clock.h"
#include "job/job.h"
#include "job/pool.h"
#include "render/options.h"
#include "source/source.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: reelay batch INPUTS... -o DIR [-j N] [--format webm|mp4|mkv] [render options]\n"
            "  INPUTS           recordings (files, http(s) URLs, s3://, posthog://SESSION_ID); each becomes\n"
            "                   DIR/NAME.webm (NAME from the file name or session id); - reads INPUTS from\n"
            "                   standard input, one per line (`reelay list posthog --urls | reelay batch - -o DIR`)\n"
            "  -o DIR           the output directory (created if missing)\n"
            "  -j N             renders at once, each in its own process (default: the number of cores)\n"
            "  --format F       container of the outputs: webm (default), mp4 or mkv\n"
            "  render options   as for `reelay render`: --codec, --size, --fps, --crf, --threads, --cfr,\n"
            "                   --speed, --from, --to, --no-skip-idle, --overlays, --layout, --subtitles,\n"
            "                   --unmask-inputs (not --poster, --preview, --manifest or --email-html)\n"
            "  --no-page-sandbox  web page view: run WebKit without its bubblewrap sandbox (as for render)\n"
            REELAY_CLI_POSTHOG_USAGE
            "DIR/results.jsonl gets one result per recording as it finishes. Exit code 0 when every\n"
            "render succeeded, else the error code of the first failed one (inputs in order).\n");
}

typedef struct batch {
    const char *dir;
    const char *format;
    int parallel;
    reelay_cli_inputs inputs;
    bool inputs_from_stdin; /* "-" among INPUTS */
    reelay_render_options options;
    reelay_posthog_settings posthog;
    reelay_s3_config s3;
    char (*ids)[REELAY_JOB_ID_MAX + 1];
    reelay_job *jobs;
    reelay_job_result *results;
    bool *running;
    int64_t *frame, *total;
    bool tty;
    int drawn_lines; /* progress lines on screen (tty) */
    size_t done;
    FILE *results_file;
    double started;
} batch;

static int parse_args(int argc, char **argv, batch *b, reelay_err *err)
{
    b->options = reelay_render_defaults();
    b->options.ingest.urls = reelay_url_policy_all(); /* the operator's own command line */
    b->posthog = reelay_cli_posthog_env();
    b->parallel = reelay_online_cpus();
    b->format = "webm";
    for (int i = 1; i < argc && err->code == REELAY_OK; i++) {
        const char *arg = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;
        char name[32];
        const char *optional = NULL;
        bool consumed = false;
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            usage(stdout);
            return -1;
        } else if ((strcmp(arg, "-o") == 0 || strcmp(arg, "--output") == 0) && value) {
            b->dir = argv[++i];
        } else if ((strcmp(arg, "-j") == 0 && value) || (strncmp(arg, "-j", 2) == 0 && arg[2])) {
            const char *text = arg[2] ? arg + 2 : argv[++i]; /* -j 2 or -j2 */
            char *end = NULL;
            long n = strtol(text, &end, 10);
            if (!text[0] || *end || n < 1 || n > 64)
                reelay_err_set(err, REELAY_E_USAGE, "bad -j '%s': expected a whole number from 1 to 64", text);
            b->parallel = (int)n;
        } else if (strcmp(arg, "--format") == 0 && value) {
            b->format = argv[++i];
            if (strcmp(b->format, "webm") != 0 && strcmp(b->format, "mp4") != 0 && strcmp(b->format, "mkv") != 0)
                reelay_err_set(err, REELAY_E_USAGE, "bad --format '%s': expected webm, mp4 or mkv", b->format);
        } else if (strncmp(arg, "--", 2) == 0 && reelay_render_option_is_sidecar(arg + 2)) {
            reelay_err_set(err, REELAY_E_USAGE, "%s is not available in batch (one file per render): use jobs", arg);
        } else if (strcmp(arg, "--no-page-sandbox") == 0) {
            b->options.page_engine.no_sandbox = true;
        } else if (reelay_cli_posthog_flag(arg, value, &b->posthog)) {
            i++;
        } else if (strcmp(arg, "-") == 0) {
            b->inputs_from_stdin = true;
        } else if (reelay_render_option_optional(arg, value, name, sizeof name, &optional, &consumed)) {
            if (consumed) i++;
            reelay_render_option_set(&b->options, name, optional, err);
        } else if (strncmp(arg, "--", 2) == 0 && reelay_render_option_kind(arg + 2) == REELAY_OPTION_FLAG) {
            reelay_render_option_set(&b->options, arg + 2, NULL, err);
        } else if (strncmp(arg, "--", 2) == 0 && reelay_render_option_kind(arg + 2) == REELAY_OPTION_VALUE && value) {
            reelay_render_option_set(&b->options, arg + 2, argv[++i], err);
        } else if (arg[0] == '-' && arg[1] != '\0') {
            reelay_err_set(err, REELAY_E_USAGE, "unknown option %s (or it needs a value)", arg);
        } else {
            reelay_cli_inputs_add(&b->inputs, argv[i], err);
        }
    }
    /* b outlives the renders (children are forked) */
    if (err->code == REELAY_OK) reelay_cli_remote_access(&b->s3, &b->posthog, &b->options.ingest, err);
    /* "-": read whole before any render starts, so the outputs' names are
     * known and clashes numbered as for arguments */
    if (err->code == REELAY_OK && b->inputs_from_stdin) reelay_cli_inputs_read_list(&b->inputs, err);
    if (err->code == REELAY_OK && b->inputs.count == 0)
        reelay_err_set(err, REELAY_E_USAGE, b->inputs_from_stdin ? "no INPUTS given (standard input named none)"
                                                                  : "no INPUTS given");
    if (err->code == REELAY_OK && !b->dir) reelay_err_set(err, REELAY_E_USAGE, "-o DIR is required");
    return err->code;
}

static int make_jobs(batch *b, reelay_err *err)
{
    b->ids = calloc(b->inputs.count, sizeof *b->ids);
    b->jobs = calloc(b->inputs.count, sizeof *b->jobs);
    b->results = calloc(b->inputs.count, sizeof *b->results);
    b->running = calloc(b->inputs.count, sizeof *b->running);
    b->frame = calloc(b->inputs.count, sizeof *b->frame);
    b->total = calloc(b->inputs.count, sizeof *b->total);
    if (!b->ids || !b->jobs || !b->results || !b->running || !b->frame || !b->total)
        return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    for (size_t i = 0; i < b->inputs.count; i++) {
        reelay_job *job = &b->jobs[i];
        char output[4096];
        reelay_cli_job_id(&b->inputs, i, b->ids, b->ids[i]);
        const char *id = b->ids[i];
        snprintf(output, sizeof output, "%s/%s.%s", b->dir, id, b->format);
        /* The job document is what a queue would carry: id, input, output. */
        job->doc = json_pack("{s:s, s:s, s:s}", "id", id, "input", b->inputs.names[i], "output", output);
        if (!job->doc) return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
        snprintf(job->id, sizeof job->id, "%s", id);
        job->input = json_string_value(json_object_get(job->doc, "input"));
        job->output = json_string_value(json_object_get(job->doc, "output"));
        job->options = b->options;
        job->options.output = job->output;
    }
    return REELAY_OK;
}

static void clear_drawn(batch *b)
{
    for (int i = 0; i < b->drawn_lines; i++) fputs("\033[1A\033[2K", stderr);
    b->drawn_lines = 0;
}

/* On a terminal: one line per running render, redrawn in place. */
static void draw_running(batch *b)
{
    if (!b->tty) return;
    clear_drawn(b);
    for (size_t i = 0; i < b->inputs.count; i++) {
        if (!b->running[i]) continue;
        double fraction = b->total[i] > 0 ? (double)b->frame[i] / (double)b->total[i] : 0;
        fprintf(stderr, "  %-24.24s %3.0f%%  frame %lld/%lld\n", b->jobs[i].id, fraction * 100,
                (long long)b->frame[i], (long long)b->total[i]);
        b->drawn_lines++;
    }
    fflush(stderr);
}

static void on_started(void *context, size_t index)
{
    batch *b = context;
    b->running[index] = true;
    char shown[REELAY_SHOWN_INPUT_MAX];
    reelay_source_shown_input(b->inputs.names[index], shown, sizeof shown);
    if (!b->tty) fprintf(stderr, "reelay batch: started %s (%s)\n", b->jobs[index].id, shown);
    draw_running(b);
}

static void on_progress(void *context, size_t index, int64_t frame, int64_t total)
{
    batch *b = context;
    b->frame[index] = frame;
    b->total[index] = total;
    if (b->tty && frame % 48 == 0) draw_running(b);
}

static void on_finished(void *context, size_t index, const reelay_job_result *result)
{
    batch *b = context;
    b->running[index] = false;
    b->results[index] = *result;
    b->done++;
    clear_drawn(b);
    if (result->status == REELAY_JOB_DONE)
        fprintf(stderr, "reelay batch: [%zu/%zu] done %s in %.1f s\n", b->done, b->inputs.count, result->id,
                result->render_s);
    else
        fprintf(stderr, "reelay batch: [%zu/%zu] FAILED %s: %s\n", b->done, b->inputs.count, result->id,
                result->error_message);
    json_t *doc = reelay_job_result_to_json(result);
    if (doc && b->results_file) {
        json_dumpf(doc, b->results_file, JSON_COMPACT);
        fputc('\n', b->results_file);
        fflush(b->results_file);
    }
    json_decref(doc);
    draw_running(b);
}

static int print_table(const batch *b)
{
    int code = 0;
    size_t failed = 0;
    fprintf(stderr, "\n%-26s %-7s %9s %10s %9s\n", "recording", "status", "video", "size", "time");
    for (size_t i = 0; i < b->inputs.count; i++) {
        const reelay_job_result *r = &b->results[i];
        if (r->status == REELAY_JOB_DONE)
            fprintf(stderr, "%-26.26s %-7s %8.1fs %8.1fMB %8.1fs\n", r->id, "done", r->duration_s, r->bytes / 1e6,
                    r->render_s);
        else
            fprintf(stderr, "%-26.26s %-7s %s\n", r->id, "FAILED", reelay_job_error_name(r->error_code));
    }
    for (size_t i = 0; i < b->inputs.count; i++) {
        const reelay_job_result *r = &b->results[i];
        if (r->status == REELAY_JOB_DONE) continue;
        if (failed++ == 0) {
            fputs("\nfailures:\n", stderr);
            code = r->error_code ? r->error_code : 4;
        }
        char shown[REELAY_SHOWN_INPUT_MAX];
        reelay_source_shown_input(b->inputs.names[i], shown, sizeof shown);
        fprintf(stderr, "  %s (%s): %s\n", r->id, shown, r->error_message);
    }
    fprintf(stderr, "\n%zu of %zu rendered in %.1f s", b->inputs.count - failed, b->inputs.count, reelay_monotonic_s() - b->started);
    fprintf(stderr, "; results in %s/results.jsonl\n", b->dir);
    return code;
}

static void free_batch(batch *b)
{
    for (size_t i = 0; b->jobs && i < b->inputs.count; i++) reelay_job_free(&b->jobs[i]);
    free(b->jobs);
    free(b->results);
    free(b->running);
    free(b->frame);
    free(b->total);
    reelay_cli_inputs_free(&b->inputs);
    free(b->ids);
    if (b->results_file) fclose(b->results_file);
}

int reelay_cmd_batch(int argc, char **argv)
{
    batch b = {0};
    reelay_err err;
    reelay_err_clear(&err);
    int rc = parse_args(argc, argv, &b, &err);
    if (rc < 0) {
        free_batch(&b);
        return REELAY_OK;
    }
    if (rc == REELAY_OK && mkdir(b.dir, 0777) != 0 && errno != EEXIST)
        rc = reelay_err_set(&err, REELAY_E_IO, "%s: cannot create the directory: %s", b.dir, strerror(errno));
    if (rc == REELAY_OK) rc = make_jobs(&b, &err);
    char results_path[4096];
    snprintf(results_path, sizeof results_path, "%s/results.jsonl", b.dir ? b.dir : ".");
    if (rc == REELAY_OK && !(b.results_file = fopen(results_path, "w")))
        rc = reelay_err_set(&err, REELAY_E_IO, "%s: cannot write: %s", results_path, strerror(errno));
    if (rc != REELAY_OK) {
        fprintf(stderr, "reelay batch: %s\n", err.msg);
        if (rc == REELAY_E_USAGE) usage(stderr);
        free_batch(&b);
        return rc;
    }
    b.tty = isatty(STDERR_FILENO);
    b.started = reelay_monotonic_s();
    reelay_pool_events events = {
        .context = &b, .started = on_started, .progress = on_progress, .finished = on_finished};
    rc = reelay_pool_run(b.jobs, b.inputs.count, b.parallel, &events, &err);
    clear_drawn(&b);
    if (rc != REELAY_OK) fprintf(stderr, "reelay batch: %s\n", err.msg);
    int code = print_table(&b);
    free_batch(&b);
    return rc != REELAY_OK ? rc : code;
}
