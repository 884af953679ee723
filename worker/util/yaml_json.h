// YAML → JSON with YAML 1.2 core-schema scalar typing: plain scalars become null,
// booleans, integers or floats where they read as such; quoted scalars stay strings.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "yaml-cpp/yaml.h"

namespace hpsearch {

nlohmann::json YamlToJson(const YAML::Node& node);

// A plain scalar's typed value.
nlohmann::json TypedScalar(const std::string& text, bool quoted);

// Parses YAML text; errors name `source` and the line.
absl::StatusOr<YAML::Node> ParseYaml(const std::string& text, const std::string& source);
absl::StatusOr<YAML::Node> LoadYamlFile(const std::string& path);

}  // namespace hpsearch
