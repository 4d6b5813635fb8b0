#!/usr/bin/env bash
# --highlights [N]: a video of the moments that matter, each after a card
# that says what happened and when, at most N seconds long. The manifest maps
# every highlight to session time and to its place in the video; the cards
# and windows tile the video; chapters and the preview follow the highlights;
# a recording without a highlight is one clear error and no output; a bad N
# is a usage error.
set -u
reelay=${1:?usage: test_highlights.sh REELAY_BINARY}
tmp=$(mktemp -d /tmp/reelay-highlights-test-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"
web=fixtures/web/highlights.rrweb.json   # scripts/gen_highlight_fixtures.py: one moment of each web kind
quiet=fixtures/web/no-highlights.rrweb.json
android=fixtures/mobile/android-shop.blob.jsonl

duration() { ffprobe -v error -show_entries format=duration -of csv=p=0 "$1" 2>/dev/null; }

# verify MANIFEST VIDEO FPS LIMIT KINDS: the manifest's highlights have these
# kinds in this order, their cards and windows tile the video, the video
# lasts the manifest's duration (within a frame) and at most LIMIT seconds
# (plus a frame), its frames are the timeline's (at most those with the
# default variable rate), and every moment lies in its
# window. Prints ok or why not.
verify() {
  python3 - "$1" "$(duration "$2")" "$(frames "$2")" "$3" "$4" "$5" <<'EOF'
import json, math, sys
path, probed, frames, fps, limit, kinds = sys.argv[1:]
m = json.load(open(path))
hs, tl = m.get("highlights", []), m["timeline"]
fps, limit, frame = int(fps), float(limit), 1 / int(fps)
def fail(why):
    print(why); sys.exit()
if [h["kind"] for h in hs] != kinds.split(","):
    fail("kinds %s, expected %s" % ([h["kind"] for h in hs], kinds))
at = 0.0
for h in hs:
    if abs(h["card_start_s"] - at) > 1e-3 or abs(h["out_start_s"] - h["card_start_s"] - 1) > 1e-3:
        fail("card of %s at %s-%s, expected %s-%s" % (h["kind"], h["card_start_s"], h["out_start_s"], at, at + 1))
    speed = m["options"]["speed"]
    if abs((h["out_end_s"] - h["out_start_s"]) * speed - (h["session_end_s"] - h["session_start_s"])) > 2e-3:
        fail("window of %s: output %s-%s for session %s-%s" % (h["kind"], h["out_start_s"], h["out_end_s"],
                                                            h["session_start_s"], h["session_end_s"]))
    if not h["session_start_s"] <= h["at_s"] <= h["session_end_s"]:
        fail("%s at %s outside its window" % (h["kind"], h["at_s"]))
    at = h["out_end_s"]
if abs(at - tl["duration_s"]) > 1e-3:
    fail("the windows end at %s, the video at %s" % (at, tl["duration_s"]))
if hs != sorted(hs, key=lambda h: h["at_s"]):
    fail("not in time order")
if tl["duration_s"] > limit + frame or float(probed) > limit + frame:
    fail("%s s (probed %s), more than %s" % (tl["duration_s"], probed, limit))
if abs(float(probed) - tl["duration_s"]) > frame + 1e-3:
    fail("probed %s s, manifest %s s" % (probed, tl["duration_s"]))
expected = max(1, math.ceil(tl["duration_s"] * fps - 1e-9))
if int(frames) != m["output"]["frames"]:
    fail("%s frames, manifest %s" % (frames, m["output"]["frames"]))
if m["options"]["vfr"] and not 1 <= int(frames) <= expected:  # only changed frames
    fail("%s frames at a variable rate, more than the timeline's %s" % (frames, expected))
if not m["options"]["vfr"] and int(frames) != expected:
    fail("%s frames, expected %s" % (frames, expected))
print("ok")
EOF
}

# webp_ms FILE: the frames of an animated WebP and their summed durations (ms).
webp_ms() {
  python3 - "$1" <<'EOF'
import struct, sys
d = open(sys.argv[1], "rb").read()
i, n, total = 12, 0, 0
while i + 8 <= len(d):
    tag, size = d[i:i + 4], struct.unpack("<I", d[i + 4:i + 8])[0]
    if tag == b"ANMF":
        p = d[i + 8:i + 24]
        total += p[12] | p[13] << 8 | p[14] << 16
        n += 1
    i += 8 + size + (size & 1)
print(n, total)
EOF
}

# the default (60 s): all four moments, page view, WebM, manifest, preview, chapters;
# --highlights before INPUT takes no value from it
"$reelay" render --highlights "$web" -o "$tmp/all.webm" --fps 12 --manifest "$tmp/all.json" --preview "$tmp/all.webp" \
  --subtitles --quiet 2>"$tmp/err"
code=$?
check webm "$([ $code -eq 0 ] && verify "$tmp/all.json" "$tmp/all.webm" 12 60 failed_request,error,rage_click,slow_screen ||
  echo "exit $code: $(cat "$tmp/err")")"
check at "$(python3 -c "
import json; m = json.load(open('$tmp/all.json'))
got = [(h['at_s'], h['session_start_s'], h['session_end_s']) for h in m['highlights']]
want = [(12.4, 9.4, 14.4), (40, 37, 42), (70, 67, 72.8), (106, 103, 108)]
print('ok' if got == want and m['timeline']['duration_s'] == 24.8 and m['options']['highlights_s'] == 60 else got)" 2>&1)"
check texts "$(python3 -c "
import json; m = json.load(open('$tmp/all.json'))
t = [h['text'] for h in m['highlights']]
ok = t[0] == 'failed request at 00:12 \u2014 POST https://shop.example.test/api/coupons \u2192 500' and \
  t[1] == 'console error at 00:40 \u2014 TypeError: cart.total is undefined' and t[2].startswith('rage click at 01:10 \u2014 5 clicks on') \
  and t[3].startswith('slow screen change at 01:46')
print('ok' if ok else t)" 2>&1)"
check chapters "$(ffprobe -v error -show_chapters -of json "$tmp/all.webm" | python3 -c "
import json, sys
chapters = [(round(float(c['start_time']), 3), c['tags']['title']) for c in json.load(sys.stdin)['chapters']]
m = json.load(open('$tmp/all.json'))
want = [(h['card_start_s'], h['text']) for h in m['highlights']]
print('ok' if chapters == want else '%s, expected %s' % (chapters, want))" 2>&1)"
read -r pframes pms <<<"$(webp_ms "$tmp/all.webp")"
check preview "$([ "${pms:-0}" -eq 24800 ] && [ "$pframes" -ge 4 ] && [ "$pframes" -le $((24800 * 8 / 1000 + 1)) ] && echo ok ||
  echo "preview of $pframes frames, $pms ms; expected 24800 ms at <= 8 fps")"
# without --highlights the preview is the whole (idle-skipped) session: longer
"$reelay" render "$web" -o "$tmp/full.webm" --fps 4 --web-view interaction --preview "$tmp/full.webp" --quiet 2>/dev/null
read -r _ fms <<<"$(webp_ms "$tmp/full.webp")"
check preview-differs "$([ "${fms:-0}" -gt 40000 ] && echo ok || echo "full preview $fms ms")"

# a cap: N = 13 keeps the error and the failed request (12 s), MP4
"$reelay" render "$web" -o "$tmp/cap.mp4" --highlights 13 --cfr --web-view interaction --manifest "$tmp/cap.json" --quiet 2>"$tmp/err"
code=$?
check mp4-cap "$([ $code -eq 0 ] && verify "$tmp/cap.json" "$tmp/cap.mp4" 24 13 failed_request,error ||
  echo "exit $code: $(cat "$tmp/err")")"
# the same in WebM, N as --highlights=N
"$reelay" render "$web" -o "$tmp/cap.webm" --highlights=13 --web-view interaction --manifest "$tmp/capw.json" --quiet 2>"$tmp/err"
code=$?
check webm-cap "$([ $code -eq 0 ] && verify "$tmp/capw.json" "$tmp/cap.webm" 24 13 failed_request,error ||
  echo "exit $code: $(cat "$tmp/err")")"

# the clip: only moments inside --from/--to
"$reelay" render "$web" -o "$tmp/clip.webm" --highlights 60 --from 30 --to 1:20 --web-view interaction --fps 8 \
  --manifest "$tmp/clip.json" --quiet 2>"$tmp/err"
code=$?
check clip "$([ $code -eq 0 ] && verify "$tmp/clip.json" "$tmp/clip.webm" 8 60 error,rage_click || echo "exit $code: $(cat "$tmp/err")")"

# --speed plays the windows faster (cards stay 1 s): 10 s hold the error and the failed request
"$reelay" render "$web" -o "$tmp/fast.webm" --highlights 10 --speed 2 --web-view interaction --fps 8 --vfr \
  --manifest "$tmp/fast.json" --quiet 2>"$tmp/err"
code=$?
check speed "$([ $code -eq 0 ] && python3 -c "
import json; m = json.load(open('$tmp/fast.json'))
print('ok' if [h['kind'] for h in m['highlights']] == ['failed_request', 'error'] and m['timeline']['duration_s'] == 7 else m['highlights'])" ||
  echo "exit $code: $(cat "$tmp/err")")"

# a mobile recording (errors and a failed request), MP4
"$reelay" render "$android" -o "$tmp/m.mp4" --highlights 20 --manifest "$tmp/m.json" --poster "$tmp/m.png" --quiet 2>"$tmp/err"
code=$?
kinds=$(python3 -c "import json; print(','.join(h['kind'] for h in json.load(open('$tmp/m.json'))['highlights']))" 2>/dev/null)
check mobile "$([ $code -eq 0 ] && [ -n "$kinds" ] && verify "$tmp/m.json" "$tmp/m.mp4" 24 20 "$kinds" || echo "exit $code: $(cat "$tmp/err")")"
# the poster is a moment the video shows
check poster "$([ -s "$tmp/m.png" ] && python3 -c "
import json; m = json.load(open('$tmp/m.json'))
at = m['poster']['at_s']
print('ok' if any(h['session_start_s'] <= at <= h['session_end_s'] for h in m['highlights']) else 'poster at %s s' % at)" 2>&1)"

# no highlight in the recording: one clear error naming the file, exit 2, nothing written
"$reelay" render "$quiet" -o "$tmp/none.webm" --highlights --manifest "$tmp/none.json" 2>"$tmp/err"
code=$?
check none "$([ $code -eq 2 ] && [ ! -e "$tmp/none.webm" ] && [ ! -e "$tmp/none.json" ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
  grep -q "$quiet: --highlights: no highlights found" "$tmp/err" && ! ls "$tmp" | grep -q partial && echo ok ||
  echo "exit $code: $(cat "$tmp/err")")"
# nor inside a clip that holds none
"$reelay" render "$web" -o "$tmp/none2.webm" --highlights --from 45 --to 60 2>"$tmp/err"
code=$?
check none-in-clip "$([ $code -eq 2 ] && [ ! -e "$tmp/none2.webm" ] && grep -q 'no highlights found in the clip' "$tmp/err" &&
  echo ok || echo "exit $code: $(cat "$tmp/err")")"

# a bad N is a usage error
for n in 0 -5 1 abc 1e3; do
  if [ "$n" = abc ] || [ "$n" = 1e3 ]; then args=("--highlights=$n"); else args=(--highlights "$n"); fi
  "$reelay" render "$web" -o "$tmp/bad.webm" "${args[@]}" 2>"$tmp/err"
  code=$?
  check "bad-$n" "$([ $code -eq 1 ] && [ ! -e "$tmp/bad.webm" ] && grep -q "bad --highlights '$n'" "$tmp/err" && echo ok ||
    echo "exit $code: $(head -1 "$tmp/err")")"
done
# a job document asks for it as the command line does ("highlights": N or true)
mkdir -p "$tmp/jobs" "$tmp/jout"
printf '{"id":"h1","input":"%s","output":"%s","options":{"highlights":13,"web_view":"interaction","manifest":"%s"}}\n' \
  "$PWD/$web" "$tmp/jout/h1.mp4" "$tmp/jout/h1.json" >"$tmp/jobs/h1.json"
"$reelay" submit --queue "dir:$tmp/q" "$tmp/jobs/h1.json" >/dev/null 2>"$tmp/err" &&
  "$reelay" worker --queue "dir:$tmp/q" --exit-when-empty 2>>"$tmp/err"
code=$?
check job "$([ $code -eq 0 ] && verify "$tmp/jout/h1.json" "$tmp/jout/h1.mp4" 24 13 failed_request,error || echo "exit $code: $(cat "$tmp/err")")"
check help "$("$reelay" render --help | grep -q -- '--highlights \[N\]' && echo ok || echo 'not in --help')"

finish test_highlights
