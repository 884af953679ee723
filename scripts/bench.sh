#!/usr/bin/env bash
# Benchmarks: the server's bookkeeping, query latencies and end-to-end throughput
# (tests/bench/server_bench.cc), then the trainer's samples/s. Extra arguments go to
# Google Benchmark, e.g. ./scripts/bench.sh --benchmark_filter=EndToEnd
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build.sh >/dev/null
HPSEARCH_LOG_LEVEL=warn build/bin/server_bench "$@" 2>/dev/null
if [[ $# -eq 0 ]]; then
  build/bin/hpsearch-worker bench --hidden 256,128 --batch 128 --seconds 5
fi
