/* cli.h — the subcommands of the `reelay` executable.
 * Owns: argument parsing and printing for each subcommand; the work itself is
 * done by the library. Each returns a process exit code (DESIGN.md §7). */
#ifndef REELAY_CLI_CLI_H
#define REELAY_CLI_CLI_H

#include <stdbool.h>

#include "core/buf.h"
#include "ingest/ingest.h"
#include "job/job.h"
#include "net/s3.h"
#include "source/posthog_source.h"

int reelay_cmd_info(int argc, char **argv);
int reelay_cmd_frame(int argc, char **argv);
int reelay_cmd_render(int argc, char **argv);
int reelay_cmd_batch(int argc, char **argv);
int reelay_cmd_worker(int argc, char **argv);
int reelay_cmd_submit(int argc, char **argv);
int reelay_cmd_serve(int argc, char **argv);
int reelay_cmd_extract(int argc, char **argv);
int reelay_cmd_list(int argc, char **argv);

/* The operator's PostHog settings from the environment (POSTHOG_HOST,
 * POSTHOG_PROJECT_ID, POSTHOG_API_KEY); remote_settings.c. */
reelay_posthog_settings reelay_cli_posthog_env(void);

/* --posthog-host H and --posthog-project P override the environment's
 * host and project (the key only ever comes from the environment: a
 * command line is visible to every user of the machine). True when arg is
 * one of them with a value (then the caller skips the value). */
bool reelay_cli_posthog_flag(const char *arg, const char *value, reelay_posthog_settings *settings);

/* Reads the S3 settings from the usual AWS_* environment into *s3 and points
 * ingest (its s3 and posthog) at them and at posthog; both must outlive its
 * use. REELAY_E_USAGE for a malformed setting. */
int reelay_cli_remote_access(reelay_s3_config *s3, const reelay_posthog_settings *posthog,
                             reelay_ingest_options *ingest, reelay_err *err);

/* Recordings named on the command line or, for "-", one per line on
 * standard input (blank lines and "# comments" skipped, spaces around a
 * name dropped); inputs.c. Names point into argv or into listed. */
typedef struct reelay_cli_inputs {
    char **names;
    size_t count, cap;
    reelay_buf listed; /* standard input's text, once read */
} reelay_cli_inputs;
int reelay_cli_inputs_add(reelay_cli_inputs *inputs, char *name, reelay_err *err);
/* Reads standard input whole (at most 64 MiB) and adds its names. */
int reelay_cli_inputs_read_list(reelay_cli_inputs *inputs, reelay_err *err);
void reelay_cli_inputs_free(reelay_cli_inputs *inputs);

/* The job id of inputs->names[index]: its shown name's last segment up to
 * the first '.', as [A-Za-z0-9_-] (at most 48; "recording" when empty),
 * "-N" (N = index + 1) added when one of the ids of the earlier inputs,
 * earlier[0..index), is the same. "dir/Session 1.json.gz" -> "Session_1". */
void reelay_cli_job_id(const reelay_cli_inputs *inputs, size_t index, const char (*earlier)[REELAY_JOB_ID_MAX + 1],
                       char out[REELAY_JOB_ID_MAX + 1]);

/* The usage lines of those flags. */
#define REELAY_CLI_POSTHOG_USAGE                                                                                   \
    "  --posthog-host H, --posthog-project P   posthog:// inputs: PostHog's address and project (default:\n"      \
    "                   POSTHOG_HOST or https://us.posthog.com, POSTHOG_PROJECT_ID; the key: POSTHOG_API_KEY)\n"

#endif
