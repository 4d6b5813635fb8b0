/* http_source.h — recordings read from http:// and https:// URLs.
 * Owns: which inputs name a URL, the form of a URL that messages show (no
 * credentials, query or fragment: a presigned URL's signature is a
 * credential), and one GET with libcurl under limits: http and https only
 * (redirects too, at most REELAY_HTTP_MAX_REDIRECTS), no proxy from the
 * environment, a connect timeout, a stall cutoff, a total deadline and a
 * size cap; a status other than 2xx, a body that ends before its announced
 * length, or any limit crossed is an error naming the URL. */
#ifndef REELAY_SOURCE_HTTP_SOURCE_H
#define REELAY_SOURCE_HTTP_SOURCE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/error.h"

#define REELAY_HTTP_MAX_REDIRECTS 5
#define REELAY_HTTP_CONNECT_TIMEOUT_S 10
#define REELAY_HTTP_STALL_S 10   /* no byte at all for this long ends the transfer */
#define REELAY_HTTP_TIMEOUT_S 600 /* the whole transfer */

/* Whether input is an http:// or https:// URL (scheme in any case). */
bool reelay_source_is_url(const char *input);

/* url as messages and logs show it: scheme, host, port and path, without
 * userinfo, query or fragment. Cut to fit size. */
void reelay_source_display_url(const char *url, char *out, size_t size);

/* Room for any shown input (a path up to PATH_MAX). */
#define REELAY_SHOWN_INPUT_MAX 4096

/* input as messages name it: "<stdin>" for "-", a URL as displayed, else
 * input itself (cut to fit size). */
void reelay_source_shown_input(const char *input, char *out, size_t size);

/* GETs url into out (initialised here; freed on failure). At most max_bytes
 * (REELAY_E_INPUT naming --max-input-bytes beyond). Errors start with the
 * displayed URL: REELAY_E_INPUT for what the server sent (a status, a short
 * body, too many redirects), REELAY_E_IO for what kept it from arriving
 * (no connection, a stall, the deadline). */
int reelay_http_get(const char *url, size_t max_bytes, reelay_buf *out, reelay_err *err);

#endif
