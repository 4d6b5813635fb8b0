/* url_privacy.c — see url_privacy.h for what is masked and why.
 * The rewrite is one left-to-right scan: a parameter can start after '?',
 * '&', ';' or '#', a userinfo after "scheme://"; every other byte is
 * copied. It never allocates unless something is masked (or a parameter
 * name is longer than NAME_STACK bytes). */
#include "session/url_privacy.h"

#include <stdlib.h>
#include <string.h>

#include "core/ascii.h"
#include "core/buf.h"
#include "core/utf8.h"

/* Parameter names up to this long are decoded on the stack. */
#define NAME_STACK 256
/* Percent-decoding rounds of a name: "%2577" is "%77" is "w". */
#define DECODE_ROUNDS 4
/* Levels of URLs percent-encoded inside a value that are looked into
 * ("?next=%2Fpay%3Ftoken%3D..." is one). */
#define NESTED_MAX 2

/* Terms found anywhere in a name once its separators are removed: long or
 * odd enough that an ordinary word containing them is rare ("secretary"
 * and "tokenizer" are masked too, harmlessly). */
static const char *const CREDENTIAL_ANYWHERE[] = {
    "password", "passwd", "passphrase", "pwd", "secret", "token", "session", "sessid", "apikey",
    "accesskey", "privatekey", "credential", "signature", "authorization", "jwt",
};
static const char *const PERSONAL_ANYWHERE[] = {
    "creditcard", "cardnum", "ccnum", "cvv", "cvc", "socialsecurity",
};
/* Terms that count only as a whole word of the name: as substrings they
 * hide in keyword, monkey, barcode, zipcode, author, access, discard,
 * classname. */
static const char *const CREDENTIAL_WORDS[] = {
    "pass", "pw", "pin", "otp", "key", "auth", "code", "sid", "sig",
};
static const char *const PERSONAL_WORDS[] = {
    "card", "cc", "ssn", "iban",
};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static bool is_alpha(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static bool is_upper(unsigned char c) { return c >= 'A' && c <= 'Z'; }
static bool is_lower(unsigned char c) { return c >= 'a' && c <= 'z'; }
static unsigned char lower(unsigned char c) { return is_upper(c) ? (unsigned char)(c - 'A' + 'a') : c; }

/* One round of percent-decoding in place; '+' is a space (form encoding).
 * A '%' not followed by two hex digits stays as it is. Returns the new
 * length; *changed tells whether anything was decoded. */
static size_t decode_round(unsigned char *s, size_t len, bool *changed)
{
    size_t out = 0;
    *changed = false;
    for (size_t i = 0; i < len; i++) {
        int high = s[i] == '%' && i + 2 < len ? reelay_hex_digit(s[i + 1]) : -1;
        int low = high >= 0 ? reelay_hex_digit(s[i + 2]) : -1;
        if (low >= 0) {
            s[out++] = (unsigned char)(high * 16 + low);
            i += 2;
            *changed = true;
        } else if (s[i] == '+') {
            s[out++] = ' ';
            *changed = true;
        } else {
            s[out++] = s[i];
        }
    }
    return out;
}

static bool word_is(const unsigned char *w, size_t len, const char *term)
{
    if (strlen(term) != len) return false;
    for (size_t i = 0; i < len; i++)
        if (lower(w[i]) != (unsigned char)term[i]) return false;
    return true;
}

static bool word_in(const unsigned char *w, size_t len, const char *const *terms, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (word_is(w, len, terms[i])) return true;
    return false;
}

/* Whether a word ends between s[i-1] and s[i] (both letters or digits):
 * letter↔digit, "aB" and the last capital of an acronym before a lower
 * case letter ("APIKey": API|Key). */
static bool word_boundary(const unsigned char *s, size_t len, size_t i)
{
    unsigned char a = s[i - 1], b = s[i];
    if (is_digit(a) != is_digit(b)) return true;
    if (is_lower(a) && is_upper(b)) return true;
    return is_upper(a) && is_upper(b) && i + 1 < len && is_lower(s[i + 1]);
}

/* The kind that the words of s[0..len) (decoded, original case) name. */
static reelay_url_param_kind kind_of_words(const unsigned char *s, size_t len)
{
    reelay_url_param_kind kind = REELAY_URL_PARAM_PLAIN;
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        bool alnum = i < len && (is_alpha(s[i]) || is_digit(s[i]));
        bool ends = !alnum || (i > start && word_boundary(s, len, i));
        if (!ends) continue;
        if (i > start) {
            if (word_in(s + start, i - start, CREDENTIAL_WORDS, COUNT(CREDENTIAL_WORDS)))
                return REELAY_URL_PARAM_CREDENTIAL;
            if (word_in(s + start, i - start, PERSONAL_WORDS, COUNT(PERSONAL_WORDS)))
                kind = REELAY_URL_PARAM_PERSONAL;
        }
        start = alnum ? i : i + 1;
    }
    return kind;
}

static bool contains_any(const unsigned char *s, size_t len, const char *const *terms, size_t count)
{
    for (size_t t = 0; t < count; t++) {
        size_t n = strlen(terms[t]);
        for (size_t i = 0; n <= len && i + n <= len; i++)
            if (memcmp(s + i, terms[t], n) == 0) return true;
    }
    return false;
}

/* The kind that the terms anywhere in s[0..len) name; squashes s in
 * place (letters and digits only, lower case). */
static reelay_url_param_kind kind_of_squashed(unsigned char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (is_alpha(s[i]) || is_digit(s[i])) s[n++] = lower(s[i]);
    if (contains_any(s, n, CREDENTIAL_ANYWHERE, COUNT(CREDENTIAL_ANYWHERE))) return REELAY_URL_PARAM_CREDENTIAL;
    if (contains_any(s, n, PERSONAL_ANYWHERE, COUNT(PERSONAL_ANYWHERE))) return REELAY_URL_PARAM_PERSONAL;
    return REELAY_URL_PARAM_PLAIN;
}

reelay_url_param_kind reelay_url_param_kind_of(const char *name, size_t len)
{
    unsigned char stack[NAME_STACK];
    unsigned char *s = len <= sizeof stack ? stack : malloc(len);
    /* Unsure is sensitive: a name too long to decode is masked. */
    if (!s) return REELAY_URL_PARAM_CREDENTIAL;
    memcpy(s, name, len);
    bool changed = true;
    for (int round = 0; round < DECODE_ROUNDS && changed; round++) len = decode_round(s, len, &changed);
    reelay_url_param_kind by_words = kind_of_words(s, len);
    reelay_url_param_kind by_terms = kind_of_squashed(s, len);
    if (s != stack) free(s);
    return by_words > by_terms ? by_words : by_terms;
}

/* ------------------------------------------------------------------------ */
/* The rewrite                                                              */
/* ------------------------------------------------------------------------ */

static bool is_blank(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

/* Where any URL part ends inside a line of text. */
static bool ends_url(unsigned char c)
{
    return c == '\0' || is_blank(c) || c == '"' || c == '\'' || c == '<' || c == '>' || c == '`';
}

static bool starts_param(unsigned char c) { return c == '?' || c == '&' || c == ';' || c == '#'; }

/* A value runs to the next parameter or the end of the URL; a path
 * parameter (";jsessionid=") also to the end of its segment or the query.
 * In the query a '?' does not end a value: a secret holding one must not
 * be cut short. */
static bool ends_value(unsigned char c, bool in_query)
{
    return ends_url(c) || c == '&' || c == ';' || c == '#' || (!in_query && (c == '?' || c == '/'));
}

static bool ends_name(unsigned char c) { return ends_value(c, true) || c == '?' || c == '='; }

typedef struct rewrite {
    const char *text;
    bool unmask_inputs;
    int depth;     /* 0: the URL itself; 1: a value of it, decoded */
    bool dry;      /* only find out whether anything would be masked */
    reelay_buf out;
    size_t copied; /* text[0..copied) is in out already */
    bool in_query; /* the scan is past the '?' or '#' of the current URL */
    bool masked;
    bool failed;
} rewrite;

/* Replaces text[from..to) with the mask (copying what precedes it). */
static void replace(rewrite *w, size_t from, size_t to)
{
    if (w->failed) return;
    if (w->dry) {
        w->masked = true;
        return;
    }
    if (reelay_buf_append(&w->out, w->text + w->copied, from - w->copied) != 0 ||
        reelay_buf_append_str(&w->out, REELAY_URL_MASK) != 0) {
        w->failed = true;
        return;
    }
    w->copied = to;
    w->masked = true;
}

/* Whether s[from..to) already reads the mask (the rewrite is idempotent
 * and then copies nothing). */
static bool is_mask(const unsigned char *s, size_t from, size_t to)
{
    return to - from == strlen(REELAY_URL_MASK) && memcmp(s + from, REELAY_URL_MASK, to - from) == 0;
}

static bool is_scheme_char(unsigned char c) { return is_alpha(c) || is_digit(c) || c == '+' || c == '-' || c == '.'; }

/* At text[i] == ':' of "://" after a scheme: masks the userinfo's
 * password, if any. Returns where scanning goes on. */
static size_t mask_userinfo(rewrite *w, size_t i)
{
    const unsigned char *s = (const unsigned char *)w->text;
    if (i == 0 || !is_scheme_char(s[i - 1])) return i + 1;
    size_t start = i + 3, end = start, at = 0;
    bool has_at = false;
    while (!ends_url(s[end]) && s[end] != '/' && s[end] != '?' && s[end] != '#') {
        if (s[end] == '@') {
            at = end;
            has_at = true;
        }
        end++;
    }
    if (!has_at) return start;
    const unsigned char *colon = memchr(s + start, ':', at - start);
    if (colon && (size_t)(colon - s) + 1 < at && !is_mask(s, (size_t)(colon - s) + 1, at))
        replace(w, (size_t)(colon - s) + 1, at);
    return at;
}

static void scan(rewrite *w);

/* Whether text[from..to), percent-decoded once or up to NESTED_MAX
 * times, holds something to mask: a URL encoded inside a value. Only the
 * URL itself looks (depth 0): decoding the whole value again reaches what
 * is encoded deeper. Unsure (out of memory) counts as yes. */
static bool encoded_value_holds_secret(const rewrite *w, size_t from, size_t to)
{
    if (w->depth > 0 || !memchr(w->text + from, '%', to - from)) return false;
    unsigned char *decoded = malloc(to - from + 1);
    if (!decoded) return true;
    size_t len = to - from;
    memcpy(decoded, w->text + from, len);
    bool found = false, changed = true;
    for (int round = 0; round < NESTED_MAX && changed && !found; round++) {
        len = decode_round(decoded, len, &changed);
        decoded[len] = '\0';
        rewrite inner = {.text = (const char *)decoded, .unmask_inputs = w->unmask_inputs, .depth = 1, .dry = true};
        if (changed) scan(&inner);
        found = inner.masked || inner.failed;
    }
    free(decoded);
    return found;
}

/* At text[i], just after a character that may start a parameter: masks
 * its value when the name is sensitive, or when the value is an encoded
 * URL that holds a secret. Returns where scanning goes on (inside a value
 * that is shown, so "next=/login?token=x" is seen). */
static size_t mask_param(rewrite *w, size_t i)
{
    const unsigned char *s = (const unsigned char *)w->text;
    size_t name_end = i;
    while (!ends_name(s[name_end])) name_end++;
    if (name_end == i || s[name_end] != '=') return name_end;
    size_t value = name_end + 1, value_end = value;
    while (!ends_value(s[value_end], w->in_query)) value_end++;
    /* Empty: nothing to hide; already the mask: nothing to copy. */
    if (value_end == value) return value;
    if (is_mask(s, value, value_end)) return value_end;
    reelay_url_param_kind kind = reelay_url_param_kind_of(w->text + i, name_end - i);
    bool hide = kind == REELAY_URL_PARAM_CREDENTIAL || (kind == REELAY_URL_PARAM_PERSONAL && !w->unmask_inputs) ||
                encoded_value_holds_secret(w, value, value_end);
    if (!hide) return value;
    replace(w, value, value_end);
    return value_end;
}

/* Nothing in a text without '=' or '@' can be masked. */
static bool may_hold_secrets(const char *text)
{
    return strchr(text, '=') || strchr(text, '@');
}

/* The scan of w->text; a dry one stops at the first thing to mask. */
static void scan(rewrite *w)
{
    const char *text = w->text;
    size_t i = 0;
    while (text[i] && !w->failed && !(w->dry && w->masked)) {
        unsigned char c = (unsigned char)text[i];
        if (c == '?' || c == '#') w->in_query = true;
        if (ends_url(c)) w->in_query = false;
        if (starts_param(c))
            i = mask_param(w, i + 1);
        else if (text[i] == ':' && text[i + 1] == '/' && text[i + 2] == '/')
            i = mask_userinfo(w, i);
        else
            i++;
    }
}

const char *reelay_url_mask(reelay_arena *arena, const char *text, bool unmask_inputs)
{
    if (!text || !may_hold_secrets(text)) return text;
    rewrite w = {.text = text, .unmask_inputs = unmask_inputs};
    reelay_buf_init(&w.out);
    scan(&w);
    const char *result = text;
    if (w.failed) {
        result = NULL;
    } else if (w.masked) {
        size_t rest = strlen(text + w.copied);
        result = reelay_buf_append(&w.out, text + w.copied, rest) == 0
                     ? reelay_arena_strndup(arena, (const char *)w.out.data, w.out.len)
                     : NULL;
    }
    reelay_buf_free(&w.out);
    return result;
}

/* ------------------------------------------------------------------------ */
/* The session pass                                                         */
/* ------------------------------------------------------------------------ */

static int mask_field(reelay_session *session, const char **field, bool unmask_inputs)
{
    const char *masked = reelay_url_mask(&session->arena, *field, unmask_inputs);
    if (*field && !masked) return -1;
    *field = masked;
    return 0;
}

/* A console message stays within REELAY_CONSOLE_MESSAGE_MAX bytes even
 * when a mask is longer than what it hides. */
static int mask_console_message(reelay_session *session, const char **message, bool unmask_inputs)
{
    const char *before = *message;
    if (mask_field(session, message, unmask_inputs) != 0) return -1;
    if (*message == before) return 0;
    size_t len = strlen(*message);
    if (len <= REELAY_CONSOLE_MESSAGE_MAX) return 0;
    *message = reelay_arena_strndup(&session->arena, *message, reelay_utf8_cut(*message, len, REELAY_CONSOLE_MESSAGE_MAX));
    return *message ? 0 : -1;
}

/* Mobile web_view wireframes show their URL as a placeholder label; the
 * trees are walked with a heap stack, as deep as ingest allowed. */
typedef struct wf_stack {
    reelay_wireframe **items;
    size_t count, cap;
} wf_stack;

static bool wf_push(wf_stack *stack, reelay_wireframe *wf)
{
    if (!reelay_grow_array((void **)&stack->items, &stack->cap, stack->count + 1, sizeof *stack->items)) return false;
    stack->items[stack->count++] = wf;
    return true;
}

static int mask_wireframes(reelay_session *session, wf_stack *stack, bool unmask_inputs)
{
    while (stack->count > 0) {
        reelay_wireframe *wf = stack->items[--stack->count];
        if (mask_field(session, &wf->url, unmask_inputs) != 0) return -1;
        for (size_t c = 0; c < wf->child_count; c++)
            if (!wf_push(stack, &wf->children[c])) return -1;
    }
    return 0;
}

static int mask_event_wireframes(reelay_session *session, reelay_event *ev, wf_stack *stack, bool unmask_inputs)
{
    if (!ev->mobile) return 0;
    bool ok = true;
    if (ev->kind == EV_FULL_SNAPSHOT)
        for (size_t k = 0; ok && k < ev->u.full.wireframe_count; k++) ok = wf_push(stack, &ev->u.full.wireframes[k]);
    if (ev->kind == EV_MUTATION) {
        for (size_t k = 0; ok && k < ev->u.mutation.add_count; k++) ok = wf_push(stack, &ev->u.mutation.adds[k].wireframe);
        for (size_t k = 0; ok && k < ev->u.mutation.update_count; k++)
            ok = wf_push(stack, &ev->u.mutation.updates[k].wireframe);
    }
    return ok ? mask_wireframes(session, stack, unmask_inputs) : -1;
}

static int mask_event(reelay_session *session, reelay_event *ev, wf_stack *stack, bool unmask_inputs)
{
    switch (ev->kind) {
    case EV_META: return mask_field(session, &ev->u.meta.href, unmask_inputs);
    case EV_NAVIGATION: return mask_field(session, &ev->u.navigation.url, unmask_inputs);
    case EV_CONSOLE: return mask_console_message(session, &ev->u.console.message, unmask_inputs);
    case EV_NETWORK:
        for (size_t r = 0; r < ev->u.network.count; r++)
            if (mask_field(session, &ev->u.network.requests[r].url, unmask_inputs) != 0) return -1;
        return 0;
    case EV_FULL_SNAPSHOT:
    case EV_MUTATION: return mask_event_wireframes(session, ev, stack, unmask_inputs);
    default: return 0;
    }
}

int reelay_session_mask_urls(reelay_session *session, bool unmask_inputs, reelay_err *err)
{
    wf_stack stack = {0};
    int rc = REELAY_OK;
    for (size_t i = 0; i < session->event_count && rc == REELAY_OK; i++)
        if (mask_event(session, &session->events[i], &stack, unmask_inputs) != 0)
            rc = reelay_err_set(err, REELAY_E_INTERNAL, "out of memory while masking URLs");
    free(stack.items);
    return rc;
}
