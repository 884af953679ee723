#!/usr/bin/env bash
# Random-kill soak (not part of test.sh): kill -9 hpsearch-server at random moments,
# KILLS times (default 200), while its embedded slot and a remote hpsearch-worker run
# trials and sweeps are submitted, stopped and cancelled; after every kill the
# database must be sound (hpsearch-server --check-db) and no sweep whose cancel or
# stop was acknowledged may ever complete. At the end every sweep is let run out and
# everything is checked once more.
#
#   scripts/soak.sh [KILLS]        (after scripts/build.sh; about 2 s per kill)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-build/bin}
KILLS=${1:-200}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/hpsearch-soak.XXXXXX")
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export HPSEARCH_SERVER=127.0.0.1:$PORT
DB=$WORK/soak.db
SERVER=""
WORKER=""
cleanup() {
  [ -n "$SERVER" ] && kill -9 "$SERVER" 2>/dev/null || true
  [ -n "$WORKER" ] && kill -9 "$WORKER" 2>/dev/null || true
}
trap cleanup EXIT
fail() { echo "soak FAILED: $*" >&2; echo "work dir kept: $WORK" >&2; trap - EXIT; cleanup; exit 1; }

start_server() {
  rm -f "$WORK/port"
  "$BIN/hpsearch-server" --listen "$HPSEARCH_SERVER" --port-file "$WORK/port" --db "$DB" --workers 1 \
    --lease-seconds 2 2>> "$WORK/server.log" &
  SERVER=$!
  for _ in $(seq 200); do [ -s "$WORK/port" ] && return 0; kill -0 "$SERVER" 2>/dev/null || break; sleep 0.05; done
  fail "the server did not start (see $WORK/server.log)"
}

cat > "$WORK/spec.yaml" <<'YAML'
name: soak
dataset: {name: digits, validation: 0.2}
method: random
budget: {max_trials: 12}
fixed: {epochs: 20, hidden: [256, 256], batch_size: 8}
parameters:
  lr: {min: 1.0e-4, max: 1.0e-1, scale: log}
  optimizer: {values: [sgd, adam, rmsprop]}
YAML

# The remote worker rides out every restart.
"$BIN/hpsearch-worker" --server "$HPSEARCH_SERVER" --slots 1 --id soak-remote 2>> "$WORK/worker.log" &
WORKER=$!
: > "$WORK/ended-by-user"
submitted=0 stopped=0 cancelled=0 started=$(date +%s)
for kill_no in $(seq "$KILLS"); do
  start_server
  # Keep up to three sweeps going; now and then stop or cancel one of them.
  running=$("$BIN/hpsearch" list --limit 0 -o csv 2>/dev/null | tail -n +2 | grep -cE ',(running|stopping),' || true)
  if [ "${running:-0}" -lt 3 ]; then
    if id=$("$BIN/hpsearch" submit "$WORK/spec.yaml" -o csv 2>/dev/null | tail -1 | cut -d, -f1); then
      [ -n "$id" ] && submitted=$((submitted + 1))
    fi
  fi
  if [ $((RANDOM % 3)) -eq 0 ] && [ "$submitted" -gt 0 ]; then
    victim=$(printf 's-%06d' $((RANDOM % submitted + 1)))
    verb=$([ $((RANDOM % 2)) -eq 0 ] && echo stop || echo cancel)
    if "$BIN/hpsearch" "$verb" "$victim" > /dev/null 2>&1; then
      echo "$victim" >> "$WORK/ended-by-user"
      [ "$verb" = stop ] && stopped=$((stopped + 1)) || cancelled=$((cancelled + 1))
    fi
  fi
  sleep "$(python3 -c 'import random; print(round(random.uniform(0.1, 1.5), 2))')"
  kill -9 "$SERVER"
  wait "$SERVER" 2>/dev/null || true
  SERVER=""
  "$BIN/hpsearch-server" --check-db --db "$DB" > "$WORK/check.txt" 2>&1 || fail "after kill $kill_no: $(cat "$WORK/check.txt")"
  [ $((kill_no % 20)) -eq 0 ] && echo "soak: $kill_no kills, $submitted sweeps, database sound"
done

# Let everything run out, then check it all.
start_server
for _ in $(seq 1200); do
  "$BIN/hpsearch" list --limit 0 -o csv > "$WORK/list.csv"
  tail -n +2 "$WORK/list.csv" | grep -qE ',(running|stopping),' || break
  sleep 0.5
done
kill -TERM "$SERVER"; wait "$SERVER" || fail "the server did not stop cleanly"; SERVER=""
kill -TERM "$WORKER"; wait "$WORKER" || true; WORKER=""
"$BIN/hpsearch-server" --check-db --db "$DB" > "$WORK/check.txt" 2>&1 || fail "final: $(cat "$WORK/check.txt")"
if tail -n +2 "$WORK/list.csv" | grep -qE ',(running|stopping),'; then
  fail "sweeps still running at the end: $(grep -E ',(running|stopping),' "$WORK/list.csv")"
fi
while read -r id; do
  line=$(grep "^$id," "$WORK/list.csv") || fail "$id is missing"
  case "$line" in *,cancelled,*) ;; *) fail "$id was stopped or cancelled, yet ended: $line" ;; esac
done < <(sort -u "$WORK/ended-by-user")
completed=$(grep -c ',completed,' "$WORK/list.csv" || true)
echo "soak ok: $KILLS kill -9 in $(( $(date +%s) - started )) s; $submitted sweeps ($completed completed, $stopped stops and $cancelled cancels acknowledged, every one ended cancelled); database sound after every kill"
rm -rf "$WORK"
