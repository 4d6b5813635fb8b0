#include "renderers/overlay/inspector.h"

#include <glib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/utf8.h"
#include "renderers/overlay/hud.h"
#include "renderers/paint/draw.h"
#include "session/timeline.h"

/* The HUD's theme (hud.c), so the panel and the strip read as one surface. */
#define PANEL_BACKGROUND 0x111827
#define PANEL_RULE 0x374151
#define PANEL_HIGHLIGHT 0x6366F1
#define PANEL_TITLE 0xF9FAFB
#define PANEL_TEXT 0xE5E7EB
#define PANEL_DIM_TEXT 0x9CA3AF

typedef struct kind_look {
    const char *label;
    uint32_t badge; /* also the HUD marker colour, where the HUD has the kind */
    uint32_t text;  /* the entry's text */
} kind_look;

/* Indexed by reelay_log_kind. The badge colours appear nowhere else in the
 * panel (the tests find rows by them). */
static const kind_look LOOKS[] = {
    {"SCREEN", 0x38BDF8, PANEL_TITLE},
    {"TAP", 0xD1D5DB, PANEL_TEXT},
    {"KEY", 0xA78BFA, PANEL_TEXT},
    {"NET", 0xF97316, 0xFDBA74},
    {"ERROR", 0xEF4444, 0xFCA5A5},
    {"INFO", 0x94A3B8, PANEL_TEXT},
};
#define KIND_COUNT (sizeof LOOKS / sizeof LOOKS[0])

static const kind_look *look_of(reelay_log_kind kind)
{
    unsigned k = (unsigned)kind;
    return &LOOKS[k < KIND_COUNT ? k : REELAY_LOG_INFO];
}

/* Past this, sizes only cost time (and keep int arithmetic far from overflow). */
#define PANEL_MAX_SIZE 32768.0
#define PANEL_MAX_WIDTH 4096
#define PANEL_MIN_WIDTH 320

/* An entry's text is cut to this many bytes before layout: an error with a
 * stack trace can be kilobytes, and one ellipsized line shows far less. */
#define TEXT_MAX_BYTES 400

void reelay_log_tally(reelay_log_entry *entries, size_t count)
{
    if (!entries) return;
    uint32_t errors = 0, failures = 0;
    for (size_t i = 0; i < count; i++) {
        if (entries[i].kind == REELAY_LOG_ERROR && errors < UINT32_MAX) errors++;
        if (entries[i].kind == REELAY_LOG_NETWORK_FAIL && failures < UINT32_MAX) failures++;
        entries[i].errors_so_far = errors;
        entries[i].failures_so_far = failures;
    }
}

size_t reelay_log_visible(const reelay_log_entry *entries, size_t count, double now_ms)
{
    if (!entries || isnan(now_ms)) return 0;
    /* The first entry after now_ms. */
    size_t lo = 0, hi = count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (entries[mid].out_ms <= now_ms)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int reelay_inspector_width(int screen_width, int screen_height)
{
    (void)screen_width; /* the panel pairs with the screen's height: it is as tall */
    if (screen_height <= 0) return PANEL_MIN_WIDTH;
    double w = fmin(screen_height * 0.75, PANEL_MAX_WIDTH);
    int even = 2 * (int)lround(w / 2);
    return even < PANEL_MIN_WIDTH ? PANEL_MIN_WIDTH : even;
}

/* The highlight of entry i at now_ms: 1 as it appears, falling to 0 at
 * REELAY_INSPECTOR_HIGHLIGHT_MS; 0 when it is not among the shown. Every
 * recent row fades on its own, so a burst of taps does not flicker. */
static double highlight_at(const reelay_log_entry *entries, size_t shown, size_t i, double now_ms)
{
    if (i >= shown) return 0;
    double age = now_ms - entries[i].out_ms;
    if (!(age >= 0 && age < REELAY_INSPECTOR_HIGHLIGHT_MS)) return 0;
    double f = 1 - age / REELAY_INSPECTOR_HIGHLIGHT_MS;
    return f * f; /* quick at first, then a long tail */
}

bool reelay_inspector_changes(const reelay_log_entry *entries, size_t count, double a_ms, double b_ms)
{
    if (isnan(a_ms) || isnan(b_ms)) return true;
    if (a_ms == b_ms || !entries || count == 0) return false;
    double lo = fmin(a_ms, b_ms), hi = fmax(a_ms, b_ms);
    size_t at_lo = reelay_log_visible(entries, count, lo), at_hi = reelay_log_visible(entries, count, hi);
    if (at_hi > at_lo) return true;
    /* Sorted: when the newest entry shown is not fading, no older one is. */
    return (at_lo > 0 && highlight_at(entries, at_lo, at_lo - 1, lo) > 0) ||
           (at_hi > 0 && highlight_at(entries, at_hi, at_hi - 1, hi) > 0);
}

/* ------------------------------------------------------------------------ */
/* Painting                                                                 */

/* Geometry in pixels from the panel's top-left corner, whole numbers so rows
 * and badges have crisp edges. */
typedef struct panel_layout {
    double font_size, pad, gap;
    double header_h, rule_h;
    double list_top, row_h, rows;   /* rows: how many fit */
    double badge_h, badge_w, clock_w;
} panel_layout;

static reelay_text_style badge_style(const panel_layout *l)
{
    reelay_text_style s = reelay_label_style(l->font_size * 0.66, PANEL_BACKGROUND, true);
    s.halign = TEXT_ALIGN_CENTER;
    return s;
}

static panel_layout layout_for(cairo_t *cr, reelay_fonts *fonts, double w, double h, const char *newest_clock)
{
    double s = fmax(11, fmin(h / 48, w / 22));
    panel_layout l = {
        .font_size = s,
        .pad = round(s * 0.9),
        .gap = round(s * 0.6),
        .header_h = round(s * 2.6),
        .rule_h = fmax(1, round(s / 16)),
        .row_h = round(s * 1.8),
        .badge_h = round(s * 1.2),
    };
    l.list_top = l.header_h + l.rule_h + round(s * 0.4);
    double room = h - l.list_top - round(s * 0.4);
    l.rows = room > 0 ? floor(room / l.row_h) : 0;
    reelay_text_style clock = reelay_label_style(s * 0.85, PANEL_DIM_TEXT, false);
    /* The clock's column fits the newest clock shown with every digit a 0, so
     * it only widens when the session passes an hour, not from row to row. */
    l.clock_w = ceil(reelay_text_digit_shape_width(cr, fonts, newest_clock, &clock)) + 2;
    reelay_text_style badge = badge_style(&l);
    double widest = 0;
    for (size_t k = 0; k < KIND_COUNT; k++) widest = fmax(widest, reelay_text_width(cr, fonts, LOOKS[k].label, &badge));
    l.badge_w = ceil(widest) + 2 * round(s * 0.4);
    return l;
}

/* A pill with centred text; returns its width. */
static double paint_pill(cairo_t *cr, reelay_fonts *fonts, double x, double y, double h, const char *text,
                         uint32_t fill, uint32_t ink, double size)
{
    reelay_text_style style = reelay_label_style(size, ink, true);
    style.halign = TEXT_ALIGN_CENTER;
    double w = ceil(reelay_text_width(cr, fonts, text, &style)) + 2 * round(size * 0.6);
    cairo_new_path(cr);
    reelay_path_rounded_rect(cr, x, y, w, h, h / 2);
    reelay_set_source(cr, reelay_rgb_hex(fill));
    cairo_fill(cr);
    reelay_text_draw(cr, fonts, text, x, y, w, h, &style);
    return w;
}

static double pill_width(cairo_t *cr, reelay_fonts *fonts, const char *text, double size)
{
    reelay_text_style style = reelay_label_style(size, PANEL_TITLE, true);
    return ceil(reelay_text_width(cr, fonts, text, &style)) + 2 * round(size * 0.6);
}

static void format_count(uint32_t n, const char *one, const char *many, char *buf, size_t size)
{
    snprintf(buf, size, "%lu %s", (unsigned long)n, n == 1 ? one : many);
}

/* "Events 42" at the left; pills counting errors and failed requests at the
 * right (grey at 0), with shorter labels, and then without the total, when
 * the panel is narrow. */
static void paint_header(cairo_t *cr, reelay_fonts *fonts, double x, double y, double w, const panel_layout *l,
                         uint32_t errors, uint32_t failures, size_t shown)
{
    double s = l->font_size, row_h = l->header_h;
    double left = x + l->pad, right = x + w - l->pad;
    if (right <= left) return;
    reelay_text_style title = reelay_label_style(s * 1.05, PANEL_TITLE, true);
    reelay_text_style total = reelay_label_style(s * 0.85, PANEL_DIM_TEXT, false);
    char total_text[32];
    snprintf(total_text, sizeof total_text, "%zu", shown);
    double title_w = ceil(reelay_text_width(cr, fonts, "Events", &title)) + 2;
    double total_w = ceil(reelay_text_width(cr, fonts, total_text, &total)) + 2;

    double pill_size = s * 0.72, pill_h = round(s * 1.35), pill_y = y + round((row_h - pill_h) / 2);
    char err_text[48], fail_text[48];
    format_count(errors, "error", "errors", err_text, sizeof err_text);
    format_count(failures, "failed request", "failed requests", fail_text, sizeof fail_text);
    double pills_w = pill_width(cr, fonts, err_text, pill_size) + l->gap + pill_width(cr, fonts, fail_text, pill_size);
    double room = right - left - title_w - l->gap;
    if (pills_w > room - total_w - l->gap) {
        format_count(failures, "failed", "failed", fail_text, sizeof fail_text);
        pills_w = pill_width(cr, fonts, err_text, pill_size) + l->gap + pill_width(cr, fonts, fail_text, pill_size);
    }
    bool with_total = pills_w <= room - total_w - l->gap;

    reelay_text_draw(cr, fonts, "Events", left, y, fmin(title_w, right - left), row_h, &title);
    if (with_total) reelay_text_draw(cr, fonts, total_text, left + title_w + l->gap / 2, y, total_w, row_h, &total);
    if (pills_w > room) return; /* a panel this narrow keeps the title only */
    double px = right - pills_w;
    px += paint_pill(cr, fonts, px, pill_y, pill_h, err_text, errors ? LOOKS[REELAY_LOG_ERROR].badge : PANEL_RULE,
                     errors ? PANEL_BACKGROUND : PANEL_DIM_TEXT, pill_size) +
          l->gap;
    paint_pill(cr, fonts, px, pill_y, pill_h, fail_text, failures ? LOOKS[REELAY_LOG_NETWORK_FAIL].badge : PANEL_RULE,
               failures ? PANEL_BACKGROUND : PANEL_DIM_TEXT, pill_size);
}

/* The entry's text as one line: white space runs become one space, the
 * length is capped, and invalid UTF-8 bytes become '?' (Pango warns about
 * and mangles them). */
static void one_line(const char *text, char *out, size_t size)
{
    size_t n = 0;
    if (text) {
        size_t len = reelay_utf8_cut(text, strlen(text), size - 1);
        bool after_space = true; /* drops leading white space */
        for (size_t i = 0; i < len; i++) {
            unsigned char c = (unsigned char)text[i];
            bool space = c < 0x20 || c == ' ' || c == 0x7F;
            if (space && !after_space) out[n++] = ' ';
            if (!space) out[n++] = (char)c;
            after_space = space;
        }
        if (n > 0 && out[n - 1] == ' ') n--;
    }
    out[n] = '\0';
    const char *p = out, *bad = NULL;
    while (!g_utf8_validate(p, (gssize)(out + n - p), &bad)) {
        out[bad - out] = '?';
        p = bad + 1;
    }
}

static void paint_row(cairo_t *cr, reelay_fonts *fonts, double x, double y, double w, const panel_layout *l,
                      const reelay_log_entry *e, double highlight)
{
    if (highlight > 0) {
        reelay_rgba tint = reelay_rgb_hex(PANEL_HIGHLIGHT);
        tint.a = 0.35 * highlight;
        reelay_fill_rect(cr, x, y, w, l->row_h, tint);
        tint.a = highlight;
        reelay_fill_rect(cr, x, y, fmax(2, round(l->font_size * 0.2)), l->row_h, tint);
    }
    const kind_look *look = look_of(e->kind);
    double left = x + l->pad, right = x + w - l->pad;

    char clock[32];
    reelay_format_clock(e->session_ms, false, clock, sizeof clock);
    reelay_text_style clock_style = reelay_label_style(l->font_size * 0.85, PANEL_DIM_TEXT, false);
    reelay_text_draw(cr, fonts, clock, left, y, fmax(0, fmin(l->clock_w, right - left)), l->row_h, &clock_style);
    left += l->clock_w + l->gap;
    if (left >= right) return;

    double badge_y = y + round((l->row_h - l->badge_h) / 2);
    double badge_w = fmin(l->badge_w, right - left);
    cairo_new_path(cr);
    reelay_path_rounded_rect(cr, left, badge_y, badge_w, l->badge_h, round(l->badge_h * 0.25));
    reelay_set_source(cr, reelay_rgb_hex(look->badge));
    cairo_fill(cr);
    reelay_text_style badge = badge_style(l);
    reelay_text_draw(cr, fonts, look->label, left, badge_y, badge_w, l->badge_h, &badge);
    left += l->badge_w + l->gap;
    if (left >= right) return;

    char line[TEXT_MAX_BYTES + 1];
    one_line(e->text, line, sizeof line);
    reelay_text_style style = reelay_label_style(l->font_size, look->text, false);
    style.ellipsize = true;
    reelay_text_draw(cr, fonts, line, left, y, right - left, l->row_h, &style);
}

void reelay_paint_inspector(cairo_t *cr, reelay_fonts *fonts, double x, double y, double w, double h,
                            const reelay_log_entry *entries, size_t count, double now_ms)
{
    if (!cr || !fonts || !(w > 0) || !(h > 0)) return;
    if (w > PANEL_MAX_SIZE) w = PANEL_MAX_SIZE;
    if (h > PANEL_MAX_SIZE) h = PANEL_MAX_SIZE;
    size_t shown = reelay_log_visible(entries, entries ? count : 0, now_ms);
    const reelay_log_entry *newest = shown > 0 ? &entries[shown - 1] : NULL;
    char newest_clock[32];
    reelay_format_clock(newest ? newest->session_ms : 0, false, newest_clock, sizeof newest_clock);

    cairo_save(cr);
    cairo_new_path(cr);
    cairo_rectangle(cr, x, y, w, h);
    cairo_clip(cr);
    reelay_fill_rect(cr, x, y, w, h, reelay_rgb_hex(PANEL_BACKGROUND));
    panel_layout l = layout_for(cr, fonts, w, h, newest_clock);
    /* The rule under the header, and one down the left edge against the screen. */
    reelay_fill_rect(cr, x, y + l.header_h, w, l.rule_h, reelay_rgb_hex(PANEL_RULE));
    reelay_fill_rect(cr, x, y, l.rule_h, h, reelay_rgb_hex(PANEL_RULE));
    paint_header(cr, fonts, x, y, w, &l, newest ? newest->errors_so_far : 0, newest ? newest->failures_so_far : 0,
                 shown);

    size_t rows = l.rows < (double)shown ? (size_t)l.rows : shown;
    size_t first = shown - rows;
    for (size_t i = first; i < shown; i++)
        paint_row(cr, fonts, x, y + l.list_top + (double)(i - first) * l.row_h, w, &l, &entries[i],
                  highlight_at(entries, shown, i, now_ms));
    cairo_restore(cr);
}
