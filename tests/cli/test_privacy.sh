#!/usr/bin/env bash
# Secrets in URLs (src/session/url_privacy.h): every place a URL is written
# shows the masked form. Each fixtures/privacy/*.secrets.* recording has a
# .masked twin whose URLs already read [REDACTED] (scripts/
# gen_privacy_fixtures.py): its outputs must be the twin's, pixel for pixel
# and byte for byte: `info` (text and JSON), frames (address bar, tabs,
# toasts, mobile web_view labels; the interaction view, and the page view
# when its engine starts), and a video with HUD, inspector, subtitles,
# chapters and manifest; no secret appears in any of them. --unmask-inputs
# shows card numbers (the .cards twin) but never credentials, through
# frame, render and batch; and the unmasked frame differs from the masked
# one, so the pixel checks can fail.
set -u
reelay=${1:?usage: test_privacy.sh REELAY_BINARY}
tmp=$(mktemp -d /tmp/reelay-privacy-test-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"
dir=fixtures/privacy
# Every secret value the fixtures hold (cvv=123 as a pair: "123" alone is too common).
secrets=(hunter2 4111111111111111 cvv=123 sk_live_51Hsecret s3cr3tpass tok_9f8e7d S3SS10N)

# leaks FILE: the secrets FILE holds (as bytes, so videos count), or nothing
leaks() {
  local s found=""
  for s in "${secrets[@]}"; do grep -aqF -- "$s" "$1" && found="$found $s"; done
  echo "$found"
}

# verdict FOUND: "ok" when FOUND (a list of secrets) is empty, else what leaked
verdict() { if [ -z "$1" ]; then echo ok; else echo "leaks$1"; fi; }

# no_leak NAME FILE: FILE exists, is not empty and holds no secret
no_leak() {
  if [ ! -s "$2" ]; then check "$1" "$2 is missing or empty"; return; fi
  check "$1" "$(verdict "$(leaks "$2")")"
}

# same NAME A B / differ NAME A B: byte comparison of two outputs
same() {
  if [ -s "$2" ] && [ -s "$3" ] && cmp -s "$2" "$3"; then check "$1" ok; else check "$1" "$2 and $3 differ"; fi
}
differ() {
  if [ -s "$2" ] && [ -s "$3" ] && ! cmp -s "$2" "$3"; then check "$1" ok; else check "$1" "$2 and $3 are the same (or missing)"; fi
}

# frame NAME INPUT AT [ARGS...]: $tmp/NAME.png
frame() {
  local name=$1 input=$2 at=$3; shift 3
  "$reelay" frame "$input" --at "$at" -o "$tmp/$name.png" "$@" 2>"$tmp/$name.err" ||
    echo "frame $name failed: $(cat "$tmp/$name.err")"
}

# --- info: text and JSON name no secret and read as the twin's ----------
for fixture in web.secrets.rrweb.json portable.secrets.json mobile.secrets.rrweb.json; do
  twin=${fixture/secrets/masked}
  for mode in text json; do
    flag=""; [ "$mode" = json ] && flag=--json
    "$reelay" info "$dir/$fixture" $flag 2>&1 | grep -v '^file:' >"$tmp/info-$fixture.$mode"
    "$reelay" info "$dir/$twin" $flag 2>&1 | grep -v '^file:' >"$tmp/info-$twin.$mode"
    no_leak "info $mode $fixture" "$tmp/info-$fixture.$mode"
    same "info $mode $fixture as its twin" "$tmp/info-$fixture.$mode" "$tmp/info-$twin.$mode"
  done
done

# --- frames: the same pixels as the masked twin --------------------------
# web (interaction view): the login URL, then the payment URL with the
# failed request's and the console error's toasts
for at in 1.2 3.8; do
  frame "web-secrets-$at" "$dir/web.secrets.rrweb.json" "$at" --web-view interaction
  frame "web-masked-$at" "$dir/web.masked.rrweb.json" "$at" --web-view interaction
  same "web frame at $at as masked" "$tmp/web-secrets-$at.png" "$tmp/web-masked-$at.png"
done
# portable (interaction view): metadata URL, navigation, console error
for at in 1.5 3.5; do
  frame "portable-secrets-$at" "$dir/portable.secrets.json" "$at"
  frame "portable-masked-$at" "$dir/portable.masked.json" "$at"
  same "portable frame at $at as masked" "$tmp/portable-secrets-$at.png" "$tmp/portable-masked-$at.png"
done
# mobile: a web_view wireframe labelled with its URL
frame mobile-secrets "$dir/mobile.secrets.rrweb.json" 0.5
frame mobile-masked "$dir/mobile.masked.rrweb.json" 0.5
same "mobile frame as masked" "$tmp/mobile-secrets.png" "$tmp/mobile-masked.png"

# --unmask-inputs: the card number shows (so the URL is drawn and the
# pixels above could have differed), the credentials do not
frame web-secrets-unmask "$dir/web.secrets.rrweb.json" 3.8 --web-view interaction --unmask-inputs
frame web-cards-unmask "$dir/web.cards.rrweb.json" 3.8 --web-view interaction --unmask-inputs
differ "web frame with --unmask-inputs shows the card" "$tmp/web-secrets-unmask.png" "$tmp/web-masked-3.8.png"
same "web frame with --unmask-inputs masks credentials" "$tmp/web-secrets-unmask.png" "$tmp/web-cards-unmask.png"
frame mobile-secrets-unmask "$dir/mobile.secrets.rrweb.json" 0.5 --unmask-inputs
frame mobile-cards-unmask "$dir/mobile.cards.rrweb.json" 0.5 --unmask-inputs
differ "mobile frame with --unmask-inputs shows the card" "$tmp/mobile-secrets-unmask.png" "$tmp/mobile-masked.png"
same "mobile frame with --unmask-inputs masks credentials" "$tmp/mobile-secrets-unmask.png" "$tmp/mobile-cards-unmask.png"

# the page view's chrome overlay (when the page engine can start here)
if "$reelay" frame "$dir/web.masked.rrweb.json" --at 3.8 -o "$tmp/page-masked.png" 2>"$tmp/page.err"; then
  frame page-secrets "$dir/web.secrets.rrweb.json" 3.8
  same "page view frame as masked" "$tmp/page-secrets.png" "$tmp/page-masked.png"
else
  echo "SKIP page view: $(head -1 "$tmp/page.err")"
fi

# --- a video with every overlay and sidecar --------------------------------
render_args=(--web-view interaction --layout inspector --subtitles --fps 4 --size 640x360)
for v in secrets masked; do
  "$reelay" render "$dir/web.$v.rrweb.json" -o "$tmp/web-$v.mkv" --manifest "$tmp/web-$v.manifest.json" \
    --poster "$tmp/web-$v.poster.png" --quiet "${render_args[@]}" 2>"$tmp/render-$v.err" ||
    echo "render $v failed: $(cat "$tmp/render-$v.err")"
  ffmpeg -v error -i "$tmp/web-$v.mkv" -map 0:s:0 -f webvtt "$tmp/web-$v.vtt" 2>/dev/null
  ffprobe -v error -show_chapters -of compact "$tmp/web-$v.mkv" >"$tmp/web-$v.chapters" 2>/dev/null
  # the manifest without the output's own path
  grep -v '"path":' "$tmp/web-$v.manifest.json" >"$tmp/web-$v.manifest" 2>/dev/null
done
same "video (HUD, inspector, chrome, subtitles, chapters) as masked" "$tmp/web-secrets.mkv" "$tmp/web-masked.mkv"
same "poster as masked" "$tmp/web-secrets.poster.png" "$tmp/web-masked.poster.png"
same "manifest as masked" "$tmp/web-secrets.manifest" "$tmp/web-masked.manifest"
for out in web-secrets.mkv web-secrets.vtt web-secrets.chapters web-secrets.manifest.json; do
  no_leak "no secret in $out" "$tmp/$out"
done
# the subtitles and chapters carry the URLs, masked
for want in "password=[REDACTED]#step=1" "creditcard=[REDACTED]&cvv=[REDACTED]&plan=pro" \
  "api_key=[REDACTED]&page=2" "https://bob:[REDACTED]@cdn.example/app.js?token=[REDACTED]"; do
  if grep -qF -- "$want" "$tmp/web-secrets.vtt"; then check "subtitles show $want" ok
  else check "subtitles show $want" "not in: $(cat "$tmp/web-secrets.vtt")"; fi
done
grep -qF "creditcard=[REDACTED]" "$tmp/web-secrets.chapters" && check "chapter titles masked" ok ||
  check "chapter titles masked" "not in: $(cat "$tmp/web-secrets.chapters")"

# --unmask-inputs through render and batch (the job path) shows the card only
"$reelay" render "$dir/web.secrets.rrweb.json" -o "$tmp/unmask.mkv" --unmask-inputs --quiet "${render_args[@]}" 2>/dev/null
"$reelay" render "$dir/web.cards.rrweb.json" -o "$tmp/cards.mkv" --unmask-inputs --quiet "${render_args[@]}" 2>/dev/null
same "render with --unmask-inputs masks credentials" "$tmp/unmask.mkv" "$tmp/cards.mkv"
differ "render with --unmask-inputs shows the card" "$tmp/unmask.mkv" "$tmp/web-masked.mkv"
mkdir -p "$tmp/in"
cp "$dir/web.secrets.rrweb.json" "$tmp/in/a.json"
cp "$dir/web.cards.rrweb.json" "$tmp/in/b.json"
"$reelay" batch "$tmp/in/a.json" "$tmp/in/b.json" -o "$tmp/batch" -j 1 --format mkv --unmask-inputs \
  "${render_args[@]}" >/dev/null 2>&1
same "batch with --unmask-inputs masks credentials" "$tmp/batch/a.mkv" "$tmp/batch/b.mkv"
if grep -aqF 4111111111111111 "$tmp/batch/a.mkv"; then check "batch with --unmask-inputs shows the card" ok
else check "batch with --unmask-inputs shows the card" "no card number in its subtitles"; fi
if [ -s "$tmp/batch/a.mkv" ]; then
  found=$(leaks "$tmp/batch/a.mkv" | sed 's/ 4111111111111111//; s/ cvv=123//')
  check "batch with --unmask-inputs: no credential" "$(verdict "$found")"
else
  check "batch with --unmask-inputs: no credential" "no output"
fi

finish test_privacy
