#include "renderers/paint/text.h"

#include <ctype.h>
#include <math.h>
#include <fontconfig/fontconfig.h>
#include <pango/pangocairo.h>
#include <pango/pangofc-fontmap.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct reelay_fonts {
    FcConfig *config;
    PangoFontMap *font_map;
    PangoContext *context;
    /* One layout reused by every call: renderers lay out hundreds of runs
     * per frame, and the font description rarely changes between them. */
    PangoLayout *layout;
    const char *desc_family; /* a static string from reelay_fonts_family */
    double desc_size;
    bool desc_bold;
};

/* Only the directories reelay's install script fills: the same files give the
 * same frames on every machine, whatever else the host has installed. */
static const char FONT_CONFIG_XML[] =
    "<?xml version=\"1.0\"?>\n"
    "<!DOCTYPE fontconfig SYSTEM \"urn:fontconfig:fonts.dtd\">\n"
    "<fontconfig>\n"
    "  <dir>/usr/share/fonts/truetype/noto</dir>\n"
    "  <dir>/usr/share/fonts/opentype/noto</dir>\n"
    "  <dir>/usr/share/fonts/truetype/dejavu</dir>\n"
    /* Pango asks for the generic family "emoji" for runs with emoji
     * presentation; without this alias fontconfig answers with the first
     * monochrome font that has the glyph, where browsers show colour emoji. */
    "  <match target=\"pattern\">\n"
    "    <test name=\"family\"><string>emoji</string></test>\n"
    "    <edit name=\"family\" mode=\"assign\" binding=\"strong\"><string>Noto Color Emoji</string></edit>\n"
    "  </match>\n"
    /* Colour emoji fonts are bitmaps of one size (109 px for Noto): scale
     * them to the requested pixel size through the font matrix, or Cairo
     * draws every emoji at the strike's size. */
    "  <match target=\"font\">\n"
    "    <test name=\"outline\"><bool>false</bool></test>\n"
    "    <test name=\"scalable\"><bool>true</bool></test>\n"
    "    <edit name=\"pixelsizefixupfactor\" mode=\"assign\">\n"
    "      <divide><name target=\"pattern\">pixelsize</name><name target=\"font\">pixelsize</name></divide>\n"
    "    </edit>\n"
    "    <edit name=\"matrix\" mode=\"assign\"><times><name>matrix</name><matrix>\n"
    "      <name>pixelsizefixupfactor</name><double>0</double><double>0</double><name>pixelsizefixupfactor</name>\n"
    "    </matrix></times></edit>\n"
    "    <edit name=\"size\" mode=\"assign\">\n"
    "      <divide><name>size</name><name>pixelsizefixupfactor</name></divide>\n"
    "    </edit>\n"
    "  </match>\n"
    "  <cachedir>/var/cache/fontconfig</cachedir>\n"
    "  <cachedir prefix=\"xdg\">fontconfig</cachedir>\n"
    "</fontconfig>\n";

reelay_fonts *reelay_fonts_new(reelay_err *err)
{
    reelay_fonts *fonts = calloc(1, sizeof *fonts);
    if (!fonts) {
        reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
        return NULL;
    }
    fonts->config = FcConfigCreate();
    if (!fonts->config ||
        !FcConfigParseAndLoadFromMemory(fonts->config, (const FcChar8 *)FONT_CONFIG_XML, FcTrue) ||
        !FcConfigBuildFonts(fonts->config)) {
        reelay_err_set(err, REELAY_E_INTERNAL, "cannot load reelay's font configuration");
        reelay_fonts_free(fonts);
        return NULL;
    }
    FcFontSet *set = FcConfigGetFonts(fonts->config, FcSetSystem);
    if (!set || set->nfont == 0) {
        reelay_err_set(err, REELAY_E_INTERNAL,
                       "no fonts found in /usr/share/fonts/{truetype,opentype}/noto or truetype/dejavu; "
                       "run scripts/install-deps.sh");
        reelay_fonts_free(fonts);
        return NULL;
    }
    fonts->font_map = pango_cairo_font_map_new_for_font_type(CAIRO_FONT_TYPE_FT);
    if (!fonts->font_map) {
        reelay_err_set(err, REELAY_E_INTERNAL, "Pango has no FreeType font map");
        reelay_fonts_free(fonts);
        return NULL;
    }
    pango_fc_font_map_set_config(PANGO_FC_FONT_MAP(fonts->font_map), fonts->config);
    fonts->context = pango_font_map_create_context(fonts->font_map);

    /* No hinting and unhinted metrics: layout is then independent of the
     * output scale, so a frame at 2x is the 1x frame magnified. */
    cairo_font_options_t *options = cairo_font_options_create();
    cairo_font_options_set_antialias(options, CAIRO_ANTIALIAS_GRAY);
    cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF);
    pango_cairo_context_set_font_options(fonts->context, options);
    cairo_font_options_destroy(options);
    pango_context_set_round_glyph_positions(fonts->context, FALSE);
    return fonts;
}

void reelay_fonts_free(reelay_fonts *fonts)
{
    if (!fonts) return;
    if (fonts->layout) g_object_unref(fonts->layout);
    if (fonts->context) g_object_unref(fonts->context);
    if (fonts->font_map) g_object_unref(fonts->font_map);
    if (fonts->config) FcConfigDestroy(fonts->config);
    free(fonts);
}

static bool contains_nocase(const char *haystack, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *p = haystack; *p; p++)
        if (strncasecmp(p, needle, n) == 0) return true;
    return false;
}

const char *reelay_fonts_family(const char *recorded, bool *bold)
{
    if (bold) *bold = false;
    /* No family anywhere: PostHog sets none, so the browser default applies. */
    if (!recorded || !recorded[0]) return "Noto Serif";
    /* A CSS list: the first entry decides. */
    char first[128];
    size_t len = strcspn(recorded, ",");
    if (len >= sizeof first) len = sizeof first - 1;
    memcpy(first, recorded, len);
    first[len] = '\0';
    if (bold && (contains_nocase(first, "bold") || contains_nocase(first, "heavy") || contains_nocase(first, "black")))
        *bold = true;
    if (contains_nocase(first, "mono") || contains_nocase(first, "courier") || contains_nocase(first, "menlo"))
        return "DejaVu Sans Mono";
    if (contains_nocase(first, "sans")) return "Noto Sans";
    if (contains_nocase(first, "serif") || contains_nocase(first, "times") || contains_nocase(first, "georgia"))
        return "Noto Serif";
    /* iOS system families (.SFUI-*, .AppleSystemUIFont, Helvetica), Roboto,
     * Arial and anything unknown: a neutral sans-serif. */
    return "Noto Sans";
}

const char *reelay_default_font_family(reelay_default_font font)
{
    return font == REELAY_DEFAULT_FONT_SANS ? "sans-serif" : "serif";
}

static PangoAlignment pango_alignment(reelay_text_align align)
{
    switch (align) {
    case TEXT_ALIGN_CENTER: return PANGO_ALIGN_CENTER;
    case TEXT_ALIGN_END: return PANGO_ALIGN_RIGHT;
    case TEXT_ALIGN_START: break;
    }
    return PANGO_ALIGN_LEFT;
}

/* Lays text out in the shared layout (borrowed; valid until the next call). */
static PangoLayout *make_layout(cairo_t *cr, reelay_fonts *fonts, const char *text, double max_width,
                                const reelay_text_style *style)
{
    pango_cairo_update_context(cr, fonts->context);
    if (!fonts->layout) {
        fonts->layout = pango_layout_new(fonts->context);
        fonts->desc_family = NULL;
        /* Browsers do not hyphenate unless told to (hyphens:manual). */
        PangoAttrList *attrs = pango_attr_list_new();
        pango_attr_list_insert(attrs, pango_attr_insert_hyphens_new(FALSE));
        pango_layout_set_attributes(fonts->layout, attrs);
        pango_attr_list_unref(attrs);
    } else {
        pango_layout_context_changed(fonts->layout);
    }
    PangoLayout *layout = fonts->layout;
    bool bold_family = false;
    const char *family = reelay_fonts_family(style->family, &bold_family);
    bool bold = style->bold || bold_family;
    double size = style->size > 0 ? style->size : 16.0;
    if (!(size <= REELAY_TEXT_MAX_SIZE)) size = REELAY_TEXT_MAX_SIZE;
    if (family != fonts->desc_family || size != fonts->desc_size || bold != fonts->desc_bold) {
        PangoFontDescription *desc = pango_font_description_new();
        pango_font_description_set_family_static(desc, family);
        pango_font_description_set_weight(desc, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
        pango_font_description_set_absolute_size(desc, size * PANGO_SCALE);
        pango_layout_set_font_description(layout, desc);
        pango_font_description_free(desc);
        fonts->desc_family = family;
        fonts->desc_size = size;
        fonts->desc_bold = bold;
    }

    pango_layout_set_text(layout, text, -1);
    pango_layout_set_alignment(layout, pango_alignment(style->line_align));
    pango_layout_set_width(layout, -1);
    pango_layout_set_indent(layout, (int)(style->indent * PANGO_SCALE));
    pango_layout_set_ellipsize(layout, PANGO_ELLIPSIZE_NONE);
    /* Pango widths are ints in 1/1024 units; wider boxes than this are clipped anyway. */
    if (max_width > 1e6) max_width = 1e6;
    if (max_width > 0 && (style->wrap || style->ellipsize)) {
        pango_layout_set_width(layout, (int)(max_width * PANGO_SCALE));
        if (style->wrap) {
            pango_layout_set_wrap(layout, style->break_chars  ? PANGO_WRAP_CHAR
                                          : style->keep_words ? PANGO_WRAP_WORD
                                                              : PANGO_WRAP_WORD_CHAR);
        } else {
            pango_layout_set_ellipsize(layout, PANGO_ELLIPSIZE_END);
        }
    }
    return layout;
}

void reelay_text_measure(cairo_t *cr, reelay_fonts *fonts, const char *text, double max_width,
                         const reelay_text_style *style, double *width, double *height)
{
    *width = *height = 0;
    if (!text || !text[0]) return;
    PangoLayout *layout = make_layout(cr, fonts, text, max_width, style);
    PangoRectangle logical;
    pango_layout_get_extents(layout, NULL, &logical);
    *width = (double)logical.width / PANGO_SCALE;
    *height = (double)logical.height / PANGO_SCALE;
}

double reelay_text_baseline(cairo_t *cr, reelay_fonts *fonts, const char *text, double max_width,
                            const reelay_text_style *style)
{
    if (!text || !text[0]) return 0;
    PangoLayout *layout = make_layout(cr, fonts, text, max_width, style);
    return (double)pango_layout_get_baseline(layout) / PANGO_SCALE;
}

static double place(double start, double room, double size, reelay_text_align align)
{
    switch (align) {
    case TEXT_ALIGN_CENTER: return start + (room - size) / 2.0;
    case TEXT_ALIGN_END: return start + room - size;
    case TEXT_ALIGN_START: break;
    }
    return start;
}

/* Where the layout's top goes so that its first baseline lies where
 * Chromium puts it: Blink rounds a font's ascent and descent to whole device
 * pixels, places the line box of that height, and draws the baseline on a
 * whole device pixel. Blocks of several lines are placed by their own
 * height, corrected by one line's rounding. */
static double device_metrics_top(cairo_t *cr, PangoLayout *layout, double y, double h, double block_h,
                                 reelay_text_align valign)
{
    double sx = 0, scale = 1;
    cairo_user_to_device_distance(cr, &sx, &scale);
    scale = fabs(scale);
    PangoRectangle line;
    pango_layout_line_get_extents(pango_layout_get_line_readonly(layout, 0), NULL, &line);
    double ascent = -(double)line.y / PANGO_SCALE, descent = (double)(line.y + line.height) / PANGO_SCALE;
    double baseline = (double)pango_layout_get_baseline(layout) / PANGO_SCALE;
    if (!(scale > 0) || !isfinite(scale) || !(ascent > 0)) return place(y, h, block_h, valign);
    double device_ascent = round(ascent * scale) / scale, device_descent = round(descent * scale) / scale;
    double line_box = place(y, h, block_h + device_ascent + device_descent - ascent - descent, valign);
    double bx = 0, by = line_box + device_ascent;
    cairo_user_to_device(cr, &bx, &by);
    by = floor(by + 1e-6);
    cairo_device_to_user(cr, &bx, &by);
    return by - baseline;
}

double reelay_text_draw(cairo_t *cr, reelay_fonts *fonts, const char *text, double x, double y, double w,
                        double h, const reelay_text_style *style)
{
    /* An unclipped run may overflow an empty box (a zero-height bar's clock). */
    if (!text || !text[0] || w <= 0 || (h <= 0 && !style->unclipped) || !(h >= 0)) return 0;
    PangoLayout *layout = make_layout(cr, fonts, text, w, style);
    PangoRectangle logical;
    pango_layout_get_extents(layout, NULL, &logical);
    double block_w = (double)logical.width / PANGO_SCALE;
    double block_h = (double)logical.height / PANGO_SCALE;
    /* With a set width, Pango positions lines inside that width; the block's
     * own left edge is logical.x. */
    double offset_x = (double)logical.x / PANGO_SCALE;

    double top = style->device_metrics ? device_metrics_top(cr, layout, y, h, block_h, style->valign)
                                       : place(y, h, block_h, style->valign);
    cairo_save(cr);
    if (!style->unclipped) {
        cairo_rectangle(cr, x, y, w, h);
        cairo_clip(cr);
    }
    cairo_set_source_rgba(cr, style->color.r, style->color.g, style->color.b, style->color.a);
    cairo_move_to(cr, place(x, w, block_w, style->halign) - offset_x, top);
    pango_cairo_show_layout(cr, layout);
    cairo_restore(cr);
    return block_h;
}

double reelay_text_width(cairo_t *cr, reelay_fonts *fonts, const char *text, const reelay_text_style *style)
{
    double width, height;
    reelay_text_measure(cr, fonts, text, 0, style, &width, &height);
    return width;
}

double reelay_text_digit_shape_width(cairo_t *cr, reelay_fonts *fonts, const char *text,
                                     const reelay_text_style *style)
{
    char shape[96];
    size_t n = strlen(text);
    if (n >= sizeof shape) n = sizeof shape - 1;
    for (size_t i = 0; i < n; i++) shape[i] = text[i] >= '0' && text[i] <= '9' ? '0' : text[i];
    shape[n] = '\0';
    return reelay_text_width(cr, fonts, shape, style);
}
