/* Unit tests for src/scene/hover_rules (which elements can look different
 * when rrweb's replayer toggles hover on them): compounds carrying :hover or
 * [class are recorded by type, id and classes; what cannot be pinned to the
 * hovered element (":hover" alone, :has(), pseudo-elements, unreadable
 * text) makes every element match; comments, strings, escapes and at-rule
 * preludes are read as CSS reads them; event JSON is searched for CSS at
 * any depth; garbage never crashes. */
#define _POSIX_C_SOURCE 200809L
#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "scene/hover_rules.h"

static reelay_hover_rules *rules_new(void)
{
    reelay_hover_rules *rules = NULL;
    reelay_err err;
    reelay_err_clear(&err);
    assert_int_equal(reelay_hover_rules_new(&rules, &err), REELAY_OK);
    assert_non_null(rules);
    return rules;
}

static void add_css(reelay_hover_rules *rules, const char *css)
{
    reelay_err err;
    reelay_err_clear(&err);
    assert_int_equal(reelay_hover_rules_add_css(rules, css, strlen(css), &err), REELAY_OK);
}

static void add_json(reelay_hover_rules *rules, const char *json)
{
    reelay_err err;
    reelay_err_clear(&err);
    assert_int_equal(reelay_hover_rules_add_event_json(rules, json, &err), REELAY_OK);
}

static reelay_hover_rules *rules_of(const char *css)
{
    reelay_hover_rules *rules = rules_new();
    add_css(rules, css);
    return rules;
}

static reelay_dom_node element(const char *tag, const char *id, const char *classes)
{
    reelay_dom_node node;
    memset(&node, 0, sizeof node);
    node.type = DOM_ELEMENT;
    node.id = 7;
    node.parent_id = -1;
    node.next_id = -1;
    node.tag = tag;
    node.attr_id = id;
    node.attr_class = classes;
    return node;
}

static bool matches(const reelay_hover_rules *rules, const char *tag, const char *id, const char *classes)
{
    reelay_dom_node node = element(tag, id, classes);
    return reelay_hover_rules_match(rules, &node);
}

/* The CSS records exactly nothing: no compound, not "any". */
static void assert_nothing(const char *css)
{
    reelay_hover_rules *rules = rules_of(css);
    if (!reelay_hover_rules_empty(rules)) fail_msg("expected nothing recorded from: %s", css);
    assert_false(matches(rules, "div", "x", "a b"));
    reelay_hover_rules_free(rules);
}

/* The CSS makes every element match. */
static void assert_any(const char *css)
{
    reelay_hover_rules *rules = rules_of(css);
    if (!reelay_hover_rules_any(rules)) fail_msg("expected \"any\" from: %s", css);
    assert_false(reelay_hover_rules_empty(rules));
    assert_true(matches(rules, "div", NULL, NULL));
    reelay_hover_rules_free(rules);
}

static void test_type(void **state)
{
    (void)state;
    reelay_hover_rules *rules = rules_of("a:hover{color:red}");
    assert_false(reelay_hover_rules_any(rules));
    assert_false(reelay_hover_rules_empty(rules));
    assert_true(matches(rules, "a", NULL, NULL));
    assert_true(matches(rules, "a", "x", "y z"));
    assert_false(matches(rules, "div", NULL, NULL));
    assert_false(matches(rules, "abbr", NULL, NULL));
    reelay_hover_rules_free(rules);

    /* case does not matter on either side */
    rules = rules_of("LI:HOVER { color: red }");
    assert_true(matches(rules, "li", NULL, NULL));
    assert_true(matches(rules, "LI", NULL, NULL));
    assert_false(matches(rules, "ul", NULL, NULL));
    reelay_hover_rules_free(rules);
}

static void test_class(void **state)
{
    (void)state;
    reelay_hover_rules *rules = rules_of(".btn:hover{background:blue}");
    assert_true(matches(rules, "div", NULL, "x btn"));
    assert_true(matches(rules, "a", NULL, "btn"));
    assert_true(matches(rules, "a", NULL, "\tx\nBTN\f "));
    assert_false(matches(rules, "div", NULL, "btnx"));
    assert_false(matches(rules, "div", NULL, "xbtn b-tn"));
    assert_false(matches(rules, "div", NULL, ""));
    assert_false(matches(rules, "div", NULL, NULL));
    assert_false(matches(rules, "div", "btn", NULL)); /* an id is no class */
    reelay_hover_rules_free(rules);

    rules = rules_of(".a.b:hover{}");
    assert_false(matches(rules, "div", NULL, "a"));
    assert_false(matches(rules, "div", NULL, "b"));
    assert_true(matches(rules, "div", NULL, "b a"));
    assert_true(matches(rules, "div", NULL, "a c b"));
    assert_false(matches(rules, "div", NULL, "ab"));
    reelay_hover_rules_free(rules);

    /* a class named twice needs it once */
    rules = rules_of(".a.a:hover{}");
    assert_true(matches(rules, "div", NULL, "a"));
    reelay_hover_rules_free(rules);
}

static void test_id(void **state)
{
    (void)state;
    reelay_hover_rules *rules = rules_of("#x:hover{}");
    assert_true(matches(rules, "div", "x", NULL));
    assert_true(matches(rules, "span", "X", "q")); /* quirks mode compares ids without case */
    assert_false(matches(rules, "div", "y", NULL));
    assert_false(matches(rules, "div", NULL, "x"));
    reelay_hover_rules_free(rules);

    rules = rules_of("#nav.open:hover{}");
    assert_true(matches(rules, "ul", "nav", "open"));
    assert_false(matches(rules, "ul", "nav", NULL));
    assert_false(matches(rules, "ul", NULL, "open"));
    reelay_hover_rules_free(rules);
}

static void test_type_and_class(void **state)
{
    (void)state;
    reelay_hover_rules *rules = rules_of("button.primary:hover{}");
    assert_true(matches(rules, "button", NULL, "big primary"));
    assert_false(matches(rules, "a", NULL, "primary"));
    assert_false(matches(rules, "button", NULL, "secondary"));
    assert_false(matches(rules, "button", NULL, NULL));
    reelay_hover_rules_free(rules);
}

static void test_combinators(void **state)
{
    (void)state;
    /* the compound with :hover is the hovered element; the others are not */
    reelay_hover_rules *rules = rules_of(".menu:hover .sub{display:block}");
    assert_true(matches(rules, "nav", NULL, "menu"));
    assert_false(matches(rules, "ul", NULL, "sub"));
    reelay_hover_rules_free(rules);

    rules = rules_of(".sub .menu:hover > li{}");
    assert_true(matches(rules, "nav", NULL, "menu"));
    assert_false(matches(rules, "ul", NULL, "sub"));
    assert_false(matches(rules, "li", NULL, NULL));
    reelay_hover_rules_free(rules);

    rules = rules_of("p+a:hover~b>i:hover{} col.x || td:hover{} .a:hover,.b:hover, #c:hover{}");
    assert_true(matches(rules, "a", NULL, NULL));
    assert_true(matches(rules, "i", NULL, NULL));
    assert_true(matches(rules, "td", NULL, NULL));
    assert_true(matches(rules, "x", NULL, "a"));
    assert_true(matches(rules, "x", NULL, "b"));
    assert_true(matches(rules, "x", "c", NULL));
    assert_false(matches(rules, "p", NULL, NULL));
    assert_false(matches(rules, "b", NULL, NULL));
    assert_false(matches(rules, "col", NULL, "x"));
    reelay_hover_rules_free(rules);

    /* the pseudo-element of a hovered element is still its hover */
    rules = rules_of("a:hover::before{content:'>'} .tip:hover:after{}");
    assert_true(matches(rules, "a", NULL, NULL));
    assert_true(matches(rules, "span", NULL, "tip"));
    assert_false(reelay_hover_rules_any(rules));
    reelay_hover_rules_free(rules);
}

static void test_escapes(void **state)
{
    (void)state;
    /* Tailwind: an escaped colon belongs to the class name */
    reelay_hover_rules *rules = rules_of(".hover\\:bg-blue-500:hover{--tw-bg-opacity:1}");
    assert_false(reelay_hover_rules_any(rules));
    assert_true(matches(rules, "button", NULL, "px-4 hover:bg-blue-500"));
    assert_false(matches(rules, "button", NULL, "bg-blue-500"));
    assert_false(matches(rules, "button", NULL, "hover"));
    reelay_hover_rules_free(rules);

    /* hex escapes, with the white space that ends them */
    rules = rules_of(".\\31 0:hover{} .\\00003120:hover{} .a\\2e b:hover{} .md\\:w-1\\/2:hover{}");
    assert_false(reelay_hover_rules_any(rules));
    assert_true(matches(rules, "div", NULL, "10"));
    assert_true(matches(rules, "div", NULL, "120"));
    assert_true(matches(rules, "div", NULL, "a.b"));
    assert_true(matches(rules, "div", NULL, "md:w-1/2"));
    assert_false(matches(rules, "div", NULL, "1"));
    assert_false(matches(rules, "div", NULL, "a"));
    reelay_hover_rules_free(rules);

    /* a non-ASCII code point written as an escape matches its UTF-8 text */
    rules = rules_of(".caf\\e9:hover{} .\\1F600 x:hover{}");
    assert_true(matches(rules, "div", NULL, "caf\xc3\xa9"));
    assert_true(matches(rules, "div", NULL, "\xf0\x9f\x98\x80x"));
    reelay_hover_rules_free(rules);

    /* an escaped ":hover" is part of a name, not the pseudo-class */
    assert_nothing(".p\\:hover{color:red}");
    assert_nothing(".group-hover\\:text-white{color:#fff}");
    assert_nothing("a\\:hover{}");
}

static void test_any(void **state)
{
    (void)state;
    assert_any(":hover{}");
    assert_any("*:hover{outline:1px}");
    assert_any("[data-x]:hover{}");
    assert_any("&:hover{}");
    assert_any(":is(.a,.b):hover{}");
    assert_any(".card:has(.btn:hover){box-shadow:none}");
    assert_any(".x:not(:has(:hover)){}");
    assert_any("li.x:nth-child(2 of :not(:hover)){}");
    assert_any(".c:is(.a:hover .b){}"); /* the hover is an ancestor's */
    assert_any(":host(:hover){}");
    assert_any("slot::slotted(.b:hover){}");
    assert_any("x-tab::part(label):hover{}");
    assert_any("svg|a:hover{}"); /* a namespace: the type is unknown */
    assert_any(".x{.y{&:hover{color:red}}}");
    assert_any("@scope (.card:hover) { img { opacity: .5 } }");
    assert_any(".debug::after{content:attr(class)}");
    /* unreadable compounds */
    assert_any(".a%:hover{}");
    assert_any(".a):hover{}");
    assert_any(".a[x:hover{}");
    assert_any("#:hover{}");
}

static void test_class_attribute(void **state)
{
    (void)state;
    /* rrweb's hover changes the class attribute itself */
    assert_any("[class^=col]{float:left}");
    assert_any("[ CLASS ~= \"a\" ]{}");
    assert_any("[*|class]{}");
    assert_any(":is([class=x]){}");
    reelay_hover_rules *rules = rules_of("div[class*=x]{} p:not([class]){}");
    assert_false(reelay_hover_rules_any(rules));
    assert_true(matches(rules, "div", NULL, NULL));
    assert_true(matches(rules, "p", NULL, "x"));
    assert_false(matches(rules, "span", NULL, "x"));
    reelay_hover_rules_free(rules);
    assert_nothing("[data-class]{} [classy]{} [xclass]{} span[title=\"[class\"]{}");
    assert_nothing("a{content:attr(data-class)}");

    /* a class selector on rrweb's own ":hover" class is hover */
    rules = rules_of(".btn.\\:hover{color:red}");
    assert_true(matches(rules, "a", NULL, "btn"));
    assert_false(matches(rules, "a", NULL, "x"));
    reelay_hover_rules_free(rules);
    assert_any(".\\:hover{}");
}

static void test_at_rules(void **state)
{
    (void)state;
    assert_nothing("@media (hover:hover){.a{color:red}}");
    assert_nothing("@media (any-hover: hover) and (pointer:fine) { .b { color: red } }");
    assert_nothing("@supports selector(a:hover){.c{color:red}}");
    assert_nothing("@import url(\"x.css\") supports(selector(:hover));");

    reelay_hover_rules *rules = rules_of("@media (min-width:1px){.a:hover{color:red}}");
    assert_false(reelay_hover_rules_any(rules));
    assert_true(matches(rules, "div", NULL, "a"));
    assert_false(matches(rules, "div", NULL, "b"));
    reelay_hover_rules_free(rules);

    rules = rules_of("@media (hover:hover){@supports (display:grid){.a:hover{color:red}}}"
                     "@keyframes k{from{opacity:0}to{opacity:1}}");
    assert_true(matches(rules, "div", NULL, "a"));
    assert_false(reelay_hover_rules_any(rules));
    reelay_hover_rules_free(rules);
}

static void test_comments_and_strings(void **state)
{
    (void)state;
    assert_nothing("/* a:hover */ .x{content:\":hover\"} .y::after{content:':hover'}");
    assert_nothing("a/* :hover */{} b[title=\"x:hover\"]{} c{font-family:\"[class\"}");
    assert_nothing("p::before{content:\"\\\":hover\"}"); /* an escaped quote does not end the string */
    assert_nothing("/* never closed a:hover");
    assert_nothing("a:hovered{} .x:hover-thing{} a:hoverx{}");
    /* an unquoted url() is raw text: no comment, no string, no selector */
    assert_nothing(".a{background:url(x:hover.png)} .b{background: URL( a'b:hover )}");

    assert_any(".a /* y */ :hover{}"); /* ":hover" alone after a descendant combinator */
    reelay_hover_rules *rules = rules_of(".b/**/:hover{} .c{content:'}'} .u{background:url(//cdn.test/*.png)} .d:hover{}");
    assert_false(reelay_hover_rules_any(rules));
    assert_true(matches(rules, "i", NULL, "b"));
    assert_true(matches(rules, "i", NULL, "d"));
    assert_false(matches(rules, "i", NULL, "c"));
    reelay_hover_rules_free(rules);
}

static void test_not_and_is(void **state)
{
    (void)state;
    reelay_hover_rules *rules = rules_of(".x:not(:hover){opacity:.5} a:is(:hover,:focus){} b:where(:hover){}");
    assert_false(reelay_hover_rules_any(rules));
    assert_true(matches(rules, "div", NULL, "x"));
    assert_true(matches(rules, "a", NULL, NULL));
    assert_true(matches(rules, "b", NULL, NULL));
    assert_false(matches(rules, "div", NULL, "y"));
    reelay_hover_rules_free(rules);

    /* unknown parts are dropped, which only widens the match */
    rules = rules_of("input.f[type=text]:not(.x):hover:focus-visible{} .g:nth-child(2n+1):hover{}");
    assert_false(reelay_hover_rules_any(rules));
    assert_true(matches(rules, "input", NULL, "f x"));
    assert_true(matches(rules, "li", NULL, "g"));
    reelay_hover_rules_free(rules);

    /* white space inside is no combinator next to a comma or a bracket,
     * nor inside :nth-child(); a combinator matters only next to a nested
     * :hover */
    rules = rules_of("x:is( .a:hover, .b ){} .h:nth-child(2n + 1):not(:hover){} .k:not(.a .b):hover{}");
    assert_false(reelay_hover_rules_any(rules));
    assert_true(matches(rules, "x", NULL, NULL));
    assert_true(matches(rules, "li", NULL, "h"));
    assert_true(matches(rules, "li", NULL, "k"));
    assert_false(matches(rules, "li", NULL, "a b"));
    reelay_hover_rules_free(rules);
    assert_any("x:is(.a:hover > .b){}");
    assert_any("x:not(.a:hover~.b){}");
}

static void test_nesting(void **state)
{
    (void)state;
    reelay_hover_rules *rules = rules_of(".card{color:red;.btn:hover{color:blue}&.open:hover{}}");
    assert_false(reelay_hover_rules_any(rules));
    assert_true(matches(rules, "a", NULL, "btn"));
    assert_true(matches(rules, "div", NULL, "open"));
    assert_false(matches(rules, "div", NULL, "card"));
    reelay_hover_rules_free(rules);
}

static void test_limits(void **state)
{
    (void)state;
    /* an identifier longer than 1 KiB cannot be read */
    size_t n = 3000;
    char *css = malloc(n + 32);
    assert_non_null(css);
    css[0] = '.';
    memset(css + 1, 'a', n);
    strcpy(css + 1 + n, ":hover{}");
    assert_any(css);
    free(css);

    /* the same compound many times is one compound */
    const char *rule = ".a:hover{} ";
    size_t count = 300000, len = strlen(rule);
    css = malloc(count * len + 1);
    assert_non_null(css);
    for (size_t i = 0; i < count; i++) memcpy(css + i * len, rule, len);
    css[count * len] = '\0';
    reelay_hover_rules *rules = rules_of(css);
    assert_false(reelay_hover_rules_any(rules));
    assert_true(matches(rules, "p", NULL, "a"));
    free(css);
    reelay_hover_rules_free(rules);

    /* too many distinct compounds: every element matches */
    reelay_buf buf;
    reelay_buf_init(&buf);
    for (size_t i = 0; i < 210000; i++) assert_int_equal(reelay_buf_printf(&buf, ".c%zu:hover{}", i), 0);
    rules = rules_of((const char *)buf.data);
    assert_true(reelay_hover_rules_any(rules));
    reelay_buf_free(&buf);
    reelay_hover_rules_free(rules);
}

static void test_many_compounds(void **state)
{
    (void)state;
    /* a Tailwind-sized sheet: one compound per hover utility, several on
     * one common class */
    reelay_buf buf;
    reelay_buf_init(&buf);
    for (int i = 0; i < 5000; i++) {
        assert_int_equal(reelay_buf_printf(&buf, ".hover\\:bg-c%d:hover{color:red}", i), 0);
        assert_int_equal(reelay_buf_printf(&buf, ".btn.v%d:hover{}", i), 0);
    }
    reelay_hover_rules *rules = rules_of((const char *)buf.data);
    reelay_buf_free(&buf);
    assert_false(reelay_hover_rules_any(rules));
    assert_true(matches(rules, "div", NULL, "p-2 hover:bg-c0 m-1"));
    assert_true(matches(rules, "div", NULL, "hover:bg-c4999"));
    assert_false(matches(rules, "div", NULL, "hover:bg-c5000 bg-c1"));
    assert_true(matches(rules, "a", NULL, "v77 btn"));
    assert_true(matches(rules, "a", NULL, "btn v4000"));
    assert_false(matches(rules, "a", NULL, "btn"));
    assert_false(matches(rules, "a", NULL, "v12"));
    /* adding the same sheet again keeps the answers */
    add_css(rules, ".hover\\:bg-c0:hover{color:red}.btn.v77:hover{}");
    assert_true(matches(rules, "a", NULL, "v77 btn"));
    assert_false(matches(rules, "a", NULL, "btn"));
    reelay_hover_rules_free(rules);
}

static void test_dedup(void **state)
{
    (void)state;
    const char *sheet = "a:hover{} .x.y:hover{} #i:hover{} nav .m:hover{}";
    reelay_hover_rules *rules = rules_of(sheet);
    add_css(rules, sheet);
    add_css(rules, ".y.x:hover{} .X.Y.x:hover{}");
    assert_false(reelay_hover_rules_any(rules));
    assert_true(matches(rules, "a", NULL, NULL));
    assert_true(matches(rules, "p", NULL, "y x"));
    assert_false(matches(rules, "p", NULL, "y"));
    assert_true(matches(rules, "p", "i", NULL));
    assert_true(matches(rules, "p", NULL, "m"));
    assert_false(matches(rules, "nav", NULL, NULL));
    reelay_hover_rules_free(rules);
}

static void test_queries(void **state)
{
    (void)state;
    reelay_hover_rules *rules = rules_new();
    assert_true(reelay_hover_rules_empty(rules));
    assert_false(reelay_hover_rules_any(rules));
    assert_false(matches(rules, "a", "b", "c"));
    add_css(rules, "");
    add_css(rules, "a{color:red} .b{}");
    assert_true(reelay_hover_rules_empty(rules));
    reelay_err err;
    reelay_err_clear(&err);
    assert_int_equal(reelay_hover_rules_add_css(rules, NULL, 0, &err), REELAY_OK);
    assert_true(reelay_hover_rules_empty(rules));
    reelay_hover_rules_set_any(rules);
    assert_false(reelay_hover_rules_empty(rules));
    assert_true(reelay_hover_rules_any(rules));
    assert_true(matches(rules, "a", "b", "c"));
    assert_true(matches(rules, "div", NULL, NULL));
    reelay_hover_rules_free(rules);

    /* nothing known: everything may change */
    assert_true(reelay_hover_rules_any(NULL));
    assert_false(reelay_hover_rules_empty(NULL));
    reelay_hover_rules_set_any(NULL);
    reelay_hover_rules_free(NULL);
    assert_true(matches(NULL, "a", NULL, NULL));
    assert_false(reelay_hover_rules_match(NULL, NULL));
}

static void test_non_elements(void **state)
{
    (void)state;
    reelay_hover_rules *rules = rules_of("a:hover{} .t:hover{}");
    reelay_dom_node node = element("a", NULL, "t");
    assert_true(reelay_hover_rules_match(rules, &node));
    reelay_dom_node_type others[] = {DOM_DOCUMENT, DOM_DOCTYPE, DOM_TEXT, DOM_CDATA, DOM_COMMENT};
    for (size_t i = 0; i < sizeof others / sizeof *others; i++) {
        node.type = others[i];
        assert_false(reelay_hover_rules_match(rules, &node));
    }
    assert_false(reelay_hover_rules_match(rules, NULL));
    reelay_hover_rules_set_any(rules);
    node.type = DOM_TEXT;
    assert_false(reelay_hover_rules_match(rules, &node));
    reelay_hover_rules_free(rules);

    /* an element without a tag name could be of any type */
    rules = rules_of("a:hover{} .t:hover{}");
    assert_true(matches(rules, NULL, NULL, NULL));
    reelay_hover_rules_free(rules);
    rules = rules_of(".t:hover{}");
    assert_false(matches(rules, NULL, NULL, "u"));
    assert_true(matches(rules, NULL, NULL, "t"));
    reelay_hover_rules_free(rules);
}

static void test_event_json(void **state)
{
    (void)state;
    /* a full snapshot: a <style> text node and a <link>'s _cssText */
    reelay_hover_rules *rules = rules_new();
    add_json(rules, "{\"type\":2,\"data\":{\"node\":{\"type\":0,\"id\":1,\"childNodes\":[{\"type\":2,\"id\":2,"
                    "\"tagName\":\"style\",\"attributes\":{},\"childNodes\":[{\"type\":3,\"id\":3,"
                    "\"textContent\":\".nav a:hover{color:red}\\n.x{}\",\"isStyle\":true}]},{\"type\":2,\"id\":4,"
                    "\"tagName\":\"link\",\"attributes\":{\"rel\":\"stylesheet\",\"_cssText\":"
                    "\"@media (hover:hover){#go:hover{color:blue}}\"},\"childNodes\":[]}]},"
                    "\"initialOffset\":{\"top\":0,\"left\":0}},\"timestamp\":1}");
    assert_false(reelay_hover_rules_any(rules));
    assert_true(matches(rules, "a", NULL, NULL));
    assert_true(matches(rules, "button", "go", NULL));
    assert_false(matches(rules, "div", NULL, "nav"));
    assert_false(matches(rules, "div", NULL, "x"));
    reelay_hover_rules_free(rules);

    /* a StyleSheetRule event */
    rules = rules_new();
    add_json(rules, "{\"type\":3,\"data\":{\"source\":8,\"id\":5,\"adds\":[{\"rule\":\".b:hover{color:red}\","
                    "\"index\":0}]},\"timestamp\":2}");
    assert_true(matches(rules, "p", NULL, "b"));
    assert_false(matches(rules, "p", NULL, "a"));
    assert_false(reelay_hover_rules_any(rules));
    /* JSON escapes are undone before the CSS is read */
    add_json(rules, "{\"type\":3,\"data\":{\"source\":8,\"adds\":[{\"rule\":\".hover\\\\:x:hover{}\"},"
                    "{\"rule\":\"#\\u0071:hover{}\"}]}}");
    assert_true(matches(rules, "p", NULL, "hover:x"));
    assert_true(matches(rules, "p", "q", NULL));
    assert_false(matches(rules, "p", NULL, "x"));
    assert_false(reelay_hover_rules_any(rules));
    reelay_hover_rules_free(rules);

    /* keys are not CSS; values that are not strings are walked or skipped */
    rules = rules_new();
    add_json(rules, "{\"a:hover\":1,\"b\":[null,true,2.5,{\":hover\":{}}],\"c\":\"plain text\"}");
    add_json(rules, "\"q:hover{}\"");
    assert_false(reelay_hover_rules_any(rules));
    assert_true(matches(rules, "q", NULL, NULL));
    assert_false(matches(rules, "a", NULL, NULL));
    reelay_hover_rules_free(rules);

    /* an adopted style sheet with a [class selector */
    rules = rules_new();
    add_json(rules, "{\"type\":3,\"data\":{\"source\":15,\"id\":1,\"styleIds\":[1],\"styles\":[{\"styleId\":1,"
                    "\"rules\":[{\"rule\":\"[class~=\\\"on\\\"]{color:red}\"}]}]}}");
    assert_true(reelay_hover_rules_any(rules));
    reelay_hover_rules_free(rules);

    /* deep nesting is walked without recursion (jansson refuses past its
     * own depth limit: unreadable, so "any") */
    reelay_buf buf;
    reelay_buf_init(&buf);
    for (int i = 0; i < 800; i++) assert_int_equal(reelay_buf_append_str(&buf, "[{\"k\":"), 0);
    assert_int_equal(reelay_buf_append_str(&buf, "\".deep:hover{}\""), 0);
    for (int i = 0; i < 800; i++) assert_int_equal(reelay_buf_append_str(&buf, "}]"), 0);
    rules = rules_new();
    add_json(rules, (const char *)buf.data);
    assert_false(reelay_hover_rules_any(rules));
    assert_true(matches(rules, "i", NULL, "deep"));
    reelay_hover_rules_free(rules);
    reelay_buf_free(&buf);
    reelay_buf_init(&buf);
    for (int i = 0; i < 100000; i++) assert_int_equal(reelay_buf_append_str(&buf, "["), 0);
    rules = rules_new();
    add_json(rules, (const char *)buf.data);
    assert_true(reelay_hover_rules_any(rules));
    reelay_hover_rules_free(rules);
    reelay_buf_free(&buf);
}

/* The raw-text filter a caller may run before parsing: the words in any
 * case, or a \u escape that could spell them. */
static void test_json_may_hold(void **state)
{
    (void)state;
    assert_true(reelay_hover_rules_json_may_hold("{\"rule\":\".a:HOVER{}\"}"));
    assert_true(reelay_hover_rules_json_may_hold("{\"attributes\":{\"class\":\"x\"}}"));
    assert_true(reelay_hover_rules_json_may_hold("{\"rule\":\".a:\\u0068over{}\"}"));
    assert_true(reelay_hover_rules_json_may_hold(NULL));
    assert_false(reelay_hover_rules_json_may_hold("{\"source\":1,\"positions\":[]}"));
    /* and what the escape spells is read */
    reelay_hover_rules *rules = rules_new();
    add_json(rules, "{\"rule\":\".a:\\u0068over{}\"}");
    assert_true(matches(rules, "div", NULL, "a"));
    assert_false(matches(rules, "div", NULL, "b"));
    reelay_hover_rules_free(rules);
}

static void test_invalid_json(void **state)
{
    (void)state;
    const char *bad[] = {"", "{", "{\"rule\":\".a:hover{}\"", "not json", "{\"a\":1}x", NULL};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        reelay_hover_rules *rules = rules_new();
        add_json(rules, bad[i]);
        assert_true(reelay_hover_rules_any(rules));
        assert_true(matches(rules, "div", NULL, NULL));
        reelay_hover_rules_free(rules);
    }
}

/* xorshift64*: the same bytes on every run. */
static uint64_t next_random(uint64_t *seed)
{
    *seed ^= *seed >> 12;
    *seed ^= *seed << 25;
    *seed ^= *seed >> 27;
    return *seed * 0x2545F4914F6CDD1DULL;
}

static void test_garbage(void **state)
{
    (void)state;
    /* CSS-shaped noise and plain random bytes: never a crash (the
     * sanitizer build checks reads), and the answers stay consistent */
    static const char *pieces[] = {
        ":hover", "::", ":", ".", "#", "[", "]", "(", ")", "{", "}", ";", ",", ">", "+", "~", "|", "||", "*", "&",
        "\\", "\\3", "\\31 ", "\\:", "\"", "'", "/*", "*/", " ", "\n", "\r\n", "a", "btn", "class", "[class",
        "@media", "@scope", ":has(", ":not(", ":is(", "attr(", "\xc3", "\xa9", "\x00", "hover", "-", "_", "0",
    };
    size_t piece_count = sizeof pieces / sizeof *pieces;
    uint64_t seed = 0x9E3779B97F4A7C15ULL;
    unsigned char text[512];
    size_t any = 0;
    for (int iter = 0; iter < 6000; iter++) {
        size_t len = 0;
        size_t want = (size_t)(next_random(&seed) % sizeof text);
        bool raw = iter % 3 == 0;
        while (len < want) {
            if (raw) {
                text[len++] = (unsigned char)next_random(&seed);
                continue;
            }
            size_t p = (size_t)(next_random(&seed) % piece_count);
            /* "\x00" stands for one NUL byte */
            size_t plen = pieces[p][0] ? strlen(pieces[p]) : 1;
            if (len + plen > want) break;
            memcpy(text + len, pieces[p], plen);
            len += plen;
        }
        reelay_hover_rules *rules = rules_new();
        reelay_err err;
        reelay_err_clear(&err);
        /* an exact-size heap copy, so the sanitizer sees any read past it */
        char *copy = malloc(len ? len : 1);
        assert_non_null(copy);
        memcpy(copy, text, len);
        assert_int_equal(reelay_hover_rules_add_css(rules, copy, len, &err), REELAY_OK);
        assert_int_equal(reelay_hover_rules_add_css(rules, copy, len, &err), REELAY_OK);
        free(copy);
        if (reelay_hover_rules_any(rules)) any++;
        if (reelay_hover_rules_empty(rules)) assert_false(matches(rules, "a", "x", "btn a"));
        (void)matches(rules, "a", "btn", "btn a \\:hover");
        (void)matches(rules, NULL, NULL, NULL);
        reelay_hover_rules_free(rules);

        /* the same bytes as JSON text (mostly not JSON: "any") */
        char *json_text = malloc(len + 1);
        assert_non_null(json_text);
        memcpy(json_text, text, len);
        json_text[len] = '\0';
        rules = rules_new();
        add_json(rules, json_text);
        free(json_text);
        reelay_hover_rules_free(rules);

        /* the same bytes as a JSON string value */
        json_t *value = json_stringn((const char *)text, len);
        if (value) {
            char *json = json_dumps(value, JSON_ENCODE_ANY | JSON_ESCAPE_SLASH);
            json_decref(value);
            assert_non_null(json);
            rules = rules_new();
            add_json(rules, json);
            free(json);
            (void)matches(rules, "a", NULL, "btn");
            reelay_hover_rules_free(rules);
        }
    }
    /* the noise does reach the "any" paths */
    assert_true(any > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_type),
        cmocka_unit_test(test_class),
        cmocka_unit_test(test_id),
        cmocka_unit_test(test_type_and_class),
        cmocka_unit_test(test_combinators),
        cmocka_unit_test(test_escapes),
        cmocka_unit_test(test_any),
        cmocka_unit_test(test_class_attribute),
        cmocka_unit_test(test_at_rules),
        cmocka_unit_test(test_comments_and_strings),
        cmocka_unit_test(test_not_and_is),
        cmocka_unit_test(test_nesting),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_many_compounds),
        cmocka_unit_test(test_dedup),
        cmocka_unit_test(test_queries),
        cmocka_unit_test(test_non_elements),
        cmocka_unit_test(test_event_json),
        cmocka_unit_test(test_json_may_hold),
        cmocka_unit_test(test_invalid_json),
        cmocka_unit_test(test_garbage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
