// vocabulary::DatasetOptions ⇄ hpsearch.v1.DatasetSpec.
#pragma once

#include "common/vocabulary/datasets.h"
#include "hpsearch/v1/spec.pb.h"

namespace hpsearch::convert {

vocabulary::DatasetOptions FromProto(const hpsearch::v1::DatasetSpec& d);
// Fields at their defaults are left unset.
hpsearch::v1::DatasetSpec ToProto(const vocabulary::DatasetOptions& o);

}  // namespace hpsearch::convert
