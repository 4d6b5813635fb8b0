#include "net/s3.h"

#include <ctype.h>
#include <errno.h>
#include <libavutil/md5.h>
#include <libavutil/mem.h>
#include <libavutil/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "net/http_client.h"
#include "net/url.h"
#include "render/options.h"

/* ------------------------------------------------------------------ config */

static int copy_setting(char *out, size_t size, const char *value, const char *name, reelay_err *err)
{
    if (!value) return REELAY_OK;
    if (strlen(value) >= size)
        return reelay_err_set(err, REELAY_E_USAGE, "%s is longer than %zu characters", name, size - 1);
    memcpy(out, value, strlen(value) + 1);
    return REELAY_OK;
}

int reelay_s3_config_read(reelay_s3_config *c, char *(*lookup)(const char *name), reelay_err *err)
{
    memset(c, 0, sizeof *c);
    snprintf(c->region, sizeof c->region, "%s", REELAY_S3_DEFAULT_REGION);
    c->part_size = REELAY_S3_DEFAULT_PART_SIZE;
    const char *region = lookup("AWS_REGION");
    if (!region || !region[0]) region = lookup("AWS_DEFAULT_REGION");
    int rc = copy_setting(c->access_key_id, sizeof c->access_key_id, lookup("AWS_ACCESS_KEY_ID"),
                          "AWS_ACCESS_KEY_ID", err);
    if (rc == REELAY_OK)
        rc = copy_setting(c->secret_access_key, sizeof c->secret_access_key, lookup("AWS_SECRET_ACCESS_KEY"),
                          "AWS_SECRET_ACCESS_KEY", err);
    if (rc == REELAY_OK)
        rc = copy_setting(c->session_token, sizeof c->session_token, lookup("AWS_SESSION_TOKEN"), "AWS_SESSION_TOKEN",
                          err);
    if (rc == REELAY_OK && region && region[0]) {
        rc = copy_setting(c->region, sizeof c->region, region, "AWS_REGION", err);
        /* the region is part of a host name and of the signature's scope */
        for (const char *p = c->region; rc == REELAY_OK && *p; p++)
            if (!isalnum((unsigned char)*p) && *p != '-')
                rc = reelay_err_set(err, REELAY_E_USAGE, "AWS_REGION '%s': expected letters, digits and '-'",
                                    c->region);
    }
    const char *endpoint = lookup("AWS_ENDPOINT_URL");
    if (rc == REELAY_OK && endpoint && endpoint[0]) {
        reelay_url_parts parts;
        if (!reelay_url_split(endpoint, &parts) ||
            (strcmp(parts.scheme, "http") != 0 && strcmp(parts.scheme, "https") != 0) || parts.has_userinfo ||
            strpbrk(endpoint, "?#"))
            return reelay_err_set(err, REELAY_E_USAGE,
                                  "AWS_ENDPOINT_URL: expected http(s)://HOST[:PORT][/PATH] without credentials");
        rc = copy_setting(c->endpoint, sizeof c->endpoint, endpoint, "AWS_ENDPOINT_URL", err);
        size_t n = strlen(c->endpoint);
        while (n > 0 && c->endpoint[n - 1] == '/') c->endpoint[--n] = '\0';
    }
    const char *part_size = lookup("REELAY_S3_PART_SIZE");
    if (rc == REELAY_OK && part_size && part_size[0]) {
        uint64_t n;
        rc = reelay_parse_count(part_size, "REELAY_S3_PART_SIZE", &n, err);
        if (rc == REELAY_OK && (n < 1024 || n > ((uint64_t)5 << 30)))
            rc = reelay_err_set(err, REELAY_E_USAGE, "REELAY_S3_PART_SIZE %s: expected 1K to 5G", part_size);
        if (rc == REELAY_OK) c->part_size = (size_t)n;
    }
    return rc;
}

/* -------------------------------------------------------------------- URLs */

int reelay_s3_split(const char *url, char bucket[REELAY_S3_BUCKET_MAX + 1], char key[REELAY_S3_KEY_MAX + 1],
                    reelay_err *err)
{
    char shown[REELAY_S3_KEY_MAX + 128];
    reelay_url_display(url, shown, sizeof shown);
    if (strncasecmp(url, "s3://", 5) != 0) return reelay_err_set(err, REELAY_E_USAGE, "%s: not an s3:// URL", shown);
    const char *name = url + 5, *slash = strchr(name, '/');
    size_t len = slash ? (size_t)(slash - name) : strlen(name);
    bool ok = len >= 3 && len <= REELAY_S3_BUCKET_MAX;
    for (size_t i = 0; ok && i < len; i++) {
        char ch = name[i];
        ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '-';
    }
    if (!ok)
        return reelay_err_set(err, REELAY_E_USAGE,
                              "%s: expected s3://BUCKET/KEY, a bucket of 3 to 63 lower-case letters, digits, '.' and "
                              "'-'",
                              shown);
    const char *k = slash ? slash + 1 : "";
    if (!k[0] || strlen(k) > REELAY_S3_KEY_MAX)
        return reelay_err_set(err, REELAY_E_USAGE, "%s: expected a key of 1 to %d bytes after the bucket", shown,
                              REELAY_S3_KEY_MAX);
    /* Taken literally, these would be a query or a fragment to some readers
     * of the URL and part of the key to others; neither is worth the doubt. */
    if (strpbrk(k, "?#"))
        return reelay_err_set(err, REELAY_E_USAGE, "%s: a key with '?' or '#' is not supported", shown);
    memcpy(bucket, name, len);
    bucket[len] = '\0';
    memcpy(key, k, strlen(k) + 1);
    return REELAY_OK;
}

bool reelay_s3_object_url(const reelay_s3_config *c, const char *bucket, const char *key, const char *query,
                          char *out, size_t size)
{
    char encoded[REELAY_S3_KEY_MAX * 3 + 1];
    if (!reelay_url_encode(key, true, encoded, sizeof encoded)) return false;
    int n;
    const char *q = query ? "?" : "", *qs = query ? query : "";
    if (c->endpoint[0])
        n = snprintf(out, size, "%s/%s/%s%s%s", c->endpoint, bucket, encoded, q, qs);
    else if (strchr(bucket, '.'))
        n = snprintf(out, size, "https://s3.%s.amazonaws.com/%s/%s%s%s", c->region, bucket, encoded, q, qs);
    else
        n = snprintf(out, size, "https://%s.s3.%s.amazonaws.com/%s%s%s", bucket, c->region, encoded, q, qs);
    return n > 0 && (size_t)n < size;
}

/* --------------------------------------------------------------------- XML */

bool reelay_s3_xml_text(const char *xml, size_t len, const char *tag, char *out, size_t size)
{
    char open[80], close[80];
    snprintf(open, sizeof open, "<%s>", tag);
    snprintf(close, sizeof close, "</%s>", tag);
    const char *end = xml + len, *start = NULL;
    for (const char *p = xml; p + strlen(open) <= end; p++)
        if (memcmp(p, open, strlen(open)) == 0) {
            start = p + strlen(open);
            break;
        }
    if (!start || size == 0) return false;
    const char *stop = NULL;
    for (const char *p = start; p + strlen(close) <= end; p++)
        if (memcmp(p, close, strlen(close)) == 0) {
            stop = p;
            break;
        }
    if (!stop) return false;
    static const struct { const char *name, ch; } ENTITIES[] = {
        {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
    size_t n = 0;
    bool space = false;
    for (const char *p = start; p < stop; p++) {
        char ch = *p;
        if (ch == '&')
            for (size_t i = 0; i < sizeof ENTITIES / sizeof ENTITIES[0]; i++) {
                size_t elen = strlen(ENTITIES[i].name);
                if ((size_t)(stop - p) >= elen && memcmp(p, ENTITIES[i].name, elen) == 0) {
                    ch = ENTITIES[i].ch;
                    p += elen - 1;
                    break;
                }
            }
        if (isspace((unsigned char)ch)) { /* one line in a message */
            space = n > 0;
            continue;
        }
        if (n + (space ? 2 : 1) >= size) return false;
        if (space) out[n++] = ' ';
        space = false;
        out[n++] = ch;
    }
    out[n] = '\0';
    return true;
}

bool reelay_s3_multipart_etag(const char *const *part_etags, size_t count, char *out, size_t size)
{
    struct AVMD5 *md5 = av_md5_alloc();
    if (!md5) return false;
    av_md5_init(md5);
    bool ok = true;
    for (size_t i = 0; ok && i < count; i++) {
        const char *e = part_etags[i];
        size_t len = strlen(e);
        if (len == 34 && e[0] == '"' && e[33] == '"') e++, len -= 2;
        unsigned char digest[16];
        ok = len == 32;
        for (int b = 0; ok && b < 16; b++) {
            unsigned value;
            ok = isxdigit((unsigned char)e[2 * b]) && isxdigit((unsigned char)e[2 * b + 1]) &&
                 sscanf(e + 2 * b, "%2x", &value) == 1;
            digest[b] = (unsigned char)value;
        }
        if (ok) av_md5_update(md5, digest, sizeof digest);
    }
    unsigned char total[16];
    av_md5_final(md5, total);
    av_free(md5);
    char hex[33];
    for (int b = 0; b < 16; b++) snprintf(hex + 2 * b, 3, "%02x", total[b]);
    int n = snprintf(out, size, "\"%s-%zu\"", hex, count);
    return ok && n > 0 && (size_t)n < size;
}

/* -------------------------------------------------------------- requests */

/* SHA-256 of body_len bytes of memory, or of a file region, in hex. */
static int payload_sha256(const void *body, const char *path, int64_t offset, size_t len, char hex[65],
                          reelay_err *err)
{
    struct AVSHA *sha = av_sha_alloc();
    if (!sha || av_sha_init(sha, 256) < 0) {
        av_free(sha);
        return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    }
    int rc = REELAY_OK;
    if (path) {
        FILE *fp = fopen(path, "rb");
        if (!fp || fseeko(fp, (off_t)offset, SEEK_SET) != 0) {
            rc = reelay_err_set(err, REELAY_E_IO, "%s: cannot read: %s", path, strerror(errno));
        } else {
            unsigned char buffer[1 << 16];
            size_t left = len;
            while (left > 0) {
                size_t got = fread(buffer, 1, left < sizeof buffer ? left : sizeof buffer, fp);
                if (got == 0) break;
                av_sha_update(sha, buffer, (unsigned)got);
                left -= got;
            }
            if (left > 0) rc = reelay_err_set(err, REELAY_E_IO, "%s: shorter than expected", path);
        }
        if (fp) fclose(fp);
    } else if (len > 0) {
        av_sha_update(sha, body, (unsigned)len);
    }
    unsigned char digest[32];
    av_sha_final(sha, digest);
    av_free(sha);
    for (int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    return rc;
}

/* What an S3 request adds to the caller's HTTP request (method, body,
 * response cap): the query of the object's URL and what is stored. */
typedef struct s3_call {
    const char *query;
    const char *content_type; /* of what is stored; NULL = none */
    const char *range;        /* "bytes=A-B" of a GET; NULL = all */
} s3_call;

/* err (which starts with the endpoint URL as displayed) restated for the
 * s3:// URL, with S3's own words from the error document. */
static void restate_error(reelay_err *err, const char *endpoint_url, const char *shown,
                          const reelay_http_response *response)
{
    char endpoint_shown[REELAY_S3_KEY_MAX * 3 + 600];
    reelay_url_display(endpoint_url, endpoint_shown, sizeof endpoint_shown);
    size_t n = strlen(endpoint_shown);
    const char *rest = strncmp(err->msg, endpoint_shown, n) == 0 && strncmp(err->msg + n, ": ", 2) == 0
                           ? err->msg + n + 2
                           : err->msg;
    char code[128] = "", message[400] = "";
    const char *xml = (const char *)response->body.data;
    if (xml) {
        reelay_s3_xml_text(xml, response->body.len, "Code", code, sizeof code);
        reelay_s3_xml_text(xml, response->body.len, "Message", message, sizeof message);
    }
    char text[sizeof err->msg + sizeof code + sizeof message + REELAY_S3_KEY_MAX + 128];
    if (code[0])
        snprintf(text, sizeof text, "%s: %s (%s%s%s)", shown, rest, code, message[0] ? ": " : "", message);
    else
        snprintf(text, sizeof text, "%s: %s", shown, rest);
    size_t len = strlen(text);
    if (len >= sizeof err->msg) len = sizeof err->msg - 1;
    memcpy(err->msg, text, len);
    err->msg[len] = '\0';
}

/* One S3 request to bucket/key[?query]: request (method, body, response
 * cap) with the URL, the payload's hash, the signature and retries added.
 * Errors name `shown` (the s3:// URL) and carry S3's <Code> and <Message>
 * when it sent them. */
static int s3_request(const reelay_s3_config *c, const char *bucket, const char *key, const char *shown,
                      const s3_call *call, reelay_http_request request, reelay_http_response *response,
                      reelay_err *err)
{
    char url[REELAY_S3_KEY_MAX * 3 + 2048];
    memset(response, 0, sizeof *response);
    reelay_buf_init(&response->body);
    if (!reelay_s3_object_url(c, bucket, key, call->query, url, sizeof url))
        return reelay_err_set(err, REELAY_E_USAGE, "%s: the object's URL is too long", shown);
    char hash[65];
    int rc = payload_sha256(request.body, request.body_path, request.body_offset, request.body_len, hash, err);
    if (rc != REELAY_OK) return rc;
    char sha_header[100], token_header[sizeof c->session_token + 32], sigv4[128],
        credentials[sizeof c->access_key_id + sizeof c->secret_access_key + 2];
    snprintf(sha_header, sizeof sha_header, "x-amz-content-sha256: %s", hash);
    char type_header[100], range_header[100];
    const char *headers[5] = {sha_header, NULL, NULL, NULL, NULL};
    size_t n = 1;
    if (c->session_token[0]) {
        snprintf(token_header, sizeof token_header, "x-amz-security-token: %s", c->session_token);
        headers[n++] = token_header;
    }
    if (call->content_type) {
        snprintf(type_header, sizeof type_header, "Content-Type: %s", call->content_type);
        headers[n++] = type_header;
    }
    if (call->range) {
        snprintf(range_header, sizeof range_header, "Range: %s", call->range);
        headers[n++] = range_header;
    }
    snprintf(sigv4, sizeof sigv4, "aws:amz:%s:s3", c->region);
    snprintf(credentials, sizeof credentials, "%s:%s", c->access_key_id, c->secret_access_key);
    bool sign = c->access_key_id[0] != '\0';
    request.url = url;
    request.headers = headers;
    request.aws_sigv4 = sign ? sigv4 : NULL;
    request.aws_credentials = sign ? credentials : NULL;
    request.attempts = REELAY_S3_ATTEMPTS;
    request.policy = NULL; /* the operator's endpoint: no policy, no address check */
    rc = reelay_http_perform(&request, response, err);
    /* A complete request may answer 200 and still carry an error document. */
    const char *xml = (const char *)response->body.data;
    char code[128];
    if (rc == REELAY_OK && request.method == REELAY_HTTP_POST && xml &&
        reelay_s3_xml_text(xml, response->body.len, "Code", code, sizeof code) && strstr(xml, "<Error>")) {
        char endpoint_shown[sizeof url];
        reelay_url_display(url, endpoint_shown, sizeof endpoint_shown);
        rc = reelay_err_set(err, REELAY_E_IO, "%s: HTTP status %ld", endpoint_shown, response->status);
    }
    if (rc != REELAY_OK) restate_error(err, url, shown, response);
    memset(credentials, 0, sizeof credentials);
    return rc;
}

static int no_settings(const char *shown, reelay_err *err)
{
    reelay_err_set(err, REELAY_E_USAGE, "%s: s3:// is not reachable here (no S3 settings)", shown);
    return reelay_err_mark(err, REELAY_ERR_LASTING);
}

int reelay_s3_get(const reelay_s3_config *c, const char *url, size_t max_bytes, reelay_buf *out, reelay_err *err)
{
    reelay_buf_init(out);
    char bucket[REELAY_S3_BUCKET_MAX + 1], key[REELAY_S3_KEY_MAX + 1], shown[REELAY_S3_KEY_MAX + 128];
    int rc = reelay_s3_split(url, bucket, key, err);
    if (rc != REELAY_OK) return rc;
    reelay_url_display(url, shown, sizeof shown);
    if (!c) return no_settings(shown, err);
    reelay_http_request get = {.method = REELAY_HTTP_GET,
                               .max_response_bytes = max_bytes,
                               .size_what = "the recording",
                               .size_flag = "--max-input-bytes"};
    reelay_http_response response;
    rc = s3_request(c, bucket, key, shown, &(s3_call){0}, get, &response, err);
    if (rc == REELAY_OK) {
        *out = response.body;
        reelay_buf_init(&response.body);
    }
    reelay_http_response_free(&response);
    return rc;
}

int reelay_s3_delete(const reelay_s3_config *c, const char *url, reelay_err *err)
{
    char bucket[REELAY_S3_BUCKET_MAX + 1], key[REELAY_S3_KEY_MAX + 1], shown[REELAY_S3_KEY_MAX + 128];
    int rc = reelay_s3_split(url, bucket, key, err);
    if (rc != REELAY_OK) return rc;
    reelay_url_display(url, shown, sizeof shown);
    if (!c) return no_settings(shown, err);
    reelay_http_response response;
    rc = s3_request(c, bucket, key, shown, &(s3_call){0}, (reelay_http_request){.method = REELAY_HTTP_DELETE},
                    &response, err);
    if (rc != REELAY_OK && response.status == 404) rc = REELAY_OK;
    reelay_http_response_free(&response);
    if (rc == REELAY_OK) reelay_err_clear(err);
    return rc;
}

/* ----------------------------------------------------------------- uploads */

/* "uploadId=ID" and friends: the query of a multipart request, in the
 * canonical form curl 7.88 signs as it is (sorted, encoded, "name=value"). */
static bool upload_query(const reelay_s3_upload *u, int part, char *out, size_t size)
{
    char id[sizeof u->upload_id * 3];
    if (!reelay_url_encode(u->upload_id, false, id, sizeof id)) return false;
    int n = part > 0 ? snprintf(out, size, "partNumber=%d&uploadId=%s", part, id)
                     : snprintf(out, size, "uploadId=%s", id);
    return n > 0 && (size_t)n < size;
}

static void abort_multipart(reelay_s3_upload *u)
{
    if (!u->upload_id[0]) return;
    char query[sizeof u->upload_id * 3 + 32];
    if (upload_query(u, 0, query, sizeof query)) {
        reelay_http_response response;
        reelay_err ignored;
        s3_request(u->config, u->bucket, u->key, u->url, &(s3_call){.query = query},
                   (reelay_http_request){.method = REELAY_HTTP_DELETE}, &response, &ignored);
        reelay_http_response_free(&response);
    }
    u->upload_id[0] = '\0';
}

void reelay_s3_upload_abort(reelay_s3_upload *u)
{
    if (!u) return;
    if (u->config) abort_multipart(u);
    free(u->path);
    reelay_buf_free(&u->complete_xml);
    for (size_t i = 0; i < u->parts; i++) free(u->part_etags[i]);
    free(u->part_etags);
    memset(u, 0, sizeof *u);
}

static int create_multipart(reelay_s3_upload *u, reelay_err *err)
{
    /* "uploads=" rather than "uploads": curl 7.88 signs the query as sent,
     * and S3 canonicalises a bare name as "name=". */
    s3_call call = {.query = "uploads=", .content_type = u->content_type[0] ? u->content_type : NULL};
    reelay_http_response response;
    int rc = s3_request(u->config, u->bucket, u->key, u->url, &call,
                        (reelay_http_request){.method = REELAY_HTTP_POST, .body = ""}, &response, err);
    if (rc == REELAY_OK && (!response.body.data || !reelay_s3_xml_text((const char *)response.body.data,
                                                                        response.body.len, "UploadId", u->upload_id,
                                                                        sizeof u->upload_id) ||
                            !u->upload_id[0]))
        rc = reelay_err_set(err, REELAY_E_IO, "%s: the storage started no multipart upload (no UploadId)", u->url);
    reelay_http_response_free(&response);
    return rc;
}

/* A part sent: into the complete request, and its ETag kept. */
static bool remember_part(reelay_s3_upload *u, int part, const char *etag)
{
    char **etags = realloc(u->part_etags, (u->parts + 1) * sizeof *etags);
    if (!etags) return false;
    u->part_etags = etags;
    if (!(etags[u->parts] = strdup(etag))) return false;
    u->parts++;
    return reelay_buf_printf(&u->complete_xml, "<Part><PartNumber>%d</PartNumber><ETag>%s</ETag></Part>", part,
                             etag) == 0;
}

static int upload_part(reelay_s3_upload *u, int part, int64_t offset, size_t len, reelay_err *err)
{
    char query[sizeof u->upload_id * 3 + 32];
    if (!upload_query(u, part, query, sizeof query))
        return reelay_err_set(err, REELAY_E_IO, "%s: the storage's upload id is too long", u->url);
    reelay_http_request put = {.method = REELAY_HTTP_PUT, .body_path = u->path, .body_offset = offset, .body_len = len};
    reelay_http_response response;
    int rc = s3_request(u->config, u->bucket, u->key, u->url, &(s3_call){.query = query}, put, &response, err);
    if (rc == REELAY_OK && !response.etag[0])
        rc = reelay_err_set(err, REELAY_E_IO, "%s: part %d was stored without an ETag", u->url, part);
    /* The ETag is quoted by S3 and holds no '<' or '&': it goes into the
     * XML as it came. */
    if (rc == REELAY_OK && strpbrk(response.etag, "<&"))
        rc = reelay_err_set(err, REELAY_E_IO, "%s: part %d has a malformed ETag", u->url, part);
    if (rc == REELAY_OK && !remember_part(u, part, response.etag))
        rc = reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    reelay_http_response_free(&response);
    return rc;
}

int reelay_s3_upload_stage(const reelay_s3_config *c, const char *url, const char *path, const char *content_type,
                           reelay_s3_upload *u, reelay_err *err)
{
    memset(u, 0, sizeof *u);
    reelay_buf_init(&u->complete_xml);
    snprintf(u->content_type, sizeof u->content_type, "%s", content_type ? content_type : "");
    int rc = reelay_s3_split(url, u->bucket, u->key, err);
    if (rc != REELAY_OK) return rc;
    reelay_url_display(url, u->url, sizeof u->url);
    if (!c) return no_settings(u->url, err);
    u->config = c;
    struct stat st;
    if (stat(path, &st) != 0) {
        rc = reelay_err_set(err, REELAY_E_IO, "%s: cannot read %s: %s", u->url, path, strerror(errno));
        reelay_s3_upload_abort(u);
        return rc;
    }
    u->size = st.st_size;
    u->path = strdup(path);
    if (!u->path) {
        reelay_s3_upload_abort(u);
        return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    }
    if ((uint64_t)u->size <= c->part_size) return REELAY_OK; /* one PUT, at commit */
    u->part_size = c->part_size;
    while ((uint64_t)u->size > (uint64_t)u->part_size * REELAY_S3_MAX_PARTS) u->part_size *= 2;
    rc = create_multipart(u, err);
    if (rc == REELAY_OK && reelay_buf_append_str(&u->complete_xml, "<CompleteMultipartUpload>") != 0)
        rc = reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    int part = 1;
    for (int64_t offset = 0; rc == REELAY_OK && offset < u->size; offset += (int64_t)u->part_size, part++) {
        int64_t left = u->size - offset;
        size_t len = (uint64_t)left < u->part_size ? (size_t)left : u->part_size;
        rc = upload_part(u, part, offset, len, err);
    }
    if (rc != REELAY_OK) reelay_s3_upload_abort(u);
    return rc;
}

/* A complete request tried again after its first try succeeded unseen
 * (the answer lost) is told NoSuchUpload: S3 documents both answers to a
 * repeated complete. The upload did complete when the key now holds an
 * object with exactly these parts' ETag. */
static bool completed_unseen(reelay_s3_upload *u)
{
    char want[64];
    if (!reelay_s3_multipart_etag((const char *const *)u->part_etags, u->parts, want, sizeof want)) return false;
    reelay_http_response response;
    reelay_err ignored;
    int rc = s3_request(u->config, u->bucket, u->key, u->url, &(s3_call){.range = "bytes=0-0"},
                        (reelay_http_request){.method = REELAY_HTTP_GET, .max_response_bytes = 1}, &response,
                        &ignored);
    bool same = rc == REELAY_OK && strcmp(response.etag, want) == 0;
    reelay_http_response_free(&response);
    return same;
}

int reelay_s3_upload_commit(reelay_s3_upload *u, reelay_err *err)
{
    int rc;
    reelay_http_response response;
    if (!u->part_size) {
        s3_call call = {.content_type = u->content_type[0] ? u->content_type : NULL};
        reelay_http_request put = {.method = REELAY_HTTP_PUT, .body_path = u->path, .body_len = (size_t)u->size};
        rc = s3_request(u->config, u->bucket, u->key, u->url, &call, put, &response, err);
    } else {
        char query[sizeof u->upload_id * 3 + 32];
        rc = upload_query(u, 0, query, sizeof query) ? REELAY_OK
                                                      : reelay_err_set(err, REELAY_E_IO, "%s: upload id too long",
                                                                       u->url);
        if (rc == REELAY_OK && reelay_buf_append_str(&u->complete_xml, "</CompleteMultipartUpload>") != 0)
            rc = reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
        memset(&response, 0, sizeof response);
        if (rc == REELAY_OK) {
            reelay_http_request post = {
                .method = REELAY_HTTP_POST, .body = u->complete_xml.data, .body_len = u->complete_xml.len};
            rc = s3_request(u->config, u->bucket, u->key, u->url, &(s3_call){.query = query}, post, &response, err);
        }
        if (rc != REELAY_OK && response.status == 404 && response.tries > 1 && completed_unseen(u)) {
            reelay_err_clear(err);
            rc = REELAY_OK;
        }
        if (rc == REELAY_OK) u->upload_id[0] = '\0'; /* complete: nothing to abort */
    }
    reelay_http_response_free(&response);
    reelay_s3_upload_abort(u);
    return rc;
}
