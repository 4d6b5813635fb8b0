/* random.h — random names from the kernel's random source.
 * Owns: turning getrandom() bytes into hex text, for ids and for the names
 * of temporary files that must not collide. */
#ifndef REELAY_CORE_RANDOM_H
#define REELAY_CORE_RANDOM_H

#include <stddef.h>

#include "core/error.h"

/* Writes `digits` (at most 64) random lowercase hex digits and a NUL to
 * out. REELAY_E_IO when the kernel gives no random bytes. */
int reelay_random_hex(char *out, size_t digits, reelay_err *err);

#endif
