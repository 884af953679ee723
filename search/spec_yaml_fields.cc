#include <algorithm>
#include <climits>

#include "absl/strings/str_cat.h"
#include "common/util/did_you_mean.h"
#include "common/util/printable.h"
#include "common/util/status_macros.h"
#include "common/yaml/yaml_value.h"
#include "search/spec_yaml.h"

namespace hpsearch::client::spec_yaml {

absl::Status Err(const std::string& path, const std::string& what, const YAML::Node& node) {
  std::string msg = absl::StrCat(Truncated(Printable(path), 200), ": ", what);
  if (node.IsDefined() && node.Mark().line >= 0) absl::StrAppend(&msg, " (line ", node.Mark().line + 1, ")");
  return absl::InvalidArgumentError(msg);
}

absl::Status CheckKeys(const YAML::Node& map, const std::string& path, const std::vector<std::string>& allowed) {
  if (!map.IsMap()) return Err(path, "must be a mapping", map);
  for (const auto& kv : map) {
    const std::string key = kv.first.as<std::string>();
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
      return Err(path.empty() ? key : path + "." + key, "unknown key" + DidYouMean(key, allowed), kv.first);
  }
  return absl::OkStatus();
}

absl::Status CheckForeignKeys(const YAML::Node& map, const std::string& path,
                              const std::function<std::string(const std::string&)>& foreign) {
  if (!map.IsMap()) return absl::OkStatus();
  for (const auto& kv : map) {
    const std::string key = kv.first.as<std::string>();
    if (const std::string hint = foreign(key); !hint.empty()) return Err(Sub(path, key), hint, kv.first);
  }
  return absl::OkStatus();
}

std::string Sub(const std::string& path, const std::string& key) { return path.empty() ? key : path + "." + key; }

absl::StatusOr<Value> Val(const YAML::Node& n, const std::string& path) {
  auto v = YamlToValue(n);
  if (!v.ok()) return Err(path, std::string(v.status().message()), n);
  return v;
}

absl::StatusOr<double> Num(const YAML::Node& n, const std::string& path) {
  auto v = YamlToValue(n);
  if (!v.ok() || !v->is_number()) return Err(path, "must be a number", n);
  return v->number();
}

absl::StatusOr<int64_t> Int(const YAML::Node& n, const std::string& path) {
  auto v = YamlToValue(n);
  if (!v.ok() || !v->is_int()) return Err(path, "must be an integer", n);
  return v->as_int();
}

absl::StatusOr<std::string> Str(const YAML::Node& n, const std::string& path) {
  if (!n.IsScalar()) return Err(path, "must be a string", n);
  return n.Scalar();
}

absl::StatusOr<bool> Bool(const YAML::Node& n, const std::string& path) {
  auto v = YamlToValue(n);
  if (!v.ok() || !v->is_bool()) return Err(path, "must be true or false", n);
  return v->as_bool();
}

absl::StatusOr<int32_t> Int32(const YAML::Node& n, const std::string& path) {
  ASSIGN_OR_RETURN(int64_t x, Int(n, path));
  if (x < INT32_MIN || x > INT32_MAX) return Err(path, "is out of range", n);
  return static_cast<int32_t>(x);
}

absl::Status ParseValues(const YAML::Node& n, const std::string& path, std::vector<Value>& out) {
  if (!n.IsSequence()) return Err(path, "must be a list", n);
  for (std::size_t i = 0; i < n.size(); ++i) {
    ASSIGN_OR_RETURN(auto v, Val(n[i], absl::StrCat(path, "[", i, "]")));
    out.push_back(std::move(v));
  }
  return absl::OkStatus();
}

}  // namespace hpsearch::client::spec_yaml
