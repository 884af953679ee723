// Reads the YAML form of a sweep spec (docs/spec.md) into a search::Spec. Shape
// errors (unknown keys with a did-you-mean, wrong types, bad durations) name the
// field path and the YAML line: `parameters.lr.mni: unknown key (did you mean
// 'min'?) (line 12)`; messages are printable (util/printable.h) and at most 2,000
// bytes. Semantic checks are search::ValidateSpec's.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "search/spec.h"

namespace hpsearch::client {

absl::StatusOr<search::Spec> ParseSpecYaml(const std::string& text);
absl::StatusOr<search::Spec> LoadSpecFile(const std::string& path);

// "2h", "30m", "1h30m", "90s", "45" (seconds) → seconds.
absl::StatusOr<double> ParseDuration(const std::string& text);

}  // namespace hpsearch::client
