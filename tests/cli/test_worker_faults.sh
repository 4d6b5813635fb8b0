#!/usr/bin/env bash
# What a worker must never do, on a spool-directory queue: a worker frozen
# (SIGSTOP, with its render process) past its lease and thawed after another
# worker finished the job must not touch the finished video; a job may not
# replace an existing file unless it says "overwrite": true (its own earlier
# attempt's file excepted); limits above the worker's ceilings fail the job
# at once; a render past --job-timeout is killed and the job fails clearly;
# writes below an "output_root" never follow a symlink out of it; errors no
# retry can mend fail at the first attempt.
# Stopped processes are stopped one by one (never a whole process group),
# and stay in this script's group, whose parent lives on: the kernel would
# resume a stopped group that lost its parent.
set -u
reelay=$(realpath "${1:?usage: test_worker_faults.sh REELAY_BINARY}")
tmp=$(mktemp -d /tmp/reelay-worker-faults-XXXXXX)
cleanup() {
  local pids; pids=$(jobs -p)
  [ -n "$pids" ] && { kill -CONT $pids 2>/dev/null; kill -9 $pids 2>/dev/null; }
  pkill -9 -P $$ 2>/dev/null
  wait 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
. "$(dirname "$0")/lib.sh"
android=$PWD/fixtures/mobile/android-shop.blob.jsonl
out=$tmp/out
mkdir -p "$out" "$tmp/jobs"
wait_for_text() { local _; for _ in $(seq 1 600); do grep -qF -- "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done; return 1; }
job() { # ID OUTPUT [OPTIONS_JSON] [EXTRA_FIELDS]
  printf '{"id":"%s","input":"%s","output":"%s","options":%s%s}\n' "$1" "$android" "$2" "${3:-{\"fps\":4,\"to\":2\}}" \
    "${4:-}" >"$tmp/jobs/$1.json"
}
# result QUEUE ID PYTHON_EXPR: "ok" when the job's result r satisfies EXPR.
result() {
  python3 - "$1" "$2" "$3" <<'PY'
import json, os, sys
q, id, expr = sys.argv[1:]
for d in ("done", "failed"):
    p = os.path.join(q, d, id + ".json")
    if os.path.exists(p):
        r = json.load(open(p))
        print("ok" if eval(expr) else "result %s" % json.dumps(r)[:500])
        break
else:
    print("no result for %s" % id)
PY
}
both() { [ "$1" = ok ] && [ "$2" = ok ] && echo ok || echo "$1; $2"; }
sha() { sha256sum "$1" | cut -c1-64; }
decodes() { [ -s "$1" ] && [ -z "$(ffmpeg -v error -i "$1" -f null - 2>&1)" ]; }
temporaries() { find "$out" -name '*.partial' | wc -l; }

# ---- 1. Frozen past the lease, thawed after another worker finished ----
for ext in mp4 webm; do
  q=$tmp/q-frozen-$ext
  job "frozen-$ext" "$out/frozen.$ext" '{"fps":30,"no_skip_idle":true,"to":40,"cfr":true}'
  "$reelay" submit --queue "dir:$q" "$tmp/jobs/frozen-$ext.json" >/dev/null
  "$reelay" worker --queue "dir:$q" --lease 2 --max-jobs 1 2>"$tmp/a-$ext.log" & a=$!
  wait_for_text "$tmp/a-$ext.log" " claimed "
  sleep 0.5
  child=$(pgrep -P $a | head -1)
  kill -STOP $a ${child:-}
  sleep 3 # past the lease: the job is another worker's to take
  "$reelay" worker --queue "dir:$q" --lease 2 --max-jobs 1 2>"$tmp/b-$ext.log"
  recorded=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["sha256"])' "$q/done/frozen-$ext.json" 2>/dev/null)
  before=$(sha "$out/frozen.$ext")
  kill -CONT ${child:-} $a
  wait $a; code=$?
  after=$(sha "$out/frozen.$ext")
  check "frozen-$ext-untouched" "$([ -n "$recorded" ] && [ "$recorded" = "$before" ] && [ "$before" = "$after" ] && echo ok ||
    echo "recorded ${recorded:-none}, before $before, after $after")"
  check "frozen-$ext-decodes" "$(decodes "$out/frozen.$ext" && [ "$(frames "$out/frozen.$ext")" -eq 1200 ] && echo ok ||
    echo "frames $(frames "$out/frozen.$ext")")"
  check "frozen-$ext-dropped" "$(grep -q 'frozen-'$ext': dropped: another worker took the job' "$tmp/a-$ext.log" && echo ok ||
    echo "exit $code; log: $(tail -3 "$tmp/a-$ext.log")")"
  check "frozen-$ext-no-temporaries" "$([ "$(temporaries)" -eq 0 ] && echo ok || echo "$(temporaries) left")"
done

# ---- 2. Existing files are not replaced without "overwrite": true ----
q=$tmp/q-exist
echo "someone else's" >"$out/taken.webm"
chmod 444 "$out/taken.webm"
job taken "$out/taken.webm"
job replaced "$out/replaced.webm" '{"fps":4,"to":2}' ',"overwrite":true'
echo "old" >"$out/replaced.webm"
mkdir -p "$out/adir.webm"
job isdir "$out/adir.webm"
"$reelay" submit --queue "dir:$q" "$tmp/jobs/taken.json" "$tmp/jobs/replaced.json" "$tmp/jobs/isdir.json" >/dev/null
"$reelay" worker --queue "dir:$q" --exit-when-empty --retry-backoff 0.1 2>"$tmp/exist.log"
check exists-kept "$([ "$(cat "$out/taken.webm")" = "someone else's" ] && echo ok || echo replaced)"
check exists-failed-at-once "$(result "$q" taken "r['status'] == 'failed' and r['attempts'] == 1 and 'exists already' in r['error']['message'] and r['error'].get('lasting')")"
check overwrite-replaces "$(both "$(result "$q" replaced "r['status'] == 'done'")" "$(decodes "$out/replaced.webm" && echo ok || echo 'not a video')")"
check directory-failed-at-once "$(result "$q" isdir "r['status'] == 'failed' and r['attempts'] == 1 and 'Is a directory' in r['error']['message']")"

# Two jobs naming one output: the second is refused when it is queued.
job first "$out/shared.webm"
job second "$out/shared.webm" '{"fps":4,"to":1,"poster":"'"$out"'/p.png"}'
"$reelay" submit --queue "dir:$q" "$tmp/jobs/first.json" >/dev/null
"$reelay" submit --queue "dir:$q" "$tmp/jobs/second.json" >/dev/null 2>"$tmp/second.err"; code=$?
check output-owned "$([ $code -eq 1 ] && grep -qF "output $out/shared.webm belongs to job first" "$tmp/second.err" && echo ok ||
  echo "exit $code: $(cat "$tmp/second.err")")"

# ---- 3. Ceilings: a job may lower limits, never raise them ----
q=$tmp/q-ceil
job fast "$out/fast.webm" '{"fps":240,"to":1}'
job huge "$out/huge.webm" '{"size":"8192x8192","max_output_dim":8192,"to":1}'
job long "$out/long.webm" '{"fps":4,"no_skip_idle":true}'
job short "$out/short.webm" '{"fps":4,"to":2,"max_duration":"0:05"}'
"$reelay" submit --queue "dir:$q" "$tmp/jobs/"{fast,huge,long,short}.json >/dev/null
"$reelay" worker --queue "dir:$q" --exit-when-empty --max-duration 10 --max-fps 30 2>"$tmp/ceil.log"
check ceiling-fps "$(result "$q" fast "r['status'] == 'failed' and r['attempts'] == 1 and 'options.fps 240 is above this service' in r['error']['message']")"
check ceiling-dim "$(result "$q" huge "r['status'] == 'failed' and r['attempts'] == 1 and 'above this service' in r['error']['message']")"
check ceiling-default-applies "$(result "$q" long "r['status'] == 'failed' and 'more than --max-duration' in r['error']['message']")"
check ceiling-lowered-ok "$(result "$q" short "r['status'] == 'done'")"

# ---- 4. Job timeout: killed, failed clearly, retried with backoff ----
q=$tmp/q-timeout
job slow "$out/slow.webm" '{"fps":30,"no_skip_idle":true}'
"$reelay" submit --queue "dir:$q" "$tmp/jobs/slow.json" >/dev/null
"$reelay" worker --queue "dir:$q" --exit-when-empty --job-timeout 1 --retry-backoff 0.2 2>"$tmp/timeout.log"
check timeout-fails "$(result "$q" slow "r['status'] == 'failed' and r['attempts'] == 3 and 'longer than the job timeout of 1 s' in r['error']['message']")"
check timeout-backoff "$(grep -c 'retrying after' "$tmp/timeout.log" | grep -qx 2 && echo ok || echo "$(grep -c 'retrying after' "$tmp/timeout.log") backoffs")"
check timeout-no-output "$([ ! -e "$out/slow.webm" ] && [ "$(temporaries)" -eq 0 ] && echo ok || echo 'output or temporaries left')"

# ---- 5. output_root: no write through a symlink out of it ----
q=$tmp/q-root
mkdir -p "$tmp/root" "$tmp/elsewhere"
ln -s "$tmp/elsewhere" "$tmp/root/linkdir"
job escape "$tmp/root/linkdir/x.webm" '{"fps":4,"to":1,"poster":"'"$tmp"'/root/linkdir/p.png"}' ',"output_root":"'"$tmp"'/root"'
job inside "$tmp/root/x.webm" '{"fps":4,"to":1}' ',"output_root":"'"$tmp"'/root"'
"$reelay" submit --queue "dir:$q" "$tmp/jobs/escape.json" "$tmp/jobs/inside.json" >/dev/null
"$reelay" worker --queue "dir:$q" --exit-when-empty 2>"$tmp/root.log"
check root-escape-refused "$(both "$(result "$q" escape "r['status'] == 'failed' and r['attempts'] == 1 and 'leaves' in r['error']['message']")" "$([ -z "$(ls "$tmp/elsewhere")" ] && echo ok || echo "wrote $(ls "$tmp/elsewhere")")")"
check root-inside-ok "$(result "$q" inside "r['status'] == 'done'")"

finish test_worker_faults
