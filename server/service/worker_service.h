// hpsearch.v1.WorkerService: remote workers' lease protocol, a thin shell over the
// scheduler's Acquire / Report / Complete / Fail (conversions in proto/convert).
#pragma once

#include "hpsearch/v1/worker_service.grpc.pb.h"
#include "server/scheduler/scheduler.h"
#include "server/service/gate.h"

namespace hpsearch::service {

class WorkerServiceImpl final : public hpsearch::v1::WorkerService::CallbackService {
 public:
  // retry_after_ms: what an idle worker is told to wait before asking again.
  WorkerServiceImpl(scheduler::Scheduler& scheduler, Gate& gate, int64_t retry_after_ms = 1000)
      : scheduler_(scheduler), gate_(gate), retry_after_ms_(retry_after_ms) {}

  grpc::ServerUnaryReactor* AcquireTrial(grpc::CallbackServerContext* ctx, const hpsearch::v1::AcquireTrialRequest* req,
                                         hpsearch::v1::AcquireTrialResponse* resp) override;
  grpc::ServerUnaryReactor* ReportProgress(grpc::CallbackServerContext* ctx,
                                           const hpsearch::v1::ReportProgressRequest* req,
                                           hpsearch::v1::ReportProgressResponse* resp) override;
  grpc::ServerUnaryReactor* CompleteTrial(grpc::CallbackServerContext* ctx,
                                          const hpsearch::v1::CompleteTrialRequest* req,
                                          hpsearch::v1::CompleteTrialResponse* resp) override;
  grpc::ServerUnaryReactor* FailTrial(grpc::CallbackServerContext* ctx, const hpsearch::v1::FailTrialRequest* req,
                                      hpsearch::v1::FailTrialResponse* resp) override;

 private:
  scheduler::Scheduler& scheduler_;
  Gate& gate_;
  int64_t retry_after_ms_;
};

}  // namespace hpsearch::service
