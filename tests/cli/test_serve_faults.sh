#!/usr/bin/env bash
# `reelay serve` against slow clients and a queue that goes away:
#  1. 300 slowloris connections (idle, half a request head, a head trickled a
#     byte a second, a body trickled a byte a second), first from one address
#     (127.0.0.1), then spread over 249 (127.0.0.2-250), while /healthz and a
#     job's status are asked for from another address (127.0.0.254) every
#     0.2 s and must each be answered within 1 s; the per-address cap refuses
#     the surplus at once and every slow connection is cut near the 10 s
#     header timeout (or the body rate);
#  2. Redis killed under the server: 20 concurrent status requests are all
#     answered (503 with Retry-After) within 3.5 s, /healthz within 1 s, and
#     the server is back once Redis is.
# Prints the figures (latencies under attack, answers with Redis down).
set -u
reelay=$(realpath "${1:?usage: test_serve_faults.sh REELAY_BINARY}")
tmp=$(mktemp -d /tmp/reelay-serve-faults-XXXXXX)
server_pid="" redis_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
  [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
. "$(dirname "$0")/lib.sh"

# The clients: raw sockets bound to chosen loopback addresses, which curl
# cannot trickle from.
cat >"$tmp/clients.py" <<'PYTHON'
#!/usr/bin/env python3
"""Hostile and probing HTTP clients for tests/cli/test_serve_faults.sh.

  clients.py attack PORT SECONDS COUNT SOURCES
      keeps COUNT slow connections open for SECONDS, reconnecting each as
      the server closes it, from SOURCES ("127.0.0.1" or a range
      "127.0.0.2-127.0.0.250"); the kinds take turns: idle (connects and
      sends nothing), half (half a request head, then nothing), trickle (a
      head one byte a second, never finished), body (a complete POST head
      announcing 1 MB, then one byte of body a second). Prints one JSON
      object: per kind, the connections the server held (open > 0.5 s) and
      cut, the longest time it held one, and the connections refused at
      once; and the most held at any moment.

  clients.py probe PORT SECONDS SOURCE PATH...
      requests each PATH in turn from SOURCE, a new connection each, every
      0.2 s for SECONDS, allowing 1 s each; prints the statuses and the
      latencies (connect to full reply) as JSON.
"""
import ipaddress
import json
import selectors
import socket
import sys
import time

KINDS = ("idle", "half", "trickle", "body")
HEAD = b"GET /healthz HTTP/1.1\r\nHost: reelay\r\n"
TRICKLE = HEAD + b"X-Padding: " + b"a" * 400 + b"\r\n"  # never ends within a test
BODY = (b"POST /v1/jobs HTTP/1.1\r\nHost: reelay\r\nContent-Type: application/octet-stream\r\n"
        b"Content-Length: 1000000\r\n\r\n")
RECONNECT_S = 0.5
HELD_S = 0.5  # open this long: the server accepted and kept it


def sources(text):
    if "-" not in text:
        return [text]
    first, last = (ipaddress.IPv4Address(a) for a in text.split("-"))
    return [str(ipaddress.IPv4Address(n)) for n in range(int(first), int(last) + 1)]


class Slot:
    def __init__(self, index, source):
        self.kind = KINDS[index % len(KINDS)]
        self.source = source
        self.sock = None
        self.opened = 0.0
        self.next_send = 0.0
        self.sent = 0
        self.reconnect_at = 0.0


def attack(port, seconds, count, source_text):
    addresses = sources(source_text)
    slots = [Slot(i, addresses[i % len(addresses)]) for i in range(count)]
    stats = {k: {"held": 0, "refused": 0, "longest_s": 0.0, "connect_errors": 0} for k in KINDS}
    selector = selectors.DefaultSelector()
    most_open = 0
    end = time.monotonic() + seconds

    def closed(slot, now):
        lived = now - slot.opened
        entry = stats[slot.kind]
        if lived >= HELD_S:
            entry["held"] += 1
            entry["longest_s"] = max(entry["longest_s"], round(lived, 2))
        else:
            entry["refused"] += 1
        selector.unregister(slot.sock)
        slot.sock.close()
        slot.sock = None
        slot.reconnect_at = now + RECONNECT_S

    def send_due(slot, now):
        data = {"idle": b"", "half": HEAD, "trickle": TRICKLE, "body": BODY}[slot.kind]
        if slot.kind in ("half", "body") and slot.sent < len(data):
            piece = data[slot.sent:]
        elif slot.kind == "trickle" and slot.sent < len(data) and now >= slot.next_send:
            piece = data[slot.sent:slot.sent + 1]
        elif slot.kind == "body" and now >= slot.next_send:
            piece = b"x"
        else:
            return
        try:
            slot.sent += slot.sock.send(piece)
            slot.next_send = now + 1.0
        except BlockingIOError:
            pass
        except OSError:
            closed(slot, now)

    while True:
        now = time.monotonic()
        if now >= end:
            break
        for slot in slots:
            if slot.sock is None and now >= slot.reconnect_at:
                sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                try:
                    sock.bind((slot.source, 0))
                    sock.setblocking(False)
                    sock.connect_ex(("127.0.0.1", port))
                except OSError:
                    stats[slot.kind]["connect_errors"] += 1
                    sock.close()
                    slot.reconnect_at = now + RECONNECT_S
                    continue
                slot.sock, slot.opened, slot.sent, slot.next_send = sock, now, 0, now + 0.2
                selector.register(sock, selectors.EVENT_READ, slot)
        for key, _ in selector.select(timeout=0.05):
            slot = key.data
            try:
                if slot.sock.recv(4096):
                    continue
            except BlockingIOError:
                continue
            except OSError:
                pass
            closed(slot, time.monotonic())
        now = time.monotonic()
        held = 0
        for slot in slots:
            if slot.sock is not None:
                send_due(slot, now)
            if slot.sock is not None and now - slot.opened >= HELD_S:
                held += 1
        most_open = max(most_open, held)
    for slot in slots:
        if slot.sock is not None:
            slot.sock.close()
    print(json.dumps({"kinds": stats, "most_held_at_once": most_open}))


def get(port, source, path):
    """(status, seconds): status 0 when there was no reply within 1 s."""
    started = time.monotonic()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.settimeout(1.0)
    status = 0
    try:
        sock.bind((source, 0))
        sock.connect(("127.0.0.1", port))
        sock.sendall(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: reelay\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            piece = sock.recv(65536)
            if not piece:
                break
            data += piece
        if data.startswith(b"HTTP/1.1 "):
            status = int(data[9:12])
    except OSError:
        status = 0
    finally:
        sock.close()
    return status, time.monotonic() - started


def probe(port, seconds, source, paths):
    results = []
    end = time.monotonic() + seconds
    i = 0
    while time.monotonic() < end:
        path = paths[i % len(paths)]
        status, took = get(port, source, path)
        results.append({"path": path, "status": status, "s": round(took, 4)})
        i += 1
        time.sleep(0.2)
    latencies = sorted(r["s"] for r in results)
    print(json.dumps({
        "requests": len(results),
        "failed": [r for r in results if r["status"] != 200 or r["s"] > 1.0],
        "max_s": latencies[-1] if latencies else None,
        "median_s": latencies[len(latencies) // 2] if latencies else None,
    }))


def main(argv):
    if len(argv) >= 6 and argv[1] == "attack":
        attack(int(argv[2]), float(argv[3]), int(argv[4]), argv[5])
    elif len(argv) >= 6 and argv[1] == "probe":
        probe(int(argv[2]), float(argv[3]), argv[4], argv[5:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
PYTHON

# field FILE EXPR: a Python expression over the JSON document d in FILE.
field() { python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2" 2>/dev/null; }

# start_serve NAME ARGS...: `reelay serve` in the background on a free port;
# sets server_pid and url.
start_serve() {
  local name=$1 port="" _
  shift
  "$reelay" serve --listen 127.0.0.1:0 "$@" 2>"$tmp/$name.err" &
  server_pid=$!
  for _ in $(seq 1 100); do
    port=$(sed -n 's|^reelay serve: listening on http://127\.0\.0\.1:\([0-9]*\) .*|\1|p' "$tmp/$name.err")
    [ -n "$port" ] && break
    sleep 0.1
  done
  url=http://127.0.0.1:$port
  [ -n "$port" ]
}
stop_serve() { kill -TERM "$server_pid"; wait "$server_pid"; local code=$?; server_pid=""; return $code; }
port_of() { echo "${url##*:}"; }

# ==== 1. slowloris ====
if start_serve s1 --queue "dir:$tmp/q" --output-dir "$tmp/out"; then
  check limits-line "$(grep -q 'at most [0-9]* connections, 16 per client address' "$tmp/s1.err" && echo ok || echo "$(cat "$tmp/s1.err")")"
  code=$(curl -s -o "$tmp/posted.json" -w '%{http_code}' -H 'Content-Type: application/octet-stream' \
    --data-binary @fixtures/mobile/android-shop.blob.jsonl "$url/v1/jobs?id=probed")
  check job-queued "$([ "$code" = 202 ] && echo ok || echo "status $code: $(cat "$tmp/posted.json")")"

  # attack NAME SOURCES: 300 slow connections for 13 s, probed meanwhile.
  attack() {
    python3 "$tmp/clients.py" attack "$(port_of)" 13 300 "$2" >"$tmp/$1-attack.json" &
    local attacker=$!
    sleep 0.5
    python3 "$tmp/clients.py" probe "$(port_of)" 12 127.0.0.254 /healthz /v1/jobs/probed >"$tmp/$1-probe.json"
    wait "$attacker"
    check "$1-answered" "$([ "$(field "$tmp/$1-probe.json" 'len(d["failed"]) == 0 and d["requests"] > 40')" = True ] &&
      echo ok || echo "$(cat "$tmp/$1-probe.json")")"
    check "$1-cut" "$([ "$(field "$tmp/$1-attack.json" 'all(0 < k["held"] and k["longest_s"] < 12 for k in d["kinds"].values())')" = True ] &&
      echo ok || echo "slow connections held too long or never cut: $(cat "$tmp/$1-attack.json")")"
    echo "figures $1: probes $(field "$tmp/$1-probe.json" '"%d requests, median %.1f ms, max %.1f ms" % (d["requests"], 1000 * d["median_s"], 1000 * d["max_s"])');" \
      "slow connections held at most $(field "$tmp/$1-attack.json" 'max(k["longest_s"] for k in d["kinds"].values())') s," \
      "$(field "$tmp/$1-attack.json" 'd["most_held_at_once"]') at once," \
      "$(field "$tmp/$1-attack.json" 'sum(k["refused"] for k in d["kinds"].values())') refused at once"
  }
  attack one-address 127.0.0.1
  check one-address-capped "$([ "$(field "$tmp/one-address-attack.json" 'd["most_held_at_once"] <= 16 and all(k["refused"] > 0 for k in d["kinds"].values())')" = True ] &&
    echo ok || echo "$(cat "$tmp/one-address-attack.json")")"
  attack many-addresses 127.0.0.2-127.0.0.250
  check many-addresses-held "$([ "$(field "$tmp/many-addresses-attack.json" 'd["most_held_at_once"] >= 290')" = True ] &&
    echo ok || echo "not all accepted: $(cat "$tmp/many-addresses-attack.json")")"

  curl -s "$url/metrics" >"$tmp/metrics"
  check cut-counted "$(grep -q '^reelay_http_connections_cut_total{phase="head"} [1-9]' "$tmp/metrics" &&
    grep -q '^reelay_http_connections_cut_total{phase="body"} [1-9]' "$tmp/metrics" && echo ok || echo "$(grep cut "$tmp/metrics")")"
  sleep 0.5
  check no-partial-uploads "$([ "$(ls -A "$tmp/out/uploads")" = probed.rec ] && echo ok || echo "left: $(ls -A "$tmp/out/uploads")")"
  code=$(curl -s -o /dev/null -w '%{http_code}' "$url/healthz")
  check after-attack "$([ "$code" = 200 ] && echo ok || echo "status $code")"
  stop_serve; code=$?
  check s1-stop "$([ $code -eq 0 ] && echo ok || echo "exit $code")"
else
  check s1-start "did not start: $(cat "$tmp/s1.err")"
fi

# ==== 2. Redis killed under the server ====
if ! command -v redis-server >/dev/null; then
  check redis "redis-server is not installed: run scripts/install-deps.sh"
  finish test_serve_faults
  exit
fi
rport=$(free_port)
start_redis() {
  redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no --daemonize no >>"$tmp/redis.log" 2>&1 &
  redis_pid=$!
  local _
  for _ in $(seq 1 100); do redis-cli -p "$rport" ping >/dev/null 2>&1 && return 0; sleep 0.05; done
  return 1
}
if start_redis && start_serve s2 --queue "redis://127.0.0.1:$rport/0" --output-dir "$tmp/out2"; then
  code=$(curl -s -o "$tmp/r-posted.json" -w '%{http_code}' -H 'Content-Type: application/octet-stream' \
    --data-binary @fixtures/mobile/android-shop.blob.jsonl "$url/v1/jobs?id=r1")
  check redis-job-queued "$([ "$code" = 202 ] && echo ok || echo "status $code: $(cat "$tmp/r-posted.json")")"
  kill -KILL "$redis_pid"
  wait "$redis_pid" 2>/dev/null
  redis_pid=""
  # From 20 addresses: one would meet the per-client cap of 16.
  clients=()
  for i in $(seq 1 20); do
    curl -s -m 30 --interface "127.0.1.$i" -D "$tmp/status-$i.head" -o "$tmp/status-$i.json" -w '%{http_code} %{time_total}\n' \
      "$url/v1/jobs/r1" >"$tmp/status-$i.out" &
    clients+=($!)
  done
  sleep 0.3 # while they wait
  health=$(curl -s -m 30 --interface 127.0.0.254 -o /dev/null -w '%{http_code} %{time_total}' "$url/healthz")
  wait "${clients[@]}"
  answers=$(cat "$tmp"/status-*.out)
  check redis-down-all-503 "$([ "$(echo "$answers" | grep -c '^503 ')" = 20 ] && echo ok || echo "answers: $answers")"
  check redis-down-prompt "$(echo "$answers" | awk '$2 > 3.5 { slow++ } END { print slow ? slow " took over 3.5 s" : "ok" }')"
  check redis-down-retry-after "$([ "$(grep -il '^retry-after: [0-9]' "$tmp"/status-*.head | wc -l)" = 20 ] && echo ok ||
    echo "$(cat "$tmp/status-1.head")")"
  check redis-down-says-why "$(grep -q 'Connection refused' "$tmp"/status-*.json && echo ok || echo "$(cat "$tmp/status-1.json")")"
  check redis-down-healthz "$(echo "$health" | awk '$1 == 200 && $2 <= 1 { ok = 1 } END { print ok ? "ok" : "healthz: '"$health"'" }')"
  echo "figures redis-down: 20 concurrent status requests answered in $(echo "$answers" | sort -k2 -n | awk 'NR == 1 { lo = $2 } { hi = $2 } END { print lo " to " hi " s" }')" \
    "($(echo "$answers" | awk '$2 < 0.5' | wc -l) at once); /healthz meanwhile $(echo "$health" | cut -d' ' -f2) s"
  # Back with Redis (empty: it kept nothing): the next request tries the
  # queue again and gets through.
  start_redis
  code=$(curl -s -m 30 -o "$tmp/r-back.json" -w '%{http_code}' -H 'Content-Type: application/octet-stream' \
    --data-binary @fixtures/mobile/android-shop.blob.jsonl "$url/v1/jobs?id=r2")
  check redis-back "$([ "$code" = 202 ] && echo ok || echo "status $code: $(cat "$tmp/r-back.json")")"
  code=$(curl -s -m 30 -o "$tmp/r-back-status.json" -w '%{http_code}' "$url/v1/jobs/r2")
  check redis-back-status "$([ "$code" = 200 ] && echo ok || echo "status $code: $(cat "$tmp/r-back-status.json")")"
  stop_serve; code=$?
  check s2-stop "$([ $code -eq 0 ] && echo ok || echo "exit $code: $(tail -c 300 "$tmp/s2.err")")"
else
  check s2-start "did not start: $(tail -3 "$tmp/redis.log") $(cat "$tmp/s2.err" 2>/dev/null)"
fi

finish test_serve_faults
