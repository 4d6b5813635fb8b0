#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>

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
