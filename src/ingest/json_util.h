/* json_util.h — typed access to untrusted jansson values.
 * Owns: the rules every reader shares for numbers (finite, bounded), ids
 * (integral, 64-bit) and strings (copied into the session arena), and the
 * "where" text used in error messages (e.g. "event 12: data.wireframes[0].id"). */
#ifndef REELAY_INGEST_JSON_UTIL_H
#define REELAY_INGEST_JSON_UTIL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/error.h"

/* Geometry, sizes and times beyond this magnitude are rejected as bad input. */
#define REELAY_JSON_NUMBER_LIMIT 1e15

/* A number (integer or real). Returns false when `value` is not a number. */
bool reelay_json_number(const json_t *value, double *out);

/* Reads object[key] as a bounded number. Absent/null leaves *out unchanged and
 * returns REELAY_OK with *present=false (present may be NULL). A value of the
 * wrong type or out of range is REELAY_E_INPUT with "where.key: ..." in err. */
int reelay_json_get_number(const json_t *object, const char *key, double *out, bool *present,
                           const char *where, reelay_err *err);

/* Reads object[key] as an integral id in int64 range (an integral real such as
 * 5.0 is accepted). Absent/null: *present=false. */
int reelay_json_get_id(const json_t *object, const char *key, int64_t *out, bool *present,
                       const char *where, reelay_err *err);

/* Returns an arena copy of object[key] when it is a string; NULL when it is
 * absent, not a string, or memory ran out. Strings containing NUL bytes are
 * cut at the first NUL. */
const char *reelay_json_get_string(reelay_arena *arena, const json_t *object, const char *key);

/* Copies any string value into the arena (NULL when value is not a string). */
const char *reelay_json_string_copy(reelay_arena *arena, const json_t *value);

/* A scalar as text in the arena: strings as they are, integers and reals
 * printed ("%.15g"). NULL for other types (and *failed = true when memory ran
 * out). Ids, session ids and attribute values arrive in either form. */
const char *reelay_json_scalar_text(reelay_arena *arena, const json_t *value, bool *failed);

/* Writes "where.key" or "where[index]" into out, for nested error messages. */
void reelay_json_path_key(char *out, size_t size, const char *where, const char *key);
void reelay_json_path_index(char *out, size_t size, const char *where, size_t index);

/* Hash of the canonical (sorted keys, compact) JSON text of value, ignoring
 * the top-level keys "delay" and "windowId"/"window_id" (PostHog's rule for
 * duplicate detection). Two independent 64-bit hashes. */
int reelay_json_content_hash(const json_t *value, uint64_t out[2]);

#endif
