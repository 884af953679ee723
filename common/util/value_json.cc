#include "common/util/value_json.h"

#include "absl/strings/str_cat.h"

namespace hpsearch {

nlohmann::json ToJson(const Value& v) {
  switch (v.type()) {
    case Value::Type::kInt:
      return v.as_int();
    case Value::Type::kDouble:
      return v.as_double();
    case Value::Type::kString:
      return v.as_string();
    case Value::Type::kBool:
      return v.as_bool();
    case Value::Type::kList: {
      nlohmann::json a = nlohmann::json::array();
      for (const auto& e : v.as_list()) a.push_back(ToJson(e));
      return a;
    }
  }
  return nullptr;
}

nlohmann::json ToJson(const Params& p) {
  nlohmann::json o = nlohmann::json::object();
  for (const auto& [k, v] : p) o[k] = ToJson(v);
  return o;
}

absl::StatusOr<Value> ValueFromJson(const nlohmann::json& j) {
  if (j.is_number_integer()) return Value(j.get<int64_t>());
  if (j.is_number_float()) return Value(j.get<double>());
  if (j.is_string()) return Value(j.get<std::string>());
  if (j.is_boolean()) return Value(j.get<bool>());
  if (j.is_array()) {
    Value::List list;
    for (const auto& e : j) {
      auto v = ValueFromJson(e);
      if (!v.ok()) return v.status();
      list.push_back(*std::move(v));
    }
    return Value(std::move(list));
  }
  return absl::InvalidArgumentError(absl::StrCat("not a setting value: ", j.dump()));
}

absl::StatusOr<Params> ParamsFromJson(const nlohmann::json& j) {
  if (!j.is_object()) return absl::InvalidArgumentError("parameters must be a mapping");
  Params p;
  for (const auto& [k, e] : j.items()) {
    auto v = ValueFromJson(e);
    if (!v.ok()) return absl::InvalidArgumentError(absl::StrCat(k, ": ", v.status().message()));
    p.emplace(k, *std::move(v));
  }
  return p;
}

}  // namespace hpsearch
