#!/usr/bin/env bash
# posthog:// inputs and `reelay list posthog`, against a loopback stand-in of
# PostHog's recordings API (tests/support/posthog_api.py) serving our
# fixtures as blob_v2 blocks: info, frame and render read a recording
# exactly as they read the same events from a file (blocks fetched in
# ranges of at most 20 keys, 429 and 503 retried, long-term-storage
# recordings too); list pages through the results with a cursor or an
# offset and maps its filters to the API's; `list --urls | batch -`
# renders each; every failure (wrong key, unknown session, older storage,
# no data, wrong project) is one line naming the session and the step,
# exits non-zero, writes nothing and never shows the key; a job may name a
# posthog:// input only on a worker with --allow-url posthog.
set -u
reelay=$(realpath "${1:?usage: test_posthog_source.sh REELAY_BINARY}")
tmp=$(mktemp -d /tmp/reelay-posthog-test-XXXXXX)
# the stand-ins are started inside $(...), so they are no jobs of this shell: their pids are kept
trap 'kill $(cat "$tmp"/*.pid 2>/dev/null) 2>/dev/null; rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"
android=$PWD/fixtures/mobile/android-shop.blob.jsonl
ios=$PWD/fixtures/mobile/ios-notes.blob.jsonl
web=$PWD/fixtures/web/shop-checkout.compressed.jsonl # cv "2024-10" compressed payloads

key=phx_t0pSECRETkey
A=01900000-0000-7000-8000-00000000000a # android, listed
B=01900000-0000-7000-8000-00000000000b # ios, listed, with console errors
W=01900000-0000-7000-8000-00000000000c # web, listed
F=01900000-0000-7000-8000-00000000000f # android, 429 then 503 before its blocks come
L=01900000-0000-7000-8000-0000000000aa # ios in long-term storage (one blob_v2_lts source)
G=01900000-0000-7000-8000-0000000000bb # only legacy "blob" sources
E=01900000-0000-7000-8000-0000000000ee # no sources
sessions=("$A=$android" "$B=$ios,errors" "$W=$web" "$F=$android,flaky,unlisted" "$L=$ios,lts,unlisted"
  "$G=$android,legacy,unlisted" "$E=$android,empty,unlisted")

start_api() { # LOG PORTFILE [options]: a stand-in for project 7
  local log=$1 portfile=$2
  shift 2
  python3 tests/support/posthog_api.py "$@" "$log" 7 "$key" "${sessions[@]}" >"$portfile" &
  echo $! >"$portfile.pid"
  wait_port "$portfile"
}
port=$(start_api "$tmp/requests.log" "$tmp/port" --page-max 1)
export POSTHOG_HOST=http://127.0.0.1:$port POSTHOG_PROJECT_ID=7 POSTHOG_API_KEY=$key
leaks() { grep -l -e "$key" -e SECRET "$@" 2>/dev/null; }
requests_for() { grep -c "session_recordings/$1" "$tmp/requests.log"; }

# the same results as from the files
"$reelay" info "$android" --json >"$tmp/info-file.json"
"$reelay" info "posthog://$A" --json >"$tmp/info-ph.json" 2>"$tmp/info.err"
check info "$(cmp -s "$tmp/info-file.json" "$tmp/info-ph.json" && echo ok || echo "differs: $(cat "$tmp/info.err")")"
"$reelay" info "$web" --json >"$tmp/info-web-file.json"
"$reelay" info "posthog://$W" --json >"$tmp/info-web-ph.json" 2>"$tmp/info-web.err"
check info-compressed-web "$(cmp -s "$tmp/info-web-file.json" "$tmp/info-web-ph.json" && echo ok ||
  echo "differs: $(cat "$tmp/info-web.err")")"
"$reelay" render "$android" --to 3 -o "$tmp/file.webm" --quiet 2>/dev/null
"$reelay" render "posthog://$A" --to 3 -o "$tmp/ph.webm" --quiet 2>"$tmp/render.err"
check render "$([ -s "$tmp/file.webm" ] && cmp -s "$tmp/file.webm" "$tmp/ph.webm" && echo ok ||
  echo "differs: $(cat "$tmp/render.err")")"
(cd "$tmp" && "$reelay" render "posthog://$A" --to 3 --quiet 2>"$tmp/default.err")
check render-default-name "$(cmp -s "$tmp/file.webm" "$tmp/$A.webm" && echo ok ||
  echo "no $A.webm equal to the file's render: $(ls "$tmp") $(cat "$tmp/default.err")")"
"$reelay" frame "$android" --at 5 -o "$tmp/file.png" 2>/dev/null
"$reelay" frame "posthog://$A" --at 5 -o "$tmp/ph.png" 2>"$tmp/frame.err"
check frame "$(cmp -s "$tmp/file.png" "$tmp/ph.png" && echo ok || echo "differs: $(cat "$tmp/frame.err")")"

# how the recording was asked for: metadata, sources, then ranges of at most 20 keys, all with the key
ranges=$(grep "session_recordings/$A/snapshots?" "$tmp/requests.log" |
  sed 's/.*start_blob_key=\([0-9]*\)&end_blob_key=\([0-9]*\).*/\1-\2/' |
  sort -u | tr '\n' ' ')
check block-ranges "$([ "$ranges" = "0-19 20-35 " ] && echo ok || echo "ranges asked: $ranges")"
check metadata-first "$(grep "session_recordings/$A" "$tmp/requests.log" | head -2 | sed 's/ auth.*//' | tr '\n' ' ' |
  grep -qx "GET /api/projects/7/session_recordings/$A GET /api/projects/7/session_recordings/$A/snapshots " &&
  echo ok || echo "$(head -3 "$tmp/requests.log")")"
check key-sent "$([ "$(grep -vc 'auth=ok' "$tmp/requests.log")" -eq 0 ] && echo ok ||
  echo "$(grep -v auth=ok "$tmp/requests.log")")"

# 429 (Retry-After: 1) then 503, both retried
started=$SECONDS
"$reelay" render "posthog://$F" --to 3 -o "$tmp/flaky.webm" --quiet 2>"$tmp/flaky.err"
code=$?
statuses=$(grep "session_recordings/$F/snapshots?" "$tmp/requests.log" | sed 's/.*status=//' | tr '\n' ' ')
check retried-429-503 "$([ $code -eq 0 ] && cmp -s "$tmp/file.webm" "$tmp/flaky.webm" &&
  [ "$statuses" = "429 503 200 200 " ] && [ $((SECONDS - started)) -ge 1 ] && echo ok ||
  echo "exit $code, statuses $statuses: $(cat "$tmp/flaky.err")")"

# long-term storage: one blob_v2_lts file
"$reelay" info "$ios" --json >"$tmp/info-ios-file.json"
"$reelay" info "posthog://$L" --json >"$tmp/info-lts.json" 2>"$tmp/lts.err"
check lts "$(cmp -s "$tmp/info-ios-file.json" "$tmp/info-lts.json" &&
  grep -q "$L/snapshots?source=blob_v2_lts&blob_key=session_recordings%2Flts%2F$L auth=ok status=200" \
    "$tmp/requests.log" && echo ok || echo "$(cat "$tmp/lts.err") $(grep "$L" "$tmp/requests.log")")"

# fail NAME WANT_EXIT WANT_TEXT INPUT [render args]: one line with that text, no output, no key
fail() {
  local name=$1 want=$2 text=$3 input=$4
  shift 4
  "$reelay" render "$input" -o "$tmp/$name.webm" --quiet "$@" 2>"$tmp/$name.err"
  local code=$?
  check "$name" "$([ $code -eq "$want" ] && [ "$(wc -l <"$tmp/$name.err")" -eq 1 ] &&
    grep -qF -- "$text" "$tmp/$name.err" && [ -z "$(leaks "$tmp/$name.err")" ] && [ ! -e "$tmp/$name.webm" ] &&
    echo ok || echo "exit $code: $(cat "$tmp/$name.err")")"
}
nope=0190ffff-0000-7000-8000-000000000000
fail unknown-session 2 "reelay: posthog://$nope: metadata: no such recording in project 7" "posthog://$nope"
fail legacy-only 2 "posthog://$G: sources: no blob_v2 source, only \"blob\"" "posthog://$G"
fail no-sources 2 "posthog://$E: sources: no snapshot data" "posthog://$E"
fail bad-id 2 "posthog://a/b: not a PostHog session id" "posthog://a/b"
before=$(wc -l <"$tmp/requests.log")
said="posthog://$A: metadata: http://127.0.0.1:$port/api/projects/7/session_recordings/$A: HTTP status 401:"
said="$said Personal API key found in request Authorization header is invalid. (check POSTHOG_API_KEY"
POSTHOG_API_KEY=phx_wrongSECRET fail wrong-key 2 "$said" "posthog://$A"
check wrong-key-not-retried "$([ $(($(wc -l <"$tmp/requests.log") - before)) -eq 1 ] && echo ok ||
  echo "$(tail -3 "$tmp/requests.log")")"
POSTHOG_API_KEY= fail no-key 1 "posthog://$A: no PostHog API key: set POSTHOG_API_KEY" "posthog://$A"
POSTHOG_PROJECT_ID= fail no-project 1 "no PostHog project: set POSTHOG_PROJECT_ID" "posthog://$A"
fail other-project 2 "HTTP status 403: API key does not have access to the requested project: ID 8." "posthog://$A" \
  --posthog-project 8
fail too-large 2 "posthog://$A: blocks 0-19: the recording is larger than 20000 bytes (--max-input-bytes)" \
  "posthog://$A" --max-input-bytes 20000
dead=$(free_port)
POSTHOG_HOST=http://127.0.0.1:$dead "$reelay" info "posthog://$A" --posthog-host "http://127.0.0.1:$port/" \
  >/dev/null 2>"$tmp/host-flag.err"
check host-flag "$([ $? -eq 0 ] && echo ok || echo "$(cat "$tmp/host-flag.err")")"

# list: newest first, one id a line, paged (the stand-in gives one a page) by cursor
"$reelay" list posthog --since 2024-06-01 >"$tmp/list.txt" 2>"$tmp/list.err"
check list "$([ "$(tr '\n' ' ' <"$tmp/list.txt")" = "$W $B $A " ] && [ ! -s "$tmp/list.err" ] && echo ok ||
  echo "$(cat "$tmp/list.txt" "$tmp/list.err")")"
check list-cursor "$([ "$(grep -c 'session_recordings?limit=[0-9]*&after=' "$tmp/requests.log")" -eq 2 ] && echo ok ||
  echo "$(grep 'session_recordings?' "$tmp/requests.log")")"
"$reelay" list posthog --since 2024-06-01 --limit 2 --urls >"$tmp/list2.txt" 2>&1
check list-limit-urls "$([ "$(tr '\n' ' ' <"$tmp/list2.txt")" = "posthog://$W posthog://$B " ] && echo ok ||
  echo "$(cat "$tmp/list2.txt")")"
"$reelay" list posthog >"$tmp/list-default.txt" 2>&1
check list-default-3-days "$([ ! -s "$tmp/list-default.txt" ] && echo ok || echo "$(cat "$tmp/list-default.txt")")"
listing() { "$reelay" list posthog --since 2024-06-01 "$@" 2>&1 | tr '\n' ' '; }
check list-with-errors "$([ "$(listing --with-errors)" = "$B " ] && echo ok || echo "$(listing --with-errors)")"
check list-min-duration "$([ "$(listing --min-duration 45)" = "$A " ] &&
  [ "$(listing --min-duration 0:35)" = "$W $A " ] &&
  echo ok || echo "$(listing --min-duration 45) / $(listing --min-duration 0:35)")"
person=01900001-0000-7000-8000-000000000001 # the stand-in's person of its first recording
check list-person "$([ "$(listing --person $person)" = "$A " ] && [ "$(listing --distinct-id user-2)" = "$B " ] &&
  echo ok || echo "$(listing --person $person) / $(listing --distinct-id user-2)")"
check list-until "$([ "$(listing --until 2024-06-10T06:30:00Z)" = "$A " ] && echo ok ||
  echo "$(listing --until 2024-06-10T06:30:00Z)")"
"$reelay" list posthog --since yesterday >/dev/null 2>"$tmp/list-bad.err"
check list-bad-date "$([ $? -eq 1 ] && grep -q "bad --since 'yesterday'" "$tmp/list-bad.err" && echo ok ||
  echo "$(cat "$tmp/list-bad.err")")"
POSTHOG_API_KEY=phx_wrongSECRET "$reelay" list posthog --since 2024-06-01 >"$tmp/list-key.out" 2>"$tmp/list-key.err"
code=$?
check list-wrong-key "$([ $code -eq 2 ] && [ ! -s "$tmp/list-key.out" ] && [ "$(wc -l <"$tmp/list-key.err")" -eq 1 ] &&
  grep -q 'reelay list: posthog list, page 1: .*HTTP status 401' "$tmp/list-key.err" &&
  [ -z "$(leaks "$tmp/list-key.err")" ] &&
  echo ok || echo "exit $code: $(cat "$tmp/list-key.err")")"
# offset paging, for a server without next_cursor
oport=$(start_api "$tmp/offset.log" "$tmp/oport" --page-max 2 --no-cursor)
POSTHOG_HOST=http://127.0.0.1:$oport "$reelay" list posthog --since 2024-06-01 --limit 0 >"$tmp/list-offset.txt" 2>&1
check list-offset "$([ "$(tr '\n' ' ' <"$tmp/list-offset.txt")" = "$W $B $A " ] &&
  grep -q 'session_recordings?limit=100&offset=2&' "$tmp/offset.log" && echo ok ||
  echo "$(cat "$tmp/list-offset.txt" "$tmp/offset.log")")"

# list | batch -: each listed recording rendered; names from standard input (blank lines, comments skipped);
# the web one as the interaction view, which needs no page engine
"$reelay" list posthog --since 2024-06-01 --urls --min-duration 20 | { echo; echo "# from reelay list"; cat; } |
  "$reelay" batch - -o "$tmp/batch" --to 3 -j 2 --web-view interaction 2>"$tmp/batch.log"
code=$?
check list-batch "$([ $code -eq 0 ] && cmp -s "$tmp/file.webm" "$tmp/batch/$A.webm" && [ -s "$tmp/batch/$B.webm" ] &&
  [ -s "$tmp/batch/$W.webm" ] && [ "$(wc -l <"$tmp/batch/results.jsonl")" -eq 3 ] && echo ok ||
  echo "exit $code: $(ls "$tmp/batch") $(tail -5 "$tmp/batch.log")")"
: | "$reelay" batch - -o "$tmp/batch-none" 2>"$tmp/batch-none.err"
check batch-empty-list "$([ $? -eq 1 ] && grep -q 'standard input named none' "$tmp/batch-none.err" && echo ok ||
  echo "$(cat "$tmp/batch-none.err")")"
check logs-clean "$([ -z "$(leaks "$tmp"/*.err "$tmp"/*.log "$tmp"/*.txt)" ] && echo ok ||
  echo "key in $(leaks "$tmp"/*.err "$tmp"/*.log "$tmp"/*.txt)")"

# a job may not make a worker read posthog:// (no --allow-url posthog): refused before any request
before=$(wc -l <"$tmp/requests.log")
printf '{"id":"ph","input":"posthog://%s","output":"%s"}\n' "$A" "$tmp/job.webm" >"$tmp/job.json"
"$reelay" submit --queue "dir:$tmp/q" "$tmp/job.json" >/dev/null 2>&1
"$reelay" worker --queue "dir:$tmp/q" --exit-when-empty 2>"$tmp/worker.log"
check job-refused "$([ -e "$tmp/q/failed/ph.json" ] &&
  grep -q 'a URL input is not allowed here' "$tmp/q/failed/ph.json" &&
  [ "$(wc -l <"$tmp/requests.log")" -eq "$before" ] && [ ! -e "$tmp/job.webm" ] && echo ok ||
  echo "$(ls -R "$tmp/q") $(cat "$tmp/worker.log")")"

# ...but may with it: the worker reads the recording with the operator's settings (the job names only the session)
printf '{"id":"ph-allowed","input":"posthog://%s","output":"%s","options":{"to":3}}\n' "$A" "$tmp/job-allowed.webm" \
  >"$tmp/job-allowed.json"
"$reelay" submit --queue "dir:$tmp/q" "$tmp/job-allowed.json" >/dev/null 2>&1
"$reelay" worker --queue "dir:$tmp/q" --exit-when-empty --allow-url posthog 2>"$tmp/worker-allowed.log"
check job-allowed "$(cmp -s "$tmp/file.webm" "$tmp/job-allowed.webm" && [ -e "$tmp/q/done/ph-allowed.json" ] &&
  [ -z "$(leaks "$tmp/worker-allowed.log" "$tmp/q/done/ph-allowed.json")" ] && echo ok ||
  echo "$(ls -R "$tmp/q") $(cat "$tmp/worker-allowed.log" "$tmp/q/failed/ph-allowed.json" 2>&1)")"

finish posthog-source
