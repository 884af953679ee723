// Value ⇄ JSON, for the places parameters are stored or printed as JSON (the store's
// params column, the CLI's -o json, trial files' --json output). JSON integers are
// Value ints and JSON numbers with a fraction or exponent are doubles, so the types
// survive a round trip.
#pragma once

#include "absl/status/statusor.h"
#include "common/util/value.h"
#include "nlohmann/json.hpp"

namespace hpsearch {

nlohmann::json ToJson(const Value& v);
nlohmann::json ToJson(const Params& p);
// INVALID_ARGUMENT for null, objects or other shapes a Value cannot hold.
absl::StatusOr<Value> ValueFromJson(const nlohmann::json& j);
absl::StatusOr<Params> ParamsFromJson(const nlohmann::json& j);

}  // namespace hpsearch
