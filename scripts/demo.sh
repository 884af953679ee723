#!/usr/bin/env bash
# The quick start: installs what is missing, builds, starts hpsearch-server with its
# embedded workers on a free loopback port, runs examples/quickstart.yaml while
# showing progress, prints the best trials, and stops the server cleanly.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
echo "== Building hpsearch, hpsearch-server and hpsearch-worker (build/bin/; the tests are built by scripts/test.sh)"
HPSEARCH_PROGRESS=1 ./scripts/build.sh hpsearch hpsearch-server hpsearch-worker
BIN="$PWD/build/bin"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/hpsearch-demo.XXXXXX")"
SERVER_PID=""
cleanup() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

echo
echo "== Starting hpsearch-server (embedded workers: one per core; database $WORK/demo.db)"
"$BIN/hpsearch-server" --listen 127.0.0.1:0 --port-file "$WORK/port" --db "$WORK/demo.db" \
  --http 127.0.0.1:0 --http-port-file "$WORK/http-port" 2> "$WORK/server.log" &
SERVER_PID=$!
for _ in $(seq 100); do
  [[ -s "$WORK/port" ]] && break
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then cat "$WORK/server.log"; exit 1; fi
  sleep 0.1
done
export HPSEARCH_SERVER="127.0.0.1:$(cat "$WORK/port")"
"$BIN/hpsearch" health >/dev/null
echo "   serving on $HPSEARCH_SERVER"
echo "   dashboard: http://127.0.0.1:$(cat "$WORK/http-port")/ (live while the demo runs; metrics at /metrics)"

echo
echo "== The sweep (hpsearch plan examples/quickstart.yaml --limit 4)"
"$BIN/hpsearch" plan examples/quickstart.yaml --limit 4

echo
echo "== Submitting and watching it (hpsearch submit examples/quickstart.yaml --watch)"
"$BIN/hpsearch" submit examples/quickstart.yaml --watch

echo
echo "== The best trials (hpsearch best quickstart -k 5)"
"$BIN/hpsearch" best quickstart -k 5

echo
echo "== The winner's learning curve (hpsearch trial quickstart N)"
BEST=$("$BIN/hpsearch" status quickstart -o json | sed -n 's/.*"best_trial": *\([0-9]*\).*/\1/p')
"$BIN/hpsearch" trial quickstart "$BEST" | sed -n '/learning curve/,/activations/p' | sed '$d'

echo
echo "== Stopping the server (SIGTERM)"
kill -TERM "$SERVER_PID"
wait "$SERVER_PID" || true
SERVER_PID=""
tail -n 2 "$WORK/server.log"
