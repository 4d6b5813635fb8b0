/* Unit tests for src/scene/page_changes (when the page engine must draw
 * again): snapshots, meta and document-touching sources count; console,
 * custom and network events do not; pointer events only when the hovered
 * element changes; focus and blur always; windows are apart; revisions at
 * and between change times. Sessions come from inline JSONL blob lines. */
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

static void test_hover_changes_only(void **state)
{
    (void)state;
    reelay_session *s;
    reelay_page_changes *c =
        changes_of(META("w", 1000) SNAP("w", 1001) MOVE("w", 1100, 2) MOVE("w", 1200, 2) MOVE("w", 1300, 3)
                       INTER("w", 1400, 2, 3) INTER("w", 1500, 5, 3) INTER("w", 1600, 6, 3) INTER("w", 1700, 2, 2)
                       SNAP("w", 1800) MOVE("w", 1900, 2),
                   &s);
    uint32_t w = ts_window_of(s, "w");
    /* meta, snap, hover 2, hover 3, (click on 3: no), focus, blur, click on 2, snap, hover 2 again after the rebuild */
    assert_int_equal(reelay_page_changes_count(c, w), 9);
    assert_int_equal(reelay_page_changes_revision(c, w, 1250), 3);
    assert_int_equal(reelay_page_changes_revision(c, w, 1450), 4);
    assert_int_equal(reelay_page_changes_revision(c, w, 1650), 6);
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

#define HOVER_RULE(w, t) LINE(w, t, 3, "{\"source\":8,\"id\":2,\"adds\":[{\"rule\":\"a:hover{color:red}\"}]}")

static void test_hover_needs_a_hover_rule(void **state)
{
    (void)state;
    /* window a has no :hover rule anywhere: its pointer never redraws the
     * page (focus still does); window b has one */
    reelay_session *s;
    reelay_page_changes *c =
        changes_kept(META("a", 1000) SNAP("a", 1001) MOVE("a", 1100, 2) MOVE("a", 1200, 3) INTER("a", 1300, 2, 2)
                         INTER("a", 1400, 5, 2) META("b", 2000) SNAP("b", 2001) HOVER_RULE("b", 2002)
                         MOVE("b", 2100, 2) MOVE("b", 2200, 3),
                     &s);
    uint32_t a = ts_window_of(s, "a"), b = ts_window_of(s, "b");
    assert_int_equal(reelay_page_changes_count(c, a), 3); /* meta, snapshot, focus */
    assert_int_equal(reelay_page_changes_count(c, b), 5); /* meta, snapshot, rule, two hovers */
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
