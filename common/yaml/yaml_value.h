// YAML → Value with YAML 1.2 core-schema scalar typing: plain scalars become
// booleans, integers or doubles where they read as such; quoted scalars stay
// strings. The spec parser and trial files read YAML through this.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "common/util/value.h"
#include "yaml-cpp/yaml.h"

namespace hpsearch {

// What a document may hold, checked by ParseYaml before anything walks it. yaml-cpp
// resolves an alias into the very node its anchor names, so `seed: &a [*a]` is a
// list that contains itself (a walk never ends) and nine levels of nine aliases
// (`&b [*b, *b, ...]`) stand for 9^9 nodes although the text is short.
inline constexpr int kMaxYamlDepth = 64;               // levels of nesting
inline constexpr std::size_t kMaxYamlNodes = 100'000;  // counted with every alias written out

// OK, or INVALID_ARGUMENT `source:line:column: ...` at the node that breaks a rule:
// an alias to a node that contains it (a cycle), nesting deeper than kMaxYamlDepth,
// more than kMaxYamlNodes nodes with aliases expanded (stops counting there, so
// an alias bomb costs at most that much), a mapping key that is not a scalar (a
// list, a mapping or null).
absl::Status CheckYamlBounds(const YAML::Node& root, const std::string& source);

// A scalar's or sequence's value; a list entry written as a mapping of one name is
// its text (`{conv: {filters: 32, kernel: 3}}` → "conv filters=32 kernel=3",
// `{dense: 128}` → "dense 128": the `layers` setting's entries). INVALID_ARGUMENT
// for null and other mappings, and for
// nesting deeper than kMaxYamlDepth (so even a node that skipped CheckYamlBounds
// cannot recurse forever; its size is only bounded by CheckYamlBounds).
absl::StatusOr<Value> YamlToValue(const YAML::Node& node);
// A mapping of name → value.
absl::StatusOr<Params> YamlToParams(const YAML::Node& node);

// A plain scalar's typed value; nullopt for null (`~`, `null`, empty).
std::optional<Value> TypedScalar(const std::string& text, bool quoted);

// Parses YAML text and checks it with CheckYamlBounds; errors name `source`, the
// line and the column. yaml-cpp's own parser stops nesting at about 1,000 levels
// (its DepthGuard), reported here as too deep.
absl::StatusOr<YAML::Node> ParseYaml(const std::string& text, const std::string& source);
absl::StatusOr<YAML::Node> LoadYamlFile(const std::string& path);

}  // namespace hpsearch
