/* web_scene.h — what the web interaction view shows at any instant, besides
 * the pointer (src/scene/pointer_state.h).
 * Owns: reelay_web_scene, an index built once from a web or portable-recorder
 * session: per window the URL and page title over time, the viewport size,
 * the clicks (each with a label naming the clicked element from the DOM as it
 * was at the click, and rage-click bursts), the focused input and what was
 * typed into it (masked), form submits, and console errors/warnings and failed
 * network requests (toasts); and the pure query of the state at a session
 * time. It never draws: the painter is renderers/web/interaction.h.
 *
 * Rules (formats-web.md, DESIGN.md §5):
 *  - active window: the window of the latest active event at or before ts
 *    (the first window with any event before that); every window that has
 *    had an event by ts is a tab, in order of first appearance.
 *  - URL: the window's latest Meta href or navigation (portable
 *    `navigation`, PostHog `$pageview` custom event with a URL) at or before
 *    ts. Title: the text of the <title> element of the top-level document
 *    of the window's latest full snapshot (never an iframe's), updated by
 *    text mutations of that title's text node, or the
 *    title a portable recording names (initial_state, navigation); NULL
 *    when there is none.
 *  - labels (at most REELAY_WEB_LABEL_MAX bytes, UTF-8 safe): from the DOM
 *    node the interaction targets, climbed from text nodes and from inner
 *    elements to the nearest enclosing a, button, input, select, textarea,
 *    label or summary (at most 5 levels; else the target itself). Form:
 *    tag, then "#id" when there is an id, else "[name=...]" for form fields;
 *    then a quoted name from the first of: aria-label, own text content
 *    (descendant text, whitespace collapsed, cut to 40 bytes with "…"),
 *    placeholder, title, (for <a>) nothing else. Examples: `button "Checkout"`,
 *    `input#email`, `a "Pricing"`, `input[name=q] "Search"`. Password inputs
 *    and anything blocked (rr_width) never show text. Portable clicks use the
 *    recorded tagName and text the same way (the path's last #id when any).
 *  - clicks: Click, DblClick and ContextMenu interactions (x, y when
 *    recorded); each is reported for REELAY_WEB_CLICK_LABEL_MS after it.
 *    Rage: REELAY_WEB_RAGE_CLICKS or more clicks in one window, each joining
 *    the first by reelay_rage_joins (within REELAY_RAGE_WINDOW_MS and
 *    REELAY_RAGE_RADIUS_PX of it); every click of such a burst is marked rage and carries the burst's
 *    count so far.
 *  - focus: Focus interaction (or an Input event) on a node starts it, Blur
 *    or a full snapshot ends it. Typed text: Input events on the focused
 *    node. Masking (default): the text shown is "•" repeated once per
 *    character of the recorded value (at most 24), or "[REDACTED]" when that
 *    is what was recorded; the raw value is never stored in the scene. With
 *    unmask_inputs the recorded value itself is shown (still "[REDACTED]"
 *    when recorded so, and PostHog's own '*' masking stays '*'). Checkbox
 *    and radio inputs show "checked"/"unchecked". Password inputs are always
 *    masked. takes_text: only elements that take typed text (textarea, an
 *    input whose type is a text box, which a missing or unknown type is)
 *    get a field on the focus card; buttons, checkboxes, radios, ranges,
 *    colours, files, selects, media and other elements do not.
 *  - submits: portable `submit` events (label from the target path), shown
 *    for REELAY_WEB_SUBMIT_MS.
 *  - toasts: console errors and warnings (level error/warn, exceptions) and
 *    network requests with status >= 400 (or status 0 with a failure), each
 *    shown for REELAY_WEB_TOAST_MS, at most REELAY_WEB_MAX_TOASTS newest.
 *    Text: "Error: <message>" / "Warning: <message>" / "GET /path → 500",
 *    one line, cut to REELAY_WEB_LABEL_MAX bytes.
 *  - inputs are untrusted: non-finite numbers are skipped, unknown node ids
 *    give no label, nothing is assumed about order beyond the session's sort.
 */
#ifndef REELAY_SCENE_WEB_SCENE_H
#define REELAY_SCENE_WEB_SCENE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "session/highlights.h"
#include "session/session.h"

#define REELAY_WEB_LABEL_MAX 96
#define REELAY_WEB_MAX_TABS 8
#define REELAY_WEB_MAX_CLICKS 4
#define REELAY_WEB_MAX_TOASTS 3
#define REELAY_WEB_MASK_MAX 24            /* bullets shown at most */
#define REELAY_WEB_CLICK_LABEL_MS 1500.0  /* a click's label stays this long */
/* the rage-click rule is the highlights' (session/highlights.h): one rule */
#define REELAY_WEB_RAGE_CLICKS REELAY_RAGE_CLICKS
#define REELAY_WEB_RAGE_RADIUS_PX REELAY_RAGE_RADIUS_PX
#define REELAY_WEB_SUBMIT_MS 1500.0
#define REELAY_WEB_TOAST_MS 4000.0
#define REELAY_WEB_TYPING_MS 500.0        /* typing: the focused input's caret shows this long after an input */

typedef struct reelay_web_scene_options {
    bool unmask_inputs; /* show recorded input values (never [REDACTED] ones) */
} reelay_web_scene_options;

typedef enum reelay_web_click_kind {
    REELAY_WEB_CLICK = 0,
    REELAY_WEB_DBL_CLICK,
    REELAY_WEB_RIGHT_CLICK,
} reelay_web_click_kind;

typedef struct reelay_web_click {
    reelay_web_click_kind kind;
    bool has_xy;
    double x, y;       /* logical viewport units */
    double age_ms;     /* 0 <= age < REELAY_WEB_CLICK_LABEL_MS */
    const char *label; /* NULL when the element is unknown; owned by the scene */
    bool rage;
    int rage_count;    /* clicks of the burst up to this one (>= REELAY_WEB_RAGE_CLICKS when rage) */
} reelay_web_click;

typedef struct reelay_web_tab {
    uint32_t window;   /* index into session->windows */
    const char *title; /* may be NULL */
    const char *url;   /* may be NULL */
    bool active;
} reelay_web_tab;

typedef enum reelay_web_toast_kind {
    REELAY_WEB_TOAST_ERROR = 0,
    REELAY_WEB_TOAST_WARNING,
    REELAY_WEB_TOAST_NETWORK,
} reelay_web_toast_kind;

typedef struct reelay_web_toast {
    reelay_web_toast_kind kind;
    const char *text; /* one line, owned by the scene */
    double age_ms;    /* 0 <= age < REELAY_WEB_TOAST_MS */
} reelay_web_toast;

typedef struct reelay_web_focus {
    bool active;
    const char *label; /* the focused element, as for clicks; may be NULL */
    const char *text;  /* what to show as its value (masked unless unmask_inputs); "" when nothing typed */
    bool takes_text;   /* a text field (textarea, input of a text-taking type): its value shows in a box */
    double age_ms;     /* since focus */
    double typed_age_ms; /* since the latest input; INFINITY when none */
} reelay_web_focus;

typedef struct reelay_web_state {
    bool has_window;   /* some window has had an event at or before ts */
    uint32_t window;   /* the active one */
    const char *url;   /* NULL when unknown */
    const char *title; /* NULL when unknown */
    bool has_viewport;
    double viewport_width, viewport_height;
    double page_height; /* the document's known height (0 when unknown), for the scroll bar and outline */

    reelay_web_tab tabs[REELAY_WEB_MAX_TABS];
    size_t tab_count;

    reelay_web_click clicks[REELAY_WEB_MAX_CLICKS]; /* alive at ts, oldest first */
    size_t click_count;

    reelay_web_focus focus;

    bool submit_recent;
    double submit_age_ms;
    const char *submit_label; /* may be NULL */

    reelay_web_toast toasts[REELAY_WEB_MAX_TOASTS]; /* oldest first */
    size_t toast_count;

    /* Change detection, as in pointer_state.h: when !animating the state is
     * the same for every t in [ts, stable_until) (ages aside: renderers fade
     * by age, so any item with an age < its lifetime sets animating). */
    bool animating;
    double stable_until;
} reelay_web_state;

typedef struct reelay_web_scene reelay_web_scene;

/* Builds the index; the session must outlive the scene (its strings may be
 * referenced). REELAY_E_INTERNAL when out of memory. */
int reelay_web_scene_new(const reelay_session *session, const reelay_web_scene_options *options,
                         reelay_web_scene **out, reelay_err *err);
void reelay_web_scene_free(reelay_web_scene *scene);

/* The state at session time ts (epoch ms). Pure; O(log n) per window plus
 * the items reported. Pointers stay valid until the scene is freed. */
void reelay_web_scene_at(const reelay_web_scene *scene, double ts, reelay_web_state *out);

/* The label of what session->events[event_index] acted on (a click,
 * focus, input or submit), as for clicks, or NULL; for the event log. */
const char *reelay_web_scene_event_label(const reelay_web_scene *scene, size_t event_index);

/* The text an input event's value is shown as (masked as for focus), or
 * NULL for other events; for the event log, so a typed value never reaches
 * a subtitle unless unmask_inputs. */
const char *reelay_web_scene_event_value(const reelay_web_scene *scene, size_t event_index);

#endif
