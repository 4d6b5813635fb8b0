#include "job/run.h"

#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "ingest/ingest.h"
#include "sink/sink.h"
#include "source/source.h"

/* Where each file went, for the result. */
static void record_outputs(const reelay_sink *sink, reelay_job_result *result)
{
    for (int i = 0; i < sink->count && result->output_count < REELAY_JOB_MAX_OUTPUTS; i++) {
        const reelay_sink_output *out = &sink->outputs[i];
        reelay_job_output *o = &result->outputs[result->output_count++];
        snprintf(o->role, sizeof o->role, "%s", reelay_sink_role_name(out->role));
        reelay_source_shown_input(out->target, o->where, sizeof o->where); /* as out->shown, cut to fit */
        o->url = out->kind != REELAY_SINK_LOCAL;
        o->bytes = out->bytes;
    }
}

reelay_job_status reelay_job_run(const reelay_job *job, int attempt, reelay_job_result *result)
{
    memset(result, 0, sizeof *result);
    snprintf(result->id, sizeof result->id, "%s", job->id);
    /* a presigned URL's query is a credential: results show URLs without it */
    reelay_source_shown_input(job->output, result->output, sizeof result->output);
    result->attempts = attempt;
    double started = reelay_monotonic_s();
    reelay_err err;
    reelay_err_clear(&err);
    char shown_input[REELAY_SHOWN_INPUT_MAX];
    reelay_source_shown_input(job->input, shown_input, sizeof shown_input);
    reelay_session *session = NULL;
    reelay_render_options options = job->options;
    options.input_name = job->input; /* names an attached recording */
    /* Outputs that are URLs are checked before the input is read, and the
     * render writes them into the sink's private directory; the sink asks
     * options.before_publish (the worker's claim check) once every byte it
     * can send unseen has gone, just before any file appears. */
    reelay_sink sink;
    int rc = reelay_sink_begin(&sink, &options, &err);
    reelay_ingest_options ingest = job->options.ingest;
    ingest.unmask_inputs = job->options.unmask_inputs; /* URL parameters too */
    if (rc == REELAY_OK) rc = reelay_ingest_path(job->input, &ingest, &session, &err);
    reelay_render_result rendered;
    if (rc == REELAY_OK) {
        rc = reelay_render(session, &options, &rendered, &err);
        if (rc == REELAY_E_INPUT) reelay_err_prefix(&err, "%s", shown_input);
    }
    if (rc == REELAY_OK) rc = reelay_sink_publish(&sink, &err);
    if (rc == REELAY_OK) record_outputs(&sink, result);
    reelay_sink_end(&sink);
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
