#include "server/service/sweep_service.h"

#include "absl/strings/str_cat.h"
#include "proto/convert/protocol_convert.h"
#include "proto/convert/spec_convert.h"
#include "proto/convert/value_convert.h"
#include "search/spec_file.h"
#include "server/service/convert.h"
#include "server/service/queries.h"
#include "server/service/watch_stream.h"

namespace hpsearch::service {

namespace v1 = hpsearch::v1;

namespace {

// Longest spec_yaml accepted: a spec file is a few KiB; this bounds what the reader parses.
constexpr size_t kMaxSpecYamlBytes = 1 << 20;
// When an ask that got no lease (max_concurrent trials out) should come again.
constexpr int64_t kAskRetryMs = 200;
constexpr int kMaxEnqueuedParams = 1024;  // an enqueued ask's parameters

// The answer of a call that returns a sweep.
absl::Status Answer(const absl::StatusOr<store::SweepRecord>& sweep, v1::Sweep* resp) {
  if (sweep.ok()) *resp = ToProto(*sweep, true);
  return sweep.status();
}

}  // namespace

grpc::ServerUnaryReactor* SweepServiceImpl::SubmitSweep(grpc::CallbackServerContext* ctx,
                                                        const v1::SubmitSweepRequest* req, v1::Sweep* resp) {
  return gate_.Unary(ctx, [this, req, resp] {
    if (req->spec_yaml().empty()) {
      auto spec = convert::FromProto(req->spec());
      if (!spec.ok()) return spec.status();
      return Answer(scheduler_.Submit(*spec, EncodeSpec(req->spec()), req->request_id()), resp);
    }
    if (req->has_spec()) return absl::InvalidArgumentError("spec_yaml: set instead of spec, not beside it");
    if (req->spec_yaml().size() > kMaxSpecYamlBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("spec_yaml: at most ", kMaxSpecYamlBytes, " bytes (it has ", req->spec_yaml().size(), ")"));
    }
    auto spec = client::ParseSpecYaml(req->spec_yaml());
    if (!spec.ok()) return spec.status();
    return Answer(scheduler_.Submit(*spec, EncodeSpec(convert::ToProto(*spec)), req->request_id()), resp);
  });
}

grpc::ServerUnaryReactor* SweepServiceImpl::AskTrial(grpc::CallbackServerContext* ctx, const v1::AskTrialRequest* req,
                                                     v1::AskTrialResponse* resp) {
  return gate_.Unary(ctx, [this, req, resp]() -> absl::Status {
    if (req->client_id().empty()) return absl::InvalidArgumentError("client_id: required (who asks, e.g. sdk/host-42)");
    std::optional<Params> enqueue;
    if (!req->params().empty()) {
      if (req->params_size() > kMaxEnqueuedParams) {
        return absl::InvalidArgumentError(absl::StrCat("params: at most ", kMaxEnqueuedParams, " parameters"));
      }
      auto params = convert::ParamsFromProto(req->params(), "params");
      if (!params.ok()) return params.status();
      enqueue = *std::move(params);
    }
    auto asked = scheduler_.Ask(req->sweep(), req->client_id(), req->request_id(), enqueue ? &*enqueue : nullptr);
    if (!asked.ok()) return asked.status();
    if (asked->lease) *resp->mutable_lease() = convert::ToProto(*asked->lease);
    resp->set_finished(asked->finished);
    resp->set_handed_out(asked->handed_out);
    if (!asked->lease && !asked->finished) resp->set_retry_after_ms(kAskRetryMs);
    *resp->mutable_sweep() = ToProto(asked->sweep, false);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* SweepServiceImpl::GetSweep(grpc::CallbackServerContext* ctx, const v1::GetSweepRequest* req,
                                                     v1::Sweep* resp) {
  return gate_.Unary(ctx, [this, req, resp] { return service::GetSweep(query_, *req, resp); });
}

grpc::ServerUnaryReactor* SweepServiceImpl::ListSweeps(grpc::CallbackServerContext* ctx,
                                                       const v1::ListSweepsRequest* req, v1::ListSweepsResponse* resp) {
  return gate_.Unary(ctx, [this, req, resp] { return service::ListSweeps(query_, *req, resp); });
}

grpc::ServerUnaryReactor* SweepServiceImpl::CancelSweep(grpc::CallbackServerContext* ctx,
                                                        const v1::CancelSweepRequest* req, v1::Sweep* resp) {
  return gate_.Unary(ctx, [this, req, resp] { return Answer(scheduler_.Cancel(req->sweep(), req->graceful()), resp); });
}

grpc::ServerUnaryReactor* SweepServiceImpl::ExtendSweep(grpc::CallbackServerContext* ctx,
                                                        const v1::ExtendSweepRequest* req, v1::Sweep* resp) {
  return gate_.Unary(ctx, [this, req, resp] {
    return Answer(scheduler_.Extend(req->sweep(), {req->trials(), req->duration_seconds()}), resp);
  });
}

grpc::ServerUnaryReactor* SweepServiceImpl::RetryTrials(grpc::CallbackServerContext* ctx,
                                                        const v1::RetryTrialsRequest* req,
                                                        v1::RetryTrialsResponse* resp) {
  return gate_.Unary(ctx, [this, req, resp]() -> absl::Status {
    const bool failed = req->failed() || !req->cancelled();
    auto retried = scheduler_.Retry(req->sweep(), failed, req->cancelled(), req->new_seed());
    if (!retried.ok()) return retried.status();
    *resp->mutable_sweep() = ToProto(retried->sweep, true);
    resp->set_requeued(retried->requeued);
    resp->set_resumed(retried->resumed);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* SweepServiceImpl::DeleteSweep(grpc::CallbackServerContext* ctx,
                                                        const v1::DeleteSweepRequest* req, v1::Sweep* resp) {
  return gate_.Unary(ctx, [this, req, resp] { return Answer(scheduler_.Delete(req->sweep()), resp); });
}

grpc::ServerUnaryReactor* SweepServiceImpl::ListTrials(grpc::CallbackServerContext* ctx,
                                                       const v1::ListTrialsRequest* req, v1::ListTrialsResponse* resp) {
  return gate_.Unary(ctx, [this, req, resp] { return service::ListTrials(query_, *req, resp); });
}

grpc::ServerUnaryReactor* SweepServiceImpl::GetTrial(grpc::CallbackServerContext* ctx, const v1::GetTrialRequest* req,
                                                     v1::Trial* resp) {
  return gate_.Unary(ctx, [this, req, resp] { return service::GetTrial(query_, *req, resp); });
}

grpc::ServerUnaryReactor* SweepServiceImpl::GetTrialLog(grpc::CallbackServerContext* ctx,
                                                        const v1::GetTrialLogRequest* req, v1::TrialLog* resp) {
  return gate_.Unary(ctx, [this, req, resp] { return service::GetTrialLog(query_, *req, resp); });
}

grpc::ServerUnaryReactor* SweepServiceImpl::GetImportance(grpc::CallbackServerContext* ctx,
                                                          const v1::GetImportanceRequest* req, v1::Importance* resp) {
  return gate_.Unary(ctx, [this, req, resp] { return service::GetImportance(query_, *req, resp); });
}

grpc::ServerUnaryReactor* SweepServiceImpl::GetBestTrials(grpc::CallbackServerContext* ctx,
                                                          const v1::GetBestTrialsRequest* req,
                                                          v1::GetBestTrialsResponse* resp) {
  return gate_.Unary(ctx, [this, req, resp] { return service::GetBestTrials(query_, *req, resp); });
}

grpc::ServerUnaryReactor* SweepServiceImpl::GetServerInfo(grpc::CallbackServerContext* ctx,
                                                          const v1::GetServerInfoRequest*, v1::ServerInfo* resp) {
  return gate_.Unary(ctx, [this, resp]() -> absl::Status {
    resp->set_version(info_.version);
    resp->set_schema_version(info_.schema_version);
    resp->set_embedded_slots(info_.embedded_slots);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* SweepServiceImpl::ListWorkers(grpc::CallbackServerContext* ctx,
                                                        const v1::ListWorkersRequest* req,
                                                        v1::ListWorkersResponse* resp) {
  return gate_.Unary(ctx, [this, req, resp] { return service::ListWorkers(query_, *req, resp); });
}

grpc::ServerWriteReactor<v1::SweepEvent>* SweepServiceImpl::WatchSweep(grpc::CallbackServerContext* ctx,
                                                                       const v1::WatchSweepRequest* req) {
  if (auto st = gate_.Admit(ctx); !st.ok()) return new RejectedStream(ToGrpc(st));
  if (open_streams_.fetch_add(1) >= max_watch_streams_) {
    open_streams_.fetch_sub(1);
    return new RejectedStream(ToGrpc(absl::ResourceExhaustedError(
        absl::StrCat(max_watch_streams_, " WatchSweep streams are open, the server's limit (--max-watch-streams)"))));
  }
  return new WatchStream(scheduler_, gate_.executor(), req->sweep(), watch_queue_, &open_streams_);
}

}  // namespace hpsearch::service
