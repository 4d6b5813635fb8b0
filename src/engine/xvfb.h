/* xvfb.h — the page engine's own X server.
 * Owns: starting Xvfb on a free display it picks itself (-displayfd), its
 * access cookie, and stopping it. The server dies with the engine
 * (PR_SET_PDEATHSIG) and stays in the engine's process group, so killing
 * the group or the engine ends it. The display shows recorded pages (user
 * data): only holders of a random MIT-MAGIC-COOKIE-1 may connect, so other
 * local users cannot. The cookie lives in a memfd of the engine's, named by
 * a /proc path (xauthority), so nothing is left on disk whatever ends the
 * engine; set XAUTHORITY to it before connecting. */
#ifndef REELAY_ENGINE_XVFB_H
#define REELAY_ENGINE_XVFB_H

#include <sys/types.h>

#include "core/error.h"

typedef struct reelay_xvfb {
    pid_t pid;
    char display[32];     /* ":N" */
    char xauthority[64];  /* "/proc/PID/fd/N": the cookie, for XAUTHORITY */
    int cookie_fd;        /* -1 when none */
} reelay_xvfb;

/* Starts Xvfb and waits (at most timeout_s) for it to name its display. */
int reelay_xvfb_start(reelay_xvfb *xvfb, double timeout_s, reelay_err *err);

/* Terminates and reaps it and drops the cookie (a no-op when it is not
 * running). */
void reelay_xvfb_stop(reelay_xvfb *xvfb);

#endif
