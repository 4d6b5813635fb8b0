#define _GNU_SOURCE /* pipe2, prctl */
#include "engine/xvfb.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/clock.h"

/* Appends a big-endian 16-bit length and the bytes (the Xauthority
 * file's field format). */
static size_t put_field(uint8_t *out, size_t at, const void *bytes, uint16_t len)
{
    out[at] = (uint8_t)(len >> 8);
    out[at + 1] = (uint8_t)len;
    if (len) memcpy(out + at + 2, bytes, len);
    return at + 2 + len;
}

/* One Xauthority entry for any address and display (FamilyWild, empty
 * address and number) holding a fresh random cookie, in a file of its own
 * in a private directory: WebKit's sandbox binds the file by its path into
 * the web process's file system, so it must be a real file (a /proc path
 * of a memfd cannot be bound). */
static int write_cookie(reelay_xvfb *xvfb, const char *private_dir, reelay_err *err)
{
    static const char name[] = "MIT-MAGIC-COOKIE-1";
    uint8_t cookie[16];
    if (getrandom(cookie, sizeof cookie, 0) != (ssize_t)sizeof cookie)
        return reelay_err_set(err, REELAY_E_INTERNAL, "cannot make an X cookie: %s", strerror(errno));
    uint8_t entry[64];
    entry[0] = 0xff; /* FamilyWild */
    entry[1] = 0xff;
    size_t n = put_field(entry, 2, NULL, 0);          /* address */
    n = put_field(entry, n, NULL, 0);                 /* display number */
    n = put_field(entry, n, name, sizeof name - 1);   /* auth name */
    n = put_field(entry, n, cookie, sizeof cookie);   /* auth data */
    int len = snprintf(xvfb->xauthority, sizeof xvfb->xauthority, "%s/Xauthority", private_dir);
    if (len < 0 || (size_t)len >= sizeof xvfb->xauthority) {
        xvfb->xauthority[0] = '\0';
        return reelay_err_set(err, REELAY_E_INTERNAL, "the engine's private directory's name is too long");
    }
    int fd = open(xvfb->xauthority, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    bool written = fd >= 0 && write(fd, entry, n) == (ssize_t)n;
    int saved = errno;
    if (fd >= 0) close(fd);
    if (!written) {
        reelay_xvfb_remove_cookie(xvfb);
        return reelay_err_set(err, REELAY_E_INTERNAL, "cannot write the X cookie: %s", strerror(saved));
    }
    return REELAY_OK;
}

void reelay_xvfb_remove_cookie(reelay_xvfb *xvfb)
{
    if (!xvfb->xauthority[0]) return;
    unlink(xvfb->xauthority);
    xvfb->xauthority[0] = '\0';
}

int reelay_xvfb_start(reelay_xvfb *xvfb, const char *private_dir, double timeout_s, reelay_err *err)
{
    xvfb->pid = -1;
    xvfb->display[0] = '\0';
    xvfb->xauthority[0] = '\0';
    int rc = write_cookie(xvfb, private_dir, err);
    if (rc != REELAY_OK) return rc;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        rc = reelay_err_set(err, REELAY_E_INTERNAL, "cannot make a pipe for Xvfb: %s", strerror(errno));
        reelay_xvfb_stop(xvfb);
        return rc;
    }
    char fd_text[16];
    snprintf(fd_text, sizeof fd_text, "%d", fds[1]);
    char *argv[] = {"Xvfb", "-displayfd", fd_text, "-auth", xvfb->xauthority, "-screen", "0", "640x480x24",
                    "-nolisten", "tcp", "-noreset", "-extension", "GLX", NULL};
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        rc = reelay_err_set(err, REELAY_E_INTERNAL, "cannot fork for Xvfb: %s", strerror(errno));
        reelay_xvfb_stop(xvfb);
        return rc;
    }
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(127);
        int devnull = open("/dev/null", O_RDWR);
        if (devnull >= 0) {
            dup2(devnull, 0);
            dup2(devnull, 1);
            if (!getenv("REELAY_DEBUG")) dup2(devnull, 2);
        }
        fcntl(fds[1], F_SETFD, 0); /* the display number goes here */
        execvp("Xvfb", argv);
        _exit(127);
    }
    close(fds[1]);
    xvfb->pid = pid;
    char text[32] = {0};
    size_t len = 0;
    double deadline = reelay_monotonic_s() + timeout_s;
    while (!memchr(text, '\n', len)) {
        double left = deadline - reelay_monotonic_s();
        if (left <= 0) {
            rc = reelay_err_set(err, REELAY_E_INTERNAL, "Xvfb did not start within %.0f s", timeout_s);
            break;
        }
        struct pollfd p = {.fd = fds[0], .events = POLLIN};
        int ready = poll(&p, 1, (int)(left * 1000) + 1);
        if (ready < 0 && errno == EINTR) continue;
        if (ready <= 0) continue;
        ssize_t n = read(fds[0], text + len, sizeof text - 1 - len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0 || len + (size_t)n >= sizeof text - 1) {
            rc = reelay_err_set(err, REELAY_E_INTERNAL,
                                "Xvfb did not start (is the xvfb package installed? scripts/install-deps.sh)");
            break;
        }
        len += (size_t)n;
        text[len] = '\0';
    }
    close(fds[0]);
    if (rc == REELAY_OK) {
        char *end = NULL;
        long number = strtol(text, &end, 10);
        if (end == text || number < 0)
            rc = reelay_err_set(err, REELAY_E_INTERNAL, "Xvfb named no display");
        else
            snprintf(xvfb->display, sizeof xvfb->display, ":%ld", number);
    }
    if (rc != REELAY_OK) reelay_xvfb_stop(xvfb);
    return rc;
}

void reelay_xvfb_stop(reelay_xvfb *xvfb)
{
    reelay_xvfb_remove_cookie(xvfb);
    if (xvfb->pid <= 0) return;
    kill(xvfb->pid, SIGTERM);
    for (int i = 0; i < 100; i++) { /* up to 1 s, then SIGKILL */
        pid_t done = waitpid(xvfb->pid, NULL, WNOHANG);
        if (done == xvfb->pid || (done < 0 && errno != EINTR)) {
            xvfb->pid = -1;
            return;
        }
        reelay_sleep_s(0.01);
    }
    kill(xvfb->pid, SIGKILL);
    while (waitpid(xvfb->pid, NULL, 0) < 0 && errno == EINTR) {
    }
    xvfb->pid = -1;
}
