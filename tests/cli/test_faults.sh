#!/usr/bin/env bash
# Fault tests for `reelay render` and `reelay frame`: unwritable outputs, a
# full disk, inputs cut short, broken gzip and images, colliding ids, mutation
# cycles, timestamps out of order and numbers out of range. Each must end in
# either
#   - a clear error: exit 1-4 (never >= 124: a signal, a timeout), one line on
#     stderr naming the file, and NO output and NO NAME.partial file left; or
#   - a documented skip (README, "What reelay does with broken input"): exit 0
#     and a valid output file.
# Inputs are made at test time in a temp dir; error cases that are plain bad
# input live in fixtures/bad (scripts/gen_bad_fixtures.py) and are all
# rendered here too.
set -u
reelay=$(realpath "${1:?usage: test_faults.sh REELAY_BINARY}")
tmp=$(mktemp -d /tmp/reelay-faults-XXXXXX)
mnt=""
cleanup() {
  [ -n "$mnt" ] && umount "$mnt" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
. "$(dirname "$0")/lib.sh"
android=$PWD/fixtures/mobile/android-shop.blob.jsonl
fast=(--fps 4 --quiet)

# What a run left in its output directory, other than what was there before.
leftovers() { find "$1" -mindepth 1 -newer "$tmp/.stamp" 2>/dev/null | sed "s|^$1/||" | tr '\n' ' '; }
valid_media() { ffprobe -v error -select_streams v:0 -show_entries stream=codec_name,width,height -of csv=p=0 "$1" 2>/dev/null; }

# expect_error NAME CODE MESSAGE_SUBSTRING OUTDIR -- COMMAND...
# COMMAND must fail with CODE, print MESSAGE_SUBSTRING on stderr, and leave
# nothing new in OUTDIR (no output, no .partial).
expect_error() {
  local name=$1 want=$2 msg=$3 dir=$4; shift 5
  touch "$tmp/.stamp"; sleep 0.01
  timeout 60 "$@" >"$log/$name.out" 2>"$log/$name.err"
  local code=$? problem=""
  [ "$code" -eq "$want" ] || problem="exit $code, expected $want"
  [ "$code" -ge 124 ] && problem="$problem (crash or hang)"
  grep -qF -- "$msg" "$log/$name.err" || problem="$problem; stderr lacks '$msg'"
  [ "$(wc -l <"$log/$name.err")" -le 1 ] || problem="$problem; more than one line on stderr"
  local left; left=$(leftovers "$dir")
  [ -z "$left" ] || problem="$problem; left $left"
  [ -n "$problem" ] && problem="$problem | stderr: $(head -c 300 "$log/$name.err")"
  check "$name" "${problem:-ok}"
}

# expect_output NAME OUTPUT -- COMMAND...: exit 0 and OUTPUT a valid video or image.
expect_output() {
  local name=$1 out=$2; shift 3
  rm -f "$out"
  timeout 60 "$@" >"$log/$name.out" 2>"$log/$name.err"
  local code=$? problem=""
  [ "$code" -eq 0 ] || problem="exit $code, expected 0 | stderr: $(head -c 300 "$log/$name.err")"
  [ -n "$(valid_media "$out")" ] || problem="$problem; $out is not a valid video or image"
  ls "$(dirname "$out")" | grep -q "\.partial$" && problem="$problem; left a .partial file"
  check "$name" "${problem:-ok}"
  rm -f "$out"
}

out=$tmp/out log=$tmp/log
mkdir -p "$out" "$log"

# ---- 1. Output not writable (we may be root: chmod would not stop us) ----
touch "$tmp/regular-file"
expect_error out-enotdir 3 "$tmp/regular-file/x.webm: cannot create: Not a directory" "$out" -- \
  "$reelay" render "$android" -o "$tmp/regular-file/x.webm" "${fast[@]}"
expect_error out-missing-dir 3 "$tmp/no/such/x.webm: cannot create: No such file or directory" "$out" -- \
  "$reelay" render "$android" -o "$tmp/no/such/x.webm" "${fast[@]}"
expect_error frame-enotdir 3 "$tmp/regular-file/x.png: cannot create: Not a directory" "$out" -- \
  "$reelay" frame "$android" --at 5 -o "$tmp/regular-file/x.png"
# procfs and sysfs refuse new files even to root (ENOENT, EACCES or EROFS).
expect_error out-procfs 3 "/proc/reelay-$$.webm: cannot create" "$out" -- \
  "$reelay" render "$android" -o "/proc/reelay-$$.webm" "${fast[@]}"
expect_error out-sysfs 3 "/sys/reelay-$$.webm: cannot create" "$out" -- \
  "$reelay" render "$android" -o "/sys/reelay-$$.webm" "${fast[@]}"
expect_error frame-procfs 3 "/proc/reelay-$$.png: cannot create" "$out" -- \
  "$reelay" frame "$android" --at 5 -o "/proc/reelay-$$.png"
# The video is fine but a sidecar cannot be created: the video is removed too.
expect_error sidecar-enotdir 3 "$tmp/regular-file/p.png: cannot create" "$out" -- \
  "$reelay" render "$android" -o "$out/v.webm" --to 2 "${fast[@]}" --poster "$tmp/regular-file/p.png"
expect_error manifest-enotdir 3 "$tmp/regular-file/m.json: cannot create" "$out" -- \
  "$reelay" render "$android" -o "$out/v.webm" --to 2 "${fast[@]}" --manifest "$tmp/regular-file/m.json"

# ---- 2. Disk full ----
# A file size limit (prlimit --fsize): reelay ignores SIGXFSZ (src/main.c), so
# the write fails with EFBIG: exit 3, "File too large", partial removed.
# limited BYTES COMMAND...: a script, so that `timeout` can run it.
limited=$tmp/limited
cat >"$limited" <<'LIMITED'
#!/usr/bin/env bash
bytes=$1; shift
command -v prlimit >/dev/null && exec prlimit --fsize="$bytes" "$@"
ulimit -f $(((bytes + 1023) / 1024)) && exec "$@"
LIMITED
chmod +x "$limited"
expect_error efbig-webm 3 "$out/v.webm: cannot write: File too large" "$out" -- \
  "$limited" 20000 "$reelay" render "$android" -o "$out/v.webm" "${fast[@]}"
expect_error efbig-mp4 3 "$out/v.mp4: cannot write: File too large" "$out" -- \
  "$limited" 20000 "$reelay" render "$android" -o "$out/v.mp4" "${fast[@]}"
expect_error efbig-y4m 3 "$out/v.y4m: cannot write: File too large" "$out" -- \
  "$limited" 20000 "$reelay" render "$android" -o "$out/v.y4m" --to 2 "${fast[@]}"
# (300 bytes: room for the error message, as stderr is a file under the same limit.)
expect_error efbig-tiny 3 "$out/v.webm: cannot write: File too large" "$out" -- \
  "$limited" 300 "$reelay" render "$android" -o "$out/v.webm" "${fast[@]}"
expect_error efbig-frame 3 "$out/f.png: cannot write PNG: File too large" "$out" -- \
  "$limited" 20000 "$reelay" frame "$android" --at 5 -o "$out/f.png"
# Sizes of a short video and its sidecars, for the cases below that leave
# room for the video but not for a sidecar.
"$reelay" render "$android" -o "$out/sizes.webm" --to 2 --overlays none "${fast[@]}" --poster "$out/sizes.png" \
  --preview "$out/sizes-preview.webp"
"$reelay" render "$android" -o "$out/sizes.webm" --to 2 --overlays none "${fast[@]}" --poster "$out/sizes.webp"
vbytes=$(stat -c %s "$out/sizes.webm") pbytes=$(stat -c %s "$out/sizes.png")
wbytes=$(stat -c %s "$out/sizes.webp") qbytes=$(stat -c %s "$out/sizes-preview.webp")
rm -f "$out"/sizes*
# A file size limit above the video's size and below the poster's: the video
# is written, then the poster fails, and the finished video is removed too.
if [ "$pbytes" -gt $((vbytes + 8192)) ]; then
  expect_error efbig-poster-after-video 3 "$out/p.png: cannot write PNG: File too large" "$out" -- \
    "$limited" $(((vbytes + pbytes) / 2)) "$reelay" render "$android" -o "$out/v.webm" --to 2 --overlays none \
    "${fast[@]}" --poster "$out/p.png"
else
  echo "note: poster ($pbytes B) not larger than video ($vbytes B): efbig-poster-after-video skipped"
fi

# A real ENOSPC on a 256 KiB tmpfs, when this user may mount one.
mkdir -p "$tmp/mnt"
if mount -t tmpfs -o size=256k tmpfs "$tmp/mnt" 2>/dev/null; then
  mnt=$tmp/mnt
  expect_error enospc-webm 3 "$mnt/v.webm: cannot write: No space left on device" "$mnt" -- \
    "$reelay" render "$android" -o "$mnt/v.webm" --fps 8 --quiet
  expect_error enospc-mp4 3 "$mnt/v.mp4: cannot write: No space left on device" "$mnt" -- \
    "$reelay" render "$android" -o "$mnt/v.mp4" --fps 8 --quiet
  # Room for the video but not for a sidecar written after it: nothing stays.
  leave_free() {  # leave_free BYTES: fill the tmpfs up to BYTES free
    rm -f "$mnt/fill"
    local avail; avail=$(df -B1 --output=avail "$mnt" | tail -1)
    local blocks=$(((avail - $1) / 4096))
    [ "$blocks" -le 0 ] || dd if=/dev/zero of="$mnt/fill" bs=4096 count="$blocks" status=none
  }
  leave_free $((vbytes + 8192 + pbytes / 2))
  expect_error enospc-poster-png 3 "$mnt/p.png: cannot write PNG: No space left on device" "$mnt" -- \
    "$reelay" render "$android" -o "$mnt/v.webm" --to 2 --overlays none "${fast[@]}" --poster "$mnt/p.png"
  leave_free $((vbytes + 8192 + wbytes / 2))
  expect_error enospc-poster-webp 3 "$mnt/p.webp: cannot write WebP: No space left on device" "$mnt" -- \
    "$reelay" render "$android" -o "$mnt/v.webm" --to 2 --overlays none "${fast[@]}" --poster "$mnt/p.webp"
  if [ "$qbytes" -gt 12288 ]; then
    leave_free $((vbytes + 4096 + qbytes / 2))
    expect_error enospc-preview 3 "$mnt/p.webp: cannot write: No space left on device" "$mnt" -- \
      "$reelay" render "$android" -o "$mnt/v.webm" --to 2 --overlays none "${fast[@]}" --preview "$mnt/p.webp"
  fi
  leave_free 0
  expect_error enospc-frame 3 "$mnt/f.png: cannot write PNG: No space left on device" "$mnt" -- \
    "$reelay" frame "$android" --at 5 -o "$mnt/f.png"
  umount "$mnt" && mnt=""
else
  echo "note: cannot mount a tmpfs here (not root?): the ENOSPC cases are skipped"
fi

# ---- 3. Inputs cut at every 10% ----
# Every cut of these four is an error naming the file and the place (line and
# column): a JSON document cut short never parses, and a JSON-lines file cut
# inside a line fails at that line (reelay does not skip a broken last line).
# A JSON-lines file cut between lines is a shorter, valid recording.
for f in fixtures/mobile/android-shop.blob.jsonl fixtures/web/shop-checkout.rrweb.json \
  fixtures/portable/signup.json fixtures/mobile/android-shop.export.json; do
  base=$(basename "$f") size=$(stat -c %s "$f")
  for pct in 10 20 30 40 50 60 70 80 90; do
    cut=$tmp/cut-$pct-$base
    head -c $((size * pct / 100)) "$f" >"$cut"
    expect_error "cut-$pct-$base" 2 "$cut: line " "$out" -- "$reelay" render "$cut" -o "$out/v.webm" "${fast[@]}"
    grep -qE "$cut: line [0-9]+, column [0-9]+: invalid JSON" "$log/cut-$pct-$base.err" ||
      check "cut-$pct-$base-place" "no 'line N, column M' in: $(cat "$log/cut-$pct-$base.err")"
  done
done
head -c $(($(stat -c %s "$android") / 2)) "$android" | sed '$d' >"$tmp/lines-half.jsonl"
expect_output cut-at-line-boundary "$out/v.webm" -- "$reelay" render "$tmp/lines-half.jsonl" -o "$out/v.webm" "${fast[@]}"
cut=$tmp/cut-50-android-shop.blob.jsonl
expect_error frame-cut 2 "$cut: line " "$out" -- "$reelay" frame "$cut" --at 1 -o "$out/f.png"

# ---- 4a. gzip cut short ----
gz=$android.gz gzsize=$(stat -c %s "$android.gz")
for n in 2 10 100 $((gzsize / 2)) $((gzsize - 8)) $((gzsize - 1)); do
  head -c "$n" "$gz" >"$tmp/cut-$n.jsonl.gz"
  expect_error "gzip-cut-$n" 2 "$tmp/cut-$n.jsonl.gz: truncated gzip data" "$out" -- \
    "$reelay" render "$tmp/cut-$n.jsonl.gz" -o "$out/v.webm" "${fast[@]}"
done
head -c 1 "$gz" >"$tmp/cut-1.jsonl.gz"  # one byte is not yet a gzip signature
expect_error gzip-cut-1 2 "$tmp/cut-1.jsonl.gz: not a recording" "$out" -- \
  "$reelay" render "$tmp/cut-1.jsonl.gz" -o "$out/v.webm" "${fast[@]}"
expect_error gzip-cut-stdin 2 "<stdin>: truncated gzip data" "$out" -- \
  bash -c '"$1" render - -o "$2" --fps 4 --quiet <"$3"' _ "$reelay" "$out/v.webm" "$tmp/cut-100.jsonl.gz"

# ---- 4b. Every bad-input fixture, rendered and painted ----
while IFS=$'\t' read -r name expect; do
  case "$name" in ''|'#'*) continue ;; esac
  expect_error "bad-render-$name" 2 "fixtures/bad/$name: " "$out" -- \
    "$reelay" render "fixtures/bad/$name" -o "$out/v.webm" "${fast[@]}"
  grep -qF -- "$expect" "$log/bad-render-$name.err" || check "bad-render-$name-message" "lacks '$expect'"
  expect_error "bad-frame-$name" 2 "fixtures/bad/$name: " "$out" -- \
    "$reelay" frame "fixtures/bad/$name" --at 0 -o "$out/f.png"
done <fixtures/bad/EXPECTED.tsv

# ---- 4c. Documented skips: these render, and paint at AT ----
# The generator writes NAME<TAB>AT<TAB>what for each case.
python3 - "$tmp/gen" >"$tmp/cases.tsv" <<'PY'
import base64, json, os, struct, sys, zlib
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
T0 = 1700000000000
W, H = 360, 640


def meta(ts, w=W, h=H):
    return {"type": 4, "timestamp": ts, "data": {"href": "Main", "width": w, "height": h}}


def wf(id_, x, y, w, h, type_=None, style=None, kids=None, **extra):
    n = {"id": id_, "x": x, "y": y, "width": w, "height": h}
    if type_:
        n["type"] = type_
    n.update(extra)
    n["style"] = style or {"backgroundColor": "#90CAF9"}
    if kids:
        n["childWireframes"] = kids
    return n


def full(ts, wfs):
    return {"type": 2, "timestamp": ts, "data": {"wireframes": wfs, "initialOffset": {"top": 0, "left": 0}}}


def mut(ts, adds=None, updates=None, removes=None):
    d = {"source": 0}
    for k, v in (("adds", adds), ("updates", updates), ("removes", removes)):
        if v:
            d[k] = v
    return {"type": 3, "timestamp": ts, "data": d}


def touch(ts, kind, x, y):
    return {"type": 3, "timestamp": ts, "data": {"source": 2, "type": kind, "id": 0, "x": x, "y": y, "pointerType": 2}}


def root(kids, id_=50):
    return wf(id_, 0, 0, W, H, None, {"backgroundColor": "#FFFFFF"}, kids)


def case(name, at, what, content):
    with open(os.path.join(out, name), "w") as f:
        f.write(content if isinstance(content, str) else json.dumps(content) + "\n")
    print(f"{name}\t{at}\t{what}")


def limit(name, content):
    """A case for section 4d: written, but not listed as a skip."""
    with open(os.path.join(out, name), "w") as f:
        f.write(json.dumps(content) + "\n")


def mobile(name, at, what, kids, extra=()):
    case(name, at, what, [meta(T0), full(T0 + 10, [root(kids)]), *extra,
                          touch(T0 + 2000, 7, 10, 10), touch(T0 + 2100, 9, 10, 10)])


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(w, h):  # a valid header claiming w x h, then too little data
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))


def webp_vp8x(w, h):  # extended header: canvas up to 2^24 a side
    vp8x = b"VP8X" + struct.pack("<I", 10) + bytes(4) + (w - 1).to_bytes(3, "little") + (h - 1).to_bytes(3, "little")
    vp8l = b"VP8L" + struct.pack("<I", 6) + b"\x2f" + struct.pack("<I", 16383 | 16383 << 14) + b"\0"
    body = b"WEBP" + vp8x + vp8l
    return b"RIFF" + struct.pack("<I", len(body)) + body


def webp_vp8l(w, h):  # lossless header: up to 16384 a side
    data = b"\x2f" + struct.pack("<I", (w - 1) | (h - 1) << 14 | 1 << 28) + bytes(4)
    body = b"WEBP" + b"VP8L" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


def jpeg(w, h):
    return b"\xff\xd8" + b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, h, w, 1) + b"\x01\x11\x00" + b"\xff\xd9"


def uri(mime, data):
    return "data:%s;base64,%s" % (mime, base64.b64encode(data).decode())


def img(id_, src, type_="image"):
    return wf(id_, 20, 20 + (id_ % 10) * 60, 120, 50, type_, None, base64=src)


# Images that cannot be decoded are drawn as the placeholder.
mobile("img-base64-garbage.json", 1, "base64 with garbage: placeholder",
       [img(101, "data:image/png;base64,!!!this*is*not*base64@@@"), img(102, "%%%%%%%%"),
        img(103, "data:image/webp;base64,"), img(104, "data:image/png;base64,iVBORw0KGgo=\u0000\u00ff")])
mobile("img-base64-cut.json", 1, "base64 cut short: placeholder", [img(101, uri("image/png", png(4, 4))[:-7])])
mobile("img-png-huge.json", 1, "PNG claiming 100000x100000: placeholder", [img(101, uri("image/png", png(100000, 100000)))])
mobile("img-webp-huge.json", 1, "WebP claiming 100000x100000 and 16384x16384: placeholder",
       [img(101, uri("image/webp", webp_vp8x(100000, 100000))), img(102, uri("image/webp", webp_vp8l(16384, 16384)))])
mobile("img-jpeg-huge.json", 1, "JPEG claiming 65535x65535: placeholder", [img(101, uri("image/jpeg", jpeg(65535, 65535)))])
mobile("img-screenshot-huge.json", 1, "screenshot mutation with a huge PNG: placeholder", [],
       [mut(T0 + 500, adds=[{"parentId": 50, "wireframe": img(105, uri("image/png", png(100000, 100000)), "screenshot")}])])
# Colliding ids: the player's rules (the later wireframe with an id wins its place).
mobile("ids-duplicate-siblings.json", 1, "two siblings with one id",
       [wf(7, 10, 10, 100, 100), wf(7, 10, 200, 100, 100, style={"backgroundColor": "#EF5350"})])
mobile("ids-nested-same-id.json", 1, "a child and grandchild with their parent's id",
       [wf(7, 10, 10, 200, 200, kids=[wf(7, 20, 20, 50, 50, kids=[wf(7, 30, 30, 10, 10)])])])
mobile("ids-child-is-root-id.json", 1, "a child with the root's id", [wf(50, 10, 10, 200, 200)])
# Mutation cycles: an add or update under its own descendant is not applied as a cycle.
mobile("cycle-root-under-child.json", 1, "update moving the root under its own child",
       [wf(7, 10, 10, 200, 200, kids=[wf(8, 20, 20, 50, 50)])],
       [mut(T0 + 500, updates=[{"parentId": 8, "wireframe": root([wf(7, 10, 10, 200, 200)])}])])
mobile("cycle-add-under-itself.json", 1, "adds under themselves and their own children",
       [wf(7, 10, 10, 200, 200, kids=[wf(8, 20, 20, 50, 50)])],
       [mut(T0 + 500, adds=[{"parentId": 7, "wireframe": wf(7, 10, 10, 200, 200)},
                            {"parentId": 8, "wireframe": wf(7, 5, 5, 20, 20, kids=[wf(8, 1, 1, 2, 2)])},
                            {"parentId": 9, "wireframe": wf(9, 5, 5, 20, 20)}])])
mobile("cycle-pending.json", 1, "two pending adds, each the other's parent", [],
       [mut(T0 + 500, adds=[{"parentId": 11, "wireframe": wf(10, 5, 5, 20, 20)},
                            {"parentId": 10, "wireframe": wf(11, 5, 5, 20, 20)}])])
# Time: events are sorted (stably) by timestamp; fractional milliseconds are fine.
evs = [meta(T0), full(T0 + 10, [root([wf(7, 10, 10, 100, 100)])]), touch(T0 + 2000, 7, 10, 10), touch(T0 + 2100, 9, 10, 10)]
case("time-reversed.json", 1, "events in reverse order", list(reversed(evs)))
case("time-reversed.jsonl", 1, "JSON lines in reverse order", "".join(json.dumps(["w1", e]) + "\n" for e in reversed(evs)))
case("time-fractional.json", 1, "fractional millisecond timestamps",
     [meta(T0 + 0.25), full(T0 + 10.5, [root([])]), touch(T0 + 2000.75, 7, 1, 1), touch(T0 + 2100.5, 9, 1, 1)])
case("time-far-future.json", 1, "one event 31 years later: skipped as idle", evs + [touch(T0 + 10 ** 12, 7, 1, 1)])
# Geometry: numbers up to 1e15 are accepted and drawn clipped; beyond is an error (fixtures/bad).
mobile("geom-1e14.json", 1, "wireframes at and sized 1e14",
       [wf(7, 1e14, -1e14, 1e14, 1e14), wf(8, 10, 10, 1e14, 5), wf(9, -1e14, -1e14, 1e14, 1e14)])
mobile("geom-negative-size.json", 1, "negative width and height", [wf(7, 100, 100, -1e14, -50)])
case("geom-touch-1e14.json", 0.15, "touches at +-1e14",
     [meta(T0), full(T0 + 10, [root([])]), touch(T0 + 100, 7, 1e14, -1e14), touch(T0 + 200, 9, 1e14, 1e14)])
case("geom-viewport-30000.json", 0.05, "a 30000 x 30000 viewport (within --max-viewport): fitted to the frame",
     [meta(T0, 30000, 30000), full(T0 + 10, [root([])]), touch(T0 + 100, 7, 1, 1)])
limit("limit-viewport-1e14.json", [meta(T0, 1e14, 1e14), full(T0 + 10, [root([])]), touch(T0 + 100, 7, 1, 1)])
limit("limit-wide-snapshot.json", [meta(T0), full(T0 + 10, [root([wf(100 + i, i % 300, i % 600, 5, 5) for i in range(1500)])])])
chain = wf(1000, 0, 0, 10, 10)
for i in range(1, 40):
    chain = wf(1000 + i, 0, 0, 10, 10, kids=[chain])
limit("limit-deep-40.json", [meta(T0), full(T0 + 10, [root([chain])])])
limit("limit-live-nodes.json", [meta(T0), full(T0 + 10, [root([])])] +
      [mut(T0 + 20 + 10 * k, adds=[{"parentId": 50, "wireframe": wf(10000 + 400 * k + i, i, i, 5, 5)}
                                   for i in range(400)]) for k in range(4)] + [touch(T0 + 1000, 7, 1, 1)])
case("geom-viewport-zero.json", 0.05, "a 0x0 viewport: the wireframes' own size",
     [meta(T0, 0, 0), full(T0 + 10, [root([])]), touch(T0 + 100, 7, 1, 1)])


def el(id_, tag, attrs=None, kids=None):
    return {"type": 2, "id": id_, "tagName": tag, "attributes": attrs or {}, "childNodes": kids or []}


def txt(id_, t):
    return {"type": 3, "id": id_, "textContent": t}


def web(name, at, what, body, extra=()):
    doc = {"type": 0, "id": 1, "childNodes": [el(2, "html", {}, [el(3, "head"), el(4, "body", {}, body)])]}
    case(name, at, what, [
        {"type": 4, "timestamp": T0, "data": {"href": "https://example.test/", "width": 800, "height": 600}},
        {"type": 2, "timestamp": T0 + 10, "data": {"node": doc, "initialOffset": {"top": 0, "left": 0}}},
        *extra,
        {"type": 3, "timestamp": T0 + 2000, "data": {"source": 2, "type": 2, "id": 10, "x": 100, "y": 100}}])


def webmut(ts, adds):
    return {"type": 3, "timestamp": ts, "data": {"source": 0, "adds": adds, "removes": [], "texts": [], "attributes": []}}


web("web-ids-duplicate.json", 1, "two DOM nodes with one id",
    [el(10, "button", {"id": "a"}, [txt(11, "One")]), el(10, "button", {"id": "b"}, [txt(11, "Two")])])
web("web-ids-collide-document.json", 1, "nodes reusing the document's and html's ids",
    [el(1, "div", {}, [el(2, "p", {}, [txt(4, "x")])])])
web("web-cycle-under-descendant.json", 1, "mutation adding a node under its own descendant",
    [el(10, "div", {}, [el(11, "div", {}, [el(12, "span")])])],
    [webmut(T0 + 500, [{"parentId": 12, "nextId": None, "node": el(10, "div")}])])
web("web-cycle-under-self.json", 1, "adds under themselves and each other",
    [el(10, "div")],
    [webmut(T0 + 500, [{"parentId": 20, "nextId": None, "node": el(20, "div")},
                       {"parentId": 21, "nextId": None, "node": el(22, "div")},
                       {"parentId": 22, "nextId": None, "node": el(21, "div")}])])
web("web-cycle-self-child.json", 1, "an added node whose child has its id",
    [el(10, "div")],
    [webmut(T0 + 500, [{"parentId": 10, "nextId": None, "node": el(30, "div", {}, [el(30, "div", {}, [el(4, "i")])])}])])
web("web-body-under-button.json", 1, "body re-added under its own button",
    [el(10, "button", {}, [txt(11, "x")])],
    [webmut(T0 + 500, [{"parentId": 10, "nextId": None, "node": el(4, "body", {}, [el(10, "button")])}])])
web("web-geom-1e14.json", 1, "mouse and scroll at 1e14, a resize to 30000",
    [el(10, "button")],
    [{"type": 3, "timestamp": T0 + 500, "data": {"source": 1, "positions": [{"x": 1e14, "y": -1e14, "id": 10, "timeOffset": 0}]}},
     {"type": 3, "timestamp": T0 + 600, "data": {"source": 3, "id": 1, "x": 1e14, "y": 1e14}},
     {"type": 3, "timestamp": T0 + 700, "data": {"source": 4, "width": 30000, "height": 30000}}])
limit("limit-web-resize-1e14.json", [{"type": 4, "timestamp": T0, "data": {"href": "https://example.test/", "width": 1280, "height": 800}},
                                     {"type": 3, "timestamp": T0 + 700, "data": {"source": 4, "width": 1e14, "height": 1e14}}])
web("web-time-offset-huge.json", 1, "a mouse position with timeOffset -1e14",
    [el(10, "button")],
    [{"type": 3, "timestamp": T0 + 500, "data": {"source": 1, "positions": [{"x": 1, "y": 1, "id": 10, "timeOffset": -1e14}]}}])
init = {"type": "initial_state", "timestamp": T0,
        "data": {"viewport": {"width": 800, "height": 600}, "url": "https://example.test/", "html": "<body><button>Go</button></body>"}}
case("portable-reversed.json", 1, "portable events in reverse order",
     {"sessionId": "s1", "userId": "u", "startTime": T0, "endTime": T0 + 5000,
      "metadata": {"viewport": {"width": 800, "height": 600}, "url": "https://example.test/", "userAgent": "x"},
      "events": [{"type": "click", "timestamp": T0 + 3000, "data": {"x": 5, "y": 5}},
                 {"type": "mousemove", "timestamp": T0 + 2000, "data": {"x": 5, "y": 5}}, init]})
PY
[ -s "$tmp/cases.tsv" ] || check generator "python3 wrote no cases"
while IFS=$'\t' read -r name at what; do
  expect_output "skip-render-$name" "$out/v.webm" -- "$reelay" render "$tmp/gen/$name" -o "$out/v.webm" "${fast[@]}"
  expect_output "skip-frame-$name" "$out/f.png" -- "$reelay" frame "$tmp/gen/$name" --at "$at" -o "$out/f.png"
done <"$tmp/cases.tsv"

# ---- 4d. Limits ----
# The far-future event played in real time would be 277778 hours of video.
expect_error too-long 2 "$tmp/gen/time-far-future.json: the video would last 277777:" \
  "$out" -- "$reelay" render "$tmp/gen/time-far-future.json" -o "$out/v.webm" --no-skip-idle "${fast[@]}"
# Each limit flag: over it is exit 2 (input) or 1 (output size) with a message
# naming the flag; the default accepts what the raised limit shows to render.
g=$tmp/gen
for cmd in render frame; do
  if [ "$cmd" = render ]; then o=$out/v.webm; extra=("${fast[@]}"); else o=$out/f.png; extra=(--at 0); fi
  expect_error "limit-$cmd-viewport" 2 "$g/limit-viewport-1e14.json: [0]: data: viewport 1e+14x1e+14 is larger than 32768 (raise --max-viewport)" \
    "$out" -- "$reelay" "$cmd" "$g/limit-viewport-1e14.json" -o "$o" "${extra[@]}"
  expect_error "limit-$cmd-web-resize" 2 "$g/limit-web-resize-1e14.json: [1]: data: viewport 1e+14x1e+14 is larger than 32768" \
    "$out" -- "$reelay" "$cmd" "$g/limit-web-resize-1e14.json" -o "$o" "${extra[@]}"
  expect_error "limit-$cmd-viewport-flag" 2 "[0]: data: viewport 360x640 is larger than 500 (raise --max-viewport)" \
    "$out" -- "$reelay" "$cmd" "$g/limit-deep-40.json" -o "$o" --max-viewport 500 "${extra[@]}"
  expect_error "limit-$cmd-wireframes" 2 "data.wireframes[0].childWireframes[999]: more than 1000 wireframes in one snapshot (raise --max-wireframes)" \
    "$out" -- "$reelay" "$cmd" "$g/limit-wide-snapshot.json" -o "$o" --max-wireframes 1000 "${extra[@]}"
  expect_output "limit-$cmd-wireframes-default" "$o" -- "$reelay" "$cmd" "$g/limit-wide-snapshot.json" -o "$o" "${extra[@]}"
  expect_error "limit-$cmd-depth" 2 "wireframes nested deeper than 30 levels (raise --max-tree-depth)" \
    "$out" -- "$reelay" "$cmd" "$g/limit-deep-40.json" -o "$o" --max-tree-depth 30 "${extra[@]}"
  expect_output "limit-$cmd-depth-default" "$o" -- "$reelay" "$cmd" "$g/limit-deep-40.json" -o "$o" "${extra[@]}"
done
# Live wireframes: 4 mutations of 400 each, never removed, against 1000.
expect_error limit-render-live 2 "more than 1000 live wireframe nodes at once" \
  "$out" -- "$reelay" render "$g/limit-live-nodes.json" -o "$out/v.webm" --max-wireframes 1000 "${fast[@]}"
expect_output limit-render-live-default "$out/v.webm" -- "$reelay" render "$g/limit-live-nodes.json" -o "$out/v.webm" "${fast[@]}"
# Output dimensions: --size, --scale and the default size against --max-output-dim.
expect_error limit-render-size 1 "--size 9000x720 is larger than --max-output-dim 8192" \
  "$out" -- "$reelay" render "$android" -o "$out/v.webm" --size 9000x720 "${fast[@]}"
expect_error limit-render-size-flag 1 "--size 1280x720 is larger than --max-output-dim 1000" \
  "$out" -- "$reelay" render "$android" -o "$out/v.webm" --size 720p --max-output-dim 1000 "${fast[@]}"
expect_error limit-render-default-size 1 "larger than --max-output-dim 600" \
  "$out" -- "$reelay" render "$android" -o "$out/v.webm" --max-output-dim 600 "${fast[@]}"
expect_error limit-frame-scale 1 "--scale 16 makes a 5760x10240 image, larger than --max-output-dim 8192" \
  "$out" -- "$reelay" frame "$g/limit-deep-40.json" --at 0 -o "$out/f.png" --scale 16
expect_error limit-frame-size 1 "--size 8200x8200 is larger than --max-output-dim 8192" \
  "$out" -- "$reelay" frame "$g/limit-deep-40.json" --at 0 -o "$out/f.png" --size 8200x8200
expect_error limit-frame-default-size 1 "the image would be 720x1280, larger than --max-output-dim 1000" \
  "$out" -- "$reelay" frame "$g/limit-deep-40.json" --at 0 -o "$out/f.png" --max-output-dim 1000

# ---- 5. Interrupted: SIGTERM and SIGINT remove the partial files ----
for sig in TERM INT; do
  touch "$tmp/.stamp"; sleep 0.01
  timeout -s "$sig" 2 "$reelay" render "$android" -o "$out/v.webm" --no-skip-idle --fps 30 --quiet \
    --preview "$out/v-preview.webp" 2>"$tmp/sig.err"
  code=$? left=$(leftovers "$out")
  check "interrupted-$sig" "$([ "$code" -eq 124 ] && [ -z "$left" ] && echo ok || echo "exit $code, left '$left'")"
done

finish
