#!/usr/bin/env bash
# Regenerates the golden-frame fixtures and reference PNGs after an intended
# rendering change: rewrites fixtures/golden/ from scripts/gen_golden_fixtures.py,
# builds, and renders every case of tests/golden/cases.tsv into tests/golden/.
# Look at the changed PNGs (git diff --stat tests/golden) before committing them.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 scripts/gen_golden_fixtures.py
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target test_golden
REELAY_UPDATE_GOLDEN=1 ./build/tests/test_golden
