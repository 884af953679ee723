// The scheduler as a TrialSource: how the server's embedded slots lease trials,
// in process, through exactly the operations remote workers reach over gRPC.
#pragma once

#include "runtime/trial_source.h"
#include "scheduler/scheduler.h"

namespace hpsearch::scheduler {

class SchedulerSource final : public runtime::TrialSource {
 public:
  explicit SchedulerSource(Scheduler& scheduler) : scheduler_(scheduler) {}

  absl::StatusOr<std::optional<hpsearch::v1::Lease>> Acquire(const std::string& worker_id,
                                                             const std::string& request_id) override {
    return scheduler_.Acquire(worker_id, request_id);
  }
  absl::StatusOr<hpsearch::v1::ReportProgressResponse> Report(
      const hpsearch::v1::ReportProgressRequest& request) override {
    return scheduler_.Report(request);
  }
  absl::Status Complete(const hpsearch::v1::CompleteTrialRequest& request) override {
    return scheduler_.Complete(request);
  }
  absl::Status Fail(const hpsearch::v1::FailTrialRequest& request) override { return scheduler_.Fail(request); }
  void WaitForWork(std::chrono::milliseconds timeout) override { scheduler_.WaitForWork(timeout); }
  void Wake() override { scheduler_.WakeWaiters(); }

 private:
  Scheduler& scheduler_;
};

}  // namespace hpsearch::scheduler
