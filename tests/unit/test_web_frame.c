/* The web interaction view through the frame maker: what the recording's
 * data does and does not put into pixels. Masking is proven by invariance:
 * two sessions that differ only in a typed value give identical masked
 * frames, and different unmasked ones (so the value is on screen at all). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <cairo.h>

#include "renderers/frame/frame.h"
#include "renderers/web/interaction.h"
#include "session/session.h"
#include "test_support.h"

#define WEB "fixtures/web/shop-checkout.rrweb.json"
#define PORTABLE "fixtures/portable/signup.json"

/* The frame at session time t (ms from the start) at the logical size. */
static cairo_surface_t *paint_at(const reelay_session *session, double t_ms, unsigned overlays, bool unmask)
{
    reelay_err err;
    reelay_err_clear(&err);
    reelay_frame_options options = {.unmask_inputs = unmask};
    reelay_frame_maker *maker = reelay_frame_maker_new(session, &options, &err);
    if (!maker) fail_msg("maker: %s", err.msg);
    reelay_frame_maker_set_overlays(maker, overlays);
    assert_int_equal(reelay_frame_maker_seek(maker, session->first_ts + t_ms, NULL, &err), REELAY_OK);
    double vw, vh;
    assert_true(reelay_frame_maker_viewport(maker, &vw, &vh));
    cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)vw, (int)vh);
    reelay_frame_info info;
    assert_int_equal(reelay_frame_maker_paint(maker, surface, &info, &err), REELAY_OK);
    assert_true(info.has_content);
    reelay_frame_maker_free(maker);
    return surface;
}

static bool same_pixels(cairo_surface_t *a, cairo_surface_t *b)
{
    int h = cairo_image_surface_get_height(a), stride = cairo_image_surface_get_stride(a);
    if (h != cairo_image_surface_get_height(b) || stride != cairo_image_surface_get_stride(b)) return false;
    return memcmp(cairo_image_surface_get_data(a), cairo_image_surface_get_data(b), (size_t)h * (size_t)stride) == 0;
}

/* Pixels that differ within the box (x0, y0)-(x1, y1). */
static int differing_in(cairo_surface_t *a, cairo_surface_t *b, int x0, int y0, int x1, int y1)
{
    int n = 0;
    int w = cairo_image_surface_get_width(a), h = cairo_image_surface_get_height(a);
    for (int y = y0 < 0 ? 0 : y0; y < y1 && y < h; y++)
        for (int x = x0 < 0 ? 0 : x0; x < x1 && x < w; x++)
            if (ts_surface_pixel(a, x, y) != ts_surface_pixel(b, x, y)) n++;
    return n;
}

/* The recorded value of the session's last input event that was typed
 * (not redacted), and that event. */
static reelay_event *last_typed_input(reelay_session *session)
{
    reelay_event *found = NULL;
    for (size_t i = 0; i < session->event_count; i++) {
        reelay_event *ev = &session->events[i];
        if (ev->kind == EV_INPUT && ev->u.input.text && strlen(ev->u.input.text) > 3 &&
            strcmp(ev->u.input.text, "[REDACTED]") != 0)
            found = ev;
    }
    return found;
}

/* Same length, other characters: what a different user might have typed. */
static char *other_value(const char *value)
{
    size_t n = strlen(value);
    char *other = malloc(n + 1);
    assert_non_null(other);
    for (size_t i = 0; i < n; i++) other[i] = value[i] == 'x' ? 'y' : 'x';
    other[n] = '\0';
    return other;
}

static void check_masking(const char *path)
{
    reelay_session *a = ts_session_from_path(path), *b = ts_session_from_path(path);
    reelay_event *typed_a = last_typed_input(a), *typed_b = last_typed_input(b);
    assert_non_null(typed_a);
    assert_non_null(typed_b);
    char *other = other_value(typed_b->u.input.text);
    typed_b->u.input.text = other;
    double t = typed_a->timestamp - a->first_ts + 150;

    cairo_surface_t *masked_a = paint_at(a, t, REELAY_OVERLAY_ALL, false);
    cairo_surface_t *masked_b = paint_at(b, t, REELAY_OVERLAY_ALL, false);
    cairo_surface_t *shown_a = paint_at(a, t, REELAY_OVERLAY_ALL, true);
    cairo_surface_t *shown_b = paint_at(b, t, REELAY_OVERLAY_ALL, true);
    if (same_pixels(shown_a, shown_b)) fail_msg("%s: the typed value is not on screen at %.0f ms", path, t);
    if (!same_pixels(masked_a, masked_b)) fail_msg("%s: a masked frame depends on the typed value", path);
    cairo_surface_destroy(masked_a);
    cairo_surface_destroy(masked_b);
    cairo_surface_destroy(shown_a);
    cairo_surface_destroy(shown_b);
    free(other);
    reelay_session_free(a);
    reelay_session_free(b);
}

static void test_masking_web(void **state)
{
    (void)state;
    check_masking(WEB);
}

static void test_masking_portable(void **state)
{
    (void)state;
    check_masking(PORTABLE);
}

/* The URL bar shows the recorded URL: another URL, other chrome pixels, and
 * the page below the chrome untouched. */
static void test_url_reaches_the_chrome(void **state)
{
    (void)state;
    reelay_session *a = ts_session_from_path(PORTABLE), *b = ts_session_from_path(PORTABLE);
    bool changed = false;
    for (size_t i = 0; i < b->event_count; i++) {
        reelay_event *ev = &b->events[i];
        if (ev->kind == EV_META && ev->u.meta.href) {
            ev->u.meta.href = "https://other.example.test/elsewhere";
            changed = true;
        }
    }
    assert_true(changed);
    cairo_surface_t *sa = paint_at(a, 1000, REELAY_OVERLAY_NONE, false);
    cairo_surface_t *sb = paint_at(b, 1000, REELAY_OVERLAY_NONE, false);
    int w = cairo_image_surface_get_width(sa), h = cairo_image_surface_get_height(sa);
    assert_true(differing_in(sa, sb, 0, 0, w, (int)REELAY_WEB_CHROME_HEIGHT) > 50);
    assert_int_equal(differing_in(sa, sb, 0, (int)REELAY_WEB_CHROME_HEIGHT, w, h), 0);
    cairo_surface_destroy(sa);
    cairo_surface_destroy(sb);
    reelay_session_free(a);
    reelay_session_free(b);
}

/* At a click, the pointer overlay (cursor and ripple) is drawn around the
 * recorded position, below the chrome, and nowhere far from it. */
static void test_pointer_at_recorded_click(void **state)
{
    (void)state;
    const char *paths[] = {WEB, PORTABLE};
    for (size_t p = 0; p < 2; p++) {
        reelay_session *session = ts_session_from_path(paths[p]);
        const reelay_event *click = NULL;
        for (size_t i = 0; i < session->event_count && !click; i++) {
            const reelay_event *ev = &session->events[i];
            if (ev->kind == EV_INTERACTION && ev->u.interaction.type == RR_CLICK && ev->u.interaction.has_xy)
                click = ev;
        }
        assert_non_null(click);
        double t = click->timestamp - session->first_ts + 100;
        cairo_surface_t *with = paint_at(session, t, REELAY_OVERLAY_POINTER, false);
        cairo_surface_t *without = paint_at(session, t, REELAY_OVERLAY_NONE, false);
        int x = (int)click->u.interaction.x, y = (int)(click->u.interaction.y + REELAY_WEB_CHROME_HEIGHT);
        int w = cairo_image_surface_get_width(with), h = cairo_image_surface_get_height(with);
        int near = differing_in(with, without, x - 40, y - 40, x + 40, y + 40);
        int all = differing_in(with, without, 0, 0, w, h);
        if (near < 30) fail_msg("%s: %d changed pixels near the click at %d,%d", paths[p], near, x, y);
        /* A scroll indicator may be on too; the rest stays near the click. */
        if (all - near > near * 4) fail_msg("%s: %d of %d changed pixels far from the click", paths[p], all - near, all);
        cairo_surface_destroy(with);
        cairo_surface_destroy(without);
        reelay_session_free(session);
    }
}

/* The render loop repaints only when a seek reports a change or the last
 * paint said something animates. Walked at 12 fps through whole sessions,
 * that must give the same pixels as painting every instant afresh. */
static void check_change_detection(const char *path, bool expect_skips)
{
    reelay_session *session = ts_session_from_path(path);
    reelay_err err;
    reelay_frame_maker *lazy = reelay_frame_maker_new(session, NULL, &err);
    reelay_frame_maker *fresh = reelay_frame_maker_new(session, NULL, &err);
    assert_non_null(lazy);
    assert_non_null(fresh);
    reelay_frame_maker_set_overlays(lazy, REELAY_OVERLAY_ALL);
    reelay_frame_maker_set_overlays(fresh, REELAY_OVERLAY_ALL);
    cairo_surface_t *kept = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 320, 200);
    cairo_surface_t *now = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 320, 200);
    bool animates = true;
    int repainted = 0, steps = 0;
    for (double t = session->first_ts; t <= session->last_ts; t += 1000.0 / 12, steps++) {
        bool changed = false;
        assert_int_equal(reelay_frame_maker_seek(lazy, t, &changed, &err), REELAY_OK);
        if (changed || animates) {
            reelay_frame_info info;
            assert_int_equal(reelay_frame_maker_paint(lazy, kept, &info, &err), REELAY_OK);
            animates = info.animates;
            repainted++;
        }
        assert_int_equal(reelay_frame_maker_seek(fresh, t, NULL, &err), REELAY_OK);
        assert_int_equal(reelay_frame_maker_paint(fresh, now, NULL, &err), REELAY_OK);
        if (!same_pixels(kept, now)) fail_msg("%s: stale frame at %.3f s", path, (t - session->first_ts) / 1000);
    }
    /* ...and it does skip work: still stretches are not repainted. */
    if (expect_skips && repainted >= steps) fail_msg("%s: every one of %d frames was repainted", path, steps);
    cairo_surface_destroy(kept);
    cairo_surface_destroy(now);
    reelay_frame_maker_free(lazy);
    reelay_frame_maker_free(fresh);
    reelay_session_free(session);
}

static void test_change_detection(void **state)
{
    (void)state;
    check_change_detection(WEB, true);
    check_change_detection(PORTABLE, true);
    /* 2.6 s of clicks, ripples and toasts: everything animates. */
    check_change_detection("fixtures/golden/web-rage.json", false);
}

/* Same session, same time: same pixels. */
static void test_deterministic(void **state)
{
    (void)state;
    reelay_session *session = ts_session_from_path(WEB);
    cairo_surface_t *a = paint_at(session, 9000, REELAY_OVERLAY_ALL, false);
    cairo_surface_t *b = paint_at(session, 9000, REELAY_OVERLAY_ALL, false);
    assert_true(same_pixels(a, b));
    cairo_surface_destroy(a);
    cairo_surface_destroy(b);
    reelay_session_free(session);
}

/* Painted at t with fonts (NULL: the maker loads its own). */
static cairo_surface_t *paint_with_fonts(const reelay_session *session, double t_ms, reelay_fonts *fonts)
{
    reelay_err err;
    reelay_err_clear(&err);
    reelay_frame_options options = {.fonts = fonts};
    reelay_frame_maker *maker = reelay_frame_maker_new(session, &options, &err);
    if (!maker) fail_msg("maker: %s", err.msg);
    if (fonts) assert_ptr_equal(reelay_frame_maker_fonts(maker), fonts);
    reelay_frame_maker_set_overlays(maker, REELAY_OVERLAY_ALL);
    assert_int_equal(reelay_frame_maker_seek(maker, session->first_ts + t_ms, NULL, &err), REELAY_OK);
    cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 320, 240);
    reelay_frame_info info;
    assert_int_equal(reelay_frame_maker_paint(maker, surface, &info, &err), REELAY_OK);
    assert_true(info.has_content);
    reelay_frame_maker_free(maker);
    return surface;
}

/* Fonts passed in the options are borrowed: frames are the same as with the
 * maker's own fonts, and the set outlives (and is shared by) several makers,
 * web and mobile (ASan would catch a maker freeing it). */
static void test_borrowed_fonts(void **state)
{
    (void)state;
    reelay_fonts *fonts = ts_fonts();
    const char *paths[] = {WEB, "fixtures/mobile/android-shop.export.json"};
    for (size_t p = 0; p < 2; p++) {
        reelay_session *session = ts_session_from_path(paths[p]);
        cairo_surface_t *own = paint_with_fonts(session, 9000, NULL);
        for (int round = 0; round < 2; round++) {
            cairo_surface_t *shared = paint_with_fonts(session, 9000, fonts);
            assert_true(same_pixels(own, shared));
            cairo_surface_destroy(shared);
        }
        cairo_surface_destroy(own);
        reelay_session_free(session);
    }
    reelay_fonts_free(fonts);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_masking_web),
        cmocka_unit_test(test_masking_portable),
        cmocka_unit_test(test_url_reaches_the_chrome),
        cmocka_unit_test(test_pointer_at_recorded_click),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_change_detection),
        cmocka_unit_test(test_borrowed_fonts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
