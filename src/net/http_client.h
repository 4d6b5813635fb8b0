/* http_client.h — one HTTP exchange with libcurl, under reelay's rules.
 * Owns what every request reelay makes has in common: http and https only
 * (redirects too), no proxy from the environment, a connect timeout, a
 * stall cutoff, a total deadline, a cap on the response body; redirects
 * followed here, hop by hop, so that each target is held to the URL policy
 * (net/url_policy.h) and headers and credentials go to the named origin
 * only; every socket's address checked against the policy when it opens
 * (a name that resolves to a private address is refused); retries of 429
 * (after its Retry-After), 5xx and dropped connections with a growing
 * backoff; and messages that start with the URL as displayed (net/url.h),
 * never with its credentials or query. */
#ifndef REELAY_NET_HTTP_CLIENT_H
#define REELAY_NET_HTTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"
#include "net/url_policy.h"

#define REELAY_HTTP_MAX_REDIRECTS 5
#define REELAY_HTTP_CONNECT_TIMEOUT_S 10
#define REELAY_HTTP_STALL_S 10          /* no byte at all for this long ends the transfer */
#define REELAY_HTTP_TIMEOUT_S 600       /* the whole transfer */
#define REELAY_HTTP_RETRY_WAIT_MAX_S 30 /* a longer Retry-After is waited only this long */
#define REELAY_HTTP_RESPONSE_MAX ((size_t)16 << 20) /* when the request sets no cap */

typedef enum reelay_http_method {
    REELAY_HTTP_GET = 0,
    REELAY_HTTP_PUT,
    REELAY_HTTP_POST,
    REELAY_HTTP_DELETE,
} reelay_http_method;

typedef struct reelay_http_request {
    reelay_http_method method;
    const char *url;
    const char *const *headers; /* "Name: value", NULL-terminated; NULL = none */
    /* AWS Signature V4 (libcurl's CURLOPT_AWS_SIGV4, "aws:amz:REGION:s3")
     * with "ACCESS_KEY_ID:SECRET" as credentials; NULL = unsigned */
    const char *aws_sigv4;
    const char *aws_credentials;
    /* the request body: body_len bytes at body, or, when body_path is set,
     * body_len bytes of that file from body_offset (read again on a retry) */
    const void *body;
    const char *body_path;
    int64_t body_offset;
    size_t body_len;
    size_t max_response_bytes; /* 0 = REELAY_HTTP_RESPONSE_MAX */
    /* how a message names the cap: "<what> is larger than N bytes (<flag>)";
     * NULL = "the response" and no flag */
    const char *size_what, *size_flag;
    bool follow_redirects; /* at most REELAY_HTTP_MAX_REDIRECTS */
    int attempts;          /* tries in all for a retryable failure; 0 = 1 */
    /* NULL: any URL and any address (the operator's own endpoints); else
     * every URL, redirects included, must be allowed by it */
    const reelay_url_policy *policy;
} reelay_http_request;

typedef struct reelay_http_response {
    long status;     /* of the last hop; 0 when none answered */
    reelay_buf body; /* also after a failure (an error document); free with reelay_http_response_free */
    char etag[256];  /* the ETag header, "" when none */
    int tries;
} reelay_http_response;

/* Performs request. REELAY_OK only for a 2xx answer. Else an error whose
 * message starts with the displayed URL: REELAY_E_INPUT for what the server
 * answered (a 4xx status, a short body, too many redirects, a response too
 * large), REELAY_E_IO for what kept an answer from arriving (5xx after the
 * retries, no connection, a stall, the deadline), REELAY_E_USAGE (lasting)
 * for a URL or address the policy refuses. response is always filled and
 * must be freed. */
int reelay_http_perform(const reelay_http_request *request, reelay_http_response *response, reelay_err *err);

void reelay_http_response_free(reelay_http_response *response);

#endif
