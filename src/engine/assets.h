/* assets.h — the page engine's opt-in assets (runs inside reelay-page-engine).
 * Owns: what a replayed page may load besides the recording. By default
 * nothing (the content blocker of page_server.h refuses every URL). An
 * operator may give
 *  - a directory of fonts, images and style sheets keyed by URL:
 *    DIR/HOST/PATH for http(s)://HOST/PATH (DIR/HOST:PORT/PATH with a port;
 *    the query is ignored), and/or
 *  - an allow-list of hosts to fetch from ("fonts.example.com,cdn.test:8080"):
 *    http and https only, no redirects, each asset at most
 *    REELAY_ASSET_MAX_BYTES within REELAY_ASSET_TIMEOUT_S, kept in an
 *    on-disk cache (a file per URL, named by its SHA-256). A host name may
 *    only reach public addresses (never loopback, private, link-local,
 *    multicast or unspecified ones: its addresses are checked when resolved
 *    and again on connecting); a private address is reachable only when the
 *    list names that very IP literal.
 * The events' absolute http(s) URLs (attributes src, srcset, href of links,
 * poster, data, xlink:href; url() and @import in style attributes, style
 * text, rrweb's _cssText and style-sheet rules) are rewritten to
 * reelay://engine/asset/ESCAPED-URL, which page_server.c hands to
 * reelay_assets_serve, when the asset may be had: its file is in the
 * directory or its host is on the list. Other URLs stay as they are and the
 * content blocker refuses them, so the page shows what it shows offline;
 * an allowed asset that cannot be fetched is a failed load (a broken-image
 * box, as in a browser). Style sheets served this way are rewritten the
 * same way, relative URLs resolved against the sheet's. */
#ifndef REELAY_ENGINE_ASSETS_H
#define REELAY_ENGINE_ASSETS_H

#include <stdbool.h>
#include <stddef.h>
#include <webkit2/webkit2.h>

#include "core/error.h"

#define REELAY_ASSET_PREFIX "reelay://engine/asset/"
#define REELAY_ASSET_MAX_BYTES ((gsize)32 << 20)
#define REELAY_ASSET_TIMEOUT_S 10

typedef struct reelay_assets reelay_assets;

/* dir and fetch_hosts may be NULL; cache_dir (NULL: $XDG_CACHE_HOME or
 * ~/.cache, then reelay/assets) is used only when fetching. */
int reelay_assets_new(const char *dir, const char *fetch_hosts, const char *cache_dir, reelay_assets **out,
                      reelay_err *err);
void reelay_assets_free(reelay_assets *assets);

/* Rewrites the URLs of a JSON array of rrweb events (the text of *json,
 * malloc'ed, replaced by a new malloc'ed text). A no-op without assets. */
int reelay_assets_rewrite_events(const reelay_assets *assets, char **json, size_t *len, reelay_err *err);

/* The text with its CSS url()s and @imports rewritten, relative ones
 * resolved against base (may be NULL); every http(s) URL when assets is
 * NULL. g_free it. */
char *reelay_assets_rewrite_css(const reelay_assets *assets, const char *css, const char *base);

/* True for addresses a host name may never reach (loopback, private,
 * link-local, multicast, unspecified, IPv4-mapped forms of those). */
bool reelay_assets_address_private(GInetAddress *address);

/* Answers a request for REELAY_ASSET_PREFIX... (asynchronously when it
 * fetches). assets may be NULL: every asset is then a 404. */
void reelay_assets_serve(reelay_assets *assets, WebKitURISchemeRequest *request);

#endif
