/* video.h — rendered frames encoded as a video file.
 * Owns: the codec/container choice (.webm, .mkv, .mp4 and the codecs each
 * may hold), encoder settings (libvpx VP9/VP8, SVT-AV1, x264), pictures
 * converted from BGRA (by encode/yuv_convert), frame timing (constant or
 * variable frame rate, the last frame's duration), container metadata and
 * chapters, and an optional subtitle track of timed text cues (the
 * session's event log), writing the file atomically through
 * core/atomic_file (PATH.partial, fsync, rename). Same frames, options
 * and thread count give byte-identical files (tested for every codec with
 * 2 and 4 threads). */
#ifndef REELAY_ENCODE_VIDEO_H
#define REELAY_ENCODE_VIDEO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/atomic_file.h"
#include "core/error.h"

typedef enum reelay_codec {
    REELAY_CODEC_AUTO = 0,
    REELAY_CODEC_VP9,
    REELAY_CODEC_VP8,
    REELAY_CODEC_AV1,
    REELAY_CODEC_H264,
    REELAY_CODEC_RAW, /* uncompressed yuv420p in a .y4m file: for piping into other tools, and for
                         benchmarks that time another encoder on reelay's exact frames */
} reelay_codec;

/* "auto", "vp9", "vp8", "av1", "h264", "raw" (any case); anything else REELAY_E_USAGE. */
int reelay_codec_parse(const char *name, reelay_codec *out, reelay_err *err);
/* The name reelay_codec_parse accepts ("auto" for AUTO, "?" for junk). */
const char *reelay_codec_name(reelay_codec codec);

/* The container comes from path's extension: .webm (VP9, VP8, AV1), .mkv
 * (all four), .mp4 (H.264, AV1, VP9), .y4m (raw, constant frame rate only), any case; anything else is
 * REELAY_E_USAGE. AUTO becomes VP9 for .webm/.mkv and H.264 for .mp4; a
 * codec the container cannot hold is REELAY_E_USAGE naming both. */
int reelay_video_resolve(const char *path, reelay_codec requested, reelay_codec *codec, reelay_err *err);

/* Whether a video named path can carry attachments (.mkv). */
bool reelay_video_takes_attachments(const char *path);

/* Whether a video named path can have a variable frame rate: every
 * container but .y4m (false for an unknown name too). */
bool reelay_video_allows_vfr(const char *path);

typedef struct reelay_chapter {
    double start_ms, end_ms; /* 0 <= start_ms <= end_ms */
    const char *title;       /* may be NULL */
} reelay_chapter;

/* One subtitle cue, in output time. The text is UTF-8 (invalid bytes
 * become U+FFFD, control characters spaces, line breaks stay; cut to 500
 * bytes, ending in "…"); NULL or blank text drops the cue. */
typedef struct reelay_cue {
    double start_ms, end_ms; /* start_ms <= end_ms */
    const char *text;
} reelay_cue;

/* A file carried inside a .mkv (a Matroska attachment). */
typedef struct reelay_attachment {
    const char *filename;  /* FileName */
    const char *mime_type; /* FileMimeType */
    const char *title;     /* FileDescription */
    const unsigned char *data;
    size_t size;
} reelay_attachment;

typedef struct reelay_video_options {
    const char *path;   /* final output path; written as path.partial then renamed */
    reelay_codec codec; /* AUTO allowed */
    int width, height;  /* even, > 0 */
    int fps;            /* time base 1/fps; pts are frame numbers */
    int crf;            /* -1 = codec default: VP9 32, VP8 10 (with bitrate cap), AV1 35, H.264 23 */
    /* 0 = number of online CPUs (AV1: one, for its memory). VP9 bytes do not depend on it (libvpx
     * gets at least 2 threads, and row-based multithreading is identical
     * from 2 up), nor do AV1's; VP8 always uses one thread. H.264 bytes do:
     * x264's frame threads decide differently per count, so pass a fixed
     * count where MP4 files must match across machines. */
    int threads;
    /* true: one encoder thread whatever `threads` says (VP9 then without
     * row-based multithreading, whose one-thread path costs more): for the
     * web page view, where the page engine is the slower stage and needs
     * the other cores. The bytes still depend on nothing else; for VP9 they
     * differ from a file made with it false. */
    bool single_thread;
    /* false: every pts is a frame; a pts that skips ahead repeats the
     * previous frame for the gap (and set_end pads with the last frame).
     * true: frames may skip pts (only changed frames are sent) and the
     * container timestamps carry each frame's duration; a keyframe is
     * forced at least every 10 s of pts (not with AV1: FFmpeg 5.1's SVT-AV1
     * wrapper ignores forced keyframes, so there it is every fps * 10
     * frames sent). */
    bool vfr;
    int crf_raise; /* added to the crf (at most the codec's worst), for --max-size's retries */
    /* container metadata (may be NULL); stored under these key names: */
    const char *title;      /* "title" */
    const char *session_id; /* "session_id" */
    const char *user;       /* "user" */
    const char *start_time; /* "start_time", ISO 8601; metadata only, never the file's creation time */
    const char *source;     /* "source" */
    const char *comment;    /* "comment" */
    const reelay_chapter *chapters; /* copied by open; titles under "title" */
    size_t chapter_count;
    /* A subtitle track (language "eng", title "reelay event log"): WebVTT
     * in .webm/.mkv, 3GPP timed text (mov_text) in .mp4; .y4m cannot hold
     * one (REELAY_E_USAGE). Sorted by start_ms (REELAY_E_USAGE otherwise);
     * copied by open; NULL/0 = no subtitle track. One cue shows at a time:
     * a cue ends where the next one starts (of two with the same start,
     * the later one stays). Cues are cut to [0, end of the video]; a cue
     * ending after the video's end is cut there, except one longer than
     * 5 s whose cut is only known from a reelay_video_set_end made before
     * the frames pass 5 s into it (the cue is written by then). */
    const reelay_cue *cues;
    size_t cue_count;
    /* Files stored in the video (Matroska attachments: .mkv only, else
     * REELAY_E_USAGE); copied by open. */
    const reelay_attachment *attachments;
    size_t attachment_count;
    const reelay_atomic_options *write; /* how the file is put in place; NULL = replace, anywhere */
} reelay_video_options;

typedef struct reelay_video reelay_video;

/* Checks options (REELAY_E_USAGE), opens the encoder (REELAY_E_INTERNAL
 * naming it when libavcodec lacks it) and creates its temporary file
 * (REELAY_E_IO naming path). On failure *out is NULL and nothing is left. */
int reelay_video_open(const reelay_video_options *options, reelay_video **out, reelay_err *err);

/* A BGRA frame (CAIRO_FORMAT_RGB24/ARGB32 on little-endian: B,G,R,X bytes;
 * alpha ignored) of the opened size at pts (frame number, >= 0, strictly
 * increasing; a misuse is REELAY_E_INTERNAL). */
int reelay_video_write(reelay_video *video, const uint8_t *bgra, int stride, int64_t pts, reelay_err *err);

/* A picture converted for the encoder (yuv420p of the video's size), so
 * the conversion can run on another thread than the encoding: convert
 * while the encoder works on the previous picture, then write it. A
 * picture may be converted into again right after it was written (it gets
 * new buffers if the encoder still holds the old ones). Calls to convert
 * must not overlap each other (one scaler per video); everything else
 * stays on one thread. */
typedef struct reelay_video_picture reelay_video_picture;

/* NULL when out of memory. */
reelay_video_picture *reelay_video_picture_new(const reelay_video *video);
void reelay_video_picture_free(reelay_video_picture *picture);
/* BGRA as for reelay_video_write into picture (libswscale, BT.709 limited range). */
int reelay_video_convert(reelay_video *video, const uint8_t *bgra, int stride, reelay_video_picture *picture,
                         reelay_err *err);
/* The same for a frame that follows previous_bgra, whose conversion is
 * previous (another picture of this video): only the bands of rows that
 * differ are converted (encode/yuv_convert.h), the rest is previous's; the
 * bytes are those of reelay_video_convert. previous NULL (or picture
 * itself, or previous_bgra the same memory as bgra): a whole conversion.
 * *rows_converted (may be NULL) says how many rows were. */
int reelay_video_convert_changed(reelay_video *video, const uint8_t *bgra, const uint8_t *previous_bgra, int stride,
                                 const reelay_video_picture *previous, reelay_video_picture *picture,
                                 int *rows_converted, reelay_err *err);
/* reelay_video_write of an already converted picture. */
int reelay_video_write_picture(reelay_video *video, const reelay_video_picture *picture, int64_t pts,
                               reelay_err *err);

/* The previous frame again at a new pts, without converting it again
 * (unchanged screens cost no swscale). Needs a previous write. */
int reelay_video_repeat(reelay_video *video, int64_t pts, reelay_err *err);

/* Where the video ends (exclusive, in frames): the last frame lasts until
 * end_pts (VFR), or is repeated up to it (CFR). Without it the last frame
 * lasts one frame, so 240 frames at 24 fps are 10.0 s. Later writes must
 * come before it; finish fails (REELAY_E_INTERNAL) when it is not after the
 * last frame. */
void reelay_video_set_end(reelay_video *video, int64_t end_pts);

typedef struct reelay_video_result {
    int64_t frames;    /* packets in the file */
    int64_t encoded;   /* of those, coded by the encoder; the rest are VP9 one-byte repeats */
    double duration_s; /* end / fps */
    int64_t bytes;     /* size of the file */
    char codec[16];    /* reelay_codec_name */
} reelay_video_result;

/* Flushes the encoder, writes the trailer, fsyncs and puts the file in
 * place (core/atomic_file.h). Always releases video; on failure (including
 * after a failed write or repeat: the stream is then in an unknown state)
 * nothing is left. result may be NULL. */
int reelay_video_finish(reelay_video *video, reelay_video_result *result, reelay_err *err);
/* The same, but the finished file is handed over unpublished in *held,
 * for the caller to commit with others (reelay_atomic_commit_all). */
int reelay_video_finish_held(reelay_video *video, reelay_video_result *result, reelay_atomic_file *held,
                             reelay_err *err);

/* Discards everything: no file left (safe on NULL, and after a failed open). */
void reelay_video_abort(reelay_video *video);

#endif
