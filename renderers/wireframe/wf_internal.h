/* wf_internal.h — what the wireframe renderer's files share (not public).
 * Owns: the renderer struct, the per-node inherited state and box geometry,
 * and the helpers the type painters use (boxes, text runs, text clean-up).
 * wireframe.c walks the tree and paints boxes, text and images; controls.c
 * paints inputs and progress bars; chrome.c the status/navigation bars and
 * the keyboard. */
#ifndef REELAY_WIREFRAME_WF_INTERNAL_H
#define REELAY_WIREFRAME_WF_INTERNAL_H

#include <cairo.h>
#include <stdbool.h>
#include <stddef.h>

#include "renderers/paint/draw.h"
#include "renderers/paint/text.h"
#include "renderers/wireframe/wireframe.h"

/* Text longer than this many bytes is cut (at a UTF-8 boundary): no screen
 * shows more, and Pango's cost grows with it. */
#define WF_MAX_TEXT 10000
/* Boxes are clamped to this many viewports around the screen, so absurd
 * coordinates stay inside Cairo's fixed-point range. */
#define WF_LIMIT_VIEWPORTS 4.0
/* Boxes thinner than this are not painted (and never reach a cairo_scale). */
#define WF_MIN_DIM (1.0 / 64.0)
/* The browser's default font size (spec §4.1: no font is set anywhere). */
#define WF_DEFAULT_FONT_SIZE 16.0

typedef struct wf_box {
    double x, y, w, h;
} wf_box;

/* CSS-inherited properties flowing down the wireframe tree (spec §4.4). */
typedef struct wf_inherit {
    reelay_rgba color;
    double font_size;
    const char *family; /* never NULL: the root has the renderer's default family */
    bool nowrap;        /* white-space:nowrap from a div ancestor */
} wf_inherit;

/* One element's CSS box geometry (spec §4.3): with content-box, padding and
 * border lie outside width x height; with border-box, inside it. */
typedef struct wf_geom {
    wf_box border;  /* the outer (border) box, top-left at (x, y) */
    wf_box padding; /* inside the border: the overflow clip and background-image origin */
    wf_box content; /* width x height */
    double border_width;
    double radius;  /* outer corner radius; the padding box uses radius - border_width */
    reelay_rgba border_color;
    reelay_rgba color; /* the element's own text colour (currentColor) */
} wf_geom;

struct reelay_wf_renderer {
    reelay_fonts *fonts;
    reelay_image_cache *images;
    const char *default_family; /* CSS generic family of the browser's default font */
    wf_inherit *stack; /* inherited state per tree depth, reused across frames */
    size_t stack_cap;
    char *text; /* scratch for cleaned-up text, WF_MAX_TEXT * 3 + 4 bytes */
    size_t text_cap;
    /* Valid during one reelay_wf_render call. */
    const reelay_wf_view *view;
    reelay_wf_render_info *info;
    double view_w, view_h;
    double limit; /* coordinates are clamped to [-limit, limit] */
    double clip_x0, clip_y0, clip_x1, clip_y1; /* visible user-space area, for culling */
};

typedef enum wf_text_mode {
    WF_TEXT_COLLAPSE, /* CSS white-space collapsing: runs of white space become one space */
    WF_TEXT_LINE,     /* an <input> value: line breaks dropped, spaces kept */
    WF_TEXT_BULLETS,  /* a password: one bullet per character */
} wf_text_mode;

/* Cleans text for drawing into the renderer's scratch buffer (cut to
 * WF_MAX_TEXT, invalid UTF-8 replaced). NULL when nothing is left to draw.
 * The result is valid until the next call. */
const char *wf_text_prepare(reelay_wf_renderer *r, const char *text, wf_text_mode mode);

/* The element's computed colour, font and white-space: its own style over
 * what its ancestors pass down. */
wf_inherit wf_element_inherit(const wf_inherit *parent, const reelay_wireframe *wf);

/* Clamps v into [lo, hi]; NaN gives lo. */
double wf_clamp(double v, double lo, double hi);

/* How an element's width and height map to its boxes (flags). */
typedef enum wf_box_rule {
    WF_BOX_CONTENT = 0, /* CSS's default content-box, every padding applied */
    /* The player's reset (spec §4.1) has padding-block:0 !important for
     * inputs, buttons and selects: paddingTop/Bottom do nothing there. */
    WF_BOX_NO_BLOCK_PADDING = 1u << 0,
    /* Chrome's UA sheet sizes buttons, selects, checkboxes, radios, search
     * inputs and <progress> with box-sizing:border-box: width x height is
     * the outer box, border and padding lie inside it. */
    WF_BOX_BORDER_BOX = 1u << 1,
} wf_box_rule;

/* The geometry of wf as the player lays it out under rules (wf_box_rule
 * flags). color is the element's currentColor. */
void wf_geometry(const reelay_wf_renderer *r, const reelay_wireframe *wf, reelay_rgba color, unsigned rules,
                 wf_geom *g);

/* True when the box is big enough to paint and overlaps the visible area. */
bool wf_box_visible(const reelay_wf_renderer *r, const wf_box *b);

/* Background colour, background image and border of an element. */
void wf_paint_box(reelay_wf_renderer *r, cairo_t *cr, const reelay_wireframe *wf, const wf_geom *g);

/* Clips to the padding box with its rounded corners (what overflow:hidden does). */
void wf_clip_padding(cairo_t *cr, const wf_geom *g);

/* A text style from the inherited font and colour. */
reelay_text_style wf_text_style(const wf_inherit *inh, reelay_rgba color);

/* Geometry, then background, background image and border when the box
 * shows; false when it is off screen or empty (nothing painted). */
bool wf_box_begin(reelay_wf_renderer *r, cairo_t *cr, const reelay_wireframe *wf, reelay_rgba color,
                  unsigned rules, wf_geom *g);

/* Draws prepared text placed in area by style's alignment, clipped to g's
 * padding box (overflow:hidden) on top of any clip already set. */
void wf_draw_text(reelay_wf_renderer *r, cairo_t *cr, const wf_geom *g, const char *text, wf_box area,
                  const reelay_text_style *style);

/* Draws prepared text placed in area by style's alignment, unclipped: the
 * browser's overflow:visible (labels, the bars' clock). */
void wf_draw_text_overflowing(reelay_wf_renderer *r, cairo_t *cr, const char *text, wf_box area,
                              const reelay_text_style *style);

/* A placeholder box (spec §4.6) over the element's padding box. */
void wf_paint_placeholder(reelay_wf_renderer *r, cairo_t *cr, const reelay_wireframe *wf, const wf_geom *g,
                          const wf_inherit *inh, const char *label);

/* controls.c: every `input` variant. */
void wf_paint_input(reelay_wf_renderer *r, cairo_t *cr, const reelay_wireframe *wf, const wf_inherit *inh);
/* True for inputs whose element is a UA form control (colour not inherited). */
bool wf_is_form_control(const reelay_wireframe *wf);

/* chrome.c: the bars and the keyboard (spec §4.7). */
void wf_paint_status_bar(reelay_wf_renderer *r, cairo_t *cr, const reelay_wireframe *wf, const wf_inherit *inh);
void wf_paint_navigation_bar(reelay_wf_renderer *r, cairo_t *cr, const reelay_wireframe *wf,
                             const wf_inherit *inh);
void wf_paint_keyboard(reelay_wf_renderer *r, cairo_t *cr);

#endif
