/* bench_frames — how fast reelay draws a session's frames.
 * Ingests a recording, then seeks and paints every frame at a constant frame
 * rate (default 30 fps) at the default output size, and prints one JSON
 * object: ingest seconds, frames, frames painted, seconds, frames per second,
 * peak resident memory. Not a test: run by scripts/bench.sh. */
#include <cairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "ingest/ingest.h"
#include "renderers/frame/frame.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static long peak_rss_kib(void)
{
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

int main(int argc, char **argv)
{
    const char *input = NULL;
    double fps = 30;
    int repaint_all = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--fps") == 0 && i + 1 < argc) fps = atof(argv[++i]);
        else if (strcmp(argv[i], "--repaint-all") == 0) repaint_all = 1;
        else input = argv[i];
    }
    if (!input || fps <= 0) {
        fprintf(stderr, "usage: bench_frames INPUT [--fps N] [--repaint-all]\n");
        return 1;
    }
    reelay_err err;
    reelay_err_clear(&err);
    double t0 = now_s();
    reelay_session *session = NULL;
    if (reelay_ingest_path(input, NULL, &session, &err) != REELAY_OK) {
        fprintf(stderr, "bench_frames: %s\n", err.msg);
        return 2;
    }
    double ingest_s = now_s() - t0;
    long rss_after_ingest = peak_rss_kib();
    reelay_frame_maker *maker = reelay_frame_maker_new(session, NULL, &err);
    if (!maker) {
        fprintf(stderr, "bench_frames: %s\n", err.msg);
        return 2;
    }
    double duration_ms = session->last_ts - session->first_ts;
    long frames = (long)(duration_ms / 1000.0 * fps) + 1;
    cairo_surface_t *surface = NULL;
    int width = 0, height = 0;
    long painted = 0;
    reelay_frame_info info = {0};

    double t1 = now_s();
    for (long f = 0; f < frames; f++) {
        bool changed = false;
        if (reelay_frame_maker_seek(maker, session->first_ts + f * 1000.0 / fps, &changed, &err) != REELAY_OK) {
            fprintf(stderr, "bench_frames: %s\n", err.msg);
            return 2;
        }
        double vw, vh;
        if (!surface && reelay_frame_maker_viewport(maker, &vw, &vh)) {
            reelay_frame_default_size(vw, vh, &width, &height);
            surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
            changed = true;
        }
        if (!surface) continue;
        /* As a video renderer will: unchanged, still frames are reused. */
        if (changed || repaint_all || info.animates || painted == 0) {
            if (reelay_frame_maker_paint(maker, surface, &info, &err) != REELAY_OK) {
                fprintf(stderr, "bench_frames: %s\n", err.msg);
                return 2;
            }
            painted++;
        }
    }
    double render_s = now_s() - t1;
    printf("{\"input\": \"%s\", \"duration_s\": %.3f, \"width\": %d, \"height\": %d, \"fps\": %g, "
           "\"ingest_s\": %.4f, \"frames\": %ld, \"painted\": %ld, \"render_s\": %.4f, "
           "\"frames_per_s\": %.1f, \"painted_per_s\": %.1f, \"realtime_factor\": %.1f, "
           "\"peak_rss_mib_after_ingest\": %.1f, \"peak_rss_mib\": %.1f}\n",
           input, duration_ms / 1000.0, width, height, fps, ingest_s, frames, painted, render_s,
           frames / render_s, painted / render_s, duration_ms / 1000.0 / (ingest_s + render_s),
           rss_after_ingest / 1024.0, peak_rss_kib() / 1024.0);
    if (surface) cairo_surface_destroy(surface);
    reelay_frame_maker_free(maker);
    reelay_session_free(session);
    return 0;
}
