/* test_support.h — small helpers shared by the cmocka unit tests. */
#ifndef REELAY_TEST_SUPPORT_H
#define REELAY_TEST_SUPPORT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
/* cmocka needs the includes above first. */
#include <cmocka.h>
#include <jansson.h>

/* How many entries directory `dir` holds (without . and ..); a directory
 * that cannot be opened fails the test. */
int ts_dir_entries(const char *dir);

/* Parses JSON text (with JSON_ALLOW_NUL) or fails the test with jansson's message. */
json_t *ts_json(const char *text);

#include <cairo.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct reelay_session reelay_session;

typedef struct reelay_fonts reelay_fonts;

/* reelay's fonts, or the test fails with the loader's message. */
reelay_fonts *ts_fonts(void);
/* Group setup/teardown keeping ts_fonts() in *state. */
int ts_fonts_setup(void **state);
int ts_fonts_teardown(void **state);

/* The index of the window with this key, or the test fails. */
uint32_t ts_window_of(const reelay_session *session, const char *key);

/* An ARGB32 surface with every pixel set to value (premultiplied), so a
 * painter's reach shows as pixels that changed. */
cairo_surface_t *ts_filled_surface(int width, int height, uint32_t value);
/* Premultiplied ARGB32 pixel of an image surface; out of range fails the test. */
uint32_t ts_surface_pixel(cairo_surface_t *surface, int x, int y);

/* A transparent ARGB32 drawing surface for pixel probes. */
typedef struct ts_canvas {
    cairo_surface_t *surface;
    cairo_t *cr;
    int width, height;
} ts_canvas;

ts_canvas ts_canvas_new(int width, int height);
void ts_canvas_free(ts_canvas *canvas);
/* Premultiplied ARGB32 pixel. */
uint32_t ts_pixel(ts_canvas *canvas, int x, int y);
/* True when every pixel of [x0, x1) x [y0, y1) is fully transparent. */
bool ts_blank_rect(ts_canvas *canvas, int x0, int y0, int x1, int y1);

/* A session read from JSON text or a file, or the test fails with reelay's message. */
reelay_session *ts_session_from_text(const char *text);
reelay_session *ts_session_from_path(const char *path);

/* Reads a whole file under the source tree (tests run from the repository root). */
char *ts_read_text(const char *path, size_t *len);

#endif
