/* test_support.h — small helpers shared by the cmocka unit tests. */
#ifndef REELAY_TEST_SUPPORT_H
#define REELAY_TEST_SUPPORT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
/* cmocka needs the includes above first. */
#include <cmocka.h>
#include <jansson.h>

/* Parses JSON text (with JSON_ALLOW_NUL) or fails the test with jansson's message. */
json_t *ts_json(const char *text);

typedef struct reelay_session reelay_session;

/* A session read from JSON text or a file, or the test fails with reelay's message. */
reelay_session *ts_session_from_text(const char *text);
reelay_session *ts_session_from_path(const char *path);

/* Reads a whole file under the source tree (tests run from the repository root). */
char *ts_read_text(const char *path, size_t *len);

#endif
