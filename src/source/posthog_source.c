#include "source/posthog_source.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "net/http_client.h"
#include "net/url.h"

#define URL_MAX 4096

bool reelay_posthog_valid_id(const char *id)
{
    size_t n = id ? strlen(id) : 0;
    if (n == 0 || n > REELAY_POSTHOG_ID_MAX || strcmp(id, ".") == 0 || strcmp(id, "..") == 0) return false;
    for (const char *p = id; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.') return false;
    return true;
}

bool reelay_posthog_session_of(const char *input, char *out, size_t size)
{
    static const char scheme[] = "posthog://";
    if (!input || strncasecmp(input, scheme, sizeof scheme - 1) != 0) return false;
    const char *id = input + sizeof scheme - 1;
    size_t n = strlen(id);
    if (n == 0 || n >= size || n > REELAY_POSTHOG_ID_MAX) return false;
    memcpy(out, id, n);
    out[n] = '\0';
    return reelay_posthog_valid_id(out);
}

/* ---- settings and URLs ---------------------------------------------------- */

/* The host as used in URLs: the default when unset, no trailing '/'. */
static int host_of(const reelay_posthog_settings *s, char *out, size_t size, reelay_err *err)
{
    const char *host = s->host && s->host[0] ? s->host : REELAY_POSTHOG_DEFAULT_HOST;
    reelay_url_parts parts;
    if (!reelay_url_split(host, &parts) || (strcmp(parts.scheme, "http") != 0 && strcmp(parts.scheme, "https") != 0) ||
        parts.has_userinfo || strpbrk(host, "?# \t\r\n"))
        return reelay_err_set(err, REELAY_E_USAGE,
                              "bad PostHog host '%s' (POSTHOG_HOST or --posthog-host): expected "
                              "https://HOST[:PORT], e.g. %s or https://eu.posthog.com",
                              parts.has_userinfo ? "(with a password)" : host, REELAY_POSTHOG_DEFAULT_HOST);
    size_t n = strlen(host);
    while (n > 0 && host[n - 1] == '/') n--;
    if (n >= size) return reelay_err_set(err, REELAY_E_USAGE, "PostHog host is too long (POSTHOG_HOST)");
    memcpy(out, host, n);
    out[n] = '\0';
    return REELAY_OK;
}

static int check_project(const char *project, reelay_err *err)
{
    if (!project || !project[0])
        return reelay_err_set(err, REELAY_E_USAGE,
                              "no PostHog project: set POSTHOG_PROJECT_ID (or --posthog-project) to the "
                              "project's number, as in its URL /project/NUMBER");
    bool digits = strlen(project) <= 20;
    for (const char *p = project; *p && digits; p++) digits = isdigit((unsigned char)*p);
    if (!digits && strcmp(project, "@current") != 0)
        return reelay_err_set(err, REELAY_E_USAGE,
                              "bad PostHog project '%.40s' (POSTHOG_PROJECT_ID or --posthog-project): expected "
                              "a number or @current",
                              project);
    return REELAY_OK;
}

/* The key goes into a header line: printable ASCII without spaces, so it
 * cannot end the header or add another. Messages never show it. */
static int check_key(const char *key, reelay_err *err)
{
    if (!key || !key[0])
        return reelay_err_set(err, REELAY_E_USAGE,
                              "no PostHog API key: set POSTHOG_API_KEY to a personal API key with the "
                              "session_recording:read scope");
    size_t n = 0;
    for (const char *p = key; *p; p++, n++)
        if (*p <= ' ' || *p > '~')
            return reelay_err_set(err, REELAY_E_USAGE,
                                  "POSTHOG_API_KEY holds a space or a character a request header cannot carry");
    if (n > 512) return reelay_err_set(err, REELAY_E_USAGE, "POSTHOG_API_KEY is longer than 512 characters");
    return REELAY_OK;
}

int reelay_posthog_url(const reelay_posthog_settings *settings, const char *session_id, const char *suffix,
                       char *out, size_t size, reelay_err *err)
{
    if (!settings) return reelay_err_set(err, REELAY_E_USAGE, "posthog:// inputs are not read here (no settings)");
    char host[URL_MAX];
    int rc = host_of(settings, host, sizeof host, err);
    if (rc == REELAY_OK) rc = check_project(settings->project, err);
    if (rc != REELAY_OK) return rc;
    if (session_id && !reelay_posthog_valid_id(session_id))
        return reelay_err_set(err, REELAY_E_INPUT,
                              "not a PostHog session id (1 to %d letters, digits, '-', '_' or '.')",
                              REELAY_POSTHOG_ID_MAX);
    int n = snprintf(out, size, "%s/api/projects/%s/session_recordings%s%s%s", host, settings->project,
                     session_id ? "/" : "", session_id ? session_id : "", suffix ? suffix : "");
    if (n < 0 || (size_t)n >= size) return reelay_err_set(err, REELAY_E_USAGE, "the PostHog API URL is too long");
    return REELAY_OK;
}

int reelay_posthog_range_url(const reelay_posthog_settings *settings, const char *session_id, long first, long last,
                             char *out, size_t size, reelay_err *err)
{
    char suffix[96];
    snprintf(suffix, sizeof suffix, "/snapshots?source=blob_v2&start_blob_key=%ld&end_blob_key=%ld", first, last);
    return reelay_posthog_url(settings, session_id, suffix, out, size, err);
}

/* ---- requests ------------------------------------------------------------- */

/* The server's own words from an error answer: PostHog's {"detail"} (DRF),
 * {"error"} or {"message"}, printable ASCII only and cut short. */
static void server_words(const reelay_buf *body, char *out, size_t size)
{
    out[0] = '\0';
    json_t *doc = body->len ? json_loadb((const char *)body->data, body->len, 0, NULL) : NULL;
    const char *text = NULL;
    const char *keys[] = {"detail", "message", "error"};
    for (size_t i = 0; doc && !text && i < sizeof keys / sizeof *keys; i++)
        text = json_string_value(json_object_get(doc, keys[i]));
    size_t n = 0;
    for (const char *p = text; p && *p && n + 1 < size && n < 160; p++)
        out[n++] = *p >= ' ' && *p <= '~' ? *p : '?';
    out[n] = '\0';
    json_decref(doc);
}

/* One GET of the API with the key. On failure err gets the server's words
 * and, for 401 and 403, what to check. */
static int api_get(const reelay_posthog_settings *s, const char *url, size_t max_bytes, reelay_http_response *response,
                   reelay_err *err)
{
    int rc = check_key(s->api_key, err);
    if (rc != REELAY_OK) {
        memset(response, 0, sizeof *response);
        reelay_buf_init(&response->body);
        return rc;
    }
    char auth[600];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", s->api_key);
    const char *headers[] = {auth, NULL};
    reelay_http_request request = {
        .method = REELAY_HTTP_GET,
        .url = url,
        .headers = headers,
        .max_response_bytes = max_bytes,
        .size_what = max_bytes ? "the recording" : NULL,
        .size_flag = max_bytes ? "--max-input-bytes" : NULL,
        /* PostHog's API does not redirect; a redirect would carry the
         * key's request elsewhere for nothing. */
        .follow_redirects = false,
        .attempts = REELAY_POSTHOG_ATTEMPTS,
        /* The host is the operator's (environment or command line), not a
         * job's: no address check, as for the operator's own URLs. */
        .policy = NULL,
    };
    rc = reelay_http_perform(&request, response, err);
    memset(auth, 0, sizeof auth);
    if (rc == REELAY_OK || response->status < 400) return rc;
    char words[200];
    server_words(&response->body, words, sizeof words);
    unsigned flags = err->flags;
    char message[sizeof err->msg];
    snprintf(message, sizeof message, "%s", err->msg);
    const char *hint = response->status == 401 || response->status == 403
                           ? " (check POSTHOG_API_KEY: a personal API key with session_recording:read for this "
                             "project)"
                           : "";
    reelay_err_set(err, rc, "%s%s%s%s", message, words[0] ? ": " : "", words, hint);
    reelay_err_mark(err, flags);
    return rc;
}

/* ---- sources ---------------------------------------------------------------- */

static int compare_keys(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

/* A block number as the API writes it: "12" (or 12). */
static bool block_number(const json_t *value, long *out)
{
    if (json_is_integer(value) && json_integer_value(value) >= 0 && json_integer_value(value) <= 1000000000) {
        *out = (long)json_integer_value(value);
        return true;
    }
    const char *text = json_string_value(value);
    size_t n = text ? strlen(text) : 0;
    if (n == 0 || n > 9) return false;
    long v = 0;
    for (const char *p = text; *p; p++) {
        if (!isdigit((unsigned char)*p)) return false;
        v = v * 10 + (*p - '0');
    }
    *out = v;
    return true;
}

void reelay_posthog_sources_free(reelay_posthog_sources *sources)
{
    free(sources->keys);
    free(sources->lts_key);
    memset(sources, 0, sizeof *sources);
}

int reelay_posthog_parse_sources(const unsigned char *body, size_t len, reelay_posthog_sources *out,
                                 reelay_err *err)
{
    memset(out, 0, sizeof *out);
    json_error_t jerr;
    json_t *doc = json_loadb((const char *)body, len, 0, &jerr);
    if (!doc) return reelay_err_set(err, REELAY_E_INPUT, "not JSON (%d:%d: %s)", jerr.line, jerr.column, jerr.text);
    const json_t *list = json_object_get(doc, "sources");
    int rc = REELAY_OK;
    if (!json_is_array(list)) rc = reelay_err_set(err, REELAY_E_INPUT, "expected {\"sources\": [...]}");
    size_t count = rc == REELAY_OK ? json_array_size(list) : 0;
    if (count > 0 && !(out->keys = calloc(count, sizeof *out->keys)))
        rc = reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    for (size_t i = 0; rc == REELAY_OK && i < count; i++) {
        const json_t *item = json_array_get(list, i);
        const char *kind = json_string_value(json_object_get(item, "source"));
        const json_t *key = json_object_get(item, "blob_key");
        if (!json_is_object(item) || !kind) {
            rc = reelay_err_set(err, REELAY_E_INPUT, "sources[%zu]: expected an object with a \"source\" string", i);
        } else if (strcmp(kind, "blob_v2") == 0) {
            if (!block_number(key, &out->keys[out->key_count]))
                rc = reelay_err_set(err, REELAY_E_INPUT, "sources[%zu].blob_key: expected a block number", i);
            else
                out->key_count++;
        } else if (strcmp(kind, "blob_v2_lts") == 0) {
            const char *path = json_string_value(key);
            if (!path || !path[0])
                rc = reelay_err_set(err, REELAY_E_INPUT, "sources[%zu].blob_key: expected a storage path", i);
            else if (!out->lts_key && !(out->lts_key = strdup(path)))
                rc = reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
        } else if (out->other_count++ == 0) {
            snprintf(out->other, sizeof out->other, "%s", kind);
        }
    }
    json_decref(doc);
    if (rc != REELAY_OK) {
        reelay_posthog_sources_free(out);
        return rc;
    }
    /* The API lists blocks in order from "0"; sorting and dropping repeats
     * keeps the ranges right should a server list them otherwise. */
    if (out->key_count > 1) qsort(out->keys, out->key_count, sizeof *out->keys, compare_keys);
    size_t unique = 0;
    for (size_t i = 0; i < out->key_count; i++)
        if (unique == 0 || out->keys[unique - 1] != out->keys[i]) out->keys[unique++] = out->keys[i];
    out->key_count = unique;
    return REELAY_OK;
}

size_t reelay_posthog_range_length(const long *keys, size_t count, size_t start)
{
    size_t n = start < count ? 1 : 0;
    while (start + n < count && n < REELAY_POSTHOG_RANGE_MAX && keys[start + n] == keys[start + n - 1] + 1) n++;
    return n;
}

/* ---- one recording ---------------------------------------------------------- */

typedef struct reading {
    const reelay_posthog_settings *settings;
    const char *id;
    const char *shown; /* posthog://ID as messages show it */
    size_t max_bytes;
    reelay_buf *out;
} reading;

/* GETs url and appends its lines to r->out (a newline between answers:
 * the API strips the last one). */
static int append_blocks(reading *r, const char *url, const char *step, reelay_err *err)
{
    if (r->out->len >= r->max_bytes)
        return reelay_err_set(err, REELAY_E_INPUT, "%s: %s: the recording is larger than %zu bytes (--max-input-bytes)",
                              r->shown, step, r->max_bytes);
    reelay_http_response response;
    int rc = api_get(r->settings, url, r->max_bytes - r->out->len, &response, err);
    if (rc != REELAY_OK && response.status >= 200 && response.status < 300 && strstr(err->msg, "--max-input-bytes"))
        rc = reelay_err_set(err, rc, "the recording is larger than %zu bytes (--max-input-bytes)", r->max_bytes);
    const reelay_buf *body = &response.body;
    size_t lead = 0;
    while (rc == REELAY_OK && lead < body->len && isspace(body->data[lead])) lead++;
    /* JSON lines start with '[' ([windowId, event]) or '{' (older line
     * shapes); anything else (an HTML page from a proxy) is no recording. */
    if (rc == REELAY_OK && lead < body->len && body->data[lead] != '[' && body->data[lead] != '{')
        rc = reelay_err_set(err, REELAY_E_INPUT, "the answer is not JSON lines");
    if (rc == REELAY_OK && body->len > 0) {
        bool newline = body->data[body->len - 1] != '\n';
        if (reelay_buf_append(r->out, body->data, body->len) != 0 || (newline && reelay_buf_append(r->out, "\n", 1)))
            rc = reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    }
    reelay_http_response_free(&response);
    if (rc != REELAY_OK && !strstr(err->msg, r->shown)) reelay_err_prefix(err, "%s: %s", r->shown, step);
    return rc;
}

static int read_recording(reading *r, reelay_err *err)
{
    char url[URL_MAX];
    reelay_http_response response;
    /* metadata: says whether the project has this recording at all */
    int rc = reelay_posthog_url(r->settings, r->id, NULL, url, sizeof url, err);
    if (rc != REELAY_OK) return rc;
    rc = api_get(r->settings, url, 0, &response, err);
    if (rc != REELAY_OK && response.status == 404)
        reelay_err_prefix(err, "no such recording in project %s", r->settings->project);
    if (rc == REELAY_OK) {
        json_t *doc = json_loadb((const char *)response.body.data, response.body.len, 0, NULL);
        const json_t *id = json_object_get(doc, "id");
        if (!json_is_object(doc))
            rc = reelay_err_set(err, REELAY_E_INPUT, "expected a recording object");
        else if (id && (!json_is_string(id) || strcmp(json_string_value(id), r->id) != 0))
            rc = reelay_err_set(err, REELAY_E_INPUT, "the answer is about another recording");
        json_decref(doc);
    }
    reelay_http_response_free(&response);
    if (rc != REELAY_OK) {
        reelay_err_prefix(err, "%s: metadata", r->shown);
        return rc;
    }

    /* sources: the blocks the recording is stored in */
    reelay_posthog_sources sources = {0};
    rc = reelay_posthog_url(r->settings, r->id, "/snapshots", url, sizeof url, err);
    if (rc == REELAY_OK) rc = api_get(r->settings, url, 0, &response, err);
    else memset(&response, 0, sizeof response);
    if (rc == REELAY_OK) rc = reelay_posthog_parse_sources(response.body.data, response.body.len, &sources, err);
    reelay_http_response_free(&response);
    if (rc == REELAY_OK && sources.key_count == 0 && !sources.lts_key) {
        if (sources.other_count)
            rc = reelay_err_set(err, REELAY_E_INPUT,
                                "no blob_v2 source, only \"%s\" (PostHog's storage before blob_v2, which reelay "
                                "does not read; export the recording from PostHog's player instead)",
                                sources.other);
        else
            rc = reelay_err_set(err, REELAY_E_INPUT,
                                "no snapshot data (an empty list of sources: PostHog lists a recording's blocks "
                                "only once its start is stored; try again later)");
    }
    if (rc != REELAY_OK) {
        reelay_err_prefix(err, "%s: sources", r->shown);
        reelay_posthog_sources_free(&sources);
        return rc;
    }

    /* the blocks, in ranges the API accepts */
    for (size_t i = 0; rc == REELAY_OK && i < sources.key_count;) {
        size_t n = reelay_posthog_range_length(sources.keys, sources.key_count, i);
        long first = sources.keys[i], last = sources.keys[i + n - 1];
        char step[64];
        snprintf(step, sizeof step, "blocks %ld-%ld", first, last);
        rc = reelay_posthog_range_url(r->settings, r->id, first, last, url, sizeof url, err);
        if (rc == REELAY_OK) rc = append_blocks(r, url, step, err);
        i += n;
    }
    if (rc == REELAY_OK && sources.key_count == 0) {
        /* a recording moved to long-term storage: one file, named by its path */
        char encoded[2048], suffix[2200];
        if (!reelay_url_encode(sources.lts_key, false, encoded, sizeof encoded))
            rc = reelay_err_set(err, REELAY_E_INPUT, "%s: lts: the storage path is too long", r->shown);
        if (rc == REELAY_OK) {
            snprintf(suffix, sizeof suffix, "/snapshots?source=blob_v2_lts&blob_key=%s", encoded);
            rc = reelay_posthog_url(r->settings, r->id, suffix, url, sizeof url, err);
        }
        if (rc == REELAY_OK) rc = append_blocks(r, url, "lts", err);
    }
    reelay_posthog_sources_free(&sources);
    return rc;
}

int reelay_posthog_read(const char *input, const reelay_posthog_settings *settings, size_t max_bytes,
                        reelay_buf *out, reelay_err *err)
{
    reelay_buf_init(out);
    char shown[512], id[REELAY_POSTHOG_ID_MAX + 1];
    reelay_url_display(input, shown, sizeof shown);
    if (!reelay_posthog_session_of(input, id, sizeof id))
        return reelay_err_set(err, REELAY_E_INPUT,
                              "%s: not a PostHog session id (posthog://ID, ID of 1 to %d letters, digits, '-', '_' "
                              "or '.')",
                              shown, REELAY_POSTHOG_ID_MAX);
    if (!settings)
        return reelay_err_set(err, REELAY_E_USAGE, "%s: posthog:// inputs are not read here (no PostHog settings)",
                              shown);
    /* Settings first, so that a missing key or project is said once, not
     * as the failure of a step. */
    char url[URL_MAX];
    int rc = reelay_posthog_url(settings, id, NULL, url, sizeof url, err);
    if (rc == REELAY_OK) rc = check_key(settings->api_key, err);
    if (rc != REELAY_OK) {
        reelay_err_prefix(err, "%s", shown);
        return rc;
    }
    reading r = {.settings = settings, .id = id, .shown = shown, .max_bytes = max_bytes, .out = out};
    rc = read_recording(&r, err);
    if (rc != REELAY_OK) reelay_buf_free(out);
    return rc;
}

/* ---- the list ----------------------------------------------------------------- */

/* Appends "&name=" and value, percent-encoded. */
static int add_param(reelay_buf *query, const char *name, const char *value)
{
    size_t size = strlen(value) * 3 + 1;
    char *encoded = malloc(size);
    int rc = encoded && reelay_url_encode(value, false, encoded, size) ? 0 : -1;
    if (rc == 0) rc = reelay_buf_printf(query, "%s%s=%s", query->len ? "&" : "", name, encoded);
    free(encoded);
    return rc;
}

/* Appends a parameter whose value is JSON (the API json-decodes every
 * parameter); takes doc. */
static int add_json_param(reelay_buf *query, const char *name, json_t *doc)
{
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    int rc = text ? add_param(query, name, text) : -1;
    free(text);
    return rc;
}

int reelay_posthog_list_url(const reelay_posthog_settings *settings, const reelay_posthog_query *query,
                            size_t count, size_t offset, const char *cursor, char *out, size_t size,
                            reelay_err *err)
{
    reelay_buf params;
    reelay_buf_init(&params);
    char number[32];
    snprintf(number, sizeof number, "%zu", count);
    int failed = add_param(&params, "limit", number);
    if (cursor) {
        failed |= add_param(&params, "after", cursor);
    } else if (offset > 0) {
        snprintf(number, sizeof number, "%zu", offset);
        failed |= add_param(&params, "offset", number);
    }
    if (query->since) failed |= add_param(&params, "date_from", query->since);
    if (query->until) failed |= add_param(&params, "date_to", query->until);
    if (query->person_uuid) failed |= add_param(&params, "person_uuid", query->person_uuid);
    if (query->distinct_id) failed |= add_json_param(&params, "distinct_ids", json_pack("[s]", query->distinct_id));
    if (query->min_duration_s > 0) {
        double s = query->min_duration_s;
        json_t *value = s == (double)(long long)s ? json_integer((json_int_t)s) : json_real(s);
        failed |= add_json_param(&params, "having_predicates",
                                 json_pack("[{s:s, s:s, s:s, s:o}]", "type", "recording", "key", "duration",
                                           "operator", "gte", "value", value));
    }
    if (query->with_errors)
        failed |= add_json_param(&params, "console_log_filters",
                                 json_pack("[{s:s, s:s, s:s, s:[s]}]", "type", "log_entry", "key", "level",
                                           "operator", "exact", "value", "error"));
    int rc = failed ? reelay_err_set(err, REELAY_E_INTERNAL, "out of memory") : REELAY_OK;
    if (rc == REELAY_OK) {
        char *suffix = malloc(params.len + 2);
        if (!suffix) rc = reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
        if (rc == REELAY_OK) {
            snprintf(suffix, params.len + 2, "?%s", (const char *)params.data);
            rc = reelay_posthog_url(settings, NULL, suffix, out, size, err);
        }
        free(suffix);
    }
    reelay_buf_free(&params);
    return rc;
}

/* One page: calls each for its recordings; *more and *cursor (owned) say
 * where the next page starts. */
static int list_page(const reelay_posthog_settings *s, const char *url, size_t *listed, size_t limit,
                     reelay_posthog_each each, void *context, bool *more, char **cursor, reelay_err *err)
{
    reelay_http_response response;
    int rc = api_get(s, url, 0, &response, err);
    json_t *doc = rc == REELAY_OK ? json_loadb((const char *)response.body.data, response.body.len, 0, NULL) : NULL;
    reelay_http_response_free(&response);
    const json_t *results = json_object_get(doc, "results");
    const json_t *has_next = json_object_get(doc, "has_next");
    if (rc == REELAY_OK && (!json_is_array(results) || (has_next && !json_is_boolean(has_next))))
        rc = reelay_err_set(err, REELAY_E_INPUT, "expected {\"results\": [...], \"has_next\": true|false}");
    size_t count = rc == REELAY_OK ? json_array_size(results) : 0;
    for (size_t i = 0; rc == REELAY_OK && i < count && (limit == 0 || *listed < limit); i++) {
        const char *id = json_string_value(json_object_get(json_array_get(results, i), "id"));
        if (!reelay_posthog_valid_id(id))
            rc = reelay_err_set(err, REELAY_E_INPUT, "results[%zu].id: expected a session id", i);
        else
            rc = each(context, id, err);
        if (rc == REELAY_OK) (*listed)++;
    }
    *more = rc == REELAY_OK && json_is_true(has_next);
    if (*more && count == 0)
        rc = reelay_err_set(err, REELAY_E_INPUT, "the server says there are more recordings but sent none");
    const char *next = json_string_value(json_object_get(doc, "next_cursor"));
    /* a server that hands back the cursor it was given would be asked for
     * the same page for ever */
    if (rc == REELAY_OK && *more && next && *cursor && strcmp(next, *cursor) == 0)
        rc = reelay_err_set(err, REELAY_E_INPUT, "the server's next_cursor is the one it was given");
    free(*cursor);
    *cursor = rc == REELAY_OK && next && next[0] ? strdup(next) : NULL;
    json_decref(doc);
    return rc;
}

int reelay_posthog_list(const reelay_posthog_settings *settings, const reelay_posthog_query *query,
                        reelay_posthog_each each, void *context, reelay_err *err)
{
    size_t listed = 0, offset = 0;
    char *cursor = NULL;
    int rc = REELAY_OK;
    for (int page = 1; rc == REELAY_OK; page++) {
        size_t count = REELAY_POSTHOG_PAGE_MAX;
        if (query->limit && query->limit - listed < count) count = query->limit - listed;
        char url[URL_MAX];
        rc = reelay_posthog_list_url(settings, query, count, offset, cursor, url, sizeof url, err);
        if (rc != REELAY_OK) break;
        size_t before = listed;
        bool more = false;
        rc = list_page(settings, url, &listed, query->limit, each, context, &more, &cursor, err);
        if (rc != REELAY_OK) reelay_err_prefix(err, "posthog list, page %d", page);
        if (rc != REELAY_OK || !more || (query->limit && listed >= query->limit)) break;
        offset += listed - before;
    }
    free(cursor);
    return rc;
}
