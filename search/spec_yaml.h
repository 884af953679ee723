// The pieces of the YAML spec reader (search/spec_file.cc) that its files share:
// field readers whose errors name the field path and the file's line
// (`parameters.lr.min: must be a number (line 12)`), and the readers of the
// `parameters:` and `trainer:` sections. Internal to the reader.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "search/spec.h"
#include "yaml-cpp/yaml.h"

namespace hpsearch::client::spec_yaml {

// An error at `path` (its keys come from the file: shown printable, at most 200
// bytes), with the YAML line of `node`.
absl::Status Err(const std::string& path, const std::string& what, const YAML::Node& node);
// INVALID_ARGUMENT with a did-you-mean for a key of `map` not in `allowed`.
absl::Status CheckKeys(const YAML::Node& map, const std::string& path, const std::vector<std::string>& allowed);
// INVALID_ARGUMENT for the first key of `map` that `foreign` has a hint for (how
// another tool's name is written here; "" for a key it does not know).
absl::Status CheckForeignKeys(const YAML::Node& map, const std::string& path,
                              const std::function<std::string(const std::string&)>& foreign);
// `path.key`, or `key` at the top.
std::string Sub(const std::string& path, const std::string& key);

absl::StatusOr<Value> Val(const YAML::Node& n, const std::string& path);
absl::StatusOr<double> Num(const YAML::Node& n, const std::string& path);
absl::StatusOr<int64_t> Int(const YAML::Node& n, const std::string& path);
absl::StatusOr<int32_t> Int32(const YAML::Node& n, const std::string& path);
absl::StatusOr<std::string> Str(const YAML::Node& n, const std::string& path);
absl::StatusOr<bool> Bool(const YAML::Node& n, const std::string& path);
absl::Status ParseValues(const YAML::Node& n, const std::string& path, std::vector<Value>& out);

// One entry of `parameters:`. `integral` is set when the entry is a range written
// without `type:` whose min, max (and step) are integer literals: a command
// trainer's parameter is then an integer (the built-in trainer's types come from its
// vocabulary instead).
absl::Status ParseParameter(const std::string& name, const YAML::Node& n, search::Parameter& p, bool* integral);

// `trainer:`: `builtin`, or a mapping with `command` (a list of arguments, never a
// shell string), `timeout`, `grace` (durations), `env` and `slots`.
absl::Status ParseTrainer(const YAML::Node& n, search::Trainer& t);

}  // namespace hpsearch::client::spec_yaml
