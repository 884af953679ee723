#!/usr/bin/env bash
# Configures (once) and builds hpsearch into build/ (binaries in build/bin/).
# Incremental: a second run only rebuilds what changed.
#   HPSEARCH_ARCH=x86-64-v3 scripts/build.sh   portable build (as in the Docker image)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
ARCH=${HPSEARCH_ARCH:-native}
if [ ! -f "$BUILD_DIR/build.ninja" ] || ! grep -q "^HPSEARCH_ARCH:STRING=$ARCH\$" "$BUILD_DIR/CMakeCache.txt" 2>/dev/null; then
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DHPSEARCH_ARCH="$ARCH"
fi
cmake --build "$BUILD_DIR" -j "$(nproc)"
