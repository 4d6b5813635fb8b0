/* frame.h — one output frame of a session at a given time.
 * Owns: the per-session drawing state (fonts, image cache, wireframe scene and
 * renderer), the mapping of the logical viewport onto the output image, and
 * the output-size rules shared by `frame` and `render`. Callers seek, ask for
 * the viewport, then paint into a surface of any size.
 * Layout "screen": output pixel (X, Y) shows logical point
 * (X * vw / out_w, Y * vh / out_h) — the viewport fills the image, no borders. */
#ifndef REELAY_FRAME_FRAME_H
#define REELAY_FRAME_FRAME_H

#include <cairo.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "renderers/paint/text.h"
#include "renderers/web/page_engine.h"
#include "session/session.h"

/* Default still: logical size x2, long side capped at this many pixels. */
#define REELAY_FRAME_DEFAULT_LONG_SIDE 1920
/* Default video screen: logical size x2 at most, within a 720p-class box
 * (long side <= 1280, short side <= 720), so encoding stays fast. */
#define REELAY_VIDEO_LONG_SIDE 1280.0
#define REELAY_VIDEO_SHORT_SIDE 720.0

typedef struct reelay_frame_maker reelay_frame_maker;

/* What is drawn over the screen (renderers/overlay/). */
enum reelay_overlay {
    REELAY_OVERLAY_NONE = 0,
    REELAY_OVERLAY_TOUCHES = 1u << 0, /* PostHog's touch ring and swipe tail */
    REELAY_OVERLAY_HUD = 1u << 1,     /* video only: the clock/screen/progress strip below the screen */
    REELAY_OVERLAY_POINTER = 1u << 2, /* web: mouse cursor, click ripples, scroll indicator */
    /* web page view only (the interaction view always has both: without the
     * page's pixels they are what it shows): */
    REELAY_OVERLAY_CHROME = 1u << 3, /* the browser frame above the page: tabs, title, URL */
    REELAY_OVERLAY_CARDS = 1u << 4,  /* click labels, rage rings, the focused input, submits, toasts */
    REELAY_OVERLAY_ALL = REELAY_OVERLAY_TOUCHES | REELAY_OVERLAY_HUD | REELAY_OVERLAY_POINTER | REELAY_OVERLAY_CHROME |
                         REELAY_OVERLAY_CARDS,
};

/* How a web (rrweb) recording is drawn. Portable-recorder files hold no
 * page and are always drawn as the interaction view. */
typedef enum reelay_web_view {
    REELAY_WEB_VIEW_INTERACTION = 0, /* renderers/web/interaction.h: a stand-in for the page */
    REELAY_WEB_VIEW_PAGE,            /* the page itself, drawn by the page engine; its failure is an error */
    REELAY_WEB_VIEW_AUTO,            /* the page, or the interaction view when the engine cannot start */
} reelay_web_view;

/* "page", "interaction" or "auto". */
int reelay_web_view_parse(const char *text, reelay_web_view *out, reelay_err *err);
const char *reelay_web_view_name(reelay_web_view view);

typedef struct reelay_frame_info {
    bool has_content;     /* a screen was on show (else a blank canvas was painted) */
    bool animates;        /* something on screen moves with time (spinners, touch fades) */
    size_t nodes_painted;
    size_t images_failed; /* undecodable images drawn as placeholders */
} reelay_frame_info;

typedef struct reelay_frame_options {
    bool unmask_inputs; /* web: show typed values instead of bullets (never [REDACTED] ones) */
    /* Fonts to draw with, borrowed: they must outlive the maker and be used
     * from one thread at a time (text.h). NULL (the default): the maker loads
     * its own, which takes a while (fontconfig scans the font directories), so
     * callers making many makers in a row (the fuzzer) pass one set. */
    reelay_fonts *fonts;
    /* Pixels a decoded image may have (its header is checked before
     * decoding; larger ones are drawn as the placeholder); 0 = the default
     * REELAY_IMAGE_MAX_PIXELS. */
    size_t max_image_pixels;
    /* Mobile wireframes alive at once, over all windows (a recording that
     * keeps adding without removing); 0 = the default REELAY_SCENE_MAX_NODES. */
    size_t max_live_wireframes;
    /* Web recordings (the session must have been read with
     * keep_rrweb_json for the page view). */
    reelay_web_view web_view;
    const reelay_page_engine_options *page_engine; /* borrowed; NULL: the engine's defaults */
    /* Mobile wireframes: the face of text that names no family. */
    reelay_default_font default_font;
} reelay_frame_options;

/* What the page view cost, over every engine the maker started. */
typedef struct reelay_page_view_stats {
    size_t engines;    /* started (one per window and page size shown) */
    size_t frames;     /* page frames the engines drew */
    double start_s;    /* wall time starting them */
    double frames_s;   /* wall time drawing page frames */
    size_t peak_rss;   /* bytes: the largest summed RSS of one engine's processes */
} reelay_page_view_stats;

/* The session must outlive the maker; options may be NULL (defaults).
 * Recordings with mobile wireframes are painted as screens; web and
 * portable-recorder recordings, which have no geometry, as the web
 * interaction view (renderers/web/interaction.h): a browser frame with tabs
 * and the URL above the recorded viewport. */
reelay_frame_maker *reelay_frame_maker_new(const reelay_session *session, const reelay_frame_options *options,
                                           reelay_err *err);
void reelay_frame_maker_free(reelay_frame_maker *maker);

/* The web page view: starts the page engine for the page shown at ts
 * (epoch ms), so that a failure is known before any output is made. With
 * REELAY_WEB_VIEW_AUTO a failure switches the maker to the interaction view
 * for good (reelay_frame_maker_web_view_note says why) and is not an error.
 * A no-op for other views and recordings; painting starts the engine when
 * this was not called. Overlays must be set first (the chrome's). */
int reelay_frame_maker_prepare(reelay_frame_maker *maker, double ts, reelay_err *err);

/* The web view in use (REELAY_WEB_VIEW_INTERACTION for mobile and portable
 * recordings), and why AUTO fell back (NULL when it did not). */
reelay_web_view reelay_frame_maker_web_view(const reelay_frame_maker *maker);
const char *reelay_frame_maker_web_view_note(const reelay_frame_maker *maker);

reelay_page_view_stats reelay_frame_maker_page_stats(const reelay_frame_maker *maker);

/* The page view, to keep the engine busy while the caller draws and
 * encodes: the session time of the next change of the page on show after
 * session time `after` (INFINITY when none, and for other views); whether
 * the engine can take another request without dropping one
 * (REELAY_PAGE_ENGINE_DEPTH are in flight at most; false without an
 * engine); and a request for the page at ts — the time a coming seek will
 * name — drawn by the engine meanwhile and used by that seek's paint.
 * Prefetching is a no-op when the page at ts is the one on show or needs
 * another engine (another window or page size); it changes no pixel of any
 * frame. */
double reelay_frame_maker_next_page_change(const reelay_frame_maker *maker, double after);
bool reelay_frame_maker_prefetch_room(const reelay_frame_maker *maker);
int reelay_frame_maker_prefetch(reelay_frame_maker *maker, double ts, reelay_err *err);

/* The page view: frames will be painted fitted (keep_aspect) into a
 * rectangle of width x height device pixels, so engines started from now on
 * draw each page at the size it is shown there (zoomed out, never in), not
 * at its CSS size to be resampled. Unset (the default, or 0x0): pages are
 * drawn at their CSS size. Pixels painted at any other size stay right:
 * the page is resampled then. */
void reelay_frame_maker_set_page_target(reelay_frame_maker *maker, double width, double height);

/* Overlays to draw from now on: a set of enum reelay_overlay flags
 * (REELAY_OVERLAY_NONE until set). */
void reelay_frame_maker_set_overlays(reelay_frame_maker *maker, unsigned overlays);

/* Brings the screen to session time ts (epoch ms). *changed (may be NULL)
 * says whether anything was applied since the previous seek. */
int reelay_frame_maker_seek(reelay_frame_maker *maker, double ts, bool *changed, reelay_err *err);

/* Logical viewport on screen after the last seek: the window's latest meta,
 * else the first top-level wireframe's size (as PostHog's player does for
 * recordings without meta), else the first screen the recording sizes, else
 * any declared size, else a phone's (360x800). Web: the whole view, browser
 * frame included when there is one (a page of unknown size is shown at
 * 1280x800). Always true: a recording that names no size is drawn at a
 * common one, not refused. */
bool reelay_frame_maker_viewport(const reelay_frame_maker *maker, double *width, double *height);

/* The viewport to lay a whole recording out for, whatever the time: the
 * first mobile screen's (its window's meta, else its root wireframe), or
 * for web the first declared page size plus the browser frame. False when
 * no snapshot says (a scene may still synthesise one: seek, then ask
 * reelay_frame_maker_viewport). */
bool reelay_frame_maker_first_viewport(const reelay_frame_maker *maker, double *width, double *height);

/* Paints the screen and the overlays as of the last seek into target (an ARGB32 or RGB24
 * image surface of any size), scaling the viewport to fill it. */
int reelay_frame_maker_paint(reelay_frame_maker *maker, cairo_surface_t *target, reelay_frame_info *info,
                             reelay_err *err);

/* Same into the rectangle (x, y, w, h) of cr's current user space, touching
 * nothing outside it. keep_aspect: the viewport is fitted, centred, on a dark
 * letterbox (video, where windows of other shapes come and go); otherwise it
 * is stretched to the rectangle. */
int reelay_frame_maker_paint_region(reelay_frame_maker *maker, cairo_t *cr, double x, double y, double w, double h,
                                    bool keep_aspect, reelay_frame_info *info, reelay_err *err);

/* Web recordings: the active window after the last seek and its page
 * viewport in CSS px (as the interaction view takes it, without its browser
 * frame). False for mobile recordings. */
bool reelay_frame_maker_web_page(const reelay_frame_maker *maker, uint32_t *window, double *width, double *height);

/* Paints only the overlays of the last seek (touches, pointer) into cr,
 * whose user space is the page viewport in CSS px: the page engine's page
 * (renderers/web/page_engine.h) lies beneath. */
void reelay_frame_maker_paint_page_overlays(reelay_frame_maker *maker, cairo_t *cr, reelay_frame_info *info);

/* The screen name (meta href; web: the page URL) on show after the last seek, or NULL. */
const char *reelay_frame_maker_screen_name(const reelay_frame_maker *maker);

/* The web scene of a web or portable recording (labels and masked values
 * for the event log), NULL for mobile recordings. */
const struct reelay_web_scene *reelay_frame_maker_web_scene(const reelay_frame_maker *maker);

/* The maker's fonts (options->fonts when given), for painting the HUD with the same font set. */
reelay_fonts *reelay_frame_maker_fonts(reelay_frame_maker *maker);

/* Output sizes for a logical viewport vw x vh, both with even dimensions
 * (video encoders need them): the default (x2, long side capped at
 * REELAY_FRAME_DEFAULT_LONG_SIDE) and an explicit scale factor. Dimensions
 * are at least 2 and at most max_dim. */
void reelay_frame_default_size(double vw, double vh, int *width, int *height);
void reelay_frame_video_size(double vw, double vh, int *width, int *height);
void reelay_frame_scaled_size(double vw, double vh, double scale, int max_dim, int *width, int *height);

#endif
