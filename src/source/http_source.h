/* http_source.h — recordings read from http:// and https:// URLs.
 * Owns: the GET of a recording (net/http_client.h's rules, a few tries for
 * a busy or failing server, at most --max-input-bytes). */
#ifndef REELAY_SOURCE_HTTP_SOURCE_H
#define REELAY_SOURCE_HTTP_SOURCE_H

#include <stddef.h>

#include "core/buf.h"
#include "core/error.h"
#include "net/url_policy.h"

#define REELAY_HTTP_SOURCE_ATTEMPTS 3

/* GETs url into out (initialised here; freed on failure), following
 * redirects, each held to urls (NULL: any). Errors as
 * reelay_http_perform's, naming --max-input-bytes for a body over
 * max_bytes. */
int reelay_http_get(const char *url, size_t max_bytes, const reelay_url_policy *urls, reelay_buf *out,
                    reelay_err *err);

#endif
