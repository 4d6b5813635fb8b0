#!/usr/bin/env bash
# `reelay worker` and `reelay submit` on a spool-directory queue: jobs shared
# by two workers are each done exactly once; a worker killed with SIGKILL
# loses nothing; a poison job fails for good after 3 attempts; SIGTERM lets
# the running job finish.
set -u
reelay=$(realpath "${1:?usage: test_worker.sh REELAY_BINARY}")
tmp=$(mktemp -d /tmp/reelay-worker-test-XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"
android=$PWD/fixtures/mobile/android-shop.blob.jsonl
# wait_claimed LOG: the worker logging to LOG has claimed its job and is
# rendering it (outputs are written to an unnamed file linked into place at
# the end, so no OUT.partial shows the render under way).
wait_claimed() { local _; for _ in $(seq 1 200); do grep -q ' claimed ' "$1" 2>/dev/null && break; sleep 0.05; done; sleep 0.3; }
job() { # ID OUTPUT [OPTIONS_JSON]
  printf '{"id":"%s","input":"%s","output":"%s","options":%s}\n' "$1" "$android" "$2" "${3:-{\"fps\":4,\"to\":3\}}"
}

# 20 jobs, two workers.
q=$tmp/q1
mkdir -p "$tmp/jobs"
for i in $(seq 1 20); do job "j$i" "$tmp/out/j$i.webm" >"$tmp/jobs/j$i.json"; done
mkdir -p "$tmp/out"
"$reelay" submit --queue "dir:$q" "$tmp"/jobs/j*.json >"$tmp/submitted" 2>"$tmp/submit.err"
check submit "$([ "$(wc -l <"$tmp/submitted")" -eq 20 ] && echo ok || echo "$(cat "$tmp/submit.err")")"
"$reelay" submit --queue "dir:$q" "$tmp/jobs/j1.json" >/dev/null 2>"$tmp/dup.err"; code=$?
check duplicate "$([ "$code" -eq 1 ] && grep -q 'already in the queue' "$tmp/dup.err" && echo ok || echo "exit $code")"
"$reelay" worker --queue "dir:$q" --exit-when-empty 2>"$tmp/w1.log" &
w1=$!
"$reelay" worker --queue "dir:$q" --exit-when-empty 2>"$tmp/w2.log" &
w2=$!
wait $w1; c1=$?
wait $w2; c2=$?
check workers-exit "$([ $c1 -eq 0 ] && [ $c2 -eq 0 ] && echo ok || echo "exits $c1 $c2")"
claims=$(cat "$tmp/w1.log" "$tmp/w2.log" | grep -c ' claimed ')
check exactly-once "$([ "$claims" -eq 20 ] && [ "$(ls "$q/done" | wc -l)" -eq 20 ] && [ -z "$(ls "$q/failed")" ] && echo ok || echo "$claims claims, done: $(ls "$q/done" | wc -l)")"
both=$(grep -l ' done in ' "$tmp/w1.log" "$tmp/w2.log" | wc -l)
check shared "$([ "$both" -eq 2 ] && echo ok || echo 'one worker did everything')"
bad=0
for i in $(seq 1 20); do n=$(frames "$tmp/out/j$i.webm"); [ "${n:-0}" -eq 12 ] || bad=$((bad + 1)); done
check outputs "$([ $bad -eq 0 ] && echo ok || echo "$bad outputs without 12 frames")"
check results "$(python3 - "$q/done" <<'PY'
import json, os, sys
d = sys.argv[1]
rows = [json.load(open(os.path.join(d, f))) for f in os.listdir(d)]
ok = all(r["status"] == "done" and r["attempts"] == 1 and len(r["sha256"]) == 64 and r["frames"] == 12 for r in rows)
print("ok" if ok and len(rows) == 20 else "results %r" % rows[:2])
PY
)"

# A worker killed with SIGKILL mid-job: another takes the job over after the
# lease, and no partial file stays.
q=$tmp/q2
job slow "$tmp/out/slow.webm" '{"fps":30,"no_skip_idle":true}' >"$tmp/jobs/slow.json"
"$reelay" submit --queue "dir:$q" "$tmp/jobs/slow.json" >/dev/null
"$reelay" worker --queue "dir:$q" --lease 2 --exit-when-empty 2>"$tmp/k1.log" &
victim=$!
wait_claimed "$tmp/k1.log"
kill -9 $victim
wait $victim 2>/dev/null
check killed-midway "$([ -e "$q/claimed/slow.json" ] && echo ok || echo 'the job was not running when killed')"
"$reelay" worker --queue "dir:$q" --lease 2 --poll 0.2 --max-jobs 1 2>"$tmp/k2.log"
check taken-over "$(python3 - "$q/done/slow.json" <<'PY'
import json, sys
try:
    r = json.load(open(sys.argv[1]))
except OSError:
    print("no result"); raise SystemExit
print("ok" if r["status"] == "done" and r["attempts"] == 2 else "result %r" % r)
PY
)"
check no-partial "$([ ! -e "$tmp/out/slow.webm.partial" ] && [ "$(frames "$tmp/out/slow.webm")" -gt 100 ] && echo ok || echo "partial left or bad output")"

# A poison job (its input cannot be read) fails for good after 3 attempts.
q=$tmp/q3
printf '{"id":"poison","input":"%s","output":"%s"}\n' "$tmp/no-such.json" "$tmp/out/poison.webm" >"$tmp/jobs/poison.json"
"$reelay" submit --queue "dir:$q" "$tmp/jobs/poison.json" >/dev/null
# A job file that is not JSON at all, dropped straight into the inbox.
echo '{"id": "broken", ' >"$q/inbox/broken.json"
"$reelay" worker --queue "dir:$q" --exit-when-empty 2>"$tmp/p.log"; code=$?
check poison "$(python3 - "$q/failed" <<'PY'
import json, os, sys
p = json.load(open(os.path.join(sys.argv[1], "poison.json")))
b = json.load(open(os.path.join(sys.argv[1], "broken.json")))
ok = (p["attempts"] == 3 and p["error"]["code"] == "io" and "no-such.json" in p["error"]["message"]
      and b["attempts"] == 1 and b["error"]["code"] == "usage")
print("ok" if ok else "results %r %r" % (p, b))
PY
)"
check poison-exit "$([ $code -eq 0 ] && [ ! -e "$tmp/out/poison.webm" ] && echo ok || echo "exit $code")"

# SIGTERM while a job runs: it finishes, then the worker exits 0.
q=$tmp/q4
job term "$tmp/out/term.webm" '{"fps":24,"no_skip_idle":true}' >"$tmp/jobs/term.json"
"$reelay" submit --queue "dir:$q" "$tmp/jobs/term.json" >/dev/null
"$reelay" worker --queue "dir:$q" 2>"$tmp/t.log" &
w=$!
wait_claimed "$tmp/t.log"
kill -TERM $w
wait $w; code=$?
check sigterm "$([ $code -eq 0 ] && [ -e "$q/done/term.json" ] && [ "$(frames "$tmp/out/term.webm")" -gt 100 ] && echo ok || echo "exit $code, $(ls "$q"/*)")"

# Usage.
"$reelay" worker 2>/dev/null; code=$?
check no-queue "$([ $code -eq 1 ] && echo ok || echo "exit $code")"
"$reelay" worker --queue "nfs:/x" 2>"$tmp/u.err"; code=$?
check bad-queue "$([ $code -eq 1 ] && grep -q 'dir:PATH' "$tmp/u.err" && echo ok || echo "exit $code")"
printf '{"id":"x","input":"a","output":"b.avi"}' >"$tmp/jobs/x.json"
"$reelay" submit --queue "dir:$tmp/q5" "$tmp/jobs/x.json" 2>"$tmp/u.err"; code=$?
check invalid-job "$([ $code -eq 1 ] && grep -q 'b.avi' "$tmp/u.err" && [ -z "$(ls "$tmp/q5/inbox")" ] && echo ok || echo "exit $code: $(cat "$tmp/u.err")")"

finish test_worker
