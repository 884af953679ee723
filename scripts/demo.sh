#!/usr/bin/env bash
# The quick start: installs what is missing, builds, and runs the main job.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build.sh >/dev/null
BIN=build/bin
echo
echo "== Training a 784-256-128-10 network on 10,000 Fashion-MNIST images (local, one trial)"
"$BIN/hpsearch-worker" train --config examples/fashion-trial.yaml
