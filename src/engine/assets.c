#define _GNU_SOURCE /* realpath */
#include "engine/assets.h"

#include <errno.h>
#include <jansson.h>
#include <libsoup/soup.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "net/address.h"

struct reelay_assets {
    char *dir;         /* realpath of the assets directory, or NULL */
    char **hosts;      /* allow-list, lower case, NULL-terminated; NULL: no fetching */
    char *cache_dir;   /* when fetching */
    SoupSession *session;
    GResolver *resolver;
    /* URL -> the other requests for it while it is being fetched (a
     * GPtrArray of WebKitURISchemeRequest, answered with the first) */
    GHashTable *waiting;
};

int reelay_assets_new(const char *dir, const char *fetch_hosts, const char *cache_dir, reelay_assets **out,
                      reelay_err *err)
{
    *out = NULL;
    reelay_assets *a = g_new0(reelay_assets, 1);
    if (dir) {
        char real[PATH_MAX];
        struct stat st;
        if (!realpath(dir, real) || stat(real, &st) != 0 || !S_ISDIR(st.st_mode)) {
            reelay_err_set(err, REELAY_E_USAGE, "--assets %s: not a directory (%s)", dir, strerror(errno));
            reelay_assets_free(a);
            return REELAY_E_USAGE;
        }
        a->dir = g_strdup(real);
    }
    if (fetch_hosts && fetch_hosts[0]) {
        a->hosts = g_strsplit(fetch_hosts, ",", -1);
        for (char **h = a->hosts; *h; h++) {
            char *lower = g_ascii_strdown(g_strstrip(*h), -1);
            g_free(*h);
            *h = lower;
        }
        if (cache_dir) {
            a->cache_dir = g_strdup(cache_dir);
        } else {
            a->cache_dir = g_build_filename(g_get_user_cache_dir(), "reelay", "assets", NULL);
        }
        if (g_mkdir_with_parents(a->cache_dir, 0700) != 0) {
            reelay_err_set(err, REELAY_E_IO, "cannot make the asset cache %s: %s", a->cache_dir, strerror(errno));
            reelay_assets_free(a);
            return REELAY_E_IO;
        }
        /* No proxy: a proxy would connect to addresses this module never sees. */
        a->session = soup_session_new_with_options("timeout", REELAY_ASSET_TIMEOUT_S, "idle-timeout",
                                                   REELAY_ASSET_TIMEOUT_S, "max-conns", 8, "user-agent",
                                                   "reelay-assets", "proxy-resolver", NULL, NULL);
        a->resolver = g_resolver_get_default();
        a->waiting = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_ptr_array_unref);
    }
    *out = a;
    return REELAY_OK;
}

void reelay_assets_free(reelay_assets *a)
{
    if (!a) return;
    if (a->session) g_object_unref(a->session);
    if (a->resolver) g_object_unref(a->resolver);
    if (a->waiting) g_hash_table_destroy(a->waiting);
    g_strfreev(a->hosts);
    g_free(a->dir);
    g_free(a->cache_dir);
    g_free(a);
}

/* ------------------------------------------------------------ rewriting */

static bool host_allowed(const reelay_assets *a, GUri *uri, bool *literal);
static char *dir_file(const reelay_assets *a, GUri *uri);

/* Whether url may be had (see assets.h); every http(s) URL without assets. */
static bool wanted(const reelay_assets *a, const char *url)
{
    if (!a) return true;
    GUri *uri = g_uri_parse(url, G_URI_FLAGS_NONE, NULL);
    if (!uri) return false;
    bool literal = false, ok = host_allowed(a, uri, &literal);
    if (!ok) {
        char *file = dir_file(a, uri);
        ok = file != NULL;
        g_free(file);
    }
    g_uri_unref(uri);
    return ok;
}

static bool is_http(const char *url)
{
    return g_ascii_strncasecmp(url, "http://", 7) == 0 || g_ascii_strncasecmp(url, "https://", 8) == 0;
}

static void append_asset_url(GString *out, const char *url, size_t len)
{
    char *copy = g_strndup(url, len);
    char *escaped = g_uri_escape_string(copy, NULL, FALSE);
    g_string_append(out, REELAY_ASSET_PREFIX);
    g_string_append(out, escaped);
    g_free(escaped);
    g_free(copy);
}

/* url resolved against base when relative; NULL unless it is http(s). */
static char *absolute_http(const char *url, const char *base)
{
    char *resolved = NULL;
    if (is_http(url))
        resolved = g_strdup(url);
    else if (base && url[0] && strncmp(url, "data:", 5) != 0 && url[0] != '#')
        resolved = g_uri_resolve_relative(base, url, G_URI_FLAGS_NONE, NULL);
    if (resolved && !is_http(resolved)) {
        g_free(resolved);
        resolved = NULL;
    }
    return resolved;
}

char *reelay_assets_rewrite_css(const reelay_assets *assets, const char *css, const char *base)
{
    GString *out = g_string_sized_new(strlen(css) + 64);
    const char *p = css;
    while (*p) {
        bool is_url = g_ascii_strncasecmp(p, "url(", 4) == 0;
        bool is_import = !is_url && g_ascii_strncasecmp(p, "@import", 7) == 0;
        if (!is_url && !is_import) {
            g_string_append_c(out, *p++);
            continue;
        }
        const char *start = p + (is_url ? 4 : 7);
        const char *q = start;
        while (*q == ' ' || *q == '\t' || *q == '\n') q++;
        char quote = (*q == '"' || *q == '\'') ? *q : 0;
        if (is_import && !quote) { /* @import url(...) is handled at its url( */
            g_string_append_len(out, p, start - p);
            p = start;
            continue;
        }
        const char *begin = quote ? q + 1 : q;
        const char *end = begin;
        while (*end && (quote ? *end != quote : (*end != ')' && *end != ' ' && *end != '\n'))) end++;
        if (!*end) {
            g_string_append(out, p);
            break;
        }
        char *url = g_strndup(begin, (gsize)(end - begin));
        char *absolute = absolute_http(url, base);
        if (absolute && !wanted(assets, absolute)) {
            g_free(absolute);
            absolute = NULL;
        }
        g_string_append_len(out, p, begin - p);
        if (absolute)
            append_asset_url(out, absolute, strlen(absolute));
        else
            g_string_append(out, url);
        g_free(absolute);
        g_free(url);
        p = end;
    }
    return g_string_free(out, FALSE);
}

static char *rewrite_url_text(const reelay_assets *assets, const char *value, bool srcset)
{
    if (!srcset) {
        if (!is_http(value) || !wanted(assets, value)) return NULL;
        GString *out = g_string_new(NULL);
        append_asset_url(out, value, strlen(value));
        return g_string_free(out, FALSE);
    }
    if (strstr(value, "data:")) return NULL; /* commas inside data: URLs */
    GString *out = g_string_new(NULL);
    bool changed = false;
    const char *p = value;
    while (*p) {
        while (*p == ' ' || *p == ',' || *p == '\n') g_string_append_c(out, *p++);
        const char *end = p;
        while (*end && *end != ' ' && *end != ',') end++;
        char *candidate = g_strndup(p, (gsize)(end - p));
        bool rewrite = end > p && is_http(candidate) && wanted(assets, candidate);
        g_free(candidate);
        if (rewrite) {
            append_asset_url(out, p, (size_t)(end - p));
            changed = true;
        } else {
            g_string_append_len(out, p, end - p);
        }
        while (*end && *end != ',') g_string_append_c(out, *end++);
        p = end;
    }
    if (!changed) {
        g_string_free(out, TRUE);
        return NULL;
    }
    return g_string_free(out, FALSE);
}

static bool is_url_attribute(const char *name)
{
    static const char *const names[] = {"src", "href", "poster", "data", "xlink:href", "background"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i]) == 0) return true;
    return false;
}

static void set_string(json_t *object, const char *key, char *value)
{
    if (!value) return;
    json_object_set_new(object, key, json_string(value));
    g_free(value);
}

/* Walks one JSON value: `in_attributes` when it is an attributes map (a
 * node's or a mutation's), `css` when every string in it is CSS (a style
 * map of a mutation). */
static void rewrite_value(const reelay_assets *assets, json_t *value, bool in_attributes, bool css)
{
    if (json_is_array(value)) {
        size_t i;
        json_t *item;
        json_array_foreach(value, i, item) rewrite_value(assets, item, false, css);
        return;
    }
    if (!json_is_object(value)) return;
    const char *key;
    json_t *item;
    bool style_text = json_is_true(json_object_get(value, "isStyle"));
    void *iter = json_object_iter(value);
    while (iter) {
        key = json_object_iter_key(iter);
        item = json_object_iter_value(iter);
        iter = json_object_iter_next(value, iter);
        if (json_is_string(item)) {
            const char *text = json_string_value(item);
            if (css || (in_attributes && (strcmp(key, "style") == 0 || strcmp(key, "_cssText") == 0)) ||
                strcmp(key, "rule") == 0 || (style_text && strcmp(key, "textContent") == 0))
                set_string(value, key, strstr(text, "url(") || strstr(text, "@import")
                                           ? reelay_assets_rewrite_css(assets, text, NULL)
                                           : NULL);
            else if (in_attributes && is_url_attribute(key))
                set_string(value, key, rewrite_url_text(assets, text, false));
            else if (in_attributes && strcmp(key, "srcset") == 0)
                set_string(value, key, rewrite_url_text(assets, text, true));
        } else {
            bool attributes = strcmp(key, "attributes") == 0 && json_is_object(item);
            bool style_map = in_attributes && strcmp(key, "style") == 0;
            bool declaration = strcmp(key, "set") == 0;
            rewrite_value(assets, item, attributes, css || style_map || declaration);
        }
    }
}

int reelay_assets_rewrite_events(const reelay_assets *assets, char **json, size_t *len, reelay_err *err)
{
    if (!assets || (!assets->dir && !assets->hosts)) return REELAY_OK;
    json_error_t error;
    json_t *events = json_loadb(*json, *len, JSON_ALLOW_NUL, &error);
    if (!events) return reelay_err_set(err, REELAY_E_INPUT, "events: %s", error.text);
    rewrite_value(assets, events, false, false);
    char *text = json_dumps(events, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(events);
    if (!text) return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory rewriting the events");
    free(*json);
    *json = text;
    *len = strlen(text);
    return REELAY_OK;
}

/* -------------------------------------------------------------- serving */

bool reelay_assets_address_private(GInetAddress *address)
{
    int family = g_inet_address_get_family(address) == G_SOCKET_FAMILY_IPV6 ? AF_INET6 : AF_INET;
    return reelay_address_private(family, g_inet_address_to_bytes(address));
}

static const char *type_of(const char *path)
{
    static const struct {
        const char *ext, *type;
    } types[] = {{".css", "text/css"},   {".woff2", "font/woff2"}, {".woff", "font/woff"},  {".ttf", "font/ttf"},
                 {".otf", "font/otf"},   {".png", "image/png"},    {".jpg", "image/jpeg"},  {".jpeg", "image/jpeg"},
                 {".gif", "image/gif"},  {".webp", "image/webp"},  {".svg", "image/svg+xml"}, {".ico", "image/x-icon"},
                 {".avif", "image/avif"}};
    size_t len = strlen(path);
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        size_t n = strlen(types[i].ext);
        if (len >= n && g_ascii_strcasecmp(path + len - n, types[i].ext) == 0) return types[i].type;
    }
    return "application/octet-stream";
}

static void finish_bytes(const reelay_assets *assets, WebKitURISchemeRequest *request, GBytes *bytes,
                         const char *type, const char *url)
{
    if (strncmp(type, "text/css", 8) == 0) {
        /* its own url()s, relative ones against the sheet's URL */
        gsize size = 0;
        const char *data = g_bytes_get_data(bytes, &size);
        char *text = g_strndup(data, size);
        char *css = reelay_assets_rewrite_css(assets, text, url);
        g_free(text);
        bytes = g_bytes_new_take(css, strlen(css));
    } else {
        g_bytes_ref(bytes);
    }
    GInputStream *stream = g_memory_input_stream_new_from_bytes(bytes);
    webkit_uri_scheme_request_finish(request, stream, (gint64)g_bytes_get_size(bytes), type);
    g_object_unref(stream);
    g_bytes_unref(bytes);
}

static void finish_missing(WebKitURISchemeRequest *request, const char *why)
{
    GError *error = g_error_new(G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s", why);
    webkit_uri_scheme_request_finish_error(request, error);
    g_error_free(error);
}

/* The real path of uri's file in the assets directory (g_free it), or NULL. */
static char *dir_file(const reelay_assets *a, GUri *uri)
{
    if (!a->dir || !g_uri_get_host(uri)) return NULL;
    char *path = g_uri_unescape_string(g_uri_get_path(uri), NULL);
    if (!path) return NULL;
    char **parts = g_strsplit(path, "/", -1);
    bool safe = true;
    for (char **p = parts; *p; p++)
        if (strcmp(*p, "..") == 0 || strcmp(*p, ".") == 0) safe = false;
    g_strfreev(parts);
    char host[300];
    if (g_uri_get_port(uri) > 0)
        snprintf(host, sizeof host, "%s:%d", g_uri_get_host(uri), g_uri_get_port(uri));
    else
        snprintf(host, sizeof host, "%s", g_uri_get_host(uri));
    char *lower = g_ascii_strdown(host, -1);
    char *full = g_build_filename(a->dir, lower, path, NULL);
    char real[PATH_MAX];
    struct stat st;
    size_t dir_len = strlen(a->dir);
    char *found = NULL;
    if (safe && !strchr(lower, '/') && realpath(full, real) && strncmp(real, a->dir, dir_len) == 0 &&
        real[dir_len] == '/' && stat(real, &st) == 0 && S_ISREG(st.st_mode) &&
        (gsize)st.st_size <= REELAY_ASSET_MAX_BYTES)
        found = g_strdup(real);
    g_free(full);
    g_free(lower);
    g_free(path);
    return found;
}

static GBytes *from_dir(const reelay_assets *a, GUri *uri)
{
    char *file = dir_file(a, uri);
    gchar *data = NULL;
    gsize size = 0;
    GBytes *bytes = file && g_file_get_contents(file, &data, &size, NULL) ? g_bytes_new_take(data, size) : NULL;
    g_free(file);
    return bytes;
}

static bool host_allowed(const reelay_assets *a, GUri *uri, bool *literal)
{
    const char *host = g_uri_get_host(uri);
    *literal = g_hostname_is_ip_address(host);
    if (!a->hosts || !host) return false;
    char with_port[300];
    snprintf(with_port, sizeof with_port, "%s:%d", host, g_uri_get_port(uri));
    for (char **h = a->hosts; *h; h++) {
        if (g_ascii_strcasecmp(*h, host) == 0 || (g_uri_get_port(uri) > 0 && g_ascii_strcasecmp(*h, with_port) == 0))
            return true;
    }
    return false;
}

static char *cache_path(const reelay_assets *a, const char *url)
{
    char *name = g_compute_checksum_for_string(G_CHECKSUM_SHA256, url, -1);
    char *path = g_build_filename(a->cache_dir, name, NULL);
    g_free(name);
    return path;
}

typedef struct fetch {
    reelay_assets *assets;
    WebKitURISchemeRequest *request;
    char *url;
    bool literal;        /* the host is an IP literal the list names */
    GCancellable *cancellable;
    SoupMessage *message;
    GInputStream *stream;
    GByteArray *data;
} fetch;

static void fetch_free(fetch *f)
{
    if (f->stream) g_object_unref(f->stream);
    if (f->message) g_object_unref(f->message);
    g_object_unref(f->cancellable);
    g_object_unref(f->request);
    if (f->data) g_byte_array_unref(f->data);
    g_free(f->url);
    g_free(f);
}

/* The requests that waited for f's URL (none may be left in the table). */
static GPtrArray *take_waiting(fetch *f)
{
    gpointer key = NULL, value = NULL;
    if (!g_hash_table_steal_extended(f->assets->waiting, f->url, &key, &value)) return NULL;
    g_free(key);
    return value;
}

static void fetch_failed(fetch *f, const char *why)
{
    finish_missing(f->request, why);
    GPtrArray *others = take_waiting(f);
    for (guint i = 0; others && i < others->len; i++) finish_missing(others->pdata[i], why);
    if (others) g_ptr_array_unref(others);
    fetch_free(f);
}

static void fetch_done(fetch *f)
{
    GBytes *bytes = g_byte_array_free_to_bytes(f->data);
    f->data = NULL;
    char *path = cache_path(f->assets, f->url);
    gsize size = 0;
    const char *data = g_bytes_get_data(bytes, &size);
    g_file_set_contents(path, data, (gssize)size, NULL); /* a cache: failing to keep it is not an error */
    g_free(path);
    const char *type = soup_message_headers_get_content_type(soup_message_get_response_headers(f->message), NULL);
    finish_bytes(f->assets, f->request, bytes, type ? type : type_of(f->url), f->url);
    GPtrArray *others = take_waiting(f);
    for (guint i = 0; others && i < others->len; i++)
        finish_bytes(f->assets, others->pdata[i], bytes, type ? type : type_of(f->url), f->url);
    if (others) g_ptr_array_unref(others);
    g_bytes_unref(bytes);
    fetch_free(f);
}

static void on_read(GObject *source, GAsyncResult *result, gpointer user_data)
{
    fetch *f = user_data;
    GBytes *chunk = g_input_stream_read_bytes_finish(G_INPUT_STREAM(source), result, NULL);
    if (!chunk) {
        fetch_failed(f, "read failed");
        return;
    }
    gsize size = g_bytes_get_size(chunk);
    if (size == 0) {
        g_bytes_unref(chunk);
        fetch_done(f);
        return;
    }
    if (f->data->len + size > REELAY_ASSET_MAX_BYTES) {
        g_bytes_unref(chunk);
        fetch_failed(f, "too large");
        return;
    }
    g_byte_array_append(f->data, g_bytes_get_data(chunk, NULL), (guint)size);
    g_bytes_unref(chunk);
    g_input_stream_read_bytes_async(f->stream, 65536, G_PRIORITY_DEFAULT, f->cancellable, on_read, f);
}

static void on_sent(GObject *source, GAsyncResult *result, gpointer user_data)
{
    fetch *f = user_data;
    f->stream = soup_session_send_finish(SOUP_SESSION(source), result, NULL);
    if (!f->stream || soup_message_get_status(f->message) != SOUP_STATUS_OK) {
        fetch_failed(f, "not fetched");
        return;
    }
    goffset length = soup_message_headers_get_content_length(soup_message_get_response_headers(f->message));
    if (length > (goffset)REELAY_ASSET_MAX_BYTES) {
        fetch_failed(f, "too large");
        return;
    }
    f->data = g_byte_array_new();
    g_input_stream_read_bytes_async(f->stream, 65536, G_PRIORITY_DEFAULT, f->cancellable, on_read, f);
}

/* The second check: the address actually connected to, after soup's own
 * resolution (a name may resolve differently the second time). */
static void on_network_event(SoupMessage *message, GSocketClientEvent event, GIOStream *connection,
                             gpointer user_data)
{
    (void)message;
    fetch *f = user_data;
    if (event != G_SOCKET_CLIENT_CONNECTING || f->literal || !G_IS_SOCKET_CONNECTION(connection)) return;
    GSocketAddress *remote = g_socket_connection_get_remote_address(G_SOCKET_CONNECTION(connection), NULL);
    bool refuse = !remote || !G_IS_INET_SOCKET_ADDRESS(remote) ||
                  reelay_assets_address_private(g_inet_socket_address_get_address(G_INET_SOCKET_ADDRESS(remote)));
    if (remote) g_object_unref(remote);
    if (refuse) g_cancellable_cancel(f->cancellable);
}

static void start_request(fetch *f)
{
    f->message = soup_message_new("GET", f->url);
    if (!f->message) {
        fetch_failed(f, "bad URL");
        return;
    }
    soup_message_add_flags(f->message, SOUP_MESSAGE_NO_REDIRECT);
    g_signal_connect(f->message, "network-event", G_CALLBACK(on_network_event), f);
    soup_session_send_async(f->assets->session, f->message, G_PRIORITY_DEFAULT, f->cancellable, on_sent, f);
}

static void on_resolved(GObject *source, GAsyncResult *result, gpointer user_data)
{
    fetch *f = user_data;
    GList *addresses = g_resolver_lookup_by_name_finish(G_RESOLVER(source), result, NULL);
    bool refuse = addresses == NULL;
    for (GList *l = addresses; l; l = l->next)
        if (reelay_assets_address_private(l->data)) refuse = true;
    g_resolver_free_addresses(addresses);
    if (refuse) {
        fetch_failed(f, "the host has no public address");
        return;
    }
    start_request(f);
}

void reelay_assets_serve(reelay_assets *a, WebKitURISchemeRequest *request)
{
    const char *uri_text = webkit_uri_scheme_request_get_uri(request);
    size_t prefix = strlen(REELAY_ASSET_PREFIX);
    char *url = a && uri_text && strncmp(uri_text, REELAY_ASSET_PREFIX, prefix) == 0
                    ? g_uri_unescape_string(uri_text + prefix, NULL)
                    : NULL;
    GUri *uri = url && is_http(url) ? g_uri_parse(url, G_URI_FLAGS_NONE, NULL) : NULL;
    GBytes *bytes = uri ? from_dir(a, uri) : NULL;
    if (bytes) {
        finish_bytes(a, request, bytes, type_of(g_uri_get_path(uri)), url);
        g_bytes_unref(bytes);
    } else if (uri && a->session) {
        bool literal = false;
        if (!host_allowed(a, uri, &literal)) {
            finish_missing(request, "not an allowed host");
        } else {
            char *path = cache_path(a, url);
            gchar *data = NULL;
            gsize size = 0;
            if (g_file_get_contents(path, &data, &size, NULL) && size <= REELAY_ASSET_MAX_BYTES) {
                GBytes *cached = g_bytes_new_take(data, size);
                finish_bytes(a, request, cached, type_of(g_uri_get_path(uri)), url);
                g_bytes_unref(cached);
            } else if (g_hash_table_contains(a->waiting, url)) {
                g_free(data);
                g_ptr_array_add(g_hash_table_lookup(a->waiting, url), g_object_ref(request));
            } else {
                g_free(data);
                g_hash_table_insert(a->waiting, g_strdup(url), g_ptr_array_new_with_free_func(g_object_unref));
                fetch *f = g_new0(fetch, 1);
                f->assets = a;
                f->request = g_object_ref(request);
                f->url = g_strdup(url);
                f->literal = literal;
                f->cancellable = g_cancellable_new();
                if (literal)
                    start_request(f);
                else
                    g_resolver_lookup_by_name_async(a->resolver, g_uri_get_host(uri), f->cancellable, on_resolved, f);
            }
            g_free(path);
        }
    } else {
        finish_missing(request, "no such asset");
    }
    if (uri) g_uri_unref(uri);
    g_free(url);
}
