#include "test_support.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/error.h"
#include "ingest/mobile.h"
#include "session/session.h"

#define assert_num(a, b) assert_true(fabs((double)(a) - (double)(b)) < 1e-9)

typedef struct parsed {
    reelay_arena arena;
    reelay_ingest_stats stats;
    reelay_err err;
    reelay_wireframe *wf;
    size_t count;
    int rc;
} parsed;

/* Parses a JSON array of wireframes and frees the JSON at once, so every
 * check also proves the result does not point into the JSON tree. */
static void parse_text(parsed *p, const char *text)
{
    memset(p, 0, sizeof *p);
    reelay_arena_init(&p->arena);
    reelay_err_clear(&p->err);
    json_t *json = ts_json(text);
    p->rc = reelay_parse_wireframes(json, &p->arena, &p->wf, &p->count, &p->stats, NULL, "event 3: data.wireframes",
                                    &p->err);
    json_decref(json);
}

static void parse_ok(parsed *p, const char *text)
{
    parse_text(p, text);
    if (p->rc != REELAY_OK) fail_msg("unexpected error: %s", p->err.msg);
}

static void parse_fails(parsed *p, const char *text, const char *expect_substring)
{
    parse_text(p, text);
    assert_int_equal(p->rc, REELAY_E_INPUT);
    assert_int_equal(p->err.code, REELAY_E_INPUT);
    if (!strstr(p->err.msg, expect_substring))
        fail_msg("message \"%s\" lacks \"%s\"", p->err.msg, expect_substring);
}

static void done(parsed *p)
{
    reelay_arena_free(&p->arena);
}

/* ------------------------------------------------------------------------ */

static void test_every_type(void **state)
{
    (void)state;
    parsed p;
    parse_ok(&p, "[{\"id\":1,\"type\":\"text\"},{\"id\":2,\"type\":\"image\"},{\"id\":3,\"type\":\"screenshot\"},"
                 "{\"id\":4,\"type\":\"rectangle\"},{\"id\":5,\"type\":\"div\"},{\"id\":6,\"type\":\"placeholder\"},"
                 "{\"id\":7,\"type\":\"web_view\"},{\"id\":8,\"type\":\"input\",\"inputType\":\"text\"},"
                 "{\"id\":9,\"type\":\"radio_group\"},{\"id\":10,\"type\":\"status_bar\"},"
                 "{\"id\":11,\"type\":\"navigation_bar\"},{\"id\":12},{\"id\":13,\"type\":null}]");
    static const struct {
        reelay_wf_type type;
        const char *name;
    } expect[] = {
        {WF_TEXT, "text"},           {WF_IMAGE, "image"},       {WF_SCREENSHOT, "screenshot"},
        {WF_RECTANGLE, "rectangle"}, {WF_DIV, "div"},           {WF_PLACEHOLDER, "placeholder"},
        {WF_WEB_VIEW, "web_view"},   {WF_INPUT, "input"},       {WF_RADIO_GROUP, "radio_group"},
        {WF_STATUS_BAR, "status_bar"}, {WF_NAVIGATION_BAR, "navigation_bar"}, {WF_DIV, "div"},
        {WF_DIV, "div"},
    };
    assert_int_equal(p.count, sizeof expect / sizeof expect[0]);
    for (size_t i = 0; i < p.count; i++) {
        assert_int_equal(p.wf[i].id, (int64_t)i + 1);
        assert_int_equal(p.wf[i].type, expect[i].type);
        assert_string_equal(p.wf[i].type_name, expect[i].name);
    }
    assert_int_equal(p.stats.skipped_wireframes, 0);
    done(&p);
}

static void test_unknown_type_dropped_with_subtree(void **state)
{
    (void)state;
    parsed p;
    parse_ok(&p, "[{\"id\":1,\"type\":\"radio group\",\"childWireframes\":[{\"id\":2,\"type\":\"text\"}]},"
                 "{\"id\":3,\"type\":\"text\"},"
                 "{\"id\":4,\"type\":7},"
                 "{\"id\":5,\"type\":\"Text\"},"
                 "{\"id\":6,\"childWireframes\":[{\"id\":7,\"type\":\"video\"},{\"id\":8,\"type\":\"image\"}]}]");
    assert_int_equal(p.count, 2);
    assert_int_equal(p.wf[0].id, 3);
    assert_int_equal(p.wf[1].id, 6);
    assert_int_equal(p.wf[1].child_count, 1);
    assert_int_equal(p.wf[1].children[0].id, 8);
    /* "radio group", 7, "Text" and the nested "video"; the dropped subtree's
     * child is not counted separately. */
    assert_int_equal(p.stats.skipped_wireframes, 4);
    done(&p);
}

static void test_unknown_type_needs_no_valid_fields(void **state)
{
    (void)state;
    parsed p;
    /* A dropped wireframe is not validated: the player never reads it. */
    parse_ok(&p, "[{\"type\":\"mystery\",\"x\":\"left\"}]");
    assert_int_equal(p.count, 0);
    assert_null(p.wf);
    assert_int_equal(p.stats.skipped_wireframes, 1);
    done(&p);
}

static void test_input_types(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        reelay_input_type type;
    } known[] = {
        {"text", WF_INPUT_TEXT},         {"password", WF_INPUT_PASSWORD}, {"email", WF_INPUT_EMAIL},
        {"number", WF_INPUT_NUMBER},     {"search", WF_INPUT_SEARCH},     {"tel", WF_INPUT_TEL},
        {"url", WF_INPUT_URL},           {"text_area", WF_INPUT_TEXT_AREA}, {"select", WF_INPUT_SELECT},
        {"button", WF_INPUT_BUTTON},     {"checkbox", WF_INPUT_CHECKBOX}, {"radio", WF_INPUT_RADIO},
        {"toggle", WF_INPUT_TOGGLE},     {"progress", WF_INPUT_PROGRESS}, {"textArea", WF_INPUT_OTHER},
        {"TEXT", WF_INPUT_OTHER},
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        char text[256];
        snprintf(text, sizeof text, "[{\"id\":%zu,\"type\":\"input\",\"inputType\":\"%s\"}]", i, known[i].name);
        parsed p;
        parse_ok(&p, text);
        assert_int_equal(p.count, 1);
        assert_int_equal(p.wf[0].type, WF_INPUT);
        assert_int_equal(p.wf[0].input_type, known[i].type);
        assert_string_equal(p.wf[0].input_type_name, known[i].name);
        done(&p);
    }
}

static void test_input_without_input_type_dropped(void **state)
{
    (void)state;
    parsed p;
    parse_ok(&p, "[{\"id\":1,\"type\":\"input\",\"value\":\"hello\",\"childWireframes\":[{\"id\":9}]},"
                 "{\"id\":2,\"type\":\"input\",\"inputType\":\"\"},"
                 "{\"id\":3,\"type\":\"input\",\"inputType\":5},"
                 "{\"id\":4,\"type\":\"input\",\"inputType\":\"text\"}]");
    assert_int_equal(p.count, 1);
    assert_int_equal(p.wf[0].id, 4);
    assert_int_equal(p.stats.skipped_wireframes, 3);
    /* inputType on a non-input is meaningless and ignored. */
    done(&p);
    parse_ok(&p, "[{\"id\":1,\"type\":\"text\",\"inputType\":\"text\"}]");
    assert_int_equal(p.wf[0].input_type, WF_INPUT_NONE);
    assert_null(p.wf[0].input_type_name);
    done(&p);
}

static void test_ids_are_64_bit(void **state)
{
    (void)state;
    parsed p;
    parse_ok(&p, "[{\"id\":52129787123},{\"id\":4324378400},{\"id\":-7},{\"id\":12.0},"
                 "{\"id\":9007199254740993}]");
    assert_int_equal(p.count, 5);
    assert_true(p.wf[0].id == INT64_C(52129787123));
    assert_true(p.wf[1].id == INT64_C(4324378400));
    assert_true(p.wf[2].id == -7);
    assert_true(p.wf[3].id == 12);
    assert_true(p.wf[4].id == INT64_C(9007199254740993));
    done(&p);
}

static void test_geometry(void **state)
{
    (void)state;
    parsed p;
    parse_ok(&p, "[{\"id\":1,\"x\":10.5,\"y\":-3,\"width\":100,\"height\":30.25},"
                 "{\"id\":2,\"width\":\"100vw\",\"height\":40},"
                 "{\"id\":3,\"width\":\"50%\",\"height\":\"100vw\"},"
                 "{\"id\":4,\"x\":null}]");
    assert_int_equal(p.count, 4);
    assert_num(p.wf[0].x, 10.5);
    assert_num(p.wf[0].y, -3);
    assert_true(p.wf[0].has_width && p.wf[0].has_height);
    assert_false(p.wf[0].width_is_viewport);
    assert_num(p.wf[0].width, 100);
    assert_num(p.wf[0].height, 30.25);

    assert_true(p.wf[1].has_width);
    assert_true(p.wf[1].width_is_viewport);
    assert_num(p.wf[1].height, 40);

    assert_false(p.wf[2].has_width);
    assert_false(p.wf[2].width_is_viewport);
    assert_false(p.wf[2].has_height); /* "100vw" is only special for width */

    assert_num(p.wf[3].x, 0);
    assert_num(p.wf[3].y, 0);
    assert_false(p.wf[3].has_width);
    assert_false(p.wf[3].has_height);
    done(&p);
}

static void test_numbers_out_of_range_are_errors(void **state)
{
    (void)state;
    parsed p;
    parse_fails(&p, "[{\"id\":1,\"x\":1e300}]", "event 3: data.wireframes[0].x: number");
    done(&p);
    parse_fails(&p, "[{\"id\":1,\"width\":-1e20}]", "data.wireframes[0].width: number");
    done(&p);
    parse_fails(&p, "[{\"id\":1,\"style\":{\"fontSize\":1e300}}]", "data.wireframes[0].style.fontSize");
    done(&p);
    parse_fails(&p, "[{\"id\":1,\"type\":\"input\",\"inputType\":\"progress\",\"max\":1e99}]",
                "data.wireframes[0].max");
    done(&p);
    parse_fails(&p, "[{\"id\":1,\"y\":\"7 rows\"}]", "data.wireframes[0].y: expected a number");
    done(&p);
    /* A numeric string is a coordinate, as in the player's left:{x}px. */
    parse_ok(&p, "[{\"id\":1,\"x\":\"13\",\"y\":\" 7.5 \"}]");
    assert_num(p.wf[0].x, 13);
    assert_num(p.wf[0].y, 7.5);
    done(&p);
}

static void test_content_strings(void **state)
{
    (void)state;
    parsed p;
    parse_ok(&p, "[{\"id\":1,\"type\":\"text\",\"text\":\"héllo \\\"world\\\"\"},"
                 "{\"id\":2,\"type\":\"image\",\"base64\":\"data:image/png;base64,AAAA\"},"
                 "{\"id\":3,\"type\":\"web_view\",\"url\":\"https://example.io\"},"
                 "{\"id\":4,\"type\":\"text\",\"text\":42,\"base64\":null},"
                 "{\"id\":5,\"type\":\"text\",\"text\":\"\"},"
                 "{\"id\":6,\"type\":\"text\",\"text\":\"a\\u0000b\"}]");
    assert_string_equal(p.wf[0].text, "héllo \"world\"");
    assert_string_equal(p.wf[1].base64, "data:image/png;base64,AAAA");
    assert_string_equal(p.wf[2].url, "https://example.io");
    assert_null(p.wf[3].text);
    assert_null(p.wf[3].base64);
    assert_non_null(p.wf[4].text);
    assert_string_equal(p.wf[4].text, "");
    assert_string_equal(p.wf[5].text, "a"); /* cut at the NUL */
    assert_null(p.wf[0].label);
    assert_null(p.wf[0].value);
    done(&p);
}

static void test_label_presence(void **state)
{
    (void)state;
    parsed p;
    parse_ok(&p, "[{\"id\":1,\"type\":\"input\",\"inputType\":\"checkbox\",\"checked\":true,\"label\":\"first\"},"
                 "{\"id\":2,\"type\":\"input\",\"inputType\":\"checkbox\",\"checked\":false},"
                 "{\"id\":3,\"type\":\"input\",\"inputType\":\"toggle\",\"label\":\"\",\"disabled\":true},"
                 "{\"id\":4,\"type\":\"input\",\"inputType\":\"radio\",\"label\":null,\"checked\":\"yes\"},"
                 "{\"id\":5,\"type\":\"placeholder\",\"label\":\"hello\"},"
                 "{\"id\":6,\"type\":\"placeholder\"}]");
    assert_int_equal(p.count, 6);
    assert_string_equal(p.wf[0].label, "first");
    assert_true(p.wf[0].checked);
    assert_false(p.wf[0].disabled);
    assert_null(p.wf[1].label);
    assert_false(p.wf[1].checked);
    assert_non_null(p.wf[2].label);
    assert_string_equal(p.wf[2].label, "");
    assert_true(p.wf[2].disabled);
    /* The key is present, so the control is still labelled. */
    assert_non_null(p.wf[3].label);
    assert_string_equal(p.wf[3].label, "");
    assert_false(p.wf[3].checked); /* only a JSON true is true */
    assert_string_equal(p.wf[4].label, "hello");
    assert_null(p.wf[5].label);
    done(&p);
}

static void test_progress(void **state)
{
    (void)state;
    parsed p;
    parse_ok(&p, "[{\"id\":1,\"type\":\"input\",\"inputType\":\"progress\",\"style\":{\"bar\":\"circular\"}},"
                 "{\"id\":2,\"type\":\"input\",\"inputType\":\"progress\",\"value\":0.75,\"max\":2.5,"
                 "\"style\":{\"bar\":\"horizontal\"}},"
                 "{\"id\":3,\"type\":\"input\",\"inputType\":\"progress\",\"value\":\"3\",\"max\":5,"
                 "\"style\":{\"bar\":\"rating\"}},"
                 "{\"id\":4,\"type\":\"input\",\"inputType\":\"progress\",\"value\":0,\"style\":{\"bar\":\"pie\"}},"
                 "{\"id\":5,\"type\":\"input\",\"inputType\":\"progress\",\"value\":\" 6.5 \",\"max\":\"12\","
                 "\"style\":{\"bar\":\"rating\"}},"
                 "{\"id\":6,\"type\":\"input\",\"inputType\":\"progress\",\"value\":\"half\",\"max\":\"\","
                 "\"style\":{\"bar\":\"rating\"}}]");
    assert_int_equal(p.count, 6);
    assert_int_equal(p.wf[0].style.bar, WF_BAR_CIRCULAR);
    assert_false(p.wf[0].has_progress_value);
    assert_false(p.wf[0].has_progress_max);

    assert_int_equal(p.wf[1].style.bar, WF_BAR_HORIZONTAL);
    assert_true(p.wf[1].has_progress_value);
    assert_num(p.wf[1].progress_value, 0.75);
    assert_true(p.wf[1].has_progress_max);
    assert_num(p.wf[1].progress_max, 2.5);
    assert_null(p.wf[1].value);

    assert_int_equal(p.wf[2].style.bar, WF_BAR_RATING);
    assert_true(p.wf[2].has_progress_value); /* a numeric string, as the player coerces it */
    assert_num(p.wf[2].progress_value, 3);
    assert_null(p.wf[2].value);
    assert_true(p.wf[2].has_progress_max);
    assert_num(p.wf[2].progress_max, 5);

    assert_int_equal(p.wf[3].style.bar, WF_BAR_NONE);
    assert_true(p.wf[3].has_progress_value);
    assert_num(p.wf[3].progress_value, 0);

    /* "6.5" of "12" (PostHog's fixture): the player draws 12 stars. */
    assert_true(p.wf[4].has_progress_value && p.wf[4].has_progress_max);
    assert_num(p.wf[4].progress_value, 6.5);
    assert_num(p.wf[4].progress_max, 12);
    /* Strings that are not numbers stay absent: a placeholder. */
    assert_false(p.wf[5].has_progress_value);
    assert_false(p.wf[5].has_progress_max);
    done(&p);
}

static void test_select_and_values(void **state)
{
    (void)state;
    parsed p;
    parse_ok(&p, "[{\"id\":1,\"type\":\"input\",\"inputType\":\"select\",\"value\":\"world\","
                 "\"options\":[\"hello\",3,\"world\",null,\"\"]},"
                 "{\"id\":2,\"type\":\"input\",\"inputType\":\"select\",\"options\":\"hello\"},"
                 "{\"id\":3,\"type\":\"input\",\"inputType\":\"button\",\"value\":\"click me\"},"
                 "{\"id\":4,\"type\":\"input\",\"inputType\":\"password\",\"value\":\"*****\"},"
                 "{\"id\":5,\"type\":\"input\",\"inputType\":\"text\",\"value\":12}]");
    assert_string_equal(p.wf[0].value, "world");
    assert_int_equal(p.wf[0].option_count, 3);
    assert_string_equal(p.wf[0].options[0], "hello");
    assert_string_equal(p.wf[0].options[1], "world");
    assert_string_equal(p.wf[0].options[2], "");
    assert_int_equal(p.wf[1].option_count, 0);
    assert_null(p.wf[1].options);
    assert_null(p.wf[1].value);
    assert_string_equal(p.wf[2].value, "click me");
    assert_string_equal(p.wf[3].value, "*****");
    assert_null(p.wf[4].value);
    done(&p);
}

static void test_parse_color(void **state)
{
    (void)state;
    reelay_arena arena;
    reelay_arena_init(&arena);
    static const struct {
        const char *text;
        bool valid;
        uint8_t r, g, b, a;
    } cases[] = {
        {"#FFF", true, 255, 255, 255, 255},
        {"#abc", true, 0xaa, 0xbb, 0xcc, 255},
        {"#1234", true, 0x11, 0x22, 0x33, 0x44},
        {"#1D4AFF", true, 0x1d, 0x4a, 0xff, 255},
        {"#1d4aff80", true, 0x1d, 0x4a, 0xff, 0x80},
        {"f3f4EF", true, 0xf3, 0xf4, 0xef, 255},
        {"fff", true, 255, 255, 255, 255},
        {" #000000 ", true, 0, 0, 0, 255},
        {"rgb(255, 0, 10)", true, 255, 0, 10, 255},
        {"RGBA(1,2,3,0.5)", true, 1, 2, 3, 128},
        {"rgba(300, -5, 100%, 0)", true, 255, 0, 255, 0},
        {"rgb(10.4, 20.6, 30)", true, 10, 21, 30, 255},
        {"red", true, 255, 0, 0, 255},
        {"Navy", true, 0, 0, 128, 255},
        {"aqua", true, 0, 255, 255, 255},
        {"silver", true, 192, 192, 192, 255},
        {"transparent", true, 0, 0, 0, 0},
        {"nonsense", false, 0, 0, 0, 0},
        {"#12345", false, 0, 0, 0, 0},
        {"#ggg", false, 0, 0, 0, 0},
        {"#", false, 0, 0, 0, 0},
        {"rgb(1,2)", false, 0, 0, 0, 0},
        {"rgb(1,2,3,4,5)", false, 0, 0, 0, 0},
        {"rgb(1,2,x)", false, 0, 0, 0, 0},
        {"rgb(1,2,3", false, 0, 0, 0, 0},
        {"rgb()", false, 0, 0, 0, 0},
        {"rgb(0x10,2,3)", false, 0, 0, 0, 0},
        {"   ", false, 0, 0, 0, 0},
        {"grey", false, 0, 0, 0, 0}, /* not one of the 16 basic names */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        reelay_color c = reelay_parse_color(&arena, cases[i].text);
        if (!c.set || c.valid != cases[i].valid)
            fail_msg("\"%s\": set=%d valid=%d", cases[i].text, c.set, c.valid);
        assert_string_equal(c.raw, cases[i].text);
        assert_true(c.raw != cases[i].text);
        if (c.valid && (c.r != cases[i].r || c.g != cases[i].g || c.b != cases[i].b || c.a != cases[i].a))
            fail_msg("\"%s\": got %d,%d,%d,%d", cases[i].text, c.r, c.g, c.b, c.a);
    }
    reelay_color none = reelay_parse_color(&arena, NULL);
    assert_false(none.set);
    assert_null(none.raw);
    none = reelay_parse_color(&arena, "");
    assert_false(none.set);
    assert_false(none.valid);
    reelay_arena_free(&arena);
}

static void test_style(void **state)
{
    (void)state;
    parsed p;
    parse_ok(&p, "[{\"id\":1,\"style\":{"
                 "\"color\":\"#FF0000\",\"backgroundColor\":\"rgba(0,0,255,0.5)\",\"borderColor\":\"bogus\","
                 "\"backgroundImage\":\"url(x.png)\",\"backgroundSize\":\"cover\","
                 "\"borderWidth\":\"4px\",\"borderRadius\":\"4\",\"fontSize\":4,\"paddingTop\":0,"
                 "\"paddingBottom\":\"\",\"paddingLeft\":\"1.5px\",\"paddingRight\":\"abc\","
                 "\"verticalAlign\":\"center\",\"horizontalAlign\":\"right\",\"fontFamily\":\"sans-serif-bold\","
                 "\"iconLeft\":\"data:image/png;base64,AA\",\"iconRight\":7}},"
                 "{\"id\":2,\"style\":{\"color\":\"\",\"backgroundColor\":5,\"borderColor\":null,"
                 "\"backgroundSize\":\"stretch\",\"borderWidth\":true,\"borderRadius\":\"4pxpx\","
                 "\"fontSize\":\"px\",\"paddingTop\":-2,\"paddingBottom\":\"-3px\",\"paddingLeft\":\" 2px \","
                 "\"paddingRight\":\"1e1\",\"verticalAlign\":\"bottom\",\"horizontalAlign\":\"left\","
                 "\"fontFamily\":3,\"backgroundImage\":false}},"
                 "{\"id\":3,\"style\":\"color:red\"},"
                 "{\"id\":4,\"style\":{\"verticalAlign\":\"top\",\"horizontalAlign\":\"center\","
                 "\"backgroundSize\":\"contain\",\"fontSize\":\"0px\"}},"
                 "{\"id\":5,\"style\":{\"backgroundSize\":\"auto\",\"borderWidth\":\"0x1\",\"borderRadius\":\"inf\"}}]");
    assert_int_equal(p.count, 5);
    const reelay_wf_style *s = &p.wf[0].style;
    assert_true(s->color.set && s->color.valid);
    assert_int_equal(s->color.r, 255);
    assert_string_equal(s->color.raw, "#FF0000");
    assert_true(s->background_color.valid);
    assert_int_equal(s->background_color.b, 255);
    assert_int_equal(s->background_color.a, 128);
    assert_true(s->border_color.set);
    assert_false(s->border_color.valid);
    assert_string_equal(s->border_color.raw, "bogus");
    assert_string_equal(s->background_image, "url(x.png)");
    assert_int_equal(s->background_size, WF_BG_SIZE_COVER);
    assert_true(s->border_width.set);
    assert_num(s->border_width.value, 4);
    assert_true(s->border_radius.set);
    assert_num(s->border_radius.value, 4);
    assert_true(s->font_size.set);
    assert_num(s->font_size.value, 4);
    assert_true(s->padding_top.set); /* 0 is applied */
    assert_num(s->padding_top.value, 0);
    assert_false(s->padding_bottom.set);
    assert_true(s->padding_left.set);
    assert_num(s->padding_left.value, 1.5);
    assert_false(s->padding_right.set);
    assert_int_equal(s->vertical_align, WF_ALIGN_CENTER);
    assert_int_equal(s->horizontal_align, WF_ALIGN_END);
    assert_string_equal(s->font_family, "sans-serif-bold");
    assert_int_equal(s->bar, WF_BAR_NONE);

    s = &p.wf[1].style;
    assert_false(s->color.set);
    assert_false(s->background_color.set);
    assert_false(s->border_color.set);
    assert_int_equal(s->background_size, WF_BG_SIZE_UNSET);
    assert_false(s->border_width.set);
    assert_false(s->border_radius.set);
    assert_false(s->font_size.set);
    assert_false(s->padding_top.set);
    assert_false(s->padding_bottom.set);
    assert_true(s->padding_left.set);
    assert_num(s->padding_left.value, 2);
    assert_true(s->padding_right.set);
    assert_num(s->padding_right.value, 10);
    assert_int_equal(s->vertical_align, WF_ALIGN_END);
    assert_int_equal(s->horizontal_align, WF_ALIGN_START);
    assert_null(s->font_family);
    assert_null(s->background_image);

    s = &p.wf[2].style;
    assert_false(s->color.set);
    assert_int_equal(s->vertical_align, WF_ALIGN_UNSET);

    s = &p.wf[3].style;
    assert_int_equal(s->vertical_align, WF_ALIGN_START);
    assert_int_equal(s->horizontal_align, WF_ALIGN_CENTER);
    assert_int_equal(s->background_size, WF_BG_SIZE_CONTAIN);
    assert_true(s->font_size.set);
    assert_num(s->font_size.value, 0);

    s = &p.wf[4].style;
    assert_int_equal(s->background_size, WF_BG_SIZE_AUTO);
    assert_false(s->border_width.set);
    assert_false(s->border_radius.set);
    done(&p);
}

static void test_children_in_order(void **state)
{
    (void)state;
    parsed p;
    parse_ok(&p, "[{\"id\":1,\"childWireframes\":["
                 "{\"id\":2,\"type\":\"text\",\"text\":\"a\"},"
                 "{\"id\":3,\"type\":\"unknown\",\"childWireframes\":[{\"id\":99}]},"
                 "{\"id\":4,\"childWireframes\":[{\"id\":5},{\"id\":6,\"childWireframes\":[]}]},"
                 "{\"id\":7,\"type\":\"image\"}]},"
                 "{\"id\":8,\"childWireframes\":{\"id\":9}},"
                 "{\"id\":10,\"childWireframes\":[{\"id\":11,\"type\":\"nope\"}]}]");
    assert_int_equal(p.count, 3);
    const reelay_wireframe *root = &p.wf[0];
    assert_int_equal(root->child_count, 3);
    assert_int_equal(root->children[0].id, 2);
    assert_string_equal(root->children[0].text, "a");
    assert_int_equal(root->children[1].id, 4);
    assert_int_equal(root->children[1].child_count, 2);
    assert_int_equal(root->children[1].children[0].id, 5);
    assert_int_equal(root->children[1].children[1].id, 6);
    assert_int_equal(root->children[1].children[1].child_count, 0);
    assert_null(root->children[1].children[1].children);
    assert_int_equal(root->children[2].id, 7);
    assert_int_equal(root->children[2].type, WF_IMAGE);
    /* A non-array childWireframes is ignored. */
    assert_int_equal(p.wf[1].id, 8);
    assert_int_equal(p.wf[1].child_count, 0);
    /* All children dropped: an empty list. */
    assert_int_equal(p.wf[2].child_count, 0);
    assert_null(p.wf[2].children);
    assert_int_equal(p.stats.skipped_wireframes, 2);
    done(&p);
}

/* [{"id":1,"childWireframes":[{"id":2,"childWireframes":[...]}]}] nested `depth` deep. */
static json_t *nested(int depth)
{
    json_t *inner = NULL;
    for (int level = depth; level >= 1; level--) {
        json_t *wf = json_object();
        json_object_set_new(wf, "id", json_integer(level));
        if (inner) {
            json_t *kids = json_array();
            json_array_append_new(kids, inner);
            json_object_set_new(wf, "childWireframes", kids);
        }
        inner = wf;
    }
    json_t *top = json_array();
    json_array_append_new(top, inner);
    return top;
}

static void test_depth_limit(void **state)
{
    (void)state;
    reelay_arena arena;
    reelay_arena_init(&arena);
    reelay_err err;
    reelay_err_clear(&err);
    reelay_wireframe *wf = NULL;
    size_t count = 0;
    const int max_depth = reelay_ingest_defaults().max_tree_depth;

    json_t *ok = nested(max_depth);
    assert_int_equal(reelay_parse_wireframes(ok, &arena, &wf, &count, NULL, NULL, "event 1: data.wireframes", &err), 0);
    json_decref(ok);
    assert_int_equal(count, 1);
    const reelay_wireframe *w = &wf[0];
    int levels = 1;
    while (w->child_count == 1) {
        w = &w->children[0];
        levels++;
    }
    assert_int_equal(levels, max_depth);
    assert_int_equal(w->id, max_depth);

    json_t *deep = nested(max_depth + 1);
    int rc = reelay_parse_wireframes(deep, &arena, &wf, &count, NULL, NULL, "event 1: data.wireframes", &err);
    json_decref(deep);
    assert_int_equal(rc, REELAY_E_INPUT);
    assert_non_null(strstr(err.msg, "event 1: data.wireframes[0].childWireframes[0]"));
    assert_non_null(strstr(err.msg, "nested deeper than 512 levels (raise --max-tree-depth)"));
    assert_int_equal(count, 0);

    /* Far deeper input must not exhaust the stack either. */
    json_t *very = nested(5000);
    rc = reelay_parse_wireframes(very, &arena, &wf, &count, NULL, NULL, "event 1: data.wireframes", &err);
    json_decref(very);
    assert_int_equal(rc, REELAY_E_INPUT);
    reelay_arena_free(&arena);
}

/* Limits other than the defaults: the depth and the wireframes met, counted
 * over a whole snapshot or a whole mutation. */
static void test_custom_limits(void **state)
{
    (void)state;
    reelay_arena arena;
    reelay_arena_init(&arena);
    reelay_err err;
    reelay_err_clear(&err);
    reelay_wireframe *wf = NULL;
    size_t count = 0;
    reelay_ingest_options limits = reelay_ingest_defaults();
    limits.max_tree_depth = 3;
    limits.max_wireframes = 3;

    json_t *three = nested(3);
    assert_int_equal(reelay_parse_wireframes(three, &arena, &wf, &count, NULL, &limits, "w", &err), REELAY_OK);
    json_decref(three);
    json_t *four = nested(4);
    assert_int_equal(reelay_parse_wireframes(four, &arena, &wf, &count, NULL, &limits, "w", &err), REELAY_E_INPUT);
    assert_string_equal(err.msg, "w[0].childWireframes[0].childWireframes[0].childWireframes[0]: wireframes nested "
                                 "deeper than 3 levels (raise --max-tree-depth)");
    limits.max_tree_depth = 10;
    assert_int_equal(reelay_parse_wireframes(four, &arena, &wf, &count, NULL, &limits, "w", &err), REELAY_E_INPUT);
    assert_string_equal(err.msg, "w[0].childWireframes[0].childWireframes[0].childWireframes[0]: more than 3 "
                                 "wireframes in one snapshot (raise --max-wireframes)");
    json_decref(four);

    /* The ceiling itself is safe for the recursive reader (also under ASan). */
    limits.max_tree_depth = REELAY_MAX_TREE_DEPTH_CEILING;
    limits.max_wireframes = REELAY_MAX_TREE_DEPTH_CEILING;
    json_t *deepest = nested(REELAY_MAX_TREE_DEPTH_CEILING);
    assert_int_equal(reelay_parse_wireframes(deepest, &arena, &wf, &count, NULL, &limits, "w", &err), REELAY_OK);
    json_decref(deepest);
    limits.max_tree_depth = 10;
    limits.max_wireframes = 3;

    /* Siblings count as much as descendants; so do a mutation's adds and updates together. */
    json_t *data = ts_json("{\"adds\":[{\"parentId\":1,\"wireframe\":{\"id\":2,\"childWireframes\":[{\"id\":3}]}}],"
                           "\"updates\":[{\"parentId\":1,\"wireframe\":{\"id\":4}},{\"wireframe\":{\"id\":5}}]}");
    reelay_event ev;
    memset(&ev, 0, sizeof ev);
    assert_int_equal(reelay_parse_mobile_mutation(data, &arena, &ev, NULL, &limits, "event 7: data", &err),
                     REELAY_E_INPUT);
    assert_string_equal(err.msg, "event 7: data.updates[1].wireframe: more than 3 wireframes in one mutation (raise "
                                 "--max-wireframes)");
    limits.max_wireframes = 4;
    memset(&ev, 0, sizeof ev);
    assert_int_equal(reelay_parse_mobile_mutation(data, &arena, &ev, NULL, &limits, "event 7: data", &err), REELAY_OK);
    assert_int_equal(ev.u.mutation.add_count + ev.u.mutation.update_count, 3);
    json_decref(data);
    reelay_arena_free(&arena);
}

static void test_deep_error_keeps_field_name(void **state)
{
    (void)state;
    /* A bad field deep in the tree: the message keeps both the start and
     * the end of a long path. */
    json_t *top = nested(150);
    json_t *w = json_array_get(top, 0);
    for (int i = 1; i < 150; i++) w = json_array_get(json_object_get(w, "childWireframes"), 0);
    json_object_set_new(w, "x", json_string("left"));
    reelay_arena arena;
    reelay_arena_init(&arena);
    reelay_err err;
    reelay_err_clear(&err);
    reelay_wireframe *wf = NULL;
    size_t count = 0;
    int rc = reelay_parse_wireframes(top, &arena, &wf, &count, NULL, NULL, "event 9: data.wireframes", &err);
    json_decref(top);
    assert_int_equal(rc, REELAY_E_INPUT);
    assert_true(strncmp(err.msg, "event 9: data.wireframes[0]", 27) == 0);
    assert_non_null(strstr(err.msg, "...")); /* the middle was shortened */
    assert_non_null(strstr(err.msg, ".childWireframes[0].x: expected a number"));
    reelay_arena_free(&arena);
}

static void test_non_object_wireframe_is_error(void **state)
{
    (void)state;
    parsed p;
    parse_fails(&p, "[{\"id\":1},3]", "event 3: data.wireframes[1]: expected a wireframe object");
    done(&p);
    parse_fails(&p, "[{\"id\":1,\"childWireframes\":[{\"id\":2},null]}]",
                "event 3: data.wireframes[0].childWireframes[1]: expected a wireframe object");
    done(&p);
    parse_fails(&p, "{\"id\":1}", "event 3: data.wireframes: expected an array");
    done(&p);
}

static void test_missing_id_is_error(void **state)
{
    (void)state;
    parsed p;
    parse_fails(&p,
                "[{\"id\":1},{\"id\":2,\"childWireframes\":[{\"id\":3},{\"id\":4},{\"type\":\"text\"}]}]",
                "event 3: data.wireframes[1].childWireframes[2].id: expected an integer id");
    done(&p);
    parse_fails(&p, "[{\"id\":\"12\"}]", "event 3: data.wireframes[0].id: expected an integer id");
    done(&p);
    parse_fails(&p, "[{\"id\":1.5}]", "event 3: data.wireframes[0].id");
    done(&p);
    parse_fails(&p, "[{\"id\":null,\"type\":\"image\"}]", "data.wireframes[0].id");
    done(&p);
}

static void test_empty_array(void **state)
{
    (void)state;
    parsed p;
    parse_ok(&p, "[]");
    assert_int_equal(p.count, 0);
    assert_null(p.wf);
    done(&p);
}

/* ------------------------------------------------------------------------ */
/* Mutations                                                                */
/* ------------------------------------------------------------------------ */

typedef struct parsed_mutation {
    reelay_arena arena;
    reelay_ingest_stats stats;
    reelay_err err;
    reelay_event ev;
    int rc;
} parsed_mutation;

static void parse_mutation(parsed_mutation *m, const char *text)
{
    memset(m, 0, sizeof *m);
    reelay_arena_init(&m->arena);
    reelay_err_clear(&m->err);
    json_t *json = ts_json(text);
    m->rc = reelay_parse_mobile_mutation(json, &m->arena, &m->ev, &m->stats, NULL, "event 7: data", &m->err);
    json_decref(json);
}

static void test_mutation(void **state)
{
    (void)state;
    parsed_mutation m;
    parse_mutation(&m, "{\"source\":0,"
                       "\"adds\":[{\"parentId\":52129787123,\"wireframe\":{\"id\":10,\"type\":\"text\",\"text\":\"hi\","
                       "\"childWireframes\":[{\"id\":11,\"type\":\"image\"}]}},"
                       "{\"wireframe\":{\"id\":12,\"type\":\"screenshot\",\"base64\":\"AAAA\"}},"
                       "{\"parentId\":1,\"wireframe\":{\"id\":13,\"type\":\"weird\"}},"
                       "{\"parentId\":1}],"
                       "\"updates\":[{\"parentId\":4324378400,\"wireframe\":{\"id\":20,\"width\":\"100vw\"}},"
                       "{\"wireframe\":{\"id\":21,\"type\":\"input\",\"inputType\":\"toggle\",\"checked\":true}}],"
                       "\"removes\":[{\"parentId\":1,\"id\":30},{\"id\":31},{\"parentId\":2,\"id\":52129787123,"
                       "\"isShadow\":false}]}");
    if (m.rc) fail_msg("%s", m.err.msg);
    assert_int_equal(m.ev.u.mutation.add_count, 2);
    const reelay_wf_mutation_node *a = m.ev.u.mutation.adds;
    assert_true(a[0].has_parent_id);
    assert_true(a[0].parent_id == INT64_C(52129787123));
    assert_int_equal(a[0].wireframe.id, 10);
    assert_string_equal(a[0].wireframe.text, "hi");
    assert_int_equal(a[0].wireframe.child_count, 1);
    assert_int_equal(a[0].wireframe.children[0].id, 11);
    assert_false(a[1].has_parent_id);
    assert_int_equal(a[1].wireframe.type, WF_SCREENSHOT);
    assert_string_equal(a[1].wireframe.base64, "AAAA");
    assert_int_equal(m.stats.skipped_wireframes, 1);

    assert_int_equal(m.ev.u.mutation.update_count, 2);
    const reelay_wf_mutation_node *u = m.ev.u.mutation.updates;
    assert_true(u[0].has_parent_id);
    assert_true(u[0].parent_id == INT64_C(4324378400));
    assert_true(u[0].wireframe.width_is_viewport);
    assert_false(u[1].has_parent_id);
    assert_int_equal(u[1].wireframe.input_type, WF_INPUT_TOGGLE);
    assert_true(u[1].wireframe.checked);

    assert_int_equal(m.ev.u.mutation.remove_count, 3);
    const reelay_wf_remove *r = m.ev.u.mutation.removes;
    assert_int_equal(r[0].parent_id, 1);
    assert_int_equal(r[0].id, 30);
    assert_int_equal(r[1].parent_id, 0);
    assert_int_equal(r[1].id, 31);
    assert_true(r[2].id == INT64_C(52129787123));
    /* The caller owns kind and timestamps. */
    assert_int_equal(m.ev.kind, EV_META);
    assert_num(m.ev.timestamp, 0);
    reelay_arena_free(&m.arena);
}

static void test_mutation_missing_arrays(void **state)
{
    (void)state;
    parsed_mutation m;
    parse_mutation(&m, "{\"source\":0,\"updates\":[{\"parentId\":5,\"wireframe\":{\"id\":1}}]}");
    assert_int_equal(m.rc, 0);
    assert_int_equal(m.ev.u.mutation.add_count, 0);
    assert_null(m.ev.u.mutation.adds);
    assert_int_equal(m.ev.u.mutation.update_count, 1);
    assert_int_equal(m.ev.u.mutation.remove_count, 0);
    assert_null(m.ev.u.mutation.removes);
    reelay_arena_free(&m.arena);

    parse_mutation(&m, "{\"source\":0,\"adds\":{},\"updates\":\"x\",\"removes\":[]}");
    assert_int_equal(m.rc, 0);
    assert_int_equal(m.ev.u.mutation.add_count, 0);
    assert_int_equal(m.ev.u.mutation.update_count, 0);
    assert_int_equal(m.ev.u.mutation.remove_count, 0);
    reelay_arena_free(&m.arena);
}

static void test_mutation_errors(void **state)
{
    (void)state;
    static const struct {
        const char *json;
        const char *message;
    } cases[] = {
        {"{\"removes\":[{\"id\":1},{\"parentId\":1}]}", "event 7: data.removes[1].id: expected an integer id"},
        {"{\"removes\":[{\"id\":\"1\"}]}", "event 7: data.removes[0].id: expected an integer id"},
        {"{\"removes\":[5]}", "event 7: data.removes[0]: expected an object"},
        {"{\"adds\":[{\"parentId\":1,\"wireframe\":{\"id\":1}},7]}", "event 7: data.adds[1]: expected an object"},
        {"{\"adds\":[{\"parentId\":\"1\",\"wireframe\":{\"id\":1}}]}", "event 7: data.adds[0].parentId"},
        {"{\"updates\":[{\"wireframe\":{\"id\":1,\"childWireframes\":[{\"x\":1}]}}]}",
         "event 7: data.updates[0].wireframe.childWireframes[0].id: expected an integer id"},
        {"{\"updates\":[{\"wireframe\":\"text\"}]}", "event 7: data.updates[0].wireframe: expected a wireframe object"},
        {"[1]", "event 7: data: expected an object"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        parsed_mutation m;
        parse_mutation(&m, cases[i].json);
        assert_int_equal(m.rc, REELAY_E_INPUT);
        if (!strstr(m.err.msg, cases[i].message))
            fail_msg("%s: message \"%s\" lacks \"%s\"", cases[i].json, m.err.msg, cases[i].message);
        reelay_arena_free(&m.arena);
    }
}

static void test_mutation_entry_without_wireframe_omitted(void **state)
{
    (void)state;
    parsed_mutation m;
    parse_mutation(&m, "{\"adds\":[{\"parentId\":1},{\"parentId\":1,\"wireframe\":null},"
                       "{\"parentId\":2,\"wireframe\":{\"id\":3}}]}");
    assert_int_equal(m.rc, 0);
    assert_int_equal(m.ev.u.mutation.add_count, 1);
    assert_int_equal(m.ev.u.mutation.adds[0].parent_id, 2);
    assert_int_equal(m.ev.u.mutation.adds[0].wireframe.id, 3);
    reelay_arena_free(&m.arena);
}

static void test_is_mobile_mutation(void **state)
{
    (void)state;
    static const struct {
        const char *json;
        bool expect;
    } cases[] = {
        {"{\"source\":0,\"adds\":[{\"parentId\":1,\"wireframe\":{\"id\":2}}]}", true},
        {"{\"source\":0,\"updates\":[{\"wireframe\":{\"id\":2}}]}", true},
        {"{\"source\":0,\"adds\":[],\"updates\":[{\"parentId\":1,\"wireframe\":{}}]}", true},
        {"{\"source\":0,\"adds\":[{\"parentId\":1,\"wireframe\":null}]}", true},
        {"{\"source\":0,\"adds\":[{\"parentId\":1,\"nextId\":null,\"node\":{\"type\":2}}],\"removes\":[],"
         "\"texts\":[],\"attributes\":[]}",
         false},
        {"{\"source\":0,\"adds\":[{\"parentId\":1},{\"wireframe\":{\"id\":2}}]}", false},
        {"{\"source\":0,\"removes\":[{\"parentId\":1,\"id\":2}]}", false},
        {"{\"source\":0,\"adds\":{\"wireframe\":{}}}", false},
        {"{\"source\":0,\"adds\":[[{\"wireframe\":{}}]]}", false},
        {"{}", false},
        {"[]", false},
        {"null", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *json = json_loads(cases[i].json, JSON_DECODE_ANY, NULL);
        assert_non_null(json);
        if (reelay_is_mobile_mutation(json) != cases[i].expect) fail_msg("wrong answer for %s", cases[i].json);
        json_decref(json);
    }
    assert_false(reelay_is_mobile_mutation(NULL));
}

/* ------------------------------------------------------------------------ */
/* PostHog's public transformer fixture                                     */
/* ------------------------------------------------------------------------ */

#define VARIANTS_PATH "../shared/fixtures/public/posthog_transform-test-wireframe-variants.json"

static void test_public_wireframe_variants(void **state)
{
    (void)state;
    FILE *fp = fopen(VARIANTS_PATH, "rb");
    if (!fp) skip();
    fclose(fp);
    char *text = ts_read_text(VARIANTS_PATH, NULL);
    json_t *json = ts_json(text);
    free(text);
    assert_int_equal(json_array_size(json), 29);

    parsed p;
    memset(&p, 0, sizeof p);
    reelay_arena_init(&p.arena);
    p.rc = reelay_parse_wireframes(json, &p.arena, &p.wf, &p.count, &p.stats, NULL, "fixture", &p.err);
    if (p.rc) fail_msg("%s", p.err.msg);

    /* Exactly the "radio group" type and the input without inputType go. */
    size_t expect_count = 0;
    for (size_t i = 0; i < json_array_size(json); i++) {
        const json_t *item = json_array_get(json, i);
        const char *type = json_string_value(json_object_get(item, "type"));
        bool dropped = (type && strcmp(type, "radio group") == 0) ||
                       (type && strcmp(type, "input") == 0 && !json_object_get(item, "inputType"));
        if (dropped) continue;
        assert_true(expect_count < p.count);
        assert_true(p.wf[expect_count].id == json_integer_value(json_object_get(item, "id")));
        const json_t *input_type = json_object_get(item, "inputType");
        if (input_type) assert_string_equal(p.wf[expect_count].input_type_name, json_string_value(input_type));
        expect_count++;
    }
    json_decref(json);
    assert_int_equal(expect_count, 27);
    assert_int_equal(p.count, 27);
    assert_int_equal(p.stats.skipped_wireframes, 2);

    /* Spot checks of the variants. */
    assert_int_equal(p.wf[0].input_type, WF_INPUT_TEXT);
    assert_string_equal(p.wf[0].value, "hello");
    assert_true(p.wf[6].disabled);
    assert_int_equal(p.wf[8].type, WF_RADIO_GROUP);
    assert_int_equal(p.wf[9].input_type, WF_INPUT_CHECKBOX); /* index 10 before the drop */
    assert_string_equal(p.wf[9].label, "first");
    assert_null(p.wf[12].label);
    assert_int_equal(p.wf[18].input_type, WF_INPUT_OTHER); /* "textArea" */
    assert_int_equal(p.wf[20].input_type, WF_INPUT_SELECT);
    assert_int_equal(p.wf[20].option_count, 2);
    assert_int_equal(p.wf[21].style.bar, WF_BAR_CIRCULAR);
    assert_true(p.wf[24].has_progress_max);
    assert_num(p.wf[24].progress_max, 2.5);
    assert_int_equal(p.wf[25].type, WF_PLACEHOLDER);
    assert_string_equal(p.wf[25].label, "hello");
    assert_int_equal(p.wf[26].type, WF_WEB_VIEW);
    done(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_type),
        cmocka_unit_test(test_unknown_type_dropped_with_subtree),
        cmocka_unit_test(test_unknown_type_needs_no_valid_fields),
        cmocka_unit_test(test_input_types),
        cmocka_unit_test(test_input_without_input_type_dropped),
        cmocka_unit_test(test_ids_are_64_bit),
        cmocka_unit_test(test_geometry),
        cmocka_unit_test(test_numbers_out_of_range_are_errors),
        cmocka_unit_test(test_content_strings),
        cmocka_unit_test(test_label_presence),
        cmocka_unit_test(test_progress),
        cmocka_unit_test(test_select_and_values),
        cmocka_unit_test(test_parse_color),
        cmocka_unit_test(test_style),
        cmocka_unit_test(test_children_in_order),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_custom_limits),
        cmocka_unit_test(test_deep_error_keeps_field_name),
        cmocka_unit_test(test_non_object_wireframe_is_error),
        cmocka_unit_test(test_missing_id_is_error),
        cmocka_unit_test(test_empty_array),
        cmocka_unit_test(test_mutation),
        cmocka_unit_test(test_mutation_missing_arrays),
        cmocka_unit_test(test_mutation_errors),
        cmocka_unit_test(test_mutation_entry_without_wireframe_omitted),
        cmocka_unit_test(test_is_mobile_mutation),
        cmocka_unit_test(test_public_wireframe_variants),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
