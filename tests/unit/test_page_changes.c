/* Unit tests for src/scene/page_changes (when the page engine must draw
 * again): snapshots, meta and document-touching sources count; console,
 * custom and network events do not; pointer events only when an element
 * a :hover rule can restyle enters or leaves the hovered chain (marks
 * dropped by class mutations and re-added nodes, rules from when they are
 * recorded); focus and blur always; windows are apart; revisions at and
 * between change times. Sessions come from inline JSONL blob lines. */
#define _POSIX_C_SOURCE 200809L
#include "test_support.h"

#include <string.h>

#include "ingest/ingest.h"
#include "scene/page_changes.h"
#include "session/session.h"

#define Q(s) "\"" s "\""
#define LINE(w, t, type, data) "[" Q(w) ",{\"type\":" #type ",\"timestamp\":" #t ",\"data\":" data "}]\n"
#define DOC "{\"type\":0,\"id\":1,\"childNodes\":[{\"type\":2,\"id\":2,\"tagName\":\"html\",\"attributes\":{},\"childNodes\":[]}]}"
#define SNAP(w, t) LINE(w, t, 2, "{\"node\":" DOC ",\"initialOffset\":{\"top\":0,\"left\":0}}")
#define META(w, t) LINE(w, t, 4, "{\"href\":\"https://a.test/\",\"width\":800,\"height\":600}")
#define MOVE(w, t, id) LINE(w, t, 3, "{\"source\":1,\"positions\":[{\"x\":1,\"y\":2,\"id\":" #id ",\"timeOffset\":0}]}")
#define INTER(w, t, type, id) LINE(w, t, 3, "{\"source\":2,\"type\":" #type ",\"id\":" #id ",\"x\":1,\"y\":1}")
#define SCROLL(w, t) LINE(w, t, 3, "{\"source\":3,\"id\":1,\"x\":0,\"y\":40}")
#define INPUT(w, t) LINE(w, t, 3, "{\"source\":5,\"id\":2,\"text\":\"a\",\"isChecked\":false}")
#define STYLE(w, t) LINE(w, t, 3, "{\"source\":8,\"id\":2,\"adds\":[{\"rule\":\"a{color:red}\"}]}")
#define LOG(w, t) LINE(w, t, 3, "{\"source\":11,\"level\":\"log\",\"payload\":[]}")
#define CONSOLE(w, t)                                                                                    \
    LINE(w, t, 6, "{\"plugin\":\"rrweb/console@1\",\"payload\":{\"level\":\"error\",\"trace\":[],\"payload\":[\"x\"]}}")
#define CUSTOM(w, t) LINE(w, t, 5, "{\"tag\":\"$pageview\",\"payload\":{\"href\":\"https://a.test/b\"}}")

static reelay_page_changes *changes_of(const char *text, reelay_session **session)
{
    *session = ts_session_from_text(text);
    assert_non_null(*session);
    reelay_page_changes *changes = NULL;
    reelay_err err;
    reelay_err_clear(&err);
    assert_int_equal(reelay_page_changes_new(*session, &changes, &err), REELAY_OK);
    return changes;
}

static void test_document_sources_count(void **state)
{
    (void)state;
    reelay_session *s;
    reelay_page_changes *c = changes_of(META("w", 1000) SNAP("w", 1001) SCROLL("w", 1100) INPUT("w", 1200)
                                            STYLE("w", 1300) CONSOLE("w", 1400) CUSTOM("w", 1500) LOG("w", 1600),
                                        &s);
    uint32_t w = ts_window_of(s, "w");
    assert_int_equal(reelay_page_changes_count(c, w), 5);
    assert_int_equal(reelay_page_changes_revision(c, w, 999), 0);
    assert_int_equal(reelay_page_changes_revision(c, w, 1000), 1); /* at the time: included */
    assert_int_equal(reelay_page_changes_revision(c, w, 1001), 2);
    assert_int_equal(reelay_page_changes_revision(c, w, 1150), 3);
    /* console, custom and log events change no pixel of the page */
    assert_int_equal(reelay_page_changes_revision(c, w, 1300), 5);
    assert_int_equal(reelay_page_changes_revision(c, w, 99999), 5);
    reelay_page_changes_free(c);
    reelay_session_free(s);
}

/* document 1 > html 2 > body 3 > (a.link 4 > span 5 > "go" 6), (div.card 7 > button.btn 8), div 9 */
#define EL(id, tag, attrs, kids)                                                                              \
    "{\"type\":2,\"id\":" #id ",\"tagName\":\"" tag "\",\"attributes\":{" attrs "},\"childNodes\":[" kids "]}"
#define CARD EL(7, "div", "\"class\":\"card\"", EL(8, "button", "\"class\":\"btn\"", ""))
#define PAGE                                                                                                  \
    "{\"type\":0,\"id\":1,\"childNodes\":[" EL(                                                               \
        2, "html", "",                                                                                        \
        EL(3, "body", "",                                                                                     \
           EL(4, "a", "\"class\":\"link\"", EL(5, "span", "", "{\"type\":3,\"id\":6,\"textContent\":\"go\"}")) \
           "," CARD "," EL(9, "div", "", ""))) "]}"
#define PAGE_SNAP(w, t) LINE(w, t, 2, "{\"node\":" PAGE ",\"initialOffset\":{\"top\":0,\"left\":0}}")
#define RULE(w, t, css) LINE(w, t, 3, "{\"source\":8,\"id\":2,\"adds\":[{\"rule\":\"" css "\"}]}")
#define SET_CLASS(w, t, id, cls)                                                                              \
    LINE(w, t, 3,                                                                                             \
         "{\"source\":0,\"texts\":[],\"removes\":[],\"adds\":[],\"attributes\":[{\"id\":" #id                  \
         ",\"attributes\":{\"class\":\"" cls "\"}}]}")
#define SET_ATTR(w, t, id, name)                                                                              \
    LINE(w, t, 3,                                                                                             \
         "{\"source\":0,\"texts\":[],\"removes\":[],\"adds\":[],\"attributes\":[{\"id\":" #id                  \
         ",\"attributes\":{\"" name "\":\"\"}}]}")
#define REMOVE_TARGET(w, t, id)                                                                               \
    LINE(w, t, 3,                                                                                             \
         "{\"source\":0,\"texts\":[],\"attributes\":[],\"adds\":[],\"removes\":[{\"parentId\":3,\"id\":" #id   \
         "}]}")
#define READD_CARD(w, t)                                                                                      \
    LINE(w, t, 3,                                                                                             \
         "{\"source\":0,\"texts\":[],\"attributes\":[],\"removes\":[{\"parentId\":3,\"id\":7}],"                 \
         "\"adds\":[{\"parentId\":3,\"nextId\":9,\"node\":" CARD "}]}")

/* Without the recorded JSON the style text is unknown: every change of the
 * hovered chain counts, moves within one element and interactions that
 * hover nothing do not. */
static void test_hover_changes_only(void **state)
{
    (void)state;
    reelay_session *s;
    reelay_page_changes *c =
        changes_of(META("w", 1000) PAGE_SNAP("w", 1001) MOVE("w", 1100, 9) MOVE("w", 1200, 9) MOVE("w", 1300, 5)
                       INTER("w", 1400, 2, 5) INTER("w", 1450, 4, 9) INTER("w", 1460, 3, 9) INTER("w", 1500, 5, 5)
                       INTER("w", 1600, 6, 5) MOVE("w", 1700, 4) MOVE("w", 1800, 99) MOVE("w", 1900, 4)
                       MOVE("w", 2000, 4) PAGE_SNAP("w", 2100) MOVE("w", 2200, 4),
                   &s);
    uint32_t w = ts_window_of(s, "w");
    /* meta, snap, hover 9, hover 5, (click on 5, dblclick and context menu on 9: no), focus, blur, hover 4
     * (5 leaves the chain), unknown 99, 4 after an unknown target, (4 again: no), snap, 4 after the rebuild */
    assert_int_equal(reelay_page_changes_count(c, w), 11);
    assert_int_equal(reelay_page_changes_revision(c, w, 1250), 3);
    assert_int_equal(reelay_page_changes_revision(c, w, 1460), 4);
    assert_int_equal(reelay_page_changes_revision(c, w, 1650), 6);
    assert_int_equal(reelay_page_changes_revision(c, w, 2050), 9);
    reelay_page_changes_free(c);
    reelay_session_free(s);
}
/* Read as the page view reads it: with each event's JSON kept. */
static reelay_page_changes *changes_kept(const char *text, reelay_session **session)
{
    reelay_ingest_options options = reelay_ingest_defaults();
    options.keep_rrweb_json = true;
    reelay_err err;
    reelay_err_clear(&err);
    assert_int_equal(reelay_ingest_memory((const unsigned char *)text, strlen(text), "test", &options, session, &err),
                     REELAY_OK);
    reelay_page_changes *changes = NULL;
    assert_int_equal(reelay_page_changes_new(*session, &changes, &err), REELAY_OK);
    return changes;
}

static void test_hover_needs_a_hover_rule(void **state)
{
    (void)state;
    /* window a has no :hover rule anywhere: its pointer never redraws the
     * page (focus still does); window b has one */
    reelay_session *s;
    reelay_page_changes *c =
        changes_kept(META("a", 1000) PAGE_SNAP("a", 1001) MOVE("a", 1100, 4) MOVE("a", 1200, 9)
                         INTER("a", 1300, 2, 4) INTER("a", 1400, 5, 4) META("b", 2000) PAGE_SNAP("b", 2001)
                         RULE("b", 2002, "a:hover{color:red}") MOVE("b", 2100, 4) MOVE("b", 2200, 9),
                     &s);
    uint32_t a = ts_window_of(s, "a"), b = ts_window_of(s, "b");
    assert_int_equal(reelay_page_changes_count(c, a), 3); /* meta, snapshot, focus */
    assert_int_equal(reelay_page_changes_count(c, b), 5); /* meta, snapshot, rule, two hovers */
    reelay_page_changes_free(c);
    reelay_session_free(s);
}

/* Only an element a :hover rule can restyle, entering or leaving the
 * hovered chain, redraws the page. */
static void test_hover_rules_decide(void **state)
{
    (void)state;
    reelay_session *s;
    reelay_page_changes *c =
        changes_kept(META("w", 1000) PAGE_SNAP("w", 1001) RULE("w", 1002, "a:hover{color:red}") MOVE("w", 1100, 9)
                         MOVE("w", 1200, 7) MOVE("w", 1300, 8) MOVE("w", 1400, 5) MOVE("w", 1500, 4)
                         MOVE("w", 1600, 9),
                     &s);
    uint32_t w = ts_window_of(s, "w");
    /* meta, snap, rule; 9, 7 and 8 are no <a>; 5 brings its <a> in; 4 only drops the span; 9 drops the <a> */
    assert_int_equal(reelay_page_changes_count(c, w), 5);
    assert_int_equal(reelay_page_changes_revision(c, w, 1399), 3);
    assert_int_equal(reelay_page_changes_revision(c, w, 1400), 4);
    assert_int_equal(reelay_page_changes_revision(c, w, 1599), 4);
    assert_int_equal(reelay_page_changes_revision(c, w, 1600), 5);
    reelay_page_changes_free(c);
    reelay_session_free(s);
}

/* rrweb hovers at the end of a seek, after the seek's mutations, and
 * which events share a seek is the frame loop's: an element whose class a
 * mutation sets, or that a mutation adds again into the hovered chain, may
 * be marked or not, and the next hover counts when such an element can be
 * restyled. Rules count from when they are recorded. */
static void test_hover_marks_follow_the_dom(void **state)
{
    (void)state;
    reelay_session *s;
    reelay_page_changes *c =
        changes_kept(META("w", 1000) PAGE_SNAP("w", 1001) MOVE("w", 1050, 4) RULE("w", 1060, ".card:hover{color:red}")
                         MOVE("w", 1100, 8) MOVE("w", 1150, 8) SET_CLASS("w", 1200, 7, "card open")
                         MOVE("w", 1300, 8) SET_CLASS("w", 1350, 9, "x") MOVE("w", 1360, 8)
                         SET_CLASS("w", 1370, 8, "btn x") MOVE("w", 1380, 8) READD_CARD("w", 1400)
                         MOVE("w", 1500, 8) MOVE("w", 1600, 4) PAGE_SNAP("w", 1700) MOVE("w", 1800, 9)
                         MOVE("w", 1900, 8),
                     &s);
    uint32_t w = ts_window_of(s, "w");
    /* meta, snap, (4: no rule yet), rule, 8 brings .card in, (8 again: no), class of the card set, 8 again,
     * class of div 9 set, (8 again: nothing unsure), class of the button set, (8 again: the button is unsure
     * but no rule restyles it), card added again, 8 again (the new card is unsure), 4 (the card leaves),
     * snap, (9: the rebuilt chain of 4 is unsure, but holds no card), 8 (a card) */
    assert_int_equal(reelay_page_changes_count(c, w), 13);
    assert_int_equal(reelay_page_changes_revision(c, w, 1050), 2);
    assert_int_equal(reelay_page_changes_revision(c, w, 1150), 4);
    assert_int_equal(reelay_page_changes_revision(c, w, 1300), 6);
    assert_int_equal(reelay_page_changes_revision(c, w, 1360), 7);
    assert_int_equal(reelay_page_changes_revision(c, w, 1380), 8);
    assert_int_equal(reelay_page_changes_revision(c, w, 1500), 10);
    assert_int_equal(reelay_page_changes_revision(c, w, 1600), 11);
    assert_int_equal(reelay_page_changes_revision(c, w, 1800), 12);
    assert_int_equal(reelay_page_changes_revision(c, w, 1900), 13);
    reelay_page_changes_free(c);
    reelay_session_free(s);
}

/* Any attribute of an element hovered since the snapshot, even one the
 * DOM model does not keep, leaves that element unsure: rrweb was seen to
 * show a stale hover on such an element. A target a mutation removes
 * leaves the marks unknown. */
static void test_hover_after_a_hovered_element_changes(void **state)
{
    (void)state;
    reelay_session *s;
    reelay_page_changes *c = changes_kept(
        META("w", 1000) PAGE_SNAP("w", 1001) RULE("w", 1002, ".card:hover{color:red}") MOVE("w", 1100, 8)
            MOVE("w", 1200, 9) SET_ATTR("w", 1300, 5, "disabled") MOVE("w", 1400, 4)
            SET_ATTR("w", 1500, 8, "disabled") MOVE("w", 1600, 4) SET_ATTR("w", 1700, 7, "hidden")
            MOVE("w", 1800, 4) REMOVE_TARGET("w", 1850, 4) MOVE("w", 1900, 9),
        &s);
    uint32_t w = ts_window_of(s, "w");
    /* meta, snap, rule, 8 (card in), 9 (card out), attribute of the never-hovered span, (4: no rule), attribute
     * of the button hovered before, (4: the button is unsure, no rule restyles it), attribute of the card
     * hovered before, 4 (the card is unsure), the target removed, 9 (unknown marks) */
    assert_int_equal(reelay_page_changes_count(c, w), 11);
    assert_int_equal(reelay_page_changes_revision(c, w, 1400), 6);
    assert_int_equal(reelay_page_changes_revision(c, w, 1600), 7);
    assert_int_equal(reelay_page_changes_revision(c, w, 1800), 9);
    assert_int_equal(reelay_page_changes_revision(c, w, 1900), 11);
    reelay_page_changes_free(c);
    reelay_session_free(s);
}

static void test_windows_apart(void **state)
{
    (void)state;
    reelay_session *s;
    reelay_page_changes *c =
        changes_of(META("a", 1000) SNAP("a", 1001) META("b", 1100) SNAP("b", 1101) SCROLL("b", 1200), &s);
    uint32_t a = ts_window_of(s, "a"), b = ts_window_of(s, "b");
    assert_int_equal(reelay_page_changes_revision(c, a, 5000), 2);
    assert_int_equal(reelay_page_changes_revision(c, b, 5000), 3);
    assert_int_equal(reelay_page_changes_revision(c, b, 1100), 1);
    /* unknown windows and no index at all are revision 0 */
    assert_int_equal(reelay_page_changes_revision(c, 77, 5000), 0);
    assert_int_equal(reelay_page_changes_revision(NULL, a, 5000), 0);
    reelay_page_changes_free(c);
    reelay_session_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_document_sources_count),
        cmocka_unit_test(test_hover_changes_only),
        cmocka_unit_test(test_windows_apart),
        cmocka_unit_test(test_hover_needs_a_hover_rule),
        cmocka_unit_test(test_hover_rules_decide),
        cmocka_unit_test(test_hover_marks_follow_the_dom),
        cmocka_unit_test(test_hover_after_a_hovered_element_changes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
