/* fuzz_ingest.c — libFuzzer target: ingest of every format through to the
 * session model's consumers (tests/fuzz/harness.c). Run: scripts/fuzz.sh ingest SECONDS */
#include <stddef.h>
#include <stdint.h>

#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)reelay_fuzz_ingest(data, size);
    return 0;
}
