/* cli.h — the subcommands of the `reelay` executable.
 * Owns: argument parsing and printing for each subcommand; the work itself is
 * done by the library. Each returns a process exit code (DESIGN.md §7). */
#ifndef REELAY_CLI_CLI_H
#define REELAY_CLI_CLI_H

int reelay_cmd_info(int argc, char **argv);
int reelay_cmd_frame(int argc, char **argv);
int reelay_cmd_render(int argc, char **argv);
int reelay_cmd_batch(int argc, char **argv);
int reelay_cmd_worker(int argc, char **argv);
int reelay_cmd_submit(int argc, char **argv);
int reelay_cmd_serve(int argc, char **argv);
int reelay_cmd_extract(int argc, char **argv);

#endif
