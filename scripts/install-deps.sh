#!/usr/bin/env bash
# Installs every Debian 12 package reelay needs to build, test and run.
# Idempotent and non-interactive; the Dockerfile installs the same lists.
set -euo pipefail

BUILD_PACKAGES=(
  build-essential cmake pkg-config
  libavcodec-dev libavformat-dev libavutil-dev libswscale-dev
  libcairo2-dev libpango1.0-dev libwebp-dev libjansson-dev zlib1g-dev
  libhiredis-dev libmicrohttpd-dev libcurl4-openssl-dev
  libwebkit2gtk-4.1-dev
)
TEST_PACKAGES=(
  libcmocka-dev ffmpeg python3 redis-server curl valgrind
)
# scripts/fuzz.sh: clang with libFuzzer.
FUZZ_PACKAGES=(
  clang libclang-rt-14-dev
)
RUNTIME_PACKAGES=(
  fontconfig fonts-dejavu-core fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji
  xvfb bubblewrap ca-certificates
)
# npm fetches rrweb's replayer, and for the tests s3rver, an S3-compatible
# server (package.json, package-lock.json). An npm that is
# already there (e.g. a newer Node.js) is kept: Debian's is installed only
# when there is none.
if ! command -v npm >/dev/null 2>&1; then
  RUNTIME_PACKAGES+=(nodejs npm)
fi

want=("${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}" "${FUZZ_PACKAGES[@]}" "${RUNTIME_PACKAGES[@]}")
missing=()
for pkg in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all ${#want[@]} packages already installed"
else
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  echo "install-deps: installed ${missing[*]}"
fi

# rrweb's replayer for the web page engine, and s3rver for tests/cli/test_s3.sh
# (a dev dependency: the Dockerfile leaves it out): exactly the versions in
# the committed package-lock.json (integrity-checked by npm ci), no install
# scripts, into third_party/npm/ (gitignored). Skipped when the lockfile has
# not changed since the last install.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
npm_dir="$root/third_party/npm"
if cmp -s "$npm_dir/package-lock.json" "$npm_dir/node_modules/.reelay-lock" 2>/dev/null; then
  echo "install-deps: npm packages already installed"
else
  (cd "$npm_dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  cp "$npm_dir/package-lock.json" "$npm_dir/node_modules/.reelay-lock"
  echo "install-deps: npm packages installed in third_party/npm/node_modules"
fi
