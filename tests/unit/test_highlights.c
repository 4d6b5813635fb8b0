#include "test_support.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "session/highlights.h"
#include "session/session.h"
#include "session/timeline.h"

#define T0 1700000000000.0
#define S(x) (T0 + (x) * 1000.0)
#define assert_near(a, b)                                                                                            \
    do {                                                                                                             \
        double a_ = (a), b_ = (b);                                                                                   \
        if (fabs(a_ - b_) > 1e-6) fail_msg("%s = %.6f, expected %.6f", #a, a_, b_);                                 \
    } while (0)

/* An rrweb array built event by event; times in seconds after T0. */
typedef struct rec {
    char text[1 << 16];
    size_t len;
} rec;

static void put(rec *r, const char *fmt, double t, const char *body)
{
    r->len += (size_t)snprintf(r->text + r->len, sizeof r->text - r->len, "%s{%s,\"timestamp\":%.0f}",
                               r->len > 1 ? "," : "", body, S(t));
    (void)fmt;
}

static void start(rec *r, const char *href)
{
    r->len = (size_t)snprintf(r->text, sizeof r->text, "[");
    char body[256];
    snprintf(body, sizeof body, "\"type\":4,\"data\":{\"href\":\"%s\",\"width\":800,\"height\":600}", href);
    put(r, NULL, 0, body);
}

static void meta(rec *r, double t, const char *href)
{
    char body[256];
    snprintf(body, sizeof body, "\"type\":4,\"data\":{\"href\":\"%s\",\"width\":800,\"height\":600}", href);
    put(r, NULL, t, body);
}

static void click(rec *r, double t, double x, double y)
{
    char body[256];
    snprintf(body, sizeof body, "\"type\":3,\"data\":{\"source\":2,\"type\":2,\"id\":1,\"x\":%g,\"y\":%g}", x, y);
    put(r, NULL, t, body);
}

static void error(rec *r, double t, const char *message)
{
    char body[4096];
    snprintf(body, sizeof body,
             "\"type\":6,\"data\":{\"plugin\":\"rrweb/console@1\",\"payload\":{\"level\":\"error\",\"payload\":"
             "[\"%s\"]}}",
             message);
    put(r, NULL, t, body);
}

static void failed(rec *r, double t, int status)
{
    char body[512];
    snprintf(body, sizeof body,
             "\"type\":6,\"data\":{\"plugin\":\"rrweb/network@1\",\"payload\":{\"requests\":[{\"name\":"
             "\"https://x.test/api\",\"method\":\"POST\",\"status\":%d}]}}",
             status);
    put(r, NULL, t, body);
}

static void scroll(rec *r, double t)
{
    put(r, NULL, t, "\"type\":3,\"data\":{\"source\":3,\"id\":1,\"x\":0,\"y\":10}");
}

static reelay_session *finish(rec *r)
{
    snprintf(r->text + r->len, sizeof r->text - r->len, "]");
    return ts_session_from_text(r->text);
}

static reelay_highlights find(const reelay_session *session, double budget_s, double speed)
{
    reelay_highlight_options o = reelay_highlight_defaults(session);
    o.budget_ms = budget_s * 1000.0;
    o.speed = speed;
    reelay_highlights h;
    reelay_err err;
    reelay_err_clear(&err);
    if (reelay_highlights_find(session, &o, &h, &err) != REELAY_OK) fail_msg("%s", err.msg);
    return h;
}

/* Output time of the highlights: each window at speed plus a card. */
static double length_s(const reelay_highlights *h, double speed)
{
    double ms = 0;
    for (size_t i = 0; i < h->count; i++) ms += (h->items[i].end - h->items[i].start) / speed + 1000.0;
    return ms / 1000.0;
}

static void test_each_kind(void **state)
{
    (void)state;
    static rec r;
    start(&r, "https://x.test/a");
    error(&r, 10, "TypeError: x is undefined");
    failed(&r, 30, 500);
    failed(&r, 31, 200); /* fine: not a moment */
    click(&r, 50, 100, 100);
    click(&r, 50.3, 110, 105);
    click(&r, 50.6, 95, 100);
    click(&r, 70, 300, 300);
    meta(&r, 75, "https://x.test/b"); /* 5 s after the last action */
    scroll(&r, 100);
    reelay_session *session = finish(&r);
    reelay_highlights h = find(session, 600, 1);
    assert_int_equal(h.count, 4);
    assert_int_equal(h.found, 4);
    assert_int_equal(h.items[0].kind, REELAY_HL_ERROR);
    assert_string_equal(h.items[0].text, "console error at 00:10 \xE2\x80\x94 TypeError: x is undefined");
    assert_near(h.items[0].start, S(7));
    assert_near(h.items[0].end, S(12));
    assert_near(h.items[0].ts, S(10));
    assert_int_equal(h.items[1].kind, REELAY_HL_FAILED_REQUEST);
    assert_string_equal(h.items[1].text,
                        "failed request at 00:30 \xE2\x80\x94 POST https://x.test/api \xE2\x86\x92 500");
    assert_int_equal(h.items[2].kind, REELAY_HL_RAGE_CLICK);
    assert_string_equal(h.items[2].text, "rage click at 00:50 \xE2\x80\x94 3 clicks at 100, 100");
    assert_near(h.items[2].start, S(47));
    assert_near(h.items[2].end, S(52.6)); /* the run's last click + 2 s */
    assert_int_equal(h.items[3].kind, REELAY_HL_SLOW_SCREEN);
    assert_string_equal(h.items[3].text,
                        "slow screen change at 01:15 \xE2\x80\x94 https://x.test/b, 5s after the last action");
    assert_string_equal(reelay_highlight_kind_name(h.items[3].kind), "slow_screen");
    reelay_highlights_free(&h);
    reelay_session_free(session);
}

static size_t rage_count(double dt, double dx, int clicks)
{
    static rec r;
    start(&r, "https://x.test/a");
    for (int i = 0; i < clicks; i++) click(&r, 10 + i * dt, 100 + i * dx, 100);
    scroll(&r, 30);
    reelay_session *session = finish(&r);
    reelay_highlights h = find(session, 600, 1);
    size_t n = h.found;
    reelay_highlights_free(&h);
    reelay_session_free(session);
    return n;
}

static void test_rage_threshold(void **state)
{
    (void)state;
    assert_int_equal(rage_count(0.3, 5, 2), 0);   /* two clicks are not rage */
    assert_int_equal(rage_count(0.3, 5, 3), 1);   /* three within 1 s and 30 px are */
    assert_int_equal(rage_count(0.5, 15, 3), 1);  /* the third 1 s and 30 px from the first: still in */
    assert_int_equal(rage_count(0.55, 5, 3), 0);  /* the third 1.1 s after the first */
    assert_int_equal(rage_count(0.3, 16, 3), 0);  /* the third 32 px from the first */
    assert_int_equal(rage_count(0.2, 1, 10), 2);  /* six within the first's second, then a burst of four */
}

static void test_slow_screen(void **state)
{
    (void)state;
    static rec r;
    start(&r, "https://x.test/a");
    meta(&r, 5, "https://x.test/b");   /* no action before: not slow */
    click(&r, 10, 1, 1);
    meta(&r, 12, "https://x.test/c");  /* 2 s after a click: quick */
    click(&r, 20, 1, 1);
    scroll(&r, 22);                    /* scrolling is no action */
    meta(&r, 23, "https://x.test/d");  /* 3 s: slow */
    meta(&r, 40, "https://x.test/d");  /* the same screen again: no change */
    scroll(&r, 50);
    reelay_session *session = finish(&r);
    reelay_highlights h = find(session, 600, 1);
    assert_int_equal(h.count, 1);
    assert_int_equal(h.items[0].kind, REELAY_HL_SLOW_SCREEN);
    assert_near(h.items[0].ts, S(23));
    assert_non_null(strstr(h.items[0].text, "3s after the last action"));
    reelay_highlights_free(&h);
    reelay_session_free(session);
}

static void test_merging(void **state)
{
    (void)state;
    static rec r;
    start(&r, "https://x.test/a");
    error(&r, 10, "one");
    failed(&r, 11, 404);  /* inside the error's window [7, 12] */
    error(&r, 16.5, "two"); /* [13.5, 18.5]: 1.5 s after [7, 12]: not worth a card, joins */
    error(&r, 40, "three"); /* far: a window of its own */
    scroll(&r, 60);
    reelay_session *session = finish(&r);
    reelay_highlights h = find(session, 600, 1);
    assert_int_equal(h.count, 2);
    assert_near(h.items[0].start, S(7));
    assert_near(h.items[0].end, S(18.5));
    assert_int_equal(h.items[0].moments, 3);
    /* the card names the most important, earliest moment */
    assert_string_equal(h.items[0].text, "console error at 00:10 \xE2\x80\x94 one (+2 more)");
    assert_int_equal(h.items[1].moments, 1);
    assert_string_equal(h.items[1].text, "console error at 00:40 \xE2\x80\x94 three");
    reelay_highlights_free(&h);
    reelay_session_free(session);
}

/* One moment of each kind, each far from the others. */
static reelay_session *four_kinds(void)
{
    static rec r;
    start(&r, "https://x.test/a");
    failed(&r, 10, 503);
    for (int i = 0; i < 3; i++) click(&r, 40 + i * 0.2, 50, 50);
    click(&r, 55, 1, 1);
    meta(&r, 60, "https://x.test/b");
    error(&r, 80, "late");
    scroll(&r, 100);
    return finish(&r);
}

static void test_rank_and_cap(void **state)
{
    (void)state;
    reelay_session *session = four_kinds();
    /* all four: 4 x (5 s + a card), the rage window 0.4 s longer */
    reelay_highlights h = find(session, 600, 1);
    assert_int_equal(h.count, 4);
    assert_near(length_s(&h, 1), 24.4);
    reelay_highlights_free(&h);
    /* 13 s: the error and the failed request (most important), in time order */
    h = find(session, 13, 1);
    assert_int_equal(h.count, 2);
    assert_int_equal(h.found, 4);
    assert_int_equal(h.items[0].kind, REELAY_HL_FAILED_REQUEST);
    assert_int_equal(h.items[1].kind, REELAY_HL_ERROR);
    assert_true(length_s(&h, 1) <= 13);
    reelay_highlights_free(&h);
    /* 18.2 s: a third window of 6.4 s (the rage run's) does not fit; the slow screen's 6 s does */
    h = find(session, 18.2, 1);
    assert_int_equal(h.count, 3);
    assert_int_equal(h.items[0].kind, REELAY_HL_FAILED_REQUEST);
    assert_int_equal(h.items[1].kind, REELAY_HL_SLOW_SCREEN);
    assert_int_equal(h.items[2].kind, REELAY_HL_ERROR);
    reelay_highlights_free(&h);
    /* 6 s: the error alone */
    h = find(session, 6, 1);
    assert_int_equal(h.count, 1);
    assert_int_equal(h.items[0].kind, REELAY_HL_ERROR);
    reelay_highlights_free(&h);
    /* 2 s: the error's window shrinks to 1 s around it, 3:2 before and after */
    h = find(session, 2, 1);
    assert_int_equal(h.count, 1);
    assert_near(h.items[0].start, S(79.4));
    assert_near(h.items[0].end, S(80.4));
    reelay_highlights_free(&h);
    /* at speed 2 a window plays in 2.5 s: two fit in 7 s */
    h = find(session, 7, 2);
    assert_int_equal(h.count, 2);
    assert_true(length_s(&h, 2) <= 7);
    reelay_highlights_free(&h);
    reelay_session_free(session);
}

static void test_clip(void **state)
{
    (void)state;
    reelay_session *session = four_kinds();
    reelay_highlight_options o = reelay_highlight_defaults(session);
    o.clip_from = S(30);
    o.clip_to = S(81);
    reelay_highlights h;
    reelay_err err;
    assert_int_equal(reelay_highlights_find(session, &o, &h, &err), REELAY_OK);
    assert_int_equal(h.found, 3); /* not the failed request at 10 s */
    assert_int_equal(h.items[0].kind, REELAY_HL_RAGE_CLICK);
    assert_near(h.items[2].end, S(81)); /* clamped to the clip */
    reelay_highlights_free(&h);
    reelay_session_free(session);
}

static void test_none(void **state)
{
    (void)state;
    static rec r;
    start(&r, "https://x.test/a");
    click(&r, 5, 10, 10);
    click(&r, 9, 10, 10);
    failed(&r, 12, 302);
    scroll(&r, 20);
    reelay_session *session = finish(&r);
    reelay_highlights h = find(session, 60, 1);
    assert_int_equal(h.count, 0);
    assert_int_equal(h.found, 0);
    reelay_timeline *t = NULL;
    reelay_err err;
    reelay_err_clear(&err);
    assert_int_equal(reelay_timeline_build_highlights(session, NULL, &h, &t, &err), REELAY_E_INPUT);
    assert_null(t);
    assert_non_null(strstr(err.msg, "no highlights"));
    reelay_highlights_free(&h);
    reelay_session_free(session);
}

static void test_timeline(void **state)
{
    (void)state;
    reelay_session *session = four_kinds();
    reelay_highlights h = find(session, 13, 1);
    reelay_timeline *t = NULL;
    reelay_err err;
    reelay_timeline_options o = reelay_timeline_defaults();
    assert_int_equal(reelay_timeline_build_highlights(session, &o, &h, &t, &err), REELAY_OK);
    assert_near(reelay_timeline_duration_ms(t), 12000);
    assert_true(reelay_timeline_is_highlights(t));
    size_t count;
    const reelay_timeline_segment *s = reelay_timeline_segments(t, &count);
    assert_int_equal(count, 4);
    /* card, window, card, window; the cards carry the texts */
    assert_int_equal(s[0].kind, REELAY_TL_SKIP);
    assert_string_equal(s[0].text, h.items[0].text);
    assert_near(s[0].session_start, s[0].session_end);
    assert_int_equal(s[1].kind, REELAY_TL_PLAY);
    assert_near(s[1].out_start_ms, 1000);
    assert_near(s[1].out_end_ms, 6000);
    assert_int_equal(s[2].kind, REELAY_TL_SKIP);
    assert_near(s[2].session_start, h.items[0].end);
    assert_near(s[2].session_end, h.items[1].start);
    char text[300];
    reelay_timeline_point p;
    reelay_timeline_at(t, 6500, &p);
    reelay_timeline_card_text(&p, text, sizeof text);
    assert_string_equal(text, h.items[1].text);
    assert_near(p.session_ts, h.items[1].start); /* under the card: the start of its window */
    assert_near(p.skipped_ms, h.items[1].start - h.items[0].end);
    reelay_timeline_at(t, 500, &p);
    assert_int_equal(p.kind, REELAY_TL_SKIP);
    assert_near(p.session_ts, h.items[0].start);
    /* the moment maps to its place in the video; the gap is not shown */
    double out_ms;
    assert_true(reelay_timeline_output_time(t, h.items[1].ts, &out_ms));
    assert_near(out_ms, 7000 + 3000);
    assert_false(reelay_timeline_output_time(t, S(50), &out_ms));
    json_t *list = reelay_timeline_highlights_json(t, &h, session);
    assert_non_null(list);
    assert_int_equal(json_array_size(list), 2);
    json_t *second = json_array_get(list, 1);
    assert_string_equal(json_string_value(json_object_get(second, "kind")), "error");
    assert_near(json_real_value(json_object_get(second, "at_s")), 80);
    assert_near(json_real_value(json_object_get(second, "card_start_s")), 6);
    assert_near(json_real_value(json_object_get(second, "out_start_s")), 7);
    assert_near(json_real_value(json_object_get(second, "out_end_s")), 12);
    assert_near(json_real_value(json_object_get(second, "session_start_s")), 77);
    json_decref(list);
    /* a skip-idle card still says what it skipped */
    p = (reelay_timeline_point){.kind = REELAY_TL_SKIP, .skipped_ms = 252000};
    reelay_timeline_card_text(&p, text, sizeof text);
    assert_string_equal(text, "skipped 4m 12s");
    reelay_timeline_free(t);
    reelay_highlights_free(&h);
    reelay_session_free(session);
}

static bool valid_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        int n = *p < 0x80 ? 0 : (*p & 0xE0) == 0xC0 ? 1 : (*p & 0xF0) == 0xE0 ? 2 : (*p & 0xF8) == 0xF0 ? 3 : -1;
        if (n < 0) return false;
        p++;
        for (int i = 0; i < n; i++, p++)
            if ((*p & 0xC0) != 0x80) return false;
    }
    return true;
}

static void test_long_text(void **state)
{
    (void)state;
    static rec r;
    char message[1200];
    size_t len = 0;
    while (len + 3 < 1000) len += (size_t)snprintf(message + len, sizeof message - len, "\xC3\xA9\\n");
    start(&r, "https://x.test/a");
    error(&r, 10, message);
    scroll(&r, 20);
    reelay_session *session = finish(&r);
    reelay_highlights h = find(session, 60, 1);
    assert_int_equal(h.count, 1);
    assert_true(strlen(h.items[0].text) <= REELAY_HIGHLIGHT_TEXT_MAX + 64);
    assert_true(valid_utf8(h.items[0].text));
    assert_null(strchr(h.items[0].text, '\n')); /* one line */
    const char *end = h.items[0].text + strlen(h.items[0].text) - 3;
    assert_memory_equal(end, "\xE2\x80\xA6", 3);
    reelay_highlights_free(&h);
    reelay_session_free(session);
}

static void test_bad_options(void **state)
{
    (void)state;
    reelay_session *session = four_kinds();
    reelay_highlight_options o = reelay_highlight_defaults(session);
    reelay_highlights h;
    reelay_err err;
    o.budget_ms = 0;
    assert_int_equal(reelay_highlights_find(session, &o, &h, &err), REELAY_E_USAGE);
    o = reelay_highlight_defaults(session);
    o.speed = NAN;
    assert_int_equal(reelay_highlights_find(session, &o, &h, &err), REELAY_E_USAGE);
    reelay_highlights_free(&h);
    reelay_session_free(session);
}

static void test_submit(void **state)
{
    (void)state;
    const char *portable =
        "{\"sessionId\":\"s\",\"startTime\":1700000000000,\"endTime\":1700000030000,"
        "\"metadata\":{\"viewport\":{\"width\":800,\"height\":600},\"url\":\"https://x.test/a\"},\"events\":["
        "{\"type\":\"initial_state\",\"timestamp\":1700000000000,\"data\":{\"viewport\":{\"width\":800,\"height\":"
        "600},\"url\":\"https://x.test/a\"}},"
        "{\"type\":\"submit\",\"timestamp\":1700000012000,\"data\":{\"target\":\"form#signup\"}},"
        "{\"type\":\"scroll\",\"timestamp\":1700000030000,\"data\":{\"x\":0,\"y\":5}}]}";
    reelay_session *session = ts_session_from_text(portable);
    reelay_highlights h = find(session, 60, 1);
    assert_int_equal(h.count, 1);
    assert_int_equal(h.items[0].kind, REELAY_HL_SUBMIT);
    assert_string_equal(h.items[0].text, "form submitted at 00:12 \xE2\x80\x94 form#signup");
    reelay_highlights_free(&h);
    reelay_session_free(session);
}

static void test_format_time(void **state)
{
    (void)state;
    char out[32];
    reelay_format_clock(252999, false, out, sizeof out);
    assert_string_equal(out, "04:12");
    reelay_format_clock(3723000, false, out, sizeof out);
    assert_string_equal(out, "1:02:03");
    reelay_format_clock(-5, false, out, sizeof out);
    assert_string_equal(out, "00:00");
    reelay_format_clock(252999, true, out, sizeof out);
    assert_string_equal(out, "0:04:12");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_kind),   cmocka_unit_test(test_rage_threshold), cmocka_unit_test(test_slow_screen),
        cmocka_unit_test(test_merging),     cmocka_unit_test(test_rank_and_cap),   cmocka_unit_test(test_clip),
        cmocka_unit_test(test_none),        cmocka_unit_test(test_timeline),       cmocka_unit_test(test_long_text),
        cmocka_unit_test(test_bad_options), cmocka_unit_test(test_submit),         cmocka_unit_test(test_format_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
