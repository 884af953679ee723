// google.protobuf.Value ⇄ JSON: how trial parameters travel on the wire (proto) and
// how the trainer and the store read them (JSON). Integral numbers become JSON
// integers, so `batch_size: 64` stays an integer after a round trip.
#pragma once

#include "google/protobuf/struct.pb.h"
#include "nlohmann/json.hpp"

namespace hpsearch {

nlohmann::json ValueToJson(const google::protobuf::Value& v);
google::protobuf::Value JsonToValue(const nlohmann::json& j);

}  // namespace hpsearch
