/* email_html.h — a video's snippet for an email or a ticket.
 * Owns: the HTML of `--email-html`: the poster (or the animated preview) as
 * a picture linking to the video, with a one-line caption (what, how long,
 * when, errors), in markup email clients keep (inline styles, no scripts,
 * no external style sheets), every text and URL escaped. Links are the
 * files' names, or a base URL the operator gives followed by them (where
 * the files will be served from). Written atomically like every output. */
#ifndef REELAY_ENCODE_EMAIL_HTML_H
#define REELAY_ENCODE_EMAIL_HTML_H

#include <stddef.h>

#include "core/atomic_file.h"
#include "core/error.h"

typedef struct reelay_email_snippet {
    const char *video_path;  /* the video the picture links to */
    const char *image_path;  /* the poster or the preview */
    int image_width, image_height; /* its pixels; shown within 480x480 */
    const char *link_base;   /* prefix of both links, e.g. "https://files.example/replays/"; NULL: none */
    const char *title;       /* e.g. "Session 0190… (web)"; alt text and caption */
    double duration_s;       /* the video's length */
    const char *start_utc;   /* ISO 8601 start of the session; may be NULL */
    size_t errors;           /* console errors */
    size_t failed_requests;  /* network responses >= 400 */
} reelay_email_snippet;

/* The snippet's HTML into path, as `write` says, held for the caller to
 * publish when held is non-NULL (core/atomic_file.h). REELAY_E_IO naming
 * path when it cannot be written. */
int reelay_email_html_write(const reelay_email_snippet *snippet, const char *path, const reelay_atomic_options *write,
                            reelay_atomic_file *held, reelay_err *err);

#endif
