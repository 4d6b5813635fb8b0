#include "test_support.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/ingest.h"
#include "renderers/paint/text.h"
#include "session/session.h"

json_t *ts_json(const char *text)
{
    json_error_t error;
    json_t *value = json_loads(text, JSON_ALLOW_NUL, &error);
    if (!value) fail_msg("bad JSON in test: line %d column %d: %s", error.line, error.column, error.text);
    return value;
}

char *ts_read_text(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) fail_msg("cannot open %s", path);
    fseek(fp, 0, SEEK_END);
    long size = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *data = malloc((size_t)size + 1);
    assert_non_null(data);
    size_t n = fread(data, 1, (size_t)size, fp);
    fclose(fp);
    data[n] = '\0';
    if (len) *len = n;
    return data;
}

reelay_session *ts_session_from_text(const char *text)
{
    reelay_session *session = NULL;
    reelay_err err;
    reelay_err_clear(&err);
    if (reelay_ingest_memory((const unsigned char *)text, strlen(text), "test", NULL, &session, &err) != REELAY_OK)
        fail_msg("ingest failed: %s", err.msg);
    return session;
}

reelay_session *ts_session_from_path(const char *path)
{
    reelay_session *session = NULL;
    reelay_err err;
    reelay_err_clear(&err);
    if (reelay_ingest_path(path, NULL, &session, &err) != REELAY_OK) fail_msg("ingest failed: %s", err.msg);
    return session;
}

reelay_fonts *ts_fonts(void)
{
    reelay_err err;
    reelay_err_clear(&err);
    reelay_fonts *fonts = reelay_fonts_new(&err);
    if (!fonts) fail_msg("fonts: %s", err.msg);
    return fonts;
}

int ts_fonts_setup(void **state)
{
    *state = ts_fonts();
    return 0;
}

int ts_fonts_teardown(void **state)
{
    reelay_fonts_free(*state);
    return 0;
}

uint32_t ts_window_of(const reelay_session *session, const char *key)
{
    for (size_t i = 0; i < session->window_count; i++)
        if (strcmp(session->windows[i].key, key) == 0) return (uint32_t)i;
    fail_msg("no window %s", key);
    return 0;
}

ts_canvas ts_canvas_new(int width, int height)
{
    ts_canvas canvas = {.width = width, .height = height};
    canvas.surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width, height);
    canvas.cr = cairo_create(canvas.surface);
    assert_int_equal(cairo_status(canvas.cr), CAIRO_STATUS_SUCCESS);
    return canvas;
}

void ts_canvas_free(ts_canvas *canvas)
{
    cairo_destroy(canvas->cr);
    cairo_surface_destroy(canvas->surface);
}

cairo_surface_t *ts_filled_surface(int width, int height, uint32_t value)
{
    cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width, height);
    assert_int_equal(cairo_surface_status(surface), CAIRO_STATUS_SUCCESS);
    cairo_surface_flush(surface);
    unsigned char *data = cairo_image_surface_get_data(surface);
    int stride = cairo_image_surface_get_stride(surface);
    for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++) memcpy(data + (size_t)y * (size_t)stride + (size_t)x * 4, &value, 4);
    cairo_surface_mark_dirty(surface);
    return surface;
}

uint32_t ts_surface_pixel(cairo_surface_t *surface, int x, int y)
{
    assert_true(x >= 0 && y >= 0 && x < cairo_image_surface_get_width(surface) &&
                y < cairo_image_surface_get_height(surface));
    cairo_surface_flush(surface);
    const unsigned char *data = cairo_image_surface_get_data(surface);
    int stride = cairo_image_surface_get_stride(surface);
    uint32_t value;
    memcpy(&value, data + (size_t)y * (size_t)stride + (size_t)x * 4, 4);
    return value;
}

uint32_t ts_pixel(ts_canvas *canvas, int x, int y)
{
    return ts_surface_pixel(canvas->surface, x, y);
}

bool ts_blank_rect(ts_canvas *canvas, int x0, int y0, int x1, int y1)
{
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++)
            if (ts_pixel(canvas, x, y)) return false;
    return true;
}

int ts_dir_entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *entry;
    while ((entry = readdir(d)))
        if (strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0) n++;
    closedir(d);
    return n;
}
