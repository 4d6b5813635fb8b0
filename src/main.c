/* main.c — the `reelay` command: dispatches to a subcommand, nothing else. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/error.h"

static void usage(FILE *out)
{
    fprintf(out,
            "reelay %s — render session recordings (PostHog, rrweb) to video, headless\n"
            "\n"
            "usage: reelay COMMAND [ARGS]\n"
            "  info INPUT [--json]    format, duration, active time, windows, screens, counts\n"
            "  frame INPUT --at T -o OUT.png   one still frame (mobile recordings)\n"
            "  version                print the version\n"
            "\n"
            "Run `reelay COMMAND --help` for a command's options.\n",
            REELAY_VERSION);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return REELAY_E_USAGE;
    }
    const char *command = argv[1];
    if (strcmp(command, "info") == 0) return reelay_cmd_info(argc - 1, argv + 1);
    if (strcmp(command, "frame") == 0) return reelay_cmd_frame(argc - 1, argv + 1);
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
