/* The operator's settings for remote inputs and outputs (PostHog, S3):
 * read once by the command line from the environment and the flags, then
 * handed to the library, which reads no environment itself. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "net/s3.h"

reelay_posthog_settings reelay_cli_posthog_env(void)
{
    return (reelay_posthog_settings){
        .host = getenv("POSTHOG_HOST"),
        .project = getenv("POSTHOG_PROJECT_ID"),
        .api_key = getenv("POSTHOG_API_KEY"),
    };
}

bool reelay_cli_posthog_flag(const char *arg, const char *value, reelay_posthog_settings *settings)
{
    if (!value) return false;
    if (strcmp(arg, "--posthog-host") == 0) settings->host = value;
    else if (strcmp(arg, "--posthog-project") == 0) settings->project = value;
    else return false;
    return true;
}

int reelay_cli_remote_access(reelay_s3_config *s3, const reelay_posthog_settings *posthog,
                             reelay_ingest_options *ingest, reelay_err *err)
{
    int rc = reelay_s3_config_read(s3, getenv, err);
    ingest->s3 = s3;
    ingest->posthog = posthog;
    return rc;
}
