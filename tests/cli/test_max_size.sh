#!/usr/bin/env bash
# --max-size: the video takes at most SIZE bytes. A session that fits at the
# usual quality is the very same video; one that does not is rendered again
# at a lower quality until it fits, and stays a whole, playable video; one
# that cannot fit is one clear error and no output.
set -u
reelay=${1:?usage: test_max_size.sh REELAY_BINARY}
tmp=$(mktemp -d /tmp/reelay-max-size-test-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"
android=fixtures/mobile/android-shop.blob.jsonl

size() { stat -c %s "$1" 2>/dev/null || echo 0; }
duration() { ffprobe -v error -show_entries format=duration -of csv=p=0 "$1" 2>/dev/null; }

# fits as it is: the same bytes as without the option
"$reelay" render "$android" -o "$tmp/plain.webm" --quiet 2>/dev/null
"$reelay" render "$android" -o "$tmp/roomy.webm" --max-size 2M 2>"$tmp/err"
check fits-as-is "$(cmp -s "$tmp/plain.webm" "$tmp/roomy.webm" && grep -q 'at the usual quality' "$tmp/err" && echo ok ||
  echo "not the usual video: $(cat "$tmp/err")")"

# too large at first: smaller, whole and playable, in WebM and MP4
for out in tight.webm tight.mp4; do
  limit=$((220 * 1024))
  "$reelay" render "$android" -o "$tmp/$out" --max-size 220K 2>"$tmp/err"
  code=$?
  bytes=$(size "$tmp/$out")
  check "$out" "$([ $code -eq 0 ] && [ "$bytes" -le $limit ] && [ "$bytes" -lt "$(size "$tmp/plain.webm")" ] &&
    [ "$(frames "$tmp/$out")" = "$(frames "$tmp/plain.webm")" ] && python3 -c "import sys; sys.exit(abs(float('$(duration "$tmp/$out")') - 41.25) > 0.05)" &&
    grep -q 'crf raised by' "$tmp/err" && echo ok || echo "exit $code, $bytes bytes: $(cat "$tmp/err")")"
done

# a longer session (3 minutes, generated) squeezed into 1 MiB
python3 scripts/gen_fixtures.py --minutes 3 --profile android --out "$tmp" >/dev/null
"$reelay" render "$tmp/android-3m.jsonl" -o "$tmp/long.webm" --max-size 1M --quiet 2>"$tmp/err"
code=$?
check long "$([ $code -eq 0 ] && [ "$(size "$tmp/long.webm")" -le 1048576 ] && [ -n "$(duration "$tmp/long.webm")" ] &&
  echo ok || echo "exit $code, $(size "$tmp/long.webm") bytes: $(cat "$tmp/err")")"

# below what the lowest quality can reach: one line, exit 2, nothing written
"$reelay" render "$android" -o "$tmp/never.webm" --max-size 150K 2>"$tmp/err"
code=$?
check cannot-fit "$([ $code -eq 2 ] && [ ! -e "$tmp/never.webm" ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
  grep -q 'the smallest video reelay made took' "$tmp/err" && ! ls "$tmp" | grep -q partial && echo ok ||
  echo "exit $code: $(cat "$tmp/err")")"
# absurdly small: refused before any encoding
"$reelay" render "$android" -o "$tmp/tiny.webm" --max-size 10K 2>"$tmp/err"
code=$?
check absurd "$([ $code -eq 1 ] && [ ! -e "$tmp/tiny.webm" ] && grep -q 'cannot hold 41.2 s of video' "$tmp/err" && echo ok ||
  echo "exit $code: $(cat "$tmp/err")")"
"$reelay" render "$android" -o "$tmp/bad.webm" --max-size lots 2>"$tmp/err"
check bad-value "$([ $? -eq 1 ] && grep -q 'max-size' "$tmp/err" && echo ok || echo "$(cat "$tmp/err")")"

finish test_max_size
