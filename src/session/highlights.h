/* highlights.h — the moments of a session that matter, for `--highlights N`.
 * Owns: which events are highlight moments, how important each kind is, the
 * window of session time shown around each, how windows merge, and which are
 * kept when they would not fit in N seconds of video; and the one-line text a
 * card says about each ("console error at 04:12 — TypeError: x is
 * undefined"). Pure: a function of the session, the options and an optional
 * namer of clicked elements (the web scene's labels, passed in by the
 * caller); no I/O, no global state. The timeline (timeline.h) lays the
 * result out as PLAY segments joined by cards.
 *
 * Rules (all times session time, epoch ms):
 *  - Moments, most important first:
 *    1. error: a console error (level error) or an uncaught exception.
 *    2. failed request: each network request with status >= 400.
 *    3. rage click: REELAY_RAGE_CLICKS or more clicks (or taps) of one
 *       window in a run, each within REELAY_RAGE_WINDOW_MS and
 *       REELAY_RAGE_RADIUS_PX of the run's first (a click without a position
 *       starts a new run; a DblClick is a summary of two clicks and adds
 *       nothing). The moment spans the run, first to last click.
 *    4. form submit.
 *    5. slow screen change: the screen (a Meta href or a navigation) changes
 *       to another one at least REELAY_HIGHLIGHT_SLOW_MS after the user's
 *       last action (click, tap, input or submit) and there was such an
 *       action before it; pointer moves and scrolls do not count as actions
 *       (a user waiting moves the mouse). The first screen never counts.
 *  - Only moments inside the clip [clip_from, clip_to] count; the window of a
 *    moment is [from - pre_ms, to + post_ms] clamped to the clip.
 *  - Selection: moments are taken most important first (ties: earlier
 *    first); each is added when the video would still last at most
 *    budget_ms (the windows at speed plus one card_ms card before each),
 *    else left out (a later, smaller one may still fit). A moment already
 *    inside a chosen window costs nothing and is always added. When the
 *    first moment alone does not fit, its window shrinks around it to fit.
 *    Windows that overlap, or whose gap would play in less than
 *    REELAY_TIMELINE_MIN_CUT_CARDS cards (not worth a card), join.
 *  - The result is in time order. A window's card names its most important
 *    moment (ties: the earliest), its time as MM:SS (H:MM:SS from an hour,
 *    reelay_format_clock) from the session start, and "(+2 more)" when it holds more moments. */
#ifndef REELAY_SESSION_HIGHLIGHTS_H
#define REELAY_SESSION_HIGHLIGHTS_H

#include <stddef.h>

#include "core/arena.h"
#include "core/error.h"
#include "session/session.h"

#define REELAY_RAGE_CLICKS 3
#define REELAY_RAGE_WINDOW_MS 1000.0
#define REELAY_RAGE_RADIUS_PX 30.0

/* The rage rule, for highlights and the web view's click labels alike:
 * whether a click at (t, x, y) joins the run whose first click was at
 * (t0, x0, y0): within REELAY_RAGE_WINDOW_MS and REELAY_RAGE_RADIUS_PX of it. */
bool reelay_rage_joins(double t0, double x0, double y0, double t, double x, double y);
#define REELAY_HIGHLIGHT_SLOW_MS 3000.0     /* a screen change this long after the last action is slow */
#define REELAY_HIGHLIGHT_PRE_MS 3000.0      /* shown before a moment */
#define REELAY_HIGHLIGHT_POST_MS 2000.0     /* shown after it */
#define REELAY_HIGHLIGHT_DEFAULT_S 60.0     /* --highlights without a number */
#define REELAY_HIGHLIGHT_MIN_S 2.0          /* one card and a second of the moment */
#define REELAY_HIGHLIGHT_MAX_S 86400.0
#define REELAY_HIGHLIGHT_TEXT_MAX 200       /* bytes of a card's text */

typedef enum reelay_highlight_kind {
    REELAY_HL_ERROR = 0,
    REELAY_HL_FAILED_REQUEST,
    REELAY_HL_RAGE_CLICK,
    REELAY_HL_SUBMIT,
    REELAY_HL_SLOW_SCREEN,
    REELAY_HL_KIND_COUNT
} reelay_highlight_kind;

/* "error", "failed_request", "rage_click", "submit", "slow_screen". */
const char *reelay_highlight_kind_name(reelay_highlight_kind kind);

typedef struct reelay_highlight {
    reelay_highlight_kind kind; /* of the moment the card names */
    double ts;                  /* that moment's time */
    double start, end;          /* the window shown */
    const char *text;           /* the card's line; owned by the list */
    size_t moments;             /* moments inside the window (>= 1) */
} reelay_highlight;

typedef struct reelay_highlights {
    reelay_highlight *items; /* in time order, disjoint */
    size_t count;
    size_t found;            /* moments found in the clip, kept or not */
    reelay_arena text;
} reelay_highlights;

/* Names what session->events[event_index] acted on, or NULL. */
typedef const char *(*reelay_highlight_namer)(const void *context, size_t event_index);

typedef struct reelay_highlight_options {
    double budget_ms;        /* the video's length at most (> 0) */
    double speed;            /* > 0: session ms per output ms */
    double card_ms;          /* >= 0: each window's card */
    double clip_from, clip_to; /* epoch ms */
    double pre_ms, post_ms;  /* >= 0 */
    reelay_highlight_namer namer; /* may be NULL */
    const void *namer_context;
} reelay_highlight_options;

/* Defaults for a session: REELAY_HIGHLIGHT_DEFAULT_S, speed 1, a 1 s card,
 * the whole session, the default padding, no namer. */
reelay_highlight_options reelay_highlight_defaults(const reelay_session *session);

/* Finds and selects the highlights (none is not an error: count 0). Fails
 * with REELAY_E_USAGE for bad options, REELAY_E_INTERNAL when out of memory. */
int reelay_highlights_find(const reelay_session *session, const reelay_highlight_options *options,
                           reelay_highlights *out, reelay_err *err);
void reelay_highlights_free(reelay_highlights *highlights);

#endif
