/* xvfb.h — the page engine's own X server.
 * Owns: starting Xvfb on a free display it picks itself (-displayfd), and
 * stopping it. The server dies with the engine (PR_SET_PDEATHSIG) and stays
 * in the engine's process group, so killing the group or the engine ends it. */
#ifndef REELAY_ENGINE_XVFB_H
#define REELAY_ENGINE_XVFB_H

#include <sys/types.h>

#include "core/error.h"

typedef struct reelay_xvfb {
    pid_t pid;
    char display[32]; /* ":N" */
} reelay_xvfb;

/* Starts Xvfb and waits (at most timeout_s) for it to name its display. */
int reelay_xvfb_start(reelay_xvfb *xvfb, double timeout_s, reelay_err *err);

/* Terminates and reaps it (a no-op when it is not running). */
void reelay_xvfb_stop(reelay_xvfb *xvfb);

#endif
