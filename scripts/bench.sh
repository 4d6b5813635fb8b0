#!/usr/bin/env bash
# Benchmarks (numbers, no pass/fail; the machine is shared and noisy, so the
# figures that matter are ratios measured side by side in this one run).
# Builds a Release tree in build-bench/, generates a synthetic Android-like
# session (10 minutes by default) and reports:
#   1. render: `reelay render` of the whole session to VP9 WebM, H.264 MP4
#      and AV1 Matroska with default options (variable frame rate), then the
#      same with --cfr — wall time, real-time factor, frames in the file,
#      peak RSS, beside the issue's targets;
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
#   5. memory: peak RSS rendering a 60-minute session;
#   6. web page view (only when ../shared/fixtures/public/posthog_export-
#      2023-04-28_019ca0c1.json exists, read in place, and the page engine's
#      assets build-bench/web/{rrweb.js,page.html} were made): that 89.5 s web
#      export rendered to WebM with default options (--web-view page) — wall
#      time, real-time factor, page frames, page frames per second and the
#      mean wait per page frame (from reelay's summary); peak memory of the
#      whole process tree (reelay, reelay-page-engine, its Xvfb and the
#      WebKit processes: every descendant of the render and every member of a
#      descendant's process group, sampled from /proc every 100 ms, in runs
#      of their own: the sampler's CPU would slow the timed runs), summed
#      RSS and summed PSS (PSS is the honest "together" figure: RSS counts a
#      shared library once per process); the same recording with --web-view
#      interaction side by side and the ratios page/interaction; a second page
#      render and whether the two files are byte-identical; the issue's
#      targets beside the numbers (>= 10x real time, goal 20x; whole tree
#      <= 600 MB).
# Usage: scripts/bench.sh [MINUTES] [--only web]   (or BENCH_ONLY=web): with
# "--only web", only section 6 runs (and only reelay and its page engine are built).
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=10
only=${BENCH_ONLY:-}
while (($#)); do
  case $1 in
    --only) only=${2:?--only needs a section: web}; shift 2 ;;
    --only=*) only=${1#--only=}; shift ;;
    -*) echo "usage: scripts/bench.sh [MINUTES] [--only web]" >&2; exit 2 ;;
    *) minutes=$1; shift ;;
  esac
done
case $only in
  '' | web) ;;
  *) echo "bench: unknown section '$only' (known: web)" >&2; exit 2 ;;
esac
clip_s=90
batch_n=50
work=$(mktemp -d /tmp/reelay-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT

targets=(reelay reelay-page-engine)
if [[ -z $only ]]; then targets+=(bench_frames); fi
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-bench -j"$(nproc)" --target "${targets[@]}" >/dev/null
reelay=build-bench/reelay

# timed NAME COMMAND...: wall seconds and peak RSS (MiB) into $work/NAME.time
time_format='%e %M %U %S'
timed() {
  local name=$1; shift
  /usr/bin/time -f "$time_format" -o "$work/$name.time" "$@"
}
wall() { cut -d' ' -f1 "$work/$1.time"; }
rss_mib() { echo $(( $(cut -d' ' -f2 "$work/$1.time") / 1024 )); }
cpu_s() { awk '{print $3 + $4}' "$work/$1.time"; }
probe() { ffprobe -v error -show_entries format=duration -of csv=p=0 "$1"; }
frames() { ffprobe -v error -count_packets -select_streams v:0 -show_entries stream=nb_read_packets -of csv=p=0 "$1"; }

# tree_timed NAME COMMAND...: as `timed NAME COMMAND...` (its stderr into
# $work/NAME.err) while $work/treemem.py samples the memory of the whole
# process tree under /usr/bin/time every 100 ms into $work/NAME.mem (JSON).
# /usr/bin/time is started directly (not through the function, which would
# put a subshell between) so that $! is its pid.
tree_timed() {
  local name=$1; shift
  /usr/bin/time -f "$time_format" -o "$work/$name.time" "$@" 2>"$work/$name.err" &
  local pid=$!
  python3 "$work/treemem.py" "$pid" >"$work/$name.mem"
  wait "$pid" || { cat "$work/$name.err" >&2; return 1; }
}

web_section() {
  local fixture page_s
  fixture="$(cd .. && pwd)/shared/fixtures/public/posthog_export-2023-04-28_019ca0c1.json"
  echo
  echo "== 6. web page view: ${fixture##*/}, WebM, default options =="
  if [[ ! -f $fixture ]]; then
    echo "skipped: $fixture is absent"
    return 0
  fi
  if [[ ! -f build-bench/web/rrweb.js || ! -f build-bench/web/page.html ]]; then
    echo "skipped: the page engine's assets (build-bench/web/rrweb.js, page.html) are missing;" \
      "run scripts/install-deps.sh (third_party/npm/node_modules) and configure again"
    return 0
  fi
  # The tree: every descendant of ROOT (ROOT itself, /usr/bin/time, left out)
  # and every process in a group led by one of them (the engine's group:
  # reelay-page-engine, its Xvfb, the WebKit processes), even if one was
  # reparented. Summed RSS and PSS (smaps_rollup) per sample; the peaks.
  cat >"$work/treemem.py" <<'PY'
import json, os, sys, time
root = int(sys.argv[1])
groups, peak, samples = set(), {"rss_kb": 0, "pss_kb": 0, "procs": 0}, 0

def procs():
    table = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        table[int(d)] = (fields[0], int(fields[1]), int(fields[2]))  # state, ppid, pgrp
    return table

def rollup(pid):
    got = {}
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                key, _, rest = line.partition(":")
                if key in ("Rss", "Pss"):
                    got[key] = int(rest.split()[0])
    except OSError:
        pass
    return got.get("Rss", 0), got.get("Pss", 0)

tick = time.monotonic()
while True:
    table = procs()
    if root not in table or table[root][0] in "ZX":
        break
    children = {}
    for pid, (_, ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    tree, todo = set(), list(children.get(root, []))
    while todo:
        pid = todo.pop()
        tree.add(pid)
        todo.extend(children.get(pid, []))
    groups |= {pid for pid in tree if table[pid][2] == pid}
    members = tree | {pid for pid, (_, _, pgrp) in table.items() if pgrp in groups and pid != root}
    rss = pss = 0
    for pid in members:
        r, p = rollup(pid)
        rss, pss = rss + r, pss + p
    peak = {"rss_kb": max(peak["rss_kb"], rss), "pss_kb": max(peak["pss_kb"], pss),
            "procs": max(peak["procs"], len(members))}
    samples += 1
    tick += 0.1
    time.sleep(max(0.0, tick - time.monotonic()))
peak["samples"] = samples
print(json.dumps(peak))
PY
  page_s=$("$reelay" info "$fixture" --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["duration_s"])')
  # Timed runs alone: the memory sampler reads every process's
  # smaps_rollup ten times a second, which on 2 cores takes CPU from the
  # render; memory comes from runs of their own.
  timed page-1 "$reelay" render "$fixture" -o "$work/page-1.webm" 2>"$work/page-1.err"
  timed interaction "$reelay" render "$fixture" -o "$work/interaction.webm" --web-view interaction 2>/dev/null
  timed page-2 "$reelay" render "$fixture" -o "$work/page-2.webm" 2>/dev/null
  tree_timed page-mem "$reelay" render "$fixture" -o "$work/page-mem.webm"
  tree_timed interaction-mem "$reelay" render "$fixture" -o "$work/interaction-mem.webm" --web-view interaction
  local same=no
  cmp -s "$work/page-1.webm" "$work/page-2.webm" && same=yes
  python3 - "$page_s" "$work" "$(probe "$work/page-1.webm")" "$(frames "$work/page-1.webm")" \
    "$(stat -c %s "$work/page-1.webm")" "$same" <<'PY'
import json, re, sys
session, work, dur, frames, size, same = float(sys.argv[1]), sys.argv[2], float(sys.argv[3]), sys.argv[4], int(sys.argv[5]), sys.argv[6]
def wall(name):
    return float(open("%s/%s.time" % (work, name)).read().split()[0])
def mem(name):
    return json.load(open("%s/%s.mem" % (work, name)))
MiB = 1024  # kB
p_wall, p2_wall, i_wall = wall("page-1"), wall("page-2"), wall("interaction")
p_mem, i_mem = mem("page-mem"), mem("interaction-mem")
p_err = open("%s/page-1.err" % work).read()
m = re.search(r"web page view: (\d+) page frames \((\d+) ms each\), engine ready in ([\d.]+) s, (\d+) MB", p_err)
if not m:
    sys.exit("bench: no page view figures in reelay's summary: %r" % p_err.strip())
pframes, wait_ms, ready_s, own_mib = int(m.group(1)), int(m.group(2)), float(m.group(3)), int(m.group(4))
print("session %.1f s (reelay info) -> video %.1f s, %s frames, %.1f MB" % (session, dur, frames, size / 1e6))
print("page        %6.2f s wall, real-time factor %4.1fx (target >= 10x, goal 20x); %d page frames, %.1f page frames/s, "
      "mean wait %d ms per page frame; engine ready in %.1f s"
      % (p_wall, session / p_wall, pframes, pframes / p_wall, wait_ms, ready_s))
print("            second run %.2f s wall, real-time factor %4.1fx" % (p2_wall, session / p2_wall))
print("            whole tree peak (another run, sampled: %d processes, %d samples): RSS %d MiB, PSS %d MiB "
      "(target: whole tree <= 600 MB = %d MiB); reelay's own figure (the engine's group, RSS) %d MiB"
      % (p_mem["procs"], p_mem["samples"], p_mem["rss_kb"] / MiB, p_mem["pss_kb"] / MiB, 600e6 / 2**20, own_mib))
print("interaction %6.2f s wall, real-time factor %4.1fx; peak RSS %d MiB, PSS %d MiB (%d process%s)"
      % (i_wall, session / i_wall, i_mem["rss_kb"] / MiB, i_mem["pss_kb"] / MiB, i_mem["procs"],
         "" if i_mem["procs"] == 1 else "es"))
print("page/interaction: wall %.2fx, peak RSS %.2fx, peak PSS %.2fx"
      % (p_wall / i_wall, p_mem["rss_kb"] / i_mem["rss_kb"], p_mem["pss_kb"] / i_mem["pss_kb"]))
print("determinism: page view rendered twice (%.2f s, %.2f s wall), byte-identical: %s" % (p_wall, p2_wall, same))
PY
}

if [[ $only == web ]]; then
  web_section
  exit 0
fi

python3 scripts/gen_fixtures.py --minutes "$minutes" --profile android --name android --out "$work" >/dev/null
python3 scripts/gen_fixtures.py --minutes 2 --profile android --name android2 --out "$work" >/dev/null
input="$work/android.jsonl"
echo "input: $minutes-minute Android-like session, $(du -h "$input" | cut -f1), $(wc -l <"$input") events"
"$reelay" info "$input" | grep -E '^(duration|active):'

session_s=$(python3 -c "print($minutes * 60)")
echo
echo "== 1. render the whole session (defaults: skip idle, touches + HUD, 24 fps, $(nproc) threads) =="
echo "   (default variable frame rate, then --cfr; targets for the default: >= 100x real time in WebM and MP4,"
echo "    >= 50x in AV1; peak RSS <= 150 MiB, AV1 <= 250 MiB)"
for rate in vfr cfr; do
  for spec in webm:vp9 mp4:h264 mkv:av1; do
    ext=${spec%%:*} codec=${spec#*:}
    name="render-$rate-$codec"
    flag=(); [[ $rate == cfr ]] && flag=(--cfr)
    timed "$name" "$reelay" render "$input" -o "$work/full.$ext" --codec "$codec" "${flag[@]}" --quiet
    python3 - "$rate" "$codec.$ext" "$(wall "$name")" "$(rss_mib "$name")" "$(probe "$work/full.$ext")" \
      "$(frames "$work/full.$ext")" "$(stat -c %s "$work/full.$ext")" "$session_s" <<'PY'
import sys
rate, name, wall, rss, dur, frames, size, session = sys.argv[1:]
wall, dur, session = float(wall), float(dur), float(session)
print("%s %-9s %6.2f s wall, real-time factor %5.0fx (session %.0f s -> video %.1f s, %s frames in the file, %.1f MB), "
      "peak RSS %s MiB" % (rate, name, wall, session / wall, session, dur, frames, int(size) / 1e6, rss))
PY
  done
done

echo
echo "== 2. encoder bound: the first ${clip_s} s of the session, same frames (--cfr: all of them), same settings =="
"$reelay" render "$input" --to "$clip_s" -o "$work/clip.y4m" --quiet
clip_frames=$(frames "$work/clip.y4m")
size=$(ffprobe -v error -select_streams v:0 -show_entries stream=width,height -of csv=p=0:s=x "$work/clip.y4m")
width=${size%x*}
threads=$(nproc)
# libvpx-vp9 tile columns as reelay sets them: log2 of width/256, at most 6.
tiles=$(python3 -c "import math; print(max(0, min(6, int(math.log2(max(1, $width // 256))))))")
cat "$work/clip.y4m" >/dev/null # warm the page cache: ffmpeg should not pay for the disk
timed clip-reelay-webm "$reelay" render "$input" --to "$clip_s" -o "$work/clip.webm" --cfr --quiet
timed clip-ffmpeg-webm ffmpeg -nostdin -loglevel error -y -i "$work/clip.y4m" -c:v libvpx-vp9 -deadline realtime \
  -cpu-used 8 -row-mt 1 -lag-in-frames 0 -tile-columns "$tiles" -crf 32 -b:v 0 -threads "$threads" -g 240 "$work/clip-ff.webm"
timed clip-reelay-mp4 "$reelay" render "$input" --to "$clip_s" -o "$work/clip.mp4" --cfr --quiet
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

web_section
