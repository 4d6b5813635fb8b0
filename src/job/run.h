/* run.h — running one render job in this process.
 * Owns: the steps of a job (read the input, render it to its output,
 * atomically) and the filling of its result; the same code as
 * `reelay render`. Every failure becomes a failed result with an error code
 * and a message naming the input; nothing here exits or leaves a partial
 * output behind. */
#ifndef REELAY_JOB_RUN_H
#define REELAY_JOB_RUN_H

#include "job/job.h"

/* Runs job (its options.progress, if set, is called as the render goes) and
 * fills result; attempts is set to `attempt`. Returns result->status. */
reelay_job_status reelay_job_run(const reelay_job *job, int attempt, reelay_job_result *result);

#endif
