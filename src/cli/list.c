/* `reelay list posthog [filters]`: the session ids of a PostHog project's
 * recordings, one per line (or posthog:// URLs), for `reelay batch -` and
 * scripts. The listing itself is source/posthog_source.h's. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "render/options.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: reelay list posthog [--since DATE] [--until DATE] [--person UUID] [--distinct-id ID]\n"
            "                           [--min-duration T] [--with-errors] [--limit N] [--urls]\n"
            "  the recordings of a PostHog project, newest first, one session id per line\n"
            "  --since DATE       recordings that started at or after DATE: 2025-05-01, an ISO time, or\n"
            "                     relative: -24h, -7d, -2w, -3m (default: PostHog's, the last 3 days)\n"
            "  --until DATE       ... and at or before DATE\n"
            "  --person UUID      one person's recordings (the person's UUID in PostHog)\n"
            "  --distinct-id ID   the recordings of one distinct id (the id your app identifies users by)\n"
            "  --min-duration T   at least T long (seconds, or mm:ss)\n"
            "  --with-errors      only recordings with a console error\n"
            "  --limit N          at most N recordings (default 100; 0 = all)\n"
            "  --urls             print posthog://SESSION_ID, ready for `reelay batch - -o DIR`\n"
            REELAY_CLI_POSTHOG_USAGE
            "Example: reelay list posthog --since -7d --with-errors --urls | reelay batch - -o videos/\n");
}

/* What PostHog reads as a date: an ISO date or time, or "-N" and a unit
 * (h, d, w, m, y). Checked here so that a typo is a usage error, not a
 * 400 from the server. */
static bool date_ok(const char *text)
{
    size_t n = strlen(text);
    if (n >= 3 && text[0] == '-') {
        size_t digits = strspn(text + 1, "0123456789");
        return digits > 0 && digits + 2 == n && strchr("hdwmy", text[n - 1]);
    }
    if (n < 10 || n > 40 || strspn(text, "0123456789") != 4 || text[4] != '-') return false;
    return strspn(text, "0123456789-:T.Z+") == n;
}

static bool uuid_ok(const char *text)
{
    if (strlen(text) != 36) return false;
    for (int i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? text[i] != '-' : !isxdigit((unsigned char)text[i])) return false;
    }
    return true;
}

typedef struct printing {
    bool urls;
} printing;

static int print_id(void *context, const char *session_id, reelay_err *err)
{
    const printing *p = context;
    if (printf("%s%s\n", p->urls ? "posthog://" : "", session_id) < 0)
        return reelay_err_set(err, REELAY_E_IO, "cannot write to standard output");
    return REELAY_OK;
}

int reelay_cmd_list(int argc, char **argv)
{
    reelay_err err;
    reelay_err_clear(&err);
    reelay_posthog_settings settings = reelay_cli_posthog_env();
    reelay_posthog_query query = {.limit = 100};
    printing p = {0};
    const char *source = NULL;
    for (int i = 1; i < argc && err.code == REELAY_OK; i++) {
        const char *arg = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            usage(stdout);
            return REELAY_OK;
        } else if (reelay_cli_posthog_flag(arg, value, &settings)) {
            i++;
        } else if ((strcmp(arg, "--since") == 0 || strcmp(arg, "--until") == 0) && value) {
            i++;
            if (!date_ok(value))
                reelay_err_set(&err, REELAY_E_USAGE, "bad %s '%s': expected a date (2025-05-01), an ISO time or -7d",
                               arg, value);
            *(arg[2] == 's' ? &query.since : &query.until) = value;
        } else if (strcmp(arg, "--person") == 0 && value) {
            query.person_uuid = argv[++i];
            if (!uuid_ok(value))
                reelay_err_set(&err, REELAY_E_USAGE,
                               "bad --person '%s': expected the person's UUID (for your own user ids: --distinct-id)",
                               value);
        } else if (strcmp(arg, "--distinct-id") == 0 && value) {
            query.distinct_id = argv[++i];
            if (!value[0] || strlen(value) > 200)
                reelay_err_set(&err, REELAY_E_USAGE, "bad --distinct-id: expected 1 to 200 characters");
        } else if (strcmp(arg, "--min-duration") == 0 && value) {
            double ms = 0;
            if (reelay_parse_time(argv[++i], &ms, &err) == REELAY_OK) query.min_duration_s = ms / 1000.0;
            else reelay_err_prefix(&err, "--min-duration");
        } else if (strcmp(arg, "--with-errors") == 0) {
            query.with_errors = true;
        } else if (strcmp(arg, "--limit") == 0 && value) {
            char *end = NULL;
            unsigned long long n = strtoull(argv[++i], &end, 10);
            if (!value[0] || *end || value[0] == '-' || n > 100000000ull)
                reelay_err_set(&err, REELAY_E_USAGE, "bad --limit '%s': expected a whole number (0 = all)", value);
            query.limit = (size_t)n;
        } else if (strcmp(arg, "--urls") == 0) {
            p.urls = true;
        } else if (arg[0] == '-') {
            reelay_err_set(&err, REELAY_E_USAGE, "unknown option %s (or it needs a value)", arg);
        } else if (!source) {
            source = arg;
            if (strcmp(source, "posthog") != 0)
                reelay_err_set(&err, REELAY_E_USAGE, "cannot list '%s': only posthog recordings are listed", source);
        } else {
            reelay_err_set(&err, REELAY_E_USAGE, "unexpected argument '%s'", arg);
        }
    }
    if (err.code == REELAY_OK && !source) reelay_err_set(&err, REELAY_E_USAGE, "what to list? (posthog)");
    if (err.code != REELAY_OK) {
        fprintf(stderr, "reelay list: %s\n", err.msg);
        usage(stderr);
        return err.code;
    }
    int rc = reelay_posthog_list(&settings, &query, print_id, &p, &err);
    if (fflush(stdout) != 0 && rc == REELAY_OK)
        rc = reelay_err_set(&err, REELAY_E_IO, "cannot write to standard output");
    if (rc != REELAY_OK) fprintf(stderr, "reelay list: %s\n", err.msg);
    return rc;
}
