/* Option values (times, sizes, scales) and output-size rules. */
#include "test_support.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "render/options.h"
#include "renderers/frame/frame.h"

static double time_ok(const char *text)
{
    reelay_err err;
    reelay_err_clear(&err);
    double ms = -1;
    if (reelay_parse_time(text, &ms, &err) != REELAY_OK) fail_msg("'%s' rejected: %s", text, err.msg);
    return ms;
}

static void time_bad(const char *text)
{
    reelay_err err;
    reelay_err_clear(&err);
    double ms = -1;
    assert_int_equal(reelay_parse_time(text, &ms, &err), REELAY_E_USAGE);
    assert_non_null(strstr(err.msg, text));
    assert_true(ms == -1);
}

static void test_times(void **state)
{
    (void)state;
    assert_true(time_ok("0") == 0);
    assert_true(fabs(time_ok("12.5") - 12500) < 1e-9);
    assert_true(fabs(time_ok("1:02.250") - 62250) < 1e-9);
    assert_true(fabs(time_ok("01:02") - 62000) < 1e-9);
    assert_true(fabs(time_ok("1:00:00") - 3600000) < 1e-9);
    assert_true(fabs(time_ok(".5") - 500) < 1e-9);
    const char *bad[] = {"", "-1", "abc", "1:60", "1:2:3:4", "1.5:00", "inf", "nan", "1e3", "0x10", "1:", ":5",
                         "12.5s", " 1", "1..2"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) time_bad(bad[i]);
}

static void test_sizes(void **state)
{
    (void)state;
    reelay_err err;
    int w = 0, h = 0;
    assert_int_equal(reelay_parse_size("640x480", &w, &h, &err), REELAY_OK);
    assert_int_equal(w, 640);
    assert_int_equal(h, 480);
    assert_int_equal(reelay_parse_size("720p", &w, &h, &err), REELAY_OK);
    assert_int_equal(w, 1280);
    assert_int_equal(h, 720);
    const char *bad[] = {"", "x", "640x", "x480", "0x480", "640x0", "-640x480", "640X480", "99999x10", "640x480x2",
                         "640 x480", "720"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(reelay_parse_size(bad[i], &w, &h, &err), REELAY_E_USAGE);
        assert_non_null(strstr(err.msg, "bad size"));
    }
    double scale = 0;
    assert_int_equal(reelay_parse_scale("1.5", &scale, &err), REELAY_OK);
    assert_true(scale == 1.5);
    assert_int_equal(reelay_parse_scale("0", &scale, &err), REELAY_E_USAGE);
    assert_int_equal(reelay_parse_scale("17", &scale, &err), REELAY_E_USAGE);
    assert_int_equal(reelay_parse_scale("-2", &scale, &err), REELAY_E_USAGE);
}

static void test_overlays(void **state)
{
    (void)state;
    reelay_err err;
    unsigned flags = 99;
    const unsigned all = REELAY_OVERLAY_ALL;
    assert_int_equal(reelay_parse_overlays("none", all, &flags, &err), REELAY_OK);
    assert_int_equal(flags, REELAY_OVERLAY_NONE);
    assert_int_equal(reelay_parse_overlays("all", all, &flags, &err), REELAY_OK);
    assert_int_equal(flags, REELAY_OVERLAY_ALL);
    assert_int_equal(reelay_parse_overlays("all", REELAY_OVERLAY_TOUCHES, &flags, &err), REELAY_OK);
    assert_int_equal(flags, REELAY_OVERLAY_TOUCHES);
    assert_int_equal(reelay_parse_overlays("touches", all, &flags, &err), REELAY_OK);
    assert_int_equal(flags, REELAY_OVERLAY_TOUCHES);
    assert_int_equal(reelay_parse_overlays("hud,touches,touches", all, &flags, &err), REELAY_OK);
    assert_int_equal(flags, REELAY_OVERLAY_TOUCHES | REELAY_OVERLAY_HUD);
    /* An overlay a command does not offer is refused, naming what it offers. */
    assert_int_equal(reelay_parse_overlays("hud", REELAY_OVERLAY_TOUCHES, &flags, &err), REELAY_E_USAGE);
    assert_non_null(strstr(err.msg, "expected none, all, touches"));
    assert_null(strstr(err.msg, "hud,"));
    const char *bad[] = {"", "cursor", "touches,", ",touches", "touches,cursor", "None", "touch"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        flags = 99;
        assert_int_equal(reelay_parse_overlays(bad[i], all, &flags, &err), REELAY_E_USAGE);
        assert_int_equal(flags, 99);
        assert_non_null(strstr(err.msg, "unknown overlay"));
    }
}

static void test_output_sizes(void **state)
{
    (void)state;
    int w, h;
    /* x2 when that fits. */
    reelay_frame_default_size(411, 914, &w, &h);
    assert_int_equal(w, 822);
    assert_int_equal(h, 1828);
    /* Long side capped at 1920, aspect kept, even. */
    reelay_frame_default_size(1512, 823, &w, &h);
    assert_int_equal(w, 1920);
    assert_int_equal(h, 1046); /* 823 * 1920 / 1512 = 1045.1 -> even */
    reelay_frame_default_size(393, 852, &w, &h);
    assert_int_equal(w, 786);
    assert_int_equal(h, 1704);
    /* Odd logical sizes still give even pixels. */
    reelay_frame_scaled_size(37, 25, 1, 8192, &w, &h);
    assert_int_equal(w % 2, 0);
    assert_int_equal(h % 2, 0);
    reelay_frame_scaled_size(1, 1, 0.1, 8192, &w, &h);
    assert_int_equal(w, 2);
    assert_int_equal(h, 2);
    reelay_frame_scaled_size(5000, 5000, 16, 8192, &w, &h);
    assert_int_equal(w, 8192);
}

/* Named render options: the command line's names, for jobs as well. */
static void test_named_options(void **state)
{
    (void)state;
    reelay_render_options o = reelay_render_defaults();
    reelay_err err;
    assert_int_equal(reelay_render_option_kind("fps"), REELAY_OPTION_VALUE);
    assert_int_equal(reelay_render_option_kind("vfr"), REELAY_OPTION_FLAG);
    assert_int_equal(reelay_render_option_kind("output"), REELAY_OPTION_UNKNOWN);
    assert_int_equal(reelay_render_option_kind(NULL), REELAY_OPTION_UNKNOWN);

    assert_int_equal(reelay_render_option_set(&o, "fps", "12", &err), REELAY_OK);
    assert_int_equal(o.fps, 12);
    assert_int_equal(reelay_render_option_set(&o, "size", "720p", &err), REELAY_OK);
    assert_int_equal(o.width, 1280);
    assert_int_equal(reelay_render_option_set(&o, "from", "1:30", &err), REELAY_OK);
    assert_true(o.timeline.from_ms == 90000);
    assert_int_equal(reelay_render_option_set(&o, "vfr", NULL, &err), REELAY_OK);
    assert_int_equal(o.frame_rate, REELAY_RATE_VFR);
    assert_int_equal(reelay_render_option_set(&o, "vfr", "false", &err), REELAY_OK);
    assert_int_equal(o.frame_rate, REELAY_RATE_CFR);
    assert_int_equal(reelay_render_option_kind("cfr"), REELAY_OPTION_FLAG);
    assert_int_equal(reelay_render_option_set(&o, "cfr", "false", &err), REELAY_OK);
    assert_int_equal(o.frame_rate, REELAY_RATE_VFR);
    assert_int_equal(reelay_render_option_set(&o, "cfr", NULL, &err), REELAY_OK);
    assert_int_equal(o.frame_rate, REELAY_RATE_CFR);
    assert_int_equal(reelay_render_defaults().frame_rate, REELAY_RATE_AUTO);
    assert_true(o.timeline.skip_idle);
    assert_int_equal(reelay_render_option_set(&o, "no-skip-idle", "true", &err), REELAY_OK);
    assert_false(o.timeline.skip_idle);
    assert_int_equal(reelay_render_option_set(&o, "layout", "inspector", &err), REELAY_OK);
    assert_true(o.inspector);
    assert_int_equal(reelay_render_option_set(&o, "overlays", "touches,pointer", &err), REELAY_OK);
    assert_int_equal(o.overlays, REELAY_OVERLAY_TOUCHES | REELAY_OVERLAY_POINTER);
    assert_int_equal(reelay_render_option_set(&o, "poster", "p.png", &err), REELAY_OK);
    assert_string_equal(o.poster, "p.png");

    assert_int_equal(reelay_render_option_set(&o, "fps", "0", &err), REELAY_E_USAGE);
    assert_non_null(strstr(err.msg, "--fps"));
    assert_int_equal(reelay_render_option_set(&o, "fps", NULL, &err), REELAY_E_USAGE);
    assert_non_null(strstr(err.msg, "needs a value"));
    assert_int_equal(reelay_render_option_set(&o, "vfr", "yes", &err), REELAY_E_USAGE);
    assert_int_equal(reelay_render_option_set(&o, "colour", "red", &err), REELAY_E_USAGE);
    assert_non_null(strstr(err.msg, "--colour"));
    assert_int_equal(reelay_render_option_set(&o, "layout", "grid", &err), REELAY_E_USAGE);
    assert_int_equal(o.fps, 12); /* failures change nothing */

    /* Limits, with binary suffixes. */
    assert_int_equal(reelay_render_option_set(&o, "max-input-bytes", "512K", &err), REELAY_OK);
    assert_int_equal(o.ingest.max_input_bytes, 512 * 1024);
    assert_int_equal(o.ingest.max_decompressed_bytes, 1024 * 1024);
    assert_int_equal(reelay_render_option_set(&o, "max-events", "2M", &err), REELAY_OK);
    assert_int_equal(o.ingest.max_events, 2 * 1024 * 1024);
    assert_int_equal(reelay_render_option_set(&o, "max-frames", "1000", &err), REELAY_OK);
    assert_int_equal(o.max_frames, 1000);
    assert_int_equal(reelay_render_option_set(&o, "max-image-pixels", "1G", &err), REELAY_OK);
    assert_int_equal(o.max_image_pixels, 1024u * 1024u * 1024u);
    assert_int_equal(reelay_render_option_set(&o, "max-duration", "1:30:00", &err), REELAY_OK);
    assert_true(o.max_duration_ms == 5400e3);
    const char *bad[] = {"0", "-5", "12X", "K", "", "99999999999999999999", "18446744073709551615G"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (reelay_render_option_set(&o, "max-events", bad[i], &err) != REELAY_E_USAGE)
            fail_msg("--max-events '%s' accepted", bad[i]);
        assert_non_null(strstr(err.msg, "--max-events"));
    }
    assert_int_equal(reelay_render_option_set(&o, "max-duration", "0", &err), REELAY_E_USAGE);

    /* Tree, viewport and output limits; the depth and dimension have ceilings. */
    assert_int_equal(reelay_render_option_set(&o, "max-wireframes", "5000", &err), REELAY_OK);
    assert_int_equal(o.ingest.max_wireframes, 5000);
    assert_int_equal(reelay_render_option_set(&o, "max-viewport", "4K", &err), REELAY_OK);
    assert_true(o.ingest.max_viewport == 4096);
    assert_int_equal(reelay_render_option_set(&o, "max-tree-depth", "1000", &err), REELAY_OK);
    assert_int_equal(o.ingest.max_tree_depth, 1000);
    assert_int_equal(reelay_render_option_set(&o, "max-tree-depth", "1001", &err), REELAY_E_USAGE);
    assert_non_null(strstr(err.msg, "bad --max-tree-depth '1001': at most 1000"));
    assert_int_equal(o.ingest.max_tree_depth, 1000);
    assert_int_equal(reelay_render_option_set(&o, "max-output-dim", "16384", &err), REELAY_OK);
    assert_int_equal(o.max_output_dim, 16384);
    assert_int_equal(reelay_render_option_set(&o, "max-output-dim", "16K", &err), REELAY_OK);
    assert_int_equal(reelay_render_option_set(&o, "max-output-dim", "20000", &err), REELAY_E_USAGE);
    assert_non_null(strstr(err.msg, "bad --max-output-dim '20000': at most 16384"));
    /* --size may name up to the ceiling; the limit is applied when rendering. */
    assert_int_equal(reelay_render_option_set(&o, "size", "16384x720", &err), REELAY_OK);
    assert_int_equal(reelay_render_option_set(&o, "size", "16385x720", &err), REELAY_E_USAGE);

    /* The input limits every command that reads a recording takes. */
    const char *input_limits[] = {"max-input-bytes", "max-events", "max-wireframes", "max-tree-depth", "max-viewport"};
    for (size_t i = 0; i < sizeof input_limits / sizeof input_limits[0]; i++)
        assert_true(reelay_render_option_is_input_limit(input_limits[i]));
    assert_false(reelay_render_option_is_input_limit("max-frames"));
    assert_false(reelay_render_option_is_input_limit("max-output-dim"));
    assert_false(reelay_render_option_is_input_limit(NULL));
}

/* --default-font: serif (the default, Chrome on macOS and Windows) or sans
 * (Chromium on Linux, as PostHog's reference frames); anything else is a
 * usage error naming the option and the accepted values. */
static void test_default_font(void **state)
{
    (void)state;
    reelay_render_options o = reelay_render_defaults();
    reelay_err err;
    reelay_err_clear(&err);
    assert_int_equal(o.default_font, REELAY_DEFAULT_FONT_SERIF);
    assert_int_equal(reelay_render_option_kind("default-font"), REELAY_OPTION_VALUE);
    assert_int_equal(reelay_render_option_set(&o, "default-font", "sans", &err), REELAY_OK);
    assert_int_equal(o.default_font, REELAY_DEFAULT_FONT_SANS);
    assert_int_equal(reelay_render_option_set(&o, "default-font", "serif", &err), REELAY_OK);
    assert_int_equal(o.default_font, REELAY_DEFAULT_FONT_SERIF);
    const char *bad[] = {"Sans", "sans-serif", "", "mono"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(reelay_render_option_set(&o, "default-font", bad[i], &err), REELAY_E_USAGE);
        assert_non_null(strstr(err.msg, "--default-font"));
        assert_non_null(strstr(err.msg, "serif or sans"));
        assert_int_equal(o.default_font, REELAY_DEFAULT_FONT_SERIF);
    }
    assert_int_equal(reelay_render_option_set(&o, "default-font", NULL, &err), REELAY_E_USAGE);
    assert_string_equal(reelay_default_font_family(REELAY_DEFAULT_FONT_SERIF), "serif");
    assert_string_equal(reelay_default_font_family(REELAY_DEFAULT_FONT_SANS), "sans-serif");
}

/* --highlights [N]: a flag that may take a length. */
static void test_highlights(void **state)
{
    (void)state;
    reelay_render_options o = reelay_render_defaults();
    reelay_err err;
    assert_true(o.highlights_ms == 0);
    assert_int_equal(reelay_render_option_kind("highlights"), REELAY_OPTION_OPTIONAL);
    assert_int_equal(reelay_render_option_set(&o, "highlights", NULL, &err), REELAY_OK);
    assert_true(o.highlights_ms == 60000);
    assert_int_equal(reelay_render_option_set(&o, "highlights", "false", &err), REELAY_OK);
    assert_true(o.highlights_ms == 0);
    assert_int_equal(reelay_render_option_set(&o, "highlights", "true", &err), REELAY_OK);
    assert_true(o.highlights_ms == 60000);
    assert_int_equal(reelay_render_option_set(&o, "highlights", "30", &err), REELAY_OK);
    assert_true(o.highlights_ms == 30000);
    assert_int_equal(reelay_render_option_set(&o, "highlights", "1:30", &err), REELAY_OK);
    assert_true(o.highlights_ms == 90000);
    const char *bad[] = {"0", "-5", "abc", "1.5", "", "1e3", "86401", "inf"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        reelay_err_clear(&err);
        assert_int_equal(reelay_render_option_set(&o, "highlights", bad[i], &err), REELAY_E_USAGE);
        assert_non_null(strstr(err.msg, "--highlights"));
        assert_true(o.highlights_ms == 90000); /* left as it was */
    }

    /* the command line: the next argument when it looks like a number */
    char name[32];
    const char *value = NULL;
    bool consumed = true;
    assert_true(reelay_render_option_optional("--highlights", "45", name, sizeof name, &value, &consumed));
    assert_string_equal(name, "highlights");
    assert_string_equal(value, "45");
    assert_true(consumed);
    assert_true(reelay_render_option_optional("--highlights", "-3", name, sizeof name, &value, &consumed));
    assert_string_equal(value, "-3");
    assert_true(reelay_render_option_optional("--highlights", "in.json", name, sizeof name, &value, &consumed));
    assert_null(value);
    assert_false(consumed);
    assert_true(reelay_render_option_optional("--highlights", NULL, name, sizeof name, &value, &consumed));
    assert_null(value);
    assert_true(reelay_render_option_optional("--highlights=abc", "x", name, sizeof name, &value, &consumed));
    assert_string_equal(value, "abc");
    assert_false(consumed);
    assert_false(reelay_render_option_optional("--fps", "12", name, sizeof name, &value, &consumed));
    assert_false(reelay_render_option_optional("--vfr", NULL, name, sizeof name, &value, &consumed));
    assert_false(reelay_render_option_optional("highlights", "3", name, sizeof name, &value, &consumed));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_times),
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_overlays),
        cmocka_unit_test(test_output_sizes),
        cmocka_unit_test(test_named_options),
        cmocka_unit_test(test_default_font),
        cmocka_unit_test(test_highlights),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
