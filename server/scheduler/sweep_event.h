// One thing that happened to a sweep, as watchers receive it.
#pragma once

#include <cstdint>
#include <optional>

#include "common/protocol/epoch_report.h"
#include "server/store/records.h"

namespace hpsearch::scheduler {

struct SweepEvent {
  int64_t time_ms = 0;
  store::SweepRecord sweep;                 // counters after this event (spec left out)
  std::optional<store::TrialRecord> trial;  // a trial changed state (no curve)
  struct Epoch {
    int64_t trial = 0;
    EpochMetrics metrics;
  };
  std::optional<Epoch> epoch;  // a running trial finished an epoch
  int64_t skipped = 0;         // set by streams that dropped events before this one
};

}  // namespace hpsearch::scheduler
