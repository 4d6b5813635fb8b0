#include "renderers/frame/frame.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "renderers/overlay/pointer.h"
#include "renderers/overlay/touch.h"
#include "renderers/paint/image.h"
#include "renderers/paint/text.h"
#include "renderers/web/interaction.h"
#include "renderers/wireframe/wireframe.h"
#include "session/rrweb_json.h"
#include "scene/page_changes.h"
#include "scene/pointer_state.h"
#include "scene/touch_state.h"
#include "scene/web_scene.h"
#include "scene/wireframe_scene.h"

/* The page view draws pages up to this many pixels a side; a larger
 * recorded viewport is laid out at its size and drawn zoomed out to fit. */
#define PAGE_MAX_SIDE 4096.0
/* ... and zooms out at most this far to draw a page at the size it is shown
 * (below it, resampling makes text no less legible than WebKit would). */
#define PAGE_MIN_ZOOM 0.25

/* A web page of unknown size is shown at this viewport. */
#define DEFAULT_WEB_WIDTH 1280.0
#define DEFAULT_WEB_HEIGHT 800.0
/* A phone's screen when a mobile recording names no size (the most common
 * Android viewport in dp). */
#define DEFAULT_MOBILE_WIDTH 360.0
#define DEFAULT_MOBILE_HEIGHT 800.0

struct reelay_frame_maker {
    const reelay_session *session;
    bool web; /* the web interaction view, else mobile wireframes */
    bool no_screen; /* mobile, but not one wireframe was recorded: a placeholder screen under the touches */
    double unsized_width, unsized_height; /* mobile: the screen's size when the view on show names none */
    reelay_fonts *fonts;
    bool owns_fonts; /* loaded by the maker, else borrowed from the options */
    reelay_touch_track *touches;
    unsigned overlays;
    double seek_ts; /* of the last seek, epoch ms */
    bool seeked;
    /* mobile */
    reelay_image_cache *images;
    reelay_wf_scene *scene;
    reelay_wf_renderer *renderer;
    /* web: the scene is pure, so a seek just keeps the states at seek_ts */
    reelay_web_scene *web_scene;
    reelay_pointer_track *pointer;
    reelay_web_state web_state;
    reelay_pointer_state pointer_state;
    reelay_touch_state touch_state; /* touches on the web (mobile browsers) */
    /* web page view (page_view false: the interaction view) */
    bool page_view;
    bool page_auto;           /* AUTO: may still fall back, until the first engine started */
    char view_note[sizeof ((reelay_err *)0)->msg];
    const reelay_page_engine_options *engine_options;
    reelay_page_changes *page_changes;
    size_t seek_revision;     /* of the active window's page at seek_ts */
    reelay_page_engine *engine;
    uint32_t engine_window;
    int engine_width, engine_height;
    double page_target_width, page_target_height; /* device px frames are fitted into; 0: none said */
    cairo_surface_t *page;    /* the last page frame, a copy (engines come and go) */
    uint64_t page_serial;     /* counts the page frames copied into page */
    cairo_surface_t *scaled;  /* page resampled to the device size it was last painted at */
    uint64_t scaled_serial;
    bool page_valid;
    uint32_t page_window;
    size_t page_revision;
    reelay_page_view_stats page_stats;
};

int reelay_web_view_parse(const char *text, reelay_web_view *out, reelay_err *err)
{
    static const reelay_web_view views[] = {REELAY_WEB_VIEW_PAGE, REELAY_WEB_VIEW_INTERACTION, REELAY_WEB_VIEW_AUTO};
    for (size_t i = 0; i < sizeof views / sizeof views[0]; i++) {
        if (strcmp(text, reelay_web_view_name(views[i])) == 0) {
            *out = views[i];
            return REELAY_OK;
        }
    }
    return reelay_err_set(err, REELAY_E_USAGE, "unknown web view '%s': expected page, interaction or auto", text);
}

const char *reelay_web_view_name(reelay_web_view view)
{
    switch (view) {
    case REELAY_WEB_VIEW_PAGE: return "page";
    case REELAY_WEB_VIEW_AUTO: return "auto";
    case REELAY_WEB_VIEW_INTERACTION: break;
    }
    return "interaction";
}

static bool has_mobile_content(const reelay_session *session)
{
    for (size_t i = 0; i < session->event_count; i++)
        if (session->events[i].mobile) return true;
    return false;
}

/* Recordings with wireframes, or that a mobile SDK sent, are drawn as
 * screens; the rest (rrweb web and portable-recorder sessions, which hold no
 * geometry) as the web view. A mobile SDK with screen capture off sends
 * touches only: that is still a phone, not a browser at about:blank. */
static bool is_mobile(const reelay_session *session)
{
    return session->source == REELAY_SOURCE_MOBILE || has_mobile_content(session);
}

static void unsized_viewport(const reelay_frame_maker *maker, double *width, double *height);

reelay_frame_maker *reelay_frame_maker_new(const reelay_session *session, const reelay_frame_options *options,
                                           reelay_err *err)
{
    reelay_frame_maker *maker = calloc(1, sizeof *maker);
    if (!maker) {
        reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
        return NULL;
    }
    maker->session = session;
    maker->web = !is_mobile(session);
    maker->no_screen = !maker->web && !has_mobile_content(session);
    if (options && options->fonts) {
        maker->fonts = options->fonts;
    } else {
        maker->fonts = reelay_fonts_new(err);
        if (!maker->fonts) goto fail;
        maker->owns_fonts = true;
    }
    if (reelay_touch_track_new(session, 1.0, &maker->touches, err) != REELAY_OK) goto fail;
    if (maker->web) {
        reelay_web_scene_options web_options = {.unmask_inputs = options && options->unmask_inputs};
        if (reelay_web_scene_new(session, &web_options, &maker->web_scene, err) != REELAY_OK) goto fail;
        if (reelay_pointer_track_new(session, &maker->pointer, err) != REELAY_OK) goto fail;
        reelay_web_view view = options ? options->web_view : REELAY_WEB_VIEW_INTERACTION;
        /* a portable recording's domSnapshot is a summary, not a page */
        if (view != REELAY_WEB_VIEW_INTERACTION && session->source != REELAY_SOURCE_PORTABLE) {
            maker->page_view = true;
            maker->page_auto = view == REELAY_WEB_VIEW_AUTO;
            maker->engine_options = options->page_engine;
            if (reelay_page_changes_new(session, &maker->page_changes, err) != REELAY_OK) goto fail;
        }
    } else {
        maker->images = reelay_image_cache_new(REELAY_IMAGE_CACHE_BYTES, options ? options->max_image_pixels : 0);
        maker->scene = reelay_wf_scene_new(session);
        if (!maker->images || !maker->scene) {
            reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
            goto fail;
        }
        if (options && options->max_live_wireframes)
            reelay_wf_scene_set_node_limit(maker->scene, options->max_live_wireframes);
        maker->renderer = reelay_wf_renderer_new(maker->fonts, maker->images, err);
        if (!maker->renderer) goto fail;
        if (options) reelay_wf_renderer_set_default_font(maker->renderer, options->default_font);
        unsized_viewport(maker, &maker->unsized_width, &maker->unsized_height);
    }
    maker->seek_ts = session->first_ts;
    return maker;
fail:
    reelay_frame_maker_free(maker);
    return NULL;
}

void reelay_frame_maker_free(reelay_frame_maker *maker)
{
    if (!maker) return;
    reelay_page_engine_stop(maker->engine);
    if (maker->page) cairo_surface_destroy(maker->page);
    if (maker->scaled) cairo_surface_destroy(maker->scaled);
    reelay_page_changes_free(maker->page_changes);
    reelay_touch_track_free(maker->touches);
    reelay_web_scene_free(maker->web_scene);
    reelay_pointer_track_free(maker->pointer);
    reelay_wf_renderer_free(maker->renderer);
    reelay_wf_scene_free(maker->scene);
    reelay_image_cache_free(maker->images);
    if (maker->owns_fonts) reelay_fonts_free(maker->fonts);
    free(maker);
}

void reelay_frame_maker_set_page_target(reelay_frame_maker *maker, double width, double height)
{
    maker->page_target_width = width > 0 && height > 0 ? width : 0;
    maker->page_target_height = width > 0 && height > 0 ? height : 0;
}

void reelay_frame_maker_set_overlays(reelay_frame_maker *maker, unsigned overlays)
{
    /* the HUD is the video's, not the screen's */
    maker->overlays = overlays & (REELAY_OVERLAY_TOUCHES | REELAY_OVERLAY_POINTER | REELAY_OVERLAY_CHROME |
                                  REELAY_OVERLAY_CARDS);
}

/* The browser frame is drawn above the page: always in the interaction
 * view, as the chrome overlay in the page view. */
static bool shows_chrome(const reelay_frame_maker *maker)
{
    return !maker->page_view || (maker->overlays & REELAY_OVERLAY_CHROME);
}

/* The web states at ts; *changed unless the previous seek's states were
 * declared stable through ts. */
static void web_seek(reelay_frame_maker *maker, double ts, bool *changed)
{
    const reelay_web_state *w = &maker->web_state;
    const reelay_pointer_state *p = &maker->pointer_state;
    const reelay_touch_state *t = &maker->touch_state;
    bool same = maker->seeked && ts >= maker->seek_ts && !w->animating && !p->animating && !t->animating &&
                ts < w->stable_until && ts < p->stable_until && ts < t->stable_until;
    reelay_web_scene_at(maker->web_scene, ts, &maker->web_state);
    reelay_pointer_at(maker->pointer, maker->web_state.window, ts, &maker->pointer_state);
    reelay_touch_at(maker->touches, maker->web_state.window, ts, &maker->touch_state);
    if (maker->page_view) {
        size_t revision = reelay_page_changes_revision(maker->page_changes, maker->web_state.window, ts);
        if (revision != maker->seek_revision) same = false;
        maker->seek_revision = revision;
    }
    if (changed) *changed = !same;
}

int reelay_frame_maker_seek(reelay_frame_maker *maker, double ts, bool *changed, reelay_err *err)
{
    int rc = REELAY_OK;
    if (maker->web)
        web_seek(maker, ts, changed);
    else
        rc = reelay_wf_scene_seek(maker->scene, ts, changed, err);
    if (rc == REELAY_OK) {
        maker->seek_ts = ts;
        maker->seeked = true;
    }
    return rc;
}

static bool usable(double v)
{
    return isfinite(v) && v >= 1 && v <= 100000;
}

static bool view_viewport(const reelay_wf_view *view, double *width, double *height)
{
    if (usable(view->width) && usable(view->height)) {
        *width = view->width;
        *height = view->height;
        return true;
    }
    if (view->first_root != REELAY_SCENE_NONE) {
        const reelay_wireframe *root = view->nodes[view->first_root].wf;
        if (root->has_width && root->has_height && usable(root->width) && usable(root->height)) {
            *width = root->width;
            *height = root->height;
            return true;
        }
    }
    return false;
}

/* The first viewport any window's meta declares. */
static bool declared_viewport(const reelay_session *session, double *width, double *height)
{
    for (size_t i = 0; i < session->window_count; i++) {
        const reelay_window *window = &session->windows[i];
        if (window->has_viewport && usable(window->width) && usable(window->height)) {
            *width = window->width;
            *height = window->height;
            return true;
        }
    }
    return false;
}

/* The web page's viewport in state w (may be NULL): recorded, else the
 * first one any window declares, else a common desktop size. */
static void web_viewport(const reelay_session *session, const reelay_web_state *w, double *width, double *height)
{
    if (w && w->has_viewport && usable(w->viewport_width) && usable(w->viewport_height)) {
        *width = w->viewport_width;
        *height = w->viewport_height;
        return;
    }
    if (declared_viewport(session, width, height)) return;
    *width = DEFAULT_WEB_WIDTH;
    *height = DEFAULT_WEB_HEIGHT;
}

/* A mobile screen whose view names no size is shown at the first sized
 * screen of the recording, else any window's meta, else a phone's: a
 * recording that names no size is drawn like a web page that names none, at
 * a common size, not refused. Fixed for the session, so found once. */
static void unsized_viewport(const reelay_frame_maker *maker, double *width, double *height)
{
    if (reelay_frame_maker_first_viewport(maker, width, height)) return;
    if (declared_viewport(maker->session, width, height)) return;
    *width = DEFAULT_MOBILE_WIDTH;
    *height = DEFAULT_MOBILE_HEIGHT;
}

/* The screen on show in view (mobile): its own size, else the unsized one. */
static void mobile_viewport(const reelay_frame_maker *maker, const reelay_wf_view *view, double *width,
                            double *height)
{
    if (view_viewport(view, width, height)) return;
    *width = maker->unsized_width;
    *height = maker->unsized_height;
}

bool reelay_frame_maker_first_viewport(const reelay_frame_maker *maker, double *width, double *height)
{
    const reelay_session *session = maker->session;
    if (maker->web) {
        web_viewport(session, NULL, width, height);
        if (shows_chrome(maker)) *height += REELAY_WEB_CHROME_HEIGHT;
        return true;
    }
    for (size_t i = 0; i < session->event_count; i++) {
        const reelay_event *ev = &session->events[i];
        if (ev->kind != EV_FULL_SNAPSHOT || !ev->mobile) continue;
        const reelay_window *window = &session->windows[ev->window];
        if (window->has_viewport && usable(window->width) && usable(window->height)) {
            *width = window->width;
            *height = window->height;
            return true;
        }
        if (ev->u.full.wireframe_count > 0) {
            const reelay_wireframe *root = &ev->u.full.wireframes[0];
            if (root->has_width && root->has_height && usable(root->width) && usable(root->height)) {
                *width = root->width;
                *height = root->height;
                return true;
            }
        }
    }
    return false;
}

bool reelay_frame_maker_viewport(const reelay_frame_maker *maker, double *width, double *height)
{
    if (maker->web) {
        web_viewport(maker->session, &maker->web_state, width, height);
        if (shows_chrome(maker)) *height += REELAY_WEB_CHROME_HEIGHT; /* the browser frame above the page */
        return true;
    }
    reelay_wf_view view;
    reelay_wf_scene_view(maker->scene, &view);
    mobile_viewport(maker, &view, width, height);
    return true;
}

/* Device pixels per CSS pixel the engine draws a width x height page at:
 * the scale it is shown at in the page target (the page and the browser
 * frame above it fitted in), so WebKit paints no pixel that resampling would
 * throw away, and text is drawn at the size it is seen; never above 1 (a
 * page is not drawn larger than it was recorded), and within PAGE_MAX_SIDE. */
static double page_zoom(const reelay_frame_maker *maker, int width, int height)
{
    double zoom = 1;
    if (maker->page_target_width > 0 && maker->page_target_height > 0) {
        double shown_height = height + (shows_chrome(maker) ? REELAY_WEB_CHROME_HEIGHT : 0);
        zoom = fmin(zoom, fmin(maker->page_target_width / width, maker->page_target_height / shown_height));
        zoom = fmax(zoom, PAGE_MIN_ZOOM);
    }
    double side = width > height ? width : height;
    return side * zoom > PAGE_MAX_SIDE ? PAGE_MAX_SIDE / side : zoom;
}

/* The engine for window's page at the current size, (re)started when the
 * window or the size changed. session_s names the moment in errors. */
static int ensure_engine(reelay_frame_maker *maker, uint32_t window, int width, int height, double session_s,
                         reelay_err *err)
{
    if (maker->engine && maker->engine_window == window && maker->engine_width == width &&
        maker->engine_height == height)
        return REELAY_OK;
    if (maker->engine) {
        /* its counts go to the totals of the engines before it */
        maker->page_stats = reelay_frame_maker_page_stats(maker);
        reelay_page_engine_stop(maker->engine);
        maker->engine = NULL;
    }
    reelay_page_engine_options options = {0};
    if (maker->engine_options) options = *maker->engine_options;
    options.zoom = page_zoom(maker, width, height);
    reelay_buf events;
    reelay_buf_init(&events);
    int rc = reelay_rrweb_json_window(maker->session, window, &events, NULL, err);
    if (rc == REELAY_OK)
        rc = reelay_page_engine_start(&options, width, height, (const char *)events.data, events.len, &maker->engine,
                                      err);
    reelay_buf_free(&events);
    if (rc != REELAY_OK) {
        if (session_s >= 0) reelay_err_prefix(err, "the page at session time %.3f s", session_s);
        return rc;
    }
    maker->engine_window = window;
    maker->engine_width = width;
    maker->engine_height = height;
    return REELAY_OK;
}

/* The page of state w in whole CSS px, as the engine lays it out. */
static void page_size(const reelay_frame_maker *maker, const reelay_web_state *w, int *width, int *height)
{
    double vw, vh;
    web_viewport(maker->session, w, &vw, &vh);
    *width = (int)lround(vw);
    *height = (int)lround(vh);
}

/* The page frame of the last seek in maker->page: drawn by the engine when
 * the window, its size or its page changed since the last one. */
static int update_page(reelay_frame_maker *maker, reelay_err *err)
{
    const reelay_web_state *w = &maker->web_state;
    int css_width, css_height;
    page_size(maker, w, &css_width, &css_height);
    if (maker->page_valid && maker->page_window == w->window && maker->page_revision == maker->seek_revision &&
        maker->engine_width == css_width && maker->engine_height == css_height)
        return REELAY_OK;
    double session_s = (maker->seek_ts - maker->session->first_ts) / 1000.0;
    int rc = ensure_engine(maker, w->window, css_width, css_height, session_s, err);
    cairo_surface_t *frame = NULL;
    if (rc == REELAY_OK) rc = reelay_page_engine_frame(maker->engine, maker->seek_ts, session_s, &frame, err);
    if (rc != REELAY_OK) {
        maker->page_valid = false;
        return rc;
    }
    /* the engine's pixels: the CSS size, zoomed out when it is huge */
    int width = cairo_image_surface_get_width(frame), height = cairo_image_surface_get_height(frame);
    if (maker->page && (cairo_image_surface_get_width(maker->page) != width ||
                        cairo_image_surface_get_height(maker->page) != height)) {
        cairo_surface_destroy(maker->page);
        maker->page = NULL;
    }
    if (!maker->page) {
        maker->page = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
        if (cairo_surface_status(maker->page) != CAIRO_STATUS_SUCCESS) {
            cairo_surface_destroy(maker->page);
            maker->page = NULL;
            return reelay_err_set(err, REELAY_E_INTERNAL, "cannot allocate a %dx%d page", width, height);
        }
    }
    cairo_surface_flush(frame);
    cairo_surface_flush(maker->page);
    int src_stride = cairo_image_surface_get_stride(frame), dst_stride = cairo_image_surface_get_stride(maker->page);
    const unsigned char *src = cairo_image_surface_get_data(frame);
    unsigned char *dst = cairo_image_surface_get_data(maker->page);
    for (int y = 0; y < height; y++)
        memcpy(dst + (size_t)y * dst_stride, src + (size_t)y * src_stride, (size_t)width * 4);
    cairo_surface_mark_dirty(maker->page);
    maker->page_serial++;
    maker->page_valid = true;
    maker->page_window = w->window;
    maker->page_revision = maker->seek_revision;
    return REELAY_OK;
}

int reelay_frame_maker_prepare(reelay_frame_maker *maker, double ts, reelay_err *err)
{
    if (!maker->page_view) return REELAY_OK;
    if (reelay_frame_maker_seek(maker, ts, NULL, err) != REELAY_OK) return err->code;
    if (!maker->page_auto) return update_page(maker, err);
    reelay_err local;
    reelay_err_clear(&local);
    if (update_page(maker, &local) == REELAY_OK) {
        maker->page_auto = false;
        return REELAY_OK;
    }
    /* AUTO: the engine cannot start here; the interaction view it is */
    snprintf(maker->view_note, sizeof maker->view_note, "%s", local.msg);
    maker->page_view = false;
    maker->page_auto = false;
    return REELAY_OK;
}

double reelay_frame_maker_next_page_change(const reelay_frame_maker *maker, double after)
{
    if (!maker->page_view) return INFINITY;
    return reelay_page_changes_next(maker->page_changes, maker->web_state.window, after);
}

bool reelay_frame_maker_prefetch_room(const reelay_frame_maker *maker)
{
    return maker->page_view && maker->engine && reelay_page_engine_has_room(maker->engine);
}

int reelay_frame_maker_prefetch(reelay_frame_maker *maker, double ts, reelay_err *err)
{
    if (!maker->page_view || !maker->engine) return REELAY_OK;
    reelay_web_state then;
    reelay_web_scene_at(maker->web_scene, ts, &then);
    int width, height;
    page_size(maker, &then, &width, &height);
    if (then.window != maker->engine_window || width != maker->engine_width || height != maker->engine_height)
        return REELAY_OK;
    size_t revision = reelay_page_changes_revision(maker->page_changes, then.window, ts);
    if (maker->page_valid && maker->page_window == then.window && maker->page_revision == revision) return REELAY_OK;
    return reelay_page_engine_request(maker->engine, ts, (ts - maker->session->first_ts) / 1000.0, err);
}

reelay_web_view reelay_frame_maker_web_view(const reelay_frame_maker *maker)
{
    return maker->page_view ? REELAY_WEB_VIEW_PAGE : REELAY_WEB_VIEW_INTERACTION;
}

const char *reelay_frame_maker_web_view_note(const reelay_frame_maker *maker)
{
    return maker->view_note[0] ? maker->view_note : NULL;
}

reelay_page_view_stats reelay_frame_maker_page_stats(const reelay_frame_maker *maker)
{
    reelay_page_view_stats stats = maker->page_stats;
    if (maker->engine) {
        reelay_page_engine_stats now = reelay_page_engine_get_stats(maker->engine);
        stats.engines++;
        stats.start_s += now.start_s;
        stats.frames += now.frames;
        stats.frames_s += now.frames_s;
        if (now.peak_rss > stats.peak_rss) stats.peak_rss = now.peak_rss;
    }
    return stats;
}

/* The page at (0, 0, vw, vh) of cr. A video repaints the screen for every
 * pointer move while the page stays: the page is resampled once per page
 * frame and size into `scaled`, then each repaint is a copy of it (placed
 * on whole device pixels; without rotation or skew only). */
static void paint_page_pixels(reelay_frame_maker *maker, cairo_t *cr, double vw, double vh)
{
    double x0 = 0, y0 = 0, dw = vw, dh = vh;
    cairo_user_to_device(cr, &x0, &y0);
    cairo_user_to_device_distance(cr, &dw, &dh);
    cairo_matrix_t m;
    cairo_get_matrix(cr, &m);
    int pw = cairo_image_surface_get_width(maker->page), ph = cairo_image_surface_get_height(maker->page);
    int cw = (int)lround(dw), ch = (int)lround(dh);
    bool axis_aligned = m.xy == 0 && m.yx == 0 && cw > 0 && ch > 0;
    if (!axis_aligned) {
        cairo_save(cr);
        cairo_scale(cr, vw / pw, vh / ph);
        cairo_set_source_surface(cr, maker->page, 0, 0);
        cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_GOOD);
        cairo_paint(cr);
        cairo_restore(cr);
        return;
    }
    /* drawn at the size shown (page_zoom): copied as it is; else resampled once per page frame */
    cairo_surface_t *shown = maker->page;
    if (cw != pw || ch != ph) {
        if (!maker->scaled || maker->scaled_serial != maker->page_serial ||
            cairo_image_surface_get_width(maker->scaled) != cw || cairo_image_surface_get_height(maker->scaled) != ch) {
            if (maker->scaled) cairo_surface_destroy(maker->scaled);
            maker->scaled = cairo_image_surface_create(CAIRO_FORMAT_RGB24, cw, ch);
            cairo_t *scr = cairo_create(maker->scaled);
            cairo_scale(scr, (double)cw / pw, (double)ch / ph);
            cairo_set_source_surface(scr, maker->page, 0, 0);
            cairo_pattern_set_filter(cairo_get_source(scr), CAIRO_FILTER_GOOD);
            cairo_set_operator(scr, CAIRO_OPERATOR_SOURCE);
            cairo_paint(scr);
            cairo_destroy(scr);
            maker->scaled_serial = maker->page_serial;
        }
        shown = maker->scaled;
    }
    /* on whole pixels */
    cairo_save(cr);
    cairo_identity_matrix(cr);
    cairo_set_source_surface(cr, shown, round(x0), round(y0));
    cairo_paint(cr);
    cairo_restore(cr);
}

/* The page view's page for the last seek: the engine started (or, for
 * AUTO, given up on: the maker then shows the interaction view) and the
 * page frame of the last seek in maker->page. */
static int prepare_page(reelay_frame_maker *maker, reelay_err *err)
{
    if (maker->page_auto && reelay_frame_maker_prepare(maker, maker->seek_ts, err) != REELAY_OK) return err->code;
    return maker->page_view ? update_page(maker, err) : REELAY_OK;
}

/* A web view in logical units: the browser frame, the page (the engine's
 * pixels, or the interaction view's stand-in), then the overlays. In the
 * interaction view the frame and the cards are the view itself, drawn
 * whatever the overlays; in the page view they are the chrome and cards
 * overlays. */
static void paint_web(reelay_frame_maker *maker, cairo_t *cr, double vw, double vh, reelay_frame_info *info)
{
    const reelay_web_state *w = &maker->web_state;
    const reelay_pointer_state *p = &maker->pointer_state;
    if (shows_chrome(maker)) {
        reelay_paint_web_chrome(cr, maker->fonts, w, vw);
        cairo_translate(cr, 0, REELAY_WEB_CHROME_HEIGHT);
    }
    cairo_rectangle(cr, 0, 0, vw, vh);
    cairo_clip(cr);
    if (maker->page_view)
        paint_page_pixels(maker, cr, vw, vh);
    else
        reelay_paint_web_page(cr, w, p, vw, vh);
    bool animates = false;
    if (maker->overlays & REELAY_OVERLAY_TOUCHES) {
        reelay_paint_touch(cr, &maker->touch_state);
        animates = animates || maker->touch_state.animating;
    }
    if (!maker->page_view || (maker->overlays & REELAY_OVERLAY_CARDS)) {
        reelay_paint_web_annotations(cr, maker->fonts, w, vw, vh);
        animates = animates || w->animating;
    }
    if (maker->overlays & REELAY_OVERLAY_POINTER) {
        reelay_paint_pointer(cr, maker->fonts, p, w->page_height);
        animates = animates || p->animating;
    }
    info->has_content = w->has_window;
    info->animates = animates;
}

/* A mobile recording without one wireframe (screen capture off): a plain
 * light screen that says so, for the touches to be drawn on. */
static void paint_no_screen(reelay_frame_maker *maker, cairo_t *cr, double vw, double vh)
{
    cairo_set_source_rgb(cr, 0xE5 / 255.0, 0xE7 / 255.0, 0xEB / 255.0);
    cairo_rectangle(cr, 0, 0, vw, vh);
    cairo_fill(cr);
    double size = fmax(8, fmin(vw, vh) / 18);
    reelay_text_style style = {.family = "sans-serif",
                               .size = size,
                               .color = {0x4B / 255.0, 0x55 / 255.0, 0x63 / 255.0, 1},
                               .wrap = true,
                               .keep_words = true,
                               .halign = TEXT_ALIGN_CENTER,
                               .valign = TEXT_ALIGN_CENTER,
                               .line_align = TEXT_ALIGN_CENTER};
    reelay_text_draw(cr, maker->fonts, "no screen recorded", vw * 0.1, 0, vw * 0.8, vh, &style);
}

int reelay_frame_maker_paint_region(reelay_frame_maker *maker, cairo_t *cr, double x, double y, double w, double h,
                                    bool keep_aspect, reelay_frame_info *info, reelay_err *err)
{
    reelay_frame_info local = {0};
    if (!info) info = &local;
    *info = (reelay_frame_info){0};
    if (!(w > 0 && h > 0)) return REELAY_OK;
    reelay_wf_view view = {0};
    double vw, vh;
    bool has_screen;
    /* first, as AUTO may turn to the interaction view here, whose size differs */
    if (maker->web && maker->page_view && prepare_page(maker, err) != REELAY_OK) return err->code;
    if (maker->web) {
        has_screen = reelay_frame_maker_viewport(maker, &vw, &vh);
    } else {
        reelay_wf_scene_view(maker->scene, &view);
        has_screen = view.has_content || maker->no_screen;
        if (has_screen) mobile_viewport(maker, &view, &vw, &vh);
    }

    cairo_save(cr);
    cairo_rectangle(cr, x, y, w, h);
    cairo_clip(cr);
    double sx = 1, sy = 1, ox = x, oy = y;
    if (has_screen) {
        sx = w / vw;
        sy = h / vh;
        if (keep_aspect) {
            /* Another window (a dialog) may have another shape than the
             * video: fit it, centred, on the letterbox colour. */
            double scale = sx < sy ? sx : sy;
            sx = sy = scale;
            ox = x + (w - vw * scale) / 2;
            oy = y + (h - vh * scale) / 2;
            cairo_set_source_rgb(cr, 0x1F / 255.0, 0x29 / 255.0, 0x37 / 255.0);
            cairo_paint(cr);
        }
    }
    /* The player's iframe is white wherever nothing is painted. */
    cairo_set_source_rgb(cr, 1, 1, 1);
    if (has_screen)
        cairo_rectangle(cr, ox, oy, vw * sx, vh * sy);
    else
        cairo_rectangle(cr, x, y, w, h);
    cairo_fill(cr);

    int rc = REELAY_OK;
    if (has_screen && maker->web) {
        cairo_translate(cr, ox, oy);
        cairo_scale(cr, sx, sy);
        cairo_rectangle(cr, 0, 0, vw, vh);
        cairo_clip(cr);
        paint_web(maker, cr, vw, vh - (shows_chrome(maker) ? REELAY_WEB_CHROME_HEIGHT : 0), info);
    } else if (has_screen) {
        /* The renderer paints in logical units; it reads the viewport from
         * the view, so hand it the one chosen here. */
        view.width = vw;
        view.height = vh;
        cairo_translate(cr, ox, oy);
        cairo_scale(cr, sx, sy);
        cairo_rectangle(cr, 0, 0, vw, vh);
        cairo_clip(cr);
        reelay_wf_render_info wf_info = {0};
        if (maker->no_screen)
            paint_no_screen(maker, cr, vw, vh);
        else
            rc = reelay_wf_render(maker->renderer, &view, cr, &wf_info, err);
        /* Overlays go above everything, status bar included (spec §4.10). */
        if (rc == REELAY_OK && (maker->overlays & REELAY_OVERLAY_TOUCHES)) {
            reelay_touch_state touch;
            reelay_touch_at(maker->touches, view.window, maker->seek_ts, &touch);
            reelay_paint_touch(cr, &touch);
            if (touch.animating) wf_info.animates = true;
        }
        info->has_content = true;
        info->animates = wf_info.animates;
        info->nodes_painted = wf_info.nodes_painted;
        info->images_failed = wf_info.images_failed;
    }
    cairo_restore(cr);
    if (rc == REELAY_OK && cairo_status(cr) != CAIRO_STATUS_SUCCESS)
        rc = reelay_err_set(err, REELAY_E_INTERNAL, "drawing failed: %s", cairo_status_to_string(cairo_status(cr)));
    return rc;
}

int reelay_frame_maker_paint(reelay_frame_maker *maker, cairo_surface_t *target, reelay_frame_info *info,
                             reelay_err *err)
{
    cairo_t *cr = cairo_create(target);
    int rc = reelay_frame_maker_paint_region(maker, cr, 0, 0, cairo_image_surface_get_width(target),
                                             cairo_image_surface_get_height(target), false, info, err);
    cairo_destroy(cr);
    cairo_surface_flush(target);
    return rc;
}

const char *reelay_frame_maker_screen_name(const reelay_frame_maker *maker)
{
    if (maker->web) return maker->web_state.has_window ? maker->web_state.url : NULL;
    reelay_wf_view view;
    reelay_wf_scene_view(maker->scene, &view);
    return view.has_content ? view.screen_name : NULL;
}

const struct reelay_web_scene *reelay_frame_maker_web_scene(const reelay_frame_maker *maker)
{
    return maker->web_scene;
}

reelay_fonts *reelay_frame_maker_fonts(reelay_frame_maker *maker)
{
    return maker->fonts;
}

static int even_dimension(double v, int max_dim)
{
    long even = lround(v / 2.0) * 2;
    if (even < 2) even = 2;
    if (even > max_dim) even = max_dim - (max_dim % 2);
    return (int)even;
}

void reelay_frame_scaled_size(double vw, double vh, double scale, int max_dim, int *width, int *height)
{
    *width = even_dimension(vw * scale, max_dim);
    *height = even_dimension(vh * scale, max_dim);
}

void reelay_frame_video_size(double vw, double vh, int *width, int *height)
{
    double long_side = fmax(vw, vh), short_side = fmin(vw, vh);
    double scale = fmin(2.0, fmin(REELAY_VIDEO_LONG_SIDE / long_side, REELAY_VIDEO_SHORT_SIDE / short_side));
    reelay_frame_scaled_size(vw, vh, scale, REELAY_VIDEO_LONG_SIDE, width, height);
}

void reelay_frame_default_size(double vw, double vh, int *width, int *height)
{
    double scale = 2.0;
    double long_side = fmax(vw, vh);
    if (long_side * scale > REELAY_FRAME_DEFAULT_LONG_SIDE) scale = REELAY_FRAME_DEFAULT_LONG_SIDE / long_side;
    reelay_frame_scaled_size(vw, vh, scale, REELAY_FRAME_DEFAULT_LONG_SIDE, width, height);
}
