#include "worker/commands/result_json.h"

namespace hpsearch::commands {

std::string OutcomeName(trainer::TrialOutcome outcome) {
  switch (outcome) {
    case trainer::TrialOutcome::kCompleted:
      return "completed";
    case trainer::TrialOutcome::kFailed:
      return "failed";
    case trainer::TrialOutcome::kStopped:
      return "stopped";
  }
  return "?";
}

nlohmann::json EpochToJson(const trainer::EpochRecord& e) {
  nlohmann::json j = {{"epoch", e.epoch}, {"lr", e.lr}, {"seconds", e.seconds}};
  for (const auto& [k, v] : e.metrics) j[k] = v;
  return j;
}

nlohmann::json LayerStatsToJson(const trainer::LayerStats& s) {
  return {{"epoch", s.epoch}, {"mean", s.mean}, {"std", s.std}};
}

nlohmann::json ResultToJson(const trainer::TrainResult& r) {
  nlohmann::json j;
  j["status"] = OutcomeName(r.outcome);
  if (!r.reason.empty()) j["reason"] = r.reason;
  j["metrics"] = r.metrics;
  j["parameter_count"] = r.parameter_count;
  j["best_epoch"] = r.best_epoch;
  j["seconds"] = r.seconds;
  j["epochs"] = nlohmann::json::array();
  for (const auto& e : r.epochs) j["epochs"].push_back(EpochToJson(e));
  j["diagnostics"] = nlohmann::json::array();
  for (const auto& s : r.diagnostics) j["diagnostics"].push_back(LayerStatsToJson(s));
  return j;
}

}  // namespace hpsearch::commands
