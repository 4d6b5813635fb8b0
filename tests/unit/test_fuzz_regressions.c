/* Inputs the fuzzers (tests/fuzz/) once crashed on, replayed through the
 * same harness functions in the normal build: every file of fixtures/fuzz/
 * (except README.md) through both the ingest and the frame target. They only
 * have to come through: no crash, leak or sanitizer report (scripts/test.sh
 * runs this under ASan/UBSan too). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <dirent.h>

#include "harness.h"
#include "test_support.h"

#define FUZZ_DIR "fixtures/fuzz"

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The regression inputs' names, sorted; *count of them. */
static char **list_inputs(size_t *count)
{
    DIR *dir = opendir(FUZZ_DIR);
    if (!dir) fail_msg("cannot open %s", FUZZ_DIR);
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        if (entry->d_name[0] == '.' || strcmp(entry->d_name, "README.md") == 0) continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            names = realloc(names, cap * sizeof *names);
            assert_non_null(names);
        }
        names[n] = strdup(entry->d_name);
        assert_non_null(names[n]);
        n++;
    }
    closedir(dir);
    if (n) qsort(names, n, sizeof *names, compare_names);
    *count = n;
    return names;
}

static void test_regressions(void **state)
{
    reelay_fonts *fonts = *state;
    size_t count = 0;
    char **names = list_inputs(&count);
    for (size_t i = 0; i < count; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", FUZZ_DIR, names[i]);
        size_t len = 0;
        char *data = ts_read_text(path, &len);
        printf("%s\n", path);
        assert_int_not_equal(reelay_fuzz_ingest((const uint8_t *)data, len), REELAY_FUZZ_SKIPPED);
        assert_int_not_equal(reelay_fuzz_frame((const uint8_t *)data, len, fonts), REELAY_FUZZ_SKIPPED);
        free(data);
        free(names[i]);
    }
    free(names);
}

/* The harness itself on inputs it must accept and refuse, so it keeps
 * reaching the session model (and a broken harness cannot pass silently). */
static void test_harness(void **state)
{
    reelay_fonts *fonts = *state;
    const char *paths[] = {"fixtures/web/shop-checkout.rrweb.json", "fixtures/mobile/android-shop.blob.jsonl.gz",
                           "fixtures/portable/signup.json"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        size_t len = 0;
        char *data = ts_read_text(paths[i], &len);
        assert_int_equal(reelay_fuzz_ingest((const uint8_t *)data, len), REELAY_FUZZ_SESSION);
        assert_int_equal(reelay_fuzz_frame((const uint8_t *)data, len, fonts), REELAY_FUZZ_SESSION);
        free(data);
    }
    const uint8_t junk[] = "{\"not\": \"a recording\"}";
    assert_int_equal(reelay_fuzz_ingest(junk, sizeof junk - 1), REELAY_FUZZ_REJECTED);
    assert_int_equal(reelay_fuzz_frame(junk, sizeof junk - 1, fonts), REELAY_FUZZ_REJECTED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_harness),
        cmocka_unit_test(test_regressions),
    };
    return cmocka_run_group_tests(tests, ts_fonts_setup, ts_fonts_teardown);
}
