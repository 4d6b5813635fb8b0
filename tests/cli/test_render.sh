#!/usr/bin/env bash
# `reelay render` from the command line: containers from the output name,
# options, exit codes, and that failures leave no output (nor .partial files).
# The pixels are checked by tests/unit/test_render.c; here ffprobe confirms
# what a user's player will see.
set -u
reelay=$(realpath "${1:?usage: test_render.sh REELAY_BINARY}")
tmp=$(mktemp -d /tmp/reelay-render-cli-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"
android=$PWD/fixtures/mobile/android-shop.blob.jsonl

probe() { ffprobe -v error -select_streams v:0 -show_entries stream=codec_name,width,height -of csv=p=0 "$1" 2>/dev/null; }
duration() { ffprobe -v error -show_entries format=duration -of csv=p=0 "$1" 2>/dev/null; }

# run NAME EXPECTED_EXIT OUTPUT EXPECTED_PROBE_OR_- STDERR_SUBSTRING_OR_- ARGS...
run() {
  local name=$1 want_code=$2 out=$3 want_probe=$4 want_err=$5; shift 5
  "$reelay" render "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
  local code=$? problem=""
  [ "$code" -eq "$want_code" ] || problem="exit $code, expected $want_code"
  if [ "$want_probe" = - ]; then
    [ -z "$out" ] || [ ! -e "$out" ] || problem="$problem; wrote $out"
  else
    local got; got=$(probe "$out")
    [ "$got" = "$want_probe" ] || problem="$problem; probe '$got', expected '$want_probe'"
  fi
  [ -z "$out" ] || ! ls "$(dirname "$out")" | grep -q "\.partial$" || problem="$problem; left a .partial file"
  [ -s "$tmp/$name.out" ] && problem="$problem; printed on stdout"
  if [ "$want_err" != - ]; then
    grep -qF -- "$want_err" "$tmp/$name.err" || problem="$problem; stderr lacks '$want_err': $(head -c 300 "$tmp/$name.err")"
  fi
  check "$name" "${problem:-ok}"
}

run webm 0 "$tmp/a.webm" "vp9,576,1332" "reelay: wrote" "$android" -o "$tmp/a.webm" --fps 8
run mp4 0 "$tmp/a.mp4" "h264,576,1332" - "$android" -o "$tmp/a.mp4" --fps 8
run mkv-av1 0 "$tmp/a.mkv" "av1,576,1332" - "$android" -o "$tmp/a.mkv" --codec av1 --fps 8
run vp8 0 "$tmp/b.webm" "vp8,576,1280" - "$android" -o "$tmp/b.webm" --codec vp8 --fps 8 --overlays touches
run size 0 "$tmp/s.mp4" "h264,360,640" - "$android" -o "$tmp/s.mp4" --size 360x640 --overlays none --fps 4 --quiet
run quiet 0 "$tmp/q.webm" "vp9,576,1280" - "$android" -o "$tmp/q.webm" --overlays none --fps 4 --quiet
check quiet-is-quiet "$([ -s "$tmp/quiet.err" ] && echo "printed: $(cat "$tmp/quiet.err")" || echo ok)"
run gzip-stdin 0 "$tmp/g.webm" "vp9,576,1280" - - -o "$tmp/g.webm" --overlays none --fps 4 <"$android.gz"
run ios 0 "$tmp/i.webm" "vp9,592,1280" - fixtures/mobile/ios-notes.blob.jsonl -o "$tmp/i.webm" --overlays none --fps 4
run bad-ext 1 "$tmp/x.avi" - "container" "$android" -o "$tmp/x.avi"
run y4m 0 "$tmp/r.y4m" "rawvideo,576,1280" - "$android" -o "$tmp/r.y4m" --to 2 --fps 4 --overlays none
run y4m-vfr 1 "$tmp/r2.y4m" - "constant frame rate" "$android" -o "$tmp/r2.y4m" --vfr
run bad-layout 1 "$tmp/x.webm" - "unknown layout" "$android" -o "$tmp/x.webm" --layout grid
run inspector 0 "$tmp/ins.mkv" "vp9,1536,1416" - "$android" -o "$tmp/ins.mkv" --layout inspector --subtitles --fps 4
run mismatch 1 "$tmp/x.mp4" - "vp8" "$android" -o "$tmp/x.mp4" --codec vp8
run bad-codec 1 "$tmp/x.webm" - "codec" "$android" -o "$tmp/x.webm" --codec h265
run bad-fps 1 "$tmp/x.webm" - "--fps" "$android" -o "$tmp/x.webm" --fps 0
run bad-speed 1 "$tmp/x.webm" - "bad scale" "$android" -o "$tmp/x.webm" --speed 0
run bad-clip 1 "$tmp/x.webm" - "from" "$android" -o "$tmp/x.webm" --from 30 --to 20
run beyond-end 1 "$tmp/x.webm" - "from" "$android" -o "$tmp/x.webm" --from 99:00
run odd-size 1 "$tmp/x.webm" - "even" "$android" -o "$tmp/x.webm" --size 361x640
run stdin-needs-o 1 "" - "-o is required" -
run bad-input 2 "$tmp/x.webm" - "fixtures/bad/truncated.json" fixtures/bad/truncated.json -o "$tmp/x.webm"
run web 0 "$tmp/w.webm" "vp9,1158,822" - fixtures/web/shop-checkout.rrweb.json -o "$tmp/w.webm" --fps 8
run portable 0 "$tmp/p.mp4" "h264,1706,872" - fixtures/portable/signup.json -o "$tmp/p.mp4" --fps 8 --layout inspector
run bad-flag-value 1 "$tmp/x.webm" - "--fps" "$android" -o "$tmp/x.webm" --fps 2.5
run missing-dir 3 "$tmp/no/such/x.webm" - "no/such" "$android" -o "$tmp/no/such/x.webm"
run bad-poster 3 "$tmp/p.webm" - "no/such" "$android" -o "$tmp/p.webm" --fps 4 --poster "$tmp/no/such/p.png"

# Limits: each a flag; going over one is an error that names it, with no output.
run limit-events 2 "$tmp/l.webm" - "raise --max-events" "$android" -o "$tmp/l.webm" --max-events 10
run limit-bytes 2 "$tmp/l.webm" - "raise --max-input-bytes" "$android" -o "$tmp/l.webm" --max-input-bytes 2K
run limit-duration 2 "$tmp/l.webm" - "more than --max-duration 00:10" "$android" -o "$tmp/l.webm" --max-duration 10
run limit-frames 2 "$tmp/l.webm" - "more than --max-frames 100" "$android" -o "$tmp/l.webm" --max-frames 100
run limit-bad 1 "$tmp/l.webm" - "bad --max-frames" "$android" -o "$tmp/l.webm" --max-frames 0
run limit-ok 0 "$tmp/l.webm" "vp9,576,1332" - "$android" -o "$tmp/l.webm" --fps 4 --max-events 1K --max-frames 1K \
  --max-duration 1:00 --max-input-bytes 1M --max-image-pixels 4M --quiet
# An image over --max-image-pixels is drawn as the placeholder: a different frame, not an error.
"$reelay" frame "$android" --at 14 -o "$tmp/img-big.png" 2>/dev/null
"$reelay" frame "$android" --at 14 -o "$tmp/img-small.png" --max-image-pixels 100 2>/dev/null
check image-limit "$([ -s "$tmp/img-small.png" ] && ! cmp -s "$tmp/img-big.png" "$tmp/img-small.png" && echo ok || echo 'same frame with a 100-pixel image limit')"
"$reelay" info "$android" --max-events 10 >/dev/null 2>"$tmp/info.err"; code=$?
check info-limit "$([ $code -eq 2 ] && grep -q 'raise --max-events' "$tmp/info.err" && echo ok || echo "exit $code")"

# WebM and MP4 bytes do not depend on the thread count (nor on the machine's
# core count, which sets the default): the same render, three ways.
"$reelay" render "$android" -o "$tmp/t1.webm" --fps 4 --threads 1 --quiet
"$reelay" render "$android" -o "$tmp/t2.webm" --fps 4 --threads 2 --quiet
check threads-same-bytes "$(cmp -s "$tmp/t1.webm" "$tmp/t2.webm" && echo ok || echo 'webm differs between --threads 1 and 2')"
"$reelay" render "$android" -o "$tmp/t1.mp4" --fps 4 --threads 1 --quiet
"$reelay" render "$android" -o "$tmp/t3.mp4" --fps 4 --threads 3 --quiet
"$reelay" render "$android" -o "$tmp/td.mp4" --fps 4 --quiet
check threads-same-bytes-mp4 "$(cmp -s "$tmp/t1.mp4" "$tmp/t3.mp4" && cmp -s "$tmp/t1.mp4" "$tmp/td.mp4" && echo ok || echo 'mp4 differs between --threads 1, 3 and the default')"

# Default output name: INPUT's name with .webm, in the current directory.
(cd "$tmp" && "$reelay" render "$android" --fps 4 --overlays none --quiet)
check default-name "$([ "$(probe "$tmp/android-shop.webm")" = "vp9,576,1280" ] && echo ok || echo 'no android-shop.webm')"

# Idle skipped by default; --no-skip-idle keeps the session's real length.
run real-time 0 "$tmp/rt.webm" "vp9,576,1280" - "$android" -o "$tmp/rt.webm" --no-skip-idle --overlays none --fps 4
skip=$(duration "$tmp/q.webm") real=$(duration "$tmp/rt.webm")
check skip-idle "$(python3 -c "import sys; s,r=float(sys.argv[1]),float(sys.argv[2]); print('ok' if 59 <= r <= 60 and s < r - 15 else 'skip %s real %s' % (s, r))" "$skip" "$real")"

# Sidecars.
run sidecars 0 "$tmp/side.webm" "vp9,576,1332" - "$android" -o "$tmp/side.webm" --fps 4 \
  --poster "$tmp/poster.webp" --preview "$tmp/preview.webp" --manifest "$tmp/manifest.json"
sha=$(sha256sum "$tmp/side.webm" | cut -d' ' -f1)
check manifest-sha "$(python3 -c "import json,sys; m=json.load(open(sys.argv[1])); print('ok' if m['output']['sha256']==sys.argv[2] else 'sha mismatch')" "$tmp/manifest.json" "$sha")"
check poster-preview "$([ -s "$tmp/poster.webp" ] && [ -s "$tmp/preview.webp" ] && echo ok || echo 'missing poster or preview')"

# The last frame shows the end: a screen that turns red with the recording's
# last event (20 s after its start) is red in the video's last frame, as
# `reelay frame --at 20` draws it.
cat >"$tmp/last-change.json" <<'JSON'
[{"type":4,"data":{"href":"Last","width":200,"height":300},"timestamp":1000},
{"type":2,"data":{"wireframes":[{"id":50,"x":0,"y":0,"width":200,"height":300,"childWireframes":[{"id":51,"x":0,"y":0,"width":200,"height":300,"style":{"backgroundColor":"#0000FF"}}]}],"initialOffset":{"top":0,"left":0}},"timestamp":1000},
{"type":3,"data":{"source":2,"type":7,"id":0,"x":50,"y":80},"timestamp":1200},
{"type":3,"data":{"source":2,"type":7,"id":0,"x":60,"y":90},"timestamp":20000},
{"type":3,"data":{"source":0,"updates":[{"parentId":50,"wireframe":{"id":51,"x":0,"y":0,"width":200,"height":300,"style":{"backgroundColor":"#FF0000"}}}]},"timestamp":21000}]
JSON
centre() { ffmpeg -v error -i "$1" -vf "format=rgb24,crop=1:1:iw/2:ih/2" -f rawvideo -pix_fmt rgb24 - | tail -c 3 | od -An -tu1 | xargs; }
reddish() { python3 -c "import sys; r,g,b=map(int,sys.argv[1:4]); print('ok' if r > 200 and b < 60 else 'centre %d,%d,%d is not red' % (r,g,b))" $1; }
"$reelay" render "$tmp/last-change.json" -o "$tmp/last.webm" --fps 24 --overlays none --quiet
"$reelay" frame "$tmp/last-change.json" --at 20 -o "$tmp/last.png" --overlays none 2>"$tmp/last-frame.err"
check last-frame-at-end "$(reddish "$(centre "$tmp/last.webm")")"
check frame-at-end "$(reddish "$(centre "$tmp/last.png")")"

finish
