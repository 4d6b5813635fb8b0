#include "renderers/web/interaction.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "renderers/paint/draw.h"

/* Chrome's light theme. */
#define FRAME_RGB 0xDEE1E6
#define TOOLBAR_RGB 0xFFFFFF
#define TOOLBAR_LINE_RGB 0xC4C7CC
#define SEPARATOR_RGB 0xA9ADB3
#define FIELD_RGB 0xEEF0F2
#define TEXT_RGB 0x202124
#define DIM_TEXT_RGB 0x5F6368
#define INACTIVE_TEXT_RGB 0x3C4043
#define ICON_RGB 0x5F6368
#define DISABLED_ICON_RGB 0xB7BBC0

/* The page: a white document on a slightly darker surround, drawn in greys
 * too faint to pass for content. */
#define PAGE_SURROUND_RGB 0xF4F5F7
#define PAGE_RGB 0xFFFFFF
#define PAGE_OUTLINE_RGB 0xDADDE2
#define SKELETON_HEADER_RGB 0xF2F3F5
#define SKELETON_TITLE_RGB 0xE9EBEE
#define SKELETON_LINE_RGB 0xF0F1F3

/* Annotations: the HUD's dark grey, Tailwind's red/amber/green. */
#define PILL_RGB 0x111827
#define PILL_ALPHA 0.9
#define ACCENT_RGB 0xA5B4FC
#define RAGE_RGB 0xDC2626
#define RING_RGB 0xEF4444
#define ERROR_RGB 0xDC2626
#define WARNING_RGB 0xD97706
#define SUBMIT_RGB 0x16A34A
#define FOCUS_RING_RGB 0x3B82F6
#define CARD_LABEL_RGB 0x9CA3AF
#define WHITE_RGB 0xFFFFFF

/* Chrome geometry, logical units. */
#define TAB_TOP 8.0
#define TAB_RADIUS 8.0
#define TAB_PAD 12.0
#define TAB_FONT 12.0
#define FAVICON 14.0
#define STRIP_MARGIN 8.0
#define NEW_TAB_ROOM 40.0
#define URL_FONT 14.0
#define FIELD_HEIGHT 30.0
#define NAV_ROOM 104.0  /* back, forward, reload */
#define MENU_ROOM 40.0  /* the ⋮ menu */
#define NARROW_CHROME 360.0 /* below this the toolbar is only the URL field */

/* The page outline, logical units: a header band, then blocks of a title
 * line and three text lines repeating down the document. */
#define PAGE_RADIUS 10.0
#define HEADER_BAND 56.0
#define BLOCK_START 96.0
#define BLOCK_PITCH 168.0
#define LINE_PITCH 22.0
static const double LINE_SHARE[] = {0.94, 0.88, 0.62, 0.9, 0.97, 0.74, 0.84, 0.58};
static const double TITLE_SHARE[] = {0.42, 0.3, 0.5, 0.36};

/* Past this, sizes only cost time. */
#define MAX_EXTENT 32768.0

static double clamp(double v, double lo, double hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

static bool finite_positive(double v)
{
    return isfinite(v) && v > 0;
}

/* ------------------------------------------------------------------------ */
/* Text helpers (fonts may be NULL: text is then left out)                   */
/* ------------------------------------------------------------------------ */

static double text_width(cairo_t *cr, reelay_fonts *fonts, const char *text, const reelay_text_style *style)
{
    if (!fonts || !text || !text[0]) return 0;
    return ceil(reelay_text_width(cr, fonts, text, style));
}

/* The height of one line in this style, whatever the text. */
static double line_height(cairo_t *cr, reelay_fonts *fonts, const reelay_text_style *style)
{
    double w = 0, h = 0;
    if (fonts) reelay_text_measure(cr, fonts, "Ag", 0, style, &w, &h);
    return h > 0 ? ceil(h) : ceil(style->size * 1.4);
}

static void draw_text(cairo_t *cr, reelay_fonts *fonts, const char *text, double x, double y, double w, double h,
                      const reelay_text_style *style)
{
    if (!fonts || !text || !text[0] || !(w > 0) || !(h > 0)) return;
    reelay_text_draw(cr, fonts, text, x, y, w, h, style);
}

/* A line made of runs in their own styles, each ellipsized into the room the
 * runs before it left, with `gap` between runs. */
typedef struct text_run {
    const char *text;
    reelay_text_style style;
} text_run;

static double runs_width(cairo_t *cr, reelay_fonts *fonts, const text_run *runs, size_t n, double gap)
{
    double w = 0;
    size_t shown = 0;
    for (size_t i = 0; i < n; i++) {
        if (!runs[i].text || !runs[i].text[0]) continue;
        w += (shown++ ? gap : 0) + text_width(cr, fonts, runs[i].text, &runs[i].style);
    }
    return w;
}

static void draw_runs(cairo_t *cr, reelay_fonts *fonts, const text_run *runs, size_t n, double gap, double x,
                      double y, double w, double h)
{
    double right = x + w;
    size_t shown = 0;
    for (size_t i = 0; i < n; i++) {
        if (!runs[i].text || !runs[i].text[0]) continue;
        if (shown++) x += gap;
        double room = right - x;
        /* Too little room for even an ellipsis and a letter. */
        if (room < runs[i].style.size) return;
        reelay_text_style st = runs[i].style;
        st.ellipsize = true;
        double tw = text_width(cr, fonts, runs[i].text, &st);
        draw_text(cr, fonts, runs[i].text, x, y, room, h, &st);
        x += tw;
        if (x >= right) return;
    }
}

/* ------------------------------------------------------------------------ */
/* Shapes                                                                    */
/* ------------------------------------------------------------------------ */

static void fill_rounded(cairo_t *cr, double x, double y, double w, double h, double r, reelay_rgba colour)
{
    cairo_new_path(cr);
    reelay_path_rounded_rect(cr, x, y, w, h, r);
    reelay_set_source(cr, colour);
    cairo_fill(cr);
}

static reelay_rgba rgba(uint32_t rgb, double alpha)
{
    reelay_rgba c = reelay_rgb_hex(rgb);
    c.a = alpha;
    return c;
}

/* A soft drop shadow under a rounded box: two offset translucent copies. */
static void shadow(cairo_t *cr, double x, double y, double w, double h, double r, double k)
{
    fill_rounded(cr, x, y + 1.0 * k, w, h, r, rgba(0x000000, 0.10));
    fill_rounded(cr, x - 0.5 * k, y + 2.0 * k, w + 1.0 * k, h + 1.0 * k, r + 0.5 * k, rgba(0x000000, 0.06));
}

/* Everything painted between begin_fade and end_fade inside (x, y, w, h)
 * fades as one (overlapping parts do not show through each other). The group
 * is only as large as that box. */
static bool begin_fade(cairo_t *cr, double alpha, double x, double y, double w, double h)
{
    cairo_save(cr);
    cairo_new_path(cr);
    cairo_rectangle(cr, x, y, w, h);
    cairo_clip(cr);
    bool group = alpha < 1;
    if (group) cairo_push_group(cr);
    return group;
}

static void end_fade(cairo_t *cr, bool group, double alpha)
{
    if (group) {
        cairo_pop_group_to_source(cr);
        cairo_paint_with_alpha(cr, alpha);
    }
    cairo_restore(cr);
}

/* ------------------------------------------------------------------------ */
/* Chrome                                                                    */
/* ------------------------------------------------------------------------ */

/* The host of a URL ("https://user@host:8080/x" gives "host:8080") into buf;
 * false when it has none. */
static bool url_host(const char *url, char *buf, size_t size)
{
    const char *sep = url ? strstr(url, "://") : NULL;
    if (!sep) return false;
    const char *start = sep + 3, *end = start + strcspn(start, "/?#");
    for (const char *p = start; p < end; p++)
        if (*p == '@') start = p + 1;
    size_t n = (size_t)(end - start);
    if (n == 0) return false;
    if (n >= size) n = size - 1;
    memcpy(buf, start, n);
    buf[n] = '\0';
    return true;
}

/* Chrome's tab shape: rounded top corners and outward flares at the bottom. */
static void path_tab(cairo_t *cr, double x0, double x1, double y0, double y1, double r)
{
    cairo_new_path(cr);
    cairo_move_to(cr, x0 - r, y1);
    cairo_arc_negative(cr, x0 - r, y1 - r, r, REELAY_PI / 2, 0);
    cairo_line_to(cr, x0, y0 + r);
    cairo_arc(cr, x0 + r, y0 + r, r, REELAY_PI, 3 * REELAY_PI / 2);
    cairo_line_to(cr, x1 - r, y0);
    cairo_arc(cr, x1 - r, y0 + r, r, 3 * REELAY_PI / 2, 2 * REELAY_PI);
    cairo_line_to(cr, x1, y1 - r);
    cairo_arc_negative(cr, x1 + r, y1 - r, r, REELAY_PI, REELAY_PI / 2);
    cairo_close_path(cr);
}

/* The globe Chrome shows for a page without a favicon. */
static void paint_globe(cairo_t *cr, double cx, double cy, double d, uint32_t rgb)
{
    double r = d / 2 - 0.75;
    cairo_set_line_width(cr, 1.25);
    reelay_set_source(cr, reelay_rgb_hex(rgb));
    cairo_new_path(cr);
    cairo_arc(cr, cx, cy, r, 0, 2 * REELAY_PI);
    cairo_stroke(cr);
    cairo_save(cr);
    cairo_translate(cr, cx, cy);
    cairo_scale(cr, 0.45, 1);
    cairo_new_path(cr);
    cairo_arc(cr, 0, 0, r, 0, 2 * REELAY_PI);
    cairo_restore(cr);
    cairo_stroke(cr);
    cairo_new_path(cr);
    cairo_move_to(cr, cx - r, cy);
    cairo_line_to(cr, cx + r, cy);
    cairo_stroke(cr);
}

static void paint_cross(cairo_t *cr, double cx, double cy, double half, double width, uint32_t rgb)
{
    cairo_new_path(cr);
    cairo_move_to(cr, cx - half, cy - half);
    cairo_line_to(cr, cx + half, cy + half);
    cairo_move_to(cr, cx + half, cy - half);
    cairo_line_to(cr, cx - half, cy + half);
    cairo_set_line_width(cr, width);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    reelay_set_source(cr, reelay_rgb_hex(rgb));
    cairo_stroke(cr);
}

/* The text a tab shows: the title, else the URL's host, else "New tab". */
static const char *tab_text(const char *title, const char *url, char *buf, size_t size)
{
    if (title && title[0]) return title;
    if (url_host(url, buf, size)) return buf;
    if (url && url[0]) return url;
    return "New tab";
}

static void paint_tab(cairo_t *cr, reelay_fonts *fonts, const char *title, const char *url, bool active, double x,
                      double w)
{
    double y0 = TAB_TOP, y1 = REELAY_WEB_TAB_STRIP_HEIGHT;
    if (active) {
        path_tab(cr, x, x + w, y0, y1, TAB_RADIUS);
        reelay_set_source(cr, reelay_rgb_hex(TOOLBAR_RGB));
        cairo_fill(cr);
    }
    double cy = (y0 + y1) / 2;
    double left = x + TAB_PAD, right = x + w - TAB_PAD * 0.75;
    /* Narrow tabs keep their close button only when active, like Chrome. */
    bool close = active ? w >= 80 : w >= 110;
    if (close) {
        paint_cross(cr, right - 6, cy, 3.5, 1.4, DIM_TEXT_RGB);
        right -= 16;
    }
    if (right - left >= FAVICON) {
        paint_globe(cr, left + FAVICON / 2, cy, FAVICON, active ? ICON_RGB : DIM_TEXT_RGB);
        left += FAVICON + 8;
    }
    if (right - left < TAB_FONT) return;
    char host[256];
    reelay_text_style st = reelay_label_style(TAB_FONT, active ? TEXT_RGB : INACTIVE_TEXT_RGB, false);
    st.ellipsize = true;
    draw_text(cr, fonts, tab_text(title, url, host, sizeof host), left, y0, right - left, y1 - y0, &st);
}

static void paint_tab_strip(cairo_t *cr, reelay_fonts *fonts, const reelay_web_state *s, double width)
{
    reelay_fill_rect(cr, 0, 0, width, REELAY_WEB_TAB_STRIP_HEIGHT, reelay_rgb_hex(FRAME_RGB));
    /* No tab reported: one for the state's own page. */
    reelay_web_tab lone = {.title = s->title, .url = s->url, .active = true};
    const reelay_web_tab *tabs = s->tab_count > 0 ? s->tabs : &lone;
    size_t n = s->tab_count > 0 ? (s->tab_count < REELAY_WEB_MAX_TABS ? s->tab_count : REELAY_WEB_MAX_TABS) : 1;
    size_t active = n;
    for (size_t i = 0; i < n && active == n; i++)
        if (tabs[i].active) active = i;
    if (active == n && s->has_window)
        for (size_t i = 0; i < n && active == n; i++)
            if (tabs[i].window == s->window) active = i;

    double room = width - 2 * STRIP_MARGIN - NEW_TAB_ROOM;
    double w = floor(clamp(room / (double)n, REELAY_WEB_TAB_MIN_WIDTH, REELAY_WEB_TAB_MAX_WIDTH));
    double x0 = STRIP_MARGIN;
    double cy = (TAB_TOP + REELAY_WEB_TAB_STRIP_HEIGHT) / 2;
    for (size_t i = 0; i < n; i++) {
        double x = x0 + (double)i * w;
        if (x >= width) break;
        if (i == active) continue;
        paint_tab(cr, fonts, tabs[i].title, tabs[i].url, false, x, w);
        /* Separators between inactive neighbours, as in Chrome. */
        if (i + 1 < n && i + 1 != active)
            reelay_fill_rect(cr, x + w - 0.5, cy - 9, 1, 18, reelay_rgb_hex(SEPARATOR_RGB));
    }
    /* Overflowing tabs are cut at the edge; the active one still shows
     * when it fits at all. */
    if (active < n && x0 + (double)active * w < width)
        paint_tab(cr, fonts, tabs[active].title, tabs[active].url, true, x0 + (double)active * w, w);
    double plus_x = x0 + (double)n * w + 18;
    if (plus_x + 8 < width) {
        cairo_new_path(cr);
        cairo_move_to(cr, plus_x - 6, cy);
        cairo_line_to(cr, plus_x + 6, cy);
        cairo_move_to(cr, plus_x, cy - 6);
        cairo_line_to(cr, plus_x, cy + 6);
        cairo_set_line_width(cr, 1.5);
        cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
        reelay_set_source(cr, reelay_rgb_hex(ICON_RGB));
        cairo_stroke(cr);
    }
}

/* An arrow pointing left (dir -1) or right (1), centred at (cx, cy). */
static void paint_arrow(cairo_t *cr, double cx, double cy, double dir, uint32_t rgb)
{
    cairo_new_path(cr);
    cairo_move_to(cr, cx - 6 * dir, cy);
    cairo_line_to(cr, cx + 6 * dir, cy);
    cairo_move_to(cr, cx + 1 * dir, cy - 5);
    cairo_line_to(cr, cx + 6 * dir, cy);
    cairo_line_to(cr, cx + 1 * dir, cy + 5);
    cairo_set_line_width(cr, 1.75);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    reelay_set_source(cr, reelay_rgb_hex(rgb));
    cairo_stroke(cr);
}

static void paint_reload(cairo_t *cr, double cx, double cy)
{
    double r = 6;
    cairo_new_path(cr);
    cairo_arc(cr, cx, cy, r, -REELAY_PI / 2 + 0.6, 3 * REELAY_PI / 2);
    cairo_set_line_width(cr, 1.75);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    reelay_set_source(cr, reelay_rgb_hex(ICON_RGB));
    cairo_stroke(cr);
    /* The arrow head at the gap, pointing along the arc. */
    cairo_new_path(cr);
    cairo_move_to(cr, cx + 0.5, cy - r - 3.5);
    cairo_line_to(cr, cx + 4.5, cy - r);
    cairo_line_to(cr, cx + 0.5, cy - r + 3.5);
    cairo_close_path(cr);
    cairo_fill(cr);
}

static void paint_lock(cairo_t *cr, double cx, double cy, uint32_t rgb)
{
    reelay_set_source(cr, reelay_rgb_hex(rgb));
    cairo_new_path(cr);
    reelay_path_rounded_rect(cr, cx - 4.5, cy - 1, 9, 7, 1.5);
    cairo_fill(cr);
    cairo_new_path(cr);
    cairo_arc(cr, cx, cy - 2.5, 3, REELAY_PI, 2 * REELAY_PI);
    cairo_line_to(cr, cx + 3, cy - 1);
    cairo_move_to(cr, cx - 3, cy - 1);
    cairo_line_to(cr, cx - 3, cy - 2.5);
    cairo_set_line_width(cr, 1.5);
    cairo_stroke(cr);
}

/* An "i" in a circle, for pages that are not https. */
static void paint_info(cairo_t *cr, double cx, double cy, uint32_t rgb)
{
    reelay_set_source(cr, reelay_rgb_hex(rgb));
    cairo_new_path(cr);
    cairo_arc(cr, cx, cy, 6, 0, 2 * REELAY_PI);
    cairo_set_line_width(cr, 1.25);
    cairo_stroke(cr);
    reelay_fill_rect(cr, cx - 0.7, cy - 1, 1.4, 4.5, reelay_rgb_hex(rgb));
    reelay_fill_rect(cr, cx - 0.7, cy - 3.6, 1.4, 1.4, reelay_rgb_hex(rgb));
}

/* The URL as Chrome shows it: https:// dropped (a lock instead), any other
 * scheme dimmed, the host dark and the rest dimmed. */
static void paint_url(cairo_t *cr, reelay_fonts *fonts, const char *url, double x, double y, double w, double h)
{
    const char *shown = url && url[0] ? url : "about:blank";
    const char *sep = strstr(shown, "://");
    bool https = strncmp(shown, "https://", 8) == 0;
    double icon_cx = x + 14, cy = y + h / 2;
    if (https)
        paint_lock(cr, icon_cx, cy, ICON_RGB);
    else
        paint_info(cr, icon_cx, cy, ICON_RGB);
    double tx = x + 30, tw = w - 30 - 14;
    if (tw <= 0) return;

    char scheme[32] = "", host[REELAY_WEB_LABEL_MAX * 4];
    const char *rest = shown;
    host[0] = '\0';
    if (sep && (size_t)(sep - shown) + 3 < sizeof scheme && !https) {
        size_t n = (size_t)(sep - shown) + 3;
        memcpy(scheme, shown, n);
        scheme[n] = '\0';
    }
    if (sep) {
        const char *start = sep + 3;
        size_t n = strcspn(start, "/?#");
        if (n >= sizeof host) n = sizeof host - 1;
        memcpy(host, start, n);
        host[n] = '\0';
        rest = start + n;
    }
    reelay_text_style dark = reelay_label_style(URL_FONT, TEXT_RGB, false);
    reelay_text_style dim = reelay_label_style(URL_FONT, DIM_TEXT_RGB, false);
    text_run runs[3] = {{scheme, dim}, {host, dark}, {rest, sep ? dim : dark}};
    draw_runs(cr, fonts, runs, 3, 0, tx, y, tw, h);
}

static void paint_menu_dots(cairo_t *cr, double cx, double cy)
{
    reelay_set_source(cr, reelay_rgb_hex(ICON_RGB));
    cairo_new_path(cr);
    for (int i = -1; i <= 1; i++) {
        cairo_new_sub_path(cr);
        cairo_arc(cr, cx, cy + 5 * i, 1.6, 0, 2 * REELAY_PI);
    }
    cairo_fill(cr);
}

static void paint_toolbar(cairo_t *cr, reelay_fonts *fonts, const reelay_web_state *s, double width)
{
    double top = REELAY_WEB_TAB_STRIP_HEIGHT, bottom = REELAY_WEB_CHROME_HEIGHT;
    reelay_fill_rect(cr, 0, top, width, bottom - top, reelay_rgb_hex(TOOLBAR_RGB));
    reelay_fill_rect(cr, 0, bottom - 1, width, 1, reelay_rgb_hex(TOOLBAR_LINE_RGB));
    double cy = (top + bottom - 1) / 2;
    double left = 8, right = width - 8;
    if (width >= NARROW_CHROME) {
        paint_arrow(cr, 24, cy, -1, ICON_RGB);
        paint_arrow(cr, 56, cy, 1, DISABLED_ICON_RGB);
        paint_reload(cr, 88, cy);
        paint_menu_dots(cr, width - 20, cy);
        left = NAV_ROOM + 4;
        right = width - MENU_ROOM + 4;
    }
    double field_y = cy - FIELD_HEIGHT / 2;
    if (right - left < 2 * FIELD_HEIGHT) return;
    fill_rounded(cr, left, field_y, right - left, FIELD_HEIGHT, FIELD_HEIGHT / 2, reelay_rgb_hex(FIELD_RGB));
    paint_url(cr, fonts, s->url, left, field_y, right - left, FIELD_HEIGHT);
}

void reelay_paint_web_chrome(cairo_t *cr, reelay_fonts *fonts, const reelay_web_state *state, double width)
{
    if (!cr || !state || !finite_positive(width)) return;
    if (width > MAX_EXTENT) width = MAX_EXTENT;
    cairo_save(cr);
    cairo_new_path(cr);
    cairo_rectangle(cr, 0, 0, width, REELAY_WEB_CHROME_HEIGHT);
    cairo_clip(cr);
    paint_tab_strip(cr, fonts, state, width);
    paint_toolbar(cr, fonts, state, width);
    cairo_restore(cr);
}

/* ------------------------------------------------------------------------ */
/* Page                                                                      */
/* ------------------------------------------------------------------------ */

/* The skeleton lines of block `index` (page coordinates from the document's
 * top), wherever they meet [view_top, view_bottom) and stay above
 * doc_bottom; added to the current path per colour pass. */
static void block_lines(cairo_t *cr, double index, double doc_top, double left, double width, double doc_bottom,
                        bool title)
{
    double top = doc_top + BLOCK_START + index * BLOCK_PITCH;
    /* A pattern that repeats every few blocks, from the block's index. */
    unsigned variant = (unsigned)fmod(index, 8.0);
    if (title) {
        double h = 14;
        if (top + h <= doc_bottom)
            reelay_path_rounded_rect(cr, left, top, width * TITLE_SHARE[variant % 4], h, 4);
        return;
    }
    for (unsigned i = 0; i < 3; i++) {
        double y = top + 34 + i * LINE_PITCH, h = 10;
        if (y + h > doc_bottom) return;
        double share = LINE_SHARE[(variant + i * 3) % 8];
        reelay_path_rounded_rect(cr, left, y, width * share, h, 3);
    }
}

void reelay_paint_web_page(cairo_t *cr, const reelay_web_state *state, const reelay_pointer_state *pointer, double vw,
                           double vh)
{
    if (!cr || !state || !finite_positive(vw) || !finite_positive(vh)) return;
    vw = fmin(vw, MAX_EXTENT);
    vh = fmin(vh, MAX_EXTENT);
    double scroll = 0;
    if (pointer && pointer->has_scroll && isfinite(pointer->scroll_y)) scroll = clamp(pointer->scroll_y, -1e9, 1e9);
    cairo_save(cr);
    cairo_new_path(cr);
    cairo_rectangle(cr, 0, 0, vw, vh);
    cairo_clip(cr);
    reelay_fill_rect(cr, 0, 0, vw, vh, reelay_rgb_hex(PAGE_SURROUND_RGB));

    /* The document: inset at the sides and top; its bottom edge is the end
     * of the page when its height is known, else below the viewport. */
    double inset = clamp(round(vw * 0.02), 6, 24);
    double doc_top = inset - scroll;
    bool known = finite_positive(state->page_height);
    double doc_bottom = known ? state->page_height - scroll : vh + PAGE_RADIUS + 2;
    double x0 = inset, x1 = vw - inset;
    if (doc_bottom > vh + PAGE_RADIUS + 2) doc_bottom = vh + PAGE_RADIUS + 2; /* far below: same picture */
    if (doc_top < -PAGE_RADIUS - 2) doc_top = -PAGE_RADIUS - 2;
    if (x1 - x0 > 0 && doc_bottom - doc_top > 0 && doc_bottom > 0 && doc_top < vh) {
        cairo_new_path(cr);
        reelay_path_rounded_rect(cr, x0 + 0.5, doc_top + 0.5, x1 - x0 - 1, doc_bottom - doc_top - 1, PAGE_RADIUS);
        reelay_set_source(cr, reelay_rgb_hex(PAGE_RGB));
        cairo_fill_preserve(cr);
        cairo_set_line_width(cr, 1);
        reelay_set_source(cr, reelay_rgb_hex(PAGE_OUTLINE_RGB));
        cairo_stroke(cr);
    }

    /* The skeleton, in page coordinates (unclamped top) so it scrolls; it
     * ends above the document's bottom edge when that is known. */
    double top = inset - scroll;
    double limit = known ? state->page_height - scroll - 8 : INFINITY;
    double pad = clamp(round(vw * 0.05), 12, 64);
    double left = x0 + pad, width = x1 - x0 - 2 * pad;
    if (width > 0) {
        double header_h = HEADER_BAND;
        if (top + header_h > 0 && top < vh && top + header_h <= limit) {
            cairo_new_path(cr);
            reelay_path_rounded_rect(cr, x0 + 8, top + 8, x1 - x0 - 16, header_h - 16, 6);
            reelay_set_source(cr, reelay_rgb_hex(SKELETON_HEADER_RGB));
            cairo_fill(cr);
        }
        /* Only the blocks that meet the viewport. */
        double first = floor((0 - top - BLOCK_START - BLOCK_PITCH) / BLOCK_PITCH);
        double last = ceil((vh - top - BLOCK_START) / BLOCK_PITCH);
        if (first < 0) first = 0;
        for (int pass = 0; pass < 2; pass++) {
            cairo_new_path(cr);
            for (double i = first; i <= last; i++) block_lines(cr, i, top, left, width, limit, pass == 0);
            reelay_set_source(cr, reelay_rgb_hex(pass == 0 ? SKELETON_TITLE_RGB : SKELETON_LINE_RGB));
            cairo_fill(cr);
        }
    }
    cairo_restore(cr);
}

/* ------------------------------------------------------------------------ */
/* Annotations                                                               */
/* ------------------------------------------------------------------------ */

typedef struct ui {
    cairo_t *cr;
    reelay_fonts *fonts;
    double vw, vh;
    double k;      /* size factor, see REELAY_WEB_UI_REFERENCE_WIDTH */
    double margin; /* from the viewport's edges */
    double font;
} ui;

/* 1 until the last REELAY_WEB_FADE_OUT_MS of a life, then linear to 0; 0
 * outside [0, life). */
static double fade_out(double age, double life)
{
    if (!(age >= 0 && age < life)) return 0;
    return clamp((life - age) / REELAY_WEB_FADE_OUT_MS, 0, 1);
}

/* The pill of one click: the kind's prefix (bold, accented) then the label. */
typedef struct click_text {
    char prefix[48];
    const char *label;
} click_text;

static click_text click_texts(const reelay_web_click *c)
{
    click_text t = {.label = c->label};
    if (c->rage) {
        if (c->rage_count > 0)
            snprintf(t.prefix, sizeof t.prefix, "rage click \xC3\x97%d", c->rage_count);
        else
            snprintf(t.prefix, sizeof t.prefix, "rage click");
    } else if (c->kind == REELAY_WEB_DBL_CLICK) {
        snprintf(t.prefix, sizeof t.prefix, "2\xC3\x97");
        if (!t.label) t.label = "click";
    } else if (c->kind == REELAY_WEB_RIGHT_CLICK) {
        snprintf(t.prefix, sizeof t.prefix, "right-click");
    } else if (!t.label) {
        t.label = "click";
    }
    return t;
}

static bool click_usable(const reelay_web_click *c)
{
    return c->has_xy && isfinite(c->x) && isfinite(c->y) && fade_out(c->age_ms, REELAY_WEB_CLICK_LABEL_MS) > 0;
}

/* A click with a newer one within the rage radius is covered by it: the
 * newer label tells the story, and a burst does not stack its pills. */
static bool click_superseded(const reelay_web_state *s, size_t n, size_t i)
{
    const reelay_web_click *c = &s->clicks[i];
    for (size_t j = i + 1; j < n; j++) {
        const reelay_web_click *d = &s->clicks[j];
        if (!click_usable(d)) continue;
        if (hypot(d->x - c->x, d->y - c->y) <= REELAY_WEB_RAGE_RADIUS_PX) return true;
    }
    return false;
}

/* The red ring around a rage click, its radius breathing around
 * REELAY_WEB_RAGE_RADIUS_PX with the click's age. */
static void paint_rage_ring(const ui *u, const reelay_web_click *c, double alpha)
{
    double phase = sin(2 * REELAY_PI * c->age_ms / REELAY_WEB_RAGE_PULSE_MS);
    double r = REELAY_WEB_RAGE_RADIUS_PX * (1 + 0.12 * phase);
    cairo_t *cr = u->cr;
    cairo_new_path(cr);
    cairo_arc(cr, c->x, c->y, r, 0, 2 * REELAY_PI);
    reelay_set_source(cr, rgba(RING_RGB, 0.16 * alpha));
    cairo_fill_preserve(cr);
    cairo_set_line_width(cr, 3 * u->k);
    reelay_set_source(cr, rgba(RING_RGB, 0.9 * alpha));
    cairo_stroke(cr);
}

/* Places a box of (w, h) near the point: down-right by (dx, dy), flipped to
 * the left or above when it would leave the viewport, then clamped inside. */
static void place_near(const ui *u, double px, double py, double w, double h, double dx, double dy, double up,
                       double *x, double *y)
{
    double m = u->margin / 2;
    *x = px + dx;
    if (*x + w > u->vw - m) *x = px - dx - w;
    *y = py + dy;
    if (*y + h > u->vh - m) *y = py - up - h;
    *x = clamp(*x, m, fmax(m, u->vw - m - w));
    *y = clamp(*y, m, fmax(m, u->vh - m - h));
}

static void paint_click_label(const ui *u, const reelay_web_click *c, double alpha)
{
    cairo_t *cr = u->cr;
    click_text t = click_texts(c);
    double k = u->k, pad_x = 9 * k, pad_y = 5 * k, gap = 6 * k;
    reelay_text_style bold = reelay_label_style(u->font, c->rage ? WHITE_RGB : ACCENT_RGB, true);
    reelay_text_style plain = reelay_label_style(u->font, WHITE_RGB, false);
    text_run runs[2] = {{t.prefix, bold}, {t.label, plain}};
    double line = line_height(cr, u->fonts, &plain);
    double max_w = fmin(u->vw - u->margin, 420 * k);
    double w = fmin(runs_width(cr, u->fonts, runs, 2, gap) + 2 * pad_x, max_w), h = line + 2 * pad_y;
    double x, y;
    /* Clear of the cursor (20 units, down-right of the tip) or the ring. */
    double dx = c->rage ? 26 : 12, dy = c->rage ? 34 : 24, up = c->rage ? 36 : 10;
    place_near(u, c->x, c->y, w, h, dx, dy, up, &x, &y);

    double dot = 3.5 * k;
    double bx0 = fmin(x, c->x - dot) - 4 * k, by0 = fmin(y, c->y - dot) - 4 * k;
    double bx1 = fmax(x + w, c->x + dot) + 4 * k, by1 = fmax(y + h, c->y + dot) + 4 * k;
    bool group = begin_fade(cr, alpha, bx0, by0, bx1 - bx0, by1 - by0);
    reelay_rgba bg = c->rage ? reelay_rgb_hex(RAGE_RGB) : rgba(PILL_RGB, PILL_ALPHA);
    /* A dot where the click landed, so the label still points there after
     * the cursor moves on. */
    cairo_new_path(cr);
    cairo_arc(cr, c->x, c->y, dot, 0, 2 * REELAY_PI);
    reelay_set_source(cr, bg);
    cairo_fill_preserve(cr);
    cairo_set_line_width(cr, 1.5 * k);
    reelay_set_source(cr, rgba(WHITE_RGB, 0.9));
    cairo_stroke(cr);
    shadow(cr, x, y, w, h, h / 2, k);
    fill_rounded(cr, x, y, w, h, h / 2, bg);
    draw_runs(cr, u->fonts, runs, 2, gap, x + pad_x, y, w - 2 * pad_x, h);
    end_fade(cr, group, alpha);
}

static void paint_clicks(const ui *u, const reelay_web_state *s)
{
    size_t n = s->click_count < REELAY_WEB_MAX_CLICKS ? s->click_count : REELAY_WEB_MAX_CLICKS;
    /* Rings under every label. */
    for (size_t i = 0; i < n; i++) {
        const reelay_web_click *c = &s->clicks[i];
        if (c->rage && click_usable(c) && !click_superseded(s, n, i))
            paint_rage_ring(u, c, fade_out(c->age_ms, REELAY_WEB_CLICK_LABEL_MS));
    }
    for (size_t i = 0; i < n; i++) {
        const reelay_web_click *c = &s->clicks[i];
        if (click_usable(c) && !click_superseded(s, n, i))
            paint_click_label(u, c, fade_out(c->age_ms, REELAY_WEB_CLICK_LABEL_MS));
    }
}

/* A check mark in (x, y, size, size). */
static void paint_check(cairo_t *cr, double x, double y, double size, double k)
{
    cairo_new_path(cr);
    cairo_move_to(cr, x + size * 0.15, y + size * 0.55);
    cairo_line_to(cr, x + size * 0.4, y + size * 0.8);
    cairo_line_to(cr, x + size * 0.88, y + size * 0.22);
    cairo_set_line_width(cr, 2 * k);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    reelay_set_source(cr, reelay_rgb_hex(WHITE_RGB));
    cairo_stroke(cr);
}

static void paint_submit(const ui *u, const reelay_web_state *s)
{
    double alpha = fade_out(s->submit_age_ms, REELAY_WEB_SUBMIT_MS);
    if (!s->submit_recent || alpha <= 0) return;
    cairo_t *cr = u->cr;
    double k = u->k, pad_x = 12 * k, pad_y = 6 * k, gap = 7 * k, icon = u->font;
    reelay_text_style bold = reelay_label_style(u->font, WHITE_RGB, true);
    reelay_text_style plain = reelay_label_style(u->font, WHITE_RGB, false);
    text_run runs[2] = {{"form submitted", bold}, {s->submit_label, plain}};
    double line = line_height(cr, u->fonts, &plain);
    double text_w = runs_width(cr, u->fonts, runs, 2, gap);
    double w = fmin(icon + gap + text_w + 2 * pad_x, u->vw - 2 * u->margin), h = line + 2 * pad_y;
    if (w <= icon + 2 * pad_x) return;
    double x = (u->vw - w) / 2, y = u->margin;
    bool group = begin_fade(cr, alpha, x - 4 * k, y - 4 * k, w + 8 * k, h + 8 * k);
    shadow(cr, x, y, w, h, h / 2, k);
    fill_rounded(cr, x, y, w, h, h / 2, reelay_rgb_hex(SUBMIT_RGB));
    paint_check(cr, x + pad_x, y + (h - icon) / 2, icon, k);
    draw_runs(cr, u->fonts, runs, 2, gap, x + pad_x + icon + gap, y, w - 2 * pad_x - icon - gap, h);
    end_fade(cr, group, alpha);
}

/* The toasts' column: one line each, newest at the bottom. */
typedef struct toast_layout {
    size_t count;
    double h, gap, pad_x, icon;
    double w[REELAY_WEB_MAX_TOASTS];
    double top;  /* of the stack (vh - margin when empty) */
    double left; /* the leftmost toast's left edge */
} toast_layout;

static bool toast_alive(const reelay_web_toast *t)
{
    return t->text && isfinite(t->age_ms) && t->age_ms >= 0 && t->age_ms < REELAY_WEB_TOAST_MS;
}

static toast_layout layout_toasts(const ui *u, const reelay_web_state *s)
{
    double k = u->k;
    toast_layout l = {.gap = 8 * k, .pad_x = 12 * k, .icon = u->font};
    reelay_text_style st = reelay_label_style(u->font, WHITE_RGB, false);
    l.h = line_height(u->cr, u->fonts, &st) + 2 * 8 * k;
    l.top = u->vh - u->margin;
    l.left = u->vw;
    double max_w = fmin(u->vw * REELAY_WEB_TOAST_MAX_SHARE, u->vw - 2 * u->margin);
    size_t n = s->toast_count < REELAY_WEB_MAX_TOASTS ? s->toast_count : REELAY_WEB_MAX_TOASTS;
    for (size_t i = 0; i < n; i++) {
        double w = 0;
        if (toast_alive(&s->toasts[i]))
            w = fmin(2 * l.pad_x + l.icon + l.gap + text_width(u->cr, u->fonts, s->toasts[i].text, &st), max_w);
        l.w[i] = w;
        if (w <= 0) continue;
        l.count++;
        l.top -= l.h + (l.count > 1 ? l.gap : 0);
        l.left = fmin(l.left, u->vw - u->margin - w);
    }
    return l;
}

/* A circle (error, network) or a triangle (warning) with a "!" in it. */
static void paint_toast_icon(cairo_t *cr, reelay_web_toast_kind kind, double x, double y, double size, double k)
{
    double cx = x + size / 2, cy = y + size / 2;
    cairo_new_path(cr);
    if (kind == REELAY_WEB_TOAST_WARNING) {
        cairo_move_to(cr, cx, y + size * 0.05);
        cairo_line_to(cr, x + size, y + size * 0.92);
        cairo_line_to(cr, x, y + size * 0.92);
        cairo_close_path(cr);
        cy += size * 0.1;
    } else {
        cairo_arc(cr, cx, cy, size / 2, 0, 2 * REELAY_PI);
    }
    reelay_set_source(cr, reelay_rgb_hex(WHITE_RGB));
    cairo_fill(cr);
    uint32_t ink = kind == REELAY_WEB_TOAST_WARNING ? WARNING_RGB : ERROR_RGB;
    double bar = fmax(1.2 * k, size * 0.13);
    reelay_fill_rect(cr, cx - bar / 2, cy - size * 0.28, bar, size * 0.34, reelay_rgb_hex(ink));
    reelay_fill_rect(cr, cx - bar / 2, cy + size * 0.14, bar, bar, reelay_rgb_hex(ink));
}

static void paint_toasts(const ui *u, const reelay_web_state *s, const toast_layout *l)
{
    cairo_t *cr = u->cr;
    double k = u->k;
    reelay_text_style st = reelay_label_style(u->font, WHITE_RGB, false);
    st.ellipsize = true;
    size_t n = s->toast_count < REELAY_WEB_MAX_TOASTS ? s->toast_count : REELAY_WEB_MAX_TOASTS;
    double y = u->vh - u->margin;
    /* Newest (last) at the bottom, so walk backwards up the column. */
    for (size_t i = n; i-- > 0;) {
        const reelay_web_toast *t = &s->toasts[i];
        if (l->w[i] <= 0) continue;
        y -= l->h;
        double in = clamp(t->age_ms / REELAY_WEB_TOAST_IN_MS, 0, 1);
        double ease = 1 - (1 - in) * (1 - in);
        double alpha = fmin(ease, fade_out(t->age_ms, REELAY_WEB_TOAST_MS));
        double slide = (1 - ease) * 24 * k;
        double w = l->w[i], h = l->h;
        double x = u->vw - u->margin - w + slide;
        if (alpha > 0) {
            uint32_t rgb = t->kind == REELAY_WEB_TOAST_WARNING ? WARNING_RGB : ERROR_RGB;
            bool group = begin_fade(cr, alpha, x - 4 * k, y - 4 * k, w + 8 * k, h + 8 * k);
            shadow(cr, x, y, w, h, 8 * k, k);
            fill_rounded(cr, x, y, w, h, 8 * k, reelay_rgb_hex(rgb));
            paint_toast_icon(cr, t->kind, x + l->pad_x, y + (h - l->icon) / 2, l->icon, k);
            double tx = x + l->pad_x + l->icon + l->gap;
            draw_text(cr, u->fonts, t->text, tx, y, x + w - l->pad_x - tx, h, &st);
            end_fade(cr, group, alpha);
        }
        y -= l->gap;
    }
}

/* The focused element's value in a white input box, right-aligned when it
 * overflows so the end shows, as in a real input, with a caret while typing. */
static void paint_focus_field(const ui *u, const reelay_web_focus *f, double bx, double by, double bw,
                              double box_h, double box_pad, reelay_text_style value, double value_h)
{
    cairo_t *cr = u->cr;
    double k = u->k;
    fill_rounded(cr, bx, by, bw, box_h, 6 * k, reelay_rgb_hex(WHITE_RGB));
    cairo_new_path(cr);
    reelay_path_rounded_rect(cr, bx + k, by + k, bw - 2 * k, box_h - 2 * k, 5 * k);
    cairo_set_line_width(cr, 2 * k);
    reelay_set_source(cr, reelay_rgb_hex(FOCUS_RING_RGB));
    cairo_stroke(cr);

    double tx = bx + box_pad, tw = bw - 2 * box_pad;
    double text_w = fmin(text_width(cr, u->fonts, f->text, &value), tw - 2 * k);
    if (text_w > 0) {
        /* The box ends before the caret's room: the text never runs under it. */
        value.halign = text_w >= tw - 2 * k ? TEXT_ALIGN_END : TEXT_ALIGN_START;
        draw_text(cr, u->fonts, f->text, tx, by, tw - 2 * k, box_h, &value);
    }
    if (isfinite(f->typed_age_ms) && f->typed_age_ms >= 0 && f->typed_age_ms < REELAY_WEB_TYPING_MS)
        reelay_fill_rect(cr, tx + text_w + 0.5 * k, by + box_pad, 1.5 * k, value_h, reelay_rgb_hex(TEXT_RGB));
}

/* The focused element: a dark card with what is focused and, for an element
 * that takes text, a field with its (masked) value. Other elements (a
 * button, a checkbox, a video) get the card's head alone, their state, such
 * as "checked", beside the name: an empty field under them would say text
 * could be typed there. */
static void paint_focus(const ui *u, const reelay_web_state *s, const toast_layout *toasts)
{
    const reelay_web_focus *f = &s->focus;
    if (!f->active) return;
    cairo_t *cr = u->cr;
    double k = u->k, pad = 12 * k, gap = 8 * k, box_pad = 8 * k;
    reelay_text_style tag = reelay_label_style(u->font * 0.85, CARD_LABEL_RGB, true);
    reelay_text_style label = reelay_label_style(u->font, WHITE_RGB, true);
    reelay_text_style state = reelay_label_style(u->font, CARD_LABEL_RGB, false);
    reelay_text_style value = reelay_label_style(u->font + 1 * k, TEXT_RGB, false);
    value.halign = TEXT_ALIGN_END;
    double head_h = line_height(cr, u->fonts, &label), value_h = line_height(cr, u->fonts, &value);
    double box_h = value_h + 2 * box_pad;
    double w = fmin(300 * k, u->vw - 2 * u->margin);
    double h = pad + head_h + (f->takes_text ? gap + box_h : 0) + pad;
    if (w <= 2 * pad + 2 * box_pad) return;
    double x = u->margin, y = u->vh - u->margin - h;
    /* Above the toasts when they would meet. */
    if (toasts->count > 0 && toasts->left < x + w + u->margin) y = toasts->top - toasts->gap - h;

    cairo_save(cr);
    shadow(cr, x, y, w, h, 10 * k, k);
    fill_rounded(cr, x, y, w, h, 10 * k, rgba(PILL_RGB, 0.94));
    text_run head[3] = {{"FOCUSED", tag}, {f->label, label}, {f->takes_text ? NULL : f->text, state}};
    draw_runs(cr, u->fonts, head, 3, 8 * k, x + pad, y + pad, w - 2 * pad, head_h);
    if (f->takes_text)
        paint_focus_field(u, f, x + pad, y + pad + head_h + gap, w - 2 * pad, box_h, box_pad, value, value_h);
    cairo_restore(cr);
}

void reelay_paint_web_annotations(cairo_t *cr, reelay_fonts *fonts, const reelay_web_state *state, double vw,
                                  double vh)
{
    if (!cr || !state || !finite_positive(vw) || !finite_positive(vh)) return;
    vw = fmin(vw, MAX_EXTENT);
    vh = fmin(vh, MAX_EXTENT);
    double k = fmax(1, vw / REELAY_WEB_UI_REFERENCE_WIDTH);
    ui u = {.cr = cr, .fonts = fonts, .vw = vw, .vh = vh, .k = k, .margin = REELAY_WEB_UI_MARGIN * k,
            .font = REELAY_WEB_UI_FONT * k};
    cairo_save(cr);
    cairo_new_path(cr);
    cairo_rectangle(cr, 0, 0, vw, vh);
    cairo_clip(cr);
    toast_layout toasts = layout_toasts(&u, state);
    /* Clicks over the focus card: they are brief and say what just happened. */
    paint_focus(&u, state, &toasts);
    paint_clicks(&u, state);
    paint_submit(&u, state);
    paint_toasts(&u, state, &toasts);
    cairo_restore(cr);
}
