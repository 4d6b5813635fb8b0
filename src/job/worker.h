/* worker.h — the loop of `reelay worker`: take a job, render it, record the
 * result, again.
 * Owns: the order of those steps and what a failure at each means. A job
 * runs in a child process (job/pool.h), so a crash fails that job only;
 * the claim is heartbeated while it runs; a job document that does not
 * parse or validate fails at once with its error; a stop request (SIGTERM
 * in the CLI) lets the running job finish, then the loop returns. */
#ifndef REELAY_JOB_WORKER_H
#define REELAY_JOB_WORKER_H

#include <signal.h>
#include <stdbool.h>

#include "core/error.h"
#include "job/queue.h"

typedef struct reelay_worker_options {
    double poll_s;          /* wait between looks at an empty queue */
    bool exit_when_empty;   /* return once there is nothing to claim */
    long max_jobs;          /* return after this many jobs; 0 = no limit */
    volatile sig_atomic_t *stop; /* set (by a signal handler) to stop taking jobs; may be NULL */
    double heartbeat_s;     /* how often a running job's claim is renewed */
    /* one line per event (claimed, done, failed, retried); may be NULL */
    void (*log)(void *context, const char *line);
    void *log_context;
} reelay_worker_options;

typedef struct reelay_worker_stats {
    long done, failed, retried;
    long unrecorded; /* rendered, but the result could not be stored: the job comes back after its lease */
} reelay_worker_stats;

/* Runs until stopped, or the queue is empty (exit_when_empty), or max_jobs.
 * Only errors taking a job end it early (REELAY_E_IO...); job failures do
 * not, nor does a result the queue would not store (logged, counted in
 * stats->unrecorded). */
int reelay_worker_run(reelay_queue *queue, const reelay_worker_options *options, reelay_worker_stats *stats,
                      reelay_err *err);

#endif
