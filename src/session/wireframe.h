/* wireframe.h — PostHog mobile wireframes as plain C structs.
 * Owns: the types of the mobile wireframe model (spec: mobile-wireframes.md §3).
 * All pointers point into the session arena; nothing here is freed singly.
 * Strings are NUL-terminated UTF-8; NULL means "absent" (distinct from ""). */
#ifndef REELAY_SESSION_WIREFRAME_H
#define REELAY_SESSION_WIREFRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum reelay_wf_type {
    WF_DIV = 0, /* also a missing `type` */
    WF_TEXT,
    WF_IMAGE,
    WF_SCREENSHOT,
    WF_RECTANGLE,
    WF_PLACEHOLDER,
    WF_WEB_VIEW,
    WF_INPUT,
    WF_RADIO_GROUP,
    WF_STATUS_BAR,
    WF_NAVIGATION_BAR,
} reelay_wf_type;

typedef enum reelay_input_type {
    WF_INPUT_NONE = 0,
    WF_INPUT_TEXT,
    WF_INPUT_PASSWORD,
    WF_INPUT_EMAIL,
    WF_INPUT_NUMBER,
    WF_INPUT_SEARCH,
    WF_INPUT_TEL,
    WF_INPUT_URL,
    WF_INPUT_TEXT_AREA,
    WF_INPUT_SELECT,
    WF_INPUT_BUTTON,
    WF_INPUT_CHECKBOX,
    WF_INPUT_RADIO,
    WF_INPUT_TOGGLE,
    WF_INPUT_PROGRESS,
    WF_INPUT_OTHER, /* an inputType we do not know (e.g. "textArea"): a plain one-line input */
} reelay_input_type;

typedef enum reelay_progress_bar {
    WF_BAR_NONE = 0, /* absent: drawn as horizontal */
    WF_BAR_HORIZONTAL,
    WF_BAR_CIRCULAR,
    WF_BAR_RATING,
} reelay_progress_bar;

typedef enum reelay_align {
    WF_ALIGN_UNSET = 0,
    WF_ALIGN_START, /* top / left */
    WF_ALIGN_CENTER,
    WF_ALIGN_END, /* bottom / right */
} reelay_align;

typedef enum reelay_bg_size {
    WF_BG_SIZE_UNSET = 0, /* player default: contain */
    WF_BG_SIZE_CONTAIN,
    WF_BG_SIZE_COVER,
    WF_BG_SIZE_AUTO,
} reelay_bg_size;

/* A parsed CSS colour. `set` is false when the field was absent or empty;
 * `valid` is false when it was present but not a colour we understand
 * (the raw text is kept for diagnostics and for the light/dark test). */
typedef struct reelay_color {
    bool set;
    bool valid;
    uint8_t r, g, b, a;
    const char *raw;
} reelay_color;

/* A CSS length field (number, "4" or "4px"). */
typedef struct reelay_length {
    bool set;
    double value;
} reelay_length;

typedef struct reelay_wf_style {
    reelay_color color;
    reelay_color background_color;
    reelay_color border_color;
    const char *background_image; /* base64, data URI or url(...), as sent */
    reelay_bg_size background_size;
    reelay_length border_width;
    reelay_length border_radius;
    reelay_align vertical_align;
    reelay_align horizontal_align;
    reelay_length font_size;
    const char *font_family;
    reelay_length padding_top, padding_bottom, padding_left, padding_right;
    reelay_progress_bar bar;
} reelay_wf_style;

typedef struct reelay_wireframe reelay_wireframe;

struct reelay_wireframe {
    int64_t id;
    reelay_wf_type type;
    const char *type_name; /* as sent, for placeholder labels ("image", "web_view", ...) */

    double x, y;           /* absolute logical coordinates; missing => 0 */
    double width, height;  /* meaningful only when has_width / has_height */
    bool has_width, has_height;
    bool width_is_viewport; /* width was "100vw" */

    /* Type-specific content. */
    const char *text;   /* text */
    const char *base64; /* image, screenshot: data URI or bare base64 (PNG) */
    const char *url;    /* web_view */
    const char *label;  /* placeholder, checkbox, radio, toggle; NULL when the key is absent */

    reelay_input_type input_type;
    const char *input_type_name;  /* as sent */
    const char *value;            /* text inputs, select, button */
    double progress_value;        /* progress */
    bool has_progress_value;
    double progress_max;
    bool has_progress_max;
    bool checked;
    bool disabled;
    const char **options; /* select */
    size_t option_count;

    reelay_wf_style style;

    reelay_wireframe *children; /* array of child_count */
    size_t child_count;
};

/* A mobile mutation entry: `adds` and `updates` carry a wireframe (with its
 * subtree); `removes` carry only ids. has_parent_id is false when the SDK
 * omitted parentId (Android's root). */
typedef struct reelay_wf_mutation_node {
    int64_t parent_id;
    bool has_parent_id;
    reelay_wireframe wireframe;
} reelay_wf_mutation_node;

typedef struct reelay_wf_remove {
    int64_t parent_id;
    int64_t id;
} reelay_wf_remove;

#endif
