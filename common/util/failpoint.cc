#include "common/util/failpoint.h"

#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/util/did_you_mean.h"

namespace hpsearch::failpoint {

namespace {

// Before and after every store transaction the scheduler makes (a crash before the
// commit must look as if the event never happened; after it, as if it fully did),
// and around the reports of a trial slot (embedded in the server, or in a remote
// hpsearch-worker).
constexpr std::string_view kFailPointNames[] = {
    "scheduler.submit.before_commit",
    "scheduler.submit.after_commit",
    "scheduler.acquire.before_commit",
    "scheduler.acquire.after_commit",
    "scheduler.epoch_flush.before_commit",
    "scheduler.epoch_flush.after_commit",
    "scheduler.complete.before_commit",
    "scheduler.complete.after_commit",
    "scheduler.fail.before_commit",
    "scheduler.fail.after_commit",
    "scheduler.prune.before_commit",
    "scheduler.prune.after_commit",
    "scheduler.lose_lease.before_commit",
    "scheduler.lose_lease.after_commit",
    "scheduler.cancel.before_commit",
    "scheduler.cancel.after_commit",
    "scheduler.deadline.before_commit",
    "scheduler.deadline.after_commit",
    "scheduler.finish.before_commit",
    "scheduler.finish.after_commit",
    "scheduler.recover.before_commit",
    "scheduler.recover.after_commit",
    "scheduler.extend.before_commit",
    "scheduler.extend.after_commit",
    "scheduler.retry.before_commit",
    "scheduler.retry.after_commit",
    "scheduler.delete.before_commit",
    "scheduler.delete.after_commit",
    "slot.epoch.before_report",
    "slot.complete.before_report",
    "slot.complete.after_report",
};

struct Armed {
  std::string name;
  int64_t at = 1;      // die at this pass
  int64_t passes = 0;  // seen so far
};

std::mutex mu;
std::vector<Armed> armed_points;

}  // namespace

namespace internal {

std::atomic<bool> armed{false};

void Pass(std::string_view name) {
  std::lock_guard lock(mu);
  for (auto& a : armed_points) {
    if (a.name != name || ++a.passes != a.at) continue;
    const std::string line =
        absl::StrCat("failpoint ", std::string(name), " (pass ", a.at, "): exiting as if killed\n");
    (void)!::write(STDERR_FILENO, line.data(), line.size());
    ::_exit(137);
  }
}

}  // namespace internal

std::span<const std::string_view> Names() { return kFailPointNames; }

absl::Status Arm(std::string_view spec) {
  std::vector<Armed> points;
  std::vector<std::string> known(std::begin(kFailPointNames), std::end(kFailPointNames));
  for (absl::string_view piece :
       absl::StrSplit(absl::string_view(spec.data(), spec.size()), ',', absl::SkipWhitespace())) {
    const std::string_view item(piece.data(), piece.size());
    Armed a;
    const size_t at = item.find('@');
    a.name = std::string(item.substr(0, at));
    if (at != std::string_view::npos) {
      const std::string_view n = item.substr(at + 1);
      auto [p, ec] = std::from_chars(n.data(), n.data() + n.size(), a.at);
      if (ec != std::errc() || p != n.data() + n.size() || a.at < 1) {
        return absl::InvalidArgumentError(
            absl::StrCat("HPSEARCH_FAILPOINTS: '", std::string(item), "': the pass after @ must be a number >= 1"));
      }
    }
    if (std::find(known.begin(), known.end(), a.name) == known.end()) {
      return absl::InvalidArgumentError(absl::StrCat("HPSEARCH_FAILPOINTS: unknown fail point '", a.name, "'",
                                                     DidYouMean(a.name, known), "; --list-failpoints lists them"));
    }
    points.push_back(std::move(a));
  }
  std::lock_guard lock(mu);
  armed_points = std::move(points);
  internal::armed.store(!armed_points.empty());
  return absl::OkStatus();
}

absl::Status ArmFromEnvironment() {
  const char* spec = std::getenv("HPSEARCH_FAILPOINTS");
  return spec ? Arm(spec) : absl::OkStatus();
}

}  // namespace hpsearch::failpoint
