// Value ⇄ google.protobuf.Value, the wire form of settings. The wire has only
// doubles; a setting's type comes from the vocabulary (ParamsFromProto), so
// `batch_size: 64` arrives as the integer 64 and `lr: 1` as the double 1.0, and an
// unknown setting's integral number becomes an integer.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "common/util/value.h"
#include "google/protobuf/map.h"
#include "google/protobuf/struct.pb.h"

namespace hpsearch::convert {

google::protobuf::Value ToProto(const Value& v);
// INVALID_ARGUMENT (naming `field`) for null, structs and non-finite numbers.
absl::StatusOr<Value> FromProto(const google::protobuf::Value& v, const std::string& field);

// Settings by name, each typed by the vocabulary.
absl::StatusOr<Params> ParamsFromProto(const google::protobuf::Map<std::string, google::protobuf::Value>& m,
                                       const std::string& field);
void ParamsToProto(const Params& p, google::protobuf::Map<std::string, google::protobuf::Value>* out);

}  // namespace hpsearch::convert
