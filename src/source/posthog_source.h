/* posthog_source.h — recordings read from PostHog's session recordings API.
 * Owns: posthog://SESSION_ID inputs (the recording's metadata, its list of
 * snapshot sources, then its blob_v2 blocks in ranges of at most
 * REELAY_POSTHOG_RANGE_MAX keys, concatenated into the `[windowId, event]`
 * JSON lines that ingest reads), the list of a project's recordings
 * (`reelay list posthog`), the API's URLs and the defensive reading of its
 * answers. Every request goes through net/http_client.h (retries of 429
 * after Retry-After and of 5xx, time and size limits).
 * Settings are the caller's (the command line reads the environment): this
 * module reads no environment. The API key travels only in the
 * Authorization header, never in a URL or a message. */
#ifndef REELAY_SOURCE_POSTHOG_SOURCE_H
#define REELAY_SOURCE_POSTHOG_SOURCE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/error.h"

#define REELAY_POSTHOG_DEFAULT_HOST "https://us.posthog.com"
/* Blob keys per request: PostHog refuses wider ranges for personal API keys
 * (its code allows end - start <= 20, its documentation 20 keys; the
 * smaller is safe with either). */
#define REELAY_POSTHOG_RANGE_MAX 20
/* Tries per request: PostHog's snapshot throttle is as low as 12 a minute
 * on the free tier, so a 429 is ordinary and worth waiting out. */
#define REELAY_POSTHOG_ATTEMPTS 5
#define REELAY_POSTHOG_ID_MAX 200
/* Recordings asked for per list request. */
#define REELAY_POSTHOG_PAGE_MAX 100

/* Where the API is and who asks. Strings are borrowed (environment,
 * argv); NULL or "" host means REELAY_POSTHOG_DEFAULT_HOST. */
typedef struct reelay_posthog_settings {
    const char *host;    /* POSTHOG_HOST or --posthog-host: http(s)://HOST[:PORT][/PREFIX] */
    const char *project; /* POSTHOG_PROJECT_ID or --posthog-project: a number or "@current" */
    const char *api_key; /* POSTHOG_API_KEY: a personal API key (session_recording:read) */
} reelay_posthog_settings;

/* Whether id may name a recording in a URL: 1 to REELAY_POSTHOG_ID_MAX
 * letters, digits, '-', '_' or '.' (PostHog's ids are UUIDs), and not "."
 * or "..". */
bool reelay_posthog_valid_id(const char *id);

/* The session id of "posthog://ID" (scheme in any case) into out; false
 * when input is not that or ID is not valid. */
bool reelay_posthog_session_of(const char *input, char *out, size_t size);

/* A recording's snapshot sources as listed by the API. */
typedef struct reelay_posthog_sources {
    long *keys;         /* blob_v2 block numbers, ascending, each once */
    size_t key_count;
    char *lts_key;      /* the blob_v2_lts source's key (a storage path), NULL when none */
    size_t other_count; /* sources of kinds reelay does not read (legacy "blob", "realtime") */
    char other[32];     /* the first such kind, for messages */
} reelay_posthog_sources;

/* Reads the sources answer {"sources": [{"source", "blob_key", ...}]};
 * REELAY_E_INPUT naming the offending element when its shape is wrong.
 * out is initialised here; free it with reelay_posthog_sources_free. */
int reelay_posthog_parse_sources(const unsigned char *body, size_t len, reelay_posthog_sources *out,
                                 reelay_err *err);
void reelay_posthog_sources_free(reelay_posthog_sources *sources);

/* How many of keys[start..count) the request for keys[start] takes: a run
 * of consecutive numbers, at most REELAY_POSTHOG_RANGE_MAX (at least 1
 * when start < count). */
size_t reelay_posthog_range_length(const long *keys, size_t count, size_t start);

/* The API URL of the project's recordings, of one recording (session_id),
 * and of anything below it (suffix, e.g. "/snapshots"; may be NULL), into
 * out. REELAY_E_USAGE when the settings are missing or malformed (the
 * message names the environment variable and flag), REELAY_E_INPUT for a
 * bad session id. */
int reelay_posthog_url(const reelay_posthog_settings *settings, const char *session_id, const char *suffix,
                       char *out, size_t size, reelay_err *err);

/* The URL of blocks first..last of the recording's blob_v2 source. */
int reelay_posthog_range_url(const reelay_posthog_settings *settings, const char *session_id, long first, long last,
                             char *out, size_t size, reelay_err *err);

/* Reads recording `input` ("posthog://ID") into out (initialised here;
 * freed on failure): its blob_v2 blocks in order (else its one
 * blob_v2_lts file), one JSON line per event, at most max_bytes
 * (REELAY_E_INPUT naming --max-input-bytes beyond). Errors start with
 * "posthog://ID: STEP: " (metadata, sources, blocks A-B, lts); a recording
 * the project does not have is REELAY_E_INPUT "no such recording". */
int reelay_posthog_read(const char *input, const reelay_posthog_settings *settings, size_t max_bytes,
                        reelay_buf *out, reelay_err *err);

/* Which recordings `reelay list posthog` asks for. Strings borrowed. */
typedef struct reelay_posthog_query {
    const char *since;       /* date_from: "-7d", "2025-05-01", an ISO time; NULL = PostHog's default (-3d) */
    const char *until;       /* date_to (compared with the recording's start) */
    const char *person_uuid; /* one person's recordings */
    const char *distinct_id; /* recordings of this distinct id */
    double min_duration_s;   /* > 0: at least this long */
    bool with_errors;        /* only recordings with a console error */
    size_t limit;            /* at most this many; 0 = all */
} reelay_posthog_query;

/* The URL of one page of the list: count recordings from offset, or after
 * cursor (PostHog's next_cursor) when cursor is set. */
int reelay_posthog_list_url(const reelay_posthog_settings *settings, const reelay_posthog_query *query,
                            size_t count, size_t offset, const char *cursor, char *out, size_t size,
                            reelay_err *err);

/* Called with each recording's id, in the API's order (newest first);
 * a non-zero return stops the listing with that code. */
typedef int (*reelay_posthog_each)(void *context, const char *session_id, reelay_err *err);

/* Lists the project's recordings that match query, page by page (cursor
 * when the server gives one, else offset), calling each for every one. */
int reelay_posthog_list(const reelay_posthog_settings *settings, const reelay_posthog_query *query,
                        reelay_posthog_each each, void *context, reelay_err *err);

#endif
