#!/usr/bin/env bash
# Installs every Debian package hpsearch needs, and nothing that is already there.
#
#   scripts/setup.sh            build + test + runtime packages (developers, CI)
#   scripts/setup.sh --build    build + runtime packages, without the test-only ones (Docker build stage)
#   scripts/setup.sh --runtime  only what the built binaries need at run time (Docker image)
#   scripts/setup.sh --torch    only PyTorch from Debian, for examples/own-code/fashion_cnn.py
#   scripts/setup.sh --print    print the package list and exit
#   scripts/setup.sh --print-runtime   print the runtime list (tests/docker checks it)
#
# Idempotent: when every package is installed it does not touch apt at all.
# Works as root or through sudo; never prompts.
set -euo pipefail

RUNTIME_PACKAGES=(
  libgrpc++1.51 libprotobuf32 libtbb12 libsqlite3-0
  libyaml-cpp0.7 zlib1g libopenblas0-pthread libdnnl2 libssl3 ca-certificates tini dataset-fashion-mnist
)
# libssl-dev: the HTTP listener's TLS; libcpp-httplib-dev: only the tests' HTTP client
# (the build configures the tests too).
BUILD_PACKAGES=(
  g++ cmake ninja-build pkg-config git
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libtbb-dev libsqlitecpp-dev libsqlite3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libeigen3-dev libopenblas-pthread-dev libdnnl-dev libyaml-cpp-dev nlohmann-json3-dev libcli11-dev zlib1g-dev
  libssl-dev libcpp-httplib-dev libjs-chart.js iproute2 openssl python3 python3-yaml
)
# Only the tests and CI use these: a Prometheus parser, a real browser for the dashboard,
# clang-format (CI checks the sources against .clang-format), pytest (the Python package),
# and the Python SDK's gRPC runtime, venv and setuptools (its tests pip-install it) and
# pandas (only Sweep.to_dataframe() uses it; not a dependency of the package).
TEST_PACKAGES=(
  python3-prometheus-client chromium chromium-driver python3-selenium clang-format python3-pytest
  python3-grpcio python3-protobuf python3-venv python3-setuptools python3-pandas
)

# Only the PyTorch example of command trials uses this (not the build, tests or demo).
TORCH_PACKAGES=(python3-torch python3-numpy dataset-fashion-mnist)

mode=all
case "${1:-}" in
  --torch) mode=torch ;;
  --runtime) mode=runtime ;;
  --build) mode=build ;;
  --print) mode=print ;;
  --print-runtime) mode=print-runtime ;;
  "") ;;
  *) echo "usage: $0 [--build|--runtime|--torch|--print|--print-runtime]" >&2; exit 2 ;;
esac

packages=("${RUNTIME_PACKAGES[@]}")
[ "$mode" != torch ] || packages=("${TORCH_PACKAGES[@]}")
if [ "$mode" = print-runtime ]; then printf '%s\n' "${packages[@]}"; exit 0; fi
[ "$mode" = runtime ] || [ "$mode" = torch ] || packages+=("${BUILD_PACKAGES[@]}")
[ "$mode" = runtime ] || [ "$mode" = torch ] || [ "$mode" = build ] || packages+=("${TEST_PACKAGES[@]}")
if [ "$mode" = print ]; then printf '%s\n' "${packages[@]}"; exit 0; fi

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  SUDO=(sudo)
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
