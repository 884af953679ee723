// YAML → Value with YAML 1.2 core-schema scalar typing: plain scalars become
// booleans, integers or doubles where they read as such; quoted scalars stay
// strings. The spec parser and trial files read YAML through this.
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "util/value.h"
#include "yaml-cpp/yaml.h"

namespace hpsearch {

// A scalar's or sequence's value. INVALID_ARGUMENT for null and mappings.
absl::StatusOr<Value> YamlToValue(const YAML::Node& node);
// A mapping of name → value.
absl::StatusOr<Params> YamlToParams(const YAML::Node& node);

// A plain scalar's typed value; nullopt for null (`~`, `null`, empty).
std::optional<Value> TypedScalar(const std::string& text, bool quoted);

// Parses YAML text; errors name `source` and the line.
absl::StatusOr<YAML::Node> ParseYaml(const std::string& text, const std::string& source);
absl::StatusOr<YAML::Node> LoadYamlFile(const std::string& path);

}  // namespace hpsearch
