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
 *  - focus: Focus and Blur interactions always (rrweb focuses on Focus);
 *  - hover: rrweb hovers the latest pointer target when it seeks (a move's
 *    last position, or a click, button or touch press or release): it
 *    marks that element and its parent elements (up to its document or
 *    shadow root) with a class its rewritten :hover rules match, and
 *    unmarks the ones marked before. Such an event is a change only when
 *    an element whose mark toggles can be restyled by hovering it: it
 *    matches a compound selector carrying :hover (or testing the class
 *    attribute) in the style text the window has recorded so far
 *    (scene/hover_rules.h; unknown selector parts match), the elements
 *    taken from the window's live DOM at that event (scene/live_dom.h).
 *    rrweb hovers at the end of a seek, after the seek's mutations, and
 *    which events share a seek is the frame loop's: so after a mutation
 *    the elements entering or leaving the target's chain, and any element
 *    hovered since the last snapshot whose attributes changed (its class
 *    write drops its mark; a stale mark was measured too), are unsure, and
 *    the next hover counts when one of them can be restyled; so is the
 *    target's chain in a document a snapshot rebuilt. A target the DOM
 *    does not hold, at its hover or after a mutation removed it, leaves
 *    the marks unknown: the next hover counts.
 *    Without the recorded JSON (keep_rrweb_json) the style text is
 *    unknown and every change of the hovered chain counts. Other
 *    interactions hover nothing;
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
