#include "source/http_source.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

bool reelay_source_is_url(const char *input)
{
    return input && (strncasecmp(input, "http://", 7) == 0 || strncasecmp(input, "https://", 8) == 0);
}

void reelay_source_display_url(const char *url, char *out, size_t size)
{
    if (size == 0) return;
    out[0] = '\0';
    if (!url) return;
    const char *authority = strstr(url, "://");
    authority = authority ? authority + 3 : url;
    size_t authority_len = strcspn(authority, "/?#");
    /* userinfo ends at the authority's last '@' */
    const char *host = authority;
    for (const char *p = authority; p < authority + authority_len; p++)
        if (*p == '@') host = p + 1;
    const char *path = authority + authority_len;
    size_t path_len = strcspn(path, "?#");
    snprintf(out, size, "%.*s%.*s%.*s", (int)(authority - url), url, (int)(authority + authority_len - host), host,
             (int)path_len, path);
}

void reelay_source_shown_input(const char *input, char *out, size_t size)
{
    if (reelay_source_is_url(input))
        reelay_source_display_url(input, out, size);
    else
        snprintf(out, size, "%s", strcmp(input, "-") == 0 ? "<stdin>" : input);
}

typedef struct download {
    reelay_buf *out;
    size_t max_bytes;
    bool too_big;
} download;

static size_t on_body(char *data, size_t size, size_t count, void *user)
{
    download *d = user;
    size_t len = size * count;
    if (len > d->max_bytes - d->out->len) {
        d->too_big = true;
        return 0; /* aborts the transfer */
    }
    return reelay_buf_append(d->out, data, len) == 0 ? len : 0;
}

/* curl's own words for a failure, unless they may quote the URL (its
 * credentials or query): then only the generic text of the code. */
static const char *curl_words(CURLcode code, const char *detail)
{
    if (detail[0] && !strchr(detail, '@') && !strchr(detail, '?')) return detail;
    return curl_easy_strerror(code);
}

int reelay_http_get(const char *url, size_t max_bytes, reelay_buf *out, reelay_err *err)
{
    reelay_buf_init(out);
    char shown[REELAY_SHOWN_INPUT_MAX];
    reelay_source_display_url(url, shown, sizeof shown);
    CURL *curl = curl_easy_init();
    if (!curl) return reelay_err_set(err, REELAY_E_INTERNAL, "%s: cannot start libcurl", shown);
    char detail[CURL_ERROR_SIZE] = "";
    download d = {.out = out, .max_bytes = max_bytes};
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(curl, CURLOPT_MAXREDIRS, (long)REELAY_HTTP_MAX_REDIRECTS);
    curl_easy_setopt(curl, CURLOPT_NOPROXY, "*"); /* the address named is the one reached */
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, (long)REELAY_HTTP_CONNECT_TIMEOUT_S);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, (long)REELAY_HTTP_STALL_S);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, (long)REELAY_HTTP_TIMEOUT_S);
    curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max_bytes);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L); /* other threads render meanwhile */
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "reelay/" REELAY_VERSION);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, detail);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &d);
    CURLcode code = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_off_t announced = -1;
    curl_easy_getinfo(curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &announced);
    double seconds = 0;
    curl_easy_getinfo(curl, CURLINFO_TOTAL_TIME, &seconds);
    curl_easy_cleanup(curl);

    int rc = REELAY_OK;
    if (d.too_big || code == CURLE_FILESIZE_EXCEEDED) {
        rc = reelay_err_set(err, REELAY_E_INPUT, "%s: the recording is larger than %zu bytes (--max-input-bytes)",
                            shown, max_bytes);
    } else if (code == CURLE_TOO_MANY_REDIRECTS) {
        rc = reelay_err_set(err, REELAY_E_INPUT, "%s: more than %d redirects", shown, REELAY_HTTP_MAX_REDIRECTS);
    } else if (code == CURLE_UNSUPPORTED_PROTOCOL) {
        rc = reelay_err_set(err, REELAY_E_INPUT, "%s: redirected to a scheme other than http or https", shown);
    } else if (code == CURLE_PARTIAL_FILE) {
        rc = reelay_err_set(err, REELAY_E_INPUT, "%s: the body ended after %zu of the %lld bytes announced", shown,
                            out->len, (long long)announced);
    } else if (code == CURLE_OPERATION_TIMEDOUT) {
        if (seconds >= REELAY_HTTP_TIMEOUT_S - 1)
            rc = reelay_err_set(err, REELAY_E_IO, "%s: not complete within %d s", shown, REELAY_HTTP_TIMEOUT_S);
        else if (status == 0)
            rc = reelay_err_set(err, REELAY_E_IO, "%s: no answer (nothing for %d s)", shown, REELAY_HTTP_STALL_S);
        else
            rc = reelay_err_set(err, REELAY_E_IO, "%s: the server stalled (nothing for %d s after %zu bytes)", shown,
                                REELAY_HTTP_STALL_S, out->len);
    } else if (code != CURLE_OK) {
        rc = reelay_err_set(err, REELAY_E_IO, "%s: %s", shown, curl_words(code, detail));
    } else if (status < 200 || status > 299) {
        rc = reelay_err_set(err, REELAY_E_INPUT, "%s: HTTP status %ld", shown, status);
    }
    if (rc != REELAY_OK) reelay_buf_free(out);
    return rc;
}
