#!/usr/bin/env bash
# Self-contained archives: `render --attach-recording` stores the recording
# (gzip-compressed, as read) and the manifest in a .mkv as Matroska
# attachments; `info` and `render` read such a video as their input, and
# `extract` writes the recording back out, byte for byte. Bad uses are one
# clear line, a non-zero exit and no output.
set -u
reelay=${1:?usage: test_archive.sh REELAY_BINARY}
tmp=$(mktemp -d /tmp/reelay-archive-test-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"
plain=fixtures/mobile/android-shop.blob.jsonl
gz=fixtures/mobile/android-shop.blob.jsonl.gz
web=fixtures/web/shop-checkout.rrweb.json

# attachments of VIDEO as "filename|mimetype|title" lines
attachments() {
  ffprobe -v error -select_streams t -show_entries stream_tags=filename,mimetype,title -of csv=p=0:s='|' "$1" 2>/dev/null
}

"$reelay" render "$plain" --to 4 -o "$tmp/plain.mkv" --attach-recording --quiet 2>"$tmp/err"
code=$?
list=$(attachments "$tmp/plain.mkv")
check attached "$([ $code -eq 0 ] && [ "$list" = "android-shop.blob.jsonl.gz|application/gzip|reelay: the recording, gzip-compressed
manifest.json|application/json|reelay: the render's manifest" ] && echo ok || echo "exit $code, attachments: $list $(cat "$tmp/err")")"
check still-plays "$([ "$(frames "$tmp/plain.mkv")" = 96 ] && echo ok || echo "$(frames "$tmp/plain.mkv") frames, expected 96")"

# the recording comes back out byte for byte: compressed by reelay when it was plain...
"$reelay" extract "$tmp/plain.mkv" -o "$tmp/plain.json.gz" 2>"$tmp/err"
check extract-plain "$(gunzip -c "$tmp/plain.json.gz" 2>/dev/null | cmp -s - "$plain" && echo ok ||
  echo "differs from $plain: $(cat "$tmp/err")")"
# ...and exactly as read when it was gzip already
"$reelay" render "$gz" --to 4 -o "$tmp/gz.mkv" --attach-recording --quiet 2>/dev/null
"$reelay" extract "$tmp/gz.mkv" -o - >"$tmp/gz-out.gz" 2>"$tmp/err"
check extract-gzip "$(cmp -s "$tmp/gz-out.gz" "$gz" && echo ok || echo "differs from $gz: $(cat "$tmp/err")")"

# the attached manifest: the render's options and timeline, no output section
(cd "$tmp" && ffmpeg -v error -y -dump_attachment:t "" -i gz.mkv -f null - 2>/dev/null)
check manifest "$(python3 - "$tmp/manifest.json" <<'PY'
import json, sys
try:
    m = json.load(open(sys.argv[1]))
except Exception as e:
    print("no manifest attachment: %s" % e); sys.exit()
ok = m["options"]["attach_recording"] is True and "timeline" in m and "output" not in m and m["options"]["codec"] == "vp9"
print("ok" if ok else "unexpected manifest: %s" % sorted(m))
PY
)"

# info and render read the archive as the recording itself
"$reelay" info "$plain" | tail -n +2 >"$tmp/info-orig"
"$reelay" info "$tmp/plain.mkv" | tail -n +2 >"$tmp/info-mkv"
check info "$(cmp -s "$tmp/info-orig" "$tmp/info-mkv" && echo ok || echo "info differs: $(diff "$tmp/info-orig" "$tmp/info-mkv" | head -5)")"
"$reelay" render "$plain" --to 4 -o "$tmp/orig.webm" --quiet 2>/dev/null
"$reelay" render "$tmp/plain.mkv" --to 4 -o "$tmp/again.webm" --quiet 2>"$tmp/err"
check rerender "$(cmp -s "$tmp/orig.webm" "$tmp/again.webm" && echo ok || echo "not the same video: $(cat "$tmp/err")")"

# an archive of an archive carries the same recording (stored under a neutral name)
"$reelay" render "$tmp/plain.mkv" --to 4 -o "$tmp/second.mkv" --attach-recording --quiet 2>/dev/null
"$reelay" extract "$tmp/second.mkv" -o "$tmp/second.json.gz" 2>/dev/null
check second-generation "$(cmp -s "$tmp/second.json.gz" "$tmp/plain.json.gz" &&
  attachments "$tmp/second.mkv" | grep -q '^recording.json.gz|' && echo ok || echo 'the recording changed')"

# deterministic: the same archive twice
"$reelay" render "$plain" --to 4 -o "$tmp/plain2.mkv" --attach-recording --quiet 2>/dev/null
check deterministic "$(cmp -s "$tmp/plain.mkv" "$tmp/plain2.mkv" && echo ok || echo 'two archives differ')"

# masked inputs stay masked: the web recording's redacted values are attached as recorded
"$reelay" render "$web" --web-view interaction --to 3 -o "$tmp/web.mkv" --attach-recording --quiet 2>/dev/null
"$reelay" extract "$tmp/web.mkv" -o "$tmp/web.json.gz" 2>/dev/null
check masked-kept "$(gunzip -c "$tmp/web.json.gz" | cmp -s - "$web" &&
  [ "$(gunzip -c "$tmp/web.json.gz" | grep -o 'REDACTED' | wc -l)" = "$(grep -o 'REDACTED' "$web" | wc -l)" ] &&
  echo ok || echo 'the attached recording is not the one read')"

# batch and jobs take the option too
mkdir -p "$tmp/batch"
"$reelay" batch "$plain" -o "$tmp/batch" --format mkv --to 2 --attach-recording >/dev/null 2>"$tmp/err"
check batch "$(attachments "$tmp/batch/android-shop.mkv" | grep -q '^android-shop.blob.jsonl.gz|' && echo ok ||
  echo "no attachment: $(cat "$tmp/err")")"

# bad uses: one line, non-zero exit, no output
"$reelay" render "$plain" --to 2 -o "$tmp/bad.webm" --attach-recording 2>"$tmp/err"
code=$?
check needs-mkv "$([ $code -eq 1 ] && [ ! -e "$tmp/bad.webm" ] && grep -q 'attach-recording needs a .mkv output' "$tmp/err" &&
  echo ok || echo "exit $code: $(cat "$tmp/err")")"
"$reelay" render "$plain" --to 2 -o "$tmp/bare.mkv" --quiet 2>/dev/null
"$reelay" render "$tmp/bare.mkv" -o "$tmp/from-bare.webm" 2>"$tmp/err"
code=$?
check no-attachment "$([ $code -eq 2 ] && [ ! -e "$tmp/from-bare.webm" ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
  grep -q "bare.mkv: a video without a recording attached" "$tmp/err" && echo ok || echo "exit $code: $(cat "$tmp/err")")"
"$reelay" extract "$tmp/bare.mkv" -o "$tmp/none.gz" 2>"$tmp/err"
code=$?
check extract-none "$([ $code -eq 2 ] && [ ! -e "$tmp/none.gz" ] && grep -q 'without a recording attached' "$tmp/err" &&
  echo ok || echo "exit $code: $(cat "$tmp/err")")"
"$reelay" extract "$plain" -o "$tmp/none.gz" 2>"$tmp/err"
code=$?
check extract-not-mkv "$([ $code -eq 2 ] && [ ! -e "$tmp/none.gz" ] && grep -q 'not a Matroska' "$tmp/err" &&
  echo ok || echo "exit $code: $(cat "$tmp/err")")"
head -c 3000 "$tmp/plain.mkv" >"$tmp/cut.mkv"
"$reelay" info "$tmp/cut.mkv" >/dev/null 2>"$tmp/err"
code=$?
check truncated "$([ $code -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q 'cut.mkv: ' "$tmp/err" && echo ok ||
  echo "exit $code: $(cat "$tmp/err")")"

finish test_archive
