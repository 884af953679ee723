// Which sweep gets the next free slot: a pure function of the sweeps' state.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace hpsearch::scheduler {

struct ShareCandidate {
  int64_t sweep = 0;
  bool has_work = false;  // trials queued or never started, and not ending
  int64_t running = 0;
  int32_t max_concurrent = 0;  // 0: no cap
  bool past_deadline = false;  // max_duration reached
  int64_t last_served = 0;     // acquire sequence number of its last lease
};

// The sweep with the fewest running trials among those with work, room under
// max_concurrent and time left; ties go to the one served longest ago (then the
// first listed). nullopt: none can take a trial.
std::optional<int64_t> FairShare(const std::vector<ShareCandidate>& candidates);

// Whether a sweep can take a trial now: work, room under max_concurrent, time left.
bool CanServe(const ShareCandidate& c);

}  // namespace hpsearch::scheduler
