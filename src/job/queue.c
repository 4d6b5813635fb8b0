#include "job/queue.h"

#include <stdlib.h>
#include <string.h>

#include "job/queue_backend.h"

struct reelay_queue {
    const reelay_queue_ops *ops;
    void *impl;
};

int reelay_queue_open(const char *spec, double lease_s, reelay_queue **out, reelay_err *err)
{
    return reelay_queue_open_wait(spec, lease_s, REELAY_QUEUE_DEFAULT_WAIT_S, out, err);
}

int reelay_queue_open_wait(const char *spec, double lease_s, double wait_s, reelay_queue **out, reelay_err *err)
{
    *out = NULL;
    if (!(lease_s >= 1 && lease_s <= 86400))
        return reelay_err_set(err, REELAY_E_USAGE, "bad lease %g s: expected 1 s to a day", lease_s);
    if (!(wait_s >= 1 && wait_s <= 3600))
        return reelay_err_set(err, REELAY_E_USAGE, "bad wait %g s: expected 1 s to an hour", wait_s);
    const reelay_queue_ops *ops = NULL;
    void *impl = NULL;
    int rc;
    if (spec && strncmp(spec, "dir:", 4) == 0 && spec[4])
        rc = reelay_queue_dir_open(spec + 4, lease_s, &ops, &impl, err);
    else if (spec && strncmp(spec, "redis://", 8) == 0)
        rc = reelay_queue_redis_open(spec + 8, lease_s, wait_s, &ops, &impl, err);
    else
        return reelay_err_set(err, REELAY_E_USAGE, "bad queue '%s': expected dir:PATH or redis://HOST:PORT[/DB]",
                              spec ? spec : "");
    if (rc != REELAY_OK) return rc;
    reelay_queue *q = calloc(1, sizeof *q);
    if (!q) {
        ops->close(impl);
        return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    }
    q->ops = ops;
    q->impl = impl;
    *out = q;
    return REELAY_OK;
}

void reelay_queue_close(reelay_queue *q)
{
    if (!q) return;
    q->ops->close(q->impl);
    free(q);
}

void reelay_claim_free(reelay_claim *claim)
{
    if (!claim) return;
    json_decref(claim->doc);
    free(claim->backend);
    memset(claim, 0, sizeof *claim);
}

int reelay_queue_submit(reelay_queue *q, json_t *doc, reelay_err *err)
{
    reelay_job job;
    int rc = reelay_job_from_json(doc, "job", &job, err);
    if (rc != REELAY_OK) return rc;
    char id[REELAY_JOB_ID_MAX + 1];
    memcpy(id, job.id, sizeof id);
    reelay_job_free(&job);
    return q->ops->submit(q->impl, doc, id, err);
}

int reelay_queue_claim(reelay_queue *q, reelay_claim *claim, bool *got, reelay_err *err)
{
    memset(claim, 0, sizeof *claim);
    *got = false;
    int rc = q->ops->claim(q->impl, claim, got, err);
    if (rc != REELAY_OK) {
        reelay_claim_free(claim);
        *got = false;
    }
    return rc;
}

int reelay_queue_heartbeat(reelay_queue *q, const reelay_claim *claim, reelay_err *err)
{
    return q->ops->heartbeat(q->impl, claim, err);
}

int reelay_queue_finish(reelay_queue *q, reelay_claim *claim, const reelay_job_result *result, bool *retried,
                        reelay_err *err)
{
    *retried = false;
    /* Failures that may pass are tried again; the rest fail at once. */
    if (reelay_job_result_retryable(result) && claim->attempts < REELAY_QUEUE_MAX_ATTEMPTS) {
        int rc = q->ops->requeue(q->impl, claim, false, err);
        if (rc == REELAY_OK) *retried = true;
        return rc;
    }
    return q->ops->complete(q->impl, claim, result, err);
}

int reelay_queue_release(reelay_queue *q, reelay_claim *claim, reelay_err *err)
{
    return q->ops->requeue(q->impl, claim, true, err);
}

int reelay_queue_status(reelay_queue *q, const char *id, reelay_job_state *state, json_t **result, reelay_err *err)
{
    *state = REELAY_STATE_UNKNOWN;
    if (result) *result = NULL;
    if (!reelay_job_id_valid(id)) return reelay_err_set(err, REELAY_E_USAGE, "bad job id");
    return q->ops->status(q->impl, id, state, result, err);
}

int reelay_queue_counts_get(reelay_queue *q, reelay_queue_counts *counts, reelay_err *err)
{
    memset(counts, 0, sizeof *counts);
    return q->ops->counts(q->impl, counts, err);
}

int reelay_queue_trim(reelay_queue *q, double older_than_s, long *removed, reelay_err *err)
{
    *removed = 0;
    if (!(older_than_s >= 0)) return reelay_err_set(err, REELAY_E_USAGE, "bad retention %g s", older_than_s);
    if (!q->ops->trim) return reelay_err_set(err, REELAY_E_INTERNAL, "the %s queue cannot trim", q->ops->name);
    return q->ops->trim(q->impl, older_than_s, removed, err);
}

const char *reelay_queue_backend(const reelay_queue *q)
{
    return q->ops->name;
}
