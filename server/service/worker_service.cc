#include "service/worker_service.h"

#include "absl/strings/str_cat.h"
#include "service/status_convert.h"

namespace hpsearch::service {

namespace v1 = hpsearch::v1;

namespace {

absl::Status CheckKey(const v1::LeaseKey& key) {
  if (key.sweep_id().empty()) return absl::InvalidArgumentError("key.sweep_id: required");
  if (key.sweep_id().size() > 64) return absl::InvalidArgumentError("key.sweep_id: not a sweep id");
  if (key.index() < 0) return absl::InvalidArgumentError("key.index: must be >= 0");
  if (key.attempt() < 1) return absl::InvalidArgumentError("key.attempt: must be >= 1");
  return absl::OkStatus();
}

}  // namespace

grpc::ServerUnaryReactor* WorkerServiceImpl::AcquireTrial(grpc::CallbackServerContext* ctx,
                                                          const v1::AcquireTrialRequest* req,
                                                          v1::AcquireTrialResponse* resp) {
  if (auto st = auth_.Check(ctx); !st.ok()) return Reply(ctx, st);
  return Offload(ctx, executor_, [this, req, resp] {
    auto lease = scheduler_.Acquire(req->worker_id(), req->request_id());
    if (!lease.ok()) return lease.status();
    if (*lease) {
      *resp->mutable_lease() = **std::move(lease);
    } else {
      resp->set_retry_after_ms(retry_after_ms_);
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* WorkerServiceImpl::ReportProgress(grpc::CallbackServerContext* ctx,
                                                            const v1::ReportProgressRequest* req,
                                                            v1::ReportProgressResponse* resp) {
  if (auto st = auth_.Check(ctx); !st.ok()) return Reply(ctx, st);
  if (auto st = CheckKey(req->key()); !st.ok()) return Reply(ctx, st);
  if (req->has_epoch() && req->epoch().epoch() < 1) {
    return Reply(ctx, absl::InvalidArgumentError("epoch.epoch: must be >= 1"));
  }
  return Offload(ctx, executor_, [this, req, resp] {
    auto reply = scheduler_.Report(*req);
    if (reply.ok()) *resp = *std::move(reply);
    return reply.status();
  });
}

grpc::ServerUnaryReactor* WorkerServiceImpl::CompleteTrial(grpc::CallbackServerContext* ctx,
                                                           const v1::CompleteTrialRequest* req,
                                                           v1::CompleteTrialResponse*) {
  if (auto st = auth_.Check(ctx); !st.ok()) return Reply(ctx, st);
  if (auto st = CheckKey(req->key()); !st.ok()) return Reply(ctx, st);
  return Offload(ctx, executor_, [this, req] { return scheduler_.Complete(*req); });
}

grpc::ServerUnaryReactor* WorkerServiceImpl::FailTrial(grpc::CallbackServerContext* ctx,
                                                       const v1::FailTrialRequest* req, v1::FailTrialResponse*) {
  if (auto st = auth_.Check(ctx); !st.ok()) return Reply(ctx, st);
  if (auto st = CheckKey(req->key()); !st.ok()) return Reply(ctx, st);
  return Offload(ctx, executor_, [this, req] { return scheduler_.Fail(*req); });
}

}  // namespace hpsearch::service
