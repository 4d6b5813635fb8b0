/* text.h — fonts and text layout for every renderer (Pango on Cairo).
 * Owns: reelay's private fontconfig configuration (only the font directories
 * reelay installs, so frames are identical on every machine), the mapping of
 * Android/iOS/CSS family names to installed families, and drawing a run of
 * text in a box with wrapping, alignment, clipping and ellipsizing. */
#ifndef REELAY_PAINT_TEXT_H
#define REELAY_PAINT_TEXT_H

#include <cairo.h>
#include <stdbool.h>

#include "core/error.h"

typedef struct reelay_fonts reelay_fonts;

typedef struct reelay_rgba {
    double r, g, b, a; /* 0..1, not premultiplied */
} reelay_rgba;

typedef enum reelay_text_align {
    TEXT_ALIGN_START = 0,
    TEXT_ALIGN_CENTER,
    TEXT_ALIGN_END,
} reelay_text_align;

/* The face text takes when nothing names a family: the browser's default
 * font, which is a viewer's setting (Chrome on macOS and Windows: serif;
 * Chromium on Debian: sans-serif). */
typedef enum reelay_default_font {
    REELAY_DEFAULT_FONT_SERIF = 0,
    REELAY_DEFAULT_FONT_SANS,
} reelay_default_font;

/* The CSS generic family of a default font ("serif" or "sans-serif"). */
const char *reelay_default_font_family(reelay_default_font font);

typedef struct reelay_text_style {
    const char *family;    /* as recorded (e.g. "sans-serif-bold", ".SFUI-Regular"); NULL = browser default serif */
    double size;           /* px in user space; <= 0 means 16 */
    bool bold;
    reelay_rgba color;
    bool wrap;             /* wrap at word boundaries to the box width (else one line per paragraph) */
    bool keep_words;       /* when wrapping, never break inside a word (CSS overflow-wrap:normal):
                            * a word wider than the box overflows; else words break anywhere */
    bool break_chars;      /* when wrapping, break between any characters, filling each line (a browser
                            * breaking one long word anywhere, e.g. a URL); overrides keep_words */
    double indent;         /* the first line starts this far in (an inline box before the text) */
    bool ellipsize;        /* end with "…" when a single line does not fit */
    reelay_text_align halign; /* position of the text block in the box */
    reelay_text_align valign;
    reelay_text_align line_align; /* alignment of lines within the block */
    bool unclipped;        /* the caller clips (e.g. to a padding box larger than the text box) */
    bool device_metrics;   /* place lines as Chromium: font ascent and descent rounded to device
                            * pixels, baseline on a whole device pixel (web-like renderings) */
} reelay_text_style;

/* Sizes are clamped to this many user-space units: bigger ones only cost time. */
#define REELAY_TEXT_MAX_SIZE 1000.0

/* Loads reelay's font configuration. Fails with REELAY_E_INTERNAL when no
 * usable font is installed (scripts/install-deps.sh installs them). */
reelay_fonts *reelay_fonts_new(reelay_err *err);
/* A reelay_fonts keeps one reusable layout: use it from one thread at a time. */
void reelay_fonts_free(reelay_fonts *fonts);

/* The installed family a recorded family name maps to (never NULL). */
const char *reelay_fonts_family(const char *recorded, bool *bold);

/* Draws text inside the box (x, y, w, h) in the current user space of cr,
 * clipped to the box unless style->unclipped. Returns the height the text block needed. */
double reelay_text_draw(cairo_t *cr, reelay_fonts *fonts, const char *text, double x, double y, double w,
                        double h, const reelay_text_style *style);

/* Logical size of text laid out with style (wrapping to max_width when
 * style->wrap and max_width > 0). */
void reelay_text_measure(cairo_t *cr, reelay_fonts *fonts, const char *text, double max_width,
                         const reelay_text_style *style, double *width, double *height);

/* Distance from the top of the laid-out text (as reelay_text_measure lays
 * it out) to its first line's baseline. */
double reelay_text_baseline(cairo_t *cr, reelay_fonts *fonts, const char *text, double max_width,
                            const reelay_text_style *style);

/* Logical width of text on one line. */
double reelay_text_width(cairo_t *cr, reelay_fonts *fonts, const char *text, const reelay_text_style *style);

/* Width of text with every digit replaced by 0 (at most 95 bytes measured):
 * a clock's box then changes only with the shape of the text, never from
 * second to second. */
double reelay_text_digit_shape_width(cairo_t *cr, reelay_fonts *fonts, const char *text,
                                     const reelay_text_style *style);

#endif
