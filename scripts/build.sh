#!/usr/bin/env bash
# Configures (once) and builds hpsearch into build/ (binaries in build/bin/).
# Incremental: a second run only rebuilds what changed.
#   scripts/build.sh                       everything (binaries, tests, benchmarks)
#   scripts/build.sh hpsearch hpsearch-server hpsearch-worker   just these targets
#   HPSEARCH_ARCH=x86-64-v3 scripts/build.sh   portable build (as in the Docker image)
#   HPSEARCH_PROGRESS=1 scripts/build.sh ...   one progress line instead of every step
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
ARCH=${HPSEARCH_ARCH:-native}
# One build at a time per build directory: two ninjas in one tree overwrite each
# other's outputs and logs. A second build.sh waits for the first.
mkdir -p "$BUILD_DIR"
exec 9>"$BUILD_DIR/.build.lock"
if ! flock -n 9; then
  echo "build.sh: another build is running in $BUILD_DIR; waiting for it" >&2
  flock 9
fi
if [ ! -f "$BUILD_DIR/build.ninja" ] || ! grep -q "^HPSEARCH_ARCH:STRING=$ARCH\$" "$BUILD_DIR/CMakeCache.txt" 2>/dev/null; then
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DHPSEARCH_ARCH="$ARCH" >/dev/null
fi
targets=()
for t in "$@"; do targets+=(--target "$t"); done
if [[ "${HPSEARCH_PROGRESS:-0}" != 1 ]]; then
  exec cmake --build "$BUILD_DIR" -j "$(nproc)" "${targets[@]}"
fi

# Progress: "[done/total] step" lines become one line (rewritten in place on a
# terminal, every tenth on a log); compiler messages pass through untouched.
start=$(date +%s)
tty=0
[[ -t 1 ]] && tty=1
last=-1
set +e
cmake --build "$BUILD_DIR" -j "$(nproc)" "${targets[@]}" 2>&1 | while IFS= read -r line; do
  if [[ $line =~ ^\[([0-9]+)/([0-9]+)\]\ (.*)$ ]]; then
    done_=${BASH_REMATCH[1]} total=${BASH_REMATCH[2]} step=${BASH_REMATCH[3]}
    pct=$(( done_ * 100 / total ))
    what=${step##* }
    what=${what##*/}
    if [[ $tty == 1 ]]; then
      printf '\r   building %3d%% (%d/%d steps, %ds) %-40.40s' "$pct" "$done_" "$total" $(( $(date +%s) - start )) "$what"
    elif (( pct / 10 != last )); then
      last=$(( pct / 10 ))
      printf '   building %3d%% (%d/%d steps, %ds)\n' "$pct" "$done_" "$total" $(( $(date +%s) - start ))
    fi
  elif [[ $line != "ninja: no work to do." ]]; then
    [[ $tty == 1 ]] && printf '\n'
    printf '%s\n' "$line"
  fi
done
status=${PIPESTATUS[0]}
set -e
[[ $tty == 1 ]] && printf '\n'
if [[ $status -ne 0 ]]; then
  echo "build failed (exit $status)" >&2
  exit "$status"
fi
echo "   built in $(( $(date +%s) - start ))s"
