#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/ingest.h"

json_t *ts_json(const char *text)
{
    json_error_t error;
    json_t *value = json_loads(text, JSON_ALLOW_NUL, &error);
    if (!value) fail_msg("bad JSON in test: line %d column %d: %s", error.line, error.column, error.text);
    return value;
}

char *ts_read_text(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) fail_msg("cannot open %s", path);
    fseek(fp, 0, SEEK_END);
    long size = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *data = malloc((size_t)size + 1);
    assert_non_null(data);
    size_t n = fread(data, 1, (size_t)size, fp);
    fclose(fp);
    data[n] = '\0';
    if (len) *len = n;
    return data;
}

reelay_session *ts_session_from_text(const char *text)
{
    reelay_session *session = NULL;
    reelay_err err;
    reelay_err_clear(&err);
    if (reelay_ingest_memory((const unsigned char *)text, strlen(text), "test", NULL, &session, &err) != REELAY_OK)
        fail_msg("ingest failed: %s", err.msg);
    return session;
}

reelay_session *ts_session_from_path(const char *path)
{
    reelay_session *session = NULL;
    reelay_err err;
    reelay_err_clear(&err);
    if (reelay_ingest_path(path, NULL, &session, &err) != REELAY_OK) fail_msg("ingest failed: %s", err.msg);
    return session;
}
