#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "render/options.h"
#include "ingest/ingest.h"
#include "render/render.h"
#include "renderers/overlay/hud.h"
#include "renderers/frame/frame.h"
#include "net/s3.h"
#include "sink/sink.h"
#include "source/source.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: reelay render INPUT [-o OUT.webm|.mp4|.mkv] [options]\n"
            "  INPUT            a recording (JSON, JSON lines, optionally gzip), an http(s) URL,\n"
            "                   s3://BUCKET/KEY, posthog://SESSION_ID, or - for standard input\n"
            "  -o OUT           the video; the container comes from the name (default: INPUT's name + .webm);\n"
            "                   also s3://BUCKET/KEY or an https URL to PUT to (presigned), as are the\n"
            "                   files of --poster, --preview, --manifest and --email-html\n"
            "  --codec C        vp9 (webm/mkv default), vp8, av1, h264 (mp4 default)\n"
            "  --size WxH       whole frame in pixels (also 720p, 1080p, ...); default: the screen within a\n"
            "                   720p-class box plus the HUD strip below it\n"
            "  --fps N          frames per second (default 24)\n"
            "  --crf N          quality (lower is better; default: the codec's)\n"
            "  --threads N      encoder threads (default: all cores; AV1 and the web page view: one)\n"
            "  --cfr            a constant frame rate: every frame in the file, for editors (default:\n"
            "                   only changed frames, each lasting until the next; .y4m is always constant)\n"
            "  --vfr            the default made explicit (an error for .y4m)\n"
            "  --speed X        play X times faster (idle cards keep their length)\n"
            "  --from T --to T  clip, times from the session start (seconds, mm:ss.mmm or hh:mm:ss)\n"
            "  --no-skip-idle   keep idle stretches in real time (default: each becomes a 1 s card)\n"
            "  --highlights [N] only the moments that matter (errors, failed requests, rage clicks, form\n"
            "                   submits, slow screen changes), 3 s before to 2 s after each, each after a 1 s\n"
            "                   card saying what and when; at most N seconds (default 60; the most important\n"
            "                   kept); an error when the recording has none\n"
            "  --overlays L     all (default), none, or a comma list of: touches, hud, pointer, chrome (web\n"
            "                   page view: the browser frame), cards (web page view: click labels, the\n"
            "                   focused input, toasts)\n"
            "  --unmask-inputs  web: show what was typed, and card numbers in URLs (default: one bullet\n"
            "                   per character; passwords and secrets in URLs stay masked)\n"
            "  --default-font F mobile: the font of text that names none, serif (default, as Chrome on\n"
            "                   macOS and Windows) or sans (as Chromium on Linux)\n"
            "  --web-view V     web recordings: page (default: the recorded page, replayed by rrweb in\n"
            "                   WebKit), interaction (a stand-in without the page's pixels), or auto (page,\n"
            "                   else interaction with a warning)\n"
            "  --assets DIR     web page view: fonts, images and style sheets the page referred to, as\n"
            "                   DIR/HOST/PATH (default: none; offline pages use system fonts)\n"
            "  --fetch-assets H web page view: fetch assets from these hosts (comma list; public\n"
            "                   addresses only unless an IP is named; cached; default: none)\n"
            "  --no-page-sandbox  web page view: run WebKit's web process without its bubblewrap\n"
            "                   sandbox (for hosts that forbid namespaces, such as most containers)\n"
            "  --layout L       screen (default), or inspector: the live event log beside the screen\n"
            "  --subtitles      add a subtitle track with the event log (screens, taps, errors, failed requests)\n"
            "  --poster F       also write the busiest moment as a still (.png or .webp)\n"
            "  --preview F      also write an animated WebP preview (<= 480 px wide, <= 12 fps)\n"
            "  --max-size SIZE  the video takes at most SIZE bytes (e.g. 10M; K/M/G = 1024^n): rendered\n"
            "                   again at a lower quality while it is larger; an error when even the\n"
            "                   lowest cannot fit\n"
            "  --email-html F   also write an HTML snippet for an email or a ticket: the poster (else the\n"
            "                   preview) linking to the video, with a caption\n"
            "  --email-link-base URL  the snippet links to URL + the files' names (default: the names)\n"
            "  --attach-recording  .mkv: store the recording (gzip) and the manifest in the video, a\n"
            "                   self-contained archive that info, render and extract read back\n"
            "  --manifest F     also write a JSON manifest (options, timeline, frames, bytes, sha256)\n"
            "  --quiet          no progress and no summary\n"
            "limits (K, M, G allowed; going over one is an error naming it):\n"
            "  --max-input-bytes N   recording size as read (default 1G; twice that once gunzipped)\n"
            "  --max-events N        events in the recording (default 20M)\n"
            "  --max-wireframes N    wireframes (web: DOM nodes) in one snapshot or mutation, and\n"
            "                        mobile wireframes alive at once (default 1M)\n"
            "  --max-tree-depth N    nesting of a snapshot's tree (default 512, at most 1000)\n"
            "  --max-viewport N      recorded viewport width or height (default 32768)\n"
            "  --max-duration T      length of the video (default 24:00:00)\n"
            "  --max-frames N        frames in the video (default 10M)\n"
            "  --max-image-pixels N  pixels of one decoded image; larger ones are placeholders (default 16M)\n"
            "  --max-output-dim N    video width and height (default 8192, at most 16384)\n"
            "  --max-page-memory N   web page view: the page engine's processes together (RSS, default 2G)\n"
            "  --max-page-time T     web page view: one page frame (default 30 s)\n" REELAY_CLI_POSTHOG_USAGE);
}

typedef struct render_args {
    const char *input;
    char shown_output[REELAY_SHOWN_INPUT_MAX]; /* the video's destination as messages name it */
    char *default_output; /* owned */
    char shown_input[REELAY_SHOWN_INPUT_MAX]; /* the input as messages name it: a URL without credentials or query */
    reelay_render_options options;
    reelay_posthog_settings posthog;
    bool quiet;
} render_args;

/* "dir/session.json.gz" -> "session.webm" (in the current directory). */
static char *output_name_for(const char *input)
{
    const char *base = strrchr(input, '/');
    base = base ? base + 1 : input;
    size_t len = strlen(base);
    const char *dot = strchr(base, '.');
    if (dot && dot != base) len = (size_t)(dot - base);
    char *name = malloc(len + sizeof ".webm");
    if (!name) return NULL;
    memcpy(name, base, len);
    memcpy(name + len, ".webm", sizeof ".webm");
    return name;
}

static int parse_args(int argc, char **argv, render_args *args)
{
    memset(args, 0, sizeof *args);
    args->options = reelay_render_defaults();
    args->posthog = reelay_cli_posthog_env();
    reelay_render_options *o = &args->options;
    reelay_err err;
    reelay_err_clear(&err);
    for (int i = 1; i < argc && err.code == REELAY_OK; i++) {
        const char *arg = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        char name[32];
        const char *optional = NULL;
        bool consumed = false;
#define TAKES_VALUE(flag) (strcmp(arg, flag) == 0 && value && ++i)
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            usage(stdout);
            return -1;
        } else if (TAKES_VALUE("-o") || TAKES_VALUE("--output")) {
            o->output = value;
        } else if (TAKES_VALUE("--assets")) {
            o->page_engine.asset_dir = value;
        } else if (TAKES_VALUE("--fetch-assets")) {
            o->page_engine.fetch_hosts = value;
        } else if (strcmp(arg, "--no-page-sandbox") == 0) {
            o->page_engine.no_sandbox = true;
        } else if (reelay_cli_posthog_flag(arg, value, &args->posthog)) {
            i++;
        } else if (reelay_render_option_optional(arg, value, name, sizeof name, &optional, &consumed)) {
            if (consumed) i++;
            reelay_render_option_set(o, name, optional, &err);
        } else if (strncmp(arg, "--", 2) == 0 && reelay_render_option_kind(arg + 2) == REELAY_OPTION_FLAG) {
            reelay_render_option_set(o, arg + 2, NULL, &err);
        } else if (strncmp(arg, "--", 2) == 0 && reelay_render_option_kind(arg + 2) == REELAY_OPTION_VALUE && value) {
            i++;
            reelay_render_option_set(o, arg + 2, value, &err);
        } else if (strcmp(arg, "--quiet") == 0 || strcmp(arg, "-q") == 0) {
            args->quiet = true;
        } else if (arg[0] == '-' && arg[1] != '\0') {
            reelay_err_set(&err, REELAY_E_USAGE, "unknown option %s (or it needs a value)", arg);
        } else if (!args->input) {
            args->input = arg;
        } else {
            reelay_err_set(&err, REELAY_E_USAGE, "more than one INPUT given ('%s' and '%s')", args->input, arg);
        }
#undef TAKES_VALUE
    }
    if (err.code == REELAY_OK && !args->input) reelay_err_set(&err, REELAY_E_USAGE, "INPUT is required");
    if (err.code == REELAY_OK) reelay_source_shown_input(args->input, args->shown_input, sizeof args->shown_input);
    if (err.code == REELAY_OK && !o->output) {
        if (strcmp(args->input, "-") == 0) {
            reelay_err_set(&err, REELAY_E_USAGE, "-o is required when reading standard input");
        } else {
            args->default_output = output_name_for(args->shown_input);
            if (!args->default_output) reelay_err_set(&err, REELAY_E_INTERNAL, "out of memory");
            o->output = args->default_output;
        }
    }
    /* the container from the name; a URL's name ends before its query */
    char name[512];
    reelay_codec codec;
    if (err.code == REELAY_OK) reelay_source_shown_input(o->output, args->shown_output, sizeof args->shown_output);
    if (err.code == REELAY_OK && !reelay_sink_file_name(o->output, name, sizeof name))
        reelay_err_set(&err, REELAY_E_USAGE, "-o %s names no file", args->shown_output);
    if (err.code == REELAY_OK) reelay_video_resolve(name, o->codec, &codec, &err);
    if (err.code != REELAY_OK) {
        fprintf(stderr, "reelay render: %s\n", err.msg);
        if (err.code == REELAY_E_USAGE) usage(stderr);
        free(args->default_output);
        return err.code;
    }
    return REELAY_OK;
}

/* The HUD's clock format: "mm:ss", "h:mm:ss" from an hour on. */
static void format_clock(double ms, char *out, size_t size)
{
    reelay_format_clock(ms, false, out, size);
}

/* One line, redrawn in place: only when stderr is a terminal. */
static void show_progress(void *context, const reelay_render_progress *p)
{
    (void)context;
    double fraction = p->total_frames ? (double)p->frame / (double)p->total_frames : 1;
    char bar[31];
    int filled = (int)(fraction * 30);
    for (int i = 0; i < 30; i++) bar[i] = i < filled ? '#' : '.';
    bar[30] = '\0';
    char at[48], length[48];
    format_clock(p->out_ms, at, sizeof at);
    format_clock(p->duration_ms, length, sizeof length);
    double speed = p->elapsed_s > 0 ? p->session_ms / 1000.0 / p->elapsed_s : 0;
    double eta = fraction > 0 ? p->elapsed_s * (1 - fraction) / fraction : 0;
    fprintf(stderr, "\r[%s] %3.0f%%  frame %lld/%lld  %s/%s  %.0fx real time  ETA %.0fs ", bar, fraction * 100,
            (long long)p->frame, (long long)p->total_frames, at, length, speed, eta);
    fflush(stderr);
}

static void print_summary(const render_args *args, const reelay_render_result *r)
{
    char length[48];
    format_clock(r->duration_s * 1000, length, sizeof length);
    double realtime = r->render_s > 0 ? r->session_s / r->render_s : 0;
    fprintf(stderr, "reelay: wrote %s (%s %dx%d, %s, %lld frames, %.1f MB) in %.1f s, %.0fx real time",
            args->shown_output, r->codec, r->width, r->height, length, (long long)r->frames, r->bytes / 1e6,
            r->render_s, realtime);
    if (r->skipped_s > 0 || r->highlights > 0) {
        char skipped[48];
        format_clock(r->skipped_s * 1000, skipped, sizeof skipped);
        if (r->highlights > 0)
            fprintf(stderr, "; %d highlight%s (%s between them left out)", r->highlights, r->highlights == 1 ? "" : "s",
                    skipped);
        else
            fprintf(stderr, "; idle %s skipped", skipped);
    }
    if (r->page.engines > 0)
        fprintf(stderr, "; web page view: %zu page frames (%.0f ms each), engine ready in %.1f s, %.0f MB",
                r->page.frames, r->page.frames ? r->page.frames_s * 1000 / (double)r->page.frames : 0,
                r->page.start_s, r->page.peak_rss / 1048576.0);
    if (args->options.max_size)
        fprintf(stderr, "; within --max-size %llu bytes: %lld bytes, %s", (unsigned long long)args->options.max_size,
                (long long)r->bytes, r->crf_raise ? "" : "at the usual quality");
    if (args->options.max_size && r->crf_raise)
        fprintf(stderr, "crf raised by %d (%d encodings)", r->crf_raise, r->attempts);
    fputc('\n', stderr);
}

int reelay_cmd_render(int argc, char **argv)
{
    render_args args;
    int rc = parse_args(argc, argv, &args);
    if (rc != REELAY_OK) return rc < 0 ? REELAY_OK : rc;
    if (!args.quiet && isatty(STDERR_FILENO)) args.options.progress = show_progress;

    reelay_err err;
    reelay_err_clear(&err);
    reelay_session *session = NULL;
    args.options.ingest.unmask_inputs = args.options.unmask_inputs; /* URL parameters too */
    args.options.ingest.urls = reelay_url_policy_all();
    reelay_s3_config s3;
    rc = reelay_cli_remote_access(&s3, &args.posthog, &args.options.ingest, &err);
    /* s3:// and presigned https:// outputs: rendered aside, then uploaded */
    reelay_sink sink;
    memset(&sink, 0, sizeof sink);
    if (rc == REELAY_OK) rc = reelay_sink_begin(&sink, &args.options, &err);
    if (rc == REELAY_OK) rc = reelay_ingest_path(args.input, &args.options.ingest, &session, &err);
    args.options.input_name = args.shown_input; /* names an attached recording */
    reelay_render_result result;
    if (rc == REELAY_OK) {
        rc = reelay_render(session, &args.options, &result, &err);
        if (args.options.progress) fputc('\n', stderr);
        if (rc == REELAY_E_INPUT)
            reelay_err_prefix(&err, "%s", args.shown_input);
    }
    if (rc == REELAY_OK) rc = reelay_sink_publish(&sink, &err);
    reelay_sink_end(&sink);
    if (rc == REELAY_OK && result.web_view_note[0])
        fprintf(stderr, "reelay: warning: no page view (%s); drew the interaction view\n", result.web_view_note);
    if (rc == REELAY_OK && !args.quiet) print_summary(&args, &result);
    if (rc != REELAY_OK) fprintf(stderr, "reelay: %s\n", err.msg);
    reelay_session_free(session);
    free(args.default_output);
    return rc;
}
