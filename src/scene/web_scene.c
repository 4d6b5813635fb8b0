/* web_scene.c — the web interaction view through time (contract and
 * ownership in web_scene.h).
 *
 * One pass over the session builds, per window, time series of everything
 * the view shows (URL, title, viewport, page height, clicks, focus, submits,
 * toasts), plus the active-window changes and the order in which windows
 * appear. While walking it keeps each window's live DOM (scene/live_dom.h),
 * so a label names the element as it was at the moment of the interaction.
 * The live DOMs are dropped after the build; queries are binary searches
 * over the series.
 *
 * Decisions where the header is silent, in one place:
 *  - Everything but the tabs is the active window's: its clicks, focus,
 *    submits and toasts (a background tab's console error is not shown).
 *  - Tabs: at most REELAY_WEB_MAX_TABS, the first ones to appear; when the
 *    active window is not among them it takes the last slot.
 *  - Labels: a text-node target is named by its parent element; a target
 *    that is neither (document, doctype) has no label. The quoted name is
 *    whitespace-collapsed and, when longer, cut to 40 bytes that end in
 *    "…"; the whole label likewise to REELAY_WEB_LABEL_MAX bytes. "[name=…]"
 *    is used for input, select and textarea. Password inputs and blocked
 *    elements get no quoted name at all (not even aria-label/placeholder).
 *  - Portable clicks: the tag is the recorded tagName (else the tag of the
 *    path's last segment); "#id" and "[name=…]" come from the path's last
 *    segment only (an id further up the path names an ancestor, not the
 *    target); the quoted name is the recorded text.
 *  - Rage: a burst is a run of consecutive clicks of one window, each joining
 *    the run's first by reelay_rage_joins (session/highlights.h; clicks
 *    without a position start a new run). rrweb records the two
 *    Clicks of a double click and then the DblClick, the portable recorder
 *    only a Click and then the DblClick; so, as in pointer_state.h, a DblClick
 *    with two clicks of its window in the REELAY_POINTER_DBL_WINDOW_MS before
 *    it is a summary and adds nothing to the count (a plain double click is
 *    never rage). A click's rage state is judged at the query time: the burst
 *    is rage once it has reached REELAY_WEB_RAGE_CLICKS clicks, and every one
 *    of its clicks still shown reports the burst's count so far.
 *  - Focus: a Blur ends focus only when it names the focused node (or no
 *    node): rrweb may record the previous field's Blur after the next
 *    field's MouseDown. Focus also ends when the focused node is removed by a
 *    mutation and on a navigation (a new page). The portable recorder records
 *    no Focus/Blur: there a click on an input, select or textarea focuses it
 *    (keyed by the path's last segment) and any other click ends the focus.
 *    Focus has no lifetime, so it never sets `animating`: its ages grow
 *    while the state stays stable, but the end of typing
 *    (REELAY_WEB_TYPING_MS after the latest input) ends a stable stretch.
 *  - Values: masked text is "•" per character (at most REELAY_WEB_MASK_MAX);
 *    checkbox/radio inputs (by the DOM's type attribute) show
 *    "checked"/"unchecked"; unmasked values are cut to VALUE_MAX bytes with
 *    control characters shown as spaces.
 *  - Toasts: a request with status 0 carries no failure flag in the session
 *    model, so only statuses >= 400 make network toasts; the text is
 *    "METHOD /path?query → STATUS" (scheme and host dropped; no method when
 *    none was recorded); a toast's time is its event's.
 *  - page_height is an approximation: the largest (document scroll y +
 *    viewport height) seen in the window since its latest full snapshot or
 *    navigation (a snapshot's non-zero initial offset counts as a scroll);
 *    0 when no scroll was seen. rrweb records no layout, so this is only a
 *    lower bound of the real height.
 *  - Windows that never had an event by ts are not tabs; before any event at
 *    all there is no window (has_window false).
 *  - Title: besides text mutations of its text node, the title follows a
 *    replaced text child (setting document.title records a remove and an
 *    add under <title>) and a <title> added by a mutation to a page that had
 *    none; an empty title is no title (NULL). Only the top-level document's
 *    <title> counts: one inside an iframe's document (or a shadow tree) does
 *    not name the tab, even when the page has none of its own.
 * All DOM walks are iterative and bounded. */
#include "scene/web_scene.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/arena.h"
#include "core/utf8.h"
#include "scene/live_dom.h"
#include "scene/pointer_state.h"

#define NIL REELAY_LIVE_NIL
#define NAME_TEXT_MAX 40    /* bytes of a quoted name before "…" */
#define TEXT_VISIT_MAX 200  /* descendant nodes visited for an element's text */
#define CLIMB_MAX 5         /* levels climbed to the enclosing control */
#define VALUE_MAX 256       /* bytes of an unmasked value kept */
#define TAG_MAX 32
#define ELLIPSIS "\xe2\x80\xa6" /* … */
#define BULLET "\xe2\x80\xa2"   /* • */
#define ARROW "\xe2\x86\x92"    /* → */

/* ------------------------------------------------------------------------ */
/* Series                                                                   */
/* ------------------------------------------------------------------------ */

/* Every record starts with its time, so one binary search serves all. */
typedef struct str_rec {
    double t;
    const char *s;
} str_rec;

typedef struct view_rec {
    double t;
    double w, h;
} view_rec;

typedef struct num_rec {
    double t;
    double v;
} num_rec;

typedef struct click_rec {
    double t;
    reelay_web_click_kind kind;
    bool has_xy;
    double x, y;
    const char *label;
    size_t burst; /* index of its burst's first record */
    uint32_t pos;  /* counted clicks of the burst up to and including this one */
    uint32_t size; /* on a burst's first record: counted clicks of the whole burst */
} click_rec;

typedef struct focus_rec {
    double t;
    bool active;
    const char *label;
    const char *text;
    bool takes_text; /* a text field: the card shows its value in a box */
    double since;    /* focus start */
    double typed_at; /* latest input; -INFINITY when none */
} focus_rec;

typedef struct submit_rec {
    double t;
    const char *label;
} submit_rec;

typedef struct toast_rec {
    double t;
    reelay_web_toast_kind kind;
    const char *text;
} toast_rec;

typedef struct win_rec {
    double t;
    uint32_t window;
} win_rec;

_Static_assert(offsetof(str_rec, t) == 0 && offsetof(view_rec, t) == 0 && offsetof(num_rec, t) == 0 &&
                   offsetof(click_rec, t) == 0 && offsetof(focus_rec, t) == 0 && offsetof(submit_rec, t) == 0 &&
                   offsetof(toast_rec, t) == 0 && offsetof(win_rec, t) == 0,
               "records start with their time");

typedef struct vec {
    void *v;
    size_t n, cap;
} vec;

enum { S_URL, S_TITLE, S_VIEW, S_PAGE, S_CLICK, S_FOCUS, S_SUBMIT, S_TOAST, S_COUNT };

static const size_t rec_size[S_COUNT] = {
    sizeof(str_rec),   sizeof(str_rec),    sizeof(view_rec),   sizeof(num_rec),
    sizeof(click_rec), sizeof(focus_rec),  sizeof(submit_rec), sizeof(toast_rec),
};

typedef struct win_series {
    vec s[S_COUNT];
} win_series;

struct reelay_web_scene {
    reelay_arena arena; /* labels, values, toast texts */
    size_t window_count;
    win_series *wins;
    vec appear; /* win_rec: each window's first event, in order */
    vec active; /* win_rec: the active window from t on */
    size_t event_count;
    const char **ev_label, **ev_value;
};

static void *vec_push(vec *a, size_t size)
{
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 8;
        if (cap > SIZE_MAX / size) return NULL;
        void *p = realloc(a->v, cap * size);
        if (!p) return NULL;
        a->v = p;
        a->cap = cap;
    }
    void *slot = (char *)a->v + a->n++ * size;
    memset(slot, 0, size);
    return slot;
}

static double rec_time(const vec *a, size_t size, size_t i)
{
    return *(const double *)(const void *)((const char *)a->v + i * size);
}

/* Records with time <= ts (a count); lowers *next to the following record's
 * time, the next change of this series. */
static size_t upto(const vec *a, size_t size, double ts, double *next)
{
    size_t lo = 0, hi = a->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (rec_time(a, size, mid) <= ts)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < a->n && rec_time(a, size, lo) < *next) *next = rec_time(a, size, lo);
    return lo;
}

/* Builder                                                                  */
/* ------------------------------------------------------------------------ */

typedef struct win_build {
    reelay_live_dom dom;
    bool seen;
    const char *url, *title; /* the latest pushed */
    bool has_view;
    double view_w, view_h;
    double page_h;
    size_t burst;          /* the current burst's first click record, SIZE_MAX when none */
    focus_rec focus;       /* the current focus state */
    int64_t focus_id;      /* web: the focused node */
    const char *focus_key; /* portable: the focused path segment */
} win_build;

typedef struct builder {
    reelay_web_scene *sc;
    const reelay_session *session;
    bool unmask, portable;
    win_build *w;
    const char *bullets[REELAY_WEB_MASK_MAX + 1];
} builder;


/* ------------------------------------------------------------------------ */
/* Text                                                                     */
/* ------------------------------------------------------------------------ */

/* Whitespace-collapsing, control-character-free text with a byte limit:
 * once more than `max` bytes arrived it stops and the result is cut (on a
 * UTF-8 boundary) so that with a final "…" it is at most max bytes. */
typedef struct collapser {
    char buf[VALUE_MAX + 16];
    size_t len, max;
    bool space, full;
} collapser;

static void col_init(collapser *c, size_t max)
{
    c->len = 0;
    c->max = max < VALUE_MAX ? max : VALUE_MAX;
    c->space = c->full = false;
}

static bool is_space_byte(unsigned char ch)
{
    return ch <= 0x20 || ch == 0x7f;
}

static void col_byte(collapser *c, unsigned char ch)
{
    if (c->full) return;
    if (is_space_byte(ch)) {
        c->space = c->len > 0;
        return;
    }
    if (c->space) {
        c->buf[c->len++] = ' ';
        c->space = false;
    }
    if (c->len <= c->max) c->buf[c->len++] = (char)ch;
    if (c->len > c->max) c->full = true;
}

static void col_feed(collapser *c, const char *s)
{
    if (!s) return;
    for (const unsigned char *p = (const unsigned char *)s; *p && !c->full; p++) col_byte(c, *p);
}

/* A word break between pieces (text nodes) without doubling spaces. */
static void col_break(collapser *c)
{
    if (c->len > 0) c->space = true;
}

static const char *col_finish(collapser *c)
{
    if (c->full) {
        c->len = reelay_utf8_cut(c->buf, c->len, c->max > 3 ? c->max - 3 : 0);
        while (c->len > 0 && c->buf[c->len - 1] == ' ') c->len--;
        memcpy(c->buf + c->len, ELLIPSIS, 3);
        c->len += 3;
    }
    c->buf[c->len] = '\0';
    return c->buf;
}

/* A bounded string under construction; appends stop at UTF-8 boundaries. */
typedef struct sbuf {
    char buf[512];
    size_t len;
} sbuf;

static void sb_put(sbuf *s, const char *text)
{
    size_t n = strlen(text), room = sizeof s->buf - 1 - s->len;
    n = reelay_utf8_cut(text, n, room);
    memcpy(s->buf + s->len, text, n);
    s->len += n;
    s->buf[s->len] = '\0';
}

static const char *sb_store(builder *b, sbuf *s, size_t max)
{
    if (s->len > max) {
        s->len = reelay_utf8_cut(s->buf, s->len, max - 3);
        memcpy(s->buf + s->len, ELLIPSIS, 4);
        s->len += 3;
    }
    s->buf[s->len] = '\0';
    return reelay_arena_strndup(&b->sc->arena, s->buf, s->len);
}

static bool str_ieq(const char *a, const char *b)
{
    if (!a) return false;
    for (; *a && *b; a++, b++) {
        char ca = *a >= 'A' && *a <= 'Z' ? (char)(*a - 'A' + 'a') : *a;
        if (ca != *b) return false;
    }
    return *a == *b;
}

static bool nonempty(const char *s)
{
    return s && s[0];
}

/* ------------------------------------------------------------------------ */
/* Labels                                                                   */
/* ------------------------------------------------------------------------ */

static bool is_control_tag(const char *tag)
{
    static const char *const tags[] = {"a", "button", "input", "select", "textarea", "label", "summary"};
    for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
        if (tag && strcmp(tag, tags[i]) == 0) return true;
    return false;
}

static bool is_field_tag(const char *tag)
{
    return tag && (strcmp(tag, "input") == 0 || strcmp(tag, "select") == 0 || strcmp(tag, "textarea") == 0);
}

static bool is_password(const reelay_dom_node *n)
{
    return reelay_dom_is_tag(n, "input") && str_ieq(n->attr_type, "password");
}

/* Descendant text of element e, collapsed and cut (at most TEXT_VISIT_MAX
 * nodes visited); style/script text, password inputs and blocked elements
 * give none. */
static void element_text(const reelay_live_dom *d, uint32_t e, collapser *c)
{
    int visited = 0;
    uint32_t i = d->v[e].first;
    while (i != NIL && visited++ < TEXT_VISIT_MAX && !c->full) {
        const reelay_dom_node *n = &d->v[i].n;
        bool skip = false;
        if (n->type == DOM_TEXT && !n->is_style_text) {
            col_break(c);
            col_feed(c, n->text);
        } else if (n->type == DOM_ELEMENT) {
            skip = n->is_blocked || is_password(n) || reelay_dom_is_tag(n, "style") || reelay_dom_is_tag(n, "script");
        }
        i = reelay_live_dom_preorder_next(d, i, e, skip);
    }
}

/* "tag#id" / "tag[name=...]" / "tag", then ` "name"` when there is one. */
static const char *compose_label(builder *b, const char *tag, const char *id, const char *name, const char *quoted)
{
    sbuf s = {.len = 0};
    collapser c;
    col_init(&c, TAG_MAX);
    col_feed(&c, tag);
    sb_put(&s, col_finish(&c));
    if (s.len == 0) return NULL;
    if (nonempty(id)) {
        col_init(&c, REELAY_WEB_LABEL_MAX);
        col_feed(&c, id);
        sb_put(&s, "#");
        sb_put(&s, col_finish(&c));
    } else if (nonempty(name) && is_field_tag(tag)) {
        col_init(&c, REELAY_WEB_LABEL_MAX);
        col_feed(&c, name);
        sb_put(&s, "[name=");
        sb_put(&s, col_finish(&c));
        sb_put(&s, "]");
    }
    if (nonempty(quoted)) {
        sb_put(&s, " \"");
        sb_put(&s, quoted);
        sb_put(&s, "\"");
    }
    return sb_store(b, &s, REELAY_WEB_LABEL_MAX);
}

/* The label of web node `id` in d as it is now, or NULL (unknown id, or no
 * element to name). */
static const char *dom_label(builder *b, const reelay_live_dom *d, int64_t id)
{
    uint32_t i;
    if (!reelay_live_dom_find(d, id, &i)) return NULL;
    if (d->v[i].n.type != DOM_ELEMENT) {
        i = d->v[i].parent;
        if (i == NIL || d->v[i].n.type != DOM_ELEMENT) return NULL;
    }
    uint32_t e = i;
    for (int level = 0; level <= CLIMB_MAX && i != NIL; level++) {
        if (d->v[i].n.type == DOM_ELEMENT && is_control_tag(d->v[i].n.tag)) {
            e = i;
            break;
        }
        i = d->v[i].parent;
    }
    const reelay_dom_node *n = &d->v[e].n;
    collapser c;
    col_init(&c, NAME_TEXT_MAX);
    if (!n->is_blocked && !is_password(n)) {
        col_feed(&c, n->attr_aria_label);
        if (c.len == 0) element_text(d, e, &c);
        if (c.len == 0) col_feed(&c, n->attr_placeholder);
        if (c.len == 0) col_feed(&c, n->attr_title);
    }
    return compose_label(b, n->tag, n->attr_id, n->attr_name, col_finish(&c));
}

/* The last segment of a CSS-like path ("body > form#f > input#email"). */
static void path_last(const char *path, const char **seg, size_t *len)
{
    *seg = NULL;
    *len = 0;
    if (!path) return;
    const char *start = path;
    for (const char *p = path; *p; p++)
        if (*p == '>') start = p + 1;
    while (*start == ' ' || *start == '\t') start++;
    size_t n = strlen(start);
    while (n > 0 && (start[n - 1] == ' ' || start[n - 1] == '\t')) n--;
    *seg = start;
    *len = n;
}

/* Tag, #id and [name=...] of one path segment (bounded copies). */
typedef struct seg_parts {
    char tag[TAG_MAX + 1];
    char id[REELAY_WEB_LABEL_MAX + 1];
    char name[REELAY_WEB_LABEL_MAX + 1];
} seg_parts;

static void copy_part(char *dst, size_t cap, const char *s, size_t n, bool lower)
{
    n = reelay_utf8_cut(s, n, cap - 1);
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        dst[i] = lower && ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
    }
    dst[n] = '\0';
}

static bool seg_stop(char ch)
{
    return ch == '#' || ch == '.' || ch == '[' || ch == ':' || ch == ' ';
}

static void parse_segment(const char *seg, size_t len, seg_parts *out)
{
    memset(out, 0, sizeof *out);
    size_t i = 0;
    while (i < len && !seg_stop(seg[i])) i++;
    copy_part(out->tag, sizeof out->tag, seg, i, true);
    for (size_t k = 0; k < len; k++) {
        if (seg[k] == '#' && !out->id[0]) {
            size_t e = k + 1;
            while (e < len && !seg_stop(seg[e])) e++;
            copy_part(out->id, sizeof out->id, seg + k + 1, e - k - 1, false);
        } else if (seg[k] == '[' && len - k > 6 && strncmp(seg + k, "[name=", 6) == 0 && !out->name[0]) {
            size_t s = k + 6, e = s;
            while (e < len && seg[e] != ']') e++;
            size_t v = s, ve = e;
            if (ve > v && (seg[v] == '"' || seg[v] == '\'')) v++;
            if (ve > v && (seg[ve - 1] == '"' || seg[ve - 1] == '\'')) ve--;
            copy_part(out->name, sizeof out->name, seg + v, ve - v, false);
        }
    }
}

/* A portable-recorder target: recorded tag (else the path's), the path's
 * last segment's id or name, the recorded text. */
static const char *portable_label(builder *b, const char *tag, const char *path, const char *text)
{
    const char *seg;
    size_t len;
    path_last(path, &seg, &len);
    seg_parts parts;
    parse_segment(seg ? seg : "", len, &parts);
    const char *use_tag = nonempty(tag) ? tag : parts.tag;
    collapser c;
    col_init(&c, NAME_TEXT_MAX);
    col_feed(&c, text);
    return compose_label(b, use_tag, parts.id, parts.name, col_finish(&c));
}

/* The path's last segment as an arena string (the portable focus key). */
static const char *path_key(builder *b, const char *path)
{
    const char *seg;
    size_t len;
    path_last(path, &seg, &len);
    if (!seg || len == 0) return NULL;
    return reelay_arena_strndup(&b->sc->arena, seg, len);
}

/* ------------------------------------------------------------------------ */
/* Values                                                                   */
/* ------------------------------------------------------------------------ */

typedef enum field_kind { FIELD_TEXT, FIELD_CHECK, FIELD_PASSWORD } field_kind;

static const char *bullets(builder *b, size_t count)
{
    if (count > REELAY_WEB_MASK_MAX) count = REELAY_WEB_MASK_MAX;
    if (b->bullets[count]) return b->bullets[count];
    char buf[REELAY_WEB_MASK_MAX * 3 + 1];
    for (size_t i = 0; i < count; i++) memcpy(buf + 3 * i, BULLET, 3);
    b->bullets[count] = reelay_arena_strndup(&b->sc->arena, buf, 3 * count);
    return b->bullets[count];
}

/* What an input's recorded value is shown as. The raw value is copied only
 * when unmasking a field that is not a password. */
static const char *shown_value(builder *b, const char *text, bool checked, field_kind kind)
{
    if (kind == FIELD_CHECK) return checked ? "checked" : "unchecked";
    if (!text) text = "";
    if (strcmp(text, "[REDACTED]") == 0) return "[REDACTED]";
    if (b->unmask && kind != FIELD_PASSWORD) {
        char buf[VALUE_MAX + 1];
        size_t n = 0;
        while (n <= VALUE_MAX && text[n]) n++;
        n = reelay_utf8_cut(text, n, VALUE_MAX);
        for (size_t i = 0; i < n; i++) buf[i] = (unsigned char)text[i] < 0x20 || text[i] == 0x7f ? ' ' : text[i];
        return reelay_arena_strndup(&b->sc->arena, buf, n);
    }
    size_t chars = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p && chars < REELAY_WEB_MASK_MAX + 1; p++)
        if ((*p & 0xC0) != 0x80) chars++;
    return bullets(b, chars);
}

/* ------------------------------------------------------------------------ */
/* Building                                                                 */
/* ------------------------------------------------------------------------ */

/* Appends a record at time t to window w's series (times never go back:
 * the session is sorted, but a record never breaks the search either). */
static void *push(builder *b, uint32_t w, int series, double t)
{
    vec *a = &b->sc->wins[w].s[series];
    if (a->n && rec_time(a, rec_size[series], a->n - 1) > t) t = rec_time(a, rec_size[series], a->n - 1);
    double *r = vec_push(a, rec_size[series]);
    if (r) *r = t;
    return r;
}

static int push_str(builder *b, uint32_t w, int series, double t, const char *s, const char **last)
{
    if (*last == s || (*last && s && strcmp(*last, s) == 0)) return 0;
    str_rec *r = push(b, w, series, t);
    if (!r) return -1;
    r->s = s;
    *last = s;
    return 0;
}

static int push_page(builder *b, uint32_t w, double t, double h)
{
    win_build *wb = &b->w[w];
    if (h == wb->page_h) return 0;
    wb->page_h = h;
    num_rec *r = push(b, w, S_PAGE, t);
    if (!r) return -1;
    r->v = h;
    return 0;
}

static int scrolled_to(builder *b, uint32_t w, double t, double y)
{
    win_build *wb = &b->w[w];
    double vh = wb->has_view ? wb->view_h : 0;
    if (!wb->has_view && b->session->windows[w].has_viewport) vh = b->session->windows[w].height;
    double h = y + (isfinite(vh) && vh > 0 ? vh : 0);
    if (!isfinite(y) || !isfinite(h) || h <= wb->page_h) return 0;
    return push_page(b, w, t, h);
}

static int push_focus(builder *b, uint32_t w, double t)
{
    focus_rec *r = push(b, w, S_FOCUS, t);
    if (!r) return -1;
    double rt = r->t;
    *r = b->w[w].focus;
    r->t = rt;
    return 0;
}

static int end_focus(builder *b, uint32_t w, double t)
{
    win_build *wb = &b->w[w];
    if (!wb->focus.active) return 0;
    memset(&wb->focus, 0, sizeof wb->focus);
    wb->focus.typed_at = -INFINITY;
    wb->focus_id = -1;
    wb->focus_key = NULL;
    return push_focus(b, w, t);
}

static int start_focus(builder *b, uint32_t w, double t, int64_t id, const char *key, const char *label,
                       bool takes_text)
{
    win_build *wb = &b->w[w];
    wb->focus = (focus_rec){
        .active = true, .label = label, .text = "", .takes_text = takes_text, .since = t, .typed_at = -INFINITY};
    wb->focus_id = id;
    wb->focus_key = key;
    return push_focus(b, w, t);
}

static bool focused_on(const win_build *wb, int64_t id, const char *key)
{
    if (!wb->focus.active) return false;
    if (key || wb->focus_key) return key && wb->focus_key && strcmp(key, wb->focus_key) == 0;
    return wb->focus_id == id;
}

static bool is_click_type(int type)
{
    return type == RR_CLICK || type == RR_DBL_CLICK || type == RR_CONTEXT_MENU;
}

/* Adds a click record and places it in a rage burst (see the top). */
static int add_click(builder *b, uint32_t w, double t, const reelay_event *ev, const char *label)
{
    win_build *wb = &b->w[w];
    vec *a = &b->sc->wins[w].s[S_CLICK];
    int type = ev->u.interaction.type;
    double x = ev->u.interaction.x, y = ev->u.interaction.y;
    bool has_xy = ev->u.interaction.has_xy && isfinite(x) && isfinite(y);

    /* A DblClick after two recorded clicks only summarises them. */
    bool counts = true;
    if (type == RR_DBL_CLICK) {
        int recent = 0;
        const click_rec *v = a->v;
        for (size_t k = a->n; k > 0 && recent < 2; k--) {
            if (!(v[k - 1].t > t - REELAY_POINTER_DBL_WINDOW_MS)) break;
            if (v[k - 1].kind == REELAY_WEB_CLICK) recent++;
        }
        counts = recent < 2;
    }

    click_rec *r = push(b, w, S_CLICK, t);
    if (!r) return -1;
    size_t self = a->n - 1;
    click_rec *v = a->v;
    r->kind = type == RR_DBL_CLICK ? REELAY_WEB_DBL_CLICK : type == RR_CONTEXT_MENU ? REELAY_WEB_RIGHT_CLICK
                                                                                     : REELAY_WEB_CLICK;
    r->has_xy = has_xy;
    r->x = has_xy ? x : 0;
    r->y = has_xy ? y : 0;
    r->label = label;

    bool joins = false;
    if (wb->burst != SIZE_MAX && has_xy) {
        const click_rec *first = &v[wb->burst];
        joins = first->has_xy && reelay_rage_joins(first->t, first->x, first->y, r->t, x, y);
    }
    if (!joins) {
        wb->burst = self;
        v[self].size = 0;
    }
    click_rec *first = &v[wb->burst];
    if (counts) first->size++;
    r->burst = wb->burst;
    r->pos = first->size;
    return 0;
}

static int add_toast(builder *b, uint32_t w, double t, reelay_web_toast_kind kind, const char *text)
{
    if (!text) return -1;
    toast_rec *r = push(b, w, S_TOAST, t);
    if (!r) return -1;
    r->kind = kind;
    r->text = text;
    return 0;
}

static int console_toast(builder *b, uint32_t w, double t, const reelay_event *ev)
{
    reelay_console_level level = ev->u.console.level;
    bool error = level == CONSOLE_ERROR || ev->u.console.is_exception;
    if (!error && level != CONSOLE_WARN) return 0;
    collapser c;
    col_init(&c, REELAY_WEB_LABEL_MAX);
    col_feed(&c, error ? "Error: " : "Warning: ");
    col_feed(&c, ev->u.console.message);
    const char *s = col_finish(&c);
    return add_toast(b, w, t, error ? REELAY_WEB_TOAST_ERROR : REELAY_WEB_TOAST_WARNING,
                     reelay_arena_strdup(&b->sc->arena, s));
}

/* "https://host/path?q" -> "/path?q"; other text as it is. */
static const char *url_path(const char *url)
{
    if (!url) return "";
    const char *scheme = strstr(url, "://");
    if (!scheme) return url;
    const char *slash = strchr(scheme + 3, '/');
    return slash ? slash : "/";
}

static int network_toasts(builder *b, uint32_t w, double t, const reelay_event *ev)
{
    for (size_t k = 0; k < ev->u.network.count; k++) {
        const reelay_network_request *req = &ev->u.network.requests[k];
        if (req->status < 400) continue;
        /* The status must survive a long path: the path is cut, not the tail. */
        char tail[32];
        snprintf(tail, sizeof tail, " " ARROW " %d", req->status);
        bool bare = !nonempty(req->method) && !nonempty(url_path(req->url));
        collapser c;
        col_init(&c, REELAY_WEB_LABEL_MAX - strlen(tail));
        if (nonempty(req->method)) {
            col_feed(&c, req->method);
            col_feed(&c, " ");
        }
        col_feed(&c, url_path(req->url));
        sbuf s = {.len = 0};
        sb_put(&s, col_finish(&c));
        sb_put(&s, bare ? tail + 1 : tail);
        const char *text = sb_store(b, &s, REELAY_WEB_LABEL_MAX);
        if (add_toast(b, w, t, REELAY_WEB_TOAST_NETWORK, text) != 0) return -1;
    }
    return 0;
}

/* Input types that take no typed text: the browser's default for a missing
 * or unknown type is a text box, so the list names the others. */
static bool input_type_takes_text(const char *type)
{
    static const char *const not_text[] = {"button", "submit", "reset", "image", "checkbox",
                                           "radio",  "range",  "color", "file",  "hidden"};
    if (!nonempty(type)) return true;
    for (size_t i = 0; i < sizeof not_text / sizeof not_text[0]; i++)
        if (str_ieq(type, not_text[i])) return false;
    return true;
}

/* Whether a focused element takes typed text, so the focus card shows a
 * field: a textarea or an input of a text-taking type. Buttons, checkboxes,
 * selects, media and other elements focus without a field. (contenteditable
 * is not told apart: the kept DOM holds no such attribute.) An unknown node
 * says nothing, so it gets no field until text is typed into it. */
static bool dom_takes_text(const reelay_live_dom *d, int64_t id)
{
    uint32_t i;
    if (!reelay_live_dom_find(d, id, &i)) return false;
    const reelay_dom_node *n = &d->v[i].n;
    return reelay_dom_is_tag(n, "textarea") || (reelay_dom_is_tag(n, "input") && input_type_takes_text(n->attr_type));
}

/* The portable recorder names a field by tag only (its type is not kept):
 * an input or textarea takes text, as the browser's default input does. */
static bool tag_takes_text(const char *tag)
{
    return tag && (str_ieq(tag, "input") || str_ieq(tag, "textarea"));
}

/* The tag a portable path's last segment names, lower-cased; "" when none. */
static void path_tag(const char *path, seg_parts *parts)
{
    const char *seg;
    size_t len;
    path_last(path, &seg, &len);
    parse_segment(seg ? seg : "", len, parts);
}

static field_kind dom_field_kind(const reelay_live_dom *d, int64_t id)
{
    uint32_t i;
    if (!reelay_live_dom_find(d, id, &i)) return FIELD_TEXT;
    const reelay_dom_node *n = &d->v[i].n;
    if (reelay_dom_is_tag(n, "input") && (str_ieq(n->attr_type, "checkbox") || str_ieq(n->attr_type, "radio")))
        return FIELD_CHECK;
    return is_password(n) ? FIELD_PASSWORD : FIELD_TEXT;
}

static int on_interaction(builder *b, uint32_t w, double t, const reelay_event *ev, size_t e)
{
    win_build *wb = &b->w[w];
    int type = ev->u.interaction.type;
    bool portable = ev->u.interaction.target_tag || ev->u.interaction.target_path;
    if (!is_click_type(type) && type != RR_FOCUS && type != RR_BLUR) return 0;
    if (type == RR_BLUR) {
        int64_t id = ev->u.interaction.target_id;
        if (portable || id == -1 || focused_on(wb, id, NULL)) return end_focus(b, w, t);
        return 0;
    }
    const char *label;
    if (portable)
        label = portable_label(b, ev->u.interaction.target_tag, ev->u.interaction.target_path,
                               ev->u.interaction.target_text);
    else
        label = dom_label(b, &wb->dom, ev->u.interaction.target_id);
    b->sc->ev_label[e] = label;
    if (type == RR_FOCUS) {
        if (portable) {
            seg_parts parts;
            path_tag(ev->u.interaction.target_path, &parts);
            const char *tag = nonempty(ev->u.interaction.target_tag) ? ev->u.interaction.target_tag : parts.tag;
            return start_focus(b, w, t, -1, path_key(b, ev->u.interaction.target_path), label, tag_takes_text(tag));
        }
        if (focused_on(wb, ev->u.interaction.target_id, NULL)) return 0;
        return start_focus(b, w, t, ev->u.interaction.target_id, NULL, label,
                           dom_takes_text(&wb->dom, ev->u.interaction.target_id));
    }
    if (add_click(b, w, t, ev, label) != 0) return -1;
    if (b->portable && portable) {
        /* No Focus/Blur in portable recordings: a click on a field focuses it. */
        seg_parts parts;
        path_tag(ev->u.interaction.target_path, &parts);
        const char *tag = nonempty(ev->u.interaction.target_tag) ? ev->u.interaction.target_tag : parts.tag;
        if (!is_field_tag(tag)) return end_focus(b, w, t);
        const char *key = path_key(b, ev->u.interaction.target_path);
        if (!key) key = label;
        if (focused_on(wb, -1, key)) return 0;
        return start_focus(b, w, t, -1, key, label, tag_takes_text(tag));
    }
    return 0;
}

static int on_input(builder *b, uint32_t w, double t, const reelay_event *ev, size_t e)
{
    win_build *wb = &b->w[w];
    const char *path = ev->u.input.target_path;
    int64_t id = ev->u.input.target_id;
    const char *label, *key = NULL;
    field_kind kind = FIELD_TEXT;
    bool takes_text;
    if (path) {
        label = portable_label(b, NULL, path, NULL);
        key = path_key(b, path);
        if (!key) key = label ? label : "";
        /* an input event names a field: without a tag, assume it takes text */
        seg_parts parts;
        path_tag(path, &parts);
        takes_text = !parts.tag[0] || tag_takes_text(parts.tag);
    } else {
        label = dom_label(b, &wb->dom, id);
        kind = dom_field_kind(&wb->dom, id);
        /* an unknown node that text is typed into is a field */
        uint32_t slot;
        takes_text = !reelay_live_dom_find(&wb->dom, id, &slot) || dom_takes_text(&wb->dom, id);
    }
    const char *value = shown_value(b, ev->u.input.text, ev->u.input.is_checked, kind);
    if (!value) return -1;
    b->sc->ev_label[e] = label;
    b->sc->ev_value[e] = value;
    if (!focused_on(wb, id, key)) {
        wb->focus = (focus_rec){.active = true, .label = label, .takes_text = takes_text, .since = t};
        wb->focus_id = key ? -1 : id;
        wb->focus_key = key;
    }
    wb->focus.text = value;
    wb->focus.takes_text = takes_text;
    wb->focus.typed_at = t;
    return push_focus(b, w, t);
}

static int on_event(builder *b, const reelay_event *ev, size_t e)
{
    uint32_t w = ev->window;
    double t = ev->timestamp;
    win_build *wb = &b->w[w];
    reelay_web_scene *sc = b->sc;

    if (!wb->seen) {
        wb->seen = true;
        win_rec *r = vec_push(&sc->appear, sizeof *r);
        if (!r) return -1;
        *r = (win_rec){.t = t, .window = w};
        if (sc->active.n == 0) {
            r = vec_push(&sc->active, sizeof *r);
            if (!r) return -1;
            *r = (win_rec){.t = t, .window = w};
        }
    }
    if (ev->active && ((const win_rec *)sc->active.v)[sc->active.n - 1].window != w) {
        win_rec *r = vec_push(&sc->active, sizeof *r);
        if (!r) return -1;
        *r = (win_rec){.t = t, .window = w};
    }

    switch (ev->kind) {
    case EV_META:
    case EV_VIEWPORT_RESIZE: {
        double vw = ev->kind == EV_META ? ev->u.meta.width : ev->u.resize.width;
        double vh = ev->kind == EV_META ? ev->u.meta.height : ev->u.resize.height;
        if (isfinite(vw) && isfinite(vh) && vw > 0 && vh > 0) {
            view_rec *r = push(b, w, S_VIEW, t);
            if (!r) return -1;
            r->w = vw;
            r->h = vh;
            wb->has_view = true;
            wb->view_w = vw;
            wb->view_h = vh;
        }
        /* The portable recorder names the page's title itself. */
        if (ev->kind == EV_META && nonempty(ev->u.meta.title) &&
            push_str(b, w, S_TITLE, t, ev->u.meta.title, &wb->title) != 0)
            return -1;
        if (ev->kind == EV_META && nonempty(ev->u.meta.href))
            return push_str(b, w, S_URL, t, ev->u.meta.href, &wb->url);
        return 0;
    }
    case EV_NAVIGATION:
        if (end_focus(b, w, t) != 0 || push_page(b, w, t, 0) != 0) return -1;
        if (nonempty(ev->u.navigation.title) &&
            push_str(b, w, S_TITLE, t, ev->u.navigation.title, &wb->title) != 0)
            return -1;
        if (nonempty(ev->u.navigation.url)) return push_str(b, w, S_URL, t, ev->u.navigation.url, &wb->url);
        return 0;
    case EV_FULL_SNAPSHOT:
        if (ev->mobile) return 0;
        if (reelay_live_dom_snapshot(&wb->dom, &ev->u.full.dom) != 0) return -1;
        if (end_focus(b, w, t) != 0 || push_page(b, w, t, 0) != 0) return -1;
        if (isfinite(ev->u.full.offset_top) && ev->u.full.offset_top > 0 &&
            scrolled_to(b, w, t, ev->u.full.offset_top) != 0)
            return -1;
        return push_str(b, w, S_TITLE, t, reelay_live_dom_title(&wb->dom, TEXT_VISIT_MAX), &wb->title);
    case EV_MUTATION: {
        if (ev->mobile) return 0;
        if (reelay_live_dom_mutate(&wb->dom, ev) != 0) return -1;
        uint32_t slot;
        if (wb->focus.active && !wb->focus_key && !reelay_live_dom_find(&wb->dom, wb->focus_id, &slot) &&
            end_focus(b, w, t) != 0)
            return -1;
        return push_str(b, w, S_TITLE, t, reelay_live_dom_title(&wb->dom, TEXT_VISIT_MAX), &wb->title);
    }
    case EV_SCROLL:
        if (ev->u.scroll.target_id == wb->dom.doc_id) return scrolled_to(b, w, t, ev->u.scroll.y);
        return 0;
    case EV_INTERACTION:
        return on_interaction(b, w, t, ev, e);
    case EV_INPUT:
        return on_input(b, w, t, ev, e);
    case EV_SUBMIT: {
        const char *label = ev->u.submit.target_path ? portable_label(b, NULL, ev->u.submit.target_path, NULL) : NULL;
        sc->ev_label[e] = label;
        submit_rec *r = push(b, w, S_SUBMIT, t);
        if (!r) return -1;
        r->label = label;
        return 0;
    }
    case EV_CONSOLE:
        return console_toast(b, w, t, ev);
    case EV_NETWORK:
        return network_toasts(b, w, t, ev);
    default:
        return 0;
    }
}

/* ------------------------------------------------------------------------ */
/* Public                                                                   */
/* ------------------------------------------------------------------------ */

void reelay_web_scene_free(reelay_web_scene *scene)
{
    if (!scene) return;
    for (size_t w = 0; w < scene->window_count; w++)
        for (int s = 0; s < S_COUNT; s++) free(scene->wins[w].s[s].v);
    free(scene->wins);
    free(scene->appear.v);
    free(scene->active.v);
    free(scene->ev_label);
    free(scene->ev_value);
    reelay_arena_free(&scene->arena);
    free(scene);
}

static void builder_free(builder *b, size_t window_count)
{
    if (b->w)
        for (size_t w = 0; w < window_count; w++) reelay_live_dom_release(&b->w[w].dom);
    free(b->w);
}

int reelay_web_scene_new(const reelay_session *session, const reelay_web_scene_options *options,
                         reelay_web_scene **out, reelay_err *err)
{
    *out = NULL;
    size_t nw = session->window_count, ne = session->event_count;
    reelay_web_scene *sc = calloc(1, sizeof *sc);
    builder b = {.sc = sc, .session = session};
    if (!sc) return reelay_err_set(err, REELAY_E_INTERNAL, "web scene: out of memory");
    reelay_arena_init(&sc->arena);
    sc->window_count = nw;
    sc->event_count = ne;
    sc->wins = calloc(nw ? nw : 1, sizeof *sc->wins);
    sc->ev_label = calloc(ne ? ne : 1, sizeof *sc->ev_label);
    sc->ev_value = calloc(ne ? ne : 1, sizeof *sc->ev_value);
    b.w = calloc(nw ? nw : 1, sizeof *b.w);
    int rc = REELAY_OK;
    if (!sc->wins || !sc->ev_label || !sc->ev_value || !b.w) {
        rc = -1;
        goto out;
    }
    b.unmask = options && options->unmask_inputs;
    b.portable = session->source == REELAY_SOURCE_PORTABLE;
    for (size_t w = 0; w < nw; w++) {
        reelay_live_dom_init(&b.w[w].dom);
        b.w[w].burst = SIZE_MAX;
        b.w[w].focus.typed_at = -INFINITY;
        b.w[w].focus_id = -1;
    }
    for (size_t e = 0; e < ne && rc == REELAY_OK; e++) {
        const reelay_event *ev = &session->events[e];
        if (ev->window >= nw || !isfinite(ev->timestamp)) continue;
        rc = on_event(&b, ev, e);
    }
out:
    builder_free(&b, nw);
    if (rc != REELAY_OK) {
        reelay_web_scene_free(sc);
        return reelay_err_set(err, REELAY_E_INTERNAL, "web scene: out of memory");
    }
    *out = sc;
    return REELAY_OK;
}

const char *reelay_web_scene_event_label(const reelay_web_scene *scene, size_t event_index)
{
    return scene && event_index < scene->event_count ? scene->ev_label[event_index] : NULL;
}

const char *reelay_web_scene_event_value(const reelay_web_scene *scene, size_t event_index)
{
    return scene && event_index < scene->event_count ? scene->ev_value[event_index] : NULL;
}

static const char *str_at(const vec *a, double ts, double *next)
{
    size_t k = upto(a, sizeof(str_rec), ts, next);
    return k ? ((const str_rec *)a->v)[k - 1].s : NULL;
}

static void clicks_at(const vec *a, double ts, double *next, reelay_web_state *out)
{
    size_t last = upto(a, sizeof(click_rec), ts, next);
    if (!last) return;
    const click_rec *v = a->v;
    const click_rec *newest = &v[last - 1];
    reelay_web_click newest_first[REELAY_WEB_MAX_CLICKS];
    size_t n = 0;
    for (size_t k = last; k > 0 && n < REELAY_WEB_MAX_CLICKS; k--) {
        const click_rec *r = &v[k - 1];
        double age = ts - r->t;
        if (!(age < REELAY_WEB_CLICK_LABEL_MS)) break; /* sorted: older ones are gone too */
        /* The burst's count so far: up to the newest click when it is of the
         * same burst, else the whole (finished) burst. */
        uint32_t count = newest->burst == r->burst ? newest->pos : v[r->burst].size;
        newest_first[n++] = (reelay_web_click){
            .kind = r->kind,
            .has_xy = r->has_xy,
            .x = r->x,
            .y = r->y,
            .age_ms = age,
            .label = r->label,
            .rage = count >= REELAY_WEB_RAGE_CLICKS,
            .rage_count = (int)count,
        };
    }
    for (size_t k = 0; k < n; k++) out->clicks[k] = newest_first[n - 1 - k];
    out->click_count = n;
    if (n) out->animating = true;
}

static void toasts_at(const vec *a, double ts, double *next, reelay_web_state *out)
{
    size_t last = upto(a, sizeof(toast_rec), ts, next);
    const toast_rec *v = a->v;
    reelay_web_toast newest_first[REELAY_WEB_MAX_TOASTS];
    size_t n = 0;
    for (size_t k = last; k > 0 && n < REELAY_WEB_MAX_TOASTS; k--) {
        double age = ts - v[k - 1].t;
        if (!(age < REELAY_WEB_TOAST_MS)) break;
        newest_first[n++] = (reelay_web_toast){.kind = v[k - 1].kind, .text = v[k - 1].text, .age_ms = age};
    }
    for (size_t k = 0; k < n; k++) out->toasts[k] = newest_first[n - 1 - k];
    out->toast_count = n;
    if (n) out->animating = true;
}

void reelay_web_scene_at(const reelay_web_scene *scene, double ts, reelay_web_state *out)
{
    memset(out, 0, sizeof *out);
    out->stable_until = INFINITY;
    out->focus.typed_age_ms = INFINITY;
    if (!scene || !isfinite(ts)) return;
    double next = INFINITY;

    size_t appeared = upto(&scene->appear, sizeof(win_rec), ts, &next);
    if (appeared == 0) {
        out->stable_until = next;
        return;
    }
    size_t k = upto(&scene->active, sizeof(win_rec), ts, &next);
    /* The first appearance is also the first active record: k >= 1. */
    uint32_t w = ((const win_rec *)scene->active.v)[k ? k - 1 : 0].window;
    const win_series *ws = &scene->wins[w];
    out->has_window = true;
    out->window = w;

    /* Tabs: the first ones to appear; the active one always among them. */
    const win_rec *ap = scene->appear.v;
    size_t tabs = appeared < REELAY_WEB_MAX_TABS ? appeared : REELAY_WEB_MAX_TABS;
    bool has_active = false;
    for (size_t i = 0; i < tabs; i++) has_active |= ap[i].window == w;
    for (size_t i = 0; i < tabs; i++) {
        uint32_t tw = (i == tabs - 1 && !has_active) ? w : ap[i].window;
        reelay_web_tab *tab = &out->tabs[i];
        tab->window = tw;
        tab->active = tw == w;
        tab->url = str_at(&scene->wins[tw].s[S_URL], ts, &next);
        tab->title = str_at(&scene->wins[tw].s[S_TITLE], ts, &next);
    }
    out->tab_count = tabs;

    out->url = str_at(&ws->s[S_URL], ts, &next);
    out->title = str_at(&ws->s[S_TITLE], ts, &next);
    k = upto(&ws->s[S_VIEW], sizeof(view_rec), ts, &next);
    if (k) {
        const view_rec *r = &((const view_rec *)ws->s[S_VIEW].v)[k - 1];
        out->has_viewport = true;
        out->viewport_width = r->w;
        out->viewport_height = r->h;
    }
    k = upto(&ws->s[S_PAGE], sizeof(num_rec), ts, &next);
    if (k) out->page_height = ((const num_rec *)ws->s[S_PAGE].v)[k - 1].v;

    clicks_at(&ws->s[S_CLICK], ts, &next, out);

    k = upto(&ws->s[S_FOCUS], sizeof(focus_rec), ts, &next);
    if (k) {
        const focus_rec *r = &((const focus_rec *)ws->s[S_FOCUS].v)[k - 1];
        if (r->active) {
            out->focus.active = true;
            out->focus.label = r->label;
            out->focus.text = r->text ? r->text : "";
            out->focus.takes_text = r->takes_text;
            out->focus.age_ms = ts - r->since;
            if (isfinite(r->typed_at)) {
                out->focus.typed_age_ms = ts - r->typed_at;
                /* The caret goes when typing stops: a change of its own. */
                double typing_ends = r->typed_at + REELAY_WEB_TYPING_MS;
                if (typing_ends > ts && typing_ends < next) next = typing_ends;
            }
        }
    }

    k = upto(&ws->s[S_SUBMIT], sizeof(submit_rec), ts, &next);
    if (k) {
        const submit_rec *r = &((const submit_rec *)ws->s[S_SUBMIT].v)[k - 1];
        double age = ts - r->t;
        if (age < REELAY_WEB_SUBMIT_MS) {
            out->submit_recent = true;
            out->submit_age_ms = age;
            out->submit_label = r->label;
            out->animating = true;
        }
    }

    toasts_at(&ws->s[S_TOAST], ts, &next, out);
    out->stable_until = out->animating ? ts : next;
}
