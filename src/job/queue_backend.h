/* queue_backend.h — what a queue backend provides (for job/queue.c and the
 * backends only). Each backend keeps its own state behind `impl`; every
 * operation has the meaning documented in job/queue.h. */
#ifndef REELAY_JOB_QUEUE_BACKEND_H
#define REELAY_JOB_QUEUE_BACKEND_H

#include "job/queue.h"

typedef struct reelay_queue_ops {
    const char *name; /* "dir", "redis" */
    int (*submit)(void *impl, json_t *job_doc, const char *id, reelay_err *err);
    int (*claim)(void *impl, reelay_claim *claim, bool *got, reelay_err *err);
    int (*heartbeat)(void *impl, const reelay_claim *claim, reelay_err *err);
    /* stores a final result (done, or failed for good) and drops the claim */
    int (*complete)(void *impl, reelay_claim *claim, const reelay_job_result *result, reelay_err *err);
    /* puts a claimed job back in the queue; uncount: its attempt does not count */
    int (*requeue)(void *impl, reelay_claim *claim, bool uncount, reelay_err *err);
    int (*status)(void *impl, const char *id, reelay_job_state *state, json_t **result, reelay_err *err);
    int (*counts)(void *impl, reelay_queue_counts *counts, reelay_err *err);
    int (*trim)(void *impl, double older_than_s, long *removed, reelay_err *err);
    void (*close)(void *impl);
} reelay_queue_ops;

/* Backends: open from the spec's text after the scheme. */
int reelay_queue_dir_open(const char *path, double lease_s, const reelay_queue_ops **ops, void **impl,
                          reelay_err *err);
/* "HOST:PORT[/DB]" (the text after "redis://"); HOST may be an IPv6
 * address in brackets. wait_s: how long to keep trying an unreachable
 * server. */
int reelay_queue_redis_open(const char *spec_after_scheme, double lease_s, double wait_s,
                            const reelay_queue_ops **ops, void **impl, reelay_err *err);

#endif
