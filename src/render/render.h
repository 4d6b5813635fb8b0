/* render.h — a session into a video file: the whole `reelay render` job.
 * Owns: the output layout (the screen on top, the inspector's event log to
 * its right when asked for, the HUD strip below both), the
 * frame loop over the timeline (a frame is repainted only when the scene
 * changed, something animates, or the HUD's visible state moved; otherwise
 * the encoder repeats the previous frame, or with VFR skips it), and the
 * sidecars (poster, animated preview, JSON manifest with sha256). The CLI and
 * the job worker both call reelay_render; it prints nothing. */
#ifndef REELAY_RENDER_RENDER_H
#define REELAY_RENDER_RENDER_H

#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"
#include "encode/video.h"
#include "ingest/ingest.h"
#include "renderers/frame/frame.h"
#include "session/session.h"
#include "session/timeline.h"

/* Largest output width or height --max-output-dim may allow (and so --size
 * may name); the default limit is REELAY_DEFAULT_MAX_OUTPUT_DIM (8K is 7680). */
#define REELAY_OUTPUT_DIM_CEILING 16384
#define REELAY_DEFAULT_MAX_OUTPUT_DIM 8192

typedef struct reelay_render_progress {
    int64_t frame, total_frames;
    double out_ms, duration_ms; /* output position and length */
    double session_ms;          /* session time shown, from the session start */
    double elapsed_s;           /* wall time since the render started */
} reelay_render_progress;

typedef void (*reelay_render_progress_fn)(void *context, const reelay_render_progress *progress);

typedef enum reelay_frame_rate { REELAY_RATE_AUTO = 0, REELAY_RATE_VFR, REELAY_RATE_CFR } reelay_frame_rate;

typedef struct reelay_render_options {
    const char *output;       /* .webm, .mp4 or .mkv */
    reelay_codec codec;       /* REELAY_CODEC_AUTO: from the output name */
    int width, height;        /* whole output (screen + HUD); 0 = default */
    int fps;                  /* default 24 */
    int crf;                  /* -1 = the codec's default */
    int threads;              /* 0 = all cores */
    /* --vfr / --cfr. AUTO (the default): variable where the container
     * allows it (.webm, .mp4, .mkv: only changed frames are in the file,
     * each lasting until the next) and constant in .y4m. VFR: variable, a
     * usage error for .y4m. CFR: every frame of the rate is in the file,
     * for editors that want that. */
    reelay_frame_rate frame_rate;
    reelay_timeline_options timeline;
    /* --highlights N: a video of the moments that matter (session/highlights.h),
     * at most this long; 0: off (the whole session, skip-idle as asked) */
    double highlights_ms;
    unsigned overlays;        /* enum reelay_overlay flags (touches, HUD, pointer) */
    bool unmask_inputs;       /* web: typed values instead of bullets (never [REDACTED] ones) */
    reelay_default_font default_font; /* mobile: the face of text that names no family (default serif) */
    /* Web recordings: the page view (default; it needs ingest.keep_rrweb_json,
     * which the defaults and --web-view set), the interaction view, or auto.
     * page_engine: the engine's limits, --max-page-memory (its processes'
     * summed RSS, default 2G) and --max-page-time (each page frame, default
     * 30 s), limits like the others (a job may lower a service's ceiling). */
    reelay_web_view web_view;
    reelay_page_engine_options page_engine;
    /* Limits, each a flag (--max-input-bytes, --max-events, --max-wireframes,
     * --max-tree-depth, --max-viewport, --max-duration, --max-frames,
     * --max-image-pixels, --max-output-dim) with a generous default; going
     * over one is a clear error naming the flag. */
    reelay_ingest_options ingest; /* input bytes, events, trees, viewports, for whoever reads the input */
    double max_duration_ms;   /* of the video (default 24 h: PostHog ends sessions there) */
    int64_t max_frames;       /* in the video (default 10 M) */
    size_t max_image_pixels;  /* per decoded image (default 16 M: larger is a decompression bomb) */
    int max_output_dim;       /* output width and height (default 8192; --size and --scale may not exceed it) */
    bool inspector;           /* layout "inspector": the live event log beside the screen */
    bool subtitles;           /* a subtitle track with the event log */
    const char *poster;       /* .png/.webp still of the busiest moment, or NULL */
    const char *preview;      /* animated .webp, or NULL */
    const char *manifest;     /* .json, or NULL */
    /* .html: a snippet for an email or a ticket, the poster (else the
     * preview) linking to the video (encode/email_html.h); NULL: none */
    const char *email_html;
    const char *email_link_base; /* prefix of the snippet's links (a URL ending in /); NULL: the files' names */
    /* .mkv only: store the recording (gzip-compressed, as read) and the
     * manifest in the video as attachments (ingest/archive.h); needs the
     * session's source_bytes (ingest.keep_source, set with this option) */
    bool attach_recording;
    uint64_t max_size;        /* bytes the video may take (--max-size); 0: no limit */
    const char *input_name;   /* the recording's path as given, for the attachment's name; may be NULL */
    reelay_render_progress_fn progress; /* called every few frames, may be NULL */
    void *progress_context;
    /* Where the files go (core/atomic_file.h): overwrite (the default)
     * replaces an existing output or sidecar, else the render fails
     * (REELAY_E_IO, REELAY_ERR_LASTING) before any work; with an
     * output_root every file must lie below it, reached without symlinks. */
    bool overwrite;
    const char *output_root;
    const char *owner; /* tags the files, so a retry may replace its own (core/atomic_file.h); may be NULL */
    /* Called once every file is complete and on disk, just before they are
     * all put in place together; a failure ends the render with its error
     * and nothing is published (a job worker asks here whether the job is
     * still its own). May be NULL. */
    int (*before_publish)(void *context, reelay_err *err);
    void *before_publish_context;
} reelay_render_options;

reelay_render_options reelay_render_defaults(void);

typedef struct reelay_render_result {
    int width, height;
    char codec[16];
    int64_t frames;       /* in the file (with VFR, only the changed ones and keyframes) */
    int64_t painted;      /* frames actually drawn (the rest reused) */
    double duration_s;    /* of the video */
    double session_s;     /* session time covered */
    double skipped_s;     /* idle time cut (with --highlights: the time between the highlights) */
    int highlights;       /* --highlights: how many the video shows; 0 else */
    int64_t bytes;
    char sha256[65];      /* of the video file, hex */
    double render_s;      /* wall time */
    double poster_at_s;   /* session time of the poster frame, when one was written */
    const char *web_view; /* web recordings: "page" or "interaction"; NULL for mobile ones */
    char web_view_note[256]; /* why --web-view auto drew the interaction view; "" when it did not */
    reelay_page_view_stats page; /* the page view's engines and page frames */
    bool vfr;             /* the file has a variable frame rate (options->frame_rate resolved) */
    int attempts;         /* encodings made (more than 1 when --max-size needed a lower quality) */
    int crf_raise;        /* --max-size: how much the crf was raised (quality lowered) to fit */
} reelay_render_result;

/* Renders the session. On failure no output, preview, poster or manifest is
 * left behind: each is written aside, and all are put in place together at
 * the end. */
int reelay_render(const reelay_session *session, const reelay_render_options *options,
                  reelay_render_result *result, reelay_err *err);

#endif
