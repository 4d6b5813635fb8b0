/* timeline.h — the map between output (video) time and session time.
 * Owns: which parts of a session `reelay render` shows and how fast: the
 * --from/--to clip, --speed, and skip-idle (idle stretches replaced by a short
 * "skipped 4m 12s" card), as a list of PLAY and SKIP segments, plus the card's
 * duration text. Activity itself comes from activity.h (the 5-second rule).
 *
 * Rules (all times are session time unless said otherwise):
 * - The clip is [first_ts + from_ms, first_ts + to_ms] (to_ms < 0: the end;
 *   a to_ms past the end is clamped to it). Skipping applies inside the clip.
 * - An idle stretch runs from the end of an active segment (its last event,
 *   which may be the screen's reaction to the last tap) to the start of the next
 *   active segment, when longer than idle_threshold_ms. The part cut is
 *   [end + REELAY_TIMELINE_TAIL_MS, next start - REELAY_TIMELINE_LEAD_MS], so the
 *   last tap fades out and the next one is seen coming.
 * - A cut inside the clip becomes a SKIP segment of card_ms output time: the
 *   screen stays frozen at the cut's start. A cut that would last less than
 *   REELAY_TIMELINE_MIN_CUT_CARDS cards of output time at the chosen speed is
 *   not worth a card and plays in real time.
 * - Idle before the first activity (up to its lead) and after the last (from
 *   its tail) is trimmed without a card, and so is a cut that the clip's start
 *   or end falls into: cards only stand between two shown stretches, so the
 *   output starts and ends with PLAY.
 * - A constant-rate video of the timeline has reelay_timeline_frame_count
 *   frames; each shows the instant it starts at, except the last, which shows
 *   the end: the final state (every event at the last shown instant) is on
 *   screen when the video stops, as `reelay frame --at END` shows it.
 * - Without any activity in the session, or when the clip lies wholly inside
 *   one cut, the clip plays as it is (nothing left to skip to).
 * - --speed scales PLAY segments only; a card is always card_ms long.
 *
 * Highlights mode (reelay_timeline_build_highlights, --highlights): the
 * video is the highlights' windows (highlights.h) as PLAY segments, each
 * after a card (a SKIP segment) that carries the highlight's text. The
 * first card stands before the first window and covers no session time;
 * the others cover the gap since the window before. Under a highlight's
 * card the scene stands at the start of the window it introduces (a
 * skip-idle card shows where the cut began), so the window plays on from
 * the very picture the card was over. Skip-idle plays no part: a window
 * plays whole. So the video starts with a card and ends with PLAY. */
#ifndef REELAY_SESSION_TIMELINE_H
#define REELAY_SESSION_TIMELINE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "session/highlights.h"
#include "session/session.h"

#define REELAY_TIMELINE_CARD_MS 1000.0  /* default card length, output time */
#define REELAY_TIMELINE_TAIL_MS 1000.0  /* kept after the last activity before a cut */
#define REELAY_TIMELINE_LEAD_MS 500.0   /* kept before the next activity after a cut */
#define REELAY_TIMELINE_MIN_CUT_CARDS 2.0

typedef struct reelay_timeline_options {
    bool skip_idle;           /* default true */
    double speed;             /* > 0; session ms per output ms in PLAY segments; default 1 */
    double from_ms, to_ms;    /* clip, relative to the session start; to_ms < 0 = the end */
    double idle_threshold_ms; /* > 0; default REELAY_ACTIVITY_THRESHOLD_MS */
    double card_ms;           /* >= 0 (0 = plain jump cut); default REELAY_TIMELINE_CARD_MS */
} reelay_timeline_options;

reelay_timeline_options reelay_timeline_defaults(void);

typedef enum reelay_timeline_kind { REELAY_TL_PLAY = 0, REELAY_TL_SKIP } reelay_timeline_kind;

/* PLAY: session = session_start + (out - out_start) * speed.
 * SKIP: the card; session_start..session_end is the cut stretch and the scene
 * stays at session_start (a card with text, a highlight's: at session_end).
 * Segments are contiguous in output time, start and end with PLAY (a
 * highlights timeline starts with a card) and alternate PLAY, SKIP, PLAY, ... */
typedef struct reelay_timeline_segment {
    reelay_timeline_kind kind;
    double out_start_ms, out_end_ms;
    double session_start, session_end; /* epoch ms */
    const char *text; /* SKIP: the card's words when not "skipped ..." (highlights); borrowed */
} reelay_timeline_segment;

typedef struct reelay_timeline reelay_timeline;

/* options NULL = the defaults. Fails with REELAY_E_USAGE for bad options
 * (speed <= 0, from >= to, from beyond the end, ...) with a clear message;
 * REELAY_E_INTERNAL on OOM. */
int reelay_timeline_build(const reelay_session *session, const reelay_timeline_options *options,
                          reelay_timeline **out, reelay_err *err);
void reelay_timeline_free(reelay_timeline *timeline);

/* The clip the options name, as epoch ms, after the same checks as
 * reelay_timeline_build (REELAY_E_USAGE for bad options). */
int reelay_timeline_clip(const reelay_session *session, const reelay_timeline_options *options, double *from,
                         double *to, reelay_err *err);

/* Highlights mode (see the top): one card and one PLAY per highlight, in
 * the order given (time order, disjoint, inside the clip). The cards' texts
 * are borrowed: highlights must outlive the timeline. No highlight is
 * REELAY_E_INPUT ("no highlights found"). options: speed and card_ms; the
 * clip is the caller's, already applied by reelay_highlights_find. */
int reelay_timeline_build_highlights(const reelay_session *session, const reelay_timeline_options *options,
                                     const reelay_highlights *highlights, reelay_timeline **out, reelay_err *err);

/* Output length in ms. */
double reelay_timeline_duration_ms(const reelay_timeline *timeline);
const reelay_timeline_segment *reelay_timeline_segments(const reelay_timeline *timeline, size_t *count);
double reelay_timeline_speed(const reelay_timeline *timeline);

/* Session time shown first and last (epoch ms): the clip after edge trims. */
void reelay_timeline_session_range(const reelay_timeline *timeline, double *start_ts, double *end_ts);

typedef struct reelay_timeline_point {
    size_t segment;
    reelay_timeline_kind kind;
    double session_ts;    /* epoch ms to seek the scene to */
    double skipped_ms;    /* SKIP: length of the cut stretch; 0 for PLAY */
    double card_progress; /* SKIP: 0..1; 0 for PLAY */
    const char *card_text; /* SKIP: the segment's own text, else NULL */
} reelay_timeline_point;

/* O(log n); clamps out_ms to [0, duration]. At a boundary the later segment
 * wins, so a card's progress is in [0, 1). */
void reelay_timeline_at(const reelay_timeline *timeline, double out_ms, reelay_timeline_point *out);

/* What a card at this point says: its own text (a highlight's), else
 * "skipped 4m 12s"; "" for PLAY. */
void reelay_timeline_card_text(const reelay_timeline_point *point, char *out, size_t size);

/* Frames of a constant-rate video at fps (>= 1): enough to cover the
 * duration, at least one. */
int64_t reelay_timeline_frame_count(const reelay_timeline *timeline, int fps);

/* The output time frame `frame` (0 .. count - 1) shows: its start, frame /
 * fps, except that the last frame shows the duration itself. The last frame
 * is on screen from its start up to the duration, so the end belongs to it;
 * sampled at its start it would miss a change at the final instant. */
double reelay_timeline_frame_ms(const reelay_timeline *timeline, int fps, int64_t frame);

/* Output time at which session time ts is shown (for event markers, chapters,
 * subtitles). False when ts falls in a cut stretch (then *out_ms is the card's
 * start) or outside what is shown (then 0 before it, the duration after it). */
bool reelay_timeline_output_time(const reelay_timeline *timeline, double ts, double *out_ms);

/* Whether the timeline was built in highlights mode. */
bool reelay_timeline_is_highlights(const reelay_timeline *timeline);

/* For the render manifest in highlights mode: one entry per highlight (the
 * list the timeline was built from), {"kind", "text", "moments", "at_s",
 * "session_start_s", "session_end_s", "card_start_s", "out_start_s",
 * "out_end_s"}: the moment's session time, its window in session time, and
 * where its card and its window lie in the video (the card runs from
 * card_start_s to out_start_s). Session times from session->first_ts,
 * rounded to the millisecond. NULL on OOM or when highlights is not the
 * timeline's list. */
json_t *reelay_timeline_highlights_json(const reelay_timeline *timeline, const reelay_highlights *highlights,
                                        const reelay_session *session);

/* Total session time replaced by cards (edge trims not included). */
double reelay_timeline_skipped_ms(const reelay_timeline *timeline);

/* For the render manifest: {"duration_s", "speed", "skip_idle", "segments":
 * [{"kind": "play"|"skip", "out_start_s", "out_end_s", "session_start_s",
 * "session_end_s"[, "text"]}], "skipped": [{"at_s", "session_from_s",
 * "session_to_s", "skipped_s"}]}; session times relative to
 * session->first_ts, all rounded to the millisecond; a card with its own
 * text (highlights) carries it, and "highlights": true is added in that
 * mode. NULL on OOM. */
json_t *reelay_timeline_json(const reelay_timeline *timeline, const reelay_session *session);

/* A clock: "mm:ss", or "h:mm:ss" when long_form or from an hour on.
 * Seconds are truncated; negative or NaN is 0. The HUD's clock and the
 * highlights' cards ("console error at 04:12") both read it. */
void reelay_format_clock(double ms, bool long_form, char *out, size_t size);

/* The card text's duration: "12s", "4m 05s", "1h 02m"; seconds are rounded
 * under an hour, minutes from an hour on; "<1s" for a positive time under half
 * a second, "0s" for zero, negative or not a number. */
void reelay_format_skipped(double ms, char *out, size_t size);

#endif
