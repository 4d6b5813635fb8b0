/* Unit tests for src/source/http_source: which inputs are URLs and the form
 * messages show (no credentials, query or fragment). The transfers
 * themselves are tested against a loopback server (tests/cli/test_http_source.sh). */
#include "test_support.h"

#include <string.h>

#include "source/http_source.h"

static void expect_shown(const char *url, const char *expected)
{
    char out[128];
    reelay_source_display_url(url, out, sizeof out);
    if (strcmp(out, expected) != 0) fail_msg("%s shown as '%s', want '%s'", url, out, expected);
}

static void test_is_url(void **state)
{
    (void)state;
    assert_true(reelay_source_is_url("http://a/b.json"));
    assert_true(reelay_source_is_url("HTTPS://a/b.json"));
    assert_false(reelay_source_is_url("https:/a"));
    assert_false(reelay_source_is_url("file:///etc/passwd"));
    assert_false(reelay_source_is_url("s3://bucket/key"));
    assert_false(reelay_source_is_url("recordings/http://x"));
    assert_false(reelay_source_is_url("-"));
    assert_false(reelay_source_is_url(NULL));
}

static void test_display(void **state)
{
    (void)state;
    expect_shown("https://host/path/rec.json", "https://host/path/rec.json");
    expect_shown("https://user:pw@host:8443/a/b?X-Amz-Signature=s#frag", "https://host:8443/a/b");
    expect_shown("http://user@host", "http://host");
    expect_shown("http://host?token=t", "http://host");
    expect_shown("http://host#t=1", "http://host");
    expect_shown("http://a@b@[::1]:80/x", "http://[::1]:80/x"); /* userinfo ends at the last '@' */
    expect_shown("http://host/p?next=http://u:pw@other/", "http://host/p"); /* '@' in the query is not userinfo */
    char small[12];
    reelay_source_display_url("https://user:pw@example.com/long/path", small, sizeof small);
    assert_string_equal(small, "https://exa");
}

static void test_shown_input(void **state)
{
    (void)state;
    char out[64];
    reelay_source_shown_input("-", out, sizeof out);
    assert_string_equal(out, "<stdin>");
    reelay_source_shown_input("dir/a.json?x", out, sizeof out);
    assert_string_equal(out, "dir/a.json?x");
    reelay_source_shown_input("http://u:p@h/a.json?sig=1", out, sizeof out);
    assert_string_equal(out, "http://h/a.json");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_is_url),
        cmocka_unit_test(test_display),
        cmocka_unit_test(test_shown_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
