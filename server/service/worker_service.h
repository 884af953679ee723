// hpsearch.v1.WorkerService: remote workers' lease protocol, a thin shell over the
// scheduler's Acquire / Report / Complete / Fail.
#pragma once

#include "hpsearch/v1/worker_service.grpc.pb.h"
#include "scheduler/scheduler.h"
#include "service/executor.h"
#include "service/token_auth.h"

namespace hpsearch::service {

class WorkerServiceImpl final : public hpsearch::v1::WorkerService::CallbackService {
 public:
  // retry_after_ms: what an idle worker is told to wait before asking again. Calls
  // run on `executor`, never on gRPC's threads.
  WorkerServiceImpl(scheduler::Scheduler& scheduler, const TokenAuth& auth, Executor& executor,
                    int64_t retry_after_ms = 1000)
      : scheduler_(scheduler), auth_(auth), executor_(executor), retry_after_ms_(retry_after_ms) {}

  grpc::ServerUnaryReactor* AcquireTrial(grpc::CallbackServerContext* ctx,
                                         const hpsearch::v1::AcquireTrialRequest* req,
                                         hpsearch::v1::AcquireTrialResponse* resp) override;
  grpc::ServerUnaryReactor* ReportProgress(grpc::CallbackServerContext* ctx,
                                           const hpsearch::v1::ReportProgressRequest* req,
                                           hpsearch::v1::ReportProgressResponse* resp) override;
  grpc::ServerUnaryReactor* CompleteTrial(grpc::CallbackServerContext* ctx,
                                          const hpsearch::v1::CompleteTrialRequest* req,
                                          hpsearch::v1::CompleteTrialResponse* resp) override;
  grpc::ServerUnaryReactor* FailTrial(grpc::CallbackServerContext* ctx,
                                      const hpsearch::v1::FailTrialRequest* req,
                                      hpsearch::v1::FailTrialResponse* resp) override;

 private:
  scheduler::Scheduler& scheduler_;
  const TokenAuth& auth_;
  Executor& executor_;
  int64_t retry_after_ms_;
};

}  // namespace hpsearch::service
