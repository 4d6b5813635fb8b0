/* ingest.h — read any supported recording into a reelay_session.
 * Owns: input limits, gzip detection, format detection from content (never the
 * file name) and the container readers of DESIGN.md §5: PostHog exports (both
 * versions), PostHog JSONL blobs (three line shapes), plain rrweb arrays, arrays
 * of $snapshot analytics events, the 2021 API response and portable-recorder
 * JSON. Events themselves are converted by rrweb_event.c and portable.c. */
#ifndef REELAY_INGEST_INGEST_H
#define REELAY_INGEST_INGEST_H

#include <stddef.h>

#include "core/error.h"
#include "session/session.h"

typedef struct reelay_ingest_options {
    size_t max_input_bytes;        /* file as read (compressed) */
    size_t max_decompressed_bytes; /* after gunzip of a gzip file */
    size_t max_events;
} reelay_ingest_options;

/* Generous defaults for real sessions: 1 GiB in, 2 GiB decompressed, 20 M events. */
reelay_ingest_options reelay_ingest_defaults(void);

/* Reads path ("-" = standard input). Error messages start with the path. */
int reelay_ingest_path(const char *path, const reelay_ingest_options *options, reelay_session **out,
                       reelay_err *err);

/* Same for bytes already in memory; `name` is used in messages. */
int reelay_ingest_memory(const unsigned char *data, size_t len, const char *name,
                         const reelay_ingest_options *options, reelay_session **out, reelay_err *err);

#endif
