#!/usr/bin/env bash
# s3:// inputs and outputs and presigned-URL outputs, against a real
# S3-compatible server on loopback (s3rver, third_party/npm) behind a proxy
# that checks every request's AWS Signature V4 (tests/support/s3_proxy.py;
# s3rver checks only the access key id): an s3:// input reads as the file
# does; a video and its sidecars go up and come back whole (ffprobe), one
# PUT each or a multipart upload; a wrong secret is one clear line and no
# object; an https output is a PUT whose query never shows; a render or a
# worker killed during its upload leaves no object under the final key; a
# job's s3:// or presigned output must be on the worker's --allow-url list,
# and its result records where each file went (a URL without its query).
set -u
reelay=$(realpath "${1:?usage: test_s3.sh REELAY_BINARY}")
tmp=$(mktemp -d /tmp/reelay-s3-test-XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null; [ -n "${victim:-}" ] && kill -9 -- -"$victim" 2>/dev/null; rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"
android=$PWD/fixtures/mobile/android-shop.blob.jsonl
start_s3 "$tmp" clips
# the private directories of the sink go here: none may be left
export TMPDIR=$tmp/tmpdir
mkdir -p "$TMPDIR"
leaks() { grep -l -e 't0psecret' -e 'AKIA' -e 'wrong-secret' "$@" 2>/dev/null; }

# an s3:// input reads as the file does (info and render)
check put-input "$([ "$(s3 PUT in/shop.jsonl "$android")" = 200 ] && echo ok || echo "s3rver refused the upload")"
"$reelay" info "$android" --json >"$tmp/info-file.json"
"$reelay" info s3://clips/in/shop.jsonl --json >"$tmp/info-s3.json" 2>"$tmp/info.err"
check info-input "$(cmp -s "$tmp/info-file.json" "$tmp/info-s3.json" && echo ok || echo "$(cat "$tmp/info.err")")"
"$reelay" render "$android" --to 3 -o "$tmp/file.webm" --poster "$tmp/file.png" --quiet 2>/dev/null
"$reelay" render s3://clips/in/shop.jsonl --to 3 -o "$tmp/from-s3.webm" --quiet 2>"$tmp/in.err"
check render-input "$(cmp -s "$tmp/file.webm" "$tmp/from-s3.webm" && echo ok || echo "$(cat "$tmp/in.err")")"
check input-signed "$(grep -q 'GET /clips/in/shop.jsonl 200' "$tmp/proxy.log" && echo ok || echo "$(cat "$tmp/proxy.log")")"
"$reelay" batch s3://clips/in/shop.jsonl -o "$tmp/batch" --to 3 2>"$tmp/batch.err"
check batch-input "$(cmp -s "$tmp/file.webm" "$tmp/batch/shop.webm" && echo ok || echo "$(cat "$tmp/batch.err")")"
"$reelay" render s3://clips/in/missing.jsonl --to 3 -o "$tmp/missing.webm" --quiet 2>"$tmp/missing.err"; code=$?
check input-missing "$([ $code -eq 2 ] && [ "$(wc -l <"$tmp/missing.err")" -eq 1 ] &&
  grep -q 's3://clips/in/missing.jsonl: HTTP status 404 (NoSuchKey' "$tmp/missing.err" && echo ok ||
  echo "exit $code: $(cat "$tmp/missing.err")")"

# a video and its sidecars to s3://, one PUT each, the video last
"$reelay" render "$android" --to 3 -o s3://clips/out/shop.webm --poster s3://clips/out/shop.png \
  --preview s3://clips/out/shop-preview.webp --manifest s3://clips/out/shop.json 2>"$tmp/out.err"; code=$?
check render-output "$([ $code -eq 0 ] && grep -q 'wrote s3://clips/out/shop.webm' "$tmp/out.err" && echo ok ||
  echo "exit $code: $(cat "$tmp/out.err")")"
s3 GET out/shop.webm "$tmp/back.webm" >/dev/null
s3 GET out/shop.png "$tmp/back.png" >/dev/null
s3 GET out/shop.json "$tmp/back.json" >/dev/null
s3 GET out/shop-preview.webp "$tmp/back.webp" >/dev/null
check output-bytes "$(cmp -s "$tmp/file.webm" "$tmp/back.webm" && cmp -s "$tmp/file.png" "$tmp/back.png" && echo ok ||
  echo "what came back differs from the local render")"
codec=$(ffprobe -v error -select_streams v:0 -show_entries stream=codec_name -of csv=p=0 "$tmp/back.webm")
duration=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$tmp/back.webm")
check output-decodes "$([ "$codec" = vp9 ] && [ "$(frames "$tmp/back.webm")" = "$(frames "$tmp/file.webm")" ] &&
  awk -v d="$duration" 'BEGIN { exit !(d > 2.9 && d < 3.1) }' && [ -s "$tmp/back.webp" ] && echo ok ||
  echo "codec $codec, duration $duration, $(frames "$tmp/back.webm") frames")"
check manifest-names-urls "$(grep -q '"path": "s3://clips/out/shop.webm"' "$tmp/back.json" &&
  grep -q '"path": "s3://clips/out/shop.png"' "$tmp/back.json" && ! grep -q reelay-out "$tmp/back.json" && echo ok ||
  echo "$(grep path "$tmp/back.json")")"
order=$(grep -o 'PUT /clips/out/[a-z.-]*' "$tmp/proxy.log" | tail -1)
check video-last "$([ "$order" = 'PUT /clips/out/shop.webm' ] && echo ok || echo "last upload: $order")"
check content-type "$(curl -s -I --aws-sigv4 aws:amz:eu-west-3:s3 -u S3RVER:S3RVER -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' \
  "http://127.0.0.1:$s3port/clips/out/shop.webm" | grep -qi '^content-type: video/webm' && echo ok || echo "not video/webm")"
check no-temp-left "$([ -z "$(ls -A "$TMPDIR")" ] && echo ok || echo "$(ls "$TMPDIR")")"

# multipart: parts of 16 KiB, completed, the same bytes
REELAY_S3_PART_SIZE=16K "$reelay" render "$android" --to 3 -o s3://clips/out/multi.webm --quiet 2>"$tmp/multi.err"
code=$?
s3 GET out/multi.webm "$tmp/multi.webm" >/dev/null
parts=$(grep -c 'PUT /clips/out/multi.webm?partNumber=[0-9]*&uploadId=.* 200' "$tmp/proxy.log")
check multipart "$([ $code -eq 0 ] && cmp -s "$tmp/file.webm" "$tmp/multi.webm" && [ "$parts" -ge 3 ] &&
  grep -q 'POST /clips/out/multi.webm?uploads= 200' "$tmp/proxy.log" &&
  grep -q 'POST /clips/out/multi.webm?uploadId=.* 200' "$tmp/proxy.log" && echo ok ||
  echo "exit $code, $parts parts: $(cat "$tmp/multi.err")")"

# over 1 MiB in one PUT: curl then sends Expect: 100-continue, a header it
# does not sign (an empty "Expect:" would be signed and not sent)
"$reelay" render "$android" --crf 4 --fps 30 --cfr --no-skip-idle -o "$tmp/big.mp4" --quiet 2>/dev/null
"$reelay" render "$android" --crf 4 --fps 30 --cfr --no-skip-idle -o s3://clips/out/big.mp4 --quiet 2>"$tmp/big.err"
code=$?
s3 GET out/big.mp4 "$tmp/big-back.mp4" >/dev/null
check large-put "$([ $code -eq 0 ] && [ "$(stat -c %s "$tmp/big.mp4")" -gt 1048576 ] && cmp -s "$tmp/big.mp4" "$tmp/big-back.mp4" &&
  echo ok || echo "exit $code, $(stat -c %s "$tmp/big.mp4") bytes: $(cat "$tmp/big.err")")"

# a wrong secret: one line naming the URL and S3's code, exit 3, no object
AWS_SECRET_ACCESS_KEY=wrong-secret "$reelay" render "$android" --to 3 -o s3://clips/out/wrong.webm --quiet \
  2>"$tmp/wrong.err"; code=$?
check wrong-secret "$([ $code -eq 3 ] && [ "$(wc -l <"$tmp/wrong.err")" -eq 1 ] &&
  grep -q '^reelay: s3://clips/out/wrong.webm: HTTP status 403 (SignatureDoesNotMatch' "$tmp/wrong.err" &&
  [ -z "$(leaks "$tmp/wrong.err")" ] && [ "$(s3 GET out/wrong.webm)" = 404 ] && echo ok ||
  echo "exit $code: $(cat "$tmp/wrong.err")")"
AWS_SECRET_ACCESS_KEY=wrong-secret REELAY_S3_PART_SIZE=16K "$reelay" render "$android" --to 3 \
  -o s3://clips/out/wrong-multi.webm --quiet 2>"$tmp/wrong-multi.err"; code=$?
check wrong-secret-multipart "$([ $code -eq 3 ] && grep -q 'SignatureDoesNotMatch' "$tmp/wrong-multi.err" &&
  [ "$(s3 GET out/wrong-multi.webm)" = 404 ] && echo ok || echo "exit $code: $(cat "$tmp/wrong-multi.err")")"
AWS_SESSION_TOKEN=session-t0ken "$reelay" render "$android" --to 3 -o s3://clips/out/token.webm --quiet 2>"$tmp/token.err"
check session-token "$(grep -q 'PUT /clips/out/token.webm 200 token' "$tmp/proxy.log" && echo ok ||
  echo "$(cat "$tmp/token.err") $(grep token.webm "$tmp/proxy.log")")"
AWS_ENDPOINT_URL=ftp://x "$reelay" render "$android" -o "$tmp/x.webm" --quiet 2>"$tmp/endpoint.err"; code=$?
check bad-endpoint "$([ $code -eq 1 ] && grep -q 'AWS_ENDPOINT_URL' "$tmp/endpoint.err" && echo ok ||
  echo "exit $code: $(cat "$tmp/endpoint.err")")"

# a presigned-style https output: a plain PUT, the query never shown
mkdir -p "$tmp/store"
python3 tests/support/s3_proxy.py --log "$tmp/store.log" --store "$tmp/store" >"$tmp/store.port" &
store=$(wait_port "$tmp/store.port")
signed() { echo "http://127.0.0.1:$store/up/$1?X-Amz-Credential=AKIA&X-Amz-Signature=t0psecret"; }
"$reelay" render "$android" --to 3 -o "$(signed shop.webm)" --poster "$(signed shop.png)" 2>"$tmp/put.err"; code=$?
check presigned-put "$([ $code -eq 0 ] && cmp -s "$tmp/file.webm" "$tmp/store/shop.webm" &&
  cmp -s "$tmp/file.png" "$tmp/store/shop.png" && grep -q 'PUT /up/shop.webm?X-Amz-Credential=AKIA&X-Amz-Signature=t0psecret 200' \
  "$tmp/store.log" && echo ok || echo "exit $code: $(cat "$tmp/put.err")")"
check presigned-clean "$(grep -q "wrote http://127.0.0.1:$store/up/shop.webm (" "$tmp/put.err" &&
  [ -z "$(leaks "$tmp/put.err")" ] && echo ok || echo "$(cat "$tmp/put.err")")"
"$reelay" render "$android" --to 3 -o "http://127.0.0.1:$store/nowhere/?X-Amz-Signature=t0psecret" 2>"$tmp/noname.err"
code=$?
check presigned-no-name "$([ $code -eq 1 ] && [ -z "$(leaks "$tmp/noname.err")" ] && grep -q 'names no file' "$tmp/noname.err" &&
  echo ok || echo "exit $code: $(cat "$tmp/noname.err")")"

# killed during its upload (a slow proxy; the render under setsid, killed
# with its whole group): no object under the final key
python3 tests/support/s3_proxy.py --log "$tmp/slow.log" --upstream "$s3port" --slow 0.3 >"$tmp/slow.port" &
slow=$(wait_port "$tmp/slow.port")
# killed_during NAME PATTERN CMD...: runs CMD, SIGKILLs its group once slow.log shows PATTERN
killed_during() {
  local name=$1 pattern=$2
  shift 2
  setsid "$@" >/dev/null 2>&1 &
  victim=$!
  for _ in $(seq 1 300); do grep -q "$pattern" "$tmp/slow.log" && break; sleep 0.05; done
  kill -9 -- -"$victim" 2>/dev/null
  wait "$victim" 2>/dev/null
  victim=
  sleep 0.5
  check "$name" "$(grep -q "$pattern" "$tmp/slow.log" && [ "$(s3 GET "out/$name.webm")" = 404 ] && echo ok ||
    echo "$(s3 GET "out/$name.webm") for out/$name.webm; $(grep "$name" "$tmp/slow.log")")"
}
AWS_ENDPOINT_URL="http://127.0.0.1:$slow" killed_during killed-put 'PUT /clips/out/killed-put.webm started' \
  "$reelay" render "$android" --to 3 -o s3://clips/out/killed-put.webm --quiet
AWS_ENDPOINT_URL="http://127.0.0.1:$slow" REELAY_S3_PART_SIZE=16K killed_during killed-multipart \
  'PUT /clips/out/killed-multipart.webm?partNumber=2&.* started' \
  "$reelay" render "$android" --to 3 -o s3://clips/out/killed-multipart.webm --quiet
printf '{"id":"killed-worker","input":"%s","output":"s3://clips/out/killed-worker.webm","options":{"to":3}}\n' \
  "$android" >"$tmp/killed.json"
"$reelay" submit --queue "dir:$tmp/q1" "$tmp/killed.json" >/dev/null 2>&1
AWS_ENDPOINT_URL="http://127.0.0.1:$slow" REELAY_S3_PART_SIZE=16K killed_during killed-worker \
  'PUT /clips/out/killed-worker.webm?partNumber=2&.* started' \
  "$reelay" worker --queue "dir:$tmp/q1" --exit-when-empty --allow-url s3://clips/out/

# jobs: an s3:// output on the worker's list is rendered and recorded; one
# off the list (another bucket, or no --allow-url at all) is refused
job() { # ID OUTPUT QUEUE INPUT
  printf '{"id":"%s","input":"%s","output":"%s","options":{"to":3,"poster":"%s"}}\n' \
    "$1" "$4" "$2" "${2%.webm}.png" >"$tmp/$1.json"
  "$reelay" submit --queue "dir:$tmp/$3" "$tmp/$1.json" >/dev/null 2>&1
}
job listed s3://clips/out/listed.webm q2 s3://clips/in/shop.jsonl
job off-list s3://other/out/off-list.webm q2 s3://clips/in/shop.jsonl
job no-list s3://clips/out/no-list.webm q3 "$android"
printf '{"id":"presigned","input":"%s","output":"%s","options":{"to":3}}\n' "$android" "$(signed job.webm)" \
  >"$tmp/presigned.json"
"$reelay" submit --queue "dir:$tmp/q2" "$tmp/presigned.json" >/dev/null 2>&1
# the same object under another signature is the same output: refused, and the queue keeps no signature
printf '{"id":"presigned-again","input":"%s","output":"%s"}\n' "$android" \
  "http://127.0.0.1:$store/up/job.webm?X-Amz-Credential=AKIA&X-Amz-Signature=t0psecret-2" >"$tmp/presigned-again.json"
"$reelay" submit --queue "dir:$tmp/q2" "$tmp/presigned-again.json" >/dev/null 2>"$tmp/again.err"
code=$?
check presigned-one-output "$([ $code -ne 0 ] &&
  grep -q "output http://127.0.0.1:$store/up/job.webm belongs to job presigned" "$tmp/again.err" &&
  [ -z "$(leaks "$tmp/again.err" "$tmp"/q2/outputs/*)" ] && echo ok || echo "exit $code: $(cat "$tmp/again.err")")"
"$reelay" worker --queue "dir:$tmp/q2" --exit-when-empty --allow-url s3://clips \
  --allow-url "http://127.0.0.1:$store/up/" 2>"$tmp/w2.log"
"$reelay" worker --queue "dir:$tmp/q3" --exit-when-empty 2>"$tmp/w3.log"
s3 GET out/listed.webm "$tmp/listed.webm" >/dev/null
check job-output "$(cmp -s "$tmp/file.webm" "$tmp/listed.webm" && echo ok || echo "$(ls -R "$tmp/q2") $(cat "$tmp/w2.log")")"
result=$tmp/q2/done/listed.json
check job-result-outputs "$(python3 - "$result" <<'EOF' && echo ok || echo "$(cat "$result" 2>&1)"
import json, sys
r = json.load(open(sys.argv[1]))
o = r["outputs"]
assert r["output"] == "s3://clips/out/listed.webm", r["output"]
assert [x["role"] for x in o] == ["video", "poster"], o
assert o[0]["url"] == "s3://clips/out/listed.webm" and o[0]["bytes"] == r["bytes"] > 0, o
assert o[1]["url"] == "s3://clips/out/listed.png" and o[1]["bytes"] > 0, o
EOF
)"
check job-presigned "$(cmp -s "$tmp/file.webm" "$tmp/store/job.webm" && [ -e "$tmp/q2/done/presigned.json" ] &&
  grep -q "\"url\": *\"http://127.0.0.1:$store/up/job.webm\"" "$tmp/q2/done/presigned.json" &&
  [ -z "$(leaks "$tmp/q2/done/presigned.json" "$tmp/w2.log")" ] && echo ok ||
  echo "$(cat "$tmp/q2/done/presigned.json" "$tmp/q2/failed/presigned.json" 2>&1)")"
check job-off-list "$(grep -q "s3://other/out/off-list.webm: not on this service's list" "$tmp/q2/failed/off-list.json" &&
  ! grep -q off-list "$tmp/proxy.log" && echo ok || echo "$(cat "$tmp/q2/failed/off-list.json" 2>&1)")"
check job-no-list "$(grep -q 'no-list.webm: a URL output is not allowed here' "$tmp/q3/failed/no-list.json" &&
  [ "$(s3 GET out/no-list.webm)" = 404 ] && echo ok || echo "$(cat "$tmp/q3/failed/no-list.json" 2>&1)")"

finish test_s3
