/* page_engine.h — the client of the web page engine process.
 * Owns: the one way into reelay-page-engine (src/engine/engine.h): it
 * executes the engine program beside reelay in a process group of its own
 * (dying with its parent: PR_SET_PDEATHSIG), gives it a socket pair for the
 * requests of src/engine/wire.h, a memfd of W x H BGRA pixels and a private
 * directory (removed at the stop, however the engine ended), sends it
 * one window's rrweb events, asks for the page at a session time and stops
 * it. Every wait has a deadline and watches the whole process group's
 * memory; a crash, a hang or too much memory kills the group (the engine,
 * its Xvfb and WebKit's processes) and becomes one error naming the session
 * time and what happened. Not thread-safe: one engine per caller thread. */
#ifndef REELAY_WEB_PAGE_ENGINE_H
#define REELAY_WEB_PAGE_ENGINE_H

#include <cairo.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

typedef struct reelay_page_engine reelay_page_engine;

/* The largest frame side, in device pixels. */
#define REELAY_PAGE_ENGINE_MAX_SIDE 16384

/* Defaults of the options below. */
#define REELAY_PAGE_ENGINE_START_TIMEOUT_S 60.0
#define REELAY_PAGE_ENGINE_REQUEST_TIMEOUT_S 30.0
#define REELAY_PAGE_ENGINE_MAX_MEMORY ((size_t)2 << 30)

/* Page requests in flight at most (each has a frame of shared memory): the
 * engine draws the coming changes while the caller draws and encodes. */
#define REELAY_PAGE_ENGINE_DEPTH 8

typedef struct reelay_page_engine_options {
    const char *binary;       /* the reelay binary the engine program (and web/) is found beside;
                               * NULL: this process's own */
    const char *display;      /* an X display to use; NULL: the engine starts its own Xvfb */
    const char *assets_dir;   /* page.html and rrweb.js; NULL: the web/ directory next to the
                               * binary, else ../share/reelay/web from it */
    double start_timeout_s;   /* start and LOAD until ready; 0: REELAY_PAGE_ENGINE_START_TIMEOUT_S */
    double request_timeout_s; /* each page frame; 0: REELAY_PAGE_ENGINE_REQUEST_TIMEOUT_S */
    size_t max_memory_bytes;  /* summed RSS of the engine's processes; 0: REELAY_PAGE_ENGINE_MAX_MEMORY */
    /* Opt-in assets (src/engine/assets.h), an operator's choice, never a
     * recording's or a job's: a directory of assets keyed by URL, and hosts
     * the engine may fetch from (comma-separated). NULL: none. */
    const char *asset_dir;
    const char *fetch_hosts;
    /* Run WebKit's web process outside its bubblewrap sandbox: an
     * operator's choice for hosts where bubblewrap cannot make namespaces
     * (most containers); never a job's. false: sandboxed, and the engine
     * fails to start when the sandbox cannot. */
    bool no_sandbox;
    /* Device pixels per CSS pixel: the page is laid out at the size asked
     * for and drawn at that size times zoom (WebKit's page zoom), so a huge
     * viewport fits in a bounded picture. 0: 1. */
    double zoom;
} reelay_page_engine_options;

typedef struct reelay_page_engine_stats {
    double start_s;      /* start until the replayer was ready */
    size_t frames;       /* page frames made */
    double frames_s;     /* wall time the caller waited for them (less than their cost when requested early) */
    size_t peak_rss;     /* bytes, largest summed RSS of the process group seen */
} reelay_page_engine_stats;

/* Starts an engine for a width x height page (CSS px) replaying events_json
 * (a JSON array of rrweb events, reelay_rrweb_json_window) and waits until
 * it is ready. Its frames are width x height times options->zoom pixels
 * (rounded, at most REELAY_PAGE_ENGINE_MAX_SIDE a side). options may be NULL. */
int reelay_page_engine_start(const reelay_page_engine_options *options, int width, int height,
                             const char *events_json, size_t len, reelay_page_engine **out, reelay_err *err);

/* The page at epoch time ts (ms); session_s (seconds from the session
 * start) only names the moment in errors. *page is an RGB24 surface owned by
 * the engine, valid until the next call or the stop. When ts was requested
 * (reelay_page_engine_request) this only collects that page. */
int reelay_page_engine_frame(reelay_page_engine *engine, double ts, double session_s, cairo_surface_t **page,
                             reelay_err *err);

/* Asks for the page at ts without waiting for it: the engine draws it
 * while the caller works on, and reelay_page_engine_frame(ts) collects it.
 * Up to REELAY_PAGE_ENGINE_DEPTH requests are in flight, answered in the
 * order asked: asking for another when that many are waits for the oldest
 * (its page is dropped); asking again for a ts in flight is a no-op. A
 * frame for a ts asked for drops the pages asked for before it; for one not
 * asked for, all of them. The engine draws into its shared memory as soon
 * as it is asked: the surface of reelay_page_engine_frame is valid only
 * until the next call of either function. */
int reelay_page_engine_request(reelay_page_engine *engine, double ts, double session_s, reelay_err *err);

/* Whether a request would not have to drop one in flight. */
bool reelay_page_engine_has_room(const reelay_page_engine *engine);

/* Ends the engine and everything it started (a no-op for NULL). */
void reelay_page_engine_stop(reelay_page_engine *engine);

reelay_page_engine_stats reelay_page_engine_get_stats(const reelay_page_engine *engine);

/* The engine's process id (its process group id too), for tests. */
int reelay_page_engine_pid(const reelay_page_engine *engine);

#endif
