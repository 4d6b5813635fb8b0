#include "render/options.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "renderers/frame/frame.h"

/* A non-negative decimal number filling [text, end): digits with an optional
 * fraction. strtod alone would also take "inf", "0x10", "1e9" and signs. */
static int parse_decimal(const char *text, const char *end, double *out)
{
    const char *p = text;
    size_t digits = 0;
    while (p < end && isdigit((unsigned char)*p)) p++, digits++;
    if (p < end && *p == '.') {
        p++;
        while (p < end && isdigit((unsigned char)*p)) p++, digits++;
    }
    if (p != end || digits == 0 || end - text > 30) return -1;
    char copy[32];
    memcpy(copy, text, (size_t)(end - text));
    copy[end - text] = '\0';
    *out = strtod(copy, NULL);
    return isfinite(*out) ? 0 : -1;
}

int reelay_parse_time(const char *text, double *out_ms, reelay_err *err)
{
    const char *fields[3];
    const char *ends[3];
    int count = 0;
    const char *start = text;
    for (const char *p = text;; p++) {
        if (*p == ':' || *p == '\0') {
            if (count == 3) break;
            fields[count] = start;
            ends[count] = p;
            count++;
            start = p + 1;
            if (*p == '\0') break;
        }
    }
    double seconds = 0;
    bool ok = count >= 1 && count <= 3 && strchr(text, '\0') == ends[count - 1];
    for (int i = 0; ok && i < count; i++) {
        double value;
        /* Only the last field may have a fraction; minutes and seconds after
         * a colon must be below 60. */
        bool last = i == count - 1;
        if (parse_decimal(fields[i], ends[i], &value) != 0 || (!last && memchr(fields[i], '.', (size_t)(ends[i] - fields[i]))) ||
            (i > 0 && value >= 60)) {
            ok = false;
            break;
        }
        seconds = seconds * 60 + value;
    }
    if (!ok)
        return reelay_err_set(err, REELAY_E_USAGE,
                              "bad time '%s': expected seconds (12.5), mm:ss.mmm (1:02.250) or hh:mm:ss", text);
    *out_ms = seconds * 1000.0;
    return REELAY_OK;
}

static const struct {
    const char *name;
    int width, height;
} NAMED_SIZES[] = {
    {"360p", 640, 360},    {"480p", 854, 480},    {"720p", 1280, 720},
    {"1080p", 1920, 1080}, {"1440p", 2560, 1440}, {"2160p", 3840, 2160},
};

static int parse_dimension(const char *text, const char *end, int *out)
{
    if (text == end || end - text > 6) return -1;
    int value = 0;
    for (const char *p = text; p < end; p++) {
        if (!isdigit((unsigned char)*p)) return -1;
        value = value * 10 + (*p - '0');
    }
    if (value < 1 || value > REELAY_OUTPUT_DIM_CEILING) return -1;
    *out = value;
    return 0;
}

int reelay_parse_size(const char *text, int *width, int *height, reelay_err *err)
{
    for (size_t i = 0; i < sizeof NAMED_SIZES / sizeof NAMED_SIZES[0]; i++) {
        if (strcmp(text, NAMED_SIZES[i].name) == 0) {
            *width = NAMED_SIZES[i].width;
            *height = NAMED_SIZES[i].height;
            return REELAY_OK;
        }
    }
    const char *x = strchr(text, 'x');
    if (x && parse_dimension(text, x, width) == 0 && parse_dimension(x + 1, strchr(x, '\0'), height) == 0)
        return REELAY_OK;
    return reelay_err_set(err, REELAY_E_USAGE,
                          "bad size '%s': expected WIDTHxHEIGHT (1 to %d each) or 360p/480p/720p/1080p/1440p/2160p",
                          text, REELAY_OUTPUT_DIM_CEILING);
}

int reelay_parse_scale(const char *text, double *out, reelay_err *err)
{
    double value;
    if (parse_decimal(text, strchr(text, '\0'), &value) != 0 || value <= 0 || value > 16)
        return reelay_err_set(err, REELAY_E_USAGE, "bad scale '%s': expected a number above 0 and at most 16", text);
    *out = value;
    return REELAY_OK;
}

static const struct {
    const char *name;
    unsigned flag;
} OVERLAY_NAMES[] = {
    {"touches", REELAY_OVERLAY_TOUCHES}, {"hud", REELAY_OVERLAY_HUD},     {"pointer", REELAY_OVERLAY_POINTER},
    {"chrome", REELAY_OVERLAY_CHROME},   {"cards", REELAY_OVERLAY_CARDS},
};

#define OVERLAY_NAME_COUNT (sizeof OVERLAY_NAMES / sizeof OVERLAY_NAMES[0])

static void allowed_names(unsigned allowed, char *out, size_t size)
{
    size_t used = (size_t)snprintf(out, size, "none, all");
    for (size_t i = 0; i < OVERLAY_NAME_COUNT && used < size; i++)
        if (allowed & OVERLAY_NAMES[i].flag) used += (size_t)snprintf(out + used, size - used, ", %s", OVERLAY_NAMES[i].name);
}

int reelay_parse_overlays(const char *text, unsigned allowed, unsigned *out, reelay_err *err)
{
    if (strcmp(text, "none") == 0) {
        *out = REELAY_OVERLAY_NONE;
        return REELAY_OK;
    }
    if (strcmp(text, "all") == 0) {
        *out = allowed;
        return REELAY_OK;
    }
    unsigned flags = 0;
    const char *p = text;
    while (true) {
        size_t len = strcspn(p, ",");
        bool known = false;
        for (size_t i = 0; i < OVERLAY_NAME_COUNT; i++) {
            if ((allowed & OVERLAY_NAMES[i].flag) && len == strlen(OVERLAY_NAMES[i].name) &&
                strncmp(p, OVERLAY_NAMES[i].name, len) == 0) {
                flags |= OVERLAY_NAMES[i].flag;
                known = true;
            }
        }
        if (!known) {
            char names[128];
            allowed_names(allowed, names, sizeof names);
            return reelay_err_set(err, REELAY_E_USAGE, "unknown overlay '%.*s' in '%s': expected %s", (int)len, p,
                                  text, names);
        }
        if (p[len] == '\0') break;
        p += len + 1;
    }
    *out = flags;
    return REELAY_OK;
}

int reelay_parse_count(const char *text, const char *name, uint64_t *out, reelay_err *err)
{
    char *end = NULL;
    errno = 0;
    unsigned long long n = strtoull(text, &end, 10);
    uint64_t scale = 1;
    if (end && (*end == 'K' || *end == 'k')) scale = 1024, end++;
    else if (end && (*end == 'M' || *end == 'm')) scale = 1024 * 1024, end++;
    else if (end && (*end == 'G' || *end == 'g')) scale = 1024ull * 1024 * 1024, end++;
    if (text[0] < '0' || text[0] > '9' || *end || errno || n == 0 || n > UINT64_MAX / scale)
        return reelay_err_set(err, REELAY_E_USAGE, "bad %s '%s': expected a positive number (K, M, G allowed)", name,
                              text);
    *out = (uint64_t)n * scale;
    return REELAY_OK;
}

int reelay_parse_default_font(const char *text, reelay_default_font *out, reelay_err *err)
{
    if (strcmp(text, "serif") == 0) {
        *out = REELAY_DEFAULT_FONT_SERIF;
    } else if (strcmp(text, "sans") == 0) {
        *out = REELAY_DEFAULT_FONT_SANS;
    } else {
        return reelay_err_set(err, REELAY_E_USAGE, "bad --default-font '%s': expected serif or sans", text);
    }
    return REELAY_OK;
}

/* ------------------------------------------------------ named render options */

static int parse_int(const char *text, int low, int high, const char *name, int *out, reelay_err *err)
{
    char *end = NULL;
    long value = strtol(text, &end, 10);
    if (!text[0] || *end || value < low || value > high)
        return reelay_err_set(err, REELAY_E_USAGE, "bad --%s '%s': expected a whole number from %d to %d", name, text,
                              low, high);
    *out = (int)value;
    return REELAY_OK;
}

/* A limit's own bound: n at most ceiling, else REELAY_E_USAGE saying why. */
static int within_ceiling(uint64_t n, uint64_t ceiling, const char *flag, const char *value, const char *why,
                          reelay_err *err)
{
    if (n <= ceiling) return REELAY_OK;
    return reelay_err_set(err, REELAY_E_USAGE, "bad %s '%s': at most %llu%s", flag, value,
                          (unsigned long long)ceiling, why);
}

static const struct {
    const char *name;
    reelay_option_kind kind;
} RENDER_OPTIONS[] = {
    {"codec", REELAY_OPTION_VALUE},   {"size", REELAY_OPTION_VALUE},     {"fps", REELAY_OPTION_VALUE},
    {"crf", REELAY_OPTION_VALUE},     {"threads", REELAY_OPTION_VALUE},  {"vfr", REELAY_OPTION_FLAG},
    {"cfr", REELAY_OPTION_FLAG},
    {"speed", REELAY_OPTION_VALUE},   {"from", REELAY_OPTION_VALUE},     {"to", REELAY_OPTION_VALUE},
    {"no-skip-idle", REELAY_OPTION_FLAG}, {"overlays", REELAY_OPTION_VALUE}, {"unmask-inputs", REELAY_OPTION_FLAG},
    {"layout", REELAY_OPTION_VALUE},  {"subtitles", REELAY_OPTION_FLAG}, {"poster", REELAY_OPTION_VALUE},
    {"preview", REELAY_OPTION_VALUE}, {"manifest", REELAY_OPTION_VALUE}, {"attach-recording", REELAY_OPTION_FLAG},
    {"email-html", REELAY_OPTION_VALUE}, {"email-link-base", REELAY_OPTION_VALUE}, {"max-size", REELAY_OPTION_VALUE},
    {"max-input-bytes", REELAY_OPTION_VALUE}, {"max-events", REELAY_OPTION_VALUE},
    {"max-duration", REELAY_OPTION_VALUE}, {"max-frames", REELAY_OPTION_VALUE},
    {"max-image-pixels", REELAY_OPTION_VALUE}, {"max-wireframes", REELAY_OPTION_VALUE},
    {"max-tree-depth", REELAY_OPTION_VALUE}, {"max-viewport", REELAY_OPTION_VALUE},
    {"max-output-dim", REELAY_OPTION_VALUE}, {"web-view", REELAY_OPTION_VALUE},
    {"max-page-memory", REELAY_OPTION_VALUE}, {"max-page-time", REELAY_OPTION_VALUE},
    {"default-font", REELAY_OPTION_VALUE}, {"highlights", REELAY_OPTION_OPTIONAL},
};
#define RENDER_OPTION_COUNT (sizeof RENDER_OPTIONS / sizeof RENDER_OPTIONS[0])

bool reelay_render_option_name(const char *key, char *out, size_t size)
{
    if (strncmp(key, "--", 2) == 0) key += 2;
    size_t n = strlen(key);
    if (n == 0 || n >= size) return false;
    for (size_t i = 0; i <= n; i++) out[i] = key[i] == '_' ? '-' : key[i];
    return true;
}

reelay_option_kind reelay_render_option_kind(const char *name)
{
    for (size_t i = 0; name && i < RENDER_OPTION_COUNT; i++)
        if (strcmp(name, RENDER_OPTIONS[i].name) == 0) return RENDER_OPTIONS[i].kind;
    return REELAY_OPTION_UNKNOWN;
}

static bool looks_numeric(const char *text)
{
    if (!text) return false;
    if (*text == '-' || *text == '.') text++;
    return isdigit((unsigned char)*text);
}

bool reelay_render_option_optional(const char *arg, const char *next, char *name, size_t size, const char **value,
                                   bool *consumed)
{
    *consumed = false;
    *value = NULL;
    if (strncmp(arg, "--", 2) != 0) return false;
    const char *equals = strchr(arg, '=');
    size_t len = equals ? (size_t)(equals - arg - 2) : strlen(arg + 2);
    if (len == 0 || len >= size) return false;
    memcpy(name, arg + 2, len);
    name[len] = '\0';
    if (reelay_render_option_kind(name) != REELAY_OPTION_OPTIONAL) return false;
    if (equals) {
        *value = equals + 1;
    } else if (looks_numeric(next)) {
        *value = next;
        *consumed = true;
    }
    return true;
}

/* --highlights: the video's length at most (see options.h). */
static int parse_highlights(const char *value, double *out_ms, reelay_err *err)
{
    if (!value || strcmp(value, "true") == 0) {
        *out_ms = REELAY_HIGHLIGHT_DEFAULT_S * 1000.0;
        return REELAY_OK;
    }
    if (strcmp(value, "false") == 0) {
        *out_ms = 0;
        return REELAY_OK;
    }
    double ms = 0;
    reelay_err ignored;
    if (reelay_parse_time(value, &ms, &ignored) != REELAY_OK || ms < REELAY_HIGHLIGHT_MIN_S * 1000.0 ||
        ms > REELAY_HIGHLIGHT_MAX_S * 1000.0)
        return reelay_err_set(err, REELAY_E_USAGE,
                              "bad --highlights '%s': expected the video's length at most, in seconds (or mm:ss) "
                              "from %.0f to %.0f",
                              value, REELAY_HIGHLIGHT_MIN_S, REELAY_HIGHLIGHT_MAX_S);
    *out_ms = ms;
    return REELAY_OK;
}

bool reelay_render_option_is_input_limit(const char *name)
{
    static const char *const INPUT_LIMITS[] = {"max-input-bytes", "max-events", "max-wireframes", "max-tree-depth",
                                               "max-viewport"};
    for (size_t i = 0; name && i < sizeof INPUT_LIMITS / sizeof INPUT_LIMITS[0]; i++)
        if (strcmp(name, INPUT_LIMITS[i]) == 0) return true;
    return false;
}

static int parse_flag(const char *name, const char *value, bool *out, reelay_err *err)
{
    if (!value || strcmp(value, "true") == 0) {
        *out = true;
    } else if (strcmp(value, "false") == 0) {
        *out = false;
    } else {
        return reelay_err_set(err, REELAY_E_USAGE, "bad --%s '%s': expected true or false", name, value);
    }
    return REELAY_OK;
}

bool reelay_render_option_is_sidecar(const char *name)
{
    return strcmp(name, "poster") == 0 || strcmp(name, "preview") == 0 || strcmp(name, "manifest") == 0 ||
           strcmp(name, "email-html") == 0;
}

int reelay_render_option_set(reelay_render_options *o, const char *name, const char *value, reelay_err *err)
{
    reelay_option_kind kind = reelay_render_option_kind(name);
    if (kind == REELAY_OPTION_UNKNOWN)
        return reelay_err_set(err, REELAY_E_USAGE, "unknown option --%s", name ? name : "");
    if (kind == REELAY_OPTION_VALUE && !value)
        return reelay_err_set(err, REELAY_E_USAGE, "--%s needs a value", name);
    if (strcmp(name, "codec") == 0) return reelay_codec_parse(value, &o->codec, err);
    if (strcmp(name, "size") == 0) return reelay_parse_size(value, &o->width, &o->height, err);
    if (strcmp(name, "fps") == 0) return parse_int(value, 1, 240, name, &o->fps, err);
    if (strcmp(name, "crf") == 0) return parse_int(value, 0, 63, name, &o->crf, err);
    if (strcmp(name, "threads") == 0) return parse_int(value, 1, 64, name, &o->threads, err);
    if (strcmp(name, "vfr") == 0 || strcmp(name, "cfr") == 0) {
        /* the last of the two said wins; either one false means the other */
        bool on = false;
        int rc = parse_flag(name, value, &on, err);
        if (rc == REELAY_OK) o->frame_rate = (on == (name[0] == 'v')) ? REELAY_RATE_VFR : REELAY_RATE_CFR;
        return rc;
    }
    if (strcmp(name, "attach-recording") == 0) {
        int rc = parse_flag(name, value, &o->attach_recording, err);
        o->ingest.keep_source = o->attach_recording; /* the bytes to attach */
        return rc;
    }
    if (strcmp(name, "speed") == 0) return reelay_parse_scale(value, &o->timeline.speed, err);
    if (strcmp(name, "from") == 0) return reelay_parse_time(value, &o->timeline.from_ms, err);
    if (strcmp(name, "to") == 0) return reelay_parse_time(value, &o->timeline.to_ms, err);
    if (strcmp(name, "no-skip-idle") == 0) {
        bool keep = false;
        int rc = parse_flag(name, value, &keep, err);
        if (rc == REELAY_OK) o->timeline.skip_idle = !keep;
        return rc;
    }
    if (strcmp(name, "overlays") == 0) return reelay_parse_overlays(value, REELAY_OVERLAY_ALL, &o->overlays, err);
    if (strcmp(name, "unmask-inputs") == 0) return parse_flag(name, value, &o->unmask_inputs, err);
    if (strcmp(name, "layout") == 0) {
        if (strcmp(value, "inspector") != 0 && strcmp(value, "screen") != 0)
            return reelay_err_set(err, REELAY_E_USAGE, "unknown layout '%s': expected screen or inspector", value);
        o->inspector = strcmp(value, "inspector") == 0;
        return REELAY_OK;
    }
    if (strcmp(name, "subtitles") == 0) return parse_flag(name, value, &o->subtitles, err);
    if (strcmp(name, "highlights") == 0) return parse_highlights(value, &o->highlights_ms, err);
    if (strcmp(name, "default-font") == 0) return reelay_parse_default_font(value, &o->default_font, err);
    if (strcmp(name, "web-view") == 0) {
        int rc = reelay_web_view_parse(value, &o->web_view, err);
        /* the page engine replays the recording's own events */
        if (rc == REELAY_OK) o->ingest.keep_rrweb_json = o->web_view != REELAY_WEB_VIEW_INTERACTION;
        return rc;
    }
    if (strcmp(name, "max-duration") == 0 || strcmp(name, "max-page-time") == 0) {
        double ms = 0;
        int rc = reelay_parse_time(value, &ms, err);
        if (rc == REELAY_OK && ms <= 0) rc = reelay_err_set(err, REELAY_E_USAGE, "bad --%s '%s'", name, value);
        if (rc == REELAY_OK && strcmp(name, "max-duration") == 0) o->max_duration_ms = ms;
        if (rc == REELAY_OK && strcmp(name, "max-page-time") == 0) o->page_engine.request_timeout_s = ms / 1000.0;
        return rc;
    }
    if (strncmp(name, "max-", 4) == 0) {
        char flag[40];
        snprintf(flag, sizeof flag, "--%s", name);
        uint64_t n = 0;
        int rc = reelay_parse_count(value, flag, &n, err);
        if (rc != REELAY_OK) return rc;
        if (strcmp(name, "max-input-bytes") == 0) {
            o->ingest.max_input_bytes = (size_t)n;
            /* gunzip may give up to twice the bytes read, as by default */
            o->ingest.max_decompressed_bytes = n > SIZE_MAX / 2 ? SIZE_MAX : (size_t)n * 2;
        }
        if (strcmp(name, "max-events") == 0) o->ingest.max_events = (size_t)n;
        if (strcmp(name, "max-size") == 0) o->max_size = n; /* the output's, not a limit on the input */
        if (strcmp(name, "max-frames") == 0) o->max_frames = n > INT64_MAX ? INT64_MAX : (int64_t)n;
        if (strcmp(name, "max-page-memory") == 0) o->page_engine.max_memory_bytes = (size_t)n;
        if (strcmp(name, "max-image-pixels") == 0) o->max_image_pixels = (size_t)n;
        if (strcmp(name, "max-wireframes") == 0) o->ingest.max_wireframes = (size_t)n;
        if (strcmp(name, "max-viewport") == 0) o->ingest.max_viewport = (double)n;
        if (strcmp(name, "max-tree-depth") == 0) {
            rc = within_ceiling(n, REELAY_MAX_TREE_DEPTH_CEILING, flag, value, " (the JSON reader's nesting limit)",
                                err);
            if (rc == REELAY_OK) o->ingest.max_tree_depth = (int)n;
        }
        if (strcmp(name, "max-output-dim") == 0) {
            rc = within_ceiling(n, REELAY_OUTPUT_DIM_CEILING, flag, value, "", err);
            if (rc == REELAY_OK) o->max_output_dim = (int)n;
        }
        return rc;
    }
    if (strcmp(name, "poster") == 0) o->poster = value;
    if (strcmp(name, "preview") == 0) o->preview = value;
    if (strcmp(name, "email-html") == 0) o->email_html = value;
    if (strcmp(name, "email-link-base") == 0) {
        /* a web address or a relative path: nothing a mail client would run */
        bool web = strncasecmp(value, "https://", 8) == 0 || strncasecmp(value, "http://", 7) == 0;
        if (!web && strchr(value, ':'))
            return reelay_err_set(err, REELAY_E_USAGE,
                                  "bad --email-link-base '%s': expected an http(s) URL or a relative path", value);
        o->email_link_base = value;
    }
    if (strcmp(name, "manifest") == 0) o->manifest = value;
    return REELAY_OK;
}
