#!/usr/bin/env bash
# The web page view (the default for web recordings): the recorded page
# itself through the page engine (renderers/web/page_engine.h). `frame`:
# exactly the viewport's pixels with --overlays none --scale 1, the chrome
# overlay above the same pixels, reelay's overlays on top otherwise;
# `render`: the page's pixels decoded back from the video; --web-view auto
# falls back with a warning where the engine cannot start and page fails
# there with one line and no output; hover is drawn, and moves that restyle
# nothing draw no page frame; an engine killed mid-render is one
# clear error and no output; portable files draw the interaction view; no
# network request of any kind (a loopback listener sees nothing); and no
# engine, Xvfb or WebKit process left behind; WebKit sandboxed by bubblewrap
# unless --no-page-sandbox.
set -u
. "$(dirname "$0")/lib.sh"
REELAY=${1:?usage: test_page_view.sh REELAY}
REELAY=$(cd "$(dirname "$REELAY")" && pwd)/$(basename "$REELAY")
tmp=$(mktemp -d)
listener=""
cleanup() { [ -n "$listener" ] && kill "$listener" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
fixture=fixtures/web/page-boxes.rrweb.json

size() { ffprobe -v error -show_entries stream=width,height -of csv=p=0:s=x "$1" 2>/dev/null; }
# running_engine PID: the engine PID started once its WebKit web process
# runs (up to 12 s), or nothing. The web process runs in the engine's
# process group, under bubblewrap when sandboxed.
running_engine() {
  local engine
  for _ in $(seq 1 600); do
    engine=$(pgrep -f -P "$1" reelay-page-engine | head -1)
    [ -n "$engine" ] && [ -n "$(pgrep -g "$engine" WebKitWebProces)" ] && { echo "$engine"; return; }
    sleep 0.02
  done
}
pixel_png() { ffmpeg -v error -i "$1" -vf crop=1:1:"$2":"$3" -f rawvideo -pix_fmt rgb24 - | od -An -tu1 | xargs; }
# video_colour VIDEO T X Y: "red" or "blue" for the video's pixel at (X, Y)
# at T seconds, else its "(r g b)"
video_colour() {
  local px r g b
  px=$(ffmpeg -v error -ss "$2" -i "$1" -frames:v 1 -vf format=rgb24,crop=1:1:"$3":"$4" -f rawvideo -pix_fmt rgb24 - |
       od -An -tu1 | xargs)
  read -r r g b <<<"$px"
  if [ "${r:-0}" -gt 200 ] && [ "${b:-255}" -lt 60 ]; then echo red
  elif [ "${b:-0}" -gt 200 ] && [ "${r:-255}" -lt 60 ]; then echo blue
  else echo "($px)"; fi
}
# Every process this script starts carries REELAY_TEST_MARK in its
# environment (the engine, its Xvfb and WebKit's processes inherit it), so
# engines of other tests running at the same time are not counted.
export REELAY_TEST_MARK="test_page_view.$$"
# marked_procs: live processes carrying the mark (zombies have no environment)
# (the probe itself runs without the mark)
marked_procs() {
  env -u REELAY_TEST_MARK sh -c 'grep -lsa "REELAY_TEST_MARK=$1" /proc/[0-9]*/environ | wc -l' sh "$REELAY_TEST_MARK"
}

"$REELAY" frame "$fixture" --at 0.5 --web-view page --overlays none --scale 1 -o "$tmp/page.png" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] && check "page view writes" ok || check "page view writes" "exit $rc: $(cat "$tmp/err")"
[ "$(size "$tmp/page.png")" = 320x240 ] && check "page view is the viewport's size" ok ||
  check "page view is the viewport's size" "got $(size "$tmp/page.png")"
# the red box's centre, exactly
px=$(ffmpeg -v error -i "$tmp/page.png" -vf crop=1:1:60:40 -f rawvideo -pix_fmt rgb24 - | od -An -tx1 | tr -d ' \n')
[ "$px" = ff0000 ] && check "page pixels" ok || check "page pixels" "red box centre is $px"

"$REELAY" frame "$fixture" --at 0.5 --web-view page --overlays none --scale 1 -o "$tmp/again.png" 2>/dev/null
cmp -s "$tmp/page.png" "$tmp/again.png" && check "two runs identical" ok || check "two runs identical" "differ"

"$REELAY" frame "$fixture" --at 0.5 --web-view page --scale 1 --overlays pointer,cards,touches -o "$tmp/overlay.png" 2>/dev/null
if [ "$(size "$tmp/overlay.png")" = 320x240 ] && ! cmp -s "$tmp/page.png" "$tmp/overlay.png"; then
  check "overlays drawn over the page" ok
else
  check "overlays drawn over the page" "same as without overlays or wrong size"
fi
# the chrome overlay sits above the very same page pixels
"$REELAY" frame "$fixture" --at 0.5 --scale 1 --overlays chrome -o "$tmp/chrome.png" 2>/dev/null
if [ "$(size "$tmp/chrome.png")" = 320x316 ] &&
   [ "$(ffmpeg -v error -i "$tmp/chrome.png" -vf crop=320:240:0:76 -f rawvideo -pix_fmt rgb24 - | md5sum)" = \
     "$(ffmpeg -v error -i "$tmp/page.png" -f rawvideo -pix_fmt rgb24 - | md5sum)" ]; then
  check "chrome overlay above the page" ok
else
  check "chrome overlay above the page" "size $(size "$tmp/chrome.png") or the page below it differs"
fi
"$REELAY" frame "$fixture" --at 0.5 -o "$tmp/default.png" 2>"$tmp/err"
[ "$(size "$tmp/default.png")" = 640x632 ] && grep -q "web page view" "$tmp/err" && check "page view by default, x2" ok ||
  check "page view by default, x2" "$(size "$tmp/default.png"): $(cat "$tmp/err")"

"$REELAY" frame "$fixture" --at 0.5 --web-view interaction --overlays none --scale 1 -o "$tmp/interaction.png" 2>"$tmp/err"
grep -q "web interaction view" "$tmp/err" && check "--web-view interaction" ok ||
  check "--web-view interaction" "$(cat "$tmp/err")"

"$REELAY" frame "$fixture" --at 0.5 --web-view screen -o "$tmp/x.png" 2>/dev/null
[ $? -eq 1 ] && check "bad --web-view is a usage error" ok || check "bad --web-view is a usage error" "not exit 1"

portable=fixtures/portable/signup.json
"$REELAY" frame "$portable" --at 0 --web-view page -o "$tmp/p.png" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] && grep -q "web interaction view" "$tmp/err" && check "portable: the interaction view" ok ||
  check "portable: the interaction view" "exit $rc: $(cat "$tmp/err")"

# render: the page's pixels in the video. Default layout: the page x2 below
# the chrome (76 px x2), the HUD below; the red box's centre is page (60, 40).
"$REELAY" render "$fixture" -o "$tmp/page.webm" --manifest "$tmp/page.json" 2>"$tmp/err"
rc=$?
px=$(ffmpeg -v error -ss 0.5 -i "$tmp/page.webm" -frames:v 1 -vf format=rgb24,crop=1:1:120:232 -f rawvideo -pix_fmt rgb24 - | od -An -tu1)
read -r r g b <<<"$px"
if [ $rc -eq 0 ] && [ "${r:-0}" -gt 200 ] && [ "${g:-255}" -lt 60 ] && [ "${b:-255}" -lt 60 ] &&
   grep -q '"web_view": "page"' "$tmp/page.json"; then
  check "render: page pixels in the video" ok
else
  check "render: page pixels in the video" "exit $rc, pixel '$px': $(tail -2 "$tmp/err")"
fi
"$REELAY" render "$fixture" -o "$tmp/again.webm" --quiet 2>/dev/null
"$REELAY" render "$fixture" -o "$tmp/again2.webm" --quiet 2>/dev/null
cmp -s "$tmp/again.webm" "$tmp/again2.webm" && check "render: two runs byte-identical" ok ||
  check "render: two runs byte-identical" "differ"

# Hover: rrweb marks the hovered chain with a class its rewritten :hover
# rules match, so only a move that brings a .btn in or out of the chain
# needs a page frame (scene/page_changes.h): meta, snapshot, onto .btn at
# 1.5 s and off it at 2.0 s; the moves at 0.5 s and 1.0 s need none. The
# box (page 30,20; video 60,192) is red only while hovered.
python3 scripts/gen_web_page_fixtures.py --hover --out "$tmp/hover.json"
"$REELAY" render "$tmp/hover.json" -o "$tmp/hover.webm" 2>"$tmp/err"
got=""
for t in 0.7 1.2 1.7 2.2; do got="$got $(video_colour "$tmp/hover.webm" "$t" 60 192)"; done
[ "$got" = " blue blue red blue" ] && grep -q "web page view: 4 page frames" "$tmp/err" &&
  check "render: hover drawn, moves that restyle nothing draw no page frame" ok ||
  check "render: hover drawn, moves that restyle nothing draw no page frame" "$got: $(tail -1 "$tmp/err")"

# Two tabs and a resize: each window's own page, at its current size (an
# engine per window and size), in frames and in the video (the 400x300 page
# is fitted into the 640x632 screen the first page laid out).
python3 scripts/gen_web_page_fixtures.py --windows --out "$tmp/windows.jsonl"
got=""
for spec in "0.5 320x240 255 0 0" "1.5 320x240 0 0 255" "2.2 320x240 255 0 0" "3.0 400x300 255 0 0"; do
  set -- $spec
  "$REELAY" frame "$tmp/windows.jsonl" --at "$1" --scale 1 --overlays none -o "$tmp/w.png" 2>/dev/null
  got="$got|$1 $(size "$tmp/w.png") $(pixel_png "$tmp/w.png" 60 40)"
done
[ "$got" = "|0.5 320x240 255 0 0|1.5 320x240 0 0 255|2.2 320x240 255 0 0|3.0 400x300 255 0 0" ] &&
  check "frames: each tab's page at its size" ok || check "frames: each tab's page at its size" "$got"
"$REELAY" render "$tmp/windows.jsonl" -o "$tmp/windows.webm" --quiet 2>"$tmp/err"
got=""
for spec in "0.5 120 232" "1.5 120 232" "2.2 120 232" "3.0 96 200"; do
  set -- $spec
  got="$got $(video_colour "$tmp/windows.webm" "$1" "$2" "$3")"
done
[ "$got" = " red blue red red" ] && check "render: each tab's page, then the resized one" ok ||
  check "render: each tab's page, then the resized one" "$got $(cat "$tmp/err")"

# A reelay whose page engine cannot start (no web/ beside it): auto falls
# back with a warning; page is one line, exit 4 and no output.
mkdir -p "$tmp/bare"
cp "$REELAY" "$tmp/bare/reelay"
"$tmp/bare/reelay" render "$fixture" --web-view auto -o "$tmp/auto.webm" --manifest "$tmp/auto.json" 2>"$tmp/err"
rc=$?
if [ $rc -eq 0 ] && grep -q "warning: no page view (.*not installed" "$tmp/err" &&
   grep -q '"web_view": "interaction"' "$tmp/auto.json"; then
  check "auto falls back with a warning" ok
else
  check "auto falls back with a warning" "exit $rc: $(cat "$tmp/err")"
fi
"$tmp/bare/reelay" render "$fixture" -o "$tmp/nopage.webm" 2>"$tmp/err"
rc=$?
if [ $rc -eq 4 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "not installed" "$tmp/err" && [ ! -e "$tmp/nopage.webm" ]; then
  check "page view without an engine: one line, no output" ok
else
  check "page view without an engine: one line, no output" "exit $rc: $(cat "$tmp/err")"
fi
# rrweb beside it but not the engine program (reelay-page-engine): the same, naming what is missing
cp -r "$(dirname "$REELAY")/web" "$tmp/bare/web"
"$tmp/bare/reelay" frame "$fixture" --at 0.5 -o "$tmp/noengine.png" 2>"$tmp/err"
rc=$?
if [ $rc -eq 4 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "page engine is not installed: .*reelay-page-engine" "$tmp/err" &&
  [ ! -e "$tmp/noengine.png" ]; then
  check "no engine program: one line, no output" ok
else
  check "no engine program: one line, no output" "exit $rc: $(cat "$tmp/err")"
fi

# The engine killed mid-render: one clear line naming the frame and the
# session time, exit 4, no video, no temporary file, nothing left running,
# and the engine's private directory (its X cookie) gone.
python3 scripts/gen_web_page_fixtures.py --long 60 --out "$tmp/long.json"
mkdir -m 700 "$tmp/rt"
XDG_RUNTIME_DIR="$tmp/rt" "$REELAY" render "$tmp/long.json" -o "$tmp/killed.webm" --quiet 2>"$tmp/killed.err" &
render_pid=$!
engine=$(running_engine "$render_pid")
# The engine removes its X cookie once the replayer is ready: then it draws.
for _ in $(seq 1 1200); do
  private=$(ls -d "$tmp"/rt/reelay-engine-* 2>/dev/null | head -1)
  [ -n "$private" ] && [ ! -e "$private/Xauthority" ] && break
  sleep 0.05
done
sleep 1
[ -n "$engine" ] && kill -KILL "$engine"
wait "$render_pid"; rc=$?
if [ -n "$engine" ] && [ $rc -eq 4 ] && [ "$(wc -l <"$tmp/killed.err")" -eq 1 ] &&
   grep -q "page engine: .*Killed.* at session time" "$tmp/killed.err" && [ -z "$(ls "$tmp" | grep -E 'killed\.webm')" ]; then
  check "engine killed mid-render: one line, no output" ok
else
  check "engine killed mid-render: one line, no output" "engine '$engine', exit $rc: $(cat "$tmp/killed.err"); $(ls "$tmp")"
fi
check "engine killed mid-render: its private directory removed" "$([ -n "${private:-}" ] && [ -z "$(ls -A "$tmp/rt")" ] &&
  echo ok || echo "private '${private:-none}', left: $(ls -AR "$tmp/rt")")"

# reelay itself SIGKILLed: its engine dies with it and nothing can remove the
# private directory then; the next reelay to start an engine there removes
# it (its lock is free), but never the directory of a reelay that still runs.
mkdir -m 700 "$tmp/rt2"
XDG_RUNTIME_DIR="$tmp/rt2" "$REELAY" render "$tmp/long.json" -o "$tmp/reelay-killed.webm" --quiet 2>/dev/null &
victim=$!
engine=$(running_engine "$victim")
stale=$(ls -d "$tmp"/rt2/reelay-engine-* 2>/dev/null | head -1)
kill -KILL "$victim"; wait "$victim" 2>/dev/null
for _ in $(seq 1 100); do [ -z "$(pgrep -g "$engine" 2>/dev/null)" ] && break; sleep 0.05; done
XDG_RUNTIME_DIR="$tmp/rt2" "$REELAY" render "$tmp/long.json" -o "$tmp/live.webm" --to 20 --quiet 2>"$tmp/live.err" &
live=$!
live_engine=$(running_engine "$live")
live_dir=$(ls -d "$tmp"/rt2/reelay-engine-* 2>/dev/null | grep -v "^${stale:-none}$" | head -1)
check "reelay SIGKILLed: its engine gone, its private directory removed by the next reelay" "$([ -n "$engine" ] &&
  [ -z "$(pgrep -g "$engine" 2>/dev/null)" ] && [ -n "$stale" ] && [ ! -e "$stale" ] && [ -n "$live_dir" ] && echo ok ||
  echo "engine '$engine', stale '$stale', live '$live_dir': $(ls -A "$tmp/rt2")")"
XDG_RUNTIME_DIR="$tmp/rt2" "$REELAY" frame "$fixture" --at 1 -o "$tmp/beside.png" 2>/dev/null
check "a running reelay's private directory is kept by another's sweep" "$([ -n "$live_engine" ] && [ -d "$live_dir" ] &&
  [ -e "$live_dir/lock" ] && echo ok || echo "live '$live_dir': $(ls -A "$tmp/rt2")")"
wait "$live"; rc=$?
check "the running reelay finishes" "$([ $rc -eq 0 ] && [ -s "$tmp/live.webm" ] && [ -z "$(ls -A "$tmp/rt2")" ] &&
  echo ok || echo "exit $rc: $(cat "$tmp/live.err"); left: $(ls -A "$tmp/rt2")")"

# No request leaves the engine: every kind of reference to a loopback listener.
port=$(free_port)
python3 -u - "$port" "$tmp/hits" >/dev/null 2>&1 <<'PY' &
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(16)
open(sys.argv[2] + ".ready", "w").close()
while True:
    c, _ = s.accept()
    c.settimeout(1)
    try: data = c.recv(4096)
    except Exception: data = b""
    with open(sys.argv[2], "ab") as f: f.write(b"CONNECTION " + data[:200] + b"\n")
    c.close()
PY
listener=$!
for _ in $(seq 100); do [ -e "$tmp/hits.ready" ] && break; sleep 0.05; done
python3 scripts/gen_web_page_fixtures.py --network-probe "$port" --out "$tmp/probe.json"
# sanity: the listener does see a request when one is made
python3 -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$port/sanity', timeout=2)" 2>/dev/null
grep -q sanity "$tmp/hits" 2>/dev/null && check "listener works" ok || check "listener works" "saw nothing"
: > "$tmp/hits"
"$REELAY" frame "$tmp/probe.json" --at 1 --web-view page --scale 1 -o "$tmp/probe.png" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] && check "probe page renders" ok || check "probe page renders" "exit $rc: $(cat "$tmp/err")"
sleep 0.5
[ ! -s "$tmp/hits" ] && check "no network request" ok || check "no network request" "$(head -c 400 "$tmp/hits")"
# the same with fetching allowed for other hosts (a name that is not this listener)
export XDG_CACHE_HOME="$tmp/cache"
"$REELAY" frame "$tmp/probe.json" --at 1 --fetch-assets assets.invalid,127.0.0.2 --scale 1 -o "$tmp/probe2.png" 2>"$tmp/err"
rc=$?
sleep 0.5
[ $rc -eq 0 ] && [ ! -s "$tmp/hits" ] && check "no request with --fetch-assets naming other hosts" ok ||
  check "no request with --fetch-assets naming other hosts" "exit $rc: $(head -c 400 "$tmp/hits") $(cat "$tmp/err")"

# Opt-in assets: a recording whose image and CSS background live at
# http://127.0.0.1:PORT/ (a loopback server): blank offline; drawn from a
# --assets directory (DIR/HOST:PORT/PATH); fetched with --fetch-assets
# naming that IP literal, then served from the on-disk cache (no request).
aport=$(free_port)
mkdir -p "$tmp/served" "$tmp/assetdir/127.0.0.1:$aport"
python3 - "$aport" "$tmp/assets.json" "$tmp/served" "$tmp/assetdir/127.0.0.1:$aport" "$tmp/named.json" <<'PY'
import json, os, struct, sys, zlib
port, out, served, mirror, named = sys.argv[1:]
def png(rgb):
    raw = b"".join(b"\0" + bytes(rgb) * 8 for _ in range(8))
    chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
for d in (served, mirror):
    open(os.path.join(d, "green.png"), "wb").write(png((0, 200, 0)))
    open(os.path.join(d, "blue.png"), "wb").write(png((0, 0, 220)))
def recording(host, path):
    base = "http://%s:%s/" % (host, port)
    ids = iter(range(1, 100))
    el = lambda tag, attrs, kids=(): {"type": 2, "tagName": tag, "attributes": attrs, "childNodes": list(kids),
                                      "id": next(ids)}
    body = el("body", {"style": "margin:0;background:#fff"}, [
        el("img", {"src": base + "green.png", "style": "position:absolute;left:0;top:0;width:100px;height:100px"}),
        el("div", {"style": "position:absolute;left:150px;top:0;width:100px;height:100px;background:url(%sblue.png)"
                   % base})])
    doc = {"type": 0, "id": next(ids), "childNodes": [el("html", {}, [el("head", {}), body])]}
    t0 = 1718003600000
    json.dump([{"type": 4, "data": {"href": base, "width": 320, "height": 240}, "timestamp": t0},
               {"type": 2, "data": {"node": doc, "initialOffset": {"left": 0, "top": 0}}, "timestamp": t0 + 10},
               {"type": 3, "data": {"source": 1, "positions": [{"x": 300, "y": 200, "id": 1, "timeOffset": 0}]},
                "timestamp": t0 + 1000}], open(path, "w"))
recording("127.0.0.1", out)
recording("localhost", named)
PY
(cd "$tmp/served" && exec python3 -m http.server "$aport" --bind 127.0.0.1) >"$tmp/served.log" 2>&1 &
server=$!
for _ in $(seq 100); do python3 -c "import socket; socket.create_connection(('127.0.0.1', $aport), 0.2)" 2>/dev/null && break; sleep 0.05; done
: >"$tmp/served.log"
assets_frame() { # NAME [RECORDING] ARGS...: "IMG_RGB | BG_RGB" of the page at 0.5 s
  local name=$1 recording="$tmp/assets.json"; shift
  case "${1:-}" in *.json) recording=$1; shift ;; esac
  "$REELAY" frame "$recording" --at 0.5 --scale 1 --overlays none -o "$tmp/$name.png" "$@" 2>"$tmp/$name.err" &&
    echo "$(pixel_png "$tmp/$name.png" 50 50) | $(pixel_png "$tmp/$name.png" 200 50)"
}
requests() { grep -c '"GET ' "$tmp/served.log"; }
got=$(assets_frame offline)
[ "$got" = "255 255 255 | 255 255 255" ] && [ "$(requests)" -eq 0 ] && check "assets: blank and no request offline" ok ||
  check "assets: blank and no request offline" "$got, $(requests) requests"
got=$(assets_frame dir --assets "$tmp/assetdir")
[ "$got" = "0 200 0 | 0 0 220" ] && [ "$(requests)" -eq 0 ] && check "assets: --assets DIR" ok ||
  check "assets: --assets DIR" "$got, $(requests) requests: $(cat "$tmp/dir.err")"
got=$(assets_frame fetched --fetch-assets "127.0.0.1:$aport")
[ "$got" = "0 200 0 | 0 0 220" ] && [ "$(requests)" -eq 2 ] && check "assets: fetched from a listed IP" ok ||
  check "assets: fetched from a listed IP" "$got, $(requests) requests: $(cat "$tmp/fetched.err")"
got=$(assets_frame cached --fetch-assets "127.0.0.1:$aport")
[ "$got" = "0 200 0 | 0 0 220" ] && [ "$(requests)" -eq 2 ] && check "assets: the cache serves them again" ok ||
  check "assets: the cache serves them again" "$got, $(requests) requests"
rm -rf "$tmp/cache"
# a host name is fetched from public addresses only: localhost is not one
got=$(assets_frame named "$tmp/named.json" --fetch-assets "localhost:$aport")
[ -n "$got" ] && [ "$(requests)" -eq 2 ] && check "assets: a name never reaches loopback" ok ||
  check "assets: a name never reaches loopback" "$got, $(requests) requests"
kill "$server" 2>/dev/null
wait "$server" 2>/dev/null

# The engine's display shows recorded pages: a local client without the
# engine's cookie is refused, one with it is let in. The engine is frozen
# (SIGSTOP, its Xvfb serving on) while the display is probed, then thawed;
# its parent lives on, so nothing resumes it behind our back.
"$REELAY" frame "$fixture" --at 0.5 --web-view page --scale 1 -o "$tmp/auth.png" 2>"$tmp/auth.err" &
frame_pid=$!
engine=""
for _ in $(seq 1 600); do
  engine=$(pgrep -f -P "$frame_pid" reelay-page-engine | head -1)
  xvfb=$(pgrep -P "$engine" Xvfb 2>/dev/null | head -1)
  cookie=$([ -n "$xvfb" ] && tr '\0' '\n' <"/proc/$xvfb/cmdline" 2>/dev/null | grep -A1 -x -- -auth | tail -1)
  [ -n "$engine" ] && [ -n "$cookie" ] && [ -f "$cookie" ] && break
  engine=""
  sleep 0.02
done
if [ -n "$engine" ]; then
  kill -STOP "$engine"
  probe=$(python3 - "$engine" <<'PY'
import os, socket, struct, sys
engine = sys.argv[1]
def child_xvfb(p):
    try:  # a process may end while we look
        return (open("/proc/%s/stat" % p).read().split(")")[1].split()[1] == engine
                and open("/proc/%s/comm" % p).read().strip() == "Xvfb")
    except OSError:
        return False
xvfb = [p for p in os.listdir("/proc") if p.isdigit() and child_xvfb(p)][0]
args = open("/proc/%s/cmdline" % xvfb, "rb").read().split(b"\0")
entry = open(args[args.index(b"-auth") + 1], "rb").read()
fields, at = [], 2
for _ in range(4):
    n = struct.unpack(">H", entry[at:at + 2])[0]
    fields.append(entry[at + 2:at + 2 + n]); at += 2 + n
name, data = fields[2], fields[3]
# the display: the path of this very Xvfb's listening socket, found through
# its descriptors' inodes (never a guess among other tests' displays)
inodes = set()
for fd in os.listdir("/proc/%s/fd" % xvfb):
    link = os.readlink("/proc/%s/fd/%s" % (xvfb, fd))
    if link.startswith("socket:["):
        inodes.add(link[8:-1])
path = None
for line in open("/proc/net/unix").read().splitlines()[1:]:
    cols = line.split()
    if len(cols) >= 8 and cols[6] in inodes and cols[7].startswith("/tmp/.X11-unix/"):
        path = cols[7]
def setup(path, name, data):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(10)
    s.connect(path)
    pad = lambda b: b + b"\0" * (-len(b) % 4)
    s.sendall(b"l\0" + struct.pack("<HHHH", 11, 0, len(name), len(data)) + b"\0\0" + pad(name) + pad(data))
    reply = s.recv(8)
    s.close()
    return reply[0] if reply else -1
print("with=%s without=%s" % (setup(path, name, data), setup(path, b"", b"")) if path else "no X socket found")
PY
)
  kill -CONT "$engine"
  [ "$probe" = "with=1 without=0" ] && check "display refuses clients without the cookie" ok ||
    check "display refuses clients without the cookie" "probe said '$probe'"
else
  check "display refuses clients without the cookie" "no engine with an Xvfb and a cookie seen"
fi
wait "$frame_pid"; rc=$?
[ $rc -eq 0 ] && check "frame after the probe" ok || check "frame after the probe" "exit $rc: $(cat "$tmp/auth.err")"
# the cookie is a file WebKit's sandbox can bind; nothing of it is left
[ -n "$cookie" ] && [ ! -e "$cookie" ] && [ ! -e "$(dirname "$cookie")" ] && check "no X cookie left on disk" ok ||
  check "no X cookie left on disk" "cookie '$cookie' still there"

# WebKit's web process runs under bubblewrap (its own namespaces, no
# network); --no-page-sandbox runs it bare, with the same pixels. Where
# bubblewrap cannot make namespaces (a stand-in bwrap that fails as it does
# in most containers), the page view fails with one line naming the way out.
sandboxed() { # ARGS...: "bwrap=N web=M" seen in the engine's group while rendering
  "$REELAY" render "$tmp/long.json" -o "$tmp/sandbox.webm" --quiet "$@" 2>/dev/null &
  local pid=$! engine
  engine=$(running_engine "$pid")
  local seen="bwrap=$(pgrep -c -g "${engine:-0}" bwrap) web=$(pgrep -c -g "${engine:-0}" WebKitWebProces)"
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  echo "$seen"
}
seen=$(sandboxed)
case $seen in "bwrap=0 "* | *"web=0") check "web process sandboxed" "saw $seen" ;; *) check "web process sandboxed" ok ;; esac
seen=$(sandboxed --no-page-sandbox)
case $seen in "bwrap=0 web=1") check "--no-page-sandbox runs it bare" ok ;; *) check "--no-page-sandbox runs it bare" "saw $seen" ;; esac
"$REELAY" frame "$fixture" --at 0.5 --web-view page --overlays none --scale 1 --no-page-sandbox -o "$tmp/bare.png" 2>/dev/null
cmp -s "$tmp/page.png" "$tmp/bare.png" && check "same pixels without the sandbox" ok ||
  check "same pixels without the sandbox" "differ"
mkdir -p "$tmp/nons"
printf '#!/bin/sh\necho "bwrap: No permissions to create new namespace" >&2\nexit 1\n' >"$tmp/nons/bwrap"
chmod +x "$tmp/nons/bwrap"
PATH="$tmp/nons:$PATH" "$REELAY" frame "$fixture" --at 0.5 --web-view page -o "$tmp/nons.png" 2>"$tmp/nons.err"
rc=$?
if [ $rc -eq 4 ] && [ ! -e "$tmp/nons.png" ] && [ "$(wc -l <"$tmp/nons.err")" -eq 1 ] &&
  grep -q "sandbox cannot run here (bwrap: No permissions to create new namespace).*--no-page-sandbox" "$tmp/nons.err"; then
  check "no namespaces: one line naming --no-page-sandbox" ok
else
  check "no namespaces: one line naming --no-page-sandbox" "exit $rc: $(cat "$tmp/nons.err")"
fi
PATH="$tmp/nons:$PATH" "$REELAY" frame "$fixture" --at 0.5 --web-view page --overlays none --scale 1 \
  --no-page-sandbox -o "$tmp/nons-bare.png" 2>/dev/null
cmp -s "$tmp/page.png" "$tmp/nons-bare.png" && check "no namespaces: --no-page-sandbox renders" ok ||
  check "no namespaces: --no-page-sandbox renders" "no frame or other pixels"

# reelay itself SIGKILLed mid-render (from its drawing thread's engine
# start too): the engine, its Xvfb and WebKit die with it, and no video.
"$REELAY" render "$tmp/long.json" -o "$tmp/sigkill.webm" --quiet 2>/dev/null &
render_pid=$!
engine=$(running_engine "$render_pid")
sleep 1
kill -KILL "$render_pid"
wait "$render_pid" 2>/dev/null
left=1
for _ in $(seq 50); do
  left=$(ps -eo pgid=,args= | awk -v g="$engine" '$1 == g' | wc -l)
  [ "$left" -eq 0 ] && break
  sleep 0.1
done
if [ -n "$engine" ] && [ "$left" -eq 0 ] && [ ! -e "$tmp/sigkill.webm" ]; then
  check "reelay killed: its engine's processes end too" ok
else
  check "reelay killed: its engine's processes end too" "engine '$engine', $left left: $(ps -eo pgid,args | awk -v g="$engine" '$1 == g')"
fi

# nothing left running but the listener (killed at exit)
kill "$listener" 2>/dev/null
wait "$listener" 2>/dev/null
listener=""
left=0
for _ in $(seq 30); do left=$(marked_procs); [ "$left" -eq 0 ] && break; sleep 0.1; done
[ "$left" -eq 0 ] && check "no engine, Xvfb or WebKit process left" ok ||
  check "no engine, Xvfb or WebKit process left" "$left left: $(ps -eo pid,stat,args | grep -E 'reelay-page-engine|Xvfb -displayfd|WebKit' | grep -v grep)"

finish test_page_view
