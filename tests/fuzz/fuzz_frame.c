/* fuzz_frame.c — libFuzzer target: ingest, then the frame maker (wireframe
 * scene + renderer, or the web view) painting small frames at a few times
 * (tests/fuzz/harness.c). Run: scripts/fuzz.sh frame SECONDS */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The one piece of global state: reelay's fonts, loaded on the first input
 * and kept for the whole run (loading them per input would take most of the
 * time). This is the fuzz harness's, not the library's; the process exit
 * releases it (LeakSanitizer only reports unreachable memory, and a static
 * pointer keeps it reachable). */
static reelay_fonts *shared_fonts;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!shared_fonts) {
        reelay_err err;
        reelay_err_clear(&err);
        shared_fonts = reelay_fonts_new(&err);
        if (!shared_fonts) {
            fprintf(stderr, "fuzz_frame: %s\n", err.msg);
            abort();
        }
    }
    (void)reelay_fuzz_frame(data, size, shared_fonts);
    return 0;
}
