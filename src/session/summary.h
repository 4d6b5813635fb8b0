/* summary.h — what `reelay info` reports about a session.
 * Owns: the counting rules (which events are touches, clicks, screens, ...)
 * and the JSON form with stable keys, so the CLI, tests and the service agree. */
#ifndef REELAY_SESSION_SUMMARY_H
#define REELAY_SESSION_SUMMARY_H

#include <jansson.h>
#include <stddef.h>

#include "core/error.h"
#include "session/session.h"

typedef struct reelay_summary {
    double duration_ms;
    double active_ms;
    size_t events;
    size_t meta;
    size_t full_snapshots;
    size_t mutations;
    size_t pointer_moves;   /* batches */
    size_t touches;         /* touch starts */
    size_t clicks;          /* click, double click, context menu */
    size_t scrolls;
    size_t viewport_resizes;
    size_t inputs;
    size_t keyboard;        /* keyboard open/close events */
    size_t navigations;
    size_t submits;
    size_t custom;
    size_t console[CONSOLE_LEVEL_COUNT];
    size_t network_requests;
    size_t network_failed;  /* status >= 400 */
    size_t screens;         /* changes of screen name / URL, per window */
    size_t skipped;         /* events, wireframes and lines skipped as unknown */
    size_t duplicates;
} reelay_summary;

int reelay_summarize(const reelay_session *session, reelay_summary *out, reelay_err *err);

/* Formats epoch ms as ISO 8601 UTC with milliseconds ("2023-11-14T22:13:20.123Z"). */
void reelay_format_iso8601(double epoch_ms, char *out, size_t size);

/* The `reelay info --json` object: format, source, session_id, user, start,
 * end, duration_s, active_s, windows [{id, width, height}], counts {...}. */
json_t *reelay_summary_json(const reelay_session *session, const reelay_summary *summary);

#endif
