#!/usr/bin/env bash
# Frame rates, decoded back with ffprobe/ffmpeg for every codec: by default
# (variable rate) only changed frames are in the file, on the --fps grid,
# with a keyframe at least every 10 s (AV1: every 10 x fps frames, SVT-AV1
# takes no forced keyframe); --cfr has every frame of the rate. Both last as
# long as the timeline (within a frame), and seeking to 30 s shows the same
# picture in both.
set -u
reelay=${1:?usage: test_frame_rate.sh REELAY_BINARY}
tmp=$(mktemp -d /tmp/reelay-frame-rate-test-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"
android=fixtures/mobile/android-shop.blob.jsonl
fps=24
cfr_frames=990 # 41.25 s at 24 fps: the timeline's frames

duration() { ffprobe -v error -show_entries format=duration -of csv=p=0 "$1" 2>/dev/null; }
# packets VIDEO: "pts_time,flags" per packet of the video stream, in file order
packets() { ffprobe -v error -select_streams v:0 -show_entries packet=pts_time,flags -of csv=p=0 "$1" 2>/dev/null; }
# picture_at VIDEO T OUT.png: the picture shown at T s, reached by seeking
picture_at() { ffmpeg -nostdin -v error -y -ss "$2" -i "$1" -frames:v 1 "$3" 2>/dev/null; }
psnr() { ffmpeg -nostdin -v info -i "$1" -i "$2" -lavfi psnr -f null - 2>&1 | sed -n 's/.*average:\([0-9.inf]*\).*/\1/p'; }

# timing MODE KEYRULE: checks the packet list on stdin; prints ok or why not.
# MODE vfr|cfr; KEYRULE time (a keyframe at least every 10 s) or count (at
# least every 10 x fps packets).
timing() {
  python3 -c '
import sys
mode, rule, fps, cfr_frames = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rows = [l.strip().split(",") for l in sys.stdin if l.strip()]
pts = [float(r[0]) for r in rows]
key = ["K" in r[1] for r in rows]
def fail(why):
    print(why); sys.exit()
if not pts: fail("no packets")
if any(b <= a for a, b in zip(pts, pts[1:])): fail("timestamps not increasing")
if any(abs(p * fps - round(p * fps)) > 0.02 for p in pts): fail("a timestamp off the 1/%d s grid" % fps)
if not key[0]: fail("the first frame is no keyframe")
if mode == "cfr":
    if len(pts) != cfr_frames: fail("%d frames, want %d" % (len(pts), cfr_frames))
elif not 10 <= len(pts) < cfr_frames:
    fail("%d frames: not a variable rate (constant would be %d)" % (len(pts), cfr_frames))
keys = [i for i, k in enumerate(key) if k]
if rule == "time":
    times = [pts[i] for i in keys] + [cfr_frames / fps]
    gap = max(b - a for a, b in zip(times, times[1:]))
    if gap > 10 + 1.0 / fps: fail("%.2f s between keyframes" % gap)
else:
    gap = max(b - a for a, b in zip(keys + [len(pts)], (keys + [len(pts)])[1:]))
    if gap > 10 * fps: fail("%d packets between keyframes" % gap)
print("ok")
' "$1" "$2" "$fps" "$cfr_frames"
}

for spec in webm:vp9:time mp4:h264:time mkv:av1:count webm:vp8:time; do
  IFS=: read -r ext codec rule <<<"$spec"
  name="$codec.$ext"
  for mode in vfr cfr; do
    flag=; [ "$mode" = cfr ] && flag=--cfr
    out="$tmp/$mode-$name"
    "$reelay" render "$android" -o "$out" --codec "$codec" $flag --manifest "$out.json" --quiet 2>"$tmp/err"
    code=$?
    if [ $code -ne 0 ]; then
      check "$mode-$name" "exit $code: $(cat "$tmp/err")"
      continue
    fi
    check "$mode-$name-timing" "$(packets "$out" | timing "$mode" "$rule")"
    d=$(duration "$out")
    check "$mode-$name-duration" "$(python3 -c "print('ok' if abs(float('${d:-0}') - $cfr_frames / $fps) <= 1 / $fps + 1e-6 else 'duration ${d:-none}, want 41.25')")"
    manifest_vfr=$(python3 -c "import json; print(str(json.load(open('$out.json'))['options']['vfr']).lower())")
    want=true; [ "$mode" = cfr ] && want=false
    check "$mode-$name-manifest" "$([ "$manifest_vfr" = $want ] && echo ok || echo "options.vfr $manifest_vfr")"
    picture_at "$out" 30 "$out.png"
  done
  # the same moment after a seek in both files (they are coded apart, so
  # near, not equal)
  p=$(psnr "$tmp/vfr-$name.png" "$tmp/cfr-$name.png")
  check "seek-30s-$name" "$(python3 -c "print('ok' if '$p' and ('$p' == 'inf' or float('$p') >= 30) else 'PSNR ${p:-none} dB between the two at 30 s')")"
done

# without overlays (no HUD clock ticking) the screen stays still for more
# than 10 s at times: the still picture comes again as a keyframe every 10 s
"$reelay" render "$android" -o "$tmp/still.mp4" --no-skip-idle --overlays none --quiet 2>/dev/null
check still-keyframes "$(packets "$tmp/still.mp4" | python3 -c '
import sys
rows = [l.strip().split(",") for l in sys.stdin if l.strip()]
keys = [float(r[0]) for r in rows if "K" in r[1]]
end = float(rows[-1][0])
gap = max(b - a for a, b in zip(keys + [end], (keys + [end])[1:]))
print("ok" if len(keys) >= 2 and gap <= 10 + 1 / 24 else "%d keyframes, %.2f s apart at most" % (len(keys), gap))')"

# .y4m has no timestamps: constant by default, and --vfr there is refused
"$reelay" render "$android" -o "$tmp/raw.y4m" --to 2 --quiet 2>/dev/null
check y4m-constant "$([ "$(frames "$tmp/raw.y4m")" = 48 ] && echo ok || echo "$(frames "$tmp/raw.y4m") frames, want 48")"
"$reelay" render "$android" -o "$tmp/raw2.y4m" --vfr --quiet 2>"$tmp/err"
code=$?
check y4m-vfr-refused "$([ $code -ne 0 ] && grep -q 'constant frame rate' "$tmp/err" && [ ! -e "$tmp/raw2.y4m" ] && echo ok ||
  echo "exit $code: $(cat "$tmp/err")")"

finish frame-rate
