#include "util/value_json.h"

#include <cmath>
#include <cstdint>

namespace hpsearch {

nlohmann::json ValueToJson(const google::protobuf::Value& v) {
  switch (v.kind_case()) {
    case google::protobuf::Value::kNumberValue: {
      const double d = v.number_value();
      if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e15)
        return static_cast<int64_t>(d);
      return d;
    }
    case google::protobuf::Value::kStringValue: return v.string_value();
    case google::protobuf::Value::kBoolValue: return v.bool_value();
    case google::protobuf::Value::kListValue: {
      nlohmann::json a = nlohmann::json::array();
      for (const auto& e : v.list_value().values()) a.push_back(ValueToJson(e));
      return a;
    }
    case google::protobuf::Value::kStructValue: {
      nlohmann::json o = nlohmann::json::object();
      for (const auto& [k, e] : v.struct_value().fields()) o[k] = ValueToJson(e);
      return o;
    }
    default: return nullptr;
  }
}

google::protobuf::Value JsonToValue(const nlohmann::json& j) {
  google::protobuf::Value v;
  if (j.is_number()) v.set_number_value(j.get<double>());
  else if (j.is_string()) v.set_string_value(j.get<std::string>());
  else if (j.is_boolean()) v.set_bool_value(j.get<bool>());
  else if (j.is_array()) {
    auto* list = v.mutable_list_value();
    for (const auto& e : j) *list->add_values() = JsonToValue(e);
  } else if (j.is_object()) {
    auto* s = v.mutable_struct_value();
    for (const auto& [k, e] : j.items()) (*s->mutable_fields())[k] = JsonToValue(e);
  } else {
    v.set_null_value(google::protobuf::NULL_VALUE);
  }
  return v;
}

}  // namespace hpsearch
