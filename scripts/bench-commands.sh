#!/usr/bin/env bash
# The command-trial benchmark of docs/performance.md: the overhead per trial of the
# shortest possible command trial — Debian's python3 starts, imports the hpsearch
# report module, reports once — on a server with two embedded slots; against Optuna
# (Debian's python3-optuna, installed here if missing: a benchmark-only package)
# running the same objective in process, and with one `subprocess.run` of python3
# per trial, both with n_jobs=2 and in-memory storage. Prints trials/s for each run
# and the medians, and the CPU time per trial on each side: the overhead (hpsearch's
# server and launchers; Optuna's own process while it optimizes) and the programs'.
#
#   scripts/bench-commands.sh [TRIALS (400)] [RUNS (3)]
set -euo pipefail
cd "$(dirname "$0")/.."
TRIALS="${1:-400}"
RUNS="${2:-3}"
PY=/usr/bin/python3  # Debian's interpreter, not a pyenv shim (which costs 100 ms a start)
./scripts/build.sh hpsearch hpsearch-server >/dev/null
if ! "$PY" -c 'import optuna' 2>/dev/null; then
  echo "bench-commands: installing python3-optuna (Debian) for the comparison" >&2
  SUDO=(); [ "$(id -u)" -eq 0 ] || SUDO=(sudo)
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-optuna >/dev/null
fi
BIN="$PWD/build/bin"
PACKAGE="$PWD/build/python"  # the hpsearch module once.py imports outside hpsearch
WORK="$(mktemp -d "${TMPDIR:-/tmp}/hpsearch-bench-commands.XXXXXX")"
SERVER_PID=""
trap '[[ -z "$SERVER_PID" ]] || kill "$SERVER_PID" 2>/dev/null; rm -rf "$WORK"' EXIT

cat > "$WORK/once.py" <<'PY'
import hpsearch
p = hpsearch.params()
hpsearch.report(1, loss=(p["x"] - 1) ** 2)
PY
cat > "$WORK/once.yaml" <<YAML
name: once
trainer: {command: [$PY, once.py]}
objective: {metric: loss}
method: random
budget: {max_trials: $TRIALS}
parameters:
  x: {min: -5.0, max: 5.0}
YAML

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
# The start-up floor: what one `python3 -c pass` takes, so at most CORES / that
# trials/s: as `time` says it (elapsed; the issue's "32 ms") and as CPU (children's
# rusage, the stricter one); with the same for once.py run outside hpsearch (it
# prints its report), the two taking turns. Measured before the runs (200 starts
# each) and again in every run (50 each), since the machine's speed drifts: each
# run's rates are also given as a share of that run's floor.
floor() {  # STARTS: prints the elapsed and CPU ms of python3 -c pass, then of once.py
  (cd "$WORK" && "$PY" - "$PY" "$PACKAGE" "$1" <<'PY'
import os, resource, subprocess, sys, time
py, package, starts = sys.argv[1], sys.argv[2], int(sys.argv[3])
runs = {"pass": ([py, "-c", "pass"], dict(os.environ)),
        "once": ([py, "once.py"], dict(os.environ, PYTHONPATH=package, HPSEARCH_PARAMS='{"x": 0.5}'))}
runs["pass"][1].pop("PYTHONPATH", None)
wall, cpu = {k: 0.0 for k in runs}, {k: 0.0 for k in runs}
def used():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime
for _ in range(starts):
    for k, (argv, env) in runs.items():
        c, t = used(), time.perf_counter()
        subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, check=True)
        wall[k] += time.perf_counter() - t
        cpu[k] += used() - c
print(" ".join("%.3f %.3f" % (wall[k] * 1e3 / starts, cpu[k] * 1e3 / starts) for k in runs))
PY
  )
}
CORES=$(nproc)
FLOORS=$(floor 200)  # an assignment: a failing measurement stops the script here, its error shown
read -r PASS_WALL PASS_CPU ONCE_WALL ONCE_CPU <<< "$FLOORS"
FLOOR=$(echo "$CORES * 1000 / $PASS_WALL" | bc -l)
printf 'python3 -c pass: %.2f ms (%.2f ms of CPU), so at most %.0f trials/s on %d cores (%.0f by CPU): the start-up floor; ' \
  "$PASS_WALL" "$PASS_CPU" "$FLOOR" "$CORES" "$(echo "$CORES * 1000 / $PASS_CPU" | bc -l)"
printf 'python3 once.py outside hpsearch (import hpsearch, params, one report): %.2f ms (%.2f ms of CPU)\n' "$ONCE_WALL" "$ONCE_CPU"
hp_run() {
  # A fresh database and state directory per run, the earlier runs' kept until the end:
  # deleting a run's 800 attempt directories just before the next run makes that run's
  # mkdirs slower on ext4 without a journal (its inode allocator skips recently freed
  # inodes one by one), a cost no server running sweeps back to back pays.
  rm -f "$WORK/port"
  local db="$WORK/run-${#hp[@]}.db"
  "$BIN/hpsearch-server" --listen 127.0.0.1:0 --port-file "$WORK/port" --db "$db" --workers 2 \
    --commands "$WORK" 2>"$WORK/server.log" &
  SERVER_PID=$!
  for _ in $(seq 100); do [ -s "$WORK/port" ] && break; sleep 0.05; done
  local server="127.0.0.1:$(cat "$WORK/port")" before after
  before=$(cpu_ticks "$SERVER_PID")
  # Timed by the server's own clock, from the sweep's creation to its end, and asked
  # once a second whether it has ended: each `hpsearch` start costs a core 9-20 ms
  # (mostly the dynamic linking of gRPC's 58 libraries), which asking every 50 ms
  # would take from the trials (Optuna has no watcher either).
  "$BIN/hpsearch" --server "$server" submit "$WORK/once.yaml" >/dev/null
  # The first look when the floor says the sweep could have ended at the earliest.
  sleep "$(echo "$TRIALS / $FLOOR" | bc -l)"
  until "$BIN/hpsearch" --server "$server" status once -o json > "$WORK/status.json" &&
        grep -q '"status": "completed"' "$WORK/status.json"; do sleep 1; done
  after=$(cpu_ticks "$SERVER_PID")
  # The launchers (one per slot, children of the server) and the programs they reaped.
  local launchers=0 programs=0 pid
  for pid in $(pgrep -P "$SERVER_PID"); do
    read -r l p < <(awk '{print $14 + $15, $16 + $17}' "/proc/$pid/stat")
    launchers=$((launchers + l)); programs=$((programs + p))
  done
  local seconds
  seconds=$("$PY" -c 'import json, sys; s = json.load(open(sys.argv[1])); print((s["finished_ms"] - s["created_ms"]) / 1000)' \
            "$WORK/status.json")
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
  hp+=("$(echo "$TRIALS / $seconds" | bc -l)")
  ticks+=("$(echo "($after - $before) * 1000 / $(getconf CLK_TCK) / $TRIALS" | bc -l)")
  overhead+=("$(echo "($after - $before + $launchers) * 1000 / $(getconf CLK_TCK) / $TRIALS" | bc -l)")
  program+=("$(echo "$programs * 1000 / $(getconf CLK_TCK) / $TRIALS" | bc -l)")
}

cat > "$WORK/optuna_bench.py" <<'PY'
import os, resource, subprocess, sys, time
import optuna
optuna.logging.set_verbosity(optuna.logging.WARNING)
trials, mode, work, py = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
def in_process(trial):
    return (trial.suggest_float("x", -5, 5) - 1) ** 2
def subprocess_per_trial(trial):
    x = trial.suggest_float("x", -5, 5)
    env = dict(os.environ, HPSEARCH_PARAMS='{"x": %r}' % x, PYTHONPATH=work + "/python")
    out = subprocess.run([py, "once.py"], cwd=work, env=env, capture_output=True, text=True, check=True).stdout
    return float(out.split("loss=")[1])
study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=1))
def cpu(who):
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime
own, programs = cpu(resource.RUSAGE_SELF), cpu(resource.RUSAGE_CHILDREN)
start = time.perf_counter()
# Each its best: in process one thread (threads only contend for the GIL), with a
# subprocess per trial two jobs (one per core, as hpsearch's two slots).
if mode == "inprocess":
    study.optimize(in_process, n_trials=trials, n_jobs=1)
else:
    study.optimize(subprocess_per_trial, n_trials=trials, n_jobs=2)
rate = trials / (time.perf_counter() - start)
# trials/s, then the CPU per trial (ms) of this process and of its programs.
print("%.1f %.2f %.2f" % (rate, (cpu(resource.RUSAGE_SELF) - own) * 1e3 / trials,
                          (cpu(resource.RUSAGE_CHILDREN) - programs) * 1e3 / trials))
PY
mkdir -p "$WORK/python" && cp -r build/python/hpsearch "$WORK/python/"
# The three interleaved, run after run, so that the machine's drift hits all alike;
# hpsearch and Optuna + subprocess take turns going first (ABBA), and each run's
# ratio of the two is kept: the median of those is the least disturbed comparison.
optuna_subprocess() {
  local rate own programs
  read -r rate own programs < <("$PY" "$WORK/optuna_bench.py" "$TRIALS" subprocess "$WORK" "$PY")
  os+=("$rate"); os_overhead+=("$own"); os_program+=("$programs")
}
hp=(); ticks=(); overhead=(); program=(); oi=(); os=(); os_overhead=(); os_program=(); ratio=()
hp_share=(); hp_share_cpu=(); os_share=(); os_share_cpu=()
for run in $(seq "$RUNS"); do
  if (( run % 2 )); then hp_run; optuna_subprocess; else optuna_subprocess; hp_run; fi
  ratio+=("$(echo "${hp[-1]} / ${os[-1]}" | bc -l)")
  read -r rate _ < <("$PY" "$WORK/optuna_bench.py" 5000 inprocess "$WORK" "$PY")
  oi+=("$rate")
  floors=$(floor 50)
  read -r pass_wall pass_cpu _ <<< "$floors"
  floor_wall=$(echo "$CORES * 1000 / $pass_wall" | bc -l); floor_cpu=$(echo "$CORES * 1000 / $pass_cpu" | bc -l)
  hp_share+=("$(echo "${hp[-1]} * 100 / $floor_wall" | bc -l)"); hp_share_cpu+=("$(echo "${hp[-1]} * 100 / $floor_cpu" | bc -l)")
  os_share+=("$(echo "${os[-1]} * 100 / $floor_wall" | bc -l)"); os_share_cpu+=("$(echo "${os[-1]} * 100 / $floor_cpu" | bc -l)")
  printf 'run %d: hpsearch command trials (2 slots) %.1f trials/s, CPU a trial: server %.2f ms, server + launchers %.2f ms, programs %.2f ms; optuna + subprocess (n_jobs=2) %.1f trials/s, CPU a trial: optuna %.2f ms, programs %.2f ms; ratio %.2f; optuna in process (n_jobs=1) %.1f; floor %.0f trials/s (%.0f by CPU)\n' \
    "$run" "${hp[-1]}" "${ticks[-1]}" "${overhead[-1]}" "${program[-1]}" "${os[-1]}" "${os_overhead[-1]}" "${os_program[-1]}" \
    "${ratio[-1]}" "${oi[-1]}" "$floor_wall" "$floor_cpu"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ahead=0
for r in "${ratio[@]}"; do if (( $(echo "$r > 1" | bc -l) )); then ahead=$((ahead + 1)); fi; done
printf 'optuna %s; medians of %d: hpsearch %.1f trials/s (CPU a trial: server %.2f ms, server + launchers %.2f ms, programs %.2f ms); optuna + subprocess %.1f (optuna %.2f ms, programs %.2f ms); optuna in process %.1f\n' \
  "$("$PY" -c 'import optuna; print(optuna.__version__)')" "$RUNS" "$(median "${hp[@]}")" "$(median "${ticks[@]}")" \
  "$(median "${overhead[@]}")" "$(median "${program[@]}")" "$(median "${os[@]}")" "$(median "${os_overhead[@]}")" \
  "$(median "${os_program[@]}")" "$(median "${oi[@]}")"
printf 'hpsearch / optuna + subprocess, run by run: median %.3f, hpsearch ahead in %d of %d runs\n' "$(median "${ratio[@]}")" "$ahead" "$RUNS"
printf "of each run's start-up floor, medians: hpsearch %.0f%% (by CPU %.0f%%), optuna + subprocess %.0f%% (%.0f%%)\n" \
  "$(median "${hp_share[@]}")" "$(median "${hp_share_cpu[@]}")" "$(median "${os_share[@]}")" "$(median "${os_share_cpu[@]}")"
