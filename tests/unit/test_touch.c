/* Unit tests for src/scene/touch_state (the touch indicator of §4.8: fades,
 * moves, tail lifetime, fingers, windows, content, lookups against a
 * prefix-built reference) and renderers/overlay/touch (pixel probes).
 * Sessions are built from inline JSONL blob lines (["window", event]). */
#define _POSIX_C_SOURCE 200809L
#include "test_support.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/ingest.h"
#include "renderers/overlay/touch.h"
#include "scene/touch_state.h"

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */
/* ------------------------------------------------------------------------ */

#define SNAP(w, t) "[\"" w "\",{\"type\":2,\"timestamp\":" #t ",\"data\":{\"wireframes\":[{\"id\":1}]}}]\n"
/* A touch interaction: window, time, type (7 start, 9 end, 10 cancel), x, y. */
#define TOUCH(w, t, type, x, y)                                                                              \
    "[\"" w "\",{\"type\":3,\"timestamp\":" #t ",\"data\":{\"source\":2,\"type\":" #type                      \
    ",\"id\":0,\"x\":" #x ",\"y\":" #y ",\"pointerType\":2}}]\n"
#define START(w, t, x, y) TOUCH(w, t, 7, x, y)
#define END(w, t, x, y) TOUCH(w, t, 9, x, y)
#define CANCEL(w, t, x, y) TOUCH(w, t, 10, x, y)

typedef struct fixture {
    reelay_session *session;
    reelay_touch_track *track;
} fixture;

static reelay_touch_track *build(const reelay_session *session)
{
    reelay_touch_track *track = NULL;
    reelay_err err;
    reelay_err_clear(&err);
    if (reelay_touch_track_new(session, 1.0, &track, &err) != REELAY_OK) fail_msg("track failed: %s", err.msg);
    assert_non_null(track);
    return track;
}

static fixture open_text(const char *text)
{
    fixture f = {.session = ts_session_from_text(text)};
    f.track = build(f.session);
    return f;
}

static void close_fixture(fixture *f)
{
    reelay_touch_track_free(f->track);
    reelay_session_free(f->session);
}

static reelay_touch_state at(const fixture *f, const char *window, double ts)
{
    reelay_touch_state s;
    reelay_touch_at(f->track, ts_window_of(f->session, window), ts, &s);
    return s;
}

static void assert_near(double got, double want, double tol, const char *what)
{
    if (!(fabs(got - want) <= tol)) fail_msg("%s: got %.6f, want %.6f", what, got, want);
}

/* CSS ease-in-out, computed here independently (Newton on x(s)). */
static double ref_ease(double p)
{
    double s = p;
    for (int i = 0; i < 20; i++) {
        double x = 3 * (1 - s) * (1 - s) * s * 0.42 + 3 * (1 - s) * s * s * 0.58 + s * s * s - p;
        double dx = 3 * (1 - s) * (1 - s) * 0.42 + 6 * (1 - s) * s * (0.58 - 0.42) + 3 * s * s * (1 - 0.58);
        if (dx == 0) break;
        s -= x / dx;
    }
    return 3 * (1 - s) * s * s + s * s * s;
}

/* ------------------------------------------------------------------------ */
/* Ring                                                                     */
/* ------------------------------------------------------------------------ */

static void test_tap_fades_in_and_out(void **state)
{
    (void)state;
    fixture f = open_text(SNAP("w", 1000) START("w", 2000, 100, 200) END("w", 2500, 100, 200));
    assert_int_equal(reelay_touch_track_count(f.track, ts_window_of(f.session, "w")), 2);

    reelay_touch_state s = at(&f, "w", 1999);
    assert_false(s.active);
    assert_false(s.ring_visible);
    assert_false(s.has_position);
    assert_true(s.stable_until == 2000);

    s = at(&f, "w", 2000);
    assert_true(s.has_position);
    assert_near(s.x, 100, 0, "x");
    assert_near(s.y, 200, 0, "y");
    assert_near(s.ring_alpha, 0, 0, "alpha at start");
    assert_false(s.active);
    assert_true(s.animating);
    assert_true(s.stable_until == 2000);

    assert_near(at(&f, "w", 2050).ring_alpha, ref_ease(0.25), 1e-6, "alpha 50 ms");
    assert_true(at(&f, "w", 2050).ring_alpha < 0.25); /* ease-in: slow start */
    assert_near(at(&f, "w", 2100).ring_alpha, 0.5, 1e-6, "alpha 100 ms");
    assert_near(at(&f, "w", 2150).ring_alpha, ref_ease(0.75), 1e-6, "alpha 150 ms");

    s = at(&f, "w", 2200);
    assert_near(s.ring_alpha, 1, 0, "alpha settled");
    assert_true(s.active && s.ring_visible);
    assert_false(s.animating);
    assert_true(s.stable_until == 2500); /* the TouchEnd */
    assert_false(at(&f, "w", 2499.9).animating);

    s = at(&f, "w", 2500);
    assert_near(s.ring_alpha, 1, 0, "fade out starts");
    assert_true(s.animating);
    assert_near(at(&f, "w", 2600).ring_alpha, 0.5, 1e-6, "fade out half");
    s = at(&f, "w", 2700);
    assert_near(s.ring_alpha, 0, 0, "faded");
    assert_false(s.active || s.ring_visible || s.animating);
    assert_true(s.has_position);
    /* The TouchEnd point stays in the tail list until 3000 (it draws nothing alone). */
    assert_int_equal(s.tail_count, 1);
    assert_false(s.tail_visible);
    assert_true(s.stable_until == 3000);
    s = at(&f, "w", 3000);
    assert_int_equal(s.tail_count, 0);
    assert_true(isinf(s.stable_until));
    close_fixture(&f);
}

static void test_short_tap_reverses_the_fade(void **state)
{
    (void)state;
    /* Lifted half-way through the fade in: CSS reverses from 0.5 over
     * 200 ms × 0.5 (the reversing shortening factor). */
    fixture f = open_text(SNAP("w", 1000) START("w", 2000, 10, 10) END("w", 2100, 10, 10));
    assert_near(at(&f, "w", 2100).ring_alpha, 0.5, 1e-6, "at lift");
    assert_near(at(&f, "w", 2150).ring_alpha, 0.5 * (1 - ref_ease(0.5)), 1e-6, "reverse half");
    assert_near(at(&f, "w", 2175).ring_alpha, 0.5 * (1 - ref_ease(0.75)), 1e-6, "reverse 3/4");
    reelay_touch_state s = at(&f, "w", 2200);
    assert_near(s.ring_alpha, 0, 0, "gone after 100 ms");
    assert_false(s.animating);
    close_fixture(&f);
}

static void test_touch_end_jumps_and_cancel_keeps_position(void **state)
{
    (void)state;
    fixture f = open_text(SNAP("w", 1000) START("w", 2000, 100, 100) END("w", 2400, 300, 50)
                              START("w", 3000, 40, 40) CANCEL("w", 3300, 999, 999));
    /* The move lands in the style change that drops touch-active, whose
     * left/top transition is 0 s: a jump, then only the fade animates. */
    reelay_touch_state s = at(&f, "w", 2400);
    assert_near(s.x, 300, 0, "x jumps");
    assert_near(s.y, 50, 0, "y jumps");
    assert_near(s.ring_alpha, 1, 0, "still opaque");
    s = at(&f, "w", 2500);
    assert_near(s.x, 300, 0, "x stays");
    assert_near(s.ring_alpha, 0.5, 1e-6, "fading");
    /* TouchStart jumps too (the move gets its own style change first). */
    s = at(&f, "w", 3000);
    assert_near(s.x, 40, 0, "start x");
    /* TouchCancel fades out where the ring is. */
    s = at(&f, "w", 3400);
    assert_near(s.x, 40, 0, "cancel does not move");
    assert_near(s.ring_alpha, 0.5, 1e-6, "cancel fades");
    close_fixture(&f);
}

static void test_touch_moves_slide_while_active(void **state)
{
    (void)state;
    fixture f = open_text(SNAP("w", 1000) START("w", 2000, 0, 0)
                          "[\"w\",{\"type\":3,\"timestamp\":2100,\"data\":{\"source\":6,\"positions\":["
                          "{\"x\":100,\"y\":0,\"id\":5,\"timeOffset\":-50},"
                          "{\"x\":200,\"y\":0,\"id\":5,\"timeOffset\":0}]}}]\n" END("w", 2600, 200, 0));
    assert_int_equal(reelay_touch_track_count(f.track, 0), 4);
    /* First position at 2050: 250 ms linear slide from 0 to 100. */
    assert_near(at(&f, "w", 2050).x, 0, 1e-9, "slide start");
    assert_near(at(&f, "w", 2075).x, 10, 1e-9, "slide 10%");
    assert_true(at(&f, "w", 2075).animating);
    /* Second at 2100 interrupts: from the current 20 towards 200. */
    assert_near(at(&f, "w", 2100).x, 20, 1e-9, "interrupted");
    assert_near(at(&f, "w", 2225).x, 110, 1e-9, "second slide half");
    assert_near(at(&f, "w", 2350).x, 200, 0, "arrived");
    assert_false(at(&f, "w", 2350).animating);

    /* Tail: 0@2000, 100@2050, 200@2100, each for 500 ms. */
    reelay_touch_state s = at(&f, "w", 2100);
    assert_int_equal(s.tail_count, 3);
    assert_true(s.tail_visible && s.active);
    assert_near(s.tail[0].x, 0, 0, "tail 0");
    assert_near(s.tail[2].x, 200, 0, "tail 2");
    s = at(&f, "w", 2500);
    assert_int_equal(s.tail_count, 2);
    assert_near(s.tail[0].x, 100, 0, "oldest gone");
    assert_true(s.tail_visible);
    assert_true(s.stable_until == 2550);
    s = at(&f, "w", 2550);
    assert_int_equal(s.tail_count, 1);
    assert_false(s.tail_visible);
    close_fixture(&f);
}

/* ------------------------------------------------------------------------ */
/* Tail                                                                     */
/* ------------------------------------------------------------------------ */

static void test_swipe_tail_lifetime(void **state)
{
    (void)state;
    fixture f = open_text(SNAP("w", 1000) START("w", 2000, 100, 100) END("w", 2150, 300, 100)
                              START("w", 4000, 10, 10) END("w", 4700, 90, 90));
    reelay_touch_state s = at(&f, "w", 2149);
    assert_int_equal(s.tail_count, 1);
    assert_false(s.tail_visible);
    s = at(&f, "w", 2150);
    assert_int_equal(s.tail_count, 2);
    assert_true(s.tail_visible);
    assert_true(s.animating); /* the fade out (the line itself is static) */
    s = at(&f, "w", 2400);
    assert_true(s.tail_visible);
    assert_true(s.active);
    assert_false(s.ring_visible);
    assert_false(s.animating);
    assert_true(s.stable_until == 2500); /* the touch-down point leaves then */
    /* The segment vanishes whole (no fade) 500 ms after the touch-down point. */
    assert_true(at(&f, "w", 2499.999).tail_visible);
    s = at(&f, "w", 2500);
    assert_false(s.tail_visible);
    assert_false(s.active);
    /* Held longer than 500 ms: the down point is gone before the lift, no line. */
    for (double t = 4000; t < 5300; t += 25) assert_false(at(&f, "w", t).tail_visible);
    close_fixture(&f);
}

static void test_touch_start_clears_tail(void **state)
{
    (void)state;
    fixture f = open_text(SNAP("w", 1000) START("w", 2000, 0, 0) END("w", 2100, 50, 0) START("w", 2200, 80, 80));
    assert_true(at(&f, "w", 2199).tail_visible);
    reelay_touch_state s = at(&f, "w", 2200);
    assert_int_equal(s.tail_count, 1);
    assert_near(s.tail[0].x, 80, 0, "new gesture");
    assert_false(s.tail_visible);
    close_fixture(&f);
}

/* ------------------------------------------------------------------------ */
/* Fingers, windows, content, bad input                                     */
/* ------------------------------------------------------------------------ */

static void test_two_fingers_last_wins(void **state)
{
    (void)state;
    fixture f = open_text(SNAP("w", 1000) START("w", 2000, 10, 10) START("w", 2000, 50, 50)
                              END("w", 2500, 10, 10) END("w", 2500, 50, 50));
    /* The second TouchStart moves an already touch-active ring: it slides. */
    reelay_touch_state s = at(&f, "w", 2000);
    assert_near(s.x, 10, 0, "first finger");
    assert_near(at(&f, "w", 2125).x, 30, 1e-9, "sliding to the second");
    assert_near(at(&f, "w", 2250).x, 50, 0, "second finger");
    /* The second start cleared the first's point. */
    assert_int_equal(s.tail_count, 1);
    assert_near(s.tail[0].x, 50, 0, "tail point");
    /* Both lifts in one style change: the ring ends on the last. */
    s = at(&f, "w", 2500);
    assert_near(s.x, 50, 0, "last lift wins");
    assert_int_equal(s.tail_count, 2); /* 50@2000 expired exactly now; 10 and 50 from the lifts */
    assert_near(s.tail[0].x, 10, 0, "lift 1");
    assert_true(s.tail_visible);
    close_fixture(&f);
}

static void test_windows_are_separate(void **state)
{
    (void)state;
    fixture f = open_text(SNAP("a", 1000) SNAP("b", 1000) START("a", 2000, 5, 5) END("a", 2300, 5, 5));
    uint32_t a = ts_window_of(f.session, "a"), b = ts_window_of(f.session, "b");
    assert_int_equal(reelay_touch_track_count(f.track, a), 2);
    assert_int_equal(reelay_touch_track_count(f.track, b), 0);
    assert_true(at(&f, "a", 2250).ring_visible);
    reelay_touch_state s = at(&f, "b", 2250);
    assert_false(s.active || s.has_position);
    assert_true(isinf(s.stable_until));
    /* Out-of-range windows and times give the inactive state. */
    reelay_touch_at(f.track, 99, 2250, &s);
    assert_false(s.active);
    reelay_touch_at(f.track, UINT32_MAX, 2250, &s);
    assert_false(s.active);
    reelay_touch_at(f.track, a, NAN, &s);
    assert_false(s.active);
    reelay_touch_at(f.track, a, INFINITY, &s);
    assert_false(s.active);
    reelay_touch_at(f.track, a, -INFINITY, &s);
    assert_false(s.active);
    assert_int_equal(reelay_touch_track_count(f.track, 99), 0);
    assert_int_equal(reelay_touch_track_count(NULL, 0), 0);
    reelay_touch_at(NULL, 0, 2250, &s);
    assert_false(s.active);
    close_fixture(&f);
}

static void test_touches_before_content_ignored(void **state)
{
    (void)state;
    /* Before the first snapshot rrweb has no <body> to target. An equal
     * timestamp counts when the touch comes after the snapshot in order. */
    fixture f = open_text(START("w", 500, 1, 1) END("w", 700, 2, 2) START("w", 1000, 3, 3) SNAP("w", 1000)
                              START("w", 1000, 4, 4));
    assert_int_equal(reelay_touch_track_count(f.track, 0), 1);
    assert_false(at(&f, "w", 600).has_position);
    assert_false(at(&f, "w", 800).active);
    assert_near(at(&f, "w", 1300).x, 4, 0, "after content");
    close_fixture(&f);

    /* A screenshot mutation before any snapshot makes the player synthesise one. */
    f = open_text("[\"w\",{\"type\":3,\"timestamp\":500,\"data\":{\"source\":0,\"updates\":[{\"parentId\":1,"
                  "\"wireframe\":{\"id\":8,\"type\":\"screenshot\",\"width\":300,\"height\":600,"
                  "\"base64\":\"AAAA\"}}]}}]\n" START("w", 600, 7, 7));
    assert_int_equal(reelay_touch_track_count(f.track, 0), 1);
    assert_true(at(&f, "w", 900).ring_visible);
    close_fixture(&f);

    /* A mutation without a picture does not. */
    f = open_text("[\"w\",{\"type\":3,\"timestamp\":500,\"data\":{\"source\":0,\"adds\":[{\"parentId\":1,"
                  "\"wireframe\":{\"id\":8,\"type\":\"text\",\"text\":\"x\"}}]}}]\n" START("w", 600, 7, 7));
    assert_int_equal(reelay_touch_track_count(f.track, 0), 0);
    close_fixture(&f);
}

static void test_no_touch_device_without_start(void **state)
{
    (void)state;
    /* rrweb's touch-device ring needs a TouchStart or TouchMove in the recording. */
    fixture f = open_text(SNAP("w", 1000) END("w", 2000, 5, 5) CANCEL("w", 2100, 5, 5));
    assert_int_equal(reelay_touch_track_count(f.track, 0), 0);
    assert_false(at(&f, "w", 2050).active);
    close_fixture(&f);
}

static void test_targets_and_coordinates(void **state)
{
    (void)state;
    /* No id: rrweb cannot find a target and ignores it. No x/y: d.x || 0. */
    fixture f = open_text(SNAP("w", 1000) START("w", 2000, 50, 50)
                          "[\"w\",{\"type\":3,\"timestamp\":2250,\"data\":{\"source\":2,\"type\":9,\"x\":9,\"y\":9}}]\n"
                          "[\"w\",{\"type\":3,\"timestamp\":2300,\"data\":{\"source\":2,\"type\":9,\"id\":0}}]\n"
                          "[\"w\",{\"type\":3,\"timestamp\":2400,\"data\":{\"source\":6,\"positions\":["
                          "{\"x\":70,\"y\":70,\"timeOffset\":0}]}}]\n");
    assert_int_equal(reelay_touch_track_count(f.track, 0), 2);
    reelay_touch_state s = at(&f, "w", 2260);
    assert_near(s.x, 50, 0, "id-less end ignored");
    assert_true(s.ring_alpha == 1);
    s = at(&f, "w", 2300);
    assert_near(s.x, 0, 0, "x defaults to 0");
    assert_near(s.y, 0, 0, "y defaults to 0");
    close_fixture(&f);
}

static void test_non_finite_skipped(void **state)
{
    (void)state;
    /* The reader rejects non-finite numbers; the track must not rely on it. */
    reelay_session *session = ts_session_from_text(SNAP("w", 1000) START("w", 2000, 1, 1) END("w", 2100, 2, 2)
                                            START("w", 2200, 3, 3) END("w", 2300, 4, 4));
    int n = 0;
    for (size_t i = 0; i < session->event_count; i++) {
        reelay_event *ev = &session->events[i];
        if (ev->kind != EV_INTERACTION) continue;
        if (n == 1) ev->u.interaction.x = NAN;
        if (n == 2) ev->u.interaction.y = INFINITY;
        if (n == 3) ev->timestamp = NAN; /* breaks the order too: the track sorts its own copy */
        n++;
    }
    reelay_touch_track *track = build(session);
    assert_int_equal(reelay_touch_track_count(track, 0), 1);
    reelay_touch_state s;
    for (double t = 1900; t < 3000; t += 10) {
        reelay_touch_at(track, 0, t, &s);
        assert_true(isfinite(s.ring_alpha));
        if (s.has_position) assert_true(isfinite(s.x) && isfinite(s.y));
    }
    reelay_touch_track_free(track);
    reelay_err err;
    reelay_err_clear(&err);
    assert_int_equal(reelay_touch_track_new(session, 0, &track, &err), REELAY_E_USAGE);
    assert_null(track);
    assert_int_equal(reelay_touch_track_new(session, NAN, &track, &err), REELAY_E_USAGE);
    reelay_session_free(session);
}

static void test_playback_speed_stretches_transitions(void **state)
{
    (void)state;
    reelay_session *session = ts_session_from_text(SNAP("w", 1000) START("w", 2000, 0, 0) END("w", 2100, 100, 0));
    reelay_touch_track *track = NULL;
    reelay_err err;
    reelay_err_clear(&err);
    assert_int_equal(reelay_touch_track_new(session, 2.0, &track, &err), REELAY_OK);
    reelay_touch_state s;
    reelay_touch_at(track, 0, 2200, &s);
    /* Lifted a quarter into a 400 ms fade; the reverse takes 400 × ease(0.25). */
    double a0 = ref_ease(0.25);
    reelay_touch_at(track, 0, 2100, &s);
    assert_near(s.ring_alpha, a0, 1e-6, "fade spans 400 session ms");
    reelay_touch_at(track, 0, 2100 + 200 * a0, &s);
    assert_near(s.ring_alpha, a0 / 2, 1e-6, "reverse half");
    reelay_touch_at(track, 0, 2499, &s);
    assert_true(s.tail_visible); /* the down point still leaves 500 session ms after it came */
    reelay_touch_at(track, 0, 2500, &s);
    assert_false(s.tail_visible);
    reelay_touch_track_free(track);
    reelay_session_free(session);
}

/* ------------------------------------------------------------------------ */
/* Lookup against references                                                */
/* ------------------------------------------------------------------------ */

typedef struct gen_touch {
    char window;
    double time;
    int type; /* 7, 9, 10, or 6 for a one-position TouchMove */
    int x, y;
} gen_touch;

static uint32_t lcg(uint32_t *seed)
{
    *seed = *seed * 1664525u + 1013904223u;
    return *seed >> 8;
}

/* A session of hundreds of touches over two windows, with equal timestamps,
 * repeated points, cancels and moves. */
static char *generate(gen_touch *touches, size_t count)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    fputs(SNAP("a", 1000) SNAP("b", 1000), out);
    uint32_t seed = 12345;
    double t = 1500;
    for (size_t i = 0; i < count; i++) {
        uint32_t r = lcg(&seed);
        if (r % 5) t += (double)(lcg(&seed) % 700);
        gen_touch *g = &touches[i];
        g->window = (lcg(&seed) % 4) ? 'a' : 'b';
        g->time = t;
        uint32_t k = lcg(&seed) % 10;
        g->type = k < 4 ? 7 : k < 8 ? 9 : k < 9 ? 10 : 6;
        g->x = (int)(lcg(&seed) % 4) * 30;
        g->y = (int)(lcg(&seed) % 3) * 40;
        /* The reader drops exact duplicates; keep every generated touch distinct. */
        for (size_t j = i; j-- > 0 && touches[j].time == t;)
            if (touches[j].window == g->window && touches[j].type == g->type && touches[j].x == g->x &&
                touches[j].y == g->y) {
                g->x++;
                j = i;
            }
        if (g->type == 6)
            fprintf(out,
                    "[\"%c\",{\"type\":3,\"timestamp\":%.0f,\"data\":{\"source\":6,\"positions\":"
                    "[{\"x\":%d,\"y\":%d,\"id\":5,\"timeOffset\":0}]}}]\n",
                    g->window, g->time, g->x, g->y);
        else
            fprintf(out,
                    "[\"%c\",{\"type\":3,\"timestamp\":%.0f,\"data\":{\"source\":2,\"type\":%d,\"id\":0,"
                    "\"x\":%d,\"y\":%d,\"pointerType\":2}}]\n",
                    g->window, g->time, g->type, g->x, g->y);
    }
    fclose(out);
    return text;
}

static void assert_same_state(const reelay_touch_state *a, const reelay_touch_state *b, double ts)
{
    if (a->active != b->active || a->animating != b->animating || a->ring_visible != b->ring_visible ||
        a->has_position != b->has_position || a->ring_alpha != b->ring_alpha || a->tail_count != b->tail_count ||
        a->tail_visible != b->tail_visible || (a->has_position && (a->x != b->x || a->y != b->y)))
        fail_msg("states differ at %.3f: alpha %g/%g x %g/%g tail %zu/%zu", ts, a->ring_alpha, b->ring_alpha, a->x,
                 b->x, a->tail_count, b->tail_count);
    for (size_t i = 0; i < a->tail_count; i++)
        if (a->tail[i].x != b->tail[i].x || a->tail[i].y != b->tail[i].y || a->tail[i].time != b->tail[i].time)
            fail_msg("tail point %zu differs at %.3f", i, ts);
}

/* The tail by a linear scan of the generated list: points pushed since the
 * window's last TouchStart at or before ts (or since the start), younger
 * than 500 ms. All generated touches come after the windows' content. */
static size_t ref_tail(const gen_touch *touches, size_t count, char window, double ts, size_t *first_index)
{
    size_t begin = 0, live = 0; /* before any TouchStart the list simply grows */
    for (size_t i = 0; i < count && touches[i].time <= ts; i++) {
        if (touches[i].window != window) continue;
        if (touches[i].type == 7) begin = i;
    }
    *first_index = SIZE_MAX;
    for (size_t i = begin; i < count && touches[i].time <= ts; i++) {
        const gen_touch *g = &touches[i];
        if (g->window != window || g->type == 10 || ts >= g->time + REELAY_TOUCH_TAIL_MS) continue;
        if (*first_index == SIZE_MAX) *first_index = i;
        live++;
    }
    return live;
}

static void test_lookup_matches_references(void **state)
{
    (void)state;
    enum { COUNT = 600 };
    gen_touch *touches = calloc(COUNT, sizeof *touches);
    assert_non_null(touches);
    char *text = generate(touches, COUNT);
    reelay_session *session = ts_session_from_text(text);
    reelay_touch_track *track = build(session);
    uint32_t wa = ts_window_of(session, "a"), wb = ts_window_of(session, "b");
    /* Windows without a TouchStart before the first one hold only moves etc. */
    assert_true(reelay_touch_track_count(track, wa) + reelay_touch_track_count(track, wb) > 300);

    uint32_t seed = 99;
    double end = touches[COUNT - 1].time + 1000;
    for (int probe = 0; probe < 400; probe++) {
        /* Half the probes on or next to a touch time, half anywhere. */
        double ts;
        if (probe % 2) {
            const gen_touch *g = &touches[lcg(&seed) % COUNT];
            double nudge[] = {-0.5, 0, 0.5, REELAY_TOUCH_TAIL_MS, REELAY_TOUCH_TAIL_MS - 0.25, 100, 200, 250};
            ts = g->time + nudge[lcg(&seed) % 8];
        } else {
            ts = 900 + (double)(lcg(&seed) % (uint32_t)(end - 900));
        }
        /* Reference 1: a track built from the events up to ts only, where
         * the answer is the last state (no search needed). */
        reelay_session prefix = *session;
        prefix.event_count = 0;
        while (prefix.event_count < session->event_count && session->events[prefix.event_count].timestamp <= ts)
            prefix.event_count++;
        reelay_touch_track *ref = build(&prefix);
        for (int w = 0; w < 2; w++) {
            uint32_t window = w ? wb : wa;
            reelay_touch_state got, want;
            reelay_touch_at(track, window, ts, &got);
            reelay_touch_at(ref, window, ts, &want);
            assert_same_state(&got, &want, ts);
            /* Reference 2: the tail by linear scan. */
            size_t first = 0;
            size_t live = ref_tail(touches, COUNT, w ? 'b' : 'a', ts, &first);
            assert_int_equal(got.tail_count, live);
            if (live) {
                assert_true(got.tail[0].x == touches[first].x && got.tail[0].y == touches[first].y);
                assert_true(got.tail[0].time == touches[first].time);
            }
            /* stable_until holds: nothing changes before it. */
            if (!got.animating && isfinite(got.stable_until) && got.stable_until > ts) {
                reelay_touch_state later;
                reelay_touch_at(track, window, (ts + got.stable_until) / 2, &later);
                later.stable_until = got.stable_until;
                assert_same_state(&later, &got, ts);
            }
            assert_true(got.stable_until >= ts);
            assert_true(got.ring_alpha >= 0 && got.ring_alpha <= 1);
        }
        reelay_touch_track_free(ref);
    }
    reelay_touch_track_free(track);
    reelay_session_free(session);
    free(text);
    free(touches);
}

/* ------------------------------------------------------------------------ */
/* Painting                                                                 */
/* ------------------------------------------------------------------------ */

static reelay_touch_state ring_state(double alpha)
{
    return (reelay_touch_state){.active = alpha > 0, .ring_visible = alpha > 0, .ring_alpha = alpha,
                                .has_position = true, .x = 100, .y = 100};
}

static void test_paint_ring(void **state)
{
    (void)state;
    ts_canvas c = ts_canvas_new(200, 200);
    cairo_set_line_width(c.cr, 7);
    reelay_touch_state s = ring_state(1);
    reelay_paint_touch(c.cr, &s);
    assert_true(cairo_get_line_width(c.cr) == 7); /* state restored */
    /* Centre (98, 98); the border covers radii 31..35. */
    assert_int_equal(ts_pixel(&c, 98 + 33, 98), 0xFF4950F6u);
    assert_int_equal(ts_pixel(&c, 98 - 34, 98), 0xFF4950F6u);
    assert_int_equal(ts_pixel(&c, 98, 98 + 33), 0xFF4950F6u);
    assert_int_equal(ts_pixel(&c, 98, 98 - 34), 0xFF4950F6u);
    /* Inside and the centre are untouched; so is just outside. */
    assert_int_equal(ts_pixel(&c, 98, 98), 0);
    assert_int_equal(ts_pixel(&c, 100, 100), 0);
    assert_int_equal(ts_pixel(&c, 98 + 29, 98), 0);
    assert_int_equal(ts_pixel(&c, 98 + 36, 98), 0);
    assert_int_equal(ts_pixel(&c, 98 - 37, 98), 0);
    /* A ring centred on (100, 100) would cover x = 134; the margin puts it 2 px up-left. */
    assert_int_equal(ts_pixel(&c, 134, 100), 0);
    ts_canvas_free(&c);

    c = ts_canvas_new(200, 200);
    s = ring_state(0.5);
    reelay_paint_touch(c.cr, &s);
    uint32_t p = ts_pixel(&c, 98 + 33, 98);
    assert_true((p >> 24) >= 126 && (p >> 24) <= 129);
    ts_canvas_free(&c);

    c = ts_canvas_new(200, 200);
    s = ring_state(0);
    s.active = true; /* even if a caller sets it: alpha 0 paints nothing */
    reelay_paint_touch(c.cr, &s);
    s = ring_state(1);
    s.active = false;
    reelay_paint_touch(c.cr, &s);
    reelay_paint_touch(c.cr, NULL);
    assert_true(ts_blank_rect(&c, 0, 0, 200, 200));
    ts_canvas_free(&c);
}

static void test_paint_tail(void **state)
{
    (void)state;
    reelay_touch_point line[] = {{20, 150, 0}, {20, 150, 0}, {180, 150, 0}};
    ts_canvas c = ts_canvas_new(200, 200);
    reelay_touch_state s = {.active = true, .tail = line, .tail_count = 3, .tail_visible = true};
    reelay_paint_touch(c.cr, &s);
    /* 3 px wide around y = 150: rows 149 and 150 fully red. */
    assert_int_equal(ts_pixel(&c, 100, 149), 0xFFFF0000u);
    assert_int_equal(ts_pixel(&c, 100, 150), 0xFFFF0000u);
    assert_int_equal(ts_pixel(&c, 100, 146), 0);
    assert_int_equal(ts_pixel(&c, 100, 153), 0);
    /* Round caps reach past the end points (a butt cap would stop at x = 180). */
    assert_true((ts_pixel(&c, 180, 150) >> 24) > 0x80);
    assert_true((ts_pixel(&c, 19, 149) >> 24) > 0x80);
    assert_int_equal(ts_pixel(&c, 183, 150), 0);
    ts_canvas_free(&c);

    /* One distinct point: the canvas prunes it; no dot. */
    reelay_touch_point dot[] = {{50, 50, 0}, {50, 50, 0}};
    c = ts_canvas_new(200, 200);
    s = (reelay_touch_state){.active = true, .tail = dot, .tail_count = 2, .tail_visible = true};
    reelay_paint_touch(c.cr, &s);
    assert_true(ts_blank_rect(&c, 0, 0, 200, 200));
    ts_canvas_free(&c);

    /* Tail above the ring. */
    c = ts_canvas_new(200, 200);
    reelay_touch_point across[] = {{60, 98, 0}, {160, 98, 0}};
    s = ring_state(1);
    s.tail = across;
    s.tail_count = 2;
    s.tail_visible = true;
    reelay_paint_touch(c.cr, &s);
    assert_int_equal(ts_pixel(&c, 98 + 33, 98), 0xFFFF0000u);
    assert_int_equal(ts_pixel(&c, 98, 98 + 33), 0xFF4950F6u);
    ts_canvas_free(&c);
}

static void test_paint_from_track(void **state)
{
    (void)state;
    fixture f = open_text(SNAP("w", 1000) START("w", 2000, 100, 100) END("w", 2100, 150, 100));
    ts_canvas c = ts_canvas_new(200, 200);
    reelay_touch_state s = at(&f, "w", 2300);
    assert_true(s.tail_visible && !s.ring_visible);
    reelay_paint_touch(c.cr, &s);
    assert_int_equal(ts_pixel(&c, 125, 99), 0xFFFF0000u);
    ts_canvas_free(&c);
    c = ts_canvas_new(200, 200);
    s = at(&f, "w", 2700);
    assert_false(s.active);
    reelay_paint_touch(c.cr, &s);
    assert_true(ts_blank_rect(&c, 0, 0, 200, 200));
    ts_canvas_free(&c);
    close_fixture(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tap_fades_in_and_out),
        cmocka_unit_test(test_short_tap_reverses_the_fade),
        cmocka_unit_test(test_touch_end_jumps_and_cancel_keeps_position),
        cmocka_unit_test(test_touch_moves_slide_while_active),
        cmocka_unit_test(test_swipe_tail_lifetime),
        cmocka_unit_test(test_touch_start_clears_tail),
        cmocka_unit_test(test_two_fingers_last_wins),
        cmocka_unit_test(test_windows_are_separate),
        cmocka_unit_test(test_touches_before_content_ignored),
        cmocka_unit_test(test_no_touch_device_without_start),
        cmocka_unit_test(test_targets_and_coordinates),
        cmocka_unit_test(test_non_finite_skipped),
        cmocka_unit_test(test_playback_speed_stretches_transitions),
        cmocka_unit_test(test_lookup_matches_references),
        cmocka_unit_test(test_paint_ring),
        cmocka_unit_test(test_paint_tail),
        cmocka_unit_test(test_paint_from_track),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
