/* sink.h — where a render's files go when some of them are URLs.
 * Owns: the video, poster, preview, manifest and email snippet named as
 * s3://BUCKET/KEY (net/s3.h) or as an http(s):// URL taken for a presigned
 * one (a plain PUT, no credentials of ours); holding them to the URL
 * policy; rendering them into a private directory first (mkdtemp, 0700,
 * each file under the name its destination ends in, so the email snippet's
 * links and the containers chosen from names stay right); and publishing
 * them afterwards so that a present video means every file is present.
 *
 * Publishing, in order: the bytes that can travel unseen do so first (a
 * multipart upload's parts; a local file's copy, written aside); then the
 * caller's before_publish (a worker's check that the job is still its own);
 * then the sidecars appear (one PUT each, a completed multipart upload, a
 * local rename), the video last. A failure or a refused check aborts what is
 * unseen (an S3 multipart upload is aborted, never completed) and removes
 * the sidecars already put in place where it can (s3:// and local files;
 * an object behind a presigned URL cannot be deleted with it). So nothing
 * partial is ever under a final name, and a process killed before the end
 * leaves no video; its private directory is removed on every path it
 * controls (a SIGKILL leaves it in TMPDIR).
 *
 * When no file is a URL the sink does nothing: render publishes as always.
 * When some are, all of them go through the private directory, local ones
 * too (written to their place with core/atomic_file.h and the render's
 * overwrite, owner and output_root), since the render writes all its files
 * under one set of rules. The manifest then names each file by its
 * destination (a URL as displayed: no query, no credentials). */
#ifndef REELAY_SINK_SINK_H
#define REELAY_SINK_SINK_H

#include <stdbool.h>
#include <stdint.h>

#include "core/atomic_file.h"
#include "core/error.h"
#include "net/s3.h"
#include "render/render.h"

typedef enum reelay_sink_role {
    REELAY_SINK_VIDEO = 0,
    REELAY_SINK_POSTER,
    REELAY_SINK_PREVIEW,
    REELAY_SINK_MANIFEST,
    REELAY_SINK_EMAIL_HTML,
    REELAY_SINK_ROLES,
} reelay_sink_role;

typedef enum reelay_sink_kind { REELAY_SINK_LOCAL = 0, REELAY_SINK_S3, REELAY_SINK_PUT } reelay_sink_kind;

#define REELAY_SINK_SHOWN_MAX 2048

typedef struct reelay_sink_output {
    reelay_sink_role role;
    reelay_sink_kind kind;
    const char *target;                /* as the caller named it (borrowed) */
    char shown[REELAY_SINK_SHOWN_MAX]; /* the target as messages and results show it */
    char *local;                       /* where the render writes it (owned), NULL when the sink is idle */
    int64_t bytes;                     /* once published */
    bool published;
    reelay_s3_upload upload;           /* REELAY_SINK_S3, between stage and commit */
    reelay_atomic_file held;           /* REELAY_SINK_LOCAL, written and synced, not yet in place */
} reelay_sink_output;

typedef struct reelay_sink {
    bool active; /* some file is a URL */
    char *dir;   /* the private directory (owned) */
    int count;
    reelay_sink_output outputs[REELAY_SINK_ROLES];
    const reelay_s3_config *s3;
    const reelay_url_policy *policy;
    reelay_atomic_options write; /* for local targets; strings borrowed from the caller's options */
    int (*before_publish)(void *context, reelay_err *err);
    void *before_publish_context;
} reelay_sink;

/* The role's name in results and manifests: "video", "poster", "preview",
 * "manifest", "email_html". */
const char *reelay_sink_role_name(reelay_sink_role role);

/* Whether path names a destination the sink handles: s3://, http(s)://. */
bool reelay_sink_is_url(const char *path);

/* The name a destination ends in: the last path segment of a URL (before
 * any query), else path itself; for choosing a container or an image
 * format by extension. False when a URL names no file. */
bool reelay_sink_file_name(const char *path, char *out, size_t size);

/* Takes over options' files. When one is a URL: each URL is checked
 * against options->ingest.urls (NULL: URLs refused) and, for s3://, needs
 * options->ingest.s3; the private directory is made and options is
 * pointed at it (files, overwrite, output_root, owner and before_publish
 * changed; keep options alive until reelay_sink_end). Else nothing
 * changes. On failure the sink is ended. */
int reelay_sink_begin(reelay_sink *sink, reelay_render_options *options, reelay_err *err);

/* After a successful render: publishes as described above. The manifest,
 * when there is one, is first rewritten to name the destinations. */
int reelay_sink_publish(reelay_sink *sink, reelay_err *err);

/* Aborts what was not published and removes the private directory (safe
 * on a zeroed sink, after publish, and twice). */
void reelay_sink_end(reelay_sink *sink);

#endif
