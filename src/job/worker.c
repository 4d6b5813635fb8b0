#include "job/worker.h"

#include <errno.h>
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

static void on_tick(void *context)
{
    running *r = context;
    reelay_err err;
    /* A failed heartbeat means the claim may be someone else's now: the
     * finish after the render finds out and keeps its result out. */
    reelay_queue_heartbeat(r->queue, r->claim, &err);
}

static void failed_now(const reelay_claim *claim, int code, const char *message, reelay_job_result *r)
{
    memset(r, 0, sizeof *r);
    snprintf(r->id, sizeof r->id, "%s", claim->id);
    r->status = REELAY_JOB_FAILED;
    r->attempts = claim->attempts;
    r->error_code = code;
    snprintf(r->error_message, sizeof r->error_message, "%s", message);
}

/* Runs the claimed job in a child process; fills r->result. */
static void run_claimed(reelay_queue *queue, const reelay_claim *claim, const reelay_worker_options *o, running *r)
{
    reelay_err err;
    reelay_err_clear(&err);
    reelay_job job;
    if (!claim->doc) {
        failed_now(claim, REELAY_E_USAGE, claim->problem, &r->result);
        return;
    }
    char where[128];
    snprintf(where, sizeof where, "job %s", claim->id);
    if (reelay_job_from_json(claim->doc, where, &job, &err) != REELAY_OK) {
        failed_now(claim, REELAY_E_USAGE, err.msg, &r->result);
        return;
    }
    *r = (running){.queue = queue, .claim = claim};
    reelay_pool_events events = {
        .context = r,
        .finished = on_finished,
        .tick = on_tick,
        .tick_ms = (int)(o->heartbeat_s * 1000),
    };
    if (reelay_pool_run(&job, 1, 1, &events, &err) != REELAY_OK && !r->finished)
        failed_now(claim, REELAY_E_INTERNAL, err.msg, &r->result);
    r->result.attempts = claim->attempts;
    reelay_job_free(&job);
}

int reelay_worker_run(reelay_queue *queue, const reelay_worker_options *o, reelay_worker_stats *stats,
                      reelay_err *err)
{
    memset(stats, 0, sizeof *stats);
    long taken = 0;
    while (!(o->stop && *o->stop) && !(o->max_jobs > 0 && taken >= o->max_jobs)) {
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
        running r = {0};
        run_claimed(queue, &claim, o, &r);
        bool retried = false;
        rc = reelay_queue_finish(queue, &claim, &r.result, &retried, err);
        if (rc != REELAY_OK) {
            /* The lease ran out and another worker has it, or the queue
             * refused the result (a full or read-only disk, Redis out of
             * memory): the claim stays, and expires. */
            stats->unrecorded++;
            say(o, "%s: the result was not recorded: %s", claim.id, err->msg);
            reelay_claim_free(&claim);
            continue;
        }
        if (retried) {
            stats->retried++;
            say(o, "%s failed (attempt %d, will retry): %s", claim.id, claim.attempts, r.result.error_message);
        } else if (r.result.status == REELAY_JOB_DONE) {
            stats->done++;
            say(o, "%s done in %.1f s: %s (%lld frames)", claim.id, r.result.render_s, r.result.output,
                (long long)r.result.frames);
        } else {
            stats->failed++;
            say(o, "%s failed: %s", claim.id, r.result.error_message);
        }
        reelay_claim_free(&claim);
    }
    return REELAY_OK;
}
