#include "encode/video.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavcodec/bsf.h>
#include <libavformat/avformat.h>
#include <libavutil/dict.h>
#include <libavutil/error.h>
#include <libavutil/imgutils.h>
#include <libavutil/mem.h>
#include <libavutil/opt.h>

#include "core/clock.h"
#include "core/atomic_file.h"
#include "encode/vp9_repeat.h"
#include "encode/yuv_convert.h"

/* ------------------------------------------------------- codecs, containers */

static const struct codec_info {
    const char *name;    /* reelay_codec_parse spelling */
    const char *label;   /* for messages */
    const char *encoder; /* libavcodec encoder */
    int default_crf, max_crf;
} codec_info[] = {
    [REELAY_CODEC_AUTO] = {"auto", "auto", NULL, 0, 0},
    [REELAY_CODEC_VP9] = {"vp9", "VP9", "libvpx-vp9", 32, 63},
    [REELAY_CODEC_VP8] = {"vp8", "VP8", "libvpx", 10, 63},
    [REELAY_CODEC_AV1] = {"av1", "AV1", "libsvtav1", 35, 63},
    /* 27 rather than x264's 23: without mbtree (see encoder_options) that
     * gives a little better PSNR than 23 with it, for ~17% more bytes. */
    [REELAY_CODEC_H264] = {"h264", "H.264", "libx264", 27, 51},
    [REELAY_CODEC_RAW] = {"raw", "raw yuv420p", "wrapped_avframe", 0, 63}, /* crf accepted and ignored */
};
#define CODEC_COUNT (sizeof codec_info / sizeof codec_info[0])
#define CODEC_BIT(c) (1u << (c))

static const struct container_info {
    const char *ext;
    const char *label;
    const char *muxer;
    reelay_codec auto_codec;
    unsigned codecs; /* CODEC_BIT set */
} container_info[] = {
    {".webm", "WebM", "webm", REELAY_CODEC_VP9,
     CODEC_BIT(REELAY_CODEC_VP9) | CODEC_BIT(REELAY_CODEC_VP8) | CODEC_BIT(REELAY_CODEC_AV1)},
    {".mkv", "Matroska", "matroska", REELAY_CODEC_VP9,
     CODEC_BIT(REELAY_CODEC_VP9) | CODEC_BIT(REELAY_CODEC_VP8) | CODEC_BIT(REELAY_CODEC_AV1) |
         CODEC_BIT(REELAY_CODEC_H264)},
    {".mp4", "MP4", "mp4", REELAY_CODEC_H264,
     CODEC_BIT(REELAY_CODEC_H264) | CODEC_BIT(REELAY_CODEC_AV1) | CODEC_BIT(REELAY_CODEC_VP9)},
    {".y4m", "YUV4MPEG", "yuv4mpegpipe", REELAY_CODEC_RAW, CODEC_BIT(REELAY_CODEC_RAW)},
};

int reelay_codec_parse(const char *name, reelay_codec *out, reelay_err *err)
{
    for (size_t i = 0; name && i < CODEC_COUNT; i++) {
        if (strcasecmp(name, codec_info[i].name) == 0) {
            *out = (reelay_codec)i;
            return REELAY_OK;
        }
    }
    return reelay_err_set(err, REELAY_E_USAGE, "unknown codec '%s' (expected vp9, vp8, av1, h264 or auto)",
                          name ? name : "");
}

const char *reelay_codec_name(reelay_codec codec)
{
    return (unsigned)codec < CODEC_COUNT ? codec_info[codec].name : "?";
}

/* The container path's extension names, or NULL. */
static const struct container_info *find_container(const char *path)
{
    const char *slash = path ? strrchr(path, '/') : NULL;
    const char *dot = path ? strrchr(slash ? slash + 1 : path, '.') : NULL;
    const struct container_info *found = NULL;
    for (size_t i = 0; dot && i < sizeof container_info / sizeof container_info[0]; i++)
        if (strcasecmp(dot, container_info[i].ext) == 0) found = &container_info[i];
    return found;
}

/* Only Matroska proper carries attachments (WebM, its subset, does not). */
bool reelay_video_takes_attachments(const char *path)
{
    const struct container_info *container = find_container(path);
    return container && strcmp(container->muxer, "matroska") == 0;
}

bool reelay_video_allows_vfr(const char *path)
{
    const struct container_info *container = find_container(path);
    return container && container->auto_codec != REELAY_CODEC_RAW;
}

static int resolve(const char *path, reelay_codec requested, reelay_codec *codec,
                   const struct container_info **container, reelay_err *err)
{
    const struct container_info *found = find_container(path);
    if (!found)
        return reelay_err_set(err, REELAY_E_USAGE, "%s: unknown video container (name it .webm, .mp4, .mkv or .y4m)",
                              path ? path : "(no path)");
    if ((unsigned)requested >= CODEC_COUNT)
        return reelay_err_set(err, REELAY_E_USAGE, "%s: invalid codec %d", path, (int)requested);
    reelay_codec chosen = requested == REELAY_CODEC_AUTO ? found->auto_codec : requested;
    if (!(found->codecs & CODEC_BIT(chosen))) {
        char list[64] = "";
        for (size_t i = 1; i < CODEC_COUNT; i++)
            if (found->codecs & CODEC_BIT(i))
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", list[0] ? ", " : "",
                         codec_info[i].name);
        return reelay_err_set(err, REELAY_E_USAGE, "%s: a %s file cannot hold %s video (it takes %s)", path,
                              found->label, codec_info[chosen].label, list);
    }
    *codec = chosen;
    if (container) *container = found;
    return REELAY_OK;
}

int reelay_video_resolve(const char *path, reelay_codec requested, reelay_codec *codec, reelay_err *err)
{
    return resolve(path, requested, codec, NULL, err);
}

/* ------------------------------------------------------------------ state */

/* At most this many seconds between keyframes, so seeking stays cheap. */
#define KEY_INTERVAL_S 10

/* Subtitle cues, see "subtitles" below. */
#define CUE_MAX_TEXT 500      /* bytes of UTF-8, before format escaping */
#define CUE_HOLD_MS 5000      /* a cue waits at most this long past its start for the video */
#define INTERLEAVE_DELTA_MS 10000 /* > CUE_HOLD_MS: the muxer holds back this much video */

typedef struct cue {
    int64_t start_ms, end_ms; /* end clamped to the next cue's start */
    uint8_t *payload;         /* the packet, already in the track's format */
    size_t size;
} cue;

struct reelay_video {
    reelay_atomic_file file;
    reelay_codec codec;
    AVFormatContext *fmt;
    AVIOContext *pb; /* ours (custom IO onto file.fp); the muxer never closes it */
    AVCodecContext *enc;
    AVStream *stream;
    reelay_yuv_converter *converter;
    AVFrame *frame;   /* the last picture written (a reference), sent again by repeat */
    struct reelay_video_picture *own_picture; /* reelay_video_write converts into it */
    AVPacket *pkt;    /* receive buffer */
    AVBSFContext *strip_sei; /* H.264: drops x264's SEI, which names its thread count */
    AVPacket *held;   /* newest encoded packet: written once the next pts gives its duration */
    bool have_frame, have_held, vfr, failed;
    int width, height, fps;
    int64_t last_pts; /* -1 before the first frame */
    int64_t end_pts;  /* 0 until reelay_video_set_end: last pts + 1 */
    int64_t next_key; /* with time_keys: a keyframe is forced at or after this pts */
    /* Keyframes by time, not by frames sent: VFR, and VP9 whose repeats
     * mostly never reach the encoder. */
    bool time_keys;
    int64_t pending; /* frames sent to the encoder and not yet out as packets */
    int shown_slot;  /* VP9: the reference slot holding the last shown picture, or -1 */
    int64_t elided;  /* VP9 repeats written as show-existing frames */
    int64_t packets;  /* written to the muxer */
    AVStream *sub_stream; /* NULL without cues */
    AVPacket *sub_pkt;
    cue *cues;
    size_t cue_count, next_cue; /* cues before next_cue are written */
};

static int oom(reelay_err *err)
{
    return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
}

static int lav_error(reelay_err *err, int rc, const char *what, const char *name)
{
    return reelay_err_set(err, REELAY_E_INTERNAL, "%s: %s: %s", name, what, av_err2str(rc));
}

/* Muxer failures are I/O errors when our AVIO context saw one (disk full,
 * EIO), library failures otherwise. */
static int mux_error(reelay_video *video, int rc, const char *what, reelay_err *err)
{
    if (video->pb && video->pb->error < 0)
        return reelay_err_set(err, REELAY_E_IO, "%s: cannot write: %s", video->file.final_path,
                              av_err2str(video->pb->error));
    return lav_error(err, rc, what, video->file.final_path);
}

/* ----------------------------------------------------------- custom AVIO */

/* libavformat writes through our FILE so that core/atomic_file keeps the
 * temporary file, fsync and publishing. The FILE is unbuffered (AVIO
 * buffers), so MP4's faststart pass, which reopens the temporary file by
 * its path to read it back, sees every byte written so far. */
#if LIBAVFORMAT_VERSION_MAJOR >= 61
#define AVIO_WRITE_CONST const
#else
#define AVIO_WRITE_CONST
#endif

static int avio_write_file(void *opaque, AVIO_WRITE_CONST uint8_t *buf, int size)
{
    FILE *fp = opaque;
    errno = 0;
    if (fwrite(buf, 1, (size_t)size, fp) != (size_t)size) return AVERROR(errno ? errno : EIO);
    return size;
}

static int64_t avio_seek_file(void *opaque, int64_t offset, int whence)
{
    FILE *fp = opaque;
    if (whence & AVSEEK_SIZE) {
        struct stat st;
        return fstat(fileno(fp), &st) == 0 ? (int64_t)st.st_size : AVERROR(errno);
    }
    if (fseeko(fp, (off_t)offset, whence & ~AVSEEK_FORCE) != 0) return AVERROR(errno);
    return (int64_t)ftello(fp);
}

/* ---------------------------------------------------------------- opening */

static int check_options(const reelay_video_options *o, reelay_codec codec, int max_crf, reelay_err *err)
{
    if (o->width <= 0 || o->height <= 0 || o->width % 2 || o->height % 2)
        return reelay_err_set(err, REELAY_E_USAGE, "%s: video size %dx%d must be positive and even", o->path,
                              o->width, o->height);
    if (o->fps <= 0 || o->fps > 1000)
        return reelay_err_set(err, REELAY_E_USAGE, "%s: frame rate %d is not in 1..1000", o->path, o->fps);
    if (o->crf < -1 || o->crf > max_crf)
        return reelay_err_set(err, REELAY_E_USAGE, "%s: crf %d is not in 0..%d (or -1 for the default)", o->path,
                              o->crf, max_crf);
    if (o->vfr && codec == REELAY_CODEC_RAW)
        return reelay_err_set(err, REELAY_E_USAGE, "%s: .y4m has a constant frame rate; --vfr needs .webm, .mkv or .mp4",
                              o->path);
    if (o->threads < 0 || o->threads > 64)
        return reelay_err_set(err, REELAY_E_USAGE, "%s: thread count %d is not in 0..64", o->path, o->threads);
    if (o->chapter_count && !o->chapters)
        return reelay_err_set(err, REELAY_E_USAGE, "%s: chapter list missing", o->path);
    for (size_t i = 0; i < o->chapter_count; i++) {
        const reelay_chapter *c = &o->chapters[i];
        if (!isfinite(c->start_ms) || !isfinite(c->end_ms) || c->start_ms < 0 || c->end_ms < c->start_ms)
            return reelay_err_set(err, REELAY_E_USAGE, "%s: chapter %zu has a bad time range", o->path, i + 1);
    }
    if (o->cue_count && !o->cues) return reelay_err_set(err, REELAY_E_USAGE, "%s: cue list missing", o->path);
    if (o->cue_count && codec == REELAY_CODEC_RAW)
        return reelay_err_set(err, REELAY_E_USAGE, "%s: subtitles need .webm, .mkv or .mp4", o->path);
    for (size_t i = 0; i < o->cue_count; i++) {
        const reelay_cue *c = &o->cues[i];
        if (!isfinite(c->start_ms) || !isfinite(c->end_ms) || c->end_ms < c->start_ms)
            return reelay_err_set(err, REELAY_E_USAGE, "%s: cue %zu has a bad time range", o->path, i + 1);
        if (i && c->start_ms < o->cues[i - 1].start_ms)
            return reelay_err_set(err, REELAY_E_USAGE, "%s: cue %zu starts before cue %zu", o->path, i + 1, i);
    }
    return REELAY_OK;
}

/* VP9 tiles are at least 256 pixels wide. Derived from the width alone (not
 * the thread count) so the bitstream does not depend on the machine. */
static int vp9_tile_columns(int width)
{
    int log2 = 0;
    while (log2 < 4 && width >> (log2 + 1) >= 256) log2++;
    return log2;
}

static int set_int(AVDictionary **opts, const char *key, long long value)
{
    char text[32];
    snprintf(text, sizeof text, "%lld", value);
    return av_dict_set(opts, key, text, 0);
}

/* Codec-specific settings: everything favours speed, since a session is
 * mostly still screens that cost few bits anyway. */
static int codec_settings(reelay_codec codec, const reelay_video_options *o, int crf, int threads,
                          AVCodecContext *enc, AVDictionary **opts)
{
    int rc = 0;
    switch (codec) {
    case REELAY_CODEC_VP9:
        /* libvpx's row-based multithreading gives the same bytes for any
         * thread count from 2 up, but takes another path with 1: at least
         * 2 makes the output independent of --threads and of the machine.
         * One thread (single_thread) goes without it: measured on the web
         * page view, about 1.5 CPU-s less per 1400 frames (no futex
         * traffic between rows), the same 3-4 ms per frame. */
        if (enc->thread_count < 2 && !o->single_thread) enc->thread_count = 2;
        enc->bit_rate = 0; /* with crf: constant quality, no bitrate target */
        rc |= av_dict_set(opts, "deadline", "realtime", 0);
        rc |= set_int(opts, "cpu-used", 8);
        rc |= set_int(opts, "row-mt", o->single_thread ? 0 : 1);
        /* No lookahead: each frame comes out as soon as it is sent, so a
         * repeat can show it again without encoding (vp9_repeat.h). */
        rc |= set_int(opts, "lag-in-frames", 0);
        rc |= set_int(opts, "tile-columns", vp9_tile_columns(o->width));
        rc |= set_int(opts, "crf", crf);
        break;
    case REELAY_CODEC_VP8:
        /* VP8's constrained quality needs a bitrate ceiling: 0.1 bit per
         * pixel, generous for screen content. */
        enc->bit_rate = (int64_t)o->width * o->height * o->fps / 10;
        /* libvpx's VP8 encoder threads busy-wait for each other: measured
         * 5-30x slower with 2 threads than with 1 on a loaded 2-CPU host. */
        enc->thread_count = 1;
        rc |= av_dict_set(opts, "deadline", "realtime", 0);
        rc |= set_int(opts, "cpu-used", 8);
        rc |= set_int(opts, "crf", crf);
        break;
    case REELAY_CODEC_AV1: {
        char params[32];
        /* The fastest preset and no lookahead: 6x faster than preset 10
         * and a third less memory, for about 15% more bytes (measured on
         * a 10-minute Android session); screen content is easy to code.
         * One thread unless --threads says otherwise: SVT-AV1's memory
         * grows with its threads (207 MiB at 1, 266 MiB at 2 on that
         * session) for little speed (17 s against 15 s); the bytes are
         * the same either way. */
        snprintf(params, sizeof params, "lp=%d:lookahead=0", o->threads ? threads : 1);
        rc |= set_int(opts, "preset", 12);
        rc |= set_int(opts, "crf", crf);
        rc |= av_dict_set(opts, "svtav1-params", params, 0);
        break;
    }
    case REELAY_CODEC_H264:
        /* No B-frames: packets then leave the encoder in presentation
         * order, so each frame's duration is known from the next one (VFR)
         * and MP4 needs no composition offsets or edit list. */
        enc->max_b_frames = 0;
        rc |= av_dict_set(opts, "preset", "veryfast", 0);
        rc |= set_int(opts, "crf", crf);
        /* Three things make x264 decide differently per thread count: the
         * macroblock tree; the vertical motion range a frame thread may
         * search in a reference still being coded (by default a share of
         * the frame height per thread); and, from 6 threads, the lookahead
         * analysing frames in slices. Without the tree, with that range as
         * large as the level allows (what one thread gets) and with one
         * lookahead thread, the coded frames are identical for any --threads
         * (measured: 1, 2, 3, 8, 16 and 64). */
        rc |= av_dict_set(opts, "x264-params", "mbtree=0:mvrange-thread=2048:lookahead-threads=1", 0);
        break;
    case REELAY_CODEC_RAW:
    case REELAY_CODEC_AUTO:
        break;
    }
    return rc < 0 ? AVERROR(ENOMEM) : 0;
}

static int open_encoder(reelay_video *video, const reelay_video_options *o, const AVCodec *codec, reelay_err *err)
{
    const struct codec_info *info = &codec_info[video->codec];
    AVCodecContext *enc = video->enc = avcodec_alloc_context3(codec);
    if (!enc) return oom(err);
    int threads = o->single_thread ? 1 : o->threads ? o->threads : reelay_online_cpus();
    enc->width = o->width;
    enc->height = o->height;
    enc->pix_fmt = AV_PIX_FMT_YUV420P;
    enc->time_base = (AVRational){1, o->fps};
    enc->framerate = (AVRational){o->fps, 1};
    enc->sample_aspect_ratio = (AVRational){1, 1};
    enc->gop_size = o->fps * KEY_INTERVAL_S;
    enc->thread_count = threads;
    enc->color_range = AVCOL_RANGE_MPEG;
    enc->colorspace = AVCOL_SPC_BT709;
    enc->color_primaries = AVCOL_PRI_BT709;
    enc->color_trc = AVCOL_TRC_BT709;
    enc->flags |= AV_CODEC_FLAG_BITEXACT;
    if (video->fmt->oformat->flags & AVFMT_GLOBALHEADER) enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    /* Encoder chatter (x264's CPU list and statistics, libvpx notes) drops
     * below the default log level; errors still show, as info. Per context,
     * so the process's av_log level is left alone. */
    enc->log_level_offset = AV_LOG_VERBOSE - AV_LOG_WARNING;

    AVDictionary *opts = NULL;
    int crf = o->crf >= 0 ? o->crf : info->default_crf;
    if (o->crf_raise > 0) crf = crf + o->crf_raise < info->max_crf ? crf + o->crf_raise : info->max_crf;
    int rc = codec_settings(video->codec, o, crf, threads, enc, &opts);
    if (rc >= 0) rc = avcodec_open2(enc, codec, &opts);
    const AVDictionaryEntry *unused = av_dict_get(opts, "", NULL, AV_DICT_IGNORE_SUFFIX);
    char key[64];
    snprintf(key, sizeof key, "%s", unused ? unused->key : "");
    av_dict_free(&opts);
    if (rc < 0) return lav_error(err, rc, "cannot open encoder", info->encoder);
    if (key[0])
        return reelay_err_set(err, REELAY_E_INTERNAL, "%s: encoder does not know option '%s'", info->encoder, key);
    return REELAY_OK;
}

/* x264 puts an SEI with its version and options, thread count included,
 * into the first packet. Dropping SEI units (x264 writes no other kind with
 * our settings: no B-frames, closed GOPs) makes H.264 files byte-identical
 * for any --threads. FFmpeg's filter_units works 1:1, packet by packet. */
static int open_sei_filter(reelay_video *video, reelay_err *err)
{
    const AVBitStreamFilter *filter = av_bsf_get_by_name("filter_units");
    if (!filter) return reelay_err_set(err, REELAY_E_INTERNAL, "libavcodec lacks the filter_units bitstream filter");
    int rc = av_bsf_alloc(filter, &video->strip_sei);
    if (rc >= 0) rc = avcodec_parameters_from_context(video->strip_sei->par_in, video->enc);
    if (rc >= 0) {
        video->strip_sei->time_base_in = video->enc->time_base;
        rc = av_opt_set(video->strip_sei->priv_data, "remove_types", "6", 0); /* 6: SEI */
    }
    if (rc >= 0) rc = av_bsf_init(video->strip_sei);
    return rc < 0 ? lav_error(err, rc, "cannot set up", "filter_units") : REELAY_OK;
}

static int add_tag(AVDictionary **dict, const char *key, const char *value)
{
    return value && *value ? av_dict_set(dict, key, value, 0) : 0;
}

static int add_metadata(AVFormatContext *fmt, const reelay_video_options *o)
{
    int rc = 0;
    rc |= add_tag(&fmt->metadata, "title", o->title);
    rc |= add_tag(&fmt->metadata, "session_id", o->session_id);
    rc |= add_tag(&fmt->metadata, "user", o->user);
    rc |= add_tag(&fmt->metadata, "start_time", o->start_time);
    rc |= add_tag(&fmt->metadata, "source", o->source);
    rc |= add_tag(&fmt->metadata, "comment", o->comment);
    if (rc < 0) return rc;
    if (!o->chapter_count) return 0;
    /* libavformat has no public constructor for chapters; the array and its
     * entries are av_malloc'd so avformat_free_context releases them. */
    fmt->chapters = av_calloc(o->chapter_count, sizeof *fmt->chapters);
    if (!fmt->chapters) return AVERROR(ENOMEM);
    for (size_t i = 0; i < o->chapter_count; i++) {
        AVChapter *ch = av_mallocz(sizeof *ch);
        if (!ch) return AVERROR(ENOMEM);
        fmt->chapters[fmt->nb_chapters++] = ch;
        ch->id = (int64_t)i + 1; /* Matroska chapter UIDs must not be 0 */
        ch->time_base = (AVRational){1, 1000};
        ch->start = llround(o->chapters[i].start_ms);
        ch->end = llround(o->chapters[i].end_ms);
        if (add_tag(&ch->metadata, "title", o->chapters[i].title) < 0) return AVERROR(ENOMEM);
    }
    return 0;
}

static int open_muxer(reelay_video *video, const reelay_video_options *o, const struct container_info *container,
                      reelay_err *err)
{
    const char *path = video->file.final_path;
    /* "file:" keeps a colon in the name from reading as a protocol when the
     * MP4 muxer reopens the partial file for its faststart pass. */
    size_t url_len = strlen(video->file.partial_path) + sizeof "file:";
    char *url = malloc(url_len);
    if (!url) return oom(err);
    snprintf(url, url_len, "file:%s", video->file.partial_path);
    int rc = avformat_alloc_output_context2(&video->fmt, NULL, container->muxer, url);
    free(url);
    if (rc < 0) return lav_error(err, rc, "cannot set up the muxer", path);
    /* No clock time, library versions or random UIDs in the file. */
    video->fmt->flags |= AVFMT_FLAG_BITEXACT | AVFMT_FLAG_CUSTOM_IO;

    const int buffer_size = 1 << 16;
    uint8_t *buffer = av_malloc(buffer_size);
    if (!buffer) return oom(err);
    video->pb = avio_alloc_context(buffer, buffer_size, 1, video->file.fp, NULL, avio_write_file, avio_seek_file);
    if (!video->pb) {
        av_free(buffer);
        return oom(err);
    }
    video->fmt->pb = video->pb;
    if (add_metadata(video->fmt, o) < 0) return oom(err);
    return REELAY_OK;
}

/* -------------------------------------------------------------- subtitles */

/* Cue packets are written directly rather than through libavcodec's webvtt
 * and mov_text encoders: those take ASS dialogue, whose override blocks
 * ({...}) and backslash codes have no reliable escape for literal text, and
 * the WebVTT encoder copies text through without escaping '<' and '&'.
 * Both payloads are simple: a Matroska WebVTT block is the cue text itself
 * (WebVTT escapes, no blank lines), a 3GPP timed text sample is a 16-bit
 * big-endian byte count and the UTF-8 text (no style boxes needed).
 *
 * Timing: one cue shows at a time (3GPP samples cannot overlap), so each
 * ends where the next starts. A cue is handed to the muxer once the video
 * has passed its end, so a cue past the video's end can still be cut at
 * finish; but no later than CUE_HOLD_MS after its start, so the muxer's
 * interleaving queue, which keeps INTERLEAVE_DELTA_MS of video while the
 * subtitle stream has nothing queued, still holds every video packet after
 * the cue's start and writes the file in timestamp order. */

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid. */
static size_t utf8_length(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) len = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0) lo = 0xA0; /* overlong */
        if (c == 0xED) hi = 0x9F; /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0) lo = 0x90; /* overlong */
        if (c == 0xF4) hi = 0x8F; /* past U+10FFFF */
    } else
        return 0;
    if (n < len || s[1] < lo || s[1] > hi) return 0;
    for (size_t i = 2; i < len; i++)
        if ((s[i] & 0xC0) != 0x80) return 0;
    return len;
}

/* Valid UTF-8 with single '\n' line breaks, no other control characters,
 * no blank lines (they end a WebVTT cue), trimmed, at most CUE_MAX_TEXT
 * bytes. out holds 3 * strlen(text) + 4 bytes; returns the length. */
static size_t clean_text(const char *text, char *out)
{
    static const char replacement[] = "\xEF\xBF\xBD", ellipsis[] = "\xE2\x80\xA6";
    const unsigned char *s = (const unsigned char *)text;
    size_t n = strlen(text), len = 0;
    for (size_t i = 0; i < n;) {
        size_t step = utf8_length(s + i, n - i);
        if (step == 0) {
            memcpy(out + len, replacement, 3);
            len += 3;
            i++;
            continue;
        }
        unsigned char c = s[i];
        if (c == '\r' || c == '\n') {
            if (len && out[len - 1] != '\n') {
                while (len && out[len - 1] == ' ') len--; /* no trailing spaces on a line */
                out[len++] = '\n';
            }
        } else if (c < 0x20 || c == 0x7F) {
            if (len && out[len - 1] != ' ' && out[len - 1] != '\n') out[len++] = ' ';
        } else if (c != ' ' || (len && out[len - 1] != '\n')) {
            memcpy(out + len, s + i, step);
            len += step;
        }
        i += step;
    }
    while (len && (out[len - 1] == '\n' || out[len - 1] == ' ')) len--;
    if (len > CUE_MAX_TEXT) {
        len = CUE_MAX_TEXT - 3;
        while (len && ((unsigned char)out[len] & 0xC0) == 0x80) len--; /* a character boundary */
        while (len && (out[len - 1] == '\n' || out[len - 1] == ' ')) len--;
        memcpy(out + len, ellipsis, 3);
        len += 3;
    }
    out[len] = '\0';
    return len;
}

/* The cue's packet for the track's codec. */
static int cue_payload(enum AVCodecID id, const char *text, size_t len, cue *c)
{
    if (id == AV_CODEC_ID_MOV_TEXT) {
        c->size = 2 + len;
        if (!(c->payload = malloc(c->size))) return AVERROR(ENOMEM);
        c->payload[0] = (uint8_t)(len >> 8);
        c->payload[1] = (uint8_t)len;
        memcpy(c->payload + 2, text, len);
        return 0;
    }
    size_t size = 0;
    for (size_t i = 0; i < len; i++) size += text[i] == '&' ? 5 : text[i] == '<' || text[i] == '>' ? 4 : 1;
    if (!(c->payload = malloc(size))) return AVERROR(ENOMEM);
    uint8_t *p = c->payload;
    for (size_t i = 0; i < len; i++) {
        const char *escape = text[i] == '&' ? "&amp;" : text[i] == '<' ? "&lt;" : text[i] == '>' ? "&gt;" : NULL;
        size_t n = escape ? strlen(escape) : 1;
        memcpy(p, escape ? escape : &text[i], n);
        p += n;
    }
    c->size = size;
    return 0;
}

/* Copies the options' cues as packets, dropping blank ones and clamping
 * each to the next start (after the drops, so no gap opens). */
static int copy_cues(reelay_video *video, const reelay_video_options *o, enum AVCodecID id)
{
    video->cues = calloc(o->cue_count, sizeof *video->cues);
    if (!video->cues) return AVERROR(ENOMEM);
    size_t longest = 0;
    for (size_t i = 0; i < o->cue_count; i++)
        if (o->cues[i].text && strlen(o->cues[i].text) > longest) longest = strlen(o->cues[i].text);
    char *text = malloc(3 * longest + 4);
    if (!text) return AVERROR(ENOMEM);
    for (size_t i = 0; i < o->cue_count; i++) {
        const reelay_cue *in = &o->cues[i];
        size_t len = in->text ? clean_text(in->text, text) : 0;
        if (!len) continue;
        cue *c = &video->cues[video->cue_count];
        /* Bounded so llround stays defined (1e15 ms is 31,000 years). */
        c->start_ms = llround(fmin(fmax(in->start_ms, 0), 1e15));
        c->end_ms = llround(fmin(fmax(in->end_ms, 0), 1e15));
        if (cue_payload(id, text, len, c) < 0) {
            free(text);
            return AVERROR(ENOMEM);
        }
        video->cue_count++;
    }
    free(text);
    size_t count = video->cue_count, kept = 0;
    for (size_t i = 0; i < count; i++) {
        cue c = video->cues[i];
        if (i + 1 < count && video->cues[i + 1].start_ms < c.end_ms) c.end_ms = video->cues[i + 1].start_ms;
        if (c.end_ms > c.start_ms) video->cues[kept++] = c;
        else free(c.payload);
    }
    video->cue_count = kept;
    return 0;
}

/* 3GPP TS 26.245 TextSampleEntry after the SampleEntry header: no display
 * flags, centred at the bottom, transparent background, default box, one
 * style (font 1, 18 px, opaque white) and a font table naming font 1. */
static const uint8_t tx3g_description[] = {
    0, 0, 0, 0,                                          /* displayFlags */
    0x01, 0xFF,                                          /* horizontal centre, vertical bottom */
    0, 0, 0, 0,                                          /* background RGBA */
    0, 0, 0, 0, 0, 0, 0, 0,                              /* BoxRecord */
    0, 0, 0, 0, 0, 1, 0, 0x12, 0xFF, 0xFF, 0xFF, 0xFF,   /* StyleRecord */
    0, 0, 0, 0x12, 'f', 't', 'a', 'b', 0, 1,             /* FontTableBox, one entry */
    0, 1, 5, 'S', 'e', 'r', 'i', 'f',                    /* FontRecord */
};

static int open_subtitles(reelay_video *video, const reelay_video_options *o, reelay_err *err)
{
    bool mp4 = strcmp(video->fmt->oformat->name, "mp4") == 0;
    enum AVCodecID id = mp4 ? AV_CODEC_ID_MOV_TEXT : AV_CODEC_ID_WEBVTT;
    if (copy_cues(video, o, id) < 0 || !(video->sub_pkt = av_packet_alloc())) return oom(err);
    AVStream *st = video->sub_stream = avformat_new_stream(video->fmt, NULL);
    if (!st) return oom(err);
    st->codecpar->codec_type = AVMEDIA_TYPE_SUBTITLE;
    st->codecpar->codec_id = id;
    st->time_base = (AVRational){1, 1000};
    if (mp4) {
        /* The text area is the whole picture. */
        st->codecpar->width = o->width;
        st->codecpar->height = o->height;
        st->codecpar->extradata = av_mallocz(sizeof tx3g_description + AV_INPUT_BUFFER_PADDING_SIZE);
        if (!st->codecpar->extradata) return oom(err);
        memcpy(st->codecpar->extradata, tx3g_description, sizeof tx3g_description);
        st->codecpar->extradata_size = (int)sizeof tx3g_description;
    }
    /* MP4 keeps no track title; players show the handler name instead. */
    if (av_dict_set(&st->metadata, "language", "eng", 0) < 0 ||
        av_dict_set(&st->metadata, mp4 ? "handler_name" : "title", "reelay event log", 0) < 0)
        return oom(err);
    video->fmt->max_interleave_delta = (int64_t)INTERLEAVE_DELTA_MS * 1000; /* microseconds */
    return REELAY_OK;
}

/* The end of the video in ms, or INT64_MAX while unknown. */
static int64_t end_ms(const reelay_video *video)
{
    return video->end_pts ? av_rescale(video->end_pts, 1000, video->fps) : INT64_MAX;
}

/* Writes the next cue, cut at `until` ms (dropped when nothing is left). */
static int write_cue(reelay_video *video, int64_t until, reelay_err *err)
{
    const cue *c = &video->cues[video->next_cue++];
    AVRational ms = {1, 1000}, tb = video->sub_stream->time_base;
    int64_t start = av_rescale_q(c->start_ms, ms, tb);
    int64_t end = av_rescale_q(c->end_ms < until ? c->end_ms : until, ms, tb);
    if (end <= start) return REELAY_OK;
    AVPacket *pkt = video->sub_pkt;
    if (av_new_packet(pkt, (int)c->size) < 0) return oom(err);
    memcpy(pkt->data, c->payload, c->size);
    pkt->pts = pkt->dts = start;
    pkt->duration = end - start;
    pkt->flags |= AV_PKT_FLAG_KEY;
    pkt->stream_index = video->sub_stream->index;
    int rc = av_interleaved_write_frame(video->fmt, pkt); /* takes the reference */
    if (rc < 0) return mux_error(video, rc, "cannot write a subtitle", err);
    return REELAY_OK;
}

/* Before a video packet at pts: the cues that cannot wait any longer. */
static int write_due_cues(reelay_video *video, int64_t pts, reelay_err *err)
{
    AVRational ms = {1, 1000};
    while (video->next_cue < video->cue_count &&
           av_compare_ts(video->cues[video->next_cue].start_ms + CUE_HOLD_MS, ms, pts, video->enc->time_base) < 0) {
        int rc = write_cue(video, end_ms(video), err);
        if (rc != REELAY_OK) return rc;
    }
    return REELAY_OK;
}

/* The video lasts at least until `until` (pts): the cues ending by then. */
static int write_ended_cues(reelay_video *video, int64_t until, reelay_err *err)
{
    AVRational ms = {1, 1000};
    while (video->next_cue < video->cue_count &&
           av_compare_ts(video->cues[video->next_cue].end_ms, ms, until, video->enc->time_base) <= 0) {
        int rc = write_cue(video, INT64_MAX, err);
        if (rc != REELAY_OK) return rc;
    }
    return REELAY_OK;
}

/* Matroska attachments: streams whose extradata is the file, named and
 * typed by their tags; the muxer writes them with the header. */
static int add_attachments(reelay_video *video, const reelay_video_options *o, reelay_err *err)
{
    if (o->attachment_count && !reelay_video_takes_attachments(o->path))
        return reelay_err_set(err, REELAY_E_USAGE, "%s: only a .mkv file can carry attachments",
                              video->file.final_path);
    for (size_t i = 0; i < o->attachment_count; i++) {
        const reelay_attachment *a = &o->attachments[i];
        if (a->size == 0 || a->size > INT_MAX - AV_INPUT_BUFFER_PADDING_SIZE)
            return reelay_err_set(err, REELAY_E_USAGE, "%s: attachment %s of %zu bytes cannot be stored",
                                  video->file.final_path, a->filename, a->size);
        AVStream *st = avformat_new_stream(video->fmt, NULL);
        if (!st) return oom(err);
        st->codecpar->codec_type = AVMEDIA_TYPE_ATTACHMENT;
        st->codecpar->codec_id = AV_CODEC_ID_NONE;
        st->codecpar->extradata = av_mallocz(a->size + AV_INPUT_BUFFER_PADDING_SIZE);
        if (!st->codecpar->extradata) return oom(err);
        memcpy(st->codecpar->extradata, a->data, a->size);
        st->codecpar->extradata_size = (int)a->size;
        if (av_dict_set(&st->metadata, "filename", a->filename, 0) < 0 ||
            av_dict_set(&st->metadata, "mimetype", a->mime_type, 0) < 0 ||
            (a->title && av_dict_set(&st->metadata, "title", a->title, 0) < 0))
            return oom(err);
    }
    return REELAY_OK;
}

static int open_stream(reelay_video *video, const reelay_video_options *o, reelay_err *err)
{
    const char *path = video->file.final_path;
    AVStream *st = video->stream = avformat_new_stream(video->fmt, NULL);
    if (!st) return oom(err);
    int rc = avcodec_parameters_from_context(st->codecpar, video->enc);
    if (rc < 0) return lav_error(err, rc, "cannot set up the stream", path);
    st->time_base = video->enc->time_base; /* a hint: Matroska uses ms, MP4 picks a timescale */
    st->avg_frame_rate = (AVRational){o->fps, 1};
    if (o->cue_count) {
        rc = open_subtitles(video, o, err);
        if (rc != REELAY_OK) return rc;
    }
    rc = add_attachments(video, o, err);
    if (rc != REELAY_OK) return rc;

    AVDictionary *opts = NULL;
    if (strcmp(video->fmt->oformat->name, "mp4") == 0) {
        /* moov before mdat so players start before the whole file arrives;
         * mdta keys so session_id and the other tags survive (the classic
         * iTunes list only knows a fixed set). */
        if (av_dict_set(&opts, "movflags", "+faststart+use_metadata_tags", 0) < 0) return oom(err);
    }
    rc = avformat_write_header(video->fmt, &opts);
    const AVDictionaryEntry *unused = av_dict_get(opts, "", NULL, AV_DICT_IGNORE_SUFFIX);
    char key[64];
    snprintf(key, sizeof key, "%s", unused ? unused->key : "");
    av_dict_free(&opts);
    if (rc < 0) return mux_error(video, rc, "cannot write the header", err);
    if (key[0]) return reelay_err_set(err, REELAY_E_INTERNAL, "%s: muxer does not know option '%s'", path, key);
    return REELAY_OK;
}

static int open_converter(reelay_video *video, reelay_err *err)
{
    int w = video->width, h = video->height;
    int rc = reelay_yuv_converter_new(w, h, &video->converter, err);
    if (rc != REELAY_OK) return rc;
    video->frame = av_frame_alloc();
    video->pkt = av_packet_alloc();
    video->held = av_packet_alloc();
    if (!video->frame || !video->pkt || !video->held) return oom(err);
    video->frame->format = AV_PIX_FMT_YUV420P;
    video->frame->width = w;
    video->frame->height = h;
    video->frame->color_range = AVCOL_RANGE_MPEG;
    video->frame->colorspace = AVCOL_SPC_BT709;
    video->frame->color_primaries = AVCOL_PRI_BT709;
    video->frame->color_trc = AVCOL_TRC_BT709;
    video->own_picture = reelay_video_picture_new(video);
    return video->own_picture ? REELAY_OK : oom(err);
}

int reelay_video_open(const reelay_video_options *options, reelay_video **out, reelay_err *err)
{
    *out = NULL;
    if (!options) return reelay_err_set(err, REELAY_E_INTERNAL, "no video options");
    reelay_codec codec;
    const struct container_info *container;
    int rc = resolve(options->path, options->codec, &codec, &container, err);
    if (rc != REELAY_OK) return rc;
    rc = check_options(options, codec, codec_info[codec].max_crf, err);
    if (rc != REELAY_OK) return rc;
    const AVCodec *encoder = avcodec_find_encoder_by_name(codec_info[codec].encoder);
    if (!encoder)
        return reelay_err_set(err, REELAY_E_INTERNAL, "%s encoder %s is not available in this libavcodec",
                              codec_info[codec].label, codec_info[codec].encoder);

    reelay_video *video = calloc(1, sizeof *video);
    if (!video) return oom(err);
    video->codec = codec;
    video->vfr = options->vfr;
    video->time_keys = options->vfr || codec == REELAY_CODEC_VP9;
    video->shown_slot = -1;
    video->width = options->width;
    video->height = options->height;
    video->fps = options->fps;
    video->last_pts = -1;
    rc = reelay_atomic_begin_with(&video->file, options->path, options->write, err);
    if (rc == REELAY_OK && setvbuf(video->file.fp, NULL, _IONBF, 0) != 0)
        rc = reelay_err_set(err, REELAY_E_IO, "%s: cannot set up writing", video->file.final_path);
    if (rc == REELAY_OK) rc = open_muxer(video, options, container, err);
    if (rc == REELAY_OK) rc = open_encoder(video, options, encoder, err);
    if (rc == REELAY_OK && video->codec == REELAY_CODEC_H264) rc = open_sei_filter(video, err);
    if (rc == REELAY_OK) rc = open_stream(video, options, err);
    if (rc == REELAY_OK) rc = open_converter(video, err);
    if (rc != REELAY_OK) {
        reelay_video_abort(video);
        return rc;
    }
    *out = video;
    return REELAY_OK;
}

/* --------------------------------------------------------------- encoding */

/* Writes the held packet, lasting until `until` (encoder time base). */
static int write_held(reelay_video *video, int64_t until, reelay_err *err)
{
    AVPacket *pkt = video->held;
    int rc = write_due_cues(video, pkt->pts, err);
    if (rc != REELAY_OK) return rc;
    pkt->duration = until - pkt->pts;
    pkt->stream_index = video->stream->index;
    av_packet_rescale_ts(pkt, video->enc->time_base, video->stream->time_base);
    video->have_held = false;
    rc = av_interleaved_write_frame(video->fmt, pkt); /* takes the reference */
    if (rc < 0) return mux_error(video, rc, "cannot write a packet", err);
    video->packets++;
    return write_ended_cues(video, until, err);
}

/* Holds video->pkt (taking its reference), writing the one held before it. */
static int take_packet(reelay_video *video, reelay_err *err)
{
    if (video->have_held) {
        if (video->pkt->pts <= video->held->pts) {
            av_packet_unref(video->pkt);
            return reelay_err_set(err, REELAY_E_INTERNAL, "%s: packets out of presentation order",
                                  codec_info[video->codec].encoder);
        }
        int rc = write_held(video, video->pkt->pts, err);
        if (rc != REELAY_OK) {
            av_packet_unref(video->pkt);
            return rc;
        }
    }
    av_packet_move_ref(video->held, video->pkt);
    video->have_held = true;
    return REELAY_OK;
}

/* Filters video->pkt in place; *kept is false when nothing of it is left. */
static int strip_sei(reelay_video *video, bool *kept, reelay_err *err)
{
    *kept = true;
    if (!video->strip_sei) return REELAY_OK;
    int rc = av_bsf_send_packet(video->strip_sei, video->pkt); /* takes the reference */
    if (rc >= 0) rc = av_bsf_receive_packet(video->strip_sei, video->pkt);
    if (rc == AVERROR(EAGAIN)) {
        *kept = false;
        return REELAY_OK;
    }
    return rc < 0 ? lav_error(err, rc, "cannot filter a packet", "filter_units") : REELAY_OK;
}

/* Moves every packet the encoder has ready to the muxer, one behind. */
static int drain(reelay_video *video, reelay_err *err)
{
    for (;;) {
        int rc = avcodec_receive_packet(video->enc, video->pkt);
        if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) return REELAY_OK;
        if (rc < 0) return lav_error(err, rc, "cannot encode", codec_info[video->codec].encoder);
        if (video->pending > 0) video->pending--;
        bool kept = true;
        if (strip_sei(video, &kept, err) != REELAY_OK) return err->code;
        if (!kept) continue;
        if (video->codec == REELAY_CODEC_VP9)
            video->shown_slot = reelay_vp9_shown_slot(video->pkt->data, (size_t)video->pkt->size);
        rc = take_packet(video, err);
        if (rc != REELAY_OK) return rc;
    }
}

/* Sends the current picture at pts. */
static int encode(reelay_video *video, int64_t pts, reelay_err *err)
{
    video->frame->pts = pts;
    /* gop_size counts frames sent; with VFR they may be minutes apart, so
     * keyframes are also forced by time to keep seeking cheap. */
    bool key = video->time_keys && pts >= video->next_key;
    if (key) video->next_key = pts + (int64_t)video->fps * KEY_INTERVAL_S;
    video->frame->pict_type = key ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE;
    int rc = avcodec_send_frame(video->enc, video->frame);
    if (rc < 0) return lav_error(err, rc, "cannot encode", codec_info[video->codec].encoder);
    video->pending++;
    video->last_pts = pts;
    return drain(video, err);
}

/* Shows the current picture again at pts: a one-byte show-existing frame
 * when VP9 allows it (everything sent has come out, the last packet was a
 * shown frame kept in a slot, no keyframe due), else a real encode. */
static int repeat_picture(reelay_video *video, int64_t pts, reelay_err *err)
{
    if (video->codec != REELAY_CODEC_VP9 || video->pending > 0 || video->shown_slot < 0 || pts >= video->next_key)
        return encode(video, pts, err);
    if (av_new_packet(video->pkt, 1) < 0) return oom(err);
    video->pkt->data[0] = reelay_vp9_show_existing(video->shown_slot);
    video->pkt->pts = video->pkt->dts = pts;
    video->last_pts = pts;
    video->elided++;
    return take_packet(video, err);
}

/* Before the frame at pts: at a constant frame rate, every pts up to (not
 * including) pts gets a frame, the previous one repeated. At a variable
 * one, only the keyframe times in the gap do (a still stretch then holds a
 * keyframe every KEY_INTERVAL_S, so a seek into it decodes little). */
static int fill_gap(reelay_video *video, int64_t pts, reelay_err *err)
{
    if (!video->have_frame) return REELAY_OK;
    if (video->vfr) {
        while (video->next_key > video->last_pts && video->next_key < pts) {
            int rc = encode(video, video->next_key, err);
            if (rc != REELAY_OK) return rc;
        }
        return REELAY_OK;
    }
    for (int64_t p = video->last_pts + 1; p < pts; p++) {
        int rc = repeat_picture(video, p, err);
        if (rc != REELAY_OK) return rc;
    }
    return REELAY_OK;
}

static int check_pts(const reelay_video *video, int64_t pts, reelay_err *err)
{
    const char *path = video->file.final_path;
    if (video->failed) return reelay_err_set(err, REELAY_E_INTERNAL, "%s: an earlier frame failed", path);
    if (pts < 0 || pts <= video->last_pts)
        return reelay_err_set(err, REELAY_E_INTERNAL, "%s: frame pts %lld is not after %lld", path, (long long)pts,
                              (long long)video->last_pts);
    if (video->end_pts && pts >= video->end_pts)
        return reelay_err_set(err, REELAY_E_INTERNAL, "%s: frame pts %lld is past the end %lld", path,
                              (long long)pts, (long long)video->end_pts);
    return REELAY_OK;
}

struct reelay_video_picture {
    AVFrame *frame; /* yuv420p of the video's size */
};

reelay_video_picture *reelay_video_picture_new(const reelay_video *video)
{
    if (!video) return NULL;
    reelay_video_picture *picture = calloc(1, sizeof *picture);
    if (!picture) return NULL;
    picture->frame = av_frame_alloc();
    if (!picture->frame || av_frame_copy_props(picture->frame, video->frame) < 0) {
        reelay_video_picture_free(picture);
        return NULL;
    }
    picture->frame->format = video->frame->format;
    picture->frame->width = video->width;
    picture->frame->height = video->height;
    if (av_frame_get_buffer(picture->frame, 0) < 0) {
        reelay_video_picture_free(picture);
        return NULL;
    }
    return picture;
}

void reelay_video_picture_free(reelay_video_picture *picture)
{
    if (!picture) return;
    av_frame_free(&picture->frame);
    free(picture);
}

/* picture's frame, writable: fresh buffers when the encoder, or the
 * video's last picture, may still share its own (nothing is copied: the
 * caller fills every byte). */
static int make_writable(reelay_video_picture *picture)
{
    AVFrame *frame = picture->frame;
    if (av_frame_is_writable(frame)) return 0;
    AVFrame *fresh = av_frame_alloc();
    if (!fresh) return AVERROR(ENOMEM);
    fresh->format = frame->format;
    fresh->width = frame->width;
    fresh->height = frame->height;
    int rc = av_frame_get_buffer(fresh, 0);
    if (rc >= 0) rc = av_frame_copy_props(fresh, frame);
    if (rc >= 0) {
        av_frame_unref(frame);
        av_frame_move_ref(frame, fresh);
    }
    av_frame_free(&fresh);
    return rc;
}

/* The checks both conversions make, then picture made writable. */
static int ready_to_convert(reelay_video *video, const uint8_t *bgra, int stride, reelay_video_picture *picture,
                            reelay_err *err)
{
    if (!video || !bgra || !picture) return reelay_err_set(err, REELAY_E_INTERNAL, "no video, frame or picture");
    if (stride < video->width * 4)
        return reelay_err_set(err, REELAY_E_INTERNAL, "%s: stride %d is too small for width %d",
                              video->file.final_path, stride, video->width);
    return make_writable(picture) < 0 ? oom(err) : REELAY_OK;
}

int reelay_video_convert(reelay_video *video, const uint8_t *bgra, int stride, reelay_video_picture *picture,
                         reelay_err *err)
{
    if (ready_to_convert(video, bgra, stride, picture, err) != REELAY_OK) return err->code;
    return reelay_yuv_convert(video->converter, bgra, stride, picture->frame->data, picture->frame->linesize, err);
}

int reelay_video_convert_changed(reelay_video *video, const uint8_t *bgra, const uint8_t *previous_bgra, int stride,
                                 const reelay_video_picture *previous, reelay_video_picture *picture,
                                 int *rows_converted, reelay_err *err)
{
    if (!previous || !previous_bgra || previous == picture || previous_bgra == bgra) {
        if (rows_converted) *rows_converted = video ? video->height : 0;
        return reelay_video_convert(video, bgra, stride, picture, err);
    }
    if (ready_to_convert(video, bgra, stride, picture, err) != REELAY_OK) return err->code;
    AVFrame *to = picture->frame;
    const AVFrame *from = previous->frame;
    av_image_copy(to->data, to->linesize, (const uint8_t **)from->data, from->linesize, AV_PIX_FMT_YUV420P,
                  video->width, video->height);
    return reelay_yuv_convert_changed(video->converter, bgra, previous_bgra, stride, to->data, to->linesize,
                                      rows_converted, err);
}

int reelay_video_write_picture(reelay_video *video, const reelay_video_picture *picture, int64_t pts,
                               reelay_err *err)
{
    if (!video || !picture) return reelay_err_set(err, REELAY_E_INTERNAL, "no video or no picture");
    int rc = check_pts(video, pts, err);
    if (rc != REELAY_OK) return rc;
    rc = fill_gap(video, pts, err);
    if (rc == REELAY_OK) {
        /* The video keeps a reference: repeats send it again. */
        av_frame_unref(video->frame);
        if (av_frame_ref(video->frame, picture->frame) < 0) rc = oom(err);
    }
    if (rc == REELAY_OK) {
        video->have_frame = true;
        rc = encode(video, pts, err);
    }
    /* A half-sent frame leaves the stream in an unknown state. */
    if (rc != REELAY_OK) video->failed = true;
    return rc;
}

int reelay_video_write(reelay_video *video, const uint8_t *bgra, int stride, int64_t pts, reelay_err *err)
{
    if (!video) return reelay_err_set(err, REELAY_E_INTERNAL, "no video");
    int rc = check_pts(video, pts, err);
    /* A refused conversion has not touched the stream. */
    if (rc == REELAY_OK) rc = reelay_video_convert(video, bgra, stride, video->own_picture, err);
    if (rc == REELAY_OK) rc = reelay_video_write_picture(video, video->own_picture, pts, err);
    return rc;
}

int reelay_video_repeat(reelay_video *video, int64_t pts, reelay_err *err)
{
    if (!video) return reelay_err_set(err, REELAY_E_INTERNAL, "no video");
    if (!video->have_frame)
        return reelay_err_set(err, REELAY_E_INTERNAL, "%s: repeat before the first frame", video->file.final_path);
    int rc = check_pts(video, pts, err);
    if (rc != REELAY_OK) return rc;
    rc = fill_gap(video, pts, err);
    if (rc == REELAY_OK) rc = video->vfr ? encode(video, pts, err) : repeat_picture(video, pts, err);
    /* A half-sent frame leaves the stream in an unknown state. */
    if (rc != REELAY_OK) video->failed = true;
    return rc;
}

void reelay_video_set_end(reelay_video *video, int64_t end_pts)
{
    if (video) video->end_pts = end_pts;
}

/* ------------------------------------------------------------- finishing */

static int finish_stream(reelay_video *video, int64_t end, reelay_err *err)
{
    int rc = fill_gap(video, end, err);
    if (rc != REELAY_OK) return rc;
    int lrc = avcodec_send_frame(video->enc, NULL); /* drain the encoder */
    if (lrc < 0) return lav_error(err, lrc, "cannot flush", codec_info[video->codec].encoder);
    rc = drain(video, err);
    if (rc == REELAY_OK && video->have_held) rc = write_held(video, end, err);
    /* The rest start before the end (or are dropped), cut there. */
    int64_t until = av_rescale(end, 1000, video->fps);
    while (rc == REELAY_OK && video->next_cue < video->cue_count) rc = write_cue(video, until, err);
    if (rc != REELAY_OK) return rc;
    lrc = av_write_trailer(video->fmt);
    if (lrc < 0) return mux_error(video, lrc, "cannot write the trailer", err);
    avio_flush(video->pb);
    if (video->pb->error < 0) return mux_error(video, video->pb->error, "cannot write", err);
    return REELAY_OK;
}

/* Frees everything but the output file. */
static void release(reelay_video *video)
{
    avformat_free_context(video->fmt); /* does not touch pb: it is ours */
    video->fmt = NULL;
    if (video->pb) av_freep(&video->pb->buffer);
    avio_context_free(&video->pb);
    avcodec_free_context(&video->enc);
    reelay_yuv_converter_free(video->converter);
    video->converter = NULL;
    av_frame_free(&video->frame);
    reelay_video_picture_free(video->own_picture);
    video->own_picture = NULL;
    av_bsf_free(&video->strip_sei);
    av_packet_free(&video->pkt);
    av_packet_free(&video->held);
    av_packet_free(&video->sub_pkt);
    for (size_t i = 0; i < video->cue_count; i++) free(video->cues[i].payload);
    free(video->cues);
    video->cues = NULL;
    video->cue_count = 0;
}

int reelay_video_finish(reelay_video *video, reelay_video_result *result, reelay_err *err)
{
    return reelay_video_finish_held(video, result, NULL, err);
}

int reelay_video_finish_held(reelay_video *video, reelay_video_result *result, reelay_atomic_file *held,
                             reelay_err *err)
{
    if (!video) return reelay_err_set(err, REELAY_E_INTERNAL, "no video");
    const char *path = video->file.final_path;
    int64_t end = video->end_pts ? video->end_pts : video->last_pts + 1;
    int rc = REELAY_OK;
    if (video->failed)
        rc = reelay_err_set(err, REELAY_E_INTERNAL, "%s: an earlier frame failed", path);
    else if (!video->have_frame)
        rc = reelay_err_set(err, REELAY_E_INTERNAL, "%s: no frames to encode", path);
    else if (end <= video->last_pts)
        rc = reelay_err_set(err, REELAY_E_INTERNAL, "%s: end %lld is not after the last frame %lld", path,
                            (long long)end, (long long)video->last_pts);
    else
        rc = finish_stream(video, end, err);
    struct stat st;
    if (rc == REELAY_OK && fstat(fileno(video->file.fp), &st) != 0)
        rc = reelay_err_set(err, REELAY_E_IO, "%s: cannot stat: %s", video->file.final_path, strerror(errno));
    if (rc != REELAY_OK) {
        reelay_video_abort(video);
        return rc;
    }
    if (result) {
        memset(result, 0, sizeof *result);
        result->frames = video->packets;
        result->encoded = video->packets - video->elided;
        result->duration_s = (double)end / video->fps;
        result->bytes = (int64_t)st.st_size;
        snprintf(result->codec, sizeof result->codec, "%s", reelay_codec_name(video->codec));
    }
    release(video);
    rc = reelay_atomic_finish(&video->file, held, err);
    free(video);
    return rc;
}

void reelay_video_abort(reelay_video *video)
{
    if (!video) return;
    release(video);
    reelay_atomic_abort(&video->file);
    free(video);
}
