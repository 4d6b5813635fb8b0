#include "job/pool.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/clock.h"
#include "job/run.h"
#include "source/source.h"

/* A result line is at most this long; anything longer is a broken child. */
#define MAX_LINE (64 * 1024)

typedef struct child {
    pid_t pid;
    int fd;          /* read end of the child's pipe, -1 once closed */
    int answer_fd;   /* write end of the pipe that answers its requests to publish, -1 when none */
    size_t index;    /* into jobs */
    reelay_buf line; /* a partial line */
    bool reported;   /* a result arrived */
    double started_s;
    const char *killed_because; /* we killed it, and why (the job's error) */
} child;

typedef struct progress_pipe {
    int fd;
    int64_t last_frame;
    int answer_fd; /* where the parent answers "G" (may I publish?); -1 = nobody asks */
} progress_pipe;

/* Writes all of text, retrying short writes. */
static void write_all(int fd, const char *text, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, text, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        text += n;
        len -= (size_t)n;
    }
}

static void report_progress(void *context, const reelay_render_progress *p)
{
    progress_pipe *pipe_out = context;
    if (p->frame == pipe_out->last_frame) return;
    pipe_out->last_frame = p->frame;
    char line[64];
    int n = snprintf(line, sizeof line, "P %lld %lld\n", (long long)p->frame, (long long)p->total_frames);
    write_all(pipe_out->fd, line, (size_t)n);
}

/* In the child, before its files are published: asks the parent ("G") and
 * waits for "Y", or "N reason". */
static int ask_to_publish(void *context, reelay_err *err)
{
    progress_pipe *pipe_out = context;
    write_all(pipe_out->fd, "G\n", 2);
    char answer[600];
    size_t len = 0;
    while (len < sizeof answer - 1) {
        ssize_t n = read(pipe_out->answer_fd, answer + len, 1);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0 || answer[len] == '\n') break;
        len++;
    }
    answer[len] = '\0';
    if (len >= 1 && answer[0] == 'Y') return REELAY_OK;
    return reelay_err_set(err, REELAY_E_IO, "not published: %s",
                          len > 2 && answer[0] == 'N' ? answer + 2 : "the worker did not answer");
}

/* In the child: run, report, exit without returning into the caller. */
static void run_child(const reelay_job *job, int fd, int answer_fd, pid_t parent)
{
    /* A parent killed outright takes its renders along. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(4);
    reelay_job copy = *job;
    progress_pipe pipe_out = {.fd = fd, .last_frame = -1, .answer_fd = answer_fd};
    copy.options.progress = report_progress;
    copy.options.progress_context = &pipe_out;
    if (answer_fd >= 0) {
        copy.options.before_publish = ask_to_publish;
        copy.options.before_publish_context = &pipe_out;
    }
    reelay_job_result result;
    reelay_job_run(&copy, 1, &result);
    json_t *doc = reelay_job_result_to_json(&result);
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    if (text) {
        write_all(fd, "R ", 2);
        write_all(fd, text, strlen(text));
        write_all(fd, "\n", 1);
    }
    free(text);
    json_decref(doc);
    close(fd);
    _exit(text ? 0 : 4);
}

static void failed_result(const reelay_job *job, int code, const char *message, reelay_job_result *r)
{
    memset(r, 0, sizeof *r);
    snprintf(r->id, sizeof r->id, "%s", job->id);
    reelay_source_shown_input(job->output, r->output, sizeof r->output); /* a presigned URL without its query */
    r->status = REELAY_JOB_FAILED;
    r->attempts = 1;
    r->error_code = code;
    snprintf(r->error_message, sizeof r->error_message, "%s", message);
}

/* A render asks to publish its files. */
static void answer_publish(child *c, const reelay_pool_events *events)
{
    const char *refused = events->may_publish ? events->may_publish(events->context, c->index) : NULL;
    char answer[600];
    int n = refused ? snprintf(answer, sizeof answer, "N %.500s\n", refused) : snprintf(answer, sizeof answer, "Y\n");
    if (c->answer_fd >= 0) write_all(c->answer_fd, answer, (size_t)n);
}

/* One complete line from a child. */
static void handle_line(child *c, const reelay_job *jobs, const reelay_pool_events *events, char *line)
{
    if (line[0] == 'G' && line[1] == '\0') {
        answer_publish(c, events);
    } else if (line[0] == 'P' && line[1] == ' ') {
        long long frame = 0, total = 0;
        if (sscanf(line + 2, "%lld %lld", &frame, &total) == 2 && events->progress)
            events->progress(events->context, c->index, frame, total);
    } else if (line[0] == 'R' && line[1] == ' ' && !c->reported) {
        json_error_t jerr;
        json_t *doc = json_loads(line + 2, 0, &jerr);
        reelay_job_result result;
        reelay_err err;
        if (!doc || reelay_job_result_from_json(doc, &result, &err) != REELAY_OK)
            failed_result(&jobs[c->index], REELAY_E_INTERNAL, "the render process sent an unreadable result",
                          &result);
        json_decref(doc);
        c->reported = true;
        events->finished(events->context, c->index, &result);
    }
}

/* Reads what the child has written; false at end of file. */
static bool read_child(child *c, const reelay_job *jobs, const reelay_pool_events *events)
{
    char chunk[4096];
    ssize_t n = read(c->fd, chunk, sizeof chunk);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
    if (n <= 0) return false;
    for (ssize_t i = 0; i < n; i++) {
        if (chunk[i] != '\n') {
            if (c->line.len < MAX_LINE && reelay_buf_append(&c->line, &chunk[i], 1) != 0) return false;
            continue;
        }
        if (reelay_buf_append(&c->line, "", 1) != 0) return false;
        handle_line(c, jobs, events, (char *)c->line.data);
        c->line.len = 0;
    }
    return true;
}

/* After the pipe closed: reap, and speak for a child that died silently. */
static void reap(child *c, const reelay_job *jobs, const reelay_pool_events *events)
{
    /* Closed first: a child still writing then fails instead of blocking. */
    close(c->fd);
    c->fd = -1;
    if (c->answer_fd >= 0) close(c->answer_fd);
    c->answer_fd = -1;
    int status = 0;
    while (waitpid(c->pid, &status, 0) < 0 && errno == EINTR) {
    }
    reelay_buf_free(&c->line);
    if (c->reported) return;
    const reelay_job *job = &jobs[c->index];
    char message[600];
    if (c->killed_because)
        snprintf(message, sizeof message, "%s", c->killed_because);
    else if (WIFSIGNALED(status))
        snprintf(message, sizeof message, "the render process was killed by signal %d (%s)", WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
    else
        snprintf(message, sizeof message, "the render process exited with status %d without a result",
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    reelay_job_result result;
    failed_result(job, REELAY_E_INTERNAL, message, &result);
    events->finished(events->context, c->index, &result);
}

static void close_pair(int fds[2])
{
    for (int i = 0; i < 2; i++)
        if (fds[i] >= 0) close(fds[i]);
}

static int start_child(const reelay_job *jobs, size_t index, bool gated, child *c, reelay_err *err)
{
    int fds[2] = {-1, -1}, answers[2] = {-1, -1};
    if (pipe(fds) != 0 || (gated && pipe(answers) != 0)) {
        int saved = errno;
        close_pair(fds);
        return reelay_err_set(err, REELAY_E_INTERNAL, "cannot create a pipe: %s", strerror(saved));
    }
    fflush(NULL); /* nothing buffered may be written twice */
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        int saved = errno;
        close_pair(fds);
        close_pair(answers);
        return reelay_err_set(err, REELAY_E_INTERNAL, "cannot start a render process: %s", strerror(saved));
    }
    if (pid == 0) {
        close(fds[0]);
        if (answers[1] >= 0) close(answers[1]);
        run_child(&jobs[index], fds[1], answers[0], parent);
    }
    close(fds[1]);
    if (answers[0] >= 0) close(answers[0]);
    *c = (child){.pid = pid, .fd = fds[0], .answer_fd = answers[1], .index = index,
                 .started_s = reelay_monotonic_s()};
    return REELAY_OK;
}

/* Kills a running render; its job ends failed with `why` when reaped. */
static void kill_child(child *c, const char *why)
{
    if (c->fd < 0 || c->killed_because) return;
    c->killed_because = why;
    kill(c->pid, SIGKILL);
}

int reelay_pool_run(const reelay_job *jobs, size_t count, int parallel, const reelay_pool_events *events,
                    reelay_err *err)
{
    if (parallel < 1) parallel = 1;
    if ((size_t)parallel > count) parallel = (int)(count ? count : 1);
    child *children = calloc((size_t)parallel, sizeof *children);
    struct pollfd *fds = calloc((size_t)parallel, sizeof *fds);
    if (!children || !fds) {
        free(children);
        free(fds);
        return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    }
    /* A reader that went away must not kill the pool. */
    struct sigaction ignore = {.sa_handler = SIG_IGN}, previous;
    sigaction(SIGPIPE, &ignore, &previous);
    for (int i = 0; i < parallel; i++) children[i].fd = children[i].answer_fd = -1;
    size_t next = 0, running = 0;
    int rc = REELAY_OK;
    double last_tick = reelay_monotonic_s();
    const char *stopped = NULL; /* the tick's reason to stop everything */
    char timeout_message[160];
    snprintf(timeout_message, sizeof timeout_message,
             "the render took longer than the job timeout of %.0f s and was stopped", events->timeout_s);
    while ((next < count && !stopped) || running > 0) {
        for (int i = 0; i < parallel && next < count && rc == REELAY_OK && !stopped; i++) {
            if (children[i].fd >= 0) continue;
            rc = start_child(jobs, next, events->may_publish != NULL, &children[i], err);
            if (rc != REELAY_OK) break;
            if (events->started) events->started(events->context, next);
            next++;
            running++;
        }
        if (rc != REELAY_OK && running == 0) break;
        nfds_t n = 0;
        for (int i = 0; i < parallel; i++) {
            fds[i] = (struct pollfd){.fd = children[i].fd, .events = POLLIN};
            if (children[i].fd >= 0) n++;
        }
        if (n == 0) break;
        int timeout = events->tick && events->tick_ms > 0 ? events->tick_ms : -1;
        if (events->timeout_s > 0 && (timeout < 0 || timeout > 1000)) timeout = 1000;
        int ready = poll(fds, (nfds_t)parallel, timeout);
        if (events->tick && (reelay_monotonic_s() - last_tick) * 1000.0 >= events->tick_ms) {
            const char *why = events->tick(events->context);
            last_tick = reelay_monotonic_s();
            if (why && !stopped) {
                stopped = why;
                for (int i = 0; i < parallel; i++) kill_child(&children[i], why);
            }
        }
        for (int i = 0; i < parallel && events->timeout_s > 0; i++)
            if (children[i].fd >= 0 && reelay_monotonic_s() - children[i].started_s > events->timeout_s)
                kill_child(&children[i], timeout_message);
        if (ready < 0 && errno != EINTR) {
            rc = reelay_err_set(err, REELAY_E_INTERNAL, "poll: %s", strerror(errno));
            for (int i = 0; i < parallel; i++)
                if (children[i].fd >= 0) reap(&children[i], jobs, events); /* each ends failed */
            break;
        }
        for (int i = 0; i < parallel; i++) {
            if (children[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            if (!read_child(&children[i], jobs, events)) {
                reap(&children[i], jobs, events);
                running--;
            }
        }
    }
    /* Jobs never started (no process could be made, or a stop) still get
     * their end. */
    for (size_t i = next; i < count; i++) {
        reelay_job_result result;
        failed_result(&jobs[i], REELAY_E_INTERNAL, stopped ? stopped : err->msg[0] ? err->msg : "not started",
                      &result);
        events->finished(events->context, i, &result);
    }
    sigaction(SIGPIPE, &previous, NULL);
    free(children);
    free(fds);
    return rc;
}
