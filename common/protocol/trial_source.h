// Where a pool of trial slots gets its work: the lease protocol as four calls. The
// server's embedded slots call the scheduler in process
// (server/scheduler/scheduler_source.h); a remote hpsearch-worker calls the server over
// gRPC (worker/remote/grpc_trial_source.h).
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "common/protocol/epoch_report.h"
#include "common/protocol/lease.h"
#include "common/protocol/trial_result.h"

namespace hpsearch {

// What a worker slot can take when it asks for a trial.
struct WorkerCapacity {
  bool runs_commands = false;  // its process was started with --commands DIR
  int32_t free_slots = 1;      // cores free in its pool now (a command's trainer.slots must fit)
  // Set only by ask (SweepService.AskTrial): a trial of this `trainer: external`
  // sweep, and of no other. Slots and workers leave it empty: they never get an
  // external sweep's trials.
  std::string ask_sweep;
  // Any trial at all (tests and tools that call the scheduler directly).
  static WorkerCapacity Any() { return WorkerCapacity{true, 1 << 30}; }
};

class TrialSource {
 public:
  virtual ~TrialSource() = default;
  // A lease, or nullopt when nothing `capacity` can run is pending. Idempotent per
  // (worker_id, request_id).
  virtual absl::StatusOr<std::optional<Lease>> Acquire(const std::string& worker_id, const std::string& request_id,
                                                       const WorkerCapacity& capacity) = 0;
  // UNAVAILABLE: transient (retry); FAILED_PRECONDITION: the lease is gone.
  virtual absl::StatusOr<ReportReply> Report(const EpochReport& report) = 0;
  virtual absl::Status Complete(const TrialResult& result) = 0;
  virtual absl::Status Fail(const TrialFailure& failure) = 0;
  // Blocks until work may be available (or `timeout`); Wake() ends every wait.
  virtual void WaitForWork(std::chrono::milliseconds timeout) = 0;
  virtual void Wake() = 0;
  // The slot `worker_id` is going away for good: the source forgets it (a server
  // drops it from its workers at once). Best effort; default: nothing to tell.
  virtual void Leave(const std::string& /*worker_id*/) {}
};

}  // namespace hpsearch
