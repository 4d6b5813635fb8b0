#!/usr/bin/env bash
# Generates the small images under fixtures/images/ that tests/unit/test_image.c
# decodes. Each picture is four flat-colour quadrants so the expected pixel
# values are known without a reference decoder; lossy formats are checked
# with a tolerance. Needs ffmpeg (with libwebp) and python3.
# Usage: scripts/gen_test_images.sh [output-dir]   (default fixtures/images)
set -euo pipefail

out="${1:-fixtures/images}"
mkdir -p "$out"

# Raw RGBA quadrants: W H then four r,g,b,a colours (TL TR BL BR). The split is
# at W/2, H/2 (integer division), matching the test's expectations.
quadrants() {
  python3 - "$@" <<'PY'
import sys
w, h = int(sys.argv[1]), int(sys.argv[2])
cols = [bytes(int(v) for v in c.split(",")) for c in sys.argv[3:7]]
rows = []
for y in range(h):
    top = y < h // 2
    left, right = (cols[0], cols[1]) if top else (cols[2], cols[3])
    rows.append(left * (w // 2) + right * (w - w // 2))
sys.stdout.buffer.write(b"".join(rows))
PY
}

# Quiet, reproducible ffmpeg: no encoder version strings or metadata.
ff() { ffmpeg -nostdin -loglevel error -y "$@"; }
raw_in() { echo -f rawvideo -pix_fmt rgba -s "$1x$2" -i -; }
exact=(-fflags +bitexact -flags:v +bitexact -map_metadata -1)

# Odd sizes on purpose: 37*4 bytes per row is not a multiple of 16.
opaque=("220,20,60,255" "30,144,255,255" "255,255,255,255" "0,128,0,255")
alpha=("220,20,60,255" "30,144,255,255" "255,255,255,255" "0,128,0,128")

quadrants 37 25 "${alpha[@]}" | ff $(raw_in 37 25) "${exact[@]}" -pix_fmt rgba "$out/quad.png"
quadrants 37 25 "${alpha[@]}" | ff $(raw_in 37 25) "${exact[@]}" -c:v libwebp -lossless 1 \
  -pix_fmt bgra -f webp "$out/quad-lossless.webp"
quadrants 37 25 "${opaque[@]}" | ff $(raw_in 37 25) "${exact[@]}" -c:v libwebp -quality 90 \
  -pix_fmt yuv420p -f webp "$out/quad-lossy.webp"
quadrants 37 25 "${alpha[@]}" | ff $(raw_in 37 25) "${exact[@]}" -c:v libwebp -quality 90 \
  -pix_fmt yuva420p -f webp "$out/quad-lossy-alpha.webp"
quadrants 37 25 "${opaque[@]}" | ff $(raw_in 37 25) "${exact[@]}" -c:v mjpeg -q:v 2 \
  -pix_fmt yuvj420p -f image2 "$out/quad.jpg"
quadrants 37 25 "${opaque[@]}" | ff $(raw_in 37 25) "${exact[@]}" -c:v mjpeg -q:v 2 \
  -pix_fmt yuvj444p -f image2 "$out/quad-444.jpg"
quadrants 37 25 "${opaque[@]}" | ff $(raw_in 37 25) "${exact[@]}" -c:v mjpeg -q:v 2 \
  -pix_fmt yuvj422p -f image2 "$out/quad-422.jpg"
# Opaque RGB without an alpha channel: Cairo reads it as RGB24, which the
# decoder converts to ARGB32.
quadrants 37 25 "${opaque[@]}" | ff $(raw_in 37 25) "${exact[@]}" -pix_fmt rgb24 "$out/quad-rgb.png"
# 16 bits per channel: newer Cairo returns a float format for these.
quadrants 8 6 "${alpha[@]}" | ff $(raw_in 8 6) "${exact[@]}" -pix_fmt rgba64be "$out/quad-16bit.png"
# Two-frame animation: the decoder refuses animated WebP.
{ quadrants 8 8 "${opaque[@]}"; quadrants 8 8 "${alpha[@]}"; } |
  ff -r 2 $(raw_in 8 8) "${exact[@]}" -c:v libwebp_anim -lossless 1 -pix_fmt bgra \
  -loop 0 -f webp "$out/anim.webp"

ls -l "$out"
