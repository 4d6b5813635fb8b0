#include "encode/email_html.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"

/* The largest box the picture is shown in (CSS px): a desktop frame keeps
 * the width of a mail column, a phone screen stays under a screenful. */
#define SHOWN_MAX 480

/* Text and attribute values: the five characters HTML gives meaning to. */
static int append_escaped(reelay_buf *out, const char *text)
{
    for (const char *p = text ? text : ""; *p; p++) {
        const char *entity = *p == '&' ? "&amp;" : *p == '<' ? "&lt;" : *p == '>' ? "&gt;" : *p == '"' ? "&quot;"
                             : *p == '\'' ? "&#39;" : NULL;
        int rc = entity ? reelay_buf_append_str(out, entity) : reelay_buf_append(out, p, 1);
        if (rc != 0) return rc;
    }
    return 0;
}

static bool unreserved(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_' || c == '~';
}

/* A link: the base as given (escaped for the attribute), then the file's
 * base name percent-encoded, so any name is one path segment. */
static int append_link(reelay_buf *out, const char *base, const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *name = slash ? slash + 1 : path;
    if (append_escaped(out, base) != 0) return -1;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        int rc = unreserved(*p) ? reelay_buf_append(out, p, 1) : reelay_buf_printf(out, "%%%02X", *p);
        if (rc != 0) return rc;
    }
    return 0;
}

static void shown_size(int width, int height, int *w, int *h)
{
    double scale = 1;
    if (width > SHOWN_MAX) scale = (double)SHOWN_MAX / width;
    if (height * scale > SHOWN_MAX) scale = (double)SHOWN_MAX / height;
    *w = (int)(width * scale + 0.5);
    *h = (int)(height * scale + 0.5);
    if (*w < 1) *w = 1;
    if (*h < 1) *h = 1;
}

/* "01:21", "1:02:03" */
static void format_length(double seconds, char *out, size_t size)
{
    long s = seconds > 0 ? (long)(seconds + 0.5) : 0;
    if (s >= 3600)
        snprintf(out, size, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    else
        snprintf(out, size, "%02ld:%02ld", s / 60, s % 60);
}

static int build(const reelay_email_snippet *e, reelay_buf *out)
{
    int w, h;
    shown_size(e->image_width, e->image_height, &w, &h);
    char length[32], when[40] = "", counts[96] = "";
    format_length(e->duration_s, length, sizeof length);
    if (e->start_utc && strlen(e->start_utc) >= 16) /* "2024-06-10T07:13" -> "2024-06-10 07:13 UTC" */
        snprintf(when, sizeof when, " &middot; %.10s %.5s UTC", e->start_utc, e->start_utc + 11);
    if (e->errors || e->failed_requests)
        snprintf(counts, sizeof counts, " &middot; %zu error%s, %zu failed request%s", e->errors,
                 e->errors == 1 ? "" : "s", e->failed_requests, e->failed_requests == 1 ? "" : "s");
    const char *base = e->link_base ? e->link_base : "";
    int rc = reelay_buf_append_str(out, "<!-- reelay: a session replay; the picture links to the video -->\n"
                                        "<div style=\"font-family:Arial,Helvetica,sans-serif;max-width:480px\">\n"
                                        "  <a href=\"");
    rc |= append_link(out, base, e->video_path);
    rc |= reelay_buf_append_str(out, "\" style=\"display:inline-block;text-decoration:none;border:0\">"
                                     "<img src=\"");
    rc |= append_link(out, base, e->image_path);
    rc |= reelay_buf_printf(out, "\" width=\"%d\" height=\"%d\" alt=\"", w, h);
    rc |= append_escaped(out, e->title);
    rc |= reelay_buf_append_str(out, "\" style=\"display:block;border:1px solid #d0d7de;border-radius:6px;"
                                     "max-width:100%;height:auto\"></a>\n"
                                     "  <p style=\"margin:6px 0 0;font-size:13px;line-height:18px;color:#57606a\">"
                                     "<a href=\"");
    rc |= append_link(out, base, e->video_path);
    rc |= reelay_buf_append_str(out, "\" style=\"color:#0969da;text-decoration:none\">&#9654; ");
    rc |= append_escaped(out, e->title);
    rc |= reelay_buf_printf(out, "</a> &middot; %s%s%s</p>\n</div>\n", length, when, counts);
    return rc;
}

int reelay_email_html_write(const reelay_email_snippet *snippet, const char *path, const reelay_atomic_options *write,
                            reelay_atomic_file *held, reelay_err *err)
{
    reelay_buf html;
    reelay_buf_init(&html);
    if (build(snippet, &html) != 0) {
        reelay_buf_free(&html);
        return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    }
    reelay_atomic_file file;
    int rc = reelay_atomic_begin_with(&file, path, write, err);
    if (rc == REELAY_OK && fwrite(html.data, 1, html.len, file.fp) != html.len) {
        reelay_atomic_abort(&file);
        rc = reelay_err_set(err, REELAY_E_IO, "%s: write error", path);
    } else if (rc == REELAY_OK) {
        rc = reelay_atomic_finish(&file, held, err);
    }
    reelay_buf_free(&html);
    return rc;
}
