/* s3.h — objects in S3 and S3-compatible storage, over net/http_client.h.
 * Owns: the operator's S3 settings (read from the usual AWS_* environment
 * by the command line, then passed down: nothing here reads the
 * environment), the URL of an object (virtual-hosted on AWS, path-style
 * under AWS_ENDPOINT_URL), AWS Signature V4 through libcurl with the
 * payload's SHA-256 in x-amz-content-sha256 (curl 7.88 signs that header's
 * value as the payload hash, and hashes an empty body without it), GET with
 * a size cap, and uploads that appear whole or not at all: one PUT for a
 * small object, else a multipart upload whose parts are sent first and
 * which a complete request makes visible (or an abort drops). Messages name
 * the s3:// URL and S3's own <Code> and <Message>, never a credential. */
#ifndef REELAY_NET_S3_H
#define REELAY_NET_S3_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"

#define REELAY_S3_DEFAULT_REGION "us-east-1"
/* An object larger than one part goes up in parts of this size (S3 wants
 * at least 5 MiB for every part but the last, and at most 10000 parts). */
#define REELAY_S3_DEFAULT_PART_SIZE ((size_t)8 << 20)
#define REELAY_S3_MAX_PARTS 10000
#define REELAY_S3_ATTEMPTS 4 /* tries of one request (429, 5xx, a dropped connection) */
#define REELAY_S3_BUCKET_MAX 63
#define REELAY_S3_KEY_MAX 1024

typedef struct reelay_s3_config {
    char access_key_id[128];      /* AWS_ACCESS_KEY_ID; "" = requests go unsigned (public buckets) */
    char secret_access_key[256];  /* AWS_SECRET_ACCESS_KEY */
    char session_token[4096];     /* AWS_SESSION_TOKEN, sent as x-amz-security-token; "" = none */
    char region[64];              /* AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1 */
    char endpoint[512];           /* AWS_ENDPOINT_URL without a trailing '/': path-style; "" = AWS */
    size_t part_size;             /* REELAY_S3_PART_SIZE (K/M/G allowed): larger objects go multipart */
} reelay_s3_config;

/* Reads the settings through lookup (getenv, or a test's table); NULL
 * values are unset. REELAY_E_USAGE naming the variable for a bad value
 * (an endpoint that is not http(s)://, a region or key too long, a part
 * size below 1 KiB). */
int reelay_s3_config_read(reelay_s3_config *config, char *(*lookup)(const char *name), reelay_err *err);

/* "s3://BUCKET/KEY" split: the bucket (3..63 of [a-z0-9.-]) and the key
 * (everything after the first '/', taken literally, 1..1024 bytes, without
 * '?' or '#'). REELAY_E_USAGE naming the URL otherwise. */
int reelay_s3_split(const char *url, char bucket[REELAY_S3_BUCKET_MAX + 1], char key[REELAY_S3_KEY_MAX + 1],
                    reelay_err *err);

/* The http(s) URL of bucket/key (key percent-encoded, '/' kept), with
 * query appended after '?' when not NULL (already canonical: sorted,
 * encoded, "name=value" pairs). Path-style under the endpoint when one is
 * set; else https://BUCKET.s3.REGION.amazonaws.com/KEY, or path-style on
 * s3.REGION.amazonaws.com for a bucket with a '.' (no certificate covers
 * it as a host name). False when it does not fit. */
bool reelay_s3_object_url(const reelay_s3_config *config, const char *bucket, const char *key, const char *query,
                          char *out, size_t size);

/* The text of the first <tag>…</tag> in xml, entities decoded and
 * whitespace runs made single spaces; false when there is none or it does
 * not fit. */
bool reelay_s3_xml_text(const char *xml, size_t len, const char *tag, char *out, size_t size);

/* The ETag S3 gives an object completed from parts whose ETags (quoted
 * MD5s in hex) are part_etags[0..count): the quoted MD5 of their digests,
 * "-" and the count. False when one is not an MD5 (e.g. under SSE-KMS). */
bool reelay_s3_multipart_etag(const char *const *part_etags, size_t count, char *out, size_t size);

/* GETs the object named by url ("s3://…") into out (initialised here): at
 * most max_bytes (REELAY_E_INPUT naming --max-input-bytes beyond). config
 * may be NULL: then a lasting REELAY_E_USAGE (no S3 settings here). */
int reelay_s3_get(const reelay_s3_config *config, const char *url, size_t max_bytes, reelay_buf *out,
                  reelay_err *err);

/* DELETEs the object named by url; a missing object is not an error.
 * config may be NULL, as for reelay_s3_get. */
int reelay_s3_delete(const reelay_s3_config *config, const char *url, reelay_err *err);

/* An upload of a local file to an object, in two steps, so that the bytes
 * travel before the caller's last check and the object appears after it. */
typedef struct reelay_s3_upload {
    const reelay_s3_config *config;
    char url[REELAY_S3_KEY_MAX + 128];     /* the s3:// URL, for messages */
    char bucket[REELAY_S3_BUCKET_MAX + 1];
    char key[REELAY_S3_KEY_MAX + 1];
    char *path;                            /* the local file (owned copy) */
    int64_t size;
    char content_type[64];                 /* "" = the storage's default */
    size_t part_size;                      /* 0 = one PUT */
    char upload_id[1024];                  /* of a multipart upload under way, "" when none */
    reelay_buf complete_xml;               /* the parts sent so far, as CompleteMultipartUpload wants them */
    char **part_etags;                     /* the same parts' ETags, for recognising the completed object */
    size_t parts;
} reelay_s3_upload;

/* Starts an upload of the file at path to url: an object larger than one
 * part (config->part_size) becomes a multipart upload whose parts are all
 * sent now (nothing is visible under the key yet); a smaller one is only
 * looked at. content_type (may be NULL) is the object's Content-Type. On
 * failure a multipart upload begun is aborted. config may be NULL, as for
 * reelay_s3_get. */
int reelay_s3_upload_stage(const reelay_s3_config *config, const char *url, const char *path,
                           const char *content_type, reelay_s3_upload *upload, reelay_err *err);

/* Makes the object appear whole: completes the multipart upload, or PUTs
 * the small object in one request. On failure nothing is under the key
 * (the multipart upload is aborted). A complete request tried again after
 * its first answer was lost, and told NoSuchUpload, succeeded when the key
 * holds an object of exactly these parts (its ETag). Releases the upload
 * either way. */
int reelay_s3_upload_commit(reelay_s3_upload *upload, reelay_err *err);

/* Drops an upload that will not be committed (aborts a multipart upload;
 * safe on a zeroed, committed or aborted struct). */
void reelay_s3_upload_abort(reelay_s3_upload *upload);

#endif
