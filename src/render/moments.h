/* moments.h — the notable moments of a session, for the HUD, chapters, the
 * inspector's event log and the subtitle track.
 * Owns: which events count as taps and clicks, inputs and submits, screen
 * changes, keyboard changes, network failures and errors, the words each is
 * told in, and where they fall in the
 * output (through the timeline). Screen changes also name the chapters. */
#ifndef REELAY_RENDER_MOMENTS_H
#define REELAY_RENDER_MOMENTS_H

#include <stddef.h>

#include "core/arena.h"
#include "core/error.h"
#include "renderers/overlay/hud.h"
#include "renderers/overlay/inspector.h"
#include "session/session.h"
#include "scene/web_scene.h"
#include "session/timeline.h"
#include "encode/video.h"

typedef struct reelay_moments {
    reelay_hud_marker *markers; /* sorted by position */
    size_t marker_count;
    reelay_chapter *chapters;   /* in output order; titles borrowed from the session */
    size_t chapter_count;
    reelay_log_entry *log;      /* sorted by output time, tallied */
    size_t log_count;
    reelay_cue *cues;           /* the log as subtitles: close entries share a cue */
    size_t cue_count;
    reelay_arena text;          /* the log's and cues' strings */
} reelay_moments;

/* Collects the moments of the events shown by the timeline. Events inside cut
 * stretches land on their card; a highlights timeline leaves the events
 * between its windows out, and its chapters are its highlights, each
 * starting at its card and titled by the card's text. web (NULL for mobile recordings) names what
 * clicks, inputs and submits acted on, and gives typed values only in the
 * form the view shows them (masked unless unmasking was asked for). */
int reelay_moments_collect(const reelay_session *session, const reelay_timeline *timeline,
                           const reelay_web_scene *web, reelay_moments *out, reelay_err *err);
void reelay_moments_free(reelay_moments *moments);

#endif
