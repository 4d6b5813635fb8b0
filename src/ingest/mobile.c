#include "ingest/mobile.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "core/ascii.h"
#include "ingest/json_util.h"

/* ------------------------------------------------------------------------ */
/* Error paths                                                              */
/* ------------------------------------------------------------------------ */

/* The path of the value being parsed is kept in one buffer that grows and
 * shrinks with the recursion, so deep trees cost no per-level buffers. It is
 * sized so that even the deepest accepted tree never truncates it. */
enum {
    WHERE_PREFIX_MAX = 1024,
    PATH_SEGMENT_MAX = 48, /* ".childWireframes[18446744073709551615]" and friends */
    PATH_CAP = WHERE_PREFIX_MAX + (REELAY_MAX_TREE_DEPTH_CEILING + 8) * PATH_SEGMENT_MAX,
    /* Longer paths are shortened in messages: reelay_err holds 1024 bytes and
     * the reason after the path must survive. */
    SHOWN_MAX = 720,
    SHOWN_HEAD = 200,
};

typedef struct wf_ctx {
    reelay_arena *arena;
    reelay_ingest_stats *stats;
    reelay_ingest_options limits;
    const char *scope;  /* "snapshot" or "mutation", for the count limit's message */
    size_t wireframes;  /* wireframe objects met so far in this snapshot or mutation */
    reelay_err *err;
    size_t len;
    char path[PATH_CAP];
    char shown[SHOWN_MAX + 8];
} wf_ctx;

static void ctx_init(wf_ctx *c, reelay_arena *arena, reelay_ingest_stats *stats,
                     const reelay_ingest_options *limits, const char *scope, const char *where, reelay_err *err)
{
    c->arena = arena;
    c->stats = stats;
    c->limits = reelay_ingest_limits(limits);
    c->scope = scope;
    c->wireframes = 0;
    c->err = err;
    const char *w = where ? where : "";
    size_t n = strlen(w);
    if (n >= WHERE_PREFIX_MAX) n = WHERE_PREFIX_MAX - 1;
    memcpy(c->path, w, n);
    c->path[n] = '\0';
    c->len = n;
}

static size_t path_push_key(wf_ctx *c, const char *key)
{
    size_t old = c->len;
    reelay_json_path_key(c->path + old, sizeof c->path - old, "", key);
    c->len = old + strlen(c->path + old);
    return old;
}

static size_t path_push_index(wf_ctx *c, size_t index)
{
    size_t old = c->len;
    reelay_json_path_index(c->path + old, sizeof c->path - old, "", index);
    c->len = old + strlen(c->path + old);
    return old;
}

static void path_pop(wf_ctx *c, size_t old)
{
    c->len = old;
    c->path[old] = '\0';
}

/* The path as it should appear in a message: the start (which event) and the
 * end (which field) matter most, the middle of a deep tree least. */
static const char *ctx_where(wf_ctx *c)
{
    if (c->len <= SHOWN_MAX) return c->path;
    const size_t tail = SHOWN_MAX - SHOWN_HEAD - 3;
    memcpy(c->shown, c->path, SHOWN_HEAD);
    memcpy(c->shown + SHOWN_HEAD, "...", 3);
    memcpy(c->shown + SHOWN_HEAD + 3, c->path + c->len - tail, tail);
    c->shown[SHOWN_MAX] = '\0';
    return c->shown;
}

static int oom(wf_ctx *c)
{
    return reelay_err_set(c->err, REELAY_E_INTERNAL, "out of memory");
}

/* ------------------------------------------------------------------------ */
/* Small text helpers (locale-independent on purpose: CSS is not localised) */
/* ------------------------------------------------------------------------ */

static bool is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v';
}

static char to_lower(char ch)
{
    return (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
}

static bool is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

/* Narrows [*s, *s+*len) to exclude surrounding white space. */
static void trim(const char **s, size_t *len)
{
    while (*len > 0 && is_space(**s)) {
        (*s)++;
        (*len)--;
    }
    while (*len > 0 && is_space((*s)[*len - 1])) (*len)--;
}

static bool equals_nocase(const char *s, size_t len, const char *lower)
{
    size_t n = strlen(lower);
    if (n != len) return false;
    for (size_t i = 0; i < n; i++)
        if (to_lower(s[i]) != lower[i]) return false;
    return true;
}

/* A plain decimal number as CSS writes it: [+-]digits[.digits][e[+-]digits].
 * Hex, "inf" and "nan", which strtod would take, are not CSS numbers. */
static bool parse_css_number(const char *s, size_t len, double *out)
{
    size_t i = 0;
    bool negative = false;
    if (i < len && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
    double mantissa = 0;
    int scale = 0;
    size_t digits = 0;
    for (; i < len && is_digit(s[i]); i++, digits++) {
        if (mantissa < 1e17) mantissa = mantissa * 10 + (s[i] - '0');
        else scale++; /* further digits no longer change a double */
    }
    if (i < len && s[i] == '.') {
        for (i++; i < len && is_digit(s[i]); i++, digits++) {
            if (mantissa < 1e17) {
                mantissa = mantissa * 10 + (s[i] - '0');
                scale--;
            }
        }
    }
    if (digits == 0) return false;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        bool exp_negative = false;
        if (i < len && (s[i] == '+' || s[i] == '-')) exp_negative = s[i++] == '-';
        if (i >= len || !is_digit(s[i])) return false;
        int exponent = 0;
        for (; i < len && is_digit(s[i]); i++)
            if (exponent < 10000) exponent = exponent * 10 + (s[i] - '0');
        scale += exp_negative ? -exponent : exponent;
    }
    if (i != len) return false;
    /* Dividing by an exact power of ten keeps short decimals such as 0.1
     * correctly rounded, which multiplying by 1e-1 would not. */
    double value = scale >= 0 ? mantissa * pow(10, scale) : mantissa / pow(10, -scale);
    if (!isfinite(value) || fabs(value) > REELAY_JSON_NUMBER_LIMIT) return false;
    *out = negative ? -value : value;
    return true;
}

/* ------------------------------------------------------------------------ */
/* Colours                                                                  */
/* ------------------------------------------------------------------------ */

typedef struct named_color {
    const char *name;
    uint8_t r, g, b, a;
} named_color;

/* CSS basic colour keywords (CSS Color 3 §4.1) plus transparent. */
static const named_color NAMED_COLORS[] = {
    {"black", 0x00, 0x00, 0x00, 0xff},   {"silver", 0xc0, 0xc0, 0xc0, 0xff},
    {"gray", 0x80, 0x80, 0x80, 0xff},    {"white", 0xff, 0xff, 0xff, 0xff},
    {"maroon", 0x80, 0x00, 0x00, 0xff},  {"red", 0xff, 0x00, 0x00, 0xff},
    {"purple", 0x80, 0x00, 0x80, 0xff},  {"fuchsia", 0xff, 0x00, 0xff, 0xff},
    {"green", 0x00, 0x80, 0x00, 0xff},   {"lime", 0x00, 0xff, 0x00, 0xff},
    {"olive", 0x80, 0x80, 0x00, 0xff},   {"yellow", 0xff, 0xff, 0x00, 0xff},
    {"navy", 0x00, 0x00, 0x80, 0xff},    {"blue", 0x00, 0x00, 0xff, 0xff},
    {"teal", 0x00, 0x80, 0x80, 0xff},    {"aqua", 0x00, 0xff, 0xff, 0xff},
    {"transparent", 0x00, 0x00, 0x00, 0x00},
};

static bool parse_hex_color(const char *s, size_t len, reelay_color *c)
{
    if (len > 0 && s[0] == '#') {
        s++;
        len--;
    }
    if (len != 3 && len != 4 && len != 6 && len != 8) return false;
    int d[8];
    for (size_t i = 0; i < len; i++)
        if ((d[i] = reelay_hex_digit(s[i])) < 0) return false;
    uint8_t ch[4] = {0, 0, 0, 0xff};
    if (len <= 4) {
        for (size_t i = 0; i < len; i++) ch[i] = (uint8_t)(d[i] * 17);
    } else {
        for (size_t i = 0; i < len / 2; i++) ch[i] = (uint8_t)(d[2 * i] * 16 + d[2 * i + 1]);
    }
    c->r = ch[0];
    c->g = ch[1];
    c->b = ch[2];
    c->a = ch[3];
    return true;
}

static uint8_t clamp_channel(double v)
{
    if (v <= 0) return 0;
    if (v >= 255) return 255;
    return (uint8_t)lround(v);
}

/* One rgb() argument; `unit` is what 100% means (255 for channels, 1 for alpha). */
static bool parse_rgb_arg(const char *s, size_t len, double unit, double *out)
{
    trim(&s, &len);
    bool percent = len > 0 && s[len - 1] == '%';
    if (percent) len--;
    double v;
    if (!parse_css_number(s, len, &v)) return false;
    *out = percent ? v / 100.0 * unit : v;
    return true;
}

/* rgb(r,g,b) and rgba(r,g,b,a); CSS Color 4 makes the two names aliases,
 * so either accepts three or four arguments. */
static bool parse_rgb_color(const char *s, size_t len, reelay_color *c)
{
    size_t open;
    if (len >= 5 && equals_nocase(s, 5, "rgba(")) open = 5;
    else if (len >= 4 && equals_nocase(s, 4, "rgb(")) open = 4;
    else return false;
    if (s[len - 1] != ')') return false;
    const char *p = s + open;
    const char *end = s + len - 1;
    double v[4] = {0, 0, 0, 1};
    size_t n = 0;
    for (;;) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *arg_end = comma ? comma : end;
        if (n == 4 || !parse_rgb_arg(p, (size_t)(arg_end - p), n < 3 ? 255.0 : 1.0, &v[n])) return false;
        n++;
        if (!comma) break;
        p = comma + 1;
    }
    if (n < 3) return false;
    c->r = clamp_channel(v[0]);
    c->g = clamp_channel(v[1]);
    c->b = clamp_channel(v[2]);
    c->a = clamp_channel(v[3] * 255.0);
    return true;
}

static bool parse_named_color(const char *s, size_t len, reelay_color *c)
{
    for (size_t i = 0; i < sizeof NAMED_COLORS / sizeof NAMED_COLORS[0]; i++) {
        const named_color *nc = &NAMED_COLORS[i];
        if (equals_nocase(s, len, nc->name)) {
            c->r = nc->r;
            c->g = nc->g;
            c->b = nc->b;
            c->a = nc->a;
            return true;
        }
    }
    return false;
}

reelay_color reelay_parse_color(reelay_arena *arena, const char *text)
{
    reelay_color c = {0};
    if (!text || !*text) return c;
    c.set = true;
    c.raw = arena ? reelay_arena_strdup(arena, text) : NULL;
    const char *s = text;
    size_t len = strlen(text);
    trim(&s, &len);
    /* Names first: none of them is made of hex digits only, so order only
     * matters for speed, and names are the rarer case from SDKs anyway. */
    c.valid = parse_named_color(s, len, &c) || parse_hex_color(s, len, &c) || parse_rgb_color(s, len, &c);
    if (!c.valid) c.r = c.g = c.b = c.a = 0;
    return c;
}

/* ------------------------------------------------------------------------ */
/* Field readers                                                            */
/* ------------------------------------------------------------------------ */

/* Copies object[key] into the arena when it is a string. Unlike
 * reelay_json_get_string this tells "not a string" (NULL, OK) apart from
 * out of memory (error). */
static int copy_string(wf_ctx *c, const json_t *object, const char *key, const char **out)
{
    const json_t *value = json_object_get(object, key);
    if (!json_is_string(value)) return REELAY_OK;
    *out = reelay_json_string_copy(c->arena, value);
    return *out ? REELAY_OK : oom(c);
}

static int read_number(wf_ctx *c, const json_t *object, const char *key, double *out, bool *present)
{
    return reelay_json_get_number(object, key, out, present, ctx_where(c), c->err);
}

/* Only a JSON number is a number here; callers that accept other types
 * (strings for sizes, anything for ignored style fields) check first. */
static int read_number_if_number(wf_ctx *c, const json_t *object, const char *key, double *out,
                                 bool *present)
{
    *present = false;
    if (!json_is_number(json_object_get(object, key))) return REELAY_OK;
    return read_number(c, object, key, out, present);
}

/* A number, or a string JavaScript's Number() reads as a decimal number
 * ("6.5", " 12 "): the player does arithmetic on such fields, which coerces
 * them. Anything else leaves the field absent. */
static int read_number_or_numeric_string(wf_ctx *c, const json_t *object, const char *key, double *out,
                                         bool *present)
{
    const json_t *value = json_object_get(object, key);
    if (!json_is_string(value)) return read_number_if_number(c, object, key, out, present);
    *present = false;
    const char *text = json_string_value(value);
    size_t len = strlen(text);
    trim(&text, &len);
    double v;
    if (len > 0 && parse_css_number(text, len, &v) && isfinite(v)) {
        *out = v;
        *present = true;
    }
    return REELAY_OK;
}

/* x/y: a number, or a numeric string ("7"), which works just as well in the
 * player's left:{x}px. Other strings are refused like any other non-number. */
static int read_coordinate(wf_ctx *c, const json_t *object, const char *key, double *out)
{
    bool present = false;
    if (!json_is_string(json_object_get(object, key))) return read_number(c, object, key, out, NULL);
    int rc = read_number_or_numeric_string(c, object, key, out, &present);
    if (!rc && !present) rc = reelay_err_set(c->err, REELAY_E_INPUT, "%s.%s: expected a number", ctx_where(c), key);
    return rc;
}

/* width/height: a number, "100vw" (width only), or any other string, which
 * the player leaves to CSS auto sizing (spec §4.3). */
static int read_size(wf_ctx *c, const json_t *object, const char *key, bool allow_vw, double *out,
                     bool *has, bool *is_viewport)
{
    const json_t *value = json_object_get(object, key);
    if (json_is_string(value)) {
        if (allow_vw && strcmp(json_string_value(value), "100vw") == 0) {
            *has = true;
            *is_viewport = true;
        }
        return REELAY_OK;
    }
    return read_number(c, object, key, out, has);
}

/* A CSS length: a number, or "N" / "Npx" (one trailing px stripped as the
 * player does). Unparsable or negative values are ones a browser drops, so
 * they stay unset; an empty string is ignored by the player (spec §3.4). */
static int read_length(wf_ctx *c, const json_t *style, const char *key, reelay_length *out)
{
    const json_t *value = json_object_get(style, key);
    double v = 0;
    if (json_is_number(value)) {
        int rc = read_number(c, style, key, &v, NULL);
        if (rc) return rc;
    } else if (json_is_string(value)) {
        const char *s = json_string_value(value);
        size_t len = strlen(s);
        trim(&s, &len);
        if (len >= 2 && memcmp(s + len - 2, "px", 2) == 0) len -= 2;
        if (!parse_css_number(s, len, &v)) return REELAY_OK;
    } else {
        return REELAY_OK;
    }
    if (v < 0) return REELAY_OK;
    out->set = true;
    out->value = v;
    return REELAY_OK;
}

static int read_color(wf_ctx *c, const json_t *style, const char *key, reelay_color *out)
{
    const json_t *value = json_object_get(style, key);
    if (!json_is_string(value)) return REELAY_OK;
    *out = reelay_parse_color(c->arena, json_string_value(value));
    return (out->set && !out->raw) ? oom(c) : REELAY_OK;
}

/* Maps a string field through a NULL-terminated keyword list to 1..n
 * (0 when absent, not a string, or not listed). */
static int read_keyword(const json_t *object, const char *key, const char *const *words)
{
    const json_t *value = json_object_get(object, key);
    if (!json_is_string(value)) return 0;
    const char *s = json_string_value(value);
    for (int i = 0; words[i]; i++)
        if (strcmp(s, words[i]) == 0) return i + 1;
    return 0;
}

static int parse_style(wf_ctx *c, const json_t *wf, reelay_wf_style *st)
{
    const json_t *style = json_object_get(wf, "style");
    if (!json_is_object(style)) return REELAY_OK;
    size_t mark = path_push_key(c, "style");
    static const char *const sizes[] = {"contain", "cover", "auto", NULL};
    static const char *const vertical[] = {"top", "center", "bottom", NULL};
    static const char *const horizontal[] = {"left", "center", "right", NULL};
    static const char *const bars[] = {"horizontal", "circular", "rating", NULL};
    /* The keyword lists are in enum order, so position + 1 is the enum value. */
    st->background_size = (reelay_bg_size)read_keyword(style, "backgroundSize", sizes);
    st->vertical_align = (reelay_align)read_keyword(style, "verticalAlign", vertical);
    st->horizontal_align = (reelay_align)read_keyword(style, "horizontalAlign", horizontal);
    st->bar = (reelay_progress_bar)read_keyword(style, "bar", bars);
    int rc = read_color(c, style, "color", &st->color);
    if (!rc) rc = read_color(c, style, "backgroundColor", &st->background_color);
    if (!rc) rc = read_color(c, style, "borderColor", &st->border_color);
    if (!rc) rc = copy_string(c, style, "backgroundImage", &st->background_image);
    if (!rc) rc = copy_string(c, style, "fontFamily", &st->font_family);
    if (!rc) rc = read_length(c, style, "borderWidth", &st->border_width);
    if (!rc) rc = read_length(c, style, "borderRadius", &st->border_radius);
    if (!rc) rc = read_length(c, style, "fontSize", &st->font_size);
    if (!rc) rc = read_length(c, style, "paddingTop", &st->padding_top);
    if (!rc) rc = read_length(c, style, "paddingBottom", &st->padding_bottom);
    if (!rc) rc = read_length(c, style, "paddingLeft", &st->padding_left);
    if (!rc) rc = read_length(c, style, "paddingRight", &st->padding_right);
    path_pop(c, mark);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Types                                                                    */
/* ------------------------------------------------------------------------ */

typedef struct wf_type_name {
    const char *name;
    int value;
} wf_type_name;

static const wf_type_name WF_TYPES[] = {
    {"text", WF_TEXT},
    {"image", WF_IMAGE},
    {"screenshot", WF_SCREENSHOT},
    {"rectangle", WF_RECTANGLE},
    {"div", WF_DIV},
    {"placeholder", WF_PLACEHOLDER},
    {"web_view", WF_WEB_VIEW},
    {"input", WF_INPUT},
    {"radio_group", WF_RADIO_GROUP},
    {"status_bar", WF_STATUS_BAR},
    {"navigation_bar", WF_NAVIGATION_BAR},
};

static const wf_type_name INPUT_TYPES[] = {
    {"text", WF_INPUT_TEXT},         {"password", WF_INPUT_PASSWORD},
    {"email", WF_INPUT_EMAIL},       {"number", WF_INPUT_NUMBER},
    {"search", WF_INPUT_SEARCH},     {"tel", WF_INPUT_TEL},
    {"url", WF_INPUT_URL},           {"text_area", WF_INPUT_TEXT_AREA},
    {"select", WF_INPUT_SELECT},     {"button", WF_INPUT_BUTTON},
    {"checkbox", WF_INPUT_CHECKBOX}, {"radio", WF_INPUT_RADIO},
    {"toggle", WF_INPUT_TOGGLE},     {"progress", WF_INPUT_PROGRESS},
};

/* Returns the table entry for s, so callers can keep its static name
 * (identical to what was sent) instead of copying it. */
static const wf_type_name *lookup(const wf_type_name *table, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(table[i].name, s) == 0) return &table[i];
    return NULL;
}

/* Decides type and inputType. Returns false when PostHog's player would drop
 * the wireframe with its subtree (unknown type, input without inputType). */
static bool classify(wf_ctx *c, const json_t *json, reelay_wireframe *wf, bool *oom_hit)
{
    const json_t *type = json_object_get(json, "type");
    if (!type || json_is_null(type)) {
        wf->type = WF_DIV;
        wf->type_name = "div";
        return true;
    }
    if (!json_is_string(type)) return false;
    const wf_type_name *t = lookup(WF_TYPES, sizeof WF_TYPES / sizeof WF_TYPES[0], json_string_value(type));
    if (!t) return false;
    wf->type = (reelay_wf_type)t->value;
    wf->type_name = t->name;
    if (wf->type != WF_INPUT) return true;

    const json_t *input = json_object_get(json, "inputType");
    /* The player tests `!inputType`, so an empty string drops it too. */
    if (!json_is_string(input) || json_string_value(input)[0] == '\0') return false;
    const wf_type_name *it =
        lookup(INPUT_TYPES, sizeof INPUT_TYPES / sizeof INPUT_TYPES[0], json_string_value(input));
    if (it) {
        wf->input_type = (reelay_input_type)it->value;
        wf->input_type_name = it->name;
    } else {
        wf->input_type = WF_INPUT_OTHER;
        wf->input_type_name = reelay_json_string_copy(c->arena, input);
        if (!wf->input_type_name) *oom_hit = true;
    }
    return true;
}

/* ------------------------------------------------------------------------ */
/* Wireframes                                                               */
/* ------------------------------------------------------------------------ */

static int parse_array(wf_ctx *c, const json_t *array, int depth, reelay_wireframe **out, size_t *count);

static int parse_options(wf_ctx *c, const json_t *json, reelay_wireframe *wf)
{
    const json_t *options = json_object_get(json, "options");
    size_t n = json_array_size(options); /* 0 when not an array */
    if (n == 0) return REELAY_OK;
    const char **list = reelay_arena_array(c->arena, n, sizeof *list);
    if (!list) return oom(c);
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        const json_t *item = json_array_get(options, i);
        if (!json_is_string(item)) continue;
        if (!(list[kept] = reelay_json_string_copy(c->arena, item))) return oom(c);
        kept++;
    }
    wf->options = kept ? list : NULL;
    wf->option_count = kept;
    return REELAY_OK;
}

static int parse_input_fields(wf_ctx *c, const json_t *json, reelay_wireframe *wf)
{
    if (wf->input_type == WF_INPUT_PROGRESS) {
        /* Progress values are numbers; numeric strings count as the player's
         * arithmetic and <progress> attributes read them ("6.5" of "12" is
         * 12 stars); other strings are ignored rather than an error. */
        int rc = read_number_or_numeric_string(c, json, "value", &wf->progress_value, &wf->has_progress_value);
        if (!rc) rc = read_number_or_numeric_string(c, json, "max", &wf->progress_max, &wf->has_progress_max);
        return rc;
    }
    int rc = copy_string(c, json, "value", &wf->value);
    if (!rc) rc = parse_options(c, json, wf);
    return rc;
}

static int parse_content(wf_ctx *c, const json_t *json, reelay_wireframe *wf)
{
    int rc = copy_string(c, json, "text", &wf->text);
    if (!rc) rc = copy_string(c, json, "base64", &wf->base64);
    if (!rc) rc = copy_string(c, json, "url", &wf->url);
    if (rc) return rc;
    /* The player wraps controls in a <label> whenever the key exists, even
     * with a non-string value; keep that presence as "". */
    const json_t *label = json_object_get(json, "label");
    if (label) {
        wf->label = json_is_string(label) ? reelay_json_string_copy(c->arena, label) : reelay_arena_strdup(c->arena, "");
        if (!wf->label) return oom(c);
    }
    wf->checked = json_is_true(json_object_get(json, "checked"));
    wf->disabled = json_is_true(json_object_get(json, "disabled"));
    return wf->type == WF_INPUT ? parse_input_fields(c, json, wf) : REELAY_OK;
}

static int parse_geometry(wf_ctx *c, const json_t *json, reelay_wireframe *wf)
{
    bool present = false;
    int rc = reelay_json_get_id(json, "id", &wf->id, &present, ctx_where(c), c->err);
    if (rc) return rc;
    if (!present) return reelay_err_set(c->err, REELAY_E_INPUT, "%s.id: expected an integer id", ctx_where(c));
    bool unused_vw = false;
    rc = read_coordinate(c, json, "x", &wf->x);
    if (!rc) rc = read_coordinate(c, json, "y", &wf->y);
    if (!rc) rc = read_size(c, json, "width", true, &wf->width, &wf->has_width, &wf->width_is_viewport);
    if (!rc) rc = read_size(c, json, "height", false, &wf->height, &wf->has_height, &unused_vw);
    return rc;
}

static int parse_children(wf_ctx *c, const json_t *json, int depth, reelay_wireframe *wf)
{
    const json_t *children = json_object_get(json, "childWireframes");
    if (!json_is_array(children) || json_array_size(children) == 0) return REELAY_OK;
    size_t mark = path_push_key(c, "childWireframes");
    int rc = parse_array(c, children, depth + 1, &wf->children, &wf->child_count);
    path_pop(c, mark);
    return rc;
}

/* Parses one wireframe at nesting level `depth` (1 = top level) into *out.
 * *kept is false when the player would drop it (then *out is meaningless). */
static int parse_wireframe(wf_ctx *c, const json_t *json, int depth, reelay_wireframe *out, bool *kept)
{
    *kept = false;
    if (!json_is_object(json))
        return reelay_err_set(c->err, REELAY_E_INPUT, "%s: expected a wireframe object", ctx_where(c));
    if (depth > c->limits.max_tree_depth)
        return reelay_err_set(c->err, REELAY_E_INPUT,
                              "%s: wireframes nested deeper than %d levels (raise --max-tree-depth)", ctx_where(c),
                              c->limits.max_tree_depth);
    if (++c->wireframes > c->limits.max_wireframes)
        return reelay_err_set(c->err, REELAY_E_INPUT, "%s: more than %zu wireframes in one %s (raise --max-wireframes)",
                              ctx_where(c), c->limits.max_wireframes, c->scope);
    *out = (reelay_wireframe){0};
    bool oom_hit = false;
    if (!classify(c, json, out, &oom_hit)) {
        if (c->stats) c->stats->skipped_wireframes++;
        return REELAY_OK;
    }
    if (oom_hit) return oom(c);
    int rc = parse_geometry(c, json, out);
    if (!rc) rc = parse_content(c, json, out);
    if (!rc) rc = parse_style(c, json, &out->style);
    if (!rc) rc = parse_children(c, json, depth, out);
    if (!rc) *kept = true;
    return rc;
}

static int parse_array(wf_ctx *c, const json_t *array, int depth, reelay_wireframe **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    size_t n = json_array_size(array);
    if (n == 0) return REELAY_OK;
    reelay_wireframe *list = reelay_arena_array(c->arena, n, sizeof *list);
    if (!list) return oom(c);
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        size_t mark = path_push_index(c, i);
        bool ok = false;
        int rc = parse_wireframe(c, json_array_get(array, i), depth, &list[kept], &ok);
        path_pop(c, mark);
        if (rc) return rc;
        if (ok) kept++;
    }
    if (kept) {
        *out = list;
        *count = kept;
    }
    return REELAY_OK;
}

int reelay_parse_wireframes(const json_t *array, reelay_arena *arena, reelay_wireframe **out,
                            size_t *count, reelay_ingest_stats *stats, const reelay_ingest_options *limits,
                            const char *where, reelay_err *err)
{
    *out = NULL;
    *count = 0;
    wf_ctx c;
    ctx_init(&c, arena, stats, limits, "snapshot", where, err);
    if (!json_is_array(array))
        return reelay_err_set(err, REELAY_E_INPUT, "%s: expected an array of wireframes", ctx_where(&c));
    return parse_array(&c, array, 1, out, count);
}

/* ------------------------------------------------------------------------ */
/* Mutations                                                                */
/* ------------------------------------------------------------------------ */

static bool first_has_wireframe(const json_t *data, const char *key)
{
    const json_t *first = json_array_get(json_object_get(data, key), 0);
    return json_is_object(first) && json_object_get(first, "wireframe") != NULL;
}

bool reelay_is_mobile_mutation(const json_t *data)
{
    return json_is_object(data) && (first_has_wireframe(data, "adds") || first_has_wireframe(data, "updates"));
}

static int parse_mutation_entry(wf_ctx *c, const json_t *entry, reelay_wf_mutation_node *node, bool *kept)
{
    *kept = false;
    if (!json_is_object(entry))
        return reelay_err_set(c->err, REELAY_E_INPUT, "%s: expected an object", ctx_where(c));
    const json_t *wireframe = json_object_get(entry, "wireframe");
    if (!wireframe || json_is_null(wireframe)) return REELAY_OK;
    int rc = reelay_json_get_id(entry, "parentId", &node->parent_id, &node->has_parent_id, ctx_where(c), c->err);
    if (rc) return rc;
    size_t mark = path_push_key(c, "wireframe");
    rc = parse_wireframe(c, wireframe, 1, &node->wireframe, kept);
    path_pop(c, mark);
    return rc;
}

/* adds or updates: entries whose wireframe is absent or dropped are left out. */
static int parse_mutation_nodes(wf_ctx *c, const json_t *data, const char *key, reelay_wf_mutation_node **out,
                                size_t *count)
{
    *out = NULL;
    *count = 0;
    const json_t *array = json_object_get(data, key);
    size_t n = json_array_size(array);
    if (n == 0) return REELAY_OK;
    reelay_wf_mutation_node *list = reelay_arena_array(c->arena, n, sizeof *list);
    if (!list) return oom(c);
    size_t mark = path_push_key(c, key);
    size_t kept = 0;
    int rc = REELAY_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        size_t item_mark = path_push_index(c, i);
        list[kept] = (reelay_wf_mutation_node){0};
        bool ok = false;
        rc = parse_mutation_entry(c, json_array_get(array, i), &list[kept], &ok);
        path_pop(c, item_mark);
        if (ok) kept++;
    }
    path_pop(c, mark);
    if (rc) return rc;
    if (kept) {
        *out = list;
        *count = kept;
    }
    return REELAY_OK;
}

static int parse_remove(wf_ctx *c, const json_t *entry, reelay_wf_remove *out)
{
    if (!json_is_object(entry))
        return reelay_err_set(c->err, REELAY_E_INPUT, "%s: expected an object", ctx_where(c));
    bool present = false;
    int rc = reelay_json_get_id(entry, "id", &out->id, &present, ctx_where(c), c->err);
    if (rc) return rc;
    if (!present) return reelay_err_set(c->err, REELAY_E_INPUT, "%s.id: expected an integer id", ctx_where(c));
    return reelay_json_get_id(entry, "parentId", &out->parent_id, NULL, ctx_where(c), c->err);
}

static int parse_removes(wf_ctx *c, const json_t *data, reelay_wf_remove **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    const json_t *array = json_object_get(data, "removes");
    size_t n = json_array_size(array);
    if (n == 0) return REELAY_OK;
    reelay_wf_remove *list = reelay_arena_array(c->arena, n, sizeof *list);
    if (!list) return oom(c);
    size_t mark = path_push_key(c, "removes");
    int rc = REELAY_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        size_t item_mark = path_push_index(c, i);
        rc = parse_remove(c, json_array_get(array, i), &list[i]);
        path_pop(c, item_mark);
    }
    path_pop(c, mark);
    if (rc) return rc;
    *out = list;
    *count = n;
    return REELAY_OK;
}

int reelay_parse_mobile_mutation(const json_t *data, reelay_arena *arena, reelay_event *ev,
                                 reelay_ingest_stats *stats, const reelay_ingest_options *limits,
                                 const char *where, reelay_err *err)
{
    wf_ctx c;
    ctx_init(&c, arena, stats, limits, "mutation", where, err);
    if (!json_is_object(data))
        return reelay_err_set(err, REELAY_E_INPUT, "%s: expected an object", ctx_where(&c));
    int rc = parse_mutation_nodes(&c, data, "adds", &ev->u.mutation.adds, &ev->u.mutation.add_count);
    if (!rc)
        rc = parse_mutation_nodes(&c, data, "updates", &ev->u.mutation.updates, &ev->u.mutation.update_count);
    if (!rc) rc = parse_removes(&c, data, &ev->u.mutation.removes, &ev->u.mutation.remove_count);
    return rc;
}
