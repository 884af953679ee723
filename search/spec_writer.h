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

// One trial as a trial file (`hpsearch-worker train --config FILE`, worker/commands/
// trial_file.h): the dataset block, the seed (all 64 bits), the objective the trial
// monitored, then every setting it trained with.
std::string TrialFileYaml(const vocabulary::DatasetOptions& dataset, const Params& settings, uint64_t seed,
                          const std::string& objective);

}  // namespace hpsearch::search
