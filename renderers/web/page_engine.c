#define _GNU_SOURCE /* memfd_create, close_range, prctl */
#include "renderers/web/page_engine.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "engine/engine.h"
#include "engine/wire.h"

#define DEFAULT_START_TIMEOUT_S REELAY_PAGE_ENGINE_START_TIMEOUT_S
#define DEFAULT_REQUEST_TIMEOUT_S REELAY_PAGE_ENGINE_REQUEST_TIMEOUT_S
#define DEFAULT_MAX_MEMORY REELAY_PAGE_ENGINE_MAX_MEMORY
#define POLL_SLICE_MS 100
#define QUIT_WAIT_S 5.0

struct reelay_page_engine {
    pid_t pid; /* leader of its own process group; -1 once reaped */
    /* The thread that forked the engine, alive until the stop: the kernel
     * sends PR_SET_PDEATHSIG when the forking *thread* ends, so the engine
     * must not be the child of a caller thread that may end first (a
     * render's drawing thread). It waits on hold[0] until hold[1] closes. */
    pthread_t launcher;
    bool has_launcher;
    int hold[2];
    int sock;
    int width, height;
    uint8_t *pixels;   /* REELAY_PAGE_ENGINE_DEPTH frames, one per slot */
    size_t pixel_bytes; /* of one frame */
    cairo_surface_t *surfaces[REELAY_PAGE_ENGINE_DEPTH];
    reelay_wire_reader reader;
    double request_timeout_s;
    size_t max_memory;
    double memory_checked_s; /* monotonic time of the last check of the group's memory */
    reelay_page_engine_stats stats;
    /* The engine's private directory (mode 0700: its X cookie, WebKit's
     * content filter while it compiles), made here and removed at the stop
     * however the engine ended; "" when none. */
    char private_dir[PATH_MAX];
    int private_lock; /* DIR/lock, flock()ed while reelay lives (-1 when none): see sweep_private_dirs */
    /* SEEKs sent and not yet answered, oldest first; the engine answers in
     * order, each into its slot */
    struct {
        double ts, deadline;
        int slot;
    } pending[REELAY_PAGE_ENGINE_DEPTH];
    int pending_count;
    int next_slot;
};

#define PRIVATE_PREFIX "reelay-engine-"
/* A private directory without its lock file this old is a start that died
 * half-way; a younger one may be a start still under way. */
#define UNLOCKED_GRACE_S 60

static void empty_dir(int dirfd, int depth);

/* Removes the private directories of reelays that died (SIGKILL leaves
 * no chance to remove one, and the engine dies with reelay): a directory
 * whose lock file no one holds (flock works across processes and PID
 * namespaces), or that has none and is older than UNLOCKED_GRACE_S. Only
 * our own directories (same owner, real directories) are touched. */
static void sweep_private_dirs(const char *parent)
{
    int parent_fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *dir = parent_fd >= 0 ? fdopendir(parent_fd) : NULL;
    if (!dir) {
        if (parent_fd >= 0) close(parent_fd);
        return;
    }
    struct dirent *entry;
    while ((entry = readdir(dir))) {
        if (strncmp(entry->d_name, PRIVATE_PREFIX, strlen(PRIVATE_PREFIX)) != 0) continue;
        struct stat st;
        if (fstatat(parent_fd, entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(st.st_mode) ||
            st.st_uid != geteuid())
            continue;
        int fd = openat(parent_fd, entry->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) continue;
        int lock = openat(fd, "lock", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        bool dead = lock >= 0 ? flock(lock, LOCK_EX | LOCK_NB) == 0
                              : difftime(time(NULL), st.st_mtime) > UNLOCKED_GRACE_S;
        if (lock >= 0) close(lock);
        if (dead) {
            empty_dir(fd, 3); /* closes fd */
            unlinkat(parent_fd, entry->d_name, AT_REMOVEDIR);
        } else {
            close(fd);
        }
    }
    closedir(dir);
}

/* A fresh private directory for the engine under the user's runtime
 * directory (in memory) when there is one, else $TMPDIR or /tmp, holding
 * the lock file that tells a later reelay whether its owner still lives. */
static int make_private_dir(reelay_page_engine *engine, reelay_err *err)
{
    const char *parent = getenv("XDG_RUNTIME_DIR");
    if (!parent || parent[0] != '/' || access(parent, W_OK | X_OK) != 0) parent = getenv("TMPDIR");
    if (!parent || parent[0] != '/' || access(parent, W_OK | X_OK) != 0) parent = "/tmp";
    sweep_private_dirs(parent);
    int len = snprintf(engine->private_dir, sizeof engine->private_dir, "%s/" PRIVATE_PREFIX "XXXXXX", parent);
    if (len < 0 || (size_t)len >= sizeof engine->private_dir || !mkdtemp(engine->private_dir)) {
        int saved = errno;
        engine->private_dir[0] = '\0';
        return reelay_err_set(err, REELAY_E_INTERNAL, "cannot make a private directory for the page engine: %s",
                              strerror(saved));
    }
    char lock_path[PATH_MAX + 8];
    snprintf(lock_path, sizeof lock_path, "%s/lock", engine->private_dir);
    /* close-on-exec: the engine must not hold it, or the lock would outlive reelay by the engine's last breath */
    engine->private_lock = open(lock_path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (engine->private_lock < 0 || flock(engine->private_lock, LOCK_EX | LOCK_NB) != 0)
        return reelay_err_set(err, REELAY_E_INTERNAL, "cannot lock the page engine's private directory: %s",
                              strerror(errno));
    return REELAY_OK;
}

/* Removes what dirfd's directory holds, and directories in it down to
 * depth more levels (WebKit's sandbox makes .flatpak/webkit-ID/ in the
 * engine's run-time directory); symbolic links are removed, not followed. */
static void empty_dir(int dirfd, int depth)
{
    DIR *dir = fdopendir(dirfd);
    if (!dir) {
        close(dirfd);
        return;
    }
    struct dirent *entry;
    while ((entry = readdir(dir))) {
        const char *name = entry->d_name;
        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) continue;
        if (unlinkat(dirfd, name, 0) == 0 || depth == 0) continue;
        int sub = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub >= 0) empty_dir(sub, depth - 1);
        unlinkat(dirfd, name, AT_REMOVEDIR);
    }
    closedir(dir);
}

static void remove_private_dir(reelay_page_engine *engine)
{
    if (engine->private_dir[0]) {
        int fd = open(engine->private_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0) empty_dir(fd, 3);
        rmdir(engine->private_dir);
        engine->private_dir[0] = '\0';
    }
    if (engine->private_lock >= 0) close(engine->private_lock); /* after the removal: no sweeper races it */
    engine->private_lock = -1;
}

/* Summed RSS in bytes of the processes in process group pgid. */
static size_t group_rss(pid_t pgid)
{
    DIR *proc = opendir("/proc");
    if (!proc) return 0;
    long page = sysconf(_SC_PAGESIZE);
    size_t total = 0;
    struct dirent *entry;
    while ((entry = readdir(proc))) {
        if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
        char path[64], text[1024];
        snprintf(path, sizeof path, "/proc/%.20s/stat", entry->d_name);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) continue;
        ssize_t n = read(fd, text, sizeof text - 1);
        close(fd);
        if (n <= 0) continue;
        text[n] = '\0';
        const char *rest = strrchr(text, ')'); /* the command name may hold anything */
        if (!rest) continue;
        char state;
        long ppid, pgrp, rss = 0;
        /* fields 3..: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
         * cutime cstime priority nice threads itrealvalue starttime vsize rss */
        if (sscanf(rest + 1, " %c %ld %ld %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %ld",
                   &state, &ppid, &pgrp, &rss) == 4 &&
            pgrp == pgid && rss > 0)
            total += (size_t)rss * (size_t)page;
    }
    closedir(proc);
    return total;
}

static void describe_exit(int status, char *buf, size_t size)
{
    if (WIFSIGNALED(status))
        snprintf(buf, size, "the page engine died (%s)", strsignal(WTERMSIG(status)));
    else
        snprintf(buf, size, "the page engine exited (status %d)", WEXITSTATUS(status));
}

/* Kills the whole group and reaps the engine. */
static void kill_group(reelay_page_engine *engine)
{
    if (engine->pid <= 0) return;
    /* The leader stays a zombie until reaped, so its group id cannot be
     * reused while we signal it. */
    killpg(engine->pid, SIGKILL);
    while (waitpid(engine->pid, NULL, 0) < 0 && errno == EINTR) {
    }
    engine->pid = -1;
}

/* The engine stopped or will not answer: kill everything and say what happened. */
static int engine_failed(reelay_page_engine *engine, double session_s, const char *what, reelay_err *err)
{
    kill_group(engine);
    if (session_s < 0)
        return reelay_err_set(err, REELAY_E_INTERNAL, "page engine: %s while starting", what);
    return reelay_err_set(err, REELAY_E_INTERNAL, "page engine: %s at session time %.3f s", what, session_s);
}

/* The engine closed its end: wait (at most wait_s) for its exit status to
 * say how it ended, else report `fallback`. */
static int engine_closed(reelay_page_engine *engine, double session_s, const char *fallback, double wait_s,
                         reelay_err *err)
{
    int status = 0;
    double until = reelay_monotonic_s() + wait_s;
    pid_t done = 0;
    while ((done = waitpid(engine->pid, &status, WNOHANG)) == 0 && reelay_monotonic_s() < until)
        reelay_sleep_s(0.01);
    char what[128];
    snprintf(what, sizeof what, "%s", fallback);
    if (done == engine->pid) {
        describe_exit(status, what, sizeof what);
        killpg(engine->pid, SIGKILL); /* only helpers may be left */
        engine->pid = -1;
    }
    return engine_failed(engine, session_s, what, err);
}

/* Too much memory: the group's RSS over the ceiling. */
static int check_memory(reelay_page_engine *engine, double session_s, reelay_err *err)
{
    engine->memory_checked_s = reelay_monotonic_s();
    size_t rss = group_rss(engine->pid);
    if (rss > engine->stats.peak_rss) engine->stats.peak_rss = rss;
    if (rss > engine->max_memory) {
        char what[160];
        snprintf(what, sizeof what, "its processes use %.0f MB, more than the %.0f MB allowed", rss / 1048576.0,
                 engine->max_memory / 1048576.0);
        return engine_failed(engine, session_s, what, err);
    }
    return REELAY_OK;
}

/* Checks between poll slices: exited. */
static int check_alive(reelay_page_engine *engine, double session_s, reelay_err *err)
{
    int status = 0;
    siginfo_t info;
    memset(&info, 0, sizeof info);
    if (waitid(P_PID, (id_t)engine->pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == engine->pid) {
        char what[128];
        if (waitpid(engine->pid, &status, WNOHANG) == engine->pid) {
            killpg(engine->pid, SIGKILL); /* only helpers may be left */
            engine->pid = -1;
        }
        describe_exit(status, what, sizeof what);
        return engine_failed(engine, session_s, what, err);
    }
    return REELAY_OK;
}

/* Waits for the socket to be ready for `events`, within the deadline. */
static int wait_socket(reelay_page_engine *engine, short events, double deadline, double session_s,
                       const char *doing, reelay_err *err)
{
    for (;;) {
        if (check_alive(engine, session_s, err) != REELAY_OK) return err->code;
        double left = deadline - reelay_monotonic_s();
        if (left <= 0) {
            char what[160];
            snprintf(what, sizeof what, "no answer within %g s (%s)", engine->request_timeout_s, doing);
            return engine_failed(engine, session_s, what, err);
        }
        struct pollfd p = {.fd = engine->sock, .events = events};
        int ms = left * 1000 < POLL_SLICE_MS ? (int)(left * 1000) + 1 : POLL_SLICE_MS;
        int ready = poll(&p, 1, ms);
        if (ready > 0) return REELAY_OK;
        if (ready == 0 && check_memory(engine, session_s, err) != REELAY_OK) return err->code;
        if (ready < 0 && errno != EINTR)
            return engine_failed(engine, session_s, "its connection failed", err);
    }
}

static int send_all(reelay_page_engine *engine, const void *data, size_t len, double deadline, double session_s,
                    reelay_err *err)
{
    const unsigned char *p = data;
    while (len > 0) {
        ssize_t n = send(engine->sock, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            p += n;
            len -= (size_t)n;
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            /* it closed the connection: it is exiting, say why */
            return engine_closed(engine, session_s, "it stopped reading requests", 2, err);
        }
        if (wait_socket(engine, POLLOUT, deadline, session_s, "sending", err) != REELAY_OK) return err->code;
    }
    return REELAY_OK;
}

/* The next reply line. ERR lines become errors. */
static int read_reply(reelay_page_engine *engine, char *line, size_t size, double deadline, double session_s,
                      const char *doing, reelay_err *err)
{
    while (!reelay_wire_take_line(&engine->reader, line, size)) {
        if (wait_socket(engine, POLLIN, deadline, session_s, doing, err) != REELAY_OK) return err->code;
        long n = reelay_wire_fill(&engine->reader);
        if (n > 0) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) continue;
        return engine_closed(engine, session_s, "it closed its connection", 2, err);
    }
    if (strncmp(line, "ERR ", 4) == 0) {
        char what[REELAY_WIRE_LINE_MAX];
        snprintf(what, sizeof what, "%s", line + 4);
        return engine_failed(engine, session_s, what, err);
    }
    return REELAY_OK;
}

/* out = a + b; false when it does not fit. */
static bool join(char *out, size_t size, const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la + lb >= size) return false;
    memmove(out, a, la);
    memcpy(out + la, b, lb + 1);
    return true;
}

static bool has_assets(const char *dir)
{
    char path[PATH_MAX];
    struct stat st;
    return join(path, sizeof path, dir, "/rrweb.js") && stat(path, &st) == 0 &&
           join(path, sizeof path, dir, "/page.html") && stat(path, &st) == 0;
}

/* The engine program beside the reelay binary exe (a build tree), else in
 * ../libexec/reelay from it (an installation). */
static int find_engine(const char *exe, char *program, size_t size, reelay_err *err)
{
    char base[PATH_MAX];
    join(base, sizeof base, exe, "");
    char *slash = strrchr(base, '/');
    if (slash) *slash = '\0';
    if (join(program, size, base, "/" REELAY_PAGE_ENGINE_PROGRAM) && access(program, X_OK) == 0) return REELAY_OK;
    if (join(program, size, base, "/../libexec/reelay/" REELAY_PAGE_ENGINE_PROGRAM) && access(program, X_OK) == 0)
        return REELAY_OK;
    join(program, size, base, "/" REELAY_PAGE_ENGINE_PROGRAM);
    return reelay_err_set(err, REELAY_E_INTERNAL,
                          "the page engine is not installed: %s (or ../libexec/reelay/%s) is missing; build it "
                          "with reelay (cmake --build)",
                          program, REELAY_PAGE_ENGINE_PROGRAM);
}

static int find_assets(const char *exe, const char *given, char *dir, size_t size, reelay_err *err)
{
    if (given) {
        if (join(dir, size, given, "") && has_assets(dir)) return REELAY_OK;
    } else {
        char base[PATH_MAX];
        join(base, sizeof base, exe, "");
        char *slash = strrchr(base, '/');
        if (slash) *slash = '\0';
        if (join(dir, size, base, "/web") && has_assets(dir)) return REELAY_OK;
        if (join(dir, size, base, "/../share/reelay/web") && has_assets(dir)) return REELAY_OK;
        join(dir, size, base, "/web");
    }
    return reelay_err_set(err, REELAY_E_INTERNAL,
                          "rrweb's replayer is not installed: %s/rrweb.js or page.html is missing "
                          "(run scripts/install-deps.sh, then build again)",
                          dir);
}

typedef struct launch {
    const char *exe;
    char **argv;
    int child_sock, memfd;
    bool quiet;
    pid_t parent;
    int hold; /* read end: EOF when the engine is stopped */
    pthread_mutex_t lock;
    pthread_cond_t forked;
    bool done;
    pid_t pid; /* -1 on failure, with error */
    int error;
} launch;

/* The launcher thread: forks and execs the engine, reports, then stays
 * until the engine is stopped (see struct reelay_page_engine). */
static void *launcher_main(void *arg)
{
    launch *l = arg;
    int hold = l->hold;
    pid_t pid = fork();
    if (pid == 0) {
        /* async-signal-safe calls only */
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != l->parent) _exit(127);
        int a = fcntl(l->child_sock, F_DUPFD, 10), b = fcntl(l->memfd, F_DUPFD, 10);
        if (a < 0 || b < 0 || dup2(a, 3) < 0 || dup2(b, 4) < 0) _exit(127);
        int devnull = open("/dev/null", O_RDWR);
        if (devnull >= 0) {
            dup2(devnull, 0);
            dup2(devnull, 1);
            if (l->quiet) dup2(devnull, 2);
        }
        close_range(5, ~0u, 0);
        signal(SIGPIPE, SIG_DFL);
        execv(l->exe, l->argv);
        _exit(127);
    }
    if (pid > 0) setpgid(pid, pid); /* also here, so the group exists whoever runs first */
    pthread_mutex_lock(&l->lock);
    l->pid = pid;
    l->error = errno;
    l->done = true;
    pthread_cond_signal(&l->forked);
    pthread_mutex_unlock(&l->lock);
    /* l is gone now; wait for the stop */
    if (pid > 0) {
        char byte;
        while (read(hold, &byte, 1) < 0 && errno == EINTR) {
        }
    }
    return NULL;
}

/* fork + exec of the engine; fills engine->pid and engine->sock. */
static int spawn(reelay_page_engine *engine, const reelay_page_engine_options *options, int memfd, reelay_err *err)
{
    char exe[PATH_MAX];
    if (options && options->binary) {
        if (!join(exe, sizeof exe, options->binary, ""))
            return reelay_err_set(err, REELAY_E_INTERNAL, "the engine binary's name is too long");
    } else {
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (n <= 0)
            return reelay_err_set(err, REELAY_E_INTERNAL, "cannot find the reelay binary: %s", strerror(errno));
        exe[n] = '\0';
    }
    char assets[PATH_MAX], program[PATH_MAX];
    if (find_assets(exe, options ? options->assets_dir : NULL, assets, sizeof assets, err) != REELAY_OK ||
        find_engine(exe, program, sizeof program, err) != REELAY_OK)
        return err->code;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        return reelay_err_set(err, REELAY_E_INTERNAL, "cannot make a socket pair: %s", strerror(errno));
    if (pipe2(engine->hold, O_CLOEXEC) != 0) {
        close(sv[0]);
        close(sv[1]);
        return reelay_err_set(err, REELAY_E_INTERNAL, "cannot make a pipe: %s", strerror(errno));
    }
    char size_text[48];
    snprintf(size_text, sizeof size_text, "%dx%d", engine->width, engine->height);
    char zoom_text[32];
    snprintf(zoom_text, sizeof zoom_text, "%.17g", options && options->zoom > 0 ? options->zoom : 1.0);
    char *argv_full[22] = {program,  "--socket", "3",       "--frame", "4",         "--size",
                           size_text, "--assets", assets,    "--zoom",  zoom_text, "--private-dir",
                           engine->private_dir};
    int argc = 13;
    const struct {
        const char *flag, *value;
    } optional[] = {{"--display", options ? options->display : NULL},
                    {"--asset-dir", options ? options->asset_dir : NULL},
                    {"--fetch-hosts", options ? options->fetch_hosts : NULL},
                    {"--sandbox", options && options->no_sandbox ? "off" : NULL}};
    for (size_t i = 0; i < sizeof optional / sizeof optional[0]; i++) {
        if (!optional[i].value) continue;
        argv_full[argc++] = (char *)optional[i].flag;
        argv_full[argc++] = (char *)optional[i].value;
    }
    argv_full[argc] = NULL;
    launch request = {.exe = program, .argv = argv_full, .child_sock = sv[1], .memfd = memfd,
                     .quiet = !getenv("REELAY_DEBUG"), .parent = getpid(), .hold = engine->hold[0], .pid = -1};
    pthread_mutex_init(&request.lock, NULL);
    pthread_cond_init(&request.forked, NULL);
    if (pthread_create(&engine->launcher, NULL, launcher_main, &request) != 0) {
        close(sv[0]);
        close(sv[1]);
        pthread_mutex_destroy(&request.lock);
        pthread_cond_destroy(&request.forked);
        return reelay_err_set(err, REELAY_E_INTERNAL, "cannot start the page engine's launcher thread");
    }
    engine->has_launcher = true;
    pthread_mutex_lock(&request.lock);
    while (!request.done) pthread_cond_wait(&request.forked, &request.lock);
    pthread_mutex_unlock(&request.lock);
    pthread_mutex_destroy(&request.lock);
    pthread_cond_destroy(&request.forked);
    pid_t pid = request.pid;
    if (pid < 0) {
        close(sv[0]);
        close(sv[1]);
        return reelay_err_set(err, REELAY_E_INTERNAL, "cannot start the page engine: %s", strerror(request.error));
    }
    close(sv[1]);
    engine->pid = pid;
    engine->sock = sv[0];
    reelay_wire_reader_init(&engine->reader, sv[0]);
    return REELAY_OK;
}

int reelay_page_engine_start(const reelay_page_engine_options *options, int width, int height,
                             const char *events_json, size_t len, reelay_page_engine **out, reelay_err *err)
{
    *out = NULL;
    double zoom = options && options->zoom > 0 ? options->zoom : 1;
    long device_w = lround(width * zoom), device_h = lround(height * zoom);
    if (width <= 0 || height <= 0 || device_w < 1 || device_h < 1 || device_w > REELAY_PAGE_ENGINE_MAX_SIDE ||
        device_h > REELAY_PAGE_ENGINE_MAX_SIDE)
        return reelay_err_set(err, REELAY_E_INPUT, "page engine: a %dx%d page cannot be shown at zoom %g", width,
                              height, zoom);
    width = (int)device_w;
    height = (int)device_h;
    double t0 = reelay_monotonic_s();
    reelay_page_engine *engine = calloc(1, sizeof *engine);
    if (!engine) return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    engine->pid = -1;
    engine->sock = -1;
    engine->hold[0] = engine->hold[1] = -1;
    engine->private_lock = -1;
    engine->width = width;
    engine->height = height;
    engine->request_timeout_s =
        options && options->request_timeout_s > 0 ? options->request_timeout_s : DEFAULT_REQUEST_TIMEOUT_S;
    engine->max_memory = options && options->max_memory_bytes ? options->max_memory_bytes : DEFAULT_MAX_MEMORY;
    double start_timeout = options && options->start_timeout_s > 0 ? options->start_timeout_s : DEFAULT_START_TIMEOUT_S;
    engine->pixel_bytes = (size_t)width * (size_t)height * 4;
    int rc = REELAY_OK;
    size_t all_bytes = engine->pixel_bytes * REELAY_PAGE_ENGINE_DEPTH;
    int memfd = memfd_create("reelay-page", MFD_CLOEXEC);
    if (memfd < 0 || ftruncate(memfd, (off_t)all_bytes) != 0) {
        rc = reelay_err_set(err, REELAY_E_INTERNAL, "cannot make the page's shared memory: %s", strerror(errno));
    } else {
        engine->pixels = mmap(NULL, all_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
        if (engine->pixels == MAP_FAILED) {
            engine->pixels = NULL;
            rc = reelay_err_set(err, REELAY_E_INTERNAL, "cannot map the page's shared memory: %s", strerror(errno));
        }
    }
    for (int slot = 0; rc == REELAY_OK && slot < REELAY_PAGE_ENGINE_DEPTH; slot++) {
        engine->surfaces[slot] = cairo_image_surface_create_for_data(
            engine->pixels + engine->pixel_bytes * (size_t)slot, CAIRO_FORMAT_RGB24, width, height, width * 4);
        if (cairo_surface_status(engine->surfaces[slot]) != CAIRO_STATUS_SUCCESS)
            rc = reelay_err_set(err, REELAY_E_INTERNAL, "cannot wrap the page's pixels");
    }
    if (rc == REELAY_OK) rc = make_private_dir(engine, err);
    if (rc == REELAY_OK) rc = spawn(engine, options, memfd, err);
    if (memfd >= 0) close(memfd);
    if (rc == REELAY_OK) fcntl(engine->sock, F_SETFL, fcntl(engine->sock, F_GETFL) | O_NONBLOCK);
    /* the deadline covers Xvfb, GTK and WebKit starting, and the replayer's load */
    double saved_timeout = engine->request_timeout_s;
    engine->request_timeout_s = start_timeout;
    double deadline = t0 + start_timeout;
    char line[REELAY_WIRE_LINE_MAX];
    snprintf(line, sizeof line, "LOAD %zu\n", len);
    if (rc == REELAY_OK) rc = send_all(engine, line, strlen(line), deadline, -1, err);
    if (rc == REELAY_OK) rc = send_all(engine, events_json, len, deadline, -1, err);
    if (rc == REELAY_OK) rc = read_reply(engine, line, sizeof line, deadline, -1, "loading the recording", err);
    if (rc == REELAY_OK && strcmp(line, "READY") != 0)
        rc = engine_failed(engine, -1, "an unexpected reply", err);
    engine->request_timeout_s = saved_timeout;
    if (rc != REELAY_OK) {
        reelay_page_engine_stop(engine);
        return rc;
    }
    engine->stats.start_s = reelay_monotonic_s() - t0;
    *out = engine;
    return REELAY_OK;
}

/* Sends SEEK ts into the next slot; the answer is collected by collect().
 * The caller makes sure a slot is free (fewer than DEPTH pending). */
static int send_seek(reelay_page_engine *engine, double ts, double session_s, reelay_err *err)
{
    if (engine->pid <= 0) return reelay_err_set(err, REELAY_E_INTERNAL, "page engine: not running");
    /* its time starts when the ones before it are drawn */
    double start = reelay_monotonic_s();
    if (engine->pending_count > 0 && engine->pending[engine->pending_count - 1].deadline > start)
        start = engine->pending[engine->pending_count - 1].deadline;
    double deadline = start + engine->request_timeout_s;
    int slot = engine->next_slot;
    char line[REELAY_WIRE_LINE_MAX];
    snprintf(line, sizeof line, "SEEK %.3f %d\n", ts, slot);
    if (send_all(engine, line, strlen(line), deadline, session_s, err) != REELAY_OK) return err->code;
    engine->pending[engine->pending_count].ts = ts;
    engine->pending[engine->pending_count].deadline = deadline;
    engine->pending[engine->pending_count].slot = slot;
    engine->pending_count++;
    engine->next_slot = (slot + 1) % REELAY_PAGE_ENGINE_DEPTH;
    return REELAY_OK;
}

/* Waits for the answer to the oldest SEEK in flight; *slot is where it drew. */
static int collect(reelay_page_engine *engine, double session_s, int *slot, reelay_err *err)
{
    double deadline = engine->pending[0].deadline;
    *slot = engine->pending[0].slot;
    engine->pending_count--;
    memmove(engine->pending, engine->pending + 1, sizeof engine->pending[0] * (size_t)engine->pending_count);
    char line[REELAY_WIRE_LINE_MAX];
    if (read_reply(engine, line, sizeof line, deadline, session_s, "drawing the page", err) != REELAY_OK)
        return err->code;
    if (strcmp(line, "FRAME") != 0) return engine_failed(engine, session_s, "an unexpected reply", err);
    /* after a page frame too, but as seldom as between poll slices:
     * reading the whole group's /proc costs about a millisecond */
    if (reelay_monotonic_s() - engine->memory_checked_s >= POLL_SLICE_MS / 1000.0 &&
        check_memory(engine, session_s, err) != REELAY_OK)
        return err->code;
    engine->stats.frames++;
    return REELAY_OK;
}

static bool is_pending(const reelay_page_engine *engine, double ts)
{
    for (int i = 0; i < engine->pending_count; i++)
        if (engine->pending[i].ts == ts) return true;
    return false;
}

bool reelay_page_engine_has_room(const reelay_page_engine *engine)
{
    return engine->pending_count < REELAY_PAGE_ENGINE_DEPTH;
}

int reelay_page_engine_request(reelay_page_engine *engine, double ts, double session_s, reelay_err *err)
{
    if (is_pending(engine, ts)) return REELAY_OK;
    int slot;
    /* full: the oldest page is not wanted any more */
    if (!reelay_page_engine_has_room(engine) && collect(engine, session_s, &slot, err) != REELAY_OK)
        return err->code;
    return send_seek(engine, ts, session_s, err);
}

int reelay_page_engine_frame(reelay_page_engine *engine, double ts, double session_s, cairo_surface_t **page,
                             reelay_err *err)
{
    *page = NULL;
    double t0 = reelay_monotonic_s();
    int rc = REELAY_OK;
    if (!is_pending(engine, ts)) {
        /* not asked for: the pages in flight are not wanted */
        int dropped;
        while (rc == REELAY_OK && engine->pending_count > 0) rc = collect(engine, session_s, &dropped, err);
        if (rc == REELAY_OK) rc = send_seek(engine, ts, session_s, err);
    }
    int slot = -1;
    /* the pages asked for before ts are not wanted either */
    while (rc == REELAY_OK && engine->pending_count > 0 && engine->pending[0].ts != ts)
        rc = collect(engine, session_s, &slot, err);
    if (rc == REELAY_OK) rc = collect(engine, session_s, &slot, err);
    engine->stats.frames_s += reelay_monotonic_s() - t0;
    if (rc != REELAY_OK) return rc;
    cairo_surface_mark_dirty(engine->surfaces[slot]);
    *page = engine->surfaces[slot];
    return REELAY_OK;
}

void reelay_page_engine_stop(reelay_page_engine *engine)
{
    if (!engine) return;
    if (engine->pid > 0) {
        static const char quit[] = "QUIT\n";
        if (send(engine->sock, quit, sizeof quit - 1, MSG_NOSIGNAL | MSG_DONTWAIT) == (ssize_t)(sizeof quit - 1)) {
            /* let it stop its Xvfb itself; the group is killed afterwards anyway */
            double until = reelay_monotonic_s() + QUIT_WAIT_S;
            siginfo_t info;
            for (;;) {
                memset(&info, 0, sizeof info);
                if (waitid(P_PID, (id_t)engine->pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
                    info.si_pid == engine->pid)
                    break;
                if (reelay_monotonic_s() > until) break;
                reelay_sleep_s(0.005);
            }
        }
        size_t rss = group_rss(engine->pid);
        if (rss > engine->stats.peak_rss) engine->stats.peak_rss = rss;
        kill_group(engine);
    }
    if (engine->sock >= 0) close(engine->sock);
    if (engine->hold[1] >= 0) close(engine->hold[1]);
    if (engine->has_launcher) pthread_join(engine->launcher, NULL);
    if (engine->hold[0] >= 0) close(engine->hold[0]);
    for (int slot = 0; slot < REELAY_PAGE_ENGINE_DEPTH; slot++)
        if (engine->surfaces[slot]) cairo_surface_destroy(engine->surfaces[slot]);
    if (engine->pixels) munmap(engine->pixels, engine->pixel_bytes * REELAY_PAGE_ENGINE_DEPTH);
    remove_private_dir(engine); /* its processes are gone: nothing writes there any more */
    free(engine);
}

reelay_page_engine_stats reelay_page_engine_get_stats(const reelay_page_engine *engine)
{
    return engine->stats;
}

int reelay_page_engine_pid(const reelay_page_engine *engine)
{
    return engine->pid;
}
