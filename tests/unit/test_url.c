/* Unit tests for src/net (url, address, url_policy) and src/source/source:
 * which inputs are URLs, how URLs are split and shown (no credentials,
 * query or fragment), which addresses are private and what an operator's
 * --allow-url list lets a job name. Transfers themselves are tested against
 * loopback servers (tests/cli/test_http_source.sh). */
#include "test_support.h"

#include <arpa/inet.h>
#include <string.h>

#include "net/address.h"
#include "net/url.h"
#include "net/url_policy.h"
#include "source/source.h"

static void expect_shown(const char *url, const char *expected)
{
    char out[128];
    reelay_url_display(url, out, sizeof out);
    if (strcmp(out, expected) != 0) fail_msg("%s shown as '%s', want '%s'", url, out, expected);
}

static void test_is_url(void **state)
{
    (void)state;
    assert_true(reelay_source_is_url("http://a/b.json"));
    assert_true(reelay_source_is_url("HTTPS://a/b.json"));
    assert_true(reelay_source_is_url("s3://bucket/key"));
    assert_true(reelay_source_is_url("posthog://0190-abc"));
    assert_false(reelay_source_is_url("https:/a"));
    assert_false(reelay_source_is_url("file:///etc/passwd"));
    assert_false(reelay_source_is_url("gopher://host/x"));
    assert_false(reelay_source_is_url("recordings/http://x"));
    assert_false(reelay_source_is_url("-"));
    assert_false(reelay_source_is_url(NULL));
}

static void test_split(void **state)
{
    (void)state;
    reelay_url_parts p;
    assert_true(reelay_url_split("HTTPS://User:pw@Example.COM:8443/a/b?q#f", &p));
    assert_string_equal(p.scheme, "https");
    assert_string_equal(p.host, "example.com");
    assert_int_equal(p.port, 8443);
    assert_true(p.has_userinfo);
    assert_int_equal(p.path_len, 4);
    assert_memory_equal(p.path, "/a/b", 4);
    assert_true(reelay_url_split("http://[::1]:80/x", &p));
    assert_string_equal(p.host, "::1");
    assert_int_equal(p.port, 80);
    assert_true(reelay_url_split("s3://bucket", &p));
    assert_string_equal(p.host, "bucket");
    assert_int_equal(p.path_len, 0);
    assert_false(reelay_url_split("http://host:0/", &p));
    assert_false(reelay_url_split("http://host:65536/", &p));
    assert_false(reelay_url_split("http://host:/", &p));
    assert_false(reelay_url_split("http://[::1/", &p));
    assert_false(reelay_url_split("http:///path", &p));
    assert_false(reelay_url_split("no-scheme", &p));
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
    reelay_url_display("https://user:pw@example.com/long/path", small, sizeof small);
    assert_string_equal(small, "https://exa");
}

static void test_encode(void **state)
{
    (void)state;
    char out[64];
    assert_true(reelay_url_encode("a b/c~d&e", false, out, sizeof out));
    assert_string_equal(out, "a%20b%2Fc~d%26e");
    assert_true(reelay_url_encode("dir/rec 1.json", true, out, sizeof out));
    assert_string_equal(out, "dir/rec%201.json");
    assert_false(reelay_url_encode("&&&&", false, out, 12)); /* 12 bytes + NUL needed */
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

static bool private_v4(const char *text)
{
    unsigned char bytes[4];
    assert_int_equal(inet_pton(AF_INET, text, bytes), 1);
    return reelay_address_private(AF_INET, bytes);
}

static bool private_v6(const char *text)
{
    unsigned char bytes[16];
    assert_int_equal(inet_pton(AF_INET6, text, bytes), 1);
    return reelay_address_private(AF_INET6, bytes);
}

static void test_private_addresses(void **state)
{
    (void)state;
    const char *never[] = {"127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1",
                           "169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255"};
    for (size_t i = 0; i < sizeof never / sizeof *never; i++)
        if (!private_v4(never[i])) fail_msg("%s counted as public", never[i]);
    assert_false(private_v4("93.184.216.34"));
    assert_false(private_v4("172.32.0.1"));
    assert_false(private_v4("100.128.0.1"));
    assert_true(private_v6("::1"));
    assert_true(private_v6("::"));
    assert_true(private_v6("fe80::1"));
    assert_true(private_v6("fd00::1"));
    assert_true(private_v6("ff02::1"));
    assert_true(private_v6("::ffff:169.254.169.254"));
    assert_true(private_v6("::ffff:10.0.0.1"));
    assert_false(private_v6("2606:4700::1111"));
    assert_false(private_v6("::ffff:93.184.216.34"));
    assert_true(reelay_address_literal("10.0.0.1"));
    assert_true(reelay_address_literal("::1"));
    assert_false(reelay_address_literal("example.com"));
}

static bool allowed(const reelay_url_policy *policy, const char *url, bool *private_ok)
{
    reelay_err err;
    reelay_err_clear(&err);
    int rc = reelay_url_policy_check(policy, url, private_ok, &err);
    if (rc != REELAY_OK) {
        assert_int_equal(rc, REELAY_E_USAGE);
        assert_true(err.flags & REELAY_ERR_LASTING);
        assert_non_null(strstr(err.msg, "--allow-url"));
        assert_null(strstr(err.msg, "secret")); /* shown without credentials or query */
    }
    return rc == REELAY_OK;
}

static void test_policy(void **state)
{
    (void)state;
    reelay_url_policy policy = {0};
    reelay_err err;
    bool private_ok;
    assert_int_equal(reelay_url_policy_add(&policy,
                                           "https://recordings.example.com/exports/, https://*.cdn.test,"
                                           "http://127.0.0.1:9000,s3://videos/out/,posthog",
                                           &err),
                     REELAY_OK);
    assert_int_equal(policy.count, 5);
    assert_true(allowed(&policy, "https://recordings.example.com/exports/a.json?sig=secret", &private_ok));
    assert_false(private_ok);
    assert_true(allowed(&policy, "HTTPS://RECORDINGS.example.com:443/exports/a.json", &private_ok));
    assert_false(allowed(&policy, "https://recordings.example.com/other/a.json?sig=secret", &private_ok));
    assert_false(allowed(&policy, "https://recordings.example.com/exports/../admin?sig=secret", &private_ok));
    assert_false(allowed(&policy, "https://recordings.example.com/exports/%2e%2e/admin", &private_ok));
    assert_false(allowed(&policy, "http://recordings.example.com/exports/a.json", &private_ok)); /* scheme */
    assert_false(allowed(&policy, "https://recordings.example.com:8443/exports/a.json", &private_ok));
    assert_false(allowed(&policy, "https://u:secret@recordings.example.com/exports/a", &private_ok));
    assert_true(allowed(&policy, "https://eu.cdn.test/x", &private_ok));
    assert_false(allowed(&policy, "https://cdn.test/x", &private_ok)); /* strictly below */
    assert_false(allowed(&policy, "https://evilcdn.test/x", &private_ok));
    assert_true(allowed(&policy, "http://127.0.0.1:9000/rec.json", &private_ok));
    assert_true(private_ok); /* the operator named that very address */
    assert_false(allowed(&policy, "http://127.0.0.1:9001/rec.json", &private_ok));
    assert_false(allowed(&policy, "http://169.254.169.254/latest/meta-data/", &private_ok));
    assert_true(allowed(&policy, "s3://videos/out/a.webm", &private_ok));
    assert_false(allowed(&policy, "s3://videos/in/a.json", &private_ok));
    assert_false(allowed(&policy, "s3://other/out/a.webm", &private_ok));
    assert_true(allowed(&policy, "posthog://0190-abc", &private_ok));
    assert_false(allowed(&policy, "file:///etc/passwd", &private_ok));
    assert_false(allowed(NULL, "https://recordings.example.com/exports/a.json", &private_ok));
    assert_true(allowed(reelay_url_policy_all(), "http://10.0.0.1/x", &private_ok));
    assert_true(private_ok);

    const char *bad[] = {"ftp://host", "https://*", "https://a.*.test", "s3://b:80", "https://u:p@h",
                         "https://h/?q=1", "nothing"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        reelay_url_policy p = {0};
        if (reelay_url_policy_add(&p, bad[i], &err) != REELAY_E_USAGE) fail_msg("'%s' accepted", bad[i]);
        assert_non_null(strstr(err.msg, "--allow-url"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_is_url),          cmocka_unit_test(test_split),
        cmocka_unit_test(test_display),         cmocka_unit_test(test_encode),
        cmocka_unit_test(test_shown_input),     cmocka_unit_test(test_private_addresses),
        cmocka_unit_test(test_policy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
