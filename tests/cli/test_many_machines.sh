#!/usr/bin/env bash
# Workers on "separate machines": two workers, each in a working directory
# and a TMPDIR of its own (no disk in common), share only a real Redis (with
# a password and an append-only file) and a real S3-compatible server
# (s3rver behind the SigV4-checking proxy, tests/cli/lib.sh's start_s3).
# Jobs name s3:// inputs and outputs only; every job is done exactly once
# by one of the two, every video comes back from the bucket whole (ffprobe)
# and equal to a local render, nothing is left on either "machine", and the
# HTTP API (serve on the same Redis) admits such a job and says where its
# video went; `reelay submit -o DEST -` makes jobs of a listing.
set -u
reelay=$(realpath "${1:?usage: test_many_machines.sh REELAY_BINARY}")
command -v redis-server >/dev/null || { echo "FAIL redis-server is not installed: run scripts/install-deps.sh"; exit 1; }
tmp=$(mktemp -d /tmp/reelay-many-machines-test-XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"
start_s3 "$tmp" fleet

redis_port=$(free_port)
export REELAY_REDIS_PASSWORD=fleet-pw-$$
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly yes --dir "$tmp" --daemonize no \
  --requirepass "$REELAY_REDIS_PASSWORD" >"$tmp/redis.log" 2>&1 &
for _ in $(seq 1 100); do
  redis-cli -p "$redis_port" -a "$REELAY_REDIS_PASSWORD" --no-auth-warning ping >/dev/null 2>&1 && break
  sleep 0.05
done
queue="redis://127.0.0.1:$redis_port/0"
rcli() { redis-cli -p "$redis_port" -a "$REELAY_REDIS_PASSWORD" --no-auth-warning "$@"; }

# the recordings live in the bucket only
inputs=(android-shop.blob.jsonl android-shop.export.json ios-notes.blob.jsonl)
for name in "${inputs[@]}"; do
  [ "$(s3 PUT "in/$name" "fixtures/mobile/$name")" = 200 ] || { echo "FAIL s3rver refused in/$name"; exit 1; }
done
mkdir -p "$tmp/jobs"
n=0
for round in 1 2; do
  for name in "${inputs[@]}"; do
    n=$((n + 1))
    printf '{"id":"j%d","input":"s3://fleet/in/%s","output":"s3://fleet/out/j%d.webm",
      "options":{"to":3,"poster":"s3://fleet/out/j%d.png"}}\n' "$n" "$name" "$n" "$n" >"$tmp/jobs/j$n.json"
  done
done
"$reelay" submit --queue "$queue" "$tmp"/jobs/j*.json >"$tmp/ids" 2>"$tmp/submit.err"
check submit "$([ "$(wc -l <"$tmp/ids")" -eq "$n" ] && echo ok || echo "$(cat "$tmp/submit.err")")"

# two machines: nothing shared but Redis and the bucket
for m in a b; do mkdir -p "$tmp/machine-$m/work" "$tmp/machine-$m/tmp"; done
machine() { # NAME: a worker on that machine, until the queue is empty
  (cd "$tmp/machine-$1/work" && TMPDIR=$tmp/machine-$1/tmp HOME=$tmp/machine-$1 \
    "$reelay" worker --queue "$queue" --exit-when-empty --allow-url s3://fleet 2>"$tmp/machine-$1.log")
}
machine a & wa=$!
machine b & wb=$!
wait $wa; ca=$?
wait $wb; cb=$?
claims_a=$(grep -c ' claimed ' "$tmp/machine-a.log")
claims_b=$(grep -c ' claimed ' "$tmp/machine-b.log")
check exactly-once "$([ $ca -eq 0 ] && [ $cb -eq 0 ] && [ $((claims_a + claims_b)) -eq "$n" ] &&
  [ "$(rcli scard reelay:status:done)" -eq "$n" ] && echo ok ||
  echo "exits $ca $cb, claims $claims_a + $claims_b, done $(rcli scard reelay:status:done): $(tail -3 "$tmp/machine-a.log")")"
check both-worked "$([ "$claims_a" -gt 0 ] && [ "$claims_b" -gt 0 ] && echo ok || echo "claims $claims_a and $claims_b")"

# every video and poster from the bucket, decoded; the same bytes as a local render
bad=""
n=0
for round in 1 2; do
  for name in "${inputs[@]}"; do
    n=$((n + 1))
    s3 GET "out/j$n.webm" "$tmp/j$n.webm" >/dev/null
    s3 GET "out/j$n.png" "$tmp/j$n.png" >/dev/null
    "$reelay" render "fixtures/mobile/$name" --to 3 -o "$tmp/local-$n.webm" --quiet 2>/dev/null
    codec=$(ffprobe -v error -select_streams v:0 -show_entries stream=codec_name -of csv=p=0 "$tmp/j$n.webm" 2>/dev/null)
    frames_n=$(frames "$tmp/j$n.webm")
    if [ "$codec" != vp9 ] || [ "${frames_n:-0}" -lt 1 ] || ! cmp -s "$tmp/j$n.webm" "$tmp/local-$n.webm" ||
      [ "$(head -c 4 "$tmp/j$n.png" | tail -c 3)" != PNG ]; then
      bad="$bad j$n($codec, ${frames_n:-0} frames)"
    fi
  done
done
check outputs-in-bucket "$([ -z "$bad" ] && echo ok || echo "bad:$bad")"
check results-say-where "$(rcli hget reelay:job:j4 result | python3 -c '
import json, sys
r = json.load(sys.stdin)
urls = [o.get("url") for o in r["outputs"]]
print("ok" if r["status"] == "done" and urls == ["s3://fleet/out/j4.webm", "s3://fleet/out/j4.png"] else r)')"
left=$(find "$tmp/machine-a" "$tmp/machine-b" -type f; find "$tmp"/machine-*/tmp "$tmp"/machine-*/work -mindepth 1)
check nothing-left-on-machines "$([ -z "$left" ] && echo ok || echo "left: $(echo "$left" | head -3)")"
check password-unseen "$(! grep -q "$REELAY_REDIS_PASSWORD" "$tmp"/machine-*.log "$tmp/submit.err" && echo ok ||
  echo 'the Redis password was printed')"

# the HTTP API on the same Redis admits an s3:// job and says where its video went
"$reelay" serve --listen 127.0.0.1:0 --queue "$queue" --output-dir "$tmp/api-out" --allow-url s3://fleet \
  2>"$tmp/serve.err" &
api=$(serve_url "$tmp/serve.err")
code=$(curl -s -o "$tmp/posted.json" -w '%{http_code}' -H 'Content-Type: application/json' --data \
  '{"id":"api","input":"s3://fleet/in/ios-notes.blob.jsonl","output":"s3://fleet/out/api.mp4","options":{"to":3}}' \
  "$api/v1/jobs")
check api-admitted "$([ "$code" = 202 ] && echo ok || echo "status $code: $(cat "$tmp/posted.json")")"
machine b
code=$(curl -s -o "$tmp/status.json" -w '%{http_code}' "$api/v1/jobs/api")
check api-done "$([ "$code" = 200 ] && grep -q '"status": *"done"' "$tmp/status.json" && echo ok ||
  echo "status $code: $(cat "$tmp/status.json")")"
code=$(curl -s -o "$tmp/where.json" -w '%{http_code}' "$api/v1/jobs/api/output")
check api-output-elsewhere "$([ "$code" = 404 ] && grep -q '"output": *"s3://fleet/out/api.mp4"' "$tmp/where.json" &&
  echo ok || echo "status $code: $(cat "$tmp/where.json")")"
s3 GET out/api.mp4 "$tmp/api.mp4" >/dev/null
check api-video "$([ "$(ffprobe -v error -select_streams v:0 -show_entries stream=codec_name -of csv=p=0 \
  "$tmp/api.mp4" 2>/dev/null)" = h264 ] && echo ok || echo "no h264 video at s3://fleet/out/api.mp4")"
check serve-line-clean "$(! grep -q "$REELAY_REDIS_PASSWORD" "$tmp/serve.err" && echo ok || echo 'password printed')"

# a listing (as `reelay list` prints one) becomes jobs: reelay submit -o DEST -
printf 's3://fleet/in/ios-notes.blob.jsonl\n# a comment\n\ns3://fleet/in/android-shop.export.json\n' |
  "$reelay" submit --queue "$queue" -o s3://fleet/listed/ --format mp4 --options '{"to":3}' - >"$tmp/listed.ids" \
  2>"$tmp/listed.err"
check submit-listing "$([ "$(cat "$tmp/listed.ids" | tr '\n' ' ')" = "ios-notes android-shop " ] && echo ok ||
  echo "ids '$(cat "$tmp/listed.ids")': $(cat "$tmp/listed.err")")"
machine a
bad=""
for id in ios-notes android-shop; do
  s3 GET "listed/$id.mp4" "$tmp/listed-$id.mp4" >/dev/null
  [ "$(ffprobe -v error -select_streams v:0 -show_entries stream=codec_name -of csv=p=0 "$tmp/listed-$id.mp4" \
    2>/dev/null)" = h264 ] || bad="$bad $id"
done
check listing-rendered "$([ -z "$bad" ] && echo ok || echo "no h264 video for:$bad")"
"$reelay" submit --queue "$queue" --options '{"to":3}' "$tmp/jobs/j1.json" 2>"$tmp/bad-submit.err"
check submit-options-need-dest "$([ $? -eq 1 ] && grep -q 'go with -o DEST' "$tmp/bad-submit.err" && echo ok ||
  echo "$(cat "$tmp/bad-submit.err")")"

finish many-machines
