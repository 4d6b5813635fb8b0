/* engine.h — reelay-page-engine, the web page engine process.
 * Owns: the engine's life: its arguments (the socket and shared-memory fds
 * the client passes, the page size, the assets directory, an optional X
 * display), its own Xvfb when no display is given (engine/xvfb.h), GTK's
 * start, and the request loop of engine/wire.h over engine/page_server.h.
 * A program of its own (src/engine/main.c), the only one linked with
 * WebKitGTK, started only by renderers/web/page_engine.c; not a user
 * command. Exits 0 after QUIT, 4 after reporting an error line. */
#ifndef REELAY_ENGINE_ENGINE_H
#define REELAY_ENGINE_ENGINE_H

/* The engine program's file name, beside reelay (a build tree) or in
 * ../libexec/reelay from it (an installation). */
#define REELAY_PAGE_ENGINE_PROGRAM "reelay-page-engine"

/* The engine's main: argv[0] is the program, then its options in pairs. */
int reelay_cmd_page_engine(int argc, char **argv);

#endif
