#include "render/render.h"

#include <cairo.h>
#include <jansson.h>
#include <libavutil/mem.h>
#include <libavutil/sha.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/atomic_file.h"
#include "core/clock.h"
#include "core/gzip.h"
#include "encode/email_html.h"
#include "encode/preview.h"
#include "encode/still.h"
#include "renderers/frame/frame.h"
#include "renderers/overlay/hud.h"
#include "renderers/overlay/inspector.h"
#include "render/frame_queue.h"
#include "renderers/paint/image.h"
#include "ingest/archive.h"
#include "render/moments.h"
#include "scene/web_scene.h"
#include "session/highlights.h"
#include "session/summary.h"

/* Poster: the busiest stretch of this many session milliseconds. */
#define POSTER_WINDOW_MS 3000.0

reelay_render_options reelay_render_defaults(void)
{
    reelay_render_options options = {
        .codec = REELAY_CODEC_AUTO,
        .fps = 24,
        .crf = -1,
        .timeline = reelay_timeline_defaults(),
        .overlays = REELAY_OVERLAY_ALL,
        .ingest = reelay_ingest_defaults(),
        .max_duration_ms = 24.0 * 3600e3,
        .max_frames = 10 * 1000 * 1000,
        .max_image_pixels = REELAY_IMAGE_MAX_PIXELS,
        .max_output_dim = REELAY_DEFAULT_MAX_OUTPUT_DIM,
        .overwrite = true,
        .web_view = REELAY_WEB_VIEW_PAGE,
        .page_engine = {.request_timeout_s = REELAY_PAGE_ENGINE_REQUEST_TIMEOUT_S,
                        .max_memory_bytes = REELAY_PAGE_ENGINE_MAX_MEMORY},
    };
    options.ingest.keep_rrweb_json = true; /* for the page view */
    return options;
}

typedef struct layout {
    int width, height;          /* whole frame */
    int screen_width, screen_height; /* the screen occupies (0, 0, screen_width, screen_height) */
    int panel_width;            /* the inspector at (screen_width, 0, panel_width, screen_height); 0 when off */
    int hud_height;             /* the HUD strip below both, full width; 0 when off */
} layout;

static int plan_layout(const reelay_session *session, reelay_frame_maker *maker, const reelay_render_options *options,
                       layout *out, reelay_err *err)
{
    double vw, vh;
    bool known = reelay_frame_maker_first_viewport(maker, &vw, &vh);
    if (!known) {
        /* No snapshot of its own: the scene may still have synthesised one
         * (a screenshot sent as a mutation, spec §4.9). */
        int rc = reelay_frame_maker_seek(maker, session->last_ts, NULL, err);
        if (rc != REELAY_OK) return rc;
        known = reelay_frame_maker_viewport(maker, &vw, &vh);
    }
    if (!known)
        return reelay_err_set(err, REELAY_E_INPUT, "no screen size: the recording has no meta event or sized screen");
    bool hud = (options->overlays & REELAY_OVERLAY_HUD) != 0;
    if (options->width > 0 && options->height > 0) {
        /* A fixed frame: the HUD and the panel take their share of it. */
        out->width = options->width;
        out->height = options->height;
        if (out->width % 2 || out->height % 2)
            return reelay_err_set(err, REELAY_E_USAGE, "--size %dx%d: video dimensions must be even", out->width,
                                  out->height);
        if (out->width > options->max_output_dim || out->height > options->max_output_dim)
            return reelay_err_set(err, REELAY_E_USAGE, "--size %dx%d is larger than --max-output-dim %d", out->width,
                                  out->height, options->max_output_dim);
        out->hud_height = hud ? reelay_hud_height(out->width) : 0;
        if (out->hud_height > out->height / 2) out->hud_height = 0;
        out->screen_height = out->height - out->hud_height;
        out->panel_width = options->inspector ? out->width / 2 - (out->width / 2) % 2 : 0;
        out->screen_width = out->width - out->panel_width;
        return REELAY_OK;
    }
    reelay_frame_video_size(vw, vh, &out->screen_width, &out->screen_height);
    out->panel_width = options->inspector ? reelay_inspector_width(out->screen_width, out->screen_height) : 0;
    out->width = out->screen_width + out->panel_width;
    out->hud_height = hud ? reelay_hud_height(out->width) : 0;
    out->height = out->screen_height + out->hud_height;
    if (out->width > options->max_output_dim || out->height > options->max_output_dim)
        return reelay_err_set(err, REELAY_E_USAGE, "the video would be %dx%d, larger than --max-output-dim %d",
                              out->width, out->height, options->max_output_dim);
    return REELAY_OK;
}

/* The session time of the poster: the end of the busiest POSTER_WINDOW_MS of
 * active events inside the shown part, where the screen has just reacted.
 * With --highlights the shown part is the highlights' windows alone. */
static bool counts_for_poster(const reelay_event *ev, const reelay_timeline *timeline, double from, double to)
{
    if (!ev->active || ev->timestamp < from || ev->timestamp > to) return false;
    double out_ms;
    return !reelay_timeline_is_highlights(timeline) || reelay_timeline_output_time(timeline, ev->timestamp, &out_ms);
}

static double poster_time(const reelay_session *session, const reelay_timeline *timeline)
{
    double from, to;
    reelay_timeline_session_range(timeline, &from, &to);
    /* Sliding window over the active events: [oldest, i] spans at most
     * POSTER_WINDOW_MS and holds in_window of them. */
    size_t best = 0, in_window = 0, oldest = 0;
    double best_ts = from;
    for (size_t i = 0; i < session->event_count; i++) {
        const reelay_event *ev = &session->events[i];
        if (!counts_for_poster(ev, timeline, from, to)) continue;
        in_window++;
        while (oldest < i && (!counts_for_poster(&session->events[oldest], timeline, from, to) ||
                              session->events[oldest].timestamp < ev->timestamp - POSTER_WINDOW_MS)) {
            if (counts_for_poster(&session->events[oldest], timeline, from, to)) in_window--;
            oldest++;
        }
        if (in_window > best) {
            best = in_window;
            best_ts = ev->timestamp;
        }
    }
    /* A moment later the tap's ring and the new screen are both visible
     * (unless that moment is not in the video). */
    double later = fmin(best_ts + 150.0, to), out_ms;
    return reelay_timeline_output_time(timeline, later, &out_ms) ? later : best_ts;
}

/* The checksum of the bytes at path (the video's temporary file), named
 * `name` in messages. */
static int sha256_file(const char *path, const char *name, char hex[65], reelay_err *err)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return reelay_err_set(err, REELAY_E_IO, "%s: cannot read back for its checksum", name);
    struct AVSHA *sha = av_sha_alloc();
    if (!sha || av_sha_init(sha, 256) < 0) {
        fclose(fp);
        av_free(sha);
        return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    }
    unsigned char buffer[1 << 16];
    size_t n;
    while ((n = fread(buffer, 1, sizeof buffer, fp)) > 0) av_sha_update(sha, buffer, (unsigned)n);
    int failed = ferror(fp);
    fclose(fp);
    unsigned char digest[32];
    av_sha_final(sha, digest);
    av_free(sha);
    if (failed) return reelay_err_set(err, REELAY_E_IO, "%s: read error while computing its checksum", name);
    for (int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    return REELAY_OK;
}

/* The manifest as JSON text (malloc'ed), or NULL when out of memory. The
 * output section (the finished file's size, checksum and frames) only
 * with_output: a manifest attached to the video itself is written before
 * the video exists. */
static char *manifest_text(const reelay_session *session, const reelay_render_options *options,
                           const reelay_timeline *timeline, const reelay_highlights *highlights,
                           const reelay_render_result *result, bool with_output)
{
    char start[40];
    reelay_format_iso8601(session->first_ts, start, sizeof start);
    json_t *root = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:{s:s, s:i, s:i, s:i, s:i, s:b, s:f, s:b, s:s, s:b, s:b}}", "reelay_version",
        REELAY_VERSION, "session_id", session->session_id, "user", session->user, "start", start, "source",
        reelay_source_name(session->source), "options", "codec", result->codec, "fps", options->fps, "crf",
        options->crf, "width", result->width, "height", result->height, "vfr", result->vfr, "speed",
        options->timeline.speed, "skip_idle", options->timeline.skip_idle, "layout",
        options->inspector ? "inspector" : "screen", "subtitles", options->subtitles, "attach_recording",
        options->attach_recording);
    if (root && with_output)
        json_object_set_new(root, "output",
                            json_pack("{s:s, s:I, s:s, s:I, s:f, s:i, s:i}", "path", options->output, "bytes",
                                      (json_int_t)result->bytes, "sha256", result->sha256, "frames",
                                      (json_int_t)result->frames, "duration_s", result->duration_s, "width",
                                      result->width, "height", result->height));
    if (root && result->web_view)
        json_object_set_new(json_object_get(root, "options"), "web_view", json_string(result->web_view));
    if (root && with_output && options->poster)
        json_object_set_new(root, "poster",
                            json_pack("{s:s, s:f}", "path", options->poster, "at_s",
                                      round(result->poster_at_s * 1000) / 1000));
    if (root && reelay_timeline_is_highlights(timeline)) {
        json_t *list = reelay_timeline_highlights_json(timeline, highlights, session);
        if (!list || json_object_set_new(root, "highlights", list) != 0 ||
            json_object_set_new(json_object_get(root, "options"), "highlights_s",
                                json_real(options->highlights_ms / 1000.0)) != 0) {
            json_decref(root);
            return NULL;
        }
    }
    json_t *map = reelay_timeline_json(timeline, session);
    if (!root || !map) {
        json_decref(root);
        json_decref(map);
        return NULL;
    }
    if (json_object_set_new(root, "timeline", map) != 0) { /* it took map */
        json_decref(root);
        return NULL;
    }
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(10));
    json_decref(root);
    return text;
}

static int write_manifest(const char *path, const reelay_session *session, const reelay_render_options *options,
                          const reelay_timeline *timeline, const reelay_highlights *highlights,
                          const reelay_render_result *result, const reelay_atomic_options *write,
                          reelay_atomic_file *held, reelay_err *err)
{
    char *text = manifest_text(session, options, timeline, highlights, result, true);
    if (!text) return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    reelay_atomic_file file;
    int rc = reelay_atomic_begin_with(&file, path, write, err);
    if (rc == REELAY_OK) {
        fputs(text, file.fp);
        fputc('\n', file.fp);
        rc = reelay_atomic_finish(&file, held, err);
    }
    free(text);
    return rc;
}

/* The HUD is repainted when its clock shows another second or the screen
 * changes, and its progress bar moves only then: on a still screen that is
 * one changed frame a second, the rest cheap repeats (or, with --vfr, left
 * out). A bar in step with the clock reads as smooth. */
typedef struct hud_key {
    long elapsed_s;
    const char *screen;
} hud_key;

typedef struct render_job {
    const reelay_session *session;
    const reelay_render_options *options;
    reelay_timeline *timeline;
    reelay_highlights highlights; /* --highlights: what the timeline shows; empty else */
    reelay_moments moments;
    reelay_frame_maker *maker;
    layout layout;
    cairo_t *cr; /* the surface being drawn, in the drawing thread */
    reelay_video *video;
    reelay_preview *preview;
    bool vfr; /* options->frame_rate as resolved for the output's container */
} render_job;

static void paint_hud(render_job *job, const reelay_timeline_point *point, double out_ms, double duration_ms)
{
    const reelay_session *session = job->session;
    reelay_hud_state hud = {
        .elapsed_ms = point->session_ts - session->first_ts,
        .total_ms = session->last_ts - session->first_ts,
        .wall_clock_ms = point->session_ts,
        .screen = reelay_frame_maker_screen_name(job->maker),
        .progress = duration_ms > 0 ? out_ms / duration_ms : 0,
        .markers = job->moments.markers,
        .marker_count = job->moments.marker_count,
        .speed = job->options->timeline.speed,
    };
    reelay_paint_hud(job->cr, reelay_frame_maker_fonts(job->maker), 0, job->layout.screen_height, job->layout.width,
                     job->layout.hud_height, &hud);
}

static void paint_inspector(render_job *job, double out_ms)
{
    const layout *l = &job->layout;
    reelay_paint_inspector(job->cr, reelay_frame_maker_fonts(job->maker), l->screen_width, 0, l->panel_width,
                           l->screen_height, job->moments.log, job->moments.log_count, out_ms);
}

static int paint_screen(render_job *job, const reelay_timeline_point *point, reelay_frame_info *info,
                        reelay_err *err)
{
    const layout *l = &job->layout;
    int rc = reelay_frame_maker_paint_region(job->maker, job->cr, 0, 0, l->screen_width, l->screen_height, true, info,
                                             err);
    if (rc == REELAY_OK && point->kind == REELAY_TL_SKIP) {
        char text[REELAY_HIGHLIGHT_TEXT_MAX + 64];
        reelay_timeline_card_text(point, text, sizeof text);
        reelay_paint_skip_card(job->cr, reelay_frame_maker_fonts(job->maker), 0, 0, l->screen_width,
                               l->screen_height, text, point->card_progress);
    }
    return rc;
}

/* How far ahead (output frames) the next page change is looked for. */
#define PREFETCH_FRAMES 240

/* The web page view: the page engine draws the page's next changes while
 * this thread draws, and the encoder encodes, the frames up to them. A
 * change shows first in the first output frame at or after it, so that
 * frame's session time is what the engine is asked for: the very seek the
 * loop will make there. now_ts is the session time of `frame`; *asked the
 * latest time asked for (the engine holds up to REELAY_PAGE_ENGINE_DEPTH). */
static int prefetch_page(render_job *job, int64_t frame, int64_t total, double now_ts, double *asked,
                         reelay_err *err)
{
    double from = isfinite(*asked) && *asked > now_ts ? *asked : now_ts;
    int64_t f = frame + 1;
    while (reelay_frame_maker_prefetch_room(job->maker)) {
        double change = reelay_frame_maker_next_page_change(job->maker, from);
        if (!isfinite(change)) return REELAY_OK;
        reelay_timeline_point point;
        for (; f < total && f <= frame + PREFETCH_FRAMES; f++) {
            reelay_timeline_at(job->timeline, reelay_timeline_frame_ms(job->timeline, job->options->fps, f), &point);
            if (point.session_ts >= change) break;
        }
        if (f >= total || f > frame + PREFETCH_FRAMES) return REELAY_OK;
        int rc = reelay_frame_maker_prefetch(job->maker, point.session_ts, err);
        if (rc != REELAY_OK) {
            reelay_err_prefix(err, "frame %lld", (long long)f); /* the frame it was for */
            return rc;
        }
        *asked = from = point.session_ts;
        f++;
    }
    return REELAY_OK;
}

/* Frames in the video: enough to cover the timeline at the frame rate. */
static int64_t frame_count(const render_job *job)
{
    return reelay_timeline_frame_count(job->timeline, job->options->fps);
}

/* Surfaces in flight between the threads: one being drawn, one being
 * encoded, one queued. */
#define QUEUE_SLOTS 3

/* One converted picture per surface of the queue, made on first use. */
typedef struct surface_picture {
    cairo_surface_t *surface;
    reelay_video_picture *picture;
} surface_picture;

typedef struct producer {
    render_job *job;
    reelay_frame_queue *queue;
    surface_picture pictures[QUEUE_SLOTS];
    int64_t painted;
    int rc;
    reelay_err err;
} producer;

static reelay_video_picture *picture_for(producer *p, cairo_surface_t *surface)
{
    for (int i = 0; i < QUEUE_SLOTS; i++) {
        surface_picture *sp = &p->pictures[i];
        if (sp->surface == surface) return sp->picture;
        if (!sp->surface) {
            sp->picture = reelay_video_picture_new(p->job->video);
            if (!sp->picture) return NULL;
            sp->surface = surface;
            return sp->picture;
        }
    }
    return NULL;
}

/* Converts the finished surface for the encoder here, so libswscale runs
 * beside the encoder instead of before it; only the rows that differ from
 * the frame before (previous, NULL for none) are converted again. */
static int convert_frame(producer *p, cairo_surface_t *surface, cairo_surface_t *previous,
                         reelay_video_picture **out)
{
    reelay_video_picture *picture = picture_for(p, surface);
    reelay_video_picture *previous_picture = previous ? picture_for(p, previous) : NULL;
    if (!picture || (previous && !previous_picture))
        return reelay_err_set(&p->err, REELAY_E_INTERNAL, "out of memory for a converted frame");
    int rc = reelay_video_convert_changed(p->job->video, cairo_image_surface_get_data(surface),
                                          previous ? cairo_image_surface_get_data(previous) : NULL,
                                          cairo_image_surface_get_stride(surface), previous_picture, picture, NULL,
                                          &p->err);
    if (rc == REELAY_OK) *out = picture;
    return rc;
}

/* Copies the rectangle (x, y, w, h) of from into to (same size and stride). */
static void copy_rect(cairo_surface_t *from, cairo_surface_t *to, int x, int y, int w, int h)
{
    if (w <= 0 || h <= 0) return;
    int stride = cairo_image_surface_get_stride(from);
    const unsigned char *src = cairo_image_surface_get_data(from);
    unsigned char *dst = cairo_image_surface_get_data(to);
    for (int row = y; row < y + h; row++)
        memcpy(dst + (size_t)row * stride + (size_t)x * 4, src + (size_t)row * stride + (size_t)x * 4, (size_t)w * 4);
}

/* The parts of a frame that will not be repainted, from the last frame: a
 * dirty part is painted whole (the screen, the panel and the HUD each fill
 * their rectangle), so copying it would be wasted (4 MB a frame at 720p). */
static void copy_clean_parts(const layout *l, cairo_surface_t *last, cairo_surface_t *surface, bool screen_dirty,
                             bool panel_dirty, bool hud_dirty)
{
    if (!screen_dirty) copy_rect(last, surface, 0, 0, l->screen_width, l->screen_height);
    if (!panel_dirty) copy_rect(last, surface, l->screen_width, 0, l->panel_width, l->screen_height);
    if (!hud_dirty) copy_rect(last, surface, 0, l->screen_height, l->width, l->hud_height);
}

/* The drawing thread: walks the output frames, repaints only what changed
 * into a fresh surface (starting from a copy of the last one), and queues
 * either that surface or a repeat. It alone touches the frame maker (Cairo,
 * Pango, the scene) while it runs. */
static void *produce_frames(void *arg)
{
    producer *p = arg;
    render_job *job = p->job;
    const reelay_render_options *options = job->options;
    double duration_ms = reelay_timeline_duration_ms(job->timeline);
    int64_t total = frame_count(job);
    bool hud = job->layout.hud_height > 0, panel = job->layout.panel_width > 0;
    bool first = true, screen_animates = false;
    double last_shown_ms = 0;
    reelay_timeline_kind last_kind = REELAY_TL_PLAY;
    hud_key last_hud = {0};
    double prefetched = NAN;
    cairo_surface_t *last = NULL;

    for (int64_t frame = 0; frame < total && p->rc == REELAY_OK; frame++) {
        /* The frame starts at out_ms and shows shown_ms: the same instant,
         * except that the last frame shows the end (timeline.h). */
        double out_ms = (double)frame * 1000.0 / options->fps;
        double shown_ms = reelay_timeline_frame_ms(job->timeline, options->fps, frame);
        reelay_timeline_point point;
        reelay_timeline_at(job->timeline, shown_ms, &point);
        bool changed = false;
        p->rc = reelay_frame_maker_seek(job->maker, point.session_ts, &changed, &p->err);
        if (p->rc != REELAY_OK) break;

        bool screen_dirty = first || changed || screen_animates || point.kind == REELAY_TL_SKIP ||
                            last_kind == REELAY_TL_SKIP;
        hud_key key = {
            .elapsed_s = (long)floor((point.session_ts - job->session->first_ts) / 1000.0),
            .screen = reelay_frame_maker_screen_name(job->maker),
        };
        bool hud_dirty = hud && (first || key.elapsed_s != last_hud.elapsed_s || key.screen != last_hud.screen);
        bool panel_dirty =
            panel &&
            (first || reelay_inspector_changes(job->moments.log, job->moments.log_count, last_shown_ms, shown_ms));
        reelay_queued_frame queued = {
            .pts = frame, .out_ms = out_ms, .session_ms = point.session_ts - job->session->first_ts};
        if (screen_dirty || hud_dirty || panel_dirty) {
            cairo_surface_t *surface = reelay_frame_queue_acquire(p->queue);
            if (!surface) break; /* the encoder gave up */
            if (last && last != surface) {
                /* Only the dirty parts are repainted: the rest comes from the last frame. */
                cairo_surface_flush(last);
                copy_clean_parts(&job->layout, last, surface, screen_dirty, panel_dirty, hud_dirty);
                cairo_surface_mark_dirty(surface);
            }
            job->cr = cairo_create(surface);
            if (screen_dirty) {
                reelay_frame_info info;
                p->rc = paint_screen(job, &point, &info, &p->err);
                if (p->rc != REELAY_OK) reelay_err_prefix(&p->err, "frame %lld", (long long)frame);
                screen_animates = info.animates;
                p->painted++;
            }
            if (hud_dirty) paint_hud(job, &point, shown_ms, duration_ms);
            if (panel_dirty) paint_inspector(job, shown_ms);
            cairo_destroy(job->cr);
            job->cr = NULL;
            cairo_surface_flush(surface);
            cairo_surface_t *previous = last != surface ? last : NULL;
            last = surface;
            queued.surface = surface;
            if (p->rc == REELAY_OK && screen_dirty)
                p->rc = prefetch_page(job, frame, total, point.session_ts, &prefetched, &p->err);
            if (p->rc == REELAY_OK) p->rc = convert_frame(p, surface, previous, &queued.picture);
        } else if (job->vfr) {
            queued.pts = -1; /* nothing to send; the queue still reports progress */
        }
        if (p->rc != REELAY_OK || !reelay_frame_queue_push(p->queue, &queued)) break;
        first = false;
        last_shown_ms = shown_ms;
        last_kind = point.kind;
        last_hud = key;
    }
    if (p->rc != REELAY_OK) reelay_frame_queue_cancel(p->queue);
    reelay_frame_queue_close(p->queue);
    return NULL;
}

/* The encoding side, on the calling thread: frames in order to the video and
 * the preview, and progress reports. */
static int consume_frames(render_job *job, reelay_frame_queue *queue, reelay_err *err)
{
    const reelay_render_options *options = job->options;
    double duration_ms = reelay_timeline_duration_ms(job->timeline);
    int64_t total = frame_count(job);
    double started = reelay_monotonic_s();
    reelay_queued_frame frame;
    while (reelay_frame_queue_pop(queue, &frame)) {
        int rc = REELAY_OK;
        if (frame.surface) {
            const uint8_t *data = cairo_image_surface_get_data(frame.surface);
            int stride = cairo_image_surface_get_stride(frame.surface);
            rc = frame.picture ? reelay_video_write_picture(job->video, frame.picture, frame.pts, err)
                               : reelay_video_write(job->video, data, stride, frame.pts, err);
            if (rc == REELAY_OK && job->preview) rc = reelay_preview_add(job->preview, data, stride, frame.out_ms, err);
            reelay_frame_queue_release(queue, frame.surface);
        } else if (frame.pts >= 0) {
            rc = reelay_video_repeat(job->video, frame.pts, err);
        }
        if (rc != REELAY_OK) {
            reelay_frame_queue_cancel(queue);
            return rc;
        }
        int64_t done = (int64_t)llround(frame.out_ms * options->fps / 1000.0) + 1;
        if (options->progress && (done % 12 == 0 || done == total)) {
            reelay_render_progress progress = {
                .frame = done,
                .total_frames = total,
                .out_ms = frame.out_ms,
                .duration_ms = duration_ms,
                .session_ms = frame.session_ms,
                .elapsed_s = reelay_monotonic_s() - started,
            };
            options->progress(options->progress_context, &progress);
        }
    }
    return REELAY_OK;
}

static int frame_loop(render_job *job, reelay_render_result *result, reelay_err *err)
{
    reelay_frame_queue *queue = reelay_frame_queue_new(job->layout.width, job->layout.height, QUEUE_SLOTS);
    if (!queue) return reelay_err_set(err, REELAY_E_INTERNAL, "cannot allocate %d frames of %dx%d", QUEUE_SLOTS,
                                      job->layout.width, job->layout.height);
    producer p = {.job = job, .queue = queue, .rc = REELAY_OK};
    reelay_err_clear(&p.err);
    pthread_t thread;
    if (pthread_create(&thread, NULL, produce_frames, &p) != 0) {
        reelay_frame_queue_free(queue);
        return reelay_err_set(err, REELAY_E_INTERNAL, "cannot start the drawing thread");
    }
    int rc = consume_frames(job, queue, err);
    pthread_join(thread, NULL);
    for (int i = 0; i < QUEUE_SLOTS; i++) reelay_video_picture_free(p.pictures[i].picture);
    reelay_frame_queue_free(queue);
    /* The drawing side's failure is the cause when both stopped. */
    if (p.rc != REELAY_OK) {
        *err = p.err;
        return p.rc;
    }
    if (rc != REELAY_OK) return rc;
    result->painted = p.painted;
    return REELAY_OK;
}

static int write_poster(render_job *job, reelay_render_result *result, const reelay_atomic_options *write,
                        reelay_atomic_file *held, reelay_err *err)
{
    double ts = poster_time(job->session, job->timeline);
    int rc = reelay_frame_maker_seek(job->maker, ts, NULL, err);
    if (rc != REELAY_OK) return rc;
    /* The poster shows the screen alone, at the video's screen size. */
    cairo_surface_t *still =
        cairo_image_surface_create(CAIRO_FORMAT_RGB24, job->layout.screen_width, job->layout.screen_height);
    cairo_t *cr = cairo_create(still);
    rc = reelay_frame_maker_paint_region(job->maker, cr, 0, 0, job->layout.screen_width, job->layout.screen_height,
                                         true, NULL, err);
    cairo_destroy(cr);
    if (rc == REELAY_OK) rc = reelay_write_still_held(still, job->options->poster, write, held, err);
    cairo_surface_destroy(still);
    result->poster_at_s = (ts - job->session->first_ts) / 1000.0;
    return rc;
}

static void video_metadata(const reelay_session *session, const reelay_render_options *options,
                           const reelay_moments *moments, const layout *l, char *title, size_t title_size,
                           char *start, size_t start_size, reelay_video_options *video)
{
    reelay_format_iso8601(session->first_ts, start, start_size);
    snprintf(title, title_size, "Session %s (%s)", session->session_id[0] ? session->session_id : "recording",
             reelay_source_name(session->source));
    *video = (reelay_video_options){
        .path = options->output,
        .codec = options->codec,
        .width = l->width,
        .height = l->height,
        .fps = options->fps,
        .crf = options->crf,
        .threads = options->threads,
        .title = title,
        .session_id = session->session_id[0] ? session->session_id : NULL,
        .user = session->user[0] ? session->user : NULL,
        .start_time = start,
        .source = reelay_source_name(session->source),
        .comment = "rendered by reelay " REELAY_VERSION,
        .chapters = moments->chapters,
        .chapter_count = moments->chapter_count,
        .cues = options->subtitles ? moments->cues : NULL,
        .cue_count = options->subtitles ? moments->cue_count : 0,
    };
}

/* What --attach-recording stores in the .mkv: the recording as read,
 * gzip-compressed unless it already is (into compressed), and the manifest
 * as known before encoding (no output section; *manifest is malloc'ed).
 * Fills result's codec, size and view, which that manifest names. */
static int archive_attachments(const render_job *job, reelay_render_result *result, reelay_attachment out[2],
                               reelay_buf *compressed, char **manifest, char *name, size_t name_size,
                               reelay_err *err)
{
    const reelay_session *session = job->session;
    const unsigned char *data = session->source_bytes;
    size_t len = session->source_len;
    if (!data)
        return reelay_err_set(err, REELAY_E_INTERNAL,
                              "--attach-recording: the recording's bytes were not kept (ingest.keep_source)");
    if (!reelay_is_gzip(data, len)) {
        int rc = reelay_gzip(data, len, compressed, err);
        if (rc != REELAY_OK) return rc;
        data = compressed->data;
        len = compressed->len;
    }
    reelay_codec codec;
    int rc = reelay_video_resolve(job->options->output, job->options->codec, &codec, err);
    if (rc != REELAY_OK) return rc;
    snprintf(result->codec, sizeof result->codec, "%s", reelay_codec_name(codec));
    result->width = job->layout.width;
    result->height = job->layout.height;
    *manifest = manifest_text(session, job->options, job->timeline, &job->highlights, result, false);
    if (!*manifest) return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    reelay_archive_recording_name(job->options->input_name, name, name_size);
    out[0] = (reelay_attachment){.filename = name, .mime_type = REELAY_ARCHIVE_RECORDING_MIME,
                                 .title = REELAY_ARCHIVE_RECORDING_TITLE, .data = data, .size = len};
    out[1] = (reelay_attachment){.filename = REELAY_ARCHIVE_MANIFEST_NAME, .mime_type = REELAY_ARCHIVE_MANIFEST_MIME,
                                 .title = REELAY_ARCHIVE_MANIFEST_TITLE, .data = (const unsigned char *)*manifest,
                                 .size = strlen(*manifest)};
    return REELAY_OK;
}

/* The files a render writes, held complete until they are published
 * together. */
enum { HELD_VIDEO, HELD_PREVIEW, HELD_POSTER, HELD_MANIFEST, HELD_EMAIL, HELD_COUNT };

/* --email-html: the poster (else the preview, 360 px wide at most) linking
 * to the video, captioned with what the session holds. */
static int write_email_html(const render_job *job, const reelay_render_result *result, const char *title,
                            const char *start, const reelay_atomic_options *write, reelay_atomic_file *held,
                            reelay_err *err)
{
    const reelay_render_options *o = job->options;
    reelay_summary summary;
    int rc = reelay_summarize(job->session, &summary, err);
    if (rc != REELAY_OK) return rc;
    reelay_email_snippet snippet = {.video_path = o->output,
                                    .image_path = o->poster ? o->poster : o->preview,
                                    .image_width = job->layout.screen_width,
                                    .image_height = job->layout.screen_height,
                                    .link_base = o->email_link_base,
                                    .title = title,
                                    .duration_s = result->duration_s,
                                    .start_utc = start,
                                    .errors = summary.console[CONSOLE_ERROR],
                                    .failed_requests = summary.network_failed};
    if (!o->poster) { /* the preview is the whole frame, scaled down */
        snippet.image_width = job->layout.width < 360 ? job->layout.width : 360;
        snippet.image_height = (int)((double)job->layout.height * snippet.image_width / job->layout.width + 0.5);
    }
    return reelay_email_html_write(&snippet, o->email_html, write, held, err);
}

static void abort_held(reelay_atomic_file *held)
{
    for (int i = 0; i < HELD_COUNT; i++) reelay_atomic_abort(&held[i]);
}

/* Puts the held files in place, after the caller's last word. */
static int publish(const reelay_render_options *options, reelay_atomic_file *held, reelay_err *err)
{
    int rc = options->before_publish ? options->before_publish(options->before_publish_context, err) : REELAY_OK;
    if (rc != REELAY_OK) {
        abort_held(held);
        return rc;
    }
    reelay_atomic_file files[HELD_COUNT];
    size_t count = 0;
    for (int i = 0; i < HELD_COUNT; i++)
        if (held[i].final_path) files[count++] = held[i];
    memset(held, 0, HELD_COUNT * sizeof *held);
    return reelay_atomic_commit_all(files, count, err);
}

static const char *web_label(const void *scene, size_t event_index)
{
    return reelay_web_scene_event_label(scene, event_index);
}

/* The timeline of the render: skip-idle's, or with --highlights the
 * highlights' (session/highlights.h), their clicks named as the event log
 * names them (by the frame maker's web scene). */
static int build_timeline(render_job *job, reelay_err *err)
{
    const reelay_session *session = job->session;
    const reelay_render_options *o = job->options;
    if (!(o->highlights_ms > 0)) return reelay_timeline_build(session, &o->timeline, &job->timeline, err);
    reelay_highlight_options h = reelay_highlight_defaults(session);
    int rc = reelay_timeline_clip(session, &o->timeline, &h.clip_from, &h.clip_to, err);
    if (rc != REELAY_OK) return rc;
    h.budget_ms = o->highlights_ms;
    h.speed = o->timeline.speed;
    h.card_ms = o->timeline.card_ms;
    const reelay_web_scene *scene = reelay_frame_maker_web_scene(job->maker); /* NULL: mobile */
    if (scene) {
        h.namer = web_label;
        h.namer_context = scene;
    }
    rc = reelay_highlights_find(session, &h, &job->highlights, err);
    if (rc == REELAY_OK && job->highlights.count == 0)
        return reelay_err_set(err, REELAY_E_INPUT,
                              "--highlights: no highlights found%s (no console errors, failed requests, rage clicks, "
                              "form submits or slow screen changes); render it without --highlights",
                              o->timeline.from_ms > 0 || o->timeline.to_ms >= 0 ? " in the clip" : "");
    if (rc == REELAY_OK)
        rc = reelay_timeline_build_highlights(session, &o->timeline, &job->highlights, &job->timeline, err);
    return rc;
}

/* --max-size: the lowest bitrate a video is worth making at, how many crf
 * steps roughly halve a screen recording's size (measured: VP9 672 -> 427
 * -> 266 KB for crf 32, 44, 56; x264 halves in about 6, so this errs
 * towards a second try, never towards a worse picture than needed), and
 * the encodings tried. */
#define MIN_KBPS 16
#define CRF_PER_HALVING 12
#define MAX_SIZE_ATTEMPTS 4

/* Whether --max-size can hold a video of this length at all: at least
 * MIN_KBPS over it. */
static int check_budget(const reelay_session *session, const reelay_render_options *options, double seconds,
                        reelay_err *err)
{
    double attached = options->attach_recording ? (double)session->source_len : 0;
    double kbps = seconds > 0 ? ((double)options->max_size - attached) * 8 / seconds / 1000 : 0;
    if (kbps < MIN_KBPS)
        return reelay_err_set(err, REELAY_E_USAGE,
                              "--max-size %llu cannot hold %.1f s of video at a watchable quality (it leaves %.0f "
                              "kbit/s, less than %d): clip it (--from/--to), raise --speed, lower --size or raise "
                              "--max-size",
                              (unsigned long long)options->max_size, seconds, kbps > 0 ? kbps : 0, MIN_KBPS);
    return REELAY_OK;
}

/* One render, its crf raised by crf_raise. A video larger than
 * --max-size is not kept: *oversize gets its bytes and the error says so. */
static int render_once(const reelay_session *session, const reelay_render_options *options, int crf_raise,
                       int64_t *oversize, reelay_render_result *result, reelay_err *err)
{
    memset(result, 0, sizeof *result);
    *oversize = 0;
    if (options->fps < 1 || options->fps > 240)
        return reelay_err_set(err, REELAY_E_USAGE, "--fps %d: expected 1 to 240", options->fps);
    double started = reelay_monotonic_s();
    render_job job = {.session = session, .options = options};
    job.vfr = options->frame_rate == REELAY_RATE_VFR ||
              (options->frame_rate == REELAY_RATE_AUTO && reelay_video_allows_vfr(options->output));
    result->vfr = job.vfr;
    reelay_atomic_options write = {
        .keep_existing = !options->overwrite, .owner = options->owner, .root = options->output_root};
    reelay_atomic_file held[HELD_COUNT];
    memset(held, 0, sizeof held);
    /* A poster name we cannot write is known now, not after the whole render. */
    int rc = options->poster ? reelay_still_check_name(options->poster, err) : REELAY_OK;
    if (rc == REELAY_OK && options->email_html && !options->poster && !options->preview)
        rc = reelay_err_set(err, REELAY_E_USAGE, "--email-html needs --poster or --preview: the picture it shows");
    if (rc == REELAY_OK && options->attach_recording && !reelay_video_takes_attachments(options->output))
        rc = reelay_err_set(err, REELAY_E_USAGE,
                            "--attach-recording needs a .mkv output (%s): only Matroska carries attachments",
                            options->output ? options->output : "no output");
    if (rc == REELAY_OK) {
        reelay_frame_options frame_options = {.unmask_inputs = options->unmask_inputs,
                                              .max_image_pixels = options->max_image_pixels,
                                              .max_live_wireframes = options->ingest.max_wireframes,
                                              .web_view = options->web_view,
                                              .page_engine = &options->page_engine,
                                              .default_font = options->default_font};
        job.maker = reelay_frame_maker_new(session, &frame_options, err);
        if (!job.maker) rc = err->code;
    }
    if (rc == REELAY_OK) rc = build_timeline(&job, err);
    /* A bogus far-future timestamp (or a days-long session played with
     * --no-skip-idle) would otherwise mean millions of frames: hours of work
     * that looks like a hang. PostHog ends a session after 24 hours, so a
     * longer video is broken input, refused before any output is opened. */
    if (rc == REELAY_OK && reelay_timeline_duration_ms(job.timeline) > options->max_duration_ms) {
        char length[48], limit[48];
        reelay_format_clock(reelay_timeline_duration_ms(job.timeline), false, length, sizeof length);
        reelay_format_clock(options->max_duration_ms, false, limit, sizeof limit);
        rc = reelay_err_set(err, REELAY_E_INPUT,
                            "the video would last %s, more than --max-duration %s; clip it with --from/--to, raise "
                            "--speed, leave out --no-skip-idle or raise --max-duration",
                            length, limit);
    }
    if (rc == REELAY_OK && options->max_size)
        rc = check_budget(session, options, reelay_timeline_duration_ms(job.timeline) / 1000.0, err);
    if (rc == REELAY_OK && frame_count(&job) > options->max_frames)
        rc = reelay_err_set(err, REELAY_E_INPUT,
                            "the video would have %lld frames, more than --max-frames %lld; lower --fps, clip it "
                            "or raise --max-frames",
                            (long long)frame_count(&job), (long long)options->max_frames);
    if (rc == REELAY_OK)
        rc = reelay_moments_collect(session, job.timeline, reelay_frame_maker_web_scene(job.maker), &job.moments,
                                    err);
    if (rc == REELAY_OK) {
        reelay_frame_maker_set_overlays(job.maker, options->overlays);
        /* the page view's layout, so the engine draws pages at the size the
         * video shows them (planned again below: auto may fall back) */
        rc = plan_layout(session, job.maker, options, &job.layout, err);
    }
    if (rc == REELAY_OK) {
        reelay_frame_maker_set_page_target(job.maker, job.layout.screen_width, job.layout.screen_height);
        /* the page engine starts now: a failure ends the render before any
         * output is opened, and auto's fallback is known to the layout */
        double first_ts, last_ts;
        reelay_timeline_session_range(job.timeline, &first_ts, &last_ts);
        rc = reelay_frame_maker_prepare(job.maker, first_ts, err);
        if (rc == REELAY_OK && reelay_frame_maker_web_view_note(job.maker))
            snprintf(result->web_view_note, sizeof result->web_view_note, "%s",
                     reelay_frame_maker_web_view_note(job.maker));
    }
    /* settled by prepare (auto's fallback); the attached manifest names it */
    if (job.maker && reelay_frame_maker_web_scene(job.maker))
        result->web_view = reelay_web_view_name(reelay_frame_maker_web_view(job.maker));
    if (rc == REELAY_OK) rc = plan_layout(session, job.maker, options, &job.layout, err);
    char title[200], start[40], recording_name[256];
    reelay_video_options video_options;
    reelay_attachment attachments[2];
    reelay_buf compressed;
    reelay_buf_init(&compressed);
    char *attached_manifest = NULL;
    if (rc == REELAY_OK) {
        video_metadata(session, options, &job.moments, &job.layout, title, sizeof title, start, sizeof start,
                       &video_options);
        video_options.vfr = job.vfr;
        video_options.single_thread = reelay_frame_maker_web_view(job.maker) == REELAY_WEB_VIEW_PAGE;
        video_options.write = &write;
        video_options.crf_raise = crf_raise;
        if (options->attach_recording) {
            rc = archive_attachments(&job, result, attachments, &compressed, &attached_manifest, recording_name,
                                     sizeof recording_name, err);
            video_options.attachments = attachments;
            video_options.attachment_count = 2;
        }
    }
    if (rc == REELAY_OK) {
        rc = reelay_video_open(&video_options, &job.video, err);
        /* Known up front, so subtitle cues running past the end are cut as they are written. */
        if (rc == REELAY_OK) reelay_video_set_end(job.video, frame_count(&job));
    }
    /* the video holds its own copies */
    free(attached_manifest);
    reelay_buf_free(&compressed);
    if (rc == REELAY_OK && options->preview) {
        reelay_preview_options preview_options = reelay_preview_defaults();
        preview_options.path = options->preview;
        /* Email-sized: phone screens stay readable at 360 px, and 8 fps is
         * enough for taps and screen changes (measured: a scroll-heavy
         * minute is ~2.7 MB here against ~4.7 MB at 480 px and 12 fps). */
        preview_options.max_width = 360;
        preview_options.max_fps = 8;
        preview_options.src_width = job.layout.width;
        preview_options.src_height = job.layout.height;
        preview_options.write = &write;
        rc = reelay_preview_open(&preview_options, &job.preview, err);
    }
    if (rc == REELAY_OK) rc = frame_loop(&job, result, err);
    if (rc == REELAY_OK) {
        reelay_video_result video_result;
        rc = reelay_video_finish_held(job.video, &video_result, &held[HELD_VIDEO], err);
        job.video = NULL;
        if (rc == REELAY_OK) {
            result->bytes = video_result.bytes;
            result->frames = video_result.frames;
            result->duration_s = video_result.duration_s;
            snprintf(result->codec, sizeof result->codec, "%s", video_result.codec);
        }
        if (rc == REELAY_OK && options->max_size && (uint64_t)result->bytes > options->max_size) {
            *oversize = result->bytes;
            rc = reelay_err_set(err, REELAY_E_INPUT, "the video took %lld bytes, more than --max-size %llu",
                                (long long)result->bytes, (unsigned long long)options->max_size);
        }
    }
    if (rc == REELAY_OK && job.preview) {
        rc = reelay_preview_finish_held(job.preview, reelay_timeline_duration_ms(job.timeline), NULL,
                                        &held[HELD_PREVIEW], err);
        job.preview = NULL;
    }
    if (rc == REELAY_OK && options->poster) rc = write_poster(&job, result, &write, &held[HELD_POSTER], err);
    if (rc == REELAY_OK) {
        result->width = job.layout.width;
        result->height = job.layout.height;
        result->skipped_s = reelay_timeline_skipped_ms(job.timeline) / 1000.0;
        result->highlights = (int)job.highlights.count;
        double shown_from, shown_to;
        reelay_timeline_session_range(job.timeline, &shown_from, &shown_to);
        result->session_s = (shown_to - shown_from) / 1000.0;
        rc = sha256_file(held[HELD_VIDEO].partial_path, options->output, result->sha256, err);
    }
    if (job.maker && reelay_frame_maker_web_scene(job.maker)) result->page = reelay_frame_maker_page_stats(job.maker);
    result->render_s = reelay_monotonic_s() - started;
    if (rc == REELAY_OK && options->manifest)
        rc = write_manifest(options->manifest, session, options, job.timeline, &job.highlights, result, &write,
                            &held[HELD_MANIFEST], err);
    if (rc == REELAY_OK && options->email_html)
        rc = write_email_html(&job, result, title, start, &write, &held[HELD_EMAIL], err);
    if (rc == REELAY_OK) rc = publish(options, held, err);
    abort_held(held);

    reelay_video_abort(job.video);
    reelay_preview_abort(job.preview);
    reelay_frame_maker_free(job.maker);
    reelay_moments_free(&job.moments);
    reelay_timeline_free(job.timeline);
    reelay_highlights_free(&job.highlights);
    return rc;
}

/* Renders; with --max-size, first at the usual constant quality (a
 * session is mostly still screens: it usually fits as it is), then, while
 * the video is too large, again at a lower quality chosen from how much it
 * missed by: the content decides, measured, not guessed. */
int reelay_render(const reelay_session *session, const reelay_render_options *options,
                  reelay_render_result *result, reelay_err *err)
{
    int64_t oversize = 0;
    if (!options->max_size) return render_once(session, options, 0, &oversize, result, err);
    int64_t smallest = 0;
    int raise = 0;
    double started = reelay_monotonic_s();
    for (int attempt = 1;; attempt++) {
        int rc = render_once(session, options, raise, &oversize, result, err);
        result->attempts = attempt;
        result->crf_raise = raise;
        result->render_s = reelay_monotonic_s() - started; /* every encoding it took */
        if (rc == REELAY_OK || !oversize) return rc;
        if (!smallest || oversize < smallest) smallest = oversize;
        if (attempt == MAX_SIZE_ATTEMPTS || raise >= 63)
            return reelay_err_set(err, REELAY_E_INPUT,
                                  "--max-size %llu: the smallest video reelay made took %lld bytes (%d encodings, "
                                  "the last at crf +%d); clip it (--from/--to), raise --speed, lower --size or raise "
                                  "--max-size",
                                  (unsigned long long)options->max_size, (long long)smallest, attempt, raise);
        /* one halving's steps per halving missed, and two more for the margin */
        raise += (int)ceil(CRF_PER_HALVING * log2((double)oversize / (double)options->max_size)) + 2;
    }
}
