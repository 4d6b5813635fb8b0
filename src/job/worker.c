#include "job/worker.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "job/pool.h"

typedef struct running {
    reelay_queue *queue;
    const reelay_claim *claim;
    reelay_job_result result;
    bool finished;
    bool lost;          /* the claim is someone else's now */
    char lost_why[700]; /* the render's error then */
} running;

static void say(const reelay_worker_options *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(const reelay_worker_options *o, const char *fmt, ...)
{
    if (!o->log) return;
    char line[1400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    o->log(o->log_context, line);
}

static void on_finished(void *context, size_t index, const reelay_job_result *result)
{
    (void)index;
    running *r = context;
    r->result = *result;
    r->finished = true;
}

/* Renews the claim; the reason to stop when it is lost, else NULL. A
 * queue that does not answer is not a loss: the check before publishing
 * decides then. */
static const char *keep_claim(running *r, bool must_confirm)
{
    reelay_err err;
    reelay_err_clear(&err);
    int rc = reelay_queue_heartbeat(r->queue, r->claim, &err);
    if (rc == REELAY_OK) return NULL;
    if (!(err.flags & REELAY_ERR_LOST_CLAIM) && !must_confirm) return NULL;
    if (err.flags & REELAY_ERR_LOST_CLAIM) r->lost = true;
    snprintf(r->lost_why, sizeof r->lost_why, "%s the job: %.600s",
             r->lost ? "another worker took" : "cannot confirm that this worker still holds", err.msg);
    return r->lost_why;
}

static const char *on_tick(void *context)
{
    return keep_claim(context, false);
}

static const char *on_may_publish(void *context, size_t index)
{
    (void)index;
    return keep_claim(context, true);
}

static void failed_now(const reelay_claim *claim, int code, const reelay_err *err, const char *message,
                       reelay_job_result *r)
{
    memset(r, 0, sizeof *r);
    snprintf(r->id, sizeof r->id, "%s", claim->id);
    r->status = REELAY_JOB_FAILED;
    r->attempts = claim->attempts;
    r->error_code = code;
    r->lasting = code == REELAY_E_USAGE || (err && (err->flags & REELAY_ERR_LASTING));
    snprintf(r->error_message, sizeof r->error_message, "%s", message);
}

/* Runs the claimed job in a child process; fills r->result. */
static void run_claimed(reelay_queue *queue, const reelay_claim *claim, const reelay_worker_options *o, running *r)
{
    reelay_err err;
    reelay_err_clear(&err);
    reelay_job job;
    if (!claim->doc) {
        failed_now(claim, REELAY_E_USAGE, NULL, claim->problem, &r->result);
        return;
    }
    char where[128];
    snprintf(where, sizeof where, "job %s", claim->id);
    reelay_job_ceilings defaults = reelay_job_ceilings_default();
    if (reelay_job_from_json(claim->doc, where, &job, &err) != REELAY_OK) {
        failed_now(claim, REELAY_E_USAGE, &err, err.msg, &r->result);
        return;
    }
    if (reelay_job_apply_ceilings(&job, o->ceilings ? o->ceilings : &defaults, where, &err) != REELAY_OK) {
        failed_now(claim, REELAY_E_USAGE, &err, err.msg, &r->result);
        reelay_job_free(&job);
        return;
    }
    *r = (running){.queue = queue, .claim = claim};
    reelay_pool_events events = {
        .context = r,
        .finished = on_finished,
        .tick = on_tick,
        .tick_ms = (int)(o->heartbeat_s * 1000),
        .may_publish = on_may_publish,
        .timeout_s = o->job_timeout_s,
    };
    if (reelay_pool_run(&job, 1, 1, &events, &err) != REELAY_OK && !r->finished)
        failed_now(claim, REELAY_E_INTERNAL, NULL, err.msg, &r->result);
    r->result.attempts = claim->attempts;
    reelay_job_free(&job);
}

/* Waits `seconds` keeping the claim alive; false when it was lost (or a
 * stop was asked for, which cuts the wait short but keeps the claim). */
static bool wait_holding(running *r, const reelay_worker_options *o, double seconds)
{
    double until = reelay_monotonic_s() + seconds;
    while (reelay_monotonic_s() < until) {
        if (o->stop && *o->stop) return true;
        double step = fmin(until - reelay_monotonic_s(), fmax(o->heartbeat_s, 0.05));
        reelay_sleep_s(step > 0 ? step : 0);
        if (keep_claim(r, false)) return false;
    }
    return true;
}

/* Hands the result to the queue; a queue that cannot take it now (a
 * restart, a full disk) gets it again after a backoff, for a while. */
static int record(reelay_queue *queue, reelay_claim *claim, running *r, const reelay_worker_options *o,
                  bool *retried, reelay_err *err)
{
    double backoff = 0.5, given_up = reelay_monotonic_s() + o->result_keep_s;
    for (;;) {
        int rc = reelay_queue_finish(queue, claim, &r->result, retried, err);
        if (rc == REELAY_OK || (err->flags & REELAY_ERR_LOST_CLAIM) || reelay_monotonic_s() > given_up ||
            (o->stop && *o->stop))
            return rc;
        say(o, "%s: the queue did not take the result (%s); trying again in %.1f s", claim->id, err->msg, backoff);
        if (!wait_holding(r, o, backoff)) return reelay_err_set(err, REELAY_E_IO, "%s", r->lost_why);
        backoff = fmin(backoff * 2, 30);
    }
}

/* A failure that will be retried waits first, holding the claim, so a
 * passing fault (a full disk, a restarting server) has time to pass. */
static bool back_off_before_retry(running *r, const reelay_claim *claim, const reelay_worker_options *o)
{
    if (!reelay_job_result_retryable(&r->result) || claim->attempts >= REELAY_QUEUE_MAX_ATTEMPTS) return true;
    double wait = o->retry_backoff_s * pow(2, claim->attempts - 1);
    if (wait <= 0) return true;
    say(o, "%s failed (attempt %d): %s; retrying after %.0f s", claim->id, claim->attempts, r->result.error_message,
        wait);
    return wait_holding(r, o, wait);
}

static void trim_now(reelay_queue *queue, const reelay_worker_options *o)
{
    reelay_err err;
    reelay_err_clear(&err);
    long removed = 0;
    if (reelay_queue_trim(queue, o->retention_s, &removed, &err) != REELAY_OK)
        say(o, "trimming finished jobs failed (will try again later): %s", err.msg);
    else if (removed > 0)
        say(o, "trimmed %ld finished job(s) older than %.0f s", removed, o->retention_s);
}

/* One claimed job, from run to recorded result. */
static void handle(reelay_queue *queue, reelay_claim *claim, const reelay_worker_options *o,
                   reelay_worker_stats *stats)
{
    reelay_err err;
    reelay_err_clear(&err);
    running r = {0};
    run_claimed(queue, claim, o, &r);
    if (r.lost || !back_off_before_retry(&r, claim, o)) {
        /* Another worker has the job: what this one made is dropped (it
         * published nothing), and the queue keeps the other's result. */
        stats->lost++;
        say(o, "%s: dropped: %s", claim->id, r.lost_why);
        return;
    }
    bool retried = false;
    if (record(queue, claim, &r, o, &retried, &err) != REELAY_OK) {
        /* The lease ran out and another worker has it, or the queue
         * refused the result for too long: the claim stays, and expires. */
        if (err.flags & REELAY_ERR_LOST_CLAIM) stats->lost++;
        else stats->unrecorded++;
        say(o, "%s: the result was not recorded: %s", claim->id, err.msg);
        return;
    }
    if (retried) {
        stats->retried++;
        say(o, "%s failed (attempt %d, will retry): %s", claim->id, claim->attempts, r.result.error_message);
    } else if (r.result.status == REELAY_JOB_DONE) {
        stats->done++;
        say(o, "%s done in %.1f s: %s (%lld frames)", claim->id, r.result.render_s, r.result.output,
            (long long)r.result.frames);
    } else {
        stats->failed++;
        say(o, "%s failed: %s", claim->id, r.result.error_message);
    }
}

int reelay_worker_run(reelay_queue *queue, const reelay_worker_options *o, reelay_worker_stats *stats,
                      reelay_err *err)
{
    memset(stats, 0, sizeof *stats);
    long taken = 0;
    double next_trim = reelay_monotonic_s();
    while (!(o->stop && *o->stop) && !(o->max_jobs > 0 && taken >= o->max_jobs)) {
        if (o->retention_s >= 0 && reelay_monotonic_s() >= next_trim) {
            trim_now(queue, o);
            next_trim = reelay_monotonic_s() + REELAY_WORKER_TRIM_EVERY_S;
        }
        reelay_claim claim;
        bool got = false;
        int rc = reelay_queue_claim(queue, &claim, &got, err);
        if (rc != REELAY_OK) return rc;
        if (!got) {
            if (o->exit_when_empty) break;
            reelay_sleep_s(o->poll_s);
            continue;
        }
        taken++;
        say(o, "claimed %s (attempt %d)", claim.id, claim.attempts);
        handle(queue, &claim, o, stats);
        reelay_claim_free(&claim);
    }
    return REELAY_OK;
}
