// TrainResult as JSON (the `train --json` output and the store's diagnostics shape).
#pragma once

#include "nlohmann/json.hpp"
#include "worker/trainer/train_result.h"

namespace hpsearch::commands {

std::string OutcomeName(trainer::TrialOutcome outcome);
nlohmann::json EpochToJson(const trainer::EpochRecord& e);
nlohmann::json LayerStatsToJson(const trainer::LayerStats& s);
nlohmann::json ResultToJson(const trainer::TrainResult& r);

}  // namespace hpsearch::commands
