#!/usr/bin/env bash
# Benchmarks (not tests: numbers, no pass/fail). Builds a Release tree in
# build-bench/, generates a synthetic Android-like session, and reports:
#   - frames: reelay seeking and painting every frame at 30 fps at the default
#     output size (unchanged frames reused, as video output will), frames per
#     second, real-time factor and peak memory;
#   - paint: the same with every frame repainted (the renderer's raw speed);
#   - side by side in the same run: ffmpeg encoding a sample of those very
#     frames (raw BGRA) with VP9 realtime, so the renderer's speed reads as a
#     ratio to the encoder it will feed, whatever else loads the machine.
# Usage: scripts/bench.sh [MINUTES]   (default 2)
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-2}
work=$(mktemp -d /tmp/reelay-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT

cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-bench -j"$(nproc)" --target bench_frames reelay >/dev/null
python3 scripts/gen_fixtures.py --minutes "$minutes" --profile android --name android --out "$work" >/dev/null
input="$work/android.jsonl"
echo "input: $minutes-minute Android-like session, $(du -h "$input" | cut -f1) ($(wc -l <"$input") lines)"

bench=build-bench/tests/bench_frames
echo "== frames (unchanged frames reused) =="
/usr/bin/time -f '%M' -o "$work/rss" "$bench" "$input" | tee "$work/frames.json"
echo "peak RSS (time -v): $(( $(cat "$work/rss") / 1024 )) MiB"

echo "== paint (every frame repainted; 90 raw frames kept for the ffmpeg comparison) =="
"$bench" "$input" --repaint-all --raw "$work/frames.raw" --raw-frames 90 | tee "$work/paint.json"

size=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("%dx%d" % (d["width"], d["height"]))' "$work/paint.json")
echo "== ffmpeg encoding the same frames ($size, VP9 realtime, row-mt) =="
start=$(date +%s.%N)
ffmpeg -nostdin -loglevel error -f rawvideo -pix_fmt bgra -s "$size" -r 30 -i "$work/frames.raw" \
  -c:v libvpx-vp9 -deadline realtime -cpu-used 8 -row-mt 1 -b:v 0 -crf 40 -f webm -y "$work/out.webm"
end=$(date +%s.%N)
python3 - "$work/frames.json" "$work/paint.json" "$start" "$end" <<'PY'
import json, sys
frames = json.load(open(sys.argv[1]))
paint = json.load(open(sys.argv[2]))
encode_s = float(sys.argv[4]) - float(sys.argv[3])
encode_fps = paint["raw_frames"] / encode_s
print("ffmpeg VP9 encode: %d frames in %.2f s, %.1f frames/s" % (paint["raw_frames"], encode_s, encode_fps))
print("summary:")
print("  frames at 30 fps, reused when unchanged: %.0f frames/s, real-time factor %.0fx, peak RSS %.0f MiB"
      % (frames["frames_per_s"], frames["realtime_factor"], frames["peak_rss_mib"]))
print("  every frame repainted: %.1f frames/s" % paint["painted_per_s"])
print("  repaint speed / VP9 encode speed: %.2f (above 1: drawing keeps ahead of the encoder)"
      % (paint["painted_per_s"] / encode_fps))
PY
