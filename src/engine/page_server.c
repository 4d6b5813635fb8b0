#include "engine/page_server.h"

#include <glib/gstdio.h>
#include <math.h>
#include <gtk/gtk.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <webkit2/webkit2.h>

#include "core/buf.h"
#include "engine/assets.h"

#define SCHEME "reelay"
#define PAGE_URI SCHEME "://engine/page.html"
/* How long a seek waits for the replayed page's images to decode. */
#define IMAGE_WAIT_US (2 * G_USEC_PER_SEC)

/* Only the replay page's own scheme and inline data load; the engine makes
 * no network or file request of any kind. */
static const char CONTENT_RULES[] =
    "[{\"trigger\":{\"url-filter\":\".*\"},\"action\":{\"type\":\"block\"}},"
    "{\"trigger\":{\"url-filter\":\"^reelay:\"},\"action\":{\"type\":\"ignore-previous-rules\"}},"
    "{\"trigger\":{\"url-filter\":\"^data:\"},\"action\":{\"type\":\"ignore-previous-rules\"}},"
    "{\"trigger\":{\"url-filter\":\"^blob:\"},\"action\":{\"type\":\"ignore-previous-rules\"}},"
    "{\"trigger\":{\"url-filter\":\"^about:\"},\"action\":{\"type\":\"ignore-previous-rules\"}}]";

struct reelay_page_server {
    int width, height;
    char *assets_dir;
    GtkWidget *window;
    WebKitWebContext *context;
    WebKitUserContentManager *content;
    WebKitWebView *view;
    GBytes *events_js; /* "window.__events=[...];" */
    /* the current asynchronous call */
    gboolean done;
    GError *error;
    JSCValue *value;
    cairo_surface_t *snapshot;
    /* The next seek's call, sent right behind a snapshot request so that
     * WebKit replays it while the snapshot is copied out (WebKit answers a
     * page's requests in order: the snapshot is painted first). */
    struct {
        gboolean sent, done;
        double ts;
        JSCValue *value;
        GError *error;
    } ahead;
    WebKitUserContentFilter *filter;
    gboolean loaded, load_failed;
    char *crash; /* why the web process ended, NULL while it runs */
    reelay_assets *assets; /* opt-in, borrowed; NULL: none */
};

void reelay_page_server_set_assets(reelay_page_server *server, reelay_assets *assets)
{
    server->assets = assets;
}

static int fail_gerror(reelay_err *err, const char *what, GError *error)
{
    reelay_err_set(err, REELAY_E_INTERNAL, "%s: %s", what, error ? error->message : "unknown error");
    if (error) g_error_free(error);
    return REELAY_E_INTERNAL;
}

/* Iterates the main loop until the call in flight finishes or the web
 * process is gone. */
static int wait_done(reelay_page_server *server, reelay_err *err)
{
    while (!server->done && !server->crash) g_main_context_iteration(NULL, TRUE);
    if (server->crash) return reelay_err_set(err, REELAY_E_INTERNAL, "%s", server->crash);
    return REELAY_OK;
}

static GBytes *read_asset(const reelay_page_server *server, const char *name)
{
    char *path = g_build_filename(server->assets_dir, name, NULL);
    gchar *data = NULL;
    gsize len = 0;
    GBytes *bytes = g_file_get_contents(path, &data, &len, NULL) ? g_bytes_new_take(data, len) : NULL;
    g_free(path);
    return bytes;
}

static void on_scheme_request(WebKitURISchemeRequest *request, gpointer user_data)
{
    reelay_page_server *server = user_data;
    const char *path = webkit_uri_scheme_request_get_path(request);
    GBytes *bytes = NULL;
    const char *type = "text/javascript";
    if (path && strncmp(path, "/asset/", 7) == 0) {
        reelay_assets_serve(server->assets, request);
        return;
    }
    if (path && strcmp(path, "/page.html") == 0) {
        bytes = read_asset(server, "page.html");
        type = "text/html";
    } else if (path && strcmp(path, "/rrweb.js") == 0) {
        bytes = read_asset(server, "rrweb.js");
    } else if (path && strcmp(path, "/events.js") == 0 && server->events_js) {
        bytes = g_bytes_ref(server->events_js);
    }
    if (!bytes) {
        GError *error = g_error_new(G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s: not found", path ? path : "?");
        webkit_uri_scheme_request_finish_error(request, error);
        g_error_free(error);
        return;
    }
    GInputStream *stream = g_memory_input_stream_new_from_bytes(bytes);
    webkit_uri_scheme_request_finish(request, stream, (gint64)g_bytes_get_size(bytes), type);
    g_object_unref(stream);
    g_bytes_unref(bytes);
}

/* Only the replay page itself may be navigated to; new windows are never made. */
static gboolean on_decide_policy(WebKitWebView *view, WebKitPolicyDecision *decision, WebKitPolicyDecisionType type,
                                 gpointer user_data)
{
    (void)view;
    (void)user_data;
    if (type == WEBKIT_POLICY_DECISION_TYPE_RESPONSE) return FALSE;
    WebKitNavigationAction *action =
        webkit_navigation_policy_decision_get_navigation_action(WEBKIT_NAVIGATION_POLICY_DECISION(decision));
    const char *uri = webkit_uri_request_get_uri(webkit_navigation_action_get_request(action));
    if (type == WEBKIT_POLICY_DECISION_TYPE_NAVIGATION_ACTION && uri &&
        (strcmp(uri, PAGE_URI) == 0 || strncmp(uri, "about:", 6) == 0)) {
        webkit_policy_decision_use(decision);
        return TRUE;
    }
    webkit_policy_decision_ignore(decision);
    return TRUE;
}

static void on_load_changed(WebKitWebView *view, WebKitLoadEvent event, gpointer user_data)
{
    (void)view;
    reelay_page_server *server = user_data;
    if (event == WEBKIT_LOAD_FINISHED) server->loaded = TRUE;
}

static gboolean on_load_failed(WebKitWebView *view, WebKitLoadEvent event, const char *uri, GError *error,
                               gpointer user_data)
{
    (void)view;
    (void)event;
    (void)uri;
    (void)error;
    reelay_page_server *server = user_data;
    server->load_failed = TRUE;
    return FALSE;
}

static void on_terminated(WebKitWebView *view, WebKitWebProcessTerminationReason reason, gpointer user_data)
{
    (void)view;
    reelay_page_server *server = user_data;
    g_free(server->crash);
    server->crash = g_strdup(reason == WEBKIT_WEB_PROCESS_EXCEEDED_MEMORY_LIMIT
                                 ? "WebKit's web process exceeded its memory limit"
                                 : "WebKit's web process crashed");
}

static void on_filter_saved(GObject *source, GAsyncResult *result, gpointer user_data)
{
    reelay_page_server *server = user_data;
    server->filter =
        webkit_user_content_filter_store_save_finish(WEBKIT_USER_CONTENT_FILTER_STORE(source), result, &server->error);
    server->done = TRUE;
}

/* Compiles the content-blocker rules in a directory of the engine's private
 * one, removed again. */
static int install_filter(reelay_page_server *server, const char *private_dir, reelay_err *err)
{
    char *dir = g_build_filename(private_dir, "filter", NULL);
    if (g_mkdir(dir, 0700) != 0) {
        g_free(dir);
        return reelay_err_set(err, REELAY_E_INTERNAL, "cannot make a directory for the content filter");
    }
    WebKitUserContentFilterStore *store = webkit_user_content_filter_store_new(dir);
    GBytes *rules = g_bytes_new_static(CONTENT_RULES, sizeof CONTENT_RULES - 1);
    server->done = FALSE;
    server->error = NULL;
    webkit_user_content_filter_store_save(store, "reelay-offline", rules, NULL, on_filter_saved, server);
    while (!server->done) g_main_context_iteration(NULL, TRUE);
    g_bytes_unref(rules);
    int rc = REELAY_OK;
    if (!server->filter)
        rc = fail_gerror(err, "cannot compile the content filter", server->error);
    else
        webkit_user_content_manager_add_filter(server->content, server->filter);
    server->error = NULL;
    g_object_unref(store);
    /* the compiled rules are in memory now */
    GDir *listing = g_dir_open(dir, 0, NULL);
    if (listing) {
        const char *name;
        while ((name = g_dir_read_name(listing))) {
            char *path = g_build_filename(dir, name, NULL);
            g_remove(path);
            g_free(path);
        }
        g_dir_close(listing);
    }
    g_rmdir(dir);
    g_free(dir);
    return rc;
}

int reelay_page_server_sandbox_check(reelay_err *err)
{
    /* the namespaces WebKit's launcher unshares for a web process */
    char *argv[] = {"bwrap", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-net", "--die-with-parent",
                    "--ro-bind", "/", "/", "true", NULL};
    char *errors = NULL;
    int status = 0;
    GError *error = NULL;
    gboolean ran = g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                                NULL, &errors, &status, &error);
    int rc = REELAY_OK;
    if (!ran) {
        rc = reelay_err_set(err, REELAY_E_INTERNAL,
                            "WebKit's sandbox needs bubblewrap (bwrap: %s; scripts/install-deps.sh installs it)",
                            error ? error->message : "cannot run");
    } else if (!g_spawn_check_wait_status(status, NULL)) {
        g_strstrip(errors);
        rc = reelay_err_set(err, REELAY_E_INTERNAL,
                            "WebKit's sandbox cannot run here (%.200s); an operator may render without it "
                            "(--no-page-sandbox)",
                            errors && errors[0] ? errors : "bwrap failed");
    }
    g_clear_error(&error);
    g_free(errors);
    return rc;
}

int reelay_page_server_new(int width, int height, const char *assets_dir, const char *private_dir, bool sandbox,
                           reelay_page_server **out, reelay_err *err)
{
    *out = NULL;
    reelay_page_server *server = g_new0(reelay_page_server, 1);
    server->width = width;
    server->height = height;
    server->assets_dir = g_strdup(assets_dir);
    server->context = webkit_web_context_new_ephemeral();
    webkit_web_context_set_cache_model(server->context, WEBKIT_CACHE_MODEL_DOCUMENT_VIEWER);
    webkit_web_context_set_spell_checking_enabled(server->context, FALSE);
    webkit_web_context_set_sandbox_enabled(server->context, sandbox);
    webkit_web_context_register_uri_scheme(server->context, SCHEME, on_scheme_request, server, NULL);
    webkit_security_manager_register_uri_scheme_as_secure(webkit_web_context_get_security_manager(server->context),
                                                          SCHEME);
    server->content = webkit_user_content_manager_new();
    int rc = install_filter(server, private_dir, err);
    if (rc != REELAY_OK) {
        reelay_page_server_free(server);
        return rc;
    }
    /* Media elements stay real elements (rrweb's replayer calls their
     * pause()); they can load nothing and never play on their own. */
    WebKitSettings *settings = webkit_settings_new_with_settings(
        "enable-javascript", TRUE, "enable-page-cache", FALSE, "enable-html5-local-storage", FALSE,
        "enable-html5-database", FALSE, "enable-webaudio", FALSE, "enable-webgl", FALSE, "enable-media", TRUE,
        "enable-media-stream", FALSE, "enable-mediasource", FALSE, "enable-encrypted-media", FALSE,
        "media-playback-requires-user-gesture", TRUE,
        "enable-developer-extras", FALSE, "javascript-can-open-windows-automatically", FALSE,
        "allow-file-access-from-file-urls", FALSE, "allow-universal-access-from-file-urls", FALSE, NULL);
    server->view = WEBKIT_WEB_VIEW(g_object_new(WEBKIT_TYPE_WEB_VIEW, "web-context", server->context, "settings",
                                                settings, "user-content-manager", server->content, NULL));
    g_object_unref(settings);
    g_signal_connect(server->view, "decide-policy", G_CALLBACK(on_decide_policy), server);
    g_signal_connect(server->view, "load-changed", G_CALLBACK(on_load_changed), server);
    g_signal_connect(server->view, "load-failed", G_CALLBACK(on_load_failed), server);
    g_signal_connect(server->view, "web-process-terminated", G_CALLBACK(on_terminated), server);
    server->window = gtk_offscreen_window_new();
    gtk_window_set_default_size(GTK_WINDOW(server->window), width, height);
    gtk_widget_set_size_request(GTK_WIDGET(server->view), width, height);
    gtk_container_add(GTK_CONTAINER(server->window), GTK_WIDGET(server->view));
    gtk_widget_show_all(server->window);
    *out = server;
    return REELAY_OK;
}

/* Iterates the main loop until the call sent ahead (if any) has finished,
 * or the web process is gone. */
static void wait_ahead(reelay_page_server *server)
{
    while (server->ahead.sent && !server->ahead.done && !server->crash) g_main_context_iteration(NULL, TRUE);
}

void reelay_page_server_free(reelay_page_server *server)
{
    if (!server) return;
    /* its callback must not outlive the server */
    wait_ahead(server);
    if (server->ahead.value) g_object_unref(server->ahead.value);
    if (server->ahead.error) g_error_free(server->ahead.error);
    if (server->window) gtk_widget_destroy(server->window);
    if (server->snapshot) cairo_surface_destroy(server->snapshot);
    if (server->filter) webkit_user_content_filter_unref(server->filter);
    if (server->content) g_object_unref(server->content);
    if (server->context) g_object_unref(server->context);
    if (server->events_js) g_bytes_unref(server->events_js);
    g_free(server->assets_dir);
    g_free(server->crash);
    g_free(server);
}

static void on_js_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
    reelay_page_server *server = user_data;
    server->value = webkit_web_view_evaluate_javascript_finish(WEBKIT_WEB_VIEW(source), result, &server->error);
    server->done = TRUE;
}

/* A call's outcome (taking value and error): *number is its numeric
 * result (0 otherwise). */
static int js_number(JSCValue *value, GError *error, double *number, reelay_err *err)
{
    if (!value) return fail_gerror(err, "the replay page failed", error);
    if (error) g_error_free(error);
    *number = jsc_value_is_number(value) ? jsc_value_to_double(value) : 0;
    g_object_unref(value);
    return REELAY_OK;
}

/* Runs script in the page; *number is its numeric result (0 otherwise). */
static int run_js(reelay_page_server *server, const char *script, double *number, reelay_err *err)
{
    server->done = FALSE;
    server->error = NULL;
    server->value = NULL;
    webkit_web_view_evaluate_javascript(server->view, script, -1, NULL, NULL, NULL, on_js_done, server);
    if (wait_done(server, err) != REELAY_OK) return err->code;
    JSCValue *value = server->value;
    GError *error = server->error;
    server->value = NULL;
    server->error = NULL;
    return js_number(value, error, number, err);
}

static void on_ahead_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
    reelay_page_server *server = user_data;
    server->ahead.value =
        webkit_web_view_evaluate_javascript_finish(WEBKIT_WEB_VIEW(source), result, &server->ahead.error);
    server->ahead.done = TRUE;
}

static void seek_script(double ts, char *script, size_t size)
{
    snprintf(script, size, "window.__seek(%.3f)", ts);
}

/* Seeks the replayer to ts: *busy is what window.__seek answered (pending
 * images, or -1 after an error). Takes the call sent ahead when there is one. */
static int seek_to(reelay_page_server *server, double ts, double *busy, reelay_err *err)
{
    char script[96];
    if (server->ahead.sent) {
        wait_ahead(server);
        if (server->crash) return reelay_err_set(err, REELAY_E_INTERNAL, "%s", server->crash);
        JSCValue *value = server->ahead.value;
        GError *error = server->ahead.error;
        server->ahead.sent = server->ahead.done = FALSE;
        server->ahead.value = NULL;
        server->ahead.error = NULL;
        int rc = js_number(value, error, busy, err);
        if (rc != REELAY_OK || server->ahead.ts == ts) return rc;
        /* another time was asked for than announced: seek there too */
    }
    seek_script(ts, script, sizeof script);
    return run_js(server, script, busy, err);
}

static int page_error(reelay_page_server *server, reelay_err *err)
{
    double has_error = 0;
    if (run_js(server, "window.__error ? 1 : 0", &has_error, err) != REELAY_OK) return err->code;
    if (!has_error) return REELAY_OK;
    server->done = FALSE;
    server->value = NULL;
    webkit_web_view_evaluate_javascript(server->view, "String(window.__error)", -1, NULL, NULL, NULL, on_js_done,
                                        server);
    if (wait_done(server, err) != REELAY_OK) return err->code;
    char *text = server->value ? jsc_value_to_string(server->value) : NULL;
    reelay_err_set(err, REELAY_E_INPUT, "rrweb's replayer failed: %s", text ? text : "unknown error");
    g_free(text);
    if (server->value) g_object_unref(server->value);
    server->value = NULL;
    if (server->error) g_error_free(server->error);
    server->error = NULL;
    return REELAY_E_INPUT;
}

/* Between page frames the window is hidden: a shown view has the web
 * process paint every change into a fresh shared bitmap and the UI process
 * merge it into the view's backing store, all of it thrown away because the
 * snapshot repaints the whole page anyway (about a third of a frame's CPU on
 * the public recording). A snapshot of the hidden view is the same page:
 * WebKit lays out and paints it for the snapshot itself. The window is shown
 * again while images are pending, since WebKit starts lazy images only in
 * the rendering updates of a shown page. */
static void set_shown(reelay_page_server *server, gboolean shown)
{
    if (shown == gtk_widget_get_visible(server->window)) return;
    if (shown)
        gtk_widget_show(server->window);
    else
        gtk_widget_hide(server->window);
}

int reelay_page_server_load(reelay_page_server *server, char *events_json, size_t len, reelay_err *err)
{
    /* with assets, page.html also waits for CSS images and fonts */
    const char *head = server->assets ? "window.__assets=true;window.__events=" : "window.__events=";
    static const char tail[] = ";\n";
    size_t head_len = strlen(head);
    size_t total = head_len + len + sizeof tail - 1;
    char *js = g_malloc(total);
    memcpy(js, head, head_len);
    memcpy(js + head_len, events_json, len);
    memcpy(js + head_len + len, tail, sizeof tail - 1);
    free(events_json);
    if (server->events_js) g_bytes_unref(server->events_js);
    server->events_js = g_bytes_new_take(js, total);
    server->loaded = server->load_failed = FALSE;
    set_shown(server, TRUE); /* the replayer starts as in a shown page */
    webkit_web_view_load_uri(server->view, PAGE_URI);
    while (!server->loaded && !server->load_failed && !server->crash) g_main_context_iteration(NULL, TRUE);
    if (server->crash) return reelay_err_set(err, REELAY_E_INTERNAL, "%s", server->crash);
    if (server->load_failed) return reelay_err_set(err, REELAY_E_INTERNAL, "the replay page did not load");
    double ready = 0;
    if (run_js(server, "window.__ready === true ? 1 : 0", &ready, err) != REELAY_OK) return err->code;
    if (!ready) {
        if (page_error(server, err) != REELAY_OK) return err->code;
        return reelay_err_set(err, REELAY_E_INTERNAL,
                              "rrweb's replayer did not start (is %s/rrweb.js rrweb's UMD bundle?)",
                              server->assets_dir);
    }
    /* the bundle's text is not needed again */
    g_bytes_unref(server->events_js);
    server->events_js = NULL;
    set_shown(server, FALSE);
    return REELAY_OK;
}

static void on_snapshot(GObject *source, GAsyncResult *result, gpointer user_data)
{
    reelay_page_server *server = user_data;
    server->snapshot = webkit_web_view_get_snapshot_finish(WEBKIT_WEB_VIEW(source), result, &server->error);
    server->done = TRUE;
}

int reelay_page_server_seek(reelay_page_server *server, double ts, double next_ts, uint8_t *dst, size_t stride,
                            reelay_err *err)
{
    double busy = 0;
    if (seek_to(server, ts, &busy, err) != REELAY_OK) return err->code;
    if (busy < 0 && page_error(server, err) != REELAY_OK) return err->code;
    gint64 until = g_get_monotonic_time() + IMAGE_WAIT_US;
    if (busy > 0) set_shown(server, TRUE);
    while (busy > 0 && g_get_monotonic_time() < until) {
        g_usleep(2000);
        while (g_main_context_iteration(NULL, FALSE)) {
        }
        if (run_js(server, "window.__busy()", &busy, err) != REELAY_OK) return err->code;
    }
    set_shown(server, FALSE);
    if (server->snapshot) cairo_surface_destroy(server->snapshot);
    server->snapshot = NULL;
    server->done = FALSE;
    server->error = NULL;
    webkit_web_view_get_snapshot(server->view, WEBKIT_SNAPSHOT_REGION_VISIBLE, WEBKIT_SNAPSHOT_OPTIONS_NONE, NULL,
                                 on_snapshot, server);
    if (isfinite(next_ts)) {
        char script[96];
        seek_script(next_ts, script, sizeof script);
        server->ahead.sent = TRUE;
        server->ahead.done = FALSE;
        server->ahead.ts = next_ts;
        webkit_web_view_evaluate_javascript(server->view, script, -1, NULL, NULL, NULL, on_ahead_done, server);
    }
    if (wait_done(server, err) != REELAY_OK) return err->code;
    if (!server->snapshot) {
        GError *error = server->error;
        server->error = NULL;
        return fail_gerror(err, "WebKit gave no snapshot", error);
    }
    cairo_surface_t *snap = server->snapshot;
    cairo_surface_flush(snap);
    if (cairo_image_surface_get_format(snap) != CAIRO_FORMAT_ARGB32 &&
        cairo_image_surface_get_format(snap) != CAIRO_FORMAT_RGB24)
        return reelay_err_set(err, REELAY_E_INTERNAL, "WebKit's snapshot is not a 32-bit image");
    int sw = cairo_image_surface_get_width(snap), sh = cairo_image_surface_get_height(snap);
    int sstride = cairo_image_surface_get_stride(snap);
    const uint8_t *src = cairo_image_surface_get_data(snap);
    size_t row = (size_t)server->width * 4;
    size_t copied = (size_t)(sw < server->width ? sw : server->width) * 4;
    for (int y = 0; y < server->height; y++) {
        uint8_t *out = dst + (size_t)y * stride;
        size_t done = 0;
        if (y < sh) {
            memcpy(out, src + (size_t)y * (size_t)sstride, copied);
            done = copied;
        }
        memset(out + done, 0xff, row - done); /* white where the snapshot falls short */
    }
    /* its shared memory is not needed until the next page frame */
    cairo_surface_destroy(server->snapshot);
    server->snapshot = NULL;
    return REELAY_OK;
}

void reelay_page_server_set_zoom(reelay_page_server *server, double zoom)
{
    webkit_web_view_set_zoom_level(server->view, zoom);
}
