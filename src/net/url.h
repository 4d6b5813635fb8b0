/* url.h — the parts of a URL that reelay's rules look at, and how messages
 * show a URL.
 * Owns: splitting "scheme://[userinfo@]host[:port][/path][?query][#frag]"
 * (host may be a bracketed IPv6 literal) without decoding anything, and the
 * displayed form: scheme, host, port and path only, since userinfo is a
 * password and a presigned URL's query is a credential too. */
#ifndef REELAY_NET_URL_H
#define REELAY_NET_URL_H

#include <stdbool.h>
#include <stddef.h>

#define REELAY_URL_PART_MAX 256

typedef struct reelay_url_parts {
    char scheme[16];               /* lower case: "https", "s3", "posthog" */
    char host[REELAY_URL_PART_MAX]; /* lower case, without brackets */
    int port;                      /* 0 when not given */
    const char *path;              /* points into the URL: from the '/' after the authority up to '?' or '#' */
    size_t path_len;
    bool has_userinfo;
} reelay_url_parts;

/* Whether text starts with "scheme://" (scheme: a letter, then letters,
 * digits, '+', '-', '.'), a URL of any scheme, file:// included. */
bool reelay_url_has_scheme(const char *text);

/* 80 for "http", 443 for "https" (a scheme as reelay_url_split gives it),
 * 0 for any other: non-zero means a web URL. */
int reelay_url_default_port(const char *scheme);

/* Splits url; false when it has no "scheme://", an empty or oversized host
 * or scheme, or a port that is not 1..65535. */
bool reelay_url_split(const char *url, reelay_url_parts *parts);

/* url as messages and logs show it: scheme, host, port and path, without
 * userinfo, query or fragment. Cut to fit size. */
void reelay_url_display(const char *url, char *out, size_t size);

/* Percent-encodes text for a URL (RFC 3986 unreserved characters kept;
 * '/' kept when keep_slash) into out; false when it does not fit. */
bool reelay_url_encode(const char *text, bool keep_slash, char *out, size_t size);

#endif
