#include <cairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "render/options.h"
#include "encode/still.h"
#include "ingest/ingest.h"
#include "net/s3.h"
#include "renderers/frame/frame.h"
#include "source/source.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: reelay frame INPUT --at T -o OUT.png|OUT.webp [--size WxH | --scale S] [--overlays LIST]\n"
            "  INPUT          a recording (JSON, JSON lines, optionally gzip), an http(s) URL,\n"
            "                 posthog://SESSION_ID, or - for standard input\n"
            "  --at T         time from the session start: seconds (12.5), mm:ss.mmm or hh:mm:ss\n"
            "  -o OUT         the image to write, PNG or lossless WebP by its extension (whole or not at all)\n"
            "  --size WxH     output size in pixels (also 720p, 1080p, ...); the viewport is stretched to fill it\n"
            "  --scale S      output = logical viewport size x S\n"
            "                 default: x2, long side capped at %d, even dimensions\n"
            "  --overlays L   what to draw over the screen: all (default), none, or a comma list of: touches,\n"
            "                 pointer, chrome (web page view: the browser frame), cards (web page view: click\n"
            "                 labels, the focused input, toasts)\n"
            "  --unmask-inputs  web: show what was typed, and card numbers in URLs (default: one bullet\n"
            "                   per character; passwords and secrets in URLs stay masked)\n"
            "  --default-font F  mobile: the font of text that names none, serif (default, as Chrome on macOS\n"
            "                 and Windows) or sans (as Chromium on Linux)\n"
            "  --web-view V   web recordings: page (default: the recorded page itself, replayed by rrweb in\n"
            "                 WebKit), interaction (a stand-in without the page's pixels) or auto (page, else\n"
            "                 interaction with a warning)\n"
            "  --assets DIR, --fetch-assets HOSTS   web page view: opt-in assets (as for render)\n"
            "  --no-page-sandbox  web page view: WebKit without its bubblewrap sandbox (as for render)\n"
            "  --max-input-bytes N, --max-events N, --max-wireframes N, --max-tree-depth N,\n"
            "  --max-viewport N, --max-image-pixels N, --max-output-dim N, --max-page-memory N,\n"
            "  --max-page-time T   limits (as for render)\n"
            REELAY_CLI_POSTHOG_USAGE,
            REELAY_FRAME_DEFAULT_LONG_SIDE);
}

/* A still shows the screen: the HUD strip belongs to videos. */
#define FRAME_OVERLAYS (REELAY_OVERLAY_ALL & ~REELAY_OVERLAY_HUD)

typedef struct frame_args {
    const char *input;
    const char *output;
    const char *at_text;
    double at_ms;
    int width, height; /* 0 = not given */
    double scale;      /* 0 = not given */
    unsigned overlays; /* enum reelay_overlay flags */
    bool unmask_inputs;
    reelay_default_font default_font;
    reelay_web_view web_view;
    reelay_render_options limits; /* only its ingest, image and output-size limits are used */
    reelay_posthog_settings posthog;
} frame_args;

/* Returns REELAY_OK, or an exit code after printing the problem. */
static int parse_args(int argc, char **argv, frame_args *args)
{
    memset(args, 0, sizeof *args);
    args->overlays = FRAME_OVERLAYS;
    args->web_view = REELAY_WEB_VIEW_PAGE;
    args->limits = reelay_render_defaults();
    args->posthog = reelay_cli_posthog_env();
    reelay_err err;
    reelay_err_clear(&err);
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        bool has_value = i + 1 < argc;
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            usage(stdout);
            return -1;
        } else if (strcmp(arg, "--at") == 0 && has_value) {
            args->at_text = argv[++i];
            if (reelay_parse_time(args->at_text, &args->at_ms, &err) != REELAY_OK) break;
        } else if ((strcmp(arg, "-o") == 0 || strcmp(arg, "--output") == 0) && has_value) {
            args->output = argv[++i];
        } else if (strcmp(arg, "--size") == 0 && has_value) {
            if (reelay_parse_size(argv[++i], &args->width, &args->height, &err) != REELAY_OK) break;
        } else if (strcmp(arg, "--scale") == 0 && has_value) {
            if (reelay_parse_scale(argv[++i], &args->scale, &err) != REELAY_OK) break;
        } else if (strcmp(arg, "--unmask-inputs") == 0) {
            args->unmask_inputs = true;
        } else if (strcmp(arg, "--assets") == 0 && has_value) {
            args->limits.page_engine.asset_dir = argv[++i];
        } else if (strcmp(arg, "--no-page-sandbox") == 0) {
            args->limits.page_engine.no_sandbox = true;
        } else if (strcmp(arg, "--fetch-assets") == 0 && has_value) {
            args->limits.page_engine.fetch_hosts = argv[++i];
        } else if (strcmp(arg, "--default-font") == 0 && has_value) {
            if (reelay_parse_default_font(argv[++i], &args->default_font, &err) != REELAY_OK) break;
        } else if (strcmp(arg, "--web-view") == 0 && has_value) {
            if (reelay_web_view_parse(argv[++i], &args->web_view, &err) != REELAY_OK) break;
        } else if (strncmp(arg, "--", 2) == 0 &&
                   (reelay_render_option_is_input_limit(arg + 2) || strcmp(arg, "--max-image-pixels") == 0 ||
                    strcmp(arg, "--max-output-dim") == 0 || strcmp(arg, "--max-page-memory") == 0 ||
                    strcmp(arg, "--max-page-time") == 0) &&
                   has_value) {
            if (reelay_render_option_set(&args->limits, arg + 2, argv[++i], &err) != REELAY_OK) break;
        } else if (reelay_cli_posthog_flag(arg, has_value ? argv[i + 1] : NULL, &args->posthog)) {
            i++;
        } else if (strcmp(arg, "--overlays") == 0 && has_value) {
            if (reelay_parse_overlays(argv[++i], FRAME_OVERLAYS, &args->overlays, &err) != REELAY_OK) break;
        } else if (arg[0] == '-' && arg[1] != '\0') {
            reelay_err_set(&err, REELAY_E_USAGE, has_value || strncmp(arg, "--", 2) != 0
                                                     ? "unknown option %s"
                                                     : "option %s needs a value (or is unknown)",
                           arg);
            break;
        } else if (!args->input) {
            args->input = arg;
        } else {
            reelay_err_set(&err, REELAY_E_USAGE, "more than one INPUT given ('%s' and '%s')", args->input, arg);
            break;
        }
    }
    if (err.code == REELAY_OK) {
        if (!args->input || !args->output || !args->at_text)
            reelay_err_set(&err, REELAY_E_USAGE, "INPUT, --at and -o are required");
        else if (args->width && args->scale > 0)
            reelay_err_set(&err, REELAY_E_USAGE, "--size and --scale exclude each other");
        else
            reelay_still_check_name(args->output, &err);
    }
    if (err.code != REELAY_OK) {
        fprintf(stderr, "reelay frame: %s\n", err.msg);
        usage(stderr);
        return err.code;
    }
    return REELAY_OK;
}

/* The output size for a page of vw x vh CSS px: --size, --scale (rounded,
 * not made even: --scale 1 is the page pixel for pixel) or the default. */
static int page_output_size(const frame_args *args, double vw, double vh, int *width, int *height, reelay_err *err)
{
    int max_dim = args->limits.max_output_dim;
    if (args->width) {
        *width = args->width;
        *height = args->height;
    } else if (args->scale > 0) {
        *width = (int)(vw * args->scale + 0.5);
        *height = (int)(vh * args->scale + 0.5);
        if (*width < 1) *width = 1;
        if (*height < 1) *height = 1;
    } else {
        reelay_frame_default_size(vw, vh, width, height);
    }
    if (*width > max_dim || *height > max_dim)
        return reelay_err_set(err, REELAY_E_USAGE, "the image would be %dx%d, larger than --max-output-dim %d",
                              *width, *height, max_dim);
    return REELAY_OK;
}

static int render_frame(const frame_args *args, const reelay_session *session, reelay_err *err)
{
    double duration = session->last_ts - session->first_ts;
    if (args->at_ms > duration + 0.0005)
        return reelay_err_set(err, REELAY_E_USAGE, "--at %s is beyond the end of the session (%.3f s long)",
                              args->at_text, duration / 1000.0);
    reelay_frame_options frame_options = {.unmask_inputs = args->unmask_inputs,
                                          .max_image_pixels = args->limits.max_image_pixels,
                                          .max_live_wireframes = args->limits.ingest.max_wireframes,
                                          .web_view = args->web_view,
                                          .page_engine = &args->limits.page_engine,
                                          .default_font = args->default_font};
    reelay_frame_maker *maker = reelay_frame_maker_new(session, &frame_options, err);
    if (!maker) return err->code;
    reelay_frame_maker_set_overlays(maker, args->overlays);
    double ts = session->first_ts + args->at_ms;
    int rc = reelay_frame_maker_seek(maker, ts, NULL, err);
    if (rc == REELAY_OK) rc = reelay_frame_maker_prepare(maker, ts, err);
    if (rc == REELAY_OK && reelay_frame_maker_web_view_note(maker))
        fprintf(stderr, "reelay: warning: no page view (%s); drawing the interaction view\n",
                reelay_frame_maker_web_view_note(maker));
    bool page = reelay_frame_maker_web_view(maker) == REELAY_WEB_VIEW_PAGE;
    double vw = 0, vh = 0;
    if (rc == REELAY_OK && !reelay_frame_maker_viewport(maker, &vw, &vh) &&
        !reelay_frame_maker_first_viewport(maker, &vw, &vh))
        rc = reelay_err_set(err, REELAY_E_INPUT, "no screen size is known at %s (no meta event or screen yet)",
                            args->at_text);
    cairo_surface_t *surface = NULL;
    int width = args->width, height = args->height, max_dim = args->limits.max_output_dim;
    if (rc == REELAY_OK && page) {
        rc = page_output_size(args, vw, vh, &width, &height, err);
    } else if (rc == REELAY_OK) {
        if (width) {
            if (width > max_dim || height > max_dim)
                rc = reelay_err_set(err, REELAY_E_USAGE, "--size %dx%d is larger than --max-output-dim %d", width,
                                    height, max_dim);
        } else if (args->scale > 0) {
            /* Checked before rounding, so a too large scale is refused, not squashed. */
            if (vw * args->scale > max_dim || vh * args->scale > max_dim)
                rc = reelay_err_set(err, REELAY_E_USAGE,
                                    "--scale %g makes a %.0fx%.0f image, larger than --max-output-dim %d", args->scale,
                                    vw * args->scale, vh * args->scale, max_dim);
            else
                reelay_frame_scaled_size(vw, vh, args->scale, max_dim, &width, &height);
        } else {
            reelay_frame_default_size(vw, vh, &width, &height);
            if (width > max_dim || height > max_dim)
                rc = reelay_err_set(err, REELAY_E_USAGE, "the image would be %dx%d, larger than --max-output-dim %d",
                                    width, height, max_dim);
        }
    }
    if (rc == REELAY_OK) {
        surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
        if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS)
            rc = reelay_err_set(err, REELAY_E_INTERNAL, "cannot allocate a %dx%d image", width, height);
    }
    reelay_frame_info info;
    if (rc == REELAY_OK) rc = reelay_frame_maker_paint(maker, surface, &info, err);
    if (rc == REELAY_OK) rc = reelay_write_still(surface, args->output, err);
    if (rc == REELAY_OK && page) {
        reelay_page_view_stats stats = reelay_frame_maker_page_stats(maker);
        fprintf(stderr,
                "reelay: wrote %s (%dx%d, web page view %gx%g; page engine ready in %.2f s, page frame %.0f ms, "
                "engine processes %.0f MB)\n",
                args->output, width, height, vw, vh, stats.start_s,
                stats.frames ? stats.frames_s * 1000 / (double)stats.frames : 0, stats.peak_rss / 1048576.0);
    } else if (rc == REELAY_OK && reelay_frame_maker_web_scene(maker))
        fprintf(stderr, "reelay: wrote %s (%dx%d, web interaction view %gx%g%s)\n", args->output,
                cairo_image_surface_get_width(surface), cairo_image_surface_get_height(surface), vw, vh,
                info.has_content ? "" : ", nothing recorded yet");
    else if (rc == REELAY_OK)
        fprintf(stderr, "reelay: wrote %s (%dx%d, viewport %gx%g, %zu wireframes%s)\n", args->output,
                cairo_image_surface_get_width(surface), cairo_image_surface_get_height(surface), vw, vh,
                info.nodes_painted, info.has_content ? "" : ", nothing on screen yet");
    if (surface) cairo_surface_destroy(surface);
    reelay_frame_maker_free(maker);
    return rc;
}

int reelay_cmd_frame(int argc, char **argv)
{
    frame_args args;
    int rc = parse_args(argc, argv, &args);
    if (rc != REELAY_OK) return rc < 0 ? REELAY_OK : rc;

    reelay_err err;
    reelay_err_clear(&err);
    reelay_session *session = NULL;
    args.limits.ingest.keep_rrweb_json = args.web_view != REELAY_WEB_VIEW_INTERACTION;
    args.limits.ingest.unmask_inputs = args.unmask_inputs; /* URL parameters too */
    args.limits.ingest.urls = reelay_url_policy_all();
    reelay_s3_config s3;
    if (reelay_cli_remote_access(&s3, &args.posthog, &args.limits.ingest, &err) != REELAY_OK) {
        fprintf(stderr, "reelay: %s\n", err.msg);
        return err.code;
    }
    rc = reelay_ingest_path(args.input, &args.limits.ingest, &session, &err);
    if (rc == REELAY_OK) {
        rc = render_frame(&args, session, &err);
        /* Rendering problems concern the input, not just the file read. */
        if (rc != REELAY_OK && rc != REELAY_E_IO && rc != REELAY_E_USAGE) {
            char shown[REELAY_SHOWN_INPUT_MAX];
            reelay_source_shown_input(args.input, shown, sizeof shown);
            reelay_err_prefix(&err, "%s", shown);
        }
    }
    if (rc != REELAY_OK) fprintf(stderr, "reelay: %s\n", err.msg);
    reelay_session_free(session);
    return rc;
}
