/* worker.h — the loop of `reelay worker`: take a job, render it, record the
 * result, again.
 * Owns: the order of those steps and what a failure at each means. A job
 * runs in a child process (job/pool.h), so a crash fails that job only.
 * The claim is heartbeated while it runs; a claim found lost (its lease ran
 * out and another worker took the job) kills the render at once, and a
 * render publishes its files only after the queue confirmed, a moment
 * before, that the job is still this worker's; a result the queue cannot
 * take yet (a server restarting) is kept and offered again. A job document
 * that does not parse, validate or fit the ceilings fails at once with its
 * error; failures that may pass are retried after a backoff; a stop request
 * (SIGTERM in the CLI) lets the running job finish, then the loop returns.
 * Finished jobs older than the retention are trimmed from the queue now
 * and then. */
#ifndef REELAY_JOB_WORKER_H
#define REELAY_JOB_WORKER_H

#include <signal.h>
#include <stdbool.h>

#include "core/error.h"
#include "job/job.h"
#include "job/queue.h"

#define REELAY_WORKER_DEFAULT_JOB_TIMEOUT_S 3600.0
/* How often a worker trims the queue (it is safe from many workers). */
#define REELAY_WORKER_TRIM_EVERY_S 600.0

typedef struct reelay_worker_options {
    double poll_s;          /* wait between looks at an empty queue */
    bool exit_when_empty;   /* return once there is nothing to claim */
    long max_jobs;          /* return after this many jobs; 0 = no limit */
    volatile sig_atomic_t *stop; /* set (by a signal handler) to stop taking jobs; may be NULL */
    double heartbeat_s;     /* how often a running job's claim is renewed */
    const reelay_job_ceilings *ceilings; /* what a job may ask for; NULL = reelay_job_ceilings_default() */
    double job_timeout_s;   /* a render running longer is killed and its job failed; 0 = no limit */
    double retention_s;     /* finished jobs older than this are trimmed; < 0 = never */
    double retry_backoff_s; /* first wait before a failed job goes back to the queue (doubles per attempt) */
    /* how long a result the queue would not take is offered again (each
     * offer itself waits out the queue's reconnect time); the claim is kept
     * meanwhile. The CLI uses the lease. */
    double result_keep_s;
    /* one line per event (claimed, done, failed, retried); may be NULL */
    void (*log)(void *context, const char *line);
    void *log_context;
} reelay_worker_options;

typedef struct reelay_worker_stats {
    long done, failed, retried;
    long unrecorded; /* rendered, but the result could not be stored: the job comes back after its lease */
    long lost;       /* the claim went to another worker meanwhile: this worker's work was dropped */
} reelay_worker_stats;

/* Runs until stopped, or the queue is empty (exit_when_empty), or max_jobs.
 * Only errors taking a job end it early (REELAY_E_IO...); job failures do
 * not, nor does a result the queue would not store (logged, counted in
 * stats->unrecorded). */
int reelay_worker_run(reelay_queue *queue, const reelay_worker_options *options, reelay_worker_stats *stats,
                      reelay_err *err);

#endif
