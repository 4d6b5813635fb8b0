/* xvfb.h — the page engine's own X server.
 * Owns: starting Xvfb on a free display it picks itself (-displayfd), its
 * access cookie, and stopping it. The server dies with the engine
 * (PR_SET_PDEATHSIG) and stays in the engine's process group, so killing
 * the group or the engine ends it. The display shows recorded pages (user
 * data): only holders of a random MIT-MAGIC-COOKIE-1 may connect, so other
 * local users cannot. The cookie is a file in the private directory reelay
 * made for the engine (mode 0700; reelay removes the directory whatever way
 * the engine ends): WebKit's sandbox binds it by path into the web process.
 * Every X client reads it only to connect, so the engine removes it once
 * WebKit's processes have connected (reelay_xvfb_remove_cookie); stopping
 * removes it too. Set XAUTHORITY to it before connecting. */
#ifndef REELAY_ENGINE_XVFB_H
#define REELAY_ENGINE_XVFB_H

#include <sys/types.h>

#include "core/error.h"

typedef struct reelay_xvfb {
    pid_t pid;
    char display[32];     /* ":N" */
    char xauthority[4120]; /* private_dir/Xauthority: the cookie, for XAUTHORITY; "" once removed */
} reelay_xvfb;

/* Starts Xvfb, its cookie in private_dir, and waits (at most timeout_s)
 * for it to name its display. */
int reelay_xvfb_start(reelay_xvfb *xvfb, const char *private_dir, double timeout_s, reelay_err *err);

/* Removes the cookie file (clients that connected stay connected; new ones
 * cannot). Idempotent. */
void reelay_xvfb_remove_cookie(reelay_xvfb *xvfb);

/* Terminates and reaps it and drops the cookie (a no-op when it is not
 * running). */
void reelay_xvfb_stop(reelay_xvfb *xvfb);

#endif
