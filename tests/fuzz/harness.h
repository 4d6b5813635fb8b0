/* harness.h — the bodies of the libFuzzer targets (tests/fuzz/fuzz_*.c),
 * shared with the unit test that replays fixtures/fuzz/ in the normal build
 * (tests/unit/test_fuzz_regressions.c), so a regression input goes through
 * exactly the code path the fuzzer found it on. Built with gcc or clang. */
#ifndef REELAY_FUZZ_HARNESS_H
#define REELAY_FUZZ_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "renderers/paint/text.h"

/* Inputs larger than this are ignored (keeps every run fast; the parsers'
 * size limits are tested elsewhere). scripts/fuzz.sh passes it as -max_len. */
#define REELAY_FUZZ_MAX_INPUT ((size_t)1 << 20)

typedef enum reelay_fuzz_result {
    REELAY_FUZZ_SKIPPED = -1, /* too large */
    REELAY_FUZZ_REJECTED = 0, /* ingest refused it with an error value */
    REELAY_FUZZ_SESSION = 1,  /* a session came out and its consumers ran */
} reelay_fuzz_result;

/* Ingest (every format, sniffed from content, gzip included), then the
 * cheap session consumers: summary (+ JSON), activity segments, timelines
 * (+ queries and JSON), the web scene, the pointer and touch tracks, queried
 * at a few times per window. Frees everything. */
reelay_fuzz_result reelay_fuzz_ingest(const uint8_t *data, size_t size);

/* Ingest, then a frame maker with every overlay (the wireframe scene and
 * renderer for mobile recordings, the web view otherwise), seeked to a few
 * times and painted into small surfaces. fonts: a set shared by every call
 * (loading one per input is far too slow); borrowed. */
reelay_fuzz_result reelay_fuzz_frame(const uint8_t *data, size_t size, reelay_fonts *fonts);

#endif
