#!/usr/bin/env bash
# Installs every Debian 12 package reelay needs to build, test and run.
# Idempotent and non-interactive; the Dockerfile installs the same lists.
set -euo pipefail

BUILD_PACKAGES=(
  build-essential cmake pkg-config
  libavcodec-dev libavformat-dev libavutil-dev libswscale-dev
  libcairo2-dev libpango1.0-dev libwebp-dev libjansson-dev zlib1g-dev
  libhiredis-dev libmicrohttpd-dev
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
)

want=("${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}" "${FUZZ_PACKAGES[@]}" "${RUNTIME_PACKAGES[@]}")
missing=()
for pkg in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all ${#want[@]} packages already installed"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-deps: installed ${missing[*]}"
