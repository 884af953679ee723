// The scheduler as a TrialSource: how the server's embedded slots lease trials,
// in process, through exactly the operations remote workers reach over gRPC.
#pragma once

#include "common/protocol/trial_source.h"
#include "server/scheduler/scheduler.h"

namespace hpsearch::scheduler {

class SchedulerSource final : public TrialSource {
 public:
  explicit SchedulerSource(Scheduler& scheduler) : scheduler_(scheduler) {}

  absl::StatusOr<std::optional<Lease>> Acquire(const std::string& worker_id, const std::string& request_id,
                                               const WorkerCapacity& capacity) override {
    return scheduler_.Acquire(worker_id, request_id, capacity);
  }
  absl::StatusOr<ReportReply> Report(const EpochReport& report) override { return scheduler_.Report(report); }
  absl::Status Complete(const TrialResult& result) override { return scheduler_.Complete(result); }
  absl::Status Fail(const TrialFailure& failure) override { return scheduler_.Fail(failure); }
  void WaitForWork(std::chrono::milliseconds timeout) override { scheduler_.WaitForWork(timeout); }
  void Wake() override { scheduler_.WakeWaiters(); }

 private:
  Scheduler& scheduler_;
};

}  // namespace hpsearch::scheduler
