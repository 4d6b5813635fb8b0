#!/usr/bin/env bash
# Benchmarks (numbers, no pass/fail; the machine is shared and noisy, so the
# figures that matter are ratios measured side by side in this one run).
# Builds a Release tree in build-bench/, generates a synthetic Android-like
# session (10 minutes by default) and reports:
#   1. render: `reelay render` of the whole session to VP9 WebM and to H.264
#      MP4 with default options — wall time, real-time factor, frames, peak RSS;
#   2. encoder bound: for a clip (the first 90 s of the session), reelay's own
#      frames are written raw (.y4m), then ffmpeg encodes exactly those frames
#      with the same codec settings; reelay's time to render+encode the clip
#      divided by ffmpeg's time to only encode it is the overhead ratio
#      (1.0 = drawing costs nothing next to the encoder);
#   3. frames: the frame renderer alone (tests/bench/bench_frames) on a
#      2-minute session at the default still size: frames per second with
#      unchanged frames reused, and with every frame repainted, and peak RSS;
#   4. batch: 50 short sessions through `reelay batch` with -j1 and -j2 (one
#      encoder thread per render), and the scaling between the two;
#   5. memory: peak RSS rendering a 60-minute session.
# Usage: scripts/bench.sh [MINUTES]
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-10}
clip_s=90
batch_n=50
work=$(mktemp -d /tmp/reelay-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT

cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-bench -j"$(nproc)" --target bench_frames reelay >/dev/null
reelay=build-bench/reelay
python3 scripts/gen_fixtures.py --minutes "$minutes" --profile android --name android --out "$work" >/dev/null
python3 scripts/gen_fixtures.py --minutes 2 --profile android --name android2 --out "$work" >/dev/null
input="$work/android.jsonl"
echo "input: $minutes-minute Android-like session, $(du -h "$input" | cut -f1), $(wc -l <"$input") events"
"$reelay" info "$input" | grep -E '^(duration|active):'

# timed NAME COMMAND...: wall seconds and peak RSS (MiB) into $work/NAME.time
timed() {
  local name=$1; shift
  /usr/bin/time -f '%e %M %U %S' -o "$work/$name.time" "$@"
}
wall() { cut -d' ' -f1 "$work/$1.time"; }
rss_mib() { echo $(( $(cut -d' ' -f2 "$work/$1.time") / 1024 )); }
cpu_s() { awk '{print $3 + $4}' "$work/$1.time"; }
probe() { ffprobe -v error -show_entries format=duration -of csv=p=0 "$1"; }
frames() { ffprobe -v error -count_packets -select_streams v:0 -show_entries stream=nb_read_packets -of csv=p=0 "$1"; }

session_s=$(python3 -c "print($minutes * 60)")
echo
echo "== 1. render the whole session (defaults: skip idle, touches + HUD, 24 fps, $(nproc) threads) =="
for ext in webm mp4; do
  timed "render-$ext" "$reelay" render "$input" -o "$work/full.$ext" --quiet
  python3 - "$ext" "$(wall "render-$ext")" "$(rss_mib "render-$ext")" "$(probe "$work/full.$ext")" \
    "$(frames "$work/full.$ext")" "$(stat -c %s "$work/full.$ext")" "$session_s" <<'PY'
import sys
ext, wall, rss, dur, frames, size, session = sys.argv[1:]
wall, dur, session = float(wall), float(dur), float(session)
print("%-4s %6.2f s wall, real-time factor %5.0fx (session %.0f s -> video %.1f s, %s frames, %.1f MB), peak RSS %s MiB"
      % (ext, wall, session / wall, session, dur, frames, int(size) / 1e6, rss))
PY
done

echo
echo "== 2. encoder bound: the first ${clip_s} s of the session, same frames, same settings =="
"$reelay" render "$input" --to "$clip_s" -o "$work/clip.y4m" --quiet
clip_frames=$(frames "$work/clip.y4m")
size=$(ffprobe -v error -select_streams v:0 -show_entries stream=width,height -of csv=p=0:s=x "$work/clip.y4m")
width=${size%x*}
threads=$(nproc)
# libvpx-vp9 tile columns as reelay sets them: log2 of width/256, at most 6.
tiles=$(python3 -c "import math; print(max(0, min(6, int(math.log2(max(1, $width // 256))))))")
cat "$work/clip.y4m" >/dev/null # warm the page cache: ffmpeg should not pay for the disk
timed clip-reelay-webm "$reelay" render "$input" --to "$clip_s" -o "$work/clip.webm" --quiet
timed clip-ffmpeg-webm ffmpeg -nostdin -loglevel error -y -i "$work/clip.y4m" -c:v libvpx-vp9 -deadline realtime \
  -cpu-used 8 -row-mt 1 -lag-in-frames 0 -tile-columns "$tiles" -crf 32 -b:v 0 -threads "$threads" -g 240 "$work/clip-ff.webm"
timed clip-reelay-mp4 "$reelay" render "$input" --to "$clip_s" -o "$work/clip.mp4" --quiet
timed clip-ffmpeg-mp4 ffmpeg -nostdin -loglevel error -y -i "$work/clip.y4m" -c:v libx264 -preset veryfast -crf 27 \
  -x264-params mbtree=0:mvrange-thread=2048:lookahead-threads=1 -bf 0 -g 240 -threads "$threads" -pix_fmt yuv420p -movflags +faststart "$work/clip-ff.mp4"
for ext in webm mp4; do
  python3 - "$ext" "$clip_frames" "$(wall "clip-reelay-$ext")" "$(wall "clip-ffmpeg-$ext")" <<'PY'
import sys
ext, frames, ours, theirs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
print("%-4s %s frames %s: reelay render %.2f s (%.0f fps), ffmpeg encode only %.2f s (%.0f fps), ratio %.2f"
      % (ext, frames, "", ours, frames / ours, theirs, frames / theirs, ours / theirs))
PY
done

echo
echo "== 3. the frame renderer alone (2-minute session, default still size, 30 fps) =="
timed frames build-bench/tests/bench_frames "$work/android2.jsonl" >"$work/frames.json"
build-bench/tests/bench_frames "$work/android2.jsonl" --repaint-all >"$work/paint.json"
python3 - "$work/frames.json" "$work/paint.json" "$(rss_mib frames)" <<'PY'
import json, sys
f, p = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
print("%dx%d: %.0f frames/s with unchanged frames reused (%d of %d painted), %.0f frames/s repainting every frame, "
      "peak RSS %s MiB" % (f["width"], f["height"], f["frames_per_s"], f["painted"], f["frames"],
                           p["painted_per_s"], sys.argv[3]))
PY

echo
echo "== 4. batch: $batch_n one-minute sessions, -j1 vs -j2, one encoder thread per render =="
mkdir -p "$work/batch-in"
for i in $(seq 1 "$batch_n"); do
  python3 scripts/gen_fixtures.py --minutes 1 --profile android --seed "$i" --name "s$i" --out "$work/batch-in" >/dev/null
done
timed batch-j1 "$reelay" batch "$work"/batch-in/*.jsonl -o "$work/batch-j1" -j 1 --threads 1 2>/dev/null
timed batch-j2 "$reelay" batch "$work"/batch-in/*.jsonl -o "$work/batch-j2" -j 2 --threads 1 2>/dev/null
python3 - "$batch_n" "$(wall batch-j1)" "$(wall batch-j2)" "$(cpu_s batch-j1)" "$(cpu_s batch-j2)" "$(rss_mib batch-j2)" <<'PY'
import sys
n, j1, j2, c1, c2 = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
print("-j1 %.2f s (%.2f sessions/s, %.2f cores busy), -j2 %.2f s (%.2f sessions/s, %.2f cores busy): scaling %.2fx"
      % (j1, n / j1, c1 / j1, j2, n / j2, c2 / j2, j1 / j2))
print("CPU per session: %.2f s at -j1, %.2f s at -j2 (equal = nothing shared between renders); "
      "peak RSS of one render %s MiB" % (c1 / n, c2 / n, sys.argv[6]))
PY

echo
echo "== 5. memory: a 60-minute session, default options =="
python3 scripts/gen_fixtures.py --minutes 60 --profile android --name hour --out "$work" >/dev/null
timed hour "$reelay" render "$work/hour.jsonl" -o "$work/hour.webm" --quiet
python3 - "$(wall hour)" "$(rss_mib hour)" "$(stat -c %s "$work/hour.jsonl")" <<'PY'
import sys
wall, rss, size = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
print("render %.1f s (real-time factor %.0fx), peak RSS %d MiB for an input of %.1f MiB (target: 150 MB + input)"
      % (wall, 3600 / wall, rss, size / 2**20))
PY
