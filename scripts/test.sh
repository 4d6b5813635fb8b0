#!/usr/bin/env bash
# Builds reelay and runs the whole test suite twice: a normal build, then a
# build with AddressSanitizer + UndefinedBehaviorSanitizer. Fails on any failure.
# Usage: scripts/test.sh [--quick]   (--quick: skip the sanitizer pass)
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)

# run_suite DIR BUILD_TYPE [CMAKE_ARGS...]
run_suite() {
  local dir=$1 type=$2; shift 2
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE="$type" "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
  ctest --test-dir "$dir" --output-on-failure -j "$jobs"
}

# Release, as the README's first command builds it: -O3 sees warnings
# (format truncation after inlining) that -O2 does not, and -Werror makes
# them build failures.
echo "== build and test (release) =="
run_suite build Release
if [ "${1:-}" != "--quick" ]; then
  echo "== build and test (AddressSanitizer + UBSan) =="
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0" \
    run_suite build-asan RelWithDebInfo -DREELAY_SANITIZE=ON
fi
