// A spec written back as YAML: what `hpsearch spec SWEEP` prints (the stored spec,
// with extend's changes) so it can be read, diffed or submitted again.
//
// The output reads back (ParseSpecYaml) to the same spec: every field that differs
// from its default is written, a number that is a double stays one (`1.0`, not `1`),
// a string that YAML would read as something else is quoted (`"64"`, `"true"`), and
// durations are written in seconds (`5400s`). Fields at their defaults are left out,
// so a spec reads as the user wrote it rather than as a dump of every setting.
#pragma once

#include <string>

#include "search/spec.h"

namespace hpsearch::search {

std::string SpecToYaml(const Spec& spec);

}  // namespace hpsearch::search
