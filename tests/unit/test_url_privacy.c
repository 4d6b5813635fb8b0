/* test_url_privacy.c — masking secrets in URLs: which names count, the
 * rewrite of many URL shapes, and the session pass ingest runs. */
#include "test_support.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "ingest/ingest.h"
#include "session/url_privacy.h"

#define M REELAY_URL_MASK

/* The masked form of url, or the test fails on out of memory. */
static const char *masked(reelay_arena *arena, const char *url, bool unmask_inputs)
{
    const char *out = reelay_url_mask(arena, url, unmask_inputs);
    if (url && !out) fail_msg("out of memory masking %s", url);
    return out;
}

static void assert_masks(const char *url, const char *expected)
{
    reelay_arena arena;
    reelay_arena_init(&arena);
    const char *once = masked(&arena, url, false);
    assert_string_equal(once, expected);
    /* Idempotent, and a URL with nothing (more) to mask is not copied. */
    assert_ptr_equal(masked(&arena, once, false), once);
    if (strcmp(url, expected) == 0) assert_ptr_equal(once, url);
    reelay_arena_free(&arena);
}

static void assert_unchanged(const char *url)
{
    assert_masks(url, url);
}

static reelay_url_param_kind kind(const char *name)
{
    return reelay_url_param_kind_of(name, strlen(name));
}

static void assert_kinds(const char *const *names, size_t count, reelay_url_param_kind expected, const char *what)
{
    for (size_t i = 0; i < count; i++)
        if (kind(names[i]) != expected) fail_msg("%s is not %s", names[i], what);
}

static void test_names_credentials(void **state)
{
    (void)state;
    static const char *const names[] = {
        "password", "passwd", "pwd", "secret", "token", "access_token", "id_token", "api_key", "key", "auth",
        "session", "code", "auth_token", "sessionid", "PHPSESSID", "JSESSIONID", "session_id", "apiKey", "APIKey",
        "x-api-key", "client_secret", "X-Amz-Signature", "X-Amz-Credential", "X-Amz-Security-Token", "sig", "pin",
        "otp", "pass", "pw", "user[password]", "data.password", "newPassword", "Password", "PASSWORD", "authKey",
        "refresh-token", "accessKeyId", "jwt", "oauth_token", "Authorization", "key1", "pass_word",
        "card_token" /* a credential beats personal data */,
    };
    assert_kinds(names, sizeof names / sizeof names[0], REELAY_URL_PARAM_CREDENTIAL, "a credential");
}

static void test_names_personal(void **state)
{
    (void)state;
    static const char *const names[] = {
        "card", "cc", "cvv", "ssn", "creditcard", "credit_card", "creditCardNumber", "cardNumber", "card-number",
        "cc_number", "ccnum", "cvv2", "cvc", "CVV", "ssn_last4", "social_security_number", "iban",
    };
    assert_kinds(names, sizeof names / sizeof names[0], REELAY_URL_PARAM_PERSONAL, "personal data");
}

static void test_names_plain(void **state)
{
    (void)state;
    /* Short terms inside other words do not count. */
    static const char *const names[] = {
        "keyword", "keywords", "barcode", "zipcode", "postcode", "monkey", "author", "authority", "success",
        "access", "accept", "classname", "discard", "cardinality", "passenger", "bypass", "compass", "codec",
        "username", "user", "email", "q", "page", "utm_source", "lang", "sort", "id", "", "keyboard", "pinned",
    };
    assert_kinds(names, sizeof names / sizeof names[0], REELAY_URL_PARAM_PLAIN, "plain");
}

static void test_names_encoded(void **state)
{
    (void)state;
    assert_int_equal(kind("pass%77ord"), REELAY_URL_PARAM_CREDENTIAL);
    assert_int_equal(kind("pass%2577ord"), REELAY_URL_PARAM_CREDENTIAL); /* encoded twice */
    assert_int_equal(kind("%70%61%73%73%77%6F%72%64"), REELAY_URL_PARAM_CREDENTIAL);
    assert_int_equal(kind("api%5Fkey"), REELAY_URL_PARAM_CREDENTIAL);
    assert_int_equal(kind("api+key"), REELAY_URL_PARAM_CREDENTIAL);
    assert_int_equal(kind("credit%20card"), REELAY_URL_PARAM_PERSONAL);
    /* Malformed escapes stay literal and split words. */
    assert_int_equal(kind("key%"), REELAY_URL_PARAM_CREDENTIAL);
    assert_int_equal(kind("key%zz"), REELAY_URL_PARAM_CREDENTIAL);
    assert_int_equal(kind("%%"), REELAY_URL_PARAM_PLAIN);
    assert_int_equal(kind("%4"), REELAY_URL_PARAM_PLAIN);
    /* NUL bytes (from %00 or in the name itself) separate words. */
    assert_int_equal(reelay_url_param_kind_of("a\0key", 5), REELAY_URL_PARAM_CREDENTIAL);
    assert_int_equal(kind("a%00key"), REELAY_URL_PARAM_CREDENTIAL);
    /* Non-ASCII letters separate words; only ASCII names are known. */
    assert_int_equal(kind("\xc3\xbc" "token"), REELAY_URL_PARAM_CREDENTIAL);
    assert_int_equal(kind("\xe3\x83\x91\xe3\x82\xb9"), REELAY_URL_PARAM_PLAIN);
}

static void test_mask_query(void **state)
{
    (void)state;
    assert_unchanged("https://shop.example/login");
    assert_unchanged("https://shop.example/search?q=shoes&page=2");
    assert_unchanged("");
    assert_masks("https://shop.example/login?username=bob&password=hunter2",
                 "https://shop.example/login?username=bob&password=" M);
    assert_masks("https://shop.example/pay?creditcard=4111111111111111&cvv=123&amount=10",
                 "https://shop.example/pay?creditcard=" M "&cvv=" M "&amount=10");
    assert_masks("/api/v1/items?a=1&token=xyz&b=2", "/api/v1/items?a=1&token=" M "&b=2");
    assert_masks("?token=a&token=b&token=c", "?token=" M "&token=" M "&token=" M);
    assert_masks("https://h/p?password=hunter2#top", "https://h/p?password=" M "#top");
    assert_masks("https://h/p?a=1;session=abc;b=2", "https://h/p?a=1;session=" M ";b=2");
    /* A '?' inside a secret does not end it. */
    assert_masks("https://h/p?token=ab?cd&x=1", "https://h/p?token=" M "&x=1");
    /* A URL inside a shown value is still looked at. */
    assert_masks("https://h/login?next=/account?token=abc", "https://h/login?next=/account?token=" M);
    /* A URL encoded inside a value is masked whole when it holds a secret. */
    assert_masks("https://h/login?next=%2Faccount%3Ftoken%3Dabc&x=1", "https://h/login?next=" M "&x=1");
    assert_masks("https://h/a?redirect_uri=https%3A%2F%2Fapp.example%2Fcb%3Fcode%3Dabc&state=s",
                 "https://h/a?redirect_uri=" M "&state=s");
    assert_masks("https://h/a?r=https%253A%252F%252Fu%253Apw%2540h%252F", "https://h/a?r=" M);
    assert_masks("https://h/a?next=%2Fa%3Fr%3D%252Fb%253Ftoken%253Dx", "https://h/a?next=" M);
    assert_unchanged("https://h/a?next=%25252Fb%25253Ftoken%25253Dx"); /* three levels deep */
    assert_unchanged("https://h/a?q=hello%20world&next=%2Faccount%3Ftab%3D2");
    assert_unchanged("https://h/a?q=%25%25%25%3F%3D%3D&r=%");
    /* Java's session path parameter. */
    assert_masks("https://h/cart;jsessionid=0123ABCD?item=7", "https://h/cart;jsessionid=" M "?item=7");
    assert_masks("https://h/a;jsessionid=X/b;color=red", "https://h/a;jsessionid=" M "/b;color=red");
}

static void test_mask_edges(void **state)
{
    (void)state;
    /* Without '=' or with an empty value there is nothing to hide. */
    assert_unchanged("https://h/p?password");
    assert_unchanged("https://h/p?password&x=1");
    assert_unchanged("https://h/p?password=&x=1");
    assert_unchanged("https://h/p?password=#frag");
    assert_unchanged("https://h/p?=secret");
    assert_unchanged("https://h/p?&&==&");
    assert_unchanged("https://h/p?" "password=" M);
    assert_masks("https://h/p?password==x", "https://h/p?password=" M);
    assert_masks("https://h/p?pass%77ord=hunter2", "https://h/p?pass%77ord=" M);
    assert_masks("https://h/p?q=%E0%A4%A&token=%&r=%zz", "https://h/p?q=%E0%A4%A&token=" M "&r=%zz");
    assert_masks("https://h/p?token=%", "https://h/p?token=" M);
    assert_masks("https://h/p?API_KEY=abc", "https://h/p?API_KEY=" M);
    /* Non-ASCII hosts, paths, names and values. */
    assert_masks("https://\xe4\xbe\x8b\xe3\x81\x88.jp/\xe3\x83\x91?\xe5\x90\x8d=\xe5\xa4\xaa&password=\xe7\xa7\x98\xe5\xaf\x86",
                 "https://\xe4\xbe\x8b\xe3\x81\x88.jp/\xe3\x83\x91?\xe5\x90\x8d=\xe5\xa4\xaa&password=" M);
    assert_ptr_equal(reelay_url_mask(NULL, NULL, false), NULL);
}

static void test_mask_fragment(void **state)
{
    (void)state;
    assert_unchanged("https://h/docs#section-2");
    assert_unchanged("https://h/#/settings/profile");
    assert_masks("https://h/cb#access_token=abc.def&state=xyz&expires_in=3600",
                 "https://h/cb#access_token=" M "&state=xyz&expires_in=3600");
    assert_masks("https://h/#/reset?token=abc&email=a@b.c", "https://h/#/reset?token=" M "&email=a@b.c");
    assert_masks("https://h/p?x=1#id_token=eyJ", "https://h/p?x=1#id_token=" M);
}

static void test_mask_userinfo(void **state)
{
    (void)state;
    assert_masks("https://user:pass@host.example/path?q=1", "https://user:" M "@host.example/path?q=1");
    assert_masks("ftp://anna:s3cr%40t@ftp.example:21/f", "ftp://anna:" M "@ftp.example:21/f");
    assert_masks("https://a@b:c:d@h/", "https://a@b:" M "@h/");
    assert_unchanged("https://user@host/");
    assert_unchanged("https://user:@host/");
    assert_unchanged("https://host:8443/p");
    assert_unchanged("https://host/p?mail=a@b.c");
    assert_unchanged("https://host/@user/posts");
    assert_unchanged("://user:pass@host");
    assert_masks("https://u:p@h?token=t#code=c", "https://u:" M "@h?token=" M "#code=" M);
}

static void test_mask_text(void **state)
{
    (void)state;
    assert_masks("Failed to load https://api.example/v1?token=abc&page=2: 401",
                 "Failed to load https://api.example/v1?token=" M "&page=2: 401");
    assert_masks("GET /login?password=hunter2 \xe2\x86\x92 500", "GET /login?password=" M " \xe2\x86\x92 500");
    assert_masks("\"https://u:p@h/\" and 'https://h/?key=k'", "\"https://u:" M "@h/\" and 'https://h/?key=" M "'");
    /* Outside a URL, "name=value" is text. */
    assert_unchanged("expected password=... in the form");
    assert_unchanged("a = b, x == y, 1 + 1 = 2");
}

static void test_unmask_inputs(void **state)
{
    (void)state;
    reelay_arena arena;
    reelay_arena_init(&arena);
    const char *url = "https://h/pay?card=4111&cc=4111&cvv=123&ssn=078-05-1120&password=x&card_token=t&q=1";
    assert_string_equal(masked(&arena, url, true),
                        "https://h/pay?card=4111&cc=4111&cvv=123&ssn=078-05-1120&password=" M "&card_token=" M "&q=1");
    assert_string_equal(masked(&arena, url, false),
                        "https://h/pay?card=" M "&cc=" M "&cvv=" M "&ssn=" M "&password=" M "&card_token=" M "&q=1");
    assert_string_equal(masked(&arena, "https://u:p@h/", true), "https://u:" M "@h/");
    assert_string_equal(masked(&arena, "https://h/?next=%2Fpay%3Fcard%3D4111%26pin%3D1", true), "https://h/?next=" M);
    const char *encoded_card = "https://h/?next=%2Fpay%3Fcard%3D4111";
    assert_ptr_equal(masked(&arena, encoded_card, true), encoded_card);
    assert_string_equal(masked(&arena, encoded_card, false), "https://h/?next=" M);
    const char *shown = "https://h/?creditcard=1";
    assert_ptr_equal(masked(&arena, shown, true), shown);
    reelay_arena_free(&arena);
}

static void test_mask_long(void **state)
{
    (void)state;
    /* A 200 kB URL: a long plain value, a long secret, a name longer than
     * the decoder's stack buffer that ends in a term. */
    size_t n = 100000;
    char *long_value = malloc(n + 1), *long_name = malloc(1001);
    assert_non_null(long_value);
    assert_non_null(long_name);
    memset(long_value, 'v', n);
    long_value[n] = '\0';
    memset(long_name, 'x', 1000);
    memcpy(long_name + 1000 - 8, "_session", 8);
    long_name[1000] = '\0';
    size_t url_size = 3 * n + 2000;
    char *url = malloc(url_size), *expected = malloc(url_size);
    assert_non_null(url);
    assert_non_null(expected);
    snprintf(url, url_size, "https://h/p?a=%s&token=%s&%s=%s", long_value, long_value, long_name, long_value);
    snprintf(expected, url_size, "https://h/p?a=%s&token=" M "&%s=" M, long_value, long_name);
    assert_masks(url, expected);
    free(url);
    free(expected);
    free(long_name);
    free(long_value);
}

/* Random strings from URL punctuation and name fragments: masking never
 * fails and a second pass changes nothing (run under ASan in CI). */
static void test_mask_random(void **state)
{
    (void)state;
    static const char alphabet[] = "?&;#=@:/%2F3D3F5fAa+ pkeytokenpasswordcardcvv[REDACTED]\"x\xc3\xa9";
    uint64_t seed = 42;
    for (int iter = 0; iter < 20000; iter++) {
        char text[64];
        seed = seed * 6364136223846793005u + 1442695040888963407u;
        size_t len = (size_t)(seed >> 33) % sizeof text;
        for (size_t i = 0; i < len; i++) {
            seed = seed * 6364136223846793005u + 1442695040888963407u;
            text[i] = alphabet[(seed >> 33) % (sizeof alphabet - 1)];
        }
        text[len] = '\0';
        for (int unmask = 0; unmask < 2; unmask++) {
            reelay_arena arena;
            reelay_arena_init(&arena);
            const char *once = masked(&arena, text, unmask);
            if (strcmp(masked(&arena, once, unmask), once) != 0) fail_msg("not idempotent: %s", text);
            reelay_arena_free(&arena);
        }
    }
}

/* The pass ingest runs: every URL of a web recording. */
static const char *const WEB_RECORDING =
    "["
    "{\"type\":4,\"timestamp\":1000,\"data\":{\"href\":\"https://shop.example/login?user=bob&password=hunter2\","
    "\"width\":800,\"height\":600}},"
    "{\"type\":5,\"timestamp\":2000,\"data\":{\"tag\":\"$pageview\",\"payload\":{\"href\":"
    "\"https://shop.example/pay?creditcard=4111111111111111#access_token=abc\"}}},"
    "{\"type\":6,\"timestamp\":3000,\"data\":{\"plugin\":\"rrweb/network@1\",\"payload\":{\"requests\":["
    "{\"name\":\"https://api.example/v1/me?api_key=k3y&fields=all\",\"method\":\"GET\",\"responseStatus\":500},"
    "{\"name\":\"https://api.example/v1/ping\",\"method\":\"GET\",\"responseStatus\":200}]}}},"
    "{\"type\":6,\"timestamp\":4000,\"data\":{\"plugin\":\"rrweb/console@1\",\"payload\":{\"level\":\"error\","
    "\"trace\":[],\"payload\":[\"\\\"fetch https://u:pw@api.example/x?token=t0k&q=1 failed\\\"\"]}}}"
    "]";

static reelay_session *ingest(const char *text, bool unmask_inputs)
{
    reelay_ingest_options options = reelay_ingest_defaults();
    options.unmask_inputs = unmask_inputs;
    reelay_session *session = NULL;
    reelay_err err;
    reelay_err_clear(&err);
    if (reelay_ingest_memory((const unsigned char *)text, strlen(text), "test", &options, &session, &err) != REELAY_OK)
        fail_msg("ingest: %s", err.msg);
    return session;
}

static const reelay_event *event_of(const reelay_session *session, reelay_event_kind kind)
{
    for (size_t i = 0; i < session->event_count; i++)
        if (session->events[i].kind == kind) return &session->events[i];
    fail_msg("no event of kind %d", (int)kind);
    return NULL;
}

static void test_session_pass(void **state)
{
    (void)state;
    reelay_session *s = ingest(WEB_RECORDING, false);
    assert_string_equal(event_of(s, EV_META)->u.meta.href, "https://shop.example/login?user=bob&password=" M);
    assert_string_equal(event_of(s, EV_NAVIGATION)->u.navigation.url,
                        "https://shop.example/pay?creditcard=" M "#access_token=" M);
    const reelay_event *net = event_of(s, EV_NETWORK);
    assert_int_equal(net->u.network.count, 2);
    assert_string_equal(net->u.network.requests[0].url, "https://api.example/v1/me?api_key=" M "&fields=all");
    assert_string_equal(net->u.network.requests[1].url, "https://api.example/v1/ping");
    const char *message = event_of(s, EV_CONSOLE)->u.console.message;
    assert_non_null(strstr(message, "https://u:" M "@api.example/x?token=" M "&q=1 failed"));
    assert_null(strstr(message, "t0k"));
    assert_null(strstr(message, ":pw@"));
    reelay_session_free(s);

    /* --unmask-inputs shows the card number, never the credentials. */
    s = ingest(WEB_RECORDING, true);
    assert_string_equal(event_of(s, EV_META)->u.meta.href, "https://shop.example/login?user=bob&password=" M);
    assert_string_equal(event_of(s, EV_NAVIGATION)->u.navigation.url,
                        "https://shop.example/pay?creditcard=4111111111111111#access_token=" M);
    reelay_session_free(s);
}

static void test_session_pass_portable(void **state)
{
    (void)state;
    static const char *const text =
        "{\"sessionId\":\"s\",\"startTime\":1000,\"endTime\":5000,"
        "\"metadata\":{\"url\":\"https://app.example/?session=S3SS\",\"viewport\":{\"width\":800,\"height\":600}},"
        "\"events\":[{\"type\":\"navigation\",\"timestamp\":2000,\"data\":{\"url\":\"https://app.example/a?pwd=p\"}},"
        "{\"type\":\"console\",\"timestamp\":3000,\"data\":{\"level\":\"error\",\"args\":[\"GET /x?secret=s 500\"]}}]}";
    reelay_session *s = ingest(text, false);
    for (size_t i = 0; i < s->event_count; i++) {
        const reelay_event *ev = &s->events[i];
        const char *seen = ev->kind == EV_META         ? ev->u.meta.href
                           : ev->kind == EV_NAVIGATION ? ev->u.navigation.url
                           : ev->kind == EV_CONSOLE    ? ev->u.console.message
                                                       : NULL;
        if (!seen) continue;
        if (strstr(seen, "S3SS") || strstr(seen, "pwd=p") || strstr(seen, "secret=s ")) fail_msg("unmasked: %s", seen);
    }
    assert_string_equal(event_of(s, EV_NAVIGATION)->u.navigation.url, "https://app.example/a?pwd=" M);
    reelay_session_free(s);
}

/* A masked console message stays within the session's limit. */
static void test_console_limit(void **state)
{
    (void)state;
    reelay_buf text;
    reelay_buf_init(&text);
    assert_int_equal(reelay_buf_append_str(&text, "[{\"type\":4,\"timestamp\":1,\"data\":{\"href\":\"https://h/\",\"width\":8,"
                                                  "\"height\":6}},{\"type\":6,\"timestamp\":2,\"data\":{\"plugin\":"
                                                  "\"rrweb/console@1\",\"payload\":{\"level\":\"error\",\"payload\":[\""),
                     0);
    for (int i = 0; i < 200; i++) assert_int_equal(reelay_buf_append_str(&text, "?key=1"), 0);
    assert_int_equal(reelay_buf_append_str(&text, "\"]}}}]"), 0);
    reelay_session *s = ingest((const char *)text.data, false);
    const char *message = event_of(s, EV_CONSOLE)->u.console.message;
    assert_true(strlen(message) <= REELAY_CONSOLE_MESSAGE_MAX);
    assert_null(strstr(message, "=1"));
    reelay_session_free(s);
    reelay_buf_free(&text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_credentials),
        cmocka_unit_test(test_names_personal),
        cmocka_unit_test(test_names_plain),
        cmocka_unit_test(test_names_encoded),
        cmocka_unit_test(test_mask_query),
        cmocka_unit_test(test_mask_edges),
        cmocka_unit_test(test_mask_fragment),
        cmocka_unit_test(test_mask_userinfo),
        cmocka_unit_test(test_mask_text),
        cmocka_unit_test(test_unmask_inputs),
        cmocka_unit_test(test_mask_long),
        cmocka_unit_test(test_mask_random),
        cmocka_unit_test(test_session_pass),
        cmocka_unit_test(test_session_pass_portable),
        cmocka_unit_test(test_console_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
