#!/usr/bin/env bash
# `reelay worker` through Redis restarts that take seconds to load their
# data (the server answers LOADING meanwhile), against a real redis-server
# on a free loopback port: an idle worker keeps polling and takes a job
# submitted after the load; a worker whose render ends during the load
# records its result once the server has its data back.
set -u
reelay=$(realpath "${1:?usage: test_redis_faults.sh REELAY_BINARY}")
command -v redis-server >/dev/null || { echo "FAIL redis-server is not installed: run scripts/install-deps.sh"; exit 1; }
tmp=$(mktemp -d /tmp/reelay-redis-faults-XXXXXX)
redis_pid=""
trap 'kill $(jobs -p) 2>/dev/null; [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"
port=$(free_port)
rcli() { redis-cli -p "$port" "$@"; }
# start_redis [ARGS...]: up means answering, loading included.
start_redis() {
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly yes --dir "$tmp" --daemonize no "$@" \
    >>"$tmp/redis.log" 2>&1 &
  redis_pid=$!
  for _ in $(seq 1 100); do rcli ping 2>/dev/null | grep -qE 'PONG|LOADING' && return 0; sleep 0.05; done
  echo "FAIL redis-server did not start: $(tail -3 "$tmp/redis.log")"; exit 1
}
stop_redis() { kill "$redis_pid"; wait "$redis_pid" 2>/dev/null; redis_pid=""; }
# A restart that loads for seconds: many keys, each delayed, and the
# loader answering clients (LOADING) between small steps.
restart_loading() {
  stop_redis
  start_redis --key-load-delay 100 --loading-process-events-interval-bytes 1024
}
loading() { rcli ping 2>&1 | grep -q LOADING; }
# wait_loaded: until the server answers; prints how long the load took.
wait_loaded() {
  local began=$SECONDS
  for _ in $(seq 1 600); do loading || break; sleep 0.1; done
  echo $((SECONDS - began))
}
queue="redis://127.0.0.1:$port/0"
android=$PWD/fixtures/mobile/android-shop.blob.jsonl
job() { # ID OPTIONS_JSON
  printf '{"id":"%s","input":"%s","output":"%s/out/%s.webm","options":%s}\n' "$1" "$android" "$tmp" "$1" "$2" \
    >"$tmp/jobs/$1.json"
}
result() { # ID: "STATUS ATTEMPTS" of its result
  rcli hget "reelay:job:$1" result | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["status"], r["attempts"])' 2>/dev/null
}
mkdir -p "$tmp/jobs" "$tmp/out"
start_redis
rcli eval "for i = 1, 20000 do redis.call('SET', 'filler:' .. i, 'x') end return 1" 0 >/dev/null

# An idle worker through a slow load: it keeps polling, then works.
"$reelay" worker --queue "$queue" --poll 0.2 2>"$tmp/idle.log" & idle=$!
sleep 0.5
restart_loading
seen_loading=no; loading && seen_loading=yes
took=$(wait_loaded)
alive=no; kill -0 $idle 2>/dev/null && alive=yes
check idle-waits-out-load "$([ $seen_loading = yes ] && [ "$took" -ge 2 ] && [ $alive = yes ] && echo ok || echo "loading seen: $seen_loading, load $took s, worker alive: $alive; $(tail -2 "$tmp/idle.log")")"
job after '{"fps":4,"to":3}'
"$reelay" submit --queue "$queue" "$tmp/jobs/after.json" >/dev/null 2>"$tmp/submit.err"
for _ in $(seq 1 300); do [ "$(result after)" = "done 1" ] && break; sleep 0.1; done
kill -TERM $idle; wait $idle; e=$?
check idle-then-works "$([ "$(result after)" = "done 1" ] && [ $e -eq 0 ] && echo ok || echo "result '$(result after)', exit $e; $(cat "$tmp/submit.err"; tail -2 "$tmp/idle.log")")"

# A render (under a second) that ends while the server loads (seconds):
# the worker's confirming of its claim and its result wait for the data.
job busy '{"fps":4,"to":3}'
"$reelay" submit --queue "$queue" "$tmp/jobs/busy.json" >/dev/null
"$reelay" worker --queue "$queue" --poll 0.2 --max-jobs 1 2>"$tmp/busy.log" & busy=$!
for _ in $(seq 1 200); do grep -q ' claimed ' "$tmp/busy.log" 2>/dev/null && break; sleep 0.05; done
restart_loading
took=$(wait_loaded)
wait $busy; e=$?
check result-waits-out-load "$([ "$took" -ge 2 ] && [ "$(result busy)" = "done 1" ] && [ $e -eq 0 ] && ! grep -qE 'was not recorded|cannot confirm' "$tmp/busy.log" && echo ok || echo "load $took s, result '$(result busy)', exit $e; $(tail -3 "$tmp/busy.log")")"
check busy-output "$([ "$(frames "$tmp/out/busy.webm")" = 12 ] && echo ok || echo "$(frames "$tmp/out/busy.webm") frames")"

finish test_redis_faults
