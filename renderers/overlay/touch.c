#include "renderers/overlay/touch.h"

#include <math.h>

#include "renderers/paint/draw.h"

static void paint_ring(cairo_t *cr, const reelay_touch_state *s)
{
    double half = REELAY_TOUCH_RING_SIZE / 2;
    double cx = s->x - REELAY_TOUCH_RING_MARGIN + half;
    double cy = s->y - REELAY_TOUCH_RING_MARGIN + half;
    /* Stroke along the middle of the border so it covers [half - border, half]. */
    cairo_new_path(cr);
    cairo_arc(cr, cx, cy, half - REELAY_TOUCH_RING_BORDER / 2, 0, 2 * REELAY_PI);
    cairo_set_line_width(cr, REELAY_TOUCH_RING_BORDER);
    reelay_rgba colour = reelay_rgb_hex(0x4950F6);
    colour.a = s->ring_alpha;
    reelay_set_source(cr, colour);
    cairo_stroke(cr);
}

static void paint_tail(cairo_t *cr, const reelay_touch_state *s)
{
    /* The canvas prunes zero-length segments, where cairo would draw round
     * caps as dots: repeated points are left out of the path. */
    const reelay_touch_point *last = &s->tail[0];
    cairo_new_path(cr);
    cairo_move_to(cr, last->x, last->y);
    for (size_t i = 1; i < s->tail_count; i++) {
        const reelay_touch_point *p = &s->tail[i];
        if (p->x == last->x && p->y == last->y) continue;
        cairo_line_to(cr, p->x, p->y);
        last = p;
    }
    cairo_set_line_width(cr, REELAY_TOUCH_TAIL_WIDTH);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_MITER);
    cairo_set_miter_limit(cr, 10); /* the canvas default */
    reelay_set_source(cr, reelay_rgb_hex(0xFF0000));
    cairo_stroke(cr);
}

void reelay_paint_touch(cairo_t *cr, const reelay_touch_state *state)
{
    if (!cr || !state || !state->active) return;
    bool ring = state->ring_visible && state->has_position && state->ring_alpha > 0 && isfinite(state->x) &&
                isfinite(state->y);
    bool tail = state->tail_visible && state->tail && state->tail_count >= 2;
    if (!ring && !tail) return;
    cairo_save(cr);
    if (ring) paint_ring(cr, state);
    if (tail) paint_tail(cr, state);
    cairo_restore(cr);
}
