#include "engine/engine.h"

#include <errno.h>
#include <gtk/gtk.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "engine/assets.h"
#include "engine/page_server.h"
#include "engine/wire.h"
#include "engine/xvfb.h"

/* The largest event payload a LOAD may announce. */
#define MAX_EVENTS_BYTES ((size_t)4 << 30)
#define XVFB_START_S 20.0

typedef struct engine_args {
    int socket_fd, frame_fd;
    int width, height; /* the view, device pixels */
    double zoom;       /* device pixels per CSS pixel */
    const char *assets;
    const char *display; /* NULL: start Xvfb */
    const char *asset_dir, *fetch_hosts; /* opt-in assets, NULL: none */
    bool sandbox;                        /* WebKit's bubblewrap sandbox (--sandbox on|off, default on) */
    const char *private_dir;             /* mode 0700, made and removed by reelay: the X cookie, the filter */
} engine_args;

static int parse_args(int argc, char **argv, engine_args *args, reelay_err *err)
{
    memset(args, 0, sizeof *args);
    args->socket_fd = args->frame_fd = -1;
    args->zoom = 1;
    args->sandbox = true;
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *name = argv[i], *value = argv[i + 1];
        if (strcmp(name, "--socket") == 0) args->socket_fd = atoi(value);
        else if (strcmp(name, "--frame") == 0) args->frame_fd = atoi(value);
        else if (strcmp(name, "--size") == 0) {
            if (sscanf(value, "%dx%d", &args->width, &args->height) != 2) args->width = 0;
        } else if (strcmp(name, "--assets") == 0) args->assets = value;
        else if (strcmp(name, "--display") == 0) args->display = value;
        else if (strcmp(name, "--zoom") == 0) args->zoom = atof(value);
        else if (strcmp(name, "--asset-dir") == 0) args->asset_dir = value;
        else if (strcmp(name, "--private-dir") == 0) args->private_dir = value;
        else if (strcmp(name, "--fetch-hosts") == 0) args->fetch_hosts = value;
        else if (strcmp(name, "--sandbox") == 0 && (strcmp(value, "on") == 0 || strcmp(value, "off") == 0))
            args->sandbox = strcmp(value, "on") == 0;
        else return reelay_err_set(err, REELAY_E_USAGE, "unknown engine option %s", name);
    }
    if (args->socket_fd < 0 || args->frame_fd < 0 || args->width <= 0 || args->height <= 0 || !args->assets ||
        !args->private_dir || !(args->zoom > 0 && args->zoom <= 16))
        return reelay_err_set(err, REELAY_E_USAGE, "the page engine is started by reelay itself");
    return REELAY_OK;
}

/* The request loop; returns after QUIT (REELAY_OK) or on an error. frame
 * holds `slots` frames, one per request in flight. */
static int serve(const engine_args *args, reelay_page_server *server, const reelay_assets *assets, uint8_t *frame,
                 size_t slots, reelay_xvfb *xvfb, reelay_err *err)
{
    reelay_wire_reader reader;
    reelay_wire_reader_init(&reader, args->socket_fd);
    char line[REELAY_WIRE_LINE_MAX];
    size_t stride = (size_t)args->width * 4;
    for (;;) {
        if (reelay_wire_read_line(&reader, line, sizeof line, err) != REELAY_OK) return err->code;
        unsigned long long bytes = 0;
        double ts = 0;
        int slot = -1;
        if (strcmp(line, "QUIT") == 0) return REELAY_OK;
        if (sscanf(line, "LOAD %llu", &bytes) == 1) {
            if (bytes == 0 || bytes > MAX_EVENTS_BYTES)
                return reelay_err_set(err, REELAY_E_INPUT, "events of %llu bytes", bytes);
            char *json = malloc((size_t)bytes);
            if (!json) return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory for %llu bytes of events", bytes);
            if (reelay_wire_read_bytes(&reader, json, (size_t)bytes, err) != REELAY_OK) {
                free(json);
                return err->code;
            }
            size_t len = (size_t)bytes;
            if (reelay_assets_rewrite_events(assets, &json, &len, err) != REELAY_OK) {
                free(json);
                return err->code;
            }
            if (reelay_page_server_load(server, json, len, err) != REELAY_OK) return err->code;
            reelay_xvfb_remove_cookie(xvfb); /* WebKit's processes have connected */
            if (reelay_wire_printf(args->socket_fd, err, "READY") != REELAY_OK) return err->code;
        } else if (sscanf(line, "SEEK %lf %d", &ts, &slot) == 2) {
            if (slot < 0 || (size_t)slot >= slots)
                return reelay_err_set(err, REELAY_E_INTERNAL, "no frame slot %d (%zu made)", slot, slots);
            uint8_t *dst = frame + (size_t)slot * stride * (size_t)args->height;
            /* the next request, when it is already here, is replayed while this page is copied */
            double next_ts = NAN;
            int next_slot;
            if (!reelay_wire_peek_line(&reader, line, sizeof line) ||
                sscanf(line, "SEEK %lf %d", &next_ts, &next_slot) != 2)
                next_ts = NAN;
            if (reelay_page_server_seek(server, ts, next_ts, dst, stride, err) != REELAY_OK) return err->code;
            if (reelay_wire_printf(args->socket_fd, err, "FRAME") != REELAY_OK) return err->code;
        } else {
            return reelay_err_set(err, REELAY_E_INTERNAL, "unknown request '%.60s'", line);
        }
    }
}

int reelay_cmd_page_engine(int argc, char **argv)
{
    reelay_err err;
    reelay_err_clear(&err);
    engine_args args;
    if (parse_args(argc, argv, &args, &err) != REELAY_OK) {
        fprintf(stderr, "reelay: %s\n", err.msg);
        return err.code;
    }
    /* as many frames as reelay made room for */
    size_t frame_bytes = (size_t)args.width * (size_t)args.height * 4;
    struct stat st;
    size_t slots = fstat(args.frame_fd, &st) == 0 && st.st_size > 0 ? (size_t)st.st_size / frame_bytes : 0;
    uint8_t *frame = slots ? mmap(NULL, slots * frame_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, args.frame_fd, 0)
                           : MAP_FAILED;
    reelay_xvfb xvfb = {.pid = -1};
    reelay_page_server *server = NULL;
    reelay_assets *assets = NULL;
    int rc = REELAY_OK;
    if (frame == MAP_FAILED) {
        frame = NULL;
        rc = reelay_err_set(&err, REELAY_E_INTERNAL, "cannot map the frame memory: %s", strerror(errno));
    }
    const char *display = args.display;
    if (rc == REELAY_OK && !display) {
        rc = reelay_xvfb_start(&xvfb, args.private_dir, XVFB_START_S, &err);
        display = xvfb.display;
    }
    if (rc == REELAY_OK) {
        /* GTK reads these at start: an X display only, software painting
         * without WebKit's compositor, no accessibility bus. */
        setenv("DISPLAY", display, 1);
        if (xvfb.xauthority[0]) setenv("XAUTHORITY", xvfb.xauthority, 1);
        setenv("GDK_BACKEND", "x11", 1);
        unsetenv("WAYLAND_DISPLAY");
        setenv("WEBKIT_DISABLE_COMPOSITING_MODE", "1", 1);
        setenv("NO_AT_BRIDGE", "1", 1);
        /* WebKit's sandbox keeps its run-time files there (.flatpak/...):
         * in the private directory, reelay removes them however this ends. */
        setenv("XDG_RUNTIME_DIR", args.private_dir, 1);
        /* WebKit's web process (which inherits this) runs JavaScript with
         * the baseline JIT only: rrweb's replay is short-lived code, for
         * which the optimising tiers (DFG, FTL) cost about 25 MiB more and
         * gain little, and where most JIT flaws are found. The recorded
         * page runs no script at all (rrweb's sandbox). Measured on the
         * public export: 9 ms of JavaScript per page frame against 11 ms
         * without any JIT, for 15 MiB more; same pixels. */
        setenv("JSC_useDFGJIT", "false", 1);
        setenv("JSC_useFTLJIT", "false", 1);
        int gtk_argc = 1;
        char **gtk_argv = argv;
        if (!gtk_init_check(&gtk_argc, &gtk_argv))
            rc = reelay_err_set(&err, REELAY_E_INTERNAL, "GTK cannot open the X display %s", display);
    }
    if (rc == REELAY_OK && (args.asset_dir || args.fetch_hosts))
        rc = reelay_assets_new(args.asset_dir, args.fetch_hosts, NULL, &assets, &err);
    if (rc == REELAY_OK && args.sandbox) rc = reelay_page_server_sandbox_check(&err);
    if (rc == REELAY_OK)
        rc = reelay_page_server_new(args.width, args.height, args.assets, args.private_dir, args.sandbox, &server,
                                    &err);
    if (rc == REELAY_OK) reelay_page_server_set_assets(server, assets);
    if (rc == REELAY_OK && args.zoom != 1) reelay_page_server_set_zoom(server, args.zoom);
    if (rc == REELAY_OK) rc = serve(&args, server, assets, frame, slots, &xvfb, &err);
    if (rc != REELAY_OK) reelay_wire_printf(args.socket_fd, NULL, "ERR %s", err.msg);
    reelay_page_server_free(server);
    reelay_assets_free(assets);
    reelay_xvfb_stop(&xvfb);
    if (frame) munmap(frame, slots * frame_bytes);
    /* WebKit's own processes end when their connection to this one closes. */
    return rc == REELAY_OK ? REELAY_OK : REELAY_E_INTERNAL;
}
