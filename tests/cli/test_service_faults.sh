#!/usr/bin/env bash
# Fault tests for the service side: the spool-directory queue on a read-only
# mount, as another user, and changed under a running worker; outputs that
# cannot be written; Redis out of memory (maxmemory, noeviction) and not
# there at all; `reelay serve` over all of these. Each fault must end in a
# clear error naming the place and the problem and a non-zero exit (serve: an
# HTTP error status with a JSON error body, or a refusal to start), never a
# signal or a hang, never a partial output, never a lost or duplicated job.
# The mount cases need root (they are skipped with a note otherwise); Redis
# is a real redis-server on a port chosen here.
set -u
reelay=$(realpath "${1:?usage: test_service_faults.sh REELAY_BINARY}")
command -v redis-server >/dev/null || { echo "FAIL redis-server is not installed: run scripts/install-deps.sh"; exit 1; }
tmp=$(mktemp -d /tmp/reelay-svc-faults-XXXXXX)
chmod 755 "$tmp" # the unprivileged cases look inside
mounts=() redis_pid="" server_pid=""
cleanup() {
  local pids; pids=$(jobs -p)
  [ -n "$pids" ] && kill $pids 2>/dev/null
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
  [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null
  wait 2>/dev/null
  local i
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount "${mounts[i]}" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT
. "$(dirname "$0")/lib.sh"
android=$PWD/fixtures/mobile/android-shop.blob.jsonl
log=$tmp/log out=$tmp/out
mkdir -p "$log" "$out" "$tmp/jobs"
job() { # ID OUTPUT [OPTIONS_JSON]: writes jobs/ID.json
  printf '{"id":"%s","input":"%s","output":"%s","options":%s}\n' "$1" "$android" "$2" "${3:-{\"fps\":4,\"to\":2\}}" \
    >"$tmp/jobs/$1.json"
}
slow='{"fps":30,"no_skip_idle":true}' # renders for seconds: time to break things meanwhile
# result FILE PYTHON_EXPR: "ok" when the JSON document r in FILE satisfies EXPR.
result() {
  python3 - "$1" "$2" <<'PY'
import json, sys
try:
    r = json.load(open(sys.argv[1]))
except (OSError, ValueError) as e:
    print("no result: %s" % e); raise SystemExit
print("ok" if eval("(" + sys.argv[2] + ")") else "result %s" % json.dumps(r)[:400])
PY
}
nfiles() { find "$@" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; } # entries in the DIRs
wait_for_file() { local _; for _ in $(seq 1 400); do [ -e "$1" ] && return 0; sleep 0.05; done; return 1; }
wait_for_text() { local _; for _ in $(seq 1 400); do grep -qF -- "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done; return 1; }

# expect_fail NAME CODE MESSAGE -- COMMAND...: exits CODE (not a signal, not a
# timeout) and says MESSAGE on stderr.
expect_fail() {
  local name=$1 want=$2 msg=$3; shift 4
  timeout 120 "$@" >"$log/$name.out" 2>"$log/$name.err"
  local code=$? problem=""
  [ "$code" -eq "$want" ] || problem="exit $code, expected $want"
  [ "$code" -ge 124 ] && problem="$problem (a signal or a hang)"
  grep -qF -- "$msg" "$log/$name.err" || problem="$problem; stderr lacks '$msg'"
  [ -n "$problem" ] && problem="$problem | stderr: $(head -c 400 "$log/$name.err")"
  check "$name" "${problem:-ok}"
}

# A worker in the background: starts it, and worker_wait gives its exit code.
worker_bg() { # LOG ARGS...
  local name=$1; shift
  timeout 120 "$reelay" worker "$@" 2>"$log/$name.log" &
  worker_pid=$!
}

# `reelay serve` in the background on a port the kernel picks.
start_serve() { # NAME ARGS...
  local name=$1; shift
  "$reelay" serve --listen 127.0.0.1:0 "$@" 2>"$log/$name.err" &
  server_pid=$!
  port=""
  local _
  for _ in $(seq 1 100); do
    port=$(sed -n 's|^reelay serve: listening on http://127\.0\.0\.1:\([0-9]*\) .*|\1|p' "$log/$name.err")
    [ -n "$port" ] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  url=http://127.0.0.1:$port
  [ -n "$port" ]
}
stop_serve() {
  kill -TERM "$server_pid" 2>/dev/null
  wait "$server_pid"
  local code=$?
  server_pid=""
  return $code
}
# post NAME: uploads the recording; prints the status code, the body in log/NAME.json.
post() {
  curl -s -m 60 -D "$log/$1.headers" -o "$log/$1.json" -w '%{http_code}' -H 'Content-Type: application/octet-stream' \
    --data-binary @"$android" "$url/v1/jobs?fps=4&to=2${2:+&id=$2}"
}
# http_error NAME STATUS WANT_STATUS MESSAGE: the status, and a JSON error
# body whose message has MESSAGE.
http_error() {
  local name=$1 got=$2 want=$3 msg=$4 problem=""
  [ "$got" = "$want" ] || problem="status $got, expected $want; "
  problem=$problem$(python3 - "$log/$name.json" "$msg" <<'PY'
import json, sys
try:
    d = json.load(open(sys.argv[1]))
    e = d["error"]
    ok = e["code"] and sys.argv[2] in e["message"]
except Exception as x:
    ok, d = False, "not a JSON error (%s)" % x
print("" if ok else "body %s lacks %r" % (d, sys.argv[2]))
PY
)
  check "$name" "${problem:-ok}"
}

# ---- mounts: a read-only tmpfs, and read-only bind mounts of directories ----
can_mount=false
mkdir -p "$tmp/ro-empty"
if mount -t tmpfs -o ro,size=64k tmpfs "$tmp/ro-empty" 2>/dev/null; then
  can_mount=true
  mounts+=("$tmp/ro-empty")
else
  echo "note: cannot mount here (not root?): the read-only and disk-full cases are skipped"
fi
bind() { # SRC DST [ro]: DST shows SRC, read-only with "ro"
  mkdir -p "$2" && mount --bind "$1" "$2" && mounts+=("$2") || return 1
  [ "${3:-}" != ro ] || mount -o remount,bind,ro "$2"
}
set_ro() { mount -o remount,bind,ro "$1"; }

# ==== 1. A queue directory that cannot be written ====
job a1 "$out/a1.webm"
job a2 "$out/a2.webm"
if $can_mount; then
  ro=$tmp/ro-empty
  expect_fail dir-submit-ro-create 3 "$ro/q: cannot create the directory: Read-only file system" -- \
    "$reelay" submit --queue "dir:$ro/q" "$tmp/jobs/a1.json"
  expect_fail dir-worker-ro-create 3 "$ro/q: cannot create the directory: Read-only file system" -- \
    "$reelay" worker --queue "dir:$ro/q" --exit-when-empty
  # A queue with a job in it, then seen through a read-only mount.
  "$reelay" submit --queue "dir:$tmp/q1" "$tmp/jobs/a1.json" >/dev/null
  bind "$tmp/q1" "$tmp/q1-ro" ro
  expect_fail dir-submit-ro 3 "$tmp/q1-ro/inbox: the queue directory is not writable: Read-only file system" -- \
    "$reelay" submit --queue "dir:$tmp/q1-ro" "$tmp/jobs/a2.json"
  expect_fail dir-worker-ro 3 "$tmp/q1-ro/inbox: the queue directory is not writable: Read-only file system" -- \
    "$reelay" worker --queue "dir:$tmp/q1-ro" --exit-when-empty
  check dir-ro-nothing-lost "$([ "$(ls "$tmp/q1/inbox")" = a1.json ] && [ "$(nfiles "$tmp/q1/tmp" "$tmp/q1/claimed")" = 0 ] &&
    echo ok || echo "$(ls -R "$tmp/q1")")"
  expect_fail serve-queue-ro 3 "$tmp/q1-ro/inbox: the queue directory is not writable: Read-only file system" -- \
    "$reelay" serve --listen 127.0.0.1:0 --queue "dir:$tmp/q1-ro" --output-dir "$out/s1"
  # Output and upload directories: the server writes uploads there, and
  # workers the videos; read-only, it refuses to start.
  mkdir -p "$tmp/outro-src/uploads" "$tmp/up-src"
  bind "$tmp/outro-src" "$tmp/outro" ro
  bind "$tmp/up-src" "$tmp/upro" ro
  expect_fail serve-output-ro 3 "output directory $tmp/outro: not writable: Read-only file system" -- \
    "$reelay" serve --listen 127.0.0.1:0 --queue "dir:$tmp/q-s" --output-dir "$tmp/outro"
  expect_fail serve-upload-ro 3 "upload directory $tmp/upro: not writable: Read-only file system" -- \
    "$reelay" serve --listen 127.0.0.1:0 --queue "dir:$tmp/q-s" --output-dir "$out/s1" --upload-dir "$tmp/upro"
fi
# Another user's queue (root's, mode 755): permission denied, whoever runs it.
if setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
  "$reelay" submit --queue "dir:$tmp/q-root" "$tmp/jobs/a1.json" >/dev/null
  chmod -R go-w "$tmp/q-root"
  expect_fail dir-submit-other-user 3 "$tmp/q-root/inbox: the queue directory is not writable: Permission denied" -- \
    setpriv --reuid=65534 --regid=65534 --clear-groups "$reelay" submit --queue "dir:$tmp/q-root" "$tmp/jobs/a2.json"
  expect_fail dir-worker-other-user 3 "$tmp/q-root/inbox: the queue directory is not writable: Permission denied" -- \
    setpriv --reuid=65534 --regid=65534 --clear-groups "$reelay" worker --queue "dir:$tmp/q-root" --exit-when-empty
  check dir-other-user-nothing-lost "$([ "$(ls "$tmp/q-root/inbox")" = a1.json ] && echo ok || echo "$(ls -R "$tmp/q-root")")"
else
  echo "note: setpriv cannot switch users here: the other-user cases are skipped"
fi

# ==== 2. A queue or output that breaks while the worker runs ====
if $can_mount; then
  # The queue turns read-only while a worker waits; a job arrives (through
  # the writable view): the worker cannot claim it, says so and stops.
  mkdir -p "$tmp/q2"
  bind "$tmp/q2" "$tmp/q2-view"
  worker_bg w2 --queue "dir:$tmp/q2-view" --poll 0.1
  wait_for_text "$log/w2.log" "reelay worker: started"
  set_ro "$tmp/q2-view"
  "$reelay" submit --queue "dir:$tmp/q2" "$tmp/jobs/a1.json" >/dev/null
  wait $worker_pid; code=$?
  check dir-ro-while-waiting "$([ $code -eq 3 ] &&
    grep -qF "$tmp/q2-view/inbox/a1.json: cannot claim: Read-only file system" "$log/w2.log" &&
    [ "$(ls "$tmp/q2/inbox")" = a1.json ] && [ "$(nfiles "$tmp/q2/claimed" "$tmp/q2/tmp")" = 0 ] && echo ok ||
    echo "exit $code; inbox: $(ls "$tmp/q2/inbox"); $(tail -c 400 "$log/w2.log")")"
fi

# done/ replaced by a file while the job renders: the result cannot be
# stored, the claim stays, and after the lease the job runs again.
q=$tmp/q3
job slow3 "$out/slow3.webm" "$slow"
"$reelay" submit --queue "dir:$q" "$tmp/jobs/slow3.json" >/dev/null
worker_bg w3 --queue "dir:$q" --lease 2 --max-jobs 1 # (one job: no second look at the claim before we do)
wait_for_text "$log/w3.log" " claimed "; sleep 0.3
rm -rf "$q/done" && touch "$q/done"
wait $worker_pid; code=$?
check dir-done-gone "$([ $code -eq 3 ] &&
  grep -qF "slow3: the result was not recorded: $q/done/slow3.json: cannot create: Not a directory; the job stays claimed" "$log/w3.log" &&
  grep -qF '1 not recorded' "$log/w3.log" && [ -e "$q/claimed/slow3.json" ] && [ "$(nfiles "$q/tmp")" = 0 ] && echo ok ||
  echo "exit $code; claimed: $(ls "$q/claimed"); tmp: $(ls "$q/tmp"); $(tail -c 500 "$log/w3.log")")"
rm "$q/done" && mkdir "$q/done"
timeout 120 "$reelay" worker --queue "dir:$q" --lease 2 --poll 0.2 --max-jobs 1 2>"$log/w3b.log"; code=$?
check dir-done-gone-retried "$([ $code -eq 0 ] && echo ok || echo "exit $code: $(tail -c 300 "$log/w3b.log")")"
check dir-done-gone-result "$(result "$q/done/slow3.json" 'r["status"] == "done" and r["attempts"] == 2')"
check dir-done-gone-once "$([ "$(nfiles "$q/claimed" "$q/inbox" "$q/failed" "$q/tmp")" = 0 ] && [ -z "$(ls "$out" | grep partial)" ] &&
  [ "$(frames "$out/slow3.webm")" -gt 100 ] && echo ok || echo "$(ls -R "$q")")"

# The whole queue directory removed while the job renders: said, not hidden.
q=$tmp/q4
job slow4 "$out/slow4.webm" "$slow"
"$reelay" submit --queue "dir:$q" "$tmp/jobs/slow4.json" >/dev/null
worker_bg w4 --queue "dir:$q" --lease 2 --exit-when-empty
wait_for_text "$log/w4.log" " claimed "; sleep 0.3
rm -rf "$q"
wait $worker_pid; code=$?
check dir-queue-removed "$([ $code -eq 3 ] &&
  grep -qF "slow4: the result was not recorded: $q/attempts/slow4: cannot read the claim's attempts: No such file or directory" "$log/w4.log" &&
  grep -qF "$q/claimed: cannot list: No such file or directory" "$log/w4.log" && echo ok ||
  echo "exit $code; $(tail -c 500 "$log/w4.log")")"

# Outputs that cannot be written: the job fails with an io error naming the
# file, at once when no retry can mend it (not a directory, read-only),
# after its 3 attempts when it may pass (a full disk), and leaves no file.
q=$tmp/q5
touch "$tmp/a-file"
job enotdir "$tmp/a-file/x.webm"
if $can_mount; then
  job erofs "$tmp/outro/x.webm"
  mkdir -p "$tmp/full"
  mount -t tmpfs -o size=48k tmpfs "$tmp/full" && mounts+=("$tmp/full")
  job enospc "$tmp/full/x.webm" '{"fps":8}'
fi
for f in "$tmp"/jobs/{enotdir,erofs,enospc}.json; do [ -e "$f" ] && "$reelay" submit --queue "dir:$q" "$f" >/dev/null; done
timeout 120 "$reelay" worker --queue "dir:$q" --exit-when-empty --retry-backoff 0.2 2>"$log/w5.log"; code=$?
check output-unwritable-worker "$([ $code -eq 0 ] && echo ok || echo "exit $code: $(tail -c 300 "$log/w5.log")")"
check output-enotdir "$(result "$q/failed/enotdir.json" "r['attempts'] == 1 and r['error']['code'] == 'io' and
  r['error']['message'] == '$tmp/a-file/x.webm: cannot create: Not a directory' and r['error']['lasting']")"
if $can_mount; then
  check output-erofs "$(result "$q/failed/erofs.json" "r['attempts'] == 1 and r['error']['code'] == 'io' and
    r['error']['message'] == '$tmp/outro/x.webm: cannot create: Read-only file system'")"
  check output-enospc "$(result "$q/failed/enospc.json" "r['attempts'] == 3 and r['error']['code'] == 'io' and
    r['error']['message'].startswith('$tmp/full/x.webm: cannot write: No space left on device')")"
  check output-enospc-nothing-left "$([ -z "$(ls -A "$tmp/full")" ] && echo ok || echo "left: $(ls -A "$tmp/full")")"
fi
check output-unwritable-once "$([ "$(nfiles "$q/inbox" "$q/claimed" "$q/done" "$q/tmp")" = 0 ] && echo ok || echo "$(ls -R "$q")")"

# Job files dropped straight into the inbox: one over the 64 KiB job limit,
# one whose id is not its name (its result would be filed under another id).
q=$tmp/q6
"$reelay" worker --queue "dir:$q" --exit-when-empty 2>/dev/null
python3 -c 'import json, sys; print(json.dumps({"id": "big", "input": sys.argv[1], "output": sys.argv[2], "pad": "x" * 200000}))' \
  "$android" "$out/big.webm" >"$q/inbox/big.json"
printf '{"id":"someone-else","input":"%s","output":"%s/named.webm"}\n' "$android" "$out" >"$q/inbox/named.json"
timeout 120 "$reelay" worker --queue "dir:$q" --exit-when-empty 2>"$log/w6.log"; code=$?
check inbox-bad-files-worker "$([ $code -eq 0 ] && echo ok || echo "exit $code: $(tail -c 300 "$log/w6.log")")"
check inbox-huge "$(result "$q/failed/big.json" "r['attempts'] == 1 and r['error']['code'] == 'usage' and
  'job file big.json is 200' in r['error']['message'] and 'bytes: a job is at most 65536' in r['error']['message']")"
check inbox-wrong-id "$(result "$q/failed/named.json" "r['id'] == 'named' and r['error']['code'] == 'usage' and
  'named.json has the id \"someone-else\"' in r['error']['message']")"
check inbox-bad-files-not-run "$([ ! -e "$out/big.webm" ] && [ ! -e "$out/named.webm" ] && echo ok || echo 'rendered')"

# serve over a dir queue: the queue, then the uploads, turn read-only.
if $can_mount; then
  mkdir -p "$tmp/q7" "$tmp/up7"
  bind "$tmp/q7" "$tmp/q7-view"
  bind "$tmp/up7" "$tmp/up7-view"
  if start_serve s7 --queue "dir:$tmp/q7-view" --output-dir "$out/s7" --upload-dir "$tmp/up7-view"; then
    set_ro "$tmp/q7-view"
    code=$(post serve-dir-queue-ro)
    http_error serve-dir-queue-ro "$code" 503 "$tmp/q7-view/tmp/"
    check serve-dir-queue-ro-says "$(grep -qF 'Read-only file system' "$log/serve-dir-queue-ro.json" &&
      grep -qi '^Retry-After: 5' "$log/serve-dir-queue-ro.headers" && echo ok || echo "$(cat "$log/serve-dir-queue-ro.json")")"
    check serve-dir-queue-ro-no-upload "$([ -z "$(ls -A "$tmp/up7")" ] && [ -z "$(ls "$tmp/q7/inbox")" ] && echo ok ||
      echo "uploads: $(ls -A "$tmp/up7"), inbox: $(ls "$tmp/q7/inbox")")"
    mount -o remount,bind,rw "$tmp/q7-view"
    set_ro "$tmp/up7-view"
    code=$(post serve-upload-ro-later)
    http_error serve-upload-ro-later "$code" 500 "$tmp/up7-view/"
    check serve-upload-ro-later-says "$(grep -qF 'cannot create: Read-only file system' "$log/serve-upload-ro-later.json" &&
      [ -z "$(ls "$tmp/q7/inbox")" ] && echo ok || echo "$(cat "$log/serve-upload-ro-later.json")")"
    mount -o remount,bind,rw "$tmp/up7-view"
    code=$(post serve-dir-recovered)
    check serve-dir-recovered "$([ "$code" = 202 ] && [ "$(ls "$tmp/q7/inbox" | wc -l)" = 1 ] && echo ok ||
      echo "status $code: $(cat "$log/serve-dir-recovered.json")")"
    stop_serve; code=$?
    check serve-dir-stop "$([ $code -eq 0 ] && echo ok || echo "exit $code")"
  else
    check serve-dir-start "did not start: $(cat "$log/s7.err")"
  fi
fi

# ==== 3. Redis out of memory ====
rport=$(free_port)
start_redis() {
  redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
    --maxmemory 2mb --maxmemory-policy noeviction >>"$log/redis.log" 2>&1 &
  redis_pid=$!
  local _
  for _ in $(seq 1 100); do redis-cli -p "$rport" ping >/dev/null 2>&1 && return 0; sleep 0.05; done
  echo "FAIL redis-server did not start: $(tail -3 "$log/redis.log")"; exit 1
}
stop_redis() { kill "$redis_pid"; wait "$redis_pid" 2>/dev/null; redis_pid=""; }
rcli() { redis-cli -p "$rport" "$@"; }
# 4 MiB past a 2 MiB limit: every write that needs memory is refused; DEL frees it.
oom_on() { rcli setrange reelay-test:filler $((4 << 20)) x >/dev/null; }
oom_off() { rcli del reelay-test:filler >/dev/null; }
oom_text="OOM command not allowed when used memory > 'maxmemory'"
start_redis
rq="redis://127.0.0.1:$rport/0"
job r1 "$out/r1.webm"
# Full before the queue was ever made: no worker can start, and says why.
oom_on
expect_fail redis-worker-oom-new 3 "redis at 127.0.0.1:$rport/0: XGROUP CREATE failed: $oom_text" -- \
  "$reelay" worker --queue "$rq" --exit-when-empty
oom_off
timeout 60 "$reelay" worker --queue "$rq" --exit-when-empty 2>"$log/w-make.log" ||
  check redis-make-queue "$(tail -c 300 "$log/w-make.log")"
oom_on
expect_fail redis-submit-oom 3 "redis at 127.0.0.1:$rport/0: submit failed: $oom_text" -- \
  "$reelay" submit --queue "$rq" "$tmp/jobs/r1.json"
check redis-submit-oom-nothing "$([ "$(rcli exists reelay:job:r1)" = 0 ] && [ "$(rcli xlen reelay:jobs)" = 0 ] && echo ok ||
  echo "job r1 exists: $(rcli hgetall reelay:job:r1 | head -4)")"
# A worker connecting to a queue in a full Redis still starts (and finds nothing).
timeout 60 "$reelay" worker --queue "$rq" --exit-when-empty 2>"$log/w-oom-start.log"; code=$?
check redis-worker-starts-oom "$([ $code -eq 0 ] && echo ok || echo "exit $code: $(tail -c 300 "$log/w-oom-start.log")")"
oom_off

# A worker whose result cannot be written: no XACK, the entry stays pending,
# and after memory is freed it is redelivered and done once.
job slowr "$out/slowr.webm" "$slow"
"$reelay" submit --queue "$rq" "$tmp/jobs/slowr.json" >/dev/null
worker_bg wr --queue "$rq" --lease 2 --max-jobs 1
wait_for_text "$log/wr.log" " claimed "; sleep 0.3
oom_on
wait $worker_pid; code=$?
check redis-worker-oom "$([ $code -eq 3 ] &&
  grep -qF "slowr: the result was not recorded: redis at 127.0.0.1:$rport/0: complete failed: $oom_text" "$log/wr.log" &&
  grep -qF 'the job stays claimed' "$log/wr.log" && echo ok || echo "exit $code: $(tail -c 500 "$log/wr.log")")"
pending=$(rcli xpending reelay:jobs reelay | head -1)
check redis-worker-oom-pending "$([ "$pending" = 1 ] && [ "$(rcli hget reelay:job:slowr status)" = running ] &&
  [ -z "$(rcli hget reelay:job:slowr result)" ] && [ "$(rcli xlen reelay:results)" = 0 ] && echo ok ||
  echo "pending $pending, status $(rcli hget reelay:job:slowr status), results $(rcli xlen reelay:results)")"
oom_off
timeout 120 "$reelay" worker --queue "$rq" --lease 2 --poll 0.2 --max-jobs 1 2>"$log/wr2.log"; code=$?
check redis-worker-oom-redelivered "$([ $code -eq 0 ] && echo ok || echo "exit $code: $(tail -c 300 "$log/wr2.log")")"
check redis-worker-oom-done "$(rcli hget reelay:job:slowr result >"$log/slowr.json"; result "$log/slowr.json" \
  'r["status"] == "done" and r["attempts"] == 2')"
check redis-worker-oom-once "$([ "$(rcli xlen reelay:results)" = 1 ] && [ "$(rcli xpending reelay:jobs reelay | head -1)" = 0 ] &&
  [ -z "$(ls "$out" | grep partial)" ] && [ "$(frames "$out/slowr.webm")" -gt 100 ] && echo ok ||
  echo "results $(rcli xlen reelay:results), pending $(rcli xpending reelay:jobs reelay | head -1)")"

# serve on Redis: 503 with a JSON error while Redis is full, then 202.
if start_serve sr --queue "$rq" --output-dir "$out/sr"; then
  oom_on
  code=$(post serve-redis-oom)
  http_error serve-redis-oom "$code" 503 "$oom_text"
  check serve-redis-oom-no-upload "$([ -z "$(ls -A "$out/sr/uploads")" ] && echo ok || echo "left: $(ls -A "$out/sr/uploads")")"
  code=$(curl -s -m 60 -o "$log/serve-redis-oom-status.json" -w '%{http_code}' "$url/v1/jobs/slowr")
  check serve-redis-oom-reads "$([ "$code" = 200 ] && echo ok || echo "status $code: $(cat "$log/serve-redis-oom-status.json")")"
  oom_off
  code=$(post serve-redis-oom-after)
  check serve-redis-oom-recovered "$([ "$code" = 202 ] && echo ok || echo "status $code: $(cat "$log/serve-redis-oom-after.json")")"

  # ==== 4. Redis not there ====
  # Gone while the server runs: 503 in seconds, and back when Redis is.
  stop_redis
  started=$(date +%s.%N)
  code=$(post serve-redis-down)
  took=$(python3 -c "import sys, time; print(round(time.time() - float(sys.argv[1]), 1))" "$started")
  http_error serve-redis-down "$code" 503 "redis at 127.0.0.1:$rport/0: cannot connect for 3 s: Connection refused"
  check serve-redis-down-prompt "$(python3 -c "print('ok' if $took < 15 else 'took $took s')")"
  code=$(curl -s -m 60 -o "$log/serve-redis-down-status.json" -w '%{http_code}' "$url/v1/jobs/slowr")
  http_error serve-redis-down-status "$code" 503 "Connection refused"
  code=$(curl -s -m 60 -o /dev/null -w '%{http_code}' "$url/healthz")
  check serve-redis-down-healthz "$([ "$code" = 200 ] && echo ok || echo "status $code")"
  # (one upload: the job queued after memory was freed)
  check serve-redis-down-no-upload "$([ "$(ls -A "$out/sr/uploads" | wc -l)" = 1 ] && echo ok ||
    echo "uploads: $(ls -A "$out/sr/uploads")")"
  start_redis
  code=$(post serve-redis-back back1)
  check serve-redis-back "$([ "$code" = 202 ] && [ "$(rcli hget reelay:job:back1 status)" = queued ] && echo ok ||
    echo "status $code: $(cat "$log/serve-redis-back.json")")"
  stop_serve; code=$?
  check serve-redis-stop "$([ $code -eq 0 ] && echo ok || echo "exit $code: $(tail -c 300 "$log/sr.err")")"
else
  check serve-redis-start "did not start: $(cat "$log/sr.err")"
fi

# Nothing listening at all: submit and serve say so in seconds.
dead=$(free_port)
job d1 "$out/d1.webm"
started=$(date +%s)
expect_fail redis-submit-unreachable 3 "redis at 127.0.0.1:$dead/0: cannot connect for 3 s: Connection refused" -- \
  "$reelay" submit --queue "redis://127.0.0.1:$dead/0" "$tmp/jobs/d1.json"
expect_fail serve-redis-unreachable 3 "redis at 127.0.0.1:$dead/0: cannot connect for 3 s: Connection refused" -- \
  "$reelay" serve --listen 127.0.0.1:0 --queue "redis://127.0.0.1:$dead/0" --output-dir "$out/sd"
took=$(($(date +%s) - started))
check redis-unreachable-prompt "$([ "$took" -lt 20 ] && echo ok || echo "took $took s for both")"

finish test_service_faults
