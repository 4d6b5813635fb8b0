/* End-to-end tests of `reelay render`'s engine: a fixture is rendered to each
 * container/codec, then decoded back with libavformat/libavcodec and checked
 * for codec, dimensions, duration (within one frame of the timeline), frame
 * count, chapters, metadata, and pixels: decoded frames are compared with
 * the same instant drawn by the frame maker (PSNR >= 35 dB). Also: skipping
 * idle time, clipping, VFR, determinism, sidecars, and failures that leave
 * nothing behind. */
#include "test_support.h"

#include "ingest/ingest.h"

#include <cairo.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libswscale/swscale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "render/render.h"
#include "renderers/frame/frame.h"
#include "session/session.h"
#include "session/timeline.h"

#define ANDROID "fixtures/mobile/android-shop.blob.jsonl"
#define MAX_PROBES 4

typedef struct decoded {
    enum AVCodecID codec;
    int width, height;
    int64_t frames;
    double duration_s; /* container duration */
    double last_end_s; /* end of the last frame from packet timestamps */
    int chapters;
    char session_id[128];
    /* frames grabbed at output times, as BGRA */
    int probe_count;
    double probe_ms[MAX_PROBES];
    uint8_t *probe[MAX_PROBES];
} decoded;

static char tmpdir[64];

static int group_setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/reelay-render-test-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    char command[128];
    snprintf(command, sizeof command, "rm -rf '%s'", tmpdir);
    return system(command) == 0 ? 0 : -1;
}

static const char *path_in_tmp(const char *name, char *out, size_t size)
{
    snprintf(out, size, "%s/%s", tmpdir, name);
    return out;
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Decodes the whole file; grabs the frames showing probe_ms[i]. */
static void decode_file(const char *path, decoded *d)
{
    AVFormatContext *format = NULL;
    assert_int_equal(avformat_open_input(&format, path, NULL, NULL), 0);
    assert_true(avformat_find_stream_info(format, NULL) >= 0);
    int index = av_find_best_stream(format, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    assert_true(index >= 0);
    AVStream *stream = format->streams[index];
    d->codec = stream->codecpar->codec_id;
    d->width = stream->codecpar->width;
    d->height = stream->codecpar->height;
    d->duration_s = format->duration > 0 ? format->duration / (double)AV_TIME_BASE : 0;
    d->chapters = (int)format->nb_chapters;
    const AVDictionaryEntry *tag = av_dict_get(format->metadata, "session_id", NULL, AV_DICT_IGNORE_SUFFIX);
    if (!tag) tag = av_dict_get(stream->metadata, "session_id", NULL, 0);
    snprintf(d->session_id, sizeof d->session_id, "%s", tag ? tag->value : "");

    const AVCodec *codec = avcodec_find_decoder(d->codec);
    if (d->codec == AV_CODEC_ID_AV1) codec = avcodec_find_decoder_by_name("libdav1d");
    assert_non_null(codec);
    AVCodecContext *ctx = avcodec_alloc_context3(codec);
    assert_int_equal(avcodec_parameters_to_context(ctx, stream->codecpar), 0);
    assert_int_equal(avcodec_open2(ctx, codec, NULL), 0);
    AVPacket *packet = av_packet_alloc();
    AVFrame *frame = av_frame_alloc();
    struct SwsContext *sws = NULL;
    double tb = av_q2d(stream->time_base);
    for (bool flushing = false;;) {
        int rc = 0;
        if (!flushing) {
            rc = av_read_frame(format, packet);
            if (rc < 0) {
                flushing = true;
                avcodec_send_packet(ctx, NULL);
            } else if (packet->stream_index == index) {
                assert_int_equal(avcodec_send_packet(ctx, packet), 0);
            }
            if (rc >= 0) av_packet_unref(packet);
        }
        while ((rc = avcodec_receive_frame(ctx, frame)) == 0) {
            double start = frame->best_effort_timestamp * tb;
            double end = start + (frame->pkt_duration > 0 ? frame->pkt_duration * tb : 0);
            if (end > d->last_end_s) d->last_end_s = end;
            d->frames++;
            for (int i = 0; i < d->probe_count; i++) {
                if (start * 1000 <= d->probe_ms[i] + 1e-6) {
                    if (!sws) {
                        /* ACCURATE_RND|BITEXACT: swscale's fast x86 YUV->RGB path
                         * leaves the last columns of widths that are not a
                         * multiple of 8 unwritten (FFmpeg 5.1). */
                        sws = sws_getContext(frame->width, frame->height, frame->format, frame->width, frame->height,
                                             AV_PIX_FMT_BGRA, SWS_BILINEAR | SWS_ACCURATE_RND | SWS_BITEXACT, NULL,
                                             NULL, NULL);
                        const int *coefficients = sws_getCoefficients(SWS_CS_ITU709);
                        sws_setColorspaceDetails(sws, coefficients, 0, coefficients, 1, 0, 1 << 16, 1 << 16);
                    }
                    if (!d->probe[i]) d->probe[i] = malloc((size_t)frame->width * frame->height * 4);
                    uint8_t *planes[1] = {d->probe[i]};
                    int strides[1] = {frame->width * 4};
                    sws_scale(sws, (const uint8_t *const *)frame->data, frame->linesize, 0, frame->height, planes,
                              strides);
                }
            }
        }
        if (flushing && rc == AVERROR_EOF) break;
    }
    sws_freeContext(sws);
    av_frame_free(&frame);
    av_packet_free(&packet);
    avcodec_free_context(&ctx);
    avformat_close_input(&format);
}

static void free_decoded(decoded *d)
{
    for (int i = 0; i < MAX_PROBES; i++) free(d->probe[i]);
}

static reelay_render_result render_ok(const reelay_session *session, const reelay_render_options *options)
{
    reelay_render_result result;
    reelay_err err;
    reelay_err_clear(&err);
    if (reelay_render(session, options, &result, &err) != REELAY_OK) fail_msg("render failed: %s", err.msg);
    return result;
}

static double timeline_ms(const reelay_session *session, const reelay_timeline_options *options)
{
    reelay_timeline *timeline = NULL;
    reelay_err err;
    assert_int_equal(reelay_timeline_build(session, options, &timeline, &err), REELAY_OK);
    double ms = reelay_timeline_duration_ms(timeline);
    reelay_timeline_free(timeline);
    return ms;
}

/* PSNR of the decoded probe against the frame maker's drawing of the same
 * output instant, over the screen area (the top of the frame). */
static double psnr_against_frame(const reelay_session *session, const reelay_render_options *options,
                                 const decoded *d, int probe, int screen_height)
{
    reelay_timeline *timeline = NULL;
    reelay_err err;
    assert_int_equal(reelay_timeline_build(session, &options->timeline, &timeline, &err), REELAY_OK);
    reelay_timeline_point point;
    reelay_timeline_at(timeline, d->probe_ms[probe], &point);
    reelay_timeline_free(timeline);

    reelay_frame_options frame_options = {.web_view = options->web_view, .page_engine = &options->page_engine};
    reelay_frame_maker *maker = reelay_frame_maker_new(session, &frame_options, &err);
    assert_non_null(maker);
    reelay_frame_maker_set_overlays(maker, options->overlays);
    assert_int_equal(reelay_frame_maker_seek(maker, point.session_ts, NULL, &err), REELAY_OK);
    cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, d->width, screen_height);
    cairo_t *cr = cairo_create(surface);
    assert_int_equal(reelay_frame_maker_paint_region(maker, cr, 0, 0, d->width, screen_height, true, NULL, &err),
                     REELAY_OK);
    cairo_destroy(cr);
    cairo_surface_flush(surface);
    const uint8_t *expected = cairo_image_surface_get_data(surface);
    int stride = cairo_image_surface_get_stride(surface);
    double sum = 0;
    for (int y = 0; y < screen_height; y++) {
        for (int x = 0; x < d->width; x++) {
            for (int c = 0; c < 3; c++) {
                double delta = (double)expected[y * stride + x * 4 + c] - d->probe[probe][(y * d->width + x) * 4 + c];
                sum += delta * delta;
            }
        }
    }
    cairo_surface_destroy(surface);
    reelay_frame_maker_free(maker);
    double mse = sum / ((double)d->width * screen_height * 3);
    return mse > 0 ? 10 * log10(255.0 * 255.0 / mse) : 99;
}

/* The decoded file against the render's result and the timeline: size,
 * frame count, duration within a frame, and each probe within 35 dB of
 * `frame` at the same instant. */
static void check_decoded(const reelay_session *session, const reelay_render_options *options,
                          const reelay_render_result *result, const decoded *d, const char *name)
{
    assert_int_equal(d->width, result->width);
    assert_int_equal(d->height, result->height);
    double expected_ms = timeline_ms(session, &options->timeline);
    int64_t expected_frames = (int64_t)ceil(expected_ms * options->fps / 1000.0 - 1e-9);
    assert_int_equal(d->frames, result->frames);
    if (result->vfr) { /* only changed frames (and keyframes) */
        assert_in_range(result->frames, 1, expected_frames);
    } else {
        assert_int_equal(result->frames, expected_frames);
    }
    if (fabs(d->duration_s - expected_ms / 1000.0) > 1.0 / options->fps)
        fail_msg("%s: duration %.3f s, timeline %.3f s", name, d->duration_s, expected_ms / 1000.0);
    for (int i = 0; i < d->probe_count; i++) {
        assert_non_null(d->probe[i]);
        double psnr = psnr_against_frame(session, options, d, i, result->height);
        if (psnr < 35)
            fail_msg("%s: frame at %.1f s has PSNR %.1f dB against `frame`", name, d->probe_ms[i] / 1000, psnr);
    }
}

static void check_container(const char *name, reelay_codec codec, enum AVCodecID expected_id)
{
    reelay_session *session = ts_session_from_path(ANDROID);
    char out[256];
    reelay_render_options options = reelay_render_defaults();
    options.output = path_in_tmp(name, out, sizeof out);
    options.codec = codec;
    options.overlays = REELAY_OVERLAY_TOUCHES; /* no HUD: the whole frame is the screen */
    options.fps = 12;
    reelay_render_result result = render_ok(session, &options);

    decoded d = {.probe_count = 3, .probe_ms = {2000, 14000, 30000}};
    decode_file(out, &d);
    assert_int_equal(d.codec, expected_id);
    /* The default video size: the 411x914 screen within a 720p-class box. */
    assert_int_equal(result.width, 576);
    assert_int_equal(result.height, 1280);
    assert_true(d.chapters >= 2); /* the shop list, then the product screen */
    check_decoded(session, &options, &result, &d, name);
    free_decoded(&d);
    reelay_session_free(session);
}

static void test_webm_vp9(void **state)
{
    (void)state;
    check_container("out.webm", REELAY_CODEC_AUTO, AV_CODEC_ID_VP9);
}

static void test_mp4_h264(void **state)
{
    (void)state;
    check_container("out.mp4", REELAY_CODEC_AUTO, AV_CODEC_ID_H264);
}

static void test_webm_vp8(void **state)
{
    (void)state;
    check_container("vp8.webm", REELAY_CODEC_VP8, AV_CODEC_ID_VP8);
}

static void test_mkv_av1(void **state)
{
    (void)state;
    check_container("av1.mkv", REELAY_CODEC_AV1, AV_CODEC_ID_AV1);
}

/* The HUD strip sits below the screen; metadata carries the session. */
static void test_hud_layout_and_metadata(void **state)
{
    (void)state;
    reelay_session *session = ts_session_from_path(ANDROID);
    char out[256];
    reelay_render_options options = reelay_render_defaults();
    options.output = path_in_tmp("hud.webm", out, sizeof out);
    options.fps = 6;
    reelay_render_result result = render_ok(session, &options);
    assert_int_equal(result.width, 576);
    assert_true(result.height > 1280);
    decoded d = {.probe_count = 1, .probe_ms = {5000}};
    decode_file(out, &d);
    assert_int_equal(d.height, result.height);
    /* The screen part still matches `frame`; the strip below is dark. */
    double psnr = psnr_against_frame(session, &options, &d, 0, 1280);
    if (psnr < 35) fail_msg("screen area PSNR %.1f dB", psnr);
    const uint8_t *row = d.probe[0] + (size_t)(result.height - 4) * d.width * 4;
    int dark = 0;
    for (int x = 0; x < d.width; x++)
        if (row[x * 4] < 80 && row[x * 4 + 1] < 80 && row[x * 4 + 2] < 80) dark++;
    assert_true(dark > d.width / 2);
    assert_string_equal(d.session_id, session->session_id[0] ? session->session_id : "");
    free_decoded(&d);
    reelay_session_free(session);
}

/* Counts the packets of the first subtitle stream and keeps the first one's bytes. */
static int subtitle_packets(const char *path, enum AVCodecID *codec, char *first, size_t first_size)
{
    AVFormatContext *format = NULL;
    assert_int_equal(avformat_open_input(&format, path, NULL, NULL), 0);
    assert_true(avformat_find_stream_info(format, NULL) >= 0);
    int index = av_find_best_stream(format, AVMEDIA_TYPE_SUBTITLE, -1, -1, NULL, 0);
    int count = 0;
    first[0] = '\0';
    if (index >= 0) {
        *codec = format->streams[index]->codecpar->codec_id;
        AVPacket *packet = av_packet_alloc();
        while (av_read_frame(format, packet) >= 0) {
            if (packet->stream_index == index) {
                if (count++ == 0) {
                    size_t n = (size_t)packet->size < first_size - 1 ? (size_t)packet->size : first_size - 1;
                    /* mov_text starts with a 16-bit length: keep it printable. */
                    for (size_t k = 0; k < n; k++) first[k] = packet->data[k] ? (char)packet->data[k] : ' ';
                    first[n] = '\0';
                }
            }
            av_packet_unref(packet);
        }
        av_packet_free(&packet);
    }
    avformat_close_input(&format);
    return count;
}

/* The inspector's panel widens the frame to the right of the screen; the
 * subtitle track carries the same event log. */
static void test_inspector_and_subtitles(void **state)
{
    (void)state;
    reelay_session *session = ts_session_from_path(ANDROID);
    const char *names[] = {"log.mp4", "log.webm"};
    const enum AVCodecID expected[] = {AV_CODEC_ID_MOV_TEXT, AV_CODEC_ID_WEBVTT};
    for (int i = 0; i < 2; i++) {
        char out[256];
        reelay_render_options options = reelay_render_defaults();
        options.output = path_in_tmp(names[i], out, sizeof out);
        options.fps = 6;
        options.inspector = true;
        options.subtitles = true;
        reelay_render_result result = render_ok(session, &options);
        assert_true(result.width > 576 + 300);
        decoded d = {.probe_count = 1, .probe_ms = {20000}};
        decode_file(out, &d);
        assert_int_equal(d.width, result.width);
        /* The screen keeps its size and still matches `frame` at its place. */
        options.overlays = REELAY_OVERLAY_TOUCHES;
        decoded screen_only = d;
        screen_only.width = 576;
        uint8_t *cropped = malloc((size_t)576 * 1280 * 4);
        for (int y = 0; y < 1280; y++)
            memcpy(cropped + (size_t)y * 576 * 4, d.probe[0] + (size_t)y * d.width * 4, (size_t)576 * 4);
        screen_only.probe[0] = cropped;
        double psnr = psnr_against_frame(session, &options, &screen_only, 0, 1280);
        free(cropped);
        if (psnr < 35) fail_msg("%s: screen beside the inspector has PSNR %.1f dB", names[i], psnr);
        enum AVCodecID codec = AV_CODEC_ID_NONE;
        char first[256];
        int packets = subtitle_packets(out, &codec, first, sizeof first);
        assert_int_equal(codec, expected[i]);
        assert_true(packets >= 10);
        if (!strstr(first, "Screen com.example.shop.MainActivity"))
            fail_msg("%s: first cue is '%s'", names[i], first);
        free_decoded(&d);
    }
    reelay_session_free(session);
}

static void test_skip_idle_and_speed(void **state)
{
    (void)state;
    reelay_session *session = ts_session_from_path(ANDROID);
    char out[256];
    reelay_render_options options = reelay_render_defaults();
    options.overlays = REELAY_OVERLAY_NONE;
    options.fps = 4;
    options.output = path_in_tmp("real-time.webm", out, sizeof out);
    options.timeline.skip_idle = false;
    reelay_render_result real_time = render_ok(session, &options);
    double session_s = (session->last_ts - session->first_ts) / 1000.0;
    assert_true(fabs(real_time.duration_s - session_s) <= 0.25 + 1e-9);

    options.output = path_in_tmp("skipped.webm", out, sizeof out);
    options.timeline.skip_idle = true;
    reelay_render_result skipped = render_ok(session, &options);
    assert_true(skipped.skipped_s > 15);
    assert_true(skipped.duration_s < real_time.duration_s - 15);

    options.output = path_in_tmp("fast.webm", out, sizeof out);
    options.timeline.speed = 2;
    reelay_render_result fast = render_ok(session, &options);
    assert_true(fast.duration_s < skipped.duration_s * 0.6);
    decoded d = {0};
    decode_file(out, &d);
    assert_true(fabs(d.duration_s - fast.duration_s) <= 0.25 + 1e-9);
    free_decoded(&d);
    reelay_session_free(session);
}

static void test_clip(void **state)
{
    (void)state;
    reelay_session *session = ts_session_from_path(ANDROID);
    char out[256];
    reelay_render_options options = reelay_render_defaults();
    options.output = path_in_tmp("clip.mp4", out, sizeof out);
    options.overlays = REELAY_OVERLAY_NONE;
    options.fps = 10;
    options.timeline.from_ms = 10000;
    options.timeline.to_ms = 16000;
    reelay_render_result result = render_ok(session, &options);
    decoded d = {0};
    decode_file(out, &d);
    double expected = timeline_ms(session, &options.timeline) / 1000.0;
    assert_true(expected > 5.0 && expected <= 6.0 + 1e-9);
    assert_true(fabs(d.duration_s - expected) <= 0.1 + 1e-9);
    assert_int_equal(d.frames, result.frames);
    free_decoded(&d);
    reelay_session_free(session);
}

/* VFR: only changed frames are in the file, the duration is the same. */
static void test_vfr(void **state)
{
    (void)state;
    reelay_session *session = ts_session_from_path(ANDROID);
    char out[256];
    reelay_render_options options = reelay_render_defaults();
    options.output = path_in_tmp("vfr.mkv", out, sizeof out);
    options.overlays = REELAY_OVERLAY_NONE;
    options.frame_rate = REELAY_RATE_VFR;
    reelay_render_result result = render_ok(session, &options);
    decoded d = {0};
    decode_file(out, &d);
    assert_int_equal(d.frames, result.frames);
    assert_true(d.frames < result.duration_s * options.fps / 2); /* a constant rate's frames */
    assert_true(d.frames >= 10);
    assert_true(fabs(d.duration_s - result.duration_s) <= 1.0 / 24 + 1e-9);
    free_decoded(&d);
    reelay_session_free(session);
}

static char *slurp(const char *path, size_t *len)
{
    return ts_read_text(path, len);
}

static void test_deterministic(void **state)
{
    (void)state;
    reelay_session *session = ts_session_from_path(ANDROID);
    char a[256], b[256];
    reelay_render_options options = reelay_render_defaults();
    options.fps = 8;
    options.output = path_in_tmp("same-a.webm", a, sizeof a);
    reelay_render_result first = render_ok(session, &options);
    options.output = path_in_tmp("same-b.webm", b, sizeof b);
    reelay_render_result second = render_ok(session, &options);
    assert_string_equal(first.sha256, second.sha256);
    size_t la, lb;
    char *da = slurp(a, &la), *db = slurp(b, &lb);
    assert_int_equal(la, lb);
    assert_memory_equal(da, db, la);
    free(da);
    free(db);
    reelay_session_free(session);
}

static void test_sidecars(void **state)
{
    (void)state;
    reelay_session *session = ts_session_from_path(ANDROID);
    char out[256], poster[256], preview[256], manifest[256];
    reelay_render_options options = reelay_render_defaults();
    options.fps = 8;
    options.output = path_in_tmp("side.webm", out, sizeof out);
    options.poster = path_in_tmp("poster.png", poster, sizeof poster);
    options.preview = path_in_tmp("preview.webp", preview, sizeof preview);
    options.manifest = path_in_tmp("manifest.json", manifest, sizeof manifest);
    reelay_render_result result = render_ok(session, &options);
    assert_true(exists(poster) && exists(preview) && exists(manifest));

    cairo_surface_t *still = cairo_image_surface_create_from_png(poster);
    assert_int_equal(cairo_surface_status(still), CAIRO_STATUS_SUCCESS);
    assert_int_equal(cairo_image_surface_get_width(still), result.width);
    cairo_surface_destroy(still);

    json_error_t error;
    json_t *root = json_load_file(manifest, 0, &error);
    assert_non_null(root);
    json_t *output = json_object_get(root, "output");
    assert_string_equal(json_string_value(json_object_get(output, "sha256")), result.sha256);
    assert_int_equal(json_integer_value(json_object_get(output, "frames")), result.frames);
    assert_int_equal(json_integer_value(json_object_get(output, "bytes")), result.bytes);
    assert_true(json_array_size(json_object_get(json_object_get(root, "timeline"), "segments")) >= 3);
    json_decref(root);
    reelay_session_free(session);
}

/* Recordings at the edges: no moments at all (no screen names, taps or
 * errors), and a screen that only exists because a screenshot arrived as a
 * mutation (the player synthesises a snapshot, spec §4.9), with no meta. */
static void test_sparse_recordings(void **state)
{
    (void)state;
    const char *no_moments =
        "[{\"type\":4,\"data\":{\"width\":200,\"height\":300},\"timestamp\":1000},"
        "{\"type\":2,\"data\":{\"wireframes\":[{\"id\":7,\"x\":0,\"y\":0,\"width\":200,\"height\":300,"
        "\"style\":{\"backgroundColor\":\"#336699\"}}],\"initialOffset\":{\"top\":0,\"left\":0}},\"timestamp\":1010},"
        "{\"type\":6,\"data\":{\"plugin\":\"rrweb/console@1\",\"payload\":{\"level\":\"log\",\"payload\":[\"hi\"]}},"
        "\"timestamp\":3000}]";
    const char *screenshot_mutation =
        "[{\"type\":3,\"data\":{\"source\":0,\"updates\":[{\"parentId\":1,\"wireframe\":{\"id\":9,"
        "\"type\":\"screenshot\",\"x\":0,\"y\":0,\"width\":100,\"height\":160,\"base64\":\"data:image/png;base64,"
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==\"}}]},"
        "\"timestamp\":5000},"
        "{\"type\":3,\"data\":{\"source\":2,\"type\":7,\"id\":0,\"x\":50,\"y\":80},\"timestamp\":5500}]";
    const char *texts[] = {no_moments, screenshot_mutation};
    const int widths[] = {400, 200};
    for (int i = 0; i < 2; i++) {
        reelay_session *session = ts_session_from_text(texts[i]);
        char out[256];
        reelay_render_options options = reelay_render_defaults();
        options.output = path_in_tmp(i ? "shot.webm" : "bare.webm", out, sizeof out);
        options.fps = 8;
        options.inspector = true;
        options.subtitles = true;
        reelay_render_result result = render_ok(session, &options);
        decoded d = {0};
        decode_file(out, &d);
        assert_true(d.frames >= 1);
        assert_int_equal(d.width, result.width);
        assert_true(result.width >= widths[i]);
        free_decoded(&d);
        reelay_session_free(session);
    }
}

static void test_failures_leave_nothing(void **state)
{
    (void)state;
    reelay_session *session = ts_session_from_path(ANDROID);
    char out[256], poster[256];
    reelay_render_options options = reelay_render_defaults();
    reelay_render_result result;
    reelay_err err;

    /* The poster cannot be written: the finished video goes too. */
    options.fps = 4;
    options.output = path_in_tmp("doomed.webm", out, sizeof out);
    options.poster = path_in_tmp("no-such-dir/poster.png", poster, sizeof poster);
    assert_int_equal(reelay_render(session, &options, &result, &err), REELAY_E_IO);
    assert_false(exists(out));
    char partial[300];
    snprintf(partial, sizeof partial, "%s.partial", out);
    assert_false(exists(partial));

    /* Unwritable output. */
    options.poster = NULL;
    options.output = path_in_tmp("no-such-dir/out.webm", out, sizeof out);
    assert_int_equal(reelay_render(session, &options, &result, &err), REELAY_E_IO);
    assert_non_null(strstr(err.msg, "no-such-dir"));
    reelay_session_free(session);
}

/* A recording whose only visible change arrives with its last event: a blue
 * screen turns red at the final timestamp. A tap, an idle stretch skip-idle
 * cuts, another tap, then the change. */
static const char *const LAST_CHANGE =
    "[{\"type\":4,\"data\":{\"href\":\"Last\",\"width\":200,\"height\":300},\"timestamp\":1000},"
    "{\"type\":2,\"data\":{\"wireframes\":[{\"id\":50,\"x\":0,\"y\":0,\"width\":200,\"height\":300,"
    "\"style\":{\"backgroundColor\":\"#FFFFFF\"},\"childWireframes\":[{\"id\":2001,\"x\":0,\"y\":0,\"width\":200,"
    "\"height\":300,\"style\":{\"backgroundColor\":\"#0000FF\"}}]}],\"initialOffset\":{\"top\":0,\"left\":0}},"
    "\"timestamp\":1000},"
    "{\"type\":3,\"data\":{\"source\":2,\"type\":7,\"id\":0,\"x\":50,\"y\":80},\"timestamp\":1200},"
    "{\"type\":3,\"data\":{\"source\":2,\"type\":7,\"id\":0,\"x\":60,\"y\":90},\"timestamp\":20000},"
    "{\"type\":3,\"data\":{\"source\":0,\"updates\":[{\"parentId\":50,\"wireframe\":{\"id\":2001,\"x\":0,\"y\":0,"
    "\"width\":200,\"height\":300,\"style\":{\"backgroundColor\":\"#FF0000\"}}}]},\"timestamp\":21000}]";

/* The centre pixel of a decoded BGRA frame. */
static void centre_pixel(const decoded *d, int probe, int rgb[3])
{
    const uint8_t *px = d->probe[probe] + ((size_t)(d->height / 2) * d->width + d->width / 2) * 4;
    rgb[0] = px[2];
    rgb[1] = px[1];
    rgb[2] = px[0];
}

/* Decodes the video at out (frames long at fps; with vfr fewer are in the
 * file) and checks that the frame before the last is still blue in the
 * middle and the last one red. */
static void expect_turns_red_last(const char *out, int64_t frames, int fps, bool vfr, const char *name)
{
    decoded d = {.probe_count = 2, .probe_ms = {(double)(frames - 2) * 1000.0 / fps, 1e12}};
    decode_file(out, &d);
    if (!vfr) assert_int_equal(d.frames, frames);
    assert_non_null(d.probe[0]);
    assert_non_null(d.probe[1]);
    int before[3], last[3];
    centre_pixel(&d, 0, before);
    centre_pixel(&d, 1, last);
    if (!(before[2] > 200 && before[0] < 60))
        fail_msg("%s: the frame before the last is %d,%d,%d, not blue", name, before[0], before[1], before[2]);
    if (!(last[0] > 200 && last[2] < 60))
        fail_msg("%s: the last frame is %d,%d,%d, not red: the final change is missing", name, last[0], last[1],
                 last[2]);
    free_decoded(&d);
}

/* The video's last frame shows the state at the end of what is shown (the
 * final event applied), as `reelay frame --at END` does; the frame before it
 * still shows the state before. Skip-idle, speed, clipping, odd rates and
 * VFR alike. */
static void test_last_frame_shows_the_end(void **state)
{
    (void)state;
    reelay_session *session = ts_session_from_text(LAST_CHANGE);
    const struct {
        const char *name;
        int fps;
        double speed, from_ms;
        bool skip_idle, vfr;
    } cases[] = {
        {"last-24.webm", 24, 1, 0, true, false},  {"last-7.mp4", 7, 1, 0, true, false},
        {"last-fast.webm", 10, 3, 0, true, false}, {"last-clip.webm", 12, 1, 19500, true, false},
        {"last-real.webm", 4, 1, 0, false, false}, {"last-vfr.mkv", 24, 1, 0, true, true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[256];
        reelay_render_options options = reelay_render_defaults();
        options.output = path_in_tmp(cases[i].name, out, sizeof out);
        options.overlays = REELAY_OVERLAY_NONE; /* the frame is the screen */
        options.fps = cases[i].fps;
        options.frame_rate = cases[i].vfr ? REELAY_RATE_VFR : REELAY_RATE_CFR;
        options.timeline.speed = cases[i].speed;
        options.timeline.from_ms = cases[i].from_ms;
        options.timeline.skip_idle = cases[i].skip_idle;
        reelay_render_result result = render_ok(session, &options);
        int64_t frames = (int64_t)ceil(timeline_ms(session, &options.timeline) * options.fps / 1000.0 - 1e-9);
        if (cases[i].vfr)
            assert_in_range(result.frames, 2, frames - 1);
        else
            assert_int_equal(result.frames, frames);
        expect_turns_red_last(out, frames, options.fps, cases[i].vfr, cases[i].name);
    }
    reelay_session_free(session);
}

/* The same in the page view, where the page engine draws the page: a web
 * page whose body turns from blue to red with the recording's last event (a
 * style mutation), after a pointer move. */
static const char *const LAST_CHANGE_WEB =
    "[{\"type\":4,\"data\":{\"href\":\"https://last.test/\",\"width\":320,\"height\":240},\"timestamp\":1000},"
    "{\"type\":2,\"data\":{\"node\":{\"type\":0,\"id\":1,\"childNodes\":[{\"type\":2,\"id\":2,\"tagName\":\"html\","
    "\"attributes\":{},\"childNodes\":[{\"type\":2,\"id\":3,\"tagName\":\"head\",\"attributes\":{},\"childNodes\":[]},"
    "{\"type\":2,\"id\":4,\"tagName\":\"body\",\"attributes\":{\"style\":\"margin:0;height:240px;background:#0000ff\"},"
    "\"childNodes\":[]}]}]},\"initialOffset\":{\"left\":0,\"top\":0}},\"timestamp\":1000},"
    "{\"type\":3,\"data\":{\"source\":1,\"positions\":[{\"x\":5,\"y\":5,\"id\":4,\"timeOffset\":0}]},\"timestamp\":1500},"
    "{\"type\":3,\"data\":{\"source\":0,\"texts\":[],\"removes\":[],\"adds\":[],\"attributes\":[{\"id\":4,"
    "\"attributes\":{\"style\":\"margin:0;height:240px;background:#ff0000\"}}]},\"timestamp\":2000}]";

static void test_last_frame_shows_the_end_of_a_page(void **state)
{
    (void)state;
    reelay_render_options options = reelay_render_defaults();
    options.web_view = REELAY_WEB_VIEW_PAGE;
    options.page_engine.binary = getenv("REELAY_BIN");
    assert_non_null(options.page_engine.binary);
    reelay_session *session = NULL;
    reelay_err err;
    reelay_err_clear(&err);
    if (reelay_ingest_memory((const unsigned char *)LAST_CHANGE_WEB, strlen(LAST_CHANGE_WEB), "last-change-web",
                             &options.ingest, &session, &err) != REELAY_OK)
        fail_msg("%s", err.msg);
    char out[256];
    options.output = path_in_tmp("last-page.webm", out, sizeof out);
    options.overlays = REELAY_OVERLAY_NONE;
    options.fps = 24; /* 1 s: 24 frames, the last starting at 958 ms */
    reelay_render_result result = render_ok(session, &options);
    assert_true(result.vfr);
    assert_in_range(result.frames, 2, 23);
    expect_turns_red_last(out, 24, options.fps, true, "the page view");
    reelay_session_free(session);
}

/* Web and portable recordings: the interaction view, encoded and decoded
 * back, matches `frame` at several times. */
static void check_web(const char *input, const char *name, reelay_codec codec, enum AVCodecID expected_id,
                      reelay_web_view view)
{
    reelay_render_options options = reelay_render_defaults();
    options.web_view = view;
    /* the engine is the built reelay binary (this one is the test's) */
    options.page_engine.binary = getenv("REELAY_BIN");
    assert_non_null(options.page_engine.binary);
    options.ingest.keep_rrweb_json = view != REELAY_WEB_VIEW_INTERACTION;
    reelay_session *session = NULL;
    reelay_err err;
    reelay_err_clear(&err);
    if (reelay_ingest_path(input, &options.ingest, &session, &err) != REELAY_OK) fail_msg("%s: %s", input, err.msg);
    char out[256];
    options.output = path_in_tmp(name, out, sizeof out);
    options.codec = codec;
    options.overlays = REELAY_OVERLAY_TOUCHES | REELAY_OVERLAY_POINTER; /* no HUD: the frame is the view */
    options.fps = 12;
    reelay_render_result result = render_ok(session, &options);
    decoded d = {.probe_count = 3, .probe_ms = {1500, 6000, 20000}}; /* not on a skip card */
    decode_file(out, &d);
    assert_int_equal(d.codec, expected_id);
    check_decoded(session, &options, &result, &d, name);
    free_decoded(&d);
    reelay_session_free(session);
}

static void test_web_webm(void **state)
{
    (void)state;
    check_web("fixtures/web/shop-checkout.rrweb.json", "web.webm", REELAY_CODEC_AUTO, AV_CODEC_ID_VP9,
              REELAY_WEB_VIEW_INTERACTION);
}

/* The page view: the engine's pages under the overlays, decoded back and
 * compared with the frame maker's own page-view drawing of each instant. */
static void test_web_page_mp4(void **state)
{
    (void)state;
    check_web("fixtures/web/shop-checkout.rrweb.json", "web-page.mp4", REELAY_CODEC_AUTO, AV_CODEC_ID_H264,
              REELAY_WEB_VIEW_PAGE);
}

static void test_portable_mp4(void **state)
{
    (void)state;
    /* a portable file holds no page: the page view draws the interaction view */
    check_web("fixtures/portable/signup.json", "portable.mp4", REELAY_CODEC_AUTO, AV_CODEC_ID_H264,
              REELAY_WEB_VIEW_PAGE);
}

/* All the subtitle text of a file, cues joined. */
static void subtitle_text(const char *path, char *out, size_t size)
{
    AVFormatContext *format = NULL;
    assert_int_equal(avformat_open_input(&format, path, NULL, NULL), 0);
    assert_true(avformat_find_stream_info(format, NULL) >= 0);
    int index = av_find_best_stream(format, AVMEDIA_TYPE_SUBTITLE, -1, -1, NULL, 0);
    assert_true(index >= 0);
    size_t used = 0;
    out[0] = '\0';
    AVPacket *packet = av_packet_alloc();
    while (av_read_frame(format, packet) >= 0) {
        if (packet->stream_index == index)
            for (int k = 0; k < packet->size && used + 2 < size; k++) out[used++] = packet->data[k] ? (char)packet->data[k] : ' ';
        av_packet_unref(packet);
        if (used + 1 < size) out[used++] = '\n';
    }
    out[used] = '\0';
    av_packet_free(&packet);
    avformat_close_input(&format);
}

/* The event log names what was clicked and typed into, and a typed value
 * reaches the subtitles only when unmasking was asked for. */
static void test_web_subtitles_mask_inputs(void **state)
{
    (void)state;
    reelay_session *session = ts_session_from_path("fixtures/portable/signup.json");
    const char *typed = NULL;
    for (size_t i = 0; i < session->event_count; i++) {
        const reelay_event *ev = &session->events[i];
        if (ev->kind == EV_INPUT && ev->u.input.text && strchr(ev->u.input.text, '@')) typed = ev->u.input.text;
    }
    assert_non_null(typed); /* an e-mail address was typed */
    for (int unmask = 0; unmask < 2; unmask++) {
        char out[256];
        reelay_render_options options = reelay_render_defaults();
        options.output = path_in_tmp(unmask ? "unmasked.webm" : "masked.webm", out, sizeof out);
        options.fps = 4;
        options.subtitles = true;
        options.unmask_inputs = unmask;
        render_ok(session, &options);
        static char text[65536];
        subtitle_text(out, text, sizeof text);
        if (!strstr(text, "button \"Sign up\"")) fail_msg("no click label in the subtitles: %s", text);
        if (!strstr(text, "input#email")) fail_msg("no input label in the subtitles: %s", text);
        if (!unmask && strstr(text, typed)) fail_msg("the typed value reached the masked subtitles");
        if (unmask && !strstr(text, typed)) fail_msg("the unmasked subtitles lack the typed value");
        if (strstr(text, "[REDACTED]") == NULL) fail_msg("the redacted password is not shown as redacted");
    }
    reelay_session_free(session);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_webm_vp9),
        cmocka_unit_test(test_mp4_h264),
        cmocka_unit_test(test_webm_vp8),
        cmocka_unit_test(test_mkv_av1),
        cmocka_unit_test(test_hud_layout_and_metadata),
        cmocka_unit_test(test_inspector_and_subtitles),
        cmocka_unit_test(test_skip_idle_and_speed),
        cmocka_unit_test(test_clip),
        cmocka_unit_test(test_vfr),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_sidecars),
        cmocka_unit_test(test_sparse_recordings),
        cmocka_unit_test(test_last_frame_shows_the_end),
        cmocka_unit_test(test_last_frame_shows_the_end_of_a_page),
        cmocka_unit_test(test_failures_leave_nothing),
        cmocka_unit_test(test_web_webm),
        cmocka_unit_test(test_web_page_mp4),
        cmocka_unit_test(test_portable_mp4),
        cmocka_unit_test(test_web_subtitles_mask_inputs),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
