/* engine.h — `reelay __page-engine`, the web page engine process.
 * Owns: the engine's life: its arguments (the socket and shared-memory fds
 * the client passes, the page size, the assets directory, an optional X
 * display), its own Xvfb when no display is given (engine/xvfb.h), GTK's
 * start, and the request loop of engine/wire.h over engine/page_server.h.
 * Started only by renderers/web/page_engine.c (the re-exec'd reelay binary);
 * not a user command, so not in the usage text. Exits 0 after QUIT, 4 after
 * reporting an error line. */
#ifndef REELAY_ENGINE_ENGINE_H
#define REELAY_ENGINE_ENGINE_H

#define REELAY_PAGE_ENGINE_COMMAND "__page-engine"

int reelay_cmd_page_engine(int argc, char **argv);

#endif
