/* queue.h — where render jobs wait and where their results go.
 * Owns: the queue interface the worker, `submit` and the service use, and
 * the choice of backend from a spec: "dir:PATH" (a spool directory on a
 * shared or local disk, no server; job/queue_dir.c) or
 * "redis://HOST:PORT[/DB]" (a Redis stream with a consumer group, for
 * workers on many machines; job/queue_redis.c); backends implement
 * job/queue_backend.h. Delivery is at least
 * once: a claimed job whose worker stops heartbeating is handed to another
 * worker after the lease; after REELAY_QUEUE_MAX_ATTEMPTS claims it fails
 * for good. Each job ends in exactly one result. */
#ifndef REELAY_JOB_QUEUE_H
#define REELAY_JOB_QUEUE_H

#include <jansson.h>
#include <stdbool.h>

#include "core/error.h"
#include "job/job.h"

#define REELAY_QUEUE_MAX_ATTEMPTS 3
#define REELAY_QUEUE_DEFAULT_LEASE_S 60.0

typedef struct reelay_queue reelay_queue;

/* A job taken from the queue. */
typedef struct reelay_claim {
    char id[REELAY_JOB_ID_MAX + 1];
    json_t *doc;  /* the job document (owned); NULL when it did not parse */
    int attempts; /* this claim included */
    char problem[512]; /* why doc is NULL: the job is failed at once */
    void *backend;     /* the backend's own data about the claim (malloc'd, freed with the claim) */
} reelay_claim;

typedef enum reelay_job_state {
    REELAY_STATE_UNKNOWN = 0,
    REELAY_STATE_QUEUED,
    REELAY_STATE_RUNNING,
    REELAY_STATE_DONE,
    REELAY_STATE_FAILED,
} reelay_job_state;

/* How long an operation (opening included) keeps trying to reach a queue
 * server that does not answer before it fails: a worker waits out a
 * restart; a command line or an HTTP request says so briefly. */
#define REELAY_QUEUE_DEFAULT_WAIT_S 60.0
#define REELAY_QUEUE_BRIEF_WAIT_S 3.0

/* "dir:PATH" (the directory is created with its subdirectories, which must
 * be writable) or "redis://HOST:PORT[/DB]" (connecting waits up to
 * REELAY_QUEUE_DEFAULT_WAIT_S for the server). lease_s: how long a claim
 * lives without a heartbeat. REELAY_E_USAGE for a bad spec, REELAY_E_IO when
 * it cannot be opened. */
int reelay_queue_open(const char *spec, double lease_s, reelay_queue **out, reelay_err *err);
/* The same, waiting wait_s (1 s to an hour) instead, at opening and later. */
int reelay_queue_open_wait(const char *spec, double lease_s, double wait_s, reelay_queue **out, reelay_err *err);
void reelay_queue_close(reelay_queue *queue);

/* Enqueues a job document (validated first: REELAY_E_USAGE, nothing
 * queued). An id already queued, running or finished is REELAY_E_USAGE.
 * Output names belong to one job: a job naming a file (its output or a
 * sidecar, reelay_job_output_paths) that a job known to the queue names
 * too is refused, REELAY_E_USAGE with REELAY_ERR_LASTING set and a message
 * "output PATH belongs to job ID", until that job is trimmed. */
int reelay_queue_submit(reelay_queue *queue, json_t *job_doc, reelay_err *err);

/* Takes the next job, first returning expired claims to the queue (or
 * failing them after REELAY_QUEUE_MAX_ATTEMPTS). *got false when there is
 * none, and after an error (nothing is claimed then). */
int reelay_queue_claim(reelay_queue *queue, reelay_claim *claim, bool *got, reelay_err *err);

/* Keeps a claim alive. A claim that is no longer ours fails with
 * REELAY_ERR_LOST_CLAIM set (heartbeat, finish and release alike); any
 * other failure (the queue unreachable) leaves it unknown. */
int reelay_queue_heartbeat(reelay_queue *queue, const reelay_claim *claim, reelay_err *err);

/* Finishes a claim with its result: stored, then the claim is removed.
 * A failed result whose error may pass (code "internal" or "io") and with
 * attempts left goes back to the queue instead (retry = true). When the
 * result cannot be stored the claim stays as it was: the job goes back to
 * the queue when its lease runs out, as if its worker had died. */
int reelay_queue_finish(reelay_queue *queue, reelay_claim *claim, const reelay_job_result *result, bool *retried,
                        reelay_err *err);

/* Gives a claim back untouched (a worker stopping), its attempt uncounted. */
int reelay_queue_release(reelay_queue *queue, reelay_claim *claim, reelay_err *err);

void reelay_claim_free(reelay_claim *claim);

/* "dir" or "redis". */
const char *reelay_queue_backend(const reelay_queue *queue);

/* Where job `id` stands; with a result (a new reference, may be NULL) when
 * finished. */
int reelay_queue_status(reelay_queue *queue, const char *id, reelay_job_state *state, json_t **result,
                        reelay_err *err);

/* Retention: forgets jobs finished (done or failed) more than
 * older_than_s seconds ago, with everything the queue kept about them
 * (results, attempts, output ownership, dead letters), and the backend's
 * own leftovers (dead consumers, stray temporary files). *removed counts
 * the jobs forgotten. Outputs are never touched. Safe to run from many
 * workers at once. */
#define REELAY_QUEUE_DEFAULT_RETENTION_S (7 * 86400.0)
int reelay_queue_trim(reelay_queue *queue, double older_than_s, long *removed, reelay_err *err);

/* Jobs by state, for metrics and tests. */
typedef struct reelay_queue_counts {
    long queued, running, done, failed;
} reelay_queue_counts;
int reelay_queue_counts_get(reelay_queue *queue, reelay_queue_counts *counts, reelay_err *err);

#endif
