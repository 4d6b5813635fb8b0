#include "test_support.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/portable.h"
#include "session/session.h"

static const char *const RECORDING =
    "{\"sessionId\":\"s1\",\"userId\":\"u1\","
    " \"startTime\":\"2023-11-14T22:13:20.000Z\",\"endTime\":1700000060000,"
    " \"metadata\":{\"userAgent\":\"UA\",\"viewport\":{\"width\":1024,\"height\":768},\"url\":\"https://shop.example/\"},"
    " \"events\":["
    /* 0 */ "{\"type\":\"initial_state\",\"timestamp\":1700000000100,\"data\":{\"viewport\":{\"width\":1280,\"height\":800},"
    "   \"url\":\"https://shop.example/\",\"title\":\"Shop\",\"scroll\":{\"x\":0,\"y\":40}}},"
    /* 1 */ "{\"type\":\"mousemove\",\"timestamp\":\"2023-11-14T22:13:21.250Z\",\"data\":{\"x\":10,\"y\":20}},"
    /* 2 */ "{\"type\":\"click\",\"timestamp\":1700000002000,\"data\":{\"x\":100.5,\"y\":200,"
    "   \"target\":\"body > button#buy\",\"text\":\"Buy\",\"tagName\":\"BUTTON\"}},"
    /* 3 */ "{\"type\":\"click\",\"timestamp\":1700000002100,\"data\":{\"x\":1,\"y\":2,\"button\":2}},"
    /* 4 */ "{\"type\":\"click\",\"timestamp\":1700000002200,\"data\":{\"detail\":2,\"target\":\"p\"}},"
    /* 5 */ "{\"type\":\"scroll\",\"timestamp\":1700000003000,\"data\":{\"x\":0,\"y\":300}},"
    /* 6 */ "{\"type\":\"input\",\"timestamp\":1700000004000,\"data\":{\"target\":\"input[name=email]\","
    "   \"value\":\"[REDACTED]\",\"inputType\":\"email\"}},"
    /* 7 */ "{\"type\":\"submit\",\"timestamp\":1700000005000,\"data\":{\"target\":\"form#checkout\"}},"
    /* 8 */ "{\"type\":\"navigation\",\"timestamp\":1700000006000,\"data\":{\"url\":\"https://shop.example/cart\","
    "   \"title\":\"Cart\"}},"
    /* 9 */ "{\"type\":\"console\",\"timestamp\":1700000007000,\"data\":{\"level\":\"warn\",\"message\":\"low stock\"}},"
    /* 10 */ "{\"type\":\"console\",\"timestamp\":1700000007100,\"data\":{\"level\":\"warning\","
    "   \"args\":[\"a\",1,{\"k\":true},null]}},"
    /* 11 */ "{\"type\":\"console\",\"timestamp\":1700000007200,\"data\":{\"level\":\"trace\",\"message\":\"%s\"}},"
    /* 12 */ "{\"type\":\"error\",\"timestamp\":1700000008000,\"data\":{\"message\":\"TypeError: x is undefined\","
    "   \"source\":\"app.js\",\"lineno\":10,\"colno\":5,\"stack\":\"at f\"}},"
    /* 13 */ "{\"type\":\"promise_error\",\"timestamp\":1700000009000,\"data\":{\"reason\":\"timeout\"}},"
    /* 14 */ "{\"type\":\"custom_thing\",\"timestamp\":\"whenever\",\"data\":5},"
    /* 15 */ "{\"type\":\"navigation\",\"timestamp\":\"2023-11-14T23:13:30+01:00\",\"data\":{\"url\":\"/done\"}},"
    /* 16 */ "{\"type\":\"console\",\"timestamp\":1700000011000,\"data\":{\"level\":\"debug\",\"message\":\"d\"}},"
    /* 17 */ "{\"type\":\"console\",\"timestamp\":1700000011001,\"data\":{\"level\":\"info\",\"message\":\"i\"}},"
    /* 18 */ "{\"type\":\"console\",\"timestamp\":1700000011002,\"data\":{\"level\":\"log\",\"message\":\"l\"}},"
    /* 19 */ "{\"type\":\"error\",\"timestamp\":1700000011003,\"data\":{\"message\":\"bare\"}}"
    "]}";

static json_t *recording_json(void)
{
    /* A long message with a 3-byte character straddling byte 1000. */
    char message[1200];
    memset(message, 'x', 999);
    strcpy(message + 999, "\xe2\x82\xac and more");
    size_t size = strlen(RECORDING) + sizeof message + 16;
    char *text = malloc(size);
    assert_non_null(text);
    snprintf(text, size, RECORDING, message);
    json_t *json = ts_json(text);
    free(text);
    return json;
}

static void test_full_recording(void **state)
{
    (void)state;
    json_t *root = recording_json();
    assert_true(reelay_is_portable(root));
    reelay_session *s = reelay_session_new();
    assert_non_null(s);
    reelay_err err;
    reelay_err_clear(&err);
    assert_int_equal(reelay_read_portable(root, s, NULL, &err), REELAY_OK);
    json_decref(root); /* everything must have been copied */

    assert_int_equal(s->format, REELAY_FORMAT_PORTABLE);
    assert_int_equal(s->source, REELAY_SOURCE_PORTABLE);
    assert_string_equal(s->session_id, "s1");
    assert_string_equal(s->user, "u1");
    assert_int_equal(s->stats.skipped_events, 1);
    assert_int_equal(s->window_count, 1);
    assert_string_equal(s->windows[0].key, "0");
    /* 20 input events, one unknown, and initial_state gives two. */
    assert_int_equal(s->event_count, 20);
    for (size_t i = 0; i < s->event_count; i++) {
        assert_int_equal(s->events[i].window, 0);
        assert_true(s->events[i].content_hash[0] != 0 || s->events[i].content_hash[1] != 0);
    }
    assert_false(s->events[0].content_hash[0] == s->events[1].content_hash[0] &&
                 s->events[0].content_hash[1] == s->events[1].content_hash[1]);

    const reelay_event *ev = &s->events[0];
    assert_int_equal(ev->kind, EV_META);
    assert_true(ev->timestamp == 1700000000100.0);
    assert_true(ev->u.meta.width == 1280 && ev->u.meta.height == 800);
    assert_string_equal(ev->u.meta.href, "https://shop.example/");
    assert_int_equal(ev->rr_type, RR_META);
    assert_true(ev->active);

    ev = &s->events[1];
    assert_int_equal(ev->kind, EV_SCROLL);
    assert_true(ev->timestamp == 1700000000100.0);
    assert_int_equal(ev->u.scroll.target_id, 1);
    assert_true(ev->u.scroll.y == 40);
    assert_int_equal(ev->rr_type, RR_INCREMENTAL);
    assert_int_equal(ev->rr_source, RR_SRC_SCROLL);

    ev = &s->events[2];
    assert_int_equal(ev->kind, EV_POINTER_MOVE);
    assert_true(ev->timestamp == 1700000001250.0);
    assert_int_equal(ev->u.pointer.count, 1);
    assert_true(ev->u.pointer.positions[0].x == 10 && ev->u.pointer.positions[0].y == 20);
    assert_int_equal(ev->u.pointer.positions[0].target_id, -1);
    assert_true(ev->u.pointer.positions[0].time_offset_ms == 0);
    assert_int_equal(ev->rr_source, RR_SRC_MOUSE_MOVE);
    assert_true(ev->active);

    ev = &s->events[3];
    assert_int_equal(ev->kind, EV_INTERACTION);
    assert_int_equal(ev->u.interaction.type, RR_CLICK);
    assert_true(ev->u.interaction.has_xy);
    assert_true(ev->u.interaction.x == 100.5 && ev->u.interaction.y == 200);
    assert_int_equal(ev->u.interaction.target_id, -1);
    assert_int_equal(ev->u.interaction.pointer_type, 0);
    assert_string_equal(ev->u.interaction.target_path, "body > button#buy");
    assert_string_equal(ev->u.interaction.target_text, "Buy");
    assert_string_equal(ev->u.interaction.target_tag, "button");
    assert_int_equal(ev->rr_type, RR_INCREMENTAL);
    assert_int_equal(ev->rr_source, RR_SRC_MOUSE_INTERACTION);
    assert_true(ev->active);
    assert_int_equal(s->events[4].u.interaction.type, RR_CONTEXT_MENU);
    assert_int_equal(s->events[5].u.interaction.type, RR_DBL_CLICK);
    assert_false(s->events[5].u.interaction.has_xy);
    assert_null(s->events[5].u.interaction.target_tag);

    ev = &s->events[6];
    assert_int_equal(ev->kind, EV_SCROLL);
    assert_int_equal(ev->u.scroll.target_id, 1);
    assert_true(ev->u.scroll.y == 300);
    assert_int_equal(ev->rr_source, RR_SRC_SCROLL);
    assert_true(ev->active);

    ev = &s->events[7];
    assert_int_equal(ev->kind, EV_INPUT);
    assert_string_equal(ev->u.input.text, "[REDACTED]");
    assert_string_equal(ev->u.input.target_path, "input[name=email]");
    assert_int_equal(ev->u.input.target_id, -1);
    assert_int_equal(ev->rr_source, RR_SRC_INPUT);
    assert_true(ev->active);

    ev = &s->events[8];
    assert_int_equal(ev->kind, EV_SUBMIT);
    assert_string_equal(ev->u.submit.target_path, "form#checkout");
    assert_int_equal(ev->rr_type, RR_INCREMENTAL);
    assert_int_equal(ev->rr_source, -1);
    assert_true(ev->active);

    ev = &s->events[9];
    assert_int_equal(ev->kind, EV_NAVIGATION);
    assert_string_equal(ev->u.navigation.url, "https://shop.example/cart");
    assert_int_equal(ev->rr_type, RR_META);
    assert_true(ev->active);

    ev = &s->events[10];
    assert_int_equal(ev->kind, EV_CONSOLE);
    assert_int_equal(ev->u.console.level, CONSOLE_WARN);
    assert_string_equal(ev->u.console.level_name, "warn");
    assert_string_equal(ev->u.console.message, "low stock");
    assert_int_equal(ev->rr_type, RR_PLUGIN);
    assert_false(ev->active);
    assert_false(ev->u.console.is_exception);

    ev = &s->events[11];
    assert_int_equal(ev->u.console.level, CONSOLE_WARN);
    assert_string_equal(ev->u.console.level_name, "warning");
    assert_string_equal(ev->u.console.message, "a 1 {\"k\":true} null");

    ev = &s->events[12];
    assert_int_equal(ev->u.console.level, CONSOLE_OTHER);
    assert_string_equal(ev->u.console.level_name, "trace");
    assert_int_equal(strlen(ev->u.console.message), 999);

    ev = &s->events[13];
    assert_int_equal(ev->kind, EV_CONSOLE);
    assert_int_equal(ev->u.console.level, CONSOLE_ERROR);
    assert_true(ev->u.console.is_exception);
    assert_string_equal(ev->u.console.message, "TypeError: x is undefined (app.js:10:5)");
    assert_false(ev->active);

    ev = &s->events[14];
    assert_int_equal(ev->u.console.level, CONSOLE_ERROR);
    assert_true(ev->u.console.is_exception);
    assert_string_equal(ev->u.console.message, "Unhandled rejection: timeout");
    assert_false(ev->active);

    ev = &s->events[15];
    assert_int_equal(ev->kind, EV_NAVIGATION);
    assert_true(ev->timestamp == 1700000010000.0);
    assert_string_equal(ev->u.navigation.url, "/done");

    assert_int_equal(s->events[16].u.console.level, CONSOLE_DEBUG);
    assert_int_equal(s->events[17].u.console.level, CONSOLE_INFO);
    assert_int_equal(s->events[18].u.console.level, CONSOLE_LOG);
    assert_string_equal(s->events[19].u.console.message, "bare");
    assert_true(s->events[19].u.console.is_exception);

    /* initial_state was present, so no meta was synthesized (count above). */

    /* The meta and the scroll from one initial_state must both survive
     * duplicate removal. */
    assert_int_equal(reelay_session_finalize(s, &err), REELAY_OK);
    assert_int_equal(s->event_count, 20);
    assert_int_equal(s->stats.duplicates_dropped, 0);
    assert_true(s->windows[0].has_viewport);
    assert_true(s->windows[0].width == 1280);
    assert_int_equal(s->source, REELAY_SOURCE_PORTABLE);
    reelay_session_free(s);
}

static reelay_session *read_ok(const char *text)
{
    json_t *root = ts_json(text);
    reelay_session *s = reelay_session_new();
    assert_non_null(s);
    reelay_err err;
    reelay_err_clear(&err);
    int rc = reelay_read_portable(root, s, NULL, &err);
    if (rc != REELAY_OK) fail_msg("unexpected error: %s", err.msg);
    json_decref(root);
    return s;
}

static void test_synthesized_meta(void **state)
{
    (void)state;
    reelay_session *s = read_ok(
        "{\"startTime\":1700000000000,\"metadata\":{\"viewport\":{\"width\":390,\"height\":844},\"url\":\"https://m.example/\"},"
        " \"events\":[{\"type\":\"click\",\"timestamp\":1700000000500,\"data\":{\"x\":1,\"y\":2}}]}");
    assert_string_equal(s->session_id, "");
    assert_string_equal(s->user, "");
    assert_int_equal(s->event_count, 2);
    const reelay_event *meta = &s->events[1];
    assert_int_equal(meta->kind, EV_META);
    assert_true(meta->timestamp == 1700000000000.0);
    assert_true(meta->u.meta.width == 390 && meta->u.meta.height == 844);
    assert_string_equal(meta->u.meta.href, "https://m.example/");
    assert_int_equal(meta->window, 0);
    reelay_session_free(s);

    /* Without startTime: at the earliest event. */
    s = read_ok("{\"sessionId\":42,\"metadata\":{\"viewport\":{\"width\":800,\"height\":600}},"
                " \"events\":[{\"type\":\"scroll\",\"timestamp\":\"2023-11-14T22:13:25Z\",\"data\":{\"y\":5}},"
                "             {\"type\":\"scroll\",\"timestamp\":1700000001000,\"data\":{\"y\":1}}]}");
    assert_string_equal(s->session_id, "42");
    assert_int_equal(s->event_count, 3);
    assert_int_equal(s->events[2].kind, EV_META);
    assert_true(s->events[2].timestamp == 1700000001000.0);
    assert_null(s->events[2].u.meta.href);
    reelay_session_free(s);

    /* No viewport anywhere: nothing synthesized. */
    s = read_ok("{\"sessionId\":\"x\",\"events\":[{\"type\":\"submit\",\"timestamp\":5}]}");
    assert_int_equal(s->event_count, 1);
    assert_int_equal(s->events[0].kind, EV_SUBMIT);
    assert_null(s->events[0].u.submit.target_path);
    reelay_session_free(s);
}

static double read_one_time(const char *timestamp_json)
{
    char text[256];
    snprintf(text, sizeof text, "{\"sessionId\":\"t\",\"events\":[{\"type\":\"scroll\",\"timestamp\":%s,\"data\":{}}]}",
             timestamp_json);
    reelay_session *s = read_ok(text);
    assert_int_equal(s->event_count, 1);
    double t = s->events[0].timestamp;
    reelay_session_free(s);
    return t;
}

static void test_iso_times(void **state)
{
    (void)state;
    assert_true(read_one_time("\"1970-01-01T00:00:00Z\"") == 0.0);
    assert_true(read_one_time("\"2023-11-14T22:13:20.000Z\"") == 1700000000000.0);
    assert_true(read_one_time("\"2000-02-29T12:00:00.5Z\"") == 951825600500.0);
    assert_true(read_one_time("\"2024-03-01T00:00:00-05:30\"") == 1709271000000.0);
    assert_true(read_one_time("\"1999-12-31T23:59:59.999+00:00\"") == 946684799999.0);
    assert_true(read_one_time("\"2023-11-14 22:13:20Z\"") == 1700000000000.0);
    assert_true(read_one_time("\"2023-11-14T22:13:20\"") == 1700000000000.0);
    assert_true(fabs(read_one_time("\"2023-11-14T22:13:20.123456Z\"") - 1700000000123.456) < 1e-3);
    assert_true(read_one_time("\"1700000000000\"") == 1700000000000.0);
    assert_true(read_one_time("1700000000000.25") == 1700000000000.25);
}

static void expect_error(const char *text, const char *substring)
{
    json_t *root = ts_json(text);
    reelay_session *s = reelay_session_new();
    assert_non_null(s);
    reelay_err err;
    reelay_err_clear(&err);
    int rc = reelay_read_portable(root, s, NULL, &err);
    if (rc != REELAY_E_INPUT) fail_msg("expected an input error for %s, got %d", text, rc);
    if (!strstr(err.msg, substring)) fail_msg("message \"%s\" lacks \"%s\"", err.msg, substring);
    json_decref(root);
    reelay_session_free(s);
}

#define EV1(event) "{\"sessionId\":\"e\",\"events\":[{\"type\":\"scroll\",\"timestamp\":1,\"data\":{}}," event "]}"

static void test_errors(void **state)
{
    (void)state;
    expect_error("{\"sessionId\":\"e\"}", "events: expected an array");
    expect_error("{\"sessionId\":\"e\",\"events\":{}}", "events: expected an array");
    expect_error("[]", "expected a JSON object");
    expect_error(EV1("7"), "events[1]: expected an object");
    expect_error(EV1("{\"type\":\"click\",\"data\":{}}"),
                 "events[1].timestamp: expected epoch milliseconds or an ISO-8601 time");
    expect_error(EV1("{\"type\":\"click\",\"timestamp\":\"yesterday\",\"data\":{}}"),
                 "events[1].timestamp: expected epoch milliseconds or an ISO-8601 time");
    expect_error(EV1("{\"type\":\"click\",\"timestamp\":\"2023-02-29T00:00:00Z\",\"data\":{}}"),
                 "events[1].timestamp: expected epoch milliseconds");
    expect_error(EV1("{\"type\":\"click\",\"timestamp\":\"2023-11-14T25:00:00Z\",\"data\":{}}"),
                 "events[1].timestamp: expected epoch milliseconds");
    expect_error(EV1("{\"type\":\"click\",\"timestamp\":\"2023-11-14T22:13:20Zjunk\",\"data\":{}}"),
                 "events[1].timestamp: expected epoch milliseconds");
    expect_error(EV1("{\"type\":\"click\",\"timestamp\":true,\"data\":{}}"),
                 "events[1].timestamp: expected epoch milliseconds");
    expect_error(EV1("{\"type\":\"click\",\"timestamp\":-5,\"data\":{}}"), "events[1].timestamp: time -5 is negative");
    expect_error(EV1("{\"type\":\"click\",\"timestamp\":\"1969-12-31T23:59:59Z\",\"data\":{}}"),
                 "events[1].timestamp: time -1000 is negative");
    expect_error(EV1("{\"type\":\"click\",\"timestamp\":1e300,\"data\":{}}"), "events[1].timestamp: time");
    expect_error(EV1("{\"type\":5,\"timestamp\":1,\"data\":{}}"), "events[1].type: expected a string");
    expect_error(EV1("{\"timestamp\":1,\"data\":{}}"), "events[1].type: expected a string");
    expect_error(EV1("{\"type\":\"click\",\"timestamp\":1,\"data\":\"x\"}"), "events[1].data: expected an object");
    expect_error(EV1("{\"type\":\"console\",\"timestamp\":1,\"data\":[1]}"), "events[1].data: expected an object");
    expect_error(EV1("{\"type\":\"click\",\"timestamp\":1,\"data\":{\"x\":\"a\"}}"),
                 "events[1].data.x: expected a number");
    expect_error(EV1("{\"type\":\"scroll\",\"timestamp\":1,\"data\":{\"y\":1e20}}"), "events[1].data.y: number");
    expect_error(EV1("{\"type\":\"initial_state\",\"timestamp\":1,\"data\":{\"viewport\":{\"width\":\"wide\"}}}"),
                 "events[1].data.viewport.width: expected a number");
    expect_error(EV1("{\"type\":\"initial_state\",\"timestamp\":1,\"data\":{\"scroll\":[1]}}"),
                 "events[1].data.scroll: expected an object");
    expect_error(EV1("{\"type\":\"error\",\"timestamp\":1,\"data\":{\"lineno\":\"x\"}}"),
                 "events[1].data.lineno: expected a number");
    expect_error("{\"startTime\":\"soon\",\"events\":[]}", "startTime: expected epoch milliseconds");
    expect_error("{\"startTime\":1,\"endTime\":-1,\"events\":[]}", "endTime: time -1 is negative");
}

static void test_detection_and_leniency(void **state)
{
    (void)state;
    json_t *j = ts_json("{\"events\":[]}");
    assert_false(reelay_is_portable(j));
    json_decref(j);
    j = ts_json("{\"metadata\":{},\"events\":[]}");
    assert_true(reelay_is_portable(j));
    json_decref(j);
    /* A wrong-typed `events` still selects the portable reader, which then
     * reports "events: expected an array". */
    j = ts_json("{\"startTime\":1,\"events\":{}}");
    assert_true(reelay_is_portable(j));
    json_decref(j);
    j = ts_json("[{\"type\":2}]");
    assert_false(reelay_is_portable(j));
    json_decref(j);

    /* Unknown types are skipped even when otherwise malformed; a mousemove
     * without a position is skipped too; input booleans become checked. */
    reelay_session *s = read_ok(
        "{\"sessionId\":\"l\",\"events\":["
        " {\"type\":\"resize\",\"timestamp\":-1},"
        " {\"type\":\"mousemove\",\"timestamp\":1,\"data\":{\"x\":3}},"
        " {\"type\":\"input\",\"timestamp\":2,\"data\":{\"target\":\"#agree\",\"value\":true}},"
        " {\"type\":\"input\",\"timestamp\":3,\"data\":{\"target\":\"#qty\",\"value\":3}},"
        " {\"type\":\"console\",\"timestamp\":4,\"data\":{}},"
        " {\"type\":\"promise_error\",\"timestamp\":5,\"data\":{\"message\":{\"code\":1}}},"
        " {\"type\":\"navigation\",\"timestamp\":6}]}");
    assert_int_equal(s->stats.skipped_events, 2);
    assert_int_equal(s->event_count, 5);
    assert_true(s->events[0].u.input.is_checked);
    assert_string_equal(s->events[0].u.input.text, "");
    assert_string_equal(s->events[1].u.input.text, "3");
    assert_string_equal(s->events[2].u.console.level_name, "log");
    assert_int_equal(s->events[2].u.console.level, CONSOLE_LOG);
    assert_string_equal(s->events[2].u.console.message, "");
    assert_string_equal(s->events[3].u.console.message, "Unhandled rejection: {\"code\":1}");
    assert_string_equal(s->events[4].u.navigation.url, "");
    reelay_session_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_recording), cmocka_unit_test(test_synthesized_meta),
        cmocka_unit_test(test_iso_times),      cmocka_unit_test(test_errors),
        cmocka_unit_test(test_detection_and_leniency),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
