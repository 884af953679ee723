#include "proto/convert/value_convert.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "common/vocabulary/settings.h"

namespace hpsearch::convert {

google::protobuf::Value ToProto(const Value& v) {
  google::protobuf::Value p;
  switch (v.type()) {
    case Value::Type::kInt:
      p.set_number_value(static_cast<double>(v.as_int()));
      break;
    case Value::Type::kDouble:
      p.set_number_value(v.as_double());
      break;
    case Value::Type::kString:
      p.set_string_value(v.as_string());
      break;
    case Value::Type::kBool:
      p.set_bool_value(v.as_bool());
      break;
    case Value::Type::kList: {
      auto* list = p.mutable_list_value();
      for (const auto& e : v.as_list()) *list->add_values() = ToProto(e);
      break;
    }
  }
  return p;
}

absl::StatusOr<Value> FromProto(const google::protobuf::Value& v, const std::string& field) {
  switch (v.kind_case()) {
    case google::protobuf::Value::kNumberValue: {
      const double d = v.number_value();
      if (!std::isfinite(d)) return absl::InvalidArgumentError(absl::StrCat(field, ": must be a finite number"));
      // No type to go by: an integral number of safe size is an integer.
      if (d == std::floor(d) && std::fabs(d) < 9.0e15) return Value(static_cast<int64_t>(d));
      return Value(d);
    }
    case google::protobuf::Value::kStringValue:
      return Value(v.string_value());
    case google::protobuf::Value::kBoolValue:
      return Value(v.bool_value());
    case google::protobuf::Value::kListValue: {
      Value::List list;
      for (int i = 0; i < v.list_value().values_size(); ++i) {
        auto e = FromProto(v.list_value().values(i), absl::StrCat(field, "[", i, "]"));
        if (!e.ok()) return e.status();
        list.push_back(*std::move(e));
      }
      return Value(std::move(list));
    }
    default:
      return absl::InvalidArgumentError(absl::StrCat(field, ": must be a number, string, boolean or list"));
  }
}

absl::StatusOr<Params> ParamsFromProto(const google::protobuf::Map<std::string, google::protobuf::Value>& m,
                                       const std::string& field) {
  Params p;
  for (const auto& [k, v] : m) {
    auto value = FromProto(v, field.empty() ? k : absl::StrCat(field, ".", k));
    if (!value.ok()) return value.status();
    p.emplace(k, *std::move(value));
  }
  return vocabulary::Typed(std::move(p));
}

void ParamsToProto(const Params& p, google::protobuf::Map<std::string, google::protobuf::Value>* out) {
  for (const auto& [k, v] : p) (*out)[k] = ToProto(v);
}

}  // namespace hpsearch::convert
