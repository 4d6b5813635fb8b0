/* options.h — render options as text: one spelling for the command line and
 * for jobs.
 * Owns: the accepted spellings of times ("12.5", "1:02.250", "1:02:03"),
 * output sizes ("1280x720", "720p"), scale factors and overlay lists, and the
 * named render options (`--fps 24` on the command line is "fps": 24 in a
 * job), with messages that say what was wrong. Pure functions: no I/O, no
 * global state. */
#ifndef REELAY_RENDER_OPTIONS_H
#define REELAY_RENDER_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "render/render.h"

/* Seconds from "S[.fff]", "M:SS[.fff]" or "H:MM:SS[.fff]" into milliseconds.
 * Negative, non-finite or malformed values fail with REELAY_E_USAGE. */
int reelay_parse_time(const char *text, double *out_ms, reelay_err *err);

/* "WxH" (positive integers, at most REELAY_OUTPUT_DIM_CEILING) or one of 360p,
 * 480p, 720p, 1080p, 1440p, 2160p (16:9 landscape sizes). */
int reelay_parse_size(const char *text, int *width, int *height, reelay_err *err);

/* A positive finite scale factor, at most 16. */
int reelay_parse_scale(const char *text, double *out, reelay_err *err);

/* An overlay list: "none", "all" (= allowed), or a comma-separated list of
 * overlay names ("touches", "hud", "pointer") among the allowed set of enum
 * reelay_overlay flags. Fills a set of those flags. */
int reelay_parse_overlays(const char *text, unsigned allowed, unsigned *out, reelay_err *err);

/* The default font of mobile wireframes: "serif" (Chrome on macOS and
 * Windows, reelay's default) or "sans" (Chromium on Linux). */
int reelay_parse_default_font(const char *text, reelay_default_font *out, reelay_err *err);

/* Kinds of named render options. */
typedef enum reelay_option_kind {
    REELAY_OPTION_UNKNOWN = 0,
    REELAY_OPTION_FLAG,  /* takes no value on the command line; true/false in a job */
    REELAY_OPTION_VALUE, /* takes a value */
    REELAY_OPTION_OPTIONAL, /* a flag that may take a value: `--highlights [N]`; true, false or a value in a job */
} reelay_option_kind;

/* A positive count with an optional binary suffix: "1048576", "512K",
 * "256M", "1G" (K = 1024). `name` (e.g. "--max-events") is for the message. */
int reelay_parse_count(const char *text, const char *name, uint64_t *out, reelay_err *err);

/* A job's or query's spelling of an option name as the command line's:
 * "no_skip_idle" and "--no-skip-idle" both become "no-skip-idle". False
 * when it is empty or does not fit in size. */
bool reelay_render_option_name(const char *key, char *out, size_t size);

/* Whether option `name` (command-line spelling, no "--") names a file the
 * render writes beside the video: poster, preview, manifest, email-html. */
bool reelay_render_option_is_sidecar(const char *name);

/* What kind of option `name` is (its command-line spelling without the
 * leading "--", e.g. "fps", "no-skip-idle"); the output ("o"/"output") is
 * not a render option here. */
reelay_option_kind reelay_render_option_kind(const char *name);

/* True for the limits that bound reading a recording (max-input-bytes,
 * max-events, max-wireframes, max-tree-depth, max-viewport): every command
 * that reads one takes them. */
bool reelay_render_option_is_input_limit(const char *name);

/* The command line's reading of an OPTIONAL option: "--name=V" gives V;
 * "--name" gives the next argument when it looks like a number (a digit,
 * or '-' or '.' and a digit; *consumed is set), else NULL (the option's
 * default). False when arg is no OPTIONAL option (then nothing is set).
 * name gets the option's name without "--". */
bool reelay_render_option_optional(const char *arg, const char *next, char *name, size_t size, const char **value,
                                   bool *consumed);

/* Sets the render option `name` from text: value for VALUE options; for
 * flags NULL or "true" sets it, "false" clears it; OPTIONAL ones take
 * either. highlights: NULL or "true" is REELAY_HIGHLIGHT_DEFAULT_S seconds,
 * "false" off, else a time (as --from's) from REELAY_HIGHLIGHT_MIN_S to
 * REELAY_HIGHLIGHT_MAX_S. Strings (output
 * sidecars) are borrowed. An unknown name or a bad value fails with
 * REELAY_E_USAGE, the message naming the option as "--name". */
int reelay_render_option_set(reelay_render_options *options, const char *name, const char *value, reelay_err *err);

#endif
