#include "worker/runtime/report_line.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/protocol/report_checks.h"
#include "common/util/printable.h"

namespace hpsearch::runtime {

namespace {

absl::Status Bad(const std::string& what) { return absl::InvalidArgumentError(what); }

absl::StatusOr<double> Number(std::string_view text, const std::string& name) {
  const std::string s(text);
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size()) {
    return Bad(absl::StrCat(name, "=", Quoted(s), ": not a number"));
  }
  return v;
}

}  // namespace

absl::StatusOr<ReportLine> ParseReportLine(std::string_view line) {
  if (line.size() > kMaxReportLine) return Bad(absl::StrCat("a report line is at most ", kMaxReportLine, " bytes"));
  ReportLine out;
  bool first = true, have_epoch = false;
  for (absl::string_view piece :
       absl::StrSplit(absl::string_view(line.data(), line.size()), absl::ByAnyChar(" \t\r"), absl::SkipEmpty())) {
    const std::string token(piece);
    if (first && token == "final") {
      out.kind = ReportLine::Kind::kFinal;
      first = false;
      continue;
    }
    first = false;
    const std::size_t eq = token.find('=');
    if (eq == std::string::npos) return Bad(absl::StrCat(Quoted(token), ": not key=value"));
    const std::string name(token.substr(0, eq));
    auto value = Number(token.substr(eq + 1), Printable(name));
    if (!value.ok()) return value.status();
    if (out.kind == ReportLine::Kind::kEpoch && (name == "epoch" || name == "step")) {
      if (have_epoch) return Bad("give one of epoch= and step=, once");
      if (*value != std::floor(*value) || *value < 0 || *value > 1e15) {
        return Bad(absl::StrCat(name, "=", token.substr(eq + 1), ": must be a whole number >= 0"));
      }
      out.epoch = static_cast<int64_t>(*value);
      have_epoch = true;
      continue;
    }
    if (!ValidMetricName(name)) {
      return Bad(absl::StrCat("metric name ", Quoted(name), " is not 1-64 characters of A-Z a-z 0-9 _ ."));
    }
    if (!out.metrics.emplace(name, *value).second) return Bad(absl::StrCat(name, " is given twice"));
    if (out.metrics.size() > static_cast<std::size_t>(kMaxMetricsPerReport)) {
      return Bad(absl::StrCat("at most ", kMaxMetricsPerReport, " metrics a report"));
    }
  }
  if (out.kind == ReportLine::Kind::kEpoch && !have_epoch) {
    return Bad("an epoch report needs epoch=N (or step=N); a last line of final metrics starts with `final`");
  }
  return out;
}

std::optional<std::string_view> StdoutReport(std::string_view line) {
  if (line.substr(0, kStdoutPrefix.size()) != kStdoutPrefix) return std::nullopt;
  return line.substr(kStdoutPrefix.size());
}

}  // namespace hpsearch::runtime
