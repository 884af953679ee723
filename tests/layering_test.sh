#!/usr/bin/env bash
# Layering, checked on what was built and on the sources (CMake checks the link
# graph at configure time, CMakeLists.txt "Layering"):
#   * the CLI binary holds no trainer, runtime, scheduler or store code, and no Eigen
#     (it does hold the CSV reader, common/csv, to check a local dataset at plan);
#   * the server binary's HTTP listener is its own (server/http/): it loads no
#     cpp-httplib (it does hold the YAML spec reader, search/spec_file, bounded and
#     fuzzed, for SubmitSweep's spec_yaml);
#   * the plain core (common, search, store, scheduler, runtime, trainer) includes no
#     protobuf or gRPC header and names no hpsearch::v1 type;
#   * the shared floors include only down: common/ nothing of search/, server/,
#     worker/ or client/; search/ nothing of server/, worker/ or client/;
#   * the CLI's sources include nothing from the worker or the server.
# Usage: layering_test.sh SOURCE_DIR BIN_DIR
set -euo pipefail
src=$1
bin=$2
fail=0
bad() { echo "layering: $*" >&2; fail=1; }

symbols() { nm -C --defined-only "$1" | awk '{ $1 = ""; $2 = ""; print }'; }

cli=$(symbols "$bin/hpsearch")
for ns in 'hpsearch::trainer::' 'hpsearch::nn::' 'hpsearch::optim::' 'hpsearch::data::' 'hpsearch::runtime::' \
          'hpsearch::scheduler::' 'hpsearch::store::' 'Eigen::' 'tbb::'; do  # hpsearch::csv:: is allowed
  n=$(grep -c -F -- "$ns" <<<"$cli" || true)
  [[ $n -eq 0 ]] || bad "bin/hpsearch defines $n symbols of $ns, e.g. $(grep -F -m1 -- "$ns" <<<"$cli")"
done
# The CLI does hold the search library (offline validate and plan), as it should.
grep -q -F 'hpsearch::search::' <<<"$cli" || bad "bin/hpsearch has no hpsearch::search:: symbols: is nm working?"


if readelf -d "$bin/hpsearch-server" | grep -q 'libcpp-httplib'; then
  bad "bin/hpsearch-server loads cpp-httplib (its HTTP listener is server/http/)"
fi

cd "$src"
if hits=$(grep -rn -E '#include.*httplib' server client worker common search); then
  bad "only the tests may use cpp-httplib (as a client):"$'\n'"$hits"
fi
core=(common search server/store server/scheduler worker/runtime worker/trainer worker/nn worker/optim worker/data)
if hits=$(grep -rn -E '#include.*(hpsearch/v1/|grpcpp|google/protobuf)|\bv1::' "${core[@]}"); then
  bad "the plain core touches the wire:"$'\n'"$hits"
fi
if hits=$(grep -rn -E '#include "(worker|server)/' client); then  # common/ and search/ are allowed
  bad "the CLI includes code it must not:"$'\n'"$hits"
fi
if hits=$(grep -rn -E '#include "(search|server|worker|client)/' common); then
  bad "common/ includes from a floor above it:"$'\n'"$hits"
fi
if hits=$(grep -rn -E '#include "(server|worker|client)/' search); then
  bad "search/ includes from a floor above it:"$'\n'"$hits"
fi
if hits=$(grep -rln -E '#include.*(grpcpp|hpsearch/v1/)' worker --include='*.h' --include='*.cc' | grep -v '^worker/remote/'); then
  bad "worker code outside worker/remote/ uses gRPC: $hits"
fi
[[ $fail -eq 0 ]] && echo "layering ok"
exit $fail
