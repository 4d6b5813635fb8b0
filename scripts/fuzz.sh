#!/usr/bin/env bash
# Runs one libFuzzer target for a while and prints a summary.
# Usage: scripts/fuzz.sh TARGET SECONDS     (TARGET: ingest | frame)
#   ingest — tests/fuzz/fuzz_ingest.c: every input format through ingest to
#            the session model (summary, activity, timeline, web scene,
#            pointer and touch tracks);
#   frame  — tests/fuzz/fuzz_frame.c: ingest, then the frame maker painting
#            small frames (wireframe scene + renderer, or the web view).
# Builds build-fuzz/ with clang (-DREELAY_FUZZ=ON: libFuzzer + ASan + UBSan,
# no test suite), seeds build-fuzz/corpus-TARGET/ from fixtures/ (files up to
# 1 MiB; the corpus grows across runs and is not committed), fuzzes with
# tests/fuzz/json.dict for SECONDS on one worker, then prints executions,
# exec/s and the final coverage (cov: edges, ft: features). Crashes, leaks
# and sanitizer reports land in build-fuzz/crashes-TARGET/; minimise one with
#   build-fuzz/tests/fuzz/fuzz_TARGET -minimize_crash=1 -runs=20000 \
#     -exact_artifact_path=fixtures/fuzz/NAME build-fuzz/crashes-TARGET/crash-...
# then fix the bug and keep the input in fixtures/fuzz/ (test_fuzz_regressions
# replays that directory in the normal test suite).
# Extra arguments after SECONDS go to libFuzzer (e.g. -seed=1 -rss_limit_mb=4096).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 2 ]; then
  echo "usage: scripts/fuzz.sh ingest|frame SECONDS [libFuzzer flags...]" >&2
  exit 1
fi
target=$1 seconds=$2
shift 2
case "$target" in
  ingest|frame) ;;
  *) echo "fuzz.sh: unknown target '$target' (ingest or frame)" >&2; exit 1 ;;
esac
max_len=$((1 << 20)) # REELAY_FUZZ_MAX_INPUT in tests/fuzz/harness.h

CC=${CC:-clang} cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DREELAY_FUZZ=ON \
  -DREELAY_TESTS=OFF >/dev/null
cmake --build build-fuzz -j2 --target "fuzz_$target" >/dev/null

corpus=build-fuzz/corpus-$target
crashes=build-fuzz/crashes-$target
mkdir -p "$corpus" "$crashes"
# Seeds: every small fixture, under a name made from its path (copying again
# is harmless: same name, same bytes).
find fixtures/mobile fixtures/web fixtures/portable fixtures/golden fixtures/bad fixtures/fuzz \
  -type f -size -1025k ! -name '*.md' ! -name '*.tsv' ! -name '*.png' ! -name '*.jpg' ! -name '*.webp' \
  2>/dev/null | while read -r f; do
  cp "$f" "$corpus/seed-$(echo "$f" | tr '/' '_')"
done

log=build-fuzz/fuzz-$target.log
echo "fuzzing $target for $seconds s: corpus $corpus ($(ls "$corpus" | wc -l) files), log $log"
status=0
# One worker (the machine is shared), run inside build-fuzz/run-TARGET/,
# where libFuzzer writes the worker's log (fuzz-0.log; the parent copies it
# into its own output): a directory per target, so both targets can run at
# once. LeakSanitizer: fontconfig's known leak (tests/lsan.supp). UBSan
# reports abort (-fno-sanitize-recover=all).
mkdir -p "build-fuzz/run-$target"
(cd "build-fuzz/run-$target" &&
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
  LSAN_OPTIONS="suppressions=$PWD/../../tests/lsan.supp:print_suppressions=0" \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  "../tests/fuzz/fuzz_$target" "../corpus-$target" -dict=../../tests/fuzz/json.dict \
  -max_total_time="$seconds" -max_len="$max_len" -timeout=30 -rss_limit_mb=3072 \
  -jobs=1 -workers=1 -print_final_stats=1 -artifact_prefix="../crashes-$target/" "$@" \
  >"../../$log" 2>&1) || status=$?
rm -rf "build-fuzz/run-$target"

echo "== summary: $target, $seconds s (exit status $status) =="
last=$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)
echo "last status line: ${last:-none}"
echo "cov: $(echo "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')  ft: $(echo "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')"
grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' "$log" || true
echo "corpus: $(ls "$corpus" | wc -l) files, $(du -sh "$corpus" | cut -f1)"
found=$(ls "$crashes" | wc -l)
echo "artifacts in $crashes: $found"
[ "$found" -eq 0 ] || ls -l "$crashes"
exit "$status"
