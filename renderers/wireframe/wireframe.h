/* wireframe.h — paints a mobile wireframe view with Cairo, as PostHog's
 * player shows it (mobile-wireframes.md §4).
 * Owns: the per-type drawing rules (boxes, text, inputs, images, progress,
 * placeholders, status/navigation bars, keyboard), CSS-like inheritance of
 * colour, font size, family (from a default the caller picks: the viewer's
 * browser default font) and wrapping down the tree, and the paint order
 * (tree pre-order, then keyboard, navigation bar, status bar).
 * It reads a reelay_wf_view; it never parses JSON or changes the scene. */
#ifndef REELAY_WIREFRAME_WIREFRAME_H
#define REELAY_WIREFRAME_WIREFRAME_H

#include <cairo.h>
#include <stdbool.h>

#include "core/error.h"
#include "renderers/paint/image.h"
#include "renderers/paint/text.h"
#include "scene/wireframe_scene.h"

typedef struct reelay_wf_renderer reelay_wf_renderer;

typedef struct reelay_wf_render_info {
    bool animates; /* something drawn moves with time (spinner, indeterminate bar) */
    size_t nodes_painted;
    size_t images_failed; /* images drawn as placeholders because they could not be decoded */
} reelay_wf_render_info;

/* fonts and images are borrowed and must outlive the renderer. */
reelay_wf_renderer *reelay_wf_renderer_new(reelay_fonts *fonts, reelay_image_cache *images, reelay_err *err);
void reelay_wf_renderer_free(reelay_wf_renderer *renderer);

/* The face of text whose wireframes name no family (default: serif). */
void reelay_wf_renderer_set_default_font(reelay_wf_renderer *renderer, reelay_default_font font);

/* Paints the view into cr, whose user space must be the view's logical
 * coordinates (the caller scales the viewport to the output). The whole
 * viewport is painted (white where nothing is, as the player's iframe). */
int reelay_wf_render(reelay_wf_renderer *renderer, const reelay_wf_view *view, cairo_t *cr,
                     reelay_wf_render_info *info, reelay_err *err);

#endif
