/* pool.h — running render jobs in child processes, a few at a time.
 * Owns: one child process per job (a crash or a leak in one render cannot
 * take the others or the caller down, and children share nothing, so there
 * is no lock on the hot path), the pipe each child reports on (progress and
 * its result document), and reaping. The caller must not have threads
 * running when it calls reelay_pool_run (children are forked). A child
 * dies with its parent, so a killed worker leaves no render running. */
#ifndef REELAY_JOB_POOL_H
#define REELAY_JOB_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "job/job.h"

typedef struct reelay_pool_events {
    void *context;
    void (*started)(void *context, size_t index);                               /* may be NULL */
    void (*progress)(void *context, size_t index, int64_t frame, int64_t total); /* may be NULL */
    void (*finished)(void *context, size_t index, const reelay_job_result *result);
    /* May be NULL: called about every tick_ms while jobs run. A reason
     * (text the caller keeps) kills every running render at once (SIGKILL:
     * nothing is published), each ending failed with it, and starts no
     * more; NULL goes on. */
    const char *(*tick)(void *context);
    int tick_ms;
    /* May be NULL: asked when a render has every file complete and waits
     * to publish them. NULL lets it; a reason makes it give up instead,
     * its job failing with that reason. */
    const char *(*may_publish)(void *context, size_t index);
    /* A render running longer is killed, its job failed ("took longer
     * than ..."); 0 = no limit. */
    double timeout_s;
} reelay_pool_events;

/* Runs jobs[0..count), at most `parallel` (>= 1) at once, in order of
 * index; returns when every job has finished. Each job ends in exactly one
 * `finished` call: a child that dies without reporting (a signal, an exit)
 * gives a failed result with code "internal" saying how it died (its
 * temporary files die with it: core/atomic_file.h). When a process cannot be started
 * (fork or pipe failing), the running ones finish, the jobs not started
 * end failed with that message, and REELAY_E_INTERNAL is returned. */
int reelay_pool_run(const reelay_job *jobs, size_t count, int parallel, const reelay_pool_events *events,
                    reelay_err *err);

#endif
