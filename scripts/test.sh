#!/usr/bin/env bash
# Installs what is missing, builds (optimised, assertions on) and runs every test.
# Exits non-zero on any failure. A second run is incremental.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
start=$(date +%s)
./scripts/build.sh
echo "build: $(( $(date +%s) - start ))s"
ctest --test-dir "${BUILD_DIR:-build}" -j "$(nproc)" --output-on-failure --timeout 600
