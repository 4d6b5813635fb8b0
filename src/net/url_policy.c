#include "net/url_policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "net/address.h"

const reelay_url_policy *reelay_url_policy_all(void)
{
    static const reelay_url_policy all = {.everything = true};
    return &all;
}

bool reelay_url_scheme_known(const char *url)
{
    reelay_url_parts parts;
    if (!reelay_url_split(url, &parts)) return false;
    return reelay_url_default_port(parts.scheme) || strcmp(parts.scheme, "s3") == 0 ||
           strcmp(parts.scheme, "posthog") == 0;
}

static int parse_rule(const char *text, reelay_url_rule *rule, reelay_err *err)
{
    memset(rule, 0, sizeof *rule);
    if (strcasecmp(text, "posthog") == 0 || strcasecmp(text, "posthog://") == 0 ||
        strcasecmp(text, "posthog://*") == 0) {
        snprintf(rule->scheme, sizeof rule->scheme, "posthog");
        snprintf(rule->host, sizeof rule->host, "*");
        return REELAY_OK;
    }
    reelay_url_parts parts;
    if (!reelay_url_split(text, &parts) || parts.has_userinfo || strpbrk(text, "?#"))
        return reelay_err_set(err, REELAY_E_USAGE,
                              "--allow-url: '%s' is not scheme://host[:port][/prefix] (or s3://bucket, posthog)", text);
    bool web = reelay_url_default_port(parts.scheme) != 0;
    if (!web && strcmp(parts.scheme, "s3") != 0)
        return reelay_err_set(err, REELAY_E_USAGE, "--allow-url: '%s': only http, https, s3 and posthog URLs are read "
                                                   "or written", text);
    if (!web && parts.port)
        return reelay_err_set(err, REELAY_E_USAGE, "--allow-url: '%s': a bucket has no port", text);
    const char *star = strchr(parts.host, '*');
    if (star && !(strcmp(parts.host, "*") == 0 && !web) && !(star == parts.host && parts.host[1] == '.' && web &&
                                                            !strchr(parts.host + 1, '*') && parts.host[2]))
        return reelay_err_set(err, REELAY_E_USAGE, "--allow-url: '%s': '*' may only start a host name (*.example.com) "
                                                   "or stand for any bucket (s3://*)", text);
    if (parts.path_len >= sizeof rule->prefix)
        return reelay_err_set(err, REELAY_E_USAGE, "--allow-url: '%s': the path prefix is too long", text);
    snprintf(rule->scheme, sizeof rule->scheme, "%s", parts.scheme);
    snprintf(rule->host, sizeof rule->host, "%s", parts.host);
    rule->port = parts.port ? parts.port : reelay_url_default_port(parts.scheme);
    /* an s3 key has no leading '/'; a path prefix of "/" is no limit */
    const char *path = parts.path;
    size_t path_len = parts.path_len;
    if (!web && path_len && path[0] == '/') path++, path_len--;
    if (web && path_len == 1) path_len = 0;
    memcpy(rule->prefix, path, path_len);
    rule->literal = reelay_address_literal(parts.host);
    return REELAY_OK;
}

int reelay_url_policy_add(reelay_url_policy *policy, const char *list, reelay_err *err)
{
    char *copy = strdup(list);
    if (!copy) return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    int rc = REELAY_OK;
    char *save = NULL;
    for (char *entry = strtok_r(copy, ", ", &save); entry && rc == REELAY_OK; entry = strtok_r(NULL, ", ", &save)) {
        if (policy->count == REELAY_URL_POLICY_MAX)
            rc = reelay_err_set(err, REELAY_E_USAGE, "--allow-url: more than %d entries", REELAY_URL_POLICY_MAX);
        else
            rc = parse_rule(entry, &policy->rules[policy->count], err);
        if (rc == REELAY_OK) policy->count++;
    }
    free(copy);
    return rc;
}

static bool host_matches(const reelay_url_rule *rule, const char *host)
{
    if (strcmp(rule->host, "*") == 0) return true;
    if (rule->host[0] == '*') { /* "*.example.com": names strictly below example.com */
        size_t suffix = strlen(rule->host) - 1, len = strlen(host);
        return len > suffix && strcmp(host + len - suffix, rule->host + 1) == 0;
    }
    return strcmp(rule->host, host) == 0;
}

/* "." and ".." segments (also percent-encoded) would let a path leave its
 * prefix once libcurl or the server resolves them. */
static bool dot_segments(const char *path, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (path[i] == '%' && i + 2 < len && path[i + 1] == '2' && (path[i + 2] == 'e' || path[i + 2] == 'E'))
            return true;
        if (path[i] != '.' || (i > 0 && path[i - 1] != '/')) continue;
        size_t end = i + 1 < len && path[i + 1] == '.' ? i + 2 : i + 1;
        if (end == len || path[end] == '/') return true;
    }
    return false;
}

int reelay_url_policy_check(const reelay_url_policy *policy, const char *url, bool *private_ok, reelay_err *err)
{
    *private_ok = false;
    if (policy && policy->everything) {
        *private_ok = true;
        return REELAY_OK;
    }
    reelay_url_parts parts;
    if (reelay_url_split(url, &parts) && !parts.has_userinfo && !dot_segments(parts.path, parts.path_len) && policy) {
        bool web = reelay_url_default_port(parts.scheme) != 0;
        const char *path = parts.path;
        size_t path_len = parts.path_len;
        if (!web && path_len && path[0] == '/') path++, path_len--;
        int port = parts.port ? parts.port : reelay_url_default_port(parts.scheme);
        for (int i = 0; i < policy->count; i++) {
            const reelay_url_rule *rule = &policy->rules[i];
            size_t prefix_len = strlen(rule->prefix);
            if (strcmp(rule->scheme, parts.scheme) != 0 || !host_matches(rule, parts.host) || rule->port != port ||
                prefix_len > path_len || strncmp(path, rule->prefix, prefix_len) != 0)
                continue;
            *private_ok = rule->literal;
            return REELAY_OK;
        }
    }
    char shown[512];
    reelay_url_display(url, shown, sizeof shown);
    reelay_err_set(err, REELAY_E_USAGE, "%s: not on this service's list of allowed URLs (--allow-url)", shown);
    if (err) err->flags |= REELAY_ERR_LASTING;
    return REELAY_E_USAGE;
}
