#!/usr/bin/env bash
# Fault tests for the spool-directory queue: a worker (or a submit) killed
# with SIGKILL inside each step where a job moves between the queue's
# places. strace holds the process in the step (a syscall delayed 4 s:
# the fsync of a file being stored, or the rename moving a job), the test
# kills it there, and checks that the job is findable where status looks
# (inbox/, claimed/, done/ or failed/: never only in tmp/), that a watcher
# looking all along never lost it, and that a restarted worker finishes it.
# Runs in a session of its own: a process stopped by its tracer must not
# outlive the script's process group.
set -u
if [ -z "${REELAY_SPOOL_FAULTS_SESSION:-}" ]; then
  REELAY_SPOOL_FAULTS_SESSION=1 exec setsid -w bash "$0" "$@"
fi
reelay=$(realpath "${1:?usage: test_spool_faults.sh REELAY_BINARY}")
command -v strace >/dev/null || { echo "FAIL strace is not installed: run scripts/install-deps.sh"; exit 1; }
tmp=$(mktemp -d /tmp/reelay-spool-faults-XXXXXX)
cleanup() {
  local pids; pids=$(jobs -p)
  [ -n "$pids" ] && kill -9 $pids 2>/dev/null
  wait 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
. "$(dirname "$0")/lib.sh"
android=$PWD/fixtures/mobile/android-shop.blob.jsonl
log=$tmp/log out=$tmp/out
mkdir -p "$log" "$out" "$tmp/jobs"
# Attaching to a process that is not strace's child needs ptrace rights.
sleep 5 & probe=$!
strace -qqq -o /dev/null -p $probe -e trace=none 2>"$log/probe.err" & tracer=$!
sleep 0.3; kill $probe; wait $tracer 2>/dev/null
if grep -q 'Operation not permitted' "$log/probe.err"; then
  echo "note: strace cannot attach here (no ptrace permission): the spool fault tests are skipped"
  finish test_spool_faults; exit
fi

# job ID [INPUT]: writes jobs/ID.json (2 s at 4 fps, a quick render). It
# may replace its output: a worker killed after writing it and before
# storing the result leaves it for the retry to write again.
job() {
  printf '{"id":"%s","input":"%s","output":"%s/%s.webm","overwrite":true,"options":{"fps":4,"to":2}}\n' "$1" \
    "${2:-$android}" "$out" "$1" >"$tmp/jobs/$1.json"
}
nfiles() { find "$@" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; } # entries in the DIRs
# place Q ID: where status finds the job, looking in the order a job moves
# (a result first when there is one).
place() {
  local q=$1 id=$2 found=unknown
  [ -e "$q/inbox/$id.json" ] && found=queued
  [ -e "$q/claimed/$id.json" ] && found=running
  [ -e "$q/failed/$id.json" ] && found=failed
  [ -e "$q/done/$id.json" ] && found=done
  echo $found
}
# watch Q ID: in the background until Q/stop-watch exists, notes in
# log/ID.lost every time two looks in a row did not find the job.
watch() {
  local q=$1 id=$2 misses=0
  while [ ! -e "$q/stop-watch" ]; do
    if [ "$(place "$q" "$id")" = unknown ]; then
      misses=$((misses + 1))
      [ $misses -ge 2 ] && echo "lost at $(date +%T.%N)" >>"$log/$id.lost"
    else
      misses=0
    fi
  done
}
# A worker waiting on queue Q (log/NAME.log), with strace holding the
# syscall SYSCALLS the WHEN-th time it is made (by the worker itself, not
# its render children), restricted to PATH when given. Sets worker_pid and
# strace_pid.
traced_worker() { # NAME Q SYSCALLS WHEN [PATH]
  local name=$1 q=$2 calls=$3 when=$4 path=${5:-} _
  "$reelay" worker --queue "dir:$q" --lease 2 --poll 0.1 2>"$log/$name.log" &
  worker_pid=$!
  for _ in $(seq 1 100); do grep -q 'started' "$log/$name.log" 2>/dev/null && break; sleep 0.05; done
  strace -qqq -o /dev/null -p $worker_pid ${path:+-P "$path"} -e trace="$calls" \
    -e inject="$calls":delay_enter=4000000:when="$when" 2>"$log/$name.strace" &
  strace_pid=$!
  # A job queued before strace is attached escapes the delayed syscall:
  # wait up to 30 s (in CI's ASan pass, beside other fault tests, a job
  # once escaped with a 5 s wait).
  for _ in $(seq 1 600); do
    [ "$(awk '/^TracerPid/ {print $2}' /proc/$worker_pid/status 2>/dev/null)" != 0 ] && break
    sleep 0.05
  done
}
# held PID: true once the process sits in a delayed syscall (stopped by
# its tracer at three looks in a row).
held() {
  local n=0 _
  for _ in $(seq 1 200); do
    if [ "$(awk '{print $3}' /proc/$1/stat 2>/dev/null)" = t ]; then n=$((n + 1)); else n=0; fi
    [ $n -ge 3 ] && return 0
    sleep 0.05
  done
  return 1
}
# kill_in WINDOW PID [MARKER_GLOB]: waits for the marker file (a write
# staged in tmp/) and the delayed syscall, then SIGKILL. Checked as
# WINDOW-held.
kill_in() {
  local window=$1 pid=$2 marker=${3:-} ok=ok _
  if [ -n "$marker" ]; then
    for _ in $(seq 1 300); do compgen -G "$marker" >/dev/null && break; sleep 0.05; done
    compgen -G "$marker" >/dev/null || ok="no $marker appeared"
  fi
  [ "$ok" = ok ] && { held "$pid" || ok="the worker was not held in a delayed syscall"; }
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  wait "$strace_pid" 2>/dev/null
  check "$window-held" "$ok"
}
# after_kill WINDOW Q ID WANT: the job stands at WANT right after the kill.
after_kill() {
  local got; got=$(place "$2" "$3")
  check "$1-findable" "$([ "$got" = "$4" ] && echo ok || echo "job $3 is $got, expected $4: $(cd "$2" && ls -R inbox claimed done failed tmp | tr '\n' ' ')")"
}
# restart WINDOW Q ID PYTHON_EXPR: a new worker finishes the job (after the
# killed one's lease); its result r satisfies EXPR, the job was never lost
# to the watcher, nothing stays behind.
restart() {
  local window=$1 q=$2 id=$3 expr=$4 _
  "$reelay" worker --queue "dir:$q" --lease 2 --poll 0.1 2>"$log/$window-restart.log" &
  local w=$!
  for _ in $(seq 1 600); do [ -e "$q/done/$id.json" ] || [ -e "$q/failed/$id.json" ] && break; sleep 0.05; done
  sleep 0.3 # (its claim removed after the result)
  kill -TERM $w; wait $w
  touch "$q/stop-watch"; wait 2>/dev/null
  local file=$q/done/$id.json
  [ -e "$file" ] || file=$q/failed/$id.json
  check "$window-finished" "$(python3 - "$file" "$expr" <<'PY'
import json, sys
try:
    r = json.load(open(sys.argv[1]))
except (OSError, ValueError) as e:
    print("no result: %s" % e); raise SystemExit
print("ok" if eval("(" + sys.argv[2] + ")") else "result %s" % json.dumps(r)[:400])
PY
)"
  check "$window-never-lost" "$([ ! -e "$log/$id.lost" ] && echo ok || echo "$(head -3 "$log/$id.lost")")"
  check "$window-clean" "$(cd "$q" && [ "$(nfiles inbox claimed tmp)" = 0 ] && echo ok || echo "left: $(ls -R inbox claimed tmp | tr '\n' ' ')")"
}
# expired_claim Q ID ATTEMPTS: job ID as a claim whose worker died a minute
# ago, after ATTEMPTS attempts (put there after the traced worker started,
# so that it is the one to find it).
expired_claim() {
  echo "$3" >"$1/attempts/$2"
  cp "$tmp/jobs/$2.json" "$1/$2.json.new"
  touch -d '1 minute ago' "$1/$2.json.new"
  mv "$1/$2.json.new" "$1/claimed/$2.json"
}
# submit_watched Q ID: queues job ID and starts watching it.
submit_watched() {
  "$reelay" submit --queue "dir:$1" "$tmp/jobs/$2.json" >/dev/null
  watch "$1" "$2" &
}

# ==== 1. A claim: killed while its attempt is being counted ====
# Moved into claimed/ first (one rename), counted after: still running.
q=$tmp/q1
job claim1
traced_worker claim1 "$q" fsync 1
submit_watched "$q" claim1
kill_in claim "$worker_pid" "$q/tmp/attempts~claim1~*"
after_kill claim "$q" claim1 running
restart claim "$q" claim1 'r["status"] == "done" and r["attempts"] == 1'

# ==== 2. A finish: killed while its result is being stored ====
# The result is stored while the claim still holds the job; the claim goes
# only after. (Before: the claim went to tmp/ first, and the job was lost.)
q=$tmp/q2
job finish2
traced_worker finish2 "$q" fsync 2
submit_watched "$q" finish2
kill_in finish "$worker_pid" "$q/tmp/done~finish2.json~*"
after_kill finish "$q" finish2 running
restart finish "$q" finish2 'r["status"] == "done" and r["attempts"] == 2'

# ==== 3. A retry: killed in the rename taking the claim back to inbox/ ====
# A job whose input is missing fails with an I/O error, which may pass: it
# goes back to the queue in one rename out of claimed/ (strace's -P picks
# a rename by the path it moves).
q=$tmp/q3
job retry3 "$tmp/no-such-input.json"
traced_worker retry3 "$q" rename,renameat,renameat2 1 "$q/claimed/retry3.json"
submit_watched "$q" retry3
kill_in retry "$worker_pid"
after_kill retry "$q" retry3 running
check retry-was-claimed "$(grep -q 'claimed retry3 (attempt 1)' "$log/retry3.log" && echo ok || echo "$(cat "$log/retry3.log")")"
restart retry "$q" retry3 'r["status"] == "failed" and r["attempts"] == 3 and r["error"]["code"] == "io"'

# ==== 4. An expired claim: killed in the rename taking it back to inbox/ ====
q=$tmp/q4
job expire4
traced_worker expire4 "$q" rename,renameat,renameat2 1 "$q/claimed/expire4.json"
expired_claim "$q" expire4 1
watch "$q" expire4 &
kill_in expire "$worker_pid"
after_kill expire "$q" expire4 running
restart expire "$q" expire4 'r["status"] == "done" and r["attempts"] == 2'

# ==== 5. A job failed for good: killed while its failed/ result is stored ====
# Its third claim expired: the next claim stores the failure while it holds
# the job, then lets go. (Before: the expired claim sat in tmp/ meanwhile.)
q=$tmp/q5
job dead5
traced_worker dead5 "$q" fsync 1
expired_claim "$q" dead5 3
watch "$q" dead5 &
kill_in dead "$worker_pid" "$q/tmp/failed~dead5.json~*"
after_kill dead "$q" dead5 running
restart dead "$q" dead5 'r["status"] == "failed" and r["attempts"] == 3 and "no heartbeat" in r["error"]["message"]'
check dead-not-rendered "$([ ! -e "$out/dead5.webm" ] && echo ok || echo 'it ran a 4th time')"

# ==== 6. A submit: killed while the job file is stored in inbox/ ====
# Never acknowledged, so not queued; its output entries name its own id,
# so submitting it again works, and the dead write is cleared at once.
q=$tmp/q6
job sub6
"$reelay" worker --queue "dir:$q" --exit-when-empty 2>/dev/null # creates the queue
strace -qqq -o /dev/null -e trace=fsync -e inject=fsync:delay_enter=4000000:when=2 \
  "$reelay" submit --queue "dir:$q" "$tmp/jobs/sub6.json" >/dev/null 2>"$log/sub6.err" &
for _ in $(seq 1 300); do compgen -G "$q/tmp/inbox~sub6.json~*" >/dev/null && break; sleep 0.05; done
staged=$(compgen -G "$q/tmp/inbox~sub6.json~*" | head -1)
submitter=$(basename "$staged" | cut -d'~' -f4)
if [ -n "$submitter" ] && held "$submitter"; then
  kill -9 "$submitter"; wait 2>/dev/null
  check submit-held ok
else
  wait 2>/dev/null
  check submit-held "the submit was not held in storing its job file (staged: '$staged')"
fi
check submit-findable "$([ "$(place "$q" sub6)" = unknown ] && [ "$(ls "$q/outputs" | wc -l)" = 1 ] && echo ok ||
  echo "job is $(place "$q" sub6), outputs: $(ls "$q/outputs")")"
"$reelay" submit --queue "dir:$q" "$tmp/jobs/sub6.json" >/dev/null 2>"$log/sub6b.err"; code=$?
check submit-again "$([ $code -eq 0 ] && [ "$(place "$q" sub6)" = queued ] && [ "$(nfiles "$q/tmp")" = 0 ] && echo ok ||
  echo "exit $code: $(cat "$log/sub6b.err"); tmp: $(ls "$q/tmp")")"
watch "$q" sub6 &
restart submit "$q" sub6 'r["status"] == "done" and r["attempts"] == 1'

# ==== 7. An older version's claims left in tmp/ by a killed worker ====
q=$tmp/q7
job old7
job old7b
"$reelay" worker --queue "dir:$q" --exit-when-empty 2>/dev/null
cp "$tmp/jobs/old7.json" "$q/tmp/old7.finishing.999999999"
cp "$tmp/jobs/old7b.json" "$q/tmp/old7b.expired.999999999"
echo 1 >"$q/attempts/old7"
"$reelay" worker --queue "dir:$q" --exit-when-empty 2>"$log/old7.log"; code=$?
check old-version-recovered "$([ $code -eq 0 ] && [ "$(place "$q" old7)" = done ] && [ "$(place "$q" old7b)" = done ] &&
  [ "$(nfiles "$q/tmp" "$q/inbox" "$q/claimed")" = 0 ] && echo ok || echo "exit $code: $(ls -R "$q" | tr '\n' ' ')")"

finish test_spool_faults
