/* main.c — the `reelay` command: dispatches to a subcommand, nothing else. */
#include <libavutil/log.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/atomic_file.h"
#include "core/error.h"

static void usage(FILE *out)
{
    fprintf(out,
            "reelay %s — render session recordings (PostHog, rrweb) to video, headless\n"
            "\n"
            "usage: reelay COMMAND [ARGS]\n"
            "  info INPUT [--json]    format, duration, active time, windows, screens, counts\n"
            "  render INPUT [-o OUT.webm|.mp4|.mkv]   the session as a video\n"
            "  frame INPUT --at T -o OUT.png          one still frame\n"
            "  batch INPUTS... -o DIR [-j N]          many sessions as videos, in parallel (- : names from stdin)\n"
            "  list posthog [--since D] [--urls] ...  PostHog recordings' session ids, one per line\n"
            "  worker --queue Q                       render jobs from a queue (dir:PATH, redis://...)\n"
            "  submit --queue Q JOB.json...           put jobs in a queue\n"
            "  serve --listen ADDR:PORT --queue SPEC --output-dir DIR   the HTTP API over a job queue\n"
            "  extract VIDEO.mkv -o REC.json.gz       the recording attached with --attach-recording\n"
            "  version                print the version\n"
            "\n"
            "Run `reelay COMMAND --help` for a command's options.\n",
            REELAY_VERSION);
}

/* libavformat reads only the archives reelay made (ingest/archive.h), and
 * reelay reports a file it cannot read in one line of its own: the
 * demuxer's complaints about a damaged one would only bury that line. */
static void quiet_demuxers(void *context, int level, const char *fmt, va_list args)
{
    const AVClass *cls = context ? *(const AVClass **)context : NULL;
    if (cls && (cls->get_category ? cls->get_category(context) : cls->category) == AV_CLASS_CATEGORY_DEMUXER)
        return;
    av_log_default_callback(context, level, fmt, args);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return REELAY_E_USAGE;
    }
    /* Process-wide library settings belong here, in main: FFmpeg's and
     * SVT-AV1's informational chatter would drown reelay's own messages
     * (errors still show; REELAY_DEBUG=1 shows everything). */
    if (!getenv("REELAY_DEBUG")) {
        av_log_set_level(AV_LOG_ERROR);
        av_log_set_callback(quiet_demuxers);
        setenv("SVT_LOG", "1", 0);
    }
    /* A file size limit (ulimit -f, RLIMIT_FSIZE) must become a clean EFBIG
     * write error, like a full disk: by default SIGXFSZ kills the process
     * mid-write and leaves NAME.partial behind. Ignored, the failing write
     * returns EFBIG, the command reports it (exit 3) and the atomic writer
     * removes its partial file. Inherited by batch's render children. */
    signal(SIGXFSZ, SIG_IGN);
    /* Ctrl-C or `timeout` must not leave NAME.partial files either. */
    reelay_atomic_remove_on_signal();
    const char *command = argv[1];
    if (strcmp(command, "info") == 0) return reelay_cmd_info(argc - 1, argv + 1);
    if (strcmp(command, "frame") == 0) return reelay_cmd_frame(argc - 1, argv + 1);
    if (strcmp(command, "render") == 0) return reelay_cmd_render(argc - 1, argv + 1);
    if (strcmp(command, "batch") == 0) return reelay_cmd_batch(argc - 1, argv + 1);
    if (strcmp(command, "worker") == 0) return reelay_cmd_worker(argc - 1, argv + 1);
    if (strcmp(command, "submit") == 0) return reelay_cmd_submit(argc - 1, argv + 1);
    if (strcmp(command, "serve") == 0) return reelay_cmd_serve(argc - 1, argv + 1);
    if (strcmp(command, "extract") == 0) return reelay_cmd_extract(argc - 1, argv + 1);
    if (strcmp(command, "list") == 0) return reelay_cmd_list(argc - 1, argv + 1);
    if (strcmp(command, "version") == 0 || strcmp(command, "--version") == 0) {
        printf("reelay %s\n", REELAY_VERSION);
        return REELAY_OK;
    }
    if (strcmp(command, "help") == 0 || strcmp(command, "--help") == 0 || strcmp(command, "-h") == 0) {
        usage(stdout);
        return REELAY_OK;
    }
    fprintf(stderr, "reelay: unknown command '%s'\n\n", command);
    usage(stderr);
    return REELAY_E_USAGE;
}
