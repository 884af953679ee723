#!/usr/bin/env bash
# A new user's first session, as README.md tells it: start the server, submit the
# quick-start sweep, watch it, look at the best trials, compare two, export the
# results, ask which parameters mattered, print the stored spec, train the best trial
# again from a trial file; then their own regression CSV at a real scale (prices in
# the 100,000s) and a broken one, a capped grid that they extend, a failed trial they
# retry (with a new seed too), and a sweep they delete.
# Usage: new_user_session.sh BIN_DIR SOURCE_DIR
set -euo pipefail
BIN="$1"
SRC="$2"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/hpsearch-session.XXXXXX")"
PID=""
trap '[[ -n "$PID" ]] && kill -9 "$PID" 2>/dev/null; rm -rf "$WORK"' EXIT
fail() { echo "FAIL: $*" >&2; echo "--- server log" >&2; cat "$WORK/server.log" >&2; exit 1; }

"$BIN/hpsearch-server" --listen 127.0.0.1:0 --port-file "$WORK/port" --db "$WORK/hpsearch.db" --workers 2 \
  --data-dir "$WORK" 2> "$WORK/server.log" &
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
# Side by side: the best two trials.
first="$(grep -E '^ +1 ' "$WORK/best.txt" | awk '{print $2}')"
second="$(grep -E '^ +2 ' "$WORK/best.txt" | awk '{print $2}')"
"$BIN/hpsearch" compare quickstart "$first" "$second" > "$WORK/compare.txt" || fail "compare exited $?"
grep -q "TRIAL $first" "$WORK/compare.txt" || fail "compare: $(cat "$WORK/compare.txt")"
grep -q '^\*' "$WORK/compare.txt" || fail "compare marks no difference: $(cat "$WORK/compare.txt")"
# Which parameters mattered (16 trials: too few, and it says so), and the spec as stored.
"$BIN/hpsearch" importance quickstart > "$WORK/importance.txt" || fail "importance exited $?"
grep -Eq "importance withheld: [0-9]+ completed trials so far|PED-ANOVA over" "$WORK/importance.txt" \
  || fail "importance: $(cat "$WORK/importance.txt")"
"$BIN/hpsearch" spec quickstart > "$WORK/stored.yaml" || fail "spec exited $?"
"$BIN/hpsearch" plan "$WORK/stored.yaml" > "$WORK/stored-plan.txt" || fail "the stored spec does not plan: $(cat "$WORK/stored.yaml")"
grep -q "is valid: 16 trials (random)" "$WORK/stored-plan.txt" || fail "stored spec: $(cat "$WORK/stored-plan.txt")"
# The best trial, trained again from a trial file: the same numbers.
"$BIN/hpsearch" trial quickstart "$first" --as-trial-file > "$WORK/best-trial.yaml" || fail "--as-trial-file"
"$BIN/hpsearch" trial quickstart "$first" -o json > "$WORK/best-trial.json" || fail "trial -o json"
"$BIN/hpsearch-worker" train --config "$WORK/best-trial.yaml" --json > "$WORK/again.json" 2> /dev/null || fail "train the trial file"
python3 - "$WORK/best-trial.json" "$WORK/again.json" <<'PY' || fail "the trial file trains to other numbers"
import json, sys
served, again = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert served["metrics"] == again["metrics"], (served["metrics"], again["metrics"])
PY

# The user's own regression CSV (data dir: the server's cwd is not the user's, so
# submit a copy inside the server's --data-dir, which is "." by default: $WORK here).
python3 - "$WORK/house.csv" <<'PY'
import math, sys
with open(sys.argv[1], "w") as f:
    f.write("rooms,age,price\n")
    for i in range(300):
        rooms, age = 1 + i % 7, (i * 37) % 90
        f.write(f"{rooms},{age},{50000 + 30000 * rooms - 400 * age + 5000 * math.sin(i):.1f}\n")
PY
cat > "$WORK/house.yaml" <<'YAML'
name: house
dataset: {name: csv, path: house.csv}
method: random
budget: {max_trials: 3}
fixed: {epochs: 5, hidden: [16]}
parameters:
  lr: {min: 0.001, max: 0.03, scale: log}
YAML
(cd "$WORK" && "$BIN/hpsearch" plan house.yaml > plan-house.txt) || fail "plan house"
grep -q "minimize val_loss" "$WORK/plan-house.txt" || fail "plan house: $(cat "$WORK/plan-house.txt")"
"$BIN/hpsearch" submit "$WORK/house.yaml" --watch > "$WORK/house.txt" || fail "house sweep exited $?"
grep -q "completed; best val_loss (minimize)" "$WORK/house.txt" || fail "house: $(tail -2 "$WORK/house.txt")"
# Prices in the 100,000s learn (the target is standardised; 3 short trials, so r2 is modest).
"$BIN/hpsearch" best house -k 1 -o json > "$WORK/house-best.json" || fail "best house"
python3 - "$WORK/house-best.json" <<'PY' || fail "house: $(cat "$WORK/house-best.json")"
import json, sys
best = json.load(open(sys.argv[1]))[0]
assert best["metrics"]["val_r2"] > 0.3, best["metrics"]  # unstandardised it was -7.5
PY
printf 'rooms,age,price\n1,,3\n' > "$WORK/broken.csv"
sed 's/house.csv/broken.csv/; s/name: house/name: broken/' "$WORK/house.yaml" > "$WORK/broken.yaml"
if "$BIN/hpsearch" submit "$WORK/broken.yaml" 2> "$WORK/broken.err"; then fail "a broken CSV was accepted"; fi
grep -q "broken.csv:2: column 'age'" "$WORK/broken.err" || fail "broken: $(cat "$WORK/broken.err")"

# A grid capped by max_trials says so.
cat > "$WORK/capped.yaml" <<'YAML'
name: capped
dataset: iris
method: grid
budget: {max_trials: 2}
fixed: {epochs: 3}
parameters:
  lr: {values: [0.1, 0.01, 0.001]}
  optimizer: {values: [sgd, adam]}
YAML
"$BIN/hpsearch" plan "$WORK/capped.yaml" > "$WORK/capped-plan.txt" || fail "plan capped"
grep -q "the first 2 of 6 grid points" "$WORK/capped-plan.txt" || fail "capped plan: $(cat "$WORK/capped-plan.txt")"
"$BIN/hpsearch" submit "$WORK/capped.yaml" --watch > /dev/null || fail "capped sweep"
"$BIN/hpsearch" status capped > "$WORK/capped-status.txt" || fail "capped status"
grep -q "the first 2 of 6 grid points" "$WORK/capped-status.txt" || fail "capped status: $(cat "$WORK/capped-status.txt")"

# More budget for the finished grid: extend reopens it and runs the rest of the grid.
"$BIN/hpsearch" extend capped --trials 4 > "$WORK/extend.txt" || fail "extend exited $?"
grep -q "was completed; running again: 6 trials (2 done, 4 to run)" "$WORK/extend.txt" || fail "extend: $(cat "$WORK/extend.txt")"
"$BIN/hpsearch" watch capped > /dev/null || fail "watch the extended sweep"
"$BIN/hpsearch" status capped -o json > "$WORK/extended.json" || fail "status extended"
python3 - "$WORK/extended.json" <<'PY' || fail "extended: $(cat "$WORK/extended.json")"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["status"] == "completed" and s["total"] == 6 and s["counts"]["completed"] == 6, s
PY
if "$BIN/hpsearch" extend capped --trials 1 2> "$WORK/extend-more.err"; then fail "a whole grid was extended"; fi
grep -q "all 6 points of its grid" "$WORK/extend-more.err" || fail "extend a whole grid: $(cat "$WORK/extend-more.err")"

# A trial that fails (lr 1000 diverges) is retried as a new attempt of the same configuration.
cat > "$WORK/div.yaml" <<'YAML'
name: div
dataset: iris
method: grid
fixed: {epochs: 10, hidden: [8], optimizer: sgd}
parameters:
  lr: {values: [0.03, 1000]}
YAML
"$BIN/hpsearch" submit "$WORK/div.yaml" --watch > /dev/null || fail "div sweep"
"$BIN/hpsearch" retry div > "$WORK/retry.txt" || fail "retry exited $?"
grep -q "1 failed trial requeued as a new attempt" "$WORK/retry.txt" || fail "retry: $(cat "$WORK/retry.txt")"
"$BIN/hpsearch" watch div > /dev/null || true  # every retried trial may fail again: exit 5 is fine
"$BIN/hpsearch" trial div 1 > "$WORK/retried.txt" || fail "trial div 1"
grep -q "attempt 2" "$WORK/retried.txt" || fail "retried trial: $(cat "$WORK/retried.txt")"
# Once more with a new seed (lr 1000 diverges whatever the seed): attempt 3 has its own.
"$BIN/hpsearch" retry div --new-seed > "$WORK/reseed.txt" || fail "retry --new-seed exited $?"
"$BIN/hpsearch" watch div > /dev/null || true
"$BIN/hpsearch" trial div 1 > "$WORK/reseeded.txt" || fail "trial div 1 after --new-seed"
grep -Eq "attempt 1 .*\(seed [0-9]+\)" "$WORK/reseeded.txt" || fail "reseeded trial: $(cat "$WORK/reseeded.txt")"
"$BIN/hpsearch" delete div --yes > "$WORK/delete.txt" || fail "delete exited $?"
grep -q "deleted sweep" "$WORK/delete.txt" || fail "delete: $(cat "$WORK/delete.txt")"
if "$BIN/hpsearch" status div 2> /dev/null; then fail "a deleted sweep is still there"; fi

kill -TERM "$PID"
wait "$PID" || fail "server exit code $?"
PID=""
echo "new user session ok: $id"
