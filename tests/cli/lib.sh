# lib.sh — what the CLI test scripts share: counted checks, the summary that
# becomes the script's exit status, and small probes. Sourced, never run:
#   . "$(dirname "$0")/lib.sh"
pass=0 fail=0

# check NAME RESULT: RESULT "ok" passes; anything else is why NAME failed.
check() {
  if [ "$2" = ok ]; then pass=$((pass + 1)); else echo "FAIL $1: $2"; fail=$((fail + 1)); fi
}

# finish [NAME]: prints the counts; succeeds only when no check failed.
finish() {
  echo "${1:+$1: }$pass passed, $fail failed"
  [ "$fail" -eq 0 ]
}

# frames VIDEO: the packets of its first video stream (empty when unreadable).
frames() { ffprobe -v error -count_packets -select_streams v:0 -show_entries stream=nb_read_packets -of csv=p=0 "$1" 2>/dev/null; }

# free_port: a local TCP port nothing listens on at this moment.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# wait_port FILE: the port a server printed on its first line
wait_port() { local _; for _ in $(seq 1 100); do [ -s "$1" ] && break; sleep 0.05; done; head -1 "$1"; }

# start_s3 DIR BUCKET: a real S3-compatible server on loopback (s3rver, from
# third_party/npm) with BUCKET, behind tests/support/s3_proxy.py, which checks
# every request's AWS Signature V4 (s3rver checks only the access key id).
# Sets s3port (s3rver itself) and proxy, logs to DIR/proxy.log, and exports
# the AWS_* settings that lead reelay through the proxy. Fails the script
# when s3rver is missing (scripts/install-deps.sh installs it).
start_s3() {
  local s3rver=$PWD/third_party/npm/node_modules/.bin/s3rver _
  if [ ! -x "$s3rver" ]; then
    echo "FAIL s3rver is not installed: run scripts/install-deps.sh"
    exit 1
  fi
  s3_bucket=$2
  s3port=$(free_port)
  mkdir -p "$1/s3data"
  "$s3rver" -d "$1/s3data" -a 127.0.0.1 -p "$s3port" --configure-bucket "$2" --silent >"$1/s3rver.log" 2>&1 &
  for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$s3port") 2>/dev/null && break; sleep 0.1; done
  python3 tests/support/s3_proxy.py --log "$1/proxy.log" --upstream "$s3port" --key S3RVER:S3RVER >"$1/proxy.port" &
  proxy=$(wait_port "$1/proxy.port")
  export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_ENDPOINT_URL="http://127.0.0.1:$proxy"
  export AWS_REGION=eu-west-3
  unset AWS_SESSION_TOKEN AWS_DEFAULT_REGION REELAY_S3_PART_SIZE
}

# s3 METHOD KEY [FILE]: a signed request straight to s3rver's bucket (GET
# into FILE, PUT from FILE); prints the status
s3() {
  local body=(-o /dev/null)
  [ "$1" = GET ] && [ -n "${3:-}" ] && body=(-o "$3")
  [ "$1" = PUT ] && body=(-o /dev/null -T "$3")
  curl -s "${body[@]}" -w '%{http_code}' --aws-sigv4 aws:amz:eu-west-3:s3 -u S3RVER:S3RVER -X "$1" \
    -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' "http://127.0.0.1:$s3port/$s3_bucket/$2"
}

# serve_url LOG: the http://127.0.0.1:PORT that `reelay serve --listen
# 127.0.0.1:0 ... 2>LOG` says it listens on (empty when it never does).
serve_url() {
  local url="" _
  for _ in $(seq 1 100); do
    url=$(sed -n 's|^reelay serve: listening on \(http://127\.0\.0\.1:[0-9]*\) .*|\1|p' "$1")
    [ -n "$url" ] && break
    sleep 0.1
  done
  echo "$url"
}
