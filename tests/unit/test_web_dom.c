#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/idmap.h"
#include "ingest/web_dom.h"

static const char *const DOCUMENT_JSON =
    "{\"type\":0,\"id\":1,\"childNodes\":["
    " {\"type\":1,\"id\":2,\"name\":\"html\",\"publicId\":\"\",\"systemId\":\"\"},"
    " {\"type\":2,\"id\":3,\"tagName\":\"HTML\",\"attributes\":{\"lang\":\"en\"},\"childNodes\":["
    "  {\"type\":2,\"id\":4,\"tagName\":\"head\",\"attributes\":{},\"childNodes\":["
    "   {\"type\":2,\"id\":5,\"tagName\":\"title\",\"attributes\":{},\"childNodes\":["
    "    {\"type\":3,\"id\":6,\"textContent\":\"  Shop \\n\\t Example  \"}]},"
    "   {\"type\":2,\"id\":7,\"tagName\":\"style\",\"attributes\":{\"_cssText\":\"body{}\"},\"childNodes\":["
    "    {\"type\":3,\"id\":8,\"textContent\":\"body { color: red }\"}]}]},"
    "  {\"type\":3,\"id\":9,\"textContent\":\"\\n\",\"isStyle\":true},"
    "  {\"type\":2,\"id\":10,\"tagName\":\"body\",\"attributes\":{\"class\":\"page\"},\"childNodes\":["
    "   {\"type\":5,\"id\":11,\"textContent\":\" a comment \"},"
    "   {\"type\":2,\"id\":12,\"tagName\":\"button\",\"attributes\":{\"id\":\"buy\",\"class\":\"btn primary\","
    "     \"type\":\"submit\",\"aria-label\":\"Buy now\",\"title\":7,\"data-x\":\"ignored\"},\"childNodes\":["
    "    {\"type\":3,\"id\":13,\"textContent\":\"Buy\"}]},"
    "   {\"type\":2,\"id\":14,\"tagName\":\"input\",\"attributes\":{\"name\":\"email\",\"placeholder\":\"you@example.com\","
    "     \"type\":\"email\",\"required\":true,\"href\":null},\"childNodes\":[]},"
    "   {\"type\":2,\"id\":15,\"tagName\":\"svg\",\"isSVG\":true,\"attributes\":{\"viewBox\":\"0 0 1 1\"},\"childNodes\":["
    "    {\"type\":2,\"id\":16,\"tagName\":\"path\",\"isSVG\":true,\"attributes\":{\"d\":\"M0\"}}]},"
    "   {\"type\":2,\"id\":17,\"tagName\":\"div\",\"attributes\":{\"class\":\"ph-no-capture\",\"rr_width\":\"155px\","
    "     \"rr_height\":\"20px\"},\"childNodes\":[]},"
    "   {\"type\":9,\"id\":18,\"childNodes\":[{\"type\":3,\"id\":19,\"textContent\":\"lost\"}]},"
    "   {\"type\":2,\"id\":20,\"tagName\":\"a\",\"attributes\":{\"href\":\"/cart\"},\"isShadow\":true},"
    "   {\"type\":4,\"id\":21,\"textContent\":\"\"}"
    "  ]}]}]}";

static const reelay_dom_node *find(const reelay_dom_tree *tree, int64_t id)
{
    for (size_t i = 0; i < tree->count; i++)
        if (tree->nodes[i].id == id) return &tree->nodes[i];
    return NULL;
}

static void test_document(void **state)
{
    (void)state;
    json_t *json = ts_json(DOCUMENT_JSON);
    reelay_arena arena;
    reelay_arena_init(&arena);
    reelay_dom_tree tree;
    reelay_err err;
    reelay_err_clear(&err);
    assert_int_equal(reelay_parse_dom_tree(json, &arena, &tree, NULL, "event 0: data.node", &err), REELAY_OK);
    json_decref(json); /* everything must live in the arena */

    /* Pre-order, with the unknown type 9 and its child dropped. */
    static const int64_t order[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 20, 21};
    assert_int_equal(tree.count, sizeof order / sizeof order[0]);
    for (size_t i = 0; i < tree.count; i++) assert_int_equal(tree.nodes[i].id, order[i]);
    assert_null(find(&tree, 18));
    assert_null(find(&tree, 19));

    static const int64_t parents[][2] = {{1, -1}, {2, 1}, {3, 1}, {4, 3}, {5, 4}, {6, 5}, {7, 4}, {8, 7},
                                         {9, 3},  {10, 3}, {11, 10}, {12, 10}, {13, 12}, {16, 15}, {20, 10}};
    for (size_t i = 0; i < sizeof parents / sizeof parents[0]; i++)
        assert_int_equal(find(&tree, parents[i][0])->parent_id, parents[i][1]);
    for (size_t i = 0; i < tree.count; i++) assert_int_equal(tree.nodes[i].next_id, -1);

    assert_int_equal(find(&tree, 1)->type, DOM_DOCUMENT);
    assert_int_equal(find(&tree, 2)->type, DOM_DOCTYPE);
    assert_int_equal(find(&tree, 21)->type, DOM_CDATA);
    assert_string_equal(find(&tree, 3)->tag, "html");

    const reelay_dom_node *title_text = find(&tree, 6);
    assert_int_equal(title_text->type, DOM_TEXT);
    assert_string_equal(title_text->text, "Shop Example");
    assert_false(title_text->is_style_text);
    assert_true(find(&tree, 8)->is_style_text);
    assert_string_equal(find(&tree, 8)->text, "body { color: red }");
    assert_true(find(&tree, 9)->is_style_text);
    assert_string_equal(find(&tree, 9)->text, "");
    assert_int_equal(find(&tree, 11)->type, DOM_COMMENT);
    assert_string_equal(find(&tree, 11)->text, "a comment");

    const reelay_dom_node *button = find(&tree, 12);
    assert_string_equal(button->tag, "button");
    assert_string_equal(button->attr_id, "buy");
    assert_string_equal(button->attr_class, "btn primary");
    assert_string_equal(button->attr_type, "submit");
    assert_string_equal(button->attr_aria_label, "Buy now");
    assert_string_equal(button->attr_title, "7");
    assert_null(button->attr_href);
    assert_false(button->is_blocked);
    assert_string_equal(find(&tree, 13)->text, "Buy");

    const reelay_dom_node *input = find(&tree, 14);
    assert_string_equal(input->attr_name, "email");
    assert_string_equal(input->attr_placeholder, "you@example.com");
    assert_string_equal(input->attr_type, "email");
    assert_null(input->attr_href);

    assert_true(find(&tree, 15)->is_svg);
    assert_true(find(&tree, 16)->is_svg);
    assert_false(find(&tree, 12)->is_svg);
    assert_true(find(&tree, 17)->is_blocked);
    assert_string_equal(find(&tree, 17)->attr_class, "ph-no-capture");
    assert_true(find(&tree, 20)->is_shadow);
    assert_string_equal(find(&tree, 20)->attr_href, "/cart");

    reelay_idmap index;
    reelay_idmap_init(&index);
    assert_int_equal(reelay_dom_index(&tree, &index), 0);
    uint32_t at = 0;
    assert_true(reelay_idmap_get(&index, 14, &at));
    assert_int_equal(tree.nodes[at].id, 14);
    assert_true(reelay_idmap_get(&index, 1, &at));
    assert_int_equal(at, 0);
    assert_false(reelay_idmap_get(&index, 18, &at));
    reelay_idmap_free(&index);
    reelay_arena_free(&arena);
}

static const char *parse_text(reelay_arena *arena, const char *text)
{
    json_t *node = json_pack("{s:i, s:i, s:s}", "type", 3, "id", 1, "textContent", text);
    assert_non_null(node);
    reelay_dom_tree tree;
    reelay_err err;
    assert_int_equal(reelay_parse_dom_tree(node, arena, &tree, NULL, "n", &err), REELAY_OK);
    json_decref(node);
    assert_int_equal(tree.count, 1);
    return tree.nodes[0].text;
}

static void test_text_cut(void **state)
{
    (void)state;
    reelay_arena arena;
    reelay_arena_init(&arena);
    char long_text[640];

    /* 119 ASCII bytes then a 2-byte "é": the cut at 120 would split it. */
    memset(long_text, 'a', 119);
    strcpy(long_text + 119, "\xc3\xa9tail");
    const char *text = parse_text(&arena, long_text);
    assert_int_equal(strlen(text), 119);

    /* 118 bytes then a 3-byte "€": it ends at 121, so it is dropped whole. */
    memset(long_text, 'b', 118);
    strcpy(long_text + 118, "\xe2\x82\xac");
    text = parse_text(&arena, long_text);
    assert_int_equal(strlen(text), 118);

    /* Exactly 120 bytes ending in a whole multibyte character is kept. */
    memset(long_text, 'c', 117);
    strcpy(long_text + 117, "\xe2\x82\xac");
    text = parse_text(&arena, long_text);
    assert_int_equal(strlen(text), 120);
    assert_memory_equal(text + 117, "\xe2\x82\xac", 3);

    /* Whitespace runs collapse before the cut counts; a trailing space at the cut is trimmed. */
    size_t len = 0;
    for (int i = 0; i < 100; i++) {
        memcpy(long_text + len, "ab  \n ", 6);
        len += 6;
    }
    long_text[len] = '\0';
    text = parse_text(&arena, long_text);
    assert_true(strlen(text) <= REELAY_DOM_TEXT_MAX);
    assert_int_equal(strlen(text), 119); /* "ab " * 40 = 120, trailing space dropped */
    assert_int_equal(strncmp(text, "ab ab ab", 8), 0);

    assert_string_equal(parse_text(&arena, " \t\n "), "");
    reelay_arena_free(&arena);
}

static int parse_error(const char *json_text, const char *where, reelay_err *err)
{
    json_t *json = ts_json(json_text);
    reelay_arena arena;
    reelay_arena_init(&arena);
    reelay_dom_tree tree;
    reelay_err_clear(err);
    int rc = reelay_parse_dom_tree(json, &arena, &tree, NULL, where, err);
    json_decref(json);
    reelay_arena_free(&arena);
    return rc;
}

static void test_errors(void **state)
{
    (void)state;
    reelay_err err;
    assert_int_equal(parse_error("{\"type\":0,\"id\":1,\"childNodes\":[{\"type\":3,\"id\":2},"
                                 "{\"type\":2,\"id\":3,\"tagName\":\"p\",\"childNodes\":[{\"type\":3}]}]}",
                                 "event 2: data.node", &err),
                     REELAY_E_INPUT);
    assert_non_null(strstr(err.msg, "event 2: data.node.childNodes[1].childNodes[0].id: expected an integer id"));

    assert_int_equal(parse_error("{\"type\":0,\"id\":1,\"childNodes\":[{\"type\":3,\"id\":\"x\"}]}", "n", &err),
                     REELAY_E_INPUT);
    assert_non_null(strstr(err.msg, "n.childNodes[0].id"));

    assert_int_equal(parse_error("{\"type\":0,\"id\":1,\"childNodes\":[7]}", "n", &err), REELAY_E_INPUT);
    assert_non_null(strstr(err.msg, "n.childNodes[0]"));

    assert_int_equal(parse_error("{\"type\":0,\"id\":1,\"childNodes\":{}}", "n", &err), REELAY_E_INPUT);
    assert_non_null(strstr(err.msg, "n.childNodes"));

    assert_int_equal(parse_error("[1]", "n", &err), REELAY_E_INPUT);

    /* An unknown root type yields an empty tree, not an error. */
    assert_int_equal(parse_error("{\"type\":42,\"id\":1}", "n", &err), REELAY_OK);
}

/* Builds {"type":2,"id":1,"tagName":"div","childNodes":[ ... ]} nested `levels` deep. */
static char *nested_json(int levels)
{
    size_t cap = (size_t)levels * 80 + 64;
    char *text = malloc(cap);
    assert_non_null(text);
    size_t len = 0;
    for (int i = 0; i < levels; i++)
        len += (size_t)snprintf(text + len, cap - len, "{\"type\":2,\"id\":%d,\"tagName\":\"div\",\"childNodes\":[",
                                i + 1);
    for (int i = 0; i < levels; i++) len += (size_t)snprintf(text + len, cap - len, "]}");
    return text;
}

static void test_depth(void **state)
{
    (void)state;
    reelay_err err;
    const int max_depth = reelay_ingest_defaults().max_tree_depth;
    char *text = nested_json(max_depth);
    json_t *json = ts_json(text);
    reelay_arena arena;
    reelay_arena_init(&arena);
    reelay_dom_tree tree;
    reelay_err_clear(&err);
    assert_int_equal(reelay_parse_dom_tree(json, &arena, &tree, NULL, "n", &err), REELAY_OK);
    assert_int_equal(tree.count, max_depth);
    assert_int_equal(tree.nodes[max_depth - 1].parent_id, max_depth - 1);
    json_decref(json);
    free(text);

    /* One level more puts an element at depth MAX+1. */
    text = nested_json(max_depth + 1);
    json = ts_json(text);
    assert_int_equal(reelay_parse_dom_tree(json, &arena, &tree, NULL, "n", &err), REELAY_E_INPUT);
    assert_non_null(strstr(err.msg, "DOM nested deeper than 512 levels (raise --max-tree-depth)"));
    assert_non_null(strstr(err.msg, "n.childNodes[0].childNodes[0].childNodes[0].childNodes[0].childNodes[...501 levels...].childNodes[0]"));
    json_decref(json);
    free(text);

    text = nested_json(1000);
    json = ts_json(text);
    assert_int_equal(reelay_parse_dom_tree(json, &arena, &tree, NULL, "n", &err), REELAY_E_INPUT);
    json_decref(json);
    free(text);
    reelay_arena_free(&arena);
}

static void test_custom_limits(void **state)
{
    (void)state;
    reelay_err err;
    reelay_err_clear(&err);
    reelay_arena arena;
    reelay_arena_init(&arena);
    reelay_dom_tree tree;
    reelay_ingest_options limits = reelay_ingest_defaults();
    limits.max_tree_depth = 2;
    char *text = nested_json(3);
    json_t *json = ts_json(text);
    assert_int_equal(reelay_parse_dom_tree(json, &arena, &tree, &limits, "n", &err), REELAY_E_INPUT);
    assert_string_equal(err.msg, "n.childNodes[0].childNodes: DOM nested deeper than 2 levels (raise --max-tree-depth)");
    limits.max_tree_depth = 3;
    assert_int_equal(reelay_parse_dom_tree(json, &arena, &tree, &limits, "n", &err), REELAY_OK);
    assert_int_equal(tree.count, 3);
    limits.max_wireframes = 2;
    assert_int_equal(reelay_parse_dom_tree(json, &arena, &tree, &limits, "n", &err), REELAY_E_INPUT);
    assert_string_equal(err.msg, "n.childNodes[0].childNodes[0]: more than 2 DOM nodes (raise --max-wireframes)");
    json_decref(json);
    free(text);

    /* A mutation's adds count together. */
    json_t *data = ts_json("{\"adds\":[{\"parentId\":1,\"node\":{\"type\":3,\"id\":5,\"textContent\":\"a\"}},"
                           "{\"parentId\":1,\"node\":{\"type\":3,\"id\":6,\"textContent\":\"b\"}},"
                           "{\"parentId\":1,\"node\":{\"type\":3,\"id\":7,\"textContent\":\"c\"}}]}");
    reelay_event ev;
    memset(&ev, 0, sizeof ev);
    assert_int_equal(reelay_parse_web_mutation(data, &arena, &ev, &limits, "event 5: data", &err), REELAY_E_INPUT);
    assert_string_equal(err.msg, "event 5: data.adds[2].node: more than 2 DOM nodes (raise --max-wireframes)");
    json_decref(data);
    reelay_arena_free(&arena);
}

static void test_mutation(void **state)
{
    (void)state;
    json_t *data = ts_json(
        "{\"source\":0,"
        " \"removes\":[{\"parentId\":10,\"id\":12},{\"parentId\":10,\"id\":14,\"isShadow\":false}],"
        " \"adds\":["
        "  {\"parentId\":10,\"nextId\":15,\"node\":{\"type\":2,\"id\":30,\"tagName\":\"UL\",\"attributes\":{\"class\":\"menu\"},"
        "    \"childNodes\":[{\"type\":2,\"id\":31,\"tagName\":\"li\",\"childNodes\":[{\"type\":3,\"id\":32,\"textContent\":\" One \"}]},"
        "                    {\"type\":2,\"id\":33,\"tagName\":\"li\",\"attributes\":{}}]}},"
        "  {\"parentId\":30,\"nextId\":null,\"node\":{\"type\":3,\"id\":34,\"textContent\":\"tail\"}}],"
        " \"texts\":[{\"id\":13,\"value\":\"  Buy   again \"},{\"id\":6,\"value\":null}],"
        " \"attributes\":["
        "  {\"id\":12,\"attributes\":{\"class\":\"btn\",\"data-k\":\"v\",\"style\":{\"color\":\"red\"},\"title\":null}},"
        "  {\"id\":14,\"attributes\":{\"placeholder\":false,\"href\":\"/x\",\"name\":3}}]}");
    reelay_arena arena;
    reelay_arena_init(&arena);
    reelay_event ev;
    memset(&ev, 0, sizeof ev);
    reelay_err err;
    reelay_err_clear(&err);
    assert_int_equal(reelay_parse_web_mutation(data, &arena, &ev, NULL, "event 5: data", &err), REELAY_OK);
    json_decref(data);

    assert_int_equal(ev.u.mutation.dom_remove_count, 2);
    assert_int_equal(ev.u.mutation.dom_removes[0].parent_id, 10);
    assert_int_equal(ev.u.mutation.dom_removes[0].id, 12);
    assert_int_equal(ev.u.mutation.dom_removes[1].id, 14);

    const reelay_dom_tree *adds = &ev.u.mutation.dom_adds;
    assert_int_equal(adds->count, 5);
    static const int64_t expect[][3] = {{30, 10, 15}, {31, 30, -1}, {32, 31, -1}, {33, 30, -1}, {34, 30, -1}};
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(adds->nodes[i].id, expect[i][0]);
        assert_int_equal(adds->nodes[i].parent_id, expect[i][1]);
        assert_int_equal(adds->nodes[i].next_id, expect[i][2]);
    }
    assert_string_equal(adds->nodes[0].tag, "ul");
    assert_string_equal(adds->nodes[0].attr_class, "menu");
    assert_string_equal(adds->nodes[2].text, "One");

    assert_int_equal(ev.u.mutation.text_count, 2);
    assert_int_equal(ev.u.mutation.texts[0].id, 13);
    assert_string_equal(ev.u.mutation.texts[0].value, "Buy again");
    assert_string_equal(ev.u.mutation.texts[1].value, "");

    /* Kept names with values; style objects and data-* make one nameless
     * record for their element; null/false remove. */
    assert_int_equal(ev.u.mutation.attribute_count, 6);
    int seen = 0;
    for (size_t i = 0; i < ev.u.mutation.attribute_count; i++) {
        const reelay_dom_attr_change *c = &ev.u.mutation.attributes[i];
        if (c->id == 12 && !c->name) {
            assert_null(c->value);
            seen |= 32;
        } else if (!c->name) {
            fail_msg("unexpected nameless attribute change on %lld", (long long)c->id);
        } else if (c->id == 12 && strcmp(c->name, "class") == 0) {
            assert_string_equal(c->value, "btn");
            seen |= 1;
        } else if (c->id == 12 && strcmp(c->name, "title") == 0) {
            assert_null(c->value);
            seen |= 2;
        } else if (c->id == 14 && strcmp(c->name, "placeholder") == 0) {
            assert_null(c->value);
            seen |= 4;
        } else if (c->id == 14 && strcmp(c->name, "href") == 0) {
            assert_string_equal(c->value, "/x");
            seen |= 8;
        } else if (c->id == 14 && strcmp(c->name, "name") == 0) {
            assert_string_equal(c->value, "3");
            seen |= 16;
        } else {
            fail_msg("unexpected attribute change %s on %lld", c->name, (long long)c->id);
        }
    }
    assert_int_equal(seen, 63);

    reelay_idmap index;
    reelay_idmap_init(&index);
    assert_int_equal(reelay_dom_index(adds, &index), 0);
    uint32_t at;
    assert_true(reelay_idmap_get(&index, 33, &at));
    assert_int_equal(at, 3);
    reelay_idmap_free(&index);
    reelay_arena_free(&arena);
}

static int mutation_error(const char *json_text, reelay_err *err)
{
    json_t *data = ts_json(json_text);
    reelay_arena arena;
    reelay_arena_init(&arena);
    reelay_event ev;
    memset(&ev, 0, sizeof ev);
    reelay_err_clear(err);
    int rc = reelay_parse_web_mutation(data, &arena, &ev, NULL, "event 5: data", err);
    json_decref(data);
    reelay_arena_free(&arena);
    return rc;
}

static void test_mutation_errors(void **state)
{
    (void)state;
    reelay_err err;
    assert_int_equal(mutation_error("{\"source\":0}", &err), REELAY_OK);
    assert_int_equal(mutation_error("{\"removes\":[{\"parentId\":1}]}", &err), REELAY_E_INPUT);
    assert_non_null(strstr(err.msg, "event 5: data.removes[0].id"));
    assert_int_equal(mutation_error("{\"texts\":[{\"id\":1},3]}", &err), REELAY_E_INPUT);
    assert_non_null(strstr(err.msg, "event 5: data.texts[1]"));
    assert_int_equal(mutation_error("{\"attributes\":[{\"id\":1.5,\"attributes\":{}}]}", &err), REELAY_E_INPUT);
    assert_non_null(strstr(err.msg, "event 5: data.attributes[0].id"));
    assert_int_equal(mutation_error("{\"adds\":[{\"parentId\":1,\"nextId\":null,\"node\":"
                                    "{\"type\":2,\"id\":2,\"childNodes\":[{\"type\":3}]}}]}",
                                    &err),
                     REELAY_E_INPUT);
    assert_non_null(strstr(err.msg, "event 5: data.adds[0].node.childNodes[0].id: expected an integer id"));
    assert_int_equal(mutation_error("{\"adds\":[{\"parentId\":1,\"node\":null}]}", &err), REELAY_E_INPUT);
    assert_non_null(strstr(err.msg, "data.adds[0].node"));
    assert_int_equal(mutation_error("{\"adds\":{}}", &err), REELAY_E_INPUT);
    assert_non_null(strstr(err.msg, "data.adds: expected an array"));
}

/* Every fixture-like shape of garbage must come back as an error or a tree,
 * never a crash (run under ASan too). */
static void test_garbage(void **state)
{
    (void)state;
    static const char *const inputs[] = {
        "{}", "[null]", "{\"type\":\"2\",\"id\":1}", "{\"type\":2,\"id\":1,\"attributes\":[1,2]}",
        "{\"type\":2,\"id\":1,\"tagName\":5,\"attributes\":{\"id\":{},\"class\":[1]}}",
        "{\"type\":3,\"id\":1,\"textContent\":17}", "{\"type\":2,\"id\":1e300}",
        "{\"type\":0,\"id\":1,\"childNodes\":[{\"type\":-1},null]}",
    };
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        json_t *json = ts_json(inputs[i]);
        reelay_arena arena;
        reelay_arena_init(&arena);
        reelay_dom_tree tree;
        reelay_err err;
        reelay_err_clear(&err);
        int rc = reelay_parse_dom_tree(json, &arena, &tree, NULL, "n", &err);
        assert_true(rc == REELAY_OK || rc == REELAY_E_INPUT);
        reelay_event ev;
        memset(&ev, 0, sizeof ev);
        rc = reelay_parse_web_mutation(json, &arena, &ev, NULL, "d", &err);
        assert_true(rc == REELAY_OK || rc == REELAY_E_INPUT);
        json_decref(json);
        reelay_arena_free(&arena);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_document),       cmocka_unit_test(test_text_cut),
        cmocka_unit_test(test_errors),         cmocka_unit_test(test_depth), cmocka_unit_test(test_custom_limits),
        cmocka_unit_test(test_mutation),       cmocka_unit_test(test_mutation_errors),
        cmocka_unit_test(test_garbage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
