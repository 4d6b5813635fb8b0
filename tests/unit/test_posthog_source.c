/* Unit tests for source/posthog_source's pure parts: which session ids may
 * go into a URL, how the sources answer is read (and refused when its shape
 * is wrong), how blocks are grouped into requests, and the URLs built for
 * the recording, its blocks and the list's filters. The transfers are
 * tested against a loopback stand-in (tests/cli/test_posthog_source.sh). */
#include "test_support.h"

#include <string.h>

#include "source/posthog_source.h"

static const reelay_posthog_settings SETTINGS = {.host = "https://eu.posthog.com/", .project = "42",
                                                 .api_key = "phx_secret"};

static void test_valid_id(void **state)
{
    (void)state;
    assert_true(reelay_posthog_valid_id("0197a3b1-7c2e-7d1f-9a4b-1c2d3e4f5a6b"));
    assert_true(reelay_posthog_valid_id("abc_DEF.1"));
    const char *bad[] = {"", ".", "..", "a/b", "a?b", "a#b", "a b", "a%2Fb", "a@b", "a:b", "ä", "a\nb", NULL};
    for (size_t i = 0; bad[i]; i++)
        if (reelay_posthog_valid_id(bad[i])) fail_msg("'%s' accepted", bad[i]);
    assert_false(reelay_posthog_valid_id(NULL));
    char longest[REELAY_POSTHOG_ID_MAX + 2];
    memset(longest, 'a', sizeof longest - 1);
    longest[REELAY_POSTHOG_ID_MAX] = '\0';
    assert_true(reelay_posthog_valid_id(longest));
    longest[REELAY_POSTHOG_ID_MAX] = 'a';
    longest[REELAY_POSTHOG_ID_MAX + 1] = '\0';
    assert_false(reelay_posthog_valid_id(longest));
}

static void test_session_of(void **state)
{
    (void)state;
    char id[REELAY_POSTHOG_ID_MAX + 1];
    assert_true(reelay_posthog_session_of("posthog://0190-abc", id, sizeof id));
    assert_string_equal(id, "0190-abc");
    assert_true(reelay_posthog_session_of("PostHog://0190-ABC", id, sizeof id));
    assert_string_equal(id, "0190-ABC"); /* the id keeps its case: only the scheme is folded */
    assert_false(reelay_posthog_session_of("posthog://", id, sizeof id));
    assert_false(reelay_posthog_session_of("posthog:///", id, sizeof id));
    assert_false(reelay_posthog_session_of("posthog://a/b", id, sizeof id));
    assert_false(reelay_posthog_session_of("posthog://a/", id, sizeof id));
    assert_false(reelay_posthog_session_of("posthog://a?x=1", id, sizeof id));
    assert_false(reelay_posthog_session_of("posthog://user:pw@a", id, sizeof id));
    assert_false(reelay_posthog_session_of("https://a", id, sizeof id));
    assert_false(reelay_posthog_session_of("posthog://abcdef", id, 4)); /* does not fit */
}

static int parse(const char *json, reelay_posthog_sources *out, reelay_err *err)
{
    return reelay_posthog_parse_sources((const unsigned char *)json, strlen(json), out, err);
}

static void test_parse_sources(void **state)
{
    (void)state;
    reelay_err err;
    reelay_err_clear(&err);
    reelay_posthog_sources s;
    /* out of order, a repeat, a number as key, unknown fields */
    assert_int_equal(parse("{\"sources\":[{\"source\":\"blob_v2\",\"blob_key\":\"2\",\"start_timestamp\":\"x\"},"
                           "{\"source\":\"blob_v2\",\"blob_key\":\"0\"},{\"source\":\"blob_v2\",\"blob_key\":1},"
                           "{\"source\":\"blob_v2\",\"blob_key\":\"2\"},{\"source\":\"realtime\"}],\"extra\":1}",
                           &s, &err),
                     REELAY_OK);
    assert_int_equal(s.key_count, 3);
    assert_int_equal(s.keys[0], 0);
    assert_int_equal(s.keys[1], 1);
    assert_int_equal(s.keys[2], 2);
    assert_null(s.lts_key);
    assert_int_equal(s.other_count, 1);
    assert_string_equal(s.other, "realtime");
    reelay_posthog_sources_free(&s);

    assert_int_equal(parse("{\"sources\":[{\"source\":\"blob_v2_lts\",\"blob_key\":\"a/b/c\","
                           "\"start_timestamp\":null}]}",
                           &s, &err),
                     REELAY_OK);
    assert_int_equal(s.key_count, 0);
    assert_string_equal(s.lts_key, "a/b/c");
    reelay_posthog_sources_free(&s);

    assert_int_equal(parse("{\"sources\":[{\"source\":\"blob\",\"blob_key\":\"1-2\"}]}", &s, &err), REELAY_OK);
    assert_int_equal(s.key_count, 0);
    assert_string_equal(s.other, "blob");
    reelay_posthog_sources_free(&s);

    assert_int_equal(parse("{\"sources\":[]}", &s, &err), REELAY_OK);
    assert_int_equal(s.key_count + s.other_count, 0);
    reelay_posthog_sources_free(&s);

    struct {
        const char *json, *says;
    } bad[] = {
        {"", "not JSON"},
        {"[]", "{\"sources\": [...]}"},
        {"{\"sources\":{}}", "{\"sources\": [...]}"},
        {"{\"sources\":[1]}", "sources[0]"},
        {"{\"sources\":[{\"blob_key\":\"0\"}]}", "sources[0]"},
        {"{\"sources\":[{\"source\":\"blob_v2\",\"blob_key\":\"0\"},{\"source\":\"blob_v2\"}]}",
         "sources[1].blob_key"},
        {"{\"sources\":[{\"source\":\"blob_v2\",\"blob_key\":\"-1\"}]}", "sources[0].blob_key"},
        {"{\"sources\":[{\"source\":\"blob_v2\",\"blob_key\":\"1e3\"}]}", "sources[0].blob_key"},
        {"{\"sources\":[{\"source\":\"blob_v2\",\"blob_key\":\"99999999999\"}]}", "sources[0].blob_key"},
        {"{\"sources\":[{\"source\":\"blob_v2\",\"blob_key\":-4}]}", "sources[0].blob_key"},
        {"{\"sources\":[{\"source\":\"blob_v2_lts\",\"blob_key\":null}]}", "sources[0].blob_key"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        if (parse(bad[i].json, &s, &err) != REELAY_E_INPUT) fail_msg("accepted %s", bad[i].json);
        if (!strstr(err.msg, bad[i].says)) fail_msg("%s: '%s' does not say '%s'", bad[i].json, err.msg, bad[i].says);
        assert_null(s.keys);
    }
}

static void test_ranges(void **state)
{
    (void)state;
    long keys[45];
    for (int i = 0; i < 45; i++) keys[i] = i;
    assert_int_equal(reelay_posthog_range_length(keys, 45, 0), 20);
    assert_int_equal(reelay_posthog_range_length(keys, 45, 20), 20);
    assert_int_equal(reelay_posthog_range_length(keys, 45, 40), 5);
    assert_int_equal(reelay_posthog_range_length(keys, 45, 45), 0);
    long gaps[] = {0, 1, 2, 5, 6, 9};
    assert_int_equal(reelay_posthog_range_length(gaps, 6, 0), 3);
    assert_int_equal(reelay_posthog_range_length(gaps, 6, 3), 2);
    assert_int_equal(reelay_posthog_range_length(gaps, 6, 5), 1);
}

static void test_urls(void **state)
{
    (void)state;
    reelay_err err;
    reelay_err_clear(&err);
    char url[4096];
    assert_int_equal(reelay_posthog_url(&SETTINGS, "0190-abc", NULL, url, sizeof url, &err), REELAY_OK);
    assert_string_equal(url, "https://eu.posthog.com/api/projects/42/session_recordings/0190-abc");
    assert_int_equal(reelay_posthog_range_url(&SETTINGS, "0190-abc", 20, 39, url, sizeof url, &err), REELAY_OK);
    assert_string_equal(url, "https://eu.posthog.com/api/projects/42/session_recordings/0190-abc/snapshots"
                             "?source=blob_v2&start_blob_key=20&end_blob_key=39");
    reelay_posthog_settings defaults = {.project = "@current"};
    assert_int_equal(reelay_posthog_url(&defaults, NULL, NULL, url, sizeof url, &err), REELAY_OK);
    assert_string_equal(url, "https://us.posthog.com/api/projects/@current/session_recordings");
    assert_null(strstr(url, "phx_secret"));

    assert_int_equal(reelay_posthog_url(&SETTINGS, "a/../../x", NULL, url, sizeof url, &err), REELAY_E_INPUT);
    struct {
        reelay_posthog_settings s;
        const char *says;
    } bad[] = {
        {{.host = "https://h", .project = NULL}, "POSTHOG_PROJECT_ID"},
        {{.host = "https://h", .project = "7/../8"}, "POSTHOG_PROJECT_ID"},
        {{.host = "ftp://h", .project = "7"}, "POSTHOG_HOST"},
        {{.host = "https://h/?x", .project = "7"}, "POSTHOG_HOST"},
        {{.host = "https://u:pw@h", .project = "7"}, "POSTHOG_HOST"},
        {{.host = "us.posthog.com", .project = "7"}, "POSTHOG_HOST"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        if (reelay_posthog_url(&bad[i].s, "a", NULL, url, sizeof url, &err) != REELAY_E_USAGE)
            fail_msg("settings %zu accepted", i);
        if (!strstr(err.msg, bad[i].says)) fail_msg("'%s' does not say '%s'", err.msg, bad[i].says);
        assert_null(strstr(err.msg, "pw"));
    }
}

static void test_list_url(void **state)
{
    (void)state;
    reelay_err err;
    reelay_err_clear(&err);
    char url[4096];
    reelay_posthog_query q = {.since = "-7d", .until = "2025-05-01T10:00:00+02:00", .distinct_id = "a\"b&c",
                              .min_duration_s = 60, .with_errors = true};
    assert_int_equal(reelay_posthog_list_url(&SETTINGS, &q, 100, 200, NULL, url, sizeof url, &err), REELAY_OK);
    assert_string_equal(url,
                        "https://eu.posthog.com/api/projects/42/session_recordings?limit=100&offset=200"
                        "&date_from=-7d&date_to=2025-05-01T10%3A00%3A00%2B02%3A00"
                        "&distinct_ids=%5B%22a%5C%22b%26c%22%5D"
                        "&having_predicates=%5B%7B%22type%22%3A%22recording%22%2C%22key%22%3A%22duration%22%2C"
                        "%22operator%22%3A%22gte%22%2C%22value%22%3A60%7D%5D"
                        "&console_log_filters=%5B%7B%22type%22%3A%22log_entry%22%2C%22key%22%3A%22level%22%2C"
                        "%22operator%22%3A%22exact%22%2C%22value%22%3A%5B%22error%22%5D%7D%5D");
    reelay_posthog_query plain = {.person_uuid = "0190abcd-0000-7000-8000-000000000001", .min_duration_s = 1.5};
    assert_int_equal(reelay_posthog_list_url(&SETTINGS, &plain, 5, 0, "b64/+=", url, sizeof url, &err), REELAY_OK);
    assert_string_equal(url, "https://eu.posthog.com/api/projects/42/session_recordings?limit=5&after=b64%2F%2B%3D"
                             "&person_uuid=0190abcd-0000-7000-8000-000000000001"
                             "&having_predicates=%5B%7B%22type%22%3A%22recording%22%2C%22key%22%3A%22duration%22%2C"
                             "%22operator%22%3A%22gte%22%2C%22value%22%3A1.5%7D%5D");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_id),  cmocka_unit_test(test_session_of), cmocka_unit_test(test_parse_sources),
        cmocka_unit_test(test_ranges),    cmocka_unit_test(test_urls),       cmocka_unit_test(test_list_url),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
