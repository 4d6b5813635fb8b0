/* Unit tests for src/engine/assets (the page engine's opt-in assets): URL
 * rewriting of events and style sheets, what stays untouched (meta, data:
 * URLs, links inside text), and which addresses a host name may never
 * reach. Serving is tested end to end by tests/cli/test_page_view.sh. */
#define _POSIX_C_SOURCE 200809L
#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/assets.h"

#define P REELAY_ASSET_PREFIX

static void test_css(void **state)
{
    (void)state;
    struct {
        const char *css, *base, *want;
    } cases[] = {
        {"a{background:url(http://h.test/a.png)}", NULL, "a{background:url(" P "http%3A%2F%2Fh.test%2Fa.png)}"},
        {"a{background:url( 'https://h.test/b c.png' )}", NULL,
         "a{background:url( '" P "https%3A%2F%2Fh.test%2Fb%20c.png' )}"},
        {"@import \"https://h.test/x.css\";", NULL, "@import \"" P "https%3A%2F%2Fh.test%2Fx.css\";"},
        {"@font-face{src:url(f.woff2)}", "https://h.test/css/s.css",
         "@font-face{src:url(" P "https%3A%2F%2Fh.test%2Fcss%2Ff.woff2)}"},
        {"@font-face{src:url(/f.woff2)}", "https://h.test/css/s.css",
         "@font-face{src:url(" P "https%3A%2F%2Fh.test%2Ff.woff2)}"},
        /* untouched: inline data, relative without a base, other schemes, no url at all */
        {"a{background:url(data:image/png;base64,AAAA)}", "https://h.test/", "a{background:url(data:image/png;base64,AAAA)}"},
        {"a{background:url(a.png)}", NULL, "a{background:url(a.png)}"},
        {"a{background:url(ftp://h.test/a.png)}", NULL, "a{background:url(ftp://h.test/a.png)}"},
        {"a{color:red}", NULL, "a{color:red}"},
        {"a{background:url(http://h.test/unterminated", NULL, "a{background:url(http://h.test/unterminated"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = reelay_assets_rewrite_css(NULL, cases[i].css, cases[i].base);
        if (strcmp(got, cases[i].want) != 0) fail_msg("case %zu: got %s\nwant %s", i, got, cases[i].want);
        g_free(got);
    }
}

static char *rewrite(reelay_assets *assets, const char *events)
{
    size_t len = strlen(events);
    char *json = strdup(events);
    reelay_err err;
    reelay_err_clear(&err);
    assert_int_equal(reelay_assets_rewrite_events(assets, &json, &len, &err), REELAY_OK);
    assert_int_equal(strlen(json), len);
    return json;
}

static void test_events(void **state)
{
    (void)state;
    char dir[] = "/tmp/reelay-assets-XXXXXX";
    assert_non_null(mkdtemp(dir));
    /* the assets the directory holds; absent.png is not among them */
    char path[256];
    snprintf(path, sizeof path, "%s/h.test", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    const char *files[] = {"i.png", "i2.png", "b.png", "s.png", "m.png", "d.png", "r.png"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/h.test/%s", dir, files[i]);
        FILE *fp = fopen(path, "w");
        assert_non_null(fp);
        fclose(fp);
    }
    reelay_assets *assets = NULL;
    reelay_err err;
    assert_int_equal(reelay_assets_new(dir, NULL, NULL, &assets, &err), REELAY_OK);
    const char *events =
        "[{\"type\":4,\"data\":{\"href\":\"https://h.test/\",\"width\":10,\"height\":10}},"
        "{\"type\":2,\"data\":{\"node\":{\"type\":2,\"tagName\":\"img\",\"attributes\":{"
        "\"src\":\"https://h.test/i.png\",\"srcset\":\"https://h.test/i2.png 2x, /rel.png 3x\","
        "\"style\":\"background:url(http://h.test/b.png)\",\"alt\":\"https://h.test/not-a-load\","
        "\"poster\":\"https://h.test/absent.png\"},"
        "\"childNodes\":[{\"type\":3,\"textContent\":\"see url(http://h.test/t)\",\"id\":3},"
        "{\"type\":3,\"isStyle\":true,\"textContent\":\"p{background:url(http://h.test/s.png)}\",\"id\":4}],\"id\":2}}},"
        "{\"type\":3,\"data\":{\"source\":0,\"attributes\":[{\"id\":2,\"attributes\":{\"src\":\"http://h.test/m.png\","
        "\"style\":{\"background\":\"url(http://h.test/d.png)\"}}}],\"adds\":[],\"removes\":[],\"texts\":[]}},"
        "{\"type\":3,\"data\":{\"source\":8,\"id\":5,\"adds\":[{\"rule\":\"q{background:url(http://h.test/r.png)}\"}]}}]";
    char *json = rewrite(assets, events);
    const char *want[] = {
        "\"src\":\"" P "https%3A%2F%2Fh.test%2Fi.png\"",
        "\"srcset\":\"" P "https%3A%2F%2Fh.test%2Fi2.png 2x, /rel.png 3x\"",
        "\"style\":\"background:url(" P "http%3A%2F%2Fh.test%2Fb.png)\"",
        "p{background:url(" P "http%3A%2F%2Fh.test%2Fs.png)}",
        "\"src\":\"" P "http%3A%2F%2Fh.test%2Fm.png\"",
        "\"background\":\"url(" P "http%3A%2F%2Fh.test%2Fd.png)\"",
        "q{background:url(" P "http%3A%2F%2Fh.test%2Fr.png)}",
        /* untouched */
        "\"href\":\"https://h.test/\"",
        "\"alt\":\"https://h.test/not-a-load\"",
        "see url(http://h.test/t)",
        "\"poster\":\"https://h.test/absent.png\"", /* not in the directory: blocked as offline */
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(json, want[i])) fail_msg("missing %s in %s", want[i], json);
    free(json);
    reelay_assets_free(assets);
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/h.test/%s", dir, files[i]);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s/h.test", dir);
    rmdir(path);
    rmdir(dir);

    /* without assets nothing changes; a file is not a directory */
    json = rewrite(NULL, events);
    assert_string_equal(json, events);
    free(json);
    assert_int_equal(reelay_assets_new("/etc/hostname", NULL, NULL, &assets, &err), REELAY_E_USAGE);
    assert_non_null(strstr(err.msg, "not a directory"));
}

static void test_private_addresses(void **state)
{
    (void)state;
    const char *private[] = {"127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1",
                             "169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255", "::1",
                             "::", "fe80::1", "fc00::1", "fd12::3", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "ff02::1"};
    const char *public[] = {"8.8.8.8", "93.184.216.34", "172.32.0.1", "100.128.0.1", "2001:4860:4860::8888",
                            "::ffff:8.8.8.8"};
    for (size_t i = 0; i < sizeof private / sizeof private[0]; i++) {
        GInetAddress *a = g_inet_address_new_from_string(private[i]);
        assert_non_null(a);
        if (!reelay_assets_address_private(a)) fail_msg("%s counted as public", private[i]);
        g_object_unref(a);
    }
    for (size_t i = 0; i < sizeof public / sizeof public[0]; i++) {
        GInetAddress *a = g_inet_address_new_from_string(public[i]);
        assert_non_null(a);
        if (reelay_assets_address_private(a)) fail_msg("%s counted as private", public[i]);
        g_object_unref(a);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_css),
        cmocka_unit_test(test_events),
        cmocka_unit_test(test_private_addresses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
