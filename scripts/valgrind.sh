#!/usr/bin/env bash
# Memory check of a short render under valgrind (not part of the test suite:
# about a minute per input). Runs, on the normal RelWithDebInfo build (BUILD,
# default build/):
#   valgrind --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 \
#     reelay render INPUT -o /tmp/x.webm --to 3 --fps 4 --threads 1
# for fixtures/mobile/android-shop.blob.jsonl and fixtures/web/shop-checkout.rrweb.json,
# and prints each run's LEAK SUMMARY and ERROR SUMMARY. Fails (exit 1) if a
# run has a memory error or a definite leak (valgrind exit 99) or reelay
# fails. "still reachable" and "possibly lost" blocks from library
# initialisation (fontconfig, glib, pango) are reported but accepted, and
# fontconfig's own definite leak is suppressed (tests/valgrind.supp says why).
# Usage: scripts/valgrind.sh [BUILD_DIR]
set -u
cd "$(dirname "$0")/.."
build=${1:-build}
reelay=$build/reelay
[ -x "$reelay" ] || { echo "valgrind.sh: no $reelay; build first (cmake --build $build)" >&2; exit 1; }
command -v valgrind >/dev/null || { echo "valgrind.sh: valgrind is not installed (apt-get install valgrind)" >&2; exit 1; }
status=0
for input in fixtures/mobile/android-shop.blob.jsonl fixtures/web/shop-checkout.rrweb.json; do
  log=$(mktemp /tmp/reelay-valgrind-XXXXXX.log)
  valgrind --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 --log-file="$log" \
    --suppressions=tests/valgrind.supp \
    "$reelay" render "$input" -o /tmp/x.webm --to 3 --fps 4 --threads 1 --quiet
  code=$?
  echo "== $input: exit $code"
  sed -n 's/^==[0-9]*== //p' "$log" | grep -E '^(LEAK SUMMARY|   (definitely|indirectly|possibly) lost|   still reachable|   suppressed|ERROR SUMMARY)'
  if [ "$code" -ne 0 ]; then
    status=1
    echo "   (full log: $log)"
  else
    rm -f "$log"
  fi
done
rm -f /tmp/x.webm
exit $status
