#!/usr/bin/env bash
# The search benchmark of docs/performance.md: random search, TPE, and TPE with ASHA
# pruning on the Fashion-MNIST space of examples/fashion-tpe-asha.yaml, each with the
# same wall-clock budget on a server with two embedded slots, for several seeds.
# Prints, per run, the trials finished, pruned, the best val_accuracy and the time
# (from the submit) until a completed trial first reached a threshold; then the
# medians per method.
#
#   scripts/bench-search.sh [SECONDS (90)] [SEEDS ("1 2 3")] [THRESHOLD (0.89)]
#
# SPEC=FILE searches another spec's space (its tpe: settings kept for the TPE runs),
# METHODS="tpe+asha" runs only some of random, tpe, tpe+asha; each run's line also
# gives the test accuracy of its best trial. Issue 29's CNN benchmark:
#   SPEC=examples/fashion-cnn.yaml METHODS=tpe+asha scripts/bench-search.sh 600 "1 2 3" 0.915
#
# Each run gets a fresh server and database, so each pays the same dataset load.
set -euo pipefail
cd "$(dirname "$0")/.."
BUDGET="${1:-90}"
SEEDS="${2:-1 2 3}"
THRESHOLD="${3:-0.89}"
SPEC="${SPEC:-examples/fashion-tpe-asha.yaml}"
METHODS="${METHODS:-random tpe tpe+asha}"
./scripts/build.sh hpsearch hpsearch-server >/dev/null
BIN="$PWD/build/bin"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/hpsearch-bench-search.XXXXXX")"
SERVER_PID=""
stop_server() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}
trap 'stop_server; [[ -n "${KEEP:-}" ]] || rm -rf "$WORK"' EXIT

# The example's space, with the method, pruning, seed and budget of one run.
spec() {  # METHOD PRUNING SEED
  local method="$1" pruning="$2" seed="$3"
  local edits=(-e "s/^method: .*/method: $method/" -e "s/^seed: .*/seed: $seed/"
               -e "s/^budget: .*/budget: {max_trials: 1000, max_duration: ${BUDGET}s}/" -e "/^pruning: /d")
  [[ "$method" == tpe ]] || edits+=(-e "/^tpe: /d")  # tpe: settings apply to TPE alone
  sed "${edits[@]}" "$SPEC"
  [[ "$pruning" == none ]] || echo "pruning: $pruning"
}

echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores;" \
     "flags: $(grep -m1 -o -w 'avx512f' /proc/cpuinfo || grep -m1 -o -w 'avx2' /proc/cpuinfo)"
echo "space of $SPEC; budget ${BUDGET}s per run, 2 embedded slots, threshold val_accuracy >= $THRESHOLD"
printf '%-9s %4s %7s %7s %9s %11s %9s\n' method seed trials pruned best "to_${THRESHOLD}" test
RESULTS="$WORK/results.tsv"
: > "$RESULTS"
for label in $METHODS; do
  case "$label" in
    random) method=random; pruning=none ;;
    tpe) method=tpe; pruning=none ;;
    tpe+asha) method=tpe; pruning="{method: asha, min_epochs: 1, reduction_factor: 3}" ;;
  esac
  for seed in $SEEDS; do
    run="$WORK/$label-$seed"
    mkdir -p "$run"
    spec "$method" "$pruning" "$seed" > "$run/spec.yaml"
    "$BIN/hpsearch-server" --listen 127.0.0.1:0 --port-file "$run/port" --db "$run/db" --workers 2 \
      2> "$run/server.log" &
    SERVER_PID=$!
    for _ in $(seq 100); do [[ -s "$run/port" ]] && break; sleep 0.1; done
    export HPSEARCH_SERVER="127.0.0.1:$(cat "$run/port")"
    id="$("$BIN/hpsearch" submit "$run/spec.yaml" -o json | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')"
    "$BIN/hpsearch" watch "$id" > /dev/null 2>&1 || true
    "$BIN/hpsearch" status "$id" -o json > "$run/status.json"
    "$BIN/hpsearch" trials "$id" --limit 0 -o json > "$run/trials.json"
    stop_server
    python3 - "$run" "$label" "$seed" "$THRESHOLD" >> "$RESULTS" <<'EOF'
import json, sys
run, label, seed, threshold = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
status = json.load(open(run + "/status.json"))
trials = json.load(open(run + "/trials.json"))
created = status["created_ms"]
done = [t for t in trials if t["status"] == "completed"]
best_trial = max(done, key=lambda t: t["objective"], default=None)
best = best_trial["objective"] if best_trial else float("nan")
test = best_trial["metrics"].get("test_accuracy", float("nan")) if best_trial else float("nan")
hits = [t["finished_ms"] for t in done if t["objective"] >= threshold]
to = (min(hits) - created) / 1000.0 if hits else float("inf")
pruned = sum(1 for t in trials if t["status"] == "pruned")
print(f"{label}\t{seed}\t{len(done) + pruned}\t{pruned}\t{best:.4f}\t{to:.1f}\t{test:.4f}")
EOF
    tail -1 "$RESULTS" | awk -F'\t' '{printf "%-9s %4s %7s %7s %9s %10ss %9s\n", $1, $2, $3, $4, $5, $6, $7}'
  done
done
echo
python3 - "$RESULTS" <<'EOF'
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
print(f"{'median':<9} {'trials':>12} {'best':>9} {'to_threshold':>13}")
for label in ("random", "tpe", "tpe+asha"):
    r = [x for x in rows if x[0] == label]
    if not r:
        continue
    med = lambda i: statistics.median(float(x[i]) for x in r)
    print(f"{label:<9} {med(2):>12.0f} {med(4):>9.4f} {med(5):>12.1f}s")
EOF
