// The sweep spec's dataset block (proto) as the trainer's JSON form, which
// data::ParseDatasetOptions reads. Unset fields are left out so defaults apply.
#pragma once

#include "hpsearch/v1/spec.pb.h"
#include "nlohmann/json.hpp"

namespace hpsearch {

nlohmann::json DatasetSpecToJson(const hpsearch::v1::DatasetSpec& d);

}  // namespace hpsearch
