/* url_policy.h — which URLs a job may make a worker read or write.
 * Owns: the operator's allow-list (`reelay worker|serve --allow-url`), the
 * guard against server-side request forgery: a client must not make a
 * worker reach file://, a cloud metadata service or a private network.
 * Entries, comma-separated:
 *   https://HOST[:PORT][/PREFIX]  http://HOST[:PORT][/PREFIX]
 *       HOST may be "*.example.com", any name below example.com; PORT is
 *       the scheme's default when not given; PREFIX limits the path.
 *   s3://BUCKET[/PREFIX]             objects in that bucket; s3:// then "*" for any
 *   posthog                          posthog:// sessions (POSTHOG_HOST)
 * A URL is allowed when an entry matches its scheme, host, port and path.
 * A host name then reaches only public addresses (net/address.h), checked
 * on every connection, redirects included; a private address only when the
 * entry that matched names that very IP literal. The endpoints of s3://
 * and posthog:// come from the operator's environment, not from the job,
 * so no address check applies to them. */
#ifndef REELAY_NET_URL_POLICY_H
#define REELAY_NET_URL_POLICY_H

#include <stdbool.h>

#include "core/error.h"
#include "net/url.h"

#define REELAY_URL_POLICY_MAX 32

typedef struct reelay_url_rule {
    char scheme[16];
    char host[REELAY_URL_PART_MAX]; /* "*" for any bucket; "*.x" for names below x */
    int port;                       /* 0: the scheme's default */
    char prefix[256];               /* path (key) prefix, "" for any */
    bool literal;                   /* host is an IP literal */
} reelay_url_rule;

typedef struct reelay_url_policy {
    bool everything; /* the operator's own command line: any URL, any address */
    int count;
    reelay_url_rule rules[REELAY_URL_POLICY_MAX];
} reelay_url_policy;

/* The policy of the operator's own command line: everything allowed (a
 * policy that lives as long as the program). */
const reelay_url_policy *reelay_url_policy_all(void);

/* Adds the entries of list; REELAY_E_USAGE naming the entry when one is
 * malformed or there are more than REELAY_URL_POLICY_MAX. */
int reelay_url_policy_add(reelay_url_policy *policy, const char *list, reelay_err *err);

/* Whether a URL of this scheme ("http", "https", "s3", "posthog") is known
 * to reelay as an input or output. */
bool reelay_url_scheme_known(const char *url);

/* REELAY_OK when policy allows url; then *private_ok says whether it may
 * reach private addresses. Else REELAY_E_USAGE with REELAY_ERR_LASTING,
 * "URL: not on this service's list of allowed URLs (--allow-url)", the URL
 * displayed. A NULL policy allows nothing. */
int reelay_url_policy_check(const reelay_url_policy *policy, const char *url, bool *private_ok, reelay_err *err);

#endif
