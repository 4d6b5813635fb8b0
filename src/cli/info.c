#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "render/options.h"
#include "ingest/ingest.h"
#include "net/s3.h"
#include "session/summary.h"
#include "source/source.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: reelay info INPUT [--json] [limits]\n"
                 "  INPUT   a recording file (JSON, JSON lines, optionally gzip), an http(s)\n"
                 "          URL, posthog://SESSION_ID, or - for standard input\n"
                 "  --json  print one JSON object instead of text\n"
                 "  --max-input-bytes N, --max-events N, --max-wireframes N, --max-tree-depth N,\n"
                 "  --max-viewport N    limits (as for render)\n" REELAY_CLI_POSTHOG_USAGE);
}

/* "25m 07.1s" / "1h 02m 03.0s" / "4.2s". */
static void format_duration(double ms, char *out, size_t size)
{
    double seconds = ms / 1000.0;
    long whole = (long)(seconds / 60.0);
    double rest = seconds - (double)whole * 60.0;
    if (whole >= 60)
        snprintf(out, size, "%ldh %02ldm %04.1fs", whole / 60, whole % 60, rest);
    else if (whole > 0)
        snprintf(out, size, "%ldm %04.1fs", whole, rest);
    else
        snprintf(out, size, "%.1fs", seconds);
}

static void print_text(const char *path, const reelay_session *session, const reelay_summary *s)
{
    char start[40], duration[32], active[32];
    reelay_format_iso8601(session->first_ts, start, sizeof start);
    format_duration(s->duration_ms, duration, sizeof duration);
    format_duration(s->active_ms, active, sizeof active);
    printf("file:        %s\n", path);
    printf("format:      %s\n", reelay_format_name(session->format));
    printf("source:      %s\n", reelay_source_name(session->source));
    printf("session:     %s\n", session->session_id[0] ? session->session_id : "-");
    printf("user:        %s\n", session->user[0] ? session->user : "-");
    printf("start:       %s\n", start);
    printf("duration:    %s\n", duration);
    printf("active:      %s\n", active);
    printf("windows:     %zu\n", session->window_count);
    for (size_t i = 0; i < session->window_count; i++) {
        const reelay_window *w = &session->windows[i];
        if (w->has_viewport)
            printf("  %-38s %gx%g\n", w->key, w->width, w->height);
        else
            printf("  %-38s (no viewport)\n", w->key);
    }
    printf("screens:     %zu\n", s->screens);
    printf("events:      %zu\n", s->events);
    printf("  meta %zu, full snapshots %zu, mutations %zu\n", s->meta, s->full_snapshots, s->mutations);
    printf("  touches %zu, clicks %zu, pointer moves %zu, scrolls %zu, resizes %zu\n", s->touches, s->clicks,
           s->pointer_moves, s->scrolls, s->viewport_resizes);
    printf("  inputs %zu, keyboard %zu, navigations %zu, submits %zu, custom %zu\n", s->inputs, s->keyboard,
           s->navigations, s->submits, s->custom);
    printf("console:    ");
    for (int level = 0; level < CONSOLE_LEVEL_COUNT; level++)
        printf(" %s %zu%s", reelay_console_level_name((reelay_console_level)level), s->console[level],
               level + 1 < CONSOLE_LEVEL_COUNT ? "," : "\n");
    printf("network:     %zu requests, %zu failed\n", s->network_requests, s->network_failed);
    printf("skipped:     %zu\n", s->skipped);
    printf("duplicates:  %zu\n", s->duplicates);
}

int reelay_cmd_info(int argc, char **argv)
{
    const char *input = NULL;
    int as_json = 0;
    reelay_render_options limits = reelay_render_defaults(); /* its ingest limits */
    reelay_posthog_settings posthog = reelay_cli_posthog_env();
    reelay_err err;
    reelay_err_clear(&err);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            as_json = 1;
        } else if (strncmp(argv[i], "--", 2) == 0 && reelay_render_option_is_input_limit(argv[i] + 2) &&
                   i + 1 < argc) {
            if (reelay_render_option_set(&limits, argv[i] + 2, argv[i + 1], &err) != REELAY_OK) {
                fprintf(stderr, "reelay info: %s\n", err.msg);
                return err.code;
            }
            i++;
        } else if (reelay_cli_posthog_flag(argv[i], i + 1 < argc ? argv[i + 1] : NULL, &posthog)) {
            i++;
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return REELAY_OK;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "reelay info: unknown option %s\n", argv[i]);
            usage(stderr);
            return REELAY_E_USAGE;
        } else if (!input) {
            input = argv[i];
        } else {
            fprintf(stderr, "reelay info: more than one INPUT given\n");
            return REELAY_E_USAGE;
        }
    }
    if (!input) {
        usage(stderr);
        return REELAY_E_USAGE;
    }

    reelay_session *session = NULL;
    limits.ingest.urls = reelay_url_policy_all();
    reelay_s3_config s3;
    if (reelay_cli_remote_access(&s3, &posthog, &limits.ingest, &err) != REELAY_OK) {
        fprintf(stderr, "reelay: %s\n", err.msg);
        return err.code;
    }
    if (reelay_ingest_path(input, &limits.ingest, &session, &err) != REELAY_OK) {
        fprintf(stderr, "reelay: %s\n", err.msg);
        return err.code;
    }
    reelay_summary summary;
    if (reelay_summarize(session, &summary, &err) != REELAY_OK) {
        fprintf(stderr, "reelay: %s\n", err.msg);
        reelay_session_free(session);
        return err.code;
    }
    int rc = REELAY_OK;
    if (as_json) {
        json_t *object = reelay_summary_json(session, &summary);
        char *text = object ? json_dumps(object, JSON_INDENT(2)) : NULL;
        if (text) {
            printf("%s\n", text);
        } else {
            fprintf(stderr, "reelay: out of memory\n");
            rc = REELAY_E_INTERNAL;
        }
        free(text);
        json_decref(object);
    } else {
        char shown[REELAY_SHOWN_INPUT_MAX];
        reelay_source_shown_input(input, shown, sizeof shown); /* a URL without its credentials */
        print_text(shown, session, &summary);
    }
    reelay_session_free(session);
    return rc;
}
