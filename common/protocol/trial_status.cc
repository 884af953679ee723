#include "common/protocol/trial_status.h"

namespace hpsearch {

const char* Name(TrialStatus s) {
  switch (s) {
    case TrialStatus::kPending:
      return "pending";
    case TrialStatus::kRunning:
      return "running";
    case TrialStatus::kCompleted:
      return "completed";
    case TrialStatus::kFailed:
      return "failed";
    case TrialStatus::kPruned:
      return "pruned";
    case TrialStatus::kCancelled:
      return "cancelled";
  }
  return "unknown";
}

const char* Name(SweepStatus s) {
  switch (s) {
    case SweepStatus::kUnspecified:
      return "unspecified";
    case SweepStatus::kRunning:
      return "running";
    case SweepStatus::kStopping:
      return "stopping";
    case SweepStatus::kCompleted:
      return "completed";
    case SweepStatus::kFailed:
      return "failed";
    case SweepStatus::kCancelled:
      return "cancelled";
  }
  return "unknown";
}

}  // namespace hpsearch
