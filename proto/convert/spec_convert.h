// search::Spec ⇄ hpsearch.v1.SweepSpec. FromProto types every value by its setting
// (search::Typed); it checks only what the plain form cannot hold (a value that is
// no setting value); everything else is ValidateSpec's.
#pragma once

#include "absl/status/statusor.h"
#include "hpsearch/v1/spec.pb.h"
#include "search/spec.h"

namespace hpsearch::convert {

absl::StatusOr<search::Spec> FromProto(const hpsearch::v1::SweepSpec& spec);
hpsearch::v1::SweepSpec ToProto(const search::Spec& spec);

}  // namespace hpsearch::convert
