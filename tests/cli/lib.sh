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
