#!/usr/bin/env bash
# Regenerates the dashboard screenshots in docs/img/ (the README and docs show them):
# the browser test, run against a fresh server, saves one per page; then three trial
# pages of examples/init-study.yaml show its activation heat maps.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh hpsearch hpsearch-server >/dev/null
mkdir -p docs/img
/usr/bin/python3 tests/e2e/dashboard_test.py "$PWD/build/bin" "$PWD/docs/img"
# The lectures' initialisation experiment (examples/init-study.yaml, about a minute).
/usr/bin/python3 scripts/init_study_screenshot.py "$PWD/build/bin" "$PWD/docs/img"
ls -l docs/img/*.png
