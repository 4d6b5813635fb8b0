#!/usr/bin/env bash
# `reelay batch`: many recordings in parallel processes, a results file, a
# non-zero exit listing failures, no partial outputs — also when a render
# process is killed.
set -u
reelay=$(realpath "${1:?usage: test_batch.sh REELAY_BINARY}")
tmp=$(mktemp -d /tmp/reelay-batch-test-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"

# Three good recordings (mobile, web, portable) and a broken one, two at a time.
"$reelay" batch fixtures/mobile/android-shop.blob.jsonl fixtures/web/shop-checkout.rrweb.json \
  fixtures/bad/truncated.json fixtures/portable/signup.json -o "$tmp/out" -j 2 --fps 4 \
  >"$tmp/mixed.out" 2>"$tmp/mixed.err"
code=$?
check mixed-exit "$([ "$code" -eq 2 ] && echo ok || echo "exit $code, expected 2 (the broken input's code)")"
check mixed-results "$(python3 - "$tmp/out/results.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
by = {r["id"]: r for r in rows}
want = {"android-shop": "done", "shop-checkout": "done", "signup": "done", "truncated": "failed"}
problems = [k for k, v in want.items() if by.get(k, {}).get("status") != v]
t = by.get("truncated", {})
if t.get("error", {}).get("code") != "input" or "truncated.json" not in t.get("error", {}).get("message", ""):
    problems.append("truncated error %r" % t.get("error"))
for r in rows:
    if r["status"] == "done" and (len(r["sha256"]) != 64 or r["frames"] < 1 or r["bytes"] < 1000):
        problems.append("result of %s incomplete" % r["id"])
print("ok" if len(rows) == 4 and not problems else "rows %d, problems %s" % (len(rows), problems))
PY
)"
for name in android-shop shop-checkout signup; do
  n=$(frames "$tmp/out/$name.webm")
  check "output-$name" "$([ "${n:-0}" -gt 10 ] && echo ok || echo "$tmp/out/$name.webm has '${n}' frames")"
done
check no-broken-output "$([ ! -e "$tmp/out/truncated.webm" ] && echo ok || echo 'wrote truncated.webm')"
check no-partials "$(ls "$tmp/out" | grep -q partial && echo "left $(ls "$tmp/out")" || echo ok)"
check failure-listed "$(grep -q 'failures:' "$tmp/mixed.err" && grep -q 'truncated (fixtures/bad/truncated.json)' "$tmp/mixed.err" && echo ok || echo "stderr: $(cat "$tmp/mixed.err")")"
check table "$(grep -qE '^android-shop +done' "$tmp/mixed.err" && echo ok || echo 'no table row')"
check quiet-stdout "$([ -s "$tmp/mixed.out" ] && echo 'printed on stdout' || echo ok)"

# All good: exit 0, and the same bytes as `reelay render` with the same options.
"$reelay" batch fixtures/mobile/ios-notes.blob.jsonl -o "$tmp/one" -j1 --fps 4 --threads 2 --format mp4 2>"$tmp/one.err"
code=$?
"$reelay" render fixtures/mobile/ios-notes.blob.jsonl -o "$tmp/ios.mp4" --fps 4 --threads 2 --quiet
check all-good "$([ "$code" -eq 0 ] && cmp -s "$tmp/one/ios-notes.mp4" "$tmp/ios.mp4" && echo ok || echo "exit $code or bytes differ from render")"

# Usage errors.
"$reelay" batch -o "$tmp/u" 2>"$tmp/u.err"; code=$?
check no-inputs "$([ "$code" -eq 1 ] && grep -q 'no INPUTS' "$tmp/u.err" && echo ok || echo "exit $code")"
"$reelay" batch fixtures/mobile/ios-notes.blob.jsonl 2>"$tmp/u.err"; code=$?
check no-dir "$([ "$code" -eq 1 ] && grep -q -- '-o DIR' "$tmp/u.err" && echo ok || echo "exit $code")"
"$reelay" batch fixtures/mobile/ios-notes.blob.jsonl -o "$tmp/u" --poster p.png 2>"$tmp/u.err"; code=$?
check no-poster "$([ "$code" -eq 1 ] && echo ok || echo "exit $code")"
"$reelay" batch fixtures/mobile/ios-notes.blob.jsonl -o "$tmp/u" -j 0 2>"$tmp/u.err"; code=$?
check bad-j "$([ "$code" -eq 1 ] && echo ok || echo "exit $code")"

# A render process killed mid-way: its recording fails with the signal
# named, no partial file stays, and the other recording still renders.
"$reelay" batch fixtures/mobile/android-shop.blob.jsonl fixtures/mobile/ios-notes.blob.jsonl -o "$tmp/kill" -j 2 \
  --no-skip-idle --fps 30 2>"$tmp/kill.err" &
batch_pid=$!
# Renders write to unnamed temporary files: wait for both render processes,
# then a moment into their work.
for _ in $(seq 1 200); do
  [ "$(ps -o pid= --ppid "$batch_pid" | wc -l)" -ge 2 ] && break
  sleep 0.05
done
sleep 0.5
# Children start in input order: the first (lowest pid) renders android-shop.
first=$(ps -o pid= --ppid "$batch_pid" | sort -n | head -1)
[ -n "$first" ] && kill -9 $first
wait "$batch_pid"; code=$?
check killed-exit "$([ "$code" -eq 4 ] && echo ok || echo "exit $code, expected 4 (internal)")"
check killed-result "$(python3 - "$tmp/kill/results.jsonl" <<'PY'
import json, sys
by = {r["id"]: r for r in map(json.loads, open(sys.argv[1]))}
a, i = by.get("android-shop", {}), by.get("ios-notes", {})
ok = a.get("status") == "failed" and "signal 9" in a.get("error", {}).get("message", "") and i.get("status") == "done"
print("ok" if ok else "results %r" % by)
PY
)"
check killed-no-partial "$(ls "$tmp/kill" | grep -q partial && echo "left $(ls "$tmp/kill")" || echo ok)"

finish test_batch
