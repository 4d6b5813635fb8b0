/* Unit tests for src/scene/pointer_state (cursor glide, flattened move
 * batches, visibility, presses, ripples, document scrolls, windows, untrusted
 * numbers, lookups against a linear-scan reference, the two web fixtures)
 * and renderers/overlay/pointer (pixel probes). Sessions are built from
 * inline JSONL blob lines (["window", event]). */
#define _POSIX_C_SOURCE 200809L
#include "test_support.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/ingest.h"
#include "renderers/overlay/pointer.h"
#include "scene/pointer_state.h"

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */
/* ------------------------------------------------------------------------ */

#define META(w, t) "[\"" w "\",{\"type\":4,\"timestamp\":" #t ",\"data\":{\"href\":\"https://x.test/\",\"width\":800,\"height\":600}}]\n"
/* One mouse move batch at t; positions is the JSON array's inside. */
#define MOVES(w, t, positions) "[\"" w "\",{\"type\":3,\"timestamp\":" #t ",\"data\":{\"source\":1,\"positions\":[" positions "]}}]\n"
#define POS(x, y, off) "{\"x\":" #x ",\"y\":" #y ",\"id\":5,\"timeOffset\":" #off "}"
#define MOVE(w, t, x, y) MOVES(w, t, POS(x, y, 0))
/* A mouse interaction with x/y: type (0 up, 1 down, 2 click, 3 context menu, 4 dblclick), pointer type. */
#define INTER(w, t, type, x, y, ptr)                                                                         \
    "[\"" w "\",{\"type\":3,\"timestamp\":" #t ",\"data\":{\"source\":2,\"type\":" #type ",\"id\":7,\"x\":" #x   \
    ",\"y\":" #y ",\"pointerType\":" #ptr "}}]\n"
#define CLICK(w, t, x, y) INTER(w, t, 2, x, y, 0)
#define SCROLL(w, t, id, x, y)                                                                               \
    "[\"" w "\",{\"type\":3,\"timestamp\":" #t ",\"data\":{\"source\":3,\"id\":" #id ",\"x\":" #x ",\"y\":" #y "}}]\n"

typedef struct fixture {
    reelay_session *session;
    reelay_pointer_track *track;
} fixture;

static reelay_pointer_track *build(const reelay_session *session)
{
    reelay_pointer_track *track = NULL;
    reelay_err err;
    reelay_err_clear(&err);
    if (reelay_pointer_track_new(session, &track, &err) != REELAY_OK) fail_msg("track failed: %s", err.msg);
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
    reelay_pointer_track_free(f->track);
    reelay_session_free(f->session);
}

static reelay_pointer_state at(const fixture *f, const char *window, double ts)
{
    reelay_pointer_state s;
    reelay_pointer_at(f->track, ts_window_of(f->session, window), ts, &s);
    return s;
}

static void assert_xy(const reelay_pointer_state *s, double x, double y)
{
    assert_true(s->has_position);
    if (s->x != x || s->y != y) fail_msg("position (%g, %g), want (%g, %g)", s->x, s->y, x, y);
}

/* ------------------------------------------------------------------------ */
/* Scene                                                                    */
/* ------------------------------------------------------------------------ */

static void test_interpolates_between_samples(void **state)
{
    (void)state;
    fixture f = open_text(META("w", 900) MOVES("w", 1100, POS(0, 0, -100) "," POS(100, 50, 0))
                              MOVE("w", 3000, 200, 50));
    reelay_pointer_state s = at(&f, "w", 1050);
    assert_xy(&s, 50, 25); /* the exact midpoint */
    assert_true(s.cursor_visible && s.active && s.animating);
    assert_true(s.stable_until == 1050);
    s = at(&f, "w", 1025);
    assert_xy(&s, 25, 12.5);
    s = at(&f, "w", 1000);
    assert_xy(&s, 0, 0);
    s = at(&f, "w", 1100);
    assert_xy(&s, 100, 50);
    /* A long gap is a rest: the glide only fills its last 250 ms. */
    s = at(&f, "w", 2000);
    assert_xy(&s, 100, 50);
    assert_false(s.animating);
    assert_true(s.stable_until == 3000 - REELAY_POINTER_GLIDE_MS);
    s = at(&f, "w", 3000 - REELAY_POINTER_GLIDE_MS / 2);
    assert_xy(&s, 150, 50);
    s = at(&f, "w", 5000);
    assert_xy(&s, 200, 50);
    assert_false(s.animating);
    assert_true(isinf(s.stable_until));
    close_fixture(&f);
}

static void test_offsets_flattened_and_sorted(void **state)
{
    (void)state;
    /* Offsets out of order within a batch, and a later batch reaching back
     * between them. */
    fixture f = open_text(META("w", 900)
                              MOVES("w", 2000, POS(30, 0, -100) "," POS(10, 0, -300) "," POS(20, 0, -200) "," POS(40, 0, 0))
                                  MOVES("w", 2100, POS(25, 0, -350)));
    assert_int_equal(reelay_pointer_track_counts(f.track, 0).positions, 5);
    double times[] = {1700, 1725, 1750, 1800, 1850, 1900, 1950, 2000};
    double xs[] = {10, 17.5, 25, 20, 25, 30, 35, 40};
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
        reelay_pointer_state s = at(&f, "w", times[i]);
        if (s.x != xs[i]) fail_msg("at %g: x %g, want %g", times[i], s.x, xs[i]);
    }
    close_fixture(&f);
}

static void test_cursor_visibility(void **state)
{
    (void)state;
    fixture f = open_text(META("w", 900) MOVE("w", 1000, 10, 10) INTER("w", 2000, 2, 50, 60, 2)
                              MOVE("w", 2500, 70, 70) INTER("w", 3000, 2, 80, 90, 0)
                                  "[\"w\",{\"type\":3,\"timestamp\":4000,\"data\":{\"source\":6,\"positions\":"
                                  "[{\"x\":5,\"y\":5,\"id\":5,\"timeOffset\":0}]}}]\n"
                                  "[\"w\",{\"type\":3,\"timestamp\":4500,\"data\":{\"source\":2,\"type\":5,\"id\":7}}]\n");
    reelay_pointer_state s = at(&f, "w", 999);
    assert_false(s.has_position || s.cursor_visible || s.active);
    assert_true(s.stable_until == 1000);
    s = at(&f, "w", 1000);
    assert_true(s.cursor_visible);
    /* A touch click hides the cursor (the ripple still shows) ... */
    s = at(&f, "w", 2100);
    assert_true(s.touch && !s.cursor_visible && s.ripple_count == 1);
    assert_xy(&s, 50, 60);
    /* ... emulated mouse moves do not bring it back ... */
    s = at(&f, "w", 2600);
    assert_true(s.touch && !s.cursor_visible);
    assert_false(s.active);
    /* ... a mouse interaction does. */
    s = at(&f, "w", 3000);
    assert_true(!s.touch && s.cursor_visible);
    assert_xy(&s, 80, 90);
    /* TouchMove: a finger, not the cursor; Focus without x/y moves nothing. */
    s = at(&f, "w", 4600);
    assert_true(s.touch && !s.cursor_visible);
    assert_xy(&s, 80, 90);
    assert_int_equal(reelay_pointer_track_counts(f.track, 0).positions, 4);
    close_fixture(&f);
}

static void test_pressed(void **state)
{
    (void)state;
    fixture f = open_text(META("w", 900) INTER("w", 1000, 1, 40, 40, 0) INTER("w", 1100, 0, 40, 40, 0)
                              CLICK("w", 1101, 40, 40));
    reelay_pointer_state s = at(&f, "w", 999);
    assert_false(s.pressed);
    s = at(&f, "w", 1000);
    assert_true(s.pressed && s.cursor_visible);
    s = at(&f, "w", 1050);
    assert_true(s.pressed);
    assert_false(s.animating);
    assert_true(s.stable_until == 1100);
    s = at(&f, "w", 1100);
    assert_false(s.pressed);
    assert_int_equal(reelay_pointer_track_counts(f.track, 0).presses, 2);
    close_fixture(&f);
}

static void test_ripple_lifetimes(void **state)
{
    (void)state;
    fixture f = open_text(META("w", 900) CLICK("w", 1000, 10, 20)
                          /* rrweb: two clicks, then the dblclick */
                          CLICK("w", 2000, 30, 30) CLICK("w", 2180, 30, 30) INTER("w", 2181, 4, 30, 30, 0)
                          /* portable: the second click is the dblclick */
                          CLICK("w", 3000, 40, 40) INTER("w", 3200, 4, 40, 40, 0)
                          /* a lone dblclick */
                          INTER("w", 5000, 4, 50, 50, 0)
                          /* a right click */
                          INTER("w", 6000, 3, 60, 60, 0)
                          /* a burst of five */
                          CLICK("w", 7000, 1, 1) CLICK("w", 7010, 2, 2) CLICK("w", 7020, 3, 3)
                              CLICK("w", 7030, 4, 4) CLICK("w", 7040, 5, 5));
    reelay_pointer_state s = at(&f, "w", 999);
    assert_int_equal(s.ripple_count, 0);
    s = at(&f, "w", 1000);
    assert_int_equal(s.ripple_count, 1);
    assert_true(s.ripples[0].age_ms == 0 && s.ripples[0].x == 10 && s.ripples[0].y == 20);
    assert_true(s.animating);
    s = at(&f, "w", 1499);
    assert_int_equal(s.ripple_count, 1);
    assert_true(s.ripples[0].age_ms == 499);
    s = at(&f, "w", 1500);
    assert_int_equal(s.ripple_count, 0);
    assert_false(s.animating);
    s = at(&f, "w", 2200);
    assert_int_equal(s.ripple_count, 2);
    assert_true(s.ripples[0].age_ms == 200 && s.ripples[1].age_ms == 20);
    s = at(&f, "w", 3250);
    assert_int_equal(s.ripple_count, 2);
    assert_true(s.ripples[0].age_ms == 250 && s.ripples[1].age_ms == 50);
    s = at(&f, "w", 5000);
    assert_int_equal(s.ripple_count, 2);
    assert_true(s.ripples[0].age_ms == REELAY_POINTER_DBL_GAP_MS && s.ripples[1].age_ms == 0);
    s = at(&f, "w", 6100);
    assert_int_equal(s.ripple_count, 1);
    s = at(&f, "w", 7040);
    assert_int_equal(s.ripple_count, REELAY_POINTER_MAX_RIPPLES);
    assert_true(s.ripples[0].x == 2 && s.ripples[3].x == 5); /* the newest, oldest first */
    /* 1 + 2 + 2 + 2 + 1 + 5 */
    assert_int_equal(reelay_pointer_track_counts(f.track, 0).ripples, 13);
    close_fixture(&f);
}

static void test_scroll_offset_and_fade(void **state)
{
    (void)state;
    fixture f = open_text(
        META("w", 900) SCROLL("w", 2000, 1, 0, 300) SCROLL("w", 2100, 7, 0, 999) SCROLL("w", 3000, 1, 0, 300)
            SCROLL("w", 4000, 1, 0, 100) SCROLL("w", 4100, 1, 20, 100)
                "[\"w\",{\"type\":2,\"timestamp\":5000,\"data\":{\"node\":{\"type\":0,\"id\":9,\"childNodes\":[]},"
                "\"initialOffset\":{\"top\":50,\"left\":0}}}]\n" SCROLL("w", 5100, 1, 0, 700)
                    SCROLL("w", 5200, 9, 0, 800));
    reelay_pointer_state s = at(&f, "w", 1999);
    assert_false(s.has_scroll || s.active);
    s = at(&f, "w", 2000);
    assert_true(s.has_scroll && s.scroll_recent && s.active);
    assert_true(s.scroll_y == 300 && s.scroll_alpha == 1 && s.scroll_dir == REELAY_SCROLL_DOWN);
    assert_false(s.animating);
    assert_true(s.stable_until == 2000 + REELAY_POINTER_SCROLL_HOLD_MS);
    s = at(&f, "w", 2650); /* another element's scroll changed nothing */
    assert_true(s.scroll_y == 300 && s.animating);
    assert_true(fabs(s.scroll_alpha - 0.5) < 1e-12 && fabs(s.scroll_age_ms - 650) < 1e-12);
    s = at(&f, "w", 2800);
    assert_true(s.has_scroll && s.scroll_y == 300 && !s.scroll_recent && s.scroll_alpha == 0);
    assert_false(s.active || s.animating);
    assert_true(s.stable_until == 3000);
    s = at(&f, "w", 3100); /* the same offset again is no change */
    assert_false(s.scroll_recent);
    s = at(&f, "w", 4000);
    assert_true(s.scroll_recent && s.scroll_y == 100 && s.scroll_dir == REELAY_SCROLL_UP);
    s = at(&f, "w", 4100);
    assert_true(s.scroll_x == 20 && s.scroll_dir == REELAY_SCROLL_RIGHT && s.scroll_age_ms == 0);
    /* A page load resets the offset quietly and names a new document node. */
    s = at(&f, "w", 5050);
    assert_true(s.scroll_y == 50 && s.scroll_x == 0 && !s.scroll_recent);
    s = at(&f, "w", 5150);
    assert_true(s.scroll_y == 50);
    s = at(&f, "w", 5200);
    assert_true(s.scroll_y == 800 && s.scroll_recent && s.scroll_dir == REELAY_SCROLL_DOWN);
    assert_int_equal(reelay_pointer_track_counts(f.track, 0).scrolls, 6);
    close_fixture(&f);
}

static void test_viewport_follows_resizes(void **state)
{
    (void)state;
    fixture f = open_text(META("w", 900) MOVE("w", 1000, 1, 1)
                              "[\"w\",{\"type\":3,\"timestamp\":2000,\"data\":{\"source\":4,\"width\":640,\"height\":480}}]\n");
    reelay_pointer_state s = at(&f, "w", 1500);
    assert_true(s.has_viewport && s.viewport_width == 800 && s.viewport_height == 600);
    assert_true(s.stable_until == 2000);
    s = at(&f, "w", 2000);
    assert_true(s.viewport_width == 640 && s.viewport_height == 480);
    close_fixture(&f);
}

static void test_windows_are_separate(void **state)
{
    (void)state;
    fixture f = open_text(META("a", 900) META("b", 900) MOVE("a", 1000, 10, 10) CLICK("b", 1100, 90, 90)
                              SCROLL("b", 1150, 1, 0, 40) MOVE("a", 1200, 20, 20));
    reelay_pointer_state s = at(&f, "a", 1100);
    assert_xy(&s, 15, 15);
    assert_true(s.ripple_count == 0 && !s.has_scroll);
    s = at(&f, "b", 1250);
    assert_xy(&s, 90, 90);
    assert_true(s.ripple_count == 1 && s.scroll_y == 40);
    reelay_pointer_counts c = reelay_pointer_track_counts(f.track, ts_window_of(f.session, "a"));
    assert_true(c.positions == 2 && c.ripples == 0 && c.scrolls == 0);
    /* Unknown windows and times give the inactive state. */
    reelay_pointer_at(f.track, 7, 1250, &s);
    assert_false(s.active || s.has_position);
    assert_true(isinf(s.stable_until));
    reelay_pointer_at(f.track, 0, NAN, &s);
    assert_false(s.active || s.has_position);
    reelay_pointer_at(NULL, 0, 1250, &s);
    assert_false(s.active);
    c = reelay_pointer_track_counts(f.track, 7);
    assert_int_equal(c.positions, 0);
    close_fixture(&f);
}

static void test_non_finite_skipped(void **state)
{
    (void)state;
    /* The reader rejects non-finite numbers; the track must not rely on it. */
    reelay_session *session = ts_session_from_text(
        META("w", 900) MOVES("w", 1000, POS(1, 1, -50) "," POS(2, 2, 0)) MOVE("w", 1100, 3, 3)
            CLICK("w", 1200, 4, 4) CLICK("w", 1300, 5, 5) SCROLL("w", 1400, 1, 0, 10) SCROLL("w", 1500, 1, 0, 20)
                "[\"w\",{\"type\":3,\"timestamp\":1600,\"data\":{\"source\":4,\"width\":640,\"height\":480}}]\n");
    for (size_t i = 0; i < session->event_count; i++) {
        reelay_event *ev = &session->events[i];
        if (ev->timestamp == 1000) {
            ev->u.pointer.positions[0].x = NAN;
            ev->u.pointer.positions[1].time_offset_ms = -INFINITY;
        }
        if (ev->timestamp == 1100) ev->timestamp = NAN; /* breaks the order too */
        if (ev->timestamp == 1200) ev->u.interaction.y = INFINITY;
        if (ev->timestamp == 1400) ev->u.scroll.y = NAN;
        if (ev->timestamp == 1600) ev->u.resize.width = INFINITY;
    }
    reelay_pointer_track *track = build(session);
    reelay_pointer_counts c = reelay_pointer_track_counts(track, 0);
    assert_int_equal(c.positions, 1);
    assert_int_equal(c.ripples, 1);
    assert_int_equal(c.scrolls, 1);
    reelay_pointer_state s;
    for (double t = 800; t < 2500; t += 7) {
        reelay_pointer_at(track, 0, t, &s);
        if (s.has_position) assert_true(isfinite(s.x) && isfinite(s.y));
        assert_true(isfinite(s.scroll_y) && s.scroll_alpha >= 0 && s.scroll_alpha <= 1);
        assert_true(!s.has_viewport || s.viewport_width == 800);
        assert_true(s.stable_until >= t);
    }
    reelay_pointer_track_free(track);
    reelay_session_free(session);
}

/* ------------------------------------------------------------------------ */
/* Lookups against a linear scan                                            */
/* ------------------------------------------------------------------------ */

typedef enum gen_kind { G_POS, G_DOWN, G_UP, G_CLICK, G_TOUCH_CLICK, G_SCROLL } gen_kind;

/* One generated happening, at its effective time. */
typedef struct gen {
    char window;
    gen_kind kind;
    double time;
    size_t order; /* input order, for ties */
    double x, y;
} gen;

static uint32_t lcg(uint32_t *seed)
{
    *seed = *seed * 1664525u + 1013904223u;
    return *seed >> 8;
}

static int cmp_gen(const void *pa, const void *pb)
{
    const gen *a = pa, *b = pb;
    if (a->time != b->time) return a->time < b->time ? -1 : 1;
    return a->order < b->order ? -1 : a->order > b->order;
}

/* Thousands of positions in batches with unsorted offsets reaching back
 * over earlier batches, with clicks, presses, touch clicks and scrolls in
 * two windows. Fills gens (sorted by effective time) and returns the JSONL. */
static char *generate(gen *gens, size_t cap, size_t *count)
{
    char *text = NULL;
    size_t len = 0, n = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    fputs(META("a", 900) META("b", 900), out);
    uint32_t seed = 4242;
    double t = 1000;
    while (n + 12 < cap) {
        t += 1 + (double)(lcg(&seed) % 120);
        char w = (lcg(&seed) % 5) ? 'a' : 'b';
        uint32_t k = lcg(&seed) % 20;
        if (k < 14) {
            size_t batch = 1 + lcg(&seed) % 10;
            fprintf(out, "[\"%c\",{\"type\":3,\"timestamp\":%.0f,\"data\":{\"source\":1,\"positions\":[", w, t);
            for (size_t i = 0; i < batch; i++) {
                double off = -(double)(lcg(&seed) % 600);
                gen g = {.window = w, .kind = G_POS, .time = t + off, .order = n,
                         .x = (double)(lcg(&seed) % 1000), .y = (double)(lcg(&seed) % 700)};
                gens[n++] = g;
                fprintf(out, "%s{\"x\":%.0f,\"y\":%.0f,\"id\":5,\"timeOffset\":%.0f}", i ? "," : "", g.x, g.y, off);
            }
            fputs("]}}]\n", out);
            continue;
        }
        gen g = {.window = w, .time = t, .order = n, .x = (double)(lcg(&seed) % 1000), .y = (double)(lcg(&seed) % 700)};
        if (k < 18) {
            static const gen_kind kinds[] = {G_DOWN, G_UP, G_CLICK, G_TOUCH_CLICK};
            static const int types[] = {1, 0, 2, 2};
            g.kind = kinds[k - 14];
            fprintf(out,
                    "[\"%c\",{\"type\":3,\"timestamp\":%.0f,\"data\":{\"source\":2,\"type\":%d,\"id\":7,\"x\":%.0f,"
                    "\"y\":%.0f,\"pointerType\":%d}}]\n",
                    w, t, types[k - 14], g.x, g.y, g.kind == G_TOUCH_CLICK ? 2 : 0);
        } else {
            g.kind = G_SCROLL;
            g.x = 0;
            fprintf(out, "[\"%c\",{\"type\":3,\"timestamp\":%.0f,\"data\":{\"source\":3,\"id\":1,\"x\":0,\"y\":%.0f}}]\n",
                    w, t, g.y);
        }
        gens[n++] = g;
    }
    fclose(out);
    qsort(gens, n, sizeof *gens, cmp_gen);
    *count = n;
    return text;
}

/* The state by scanning every generated happening of the window. */
static reelay_pointer_state reference(const gen *gens, size_t n, char w, double ts)
{
    reelay_pointer_state s = {0};
    const gen *a = NULL, *b = NULL;
    const gen *clicks[REELAY_POINTER_MAX_RIPPLES]; /* the newest alive, oldest first */
    size_t nclicks = 0;
    double prev_y = 0, changed = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        const gen *g = &gens[i];
        if (g->window != w) continue;
        if (g->time > ts) {
            if (g->kind != G_SCROLL && !b) b = g;
            continue;
        }
        if (g->kind != G_SCROLL) a = g;
        if (g->kind == G_DOWN) s.pressed = true;
        if (g->kind == G_UP) s.pressed = false;
        if (g->kind != G_POS && g->kind != G_SCROLL) s.touch = g->kind == G_TOUCH_CLICK;
        if ((g->kind == G_CLICK || g->kind == G_TOUCH_CLICK) && ts - g->time < REELAY_POINTER_RIPPLE_MS) {
            if (nclicks == REELAY_POINTER_MAX_RIPPLES) {
                memmove(clicks, clicks + 1, (nclicks - 1) * sizeof *clicks);
                nclicks--;
            }
            clicks[nclicks++] = g;
        }
        if (g->kind == G_SCROLL) {
            s.has_scroll = true;
            if (g->y != prev_y) changed = g->time;
            s.scroll_y = prev_y = g->y;
        }
    }
    if (a) {
        s.has_position = true;
        s.x = a->x;
        s.y = a->y;
        if (b) {
            double start = fmax(a->time, b->time - REELAY_POINTER_GLIDE_MS);
            if (ts >= start) {
                s.x += (b->x - a->x) * (ts - start) / (b->time - start);
                s.y += (b->y - a->y) * (ts - start) / (b->time - start);
            }
        }
    }
    s.cursor_visible = s.has_position && !s.touch;
    for (size_t i = 0; i < nclicks; i++)
        s.ripples[i] = (reelay_pointer_ripple){.x = clicks[i]->x, .y = clicks[i]->y, .age_ms = ts - clicks[i]->time};
    s.ripple_count = nclicks;
    double age = ts - changed;
    s.scroll_alpha = age < REELAY_POINTER_SCROLL_HOLD_MS ? 1
                     : age < REELAY_POINTER_SCROLL_FADE_MS
                         ? (REELAY_POINTER_SCROLL_FADE_MS - age) /
                               (REELAY_POINTER_SCROLL_FADE_MS - REELAY_POINTER_SCROLL_HOLD_MS)
                         : 0;
    return s;
}

/* The drawn parts of two states agree. */
static void assert_same_drawing(const reelay_pointer_state *got, const reelay_pointer_state *want, double ts)
{
    bool same = got->has_position == want->has_position && got->cursor_visible == want->cursor_visible &&
                got->touch == want->touch && got->pressed == want->pressed &&
                got->ripple_count == want->ripple_count && got->has_scroll == want->has_scroll &&
                got->scroll_y == want->scroll_y && fabs(got->scroll_alpha - want->scroll_alpha) < 1e-9;
    if (same && got->has_position) same = fabs(got->x - want->x) < 1e-9 && fabs(got->y - want->y) < 1e-9;
    for (size_t i = 0; same && i < got->ripple_count; i++)
        same = got->ripples[i].x == want->ripples[i].x && got->ripples[i].y == want->ripples[i].y &&
               got->ripples[i].age_ms == want->ripples[i].age_ms;
    if (!same)
        fail_msg("states differ at %.3f: pos %d/%d (%g,%g)/(%g,%g) touch %d/%d pressed %d/%d ripples %zu/%zu "
                 "scroll %g/%g alpha %g/%g",
                 ts, got->has_position, want->has_position, got->x, got->y, want->x, want->y, got->touch,
                 want->touch, got->pressed, want->pressed, got->ripple_count, want->ripple_count, got->scroll_y,
                 want->scroll_y, got->scroll_alpha, want->scroll_alpha);
}

static void test_lookup_matches_reference(void **state)
{
    (void)state;
    enum { CAP = 6000 };
    gen *gens = calloc(CAP, sizeof *gens);
    assert_non_null(gens);
    size_t n = 0;
    char *text = generate(gens, CAP, &n);
    reelay_session *session = ts_session_from_text(text);
    reelay_pointer_track *track = build(session);
    uint32_t wa = ts_window_of(session, "a"), wb = ts_window_of(session, "b");
    size_t positions = reelay_pointer_track_counts(track, wa).positions + reelay_pointer_track_counts(track, wb).positions;
    assert_true(positions > 4000);

    uint32_t seed = 7;
    double begin = gens[0].time - 100, end = gens[n - 1].time + 1000;
    for (int probe = 0; probe < 1500; probe++) {
        double ts;
        if (probe % 2) {
            /* On or next to a happening, or where a glide, ripple or fade ends. */
            const gen *g = &gens[lcg(&seed) % n];
            double nudge[] = {-0.5, 0, 0.25, -REELAY_POINTER_GLIDE_MS, REELAY_POINTER_RIPPLE_MS,
                              REELAY_POINTER_SCROLL_HOLD_MS, REELAY_POINTER_SCROLL_FADE_MS, 650};
            ts = g->time + nudge[lcg(&seed) % 8];
        } else {
            ts = begin + (double)(lcg(&seed) % (uint32_t)(end - begin));
        }
        for (int w = 0; w < 2; w++) {
            reelay_pointer_state got;
            reelay_pointer_at(track, w ? wb : wa, ts, &got);
            reelay_pointer_state want = reference(gens, n, w ? 'b' : 'a', ts);
            assert_same_drawing(&got, &want, ts);
            assert_true(got.stable_until >= ts);
            assert_true(got.animating == (got.stable_until == ts));
            /* stable_until holds: nothing drawn changes before it. */
            if (!got.animating && got.stable_until > ts) {
                double until = isfinite(got.stable_until) ? got.stable_until : ts + 10000;
                for (int k = 1; k <= 3; k++) {
                    double later_ts = ts + (until - ts) * k / 4;
                    reelay_pointer_state later;
                    reelay_pointer_at(track, w ? wb : wa, later_ts, &later);
                    assert_same_drawing(&later, &got, later_ts);
                }
            }
        }
    }
    reelay_pointer_track_free(track);
    reelay_session_free(session);
    free(text);
    free(gens);
}

/* ------------------------------------------------------------------------ */
/* Fixtures                                                                 */
/* ------------------------------------------------------------------------ */

static void test_web_fixture(void **state)
{
    (void)state;
    reelay_session *session = ts_session_from_path("fixtures/web/shop-checkout.rrweb.json");
    reelay_pointer_track *track = build(session);
    assert_int_equal(session->window_count, 1);
    reelay_pointer_counts c = reelay_pointer_track_counts(track, 0);
    /* 358 move positions + 17 interactions with x/y (5 down, 5 up, 5 click,
     * a dblclick, a context menu). */
    assert_int_equal(c.positions, 375);
    assert_int_equal(c.presses, 10);
    assert_int_equal(c.ripples, 6); /* the dblclick follows its two clicks */
    assert_int_equal(c.scrolls, 5); /* the snapshot's offset and four scrolls */
    double t0 = session->first_ts;
    reelay_pointer_state s;
    reelay_pointer_at(track, 0, t0 + 11100, &s);
    assert_true(s.scroll_y == 180 && s.scroll_recent && s.scroll_dir == REELAY_SCROLL_DOWN);
    reelay_pointer_at(track, 0, t0 + 12800, &s);
    assert_int_equal(s.ripple_count, 2);
    reelay_pointer_at(track, 0, t0 + 17000, &s);
    assert_true(s.viewport_width == 1200 && s.viewport_height == 680);
    size_t visible = 0;
    for (double t = session->first_ts; t <= session->last_ts; t += 40) {
        reelay_pointer_at(track, 0, t, &s);
        visible += s.cursor_visible;
        if (s.has_position) assert_true(s.x >= 0 && s.x <= 1280 && s.y >= 0 && s.y <= 800);
    }
    assert_true(visible > 0);
    reelay_pointer_track_free(track);
    reelay_session_free(session);
}

static void test_portable_fixture(void **state)
{
    (void)state;
    reelay_session *session = ts_session_from_path("fixtures/portable/signup.json");
    reelay_pointer_track *track = build(session);
    assert_int_equal(session->window_count, 1);
    reelay_pointer_counts c = reelay_pointer_track_counts(track, 0);
    assert_int_equal(c.positions, 141); /* 134 moves + 7 clicks */
    assert_int_equal(c.presses, 0);
    assert_int_equal(c.ripples, 7);
    assert_int_equal(c.scrolls, 5); /* initial_state's offset and four scrolls */
    reelay_pointer_state s;
    reelay_pointer_at(track, 0, 1718005400000.0 + 1900, &s);
    assert_true(s.cursor_visible && s.ripple_count == 1);
    assert_xy(&s, 560, 300);
    reelay_pointer_at(track, 0, 1718005400000.0 + 22900, &s);
    assert_true(s.scroll_y == 240 && s.scroll_recent);
    reelay_pointer_at(track, 0, 1718005400000.0 + 43000, &s);
    assert_true(s.scroll_y == 0 && s.scroll_dir == REELAY_SCROLL_UP);
    reelay_pointer_track_free(track);
    reelay_session_free(session);
}

/* ------------------------------------------------------------------------ */
/* Painting                                                                 */
/* ------------------------------------------------------------------------ */

enum { CANVAS = 200 };

static unsigned channel(uint32_t p, int shift)
{
    return (p >> shift) & 0xFF;
}

static reelay_pointer_state cursor_state(bool pressed)
{
    return (reelay_pointer_state){.active = true, .has_position = true, .cursor_visible = true, .x = 50, .y = 40,
                                  .pressed = pressed};
}

static void test_paint_cursor(void **state)
{
    (void)state;
    ts_canvas c = ts_canvas_new(CANVAS, CANVAS);
    cairo_set_line_width(c.cr, 7);
    reelay_pointer_state s = cursor_state(false);
    reelay_paint_pointer(c.cr, NULL, &s, 0);
    assert_true(cairo_get_line_width(c.cr) == 7); /* state restored */
    /* The tip: the outline's black at the exact position. */
    uint32_t tip = ts_pixel(&c, 50, 41);
    assert_true(channel(tip, 24) > 0x80 && channel(tip, 16) < 0x40);
    /* Inside the arrow: opaque white. */
    assert_int_equal(ts_pixel(&c, 53, 48), 0xFFFFFFFFu);
    /* Nothing above or left of the tip, nothing below the tail. */
    assert_true(ts_blank_rect(&c, 0, 0, CANVAS, 38));
    assert_true(ts_blank_rect(&c, 0, 0, 48, CANVAS));
    assert_true(ts_blank_rect(&c, 0, 62, CANVAS, CANVAS));
    ts_canvas_free(&c);

    c = ts_canvas_new(CANVAS, CANVAS);
    s = cursor_state(true);
    reelay_paint_pointer(c.cr, NULL, &s, 0);
    uint32_t inside = ts_pixel(&c, 53, 48);
    assert_true(channel(inside, 24) == 0xFF && channel(inside, 16) < 0xE0 && channel(inside, 16) > 0xA0);
    /* Smaller: the unpressed arrow's bottom rows stay empty. */
    assert_true(ts_blank_rect(&c, 0, 59, CANVAS, CANVAS));
    ts_canvas_free(&c);
}

static void test_paint_ripples(void **state)
{
    (void)state;
    ts_canvas c = ts_canvas_new(CANVAS, CANVAS);
    reelay_pointer_state s = {.active = true, .ripple_count = 1,
                              .ripples = {{.x = 100, .y = 100, .age_ms = REELAY_POINTER_RIPPLE_MS / 2}}};
    reelay_paint_pointer(c.cr, NULL, &s, 0);
    /* Half its life: radius 12, alpha 0.3 of rgb(73,80,246). */
    uint32_t ring = ts_pixel(&c, 112, 100);
    assert_true(channel(ring, 24) > 0x30 && channel(ring, 24) < 0x60);
    assert_true(channel(ring, 0) > channel(ring, 16));
    assert_true(ts_pixel(&c, 100, 88) != 0 && ts_pixel(&c, 88, 100) != 0 && ts_pixel(&c, 100, 112) != 0);
    assert_int_equal(ts_pixel(&c, 100, 100), 0); /* a ring, not a disc */
    assert_int_equal(ts_pixel(&c, 118, 100), 0);
    ts_canvas_free(&c);

    /* A double click: two rings at their own radii. */
    c = ts_canvas_new(CANVAS, CANVAS);
    s.ripple_count = 2;
    s.ripples[0] = (reelay_pointer_ripple){.x = 100, .y = 100, .age_ms = 400};
    s.ripples[1] = (reelay_pointer_ripple){.x = 100, .y = 100, .age_ms = 100};
    reelay_paint_pointer(c.cr, NULL, &s, 0);
    assert_true(ts_pixel(&c, 100 + 19, 100) != 0);  /* 24 * 0.8 */
    assert_true(ts_pixel(&c, 100 + 5, 100) != 0);   /* 24 * 0.2 */
    assert_int_equal(ts_pixel(&c, 100 + 12, 100), 0);
    ts_canvas_free(&c);
}

static void test_paint_nothing_when_inactive(void **state)
{
    (void)state;
    ts_canvas c = ts_canvas_new(CANVAS, CANVAS);
    reelay_pointer_state s = cursor_state(false);
    s.active = false;
    reelay_paint_pointer(c.cr, NULL, &s, 0);
    s = (reelay_pointer_state){.active = true, .has_position = true, .touch = true, .x = 50, .y = 50};
    reelay_paint_pointer(c.cr, NULL, &s, 0); /* a finger: no cursor */
    s = (reelay_pointer_state){.active = true, .has_scroll = true, .scroll_y = 100, .scroll_alpha = 0};
    reelay_paint_pointer(c.cr, NULL, &s, 1000);
    reelay_paint_pointer(c.cr, NULL, NULL, 0);
    assert_true(ts_blank_rect(&c, 0, 0, CANVAS, CANVAS));
    ts_canvas_free(&c);
}

static void test_paint_scroll_indicator(void **state)
{
    (void)state;
    reelay_fonts *fonts = ts_fonts();

    /* With a page height: a thumb at the right edge, 1/4 of the track long,
     * at the bottom when scrolled to the end. */
    ts_canvas c = ts_canvas_new(CANVAS, CANVAS);
    reelay_pointer_state s = {.active = true, .has_scroll = true, .scroll_y = 600, .scroll_alpha = 1,
                              .scroll_dir = REELAY_SCROLL_DOWN, .has_viewport = true, .viewport_width = CANVAS,
                              .viewport_height = CANVAS};
    reelay_paint_pointer(c.cr, fonts, &s, 4 * CANVAS);
    int bx = CANVAS - (int)REELAY_POINTER_BAR_MARGIN - 3;
    assert_true(channel(ts_pixel(&c, bx, CANVAS - 20), 24) > 0x60);
    assert_int_equal(ts_pixel(&c, bx, 20), 0);
    assert_true(ts_blank_rect(&c, 0, 0, CANVAS - 12, CANVAS));
    ts_canvas_free(&c);

    /* At the top, half faded. */
    c = ts_canvas_new(CANVAS, CANVAS);
    s.scroll_y = 0;
    s.scroll_alpha = 0.5;
    reelay_paint_pointer(c.cr, fonts, &s, 4 * CANVAS);
    uint32_t p = ts_pixel(&c, bx, 20);
    assert_true(channel(p, 24) > 0x10 && channel(p, 24) < 0x60);
    assert_int_equal(ts_pixel(&c, bx, CANVAS - 20), 0);
    ts_canvas_free(&c);

    /* Without a page height: the pill at the top right, from the clip when
     * the state has no viewport. */
    c = ts_canvas_new(CANVAS, CANVAS);
    s.scroll_y = 1240;
    s.scroll_alpha = 1;
    s.has_viewport = false;
    reelay_paint_pointer(c.cr, fonts, &s, 0);
    assert_false(ts_blank_rect(&c, CANVAS / 2, 0, CANVAS, 40));
    assert_true(ts_blank_rect(&c, 0, 40, CANVAS, CANVAS));
    ts_canvas_free(&c);

    char label[64];
    reelay_pointer_scroll_label(&s, label, sizeof label);
    assert_string_equal(label, "\u2193 1,240 px");
    s.scroll_dir = REELAY_SCROLL_UP;
    s.scroll_y = 12;
    reelay_pointer_scroll_label(&s, label, sizeof label);
    assert_string_equal(label, "\u2191 12 px");
    s.scroll_dir = REELAY_SCROLL_LEFT;
    s.scroll_x = 1234567;
    reelay_pointer_scroll_label(&s, label, sizeof label);
    assert_string_equal(label, "\u2190 1,234,567 px");
    s.scroll_dir = REELAY_SCROLL_NONE;
    s.scroll_y = 1e300;
    reelay_pointer_scroll_label(&s, label, sizeof label);
    assert_string_equal(label, "1,000,000,000,000,000 px");
    reelay_pointer_scroll_label(&s, label, 4);
    assert_int_equal(strlen(label), 3);
    reelay_fonts_free(fonts);
}

static void test_paint_from_track(void **state)
{
    (void)state;
    fixture f = open_text(META("w", 900) MOVE("w", 1000, 30, 30) CLICK("w", 1100, 120, 120));
    ts_canvas c = ts_canvas_new(CANVAS, CANVAS);
    reelay_pointer_state s = at(&f, "w", 1350);
    assert_true(s.cursor_visible && s.ripple_count == 1);
    reelay_paint_pointer(c.cr, NULL, &s, 0);
    assert_true(channel(ts_pixel(&c, 120, 121), 24) > 0x80); /* the tip */
    assert_true(ts_pixel(&c, 120, 120 - 12) != 0);            /* the ring at radius 12 */
    ts_canvas_free(&c);
    c = ts_canvas_new(CANVAS, CANVAS);
    s = at(&f, "w", 999);
    reelay_paint_pointer(c.cr, NULL, &s, 0);
    assert_true(ts_blank_rect(&c, 0, 0, CANVAS, CANVAS));
    ts_canvas_free(&c);
    close_fixture(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_interpolates_between_samples),
        cmocka_unit_test(test_offsets_flattened_and_sorted),
        cmocka_unit_test(test_cursor_visibility),
        cmocka_unit_test(test_pressed),
        cmocka_unit_test(test_ripple_lifetimes),
        cmocka_unit_test(test_scroll_offset_and_fade),
        cmocka_unit_test(test_viewport_follows_resizes),
        cmocka_unit_test(test_windows_are_separate),
        cmocka_unit_test(test_non_finite_skipped),
        cmocka_unit_test(test_lookup_matches_reference),
        cmocka_unit_test(test_web_fixture),
        cmocka_unit_test(test_portable_fixture),
        cmocka_unit_test(test_paint_cursor),
        cmocka_unit_test(test_paint_ripples),
        cmocka_unit_test(test_paint_nothing_when_inactive),
        cmocka_unit_test(test_paint_scroll_indicator),
        cmocka_unit_test(test_paint_from_track),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
