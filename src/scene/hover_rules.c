#include "scene/hover_rules.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/ascii.h"
#include "core/buf.h"

/* What one page may record before every element is assumed to match: a
 * Tailwind page has a few thousand hover compounds, a hostile one may
 * repeat distinct ones without end. */
#define MAX_COMPOUNDS 200000u
#define MAX_NAME_BYTES (16u << 20)
#define MAX_CLASS_REFS (1u << 21)
/* Longest identifier read (decoded bytes); longer ones make the compound
 * unreadable, hence "any". */
#define MAX_IDENT 1024

/* How a compound is indexed: by one of its classes, else its id, else its type. */
enum { KEY_CLASS, KEY_ID, KEY_TAG, KEY_KINDS };

/* An identifier (lower-cased ASCII), stored once for all compounds. */
typedef struct hr_name {
    uint64_t hash;
    uint32_t off, len; /* in pool */
    uint32_t head[KEY_KINDS];  /* first compound (index + 1) indexed under this name */
    uint32_t count[KEY_KINDS]; /* compounds indexed under this name */
} hr_name;

/* A recorded compound: the parts an element must have. Unknown parts
 * (attribute selectors, other pseudo-classes) are left out, which only
 * makes it match more elements. */
typedef struct hr_compound {
    uint64_t hash;
    uint32_t type, id;             /* name index + 1; 0 = no constraint */
    uint32_t classes, class_count; /* names (index + 1) in class_refs, ascending */
    uint32_t next;                 /* next compound (index + 1) under the same name */
} hr_compound;

struct reelay_hover_rules {
    bool any;
    char *pool;
    size_t pool_len, pool_cap;
    hr_name *names;
    size_t name_count, name_cap;
    uint32_t *name_slots; /* open addressing: name index + 1, 0 = empty */
    size_t name_slot_cap;
    hr_compound *compounds;
    size_t compound_count, compound_cap;
    uint32_t *compound_slots; /* open addressing for deduplication */
    size_t compound_slot_cap;
    uint32_t *class_refs;
    size_t class_ref_count, class_ref_cap;
    uint32_t *scratch; /* class names of the compound being read */
    size_t scratch_cap;
    size_t tag_keyed; /* compounds indexed by type: they constrain nothing else */
};

/* ---------------------------------------------------------------- names */

static unsigned char lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

static uint64_t mix(uint64_t h)
{
    /* splitmix64 finaliser: slots come from the low bits. */
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    h ^= h >> 31;
    return h;
}

static uint64_t hash_name(const unsigned char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= lower(s[i]);
        h *= 0x100000001b3ULL;
    }
    return mix(h);
}

static bool same_name(const char *stored, const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)stored[i] != lower(s[i])) return false;
    return true;
}

static void place(uint32_t *slots, size_t cap, uint64_t hash, uint32_t value)
{
    size_t i = (size_t)hash & (cap - 1);
    while (slots[i]) i = (i + 1) & (cap - 1);
    slots[i] = value;
}

/* Keeps an index table (item index + 1 per slot) at most half full when a
 * (count + 1)-th item comes; the hash of item i is the uint64_t at
 * hash_at in the i-th of items, stride bytes apart. False when out of
 * memory. */
static bool grow_slots(uint32_t **slots, size_t *slot_cap, size_t count, const void *items, size_t stride,
                       size_t hash_at)
{
    if ((count + 1) * 2 <= *slot_cap) return true;
    size_t cap = *slot_cap ? *slot_cap * 2 : 64;
    uint32_t *grown = calloc(cap, sizeof *grown);
    if (!grown) return false;
    for (size_t i = 0; i < count; i++) {
        uint64_t hash;
        memcpy(&hash, (const unsigned char *)items + i * stride + hash_at, sizeof hash);
        place(grown, cap, hash, (uint32_t)(i + 1));
    }
    free(*slots);
    *slots = grown;
    *slot_cap = cap;
    return true;
}

static bool grow_name_slots(reelay_hover_rules *r)
{
    return grow_slots(&r->name_slots, &r->name_slot_cap, r->name_count, r->names, sizeof *r->names,
                      offsetof(hr_name, hash));
}

static bool grow_compound_slots(reelay_hover_rules *r)
{
    return grow_slots(&r->compound_slots, &r->compound_slot_cap, r->compound_count, r->compounds,
                      sizeof *r->compounds, offsetof(hr_compound, hash));
}

/* The name (index + 1) equal to s ignoring ASCII case, or 0. */
static uint32_t find_name(const reelay_hover_rules *r, const unsigned char *s, size_t n)
{
    if (!r->name_slot_cap || n == 0) return 0;
    uint64_t h = hash_name(s, n);
    size_t i = (size_t)h & (r->name_slot_cap - 1);
    for (uint32_t v; (v = r->name_slots[i]) != 0; i = (i + 1) & (r->name_slot_cap - 1)) {
        const hr_name *name = &r->names[v - 1];
        if (name->hash == h && name->len == n && same_name(r->pool + name->off, s, n)) return v;
    }
    return 0;
}

/* Outcomes of the steps that store something. */
enum { STORED = 0, NO_MEMORY = -1, FULL = 1 };

static int intern(reelay_hover_rules *r, const unsigned char *s, size_t n, uint32_t *ref)
{
    *ref = find_name(r, s, n);
    if (*ref) return STORED;
    if (n > MAX_NAME_BYTES - r->pool_len) return FULL;
    if (!grow_name_slots(r)) return NO_MEMORY;
    if (!reelay_grow_array((void **)&r->names, &r->name_cap, r->name_count + 1, sizeof *r->names)) return NO_MEMORY;
    if (!reelay_grow_array((void **)&r->pool, &r->pool_cap, r->pool_len + n, 1)) return NO_MEMORY;
    hr_name *name = &r->names[r->name_count];
    memset(name, 0, sizeof *name);
    name->hash = hash_name(s, n);
    name->off = (uint32_t)r->pool_len;
    name->len = (uint32_t)n;
    for (size_t i = 0; i < n; i++) r->pool[r->pool_len + i] = (char)lower(s[i]);
    r->pool_len += n;
    *ref = (uint32_t)++r->name_count;
    place(r->name_slots, r->name_slot_cap, name->hash, *ref);
    return STORED;
}

/* ------------------------------------------------------------ compounds */

static int cmp_ref(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static uint64_t compound_hash(uint32_t type, uint32_t id, const uint32_t *classes, size_t count)
{
    uint64_t h = mix(0x9e3779b97f4a7c15ULL ^ type);
    h = mix(h ^ ((uint64_t)id << 32));
    for (size_t i = 0; i < count; i++) h = mix(h + classes[i]);
    return h;
}

static bool same_compound(const reelay_hover_rules *r, const hr_compound *c, uint32_t type, uint32_t id,
                          const uint32_t *classes, size_t count)
{
    return c->type == type && c->id == id && c->class_count == count &&
           (count == 0 || memcmp(&r->class_refs[c->classes], classes, count * sizeof *classes) == 0);
}

/* Stores type, id and the classes in r->scratch (deduplicated here);
 * STORED when kept or already known, FULL when nothing constrains it or
 * the bounds are reached (the caller then sets "any"). */
static int add_compound(reelay_hover_rules *r, uint32_t type, uint32_t id, size_t class_count)
{
    uint32_t *classes = r->scratch;
    if (class_count > 1) {
        qsort(classes, class_count, sizeof *classes, cmp_ref);
        size_t kept = 1;
        for (size_t i = 1; i < class_count; i++)
            if (classes[i] != classes[kept - 1]) classes[kept++] = classes[i];
        class_count = kept;
    }
    if (!type && !id && class_count == 0) return FULL;
    uint64_t h = compound_hash(type, id, classes, class_count);
    if (r->compound_slot_cap) {
        size_t i = (size_t)h & (r->compound_slot_cap - 1);
        for (uint32_t v; (v = r->compound_slots[i]) != 0; i = (i + 1) & (r->compound_slot_cap - 1)) {
            const hr_compound *c = &r->compounds[v - 1];
            if (c->hash == h && same_compound(r, c, type, id, classes, class_count)) return STORED;
        }
    }
    if (r->compound_count >= MAX_COMPOUNDS || class_count > MAX_CLASS_REFS - r->class_ref_count) return FULL;
    if (!grow_compound_slots(r) ||
        !reelay_grow_array((void **)&r->compounds, &r->compound_cap, r->compound_count + 1, sizeof *r->compounds) ||
        !reelay_grow_array((void **)&r->class_refs, &r->class_ref_cap, r->class_ref_count + class_count + 1,
                           sizeof *r->class_refs))
        return NO_MEMORY;

    /* Index under the class with the fewest compounds so far: a page with
     * many ".btn.x:hover" rules then spreads them over the x names, and a
     * match walks short lists. */
    int kind = KEY_TAG;
    uint32_t key = type;
    if (class_count) {
        kind = KEY_CLASS;
        key = classes[0];
        for (size_t i = 1; i < class_count; i++)
            if (r->names[classes[i] - 1].count[KEY_CLASS] < r->names[key - 1].count[KEY_CLASS]) key = classes[i];
    } else if (id) {
        kind = KEY_ID;
        key = id;
    }
    hr_name *name = &r->names[key - 1];
    hr_compound *c = &r->compounds[r->compound_count];
    *c = (hr_compound){
        .hash = h,
        .type = type,
        .id = id,
        .classes = (uint32_t)r->class_ref_count,
        .class_count = (uint32_t)class_count,
        .next = name->head[kind],
    };
    if (class_count) memcpy(&r->class_refs[r->class_ref_count], classes, class_count * sizeof *classes);
    r->class_ref_count += class_count;
    name->head[kind] = (uint32_t)++r->compound_count;
    name->count[kind]++;
    if (kind == KEY_TAG) r->tag_keyed++;
    place(r->compound_slots, r->compound_slot_cap, h, name->head[kind]);
    return STORED;
}

/* ---------------------------------------------------------- CSS lexing */

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static bool is_name_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c >= 0x80;
}

/* A backslash at i escapes the next character (a backslash before a
 * newline or at the end escapes nothing). */
static bool is_escape(const unsigned char *s, size_t i, size_t n)
{
    return s[i] == '\\' && i + 1 < n && s[i + 1] != '\n' && s[i + 1] != '\r' && s[i + 1] != '\f';
}

/* The end of the escape at i (is_escape): one to six hex digits and one
 * optional white space (CR LF counting as one), or one character. The
 * code point goes to *cp; -1 when the escaped byte is kept as it is. */
static size_t escape_end(const unsigned char *s, size_t i, size_t n, long *cp)
{
    i++;
    if (reelay_hex_digit(s[i]) < 0) {
        *cp = -1;
        return i + 1;
    }
    long v = 0;
    for (int k = 0; k < 6 && i < n && reelay_hex_digit(s[i]) >= 0; k++, i++) v = v * 16 + reelay_hex_digit(s[i]);
    if (i < n && is_space(s[i])) i += (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n') ? 2 : 1;
    if (v == 0 || (v >= 0xD800 && v <= 0xDFFF) || v > 0x10FFFF) v = 0xFFFD;
    *cp = v;
    return i;
}

/* Past a backslash and what it escapes, wherever it stands. */
static size_t skip_backslash(const unsigned char *s, size_t i, size_t n)
{
    long cp;
    return is_escape(s, i, n) ? escape_end(s, i, n, &cp) : i + 1;
}

/* Past the comment opening at i ("/" "*"); n when it never closes. */
static size_t comment_end(const unsigned char *s, size_t i, size_t n)
{
    for (i += 2; i + 1 < n; i++)
        if (s[i] == '*' && s[i + 1] == '/') return i + 2;
    return n;
}

static bool is_comment(const unsigned char *s, size_t i, size_t n)
{
    return s[i] == '/' && i + 1 < n && s[i + 1] == '*';
}

/* Past the string opening at i. As in CSS, an unescaped newline ends an
 * unterminated string (before the newline). */
static size_t string_end(const unsigned char *s, size_t i, size_t n)
{
    unsigned char quote = s[i++];
    while (i < n) {
        if (s[i] == quote) return i + 1;
        if (s[i] == '\n' || s[i] == '\r' || s[i] == '\f') return i;
        i += (s[i] == '\\') ? 2 : 1;
    }
    return n;
}

/* Past white space and comments. */
static size_t skip_blank(const unsigned char *s, size_t i, size_t n)
{
    while (i < n) {
        if (is_space(s[i])) i++;
        else if (is_comment(s, i, n)) i = comment_end(s, i, n);
        else break;
    }
    return i;
}

/* Past an unquoted url(...) starting at i (the "u"), whose contents CSS
 * reads raw: a slash and star in it open no comment, "url(a'b)" no string.
 * 0 when none starts there (a quoted url() is an ordinary function). */
static size_t raw_url_end(const unsigned char *s, size_t start, size_t i, size_t n)
{
    if (n - i < 4 || lower(s[i]) != 'u' || lower(s[i + 1]) != 'r' || lower(s[i + 2]) != 'l' || s[i + 3] != '(')
        return 0;
    if (i > start && (is_name_char(s[i - 1]) || s[i - 1] == '\\')) return 0;
    size_t k = i + 4;
    while (k < n && is_space(s[k])) k++;
    if (k < n && (s[k] == '"' || s[k] == '\'')) return 0;
    while (k < n && s[k] != ')') k += (s[k] == '\\') ? 2 : 1;
    return k < n ? k + 1 : n;
}

/* One decoded identifier, ASCII lower-cased. */
typedef struct ident {
    unsigned char text[MAX_IDENT];
    size_t len;
    bool too_long;
} ident;

static void put_byte(ident *id, unsigned char c)
{
    if (id->len < MAX_IDENT) id->text[id->len++] = c;
    else id->too_long = true;
}

static void put_code_point(ident *id, long cp)
{
    if (cp < 0x80) {
        put_byte(id, lower((unsigned char)cp));
    } else if (cp < 0x800) {
        put_byte(id, (unsigned char)(0xC0 | (cp >> 6)));
        put_byte(id, (unsigned char)(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        put_byte(id, (unsigned char)(0xE0 | (cp >> 12)));
        put_byte(id, (unsigned char)(0x80 | ((cp >> 6) & 0x3F)));
        put_byte(id, (unsigned char)(0x80 | (cp & 0x3F)));
    } else {
        put_byte(id, (unsigned char)(0xF0 | (cp >> 18)));
        put_byte(id, (unsigned char)(0x80 | ((cp >> 12) & 0x3F)));
        put_byte(id, (unsigned char)(0x80 | ((cp >> 6) & 0x3F)));
        put_byte(id, (unsigned char)(0x80 | (cp & 0x3F)));
    }
}

/* Reads the name characters and escapes at i into *id; returns their end
 * (i itself when there are none). Escapes are decoded, so ".\31 0" names
 * the class "10" and "\:hover" is text, not the pseudo-class. */
static size_t read_ident(const unsigned char *s, size_t i, size_t n, ident *id)
{
    id->len = 0;
    id->too_long = false;
    while (i < n) {
        if (is_name_char(s[i])) {
            put_byte(id, lower(s[i++]));
        } else if (is_escape(s, i, n)) {
            long cp;
            size_t end = escape_end(s, i, n, &cp);
            if (cp < 0) put_byte(id, lower(s[i + 1]));
            else put_code_point(id, cp);
            i = end;
        } else {
            break;
        }
    }
    return i;
}

static bool ident_is(const ident *id, const char *word)
{
    size_t n = strlen(word);
    return id->len == n && memcmp(id->text, word, n) == 0;
}

/* Past the bracket opening at i and its contents; 0 when it never closes
 * inside [i, n). */
static size_t bracket_end(const unsigned char *s, size_t i, size_t n)
{
    size_t depth = 0;
    while (i < n) {
        unsigned char c = s[i];
        size_t url = raw_url_end(s, 0, i, n);
        if (url) i = url;
        else if (is_comment(s, i, n)) i = comment_end(s, i, n);
        else if (c == '"' || c == '\'') i = string_end(s, i, n);
        else if (c == '\\') i = skip_backslash(s, i, n);
        else {
            if (c == '(' || c == '[') depth++;
            else if ((c == ')' || c == ']') && --depth == 0) return i + 1;
            i++;
        }
    }
    return 0;
}

/* Whether the attribute name at i (just inside "[" or "attr(") is class,
 * in whatever namespace: [class~=x], [ CLASS ], [*|class], attr(class). */
static bool names_class(const unsigned char *s, size_t i, size_t n)
{
    ident id;
    i = skip_blank(s, i, n);
    size_t end = i;
    id.len = 0;
    if (i < n && s[i] == '*') end = i + 1;
    else end = read_ident(s, i, n, &id);
    if (ident_is(&id, "class")) return true;
    if (end < n && s[end] == '|' && (end + 1 >= n || s[end + 1] != '=')) {
        read_ident(s, end + 1, n, &id);
        return ident_is(&id, "class");
    }
    return false;
}

/* --------------------------------------------------------------- reading */

static int no_memory(reelay_hover_rules *r, reelay_err *err)
{
    /* Rules missing a compound could answer "no" wrongly: stay safe. */
    r->any = true;
    return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory reading hover rules");
}

/* Pseudo-classes that test the element they are attached to: a :hover in
 * their argument is still that element's hover. */
static bool is_same_element(const ident *name)
{
    return ident_is(name, "is") || ident_is(name, "where") || ident_is(name, "not") || ident_is(name, "matches") ||
           ident_is(name, "any") || ident_is(name, "-webkit-any") || ident_is(name, "-moz-any");
}

/* Single-colon spellings of pseudo-elements: what follows them is about the
 * pseudo-element, not the element. */
static bool is_legacy_pseudo_element(const ident *name)
{
    return ident_is(name, "before") || ident_is(name, "after") || ident_is(name, "first-line") ||
           ident_is(name, "first-letter");
}

/* Reads the recorded compound [i, n) at bracket depth 0 into type, id and
 * classes and stores it; "any" when it cannot be read or names nothing. */
static int record_compound(reelay_hover_rules *r, const unsigned char *s, size_t i, size_t n, reelay_err *err)
{
    uint32_t type = 0, id = 0;
    size_t class_count = 0;
    ident name = {.len = 0};
    int rc = STORED;

    i = skip_blank(s, i, n);
    if (i < n && (s[i] == '*' || s[i] == '|' || is_name_char(s[i]) || is_escape(s, i, n))) {
        bool star = s[i] == '*' || s[i] == '|';
        size_t end = s[i] == '*' ? i + 1 : s[i] == '|' ? i : read_ident(s, i, n, &name);
        if (!star && name.too_long) goto unreadable;
        if (end < n && s[end] == '|') {
            /* ns|tag, *|tag, |tag: the namespace is unknown here, so is
             * the element's; no type constraint. */
            end++;
            if (end < n && s[end] == '*') end++;
            else {
                size_t tag_end = read_ident(s, end, n, &name);
                if (tag_end == end || name.too_long) goto unreadable;
                end = tag_end;
            }
        } else if (!star) {
            rc = intern(r, name.text, name.len, &type);
            if (rc != STORED) goto stop;
        }
        i = end;
    }
    while (i < n) {
        unsigned char c = s[i];
        if (is_comment(s, i, n)) {
            i = comment_end(s, i, n);
        } else if (c == '#' || c == '.') {
            size_t end = read_ident(s, i + 1, n, &name);
            if (end == i + 1 || name.too_long) goto unreadable;
            i = end;
            if (c == '#') {
                /* "#a#b" needs both: keeping the first is enough. */
                if (!id && (rc = intern(r, name.text, name.len, &id)) != STORED) goto stop;
            } else if (!ident_is(&name, ":hover")) {
                /* The class rrweb toggles is the hover itself, not a
                 * constraint. */
                uint32_t ref;
                if ((rc = intern(r, name.text, name.len, &ref)) != STORED) goto stop;
                if (!reelay_grow_array((void **)&r->scratch, &r->scratch_cap, class_count + 1, sizeof *r->scratch)) {
                    rc = NO_MEMORY;
                    goto stop;
                }
                r->scratch[class_count++] = ref;
            }
        } else if (c == '[') {
            /* Attribute selectors: unknown, assumed to match. */
            if ((i = bracket_end(s, i, n)) == 0) goto unreadable;
        } else if (c == ':') {
            size_t start = (i + 1 < n && s[i + 1] == ':') ? i + 2 : i + 1;
            size_t end = read_ident(s, start, n, &name);
            if (end == start) goto unreadable;
            if (end < n && s[end] == '(' && (end = bracket_end(s, end, n)) == 0) goto unreadable;
            i = end;
        } else if (c == '&') {
            /* CSS nesting: the parent selector is not resolved here. */
            i++;
        } else {
            goto unreadable;
        }
    }
    rc = add_compound(r, type, id, class_count);
stop:
    if (rc == NO_MEMORY) return no_memory(r, err);
    if (rc == FULL) r->any = true;
    return REELAY_OK;
unreadable:
    r->any = true;
    return REELAY_OK;
}

/* What a compound's text says about hover. */
typedef struct compound_scan {
    size_t depth; /* ( and [ */
    size_t other; /* depth of the outermost bracket that is not a same-element pseudo-class; 0 = none */
    bool top;     /* hover (or class attribute) on the element itself, outside brackets */
    bool nested;  /* ... inside :is(), :not() and the like */
    bool unsure;  /* ... on some other element, or after a pseudo-element */
    bool pseudo_element;
    bool combinator; /* a combinator inside :is() and the like */
} compound_scan;

static void on_hover(compound_scan *scan)
{
    if (scan->depth == 0) {
        if (scan->pseudo_element) scan->unsure = true;
        else scan->top = true;
    } else if (scan->other) {
        /* :has(), :nth-child(of S), :host(), ::slotted(), a bare bracket:
         * the hover is another element's, or the text is no selector. */
        scan->unsure = true;
    } else {
        scan->nested = true;
    }
}

static void open_bracket(compound_scan *scan, bool same_element)
{
    scan->depth++;
    if (!scan->other && !same_element) scan->other = scan->depth;
}

static void close_bracket(compound_scan *scan)
{
    if (scan->depth == 0) return; /* a stray closer: record_compound refuses it */
    if (scan->other == scan->depth) scan->other = 0;
    scan->depth--;
}

/* Whether "attr(" ends at the "(" at i: attr(class) shows the class
 * attribute, which rrweb's hover changes. */
static bool is_attr_function(const unsigned char *s, size_t start, size_t i)
{
    if (i - start < 4) return false;
    const unsigned char *w = s + i - 4;
    if (lower(w[0]) != 'a' || lower(w[1]) != 't' || lower(w[2]) != 't' || lower(w[3]) != 'r') return false;
    return i - start == 4 || !is_name_char(w[-1]);
}

/* One compound selector [start, n) of a selector list (or a piece of a
 * declaration, which reads the same way). */
static int read_compound(reelay_hover_rules *r, const unsigned char *s, size_t start, size_t n, bool scope,
                         reelay_err *err)
{
    compound_scan scan = {0};
    unsigned char prev = '('; /* last character inside brackets, for combinators */
    ident name;
    size_t i = start;
    while (i < n) {
        unsigned char c = s[i];
        if (is_comment(s, i, n)) {
            i = comment_end(s, i, n);
            continue;
        }
        if (c == '"' || c == '\'') {
            i = string_end(s, i, n);
            prev = c;
            continue;
        }
        if (c == '\\') {
            i = skip_backslash(s, i, n);
            prev = 'a';
            continue;
        }
        size_t raw = raw_url_end(s, start, i, n);
        if (raw) {
            i = raw;
            prev = ')';
            continue;
        }
        if (c == ':') {
            size_t from = (i + 1 < n && s[i + 1] == ':') ? i + 2 : i + 1;
            size_t url = raw_url_end(s, start, from, n);
            if (url) { /* "background:url(...)" */
                i = url;
                prev = ')';
                continue;
            }
            size_t end = read_ident(s, from, n, &name);
            /* "::hover" is no pseudo-class, but reading it as one is safe. */
            if (ident_is(&name, "hover")) on_hover(&scan);
            else if (scan.depth == 0 && (from == i + 2 || is_legacy_pseudo_element(&name)))
                scan.pseudo_element = true;
            if (end < n && s[end] == '(') {
                if (ident_is(&name, "attr") && names_class(s, end + 1, n)) {
                    r->any = true; /* "content:attr(class)", read as a compound */
                    return REELAY_OK;
                }
                open_bracket(&scan, from == i + 1 && is_same_element(&name));
                prev = '(';
                i = end + 1;
            } else {
                prev = 'a';
                i = end > from ? end : from;
            }
            continue;
        }
        if (c == '.') {
            size_t end = read_ident(s, i + 1, n, &name);
            /* A class selector on the class rrweb adds is a hover selector. */
            if (ident_is(&name, ":hover")) on_hover(&scan);
            prev = 'a';
            i = end > i + 1 ? end : i + 1;
            continue;
        }
        if (c == '[') {
            if (names_class(s, i + 1, n)) on_hover(&scan);
            open_bracket(&scan, false);
        } else if (c == '(') {
            if (is_attr_function(s, start, i) && names_class(s, i + 1, n)) {
                r->any = true;
                return REELAY_OK;
            }
            open_bracket(&scan, false);
        } else if (c == ')' || c == ']') {
            close_bracket(&scan);
        } else if (scan.depth > 0 && !scan.other) {
            /* ":is(.a:hover .b)" hovers an ancestor of the element: spot
             * combinators inside same-element pseudo-classes. */
            if (c == '>' || c == '+' || c == '~') {
                scan.combinator = true;
            } else if (is_space(c)) {
                size_t next = i;
                while (next < n && is_space(s[next])) next++;
                if (next < n && prev != '(' && prev != ',' && s[next] != ')' && s[next] != ',') scan.combinator = true;
                i = next;
                continue;
            }
        }
        if (!is_space(c)) prev = c;
        i++;
    }
    if (scan.unsure || (scan.nested && scan.combinator)) {
        r->any = true;
        return REELAY_OK;
    }
    if (!scan.top && !scan.nested) return REELAY_OK;
    if (scope) {
        /* @scope's prelude: roots and limits are other elements. */
        r->any = true;
        return REELAY_OK;
    }
    return record_compound(r, s, start, n, err);
}

/* A selector list [i, n): compounds are split by white space, the
 * combinators > + ~ || and commas, outside brackets. */
static int read_selectors(reelay_hover_rules *r, const unsigned char *s, size_t i, size_t n, bool scope,
                          reelay_err *err)
{
    size_t depth = 0, start = SIZE_MAX;
    while (i < n && !r->any) {
        unsigned char c = s[i];
        if (depth == 0) {
            bool pipes = c == '|' && i + 1 < n && s[i + 1] == '|';
            if (is_space(c) || c == '>' || c == '+' || c == '~' || c == ',' || pipes) {
                if (start != SIZE_MAX) {
                    int rc = read_compound(r, s, start, i, scope, err);
                    if (rc != REELAY_OK) return rc;
                    start = SIZE_MAX;
                }
                i += pipes ? 2 : 1;
                continue;
            }
            if (start == SIZE_MAX) {
                if (is_comment(s, i, n)) {
                    i = comment_end(s, i, n);
                    continue;
                }
                start = i;
            }
        }
        size_t url = raw_url_end(s, 0, i, n);
        if (url) i = url;
        else if (is_comment(s, i, n)) i = comment_end(s, i, n);
        else if (c == '"' || c == '\'') i = string_end(s, i, n);
        else if (c == '\\') i = skip_backslash(s, i, n);
        else {
            if (c == '(' || c == '[') depth++;
            else if ((c == ')' || c == ']') && depth > 0) depth--;
            i++;
        }
    }
    if (start != SIZE_MAX && !r->any) return read_compound(r, s, start, n, scope, err);
    return REELAY_OK;
}

/* The text between two of { } ; outside brackets: a selector list, a
 * declaration or an at-rule's prelude. */
static int read_segment(reelay_hover_rules *r, const unsigned char *s, size_t n, reelay_err *err)
{
    size_t i = skip_blank(s, 0, n);
    if (i == n) return REELAY_OK;
    if (s[i] != '@') return read_selectors(r, s, i, n, false, err);
    /* rrweb rewrites :hover in style rules only: "@media (hover: hover)"
     * or "@supports selector(a:hover)" do not depend on the mouse. @scope
     * takes selectors, whose class attribute rrweb's hover does change. */
    ident keyword;
    size_t end = read_ident(s, i + 1, n, &keyword);
    if (!ident_is(&keyword, "scope")) return REELAY_OK;
    return read_selectors(r, s, end, n, true, err);
}

int reelay_hover_rules_add_css(reelay_hover_rules *rules, const char *css, size_t len, reelay_err *err)
{
    if (!rules || rules->any || !css) return REELAY_OK;
    const unsigned char *s = (const unsigned char *)css;
    size_t depth = 0, segment = 0, i = 0;
    while (i < len && !rules->any) {
        unsigned char c = s[i];
        if (is_comment(s, i, len)) {
            i = comment_end(s, i, len);
            continue;
        }
        if (c == '"' || c == '\'') {
            i = string_end(s, i, len);
            continue;
        }
        if (c == '\\') {
            i = skip_backslash(s, i, len);
            continue;
        }
        size_t url = raw_url_end(s, 0, i, len);
        if (url) {
            i = url;
            continue;
        }
        if (c == '(' || c == '[') {
            depth++;
        } else if ((c == ')' || c == ']') && depth > 0) {
            depth--;
        } else if (depth == 0 && (c == '{' || c == '}' || c == ';')) {
            int rc = read_segment(rules, s + segment, i - segment, err);
            if (rc != REELAY_OK) return rc;
            segment = i + 1;
        }
        i++;
    }
    if (!rules->any && segment < len) return read_segment(rules, s + segment, len - segment, err);
    return REELAY_OK;
}

/* ------------------------------------------------------------------ JSON */

static bool contains_word(const char *s, size_t n, const char *word)
{
    size_t w = strlen(word);
    for (size_t i = 0; i + w <= n; i++) {
        size_t k = 0;
        while (k < w && lower((unsigned char)s[i + k]) == (unsigned char)word[k]) k++;
        if (k == w) return true;
    }
    return false;
}

/* Strings worth reading as CSS. Wider than ":hover" and "[class": a
 * selector may spell them "[ class", "[*|class" or "attr(class)". */
static bool may_hold_selector(const char *s, size_t n)
{
    return contains_word(s, n, "hover") || contains_word(s, n, "class");
}

bool reelay_hover_rules_json_may_hold(const char *json)
{
    if (!json) return true;
    size_t n = strlen(json);
    /* \u escapes can spell either word in the raw text */
    return may_hold_selector(json, n) || strstr(json, "\\u");
}

int reelay_hover_rules_add_event_json(reelay_hover_rules *rules, const char *json, reelay_err *err)
{
    if (!rules || rules->any) return REELAY_OK;
    json_t *root = json ? json_loads(json, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL) : NULL;
    if (!root) {
        /* Unreadable (or deeper than jansson nests): its CSS is unknown. */
        rules->any = true;
        return REELAY_OK;
    }
    /* Values still to visit, in no particular order: the set of compounds
     * does not depend on it, and nesting needs no recursion. */
    json_t **stack = NULL;
    size_t count = 0, cap = 0;
    int rc = REELAY_OK;
    if (!reelay_grow_array((void **)&stack, &cap, 1, sizeof *stack)) {
        rc = no_memory(rules, err);
        goto done;
    }
    stack[count++] = root;
    while (count && !rules->any) {
        json_t *v = stack[--count];
        if (json_is_string(v)) {
            const char *text = json_string_value(v);
            size_t len = json_string_length(v);
            if (may_hold_selector(text, len) && (rc = reelay_hover_rules_add_css(rules, text, len, err)) != REELAY_OK)
                goto done;
        } else if (json_is_object(v) || json_is_array(v)) {
            size_t more = json_is_object(v) ? json_object_size(v) : json_array_size(v);
            if (!reelay_grow_array((void **)&stack, &cap, count + more, sizeof *stack)) {
                rc = no_memory(rules, err);
                goto done;
            }
            if (json_is_array(v)) {
                for (size_t k = 0; k < more; k++) stack[count++] = json_array_get(v, k);
            } else {
                const char *key;
                json_t *item;
                json_object_foreach(v, key, item)
                {
                    (void)key;
                    stack[count++] = item;
                }
            }
        }
    }
done:
    free(stack);
    json_decref(root);
    return rc;
}

/* -------------------------------------------------------------- queries */

int reelay_hover_rules_new(reelay_hover_rules **out, reelay_err *err)
{
    *out = calloc(1, sizeof **out);
    if (!*out) return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    return REELAY_OK;
}

void reelay_hover_rules_free(reelay_hover_rules *rules)
{
    if (!rules) return;
    free(rules->pool);
    free(rules->names);
    free(rules->name_slots);
    free(rules->compounds);
    free(rules->compound_slots);
    free(rules->class_refs);
    free(rules->scratch);
    free(rules);
}

void reelay_hover_rules_set_any(reelay_hover_rules *rules)
{
    if (rules) rules->any = true;
}

bool reelay_hover_rules_any(const reelay_hover_rules *rules)
{
    return !rules || rules->any;
}

bool reelay_hover_rules_empty(const reelay_hover_rules *rules)
{
    return rules && !rules->any && rules->compound_count == 0;
}

static bool is_class_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

/* Whether the class attribute holds the name (a token equal to it
 * ignoring ASCII case). */
static bool has_class(const reelay_hover_rules *r, const char *attr, uint32_t ref)
{
    const hr_name *name = &r->names[ref - 1];
    const unsigned char *s = (const unsigned char *)attr;
    while (*s) {
        while (*s && is_class_space(*s)) s++;
        const unsigned char *token = s;
        while (*s && !is_class_space(*s)) s++;
        if ((size_t)(s - token) == name->len && same_name(r->pool + name->off, token, name->len)) return true;
    }
    return false;
}

/* Whether the element has every part of compound c; `token` is a class
 * name already known to be one of its classes (0 = none). */
static bool element_matches(const reelay_hover_rules *r, const hr_compound *c, const reelay_dom_node *element,
                            uint32_t tag, uint32_t id, uint32_t token)
{
    if (c->type && element->tag && c->type != tag) return false;
    if (c->id && c->id != id) return false;
    for (uint32_t k = 0; k < c->class_count; k++) {
        uint32_t ref = r->class_refs[c->classes + k];
        if (ref != token && (!element->attr_class || !has_class(r, element->attr_class, ref))) return false;
    }
    return true;
}

static bool any_in_chain(const reelay_hover_rules *r, uint32_t head, const reelay_dom_node *element, uint32_t tag,
                         uint32_t id, uint32_t token)
{
    for (uint32_t v = head; v; v = r->compounds[v - 1].next)
        if (element_matches(r, &r->compounds[v - 1], element, tag, id, token)) return true;
    return false;
}

static uint32_t find_string(const reelay_hover_rules *r, const char *s)
{
    return s ? find_name(r, (const unsigned char *)s, strlen(s)) : 0;
}

bool reelay_hover_rules_match(const reelay_hover_rules *rules, const reelay_dom_node *element)
{
    if (!element || element->type != DOM_ELEMENT) return false;
    if (!rules || rules->any) return true;
    if (rules->compound_count == 0) return false;
    /* An element without a tag name could be any type. */
    if (!element->tag && rules->tag_keyed) return true;
    uint32_t tag = find_string(rules, element->tag);
    uint32_t id = find_string(rules, element->attr_id);
    if (element->attr_class) {
        const unsigned char *s = (const unsigned char *)element->attr_class;
        while (*s) {
            while (*s && is_class_space(*s)) s++;
            const unsigned char *token = s;
            while (*s && !is_class_space(*s)) s++;
            uint32_t ref = find_name(rules, token, (size_t)(s - token));
            if (ref && any_in_chain(rules, rules->names[ref - 1].head[KEY_CLASS], element, tag, id, ref)) return true;
        }
    }
    if (id && any_in_chain(rules, rules->names[id - 1].head[KEY_ID], element, tag, id, 0)) return true;
    if (tag && any_in_chain(rules, rules->names[tag - 1].head[KEY_TAG], element, tag, id, 0)) return true;
    return false;
}
