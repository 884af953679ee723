// Where a pool of trial slots gets its work: the lease protocol of
// hpsearch.v1.WorkerService as four calls. The server's embedded slots call the
// scheduler in process (server/scheduler/scheduler_source.h); a remote
// hpsearch-worker calls the server over gRPC (worker/remote/grpc_trial_source.h).
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "hpsearch/v1/worker_service.pb.h"

namespace hpsearch::runtime {

class TrialSource {
 public:
  virtual ~TrialSource() = default;
  // A lease, or nullopt when nothing is pending.
  virtual absl::StatusOr<std::optional<hpsearch::v1::Lease>> Acquire(const std::string& worker_id,
                                                                     const std::string& request_id) = 0;
  virtual absl::StatusOr<hpsearch::v1::ReportProgressResponse> Report(
      const hpsearch::v1::ReportProgressRequest& request) = 0;
  virtual absl::Status Complete(const hpsearch::v1::CompleteTrialRequest& request) = 0;
  virtual absl::Status Fail(const hpsearch::v1::FailTrialRequest& request) = 0;
  // Blocks until work may be available (or `timeout`); Wake() ends every wait.
  virtual void WaitForWork(std::chrono::milliseconds timeout) = 0;
  virtual void Wake() = 0;
};

}  // namespace hpsearch::runtime
