// Every value of a spec in its setting's own type (vocabulary::Typed): `lr: 1` is
// the double 1.0, `batch_size: 64.0` the integer 64, `hidden: [128.0]` integers. The
// edges that build a Spec (the YAML reader, the wire conversion) call it, so values
// compare and print the same whichever way they arrived. Values of unknown settings
// and values of the wrong type stay as written for the validator to report.
#pragma once

#include "search/spec.h"

namespace hpsearch::search {

Spec Typed(Spec spec);

}  // namespace hpsearch::search
