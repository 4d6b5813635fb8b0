/* base64.h — standard base64 decoding of untrusted text.
 * Owns: the decoding rules for image payloads: white space (Android's line
 * breaks) is skipped, padding is optional, anything else is an error. */
#ifndef REELAY_CORE_BASE64_H
#define REELAY_CORE_BASE64_H

#include <stddef.h>

#include "core/buf.h"
#include "core/error.h"

/* Appends the decoded bytes of text[0..len) to out. Fails with REELAY_E_INPUT
 * naming the offset of the first bad character, or when the output would
 * exceed max_out bytes. */
int reelay_base64_decode(const char *text, size_t len, size_t max_out, reelay_buf *out, reelay_err *err);

#endif
