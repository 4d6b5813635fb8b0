#include "net/http_client.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "net/address.h"
#include "net/url.h"

typedef struct exchange {
    reelay_buf *out;
    size_t max_bytes;
    bool too_big;
    /* the request body */
    const unsigned char *body;
    FILE *body_file;
    int64_t body_offset;
    size_t body_len, body_sent;
    /* the address check of this hop */
    bool check_addresses;
    bool refused;
    char refused_address[INET6_ADDRSTRLEN];
    /* response headers */
    char etag[256];
    double retry_after_s;
} exchange;

static size_t on_body(char *data, size_t size, size_t count, void *user)
{
    exchange *x = user;
    size_t len = size * count;
    if (len > x->max_bytes - x->out->len) {
        x->too_big = true;
        return 0; /* aborts the transfer */
    }
    return reelay_buf_append(x->out, data, len) == 0 ? len : 0;
}

static size_t on_read(char *buffer, size_t size, size_t count, void *user)
{
    exchange *x = user;
    size_t want = size * count, left = x->body_len - x->body_sent;
    if (want > left) want = left;
    if (want == 0) return 0;
    if (x->body_file) {
        size_t got = fread(buffer, 1, want, x->body_file);
        if (got == 0) return CURL_READFUNC_ABORT; /* the file shrank */
        want = got;
    } else {
        memcpy(buffer, x->body + x->body_sent, want);
    }
    x->body_sent += want;
    return want;
}

static int on_seek(void *user, curl_off_t offset, int origin)
{
    exchange *x = user;
    if (origin != SEEK_SET || offset < 0 || (size_t)offset > x->body_len) return CURL_SEEKFUNC_CANTSEEK;
    if (x->body_file && fseeko(x->body_file, (off_t)(x->body_offset + offset), SEEK_SET) != 0)
        return CURL_SEEKFUNC_FAIL;
    x->body_sent = (size_t)offset;
    return CURL_SEEKFUNC_OK;
}

/* The value of header line `line` when its name is `name`, trimmed, else NULL. */
static const char *header_value(const char *line, size_t len, const char *name, size_t *value_len)
{
    size_t name_len = strlen(name);
    if (len <= name_len || strncasecmp(line, name, name_len) != 0 || line[name_len] != ':') return NULL;
    const char *value = line + name_len + 1;
    const char *end = line + len;
    while (value < end && (*value == ' ' || *value == '\t')) value++;
    while (end > value && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ')) end--;
    *value_len = (size_t)(end - value);
    return value;
}

static size_t on_header(char *line, size_t size, size_t count, void *user)
{
    exchange *x = user;
    size_t len = size * count, value_len;
    const char *value;
    if ((value = header_value(line, len, "ETag", &value_len)) && value_len < sizeof x->etag) {
        memcpy(x->etag, value, value_len);
        x->etag[value_len] = '\0';
    } else if ((value = header_value(line, len, "Retry-After", &value_len)) && value_len < 64) {
        char text[64];
        memcpy(text, value, value_len);
        text[value_len] = '\0';
        char *end;
        double seconds = strtod(text, &end);
        if (end == text) { /* an HTTP date */
            time_t when = curl_getdate(text, NULL);
            seconds = when > 0 ? difftime(when, time(NULL)) : 0;
        }
        x->retry_after_s = seconds > 0 ? seconds : 0;
    }
    return len;
}

static curl_socket_t on_open_socket(void *user, curlsocktype purpose, struct curl_sockaddr *address)
{
    exchange *x = user;
    (void)purpose;
    if (x->check_addresses && reelay_sockaddr_private(&address->addr)) {
        x->refused = true;
        const void *bytes = address->family == AF_INET6
                                ? (const void *)&((const struct sockaddr_in6 *)&address->addr)->sin6_addr
                                : (const void *)&((const struct sockaddr_in *)&address->addr)->sin_addr;
        if (!inet_ntop(address->family, bytes, x->refused_address, sizeof x->refused_address))
            snprintf(x->refused_address, sizeof x->refused_address, "?");
        return CURL_SOCKET_BAD;
    }
    return socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

/* curl's own words for a failure, unless they may quote the URL (its
 * credentials or query): then only the generic text of the code. */
static const char *curl_words(CURLcode code, const char *detail)
{
    if (detail[0] && !strchr(detail, '@') && !strchr(detail, '?')) return detail;
    return curl_easy_strerror(code);
}

static bool same_origin(const reelay_url_parts *a, const reelay_url_parts *b)
{
    return strcmp(a->scheme, b->scheme) == 0 && strcmp(a->host, b->host) == 0 && a->port == b->port;
}

static void set_method(CURL *curl, const reelay_http_request *request, exchange *x)
{
    if (request->method == REELAY_HTTP_PUT) {
        curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)x->body_len);
    } else if (request->method == REELAY_HTTP_POST) {
        curl_easy_setopt(curl, CURLOPT_POST, 1L);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)x->body_len);
    } else if (request->method == REELAY_HTTP_DELETE) {
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, "DELETE");
    }
    if (request->method == REELAY_HTTP_PUT || request->method == REELAY_HTTP_POST) {
        curl_easy_setopt(curl, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(curl, CURLOPT_READDATA, x);
        curl_easy_setopt(curl, CURLOPT_SEEKFUNCTION, on_seek);
        curl_easy_setopt(curl, CURLOPT_SEEKDATA, x);
    }
}

/* The outcome of one try, with whether another may help. */
typedef struct try_outcome {
    int rc;
    bool retryable;
    double wait_s; /* the server's Retry-After, 0 when none */
} try_outcome;

static try_outcome fail(reelay_err *err, int code, bool retryable, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static try_outcome fail(reelay_err *err, int code, bool retryable, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    reelay_err_vset(err, code, fmt, ap);
    va_end(ap);
    try_outcome outcome = {.rc = code, .retryable = retryable};
    return outcome;
}

/* One hop: a request to url, headers and credentials only when same is set. */
static CURLcode one_hop(const reelay_http_request *request, const char *url, bool same, exchange *x,
                        struct curl_slist *headers, long *status, curl_off_t *announced, double *seconds,
                        char **redirect, char detail[CURL_ERROR_SIZE])
{
    *redirect = NULL;
    CURL *curl = curl_easy_init();
    if (!curl) return CURLE_OUT_OF_MEMORY;
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L); /* followed by the caller, hop by hop */
    curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");       /* the address named is the one reached */
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, (long)REELAY_HTTP_CONNECT_TIMEOUT_S);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, (long)REELAY_HTTP_STALL_S);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, (long)REELAY_HTTP_TIMEOUT_S);
    curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)x->max_bytes);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L); /* other threads render meanwhile */
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "reelay/" REELAY_VERSION);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, detail);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, x);
    curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
    curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, x);
    if (same && headers) curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    if (same && request->aws_sigv4) {
        curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, request->aws_sigv4);
        curl_easy_setopt(curl, CURLOPT_USERPWD, request->aws_credentials ? request->aws_credentials : "");
    }
    set_method(curl, request, x);
    CURLcode code = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
    curl_easy_getinfo(curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, announced);
    curl_easy_getinfo(curl, CURLINFO_TOTAL_TIME, seconds);
    char *location = NULL;
    if (code == CURLE_OK && *status >= 300 && *status < 400 && curl_easy_getinfo(curl, CURLINFO_REDIRECT_URL, &location) == CURLE_OK &&
        location)
        *redirect = strdup(location);
    curl_easy_cleanup(curl);
    return code;
}

static bool retryable_code(CURLcode code)
{
    return code == CURLE_COULDNT_CONNECT || code == CURLE_COULDNT_RESOLVE_HOST || code == CURLE_SEND_ERROR ||
           code == CURLE_RECV_ERROR || code == CURLE_GOT_NOTHING || code == CURLE_SSL_CONNECT_ERROR;
}

static try_outcome try_once(const reelay_http_request *request, struct curl_slist *headers,
                            reelay_http_response *response, const char *shown, reelay_err *err)
{
    reelay_buf_free(&response->body);
    reelay_buf_init(&response->body);
    response->status = 0;
    response->etag[0] = '\0';
    reelay_url_parts first;
    if (!reelay_url_split(request->url, &first) || !reelay_url_default_port(first.scheme))
        return fail(err, REELAY_E_USAGE, false, "%s: not an http or https URL", shown);
    char *url = strdup(request->url);
    if (!url) return fail(err, REELAY_E_INTERNAL, false, "out of memory");
    try_outcome outcome = {.rc = REELAY_OK};
    for (int hop = 0;; hop++) {
        reelay_url_parts parts;
        if (!reelay_url_split(url, &parts) || !reelay_url_default_port(parts.scheme)) {
            outcome = fail(err, REELAY_E_INPUT, false, "%s: redirected to a scheme other than http or https", shown);
            break;
        }
        bool private_ok = true;
        if (request->policy && reelay_url_policy_check(request->policy, url, &private_ok, err) != REELAY_OK) {
            if (hop > 0) reelay_err_prefix(err, "%s: redirected to", shown);
            outcome.rc = err->code;
            break;
        }
        exchange x = {.out = &response->body,
                      .max_bytes = request->max_response_bytes ? request->max_response_bytes : REELAY_HTTP_RESPONSE_MAX,
                      .body = request->body,
                      .body_offset = request->body_offset,
                      .body_len = request->body_len,
                      .check_addresses = !private_ok};
        if (request->body_path) {
            x.body_file = fopen(request->body_path, "rb");
            if (!x.body_file || fseeko(x.body_file, (off_t)request->body_offset, SEEK_SET) != 0) {
                outcome = fail(err, REELAY_E_IO, false, "%s: cannot read %s: %s", shown, request->body_path,
                               strerror(errno));
                if (x.body_file) fclose(x.body_file);
                break;
            }
        }
        reelay_buf_free(&response->body);
        reelay_buf_init(&response->body);
        char detail[CURL_ERROR_SIZE] = "";
        long status = 0;
        curl_off_t announced = -1;
        double seconds = 0;
        char *redirect = NULL;
        CURLcode code = one_hop(request, url, same_origin(&parts, &first), &x, headers, &status, &announced,
                                &seconds, &redirect, detail);
        if (x.body_file) fclose(x.body_file);
        response->status = status;
        snprintf(response->etag, sizeof response->etag, "%s", x.etag);
        const char *what = request->size_what ? request->size_what : "the response";
        if (x.refused) {
            outcome = fail(err, REELAY_E_USAGE, false,
                           "%s: %s resolves to %s, a private address this service does not reach", shown, parts.host,
                           x.refused_address);
            if (err) err->flags |= REELAY_ERR_LASTING;
        } else if (x.too_big || code == CURLE_FILESIZE_EXCEEDED) {
            outcome = request->size_flag ? fail(err, REELAY_E_INPUT, false, "%s: %s is larger than %zu bytes (%s)", shown,
                                                what, x.max_bytes, request->size_flag)
                                         : fail(err, REELAY_E_INPUT, false, "%s: %s is larger than %zu bytes", shown,
                                                what, x.max_bytes);
        } else if (code == CURLE_PARTIAL_FILE) {
            outcome = fail(err, REELAY_E_INPUT, true, "%s: the body ended after %zu of the %lld bytes announced", shown,
                           response->body.len, (long long)announced);
        } else if (code == CURLE_OPERATION_TIMEDOUT) {
            if (seconds >= REELAY_HTTP_TIMEOUT_S - 1)
                outcome = fail(err, REELAY_E_IO, false, "%s: not complete within %d s", shown, REELAY_HTTP_TIMEOUT_S);
            else if (status == 0)
                outcome = fail(err, REELAY_E_IO, false, "%s: no answer (nothing for %d s)", shown, REELAY_HTTP_STALL_S);
            else
                outcome = fail(err, REELAY_E_IO, false, "%s: the server stalled (nothing for %d s after %zu bytes)",
                               shown, REELAY_HTTP_STALL_S, response->body.len);
        } else if (code != CURLE_OK) {
            outcome = fail(err, REELAY_E_IO, retryable_code(code), "%s: %s", shown, curl_words(code, detail));
        } else if (redirect && request->follow_redirects) {
            if (hop == REELAY_HTTP_MAX_REDIRECTS) {
                free(redirect);
                outcome = fail(err, REELAY_E_INPUT, false, "%s: more than %d redirects", shown,
                               REELAY_HTTP_MAX_REDIRECTS);
                break;
            }
            free(url);
            url = redirect;
            continue;
        } else if (status == 429 || status >= 500) {
            outcome = fail(err, REELAY_E_IO, true, "%s: HTTP status %ld%s", shown, status,
                           status == 429 ? " (too many requests)" : "");
            outcome.wait_s = x.retry_after_s;
        } else if (status < 200 || status > 299) {
            outcome = fail(err, REELAY_E_INPUT, false, "%s: HTTP status %ld", shown, status);
        }
        free(redirect);
        break;
    }
    free(url);
    return outcome;
}

static void sleep_s(double seconds)
{
    struct timespec left = {.tv_sec = (time_t)seconds, .tv_nsec = (long)((seconds - (double)(time_t)seconds) * 1e9)};
    while (nanosleep(&left, &left) != 0 && errno == EINTR) {
    }
}

int reelay_http_perform(const reelay_http_request *request, reelay_http_response *response, reelay_err *err)
{
    memset(response, 0, sizeof *response);
    reelay_buf_init(&response->body);
    char shown[4096];
    reelay_url_display(request->url, shown, sizeof shown);
    struct curl_slist *headers = NULL;
    for (const char *const *h = request->headers; h && *h; h++) headers = curl_slist_append(headers, *h);
    /* The body right away: no 100-continue round trip. Not with SigV4:
     * curl 7.88 signs every header of the list, this empty one too, which
     * it then does not send, so no server could check the signature. */
    if ((request->method == REELAY_HTTP_PUT || request->method == REELAY_HTTP_POST) && !request->aws_sigv4)
        headers = curl_slist_append(headers, "Expect:");
    int attempts = request->attempts > 0 ? request->attempts : 1;
    try_outcome outcome;
    for (int attempt = 1;; attempt++) {
        response->tries = attempt;
        outcome = try_once(request, headers, response, shown, err);
        if (outcome.rc == REELAY_OK || !outcome.retryable || attempt >= attempts) break;
        double backoff = (double)(1 << (attempt - 1 < 3 ? attempt - 1 : 3)); /* 1, 2, 4, 8 s */
        double wait = outcome.wait_s > 0 ? outcome.wait_s : backoff;
        sleep_s(wait < REELAY_HTTP_RETRY_WAIT_MAX_S ? wait : REELAY_HTTP_RETRY_WAIT_MAX_S);
    }
    curl_slist_free_all(headers);
    if (outcome.rc == REELAY_OK) reelay_err_clear(err);
    return outcome.rc;
}

void reelay_http_response_free(reelay_http_response *response)
{
    reelay_buf_free(&response->body);
}
