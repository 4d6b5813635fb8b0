#!/usr/bin/env bash
# `reelay serve`: the HTTP API as a process — a recording posted with curl is
# queued, a worker (when built) renders it, the video downloads, the token
# is required, and SIGTERM stops the server with exit 0.
set -u
reelay=$(realpath "${1:?usage: test_serve.sh REELAY_BINARY}")
tmp=$(mktemp -d /tmp/reelay-serve-test-XXXXXX)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
. "$(dirname "$0")/lib.sh"
json_field() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d.get(sys.argv[2]) if d else "")' "$1" "$2" 2>/dev/null; }

token=test-token-$$
queue="dir:$tmp/q"

# Port 0: the kernel picks a free one, and the start line says which.
REELAY_TOKEN=$token "$reelay" serve --listen 127.0.0.1:0 --queue "$queue" --output-dir "$tmp/out" \
  2>"$tmp/serve.err" &
server_pid=$!
port=
for _ in $(seq 1 100); do
  port=$(sed -n 's|^reelay serve: listening on http://127\.0\.0\.1:\([0-9]*\) (queue .*, outputs in .*)$|\1|p' "$tmp/serve.err")
  [ -n "$port" ] && break
  sleep 0.1
done
check start-line "$([ -n "$port" ] && grep -q "(queue $queue, outputs in $tmp/out)" "$tmp/serve.err" && echo ok || echo "stderr: $(cat "$tmp/serve.err")")"
if [ -z "$port" ]; then
  echo "test_serve: $pass passed, $((fail + 1)) failed (no server)"
  exit 1
fi
url=http://127.0.0.1:$port
auth="Authorization: Bearer $token"

code=$(curl -s -o "$tmp/health" -w '%{http_code}' "$url/healthz")
check healthz "$([ "$code" = 200 ] && [ "$(cat "$tmp/health")" = ok ] && echo ok || echo "status $code")"

# The token is required everywhere else.
code=$(curl -s -o /dev/null -w '%{http_code}' --data-binary @fixtures/mobile/android-shop.blob.jsonl \
  -H 'Content-Type: application/octet-stream' "$url/v1/jobs?fps=4")
check post-without-token "$([ "$code" = 401 ] && echo ok || echo "status $code")"
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer wrong' "$url/metrics")
check wrong-token "$([ "$code" = 401 ] && echo ok || echo "status $code")"
check nothing-queued "$([ -z "$(ls "$tmp/q/inbox")" ] && echo ok || echo "queued: $(ls "$tmp/q/inbox")")"

# A recording as the body, options as query parameters.
code=$(curl -s -o "$tmp/posted.json" -w '%{http_code}' -H "$auth" -H 'Content-Type: application/octet-stream' \
  --data-binary @fixtures/mobile/android-shop.blob.jsonl "$url/v1/jobs?fps=4")
id=$(json_field "$tmp/posted.json" id)
check post "$([ "$code" = 202 ] && [ -n "$id" ] && echo ok || echo "status $code: $(cat "$tmp/posted.json")")"
check upload-stored "$(cmp -s "$tmp/out/uploads/$id.rec" fixtures/mobile/android-shop.blob.jsonl && echo ok || echo "no $tmp/out/uploads/$id.rec")"
code=$(curl -s -o "$tmp/status.json" -w '%{http_code}' -H "$auth" "$url/v1/jobs/$id")
check status-queued "$([ "$code" = 200 ] && [ "$(json_field "$tmp/status.json" status)" = queued ] && echo ok || echo "status $code: $(cat "$tmp/status.json")")"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "$auth" "$url/v1/jobs/$id/output")
check output-not-ready "$([ "$code" = 409 ] && echo ok || echo "status $code")"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "$auth" --data-binary @fixtures/mobile/android-shop.blob.jsonl \
  -H 'Content-Type: application/octet-stream' "$url/v1/jobs?fps=0")
check bad-option "$([ "$code" = 400 ] && echo ok || echo "status $code")"

# A second server on the same port: refused with the reason.
"$reelay" serve --listen "127.0.0.1:$port" --queue "$queue" --output-dir "$tmp/out" 2>"$tmp/second.err"
code=$?
check port-taken "$([ "$code" = 3 ] && grep -q 'cannot listen' "$tmp/second.err" && echo ok || echo "exit $code: $(cat "$tmp/second.err")")"

if "$reelay" worker --help >/dev/null 2>&1; then
  "$reelay" worker --queue "$queue" --exit-when-empty >"$tmp/worker.out" 2>"$tmp/worker.err"
  check worker-exit "$([ $? = 0 ] && echo ok || echo "stderr: $(cat "$tmp/worker.err")")"
  state=
  for _ in $(seq 1 600); do
    curl -s -o "$tmp/status.json" -H "$auth" "$url/v1/jobs/$id"
    state=$(json_field "$tmp/status.json" status)
    [ "$state" = done ] || [ "$state" = failed ] && break
    sleep 0.2
  done
  check status-done "$([ "$state" = done ] && echo ok || echo "status '$state': $(cat "$tmp/status.json")")"
  code=$(curl -s -o "$tmp/video.webm" -w '%{http_code} %{content_type}' -H "$auth" "$url/v1/jobs/$id/output")
  check download "$([ "$code" = '200 video/webm' ] && echo ok || echo "got '$code'")"
  codec=$(ffprobe -v error -select_streams v:0 -show_entries stream=codec_name -of csv=p=0 "$tmp/video.webm" 2>/dev/null)
  frames=$(ffprobe -v error -count_packets -select_streams v:0 -show_entries stream=nb_read_packets -of csv=p=0 "$tmp/video.webm" 2>/dev/null)
  check video "$([ "$codec" = vp9 ] && [ "${frames:-0}" -gt 0 ] && echo ok || echo "codec '$codec', frames '$frames'")"
  code=$(curl -s -o "$tmp/part" -w '%{http_code}' -H "$auth" -r 0-99 "$url/v1/jobs/$id/output")
  check range "$([ "$code" = 206 ] && [ "$(wc -c <"$tmp/part")" = 100 ] && cmp -s "$tmp/part" <(head -c 100 "$tmp/video.webm") && echo ok || echo "status $code")"
  curl -s -H "$auth" "$url/metrics" >"$tmp/metrics"
  check metrics "$(grep -q '^reelay_jobs{status="done"} 1$' "$tmp/metrics" && grep -q '^reelay_queue_depth 0$' "$tmp/metrics" && echo ok || echo "$(cat "$tmp/metrics")")"
else
  echo "SKIP (worker not built): rendering, status done, download, ffprobe and range checks"
  curl -s -H "$auth" "$url/metrics" >"$tmp/metrics"
  check metrics "$(grep -q '^reelay_jobs{status="queued"} 1$' "$tmp/metrics" && grep -q '^reelay_queue_depth 1$' "$tmp/metrics" && echo ok || echo "$(cat "$tmp/metrics")")"
fi

# SIGTERM: a clean stop, exit 0.
kill -TERM "$server_pid"
wait "$server_pid"
code=$?
server_pid=
check sigterm-exit "$([ "$code" = 0 ] && grep -q 'reelay serve: stopping' "$tmp/serve.err" && echo ok || echo "exit $code: $(cat "$tmp/serve.err")")"

# Jobs' outputs and ceilings: a server with --inputs (JSON jobs) and a
# lowered --max-fps.
mkdir -p "$tmp/out3" "$tmp/elsewhere"
ln -s "$tmp/elsewhere" "$tmp/out3/escape"
echo old >"$tmp/out3/old.webm"
"$reelay" serve --listen 127.0.0.1:0 --queue "dir:$tmp/q3" --output-dir "$tmp/out3" --inputs fixtures/mobile \
  --max-fps 30 --max-connections-per-client 8 2>"$tmp/serve3.err" &
server_pid=$!
port=
for _ in $(seq 1 100); do
  port=$(sed -n 's|^reelay serve: listening on http://127\.0\.0\.1:\([0-9]*\) .*|\1|p' "$tmp/serve3.err")
  [ -n "$port" ] && break
  sleep 0.1
done
url=http://127.0.0.1:$port
check limits "$(grep -q 'at most [0-9]* connections, 8 per client address' "$tmp/serve3.err" && echo ok || echo "$(cat "$tmp/serve3.err")")"
# job NAME BODY: POSTs a job document; prints the status, keeps the reply in $tmp/NAME.json.
job() { curl -s -o "$tmp/$1.json" -w '%{http_code}' -H 'Content-Type: application/json' -d "$2" "$url/v1/jobs"; }
said() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["error"]["message"])' "$tmp/$1.json" 2>/dev/null; }
in=android-shop.blob.jsonl
code=$(job first "{\"id\":\"first\",\"input\":\"$in\",\"output\":\"same.webm\"}")
check one-owner-first "$([ "$code" = 202 ] && echo ok || echo "status $code: $(cat "$tmp/first.json")")"
code=$(job second "{\"id\":\"second\",\"input\":\"$in\",\"output\":\"same.webm\"}")
check one-owner-second "$([ "$code" = 409 ] && said second | grep -q 'output same.webm belongs to job first' && echo ok || echo "status $code: $(cat "$tmp/second.json")")"
code=$(job exists "{\"input\":\"$in\",\"output\":\"old.webm\"}")
check exists "$([ "$code" = 409 ] && [ "$(said exists)" = 'output old.webm exists already (set "overwrite": true to replace it)' ] && echo ok || echo "status $code: $(cat "$tmp/exists.json")")"
code=$(job overwrite "{\"input\":\"$in\",\"output\":\"old.webm\",\"overwrite\":true}")
check overwrite "$([ "$code" = 202 ] && echo ok || echo "status $code: $(cat "$tmp/overwrite.json")")"
code=$(job escape "{\"input\":\"$in\",\"output\":\"escape/x.webm\"}")
check symlink-escape "$([ "$code" = 400 ] && said escape | grep -q 'leads out of the output directory' && [ -z "$(ls -A "$tmp/elsewhere")" ] && echo ok || echo "status $code: $(cat "$tmp/escape.json")")"
code=$(job root "{\"input\":\"$in\",\"output\":\"r.webm\",\"output_root\":\"/\"}")
check client-output-root "$([ "$code" = 400 ] && said root | grep -q output_root && echo ok || echo "status $code: $(cat "$tmp/root.json")")"
check output-root-set "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("ok" if d["output_root"] == sys.argv[2] else d)' "$tmp/q3/inbox/first.json" "$(realpath "$tmp/out3")" 2>&1)"
code=$(job fast "{\"input\":\"$in\",\"output\":\"fast.webm\",\"options\":{\"fps\":60}}")
check ceiling "$([ "$code" = 400 ] && said fast | grep -q 'ceiling' && echo ok || echo "status $code: $(cat "$tmp/fast.json")")"
code=$(curl -s -o "$tmp/up-fast.json" -w '%{http_code}' -H 'Content-Type: application/octet-stream' \
  --data-binary @fixtures/mobile/android-shop.blob.jsonl "$url/v1/jobs?fps=48")
check ceiling-upload "$([ "$code" = 400 ] && said up-fast | grep -q 'ceiling' && echo ok || echo "status $code: $(cat "$tmp/up-fast.json")")"
code=$(job slow "{\"input\":\"$in\",\"output\":\"slow.webm\",\"options\":{\"fps\":24}}")
check under-ceiling "$([ "$code" = 202 ] && echo ok || echo "status $code: $(cat "$tmp/slow.json")")"
kill -TERM "$server_pid"
wait "$server_pid"
server_pid=

# Usage errors.
"$reelay" serve --listen 127.0.0.1:0 --output-dir "$tmp/out" 2>"$tmp/u.err"; code=$?
check no-queue "$([ "$code" = 1 ] && grep -q -- '--queue' "$tmp/u.err" && echo ok || echo "exit $code")"
"$reelay" serve --listen nowhere --queue "$queue" --output-dir "$tmp/out" 2>"$tmp/u.err"; code=$?
check bad-listen "$([ "$code" = 1 ] && grep -q 'ADDR:PORT' "$tmp/u.err" && echo ok || echo "exit $code")"
"$reelay" serve --listen 127.0.0.1:0 --queue "$queue" --output-dir "$tmp/out" --body-limit 0 2>"$tmp/u.err"; code=$?
check bad-limit "$([ "$code" = 1 ] && echo ok || echo "exit $code")"
"$reelay" serve --listen 127.0.0.1:0 --queue "$queue" --output-dir "$tmp/out" --max-fps 0 2>"$tmp/u.err"; code=$?
check bad-ceiling "$([ "$code" = 1 ] && grep -q -- '--max-fps' "$tmp/u.err" && echo ok || echo "exit $code: $(cat "$tmp/u.err")")"
"$reelay" serve --listen 127.0.0.1:0 --queue "$queue" --output-dir "$tmp/out" --max-connections-per-client 0 2>"$tmp/u.err"; code=$?
check bad-per-client "$([ "$code" = 1 ] && echo ok || echo "exit $code: $(cat "$tmp/u.err")")"
# Connections need open files: beyond the limit is refused, saying so.
(ulimit -n 256; exec "$reelay" serve --listen 127.0.0.1:0 --queue "$queue" --output-dir "$tmp/out" --max-connections 500) 2>"$tmp/u.err"; code=$?
check too-many-connections "$([ "$code" = 1 ] && grep -q 'ulimit -n' "$tmp/u.err" && echo ok || echo "exit $code: $(cat "$tmp/u.err")")"

finish test_serve
