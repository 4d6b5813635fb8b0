#include "source/http_source.h"

#include "net/http_client.h"

int reelay_http_get(const char *url, size_t max_bytes, const reelay_url_policy *urls, reelay_buf *out,
                    reelay_err *err)
{
    reelay_http_request request = {
        .method = REELAY_HTTP_GET,
        .url = url,
        .max_response_bytes = max_bytes,
        .size_what = "the recording",
        .size_flag = "--max-input-bytes",
        .follow_redirects = true,
        .attempts = REELAY_HTTP_SOURCE_ATTEMPTS,
        .policy = urls,
    };
    reelay_http_response response;
    int rc = reelay_http_perform(&request, &response, err);
    if (rc != REELAY_OK) {
        reelay_http_response_free(&response);
        reelay_buf_init(out);
        return rc;
    }
    *out = response.body;
    return REELAY_OK;
}
