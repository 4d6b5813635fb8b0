#include "cli/options.h"

#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    if (value < 1 || value > REELAY_MAX_OUTPUT_DIM) return -1;
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
                          text, REELAY_MAX_OUTPUT_DIM);
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
    {"touches", REELAY_OVERLAY_TOUCHES},
    {"hud", REELAY_OVERLAY_HUD},
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
