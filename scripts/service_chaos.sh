#!/usr/bin/env bash
# The service under faults, end to end, on a real Redis: JOBS jobs (two-
# minute videos, MP4 and WebM) through two supervised workers while this
# script SIGKILLs workers mid-render, restarts Redis with a slow load
# (key-load-delay over filler keys) and freezes a worker with its render
# process past the lease, then thaws it. Then it counts: jobs done, failed
# (must be 0), killed on all 3 attempts (failed for good by the delivery
# limit, as designed: few jobs and many kills make it likely), lost (must be
# 0), outputs whose sha256 differs from the recorded one (must be 0), outputs
# that do not decode cleanly (must be 0), temporary files left (must be 0).
# Prints one summary line; exits non-zero when a must fails.
#
# Usage: scripts/service_chaos.sh REELAY_BINARY [JOBS] [KILLS]
#   defaults: 60 jobs, 5 kills. Run from the repository root.
# Stops are sent to single processes that stay in this script's process
# group (whose parent lives on), never to a group that could be orphaned:
# the kernel resumes a stopped group that loses its parent.
set -u
reelay=$(realpath "${1:?usage: service_chaos.sh REELAY_BINARY [JOBS] [KILLS]}")
jobs_total=${2:-60}
kills=${3:-5}
command -v redis-server >/dev/null || { echo "service_chaos: redis-server is not installed"; exit 1; }
tmp=$(mktemp -d /tmp/reelay-chaos-XXXXXX)
redis_pid=""
cleanup() {
  touch "$tmp/stop"
  local pids; pids=$(jobs -p)
  [ -n "$pids" ] && { kill -CONT $pids 2>/dev/null; kill $pids 2>/dev/null; }
  pkill -CONT -P $$ 2>/dev/null
  [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null
  wait 2>/dev/null
  [ -n "${KEEP:-}" ] && { echo "kept $tmp"; return; }
  rm -rf "$tmp"
}
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
queue="redis://127.0.0.1:$port/0"
rcli() { redis-cli -p "$port" "$@"; }
start_redis() { # [EXTRA_ARGS...]
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly yes --appendfsync always --dir "$tmp" \
    --daemonize no "$@" >>"$tmp/redis.log" 2>&1 &
  redis_pid=$!
  for _ in $(seq 1 400); do rcli ping 2>/dev/null | grep -q -e PONG -e LOADING && return 0; sleep 0.05; done
  echo "service_chaos: redis-server did not start"; exit 1
}
log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" | tee -a "$tmp/chaos.log"; }
mkdir -p "$tmp/out" "$tmp/jobs"
start_redis

# Jobs: the one-minute Android session played at real time with its idle
# time kept, stretched to two minutes by --speed 0.5.
android=$PWD/fixtures/mobile/android-shop.blob.jsonl
for i in $(seq 1 "$jobs_total"); do
  ext=$([ $((i % 2)) -eq 0 ] && echo mp4 || echo webm)
  printf '{"id":"c%d","input":"%s","output":"%s/out/c%d.%s","options":{"fps":8,"no_skip_idle":true,"speed":0.5}}\n' \
    "$i" "$android" "$tmp" "$i" "$ext" >"$tmp/jobs/c$i.json"
done
"$reelay" submit --queue "$queue" "$tmp"/jobs/c*.json >/dev/null 2>"$tmp/submit.err" ||
  { echo "service_chaos: submit failed: $(cat "$tmp/submit.err")"; exit 1; }

# Two workers, each restarted by a supervisor loop when it dies (as systemd
# would); the pid of the running worker is in $tmp/wN.pid.
supervise() { # N
  while [ ! -e "$tmp/stop" ]; do
    "$reelay" worker --queue "$queue" --lease 5 --poll 0.2 --retry-backoff 1 2>>"$tmp/w$1.log" &
    echo $! >"$tmp/w$1.pid"
    wait $!
  done
}
supervise 1 & supervise 2 &
render_child() { pgrep -P "$(cat "$tmp/w$1.pid")" | head -1; }
finished() { echo $(($(rcli scard reelay:status:done 2>/dev/null || echo 0) + $(rcli scard reelay:status:failed 2>/dev/null || echo 0))); }
started=$(date +%s)

# Faults, spaced so that each lands mid-render.
for k in $(seq 1 "$kills"); do
  sleep 6
  w=$((k % 2 + 1)) child=$(render_child $w)
  if [ -n "$child" ]; then
    kill -9 "$(cat "$tmp/w$w.pid")"; log "SIGKILL worker $w (render $child running)"
  else
    kill -9 "$(cat "$tmp/w$w.pid")"; log "SIGKILL worker $w (idle)"
  fi
  if [ "$k" -eq 2 ]; then
    # Redis restarted with data to load slowly: workers must wait it out.
    for b in $(seq 1 20); do
      rcli eval "for i=1,5000 do redis.call('SET', 'filler:$b:'..i, 'x') end" 0 >/dev/null
    done
    rcli shutdown >/dev/null 2>&1; wait "$redis_pid" 2>/dev/null
    log "Redis stopped; restarting with a slow load of 100000 keys"
    start_redis --key-load-delay 50 --loading-process-events-interval-bytes 1024
    for _ in $(seq 1 600); do rcli ping 2>/dev/null | grep -q PONG && break; sleep 0.1; done
    log "Redis loaded"
    rcli eval "local n = 0 for _, k in ipairs(redis.call('KEYS', 'filler:*')) do redis.call('DEL', k) n = n + 1 end return n" 0 >/dev/null
  fi
  if [ "$k" -eq 3 ]; then
    # Frozen with its render past the lease, thawed after 9 s.
    sleep 1
    w=1 pid=$(cat "$tmp/w1.pid") child=$(render_child 1)
    kill -STOP "$pid" ${child:-}; log "SIGSTOP worker 1 (pid $pid, render ${child:-none})"
    sleep 9
    kill -CONT ${child:-} "$pid"; log "SIGCONT worker 1"
  fi
done

for _ in $(seq 1 3600); do [ "$(finished)" -ge "$jobs_total" ] && break; sleep 1; done
elapsed=$(( $(date +%s) - started ))
touch "$tmp/stop"
for w in 1 2; do kill -TERM "$(cat "$tmp/w$w.pid")" 2>/dev/null; done
sleep 1

# The count.
python3 - "$tmp" "$jobs_total" "$port" "$elapsed" <<'PY'
import hashlib, json, os, subprocess, sys
tmp, total, port, elapsed = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
def rcli(*args):
    return subprocess.run(["redis-cli", "-p", port] + list(args), capture_output=True, text=True).stdout.strip()
done = failed = dead = lost = mismatched = undecodable = 0
for i in range(1, total + 1):
    raw = rcli("hget", "reelay:job:c%d" % i, "result")
    if not raw:
        lost += 1
        continue
    r = json.loads(raw)
    if r["status"] != "done":
        # Killed on each of its 3 attempts: failed for good, as designed
        # (a delivery limit), and recorded, so not lost. Any other failure
        # is a defect.
        if "after 3 attempts" in r["error"]["message"]:
            dead += 1
        else:
            failed += 1
        print("failed c%d: %s" % (i, r["error"]["message"]))
        continue
    done += 1
    path = r["output"]
    digest = hashlib.sha256(open(path, "rb").read()).hexdigest() if os.path.exists(path) else ""
    if digest != r["sha256"]:
        mismatched += 1
        print("sha256 mismatch: %s" % path)
    errors = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-f", "null", "-"], capture_output=True, text=True).stderr
    if errors.strip():
        undecodable += 1
        print("decode errors in %s: %s" % (path, errors[:200]))
temporaries = sum(1 for name in os.listdir(os.path.join(tmp, "out")) if ".partial" in name)
logs = "".join(open(os.path.join(tmp, f)).read() for f in ("w1.log", "w2.log") if os.path.exists(os.path.join(tmp, f)))
print("chaos: %d jobs in %s s: %d done, %d failed, %d killed on all 3 attempts, %d lost, %d sha256 mismatches, "
      "%d not decoding cleanly, %d temporary files left; workers logged %d claims, %d dropped (claim lost), "
      "%d retried"
      % (total, elapsed, done, failed, dead, lost, mismatched, undecodable, temporaries, logs.count(" claimed "),
         logs.count(": dropped: "), logs.count("will retry")))
sys.exit(0 if failed == 0 and lost == 0 and mismatched == 0 and undecodable == 0 and temporaries == 0 else 1)
PY
