#include "session/timeline.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "session/activity.h"

struct reelay_timeline {
    reelay_timeline_segment *segments;
    size_t count;
    double duration_ms;
    double speed;
    bool skip_idle;
    bool highlights; /* built by reelay_timeline_build_highlights */
    double shown_start, shown_end; /* epoch ms */
    double skipped_ms;
};

/* A stretch of session time that skip-idle would not show. */
typedef struct cut {
    double from, to;
} cut;

reelay_timeline_options reelay_timeline_defaults(void)
{
    return (reelay_timeline_options){
        .skip_idle = true,
        .speed = 1.0,
        .from_ms = 0.0,
        .to_ms = -1.0,
        .idle_threshold_ms = REELAY_ACTIVITY_THRESHOLD_MS,
        .card_ms = REELAY_TIMELINE_CARD_MS,
    };
}

static int check_options(const reelay_timeline_options *o, double length_ms, reelay_err *err)
{
    if (!isfinite(o->speed) || o->speed <= 0)
        return reelay_err_set(err, REELAY_E_USAGE, "--speed must be a number above 0 (got %g)", o->speed);
    if (!isfinite(o->idle_threshold_ms) || o->idle_threshold_ms <= 0)
        return reelay_err_set(err, REELAY_E_USAGE, "the idle threshold must be above 0 ms (got %g)",
                              o->idle_threshold_ms);
    if (!isfinite(o->card_ms) || o->card_ms < 0)
        return reelay_err_set(err, REELAY_E_USAGE, "the skip card length must be 0 ms or more (got %g)", o->card_ms);
    if (!isfinite(o->from_ms) || o->from_ms < 0)
        return reelay_err_set(err, REELAY_E_USAGE, "--from must be 0 or later (got %g s)", o->from_ms / 1000.0);
    if (!isfinite(o->to_ms)) return reelay_err_set(err, REELAY_E_USAGE, "--to must be a time (got %g)", o->to_ms);
    /* A zero-length session can still be shown as one frame from 0. */
    if (o->from_ms > length_ms || (o->from_ms == length_ms && length_ms > 0))
        return reelay_err_set(err, REELAY_E_USAGE, "--from %.3f s is not before the end of the session (%.3f s long)",
                              o->from_ms / 1000.0, length_ms / 1000.0);
    if (o->to_ms >= 0 && o->to_ms <= o->from_ms)
        return reelay_err_set(err, REELAY_E_USAGE, "--to %.3f s must be after --from %.3f s", o->to_ms / 1000.0,
                              o->from_ms / 1000.0);
    return REELAY_OK;
}

/* The stretches skip-idle would not show, in time order over the whole
 * session: idle before the first activity, between activities (longer than the
 * threshold), after the last. Nothing when the session has no activity. */
static int find_cuts(const reelay_session *session, double threshold_ms, cut **out, size_t *count, reelay_err *err)
{
    *out = NULL;
    *count = 0;
    reelay_segment *segments = NULL;
    size_t segment_count = 0;
    int rc = reelay_activity_segments(session, threshold_ms, &segments, &segment_count, err);
    if (rc != REELAY_OK) return rc;

    /* At most one cut before, between and after the active segments. */
    cut *cuts = malloc((segment_count + 1) * sizeof *cuts);
    if (!cuts) {
        free(segments);
        return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    }
    size_t n = 0;
    const reelay_segment *previous = NULL;
    for (size_t i = 0; i < segment_count; i++) {
        const reelay_segment *s = &segments[i];
        if (!s->active) continue;
        cut c = {previous ? previous->end_ts + REELAY_TIMELINE_TAIL_MS : session->first_ts,
                 s->start_ts - REELAY_TIMELINE_LEAD_MS};
        bool idle = !previous || s->start_ts - previous->end_ts > threshold_ms;
        if (idle && c.to > c.from) cuts[n++] = c;
        previous = s;
    }
    if (previous && session->last_ts > previous->end_ts + REELAY_TIMELINE_TAIL_MS)
        cuts[n++] = (cut){previous->end_ts + REELAY_TIMELINE_TAIL_MS, session->last_ts};
    free(segments);
    *out = cuts;
    *count = n;
    return REELAY_OK;
}

static void add_segment(reelay_timeline *t, reelay_timeline_kind kind, double session_start, double session_end,
                        double out_length)
{
    reelay_timeline_segment *s = &t->segments[t->count++];
    s->kind = kind;
    s->out_start_ms = t->duration_ms;
    s->out_end_ms = t->duration_ms + out_length;
    s->session_start = session_start;
    s->session_end = session_end;
    t->duration_ms = s->out_end_ms;
}

/* Lays the clip [clip_from, clip_to] out as PLAY and SKIP segments; cuts are
 * sorted and disjoint. */
static void lay_out(reelay_timeline *t, const reelay_timeline_options *o, const cut *cuts, size_t cut_count,
                    double clip_from, double clip_to)
{
    double shown_start = clip_from, shown_end = clip_to;
    for (size_t i = 0; i < cut_count; i++) {
        double lo = fmax(cuts[i].from, clip_from), hi = fmin(cuts[i].to, clip_to);
        if (hi <= lo) continue;
        if (lo == clip_from && hi == clip_to) {
            /* The clip is all idle: skipping would leave nothing, so show it. */
            shown_start = clip_from;
            shown_end = clip_to;
            cut_count = 0;
            break;
        }
        if (lo == clip_from) shown_start = hi;
        if (hi == clip_to) shown_end = lo;
    }
    t->shown_start = shown_start;
    t->shown_end = shown_end;

    double cursor = shown_start;
    for (size_t i = 0; i < cut_count; i++) {
        const cut *c = &cuts[i];
        if (c->from <= shown_start || c->to >= shown_end) continue; /* trimmed, or outside the clip */
        /* A card is worth it only when it saves real viewing time. */
        if ((c->to - c->from) / o->speed < REELAY_TIMELINE_MIN_CUT_CARDS * o->card_ms) continue;
        add_segment(t, REELAY_TL_PLAY, cursor, c->from, (c->from - cursor) / o->speed);
        add_segment(t, REELAY_TL_SKIP, c->from, c->to, o->card_ms);
        t->skipped_ms += c->to - c->from;
        cursor = c->to;
    }
    add_segment(t, REELAY_TL_PLAY, cursor, shown_end, (shown_end - cursor) / o->speed);
}

int reelay_timeline_clip(const reelay_session *session, const reelay_timeline_options *options, double *from,
                         double *to, reelay_err *err)
{
    reelay_timeline_options o = options ? *options : reelay_timeline_defaults();
    double length_ms = session->last_ts - session->first_ts;
    int rc = check_options(&o, length_ms, err);
    if (rc != REELAY_OK) return rc;
    *from = session->first_ts + o.from_ms;
    *to = session->first_ts + (o.to_ms < 0 ? length_ms : fmin(o.to_ms, length_ms));
    return REELAY_OK;
}

int reelay_timeline_build(const reelay_session *session, const reelay_timeline_options *options,
                          reelay_timeline **out, reelay_err *err)
{
    *out = NULL;
    reelay_timeline_options o = options ? *options : reelay_timeline_defaults();
    double clip_from, clip_to;
    int rc = reelay_timeline_clip(session, &o, &clip_from, &clip_to, err);
    if (rc != REELAY_OK) return rc;

    cut *cuts = NULL;
    size_t cut_count = 0;
    if (o.skip_idle) {
        rc = find_cuts(session, o.idle_threshold_ms, &cuts, &cut_count, err);
        if (rc != REELAY_OK) return rc;
    }
    reelay_timeline *t = calloc(1, sizeof *t);
    /* Each card brings one PLAY before it; one PLAY ends the list. */
    reelay_timeline_segment *segments = calloc(2 * cut_count + 1, sizeof *segments);
    if (!t || !segments) {
        free(t);
        free(segments);
        free(cuts);
        return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    }
    t->segments = segments;
    t->speed = o.speed;
    t->skip_idle = o.skip_idle;
    lay_out(t, &o, cuts, cut_count, clip_from, clip_to);
    free(cuts);
    *out = t;
    return REELAY_OK;
}

int reelay_timeline_build_highlights(const reelay_session *session, const reelay_timeline_options *options,
                                     const reelay_highlights *highlights, reelay_timeline **out, reelay_err *err)
{
    *out = NULL;
    reelay_timeline_options o = options ? *options : reelay_timeline_defaults();
    double clip_from, clip_to;
    int rc = reelay_timeline_clip(session, &o, &clip_from, &clip_to, err);
    if (rc != REELAY_OK) return rc;
    size_t n = highlights->count;
    if (n == 0) return reelay_err_set(err, REELAY_E_INPUT, "no highlights found");
    reelay_timeline *t = calloc(1, sizeof *t);
    reelay_timeline_segment *segments = calloc(2 * n, sizeof *segments);
    if (!t || !segments) {
        free(t);
        free(segments);
        return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    }
    t->segments = segments;
    t->speed = o.speed;
    t->highlights = true;
    const reelay_highlight *h = highlights->items;
    t->shown_start = h[0].start;
    t->shown_end = h[n - 1].end;
    for (size_t i = 0; i < n; i++) {
        double gap_from = i > 0 ? h[i - 1].end : h[i].start;
        add_segment(t, REELAY_TL_SKIP, gap_from, h[i].start, o.card_ms);
        t->segments[t->count - 1].text = h[i].text;
        t->skipped_ms += h[i].start - gap_from;
        add_segment(t, REELAY_TL_PLAY, h[i].start, h[i].end, (h[i].end - h[i].start) / o.speed);
    }
    *out = t;
    return REELAY_OK;
}

void reelay_timeline_free(reelay_timeline *timeline)
{
    if (!timeline) return;
    free(timeline->segments);
    free(timeline);
}

double reelay_timeline_duration_ms(const reelay_timeline *timeline)
{
    return timeline->duration_ms;
}

const reelay_timeline_segment *reelay_timeline_segments(const reelay_timeline *timeline, size_t *count)
{
    *count = timeline->count;
    return timeline->segments;
}

double reelay_timeline_speed(const reelay_timeline *timeline)
{
    return timeline->speed;
}

void reelay_timeline_session_range(const reelay_timeline *timeline, double *start_ts, double *end_ts)
{
    *start_ts = timeline->shown_start;
    *end_ts = timeline->shown_end;
}

bool reelay_timeline_is_highlights(const reelay_timeline *timeline)
{
    return timeline->highlights;
}

double reelay_timeline_skipped_ms(const reelay_timeline *timeline)
{
    return timeline->skipped_ms;
}

/* The last segment whose out_start (by_session: session_start) is <= value;
 * the first segment when none is. The last one, so that where a zero-length
 * card shares its start with the next PLAY, the PLAY wins. */
static size_t find_segment(const reelay_timeline *t, double value, bool by_session)
{
    size_t lo = 0, hi = t->count; /* answer in [lo, hi) */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        double key = by_session ? t->segments[mid].session_start : t->segments[mid].out_start_ms;
        if (key <= value)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

void reelay_timeline_at(const reelay_timeline *timeline, double out_ms, reelay_timeline_point *out)
{
    double at = fmin(fmax(out_ms, 0.0), timeline->duration_ms); /* NaN becomes 0 */
    size_t i = find_segment(timeline, at, false);
    const reelay_timeline_segment *s = &timeline->segments[i];
    out->segment = i;
    out->kind = s->kind;
    out->card_text = s->kind == REELAY_TL_SKIP ? s->text : NULL;
    if (s->kind == REELAY_TL_PLAY) {
        out->session_ts = fmin(s->session_start + (at - s->out_start_ms) * timeline->speed, s->session_end);
        out->skipped_ms = 0;
        out->card_progress = 0;
    } else {
        out->session_ts = s->text ? s->session_end : s->session_start; /* a highlight's card: what comes */
        out->skipped_ms = s->session_end - s->session_start;
        double length = s->out_end_ms - s->out_start_ms;
        out->card_progress = length > 0 ? fmin((at - s->out_start_ms) / length, 1.0) : 1.0;
    }
}

void reelay_timeline_card_text(const reelay_timeline_point *point, char *out, size_t size)
{
    if (!size) return;
    if (point->kind != REELAY_TL_SKIP) {
        out[0] = '\0';
    } else if (point->card_text) {
        snprintf(out, size, "%s", point->card_text);
    } else {
        char duration[48];
        reelay_format_skipped(point->skipped_ms, duration, sizeof duration);
        snprintf(out, size, "skipped %s", duration);
    }
}

int64_t reelay_timeline_frame_count(const reelay_timeline *timeline, int fps)
{
    /* The epsilon keeps a duration that is a whole number of frames, give or
     * take rounding, from gaining a frame. */
    int64_t count = (int64_t)ceil(timeline->duration_ms * fps / 1000.0 - 1e-9);
    return count < 1 ? 1 : count;
}

double reelay_timeline_frame_ms(const reelay_timeline *timeline, int fps, int64_t frame)
{
    if (frame >= reelay_timeline_frame_count(timeline, fps) - 1) return timeline->duration_ms;
    return (double)frame * 1000.0 / fps;
}

bool reelay_timeline_output_time(const reelay_timeline *timeline, double ts, double *out_ms)
{
    if (!(ts >= timeline->shown_start)) {
        *out_ms = 0;
        return false;
    }
    if (ts > timeline->shown_end) {
        *out_ms = timeline->duration_ms;
        return false;
    }
    const reelay_timeline_segment *s = &timeline->segments[find_segment(timeline, ts, true)];
    if (s->kind == REELAY_TL_SKIP) {
        /* The cut's first instant is also the last one the PLAY before shows. */
        *out_ms = s->out_start_ms;
        return ts == s->session_start;
    }
    *out_ms = fmin(s->out_start_ms + (ts - s->session_start) / timeline->speed, s->out_end_ms);
    return true;
}

static double seconds(double ms)
{
    return round(ms) / 1000.0;
}

json_t *reelay_timeline_json(const reelay_timeline *timeline, const reelay_session *session)
{
    json_t *segments = json_array(), *skipped = json_array();
    if (!segments || !skipped) goto oom;
    double origin = session->first_ts;
    for (size_t i = 0; i < timeline->count; i++) {
        const reelay_timeline_segment *s = &timeline->segments[i];
        bool skip = s->kind == REELAY_TL_SKIP;
        json_t *entry = json_pack("{s:s, s:f, s:f, s:f, s:f}", "kind", skip ? "skip" : "play", "out_start_s",
                                  seconds(s->out_start_ms), "out_end_s", seconds(s->out_end_ms), "session_start_s",
                                  seconds(s->session_start - origin), "session_end_s",
                                  seconds(s->session_end - origin));
        if (entry && s->text && json_object_set_new(entry, "text", json_string(s->text)) != 0) {
            json_decref(entry);
            goto oom;
        }
        if (json_array_append_new(segments, entry) != 0) goto oom;
        if (!skip) continue;
        entry = json_pack("{s:f, s:f, s:f, s:f}", "at_s", seconds(s->out_start_ms), "session_from_s",
                          seconds(s->session_start - origin), "session_to_s", seconds(s->session_end - origin),
                          "skipped_s", seconds(s->session_end - s->session_start));
        if (json_array_append_new(skipped, entry) != 0) goto oom;
    }
    json_t *root = json_pack("{s:f, s:f, s:b, s:o, s:o}", "duration_s", seconds(timeline->duration_ms), "speed",
                             timeline->speed, "skip_idle", timeline->skip_idle, "segments", segments, "skipped",
                             skipped);
    if (root && timeline->highlights && json_object_set_new(root, "highlights", json_true()) != 0) {
        json_decref(root);
        return NULL;
    }
    return root;
oom:
    json_decref(segments);
    json_decref(skipped);
    return NULL;
}

json_t *reelay_timeline_highlights_json(const reelay_timeline *timeline, const reelay_highlights *highlights,
                                        const reelay_session *session)
{
    if (!timeline->highlights || timeline->count != 2 * highlights->count) return NULL;
    json_t *list = json_array();
    double origin = session->first_ts;
    for (size_t i = 0; list && i < highlights->count; i++) {
        const reelay_highlight *h = &highlights->items[i];
        const reelay_timeline_segment *card = &timeline->segments[2 * i], *play = &timeline->segments[2 * i + 1];
        json_t *entry = json_pack("{s:s, s:s, s:I, s:f, s:f, s:f, s:f, s:f, s:f}", "kind",
                                  reelay_highlight_kind_name(h->kind), "text", h->text, "moments",
                                  (json_int_t)h->moments, "at_s", seconds(h->ts - origin), "session_start_s",
                                  seconds(play->session_start - origin), "session_end_s",
                                  seconds(play->session_end - origin), "card_start_s", seconds(card->out_start_ms),
                                  "out_start_s", seconds(play->out_start_ms), "out_end_s", seconds(play->out_end_ms));
        if (json_array_append_new(list, entry) != 0) {
            json_decref(list);
            return NULL;
        }
    }
    return list;
}

void reelay_format_clock(double ms, bool long_form, char *out, size_t size)
{
    if (!out || size == 0) return;
    /* 10^11 s is over 3000 years: enough for any clock, small enough for long long. */
    double s = isfinite(ms) && ms > 0 ? floor(ms / 1000.0) : 0;
    if (s > 1e11) s = 1e11;
    long long total = (long long)s;
    long long hours = total / 3600, minutes = total / 60 % 60, seconds = total % 60;
    if (long_form || hours > 0)
        snprintf(out, size, "%lld:%02lld:%02lld", hours, minutes, seconds);
    else
        snprintf(out, size, "%02lld:%02lld", minutes, seconds);
}

void reelay_format_skipped(double ms, char *out, size_t size)
{
    if (!size) return;
    if (!(ms > 0)) {
        snprintf(out, size, "0s");
        return;
    }
    if (ms < 500) {
        snprintf(out, size, "<1s");
        return;
    }
    /* Past any real recording; keeps the integer conversions defined. */
    double total_s = round(fmin(ms, 1e15) / 1000.0);
    if (total_s < 60) {
        snprintf(out, size, "%.0fs", total_s);
    } else if (total_s < 3600) {
        long long s = (long long)total_s;
        snprintf(out, size, "%lldm %02llds", s / 60, s % 60);
    } else {
        long long minutes = (long long)round(fmin(ms, 1e15) / 60000.0);
        snprintf(out, size, "%lldh %02lldm", minutes / 60, minutes % 60);
    }
}
