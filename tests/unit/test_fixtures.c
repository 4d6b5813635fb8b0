/* Round-trip and content tests over the bundled fixtures: the same session in
 * every container must read as the same events, and the counts must match the
 * manifests written by scripts/gen_fixtures.py. Also checks the readers
 * against the public recordings in ../shared/fixtures/public when present. */
#include "test_support.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ingest/ingest.h"
#include "session/summary.h"

static reelay_session *load(const char *path)
{
    reelay_session *session = NULL;
    reelay_err err;
    reelay_err_clear(&err);
    if (reelay_ingest_path(path, NULL, &session, &err) != REELAY_OK) fail_msg("%s", err.msg);
    return session;
}

static json_t *load_json(const char *path)
{
    json_error_t jerr;
    json_t *value = json_load_file(path, 0, &jerr);
    if (!value) fail_msg("%s: %s", path, jerr.text);
    return value;
}

static size_t expected_count(const json_t *manifest, const char *key)
{
    const json_t *value = json_object_get(manifest, key);
    if (!json_is_integer(value)) fail_msg("manifest lacks %s", key);
    return (size_t)json_integer_value(value);
}

/* Events of one window (or all when window < 0), compared by time, kind and
 * content hash: containers differ, content must not. */
static void assert_same_events(const reelay_session *a, const reelay_session *b, int window_a, int window_b,
                               const char *what)
{
    size_t i = 0, j = 0;
    for (;;) {
        while (i < a->event_count && window_a >= 0 && a->events[i].window != (uint32_t)window_a) i++;
        while (j < b->event_count && window_b >= 0 && b->events[j].window != (uint32_t)window_b) j++;
        if (i == a->event_count || j == b->event_count) break;
        const reelay_event *x = &a->events[i], *y = &b->events[j];
        if (x->timestamp != y->timestamp || x->kind != y->kind || x->content_hash[0] != y->content_hash[0] ||
            x->content_hash[1] != y->content_hash[1])
            fail_msg("%s: event %zu/%zu differs (t=%.0f/%.0f kind=%d/%d)", what, i, j, x->timestamp, y->timestamp,
                     x->kind, y->kind);
        i++;
        j++;
    }
    while (i < a->event_count && window_a >= 0 && a->events[i].window != (uint32_t)window_a) i++;
    while (j < b->event_count && window_b >= 0 && b->events[j].window != (uint32_t)window_b) j++;
    if (i != a->event_count || j != b->event_count) fail_msg("%s: different event counts", what);
}

static void test_android_same_session_in_every_container(void **state)
{
    (void)state;
    static const char *const containers[] = {
        "fixtures/mobile/android-shop.export-legacy.json", "fixtures/mobile/android-shop.blob.jsonl",
        "fixtures/mobile/android-shop.blob.jsonl.gz",      "fixtures/mobile/android-shop.blob-v1.jsonl",
        "fixtures/mobile/android-shop.events.jsonl",       "fixtures/mobile/android-shop.snapshots.json",
    };
    reelay_session *reference = load("fixtures/mobile/android-shop.export.json");
    assert_int_equal(reference->window_count, 2);
    for (size_t c = 0; c < sizeof containers / sizeof containers[0]; c++) {
        reelay_session *other = load(containers[c]);
        assert_int_equal(other->window_count, 2);
        assert_int_equal(other->source, REELAY_SOURCE_MOBILE);
        assert_same_events(reference, other, -1, -1, containers[c]);
        reelay_session_free(other);
    }
    /* The plain rrweb array holds the main window only. */
    reelay_session *main_only = load("fixtures/mobile/android-shop-main.rrweb.json");
    assert_int_equal(main_only->window_count, 1);
    assert_same_events(reference, main_only, 0, 0, "android-shop-main.rrweb.json");
    reelay_session_free(main_only);
    reelay_session_free(reference);
}

static void check_mobile_manifest(const char *recording, const char *manifest_path)
{
    reelay_session *s = load(recording);
    json_t *manifest = load_json(manifest_path);
    reelay_summary summary;
    reelay_err err;
    assert_int_equal(reelay_summarize(s, &summary, &err), REELAY_OK);
    assert_int_equal(summary.events, expected_count(manifest, "total_events"));
    assert_int_equal(summary.meta, expected_count(manifest, "meta"));
    assert_int_equal(summary.full_snapshots, expected_count(manifest, "full_snapshots"));
    assert_int_equal(summary.mutations, expected_count(manifest, "mutations"));
    assert_int_equal(summary.touches, expected_count(manifest, "touch_starts"));
    assert_int_equal(summary.keyboard, expected_count(manifest, "keyboard_events"));
    size_t console_total = 0;
    for (int level = 0; level < CONSOLE_LEVEL_COUNT; level++) console_total += summary.console[level];
    assert_int_equal(console_total, expected_count(manifest, "console_events"));
    assert_int_equal(summary.network_requests, expected_count(manifest, "network_requests"));
    /* JSONL blobs do not carry the session id; every other container does. */
    if (s->format == REELAY_FORMAT_POSTHOG_JSONL)
        assert_string_equal(s->session_id, "");
    else
        assert_string_equal(s->session_id, json_string_value(json_object_get(manifest, "session_id")));
    assert_true(s->first_ts == (double)expected_count(manifest, "first_timestamp"));
    assert_true(s->last_ts == (double)expected_count(manifest, "last_timestamp"));
    const json_t *windows = json_object_get(manifest, "windows");
    assert_int_equal(s->window_count, json_array_size(windows));
    for (size_t w = 0; w < s->window_count; w++) {
        const json_t *expect = json_array_get(windows, w);
        assert_string_equal(s->windows[w].key, json_string_value(json_object_get(expect, "key")));
        assert_true(s->windows[w].width == (double)expected_count(expect, "width"));
        assert_true(s->windows[w].height == (double)expected_count(expect, "height"));
    }
    json_decref(manifest);
    reelay_session_free(s);
}

static void test_mobile_counts_match_manifests(void **state)
{
    (void)state;
    check_mobile_manifest("fixtures/mobile/android-shop.blob.jsonl", "fixtures/mobile/android-shop.expected.json");
    check_mobile_manifest("fixtures/mobile/ios-notes.blob.jsonl", "fixtures/mobile/ios-notes.expected.json");
    check_mobile_manifest("fixtures/mobile/ios-notes.snapshots.json", "fixtures/mobile/ios-notes.expected.json");

    /* The blob has one duplicated line and lines out of time order. */
    reelay_session *blob = load("fixtures/mobile/android-shop.blob.jsonl");
    assert_int_equal(blob->stats.duplicates_dropped, 1);
    for (size_t i = 1; i < blob->event_count; i++) assert_true(blob->events[i - 1].timestamp <= blob->events[i].timestamp);
    reelay_session_free(blob);
}

static void test_web_plain_and_compressed_agree(void **state)
{
    (void)state;
    reelay_session *plain = load("fixtures/web/shop-checkout.rrweb.json");
    reelay_session *packed = load("fixtures/web/shop-checkout.compressed.jsonl");
    assert_int_equal(plain->source, REELAY_SOURCE_WEB);
    assert_int_equal(packed->stats.decompressed_payloads, 1 + 4 * 4);
    assert_int_equal(plain->event_count, packed->event_count);
    /* Hashes differ (compressed events keep `cv`), so compare the content. */
    for (size_t i = 0; i < plain->event_count; i++) {
        const reelay_event *a = &plain->events[i], *b = &packed->events[i];
        assert_true(a->timestamp == b->timestamp);
        assert_int_equal(a->kind, b->kind);
        if (a->kind == EV_FULL_SNAPSHOT) {
            assert_int_equal(a->u.full.dom.count, b->u.full.dom.count);
            for (size_t n = 0; n < a->u.full.dom.count; n++) {
                assert_true(a->u.full.dom.nodes[n].id == b->u.full.dom.nodes[n].id);
                if (a->u.full.dom.nodes[n].text)
                    assert_string_equal(a->u.full.dom.nodes[n].text, b->u.full.dom.nodes[n].text);
            }
        }
        if (a->kind == EV_MUTATION) {
            assert_int_equal(a->u.mutation.dom_adds.count, b->u.mutation.dom_adds.count);
            assert_int_equal(a->u.mutation.text_count, b->u.mutation.text_count);
            assert_int_equal(a->u.mutation.attribute_count, b->u.mutation.attribute_count);
            assert_int_equal(a->u.mutation.dom_remove_count, b->u.mutation.dom_remove_count);
        }
    }
    json_t *manifest = load_json("fixtures/web/shop-checkout.expected.json");
    reelay_summary summary;
    reelay_err err;
    assert_int_equal(reelay_summarize(plain, &summary, &err), REELAY_OK);
    assert_int_equal(summary.events, expected_count(manifest, "total_events"));
    assert_int_equal(summary.mutations, expected_count(manifest, "mutations"));
    assert_int_equal(summary.network_requests, expected_count(manifest, "network_requests"));
    const json_t *by_type = json_object_get(manifest, "mouse_interactions_by_type");
    assert_int_equal(summary.clicks, (size_t)(json_integer_value(json_object_get(by_type, "2")) +
                                              json_integer_value(json_object_get(by_type, "3")) +
                                              json_integer_value(json_object_get(by_type, "4"))));
    json_decref(manifest);
    reelay_session_free(plain);
    reelay_session_free(packed);
}

static void test_portable_counts(void **state)
{
    (void)state;
    reelay_session *s = load("fixtures/portable/signup.json");
    json_t *manifest = load_json("fixtures/portable/signup.expected.json");
    const json_t *by_type = json_object_get(manifest, "events_by_type");
    reelay_summary summary;
    reelay_err err;
    assert_int_equal(reelay_summarize(s, &summary, &err), REELAY_OK);
    assert_int_equal(s->source, REELAY_SOURCE_PORTABLE);
    assert_string_equal(s->session_id, json_string_value(json_object_get(manifest, "sessionId")));
    assert_string_equal(s->user, json_string_value(json_object_get(manifest, "userId")));
    assert_int_equal(summary.clicks, expected_count(by_type, "click"));
    assert_int_equal(summary.pointer_moves, expected_count(by_type, "mousemove"));
    assert_int_equal(summary.inputs, expected_count(by_type, "input"));
    assert_int_equal(summary.submits, expected_count(by_type, "submit"));
    assert_int_equal(summary.navigations, expected_count(by_type, "navigation"));
    /* initial_state also carries the initial scroll position. */
    assert_int_equal(summary.scrolls, expected_count(by_type, "scroll") + 1);
    assert_int_equal(summary.console[CONSOLE_ERROR] + summary.console[CONSOLE_WARN] + summary.console[CONSOLE_LOG] +
                         summary.console[CONSOLE_INFO] + summary.console[CONSOLE_DEBUG] + summary.console[CONSOLE_OTHER],
                     expected_count(by_type, "console") + expected_count(by_type, "error") +
                         expected_count(by_type, "promise_error"));
    json_decref(manifest);
    reelay_session_free(s);
}

/* Real recordings published by other projects (not part of this repository):
 * figures below are the ones their SOURCES.md states. */
static void test_public_recordings(void **state)
{
    (void)state;
    static const struct {
        const char *file;
        reelay_format format;
        size_t events, windows, full_snapshots, mutations;
    } cases[] = {
        {"posthog_export-2023-04-28_019ca0c1.json", REELAY_FORMAT_POSTHOG_EXPORT, 528, 1, 1, 135},
        {"posthog_blob_v2_019ca6e0-77c1.jsonl", REELAY_FORMAT_POSTHOG_JSONL, 741, 3, 6, 194},
        {"posthog_blob_v2_019ca6ce-0db1.jsonl", REELAY_FORMAT_POSTHOG_JSONL, 488, 1, 1, 238},
        {"posthog_mock_recording_snapshots_v1.jsonl", REELAY_FORMAT_POSTHOG_JSONL, 49, 2, 2, 3},
        {"rrweb-player_demo_events.json", REELAY_FORMAT_RRWEB_ARRAY, 272, 1, 1, 226},
    };
    if (access("../shared/fixtures/public", R_OK) != 0) skip();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[256];
        snprintf(path, sizeof path, "../shared/fixtures/public/%s", cases[i].file);
        if (access(path, R_OK) != 0) continue;
        reelay_session *s = load(path);
        reelay_summary summary;
        reelay_err err;
        assert_int_equal(reelay_summarize(s, &summary, &err), REELAY_OK);
        assert_int_equal(s->format, cases[i].format);
        assert_int_equal(summary.events, cases[i].events);
        assert_int_equal(s->window_count, cases[i].windows);
        assert_int_equal(summary.full_snapshots, cases[i].full_snapshots);
        assert_int_equal(summary.mutations, cases[i].mutations);
        assert_int_equal(s->source, REELAY_SOURCE_WEB);
        reelay_session_free(s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_android_same_session_in_every_container),
        cmocka_unit_test(test_mobile_counts_match_manifests),
        cmocka_unit_test(test_web_plain_and_compressed_agree),
        cmocka_unit_test(test_portable_counts),
        cmocka_unit_test(test_public_recordings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
