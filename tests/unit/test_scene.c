/* Unit tests for src/scene/wireframe_scene: mutation rules (§4.9), bars and
 * keyboard (§4.7), windows, seeking and limits. Sessions are built from
 * inline JSONL blob lines (["window", event]) or the mobile fixtures. */
#include "test_support.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/ingest.h"
#include "scene/wireframe_scene.h"

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */
/* ------------------------------------------------------------------------ */

typedef struct sbuf {
    char *p;
    size_t len, cap;
} sbuf;

static void sb_add(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_add(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    assert_true(n >= 0);
    if (b->len + (size_t)n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + (size_t)n + 1) cap *= 2;
        b->p = realloc(b->p, cap);
        assert_non_null(b->p);
        b->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

typedef struct fixture {
    reelay_session *session;
    reelay_wf_scene *scene;
} fixture;

static fixture open_text(const char *text)
{
    fixture f = {.session = ts_session_from_text(text)};
    f.scene = reelay_wf_scene_new(f.session);
    assert_non_null(f.scene);
    return f;
}

static void close_fixture(fixture *f)
{
    reelay_wf_scene_free(f->scene);
    reelay_session_free(f->session);
}

static void seek(reelay_wf_scene *scene, double ts)
{
    reelay_err err;
    reelay_err_clear(&err);
    if (reelay_wf_scene_seek(scene, ts, NULL, &err) != REELAY_OK) fail_msg("seek %.0f failed: %s", ts, err.msg);
}

/* The live tree as "1(2 3(4)) 5", walked iteratively with the view's links;
 * also checks that every link agrees with its reverse. */
static void tree_text(const reelay_wf_view *v, sbuf *b)
{
    b->len = 0;
    sb_add(b, "%s", "");
    uint32_t i = v->first_root;
    uint32_t prev = REELAY_SCENE_NONE;
    while (i != REELAY_SCENE_NONE) {
        const reelay_scene_node *n = &v->nodes[i];
        assert_non_null(n->wf);
        assert_int_equal(n->id, n->wf->id);
        assert_int_equal(n->prev_sibling, prev);
        if (prev != REELAY_SCENE_NONE) sb_add(b, " ");
        sb_add(b, "%lld", (long long)n->id);
        if (n->first_child != REELAY_SCENE_NONE) {
            assert_int_equal(v->nodes[n->first_child].parent, i);
            sb_add(b, "(");
            prev = REELAY_SCENE_NONE;
            i = n->first_child;
            continue;
        }
        /* Next sibling, or close parents until one has a next sibling. */
        for (;;) {
            if (v->nodes[i].next_sibling != REELAY_SCENE_NONE) {
                prev = i;
                i = v->nodes[i].next_sibling;
                break;
            }
            uint32_t parent = v->nodes[i].parent;
            if (parent == REELAY_SCENE_NONE) {
                i = REELAY_SCENE_NONE;
                break;
            }
            assert_int_equal(v->nodes[parent].last_child, i);
            sb_add(b, ")");
            i = parent;
        }
    }
}

static size_t tree_size(const reelay_wf_view *v)
{
    size_t count = 0;
    uint32_t i = v->first_root;
    while (i != REELAY_SCENE_NONE) {
        count++;
        if (v->nodes[i].first_child != REELAY_SCENE_NONE) {
            i = v->nodes[i].first_child;
            continue;
        }
        while (i != REELAY_SCENE_NONE && v->nodes[i].next_sibling == REELAY_SCENE_NONE) i = v->nodes[i].parent;
        if (i != REELAY_SCENE_NONE) i = v->nodes[i].next_sibling;
    }
    return count;
}

static void expect_tree(reelay_wf_scene *scene, double ts, const char *want)
{
    seek(scene, ts);
    reelay_wf_view v;
    reelay_wf_scene_view(scene, &v);
    sbuf b = {0};
    tree_text(&v, &b);
    if (strcmp(b.p, want) != 0) fail_msg("at %.0f: tree \"%s\", want \"%s\"", ts, b.p, want);
    assert_int_equal(reelay_wf_scene_node_count(scene), tree_size(&v));
    free(b.p);
}

/* Everything a renderer reads, as text, for comparing two scenes. */
static void view_text(const reelay_wf_view *v, sbuf *b)
{
    tree_text(v, b);
    sb_add(b, " | w%u c%d %gx%g %s sb%lld nb%lld bg%d kb%d:%g,%g,%g,%g", v->window, v->has_content, v->width,
           v->height, v->screen_name ? v->screen_name : "-", v->status_bar ? (long long)v->status_bar->id : -1LL,
           v->navigation_bar ? (long long)v->navigation_bar->id : -1LL,
           v->navigation_background ? (int)v->navigation_background->r : -1, v->keyboard.open, v->keyboard.height,
           v->keyboard.x, v->keyboard.y, v->keyboard.width);
}

/* A snapshot line: window w, time t, wireframes JSON. */
#define SNAP(w, t, wfs) "[\"" w "\",{\"type\":2,\"timestamp\":" #t ",\"data\":{\"wireframes\":" wfs "}}]\n"
#define META(w, t, width, height, href)                                                                       \
    "[\"" w "\",{\"type\":4,\"timestamp\":" #t ",\"data\":{\"width\":" #width ",\"height\":" #height            \
    ",\"href\":\"" href "\"}}]\n"
#define MUT(w, t, body) "[\"" w "\",{\"type\":3,\"timestamp\":" #t ",\"data\":{\"source\":0," body "}}]\n"
#define TOUCH(w, t)                                                                                          \
    "[\"" w "\",{\"type\":3,\"timestamp\":" #t                                                               \
    ",\"data\":{\"source\":2,\"type\":7,\"id\":0,\"x\":1,\"y\":1,\"pointerType\":2}}]\n"
#define KEYBOARD(w, t, payload)                                                                              \
    "[\"" w "\",{\"type\":5,\"timestamp\":" #t ",\"data\":{\"tag\":\"keyboard\",\"payload\":" payload "}}]\n"

/* A root 1 with children 2, 3(4), the base of most mutation tests. */
#define BASE                                                                                                 \
    SNAP("w", 1000, "[{\"id\":1,\"childWireframes\":[{\"id\":2},{\"id\":3,\"childWireframes\":[{\"id\":4}]}]}]")

/* ------------------------------------------------------------------------ */
/* Mutations                                                                */
/* ------------------------------------------------------------------------ */

static void test_full_snapshot_builds_tree(void **state)
{
    (void)state;
    fixture f = open_text(BASE);
    expect_tree(f.scene, 999, "");
    expect_tree(f.scene, 1000, "1(2 3(4))");
    close_fixture(&f);
}

static void test_update_reappends_last(void **state)
{
    (void)state;
    fixture f = open_text(BASE MUT("w", 2000, "\"updates\":[{\"parentId\":1,\"wireframe\":{\"id\":2,\"x\":5}}]")
                              MUT("w", 3000, "\"updates\":[{\"parentId\":1,\"wireframe\":{\"id\":3}}]"));
    expect_tree(f.scene, 2000, "1(3(4) 2)");
    /* The update carries no children: 3's old child 4 goes with the remove. */
    expect_tree(f.scene, 3000, "1(2 3)");
    close_fixture(&f);
}

static void test_removes_before_adds(void **state)
{
    (void)state;
    /* Were adds applied first, 9 would be removed again and 7 would land under 2. */
    fixture f = open_text(BASE MUT("w", 2000,
                                   "\"adds\":[{\"parentId\":1,\"wireframe\":{\"id\":9}},"
                                   "{\"parentId\":2,\"wireframe\":{\"id\":7}}],"
                                   "\"removes\":[{\"parentId\":1,\"id\":9},{\"parentId\":1,\"id\":2}]"));
    expect_tree(f.scene, 2000, "1(3(4) 9)");
    close_fixture(&f);
}

static void test_add_unknown_parent_dropped(void **state)
{
    (void)state;
    fixture f = open_text(BASE MUT("w", 2000,
                                   "\"adds\":[{\"parentId\":99,\"wireframe\":{\"id\":9}},"
                                   "{\"wireframe\":{\"id\":10}},{\"parentId\":4,\"wireframe\":{\"id\":11}}]"));
    expect_tree(f.scene, 2000, "1(2 3(4(11)))");
    close_fixture(&f);
}

static void test_remove_unknown_ignored(void **state)
{
    (void)state;
    fixture f = open_text(BASE MUT("w", 2000,
                                   "\"adds\":[{\"parentId\":1,\"wireframe\":{\"id\":9}}],"
                                   "\"removes\":[{\"parentId\":1,\"id\":99},{\"parentId\":99,\"id\":2}]"));
    /* The second remove names a known node but an unknown parent: skipped. */
    expect_tree(f.scene, 2000, "1(2 3(4) 9)");
    close_fixture(&f);
}

static void test_remove_with_wrong_parent_unmaps_only(void **state)
{
    (void)state;
    /* rrweb unmaps 4, then removeChild throws: 4 stays painted, and a later
     * update of 4 adds a second copy instead of replacing it. */
    fixture f = open_text(BASE MUT("w", 2000, "\"removes\":[{\"parentId\":1,\"id\":4}]")
                              MUT("w", 3000, "\"updates\":[{\"parentId\":3,\"wireframe\":{\"id\":4}}]"));
    expect_tree(f.scene, 2000, "1(2 3(4))");
    expect_tree(f.scene, 3000, "1(2 3(4 4))");
    close_fixture(&f);
}

static void test_update_unknown_id_acts_as_add(void **state)
{
    (void)state;
    fixture f = open_text(BASE MUT("w", 2000,
                                   "\"updates\":[{\"parentId\":3,\"wireframe\":{\"id\":50,\"childWireframes\":"
                                   "[{\"id\":51}]}},{\"parentId\":77,\"wireframe\":{\"id\":52}}]"));
    expect_tree(f.scene, 2000, "1(2 3(4 50(51)))");
    close_fixture(&f);
}

static void test_root_update_without_parent(void **state)
{
    (void)state;
    /* Android's root update (quirk 7): the root stays, the unchanged child 2
     * moves to the end, the changed 3 is added beside its old copy, and a
     * later remove of 3 takes the newest copy. */
    fixture f = open_text(BASE MUT("w", 2000,
                                   "\"updates\":[{\"wireframe\":{\"id\":1,\"childWireframes\":[{\"id\":2},"
                                   "{\"id\":3,\"x\":9,\"childWireframes\":[{\"id\":4}]}]}}]")
                              MUT("w", 3000, "\"removes\":[{\"parentId\":1,\"id\":3}]"));
    expect_tree(f.scene, 2000, "1(3 2 3(4))");
    /* The old 3 lost its child 4: 4 was unchanged, so it moved under the new 3. */
    reelay_wf_view v;
    reelay_wf_scene_view(f.scene, &v);
    uint32_t old3 = v.nodes[v.nodes[v.first_root].first_child].first_child;
    assert_int_equal(old3, REELAY_SCENE_NONE);
    expect_tree(f.scene, 3000, "1(3 2)");
    close_fixture(&f);
}

static void test_duplicate_ids(void **state)
{
    (void)state;
    /* Same id, different properties: both exist, the id names the newest.
     * Same id, same properties: the node moves (rrweb's isNodeMetaEqual). */
    fixture f = open_text(BASE MUT("w", 2000,
                                   "\"adds\":[{\"parentId\":1,\"wireframe\":{\"id\":2,\"x\":1}},"
                                   "{\"parentId\":3,\"wireframe\":{\"id\":4}}]")
                              MUT("w", 3000, "\"removes\":[{\"parentId\":1,\"id\":2}]"));
    expect_tree(f.scene, 2000, "1(2 3(4) 2)");
    expect_tree(f.scene, 3000, "1(2 3(4))");
    reelay_wf_view v;
    reelay_wf_scene_view(f.scene, &v);
    assert_true(v.nodes[v.nodes[v.first_root].first_child].wf->x == 0);
    close_fixture(&f);
}

static void test_screenshot_parented_to_root(void **state)
{
    (void)state;
    fixture f = open_text(BASE MUT("w", 2000,
                                   "\"adds\":[{\"parentId\":3,\"wireframe\":{\"id\":8,\"type\":\"screenshot\","
                                   "\"width\":10,\"height\":10,\"base64\":\"AAAA\"}}]")
                              MUT("w", 3000,
                                  "\"updates\":[{\"parentId\":4,\"wireframe\":{\"id\":8,\"type\":\"screenshot\","
                                  "\"width\":20,\"height\":10,\"base64\":\"AAAA\"}}]"));
    expect_tree(f.scene, 2000, "1(2 3(4)) 8");
    /* The update's remove also names <body>, so the old copy goes. */
    expect_tree(f.scene, 3000, "1(2 3(4)) 8");
    assert_int_equal(reelay_wf_scene_node_count(f.scene), 5);
    close_fixture(&f);
}

static void test_parent_body_id_is_top_level(void **state)
{
    (void)state;
    fixture f = open_text(BASE MUT("w", 2000, "\"adds\":[{\"parentId\":5,\"wireframe\":{\"id\":60}}]")
                              MUT("w", 3000, "\"removes\":[{\"parentId\":5,\"id\":60}]"));
    expect_tree(f.scene, 2000, "1(2 3(4)) 60");
    expect_tree(f.scene, 3000, "1(2 3(4))");
    close_fixture(&f);
}

static void test_add_subtree_then_remove_parent(void **state)
{
    (void)state;
    fixture f = open_text(BASE MUT("w", 2000,
                                   "\"adds\":[{\"parentId\":2,\"wireframe\":{\"id\":10,\"childWireframes\":"
                                   "[{\"id\":11,\"childWireframes\":[{\"id\":12}]},{\"id\":13}]}}]")
                              MUT("w", 3000, "\"removes\":[{\"parentId\":1,\"id\":2}]")
                                  MUT("w", 4000, "\"adds\":[{\"parentId\":12,\"wireframe\":{\"id\":14}}]"));
    expect_tree(f.scene, 2000, "1(2(10(11(12) 13)) 3(4))");
    expect_tree(f.scene, 3000, "1(3(4))");
    /* 12 left the id map with its ancestor: an add under it is dropped. */
    expect_tree(f.scene, 4000, "1(3(4))");
    close_fixture(&f);
}

static void test_pending_adds_retried(void **state)
{
    (void)state;
    /* Children listed before their parents are queued and applied after the
     * first pass; a queued add whose parent never appears is dropped. */
    fixture f = open_text(BASE MUT("w", 2000,
                                   "\"adds\":[{\"parentId\":21,\"wireframe\":{\"id\":22}},"
                                   "{\"parentId\":20,\"wireframe\":{\"id\":21}},"
                                   "{\"parentId\":88,\"wireframe\":{\"id\":23}},"
                                   "{\"parentId\":1,\"wireframe\":{\"id\":20}}]"));
    expect_tree(f.scene, 2000, "1(2 3(4) 20(21(22)))");
    close_fixture(&f);
}

static void test_remove_only_mobile_event(void **state)
{
    (void)state;
    /* Without a wireframe in adds/updates the event is a plain rrweb mutation. */
    fixture f = open_text(BASE MUT("w", 2000, "\"removes\":[{\"parentId\":3,\"id\":4}],\"adds\":[]"));
    expect_tree(f.scene, 2000, "1(2 3)");
    close_fixture(&f);
}

static void test_full_snapshot_replaces_tree(void **state)
{
    (void)state;
    fixture f = open_text(BASE MUT("w", 2000, "\"adds\":[{\"parentId\":1,\"wireframe\":{\"id\":9}}]")
                              SNAP("w", 3000, "[{\"id\":30,\"childWireframes\":[{\"id\":2}]},{\"id\":31}]")
                                  MUT("w", 4000, "\"adds\":[{\"parentId\":1,\"wireframe\":{\"id\":9}}]"));
    expect_tree(f.scene, 2000, "1(2 3(4) 9)");
    expect_tree(f.scene, 3000, "30(2) 31");
    expect_tree(f.scene, 4000, "30(2) 31");
    close_fixture(&f);
}

static void test_mutation_before_content_ignored(void **state)
{
    (void)state;
    fixture f = open_text(MUT("w", 500, "\"adds\":[{\"parentId\":5,\"wireframe\":{\"id\":70}}]") BASE);
    seek(f.scene, 600);
    reelay_wf_view v;
    reelay_wf_scene_view(f.scene, &v);
    assert_false(v.has_content);
    assert_int_equal(v.first_root, REELAY_SCENE_NONE);
    expect_tree(f.scene, 1000, "1(2 3(4))");
    close_fixture(&f);
}

static void test_screenshot_before_snapshot_synthesises_one(void **state)
{
    (void)state;
    fixture f = open_text(
        MUT("w", 500,
            "\"updates\":[{\"parentId\":1,\"wireframe\":{\"id\":8,\"type\":\"screenshot\",\"width\":300,"
            "\"height\":600,\"base64\":\"AAAA\"}}]")
            MUT("w", 700,
                "\"updates\":[{\"parentId\":1,\"wireframe\":{\"id\":8,\"type\":\"screenshot\",\"width\":300,"
                "\"height\":600,\"base64\":\"BBBB\"}}]"));
    expect_tree(f.scene, 500, "8");
    reelay_wf_view v;
    reelay_wf_scene_view(f.scene, &v);
    assert_true(v.has_content);
    assert_true(v.width == 300 && v.height == 600);
    expect_tree(f.scene, 700, "8");
    reelay_wf_scene_view(f.scene, &v);
    assert_string_equal(v.nodes[v.first_root].wf->base64, "BBBB");
    /* Backward seek restarts from the synthesised snapshot. */
    expect_tree(f.scene, 600, "8");
    reelay_wf_scene_view(f.scene, &v);
    assert_string_equal(v.nodes[v.first_root].wf->base64, "AAAA");
    close_fixture(&f);
}

/* ------------------------------------------------------------------------ */
/* Bars, keyboard, meta                                                     */
/* ------------------------------------------------------------------------ */

static void test_bars_lifted(void **state)
{
    (void)state;
    fixture f = open_text(
        SNAP("w", 1000,
             "[{\"id\":1,\"childWireframes\":[{\"id\":2,\"childWireframes\":[{\"id\":3,\"type\":\"status_bar\","
             "\"childWireframes\":[{\"id\":30}]}]},{\"id\":4,\"type\":\"status_bar\"},"
             "{\"id\":5,\"type\":\"navigation_bar\",\"style\":{\"backgroundColor\":\"#102030\"}}]}]")
            SNAP("w", 2000,
                 "[{\"id\":1,\"childWireframes\":[{\"id\":3,\"type\":\"status_bar\"},{\"id\":5,"
                 "\"type\":\"navigation_bar\"}]},{\"id\":6,\"childWireframes\":[{\"id\":7,\"type\":\"status_bar\"}]},"
                 "{\"id\":8,\"childWireframes\":[{\"id\":9}]},{\"id\":10,\"type\":\"navigation_bar\"}]")
                MUT("w", 3000,
                    "\"adds\":[{\"parentId\":9,\"wireframe\":{\"id\":11,\"type\":\"status_bar\","
                    "\"childWireframes\":[{\"id\":12}]}}]"));
    reelay_wf_view v;
    /* Nested: the first status bar depth-first wins; bars and their children leave the tree. */
    expect_tree(f.scene, 1000, "1(2)");
    reelay_wf_scene_view(f.scene, &v);
    assert_non_null(v.status_bar);
    assert_int_equal(v.status_bar->id, 3);
    assert_int_equal(v.navigation_bar->id, 5);
    assert_non_null(v.navigation_background);
    assert_int_equal(v.navigation_background->r, 0x10);
    /* Across top-level wireframes the last one wins. */
    expect_tree(f.scene, 2000, "1 6 8(9)");
    reelay_wf_scene_view(f.scene, &v);
    assert_int_equal(v.status_bar->id, 7);
    assert_int_equal(v.navigation_bar->id, 10);
    /* Bar 10 has no background: the remembered one stays. */
    assert_non_null(v.navigation_background);
    assert_int_equal(v.navigation_background->g, 0x20);
    /* In a mutation a bar stays in place, without its children. */
    expect_tree(f.scene, 3000, "1 6 8(9(11))");
    reelay_wf_scene_view(f.scene, &v);
    assert_int_equal(v.status_bar->id, 7);
    close_fixture(&f);
}

static void test_keyboard(void **state)
{
    (void)state;
    fixture f = open_text(KEYBOARD("w", 500, "{\"open\":true,\"height\":100}") BASE
                              KEYBOARD("w", 2000, "{\"open\":true,\"height\":300}")
                                  KEYBOARD("w", 2500, "{\"open\":true,\"height\":250,\"x\":3,\"y\":-1,\"width\":2.5}")
                                      KEYBOARD("w", 3000, "{\"open\":false}")
                                          KEYBOARD("w", 4000, "{\"open\":true,\"height\":200}")
                                              SNAP("w", 5000, "[{\"id\":1}]"));
    reelay_wf_view v;
    seek(f.scene, 1500); /* the keyboard before any content did nothing */
    reelay_wf_scene_view(f.scene, &v);
    assert_false(v.keyboard.open);
    seek(f.scene, 2000);
    reelay_wf_scene_view(f.scene, &v);
    assert_true(v.keyboard.open);
    assert_true(v.keyboard.height == 300);
    assert_false(v.keyboard.has_x || v.keyboard.has_y || v.keyboard.has_width);
    seek(f.scene, 2500);
    reelay_wf_scene_view(f.scene, &v);
    assert_true(v.keyboard.has_x && v.keyboard.x == 3);
    assert_false(v.keyboard.has_y);     /* not positive */
    assert_false(v.keyboard.has_width); /* not an integer */
    seek(f.scene, 3000);
    reelay_wf_scene_view(f.scene, &v);
    assert_false(v.keyboard.open);
    seek(f.scene, 4500);
    reelay_wf_scene_view(f.scene, &v);
    assert_true(v.keyboard.open && v.keyboard.height == 200);
    seek(f.scene, 5000); /* a full snapshot wipes it */
    reelay_wf_scene_view(f.scene, &v);
    assert_false(v.keyboard.open);
    seek(f.scene, 4500); /* and a backward seek brings it back */
    reelay_wf_scene_view(f.scene, &v);
    assert_true(v.keyboard.open && v.keyboard.height == 200);
    close_fixture(&f);
}

static void test_navigation_background_remembered(void **state)
{
    (void)state;
    /* Per window, kept across snapshots without a bar, set by bars in
     * mutations too, and restored by backward seeks. */
    fixture f = open_text(
        SNAP("a", 1000, "[{\"id\":1,\"childWireframes\":[{\"id\":2,\"type\":\"navigation_bar\","
                        "\"style\":{\"backgroundColor\":\"#112233\"}}]}]")
            SNAP("a", 2000, "[{\"id\":1}]") SNAP("b", 2500, "[{\"id\":7}]")
                TOUCH("a", 3000)
                    MUT("a", 4000, "\"adds\":[{\"parentId\":1,\"wireframe\":{\"id\":3,\"type\":\"div\","
                                   "\"childWireframes\":[{\"id\":4,\"type\":\"navigation_bar\",\"style\":"
                                   "{\"backgroundColor\":\"#445566\"}}]}}]")
                        SNAP("a", 5000, "[{\"id\":1}]"));
    reelay_wf_view v;
    seek(f.scene, 6000);
    reelay_wf_scene_view(f.scene, &v);
    assert_null(v.navigation_bar);
    assert_non_null(v.navigation_background);
    assert_int_equal(v.navigation_background->r, 0x44);
    seek(f.scene, 3500);
    reelay_wf_scene_view(f.scene, &v);
    assert_null(v.navigation_bar);
    assert_non_null(v.navigation_background);
    assert_int_equal(v.navigation_background->r, 0x11);
    seek(f.scene, 2600); /* window b never saw a bar */
    reelay_wf_scene_view(f.scene, &v);
    assert_string_equal(f.session->windows[v.window].key, "b");
    assert_null(v.navigation_background);
    close_fixture(&f);
}

static void test_meta_per_window(void **state)
{
    (void)state;
    fixture f = open_text(META("a", 1000, 400, 800, "Main") SNAP("a", 1001, "[{\"id\":1}]")
                              META("b", 2000, 300, 500, "Dialog") SNAP("b", 2001, "[{\"id\":2}]")
                                  TOUCH("a", 3000) META("b", 4000, 320, 520, "Dialog2"));
    reelay_wf_view v;
    seek(f.scene, 1500);
    reelay_wf_scene_view(f.scene, &v);
    assert_true(v.width == 400 && v.height == 800);
    assert_string_equal(v.screen_name, "Main");
    seek(f.scene, 2500);
    reelay_wf_scene_view(f.scene, &v);
    assert_true(v.width == 300 && v.height == 500);
    assert_string_equal(v.screen_name, "Dialog");
    seek(f.scene, 3500); /* back to a: a's meta, not b's */
    reelay_wf_scene_view(f.scene, &v);
    assert_true(v.width == 400 && v.height == 800);
    seek(f.scene, 4500);
    reelay_wf_scene_view(f.scene, &v);
    assert_true(v.width == 320 && v.height == 520);
    assert_string_equal(v.screen_name, "Dialog2");
    close_fixture(&f);
}

static void test_viewport_without_meta(void **state)
{
    (void)state;
    fixture f = open_text(SNAP("w", 1000, "[{\"id\":1,\"width\":393,\"height\":852}]") META("w", 2000, 10, 20, "x"));
    reelay_wf_view v;
    seek(f.scene, 1000);
    reelay_wf_scene_view(f.scene, &v);
    assert_true(v.width == 393 && v.height == 852);
    seek(f.scene, 2000);
    reelay_wf_scene_view(f.scene, &v);
    assert_true(v.width == 10 && v.height == 20);
    close_fixture(&f);
}

static void test_window_switching(void **state)
{
    (void)state;
    fixture f = open_text(META("a", 500, 400, 800, "A") SNAP("a", 1000, "[{\"id\":1}]")
                              SNAP("b", 2000, "[{\"id\":2}]") TOUCH("a", 3000) META("c", 3500, 1, 1, "C")
                                  TOUCH("b", 4000)
                                      MUT("a", 5000, "\"adds\":[{\"parentId\":1,\"wireframe\":{\"id\":3}}]"));
    static const struct {
        double ts;
        const char *key;
        const char *tree;
        bool content;
    } expect[] = {
        {400, "a", "", false},   /* before anything: the first window that gets content */
        {700, "a", "", false},   /* a's meta is active but a has no content yet */
        {1000, "a", "1", true},  {2500, "b", "2", true}, {3000, "a", "1", true},
        {3700, "a", "1", true},  /* c is active but has no content */
        {4000, "b", "2", true},  {6000, "b", "2", true}, /* mutations are not active */
    };
    for (int pass = 0; pass < 2; pass++) {
        for (size_t k = 0; k < sizeof expect / sizeof expect[0]; k++) {
            size_t i = pass ? sizeof expect / sizeof expect[0] - 1 - k : k;
            expect_tree(f.scene, expect[i].ts, expect[i].tree);
            reelay_wf_view v;
            reelay_wf_scene_view(f.scene, &v);
            assert_string_equal(f.session->windows[v.window].key, expect[i].key);
            assert_int_equal(v.has_content, expect[i].content);
        }
    }
    close_fixture(&f);
}

static void test_changed_flag(void **state)
{
    (void)state;
    fixture f = open_text(BASE MUT("w", 2000, "\"adds\":[{\"parentId\":1,\"wireframe\":{\"id\":9}}]"));
    reelay_err err;
    bool changed = false;
    assert_int_equal(reelay_wf_scene_seek(f.scene, 1500, &changed, &err), REELAY_OK);
    assert_true(changed); /* the first seek */
    assert_int_equal(reelay_wf_scene_seek(f.scene, 1600, &changed, &err), REELAY_OK);
    assert_false(changed);
    assert_int_equal(reelay_wf_scene_seek(f.scene, 2000, &changed, &err), REELAY_OK);
    assert_true(changed);
    assert_int_equal(reelay_wf_scene_seek(f.scene, 1999, &changed, &err), REELAY_OK);
    assert_true(changed);
    assert_int_equal(reelay_wf_scene_seek(f.scene, NAN, &changed, &err), REELAY_E_USAGE);
    close_fixture(&f);
}

/* ------------------------------------------------------------------------ */
/* Limits and depth                                                         */
/* ------------------------------------------------------------------------ */

/* A mutation chaining n nodes, each the parent of the next: in order, or
 * listed children-first so that every add waits in the retry queue. */
static char *chain_text(int n, bool reversed)
{
    sbuf b = {0};
    sb_add(&b, "%s", BASE);
    sb_add(&b, "[\"w\",{\"type\":3,\"timestamp\":2000,\"data\":{\"source\":0,\"adds\":[");
    for (int k = 0; k < n; k++) {
        int i = reversed ? n - 1 - k : k;
        sb_add(&b, "%s{\"parentId\":%d,\"wireframe\":{\"id\":%d}}", k ? "," : "", i ? 1000 + i - 1 : 4, 1000 + i);
    }
    sb_add(&b, "]}}]\n");
    sb_add(&b, "%s", MUT("w", 3000, "\"removes\":[{\"parentId\":3,\"id\":4}]"));
    return b.p;
}

static void run_chain(bool reversed)
{
    const int n = 50000;
    char *text = chain_text(n, reversed);
    fixture f = open_text(text);
    free(text);
    seek(f.scene, 2000);
    reelay_wf_view v;
    reelay_wf_scene_view(f.scene, &v);
    assert_int_equal(reelay_wf_scene_node_count(f.scene), 4 + n);
    assert_int_equal(tree_size(&v), 4 + n);
    /* The deepest node really is n levels below 4. */
    uint32_t i = v.first_root;
    int depth = 0;
    while (v.nodes[i].last_child != REELAY_SCENE_NONE) {
        i = v.nodes[i].last_child;
        depth++;
    }
    assert_int_equal(depth, 2 + n);
    assert_int_equal(v.nodes[i].id, 1000 + n - 1);
    expect_tree(f.scene, 3000, "1(2 3)");
    /* Backward and forward again: the pool is reused, not grown. */
    for (int k = 0; k < 5; k++) {
        seek(f.scene, 2000);
        seek(f.scene, 1000);
    }
    assert_int_equal(reelay_wf_scene_node_count(f.scene), 4);
    close_fixture(&f);
}

static void test_deep_chain(void **state)
{
    (void)state;
    run_chain(false);
}

static void test_deep_chain_queued(void **state)
{
    (void)state;
    run_chain(true);
}

static void test_node_limit(void **state)
{
    (void)state;
    fixture f = open_text(BASE MUT("w", 2000,
                                   "\"adds\":[{\"parentId\":1,\"wireframe\":{\"id\":9,\"childWireframes\":"
                                   "[{\"id\":10},{\"id\":11},{\"id\":12}]}}]"));
    reelay_wf_scene_set_node_limit(f.scene, 6);
    expect_tree(f.scene, 1000, "1(2 3(4))");
    reelay_err err;
    reelay_err_clear(&err);
    assert_int_equal(reelay_wf_scene_seek(f.scene, 2000, NULL, &err), REELAY_E_INPUT);
    assert_int_equal(err.code, REELAY_E_INPUT);
    if (!strstr(err.msg, "more than 6 live wireframe nodes")) fail_msg("message: %s", err.msg);
    /* Still usable: an earlier time rebuilds cleanly; a higher limit passes. */
    expect_tree(f.scene, 1500, "1(2 3(4))");
    reelay_wf_scene_set_node_limit(f.scene, 8);
    expect_tree(f.scene, 2000, "1(2 3(4) 9(10 11 12))");
    close_fixture(&f);
}

/* ------------------------------------------------------------------------ */
/* Real recordings                                                          */
/* ------------------------------------------------------------------------ */

static void state_at(reelay_wf_scene *scene, double ts, sbuf *b)
{
    seek(scene, ts);
    reelay_wf_view v;
    reelay_wf_scene_view(scene, &v);
    view_text(&v, b);
}

/* Seeking straight to t and arriving at t from later must agree. */
static void check_seek_paths(const char *path)
{
    reelay_session *session = ts_session_from_path(path);
    reelay_wf_scene *direct = reelay_wf_scene_new(session);
    reelay_wf_scene *wander = reelay_wf_scene_new(session);
    assert_non_null(direct);
    assert_non_null(wander);
    double first = session->first_ts - 50, last = session->last_ts + 50;
    double step = (last - first) / 97;
    sbuf a = {0}, b = {0};
    size_t k = 0;
    for (double t = first; t <= last; t += step, k++) {
        reelay_wf_scene *fresh = reelay_wf_scene_new(session);
        state_at(fresh, t, &a);
        reelay_wf_scene_free(fresh);
        /* Forward only. */
        state_at(direct, t, &b);
        if (strcmp(a.p, b.p) != 0) fail_msg("%s forward at %.0f:\n%s\nvs\n%s", path, t, a.p, b.p);
        /* Past t (by a varying amount), then back. */
        seek(wander, t + step * (double)(1 + k % 7) * 1.7);
        state_at(wander, t, &b);
        if (strcmp(a.p, b.p) != 0) fail_msg("%s backward at %.0f:\n%s\nvs\n%s", path, t, a.p, b.p);
    }
    /* Every event time, and exactly between events. */
    for (size_t i = 0; i < session->event_count; i++) {
        double t = session->events[i].timestamp;
        reelay_wf_scene *fresh = reelay_wf_scene_new(session);
        state_at(fresh, t, &a);
        reelay_wf_scene_free(fresh);
        seek(wander, last);
        state_at(wander, t, &b);
        if (strcmp(a.p, b.p) != 0) fail_msg("%s event %zu at %.0f:\n%s\nvs\n%s", path, i, t, a.p, b.p);
    }
    free(a.p);
    free(b.p);
    reelay_wf_scene_free(direct);
    reelay_wf_scene_free(wander);
    reelay_session_free(session);
}

static void test_forward_backward_identical_android(void **state)
{
    (void)state;
    check_seek_paths("fixtures/mobile/android-shop.blob.jsonl");
}

static void test_forward_backward_identical_ios(void **state)
{
    (void)state;
    check_seek_paths("fixtures/mobile/ios-notes.blob.jsonl");
}

/* Every event time: content once the first snapshot is in, sane counts,
 * links consistent (tree_text checks them). */
static void run_fixture(const char *path, size_t min_nodes, size_t max_nodes)
{
    reelay_session *session = ts_session_from_path(path);
    reelay_wf_scene *scene = reelay_wf_scene_new(session);
    assert_non_null(scene);
    sbuf b = {0};
    bool seen_content = false, seen_keyboard = false;
    size_t most = 0;
    for (size_t i = 0; i < session->event_count; i++) {
        seek(scene, session->events[i].timestamp);
        reelay_wf_view v;
        reelay_wf_scene_view(scene, &v);
        tree_text(&v, &b);
        size_t count = reelay_wf_scene_node_count(scene);
        assert_int_equal(count, tree_size(&v));
        if (v.has_content) {
            seen_content = true;
            if (count < min_nodes || count > max_nodes)
                fail_msg("%s: %zu nodes at event %zu (%s)", path, count, i, b.p);
            assert_true(v.width > 0 && v.height > 0);
            assert_non_null(v.screen_name);
        }
        if (v.keyboard.open) seen_keyboard = true;
        if (count > most) most = count;
    }
    assert_true(seen_content);
    (void)seen_keyboard;
    free(b.p);
    reelay_wf_scene_free(scene);
    reelay_session_free(session);
}

static void test_fixture_android(void **state)
{
    (void)state;
    run_fixture("fixtures/mobile/android-shop.blob.jsonl", 3, 200);
}

static void test_fixture_ios(void **state)
{
    (void)state;
    run_fixture("fixtures/mobile/ios-notes.blob.jsonl", 3, 200);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_snapshot_builds_tree),
        cmocka_unit_test(test_update_reappends_last),
        cmocka_unit_test(test_removes_before_adds),
        cmocka_unit_test(test_add_unknown_parent_dropped),
        cmocka_unit_test(test_remove_unknown_ignored),
        cmocka_unit_test(test_remove_with_wrong_parent_unmaps_only),
        cmocka_unit_test(test_update_unknown_id_acts_as_add),
        cmocka_unit_test(test_root_update_without_parent),
        cmocka_unit_test(test_duplicate_ids),
        cmocka_unit_test(test_screenshot_parented_to_root),
        cmocka_unit_test(test_parent_body_id_is_top_level),
        cmocka_unit_test(test_add_subtree_then_remove_parent),
        cmocka_unit_test(test_pending_adds_retried),
        cmocka_unit_test(test_remove_only_mobile_event),
        cmocka_unit_test(test_full_snapshot_replaces_tree),
        cmocka_unit_test(test_mutation_before_content_ignored),
        cmocka_unit_test(test_screenshot_before_snapshot_synthesises_one),
        cmocka_unit_test(test_bars_lifted),
        cmocka_unit_test(test_keyboard),
        cmocka_unit_test(test_navigation_background_remembered),
        cmocka_unit_test(test_meta_per_window),
        cmocka_unit_test(test_viewport_without_meta),
        cmocka_unit_test(test_window_switching),
        cmocka_unit_test(test_changed_flag),
        cmocka_unit_test(test_deep_chain),
        cmocka_unit_test(test_deep_chain_queued),
        cmocka_unit_test(test_node_limit),
        cmocka_unit_test(test_forward_backward_identical_android),
        cmocka_unit_test(test_forward_backward_identical_ios),
        cmocka_unit_test(test_fixture_android),
        cmocka_unit_test(test_fixture_ios),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
