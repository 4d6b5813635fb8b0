/* Unit tests for src/ingest containers and rrweb events, and src/session
 * (sorting, duplicates, windows, activity, summary). Inputs are inline. */
#include "test_support.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/buf.h"
#include "ingest/compressed.h"
#include "ingest/ingest.h"
#include "session/activity.h"
#include "session/summary.h"

static reelay_session *ingest_text(const char *text, reelay_err *err)
{
    reelay_session *session = NULL;
    reelay_err_clear(err);
    reelay_ingest_memory((const unsigned char *)text, strlen(text), "test", NULL, &session, err);
    return session;
}

static reelay_session *must_ingest(const char *text)
{
    reelay_err err;
    reelay_session *session = ingest_text(text, &err);
    if (!session) fail_msg("ingest failed: %s", err.msg);
    return session;
}

static void expect_error(const char *text, const char *substring)
{
    reelay_err err;
    reelay_session *session = ingest_text(text, &err);
    assert_null(session);
    assert_int_equal(err.code, REELAY_E_INPUT);
    if (!strstr(err.msg, substring)) fail_msg("message '%s' lacks '%s'", err.msg, substring);
    assert_memory_equal(err.msg, "test: ", 6);
}

#define META(ts, w, h) "{\"type\":4,\"timestamp\":" #ts ",\"data\":{\"width\":" #w ",\"height\":" #h ",\"href\":\"Home\"}}"
#define TOUCH(ts, kind) "{\"type\":3,\"timestamp\":" #ts ",\"data\":{\"source\":2,\"type\":" #kind ",\"id\":0,\"x\":10,\"y\":20,\"pointerType\":2}}"
#define MOBILE_FULL(ts) "{\"type\":2,\"timestamp\":" #ts ",\"data\":{\"wireframes\":[{\"id\":52129787123,\"x\":0,\"y\":0,\"width\":400,\"height\":800,\"type\":\"div\"}],\"initialOffset\":{\"top\":0,\"left\":0}}}"

static void test_rrweb_array_sorted_stably(void **state)
{
    (void)state;
    reelay_session *s = must_ingest("[" TOUCH(3000, 9) "," META(1000, 400, 800) "," MOBILE_FULL(1000) "," TOUCH(2000, 7) "]");
    assert_int_equal(s->format, REELAY_FORMAT_RRWEB_ARRAY);
    assert_int_equal(s->source, REELAY_SOURCE_MOBILE);
    assert_int_equal(s->event_count, 4);
    assert_int_equal(s->events[0].kind, EV_META);          /* same timestamp: input order kept */
    assert_int_equal(s->events[1].kind, EV_FULL_SNAPSHOT);
    assert_int_equal(s->events[2].u.interaction.type, RR_TOUCH_START);
    assert_int_equal(s->events[3].u.interaction.type, RR_TOUCH_END);
    assert_true(s->events[1].u.full.wireframes[0].id == 52129787123LL);
    assert_true(s->first_ts == 1000 && s->last_ts == 3000);
    assert_int_equal(s->window_count, 1);
    assert_true(s->windows[0].has_viewport && s->windows[0].width == 400 && s->windows[0].height == 800);
    reelay_session_free(s);
}

static void test_exact_duplicates_dropped_only_when_identical(void **state)
{
    (void)state;
    /* The second touch differs only by `delay`, which PostHog ignores; the
     * third has the same content at another time and must stay. */
    reelay_session *s = must_ingest(
        "[" META(1000, 400, 800) "," TOUCH(2000, 7) ","
        "{\"type\":3,\"timestamp\":2000,\"delay\":5,\"data\":{\"source\":2,\"type\":7,\"id\":0,\"x\":10,\"y\":20,\"pointerType\":2}},"
        TOUCH(2500, 7) ",{\"type\":3,\"timestamp\":2000,\"data\":{\"source\":2,\"type\":7,\"id\":0,\"x\":11,\"y\":20,\"pointerType\":2}}]");
    assert_int_equal(s->event_count, 4);
    assert_int_equal(s->stats.duplicates_dropped, 1);
    reelay_session_free(s);
}

static void test_jsonl_three_line_shapes_and_windows(void **state)
{
    (void)state;
    const char *text =
        "[\"w-a\"," META(1000, 400, 800) "]\n"
        "\n"
        "{\"window_id\":\"w-b\",\"data\":[" META(1500, 300, 600) "," TOUCH(1600, 7) "]}\r\n"
        "{\"windowId\":\"w-a\",\"type\":3,\"timestamp\":1700,\"data\":{\"source\":2,\"type\":9,\"id\":0,\"x\":1,\"y\":2}}\n"
        "{\"something\":\"else\"}\n";
    reelay_session *s = must_ingest(text);
    assert_int_equal(s->format, REELAY_FORMAT_POSTHOG_JSONL);
    assert_int_equal(s->event_count, 4);
    assert_int_equal(s->window_count, 2);
    assert_string_equal(s->windows[0].key, "w-a");
    assert_string_equal(s->windows[1].key, "w-b");
    assert_true(s->windows[1].width == 300);
    assert_int_equal(s->events[3].window, 0);
    assert_int_equal(s->stats.skipped_lines, 1);
    reelay_session_free(s);
}

static void test_jsonl_splits_on_newline_only(void **state)
{
    (void)state;
    /* U+0085 (NEL) and U+2028 inside a string must not split the line. */
    const char *text = "[\"w\",{\"type\":4,\"timestamp\":1,\"data\":{\"width\":1,\"height\":1,\"href\":\"a\xc2\x85" "b\xe2\x80\xa8" "c\"}}]\n"
                       "[\"w\"," TOUCH(2, 7) "]";
    reelay_session *s = must_ingest(text);
    assert_int_equal(s->event_count, 2);
    assert_string_equal(s->events[0].u.meta.href, "a\xc2\x85" "b\xe2\x80\xa8" "c");
    reelay_session_free(s);
}

static void test_exports_both_versions(void **state)
{
    (void)state;
    reelay_session *s = must_ingest(
        "{\"version\":\"2023-04-28\",\"data\":{\"id\":\"sess-1\",\"person\":{\"name\":\"n\",\"distinct_ids\":[\"d1\"],"
        "\"properties\":{\"email\":\"a@example.test\"}},\"snapshots\":["
        "{\"windowId\":1,\"type\":4,\"timestamp\":10,\"data\":{\"width\":5,\"height\":6}},"
        "{\"windowId\":2,\"type\":4,\"timestamp\":11,\"data\":{\"width\":7,\"height\":8}}]}}");
    assert_int_equal(s->format, REELAY_FORMAT_POSTHOG_EXPORT);
    assert_string_equal(s->session_id, "sess-1");
    assert_string_equal(s->user, "a@example.test");
    assert_int_equal(s->window_count, 2);
    assert_string_equal(s->windows[1].key, "2");
    reelay_session_free(s);

    s = must_ingest("{\"version\":\"2022-12-02\",\"data\":{\"person\":{\"distinct_ids\":[\"d1\"]},\"snapshotsByWindowId\":{"
                    "\"uuid-1\":[" META(10, 5, 6) "],\"uuid-2\":[" META(5, 7, 8) "]}}}");
    assert_int_equal(s->format, REELAY_FORMAT_POSTHOG_EXPORT_LEGACY);
    assert_string_equal(s->user, "d1");
    assert_string_equal(s->session_id, "");
    assert_int_equal(s->window_count, 2);
    assert_int_equal(s->events[0].window, 1); /* uuid-2's earlier event sorts first */
    reelay_session_free(s);
}

/* The session both $snapshot tests record: a mobile session s-9 of user-7,
 * three events in one window, a $pageview skipped. */
static void expect_snapshot_session(const reelay_session *s)
{
    assert_int_equal(s->format, REELAY_FORMAT_SNAPSHOT_EVENTS);
    assert_int_equal(s->source, REELAY_SOURCE_MOBILE);
    assert_string_equal(s->session_id, "s-9");
    assert_string_equal(s->user, "user-7");
    assert_int_equal(s->event_count, 3);
    assert_int_equal(s->stats.skipped_events, 1);
    assert_int_equal(s->window_count, 1);
}

static void test_snapshot_analytics_events(void **state)
{
    (void)state;
    reelay_session *s = must_ingest(
        "[{\"event\":\"$snapshot\",\"distinct_id\":\"user-7\",\"properties\":{\"$session_id\":\"s-9\",\"$window_id\":\"w\","
        "\"$snapshot_source\":\"mobile\",\"$snapshot_data\":[" META(1, 2, 3) "," TOUCH(2, 7) "]}},"
        "{\"event\":\"$pageview\",\"properties\":{}},"
        "{\"event\":\"$snapshot\",\"properties\":{\"$window_id\":\"w\",\"$snapshot_data\":" TOUCH(3, 9) "}}]");
    expect_snapshot_session(s);
    reelay_session_free(s);
}

/* A captured request body: the $snapshot events inside {"batch": [...]}
 * (PostHog's /batch endpoint) or {"body": [...]} (a logged request), read as
 * the bare array is; errors name the place inside the wrapper. */
static void test_snapshot_events_in_a_request_body(void **state)
{
    (void)state;
    const char *wrappers[] = {"batch", "body"};
    for (int i = 0; i < 2; i++) {
        char text[2048];
        snprintf(text, sizeof text,
                 "{\"api_key\":\"phc_test\",\"%s\":["
                 "{\"event\":\"$snapshot\",\"distinct_id\":\"user-7\",\"properties\":{\"$session_id\":\"s-9\","
                 "\"$window_id\":\"w\",\"$snapshot_source\":\"mobile\",\"$snapshot_data\":[" META(1, 2, 3) ","
                 TOUCH(2, 7) "]}},"
                 "{\"event\":\"$pageview\",\"properties\":{}},"
                 "{\"event\":\"$snapshot\",\"properties\":{\"$window_id\":\"w\",\"$snapshot_items\":[" TOUCH(3, 9)
                 "]}}]}",
                 wrappers[i]);
        reelay_session *s = must_ingest(text);
        expect_snapshot_session(s);
        reelay_session_free(s);

        char where[64];
        snprintf(where, sizeof where, "%s[1]: expected an object", wrappers[i]);
        snprintf(text, sizeof text,
                 "{\"%s\":[{\"event\":\"$snapshot\",\"properties\":{\"$snapshot_data\":[" META(1, 2, 3) "]}},7]}",
                 wrappers[i]);
        expect_error(text, where);
    }
}

/* Builds the JSON string form of a cv 2024-10 payload: gzip bytes, each as
 * one code point U+0000..U+00FF, JSON-escaped by jansson. */
static char *compressed_json_string(const char *json_text)
{
    unsigned char packed[4096];
    z_stream zs = {0};
    assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    zs.next_in = (unsigned char *)json_text;
    zs.avail_in = (unsigned)strlen(json_text);
    zs.next_out = packed;
    zs.avail_out = sizeof packed;
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    size_t n = sizeof packed - zs.avail_out;
    deflateEnd(&zs);
    reelay_buf utf8;
    reelay_buf_init(&utf8);
    for (size_t i = 0; i < n; i++) {
        unsigned char b = packed[i];
        if (b < 0x80) {
            reelay_buf_append(&utf8, &b, 1);
        } else {
            unsigned char two[2] = {(unsigned char)(0xC0 | (b >> 6)), (unsigned char)(0x80 | (b & 0x3F))};
            reelay_buf_append(&utf8, two, 2);
        }
    }
    json_t *string = json_stringn((const char *)utf8.data, utf8.len);
    char *dumped = json_dumps(string, JSON_ENCODE_ANY);
    json_decref(string);
    reelay_buf_free(&utf8);
    return dumped;
}

static void test_compressed_payloads_decoded(void **state)
{
    (void)state;
    char *full = compressed_json_string(
        "{\"node\":{\"type\":0,\"id\":1,\"childNodes\":[{\"type\":2,\"id\":2,\"tagName\":\"html\",\"attributes\":{},"
        "\"childNodes\":[{\"type\":2,\"id\":3,\"tagName\":\"button\",\"attributes\":{\"id\":\"buy\"},\"childNodes\":"
        "[{\"type\":3,\"id\":4,\"textContent\":\"Pay \\u00e9\"}]}]}]},\"initialOffset\":{\"top\":0,\"left\":0}}");
    char *adds = compressed_json_string("[{\"parentId\":2,\"nextId\":null,\"node\":{\"type\":3,\"id\":9,\"textContent\":\"hi\"}}]");
    char *empty = compressed_json_string("[]");
    char text[16384];
    snprintf(text, sizeof text,
             "[\"w\",{\"type\":4,\"timestamp\":1,\"data\":{\"width\":800,\"height\":600,\"href\":\"https://x.test/\"}}]\n"
             "[\"w\",{\"type\":2,\"timestamp\":2,\"cv\":\"2024-10\",\"data\":%s}]\n"
             "[\"w\",{\"type\":3,\"timestamp\":3,\"cv\":\"2024-10\",\"data\":{\"source\":0,\"adds\":%s,\"removes\":%s,"
             "\"texts\":%s,\"attributes\":%s}}]\n"
             "[\"w\",{\"type\":3,\"timestamp\":4,\"cv\":\"2024-10\",\"data\":{\"source\":0,\"adds\":[],\"removes\":[],"
             "\"texts\":[],\"attributes\":[]}}]\n",
             full, adds, empty, empty, empty);
    free(full);
    free(adds);
    free(empty);
    reelay_session *s = must_ingest(text);
    assert_int_equal(s->source, REELAY_SOURCE_WEB);
    assert_int_equal(s->stats.decompressed_payloads, 5);
    const reelay_event *snap = &s->events[1];
    assert_int_equal(snap->kind, EV_FULL_SNAPSHOT);
    assert_int_equal(snap->u.full.dom.count, 4);
    bool found_text = false;
    for (size_t i = 0; i < snap->u.full.dom.count; i++)
        if (snap->u.full.dom.nodes[i].text && strcmp(snap->u.full.dom.nodes[i].text, "Pay \xc3\xa9") == 0)
            found_text = true;
    assert_true(found_text);
    assert_int_equal(s->events[2].u.mutation.dom_adds.count, 1);
    assert_true(s->events[2].u.mutation.dom_adds.nodes[0].parent_id == 2);
    reelay_session_free(s);
}

static void test_plugins_and_custom_events(void **state)
{
    (void)state;
    reelay_session *s = must_ingest(
        "[" META(1, 2, 3) ","
        "{\"type\":6,\"timestamp\":2,\"data\":{\"plugin\":\"rrweb/console@1\",\"payload\":{\"level\":\"warn\","
        "\"payload\":[\"\\\"Removing\\\"\",\"0\",\"plain\"],\"trace\":[]}}},"
        "{\"type\":6,\"timestamp\":3,\"data\":{\"plugin\":\"rrweb/console@1\",\"payload\":{\"level\":\"E\","
        "\"payload\":[\"Tag: boom\"]}}},"
        "{\"type\":6,\"timestamp\":4,\"data\":{\"plugin\":\"rrweb/network@1\",\"payload\":{\"requests\":["
        "{\"name\":\"https://x.test/a\",\"method\":\"GET\",\"responseStatus\":200,\"duration\":5},"
        "{\"name\":\"https://x.test/b\",\"method\":\"POST\",\"status\":503}]}}},"
        "{\"type\":5,\"timestamp\":5,\"data\":{\"tag\":\"$pageview\",\"payload\":{\"href\":\"https://x.test/next\"}}},"
        "{\"type\":5,\"timestamp\":6,\"data\":{\"tag\":\"keyboard\",\"payload\":{\"open\":true,\"height\":300}}},"
        "{\"type\":5,\"timestamp\":7,\"data\":{\"tag\":\"window hidden\",\"payload\":{}}},"
        "{\"type\":6,\"timestamp\":8,\"data\":{\"plugin\":\"other@1\",\"payload\":{}}},"
        "{\"type\":7,\"timestamp\":9,\"data\":{}},"
        "{\"type\":3,\"timestamp\":10,\"data\":{\"source\":77}}]");
    assert_int_equal(s->event_count, 8);
    assert_int_equal(s->stats.skipped_events, 2);
    assert_int_equal(s->events[1].u.console.level, CONSOLE_WARN);
    assert_string_equal(s->events[1].u.console.message, "Removing 0 plain");
    assert_int_equal(s->events[2].u.console.level, CONSOLE_ERROR);
    assert_int_equal(s->events[3].u.network.count, 2);
    assert_int_equal(s->events[3].u.network.requests[1].status, 503);
    assert_int_equal(s->events[4].kind, EV_NAVIGATION);
    assert_string_equal(s->events[4].u.navigation.url, "https://x.test/next");
    assert_int_equal(s->events[5].kind, EV_KEYBOARD);
    assert_true(s->events[5].u.keyboard.open && s->events[5].u.keyboard.height == 300);
    assert_int_equal(s->events[6].kind, EV_CUSTOM);
    assert_int_equal(s->events[7].kind, EV_PLUGIN_OTHER);
    assert_int_equal(s->source, REELAY_SOURCE_MOBILE); /* the keyboard event is mobile-only */

    reelay_summary summary;
    reelay_err err;
    assert_int_equal(reelay_summarize(s, &summary, &err), REELAY_OK);
    assert_int_equal(summary.console[CONSOLE_WARN], 1);
    assert_int_equal(summary.console[CONSOLE_ERROR], 1);
    assert_int_equal(summary.network_requests, 2);
    assert_int_equal(summary.network_failed, 1);
    assert_int_equal(summary.screens, 2); /* "Home" from meta, then the pageview URL */
    assert_int_equal(summary.skipped, 2);
    reelay_session_free(s);
}

static void test_gzip_input_and_bom(void **state)
{
    (void)state;
    const char *plain = "\xef\xbb\xbf  [" META(1, 2, 3) "]";
    unsigned char packed[1024];
    z_stream zs = {0};
    assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    zs.next_in = (unsigned char *)plain;
    zs.avail_in = (unsigned)strlen(plain);
    zs.next_out = packed;
    zs.avail_out = sizeof packed;
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    size_t n = sizeof packed - zs.avail_out;
    deflateEnd(&zs);
    reelay_session *s = NULL;
    reelay_err err;
    assert_int_equal(reelay_ingest_memory(packed, n, "gz", NULL, &s, &err), REELAY_OK);
    assert_int_equal(s->event_count, 1);
    reelay_session_free(s);
}

static void test_event_limit(void **state)
{
    (void)state;
    reelay_ingest_options options = reelay_ingest_defaults();
    options.max_events = 2;
    const char *text = "[" META(1, 2, 3) "," TOUCH(2, 7) "," TOUCH(3, 9) "]";
    reelay_session *s = NULL;
    reelay_err err;
    assert_int_equal(reelay_ingest_memory((const unsigned char *)text, strlen(text), "lim", &options, &s, &err),
                     REELAY_E_INPUT);
    assert_non_null(strstr(err.msg, "more than 2 events"));
    assert_null(s);
}

static reelay_session *ingest_limited(const char *text, const reelay_ingest_options *options, reelay_err *err)
{
    reelay_session *s = NULL;
    reelay_err_clear(err);
    reelay_ingest_memory((const unsigned char *)text, strlen(text), "lim", options, &s, err);
    return s;
}

static void test_viewport_and_portable_limits(void **state)
{
    (void)state;
    reelay_ingest_options options = reelay_ingest_defaults();
    options.max_viewport = 500;
    reelay_err err;
    reelay_session *s = ingest_limited("[" META(1, 400, 500) "]", &options, &err);
    assert_non_null(s);
    reelay_session_free(s);
    assert_null(ingest_limited("[" META(1, 400, 501) "]", &options, &err));
    assert_string_equal(err.msg, "lim: [0]: data: viewport 400x501 is larger than 500 (raise --max-viewport)");
    assert_null(ingest_limited("[" META(1, 400, 800) ",{\"type\":3,\"timestamp\":2,\"data\":{\"source\":4,"
                            "\"width\":-1,\"height\":5}}]",
                            NULL, &err));
    assert_string_equal(err.msg, "lim: [1]: data: negative viewport size");
    /* The default allows a zoomed-out 8K browser, not a bogus 1e14. */
    assert_int_equal(reelay_check_viewport(NULL, 30720, 17280, "x", &err), REELAY_OK);
    assert_int_equal(reelay_check_viewport(NULL, 1e14, 10, "x", &err), REELAY_E_INPUT);

    /* Portable recordings: the viewport of initial_state and of metadata, and the event count. */
    const char *portable = "{\"sessionId\":\"s\",\"metadata\":{\"viewport\":{\"width\":900,\"height\":600}},"
                           "\"events\":[{\"type\":\"click\",\"timestamp\":5,\"data\":{\"x\":1,\"y\":1}},"
                           "{\"type\":\"click\",\"timestamp\":6,\"data\":{\"x\":1,\"y\":1}}]}";
    assert_null(ingest_limited(portable, &options, &err));
    assert_string_equal(err.msg, "lim: metadata.viewport: viewport 900x600 is larger than 500 (raise --max-viewport)");
    options = reelay_ingest_defaults();
    options.max_events = 1;
    assert_null(ingest_limited(portable, &options, &err));
    assert_string_equal(err.msg, "lim: events: more than 1 events (raise --max-events)");
    options.max_events = 2;
    s = ingest_limited(portable, &options, &err);
    assert_non_null(s);
    reelay_session_free(s);
}

static void test_errors_name_the_place(void **state)
{
    (void)state;
    expect_error("[" META(1, 2, 3) ",{\"type\":3,\"timestamp\":5,\"data\":{\"source\":\"x\"}}]", "[1]: data.source");
    expect_error("[\"w\"," META(1, 2, 3) "]\n[\"w\",{\"type\":4,\"timestamp\":1e400}]", "line 2");
    expect_error("{\"version\":\"2023-04-28\",\"data\":{\"snapshots\":[" META(1, 2, 3) ",{\"type\":4}]}}",
                 "data.snapshots[1]: timestamp: missing");
    expect_error("[" META(1, -2, 3) "]", "negative viewport size");
    expect_error("[" META(1, 2, 3) ",{\"type\":3,\"timestamp\":5,\"data\":{\"source\":1,\"positions\":[{\"x\":1}]}}]",
                 "[1]: data.positions[0]: position without x and y");
}

static void test_activity_segments_and_active_time(void **state)
{
    (void)state;
    /* Active 0–3 s, a mutation at 6 s (inactive, >5 s after last activity
     * only at 9 s), idle until touches at 20–22 s. */
    reelay_session *s = must_ingest(
        "[" META(0, 2, 3) "," TOUCH(1000, 7) "," TOUCH(3000, 9) ","
        "{\"type\":3,\"timestamp\":6000,\"data\":{\"source\":0,\"adds\":[],\"removes\":[],\"texts\":[],\"attributes\":[]}},"
        "{\"type\":3,\"timestamp\":9000,\"data\":{\"source\":0,\"adds\":[],\"removes\":[],\"texts\":[],\"attributes\":[]}},"
        TOUCH(20000, 7) "," TOUCH(22000, 9) "]");
    reelay_segment *segments;
    size_t count;
    reelay_err err;
    assert_int_equal(reelay_activity_segments(s, REELAY_ACTIVITY_THRESHOLD_MS, &segments, &count, &err), REELAY_OK);
    assert_int_equal(count, 3);
    assert_true(segments[0].active && segments[0].start_ts == 0 && segments[0].end_ts == 6000);
    assert_true(!segments[1].active && segments[1].start_ts == 9000 && segments[1].end_ts == 9000);
    assert_true(segments[2].active && segments[2].start_ts == 20000 && segments[2].end_ts == 22000);
    assert_true(fabs(reelay_active_ms(segments, count) - 8000) < 1e-9);
    free(segments);
    reelay_session_free(s);
}

static void test_iso8601_and_summary_json(void **state)
{
    (void)state;
    char text[40];
    reelay_format_iso8601(1700000000123.0, text, sizeof text);
    assert_string_equal(text, "2023-11-14T22:13:20.123Z");
    reelay_format_iso8601(0, text, sizeof text);
    assert_string_equal(text, "1970-01-01T00:00:00.000Z");

    reelay_session *s = must_ingest("[" META(1700000000000, 411, 914) "," TOUCH(1700000001500, 7) "]");
    reelay_summary summary;
    reelay_err err;
    assert_int_equal(reelay_summarize(s, &summary, &err), REELAY_OK);
    json_t *object = reelay_summary_json(s, &summary);
    assert_non_null(object);
    assert_string_equal(json_string_value(json_object_get(object, "format")), "rrweb-array");
    assert_string_equal(json_string_value(json_object_get(object, "start")), "2023-11-14T22:13:20.000Z");
    assert_true(json_real_value(json_object_get(object, "duration_s")) == 1.5);
    json_t *window = json_array_get(json_object_get(object, "windows"), 0);
    assert_int_equal(json_integer_value(json_object_get(window, "width")), 411);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(object, "counts"), "touches")), 1);
    json_decref(object);
    reelay_session_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rrweb_array_sorted_stably),
        cmocka_unit_test(test_exact_duplicates_dropped_only_when_identical),
        cmocka_unit_test(test_jsonl_three_line_shapes_and_windows),
        cmocka_unit_test(test_jsonl_splits_on_newline_only),
        cmocka_unit_test(test_exports_both_versions),
        cmocka_unit_test(test_snapshot_analytics_events),
        cmocka_unit_test(test_snapshot_events_in_a_request_body),
        cmocka_unit_test(test_compressed_payloads_decoded),
        cmocka_unit_test(test_plugins_and_custom_events),
        cmocka_unit_test(test_gzip_input_and_bom),
        cmocka_unit_test(test_event_limit),
        cmocka_unit_test(test_viewport_and_portable_limits),
        cmocka_unit_test(test_errors_name_the_place),
        cmocka_unit_test(test_activity_segments_and_active_time),
        cmocka_unit_test(test_iso8601_and_summary_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
