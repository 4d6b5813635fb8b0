/* ingest.h — read any supported recording into a reelay_session.
 * Owns: input limits, gzip detection, format detection from content (never the
 * file name) and the container readers of DESIGN.md §5: PostHog exports (both
 * versions), PostHog JSONL blobs (three line shapes), plain rrweb arrays, arrays
 * of $snapshot analytics events, the 2021 API response and portable-recorder
 * JSON, also when attached to a Matroska archive (ingest/archive.h). Events
 * themselves are converted by rrweb_event.c and portable.c.
 * A session read here has its URLs' secrets masked already (url_privacy.h). */
#ifndef REELAY_INGEST_INGEST_H
#define REELAY_INGEST_INGEST_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "net/url_policy.h"
#include "source/posthog_source.h"
#include "session/session.h"

/* Deepest tree nesting any limit may allow: jansson refuses JSON nested
 * deeper than 2048 levels, and each tree level takes two (the node and its
 * child array), so a deeper tree could not be read anyway. */
#define REELAY_MAX_TREE_DEPTH_CEILING 1000

struct reelay_s3_config; /* net/s3.h */

typedef struct reelay_ingest_options {
    size_t max_input_bytes;        /* file as read (compressed) */
    size_t max_decompressed_bytes; /* after gunzip of a gzip file */
    size_t max_events;
    size_t max_wireframes;         /* wireframes (mobile) or DOM nodes (web) in one snapshot or mutation */
    int max_tree_depth;            /* nesting of a tree as written in one snapshot, at most the ceiling */
    double max_viewport;           /* largest viewport width or height */
    /* Keep each rrweb event's JSON (reelay_event.rrweb_json) for the web page
     * engine, which replays the events themselves; off by default (it
     * roughly doubles a web session's memory). */
    bool keep_rrweb_json;
    /* As --unmask-inputs: URL parameters holding personal data (card
     * numbers, SSNs) keep their values; credentials stay masked. Off by
     * default: every URL the session holds is masked (url_privacy.h). */
    bool unmask_inputs;
    /* Keep the recording's bytes as read in session->source_bytes (for
     * --attach-recording); off by default. */
    bool keep_source;
    /* The URLs an input may be (source/source.h): the command line's
     * reelay_url_policy_all(), a service's --allow-url list. NULL by
     * default, so that a job cannot make a worker fetch from wherever it
     * names. */
    const reelay_url_policy *urls;
    /* The operator's S3 settings (net/s3.h: AWS_* read by the command
     * line) for s3:// inputs, and outputs; NULL: s3:// is not reachable. */
    const struct reelay_s3_config *s3;
    /* Where posthog:// inputs are read from and with which key: the
     * operator's environment and command line (source/posthog_source.h).
     * NULL by default: no posthog:// input. */
    const reelay_posthog_settings *posthog;
} reelay_ingest_options;

/* Generous defaults for real sessions: 1 GiB in, 2 GiB decompressed, 20 M
 * events, 1 M wireframes per snapshot, trees 512 deep, viewports up to
 * 32768 (a browser zoomed out to 25% on an 8K screen reports 30720). */
reelay_ingest_options reelay_ingest_defaults(void);

/* The limits a reader applies: *limits, or the defaults for NULL, with the
 * depth kept within 1..REELAY_MAX_TREE_DEPTH_CEILING. */
reelay_ingest_options reelay_ingest_limits(const reelay_ingest_options *limits);

/* REELAY_E_INPUT, the message starting with `where` and naming
 * --max-events, when `count` events are more than limits->max_events
 * (NULL: the default) allows. */
int reelay_check_event_count(const reelay_ingest_options *limits, size_t count, const char *where, reelay_err *err);

/* A recorded viewport: REELAY_E_INPUT when negative or wider or taller than
 * limits->max_viewport (NULL: the default), the message starting with
 * `where` and naming --max-viewport. */
int reelay_check_viewport(const reelay_ingest_options *limits, double width, double height, const char *where,
                          reelay_err *err);

/* Reads path ("-" = standard input; a URL that options->urls allows).
 * Error messages start with the path (a URL without credentials or query). */
int reelay_ingest_path(const char *path, const reelay_ingest_options *options, reelay_session **out,
                       reelay_err *err);

/* Same for bytes already in memory; `name` is used in messages. */
int reelay_ingest_memory(const unsigned char *data, size_t len, const char *name,
                         const reelay_ingest_options *options, reelay_session **out, reelay_err *err);

#endif
