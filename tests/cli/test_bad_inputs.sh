#!/usr/bin/env bash
# Every file in fixtures/bad/ must make `reelay info` exit with code 2, print
# nothing on stdout, and print one error on stderr that names the file and
# contains the substring listed in fixtures/bad/EXPECTED.tsv.
set -u
reelay=${1:?usage: test_bad_inputs.sh REELAY_BINARY}
dir=fixtures/bad
. "$(dirname "$0")/lib.sh"
while IFS=$'\t' read -r name expect; do
  case "$name" in ''|'#'*) continue ;; esac
  out=$("$reelay" info "$dir/$name" 2>/tmp/reelay-bad-$$.err)
  code=$?
  err=$(cat /tmp/reelay-bad-$$.err)
  problem=""
  [ "$code" -eq 2 ] || problem="exit code $code, expected 2"
  [ -z "$out" ] || problem="$problem; printed on stdout"
  case "$err" in *"$dir/$name"*) ;; *) problem="$problem; message does not name the file" ;; esac
  case "$err" in *"$expect"*) ;; *) problem="$problem; message lacks '$expect'" ;; esac
  if [ -n "$problem" ]; then
    echo "FAIL $name: $problem"
    echo "     stderr: $err"
    fail=$((fail + 1))
  else
    pass=$((pass + 1))
  fi
done < "$dir/EXPECTED.tsv"
rm -f /tmp/reelay-bad-$$.err
# Every corpus file must be listed, so a new case cannot go untested.
for f in "$dir"/*; do
  base=$(basename "$f")
  [ "$base" = EXPECTED.tsv ] && continue
  grep -q "^$base	" "$dir/EXPECTED.tsv" || { echo "FAIL $base: not listed in EXPECTED.tsv"; fail=$((fail + 1)); }
done
finish
