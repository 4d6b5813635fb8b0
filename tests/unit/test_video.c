/* Unit tests for encode/video: codec and container choice, encoding flat
 * synthetic frames with every codec and reading the result back through
 * libavformat/libavcodec (codec, size, frame count, timestamps, duration,
 * metadata, chapters, colours), repeat, VFR and CFR timing, MP4 faststart,
 * byte-identical output, the subtitle track of cues (payloads, timing,
 * interleaving, decoding back), and the failure paths leaving no file
 * behind. */
#include "test_support.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libswscale/swscale.h>

#include "encode/video.h"

#define W 320
#define H 240
#define FPS 24
#define SECONDS 3
#define STRIDE (W * 4 + 64) /* wider than the row, as Cairo may give */
#define MAX_FRAMES 256

static char tmp_dir[64];

/* Left and right halves during second s, as R,G,B. */
static const uint8_t palette[SECONDS][2][3] = {
    {{200, 40, 40}, {40, 40, 200}},
    {{40, 180, 60}, {220, 220, 220}},
    {{30, 60, 200}, {230, 200, 40}},
};

/* ------------------------------------------------------------- helpers */

static void fill_halves(uint8_t *px, const uint8_t left[3], const uint8_t right[3])
{
    for (int y = 0; y < H; y++) {
        uint8_t *row = px + (size_t)y * STRIDE;
        for (int x = 0; x < W; x++) {
            const uint8_t *c = x < W / 2 ? left : right;
            row[4 * x + 0] = c[2]; /* B */
            row[4 * x + 1] = c[1]; /* G */
            row[4 * x + 2] = c[0]; /* R */
            row[4 * x + 3] = 0x5A; /* X: must be ignored */
        }
    }
}

static void tmp_path(char *out, size_t size, const char *name)
{
    snprintf(out, size, "%s/%s", tmp_dir, name);
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* A temporary file of path's writer left beside it (NAME.*.partial), where
 * the file system has no unnamed temporary files. */
static bool partial_exists(const char *path)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    const char *base = slash ? slash + 1 : path;
    if (slash) *slash = '\0';
    DIR *d = opendir(slash ? dir : ".");
    if (!d) return false;
    bool found = false;
    struct dirent *e;
    size_t n = strlen(base);
    while (!found && (e = readdir(d))) {
        size_t len = strlen(e->d_name);
        found = strncmp(e->d_name, base, n) == 0 && len > n + 8 && e->d_name[n] == '.' &&
                strcmp(e->d_name + len - 8, ".partial") == 0;
    }
    closedir(d);
    return found;
}

static uint8_t *frame_buffer(void)
{
    uint8_t *px = malloc((size_t)STRIDE * H);
    assert_non_null(px);
    return px;
}

static reelay_video *open_ok(const reelay_video_options *o)
{
    reelay_err err = {0};
    reelay_video *video = NULL;
    if (reelay_video_open(o, &video, &err) != REELAY_OK) fail_msg("open %s: %s", o->path, err.msg);
    return video;
}

static reelay_video_options options_for(const char *path, reelay_codec codec)
{
    static const reelay_chapter chapters[] = {
        {0, 1000, "Landing"},
        {1000, 2000, "Checkout"},
        {2000, 3000, "Done"},
    };
    return (reelay_video_options){
        .path = path,
        .codec = codec,
        .width = W,
        .height = H,
        .fps = FPS,
        .crf = -1,
        .threads = 2,
        .title = "Session recording",
        .session_id = "0190-abcd",
        .user = "ada@example.com",
        .start_time = "2024-05-01T12:00:00Z",
        .source = "reelay test",
        .comment = "synthetic frames",
        .chapters = chapters,
        .chapter_count = 3,
    };
}

/* SECONDS of flat halves changing every second; unchanged frames through
 * repeat when use_repeat, through write otherwise. */
static void encode_file(const reelay_video_options *o, bool use_repeat, reelay_video_result *result)
{
    uint8_t *px = frame_buffer();
    reelay_err err = {0};
    reelay_video *video = open_ok(o);
    for (int f = 0; f < SECONDS * FPS; f++) {
        int s = f / FPS;
        if (f % FPS == 0) fill_halves(px, palette[s][0], palette[s][1]);
        int rc = f % FPS && use_repeat ? reelay_video_repeat(video, f, &err)
                                       : reelay_video_write(video, px, STRIDE, f, &err);
        if (rc != REELAY_OK) fail_msg("frame %d: %s", f, err.msg);
    }
    reelay_video_result local;
    int rc = reelay_video_finish(video, result ? result : &local, &err);
    if (rc != REELAY_OK) fail_msg("finish: %s", err.msg);
    free(px);
}

typedef struct probe {
    enum AVCodecID codec_id;
    int width, height;
    int64_t packets;
    bool key[MAX_FRAMES]; /* per packet, in file order */
    int size[MAX_FRAMES]; /* per packet, in file order */
    double duration_s;
    AVDictionary *tags;
    unsigned chapters;
    char chapter_title[4][32];
    double chapter_start_s[4];
    enum AVColorSpace color_space;
    enum AVColorPrimaries primaries;
    enum AVColorTransferCharacteristic trc;
    enum AVColorRange range;
    int frames;
    double pts_s[MAX_FRAMES];
    uint8_t rgb[MAX_FRAMES][2][3]; /* centre of the left and right halves */
    uint8_t luma[MAX_FRAMES];      /* Y at the centre of the left half */
} probe;

static void sample_frame(probe *p, const AVFrame *frame, AVRational tb, struct SwsContext **sws)
{
    assert_true(p->frames < MAX_FRAMES);
    int i = p->frames++;
    p->pts_s[i] = frame->best_effort_timestamp * av_q2d(tb);
    p->luma[i] = frame->data[0][(size_t)(H / 2) * frame->linesize[0] + W / 4];
    if (!*sws) {
        *sws = sws_getContext(W, H, frame->format, W, H, AV_PIX_FMT_RGB24, SWS_BILINEAR, NULL, NULL, NULL);
        assert_non_null(*sws);
        const int *bt709 = sws_getCoefficients(SWS_CS_ITU709);
        assert_true(sws_setColorspaceDetails(*sws, bt709, 0, bt709, 1, 0, 1 << 16, 1 << 16) >= 0);
    }
    uint8_t *rgb = malloc((size_t)W * H * 3);
    assert_non_null(rgb);
    uint8_t *dst[4] = {rgb, NULL, NULL, NULL};
    int dst_stride[4] = {W * 3, 0, 0, 0};
    sws_scale(*sws, (const uint8_t *const *)frame->data, frame->linesize, 0, H, dst, dst_stride);
    for (int half = 0; half < 2; half++)
        memcpy(p->rgb[i][half], rgb + ((size_t)(H / 2) * W + (size_t)(half ? 3 * W / 4 : W / 4)) * 3, 3);
    free(rgb);
}

static void probe_file(const char *path, probe *p)
{
    memset(p, 0, sizeof *p);
    AVFormatContext *fmt = NULL;
    assert_int_equal(avformat_open_input(&fmt, path, NULL, NULL), 0);
    assert_true(avformat_find_stream_info(fmt, NULL) >= 0);
    const AVCodec *decoder = NULL;
    int index = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, &decoder, 0);
    assert_true(index >= 0);
    assert_non_null(decoder);
    AVStream *st = fmt->streams[index];
    p->codec_id = st->codecpar->codec_id;
    p->width = st->codecpar->width;
    p->height = st->codecpar->height;
    p->color_space = st->codecpar->color_space;
    p->primaries = st->codecpar->color_primaries;
    p->trc = st->codecpar->color_trc;
    p->range = st->codecpar->color_range;
    /* The video track's own duration where the container has one (MP4:
     * the file's may be the chapter track's); Matroska has only the file's. */
    p->duration_s = st->duration != AV_NOPTS_VALUE ? st->duration * av_q2d(st->time_base)
                                                   : fmt->duration / (double)AV_TIME_BASE;
    av_dict_copy(&p->tags, fmt->metadata, 0);
    p->chapters = fmt->nb_chapters;
    for (unsigned i = 0; i < fmt->nb_chapters && i < 4; i++) {
        const AVDictionaryEntry *t = av_dict_get(fmt->chapters[i]->metadata, "title", NULL, 0);
        snprintf(p->chapter_title[i], sizeof p->chapter_title[i], "%s", t ? t->value : "");
        p->chapter_start_s[i] = fmt->chapters[i]->start * av_q2d(fmt->chapters[i]->time_base);
    }

    AVCodecContext *dec = avcodec_alloc_context3(decoder);
    assert_non_null(dec);
    assert_true(avcodec_parameters_to_context(dec, st->codecpar) >= 0);
    assert_int_equal(avcodec_open2(dec, decoder, NULL), 0);
    AVPacket *pkt = av_packet_alloc();
    AVFrame *frame = av_frame_alloc();
    struct SwsContext *sws = NULL;
    bool draining = false;
    while (!draining) {
        int rc = av_read_frame(fmt, pkt);
        if (rc < 0) {
            draining = true;
            assert_int_equal(avcodec_send_packet(dec, NULL), 0);
        } else {
            bool ours = pkt->stream_index == index;
            if (ours) {
                assert_true(p->packets < MAX_FRAMES);
                p->size[p->packets] = pkt->size;
                p->key[p->packets++] = pkt->flags & AV_PKT_FLAG_KEY;
                assert_int_equal(avcodec_send_packet(dec, pkt), 0);
            }
            av_packet_unref(pkt);
            if (!ours) continue;
        }
        while (avcodec_receive_frame(dec, frame) == 0) {
            sample_frame(p, frame, st->time_base, &sws);
            av_frame_unref(frame);
        }
    }
    sws_freeContext(sws);
    av_frame_free(&frame);
    av_packet_free(&pkt);
    avcodec_free_context(&dec);
    avformat_close_input(&fmt);
}

static void probe_free(probe *p)
{
    av_dict_free(&p->tags);
}

static void assert_tag(const probe *p, const char *key, const char *value)
{
    const AVDictionaryEntry *t = av_dict_get(p->tags, key, NULL, 0);
    if (!t) fail_msg("tag %s missing", key);
    assert_string_equal(t->value, value);
}

static void assert_colour_near(const uint8_t got[3], const uint8_t want[3], int tolerance, int frame)
{
    for (int c = 0; c < 3; c++)
        if (abs(got[c] - want[c]) > tolerance)
            fail_msg("frame %d: got %d,%d,%d, want %d,%d,%d", frame, got[0], got[1], got[2], want[0], want[1],
                     want[2]);
}

static unsigned char *read_all(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    assert_int_equal(fseek(fp, 0, SEEK_END), 0);
    long n = ftell(fp);
    assert_true(n > 0);
    rewind(fp);
    unsigned char *data = malloc((size_t)n);
    assert_non_null(data);
    assert_int_equal(fread(data, 1, (size_t)n, fp), (size_t)n);
    fclose(fp);
    *len = (size_t)n;
    return data;
}

static void assert_same_bytes(const char *a, const char *b)
{
    size_t na, nb;
    unsigned char *da = read_all(a, &na), *db = read_all(b, &nb);
    if (na != nb || memcmp(da, db, na) != 0) fail_msg("%s and %s differ (%zu vs %zu bytes)", a, b, na, nb);
    free(da);
    free(db);
}

/* ---------------------------------------------------------------- setup */

static int setup_dir(void **state)
{
    (void)state;
    snprintf(tmp_dir, sizeof tmp_dir, "/tmp/reelay-video-XXXXXX");
    return mkdtemp(tmp_dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
    (void)state;
    DIR *dir = opendir(tmp_dir);
    if (!dir) return -1;
    struct dirent *e;
    while ((e = readdir(dir))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", tmp_dir, e->d_name);
        unlink(path);
    }
    closedir(dir);
    return rmdir(tmp_dir);
}

/* ---------------------------------------------------------------- tests */

static void test_codec_names(void **state)
{
    (void)state;
    reelay_err err = {0};
    reelay_codec c;
    const char *names[] = {"auto", "vp9", "vp8", "av1", "h264"};
    for (int i = 0; i < 5; i++) {
        assert_int_equal(reelay_codec_parse(names[i], &c, &err), REELAY_OK);
        assert_int_equal(c, (reelay_codec)i);
        assert_string_equal(reelay_codec_name(c), names[i]);
    }
    assert_int_equal(reelay_codec_parse("VP9", &c, &err), REELAY_OK);
    assert_int_equal(c, REELAY_CODEC_VP9);
    assert_int_equal(reelay_codec_parse("hevc", &c, &err), REELAY_E_USAGE);
    assert_non_null(strstr(err.msg, "hevc"));
    assert_int_equal(reelay_codec_parse(NULL, &c, &err), REELAY_E_USAGE);
}

static void test_resolve(void **state)
{
    (void)state;
    reelay_err err = {0};
    reelay_codec c;
    assert_int_equal(reelay_video_resolve("a.webm", REELAY_CODEC_AUTO, &c, &err), REELAY_OK);
    assert_int_equal(c, REELAY_CODEC_VP9);
    assert_int_equal(reelay_video_resolve("a.MKV", REELAY_CODEC_AUTO, &c, &err), REELAY_OK);
    assert_int_equal(c, REELAY_CODEC_VP9);
    assert_int_equal(reelay_video_resolve("dir/a.Mp4", REELAY_CODEC_AUTO, &c, &err), REELAY_OK);
    assert_int_equal(c, REELAY_CODEC_H264);
    assert_int_equal(reelay_video_resolve("a.webm", REELAY_CODEC_AV1, &c, &err), REELAY_OK);
    assert_int_equal(c, REELAY_CODEC_AV1);
    assert_int_equal(reelay_video_resolve("a.mkv", REELAY_CODEC_H264, &c, &err), REELAY_OK);
    assert_int_equal(c, REELAY_CODEC_H264);

    assert_int_equal(reelay_video_resolve("a.webm", REELAY_CODEC_H264, &c, &err), REELAY_E_USAGE);
    assert_non_null(strstr(err.msg, "WebM"));
    assert_non_null(strstr(err.msg, "H.264"));
    assert_int_equal(reelay_video_resolve("a.mp4", REELAY_CODEC_VP8, &c, &err), REELAY_E_USAGE);
    assert_non_null(strstr(err.msg, "VP8"));
    assert_int_equal(reelay_video_resolve("a.avi", REELAY_CODEC_AUTO, &c, &err), REELAY_E_USAGE);
    assert_non_null(strstr(err.msg, "a.avi"));
    assert_int_equal(reelay_video_resolve("out.webm/video", REELAY_CODEC_AUTO, &c, &err), REELAY_E_USAGE);
    assert_int_equal(reelay_video_resolve("webm", REELAY_CODEC_AUTO, &c, &err), REELAY_E_USAGE);
}

/* The full read-back check of one codec and container. */
static void check_codec(reelay_codec codec, const char *name, const char *codec_name, enum AVCodecID id,
                        int tolerance)
{
    char path[256];
    tmp_path(path, sizeof path, name);
    reelay_video_options o = options_for(path, codec);
    reelay_video_result result;
    encode_file(&o, true, &result);
    assert_false(partial_exists(path));
    assert_int_equal(result.frames, SECONDS * FPS);
    assert_true(fabs(result.duration_s - SECONDS) < 1e-9);
    assert_string_equal(result.codec, codec_name);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(result.bytes, st.st_size);

    probe p;
    probe_file(path, &p);
    assert_int_equal(p.codec_id, id);
    assert_int_equal(p.width, W);
    assert_int_equal(p.height, H);
    assert_int_equal(p.packets, SECONDS * FPS);
    assert_int_equal(p.frames, SECONDS * FPS);
    if (fabs(p.duration_s - SECONDS) > 0.5 / FPS) fail_msg("duration %f, want %d", p.duration_s, SECONDS);
    assert_int_equal(p.color_space, AVCOL_SPC_BT709);
    assert_int_equal(p.primaries, AVCOL_PRI_BT709);
    assert_int_equal(p.trc, AVCOL_TRC_BT709);
    assert_int_equal(p.range, AVCOL_RANGE_MPEG);

    assert_tag(&p, "title", "Session recording");
    assert_tag(&p, "session_id", "0190-abcd");
    assert_tag(&p, "user", "ada@example.com");
    assert_tag(&p, "start_time", "2024-05-01T12:00:00Z");
    assert_tag(&p, "source", "reelay test");
    assert_tag(&p, "comment", "synthetic frames");
    assert_null(av_dict_get(p.tags, "creation_time", NULL, 0));
    assert_int_equal(p.chapters, 3);
    assert_string_equal(p.chapter_title[0], "Landing");
    assert_string_equal(p.chapter_title[1], "Checkout");
    assert_string_equal(p.chapter_title[2], "Done");
    assert_true(fabs(p.chapter_start_s[1] - 1.0) < 0.002);

    for (int f = 0; f < p.frames; f++) {
        if (fabs(p.pts_s[f] - (double)f / FPS) > 0.002) fail_msg("frame %d at %f s", f, p.pts_s[f]);
        /* Skip the first frames after a change: low-latency encoders may
         * need a frame or two to settle on a new flat colour. */
        if (f % FPS < 3) continue;
        int s = f / FPS;
        assert_colour_near(p.rgb[f][0], palette[s][0], tolerance, f);
        assert_colour_near(p.rgb[f][1], palette[s][1], tolerance, f);
    }
    probe_free(&p);
}

static void test_vp9_webm(void **state)
{
    (void)state;
    check_codec(REELAY_CODEC_AUTO, "vp9.webm", "vp9", AV_CODEC_ID_VP9, 12);
}

static void test_vp8_webm(void **state)
{
    (void)state;
    check_codec(REELAY_CODEC_VP8, "vp8.webm", "vp8", AV_CODEC_ID_VP8, 12);
}

static void test_av1_mkv(void **state)
{
    (void)state;
    check_codec(REELAY_CODEC_AV1, "av1.mkv", "av1", AV_CODEC_ID_AV1, 12);
}

static void test_h264_mp4(void **state)
{
    (void)state;
    check_codec(REELAY_CODEC_AUTO, "h264.mp4", "h264", AV_CODEC_ID_H264, 12);
}

/* Every other codec a container takes: a short file that reads back. */
static void test_container_matrix(void **state)
{
    (void)state;
    static const struct {
        reelay_codec codec;
        const char *name;
        enum AVCodecID id;
    } cases[] = {
        {REELAY_CODEC_AV1, "m-av1.webm", AV_CODEC_ID_AV1}, {REELAY_CODEC_H264, "m-h264.mkv", AV_CODEC_ID_H264},
        {REELAY_CODEC_VP8, "m-vp8.mkv", AV_CODEC_ID_VP8},  {REELAY_CODEC_VP9, "m-vp9.mkv", AV_CODEC_ID_VP9},
        {REELAY_CODEC_AV1, "m-av1.mp4", AV_CODEC_ID_AV1},  {REELAY_CODEC_VP9, "m-vp9.mp4", AV_CODEC_ID_VP9},
    };
    uint8_t *px = frame_buffer();
    fill_halves(px, palette[0][0], palette[0][1]);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[256];
        tmp_path(path, sizeof path, cases[i].name);
        reelay_video_options o = options_for(path, cases[i].codec);
        o.chapter_count = 0;
        reelay_err err = {0};
        reelay_video *video;
        video = open_ok(&o);
        assert_int_equal(reelay_video_write(video, px, STRIDE, 0, &err), REELAY_OK);
        assert_int_equal(reelay_video_repeat(video, 1, &err), REELAY_OK);
        if (reelay_video_finish(video, NULL, &err) != REELAY_OK) fail_msg("%s: %s", cases[i].name, err.msg);
        probe p;
        probe_file(path, &p);
        assert_int_equal(p.codec_id, cases[i].id);
        assert_int_equal(p.frames, 2);
        assert_tag(&p, "session_id", "0190-abcd");
        assert_colour_near(p.rgb[1][0], palette[0][0], 16, 1);
        probe_free(&p);
    }
    free(px);
}

/* repeat() is the same as writing the same picture again: same bytes. */
static void test_repeat_matches_write(void **state)
{
    (void)state;
    char a[256], b[256];
    tmp_path(a, sizeof a, "written.mp4");
    tmp_path(b, sizeof b, "repeated.mp4");
    reelay_video_options oa = options_for(a, REELAY_CODEC_H264), ob = options_for(b, REELAY_CODEC_H264);
    encode_file(&oa, false, NULL);
    encode_file(&ob, true, NULL);
    assert_same_bytes(a, b);
    probe p;
    probe_file(b, &p);
    assert_int_equal(p.frames, SECONDS * FPS);
    /* A repeated frame decodes like the written one before it (up to coding noise). */
    for (int f = 1; f < FPS; f++) assert_colour_near(p.rgb[f][1], p.rgb[f - 1][1], 6, f);
    probe_free(&p);
}

/* VP9 at a constant rate: a repeat is a one-byte show-existing frame, not
 * another encode, and decodes to exactly the picture before it. */
static void test_vp9_repeats_cost_one_byte(void **state)
{
    (void)state;
    char path[256];
    tmp_path(path, sizeof path, "repeats.webm");
    reelay_video_options o = options_for(path, REELAY_CODEC_VP9);
    reelay_video_result result;
    encode_file(&o, true, &result);
    assert_int_equal(result.frames, SECONDS * FPS);
    assert_int_equal(result.encoded, SECONDS); /* one picture per second */
    probe p;
    probe_file(path, &p);
    assert_int_equal(p.frames, SECONDS * FPS);
    for (int f = 0; f < SECONDS * FPS; f++) {
        if (f % FPS == 0) {
            assert_true(p.size[f] > 1);
            continue;
        }
        assert_int_equal(p.size[f], 1);
        assert_int_equal(p.luma[f], p.luma[f - 1]);
        assert_memory_equal(p.rgb[f], p.rgb[f - 1], sizeof p.rgb[f]);
    }
    assert_colour_near(p.rgb[FPS - 1][0], palette[0][0], 12, FPS - 1);
    assert_colour_near(p.rgb[2 * FPS - 1][1], palette[1][1], 12, 2 * FPS - 1);
    probe_free(&p);
}

/* A still stretch is still cut by keyframes every 10 s, encoded for real,
 * so a seek never has to go back further. */
static void test_vp9_repeats_keep_keyframes(void **state)
{
    (void)state;
    char path[256];
    tmp_path(path, sizeof path, "still.webm");
    reelay_video_options o = options_for(path, REELAY_CODEC_VP9);
    o.fps = 4;
    o.chapter_count = 0;
    uint8_t *px = frame_buffer();
    reelay_err err = {0};
    reelay_video *video = open_ok(&o);
    fill_halves(px, palette[0][0], palette[0][1]);
    assert_int_equal(reelay_video_write(video, px, STRIDE, 0, &err), REELAY_OK);
    assert_int_equal(reelay_video_repeat(video, 99, &err), REELAY_OK);
    reelay_video_result result;
    assert_int_equal(reelay_video_finish(video, &result, &err), REELAY_OK);
    assert_int_equal(result.frames, 100);
    assert_int_equal(result.encoded, 3);
    free(px);
    probe p;
    probe_file(path, &p);
    assert_int_equal(p.frames, 100);
    for (int f = 0; f < 100; f++) {
        bool key = f % 40 == 0;
        if (p.key[f] != key) fail_msg("packet %d: key %d, want %d", f, p.key[f], key);
        if ((p.size[f] > 1) != key) fail_msg("packet %d: %d bytes", f, p.size[f]);
    }
    assert_colour_near(p.rgb[99][1], palette[0][1], 12, 99);
    probe_free(&p);
}

/* VFR: only changed frames, the last one lasting until the set end; the
 * still stretch from 2.5 s gets the picture again at 10 s, as a keyframe
 * (10 s after the first), so a keyframe comes at least every 10 s however
 * sparse the changes are; the repeat at 12 s is sent as it is. */
static void check_vfr(reelay_codec codec, const char *name, bool keyframes_by_time)
{
    char path[256];
    tmp_path(path, sizeof path, name);
    reelay_video_options o = options_for(path, codec);
    o.vfr = true;
    o.chapter_count = 0; /* the duration is the video's alone */
    uint8_t *px = frame_buffer();
    reelay_err err = {0};
    reelay_video *video = open_ok(&o);
    static const int64_t pts[] = {0, 24, 30, 60, 288};
    for (int i = 0; i < 4; i++) {
        fill_halves(px, palette[i % SECONDS][0], palette[i % SECONDS][1]);
        assert_int_equal(reelay_video_write(video, px, STRIDE, pts[i], &err), REELAY_OK);
    }
    assert_int_equal(reelay_video_repeat(video, pts[4], &err), REELAY_OK);
    reelay_video_set_end(video, 300);
    reelay_video_result result;
    assert_int_equal(reelay_video_finish(video, &result, &err), REELAY_OK);
    assert_int_equal(result.frames, 6);
    assert_true(fabs(result.duration_s - 12.5) < 1e-9);
    free(px);

    probe p;
    probe_file(path, &p);
    assert_int_equal(p.packets, 6);
    assert_int_equal(p.frames, 6);
    static const int64_t in_file[] = {0, 24, 30, 60, 240, 288};
    for (int i = 0; i < 6; i++)
        if (fabs(p.pts_s[i] - in_file[i] / (double)FPS) > 0.002) fail_msg("frame %d at %f s", i, p.pts_s[i]);
    if (fabs(p.duration_s - 12.5) > 0.5 / FPS) fail_msg("duration %f, want 12.5", p.duration_s);
    assert_colour_near(p.rgb[3][0], palette[0][0], 16, 3);
    assert_colour_near(p.rgb[4][0], palette[3 % SECONDS][0], 16, 3);
    assert_true(p.key[0]);
    if (keyframes_by_time) {
        assert_true(p.key[4]);
        assert_false(p.key[5]);
    }
    probe_free(&p);
}

static void test_vfr_webm(void **state)
{
    (void)state;
    check_vfr(REELAY_CODEC_VP9, "vfr.webm", true);
}

static void test_vfr_mp4(void **state)
{
    (void)state;
    check_vfr(REELAY_CODEC_H264, "vfr.mp4", true);
}

/* FFmpeg 5.1's SVT-AV1 wrapper cannot force keyframes: timing only. */
static void test_vfr_av1(void **state)
{
    (void)state;
    check_vfr(REELAY_CODEC_AV1, "vfr.mkv", false);
}

/* CFR: a pts that skips ahead and the end are filled with the last picture. */
static void test_cfr_fills_gaps(void **state)
{
    (void)state;
    char path[256];
    tmp_path(path, sizeof path, "cfr.webm");
    reelay_video_options o = options_for(path, REELAY_CODEC_VP9);
    uint8_t *px = frame_buffer();
    reelay_err err = {0};
    reelay_video *video;
    video = open_ok(&o);
    fill_halves(px, palette[0][0], palette[0][1]);
    assert_int_equal(reelay_video_write(video, px, STRIDE, 0, &err), REELAY_OK);
    fill_halves(px, palette[1][0], palette[1][1]);
    assert_int_equal(reelay_video_write(video, px, STRIDE, 30, &err), REELAY_OK);
    reelay_video_set_end(video, 48);
    reelay_video_result result;
    assert_int_equal(reelay_video_finish(video, &result, &err), REELAY_OK);
    assert_int_equal(result.frames, 48);
    free(px);

    probe p;
    probe_file(path, &p);
    assert_int_equal(p.frames, 48);
    if (fabs(p.duration_s - 2.0) > 0.5 / FPS) fail_msg("duration %f, want 2", p.duration_s);
    assert_colour_near(p.rgb[29][0], palette[0][0], 12, 29);
    assert_colour_near(p.rgb[47][0], palette[1][0], 12, 47);
    probe_free(&p);
}

/* moov (the index) comes before mdat (the samples). */
static void test_mp4_faststart(void **state)
{
    (void)state;
    char path[256];
    tmp_path(path, sizeof path, "h264.mp4");
    if (!exists(path)) {
        reelay_video_options o = options_for(path, REELAY_CODEC_H264);
        encode_file(&o, true, NULL);
    }
    size_t len;
    unsigned char *d = read_all(path, &len);
    long moov = -1, mdat = -1;
    for (size_t at = 0; at + 8 <= len;) {
        uint64_t size = (uint64_t)d[at] << 24 | (uint64_t)d[at + 1] << 16 | (uint64_t)d[at + 2] << 8 | d[at + 3];
        if (memcmp(d + at + 4, "moov", 4) == 0) moov = (long)at;
        if (memcmp(d + at + 4, "mdat", 4) == 0) mdat = (long)at;
        if (size == 1 && at + 16 <= len) {
            size = 0;
            for (int i = 0; i < 8; i++) size = size << 8 | d[at + 8 + i];
        }
        if (size < 8) break;
        at += size;
    }
    free(d);
    assert_true(moov >= 0);
    assert_true(mdat >= 0);
    assert_true(moov < mdat);
}

/* Same frames and options, two runs, with threads: byte-identical. */
static void test_deterministic(void **state)
{
    (void)state;
    static const struct {
        reelay_codec codec;
        const char *ext;
    } cases[] = {
        {REELAY_CODEC_VP9, "webm"},
        {REELAY_CODEC_VP8, "webm"},
        {REELAY_CODEC_AV1, "mkv"},
        {REELAY_CODEC_H264, "mp4"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (int threads = 2; threads <= 4; threads += 2) {
            char a[256], b[256], name[64];
            snprintf(name, sizeof name, "det-a-%zu-%d.%s", i, threads, cases[i].ext);
            tmp_path(a, sizeof a, name);
            snprintf(name, sizeof name, "det-b-%zu-%d.%s", i, threads, cases[i].ext);
            tmp_path(b, sizeof b, name);
            reelay_video_options oa = options_for(a, cases[i].codec), ob = options_for(b, cases[i].codec);
            oa.threads = ob.threads = threads;
            encode_file(&oa, true, NULL);
            encode_file(&ob, true, NULL);
            assert_same_bytes(a, b);
        }
    }
    /* VP9 and AV1 give the same bytes whatever the thread count. */
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (cases[i].codec != REELAY_CODEC_VP9 && cases[i].codec != REELAY_CODEC_AV1) continue;
        char first[256], other[256], name[64];
        for (int threads = 1; threads <= 3; threads++) {
            snprintf(name, sizeof name, "threads-%zu-%d.%s", i, threads, cases[i].ext);
            tmp_path(threads == 1 ? first : other, 256, name);
            reelay_video_options o = options_for(threads == 1 ? first : other, cases[i].codec);
            o.threads = threads;
            encode_file(&o, true, NULL);
            if (threads > 1) assert_same_bytes(first, other);
        }
    }
}

/* BT.709 limited range: pure red has Y = 16 + 219 * 0.2126 ≈ 63 (BT.601
 * would give 82, full range 54). */
static void test_bt709_limited(void **state)
{
    (void)state;
    char path[256];
    tmp_path(path, sizeof path, "red.mkv");
    reelay_video_options o = options_for(path, REELAY_CODEC_H264);
    uint8_t *px = frame_buffer();
    static const uint8_t red[3] = {255, 0, 0};
    fill_halves(px, red, red);
    reelay_err err = {0};
    reelay_video *video;
    video = open_ok(&o);
    assert_int_equal(reelay_video_write(video, px, STRIDE, 0, &err), REELAY_OK);
    assert_int_equal(reelay_video_finish(video, NULL, &err), REELAY_OK);
    free(px);
    probe p;
    probe_file(path, &p);
    assert_int_equal(p.frames, 1);
    if (abs(p.luma[0] - 63) > 3) fail_msg("red has Y %d, want 63", p.luma[0]);
    assert_colour_near(p.rgb[0][0], red, 8, 0);
    probe_free(&p);
}

static void test_open_usage_errors(void **state)
{
    (void)state;
    char path[256];
    reelay_err err = {0};
    reelay_video *video = (reelay_video *)&err; /* must be reset to NULL */

    tmp_path(path, sizeof path, "bad.avi");
    reelay_video_options o = options_for(path, REELAY_CODEC_AUTO);
    assert_int_equal(reelay_video_open(&o, &video, &err), REELAY_E_USAGE);
    assert_null(video);
    assert_false(exists(path));
    assert_false(partial_exists(path));

    tmp_path(path, sizeof path, "mismatch.webm");
    o = options_for(path, REELAY_CODEC_H264);
    assert_int_equal(reelay_video_open(&o, &video, &err), REELAY_E_USAGE);
    assert_non_null(strstr(err.msg, "H.264"));
    assert_false(partial_exists(path));

    tmp_path(path, sizeof path, "odd.webm");
    o = options_for(path, REELAY_CODEC_AUTO);
    o.width = 321;
    assert_int_equal(reelay_video_open(&o, &video, &err), REELAY_E_USAGE);
    o.width = W;
    o.height = 241;
    assert_int_equal(reelay_video_open(&o, &video, &err), REELAY_E_USAGE);
    o.height = 0;
    assert_int_equal(reelay_video_open(&o, &video, &err), REELAY_E_USAGE);
    o.height = H;
    o.fps = 0;
    assert_int_equal(reelay_video_open(&o, &video, &err), REELAY_E_USAGE);
    o.fps = FPS;
    o.crf = 64;
    assert_int_equal(reelay_video_open(&o, &video, &err), REELAY_E_USAGE);
    o.crf = -1;
    reelay_chapter backwards = {2000, 1000, "x"};
    o.chapters = &backwards;
    o.chapter_count = 1;
    assert_int_equal(reelay_video_open(&o, &video, &err), REELAY_E_USAGE);
    assert_false(exists(path));
    assert_false(partial_exists(path));
    reelay_video_abort(NULL);
}

static void test_unwritable_directory(void **state)
{
    (void)state;
    char path[256];
    reelay_err err = {0};
    reelay_video *video;
    tmp_path(path, sizeof path, "missing-dir/out.webm");
    reelay_video_options o = options_for(path, REELAY_CODEC_AUTO);
    assert_int_equal(reelay_video_open(&o, &video, &err), REELAY_E_IO);
    assert_null(video);
    assert_non_null(strstr(err.msg, "missing-dir/out.webm"));

    /* A regular file where the directory should be (root ignores modes). */
    char file[256];
    tmp_path(file, sizeof file, "not-a-dir");
    FILE *fp = fopen(file, "w");
    assert_non_null(fp);
    fclose(fp);
    tmp_path(path, sizeof path, "not-a-dir/out.mp4");
    o = options_for(path, REELAY_CODEC_AUTO);
    assert_int_equal(reelay_video_open(&o, &video, &err), REELAY_E_IO);
    assert_non_null(strstr(err.msg, "not-a-dir/out.mp4"));
    assert_int_equal(unlink(file), 0);
}

static void test_abort_leaves_nothing(void **state)
{
    (void)state;
    char path[256];
    tmp_path(path, sizeof path, "aborted.mp4");
    /* An older file of the same name stays as it was. */
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("old", fp);
    fclose(fp);
    reelay_video_options o = options_for(path, REELAY_CODEC_H264);
    uint8_t *px = frame_buffer();
    fill_halves(px, palette[0][0], palette[0][1]);
    reelay_err err = {0};
    reelay_video *video;
    video = open_ok(&o);
    for (int f = 0; f < 10; f++) assert_int_equal(reelay_video_write(video, px, STRIDE, f, &err), REELAY_OK);
    reelay_video_abort(video);
    free(px);
    assert_false(partial_exists(path));
    size_t len;
    unsigned char *d = read_all(path, &len);
    assert_int_equal(len, 3);
    assert_memory_equal(d, "old", 3);
    free(d);
    assert_int_equal(unlink(path), 0);
}

/* A write failing mid-stream (here: the file size limit, as a full disk
 * would) is REELAY_E_IO naming the file, and abort then leaves nothing. */
static void test_write_failure(void **state)
{
    (void)state;
    char path[256];
    tmp_path(path, sizeof path, "full.mkv");
    reelay_video_options o = options_for(path, REELAY_CODEC_H264);
    uint8_t *px = frame_buffer();
    reelay_err err = {0};
    reelay_video *video;
    struct rlimit old, small;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    small = old;
    small.rlim_cur = 100000;
    signal(SIGXFSZ, SIG_IGN); /* EFBIG instead of the signal */
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    int rc = reelay_video_open(&o, &video, &err);
    uint32_t seed = 1;
    for (int64_t f = 0; rc == REELAY_OK && f < 500; f++) {
        for (size_t i = 0; i < (size_t)STRIDE * H; i++) {
            seed = seed * 1664525u + 1013904223u; /* noise: incompressible */
            px[i] = (uint8_t)(seed >> 24);
        }
        rc = reelay_video_write(video, px, STRIDE, f, &err);
    }
    if (rc == REELAY_OK) rc = reelay_video_finish(video, NULL, &err);
    else reelay_video_abort(video);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, SIG_DFL);
    free(px);
    assert_int_equal(rc, REELAY_E_IO);
    assert_non_null(strstr(err.msg, "full.mkv"));
    assert_false(exists(path));
    assert_false(partial_exists(path));
}

/* Misuse is an error value, and a failed finish leaves nothing. */
static void test_misuse(void **state)
{
    (void)state;
    char path[256];
    tmp_path(path, sizeof path, "misuse.webm");
    reelay_video_options o = options_for(path, REELAY_CODEC_VP9);
    uint8_t *px = frame_buffer();
    fill_halves(px, palette[0][0], palette[0][1]);
    reelay_err err = {0};
    reelay_video *video;

    video = open_ok(&o);
    assert_int_equal(reelay_video_finish(video, NULL, &err), REELAY_E_INTERNAL); /* no frames */
    assert_false(exists(path));
    assert_false(partial_exists(path));

    video = open_ok(&o);
    assert_int_equal(reelay_video_repeat(video, 0, &err), REELAY_E_INTERNAL); /* nothing to repeat */
    assert_int_equal(reelay_video_write(video, px, W * 4 - 4, 0, &err), REELAY_E_INTERNAL);
    assert_int_equal(reelay_video_write(video, px, STRIDE, 5, &err), REELAY_OK);
    assert_int_equal(reelay_video_write(video, px, STRIDE, 5, &err), REELAY_E_INTERNAL);
    assert_int_equal(reelay_video_repeat(video, 3, &err), REELAY_E_INTERNAL);
    reelay_video_set_end(video, 8);
    assert_int_equal(reelay_video_repeat(video, 8, &err), REELAY_E_INTERNAL); /* past the end */
    /* Misuse does not spoil the stream: it still finishes. */
    reelay_video_result result;
    assert_int_equal(reelay_video_finish(video, &result, &err), REELAY_OK);
    assert_int_equal(result.frames, 3); /* CFR from the first frame: pts 5, 6, 7 */
    assert_true(exists(path));
    assert_int_equal(unlink(path), 0);

    /* An end that is not after the last frame fails finish, leaving nothing. */
    video = open_ok(&o);
    assert_int_equal(reelay_video_write(video, px, STRIDE, 0, &err), REELAY_OK);
    assert_int_equal(reelay_video_repeat(video, 1, &err), REELAY_OK);
    reelay_video_set_end(video, 1);
    assert_int_equal(reelay_video_finish(video, NULL, &err), REELAY_E_INTERNAL);
    assert_non_null(strstr(err.msg, "end"));
    assert_false(exists(path));
    assert_false(partial_exists(path));
    free(px);
}

/* ------------------------------------------------------------ subtitles */

#define MAX_CUES 8

typedef struct sub_probe {
    int streams; /* WebVTT or mov_text streams */
    enum AVCodecID codec_id;
    char language[8], title[64];
    int count; /* cue packets (MP4's empty gap samples left out) */
    double start_ms[MAX_CUES], duration_ms[MAX_CUES];
    char payload[MAX_CUES][1024]; /* WebVTT as stored; mov_text without its length */
    char decoded[MAX_CUES][1024]; /* the Text field of the decoder's ASS dialogue */
    bool in_order;                /* every packet in the file in timestamp order */
} sub_probe;

static void probe_subtitles(const char *path, sub_probe *p)
{
    memset(p, 0, sizeof *p);
    p->in_order = true;
    AVFormatContext *fmt = NULL;
    assert_int_equal(avformat_open_input(&fmt, path, NULL, NULL), 0);
    assert_true(avformat_find_stream_info(fmt, NULL) >= 0);
    int index = -1;
    for (unsigned i = 0; i < fmt->nb_streams; i++) {
        enum AVCodecID id = fmt->streams[i]->codecpar->codec_id;
        if (id == AV_CODEC_ID_WEBVTT || id == AV_CODEC_ID_MOV_TEXT) {
            p->streams++;
            index = (int)i;
        }
    }
    if (index < 0) {
        avformat_close_input(&fmt);
        return;
    }
    AVStream *st = fmt->streams[index];
    p->codec_id = st->codecpar->codec_id;
    const AVDictionaryEntry *t = av_dict_get(st->metadata, "language", NULL, 0);
    snprintf(p->language, sizeof p->language, "%s", t ? t->value : "");
    t = av_dict_get(st->metadata, "title", NULL, 0);
    if (!t) t = av_dict_get(st->metadata, "handler_name", NULL, 0); /* MP4 */
    snprintf(p->title, sizeof p->title, "%s", t ? t->value : "");

    const AVCodec *decoder = avcodec_find_decoder(p->codec_id);
    assert_non_null(decoder);
    AVCodecContext *dec = avcodec_alloc_context3(decoder);
    assert_non_null(dec);
    assert_true(avcodec_parameters_to_context(dec, st->codecpar) >= 0);
    dec->pkt_timebase = st->time_base;
    assert_int_equal(avcodec_open2(dec, decoder, NULL), 0);
    AVPacket *pkt = av_packet_alloc();
    double last_s = -1;
    while (av_read_frame(fmt, pkt) >= 0) {
        AVStream *in = fmt->streams[pkt->stream_index];
        double at_s = pkt->dts * av_q2d(in->time_base);
        if (at_s < last_s - 0.0005) p->in_order = false;
        if (at_s > last_s) last_s = at_s;
        if (pkt->stream_index != index) {
            av_packet_unref(pkt);
            continue;
        }
        const uint8_t *text = pkt->data;
        size_t len = (size_t)pkt->size;
        if (p->codec_id == AV_CODEC_ID_MOV_TEXT) {
            assert_true(len >= 2);
            assert_int_equal((size_t)(text[0] << 8 | text[1]), len - 2);
            text += 2;
            len -= 2;
        }
        if (len == 0) { /* MP4 fills gaps between cues with empty samples */
            av_packet_unref(pkt);
            continue;
        }
        assert_true(p->count < MAX_CUES);
        assert_true(len < sizeof p->payload[0]);
        int i = p->count++;
        memcpy(p->payload[i], text, len);
        p->start_ms[i] = pkt->pts * av_q2d(st->time_base) * 1000;
        p->duration_ms[i] = pkt->duration * av_q2d(st->time_base) * 1000;
        AVSubtitle sub;
        int got = 0;
        assert_true(avcodec_decode_subtitle2(dec, &sub, &got, pkt) >= 0);
        assert_true(got);
        assert_true(sub.num_rects >= 1);
        const char *ass = sub.rects[0]->ass;
        assert_non_null(ass);
        for (int commas = 0; commas < 8 && ass; commas++) ass = strchr(ass, ',') ? strchr(ass, ',') + 1 : NULL;
        assert_non_null(ass);
        snprintf(p->decoded[i], sizeof p->decoded[i], "%s", ass);
        avsubtitle_free(&sub);
        av_packet_unref(pkt);
    }
    av_packet_free(&pkt);
    avcodec_free_context(&dec);
    avformat_close_input(&fmt);
}

/* One non-ASCII with a line break and markup characters, one overlapping
 * it (cutting it short), one running past the end of the 3 s video; a
 * blank one and one after the end are dropped. */
static const reelay_cue test_cues[] = {
    {200, 900, "Click \xE2\x80\x9C" "Buy now\xE2\x80\x9D\r\nthen <wait> & see"},
    {800, 1800, "Typed {42} in C:\\dir"},
    {1900, 2100, " \n\t "},
    {2500, 4000, "Page \"Done\" \xE2\x80\x94 ok"},
    {3500, 3600, "after the end"},
};

static void assert_test_cues(const sub_probe *s, enum AVCodecID id)
{
    assert_int_equal(s->streams, 1);
    assert_int_equal(s->codec_id, id);
    assert_string_equal(s->language, "eng");
    assert_string_equal(s->title, "reelay event log");
    assert_int_equal(s->count, 3);
    static const double start[] = {200, 800, 2500}, duration[] = {600, 1000, 500};
    for (int i = 0; i < 3; i++)
        if (fabs(s->start_ms[i] - start[i]) > 1 || fabs(s->duration_ms[i] - duration[i]) > 1)
            fail_msg("cue %d at %f ms for %f ms, want %f for %f", i, s->start_ms[i], s->duration_ms[i], start[i],
                     duration[i]);
    bool vtt = id == AV_CODEC_ID_WEBVTT;
    assert_string_equal(s->payload[0], vtt ? "Click \xE2\x80\x9C" "Buy now\xE2\x80\x9D\nthen &lt;wait&gt; &amp; see"
                                            : "Click \xE2\x80\x9C" "Buy now\xE2\x80\x9D\nthen <wait> & see");
    assert_string_equal(s->payload[1], "Typed {42} in C:\\dir");
    assert_string_equal(s->payload[2], "Page \"Done\" \xE2\x80\x94 ok");
    /* What a player sees: the decoders give ASS, line breaks as \N. */
    assert_non_null(strstr(s->decoded[0], "Click \xE2\x80\x9C" "Buy now\xE2\x80\x9D\\Nthen <wait> & see"));
    assert_non_null(strstr(s->decoded[1], "Typed "));
    assert_non_null(strstr(s->decoded[1], "42"));
    assert_non_null(strstr(s->decoded[2], "Page \"Done\" \xE2\x80\x94 ok"));
}

static void check_cues(reelay_codec codec, const char *name, enum AVCodecID id)
{
    char path[256], again[256], again_name[64];
    tmp_path(path, sizeof path, name);
    snprintf(again_name, sizeof again_name, "again-%s", name);
    tmp_path(again, sizeof again, again_name);
    reelay_video_options o = options_for(path, codec);
    o.cues = test_cues;
    o.cue_count = sizeof test_cues / sizeof test_cues[0];
    reelay_video_result result;
    encode_file(&o, true, &result);
    assert_int_equal(result.frames, SECONDS * FPS);

    sub_probe s;
    probe_subtitles(path, &s);
    assert_test_cues(&s, id);
    if (id == AV_CODEC_ID_WEBVTT) assert_true(s.in_order); /* Matroska: blocks in the order written */

    /* The video is as without cues. */
    probe p;
    probe_file(path, &p);
    assert_int_equal(p.packets, SECONDS * FPS);
    assert_int_equal(p.frames, SECONDS * FPS);
    if (fabs(p.duration_s - SECONDS) > 0.5 / FPS) fail_msg("duration %f, want %d", p.duration_s, SECONDS);
    for (int f = 0; f < p.frames; f++)
        if (fabs(p.pts_s[f] - (double)f / FPS) > 0.002) fail_msg("frame %d at %f s", f, p.pts_s[f]);
    assert_int_equal(p.chapters, 3);
    probe_free(&p);

    /* Deterministic with cues too. */
    o.path = again;
    encode_file(&o, true, NULL);
    assert_same_bytes(path, again);
}

static void test_cues_webm(void **state)
{
    (void)state;
    check_cues(REELAY_CODEC_VP9, "cues.webm", AV_CODEC_ID_WEBVTT);
}

static void test_cues_mkv(void **state)
{
    (void)state;
    check_cues(REELAY_CODEC_H264, "cues.mkv", AV_CODEC_ID_WEBVTT);
}

static void test_cues_mp4(void **state)
{
    (void)state;
    check_cues(REELAY_CODEC_H264, "cues.mp4", AV_CODEC_ID_MOV_TEXT);
}

/* Without cues there is no subtitle track (MP4's chapter track aside). */
static void test_no_cues_no_track(void **state)
{
    (void)state;
    const char *names[] = {"vp9.webm", "h264.mp4", "av1.mkv"};
    for (int i = 0; i < 3; i++) {
        char path[256];
        tmp_path(path, sizeof path, names[i]);
        if (!exists(path)) continue; /* made by the codec tests */
        sub_probe s;
        probe_subtitles(path, &s);
        assert_int_equal(s.streams, 0);
    }
    char path[256];
    tmp_path(path, sizeof path, "plain.mp4");
    reelay_video_options o = options_for(path, REELAY_CODEC_H264);
    o.cues = test_cues; /* ignored with a count of 0 */
    encode_file(&o, true, NULL);
    sub_probe s;
    probe_subtitles(path, &s);
    assert_int_equal(s.streams, 0);
}

/* A cue longer than the hold is written before the video passes 5 s into
 * it (with 1 s frames the muxer's 10 s queue would otherwise have let video
 * after its start out first), in timestamp order and at its full length; a
 * cue before 0 is cut there, the last one at the end set. Long text is cut
 * to 500 bytes at a character boundary, invalid UTF-8 replaced. */
static void test_cues_long(void **state)
{
    (void)state;
    char path[256];
    tmp_path(path, sizeof path, "cues-long.mkv");
    char long_text[1 + 2 * 300 + 1];
    long_text[0] = (char)0xFF;
    for (int i = 0; i < 300; i++) memcpy(long_text + 1 + 2 * i, "\xC3\xA9", 2); /* é */
    long_text[sizeof long_text - 1] = '\0';
    const reelay_cue cues[] = {
        {-300, 200, "early"},
        {1000, 14000, long_text},
        {14000, 20000, "tail"},
    };
    reelay_video_options o = options_for(path, REELAY_CODEC_VP9);
    o.vfr = true; /* one frame a second */
    o.chapter_count = 0;
    o.cues = cues;
    o.cue_count = 3;
    uint8_t *px = frame_buffer();
    reelay_err err = {0};
    reelay_video *video = open_ok(&o);
    for (int i = 0; i < 15; i++) {
        fill_halves(px, palette[i % SECONDS][0], palette[i % SECONDS][1]);
        assert_int_equal(reelay_video_write(video, px, STRIDE, (int64_t)i * FPS, &err), REELAY_OK);
    }
    reelay_video_set_end(video, 15 * FPS);
    assert_int_equal(reelay_video_finish(video, NULL, &err), REELAY_OK);
    free(px);

    sub_probe s;
    probe_subtitles(path, &s);
    assert_int_equal(s.streams, 1);
    assert_int_equal(s.count, 3);
    assert_true(s.in_order);
    static const double start[] = {0, 1000, 14000}, duration[] = {200, 13000, 1000};
    for (int i = 0; i < 3; i++)
        if (fabs(s.start_ms[i] - start[i]) > 1 || fabs(s.duration_ms[i] - duration[i]) > 1)
            fail_msg("cue %d at %f ms for %f ms, want %f for %f", i, s.start_ms[i], s.duration_ms[i], start[i],
                     duration[i]);
    size_t len = strlen(s.payload[1]);
    assert_int_equal(len, 500);
    assert_memory_equal(s.payload[1], "\xEF\xBF\xBD\xC3\xA9", 5);
    assert_memory_equal(s.payload[1] + 495, "\xC3\xA9\xE2\x80\xA6", 5);
    assert_string_equal(s.payload[2], "tail");
    probe p;
    probe_file(path, &p);
    assert_int_equal(p.frames, 15);
    if (fabs(p.duration_s - 15) > 0.5 / FPS) fail_msg("duration %f, want 15", p.duration_s);
    probe_free(&p);
}

static void test_cues_usage_errors(void **state)
{
    (void)state;
    char path[256];
    reelay_err err = {0};
    reelay_video *video;
    tmp_path(path, sizeof path, "cues.y4m");
    reelay_video_options o = options_for(path, REELAY_CODEC_RAW);
    o.chapter_count = 0;
    o.cues = test_cues;
    o.cue_count = 1;
    assert_int_equal(reelay_video_open(&o, &video, &err), REELAY_E_USAGE);
    assert_non_null(strstr(err.msg, "subtitles need .webm, .mkv or .mp4"));
    assert_null(video);
    assert_false(exists(path));
    assert_false(partial_exists(path));

    tmp_path(path, sizeof path, "bad-cues.webm");
    o = options_for(path, REELAY_CODEC_AUTO);
    const reelay_cue unsorted[] = {{500, 600, "b"}, {100, 200, "a"}};
    o.cues = unsorted;
    o.cue_count = 2;
    assert_int_equal(reelay_video_open(&o, &video, &err), REELAY_E_USAGE);
    assert_non_null(strstr(err.msg, "cue 2"));
    const reelay_cue backwards[] = {{500, 400, "b"}};
    o.cues = backwards;
    o.cue_count = 1;
    assert_int_equal(reelay_video_open(&o, &video, &err), REELAY_E_USAGE);
    const reelay_cue endless[] = {{0, INFINITY, "b"}};
    o.cues = endless;
    assert_int_equal(reelay_video_open(&o, &video, &err), REELAY_E_USAGE);
    o.cues = NULL;
    assert_int_equal(reelay_video_open(&o, &video, &err), REELAY_E_USAGE);
    assert_false(partial_exists(path));
}

int main(void)
{
    /* The test's own process: keep libav's and SVT-AV1's notes out of the
     * test log (the library never changes the global level). */
    av_log_set_level(AV_LOG_ERROR);
    setenv("SVT_LOG", "1", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_codec_names),
        cmocka_unit_test(test_resolve),
        cmocka_unit_test(test_vp9_webm),
        cmocka_unit_test(test_vp8_webm),
        cmocka_unit_test(test_av1_mkv),
        cmocka_unit_test(test_h264_mp4),
        cmocka_unit_test(test_container_matrix),
        cmocka_unit_test(test_repeat_matches_write),
        cmocka_unit_test(test_vp9_repeats_cost_one_byte),
        cmocka_unit_test(test_vp9_repeats_keep_keyframes),
        cmocka_unit_test(test_vfr_webm),
        cmocka_unit_test(test_vfr_mp4),
        cmocka_unit_test(test_vfr_av1),
        cmocka_unit_test(test_cfr_fills_gaps),
        cmocka_unit_test(test_mp4_faststart),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_bt709_limited),
        cmocka_unit_test(test_open_usage_errors),
        cmocka_unit_test(test_unwritable_directory),
        cmocka_unit_test(test_abort_leaves_nothing),
        cmocka_unit_test(test_write_failure),
        cmocka_unit_test(test_misuse),
        cmocka_unit_test(test_cues_webm),
        cmocka_unit_test(test_cues_mkv),
        cmocka_unit_test(test_cues_mp4),
        cmocka_unit_test(test_no_cues_no_track),
        cmocka_unit_test(test_cues_long),
        cmocka_unit_test(test_cues_usage_errors),
    };
    return cmocka_run_group_tests(tests, setup_dir, remove_dir);
}
