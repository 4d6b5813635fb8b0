/* page_changes.h — when the page of a web recording looks different.
 * Owns: reelay_page_changes, an index built once from a web session: per
 * window the session times at which rrweb's replayer changes what the page
 * shows, and the pure query "how many changes up to ts" (a revision: two
 * times with the same revision show the same page, so the page engine is
 * asked for a frame only when the revision moves). It never talks to the
 * engine: renderers/frame/frame.c does, through renderers/web/page_engine.h.
 *
 * Rules (what rrweb's Replayer applies when it seeks):
 *  - full snapshots and meta events rebuild or resize the page;
 *  - every incremental source that touches the document: mutations,
 *    scroll, viewport resize, input values, media state, style-sheet rules
 *    and declarations, adopted style sheets, canvas, fonts, selection,
 *    custom elements (everything but the pointer sources and the old log);
 *  - hover and focus: after a seek rrweb moves its mouse to the latest
 *    position and marks the element under it :hover, and focuses on Focus.
 *    A mouse or touch move, a drag, or a mouse interaction is a change only
 *    when the element it targets differs from the one hovered before (Focus
 *    and Blur always are): moving within one element redraws nothing. And
 *    only in a window whose recorded events (style sheets, rules, style
 *    text) hold a ":hover" selector at all: rrweb's hover is a class its
 *    rewritten :hover rules match, so without one no hover shows (known when
 *    the session was read with keep_rrweb_json; otherwise hover counts);
 *  - custom and plugin events (console, network, $pageview) change nothing.
 * Events of other windows never count: each window is its own page. */
#ifndef REELAY_SCENE_PAGE_CHANGES_H
#define REELAY_SCENE_PAGE_CHANGES_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "session/session.h"

typedef struct reelay_page_changes reelay_page_changes;

int reelay_page_changes_new(const reelay_session *session, reelay_page_changes **out, reelay_err *err);
void reelay_page_changes_free(reelay_page_changes *changes);

/* Changes of window's page at or before ts (epoch ms); 0 for unknown windows. */
size_t reelay_page_changes_revision(const reelay_page_changes *changes, uint32_t window, double ts);

/* The time of window's first page change after ts; INFINITY when none. */
double reelay_page_changes_next(const reelay_page_changes *changes, uint32_t window, double ts);

/* All changes of window's page. */
size_t reelay_page_changes_count(const reelay_page_changes *changes, uint32_t window);

#endif
