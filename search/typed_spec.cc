#include "search/typed_spec.h"

#include <map>

#include "common/vocabulary/settings.h"

namespace hpsearch::search {

namespace {

Value TypedAs(const std::string& setting, const Value& v) {
  const vocabulary::ParamInfo* info = vocabulary::FindParam(setting);
  if (!info || !vocabulary::CheckParamValue(*info, v).ok()) return v;
  return vocabulary::Typed(*info, v);
}

}  // namespace

Spec Typed(Spec spec) {
  for (auto& [name, v] : spec.fixed) v = TypedAs(name, v);
  for (auto& p : spec.parameters) {
    for (auto& v : p.values) v = TypedAs(p.name, v);
    if (p.domain == Parameter::Domain::kConstant) p.value = TypedAs(p.name, p.value);
    for (auto& c : p.when) {
      for (auto& v : c.values) v = TypedAs(c.parent, v);
    }
  }
  return spec;
}

}  // namespace hpsearch::search
