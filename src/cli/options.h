/* options.h — parsing of option values shared by the subcommands.
 * Owns: the accepted spellings of times ("12.5", "1:02.250", "1:02:03"),
 * output sizes ("1280x720", "720p") and scale factors, with messages that say
 * what was wrong. Pure functions: no I/O, no global state. */
#ifndef REELAY_CLI_OPTIONS_H
#define REELAY_CLI_OPTIONS_H

#include "core/error.h"

/* Largest output dimension accepted on the command line (8K is 7680). */
#define REELAY_MAX_OUTPUT_DIM 8192

/* Seconds from "S[.fff]", "M:SS[.fff]" or "H:MM:SS[.fff]" into milliseconds.
 * Negative, non-finite or malformed values fail with REELAY_E_USAGE. */
int reelay_parse_time(const char *text, double *out_ms, reelay_err *err);

/* "WxH" (positive integers, at most REELAY_MAX_OUTPUT_DIM) or one of 360p,
 * 480p, 720p, 1080p, 1440p, 2160p (16:9 landscape sizes). */
int reelay_parse_size(const char *text, int *width, int *height, reelay_err *err);

/* A positive finite scale factor, at most 16. */
int reelay_parse_scale(const char *text, double *out, reelay_err *err);

/* An overlay list: "none", "all" (= allowed), or a comma-separated list of
 * overlay names ("touches", "hud") among the allowed set of enum
 * reelay_overlay flags. Fills a set of those flags. */
int reelay_parse_overlays(const char *text, unsigned allowed, unsigned *out, reelay_err *err);

#endif
