#include "util/yaml_value.h"

#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace hpsearch {

std::optional<Value> TypedScalar(const std::string& s, bool quoted) {
  if (quoted) return Value(s);
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return std::nullopt;
  if (s == "true" || s == "True" || s == "TRUE") return Value(true);
  if (s == "false" || s == "False" || s == "FALSE") return Value(false);
  const char* b = s.data();
  const char* e = b + s.size();
  if (*b == '+') ++b;
  int64_t i;
  if (auto [p, ec] = std::from_chars(b, e, i); ec == std::errc() && p == e) return Value(i);
  double d;
  if (auto [p, ec] = std::from_chars(b, e, d); ec == std::errc() && p == e) return Value(d);
  if (s == ".inf" || s == "+.inf" || s == ".Inf") return Value(std::numeric_limits<double>::infinity());
  if (s == "-.inf" || s == "-.Inf") return Value(-std::numeric_limits<double>::infinity());
  if (s == ".nan" || s == ".NaN") return Value(std::numeric_limits<double>::quiet_NaN());
  return Value(s);
}

absl::StatusOr<Value> YamlToValue(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar: {
      auto v = TypedScalar(node.Scalar(), node.Tag() == "!");
      if (v) return *std::move(v);
      return absl::InvalidArgumentError("a value is required");
    }
    case YAML::NodeType::Sequence: {
      Value::List list;
      for (const auto& e : node) {
        auto v = YamlToValue(e);
        if (!v.ok()) return v.status();
        list.push_back(*std::move(v));
      }
      return Value(std::move(list));
    }
    case YAML::NodeType::Map: return absl::InvalidArgumentError("expected a value, not a mapping");
    default: return absl::InvalidArgumentError("a value is required");
  }
}

absl::StatusOr<Params> YamlToParams(const YAML::Node& node) {
  if (!node.IsMap()) return absl::InvalidArgumentError("must be a mapping");
  Params p;
  for (const auto& kv : node) {
    const std::string key = kv.first.as<std::string>();
    auto v = YamlToValue(kv.second);
    if (!v.ok()) return absl::InvalidArgumentError(absl::StrCat(key, ": ", v.status().message()));
    p[key] = *std::move(v);
  }
  return p;
}

absl::StatusOr<YAML::Node> ParseYaml(const std::string& text, const std::string& source) {
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ":", e.mark.line + 1, ":", e.mark.column + 1, ": ", e.msg));
  }
}

absl::StatusOr<YAML::Node> LoadYamlFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open file"));
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseYaml(ss.str(), path);
}

}  // namespace hpsearch
