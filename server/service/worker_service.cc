#include "server/service/worker_service.h"

#include "absl/strings/str_cat.h"
#include "proto/convert/protocol_convert.h"

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
  return gate_.Unary(ctx, [this, req, resp]() -> absl::Status {
    if (req->leaving()) return scheduler_.Leave(req->worker_id());
    auto lease = scheduler_.Acquire(req->worker_id(), req->request_id(),
                                    WorkerCapacity{req->runs_commands(), std::max(req->free_slots(), 1)});
    if (!lease.ok()) return lease.status();
    if (*lease) {
      *resp->mutable_lease() = convert::ToProto(**lease);
    } else {
      resp->set_retry_after_ms(retry_after_ms_);
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* WorkerServiceImpl::ReportProgress(grpc::CallbackServerContext* ctx,
                                                            const v1::ReportProgressRequest* req,
                                                            v1::ReportProgressResponse* resp) {
  return gate_.Unary(ctx, [this, req, resp]() -> absl::Status {
    if (auto st = CheckKey(req->key()); !st.ok()) return st;
    if (req->has_epoch() && req->epoch().epoch() < 1) return absl::InvalidArgumentError("epoch.epoch: must be >= 1");
    auto reply = scheduler_.Report(convert::FromProto(*req));
    if (reply.ok()) *resp = convert::ToProto(*reply);
    return reply.status();
  });
}

grpc::ServerUnaryReactor* WorkerServiceImpl::CompleteTrial(grpc::CallbackServerContext* ctx,
                                                           const v1::CompleteTrialRequest* req,
                                                           v1::CompleteTrialResponse* resp) {
  return gate_.Unary(ctx, [this, req, resp]() -> absl::Status {
    if (auto st = CheckKey(req->key()); !st.ok()) return st;
    if (auto st = scheduler_.Complete(convert::FromProto(*req)); !st.ok()) return st;
    if (req->has_ask_next() && !req->ask_next().client_id().empty()) {
      // The result is in; the ask is a bonus: when it fails, the client asks as usual.
      auto asked = scheduler_.Ask(req->key().sweep_id(), req->ask_next().client_id(), req->ask_next().request_id());
      if (asked.ok() && asked->lease) *resp->mutable_next_lease() = convert::ToProto(*asked->lease);
      if (asked.ok()) resp->set_next_finished(asked->finished);
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* WorkerServiceImpl::FailTrial(grpc::CallbackServerContext* ctx,
                                                       const v1::FailTrialRequest* req, v1::FailTrialResponse*) {
  return gate_.Unary(ctx, [this, req]() -> absl::Status {
    if (auto st = CheckKey(req->key()); !st.ok()) return st;
    return scheduler_.Fail(convert::FromProto(*req));
  });
}

}  // namespace hpsearch::service
