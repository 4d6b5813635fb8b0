/* job.h — a render job and its result, as JSON documents.
 * Owns: the job document {"id", "input", "output", "options": {...}},
 * validated with errors that name the field, and the result document
 * {"id", "status", "output", "bytes", "sha256", "frames", "duration_s",
 * "render_s", "attempts", "error": {"code", "message"[, "lasting": true]}
 * [, "outputs": [...]]}
 * (DESIGN.md §8).
 * Options use the command line's names (render/options.h), with or without
 * the leading "--" and with '_' for '-': "fps": 12, "no_skip_idle": true,
 * "size": "720p". Numbers and booleans are accepted where the command line
 * takes text. Running a job is job/run.h. */
#ifndef REELAY_JOB_JOB_H
#define REELAY_JOB_JOB_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"
#include "net/url_policy.h"
#include "render/render.h"
#include "source/source.h"

/* Ids are 1..64 characters of [A-Za-z0-9._-], not starting with '.':
 * safe as file names and Redis keys. */
#define REELAY_JOB_ID_MAX 64
/* A job document larger than this is refused before parsing. */
#define REELAY_JOB_MAX_BYTES (64 * 1024)

typedef struct reelay_job {
    char id[REELAY_JOB_ID_MAX + 1];
    const char *input;  /* path (points into doc) */
    const char *output; /* path, s3:// or http(s):// URL (sink/sink.h) (points into doc); also options.output */
    bool overwrite;     /* "overwrite": true: an existing file of the output's (or a sidecar's) name is replaced */
    /* "output_root" (set by `reelay serve`, absolute): every file the job
     * writes must lie inside it, reached without following a symlink;
     * NULL = anywhere (points into doc) */
    const char *output_root;
    reelay_render_options options; /* its strings point into doc */
    json_t *doc;        /* the document, owning the strings above */
} reelay_job;

/* True when id is a valid job id. */
bool reelay_job_id_valid(const char *id);

/* Reads a job from a parsed document (a new reference is kept). `where`
 * names the document in messages ("inbox/a.json"). id, input and output are
 * required strings; options an optional object. REELAY_E_USAGE for anything
 * invalid: missing or mistyped fields, unknown options, bad values, an
 * output whose extension no container takes. */
int reelay_job_from_json(json_t *doc, const char *where, reelay_job *job, reelay_err *err);

/* Same from text (at most REELAY_JOB_MAX_BYTES); JSON syntax errors give
 * line and column. */
int reelay_job_parse(const char *text, size_t len, const char *where, reelay_job *job, reelay_err *err);

void reelay_job_free(reelay_job *job);

/* Every file a job document names for writing: its output, then its
 * sidecars (options poster, preview, manifest, in any spelling) when
 * given; the strings point into doc, which need not be valid (fields that
 * are not strings are skipped). Returns how many. */
#define REELAY_JOB_MAX_OUTPUTS 5
size_t reelay_job_output_paths(const json_t *doc, const char *paths[REELAY_JOB_MAX_OUTPUTS]);

/* The names a queue records a job's outputs by, to keep two jobs from
 * writing one file: reelay_job_output_paths, each URL as displayed
 * (source/source.h) — two presigned URLs of one object are one output, and
 * a signature never lands in the queue's records or messages. */
typedef struct reelay_job_output_names {
    size_t count;
    const char *name[REELAY_JOB_MAX_OUTPUTS]; /* a path in doc, or one of shown[] */
    char shown[REELAY_JOB_MAX_OUTPUTS][REELAY_SHOWN_INPUT_MAX];
} reelay_job_output_names;
void reelay_job_output_names_of(const json_t *doc, reelay_job_output_names *names);

/* What an operator lets a job ask for (`reelay worker` and `reelay serve`
 * flags): a job may lower each limit, never raise it. */
typedef struct reelay_job_ceilings {
    reelay_render_options limits; /* the max-* limits, and page_engine.no_sandbox (--no-page-sandbox), which
                                   * every job takes; the rest unused */
    int max_fps;                  /* default 60 */
    /* --allow-url: the URLs a job may name as its input or outputs
     * (net/url_policy.h); none when empty */
    reelay_url_policy urls;
} reelay_job_ceilings;

/* The ceilings when the operator sets none: the render defaults for the
 * limits but 4096 pixels a side, and 60 fps. */
reelay_job_ceilings reelay_job_ceilings_default(void);

/* True when `flag` ("--max-duration", "--max-fps", "--allow-url", ...)
 * sets a ceiling. */
bool reelay_job_ceiling_flag(const char *flag);

/* Sets the ceiling named by flag from its text (the render option's
 * spelling); REELAY_E_USAGE for a bad value or an unknown flag. */
int reelay_job_ceiling_set(reelay_job_ceilings *ceilings, const char *flag, const char *value, reelay_err *err);

/* Holds a parsed job to the ceilings: a limit the job did not set takes the
 * ceiling; its URLs are held to the ceilings' list (options.ingest.urls
 * points to it: the ceilings must outlive the job); a URL input or output
 * the list does not allow, or a limit, fps or output size set above its
 * ceiling is refused,
 * REELAY_E_USAGE with REELAY_ERR_LASTING, the message naming the option
 * and the ceiling ("job x: options.fps 240 is above this service's ceiling
 * of 60 fps"). */
int reelay_job_apply_ceilings(reelay_job *job, const reelay_job_ceilings *ceilings, const char *where,
                              reelay_err *err);

typedef enum reelay_job_status {
    REELAY_JOB_DONE = 0,
    REELAY_JOB_FAILED,
} reelay_job_status;

/* Where one file of a done job went: "outputs": [{"role": "video",
 * "url": "s3://b/k" (or "path": "/d/v.webm"), "bytes": N}, ...], the video
 * first, a URL as displayed (no query, no credentials). */
typedef struct reelay_job_output {
    char role[16];   /* "video", "poster", "preview", "manifest", "email_html" */
    char where[1024];
    bool url;        /* where is a URL ("url"), else a path ("path") */
    int64_t bytes;
} reelay_job_output;

typedef struct reelay_job_result {
    char id[REELAY_JOB_ID_MAX + 1];
    reelay_job_status status;
    char output[1024]; /* as the job named it; a URL as displayed */
    int64_t bytes, frames;
    char sha256[65];
    double duration_s, render_s;
    int attempts;
    int error_code;          /* REELAY_E_*, 0 when done */
    bool lasting;            /* the error will not pass by retrying (REELAY_ERR_LASTING): "lasting": true */
    char error_message[1024]; /* "" when done */
    int output_count;        /* done: the files written */
    reelay_job_output outputs[REELAY_JOB_MAX_OUTPUTS];
} reelay_job_result;

/* Whether a failed result's error may pass with time (a crash, a full
 * disk, an I/O error, a timeout), so the job is worth another attempt; bad
 * input, usage, limits and lasting errors never are. */
bool reelay_job_result_retryable(const reelay_job_result *result);

/* "usage", "input", "io", "internal" (and "ok" for 0). */
const char *reelay_job_error_name(int code);

/* The result document (a new reference), NULL when out of memory. */
json_t *reelay_job_result_to_json(const reelay_job_result *result);

/* Reads a result document back (for the service and tests). */
int reelay_job_result_from_json(const json_t *doc, reelay_job_result *result, reelay_err *err);

#endif
