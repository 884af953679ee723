#!/usr/bin/env bash
# Ask and tell from one Python process, against Optuna's in-memory ask and tell (its
# best setup for this: no storage, no logging), in one run on this machine:
#   * round trips per second (ask → tell) with random search and with TPE (its
#     start-up trials random, then the model), hpsearch over gRPC on loopback;
#   * the TPE suggestion's latency once 1,000 and 10,000 trials are told (hpsearch:
#     `tpe.startup_trials` random trials first, then 50 model asks timed; Optuna:
#     the study prefilled with add_trials, then 50 asks timed).
# Needs a build (scripts/build.sh hpsearch-server hpsearch_python) and Debian's
# python3-optuna (installed here if missing: a benchmark-only package).
#
#   scripts/bench-asktell.sh [ROUND_TRIPS]        default 2000
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-2000}
PY=/usr/bin/python3  # Debian's interpreter: python3-grpcio, python3-optuna
SUDO=()
[ "$(id -u)" = 0 ] || SUDO=(sudo)
if ! "$PY" -c 'import optuna' 2>/dev/null; then
  echo "bench-asktell: installing python3-optuna (Debian) for the comparison" >&2
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-optuna >/dev/null
fi
[ -x build/bin/hpsearch-server ] && [ -f build/python/hpsearch/v1/sweep_service_pb2.py ] || {
  echo "bench-asktell: build first: scripts/build.sh hpsearch-server hpsearch_python" >&2
  exit 2
}
WORK=$(mktemp -d)
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; rm -rf "$WORK"' EXIT
build/bin/hpsearch-server --listen 127.0.0.1:0 --port-file "$WORK/port" --db "$WORK/bench.db" --workers 0 \
  >"$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 100); do [ -s "$WORK/port" ] && break; sleep 0.1; done
[ -s "$WORK/port" ] || { cat "$WORK/server.log" >&2; exit 1; }
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(nproc) cores;" \
     "$(grep -o -m1 -w 'avx512f' /proc/cpuinfo >/dev/null && echo AVX-512 || echo AVX2)"

PYTHONPATH=build/python HPSEARCH_SERVER="127.0.0.1:$(cat "$WORK/port")" N="$N" "$PY" - <<'PY'
import os
import random
import statistics
import time

import optuna
import hpsearch

N = int(os.environ["N"])
optuna.logging.set_verbosity(optuna.logging.WARNING)
c = hpsearch.Client()


def space():
    return {"x": {"min": -10.0, "max": 10.0}, "y": {"min": -10.0, "max": 10.0}}


def f(x, y):
    return (x - 3) ** 2 + (y + 1) ** 2


def hpsearch_loop(method, trials, extra=None):
    spec = {"name": f"bench-{method}", "trainer": "external", "method": method,
            "objective": {"metric": "loss", "goal": "minimize"}, "budget": {"max_trials": trials},
            "parameters": space()}
    spec.update(extra or {})
    sweep = c.submit(spec)
    times = []
    start = time.perf_counter()
    while True:
        t0 = time.perf_counter()
        t = sweep.ask()
        if t is None:
            break
        t.tell(loss=f(t.params["x"], t.params["y"]))
        times.append(time.perf_counter() - t0)
    return trials / (time.perf_counter() - start), times


def optuna_loop(sampler, trials):
    study = optuna.create_study(sampler=sampler)
    dist = {"x": optuna.distributions.FloatDistribution(-10, 10), "y": optuna.distributions.FloatDistribution(-10, 10)}
    start = time.perf_counter()
    for _ in range(trials):
        t = study.ask(dist)
        study.tell(t, f(t.params["x"], t.params["y"]))
    return trials / (time.perf_counter() - start)


def optuna_tpe_latency(history):
    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=1))
    dist = {"x": optuna.distributions.FloatDistribution(-10, 10), "y": optuna.distributions.FloatDistribution(-10, 10)}
    rng = random.Random(2)
    frozen = []
    for _ in range(history):
        x, y = rng.uniform(-10, 10), rng.uniform(-10, 10)
        frozen.append(optuna.trial.create_trial(params={"x": x, "y": y}, distributions=dist, value=f(x, y)))
    study.add_trials(frozen)
    times = []
    for _ in range(50):
        t0 = time.perf_counter()
        t = study.ask(dist)
        times.append(time.perf_counter() - t0)
        study.tell(t, f(t.params["x"], t.params["y"]))
    return statistics.median(times)


print(f"optuna {optuna.__version__}; {N} round trips each")
rate, _ = hpsearch_loop("random", N)
print(f"random: hpsearch ask→tell {rate:.0f}/s (gRPC, loopback); "
      f"optuna in memory {optuna_loop(optuna.samplers.RandomSampler(seed=1), N):.0f}/s")
rate, _ = hpsearch_loop("tpe", N)
print(f"tpe: hpsearch ask→tell {rate:.0f}/s; optuna in memory "
      f"{optuna_loop(optuna.samplers.TPESampler(seed=1), N):.0f}/s")
for history in (1000, 10000):
    _, times = hpsearch_loop("tpe", history + 50, {"tpe": {"startup_trials": history}})
    ask_tell = statistics.median(times[history:])
    print(f"tpe after {history} trials: hpsearch ask→tell median {ask_tell * 1e3:.2f} ms "
          f"(suggestion, lease, tell); optuna ask median {optuna_tpe_latency(history) * 1e3:.2f} ms")
PY
