/* The command line's PostHog settings: read once from the environment and
 * the flags, then handed to the library (source/posthog_source.h), which
 * reads no environment itself. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

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
