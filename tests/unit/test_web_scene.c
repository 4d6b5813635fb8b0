/* Unit tests for src/scene/web_scene (labels from the live DOM, title and
 * URL, tabs and the active window, focus and masked typing, rage bursts,
 * toasts, submits, change detection, untrusted input, the web and portable
 * fixtures). Sessions are built from inline JSONL blob lines
 * (["window", event]) or, for numbers JSON cannot carry, by hand. */
#define _POSIX_C_SOURCE 200809L
#include "test_support.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scene/web_scene.h"
#include "session/session.h"

/* ------------------------------------------------------------------------ */
/* Recording builders                                                       */
/* ------------------------------------------------------------------------ */

#define Q(s) "\"" s "\""
#define ATTR(k, v) Q(k) ":" Q(v)
#define TXT(id, s) "{\"type\":3,\"id\":" #id ",\"textContent\":" Q(s) "}"
#define EL(id, tag, attrs, ...)                                                                          \
    "{\"type\":2,\"id\":" #id ",\"tagName\":" Q(tag) ",\"attributes\":{" attrs "},\"childNodes\":[" __VA_ARGS__ \
    "]}"
#define DOC(...) "{\"type\":0,\"id\":1,\"childNodes\":[" __VA_ARGS__ "]}"
#define LINE(w, t, type, data) "[" Q(w) ",{\"type\":" #type ",\"timestamp\":" #t ",\"data\":" data "}]\n"
#define SNAP(w, t, node) LINE(w, t, 2, "{\"node\":" node ",\"initialOffset\":{\"top\":0,\"left\":0}}")
#define META(w, t, href, width, height)                                                                  \
    LINE(w, t, 4, "{\"href\":" Q(href) ",\"width\":" #width ",\"height\":" #height "}")
#define INTER(w, t, type, id, x, y)                                                                      \
    LINE(w, t, 3, "{\"source\":2,\"type\":" #type ",\"id\":" #id ",\"x\":" #x ",\"y\":" #y ",\"pointerType\":0}")
#define CLICK(w, t, id, x, y) INTER(w, t, 2, id, x, y)
#define DBL(w, t, id, x, y) INTER(w, t, 4, id, x, y)
#define FOCUS(w, t, id) LINE(w, t, 3, "{\"source\":2,\"type\":5,\"id\":" #id "}")
#define BLUR(w, t, id) LINE(w, t, 3, "{\"source\":2,\"type\":6,\"id\":" #id "}")
#define INPUT(w, t, id, text) LINE(w, t, 3, "{\"source\":5,\"id\":" #id ",\"text\":" Q(text) ",\"isChecked\":false}")
#define CHECK(w, t, id, on) LINE(w, t, 3, "{\"source\":5,\"id\":" #id ",\"text\":\"on\",\"isChecked\":" #on "}")
#define MUT(w, t, body) LINE(w, t, 3, "{\"source\":0," body "}")
#define SCROLL(w, t, id, y) LINE(w, t, 3, "{\"source\":3,\"id\":" #id ",\"x\":0,\"y\":" #y "}")
#define RESIZE(w, t, width, height) LINE(w, t, 3, "{\"source\":4,\"width\":" #width ",\"height\":" #height "}")
#define PAGEVIEW(w, t, href) LINE(w, t, 5, "{\"tag\":\"$pageview\",\"payload\":{\"href\":" Q(href) "}}")
#define CONSOLE(w, t, level, msg)                                                                        \
    LINE(w, t, 6, "{\"plugin\":\"rrweb/console@1\",\"payload\":{\"level\":" Q(level) ",\"trace\":[],\"payload\":[" Q(msg) "]}}")
#define NET(w, t, method, url, status)                                                                   \
    LINE(w, t, 6,                                                                                        \
         "{\"plugin\":\"rrweb/network@1\",\"payload\":{\"requests\":[{\"name\":" Q(url) ",\"method\":" Q(method) \
         ",\"status\":" #status "}]}}")

/* The page most tests use. Ids: 5 title text, 7 button, 8 its text, 9
 * input#email, 10 input[name=q], 11 a > 12 span > 13 text, 14 button with
 * aria-label, 16 password, 17 blocked div, 18 long button, 20 checkbox,
 * 21..26 nested divs > 27 text, 28 label > 29 text, 30 style. */
#define PAGE                                                                                              \
    DOC(EL(2, "html", "",                                                                                 \
           EL(3, "head", "", EL(4, "title", "", TXT(5, "Shop \\u2014 Home"))) ","                         \
           EL(6, "body", "",                                                                              \
              EL(7, "button", "", TXT(8, "  Check\\n  out  ")) ","                                         \
              EL(9, "input", ATTR("id", "email") "," ATTR("type", "email") "," ATTR("placeholder", "Email")) "," \
              EL(10, "input", ATTR("name", "q") "," ATTR("type", "search") "," ATTR("placeholder", "Search")) "," \
              EL(11, "a", ATTR("href", "/pricing"), EL(12, "span", "", TXT(13, "Pricing"))) ","                \
              EL(14, "button", ATTR("aria-label", "Close dialog"), TXT(15, "X")) ","                          \
              EL(16, "input", ATTR("id", "pw") "," ATTR("type", "password") "," ATTR("placeholder", "Password")) "," \
              EL(17, "div", ATTR("class", "ph-no-capture") "," ATTR("rr_width", "20px") "," ATTR("rr_height", "9px")) "," \
              EL(18, "button", ATTR("id", "long"),                                                        \
                 TXT(19, "This is a very long button label that goes on and on and on")) ","               \
              EL(20, "input", ATTR("id", "agree") "," ATTR("type", "checkbox")) ","                        \
              EL(21, "div", "",                                                                           \
                 EL(22, "div", "", EL(23, "div", "", EL(24, "div", "", EL(25, "div", "", EL(26, "div", "", TXT(27, "deep"))))))) "," \
              EL(28, "label", "", TXT(29, "Remember me")) ","                                              \
              EL(30, "style", "", TXT(31, "body{color:red}")))))

#define START(w) META(w, 1000, "https://shop.test/", 800, 600) SNAP(w, 1001, PAGE)

typedef struct fixture {
    reelay_session *session;
    reelay_web_scene *scene;
} fixture;

static reelay_web_scene *build(const reelay_session *session, bool unmask)
{
    reelay_web_scene *scene = NULL;
    reelay_err err;
    reelay_err_clear(&err);
    reelay_web_scene_options options = {.unmask_inputs = unmask};
    if (reelay_web_scene_new(session, &options, &scene, &err) != REELAY_OK) fail_msg("scene failed: %s", err.msg);
    assert_non_null(scene);
    return scene;
}

static fixture open_text_opt(const char *text, bool unmask)
{
    fixture f = {.session = ts_session_from_text(text)};
    f.scene = build(f.session, unmask);
    return f;
}

static fixture open_text(const char *text)
{
    return open_text_opt(text, false);
}

static fixture open_path(const char *path, bool unmask)
{
    fixture f = {.session = ts_session_from_path(path)};
    f.scene = build(f.session, unmask);
    return f;
}

static void close_fixture(fixture *f)
{
    reelay_web_scene_free(f->scene);
    reelay_session_free(f->session);
}

static reelay_web_state at(const fixture *f, double ts)
{
    reelay_web_state s;
    reelay_web_scene_at(f->scene, ts, &s);
    return s;
}

static void assert_label(const char *got, const char *want)
{
    if (!want && !got) return;
    if (!want || !got || strcmp(got, want) != 0)
        fail_msg("label '%s', want '%s'", got ? got : "(null)", want ? want : "(null)");
}

/* The index of the n-th (0-based) event of a kind at time t (any time when t < 0). */
static size_t event_at(const reelay_session *s, reelay_event_kind kind, double t, int n)
{
    for (size_t i = 0; i < s->event_count; i++)
        if (s->events[i].kind == kind && (t < 0 || s->events[i].timestamp == t) && n-- == 0) return i;
    fail_msg("no event of kind %d at %g", (int)kind, t);
    return 0;
}

static const char *label_at(const fixture *f, reelay_event_kind kind, double t)
{
    return reelay_web_scene_event_label(f->scene, event_at(f->session, kind, t, 0));
}

/* Bullets (U+2022) repeated n times. */
static const char *bullets(size_t n)
{
    static char buf[200];
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) strcat(buf, "\xe2\x80\xa2");
    return buf;
}

/* ------------------------------------------------------------------------ */
/* Labels                                                                   */
/* ------------------------------------------------------------------------ */

static void test_labels_from_dom(void **state)
{
    (void)state;
    fixture f = open_text(START("w") CLICK("w", 2000, 7, 1, 1) CLICK("w", 2010, 8, 1, 1) CLICK("w", 2020, 9, 1, 1)
                              CLICK("w", 2030, 10, 1, 1) CLICK("w", 2040, 13, 1, 1) CLICK("w", 2050, 12, 1, 1)
                                  CLICK("w", 2060, 14, 1, 1) CLICK("w", 2070, 16, 1, 1) CLICK("w", 2080, 17, 1, 1)
                                      CLICK("w", 2090, 18, 1, 1) CLICK("w", 2100, 27, 1, 1)
                                          CLICK("w", 2110, 29, 1, 1) CLICK("w", 2120, 999, 1, 1)
                                              CLICK("w", 2130, 1, 1, 1) CLICK("w", 2140, 31, 1, 1));
    struct { double t; const char *want; } cases[] = {
        {2000, "button \"Check out\""},           /* whitespace collapsed */
        {2010, "button \"Check out\""},           /* climbed from the text node */
        {2020, "input#email \"Email\""},          /* placeholder */
        {2030, "input[name=q] \"Search\""},
        {2040, "a \"Pricing\""},                  /* text node in a span in a link */
        {2050, "a \"Pricing\""},
        {2060, "button \"Close dialog\""},        /* aria-label before text */
        {2070, "input#pw"},                       /* password: never text */
        {2080, "div"},                            /* blocked: never text */
        {2090, "button#long \"This is a very long button label that\xe2\x80\xa6\""},
        {2100, "div \"deep\""},                   /* no control within 5 levels: the target */
        {2110, "label \"Remember me\""},
        {2120, NULL},                             /* unknown id */
        {2130, NULL},                             /* the document names nothing */
        {2140, "style"},                          /* style text is never a name */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_label(label_at(&f, EV_INTERACTION, cases[i].t), cases[i].want);
    /* The quoted text of the long button is at most 40 bytes with its "…". */
    const char *lng = label_at(&f, EV_INTERACTION, 2090);
    const char *open = strchr(lng, '"');
    assert_true(strlen(open) - 2 <= 40);
    /* Clicks show their labels in the state too. */
    reelay_web_state s = at(&f, 2060);
    assert_int_equal(s.click_count, REELAY_WEB_MAX_CLICKS);
    assert_label(s.clicks[REELAY_WEB_MAX_CLICKS - 1].label, "button \"Close dialog\"");
    assert_label(s.clicks[0].label, "input[name=q] \"Search\""); /* 2030: the oldest of the newest four */
    close_fixture(&f);
}

static void test_label_cut_to_max(void **state)
{
    (void)state;
    fixture f = open_text(META("w", 1000, "https://x.test/", 800, 600) SNAP(
        "w", 1001,
        DOC(EL(2, "button",
               ATTR("id", "an-extremely-long-identifier-that-keeps-going-and-going-well-past-any-reasonable-"
                          "length-for-an-id-attribute"),
               TXT(3, "\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9"
                      "\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9"))))
                              CLICK("w", 2000, 3, 1, 1));
    const char *label = label_at(&f, EV_INTERACTION, 2000);
    assert_non_null(label);
    assert_true(strlen(label) <= REELAY_WEB_LABEL_MAX);
    assert_true(strncmp(label, "button#an-extremely-long", 24) == 0);
    /* Ends in "…" and is valid UTF-8 up to it. */
    size_t n = strlen(label);
    assert_true(n >= 3 && strcmp(label + n - 3, "\xe2\x80\xa6") == 0);
    close_fixture(&f);
}

static void test_labels_follow_the_dom(void **state)
{
    (void)state;
    fixture f = open_text(
        START("w") CLICK("w", 2000, 7, 1, 1)
        /* Text and attribute changes. */
        MUT("w", 2100,
            "\"texts\":[{\"id\":8,\"value\":\"Processing\\u2026\"}],\"attributes\":[{\"id\":9,\"attributes\":"
            "{\"aria-label\":\"Your email\"}}],\"removes\":[],\"adds\":[]")
            CLICK("w", 2200, 7, 1, 1) CLICK("w", 2210, 9, 1, 1)
        /* A new button added, its text child listed before it (queued), and
         * the link removed with its subtree. */
        MUT("w", 2300,
            "\"texts\":[],\"attributes\":[],\"removes\":[{\"parentId\":6,\"id\":11}],\"adds\":["
            "{\"parentId\":50,\"nextId\":null,\"node\":" TXT(51, "Pay now") "},"
            "{\"parentId\":6,\"nextId\":7,\"node\":" EL(50, "button", ATTR("id", "pay")) "}]")
            CLICK("w", 2400, 51, 1, 1) CLICK("w", 2410, 13, 1, 1) CLICK("w", 2420, 12, 1, 1)
        /* A new snapshot replaces the DOM. */
        SNAP("w", 2500, DOC(EL(2, "html", "", EL(7, "a", "", TXT(8, "Home")))))
            CLICK("w", 2600, 8, 1, 1) CLICK("w", 2610, 51, 1, 1));
    assert_label(label_at(&f, EV_INTERACTION, 2000), "button \"Check out\"");
    assert_label(label_at(&f, EV_INTERACTION, 2200), "button \"Processing\xe2\x80\xa6\"");
    assert_label(label_at(&f, EV_INTERACTION, 2210), "input#email \"Your email\"");
    assert_label(label_at(&f, EV_INTERACTION, 2400), "button#pay \"Pay now\"");
    assert_label(label_at(&f, EV_INTERACTION, 2410), NULL);
    assert_label(label_at(&f, EV_INTERACTION, 2420), NULL);
    assert_label(label_at(&f, EV_INTERACTION, 2600), "a \"Home\"");
    assert_label(label_at(&f, EV_INTERACTION, 2610), NULL);
    close_fixture(&f);
}

/* ------------------------------------------------------------------------ */
/* Title, URL, viewport, page height                                        */
/* ------------------------------------------------------------------------ */

static void test_title_and_its_mutations(void **state)
{
    (void)state;
    fixture f = open_text(START("w") MUT("w", 3000, "\"texts\":[{\"id\":5,\"value\":\"Cart (1)\"}]")
                              MUT("w", 4000,
                                  "\"removes\":[{\"parentId\":4,\"id\":5}],\"adds\":[{\"parentId\":4,\"nextId\":null,"
                                  "\"node\":" TXT(60, "Checkout") "}]")
                                  MUT("w", 5000, "\"removes\":[{\"parentId\":3,\"id\":4}]"));
    reelay_web_state s = at(&f, 1000);
    assert_null(s.title); /* the meta came before the snapshot */
    assert_true(s.stable_until == 1001);
    s = at(&f, 1001);
    assert_string_equal(s.title, "Shop \xe2\x80\x94 Home");
    assert_true(s.stable_until == 3000);
    s = at(&f, 2999.5);
    assert_string_equal(s.title, "Shop \xe2\x80\x94 Home");
    s = at(&f, 3000);
    assert_string_equal(s.title, "Cart (1)");
    s = at(&f, 4500);
    assert_string_equal(s.title, "Checkout");
    s = at(&f, 5000);
    assert_null(s.title);
    assert_null(s.tabs[0].title);
    close_fixture(&f);
}

/* A nested document's <title> (an iframe's, rrweb records its document under
 * the iframe element) or one in a shadow tree never names the tab: without a
 * top-level <title> there is no title, until the page gets one of its own. */
static void test_title_only_from_the_top_document(void **state)
{
    (void)state;
#define FRAME_DOC(id, title_id, text)                                                                   \
    "{\"type\":0,\"id\":" #id ",\"childNodes\":[" EL(title_id, "html", "",                              \
        EL(1##title_id, "head", "", EL(2##title_id, "title", "", TXT(3##title_id, text)))) "]}"
    fixture f = open_text(
        META("w", 1000, "https://shop.test/", 800, 600)
        SNAP("w", 1001,
             DOC(EL(2, "html", "",
                    EL(3, "head", "") ","
                    EL(6, "body", "",
                       EL(7, "iframe", "", FRAME_DOC(40, 41, "Ad frame")) ","
                       "{\"type\":2,\"id\":9,\"tagName\":\"title\",\"attributes\":{},\"isShadow\":true,"
                       "\"childNodes\":[" TXT(10, "Shadow title") "]}"))))
        /* an iframe loads later: rrweb adds its document under it */
        MUT("w", 2000, "\"adds\":[{\"parentId\":6,\"nextId\":null,\"node\":" EL(8, "iframe", "") "},"
                       "{\"parentId\":8,\"nextId\":null,\"node\":" FRAME_DOC(50, 51, "Chat widget") "}]")
        /* the page names itself */
        MUT("w", 3000, "\"adds\":[{\"parentId\":3,\"nextId\":null,\"node\":"
                       EL(60, "title", "", TXT(61, "Top page")) "}]"));
#undef FRAME_DOC
    reelay_web_state s = at(&f, 1500);
    assert_null(s.title);
    assert_null(s.tabs[0].title);
    s = at(&f, 2500);
    assert_null(s.title);
    s = at(&f, 3000);
    assert_string_equal(s.title, "Top page");
    assert_string_equal(s.tabs[0].title, "Top page");
    close_fixture(&f);
}

static void test_url_viewport_and_page_height(void **state)
{
    (void)state;
    fixture f = open_text(START("w") PAGEVIEW("w", 2000, "https://shop.test/cart") SCROLL("w", 3000, 1, 400)
                              SCROLL("w", 3500, 1, 100) SCROLL("w", 3600, 99, 5000) RESIZE("w", 4000, 1024, 700)
                                  SCROLL("w", 4500, 1, 350) META("w", 5000, "https://shop.test/done", 640, 480)
                                      SNAP("w", 5001, DOC(EL(2, "html", ""))));
    reelay_web_state s = at(&f, 999);
    assert_false(s.has_window);
    assert_null(s.url);
    assert_true(s.stable_until == 1000);
    s = at(&f, 1500);
    assert_true(s.has_window);
    assert_string_equal(s.url, "https://shop.test/");
    assert_true(s.has_viewport && s.viewport_width == 800 && s.viewport_height == 600);
    assert_true(s.page_height == 0); /* no scroll yet */
    s = at(&f, 2000);
    assert_string_equal(s.url, "https://shop.test/cart");
    s = at(&f, 3000);
    assert_true(s.page_height == 1000);
    s = at(&f, 3800); /* scrolling back up keeps the largest; other nodes' scrolls do not count */
    assert_true(s.page_height == 1000);
    s = at(&f, 4000);
    assert_true(s.viewport_width == 1024 && s.viewport_height == 700);
    s = at(&f, 4500);
    assert_true(s.page_height == 1050);
    s = at(&f, 5000);
    assert_string_equal(s.url, "https://shop.test/done");
    assert_true(s.viewport_width == 640);
    s = at(&f, 5001); /* a new document: height unknown again */
    assert_true(s.page_height == 0);
    close_fixture(&f);
}

/* ------------------------------------------------------------------------ */
/* Windows                                                                  */
/* ------------------------------------------------------------------------ */

static void test_tabs_and_active_window(void **state)
{
    (void)state;
    fixture f = open_text(START("a") CONSOLE("b", 1500, "log", "hello") CLICK("a", 1600, 7, 1, 1)
                              META("b", 2000, "https://other.test/", 1024, 768) CLICK("a", 2500, 9, 5, 5)
                                  CLICK("b", 3000, 3, 5, 5) CONSOLE("a", 3500, "error", "boom")
                                      CLICK("a", 4000, 9, 5, 5));
    uint32_t a = ts_window_of(f.session, "a"), b = ts_window_of(f.session, "b");
    reelay_web_state s = at(&f, 1200);
    assert_true(s.has_window);
    assert_int_equal(s.window, a);
    assert_int_equal(s.tab_count, 1);
    /* b appears (an inactive console event): a tab, but not active. */
    s = at(&f, 1500);
    assert_int_equal(s.tab_count, 2);
    assert_int_equal(s.window, a);
    assert_int_equal(s.tabs[0].window, a);
    assert_true(s.tabs[0].active);
    assert_int_equal(s.tabs[1].window, b);
    assert_false(s.tabs[1].active);
    assert_null(s.tabs[1].url);
    assert_string_equal(s.tabs[0].title, "Shop \xe2\x80\x94 Home");
    /* b's meta is active: b is shown, with its own URL and viewport. */
    s = at(&f, 2000);
    assert_int_equal(s.window, b);
    assert_string_equal(s.url, "https://other.test/");
    assert_true(s.viewport_width == 1024);
    assert_null(s.title);
    assert_int_equal(s.click_count, 0); /* a's click is not b's */
    assert_true(s.tabs[1].active && !s.tabs[0].active);
    assert_string_equal(s.tabs[1].url, "https://other.test/");
    s = at(&f, 2500);
    assert_int_equal(s.window, a);
    s = at(&f, 3600);
    assert_int_equal(s.window, b);
    assert_int_equal(s.toast_count, 0); /* a's error is a background tab's */
    s = at(&f, 4000);
    assert_int_equal(s.window, a);
    assert_int_equal(s.toast_count, 1);
    close_fixture(&f);
}

static void test_first_window_before_activity(void **state)
{
    (void)state;
    /* Only inactive events at first: the first window to appear is shown. */
    fixture f = open_text(CONSOLE("x", 1000, "log", "a") CONSOLE("y", 1100, "log", "b") CLICK("y", 2000, 3, 1, 1));
    uint32_t x = ts_window_of(f.session, "x"), y = ts_window_of(f.session, "y");
    reelay_web_state s = at(&f, 1150);
    assert_int_equal(s.window, x);
    assert_int_equal(s.tab_count, 2);
    assert_true(s.stable_until == 2000);
    s = at(&f, 2000);
    assert_int_equal(s.window, y);
    close_fixture(&f);
}

/* ------------------------------------------------------------------------ */
/* Focus and typed values                                                   */
/* ------------------------------------------------------------------------ */

static void test_focus_and_masked_typing(void **state)
{
    (void)state;
    fixture f = open_text(START("w") FOCUS("w", 2000, 9) INPUT("w", 2500, 9, "ab") INPUT("w", 3000, 9, "abc")
                              BLUR("w", 3500, 10) BLUR("w", 4000, 9) INPUT("w", 5000, 10, "shoes")
                                  SNAP("w", 6000, PAGE));
    reelay_web_state s = at(&f, 1999);
    assert_false(s.focus.active);
    assert_true(isinf(s.focus.typed_age_ms));
    s = at(&f, 2100);
    assert_true(s.focus.active);
    assert_label(s.focus.label, "input#email \"Email\"");
    assert_string_equal(s.focus.text, "");
    assert_true(s.focus.age_ms == 100);
    assert_true(isinf(s.focus.typed_age_ms));
    assert_false(s.animating);
    assert_true(s.stable_until == 2500);
    s = at(&f, 3200);
    assert_string_equal(s.focus.text, bullets(3));
    assert_true(s.focus.age_ms == 1200 && s.focus.typed_age_ms == 200);
    s = at(&f, 3600); /* another node's blur does not end it */
    assert_true(s.focus.active);
    s = at(&f, 4000);
    assert_false(s.focus.active);
    /* An input event focuses its node. */
    s = at(&f, 5000);
    assert_true(s.focus.active);
    assert_label(s.focus.label, "input[name=q] \"Search\"");
    assert_string_equal(s.focus.text, bullets(5));
    assert_true(s.focus.age_ms == 0);
    /* A full snapshot ends it. */
    s = at(&f, 6000);
    assert_false(s.focus.active);
    size_t e = event_at(f.session, EV_INPUT, 3000, 0);
    assert_string_equal(reelay_web_scene_event_value(f.scene, e), bullets(3));
    assert_label(reelay_web_scene_event_label(f.scene, e), "input#email \"Email\"");
    assert_null(reelay_web_scene_event_value(f.scene, event_at(f.session, EV_INTERACTION, 2000, 0)));
    assert_null(reelay_web_scene_event_label(f.scene, f.session->event_count));
    close_fixture(&f);
}

static bool contains(const char *s, const char *needle)
{
    return s && strstr(s, needle);
}

/* True when `needle` appears in any string the scene hands out. */
static bool scene_leaks(const fixture *f, const char *needle)
{
    for (size_t e = 0; e < f->session->event_count; e++)
        if (contains(reelay_web_scene_event_label(f->scene, e), needle) ||
            contains(reelay_web_scene_event_value(f->scene, e), needle))
            return true;
    for (size_t e = 0; e < f->session->event_count; e++) {
        for (double d = 0; d <= 2000; d += 250) {
            reelay_web_state s = at(f, f->session->events[e].timestamp + d);
            bool hit = contains(s.url, needle) || contains(s.title, needle) || contains(s.focus.label, needle) ||
                       contains(s.focus.text, needle) || contains(s.submit_label, needle);
            for (size_t i = 0; i < s.tab_count; i++)
                hit |= contains(s.tabs[i].url, needle) || contains(s.tabs[i].title, needle);
            for (size_t i = 0; i < s.click_count; i++) hit |= contains(s.clicks[i].label, needle);
            for (size_t i = 0; i < s.toast_count; i++) hit |= contains(s.toasts[i].text, needle);
            if (hit) return true;
        }
    }
    return false;
}

#define SECRET_SESSION                                                                                   \
    START("w") FOCUS("w", 2000, 9) INPUT("w", 2100, 9, "hunter2-secret") BLUR("w", 2200, 9)             \
    INPUT("w", 2300, 10, "hunter2-secret") INPUT("w", 2400, 16, "hunter2-secret")


/* The focus card shows a field only for elements that take typed text. */
static void test_focus_field_only_for_text(void **state)
{
    (void)state;
    fixture f = open_text(
        META("w", 1000, "https://shop.test/", 800, 600)
        SNAP("w", 1001,
             DOC(EL(2, "html", "",
                    EL(3, "body", "",
                       EL(4, "input", ATTR("type", "text")) "," EL(5, "input", "") ","
                       EL(6, "input", ATTR("type", "EMAIL")) "," EL(7, "input", ATTR("type", "password")) ","
                       EL(8, "input", ATTR("type", "number")) "," EL(9, "input", ATTR("type", "date")) ","
                       EL(10, "input", ATTR("type", "made-up")) "," EL(11, "textarea", "") ","
                       EL(20, "button", "", TXT(21, "Play")) "," EL(22, "input", ATTR("type", "submit")) ","
                       EL(23, "input", ATTR("type", "checkbox")) "," EL(24, "input", ATTR("type", "radio")) ","
                       EL(25, "input", ATTR("type", "range")) "," EL(26, "input", ATTR("type", "color")) ","
                       EL(27, "input", ATTR("type", "file")) "," EL(28, "video", "") ","
                       EL(29, "select", "") "," EL(30, "a", ATTR("href", "/x"), TXT(31, "x")) ","
                       EL(32, "input", ATTR("type", "button")) "," EL(33, "input", ATTR("type", "reset")) ","
                       EL(34, "input", ATTR("type", "image")) "," EL(35, "div", "")))))
        FOCUS("w", 2004, 4) FOCUS("w", 2005, 5) FOCUS("w", 2006, 6) FOCUS("w", 2007, 7) FOCUS("w", 2008, 8)
        FOCUS("w", 2009, 9) FOCUS("w", 2010, 10) FOCUS("w", 2011, 11)
        FOCUS("w", 2020, 20) FOCUS("w", 2022, 22) FOCUS("w", 2023, 23) FOCUS("w", 2024, 24) FOCUS("w", 2025, 25)
        FOCUS("w", 2026, 26) FOCUS("w", 2027, 27) FOCUS("w", 2028, 28) FOCUS("w", 2029, 29) FOCUS("w", 2030, 30)
        FOCUS("w", 2032, 32) FOCUS("w", 2033, 33) FOCUS("w", 2034, 34) FOCUS("w", 2035, 35)
        /* a checkbox's input event keeps it field-less; its state is the text */
        CHECK("w", 3000, 23, true)
        /* a node the DOM does not know: no field until text is typed into it */
        FOCUS("w", 4000, 99) INPUT("w", 4500, 99, "hi"));
    for (int id = 4; id <= 35; id++) {
        if (id > 11 && id < 20) continue;
        reelay_web_state s = at(&f, 2000 + id);
        assert_true(s.focus.active);
        bool text = id <= 11;
        if (s.focus.takes_text != text)
            fail_msg("node %d (%s): takes_text %d, expected %d", id, s.focus.label ? s.focus.label : "?",
                     s.focus.takes_text, text);
    }
    reelay_web_state s = at(&f, 3000);
    assert_label(s.focus.label, "input");
    assert_string_equal(s.focus.text, "checked");
    assert_false(s.focus.takes_text);
    s = at(&f, 4000);
    assert_true(s.focus.active);
    assert_false(s.focus.takes_text);
    s = at(&f, 4500);
    assert_true(s.focus.takes_text);
    close_fixture(&f);
}

static void test_typed_secret_never_in_scene(void **state)
{
    (void)state;
    fixture f = open_text(SECRET_SESSION);
    assert_false(scene_leaks(&f, "hunter2"));
    reelay_web_state s = at(&f, 2150);
    assert_string_equal(s.focus.text, bullets(14));
    close_fixture(&f);

    /* With unmask_inputs the value shows, except in the password field. */
    f = open_text_opt(SECRET_SESSION, true);
    assert_true(scene_leaks(&f, "hunter2-secret"));
    s = at(&f, 2150);
    assert_string_equal(s.focus.text, "hunter2-secret");
    s = at(&f, 2300);
    assert_string_equal(s.focus.text, "hunter2-secret");
    s = at(&f, 2400);
    assert_label(s.focus.label, "input#pw");
    assert_string_equal(s.focus.text, bullets(14));
    close_fixture(&f);
}

static void test_special_values(void **state)
{
    (void)state;
    const char *text = START("w") INPUT("w", 2000, 9, "[REDACTED]") INPUT("w", 2100, 9, "*****")
        CHECK("w", 2200, 20, true) CHECK("w", 2300, 20, false)
            INPUT("w", 2400, 9, "abcdefghijklmnopqrstuvwxyz0123456789")
                INPUT("w", 2500, 9, "\\u00e9t\\u00e9") INPUT("w", 2600, 9, "");
    for (int unmask = 0; unmask < 2; unmask++) {
        fixture f = open_text_opt(text, unmask);
        assert_string_equal(at(&f, 2000).focus.text, "[REDACTED]");
        assert_string_equal(at(&f, 2100).focus.text, unmask ? "*****" : bullets(5));
        assert_string_equal(at(&f, 2200).focus.text, "checked");
        assert_label(at(&f, 2200).focus.label, "input#agree");
        assert_string_equal(at(&f, 2300).focus.text, "unchecked");
        assert_string_equal(at(&f, 2400).focus.text,
                            unmask ? "abcdefghijklmnopqrstuvwxyz0123456789" : bullets(REELAY_WEB_MASK_MAX));
        assert_string_equal(at(&f, 2500).focus.text, unmask ? "\xc3\xa9t\xc3\xa9" : bullets(3));
        assert_string_equal(at(&f, 2600).focus.text, "");
        close_fixture(&f);
    }
}

/* ------------------------------------------------------------------------ */
/* Clicks                                                                   */
/* ------------------------------------------------------------------------ */

static void test_rage_burst(void **state)
{
    (void)state;
    fixture f = open_text(START("w") CLICK("w", 2000, 7, 100, 100) CLICK("w", 2300, 7, 110, 105)
                              CLICK("w", 2900, 7, 95, 120) CLICK("w", 3000, 7, 100, 100)
                                  CLICK("w", 3100, 7, 100, 100));
    reelay_web_state s = at(&f, 2500);
    assert_int_equal(s.click_count, 2);
    assert_false(s.clicks[0].rage || s.clicks[1].rage);
    assert_int_equal(s.clicks[1].rage_count, 2);
    assert_true(s.animating && s.stable_until == 2500);
    /* The third click makes the burst rage: every click of it shows it. */
    s = at(&f, 2900);
    assert_int_equal(s.click_count, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_true(s.clicks[i].rage);
        assert_int_equal(s.clicks[i].rage_count, 3);
    }
    assert_true(s.clicks[2].has_xy && s.clicks[2].x == 95 && s.clicks[2].y == 120);
    assert_true(s.clicks[0].age_ms == 900);
    assert_label(s.clicks[2].label, "button \"Check out\"");
    /* 3000 is exactly 1000 ms after the first: still the burst. 3100 is
     * not: a new burst, while the old one's clicks keep their count. */
    s = at(&f, 3100);
    assert_int_equal(s.click_count, 4); /* at most four, newest kept */
    assert_true(s.clicks[0].rage && s.clicks[0].rage_count == 4);
    assert_true(s.clicks[2].rage && s.clicks[2].rage_count == 4);
    assert_false(s.clicks[3].rage);
    assert_int_equal(s.clicks[3].rage_count, 1);
    /* Gone after REELAY_WEB_CLICK_LABEL_MS. */
    s = at(&f, 3100 + REELAY_WEB_CLICK_LABEL_MS);
    assert_int_equal(s.click_count, 0);
    assert_false(s.animating);
    assert_true(isinf(s.stable_until));
    close_fixture(&f);
}

static void test_spread_clicks_not_rage(void **state)
{
    (void)state;
    /* Far apart in space, then in time; a double click (rrweb records its
     * two clicks and then the DblClick) is not rage either. */
    fixture f = open_text(START("w") CLICK("w", 2000, 7, 100, 100) CLICK("w", 2200, 7, 200, 100)
                              CLICK("w", 2400, 7, 100, 200) CLICK("w", 5000, 7, 10, 10) CLICK("w", 5600, 7, 10, 10)
                                  CLICK("w", 6200, 7, 10, 10) CLICK("w", 9000, 7, 50, 50)
                                      CLICK("w", 9150, 7, 50, 50) DBL("w", 9151, 7, 50, 50)
                                          INTER("w", 12000, 3, 7, 70, 70));
    double times[] = {2400, 5600, 6200, 9151};
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
        reelay_web_state s = at(&f, times[i]);
        for (size_t k = 0; k < s.click_count; k++)
            if (s.clicks[k].rage) fail_msg("rage at %g", times[i]);
    }
    reelay_web_state s = at(&f, 9151);
    assert_int_equal(s.click_count, 3);
    assert_int_equal(s.clicks[2].kind, REELAY_WEB_DBL_CLICK);
    assert_int_equal(s.clicks[2].rage_count, 2);
    s = at(&f, 12000);
    assert_int_equal(s.clicks[s.click_count - 1].kind, REELAY_WEB_RIGHT_CLICK);
    close_fixture(&f);
}

/* ------------------------------------------------------------------------ */
/* Toasts and submits                                                       */
/* ------------------------------------------------------------------------ */

static void test_toasts(void **state)
{
    (void)state;
    fixture f = open_text(START("w") CONSOLE("w", 2000, "error", "Uncaught TypeError:\\n  x is undefined")
                              CONSOLE("w", 2100, "log", "just a log") CONSOLE("w", 2200, "warn", "deprecated")
                                  NET("w", 2300, "POST", "https://shop.test/api/orders?x=1", 500)
                                      NET("w", 2400, "GET", "https://shop.test/ok", 200)
                                          CONSOLE("w", 2500, "info", "fine"));
    reelay_web_state s = at(&f, 2000);
    assert_int_equal(s.toast_count, 1);
    assert_int_equal(s.toasts[0].kind, REELAY_WEB_TOAST_ERROR);
    assert_string_equal(s.toasts[0].text, "Error: Uncaught TypeError: x is undefined");
    assert_true(s.animating);
    s = at(&f, 2150);
    assert_int_equal(s.toast_count, 1); /* a log is no toast */
    s = at(&f, 2300);
    assert_int_equal(s.toast_count, 3);
    assert_int_equal(s.toasts[1].kind, REELAY_WEB_TOAST_WARNING);
    assert_string_equal(s.toasts[1].text, "Warning: deprecated");
    assert_int_equal(s.toasts[2].kind, REELAY_WEB_TOAST_NETWORK);
    assert_string_equal(s.toasts[2].text, "POST /api/orders?x=1 \xe2\x86\x92 500");
    assert_true(s.toasts[0].age_ms == 300 && s.toasts[2].age_ms == 0);
    /* Expiry: the error goes at 2000 + REELAY_WEB_TOAST_MS. */
    s = at(&f, 2000 + REELAY_WEB_TOAST_MS - 1);
    assert_int_equal(s.toast_count, 3);
    s = at(&f, 2000 + REELAY_WEB_TOAST_MS);
    assert_int_equal(s.toast_count, 2);
    assert_int_equal(s.toasts[0].kind, REELAY_WEB_TOAST_WARNING);
    s = at(&f, 2300 + REELAY_WEB_TOAST_MS);
    assert_int_equal(s.toast_count, 0);
    assert_false(s.animating);
    close_fixture(&f);
}

static void test_toast_limits(void **state)
{
    (void)state;
    fixture f = open_text(START("w") CONSOLE("w", 2000, "error", "one") CONSOLE("w", 2001, "error", "two")
                              CONSOLE("w", 2002, "error", "three") CONSOLE("w", 2003, "error", "four")
                                  CONSOLE("w", 2004, "warn",
                                          "a very long warning message that goes on and on and on and on and on "
                                          "and on and on and on and on and on and on and on and on and on"));
    reelay_web_state s = at(&f, 2003);
    assert_int_equal(s.toast_count, REELAY_WEB_MAX_TOASTS);
    assert_string_equal(s.toasts[0].text, "Error: two"); /* newest kept, oldest first */
    assert_string_equal(s.toasts[2].text, "Error: four");
    s = at(&f, 2004);
    const char *t = s.toasts[2].text;
    assert_true(strlen(t) <= REELAY_WEB_LABEL_MAX);
    assert_true(strcmp(t + strlen(t) - 3, "\xe2\x80\xa6") == 0);
    close_fixture(&f);
}

/* ------------------------------------------------------------------------ */
/* Fixtures                                                                 */
/* ------------------------------------------------------------------------ */

static void test_portable_fixture(void **state)
{
    (void)state;
    fixture f = open_path("fixtures/portable/signup.json", false);
    assert_label(label_at(&f, EV_INTERACTION, 1718005401900), "input#name");
    assert_label(label_at(&f, EV_INTERACTION, 1718005424300), "button \"Sign up\"");
    assert_label(label_at(&f, EV_INTERACTION, 1718005436100), "a \"Next\"");
    assert_label(label_at(&f, EV_SUBMIT, 1718005424310), "form#signup");

    /* A click on an input focuses it; typing shows bullets. */
    reelay_web_state s = at(&f, 1718005402000);
    assert_true(s.focus.active);
    assert_label(s.focus.label, "input#name");
    assert_true(s.focus.takes_text); /* a portable input takes text */
    assert_string_equal(s.focus.text, "");
    s = at(&f, 1718005403100);
    assert_string_equal(s.focus.text, bullets(9)); /* "Test User" */
    size_t e = event_at(f.session, EV_INPUT, 1718005403100, 0);
    assert_string_equal(reelay_web_scene_event_value(f.scene, e), bullets(9));
    assert_label(reelay_web_scene_event_label(f.scene, e), "input#name");
    s = at(&f, 1718005408300);
    assert_label(s.focus.label, "input#password");
    assert_string_equal(s.focus.text, "[REDACTED]");
    assert_true(s.focus.age_ms == 1400);
    /* The warning toast and the URL. */
    s = at(&f, 1718005408600);
    assert_int_equal(s.toast_count, 1);
    assert_string_equal(s.toasts[0].text, "Warning: Password strength: weak (score 1/4)");
    assert_string_equal(s.url, "https://app.example.test/signup");
    assert_true(s.viewport_width == 1366 && s.viewport_height == 768);
    /* Clicking the button ends the focus; the submit shows. */
    s = at(&f, 1718005424400);
    assert_false(s.focus.active);
    assert_true(s.submit_recent);
    assert_label(s.submit_label, "form#signup");
    assert_true(s.submit_age_ms == 90);
    s = at(&f, 1718005424310 + REELAY_WEB_SUBMIT_MS);
    assert_false(s.submit_recent);
    /* The error, the rejection and the uncaught error. */
    s = at(&f, 1718005425900);
    assert_int_equal(s.toast_count, 3);
    assert_string_equal(s.toasts[0].text, "Error: POST /api/signup 409 (Conflict)");
    assert_string_equal(s.toasts[1].text, "Error: Unhandled rejection: Error: Request failed with status code 409");
    assert_true(strncmp(s.toasts[2].text, "Error: Uncaught TypeError", 25) == 0);
    /* Navigations, and no rage anywhere. */
    s = at(&f, 1718005432000);
    assert_string_equal(s.url, "https://app.example.test/welcome");
    assert_false(s.focus.active);
    s = at(&f, 1718005437000);
    assert_string_equal(s.url, "https://app.example.test/welcome/profile");
    assert_int_equal(s.tab_count, 1);
    assert_string_equal(s.title, "Your profile"); /* the navigation's own title */
    s = at(&f, 1718005438000);
    assert_true(s.page_height == 300 + 768);
    for (size_t i = 0; i < f.session->event_count; i++) {
        s = at(&f, f.session->events[i].timestamp);
        for (size_t k = 0; k < s.click_count; k++) assert_false(s.clicks[k].rage);
    }
    assert_false(scene_leaks(&f, "Test User"));
    assert_false(scene_leaks(&f, "test-user"));
    close_fixture(&f);

    f = open_path("fixtures/portable/signup.json", true);
    s = at(&f, 1718005403100);
    assert_string_equal(s.focus.text, "Test User");
    s = at(&f, 1718005409400);
    assert_string_equal(s.focus.text, "[REDACTED]");
    close_fixture(&f);
}

static void test_portable_labels_from_paths(void **state)
{
    (void)state;
    fixture f = open_text(
        "{\"sessionId\":\"s\",\"startTime\":1000,\"metadata\":{\"viewport\":{\"width\":800,\"height\":600}},"
        "\"events\":["
        "{\"type\":\"click\",\"timestamp\":2000,\"data\":{\"x\":1,\"y\":1,\"target\":\"form#f > input[name=\\\"q\\\"]\","
        "\"tagName\":\"INPUT\"}},"
        "{\"type\":\"input\",\"timestamp\":2100,\"data\":{\"target\":\"input[name=\\\"q\\\"]\",\"value\":\"boots\"}},"
        "{\"type\":\"click\",\"timestamp\":2200,\"data\":{\"x\":1,\"y\":1,\"target\":\"div#app > span.icon\","
        "\"text\":\"  Save\\n draft \"}},"
        "{\"type\":\"click\",\"timestamp\":2300,\"data\":{\"x\":1,\"y\":1}},"
        "{\"type\":\"submit\",\"timestamp\":2400,\"data\":{}}]}");
    assert_label(label_at(&f, EV_INTERACTION, 2000), "input[name=q]");
    reelay_web_state s = at(&f, 2100);
    assert_true(s.focus.active);
    assert_label(s.focus.label, "input[name=q]");
    assert_string_equal(s.focus.text, bullets(5));
    assert_true(s.focus.age_ms == 100); /* the same field: focused since the click */
    assert_label(label_at(&f, EV_INTERACTION, 2200), "span \"Save draft\"");
    assert_false(at(&f, 2200).focus.active); /* a click elsewhere */
    assert_label(label_at(&f, EV_INTERACTION, 2300), NULL);
    s = at(&f, 2400);
    assert_true(s.submit_recent);
    assert_null(s.submit_label);
    close_fixture(&f);
}

static void check_web_fixture(const char *path)
{
    fixture f = open_path(path, false);
    const double t0 = 1718003600000;
    reelay_web_state s = at(&f, t0 + 100);
    assert_true(s.has_window);
    assert_string_equal(s.title, "Checkout");
    assert_string_equal(s.url, "https://shop.example.test/checkout");
    assert_true(s.viewport_width == 1280 && s.viewport_height == 720);
    assert_int_equal(s.tab_count, 1);
    assert_string_equal(s.tabs[0].title, "Checkout");
    /* Focus on the email field and masked typing (PostHog's own '*'s). */
    s = at(&f, 1718003603201);
    assert_true(s.focus.active);
    assert_label(s.focus.label, "input#email \"Email\"");
    s = at(&f, 1718003604301);
    assert_string_equal(s.focus.text, bullets(5));
    s = at(&f, 1718003607101);
    assert_string_equal(s.focus.text, bullets(21));
    assert_label(label_at(&f, EV_INTERACTION, 1718003603289), "input#email \"Email\"");
    /* The coupon field, the 404 and the warning. */
    s = at(&f, 1718003609321);
    assert_label(s.focus.label, "input#coupon \"Coupon code\"");
    assert_string_equal(s.focus.text, bullets(6));
    assert_int_equal(s.toast_count, 2);
    assert_string_equal(s.toasts[0].text, "GET /api/coupons/SAVE10 \xe2\x86\x92 404");
    assert_string_equal(s.toasts[1].text, "Warning: Coupon not found: SAVE10");
    /* The product title: clicked twice and double-clicked: not rage. */
    s = at(&f, 1718003612742);
    assert_int_equal(s.click_count, 3);
    assert_label(s.clicks[2].label, "h3 \"Trail Runner 2 \xc3\x97 1\"");
    assert_int_equal(s.clicks[2].kind, REELAY_WEB_DBL_CLICK);
    for (size_t k = 0; k < s.click_count; k++) assert_false(s.clicks[k].rage);
    assert_label(label_at(&f, EV_INTERACTION, 1718003614000), "img");
    s = at(&f, 1718003616001);
    assert_true(s.viewport_width == 1200 && s.viewport_height == 680);
    /* The buy button keeps the label it had when clicked. */
    assert_label(label_at(&f, EV_INTERACTION, 1718003620589), "button#buy \"Checkout\"");
    s = at(&f, 1718003620589);
    assert_label(s.focus.label, "button#buy \"Checkout\"");
    s = at(&f, 1718003622102);
    assert_string_equal(s.toasts[s.toast_count - 1].text,
                        "Error: Uncaught TypeError: Cannot read properties of undefined (reading 'total')");
    s = at(&f, 1718003622500);
    assert_string_equal(s.url, "https://shop.example.test/checkout/complete");
    assert_false(s.focus.active); /* a navigation */
    s = at(&f, 1718003611502);
    assert_true(s.page_height == 320 + 720);
    close_fixture(&f);
}

static void test_web_fixture(void **state)
{
    (void)state;
    check_web_fixture("fixtures/web/shop-checkout.rrweb.json");
    check_web_fixture("fixtures/web/shop-checkout.compressed.jsonl");
}

/* ------------------------------------------------------------------------ */
/* Change detection and untrusted input                                     */
/* ------------------------------------------------------------------------ */

static bool str_same(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* Equal apart from ages (and the change-detection fields). */
static bool same_state(const reelay_web_state *a, const reelay_web_state *b)
{
    if (a->has_window != b->has_window || a->window != b->window || !str_same(a->url, b->url) ||
        !str_same(a->title, b->title) || a->has_viewport != b->has_viewport ||
        a->viewport_width != b->viewport_width || a->viewport_height != b->viewport_height ||
        a->page_height != b->page_height || a->tab_count != b->tab_count || a->click_count != b->click_count ||
        a->focus.active != b->focus.active || !str_same(a->focus.label, b->focus.label) ||
        !str_same(a->focus.text, b->focus.text) || a->focus.takes_text != b->focus.takes_text ||
        a->submit_recent != b->submit_recent ||
        !str_same(a->submit_label, b->submit_label) || a->toast_count != b->toast_count)
        return false;
    for (size_t i = 0; i < a->tab_count; i++)
        if (a->tabs[i].window != b->tabs[i].window || a->tabs[i].active != b->tabs[i].active ||
            !str_same(a->tabs[i].url, b->tabs[i].url) || !str_same(a->tabs[i].title, b->tabs[i].title))
            return false;
    return true;
}

static void check_stable(const fixture *f)
{
    size_t checked = 0, animated = 0;
    for (size_t e = 0; e < f->session->event_count; e++) {
        double base = f->session->events[e].timestamp;
        double offsets[] = {-1, 0, 0.5, 700, 1600, 4100};
        for (size_t o = 0; o < sizeof offsets / sizeof offsets[0]; o++) {
            double ts = base + offsets[o];
            reelay_web_state s = at(f, ts);
            if (s.animating) {
                assert_true(s.stable_until == ts);
                assert_true(s.click_count || s.toast_count || s.submit_recent);
                animated++;
                continue;
            }
            assert_false(s.click_count || s.toast_count || s.submit_recent);
            assert_true(s.stable_until > ts);
            double end = isinf(s.stable_until) ? ts + 100000 : s.stable_until;
            for (int k = 1; k <= 8; k++) {
                double t = ts + (end - ts) * k / 8.0;
                if (t >= end) t = nextafter(end, -INFINITY);
                reelay_web_state u = at(f, t);
                if (!same_state(&s, &u)) fail_msg("state at %.3f differs from %.3f (stable until %.3f)", t, ts, end);
                assert_false(u.animating);
            }
            checked++;
        }
    }
    assert_true(checked > 0 && animated > 0);
}

static void test_stable_until(void **state)
{
    (void)state;
    fixture f = open_path("fixtures/web/shop-checkout.rrweb.json", false);
    check_stable(&f);
    close_fixture(&f);
    f = open_path("fixtures/portable/signup.json", false);
    check_stable(&f);
    close_fixture(&f);
    f = open_text(START("a") CONSOLE("b", 1500, "log", "x") CLICK("a", 1600, 7, 1, 1)
                      META("b", 2000, "https://other.test/", 1024, 768) FOCUS("a", 2500, 9) INPUT("a", 2600, 9, "x")
                          MUT("a", 2700, "\"texts\":[{\"id\":5,\"value\":\"New\"}]") PAGEVIEW("b", 9000, "https://b/2"));
    check_stable(&f);
    /* A background tab's URL change is a change of the state. */
    reelay_web_state s = at(&f, 8000);
    assert_true(s.stable_until == 9000);
    close_fixture(&f);
}

static reelay_event *add(reelay_session *s, reelay_event_kind kind, double ts, bool active)
{
    reelay_event *ev = reelay_session_add_event(s);
    assert_non_null(ev);
    ev->kind = kind;
    ev->timestamp = ts;
    ev->window = 0;
    ev->active = active;
    ev->rr_source = -1;
    ev->content_hash[0] = (uint64_t)s->event_count;
    return ev;
}

static void test_untrusted_input(void **state)
{
    (void)state;
    reelay_session *s = reelay_session_new();
    assert_non_null(s);
    assert_true(reelay_session_window(s, "w") == 0);
    reelay_event *ev = add(s, EV_META, 1000, true);
    ev->u.meta.width = NAN;
    ev->u.meta.height = 600;
    ev->u.meta.href = NULL;
    ev = add(s, EV_VIEWPORT_RESIZE, 1100, true);
    ev->u.resize.width = INFINITY;
    ev->u.resize.height = -5;
    ev = add(s, EV_INTERACTION, 1200, true);
    ev->u.interaction.type = RR_CLICK;
    ev->u.interaction.target_id = 424242;
    ev->u.interaction.x = NAN;
    ev->u.interaction.y = 5;
    ev->u.interaction.has_xy = true;
    ev = add(s, EV_INTERACTION, 1300, true);
    ev->u.interaction.type = 99; /* unknown type */
    ev->u.interaction.target_id = -7;
    ev = add(s, EV_SCROLL, 1400, true);
    ev->u.scroll.target_id = 1;
    ev->u.scroll.y = INFINITY;
    ev = add(s, EV_INPUT, 1500, true);
    ev->u.input.target_id = 31337;
    ev->u.input.text = "typed-into-nowhere";
    ev = add(s, EV_MUTATION, 1600, false); /* texts and removes of unknown nodes */
    static reelay_dom_remove removes[] = {{.parent_id = 5, .id = 6}};
    static reelay_dom_text_change texts[] = {{.id = 77, .value = NULL}};
    static reelay_dom_attr_change attrs[] = {{.id = 78, .name = "id", .value = "x"}};
    ev->u.mutation.dom_removes = removes;
    ev->u.mutation.dom_remove_count = 1;
    ev->u.mutation.texts = texts;
    ev->u.mutation.text_count = 1;
    ev->u.mutation.attributes = attrs;
    ev->u.mutation.attribute_count = 1;
    ev = add(s, EV_NETWORK, 1700, false);
    static reelay_network_request reqs[] = {{.url = NULL, .method = NULL, .status = 503}};
    ev->u.network.requests = reqs;
    ev->u.network.count = 1;
    reelay_err err;
    reelay_err_clear(&err);
    assert_int_equal(reelay_session_finalize(s, &err), REELAY_OK);

    fixture f = {.session = s, .scene = build(s, false)};
    reelay_web_state st = at(&f, 1250);
    assert_false(st.has_viewport);
    assert_null(st.url);
    assert_int_equal(st.click_count, 1);
    assert_false(st.clicks[0].has_xy);
    assert_null(st.clicks[0].label);
    st = at(&f, 1500);
    assert_true(st.page_height == 0);
    assert_true(st.focus.active);
    assert_null(st.focus.label);
    assert_string_equal(st.focus.text, bullets(18));
    st = at(&f, 1700);
    assert_int_equal(st.toast_count, 1);
    assert_string_equal(st.toasts[0].text, "\xe2\x86\x92 503");
    /* Non-finite query times give the empty state. */
    st = at(&f, NAN);
    assert_false(st.has_window);
    assert_true(isinf(st.stable_until));
    st = at(&f, INFINITY);
    assert_false(st.has_window);
    assert_null(reelay_web_scene_event_label(f.scene, SIZE_MAX));
    assert_false(scene_leaks(&f, "typed-into"));
    close_fixture(&f);
}

static void test_deep_and_large_dom(void **state)
{
    (void)state;
    /* A chain of 400 nested divs (within the ingest's depth limit) and a
     * button with 1000 text children: labels stay bounded. */
    size_t cap = 400 * 80 + 1000 * 60 + 4096;
    char *text = malloc(cap);
    assert_non_null(text);
    size_t n = 0;
    n += (size_t)snprintf(text + n, cap - n, "%s", META("w", 1000, "https://x.test/", 800, 600));
    n += (size_t)snprintf(text + n, cap - n,
                          "[\"w\",{\"type\":2,\"timestamp\":1001,\"data\":{\"initialOffset\":{\"top\":0,\"left\":0},"
                          "\"node\":{\"type\":0,\"id\":1,\"childNodes\":[");
    for (int i = 0; i < 400; i++)
        n += (size_t)snprintf(text + n, cap - n, "{\"type\":2,\"id\":%d,\"tagName\":\"div\",\"attributes\":{},\"childNodes\":[",
                              10 + i);
    n += (size_t)snprintf(text + n, cap - n,
                          "{\"type\":2,\"id\":5000,\"tagName\":\"button\",\"attributes\":{},\"childNodes\":[");
    for (int i = 0; i < 1000; i++)
        n += (size_t)snprintf(text + n, cap - n, "%s{\"type\":3,\"id\":%d,\"textContent\":\"\"}", i ? "," : "",
                              6000 + i);
    n += (size_t)snprintf(text + n, cap - n, ",{\"type\":3,\"id\":7000,\"textContent\":\"late\"}]}");
    for (int i = 0; i < 400; i++) n += (size_t)snprintf(text + n, cap - n, "]}");
    n += (size_t)snprintf(text + n, cap - n, "]}}}]\n");
    n += (size_t)snprintf(text + n, cap - n, "%s%s%s", CLICK("w", 2000, 7000, 1, 1), CLICK("w", 2100, 12, 1, 1),
                          MUT("w", 2200, "\"removes\":[{\"parentId\":1,\"id\":10}]"));
    n += (size_t)snprintf(text + n, cap - n, "%s", CLICK("w", 2300, 5000, 1, 1));
    assert_true(n < cap);
    fixture f = open_text(text);
    free(text);
    /* The text lies beyond the 200 nodes visited: the button has no name. */
    assert_label(label_at(&f, EV_INTERACTION, 2000), "button");
    assert_label(label_at(&f, EV_INTERACTION, 2100), "div");
    assert_label(label_at(&f, EV_INTERACTION, 2300), NULL); /* removed with its ancestors */
    close_fixture(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_labels_from_dom),
        cmocka_unit_test(test_label_cut_to_max),
        cmocka_unit_test(test_labels_follow_the_dom),
        cmocka_unit_test(test_title_and_its_mutations),
        cmocka_unit_test(test_title_only_from_the_top_document),
        cmocka_unit_test(test_url_viewport_and_page_height),
        cmocka_unit_test(test_tabs_and_active_window),
        cmocka_unit_test(test_first_window_before_activity),
        cmocka_unit_test(test_focus_and_masked_typing),
        cmocka_unit_test(test_focus_field_only_for_text),
        cmocka_unit_test(test_typed_secret_never_in_scene),
        cmocka_unit_test(test_special_values),
        cmocka_unit_test(test_rage_burst),
        cmocka_unit_test(test_spread_clicks_not_rage),
        cmocka_unit_test(test_toasts),
        cmocka_unit_test(test_toast_limits),
        cmocka_unit_test(test_portable_fixture),
        cmocka_unit_test(test_portable_labels_from_paths),
        cmocka_unit_test(test_web_fixture),
        cmocka_unit_test(test_stable_until),
        cmocka_unit_test(test_untrusted_input),
        cmocka_unit_test(test_deep_and_large_dom),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
