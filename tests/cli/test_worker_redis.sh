#!/usr/bin/env bash
# `reelay worker` on Redis Streams, against a real redis-server started here
# on a free loopback port: 20 jobs over two workers each done exactly once;
# a worker killed with SIGKILL mid-job loses nothing; Redis restarted
# mid-run: the workers reconnect and every job still ends done; a Redis with
# a password.
set -u
reelay=$(realpath "${1:?usage: test_worker_redis.sh REELAY_BINARY}")
command -v redis-server >/dev/null || { echo "FAIL redis-server is not installed: run scripts/install-deps.sh"; exit 1; }
tmp=$(mktemp -d /tmp/reelay-redis-test-XXXXXX)
redis_pid=""
trap 'kill $(jobs -p) 2>/dev/null; [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"
port=$(free_port)
start_redis() {
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly yes --dir "$tmp" --daemonize no \
    >>"$tmp/redis.log" 2>&1 &
  redis_pid=$!
  for _ in $(seq 1 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && return 0; sleep 0.05; done
  echo "FAIL redis-server did not start: $(tail -3 "$tmp/redis.log")"; exit 1
}
stop_redis() { kill "$redis_pid"; wait "$redis_pid" 2>/dev/null; redis_pid=""; }
rcli() { redis-cli -p "$port" "$@"; }
queue="redis://127.0.0.1:$port/0"
android=$PWD/fixtures/mobile/android-shop.blob.jsonl
job() { # ID OPTIONS_JSON
  printf '{"id":"%s","input":"%s","output":"%s/out/%s.webm","options":%s}\n' "$1" "$android" "$tmp" "$1" "$2" \
    >"$tmp/jobs/$1.json"
}
mkdir -p "$tmp/jobs" "$tmp/out"
start_redis

# 20 jobs, two workers.
for i in $(seq 1 20); do job "j$i" '{"fps":4,"to":3}'; done
"$reelay" submit --queue "$queue" "$tmp"/jobs/j*.json >"$tmp/ids" 2>"$tmp/submit.err"
check submit "$([ "$(wc -l <"$tmp/ids")" -eq 20 ] && echo ok || cat "$tmp/submit.err")"
"$reelay" worker --queue "$queue" --exit-when-empty 2>"$tmp/w1.log" & w1=$!
"$reelay" worker --queue "$queue" --exit-when-empty 2>"$tmp/w2.log" & w2=$!
wait $w1; c1=$?; wait $w2; c2=$?
claims=$(cat "$tmp/w1.log" "$tmp/w2.log" | grep -c ' claimed ')
done_count=$(rcli scard reelay:status:done)
check exactly-once "$([ $c1 -eq 0 ] && [ $c2 -eq 0 ] && [ "$claims" -eq 20 ] && [ "$done_count" -eq 20 ] && echo ok || echo "exits $c1 $c2, $claims claims, $done_count done")"
check results-stream "$([ "$(rcli xlen reelay:results)" -eq 20 ] && echo ok || echo "$(rcli xlen reelay:results) results")"
bad=0
for i in $(seq 1 20); do n=$(frames "$tmp/out/j$i.webm"); [ "${n:-0}" -eq 12 ] || bad=$((bad + 1)); done
check outputs "$([ $bad -eq 0 ] && echo ok || echo "$bad bad outputs")"
check status-hash "$(rcli hget reelay:job:j7 result | python3 -c 'import json,sys; r=json.load(sys.stdin); print("ok" if r["status"]=="done" and r["frames"]==12 else r)')"

# SIGKILL mid-job: the job is taken over after the lease.
job slow '{"fps":30,"no_skip_idle":true}'
"$reelay" submit --queue "$queue" "$tmp/jobs/slow.json" >/dev/null
"$reelay" worker --queue "$queue" --lease 2 --exit-when-empty 2>"$tmp/k1.log" & victim=$!
# Mid-render: the claim is logged, then the render runs for seconds (its
# output has no visible name until it is complete).
for _ in $(seq 1 200); do grep -q ' claimed ' "$tmp/k1.log" 2>/dev/null && break; sleep 0.05; done
sleep 0.5
kill -9 $victim; wait $victim 2>/dev/null
check killed-midway "$([ "$(rcli hget reelay:job:slow status)" = running ] && echo ok || echo "status $(rcli hget reelay:job:slow status)")"
"$reelay" worker --queue "$queue" --lease 2 --poll 0.2 --max-jobs 1 2>"$tmp/k2.log"
check taken-over "$(rcli hget reelay:job:slow result | python3 -c 'import json,sys; r=json.load(sys.stdin); print("ok" if r["status"]=="done" and r["attempts"]==2 else r)')"
check no-partial "$([ -z "$(find "$tmp/out" -name '*.partial')" ] && [ "$(frames "$tmp/out/slow.webm")" -gt 100 ] && echo ok || echo 'partial left or bad output')"

# Redis restarted while two workers run through 10 jobs.
for i in $(seq 1 10); do job "r$i" '{"fps":8,"to":4}'; done
"$reelay" submit --queue "$queue" "$tmp"/jobs/r*.json >/dev/null
"$reelay" worker --queue "$queue" --poll 0.2 2>"$tmp/r1.log" & r1=$!
"$reelay" worker --queue "$queue" --poll 0.2 2>"$tmp/r2.log" & r2=$!
for _ in $(seq 1 100); do [ "$(rcli scard reelay:status:done)" -ge 23 ] && break; sleep 0.05; done
stop_redis
sleep 1
start_redis
for _ in $(seq 1 600); do [ "$(rcli scard reelay:status:done 2>/dev/null)" = 31 ] && break; sleep 0.1; done
kill -TERM $r1 $r2; wait $r1; e1=$?; wait $r2; e2=$?
check restart "$([ "$(rcli scard reelay:status:done)" = 31 ] && [ $e1 -eq 0 ] && [ $e2 -eq 0 ] && echo ok || echo "done $(rcli scard reelay:status:done), exits $e1 $e2; $(tail -2 "$tmp/r1.log")")"
bad=0
for i in $(seq 1 10); do n=$(frames "$tmp/out/r$i.webm"); [ "${n:-0}" -eq 32 ] || bad=$((bad + 1)); done
check restart-outputs "$([ $bad -eq 0 ] && echo ok || echo "$bad bad outputs")"

# A poison job ends in reelay:dead... or failed after 3 attempts with its error.
printf '{"id":"poison","input":"%s/none.json","output":"%s/out/poison.webm"}\n' "$tmp" "$tmp" >"$tmp/jobs/poison.json"
"$reelay" submit --queue "$queue" "$tmp/jobs/poison.json" >/dev/null
"$reelay" worker --queue "$queue" --exit-when-empty 2>"$tmp/p.log"
check poison "$(rcli hget reelay:job:poison result | python3 -c 'import json,sys; r=json.load(sys.stdin); print("ok" if r["status"]=="failed" and r["attempts"]==3 and "none.json" in r["error"]["message"] else r)')"

# A Redis with a password: refused without it (one clear line, exit non-zero), served with it from the
# environment or the queue URL, and the password never printed.
stop_redis
pw=s3cret-redis-pw-$$
redis-server --port "$port" --bind 127.0.0.1 --save '' --requirepass "$pw" --dir "$tmp" --daemonize no \
  >>"$tmp/redis.log" 2>&1 &
redis_pid=$!
for _ in $(seq 1 100); do redis-cli -p "$port" -a "$pw" --no-auth-warning ping >/dev/null 2>&1 && break; sleep 0.05; done
job auth '{"fps":4,"to":3}'
"$reelay" submit --queue "$queue" "$tmp/jobs/auth.json" >/dev/null 2>"$tmp/noauth.err"
code=$?
check redis-needs-password "$([ $code -ne 0 ] && grep -q 'needs a password: set REELAY_REDIS_PASSWORD' "$tmp/noauth.err" &&
  echo ok || echo "exit $code: $(cat "$tmp/noauth.err")")"
REELAY_REDIS_PASSWORD=wrong "$reelay" submit --queue "$queue" "$tmp/jobs/auth.json" >/dev/null 2>"$tmp/wrongauth.err"
code=$?
check redis-wrong-password "$([ $code -ne 0 ] && grep -q 'the password is refused' "$tmp/wrongauth.err" &&
  ! grep -q wrong "$tmp/wrongauth.err" && echo ok || echo "exit $code: $(cat "$tmp/wrongauth.err")")"
REELAY_REDIS_PASSWORD=$pw "$reelay" submit --queue "$queue" "$tmp/jobs/auth.json" >/dev/null 2>"$tmp/auth.err"
"$reelay" worker --queue "redis://:$pw@127.0.0.1:$port/0" --exit-when-empty 2>"$tmp/auth.log"
check redis-password "$([ "$(frames "$tmp/out/auth.webm")" = 12 ] && ! grep -q "$pw" "$tmp/auth.err" "$tmp/auth.log" &&
  echo ok || echo "$(cat "$tmp/auth.err" "$tmp/auth.log")")"

finish test_worker_redis
