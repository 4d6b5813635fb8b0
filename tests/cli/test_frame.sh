#!/usr/bin/env bash
# `reelay frame`: sizes, time syntax, exit codes, and that a failed command
# leaves no output (not even a .partial file).
set -u
reelay=${1:?usage: test_frame.sh REELAY_BINARY}
tmp=$(mktemp -d /tmp/reelay-frame-test-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"
android=fixtures/mobile/android-shop.blob.jsonl


size_of() { ffprobe -v error -select_streams v:0 -show_entries stream=width,height -of csv=p=0:s=x "$1" 2>/dev/null; }

# run NAME EXPECTED_EXIT EXPECTED_SIZE_OR_- STDERR_SUBSTRING_OR_- ARGS...
run() {
  local name=$1 want_code=$2 want_size=$3 want_err=$4; shift 4
  local out="$tmp/$name.png"
  "$reelay" frame "$@" -o "$out" >"$tmp/$name.out" 2>"$tmp/$name.err"
  local code=$? problem=""
  [ "$code" -eq "$want_code" ] || problem="exit $code, expected $want_code"
  if [ "$want_size" = - ]; then
    [ ! -e "$out" ] || problem="$problem; wrote an output"
  else
    local got; got=$(size_of "$out")
    [ "$got" = "$want_size" ] || problem="$problem; size '$got', expected $want_size"
  fi
  ! ls "$(dirname "$out")" | grep -q "\.partial$" || problem="$problem; left a .partial file"
  if [ "$want_err" != - ]; then
    grep -qF -- "$want_err" "$tmp/$name.err" || problem="$problem; stderr lacks '$want_err': $(cat "$tmp/$name.err")"
  fi
  check "$name" "${problem:-ok}"
}

run default 0 822x1828 - "$android" --at 5
run mmss 0 822x1828 - "$android" --at 0:05.500
run scale1 0 412x914 - "$android" --at 5 --scale 1
run size 0 300x200 - "$android" --at 5 --size 300x200
run named-size 0 1280x720 - "$android" --at 5 --size 720p
run gzip 0 822x1828 - fixtures/mobile/android-shop.blob.jsonl.gz --at 5
run ios 0 780x1688 - fixtures/mobile/ios-notes.blob.jsonl --at 3
run overlays-none 0 822x1828 - "$android" --at 5 --overlays none
run overlays-touches 0 822x1828 - "$android" --at 5 --overlays touches
run at-start 0 822x1828 - "$android" --at 0
run bad-time 1 - "bad time" "$android" --at 1:75
run negative-time 1 - "bad time" "$android" --at -3
run beyond-end 1 - "beyond the end" "$android" --at 99:00
run no-at 1 - "required" "$android"
run size-and-scale 1 - "exclude" "$android" --at 1 --size 10x10 --scale 2
run bad-size 1 - "bad size" "$android" --at 1 --size 0x10
run bad-overlays 1 - "unknown overlay" "$android" --at 1 --overlays touches,cursor
run bad-input 2 - "fixtures/bad/truncated.json" fixtures/bad/truncated.json --at 0
run missing-input 3 - "no/such/file.json" no/such/file.json --at 0
run web 0 1920x1194 - fixtures/web/shop-checkout.rrweb.json --at 9 --web-view interaction
run portable 0 1920x1186 - fixtures/portable/signup.json --at 6
run web-scale1 0 1280x796 - fixtures/web/shop-checkout.rrweb.json --at 9 --scale 1 --overlays pointer --web-view interaction
run web-unmasked 0 1920x1194 - fixtures/web/shop-checkout.rrweb.json --at 9 --unmask-inputs --web-view interaction
# the page view (the default): the chrome is an overlay, the page the recorded viewport
run web-page 0 1920x1194 "web page view" fixtures/web/shop-checkout.rrweb.json --at 9
run web-page-bare 0 1280x720 "web page view" fixtures/web/shop-checkout.rrweb.json --at 9 --scale 1 --overlays none
run bad-web-view 1 - "unknown web view" fixtures/web/shop-checkout.rrweb.json --at 9 --web-view screen

# Standard input.
"$reelay" frame - --at 5 -o "$tmp/stdin.png" <"$android" 2>"$tmp/stdin.err"
check stdin "$([ "$(size_of "$tmp/stdin.png")" = 822x1828 ] && echo ok || echo "no frame from stdin: $(cat "$tmp/stdin.err")")"

# An unwritable output: I/O error, nothing left behind.
"$reelay" frame "$android" --at 5 -o "$tmp/missing-dir/out.png" 2>"$tmp/io.err"
code=$?
check io-error "$([ $code -eq 3 ] && [ ! -e "$tmp/missing-dir" ] && echo ok || echo "exit $code: $(cat "$tmp/io.err")")"

# An existing output is replaced only on success.
echo keep >"$tmp/existing.png"
"$reelay" frame fixtures/bad/truncated.json --at 0 -o "$tmp/existing.png" 2>/dev/null
check keep-existing "$([ "$(cat "$tmp/existing.png")" = keep ] && echo ok || echo 'existing output clobbered by a failed run')"

# Deterministic: the same frame twice is byte-identical.
"$reelay" frame "$android" --at 12 -o "$tmp/a.png" 2>/dev/null
"$reelay" frame "$android" --at 12 -o "$tmp/b.png" 2>/dev/null
check deterministic "$(cmp -s "$tmp/a.png" "$tmp/b.png" && echo ok || echo 'two renders differ')"

# The extension picks the format: .webp is lossless WebP with the PNG's pixels;
# an unknown one is refused before any work, leaving nothing.
"$reelay" frame "$android" --at 12 -o "$tmp/a.webp" 2>/dev/null
magic=$(head -c 12 "$tmp/a.webp" 2>/dev/null | tail -c 4)
same=$(cmp -s <(ffmpeg -v error -i "$tmp/a.png" -f rawvideo -pix_fmt rgb24 -) \
              <(ffmpeg -v error -i "$tmp/a.webp" -f rawvideo -pix_fmt rgb24 -) && echo yes)
check webp "$([ "$magic" = WEBP ] && [ "$same" = yes ] && echo ok || echo "magic '$magic', same pixels as the PNG: '$same'")"
"$reelay" frame "$android" --at 12 -o "$tmp/a.jpg" 2>"$tmp/jpg.err"
code=$?
check unknown-extension "$([ "$code" -eq 1 ] && [ ! -e "$tmp/a.jpg" ] && grep -qF 'unknown image type ".jpg" (use .png or .webp)' "$tmp/jpg.err" && echo ok || echo "exit $code: $(head -1 "$tmp/jpg.err")")"

# Overlays change the picture only where a touch shows: a swipe's frame with
# and without them differs, a frame with no touch around does not.
touches=fixtures/golden/touches.json
"$reelay" frame $touches --at 0.45 -o "$tmp/t-all.png" 2>/dev/null
"$reelay" frame $touches --at 0.45 --overlays none -o "$tmp/t-none.png" 2>/dev/null
check touch-drawn "$(cmp -s "$tmp/t-all.png" "$tmp/t-none.png" && echo 'the touch overlay drew nothing' || echo ok)"
"$reelay" frame $touches --at 0.05 -o "$tmp/t0-all.png" 2>/dev/null
"$reelay" frame $touches --at 0.05 --overlays none -o "$tmp/t0-none.png" 2>/dev/null
check no-touch-yet "$(cmp -s "$tmp/t0-all.png" "$tmp/t0-none.png" && echo ok || echo 'overlay drawn before any touch')"

finish
