// The report protocol of a command trial (docs/spec.md, "Reporting from your
// program"): one text line per message, `key=value` pairs separated by spaces.
//
//   epoch=3 val_loss=0.412 val_accuracy=0.871     an epoch's metrics (`step=` may replace `epoch=`)
//   final val_loss=0.39 test_accuracy=0.88        the trial's final metrics
//
// On the report pipe (fd HPSEARCH_REPORT_FD) a line is exactly that; on stdout it is
// the same line after the prefix `hpsearch: `. Values are numbers as C's strtod reads
// them (nan and inf are read, and fail the trial as diverged); names are metric
// names ([A-Za-z0-9_.]{1,64}). `lr=` also sets the epoch's learning rate, and
// `parameter_count=` a result's parameter count.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace hpsearch::runtime {

struct ReportLine {
  enum class Kind { kEpoch, kFinal };
  Kind kind = Kind::kEpoch;
  int64_t epoch = 0;  // kEpoch: from `epoch=` or `step=`
  std::map<std::string, double> metrics;
};

inline constexpr std::string_view kStdoutPrefix = "hpsearch: ";
inline constexpr std::size_t kMaxReportLine = 16 * 1024;

// One line (without its newline). INVALID_ARGUMENT saying what is wrong: a token
// without `=`, a value that is not a number, a bad name, a name given twice, no
// `epoch=`/`step=` (or both), more than 64 metrics.
absl::StatusOr<ReportLine> ParseReportLine(std::string_view line);

// A stdout line that starts with kStdoutPrefix, without the prefix; nullopt for any
// other line (the program's own output).
std::optional<std::string_view> StdoutReport(std::string_view line);

}  // namespace hpsearch::runtime
