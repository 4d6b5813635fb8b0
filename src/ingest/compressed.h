/* compressed.h — PostHog's `cv: "2024-10"` compressed event payloads.
 * Owns: turning the latin-1 string form (formats-web.md §4) back into JSON,
 * in place inside the event object, before the event is interpreted. */
#ifndef REELAY_INGEST_COMPRESSED_H
#define REELAY_INGEST_COMPRESSED_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

/* Largest JSON text one compressed field may expand to. */
#define REELAY_COMPRESSED_FIELD_MAX (256u * 1024u * 1024u)

/* Decodes one compressed string (code points <= U+00FF → bytes → gunzip →
 * JSON). Returns a new reference, or NULL with err set. */
json_t *reelay_decompress_field(const json_t *string_value, reelay_err *err);

/* When event has cv "2024-10", replaces the compressed string fields the
 * recorder produces (full snapshot data; mutation texts/attributes/removes/adds;
 * style sheet rule adds/removes) with their decoded JSON. Fields that are not
 * strings are left alone (exports keep `cv` after decompressing). Adds the
 * number of fields decoded to *decoded. `where` prefixes error messages. */
int reelay_decompress_event(json_t *event, size_t *decoded, const char *where, reelay_err *err);

#endif
