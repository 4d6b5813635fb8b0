#include "job/run.h"

#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "ingest/ingest.h"

reelay_job_status reelay_job_run(const reelay_job *job, int attempt, reelay_job_result *result)
{
    memset(result, 0, sizeof *result);
    snprintf(result->id, sizeof result->id, "%s", job->id);
    snprintf(result->output, sizeof result->output, "%s", job->output);
    result->attempts = attempt;
    double started = reelay_monotonic_s();
    reelay_err err;
    reelay_err_clear(&err);
    reelay_session *session = NULL;
    reelay_ingest_options ingest = job->options.ingest;
    ingest.unmask_inputs = job->options.unmask_inputs; /* URL parameters too */
    int rc = reelay_ingest_path(job->input, &ingest, &session, &err);
    reelay_render_result rendered;
    if (rc == REELAY_OK) {
        reelay_render_options options = job->options;
        options.input_name = job->input; /* names an attached recording */
        rc = reelay_render(session, &options, &rendered, &err);
        if (rc == REELAY_E_INPUT) reelay_err_prefix(&err, "%s", job->input);
    }
    reelay_session_free(session);
    result->render_s = reelay_monotonic_s() - started;
    if (rc != REELAY_OK) {
        result->status = REELAY_JOB_FAILED;
        result->error_code = rc;
        result->lasting = (err.flags & REELAY_ERR_LASTING) != 0;
        snprintf(result->error_message, sizeof result->error_message, "%s", err.msg);
        return result->status;
    }
    result->status = REELAY_JOB_DONE;
    result->bytes = rendered.bytes;
    result->frames = rendered.frames;
    result->duration_s = rendered.duration_s;
    snprintf(result->sha256, sizeof result->sha256, "%s", rendered.sha256);
    return result->status;
}
