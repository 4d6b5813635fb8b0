#define _GNU_SOURCE /* memrchr, nftw */
#include "sink/sink.h"

#include <errno.h>
#include <ftw.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net/http_client.h"
#include "net/url.h"
#include "source/source.h"

#define PUT_ATTEMPTS 3

static const char *const ROLE_NAMES[REELAY_SINK_ROLES] = {"video", "poster", "preview", "manifest", "email_html"};

const char *reelay_sink_role_name(reelay_sink_role role)
{
    return role < REELAY_SINK_ROLES ? ROLE_NAMES[role] : "?";
}

bool reelay_sink_is_url(const char *path)
{
    return path && (strncasecmp(path, "s3://", 5) == 0 || strncasecmp(path, "http://", 7) == 0 ||
                    strncasecmp(path, "https://", 8) == 0);
}

bool reelay_sink_file_name(const char *path, char *out, size_t size)
{
    const char *name = path;
    size_t len = strlen(path);
    if (reelay_sink_is_url(path)) {
        reelay_url_parts parts;
        if (!reelay_url_split(path, &parts) || parts.path_len == 0) return false;
        name = parts.path;
        len = parts.path_len;
    }
    const char *slash = memrchr(name, '/', len);
    if (slash) {
        len -= (size_t)(slash + 1 - name);
        name = slash + 1;
    }
    if (len == 0 || len >= size || (len <= 2 && name[0] == '.')) return false;
    memcpy(out, name, len);
    out[len] = '\0';
    return true;
}

/* The render option that names each role's file. */
static const char **role_slot(reelay_render_options *o, reelay_sink_role role)
{
    switch (role) {
    case REELAY_SINK_VIDEO: return &o->output;
    case REELAY_SINK_POSTER: return &o->poster;
    case REELAY_SINK_PREVIEW: return &o->preview;
    case REELAY_SINK_MANIFEST: return &o->manifest;
    default: return &o->email_html;
    }
}

static const char *content_type(const char *name)
{
    static const struct { const char *ext, *type; } TYPES[] = {
        {".webm", "video/webm"},  {".mp4", "video/mp4"},         {".mkv", "video/x-matroska"},
        {".png", "image/png"},    {".webp", "image/webp"},       {".json", "application/json"},
        {".html", "text/html; charset=utf-8"},
    };
    const char *dot = strrchr(name, '.');
    for (size_t i = 0; dot && i < sizeof TYPES / sizeof TYPES[0]; i++)
        if (strcasecmp(dot, TYPES[i].ext) == 0) return TYPES[i].type;
    return NULL;
}

/* One destination checked: its kind, its shown form, and for a URL the
 * policy's and the settings' word on it. */
static int classify(reelay_sink *sink, reelay_sink_output *out, reelay_err *err)
{
    char name[512];
    reelay_source_shown_input(out->target, out->shown, sizeof out->shown);
    if (!reelay_sink_is_url(out->target)) {
        if (reelay_source_is_url(out->target))
            return reelay_err_set(err, REELAY_E_USAGE, "%s: cannot be written (outputs are paths, s3:// or https://)",
                                  out->shown);
        out->kind = REELAY_SINK_LOCAL;
        return REELAY_OK;
    }
    out->kind = strncasecmp(out->target, "s3://", 5) == 0 ? REELAY_SINK_S3 : REELAY_SINK_PUT;
    if (!sink->policy) {
        reelay_err_set(err, REELAY_E_USAGE, "%s: a URL output is not allowed here (no --allow-url list)", out->shown);
        return reelay_err_mark(err, REELAY_ERR_LASTING);
    }
    bool private_ok;
    int rc = reelay_url_policy_check(sink->policy, out->target, &private_ok, err);
    if (rc != REELAY_OK) return rc;
    if (out->kind == REELAY_SINK_S3) {
        char bucket[REELAY_S3_BUCKET_MAX + 1], key[REELAY_S3_KEY_MAX + 1];
        rc = reelay_s3_split(out->target, bucket, key, err);
        if (rc != REELAY_OK) return rc;
        if (!sink->s3) {
            reelay_err_set(err, REELAY_E_USAGE, "%s: s3:// is not reachable here (no S3 settings)", out->shown);
            return reelay_err_mark(err, REELAY_ERR_LASTING);
        }
    }
    if (!reelay_sink_file_name(out->target, name, sizeof name))
        return reelay_err_set(err, REELAY_E_USAGE, "%s: names no file (a URL output ends in a file name)",
                              out->shown);
    return REELAY_OK;
}

/* dir/ROLE/NAME, the directory made. */
static int local_path(reelay_sink *sink, reelay_sink_output *out, reelay_err *err)
{
    char name[512];
    if (!reelay_sink_file_name(out->target, name, sizeof name))
        return reelay_err_set(err, REELAY_E_USAGE, "%s: names no file", out->shown);
    size_t size = strlen(sink->dir) + strlen(name) + 32;
    out->local = malloc(size);
    if (!out->local) return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    snprintf(out->local, size, "%s/%s", sink->dir, reelay_sink_role_name(out->role));
    if (mkdir(out->local, 0700) != 0)
        return reelay_err_set(err, REELAY_E_IO, "%s: %s", out->local, strerror(errno));
    snprintf(out->local, size, "%s/%s/%s", sink->dir, reelay_sink_role_name(out->role), name);
    return REELAY_OK;
}

static int make_dir(reelay_sink *sink, reelay_err *err)
{
    const char *tmp = getenv("TMPDIR"); /* the usual place for temporary files, as mkstemp(3) users honour it */
    if (!tmp || tmp[0] != '/') tmp = "/tmp";
    size_t size = strlen(tmp) + 32;
    sink->dir = malloc(size);
    if (!sink->dir) return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    snprintf(sink->dir, size, "%s/reelay-out-XXXXXX", tmp);
    if (!mkdtemp(sink->dir)) { /* mode 0700: the render's files are the user's business */
        int rc = reelay_err_set(err, REELAY_E_IO, "cannot make a private directory in %s: %s", tmp, strerror(errno));
        free(sink->dir);
        sink->dir = NULL;
        return rc;
    }
    return REELAY_OK;
}

int reelay_sink_begin(reelay_sink *sink, reelay_render_options *o, reelay_err *err)
{
    memset(sink, 0, sizeof *sink);
    sink->s3 = o->ingest.s3;
    sink->policy = o->ingest.urls;
    sink->write = (reelay_atomic_options){.keep_existing = !o->overwrite, .owner = o->owner, .root = o->output_root};
    for (int role = 0; role < REELAY_SINK_ROLES; role++) {
        const char *target = *role_slot(o, (reelay_sink_role)role);
        if (!target) continue;
        reelay_sink_output *out = &sink->outputs[sink->count++];
        out->role = (reelay_sink_role)role;
        out->target = target;
        if (reelay_sink_is_url(target)) sink->active = true;
    }
    if (!sink->active) return REELAY_OK;
    int rc = REELAY_OK;
    for (int i = 0; rc == REELAY_OK && i < sink->count; i++) rc = classify(sink, &sink->outputs[i], err);
    if (rc == REELAY_OK) rc = make_dir(sink, err);
    for (int i = 0; rc == REELAY_OK && i < sink->count; i++) {
        reelay_sink_output *out = &sink->outputs[i];
        rc = local_path(sink, out, err);
        /* A local destination that cannot be written is known now, not
         * after the whole render. */
        if (rc == REELAY_OK && out->kind == REELAY_SINK_LOCAL)
            rc = reelay_atomic_begin_with(&out->held, out->target, &sink->write, err);
    }
    if (rc != REELAY_OK) {
        reelay_sink_end(sink);
        return rc;
    }
    for (int i = 0; i < sink->count; i++) *role_slot(o, sink->outputs[i].role) = sink->outputs[i].local;
    sink->before_publish = o->before_publish;
    sink->before_publish_context = o->before_publish_context;
    o->overwrite = true;
    o->output_root = NULL;
    o->owner = NULL;
    o->before_publish = NULL; /* asked by reelay_sink_publish, when the files are about to appear */
    o->before_publish_context = NULL;
    return REELAY_OK;
}

static reelay_sink_output *find(reelay_sink *sink, reelay_sink_role role)
{
    for (int i = 0; i < sink->count; i++)
        if (sink->outputs[i].role == role) return &sink->outputs[i];
    return NULL;
}

/* The manifest names the destinations, not the private directory. */
static int rewrite_manifest(reelay_sink *sink, reelay_err *err)
{
    reelay_sink_output *manifest = find(sink, REELAY_SINK_MANIFEST);
    if (!manifest) return REELAY_OK;
    json_error_t jerr;
    json_t *root = json_load_file(manifest->local, 0, &jerr);
    if (!root)
        return reelay_err_set(err, REELAY_E_INTERNAL, "%s: the manifest written does not read back", manifest->shown);
    reelay_sink_output *video = find(sink, REELAY_SINK_VIDEO), *poster = find(sink, REELAY_SINK_POSTER);
    json_t *section;
    if (video && (section = json_object_get(root, "output")))
        json_object_set_new(section, "path", json_string(video->shown));
    if (poster && (section = json_object_get(root, "poster")))
        json_object_set_new(section, "path", json_string(poster->shown));
    /* the manifest's own formatting (render/render.c) */
    int failed = json_dump_file(root, manifest->local, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(10));
    json_decref(root);
    FILE *fp = failed ? NULL : fopen(manifest->local, "a");
    if (!fp || fputc('\n', fp) == EOF || fclose(fp) != 0)
        return reelay_err_set(err, REELAY_E_IO, "%s: cannot write the manifest", manifest->local);
    return REELAY_OK;
}

/* A local destination's bytes into its writer, synced, not yet in place. */
static int copy_into(reelay_sink_output *out, reelay_err *err)
{
    FILE *in = fopen(out->local, "rb");
    if (!in) return reelay_err_set(err, REELAY_E_IO, "%s: %s", out->local, strerror(errno));
    char buffer[1 << 16];
    size_t n;
    bool failed = false;
    while (!failed && (n = fread(buffer, 1, sizeof buffer, in)) > 0) failed = fwrite(buffer, 1, n, out->held.fp) != n;
    failed = failed || ferror(in);
    fclose(in);
    if (failed) {
        reelay_atomic_abort(&out->held);
        return reelay_err_set(err, REELAY_E_IO, "%s: cannot write: %s", out->shown, strerror(errno));
    }
    return reelay_atomic_prepare(&out->held, err);
}

/* http_client's REELAY_E_INPUT is what the server answered (a 4xx: a
 * refused signature, a presigned URL expired): for an output that is an
 * output error, and one that trying again will not mend. */
static int output_error(int rc, reelay_err *err)
{
    if (rc != REELAY_E_INPUT) return rc;
    err->code = REELAY_E_IO;
    return reelay_err_mark(err, REELAY_ERR_LASTING);
}

/* What travels before the caller's check: nothing appears yet. */
static int stage(reelay_sink *sink, reelay_sink_output *out, reelay_err *err)
{
    struct stat st;
    if (stat(out->local, &st) != 0)
        return reelay_err_set(err, REELAY_E_IO, "%s: the render left no file: %s", out->shown, strerror(errno));
    out->bytes = st.st_size;
    if (out->kind == REELAY_SINK_S3)
        return output_error(
            reelay_s3_upload_stage(sink->s3, out->target, out->local, content_type(out->local), &out->upload, err),
            err);
    if (out->kind == REELAY_SINK_LOCAL) return copy_into(out, err);
    return REELAY_OK;
}

/* The file appears under its destination's name. */
static int appear(reelay_sink *sink, reelay_sink_output *out, reelay_err *err)
{
    int rc;
    if (out->kind == REELAY_SINK_S3) {
        rc = reelay_s3_upload_commit(&out->upload, err);
    } else if (out->kind == REELAY_SINK_LOCAL) {
        rc = reelay_atomic_commit(&out->held, err);
    } else {
        reelay_http_request request = {.method = REELAY_HTTP_PUT,
                                       .url = out->target,
                                       .body_path = out->local,
                                       .body_len = (size_t)out->bytes,
                                       .attempts = PUT_ATTEMPTS,
                                       .policy = sink->policy};
        reelay_http_response response;
        rc = reelay_http_perform(&request, &response, err);
        reelay_http_response_free(&response);
    }
    out->published = rc == REELAY_OK;
    return output_error(rc, err);
}

/* After a failure: the sidecars already in place go again where they can. */
static void withdraw(reelay_sink *sink)
{
    for (int i = 0; i < sink->count; i++) {
        reelay_sink_output *out = &sink->outputs[i];
        if (!out->published) continue;
        reelay_err ignored;
        if (out->kind == REELAY_SINK_S3) reelay_s3_delete(sink->s3, out->target, &ignored);
        if (out->kind == REELAY_SINK_LOCAL) unlink(out->target);
        out->published = false;
    }
}

int reelay_sink_publish(reelay_sink *sink, reelay_err *err)
{
    if (!sink->active) {
        for (int i = 0; i < sink->count; i++) {
            struct stat st;
            if (stat(sink->outputs[i].target, &st) == 0) sink->outputs[i].bytes = st.st_size;
            sink->outputs[i].published = true;
            snprintf(sink->outputs[i].shown, sizeof sink->outputs[i].shown, "%s", sink->outputs[i].target);
        }
        return REELAY_OK;
    }
    int rc = rewrite_manifest(sink, err);
    /* the video's parts first: the largest transfer, before the check */
    for (int i = 0; rc == REELAY_OK && i < sink->count; i++) rc = stage(sink, &sink->outputs[i], err);
    if (rc == REELAY_OK && sink->before_publish) rc = sink->before_publish(sink->before_publish_context, err);
    for (int i = 1; rc == REELAY_OK && i < sink->count; i++) rc = appear(sink, &sink->outputs[i], err);
    if (rc == REELAY_OK && sink->count > 0) rc = appear(sink, &sink->outputs[0], err); /* the video: last */
    if (rc != REELAY_OK) withdraw(sink);
    return rc;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

void reelay_sink_end(reelay_sink *sink)
{
    for (int i = 0; i < sink->count; i++) {
        reelay_sink_output *out = &sink->outputs[i];
        reelay_s3_upload_abort(&out->upload);
        reelay_atomic_abort(&out->held);
        free(out->local);
        out->local = NULL;
    }
    if (sink->dir) nftw(sink->dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
    free(sink->dir);
    sink->dir = NULL;
}
