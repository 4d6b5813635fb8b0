#!/usr/bin/env bash
# http(s) inputs, against a loopback server (tests/support/http_sources.py):
# info, frame, render and batch read a URL exactly as they read the same
# file; every fault (404, redirect loop, a redirect to file://, a body too
# large, a body shorter than announced, a stalled server, no server) is one
# error naming the URL without its credentials or query, and leaves no
# output; a job (worker) may name a URL only when the operator's --allow-url
# list allows it, and then reaches no private address by a host name or a
# redirect; a busy server (503, 429) is tried again.
set -u
reelay=$(realpath "${1:?usage: test_http_source.sh REELAY_BINARY}")
tmp=$(mktemp -d /tmp/reelay-http-source-test-XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"
android=$PWD/fixtures/mobile/android-shop.blob.jsonl

python3 tests/support/http_sources.py "$android" "$tmp/requests.log" >"$tmp/port" &
port=$(wait_port "$tmp/port")
# URLs carry a password and a presigned-style query: neither may show
secret="user:pw-s3cret@127.0.0.1:$port"
query="?X-Amz-Signature=sig-t0psecret&X-Amz-Credential=AKIA"
url() { echo "http://$secret$1$query"; }
leaks() { grep -l -e 's3cret' -e 't0psecret' -e 'AKIA' "$@" 2>/dev/null; }

# the same results as from the file
"$reelay" info "$android" --json >"$tmp/info-file.json"
"$reelay" info "$(url /rec/shop.jsonl)" --json >"$tmp/info-url.json" 2>"$tmp/err"
check info "$(cmp -s "$tmp/info-file.json" "$tmp/info-url.json" && echo ok || echo "differs: $(cat "$tmp/err")")"
"$reelay" info "$(url /rec/shop.jsonl)" >"$tmp/info-url.txt" 2>&1
check info-text-clean "$(grep -q "http://127.0.0.1:$port/rec/shop.jsonl" "$tmp/info-url.txt" && [ -z "$(leaks "$tmp/info-url.txt")" ] &&
  echo ok || echo "$(head -3 "$tmp/info-url.txt")")"
check credentials-sent "$(grep -q 'GET /rec/shop.jsonl?X-Amz-Signature=sig-t0psecret&X-Amz-Credential=AKIA auth=yes' "$tmp/requests.log" &&
  echo ok || echo "$(cat "$tmp/requests.log")")"
"$reelay" frame "$android" --at 5 -o "$tmp/file.png" 2>/dev/null
"$reelay" frame "$(url /rec/shop.jsonl)" --at 5 -o "$tmp/url.png" 2>"$tmp/err"
check frame "$(cmp -s "$tmp/file.png" "$tmp/url.png" && echo ok || echo "differs: $(cat "$tmp/err")")"
"$reelay" render "$android" --to 3 -o "$tmp/file.webm" --quiet 2>/dev/null
(cd "$tmp" && "$reelay" render "$(url /redirect/3/shop.jsonl)" --to 3 --quiet 2>"$tmp/err")
check render-default-name "$(cmp -s "$tmp/file.webm" "$tmp/shop.webm" && echo ok ||
  echo "no shop.webm equal to the file's render: $(ls "$tmp") $(cat "$tmp/err")")"
mkdir -p "$tmp/batch"
"$reelay" batch "$(url /rec/first.jsonl)" "$(url /rec/second.jsonl)" -o "$tmp/batch" --to 3 2>"$tmp/batch.log"
code=$?
check batch "$([ $code -eq 0 ] && cmp -s "$tmp/file.webm" "$tmp/batch/first.webm" && [ -s "$tmp/batch/second.webm" ] &&
  echo ok || echo "exit $code: $(ls "$tmp/batch") $(cat "$tmp/batch.log")")"
check batch-log-clean "$([ -z "$(leaks "$tmp/batch.log")" ] && echo ok || echo "$(cat "$tmp/batch.log")")"

# fault PATH NAME WANT_EXIT WANT_TEXT [extra args]: one line naming the URL, no output
fault() {
  local path=$1 name=$2 want=$3 text=$4
  shift 4
  local started=$SECONDS
  "$reelay" render "$(url "$path")" -o "$tmp/$name.webm" --quiet "$@" 2>"$tmp/$name.err"
  local code=$?
  check "$name" "$([ $code -eq "$want" ] && [ "$(wc -l <"$tmp/$name.err")" -eq 1 ] &&
    grep -qF "http://127.0.0.1:$port$path: $text" "$tmp/$name.err" && [ -z "$(leaks "$tmp/$name.err")" ] &&
    [ ! -e "$tmp/$name.webm" ] && echo ok || echo "exit $code after $((SECONDS - started)) s: $(cat "$tmp/$name.err")")"
}
fault /missing missing 2 "HTTP status 404"
fault /loop loop 2 "more than 5 redirects"
fault /redirect/9/shop.jsonl long-chain 2 "more than 5 redirects"
fault /to-file to-file 2 "redirected to a scheme other than http or https"
fault /huge huge 2 "the recording is larger than 1048576 bytes (--max-input-bytes)" --max-input-bytes 1M
fault /huge-announced huge-announced 2 "the recording is larger than 1048576 bytes (--max-input-bytes)" --max-input-bytes 1M
fault /short short 2 "the body ended after"
fault /stall stall 3 "the server stalled"
check stall-bounded "$(grep -q stalled "$tmp/stall.err" && echo ok || echo 'no stall error')"

# nothing listening
dead=$(free_port)
"$reelay" info "http://$secret" 2>/dev/null # (a malformed authority-only URL must not crash)
"$reelay" info "http://user:pw-s3cret@127.0.0.1:$dead/x.json$query" 2>"$tmp/dead.err"
code=$?
check no-server "$([ $code -eq 3 ] && grep -q "http://127.0.0.1:$dead/x.json: " "$tmp/dead.err" &&
  [ -z "$(leaks "$tmp/dead.err")" ] && echo ok || echo "exit $code: $(cat "$tmp/dead.err")")"

# a job may not make a worker fetch: refused before any request
before=$(wc -l <"$tmp/requests.log")
printf '{"id":"fetch","input":"%s","output":"%s"}\n' "$(url /rec/job.jsonl)" "$tmp/job.webm" >"$tmp/job.json"
"$reelay" submit --queue "dir:$tmp/q" "$tmp/job.json" >/dev/null 2>&1
"$reelay" worker --queue "dir:$tmp/q" --exit-when-empty 2>"$tmp/worker.log"
check job-url-refused "$([ -e "$tmp/q/failed/fetch.json" ] && grep -q 'a URL input is not allowed here' "$tmp/q/failed/fetch.json" &&
  [ "$(wc -l <"$tmp/requests.log")" -eq "$before" ] && [ ! -e "$tmp/job.webm" ] && echo ok ||
  echo "$(ls -R "$tmp/q") $(cat "$tmp/worker.log")")"
check job-log-clean "$([ -z "$(leaks "$tmp/worker.log")" ] && echo ok ||
  echo "$(cat "$tmp/worker.log")")"

# a busy server (503, then 429 with Retry-After) is tried again
"$reelay" render "http://127.0.0.1:$port/busy/shop.jsonl" --to 3 -o "$tmp/busy.webm" --quiet 2>"$tmp/busy.err"
check busy-retried "$(cmp -s "$tmp/file.webm" "$tmp/busy.webm" &&
  [ "$(grep -c 'GET /busy/shop.jsonl' "$tmp/requests.log")" -eq 3 ] && echo ok ||
  echo "$(cat "$tmp/busy.err") $(grep busy "$tmp/requests.log")")"

# --allow-url: the operator's list of URLs a job may name
job() { # ID INPUT: a job rendering INPUT's first 3 s to $tmp/ID.webm
  printf '{"id":"%s","input":"%s","output":"%s","options":{"to":3}}\n' "$1" "$2" "$tmp/$1.webm" >"$tmp/$1.json"
  "$reelay" submit --queue "dir:$tmp/q2" "$tmp/$1.json" >/dev/null 2>&1
}
job allowed "http://127.0.0.1:$port/rec/allowed.jsonl$query"
job off-list "http://127.0.0.1:$port/other/off-list.jsonl"
job off-list-redirect "http://127.0.0.1:$port/elsewhere/off-list-redirect.jsonl"
job by-name "http://localhost:$port/rec/by-name.jsonl"
job metadata "http://169.254.169.254/latest/meta-data/"
job file-url "file:///etc/passwd"
"$reelay" worker --queue "dir:$tmp/q2" --exit-when-empty --allow-url "http://127.0.0.1:$port/rec/" \
  --allow-url "http://127.0.0.1:$port/elsewhere/,http://localhost:$port" 2>"$tmp/worker2.log"
failed() { # ID TEXT: the job failed with TEXT, wrote nothing
  [ -e "$tmp/q2/failed/$1.json" ] && grep -qF "$2" "$tmp/q2/failed/$1.json" && [ ! -e "$tmp/$1.webm" ] &&
    [ -z "$(leaks "$tmp/q2/failed/$1.json")" ]
}
check allow-url-allowed "$(cmp -s "$tmp/file.webm" "$tmp/allowed.webm" && echo ok ||
  echo "$(ls -R "$tmp/q2") $(cat "$tmp/worker2.log")")"
check allow-url-off-list "$(failed off-list "not on this service's list of allowed URLs (--allow-url)" &&
  ! grep -q off-list.jsonl "$tmp/requests.log" && echo ok || echo "$(cat "$tmp/q2/failed/off-list.json" 2>&1)")"
check allow-url-redirect "$(failed off-list-redirect "redirected to: http://127.0.0.1:$port/other/off-list-redirect.jsonl" &&
  ! grep -q 'GET /other/off-list-redirect' "$tmp/requests.log" && echo ok ||
  echo "$(cat "$tmp/q2/failed/off-list-redirect.json" 2>&1)")"
check allow-url-private-name "$(failed by-name "localhost resolves to" && failed by-name "a private address" &&
  ! grep -q by-name "$tmp/requests.log" && echo ok || echo "$(cat "$tmp/q2/failed/by-name.json" 2>&1)")"
check allow-url-metadata "$(failed metadata "not on this service's list" && echo ok ||
  echo "$(cat "$tmp/q2/failed/metadata.json" 2>&1)")"
check allow-url-file "$(failed file-url "file:///etc/passwd: not on this service's list" && echo ok ||
  echo "$(cat "$tmp/q2/failed/file-url.json" 2>&1)")"

# the HTTP API admits a job naming a URL only when its --allow-url list allows it
"$reelay" serve --listen 127.0.0.1:0 --queue "dir:$tmp/q3" --output-dir "$tmp/out" \
  --allow-url "http://127.0.0.1:$port/rec/" 2>"$tmp/serve.err" &
serve_pid=$!
api=$(serve_url "$tmp/serve.err")
post() { # BODY: prints the HTTP status, the answer in $tmp/answer.json
  curl -s -o "$tmp/answer.json" -w '%{http_code}' -H 'Content-Type: application/json' --data "$1" "$api/v1/jobs"
}
code=$(post "{\"id\":\"api-url\",\"input\":\"http://127.0.0.1:$port/rec/api.jsonl$query\",\"output\":\"api.webm\",
  \"options\":{\"to\":3}}")
check api-url-admitted "$([ "$code" = 202 ] && [ -e "$tmp/q3/inbox/api-url.json" ] && echo ok ||
  echo "status $code: $(cat "$tmp/answer.json")")"
code=$(post "{\"input\":\"http://169.254.169.254/latest/meta-data/\",\"output\":\"meta.webm\"}")
check api-url-refused "$([ "$code" = 400 ] && grep -q "not on this service's list of allowed URLs" "$tmp/answer.json" &&
  echo ok || echo "status $code: $(cat "$tmp/answer.json")")"
kill $serve_pid
"$reelay" worker --queue "dir:$tmp/q3" --exit-when-empty --allow-url "http://127.0.0.1:$port/rec/" 2>"$tmp/worker3.log"
check api-url-rendered "$(cmp -s "$tmp/file.webm" "$tmp/out/api.webm" && echo ok || echo "$(cat "$tmp/worker3.log")")"

finish http-source
