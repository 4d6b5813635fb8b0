/* wireframe_scene.h — the mobile wireframe screen at any instant.
 * Owns: the live wireframe tree of each window (built from full snapshots,
 * changed by mutations with PostHog/rrweb's rules, mobile-wireframes.md §4.7,
 * §4.9, §4.10), the lifted status and navigation bars, the keyboard, the
 * viewport, and which window is on screen. It never draws: renderers read it.
 * Wireframe structs are borrowed from the session (read-only); the scene only
 * owns its node pool and indexes. */
#ifndef REELAY_SCENE_WIREFRAME_SCENE_H
#define REELAY_SCENE_WIREFRAME_SCENE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "session/session.h"

#define REELAY_SCENE_NONE UINT32_MAX

/* One node of the live tree. Structure lives here (mutations move nodes);
 * `wf` gives the node's own properties — its wf->children are NOT the live
 * children and must not be walked. */
typedef struct reelay_scene_node {
    int64_t id;
    const reelay_wireframe *wf;
    uint32_t parent;       /* REELAY_SCENE_NONE for top-level nodes (children of <body>) */
    uint32_t first_child;  /* REELAY_SCENE_NONE when none */
    uint32_t last_child;
    uint32_t next_sibling; /* paint order: later siblings paint above earlier ones */
    uint32_t prev_sibling;
} reelay_scene_node;

typedef struct reelay_scene_keyboard {
    bool open;
    double height;
    double x, y, width;   /* used only when the has_ flags are set (positive integers, spec §4.7) */
    bool has_x, has_y, has_width;
} reelay_scene_keyboard;

/* What renderers need to paint the current window. Pointers stay valid until
 * the next reelay_wf_scene_seek. */
typedef struct reelay_wf_view {
    bool has_content;       /* a mobile full snapshot has been applied in this window */
    uint32_t window;
    double width, height;   /* viewport in logical units (latest meta of the window); 0 when unknown */
    const char *screen_name; /* latest meta href, may be NULL */
    double timestamp;       /* the seek time, epoch ms (the status-bar clock shows it) */

    const reelay_scene_node *nodes; /* the pool; index with the uint32_t links */
    uint32_t first_root;            /* first top-level node, REELAY_SCENE_NONE when empty */

    const reelay_wireframe *status_bar;     /* lifted from the last full snapshot, or NULL */
    const reelay_wireframe *navigation_bar;
    /* The last navigation bar's background seen in this window (lifted from a
     * snapshot or inside a mutation; bars without one leave it as it was),
     * remembered for the keyboard (spec §4.7). NULL when none yet. */
    const reelay_color *navigation_background;
    reelay_scene_keyboard keyboard;
} reelay_wf_view;

typedef struct reelay_wf_scene reelay_wf_scene;

/* The session must outlive the scene. NULL when out of memory. */
reelay_wf_scene *reelay_wf_scene_new(const reelay_session *session);
void reelay_wf_scene_free(reelay_wf_scene *scene);

/* Brings the scene to session time `ts` (epoch ms): every event with
 * timestamp <= ts has been applied. Forward seeks apply only the new events;
 * a backward seek rebuilds from the last full snapshot at or before ts.
 * *changed (may be NULL) tells whether the view differs from the previous
 * seek's (a conservative answer: true when any event was applied or
 * un-applied, and when the minute changed while a status bar shows the clock). */
int reelay_wf_scene_seek(reelay_wf_scene *scene, double ts, bool *changed, reelay_err *err);

/* The view of the window on screen: the window of the latest active event at
 * or before the seek time (the first window with content before that). */
void reelay_wf_scene_view(const reelay_wf_scene *scene, reelay_wf_view *view);

/* Live node count of the window on screen (for tests and limits). */
size_t reelay_wf_scene_node_count(const reelay_wf_scene *scene);

/* Live nodes summed over all windows may not exceed this: a seek that would
 * go past it fails with REELAY_E_INPUT (the scene stays usable: the next seek
 * rebuilds). Tests lower it with reelay_wf_scene_set_node_limit. */
#define REELAY_SCENE_MAX_NODES 1000000u
void reelay_wf_scene_set_node_limit(reelay_wf_scene *scene, size_t limit);

#endif
