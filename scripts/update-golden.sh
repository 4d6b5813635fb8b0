#!/usr/bin/env bash
# Regenerates the golden-frame fixtures and reference PNGs after an intended
# rendering change: rewrites fixtures/golden/ from scripts/gen_golden_fixtures.py,
# builds, and renders every case of tests/golden/cases.tsv into tests/golden/;
# then the web page engine's fixtures and pages (tests/unit/test_page_engine.c).
# Look at the changed PNGs (git diff --stat tests/golden) before committing them.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 scripts/gen_golden_fixtures.py
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target test_golden
REELAY_UPDATE_GOLDEN=1 ./build/tests/test_golden
# the web page engine's pages (tests/golden/web-page-*.png; needs WebKitGTK and Xvfb)
python3 scripts/gen_web_page_fixtures.py
python3 scripts/gen_web_page_fixtures.py --widgets
cmake --build build -j"$(nproc)" --target reelay reelay-page-engine test_page_engine
REELAY_UPDATE_GOLDEN=1 REELAY_BIN=./build/reelay ./build/tests/test_page_engine
