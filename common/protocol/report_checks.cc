#include "common/protocol/report_checks.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace hpsearch {

namespace {

// At most ~80 characters of a name a worker sent, for a message.
std::string Quoted(const std::string& s) {
  std::string out;
  for (char c : s.substr(0, 80)) {
    const auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u >= 0x7f) ? absl::StrFormat("\\x%02x", u) : std::string(1, c);
  }
  return absl::StrCat("'", out, s.size() > 80 ? absl::StrCat("'… (", s.size(), " bytes)") : "'");
}

absl::Status Bad(const std::string& field, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", what));
}

absl::Status CheckStats(const ActivationStats& s, int64_t max_epoch, const std::string& field) {
  if (s.epoch < 0 || s.epoch > max_epoch) {
    return Bad(field + ".epoch", absl::StrCat(s.epoch, " is outside 0..", max_epoch, " (the trial's epochs)"));
  }
  if (s.mean.size() != s.std.size()) {
    return Bad(field, absl::StrCat(s.mean.size(), " means but ", s.std.size(), " deviations"));
  }
  if (s.mean.size() > static_cast<std::size_t>(kMaxActivationLayers)) {
    return Bad(field + ".mean", absl::StrCat(s.mean.size(), " layers; at most ", kMaxActivationLayers));
  }
  return absl::OkStatus();
}

}  // namespace

bool ValidMetricName(const std::string& name) {
  if (name.empty() || name.size() > static_cast<std::size_t>(kMaxMetricName)) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

absl::Status CheckMetrics(const std::map<std::string, double>& metrics, const std::string& field) {
  if (metrics.size() > static_cast<std::size_t>(kMaxMetricsPerReport)) {
    return Bad(field, absl::StrCat(metrics.size(), " metrics; at most ", kMaxMetricsPerReport, " a report"));
  }
  for (const auto& [name, value] : metrics) {
    if (!ValidMetricName(name)) {
      return Bad(field, absl::StrCat("metric name ", Quoted(name), " is not 1-", kMaxMetricName,
                                     " characters of A-Z a-z 0-9 _ ."));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckEpochReport(const EpochReport& report, int64_t max_epoch) {
  if (report.epoch) {
    const EpochMetrics& e = *report.epoch;
    if (e.epoch < 1 || e.epoch > max_epoch) {
      return Bad("epoch.epoch", absl::StrCat(e.epoch, " is outside 1..", max_epoch, " (the trial's epochs)"));
    }
    if (auto st = CheckMetrics(e.metrics, "epoch.metrics"); !st.ok()) return st;
    if (e.lr < 0) return Bad("epoch.lr", absl::StrCat(e.lr, " is negative"));
    if (!std::isfinite(e.seconds) || e.seconds < 0) {
      return Bad("epoch.seconds", absl::StrCat(e.seconds, " is not a duration (finite, >= 0)"));
    }
  }
  if (report.parameter_count < 0 || report.parameter_count > kMaxParameterCount) {
    return Bad("parameter_count", absl::StrCat(report.parameter_count, " is outside 0..", kMaxParameterCount));
  }
  if (report.output.size() > static_cast<std::size_t>(kMaxOutputChunks)) {
    return Bad("output", absl::StrCat(report.output.size(), " chunks; at most ", kMaxOutputChunks, " a report"));
  }
  for (const auto& c : report.output) {
    if (c.bytes.size() > kMaxOutputChunkBytes) {
      return Bad("output", absl::StrCat("a chunk of ", c.bytes.size(), " bytes; at most ", kMaxOutputChunkBytes));
    }
    if (c.offset > (uint64_t{1} << 60)) return Bad("output.offset", absl::StrCat(c.offset, " is out of range"));
  }
  if (report.diagnostics) return CheckStats(*report.diagnostics, max_epoch, "diagnostics");
  return absl::OkStatus();
}

absl::Status CheckTrialResult(const TrialResult& result, int64_t max_epoch) {
  if (auto st = CheckMetrics(result.metrics, "metrics"); !st.ok()) return st;
  if (result.parameter_count < 0 || result.parameter_count > kMaxParameterCount) {
    return Bad("parameter_count", absl::StrCat(result.parameter_count, " is outside 0..", kMaxParameterCount));
  }
  if (static_cast<int64_t>(result.diagnostics.size()) > max_epoch + 1) {
    return Bad("diagnostics", absl::StrCat(result.diagnostics.size(), " entries for a trial of ", max_epoch,
                                           " epochs (at most one per epoch and one at init)"));
  }
  for (std::size_t i = 0; i < result.diagnostics.size(); ++i) {
    if (auto st = CheckStats(result.diagnostics[i], max_epoch, absl::StrCat("diagnostics[", i, "]")); !st.ok()) {
      return st;
    }
  }
  return absl::OkStatus();
}

std::string NonFiniteActivation(const ActivationStats& stats) {
  const auto first = [&](const std::vector<double>& v, const char* what) -> std::string {
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (!std::isfinite(v[i])) {
        return absl::StrCat("activation ", what, " of layer ", i + 1, " is ",
                            std::isnan(v[i]) ? "nan"
                            : v[i] > 0       ? "+inf"
                                             : "-inf",
                            " at epoch ", stats.epoch);
      }
    }
    return "";
  };
  std::string bad = first(stats.mean, "mean");
  return bad.empty() ? first(stats.std, "std") : bad;
}

}  // namespace hpsearch
