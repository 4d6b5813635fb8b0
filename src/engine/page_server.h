/* page_server.h — the page engine's WebKit side (runs inside reelay-page-engine).
 * Owns: one WebKitGTK web view of the recorded viewport's size in an
 * offscreen window, the reelay:// scheme that serves the replay page
 * (page.html), rrweb's bundle (rrweb.js) and the events (events.js) from
 * memory and the assets directory, and nothing else: a content-blocker rule
 * set blocks every other URL (http(s), ws(s), ftp, file: — only reelay:,
 * data:, blob: and about: load), navigations away are refused, and the
 * context is ephemeral (nothing written to disk). Seeking runs rrweb's
 * Replayer.pause(t) and copies webkit_web_view_get_snapshot() out as BGRA;
 * the window is hidden between page frames (shown while the page loads and
 * while a frame's images are pending), so WebKit paints only for snapshots.
 * With the sandbox on, WebKit runs its web process under bubblewrap (its own
 * namespaces, no network, only the system's libraries and fonts visible).
 * gtk_init must have been called on this thread; everything stays on it. */
#ifndef REELAY_ENGINE_PAGE_SERVER_H
#define REELAY_ENGINE_PAGE_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

typedef struct reelay_page_server reelay_page_server;

/* Whether WebKit's sandbox can run here: bubblewrap is installed and may
 * make the namespaces WebKit asks for (containers often forbid them). The
 * error says why not. */
int reelay_page_server_sandbox_check(reelay_err *err);

/* assets_dir holds page.html and rrweb.js; private_dir (mode 0700, the
 * engine's) is where WebKit's content filter is compiled. sandbox: run the
 * web process under WebKit's bubblewrap sandbox (check it first). */
int reelay_page_server_new(int width, int height, const char *assets_dir, const char *private_dir, bool sandbox,
                           reelay_page_server **out, reelay_err *err);
void reelay_page_server_free(reelay_page_server *server);

/* Opt-in assets (engine/assets.h; NULL: none, the default): requests for
 * reelay://engine/asset/... go to them. The server does not own them. */
struct reelay_assets;
void reelay_page_server_set_assets(reelay_page_server *server, struct reelay_assets *assets);

/* Loads the replay page over events_json (a JSON array of rrweb events; the
 * server takes ownership of the malloc'ed text) and waits until rrweb is ready. */
int reelay_page_server_load(reelay_page_server *server, char *events_json, size_t len, reelay_err *err);

/* The page at epoch time ts (ms) as width x height BGRA (cairo ARGB32
 * layout) rows of `stride` bytes into dst. next_ts, when finite, is the
 * time the next call will ask for: its seek is sent to WebKit behind this
 * one's snapshot, so the replayer works on it while this page is copied
 * (another time may still be asked for; that seeks again). */
int reelay_page_server_seek(reelay_page_server *server, double ts, double next_ts, uint8_t *dst, size_t stride,
                            reelay_err *err);

/* Device pixels per CSS pixel (WebKit's page zoom): a page laid out at
 * width/zoom x height/zoom CSS px drawn into the width x height view. */
void reelay_page_server_set_zoom(reelay_page_server *server, double zoom);

#endif
