#include "server/scheduler/fair_share.h"

namespace hpsearch::scheduler {

bool CanServe(const ShareCandidate& c) {
  return c.has_work && !c.past_deadline && (c.max_concurrent <= 0 || c.running < c.max_concurrent);
}

std::optional<int64_t> FairShare(const std::vector<ShareCandidate>& candidates) {
  const ShareCandidate* pick = nullptr;
  for (const auto& c : candidates) {
    if (!CanServe(c)) continue;
    if (!pick || c.running < pick->running || (c.running == pick->running && c.last_served < pick->last_served)) {
      pick = &c;
    }
  }
  if (!pick) return std::nullopt;
  return pick->sweep;
}

}  // namespace hpsearch::scheduler
