#!/usr/bin/env bash
# A new user's first session, as README.md tells it: start the server, submit the
# quick-start sweep, watch it, look at the best trials, export the results.
# Usage: new_user_session.sh BIN_DIR SOURCE_DIR
set -euo pipefail
BIN="$1"
SRC="$2"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/hpsearch-session.XXXXXX")"
PID=""
trap '[[ -n "$PID" ]] && kill -9 "$PID" 2>/dev/null; rm -rf "$WORK"' EXIT
fail() { echo "FAIL: $*" >&2; echo "--- server log" >&2; cat "$WORK/server.log" >&2; exit 1; }

"$BIN/hpsearch-server" --listen 127.0.0.1:0 --port-file "$WORK/port" --db "$WORK/hpsearch.db" --workers 2 \
  2> "$WORK/server.log" &
PID=$!
for _ in $(seq 100); do [[ -s "$WORK/port" ]] && break; sleep 0.1; done
[[ -s "$WORK/port" ]] || fail "server did not start"
export HPSEARCH_SERVER="127.0.0.1:$(cat "$WORK/port")"

[[ "$("$BIN/hpsearch" health)" == "SERVING" ]] || fail "health"
"$BIN/hpsearch" plan "$SRC/examples/quickstart.yaml" --limit 3 > "$WORK/plan.txt" || fail "plan"
id="$("$BIN/hpsearch" submit "$SRC/examples/quickstart.yaml" | cut -d' ' -f1)"
[[ "$id" == s-* ]] || fail "submit printed '$id'"
"$BIN/hpsearch" watch quickstart > "$WORK/watch.txt" || fail "watch exited $?"
grep -q "^$id completed" "$WORK/watch.txt" || fail "watch did not end with the sweep: $(tail -1 "$WORK/watch.txt")"
"$BIN/hpsearch" best quickstart -k 3 > "$WORK/best.txt" || fail "best"
[[ "$(wc -l < "$WORK/best.txt")" -eq 4 ]] || fail "best: $(cat "$WORK/best.txt")"
grep -q test_accuracy "$WORK/best.txt" || fail "best has no test metrics"
# Whole outputs into files first: `cmd | grep -q` kills cmd with SIGPIPE under pipefail.
"$BIN/hpsearch" best "$id" -o json > "$WORK/best.json" || fail "best -o json exited $?"
grep -q '"objective"' "$WORK/best.json" || fail "best -o json: $(head -c 300 "$WORK/best.json")"
"$BIN/hpsearch" export quickstart --file "$WORK/results.csv" 2> /dev/null || fail "export"
head -1 "$WORK/results.csv" | grep -q '^trial,status,objective,' || fail "export header"
[[ "$(($(wc -l < "$WORK/results.csv") - 1))" -eq 16 ]] || fail "export rows: $(wc -l < "$WORK/results.csv")"
"$BIN/hpsearch" status quickstart > "$WORK/status.txt" || fail "status exited $?"
grep -q "16/16 done" "$WORK/status.txt" || fail "status: $(cat "$WORK/status.txt")"
kill -TERM "$PID"
wait "$PID" || fail "server exit code $?"
PID=""
echo "new user session ok: $id"
