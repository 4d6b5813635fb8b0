#!/usr/bin/env bash
# Recordings that name no screen: a mobile SDK with screen capture off sends
# touches only (with or without its meta event). They are drawn as a phone
# ("no screen recorded" under the touches), never as a browser at
# about:blank; without a meta event a mobile recording gets a phone's size
# (360x800) as a web one gets a desktop's (1280x800), instead of a refusal.
set -u
reelay=${1:?usage: test_no_screen.sh REELAY_BINARY}
tmp=$(mktemp -d /tmp/reelay-no-screen-test-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"
with_meta=fixtures/mobile/touches-only.snapshots.json
no_meta=fixtures/mobile/touches-no-meta.snapshots.json

size_of() { ffprobe -v error -select_streams v:0 -show_entries stream=width,height -of csv=p=0:s=x "$1" 2>/dev/null; }

for name in with_meta no_meta; do
  input=${!name}
  "$reelay" frame "$input" --at 1.2 --scale 1 -o "$tmp/$name.png" 2>"$tmp/$name.err"
  code=$?
  check "$name-phone" "$([ $code -eq 0 ] && [ "$(size_of "$tmp/$name.png")" = 360x800 ] &&
    grep -qF 'viewport 360x800, 0 wireframes' "$tmp/$name.err" && ! grep -q 'web' "$tmp/$name.err" &&
    echo ok || echo "exit $code, size $(size_of "$tmp/$name.png"): $(cat "$tmp/$name.err")")"
done

# the touches are drawn over the placeholder screen (a finger is down at 1.65 s)
"$reelay" frame "$with_meta" --at 1.65 --scale 1 --overlays all -o "$tmp/touch-all.png" 2>/dev/null
"$reelay" frame "$with_meta" --at 1.65 --scale 1 --overlays none -o "$tmp/touch-none.png" 2>/dev/null
check touch-drawn "$([ -s "$tmp/touch-all.png" ] && ! cmp -s "$tmp/touch-all.png" "$tmp/touch-none.png" && echo ok ||
  echo 'no touch drawn over the placeholder screen')"

# a whole video: decodable, a phone's shape, every touch moment in it
"$reelay" render "$no_meta" -o "$tmp/no-meta.mp4" 2>"$tmp/render.err"
code=$?
seconds=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$tmp/no-meta.mp4" 2>/dev/null)
check render "$([ $code -eq 0 ] && [ "$(frames "$tmp/no-meta.mp4")" -gt 1 ] &&
  python3 -c "import sys; sys.exit(float('${seconds:-0}') <= 1.25)" && echo ok ||
  echo "exit $code, ${seconds:-no} s: $(cat "$tmp/render.err")")"
check render-shape "$(python3 - "$(size_of "$tmp/no-meta.mp4")" <<'PY'
import sys
w, h = map(int, sys.argv[1].split("x"))
print("ok" if h > w else "not phone-shaped: %dx%d" % (w, h))
PY
)"

# a web recording without a meta event: the same rule, a desktop size
python3 - "$tmp/web-no-meta.json" <<'PY'
import json, sys
t = 1718003600000
body = {"type": 2, "tagName": "body", "attributes": {}, "childNodes": [], "id": 3}
html = {"type": 2, "tagName": "html", "attributes": {}, "childNodes": [body], "id": 2}
doc = {"type": 0, "childNodes": [html], "id": 1}
events = [{"type": 2, "timestamp": t, "data": {"node": doc, "initialOffset": {"top": 0, "left": 0}}},
          {"type": 3, "timestamp": t + 1000, "data": {"source": 1, "positions": [{"x": 10, "y": 10, "id": 3, "timeOffset": 0}]}}]
json.dump(events, open(sys.argv[1], "w"))
PY
"$reelay" frame "$tmp/web-no-meta.json" --at 0.5 --scale 1 --web-view interaction --overlays none \
  -o "$tmp/web.png" 2>"$tmp/web.err"
code=$?
# (the interaction view keeps its browser frame above the 1280x800 page)
check web-default "$([ $code -eq 0 ] && [ "$(size_of "$tmp/web.png")" = 1280x876 ] && echo ok ||
  echo "exit $code, size $(size_of "$tmp/web.png"): $(cat "$tmp/web.err")")"

finish test_no_screen
