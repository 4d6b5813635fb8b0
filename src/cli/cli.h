/* cli.h — the subcommands of the `reelay` executable.
 * Owns: argument parsing and printing for each subcommand; the work itself is
 * done by the library. Each returns a process exit code (DESIGN.md §7). */
#ifndef REELAY_CLI_CLI_H
#define REELAY_CLI_CLI_H

#include <stdbool.h>

#include "ingest/ingest.h"
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

/* The usage lines of those flags. */
#define REELAY_CLI_POSTHOG_USAGE                                                                                   \
    "  --posthog-host H, --posthog-project P   posthog:// inputs: PostHog's address and project (default:\n"      \
    "                   POSTHOG_HOST or https://us.posthog.com, POSTHOG_PROJECT_ID; the key: POSTHOG_API_KEY)\n"

#endif
