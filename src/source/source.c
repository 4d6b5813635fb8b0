#include "source/source.h"

#include <stdio.h>
#include <string.h>

#include "net/s3.h"
#include "net/url.h"
#include "source/http_source.h"

bool reelay_source_is_url(const char *input)
{
    return input && reelay_url_scheme_known(input);
}

void reelay_source_shown_input(const char *input, char *out, size_t size)
{
    if (reelay_source_is_url(input))
        reelay_url_display(input, out, size);
    else
        snprintf(out, size, "%s", strcmp(input, "-") == 0 ? "<stdin>" : input);
}

int reelay_source_read(const char *input, size_t max_bytes, const reelay_source_access *access, reelay_buf *out,
                       reelay_err *err)
{
    if (!reelay_url_has_scheme(input)) return reelay_read_file(input, max_bytes, out, err);
    reelay_buf_init(out);
    char shown[REELAY_SHOWN_INPUT_MAX];
    reelay_source_shown_input(input, shown, sizeof shown);
    reelay_url_parts parts;
    if (!reelay_source_is_url(input) || !reelay_url_split(input, &parts))
        return reelay_err_set(err, REELAY_E_USAGE,
                              "%s: not a file, nor an http://, https://, s3:// or posthog:// URL that reelay reads",
                              shown);
    const reelay_url_policy *urls = access ? access->urls : NULL;
    if (!urls)
        return reelay_err_set(err, REELAY_E_USAGE,
                              "%s: a URL input is not allowed here (jobs name files on the worker's disk)", shown);
    bool private_ok;
    int rc = reelay_url_policy_check(urls, input, &private_ok, err);
    if (rc != REELAY_OK) return rc;
    if (strcmp(parts.scheme, "http") == 0 || strcmp(parts.scheme, "https") == 0)
        return reelay_http_get(input, max_bytes, urls, out, err);
    if (strcmp(parts.scheme, "s3") == 0) return reelay_s3_get(access->s3, input, max_bytes, out, err);
    if (strcmp(parts.scheme, "posthog") == 0)
        return reelay_posthog_read(input, access->posthog, max_bytes, out, err);
    return reelay_err_set(err, REELAY_E_USAGE, "%s: %s:// inputs are not read yet", shown, parts.scheme);
}
