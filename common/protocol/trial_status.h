// Where a trial and a sweep stand. The numbers are the stored ones (and match the
// wire enums, which the conversions check), so they never change.
#pragma once

#include <string>

namespace hpsearch {

// PENDING → RUNNING → COMPLETED | FAILED | PRUNED | CANCELLED; RUNNING → PENDING
// (attempt + 1) when a lease is lost or handed back.
enum class TrialStatus {
  kPending = 1,    // waiting for a slot
  kRunning = 2,    // leased to a worker
  kCompleted = 3,  // trained; metrics and objective recorded
  kFailed = 4,     // diverged, bad data, or out of attempts
  kPruned = 5,     // stopped early by the search for being poor
  kCancelled = 6,  // the sweep was cancelled or ran out of budget
};

enum class SweepStatus {
  kUnspecified = 0,  // not ending (for SweepRecord::ending_status)
  kRunning = 1,      // trials pending or running
  kStopping = 2,     // no new trials; running ones finish
  kCompleted = 3,    // every trial finished, or a target or max_duration ended it
  kFailed = 4,       // max_failed reached, every trial failed, or it cannot resume
  kCancelled = 5,    // stopped or cancelled by a user
};

// "pending", "running", ... (as the CLI shows them).
const char* Name(TrialStatus s);
const char* Name(SweepStatus s);
inline bool Finished(TrialStatus s) { return s != TrialStatus::kPending && s != TrialStatus::kRunning; }
inline bool Finished(SweepStatus s) {
  return s == SweepStatus::kCompleted || s == SweepStatus::kFailed || s == SweepStatus::kCancelled;
}

}  // namespace hpsearch
