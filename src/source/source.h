/* source.h — where a recording is read from.
 * Owns: the choice between a file, standard input ("-") and a URL
 * (http(s):// by source/http_source.h, s3:// by net/s3.h, posthog:// by
 * source/posthog_source.h), which inputs count as URLs, and how messages
 * name an input: a URL without its credentials, query or
 * fragment, since a presigned URL's signature is a credential. */
#ifndef REELAY_SOURCE_SOURCE_H
#define REELAY_SOURCE_SOURCE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/error.h"
#include "net/url_policy.h"
#include "source/posthog_source.h"

struct reelay_s3_config; /* net/s3.h */

/* Whether input is a URL of a scheme reelay reads (net/url_policy.h's
 * reelay_url_scheme_known), in any case. */
bool reelay_source_is_url(const char *input);

/* Room for any shown input (a path up to PATH_MAX). */
#define REELAY_SHOWN_INPUT_MAX 4096

/* input as messages name it: "<stdin>" for "-", a URL as displayed, else
 * input itself (cut to fit size). */
void reelay_source_shown_input(const char *input, char *out, size_t size);

/* What an input may reach besides files: each NULL when not at all. */
typedef struct reelay_source_access {
    const reelay_url_policy *urls;          /* any URL; held to this list */
    const struct reelay_s3_config *s3;      /* s3://, with the operator's S3 settings (net/s3.h) */
    const reelay_posthog_settings *posthog; /* posthog://, with the operator's settings */
} reelay_source_access;

/* Reads the recording named by input into out (initialised here): at most
 * max_bytes (REELAY_E_INPUT naming --max-input-bytes beyond). Anything of
 * the form scheme://… is a URL: of a known scheme, only when access->urls
 * allows it (NULL: no URL at all, "a URL input is not allowed here"), and
 * s3:// and posthog:// only with the operator's settings for them. Errors
 * start with the shown input. */
int reelay_source_read(const char *input, size_t max_bytes, const reelay_source_access *access, reelay_buf *out,
                       reelay_err *err);

#endif
