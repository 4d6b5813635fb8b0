/* harness.c — see harness.h. Every result is checked only for being an error
 * value or not: the fuzzer looks for crashes, leaks and undefined behaviour
 * (ASan/UBSan abort), not for particular outputs. */
#include "harness.h"

#include <cairo.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>

#include "ingest/ingest.h"
#include "renderers/frame/frame.h"
#include "scene/pointer_state.h"
#include "scene/touch_state.h"
#include "scene/web_scene.h"
#include "session/activity.h"
#include "session/session.h"
#include "session/summary.h"
#include "session/timeline.h"

/* Windows queried per session and the times queried in each. */
#define MAX_WINDOWS 8
#define TIME_COUNT 6

/* Small limits, so a gzip bomb or a long event list costs milliseconds. */
static reelay_session *ingest(const uint8_t *data, size_t size)
{
    reelay_ingest_options options = reelay_ingest_defaults();
    options.max_input_bytes = REELAY_FUZZ_MAX_INPUT;
    options.max_decompressed_bytes = 8 * REELAY_FUZZ_MAX_INPUT;
    options.max_events = 100000;
    reelay_session *session = NULL;
    reelay_err err;
    reelay_err_clear(&err);
    if (reelay_ingest_memory(data, size, "fuzz", &options, &session, &err) != REELAY_OK) return NULL;
    return session;
}

/* Session times worth a query: the ends, the middle, just outside, and one
 * recorded event's time (where state changes). */
static void query_times(const reelay_session *session, double out[TIME_COUNT])
{
    double first = session->first_ts, last = session->last_ts;
    out[0] = first;
    out[1] = first + (last - first) / 2;
    out[2] = last;
    out[3] = first - 1;
    out[4] = last + 1000;
    out[5] = session->event_count ? session->events[session->event_count / 3].timestamp : first;
}

static void fuzz_timeline(const reelay_session *session, const reelay_timeline_options *options)
{
    reelay_timeline *timeline = NULL;
    reelay_err err;
    reelay_err_clear(&err);
    if (reelay_timeline_build(session, options, &timeline, &err) != REELAY_OK) return;
    double duration = reelay_timeline_duration_ms(timeline);
    reelay_timeline_point point;
    for (int i = 0; i <= 4; i++) reelay_timeline_at(timeline, duration * i / 4, &point);
    size_t count = 0;
    const reelay_timeline_segment *segments = reelay_timeline_segments(timeline, &count);
    for (size_t i = 0; i < count && i < 16; i++) {
        double out_ms;
        (void)reelay_timeline_output_time(timeline, segments[i].session_start, &out_ms);
        (void)reelay_timeline_output_time(timeline, segments[i].session_end + 1, &out_ms);
    }
    double start, end;
    reelay_timeline_session_range(timeline, &start, &end);
    char text[32];
    reelay_format_skipped(reelay_timeline_skipped_ms(timeline), text, sizeof text);
    json_decref(reelay_timeline_json(timeline, session));
    reelay_timeline_free(timeline);
}

static void fuzz_session_model(const reelay_session *session)
{
    reelay_err err;
    reelay_err_clear(&err);

    reelay_summary summary;
    if (reelay_summarize(session, &summary, &err) == REELAY_OK) {
        json_t *json = reelay_summary_json(session, &summary);
        char *text = json ? json_dumps(json, JSON_COMPACT) : NULL;
        free(text);
        json_decref(json);
    }
    char iso[40];
    reelay_format_iso8601(session->first_ts, iso, sizeof iso);

    reelay_segment *segments = NULL;
    size_t segment_count = 0;
    if (reelay_activity_segments(session, REELAY_ACTIVITY_THRESHOLD_MS, &segments, &segment_count, &err) ==
        REELAY_OK) {
        (void)reelay_active_ms(segments, segment_count);
        free(segments);
    }

    fuzz_timeline(session, NULL);
    reelay_timeline_options options = reelay_timeline_defaults();
    options.speed = 4;
    options.from_ms = 1000;
    options.to_ms = (session->last_ts - session->first_ts) / 2;
    options.card_ms = 0;
    fuzz_timeline(session, &options);
    options = reelay_timeline_defaults();
    options.skip_idle = false;
    fuzz_timeline(session, &options);

    double times[TIME_COUNT];
    query_times(session, times);
    uint32_t windows = session->window_count < MAX_WINDOWS ? (uint32_t)session->window_count : MAX_WINDOWS;

    reelay_web_scene *web = NULL;
    reelay_web_scene_options web_options = {.unmask_inputs = session->event_count % 2 == 1};
    if (reelay_web_scene_new(session, &web_options, &web, &err) == REELAY_OK) {
        reelay_web_state state;
        for (int t = 0; t < TIME_COUNT; t++) reelay_web_scene_at(web, times[t], &state);
        for (size_t i = 0; i < session->event_count && i < 4096; i++) {
            (void)reelay_web_scene_event_label(web, i);
            (void)reelay_web_scene_event_value(web, i);
        }
        reelay_web_scene_free(web);
    }

    reelay_pointer_track *pointer = NULL;
    if (reelay_pointer_track_new(session, &pointer, &err) == REELAY_OK) {
        reelay_pointer_state state;
        for (uint32_t w = 0; w <= windows; w++) { /* one past the last: an unknown window */
            (void)reelay_pointer_track_counts(pointer, w);
            for (int t = 0; t < TIME_COUNT; t++) reelay_pointer_at(pointer, w, times[t], &state);
        }
        reelay_pointer_track_free(pointer);
    }

    reelay_touch_track *touches = NULL;
    if (reelay_touch_track_new(session, 1.0, &touches, &err) == REELAY_OK) {
        reelay_touch_state state;
        for (uint32_t w = 0; w <= windows; w++) {
            (void)reelay_touch_track_count(touches, w);
            for (int t = 0; t < TIME_COUNT; t++) reelay_touch_at(touches, w, times[t], &state);
        }
        reelay_touch_track_free(touches);
    }
}

reelay_fuzz_result reelay_fuzz_ingest(const uint8_t *data, size_t size)
{
    if (size > REELAY_FUZZ_MAX_INPUT) return REELAY_FUZZ_SKIPPED;
    reelay_session *session = ingest(data, size);
    if (!session) return REELAY_FUZZ_REJECTED;
    fuzz_session_model(session);
    reelay_session_free(session);
    return REELAY_FUZZ_SESSION;
}

/* One paint into a fresh surface of the given size and format, whole or
 * into a letterboxed region. */
static void paint(reelay_frame_maker *maker, int width, int height, cairo_format_t format, bool region)
{
    cairo_surface_t *surface = cairo_image_surface_create(format, width, height);
    reelay_frame_info info;
    reelay_err err;
    reelay_err_clear(&err);
    if (region) {
        cairo_t *cr = cairo_create(surface);
        (void)reelay_frame_maker_paint_region(maker, cr, 4, 2, width - 8, height - 4, true, &info, &err);
        cairo_destroy(cr);
    } else {
        (void)reelay_frame_maker_paint(maker, surface, &info, &err);
    }
    cairo_surface_destroy(surface);
}

reelay_fuzz_result reelay_fuzz_frame(const uint8_t *data, size_t size, reelay_fonts *fonts)
{
    if (size > REELAY_FUZZ_MAX_INPUT) return REELAY_FUZZ_SKIPPED;
    reelay_session *session = ingest(data, size);
    if (!session) return REELAY_FUZZ_REJECTED;

    reelay_err err;
    reelay_err_clear(&err);
    reelay_frame_options options = {.unmask_inputs = size % 2 == 1, .fonts = fonts};
    reelay_frame_maker *maker = reelay_frame_maker_new(session, &options, &err);
    if (maker) {
        reelay_frame_maker_set_overlays(maker, REELAY_OVERLAY_ALL);
        double vw, vh;
        (void)reelay_frame_maker_first_viewport(maker, &vw, &vh);
        double first = session->first_ts, last = session->last_ts;
        /* forwards (incremental seeks), then back to the start (a rebuild) */
        const double times[] = {first, first + (last - first) / 2, last, first};
        for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
            bool changed;
            if (reelay_frame_maker_seek(maker, times[i], &changed, &err) != REELAY_OK) break;
            (void)reelay_frame_maker_viewport(maker, &vw, &vh);
            (void)reelay_frame_maker_screen_name(maker);
            paint(maker, 64, 64, CAIRO_FORMAT_ARGB32, false);
            if (i == 1) paint(maker, 96, 48, CAIRO_FORMAT_RGB24, false);
            if (i == 2) paint(maker, 96, 48, CAIRO_FORMAT_RGB24, true);
        }
        reelay_frame_maker_free(maker);
    }
    reelay_session_free(session);
    return REELAY_FUZZ_SESSION;
}
