#include "test_support.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "session/session.h"
#include "session/timeline.h"

#define T0 1700000000000.0
#define near(a, b, eps) (fabs((double)(a) - (double)(b)) <= (eps))
#define assert_ms(a, b)                                                                                              \
    do {                                                                                                             \
        double a_ = (a), b_ = (b);                                                                                   \
        if (!near(a_, b_, 1e-6)) fail_msg("%s = %.6f, expected %.6f", #a, a_, b_);                                  \
    } while (0)

/* One recorded event: ms after T0, its window and whether it counts as
 * activity (a scroll) or not (a custom event). */
typedef struct ev {
    double t;
    const char *window;
    bool active;
} ev;

/* A session as blob_v2 lines. The first line is a Meta (active, like every
 * real recording) unless the caller starts with an idle event. */
static reelay_session *session_of(const ev *events, size_t count)
{
    size_t cap = 256 * (count + 1), len = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    for (size_t i = 0; i < count; i++) {
        const ev *e = &events[i];
        const char *window = e->window ? e->window : "w1";
        if (i == 0 && e->active)
            len += (size_t)snprintf(text + len, cap - len,
                                    "[\"%s\",{\"type\":4,\"data\":{\"href\":\"app\",\"width\":400,\"height\":800},"
                                    "\"timestamp\":%.0f}]\n",
                                    window, T0 + e->t);
        else if (e->active)
            len += (size_t)snprintf(text + len, cap - len,
                                    "[\"%s\",{\"type\":3,\"data\":{\"source\":3,\"id\":1,\"x\":0,\"y\":%zu},"
                                    "\"timestamp\":%.0f}]\n",
                                    window, i, T0 + e->t);
        else
            len += (size_t)snprintf(text + len, cap - len,
                                    "[\"%s\",{\"type\":5,\"data\":{\"tag\":\"tick\",\"payload\":{\"n\":%zu}},"
                                    "\"timestamp\":%.0f}]\n",
                                    window, i, T0 + e->t);
    }
    reelay_session *session = ts_session_from_text(text);
    free(text);
    return session;
}

#define SESSION(...)                                                                                                 \
    session_of((const ev[]){__VA_ARGS__}, sizeof((const ev[]){__VA_ARGS__}) / sizeof(ev))

static reelay_timeline *build_ok(const reelay_session *session, const reelay_timeline_options *o)
{
    reelay_timeline *t = NULL;
    reelay_err err;
    reelay_err_clear(&err);
    if (reelay_timeline_build(session, o, &t, &err) != REELAY_OK) fail_msg("build failed: %s", err.msg);
    assert_non_null(t);
    return t;
}

static void build_fails(const reelay_session *session, const reelay_timeline_options *o, const char *expect)
{
    reelay_timeline *t = (reelay_timeline *)&t; /* must be reset to NULL */
    reelay_err err;
    reelay_err_clear(&err);
    assert_int_equal(reelay_timeline_build(session, o, &t, &err), REELAY_E_USAGE);
    assert_null(t);
    assert_int_equal(err.code, REELAY_E_USAGE);
    if (!strstr(err.msg, expect)) fail_msg("message \"%s\" lacks \"%s\"", err.msg, expect);
}

/* Checks one segment; session times are ms after T0. */
static void expect_segment(const reelay_timeline *t, size_t i, reelay_timeline_kind kind, double out_start,
                           double out_end, double session_start, double session_end)
{
    size_t count;
    const reelay_timeline_segment *s = reelay_timeline_segments(t, &count);
    assert_true(i < count);
    if (s[i].kind != kind) fail_msg("segment %zu: kind %d, expected %d", i, (int)s[i].kind, (int)kind);
    assert_ms(s[i].out_start_ms, out_start);
    assert_ms(s[i].out_end_ms, out_end);
    assert_ms(s[i].session_start - T0, session_start);
    assert_ms(s[i].session_end - T0, session_end);
}

typedef struct want {
    reelay_timeline_kind kind;
    double out_start, out_end, session_start, session_end; /* session: ms after T0 */
} want;

/* Checks the whole segment list. */
static void expect_layout(const reelay_timeline *t, const want *w, size_t n)
{
    size_t count;
    reelay_timeline_segments(t, &count);
    if (count != n) fail_msg("%zu segments, expected %zu", count, n);
    for (size_t i = 0; i < n; i++)
        expect_segment(t, i, w[i].kind, w[i].out_start, w[i].out_end, w[i].session_start, w[i].session_end);
}

#define EXPECT_LAYOUT(t, ...)                                                                                        \
    expect_layout(t, (const want[]){__VA_ARGS__}, sizeof((const want[]){__VA_ARGS__}) / sizeof(want))

static size_t segment_count(const reelay_timeline *t)
{
    size_t count;
    reelay_timeline_segments(t, &count);
    return count;
}

/* Activity 0..2000, idle until 30000, activity 30000..32000. */
static reelay_session *one_gap_session(void)
{
    return SESSION({0, NULL, true}, {1000, NULL, true}, {2000, NULL, true}, {30000, NULL, true},
                   {31000, NULL, true}, {32000, NULL, true});
}

/* ------------------------------------------------------------------------ */

static void test_defaults(void **state)
{
    (void)state;
    reelay_timeline_options o = reelay_timeline_defaults();
    assert_true(o.skip_idle);
    assert_ms(o.speed, 1);
    assert_ms(o.from_ms, 0);
    assert_true(o.to_ms < 0);
    assert_ms(o.idle_threshold_ms, 5000);
    assert_ms(o.card_ms, 1000);
}

static void test_no_skip_is_identity(void **state)
{
    (void)state;
    reelay_session *session = one_gap_session();
    reelay_timeline_options o = reelay_timeline_defaults();
    o.skip_idle = false;
    reelay_timeline *t = build_ok(session, &o);
    EXPECT_LAYOUT(t, {REELAY_TL_PLAY, 0, 32000, 0, 32000});
    assert_ms(reelay_timeline_duration_ms(t), 32000);
    assert_ms(reelay_timeline_skipped_ms(t), 0);
    for (double x = 0; x <= 32000; x += 250) {
        reelay_timeline_point p;
        reelay_timeline_at(t, x, &p);
        assert_int_equal(p.kind, REELAY_TL_PLAY);
        assert_ms(p.session_ts - T0, x);
        double back;
        assert_true(reelay_timeline_output_time(t, T0 + x, &back));
        assert_ms(back, x);
    }
    reelay_timeline_free(t);
    reelay_session_free(session);
}

static void test_one_long_gap(void **state)
{
    (void)state;
    reelay_session *session = one_gap_session();
    reelay_timeline *t = build_ok(session, NULL);
    /* Cut from the last activity + 1 s tail to the next activity - 0.5 s lead. */
    EXPECT_LAYOUT(t,
                  {REELAY_TL_PLAY, 0, 3000, 0, 3000},
                  {REELAY_TL_SKIP, 3000, 4000, 3000, 29500},
                  {REELAY_TL_PLAY, 4000, 6500, 29500, 32000});
    assert_ms(reelay_timeline_duration_ms(t), 6500);
    assert_ms(reelay_timeline_skipped_ms(t), 26500);

    reelay_timeline_point p;
    reelay_timeline_at(t, 3500, &p);
    assert_int_equal(p.kind, REELAY_TL_SKIP);
    assert_int_equal(p.segment, 1);
    assert_ms(p.session_ts - T0, 3000); /* frozen at the cut's start */
    assert_ms(p.skipped_ms, 26500);
    assert_ms(p.card_progress, 0.5);
    reelay_timeline_at(t, 4000, &p); /* the boundary belongs to the later segment */
    assert_int_equal(p.kind, REELAY_TL_PLAY);
    assert_ms(p.session_ts - T0, 29500);
    assert_ms(p.skipped_ms, 0);
    reelay_timeline_at(t, 5000, &p);
    assert_ms(p.session_ts - T0, 30500);
    /* Clamped to [0, duration]. */
    reelay_timeline_at(t, -100, &p);
    assert_ms(p.session_ts - T0, 0);
    reelay_timeline_at(t, 1e9, &p);
    assert_int_equal(p.segment, 2);
    assert_ms(p.session_ts - T0, 32000);

    double out;
    assert_true(reelay_timeline_output_time(t, T0 + 31000, &out));
    assert_ms(out, 5500);
    assert_false(reelay_timeline_output_time(t, T0 + 15000, &out));
    assert_ms(out, 3000); /* the card */
    assert_true(reelay_timeline_output_time(t, T0 + 3000, &out)); /* last shown instant before the card */
    assert_ms(out, 3000);
    assert_true(reelay_timeline_output_time(t, T0 + 29500, &out));
    assert_ms(out, 4000);
    reelay_timeline_free(t);
    reelay_session_free(session);
}

static void test_short_gaps_kept(void **state)
{
    (void)state;
    /* 4 s: under the idle threshold. 6 s: idle, cut 4.5 s. */
    reelay_session *session = SESSION({0, NULL, true}, {4000, NULL, true}, {10000, NULL, true});
    reelay_timeline *t = build_ok(session, NULL);
    EXPECT_LAYOUT(t,
                  {REELAY_TL_PLAY, 0, 5000, 0, 5000},
                  {REELAY_TL_SKIP, 5000, 6000, 5000, 9500},
                  {REELAY_TL_PLAY, 6000, 6500, 9500, 10000});
    reelay_timeline_free(t);

    /* A 4.5 s cut is less than two 3 s cards: not worth it. */
    reelay_timeline_options o = reelay_timeline_defaults();
    o.card_ms = 3000;
    t = build_ok(session, &o);
    EXPECT_LAYOUT(t, {REELAY_TL_PLAY, 0, 10000, 0, 10000});
    assert_ms(reelay_timeline_skipped_ms(t), 0);
    reelay_timeline_free(t);

    /* At 3x the cut plays in 1.5 s, less than two 1 s cards. */
    o = reelay_timeline_defaults();
    o.speed = 3;
    t = build_ok(session, &o);
    assert_int_equal(segment_count(t), 1);
    assert_ms(reelay_timeline_duration_ms(t), 10000.0 / 3);
    reelay_timeline_free(t);

    /* A lower idle threshold cuts the 4 s gap too. */
    o = reelay_timeline_defaults();
    o.idle_threshold_ms = 3000;
    o.card_ms = 500;
    t = build_ok(session, &o);
    assert_int_equal(segment_count(t), 5);
    expect_segment(t, 1, REELAY_TL_SKIP, 1000, 1500, 1000, 3500);
    reelay_timeline_free(t);
    reelay_session_free(session);
}

static void test_speed_scales_play_only(void **state)
{
    (void)state;
    reelay_session *session = one_gap_session();
    reelay_timeline_options o = reelay_timeline_defaults();
    o.speed = 2;
    reelay_timeline *t = build_ok(session, &o);
    EXPECT_LAYOUT(t,
                  {REELAY_TL_PLAY, 0, 1500, 0, 3000},
                  {REELAY_TL_SKIP, 1500, 2500, 3000, 29500},
                  {REELAY_TL_PLAY, 2500, 3750, 29500, 32000});
    assert_ms(reelay_timeline_speed(t), 2);
    reelay_timeline_point p;
    reelay_timeline_at(t, 3000, &p);
    assert_ms(p.session_ts - T0, 30500);
    double out;
    assert_true(reelay_timeline_output_time(t, T0 + 1000, &out));
    assert_ms(out, 500);
    reelay_timeline_free(t);

    o.speed = 0.5;
    o.skip_idle = false;
    t = build_ok(session, &o);
    assert_ms(reelay_timeline_duration_ms(t), 64000);
    reelay_timeline_free(t);
    reelay_session_free(session);
}

static void test_clip(void **state)
{
    (void)state;
    reelay_session *session = one_gap_session();
    reelay_timeline_options o = reelay_timeline_defaults();

    /* Both ends inside activity: the card stays. */
    o.from_ms = 500;
    o.to_ms = 31500;
    reelay_timeline *t = build_ok(session, &o);
    EXPECT_LAYOUT(t,
                  {REELAY_TL_PLAY, 0, 2500, 500, 3000},
                  {REELAY_TL_SKIP, 2500, 3500, 3000, 29500},
                  {REELAY_TL_PLAY, 3500, 5500, 29500, 31500});
    double out;
    assert_false(reelay_timeline_output_time(t, T0 + 100, &out));
    assert_ms(out, 0);
    assert_false(reelay_timeline_output_time(t, T0 + 31800, &out));
    assert_ms(out, 5500);
    reelay_timeline_free(t);

    /* Starting inside the idle stretch: start where it ends, no card. */
    o.from_ms = 10000;
    o.to_ms = -1;
    t = build_ok(session, &o);
    EXPECT_LAYOUT(t, {REELAY_TL_PLAY, 0, 2500, 29500, 32000});
    double start, end;
    reelay_timeline_session_range(t, &start, &end);
    assert_ms(start - T0, 29500);
    assert_ms(end - T0, 32000);
    reelay_timeline_free(t);

    /* Ending inside it: end where it starts. A --to past the end is clamped. */
    o.from_ms = 0;
    o.to_ms = 10000;
    t = build_ok(session, &o);
    EXPECT_LAYOUT(t, {REELAY_TL_PLAY, 0, 3000, 0, 3000});
    reelay_timeline_free(t);
    o.to_ms = 99000;
    t = build_ok(session, &o);
    assert_ms(reelay_timeline_duration_ms(t), 6500);
    reelay_timeline_free(t);

    /* Wholly inside it: nothing would be left, so it plays as it is. */
    o.from_ms = 10000;
    o.to_ms = 20000;
    t = build_ok(session, &o);
    EXPECT_LAYOUT(t, {REELAY_TL_PLAY, 0, 10000, 10000, 20000});
    reelay_timeline_free(t);

    /* Bad values. */
    o = reelay_timeline_defaults();
    o.speed = 0;
    build_fails(session, &o, "--speed");
    o.speed = -2;
    build_fails(session, &o, "--speed");
    o.speed = NAN;
    build_fails(session, &o, "--speed");
    o = reelay_timeline_defaults();
    o.from_ms = -1;
    build_fails(session, &o, "--from");
    o.from_ms = 5000;
    o.to_ms = 5000;
    build_fails(session, &o, "must be after --from");
    o.to_ms = 4000;
    build_fails(session, &o, "must be after --from");
    o.to_ms = -1;
    o.from_ms = 32000;
    build_fails(session, &o, "not before the end");
    o.from_ms = 40000;
    build_fails(session, &o, "32.000 s long");
    o = reelay_timeline_defaults();
    o.card_ms = -1;
    build_fails(session, &o, "card");
    o = reelay_timeline_defaults();
    o.idle_threshold_ms = 0;
    build_fails(session, &o, "idle threshold");
    reelay_session_free(session);
}

static void test_leading_and_trailing_idle(void **state)
{
    (void)state;
    /* Idle ticks before the first activity; a tick 1 s after the last one
     * belongs to its active segment; then idle until 40 s. */
    reelay_session *session = SESSION({0, NULL, false}, {8000, NULL, false}, {20000, NULL, true},
                                      {21000, NULL, true}, {22000, NULL, false}, {40000, NULL, false});
    reelay_timeline *t = build_ok(session, NULL);
    EXPECT_LAYOUT(t, {REELAY_TL_PLAY, 0, 3500, 19500, 23000});
    assert_ms(reelay_timeline_skipped_ms(t), 0); /* trims are not cards */
    double out;
    assert_false(reelay_timeline_output_time(t, T0 + 10000, &out));
    assert_ms(out, 0);
    assert_false(reelay_timeline_output_time(t, T0 + 30000, &out));
    assert_ms(out, 3500);
    assert_true(reelay_timeline_output_time(t, T0 + 20000, &out));
    assert_ms(out, 500);
    reelay_timeline_free(t);

    /* Without any activity nothing is trimmed. */
    reelay_session *idle = SESSION({0, NULL, false}, {9000, NULL, false}, {30000, NULL, false});
    t = build_ok(idle, NULL);
    EXPECT_LAYOUT(t, {REELAY_TL_PLAY, 0, 30000, 0, 30000});
    reelay_timeline_free(t);
    reelay_session_free(idle);
    reelay_session_free(session);
}

/* The frames of a constant-rate video: frame k shows k / fps, except the last,
 * which shows the end, so the state at the last shown instant (a change that
 * arrives with the final event) is on screen when the video stops. */
static void expect_frames(const reelay_timeline *t, int fps, int64_t count, double shown_end)
{
    assert_int_equal(reelay_timeline_frame_count(t, fps), count);
    for (int64_t k = 0; k + 1 < count; k++) assert_ms(reelay_timeline_frame_ms(t, fps, k), (double)k * 1000.0 / fps);
    double last = reelay_timeline_frame_ms(t, fps, count - 1);
    assert_ms(last, reelay_timeline_duration_ms(t));
    /* the last frame is on screen from its start to the end */
    assert_true(last > (double)(count - 1) * 1000.0 / fps || count == 1);
    assert_true(last <= (double)count * 1000.0 / fps + 1e-6);
    reelay_timeline_point p;
    reelay_timeline_at(t, last, &p);
    assert_int_equal(p.kind, REELAY_TL_PLAY);
    assert_ms(p.session_ts - T0, shown_end);
    double start, end;
    reelay_timeline_session_range(t, &start, &end);
    assert_ms(end - T0, shown_end);
}

static void test_last_frame_shows_the_end(void **state)
{
    (void)state;
    reelay_session *session = one_gap_session();
    reelay_timeline_options o = reelay_timeline_defaults();
    /* Skipping idle: 6.5 s, a whole number of frames at 24 fps; the last
     * frame starts at 6458 ms but shows 6500 ms, the session's last event. */
    reelay_timeline *t = build_ok(session, &o);
    expect_frames(t, 24, 156, 32000);
    reelay_timeline_free(t);
    /* Faster, at a rate that does not divide it: 3.75 s at 7 fps. */
    o.speed = 2;
    t = build_ok(session, &o);
    expect_frames(t, 7, 27, 32000);
    reelay_timeline_free(t);
    /* Clipped: the last frame shows --to. */
    o = reelay_timeline_defaults();
    o.from_ms = 500;
    o.to_ms = 31500;
    t = build_ok(session, &o);
    expect_frames(t, 10, 55, 31500);
    reelay_timeline_free(t);
    /* Real time, slowed down. */
    o = reelay_timeline_defaults();
    o.skip_idle = false;
    o.speed = 0.5;
    t = build_ok(session, &o);
    expect_frames(t, 1, 64, 32000);
    reelay_timeline_free(t);
    reelay_session_free(session);

    /* One instant: one frame, showing it. */
    reelay_session *instant = SESSION({0, NULL, true});
    t = build_ok(instant, NULL);
    expect_frames(t, 24, 1, 0);
    reelay_timeline_free(t);
    reelay_session_free(instant);
}

static void test_zero_card_is_a_jump_cut(void **state)
{
    (void)state;
    reelay_session *session = one_gap_session();
    reelay_timeline_options o = reelay_timeline_defaults();
    o.card_ms = 0;
    reelay_timeline *t = build_ok(session, &o);
    assert_int_equal(segment_count(t), 3);
    expect_segment(t, 1, REELAY_TL_SKIP, 3000, 3000, 3000, 29500);
    reelay_timeline_point p;
    reelay_timeline_at(t, 3000, &p);
    assert_int_equal(p.kind, REELAY_TL_PLAY);
    assert_ms(p.session_ts - T0, 29500);
    assert_ms(reelay_timeline_duration_ms(t), 5500);
    reelay_timeline_free(t);
    reelay_session_free(session);
}

static void test_multi_window(void **state)
{
    (void)state;
    /* A dialog window opens 0.5 s after the main one's last event (a new
     * active segment, no idle), then the main window again after 16 s. */
    reelay_session *session = SESSION({0, "main", true}, {2000, "main", true}, {2500, "dialog", true},
                                      {4000, "dialog", true}, {20000, "main", true}, {21000, "main", true});
    assert_int_equal(session->window_count, 2);
    reelay_timeline *t = build_ok(session, NULL);
    EXPECT_LAYOUT(t,
                  {REELAY_TL_PLAY, 0, 5000, 0, 5000},
                  {REELAY_TL_SKIP, 5000, 6000, 5000, 19500},
                  {REELAY_TL_PLAY, 6000, 7500, 19500, 21000});
    reelay_timeline_free(t);
    reelay_session_free(session);
}

/* A timeline with several cards and a speed that makes fractional times. */
static reelay_session *busy_session(void)
{
    return SESSION({0, NULL, true}, {700, NULL, true}, {1300, NULL, false}, {9000, NULL, false},
                   {15000, NULL, true}, {15400, "b", true}, {16000, "b", true}, {52000, NULL, true},
                   {53000, NULL, true}, {53500, NULL, false}, {61000, NULL, true}, {61300, NULL, true},
                   {400000, NULL, true}, {400100, NULL, true});
}

/* Epoch ms as doubles carry about 2^-12 ms of precision. */
#define EPOCH_EPS 1e-3

static void test_round_trip(void **state)
{
    (void)state;
    reelay_session *session = busy_session();
    const double speeds[] = {1, 1.5, 3, 0.75};
    for (size_t k = 0; k < sizeof speeds / sizeof speeds[0]; k++) {
        reelay_timeline_options o = reelay_timeline_defaults();
        o.speed = speeds[k];
        reelay_timeline *t = build_ok(session, &o);
        assert_true(segment_count(t) >= 5);
        double duration = reelay_timeline_duration_ms(t);
        size_t count;
        const reelay_timeline_segment *segments = reelay_timeline_segments(t, &count);
        /* Output time -> session time -> output time. */
        for (int i = 0; i <= 4000; i++) {
            double x = duration * i / 4000.0;
            reelay_timeline_point p;
            reelay_timeline_at(t, x, &p);
            double back;
            bool shown = reelay_timeline_output_time(t, p.session_ts, &back);
            assert_true(shown);
            double expect = p.kind == REELAY_TL_PLAY ? x : segments[p.segment].out_start_ms;
            if (!near(back, expect, EPOCH_EPS))
                fail_msg("speed %g: out %.9f -> ts %.6f -> out %.9f, expected %.9f", speeds[k], x,
                         p.session_ts - T0, back, expect);
        }
        /* Session time -> output time -> session time, where shown. */
        for (double ts = session->first_ts; ts <= session->last_ts; ts += 37.25) {
            double out;
            if (!reelay_timeline_output_time(t, ts, &out)) continue;
            reelay_timeline_point p;
            reelay_timeline_at(t, out, &p);
            if (!near(p.session_ts, ts, EPOCH_EPS)) fail_msg("ts %.3f -> out %.3f -> ts %.3f", ts, out, p.session_ts);
        }
        reelay_timeline_free(t);
    }
    reelay_session_free(session);
}

static void test_monotonic(void **state)
{
    (void)state;
    reelay_session *session = busy_session();
    reelay_timeline_options o = reelay_timeline_defaults();
    o.speed = 1.5;
    reelay_timeline *t = build_ok(session, &o);
    size_t count;
    const reelay_timeline_segment *segments = reelay_timeline_segments(t, &count);
    /* Contiguous, alternating, starting and ending with PLAY. */
    assert_int_equal(count % 2, 1);
    for (size_t i = 0; i < count; i++) {
        assert_int_equal(segments[i].kind, i % 2 ? REELAY_TL_SKIP : REELAY_TL_PLAY);
        if (i) assert_ms(segments[i].out_start_ms, segments[i - 1].out_end_ms);
        if (i) assert_true(segments[i].session_start >= segments[i - 1].session_start);
    }
    double last_ts = -INFINITY;
    size_t last_segment = 0;
    int cards = 0;
    double duration = reelay_timeline_duration_ms(t);
    for (double x = 0; x <= duration; x += 1000.0 / 30) {
        reelay_timeline_point p;
        reelay_timeline_at(t, x, &p);
        assert_true(p.session_ts >= last_ts);
        assert_true(p.segment >= last_segment);
        if (p.kind == REELAY_TL_SKIP) {
            assert_true(p.card_progress >= 0 && p.card_progress < 1);
            assert_true(p.skipped_ms > 0);
            cards++;
        }
        last_ts = p.session_ts;
        last_segment = p.segment;
    }
    assert_true(cards > 0);
    reelay_timeline_free(t);
    reelay_session_free(session);
}

/* Duration with skipping = the whole session minus the longest idle gap's cut
 * plus one card, from the numbers in the fixture's .expected.json. */
static void check_fixture(const char *recording, const char *expected_path)
{
    reelay_session *session = ts_session_from_path(recording);
    char *text = ts_read_text(expected_path, NULL);
    json_t *expected = ts_json(text);
    free(text);
    double duration_ms = json_number_value(json_object_get(expected, "duration_ms"));
    json_t *gap = json_object_get(expected, "longest_gap_between_active_events");
    double gap_from = json_number_value(json_object_get(gap, "from"));
    double gap_to = json_number_value(json_object_get(gap, "to"));
    double gap_ms = json_number_value(json_object_get(gap, "ms"));
    assert_true(duration_ms > 0 && gap_ms > 5000);

    reelay_timeline *t = build_ok(session, NULL);
    size_t count;
    const reelay_timeline_segment *segments = reelay_timeline_segments(t, &count);
    assert_int_equal(count, 3);
    assert_int_equal(segments[1].kind, REELAY_TL_SKIP);
    assert_true(near(segments[1].session_start, gap_from + REELAY_TIMELINE_TAIL_MS, 1));
    assert_true(near(segments[1].session_end, gap_to - REELAY_TIMELINE_LEAD_MS, 1));
    double cut = gap_ms - REELAY_TIMELINE_TAIL_MS - REELAY_TIMELINE_LEAD_MS;
    double expect = duration_ms - cut + REELAY_TIMELINE_CARD_MS;
    if (!near(reelay_timeline_duration_ms(t), expect, 1))
        fail_msg("%s: duration %.1f ms, expected %.1f", recording, reelay_timeline_duration_ms(t), expect);
    assert_true(near(reelay_timeline_skipped_ms(t), cut, 1));
    reelay_timeline_free(t);

    reelay_timeline_options o = reelay_timeline_defaults();
    o.skip_idle = false;
    t = build_ok(session, &o);
    assert_true(near(reelay_timeline_duration_ms(t), duration_ms, 1e-6));
    reelay_timeline_free(t);
    json_decref(expected);
    reelay_session_free(session);
}

static void test_android_shop(void **state)
{
    (void)state;
    check_fixture("fixtures/mobile/android-shop.blob.jsonl", "fixtures/mobile/android-shop.expected.json");
}

static void test_ios_notes(void **state)
{
    (void)state;
    check_fixture("fixtures/mobile/ios-notes.blob.jsonl", "fixtures/mobile/ios-notes.expected.json");
}

static void test_format_skipped(void **state)
{
    (void)state;
    static const struct {
        double ms;
        const char *text;
    } cases[] = {
        {0, "0s"},          {-5, "0s"},          {NAN, "0s"},          {300, "<1s"},       {500, "1s"},
        {12000, "12s"},     {12499, "12s"},      {12500, "13s"},       {59499, "59s"},     {59500, "1m 00s"},
        {60000, "1m 00s"},  {252000, "4m 12s"},  {245400, "4m 05s"},   {3599400, "59m 59s"},
        {3599500, "1h 00m"}, {3720000, "1h 02m"}, {3749000, "1h 02m"}, {3750000, "1h 03m"},
        {90000000, "25h 00m"}, {INFINITY, "277777777h 47m"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[32];
        reelay_format_skipped(cases[i].ms, text, sizeof text);
        if (strcmp(text, cases[i].text) != 0) fail_msg("%.1f ms: \"%s\", expected \"%s\"", cases[i].ms, text, cases[i].text);
    }
    char small[4];
    reelay_format_skipped(252000, small, sizeof small);
    assert_string_equal(small, "4m ");
}

static void test_json(void **state)
{
    (void)state;
    reelay_session *session = one_gap_session();
    reelay_timeline_options o = reelay_timeline_defaults();
    o.from_ms = 500;
    reelay_timeline *t = build_ok(session, &o);
    json_t *json = reelay_timeline_json(t, session);
    assert_non_null(json);
    json_t *expected = ts_json(
        "{\"duration_s\": 6.0, \"speed\": 1.0, \"skip_idle\": true, \"segments\": ["
        "{\"kind\": \"play\", \"out_start_s\": 0.0, \"out_end_s\": 2.5, \"session_start_s\": 0.5, \"session_end_s\": 3.0},"
        "{\"kind\": \"skip\", \"out_start_s\": 2.5, \"out_end_s\": 3.5, \"session_start_s\": 3.0, \"session_end_s\": 29.5},"
        "{\"kind\": \"play\", \"out_start_s\": 3.5, \"out_end_s\": 6.0, \"session_start_s\": 29.5, \"session_end_s\": 32.0}],"
        "\"skipped\": [{\"at_s\": 2.5, \"session_from_s\": 3.0, \"session_to_s\": 29.5, \"skipped_s\": 26.5}]}");
    if (!json_equal(json, expected)) {
        char *dump = json_dumps(json, JSON_SORT_KEYS);
        fail_msg("unexpected JSON: %s", dump);
    }
    json_decref(expected);
    json_decref(json);
    reelay_timeline_free(t);

    /* Fractional times are rounded to the millisecond. */
    o = reelay_timeline_defaults();
    o.speed = 3;
    o.skip_idle = false;
    t = build_ok(session, &o);
    json = reelay_timeline_json(t, session);
    assert_ms(json_real_value(json_object_get(json, "duration_s")), 10.667);
    assert_false(json_is_true(json_object_get(json, "skip_idle")));
    assert_int_equal(json_array_size(json_object_get(json, "skipped")), 0);
    json_decref(json);
    reelay_timeline_free(t);
    reelay_session_free(session);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_no_skip_is_identity),
        cmocka_unit_test(test_one_long_gap),
        cmocka_unit_test(test_short_gaps_kept),
        cmocka_unit_test(test_speed_scales_play_only),
        cmocka_unit_test(test_clip),
        cmocka_unit_test(test_leading_and_trailing_idle),
        cmocka_unit_test(test_last_frame_shows_the_end),
        cmocka_unit_test(test_zero_card_is_a_jump_cut),
        cmocka_unit_test(test_multi_window),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_monotonic),
        cmocka_unit_test(test_android_shop),
        cmocka_unit_test(test_ios_notes),
        cmocka_unit_test(test_format_skipped),
        cmocka_unit_test(test_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
