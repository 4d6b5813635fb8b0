#include "net/url.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool reelay_url_has_scheme(const char *text)
{
    if (!text || !isalpha((unsigned char)text[0])) return false;
    const char *p = text;
    while (isalnum((unsigned char)*p) || *p == '+' || *p == '-' || *p == '.') p++;
    return strncmp(p, "://", 3) == 0;
}

int reelay_url_default_port(const char *scheme)
{
    if (strcmp(scheme, "http") == 0) return 80;
    if (strcmp(scheme, "https") == 0) return 443;
    return 0;
}

bool reelay_url_split(const char *url, reelay_url_parts *parts)
{
    memset(parts, 0, sizeof *parts);
    const char *sep = url ? strstr(url, "://") : NULL;
    if (!sep || sep == url || (size_t)(sep - url) >= sizeof parts->scheme) return false;
    for (const char *p = url; p < sep; p++) {
        if (!isalnum((unsigned char)*p) && *p != '+' && *p != '-' && *p != '.') return false;
        parts->scheme[p - url] = (char)tolower((unsigned char)*p);
    }
    const char *authority = sep + 3;
    size_t authority_len = strcspn(authority, "/?#");
    const char *host = authority;
    for (const char *p = authority; p < authority + authority_len; p++)
        if (*p == '@') host = p + 1; /* userinfo ends at the authority's last '@' */
    parts->has_userinfo = host != authority;
    const char *end = authority + authority_len;
    const char *host_end = end;
    const char *port = NULL;
    if (*host == '[') {
        const char *close = memchr(host, ']', (size_t)(end - host));
        if (!close) return false;
        if (close + 1 < end) {
            if (close[1] != ':') return false;
            port = close + 2;
        }
        host_end = close;
        host++;
    } else {
        const char *colon = memchr(host, ':', (size_t)(end - host));
        if (colon) {
            host_end = colon;
            port = colon + 1;
        }
    }
    size_t host_len = (size_t)(host_end - host);
    if (host_len == 0 || host_len >= sizeof parts->host) return false;
    for (size_t i = 0; i < host_len; i++) parts->host[i] = (char)tolower((unsigned char)host[i]);
    if (port) {
        if (port == end) return false;
        long value = 0;
        for (const char *p = port; p < end; p++) {
            if (!isdigit((unsigned char)*p) || value > 65535) return false;
            value = value * 10 + (*p - '0');
        }
        if (value < 1 || value > 65535) return false;
        parts->port = (int)value;
    }
    parts->path = end;
    parts->path_len = strcspn(end, "?#");
    return true;
}

void reelay_url_display(const char *url, char *out, size_t size)
{
    if (size == 0) return;
    out[0] = '\0';
    if (!url) return;
    const char *authority = strstr(url, "://");
    authority = authority ? authority + 3 : url;
    size_t authority_len = strcspn(authority, "/?#");
    const char *host = authority;
    for (const char *p = authority; p < authority + authority_len; p++)
        if (*p == '@') host = p + 1;
    const char *path = authority + authority_len;
    size_t path_len = strcspn(path, "?#");
    snprintf(out, size, "%.*s%.*s%.*s", (int)(authority - url), url, (int)(authority + authority_len - host), host,
             (int)path_len, path);
}

bool reelay_url_encode(const char *text, bool keep_slash, char *out, size_t size)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        bool plain = isalnum(*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~' || (keep_slash && *p == '/');
        size_t need = plain ? 1 : 3;
        if (n + need >= size) return false;
        if (plain) {
            out[n++] = (char)*p;
        } else {
            out[n++] = '%';
            out[n++] = hex[*p >> 4];
            out[n++] = hex[*p & 15];
        }
    }
    if (size == 0) return false;
    out[n] = '\0';
    return true;
}
