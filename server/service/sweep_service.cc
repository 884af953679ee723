#include "service/sweep_service.h"

#include <charconv>

#include "absl/strings/str_cat.h"
#include "convert/protocol_convert.h"
#include "convert/spec_convert.h"
#include "service/convert.h"
#include "service/watch_stream.h"

namespace hpsearch::service {

namespace v1 = hpsearch::v1;

namespace {

absl::StatusOr<int32_t> PageSize(int32_t requested, int32_t fallback, int32_t max, const char* field) {
  if (requested < 0) return absl::InvalidArgumentError(absl::StrCat(field, ": must be >= 0"));
  if (requested == 0) return fallback;
  return std::min(requested, max);
}

// ListSweeps page tokens are opaque to clients; here they are the decimal offset.
absl::StatusOr<int64_t> Offset(const std::string& token) {
  if (token.empty()) return 0;
  int64_t v = -1;
  auto [p, ec] = std::from_chars(token.data(), token.data() + token.size(), v);
  if (ec != std::errc() || p != token.data() + token.size() || v < 0) {
    return absl::InvalidArgumentError("page_token: not a token from a previous response");
  }
  return v;
}

// The answer of a call that returns a sweep.
absl::Status Answer(const absl::StatusOr<store::SweepRecord>& sweep, v1::Sweep* resp) {
  if (sweep.ok()) *resp = ToProto(*sweep, true);
  return sweep.status();
}

}  // namespace

grpc::ServerUnaryReactor* SweepServiceImpl::SubmitSweep(grpc::CallbackServerContext* ctx,
                                                        const v1::SubmitSweepRequest* req, v1::Sweep* resp) {
  return gate_.Unary(ctx, [this, req, resp] {
    auto spec = convert::FromProto(req->spec());
    if (!spec.ok()) return spec.status();
    return Answer(scheduler_.Submit(*spec, EncodeSpec(req->spec()), req->request_id()), resp);
  });
}

grpc::ServerUnaryReactor* SweepServiceImpl::GetSweep(grpc::CallbackServerContext* ctx,
                                                     const v1::GetSweepRequest* req, v1::Sweep* resp) {
  return gate_.Unary(ctx, [this, req, resp] { return Answer(query_.Sweep(req->sweep()), resp); });
}

grpc::ServerUnaryReactor* SweepServiceImpl::ListSweeps(grpc::CallbackServerContext* ctx,
                                                       const v1::ListSweepsRequest* req,
                                                       v1::ListSweepsResponse* resp) {
  return gate_.Unary(ctx, [this, req, resp]() -> absl::Status {
    auto size = PageSize(req->page_size(), 50, 1000, "page_size");
    if (!size.ok()) return size.status();
    auto offset = Offset(req->page_token());
    if (!offset.ok()) return offset.status();
    auto page = query_.Sweeps(*offset, *size);
    if (!page.ok()) return page.status();
    for (const auto& s : page->sweeps) *resp->add_sweeps() = ToProto(s, true);
    if (page->next_offset >= 0) resp->set_next_page_token(std::to_string(page->next_offset));
    return absl::OkStatus();
  });
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
    auto retried = scheduler_.Retry(req->sweep(), failed, req->cancelled());
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
                                                       const v1::ListTrialsRequest* req,
                                                       v1::ListTrialsResponse* resp) {
  return gate_.Unary(ctx, [this, req, resp]() -> absl::Status {
    if (!v1::TrialStatus_IsValid(req->status())) {
      return absl::InvalidArgumentError(absl::StrCat("status: unknown value ", req->status()));
    }
    auto size = PageSize(req->page_size(), 100, 1000, "page_size");
    if (!size.ok()) return size.status();
    store::TrialQuery q;
    if (req->status() != v1::TRIAL_STATUS_UNSPECIFIED) q.status = convert::FromProto(req->status());
    q.sort_by = req->sort_by().empty() ? "index" : req->sort_by();
    q.descending = req->descending();
    q.cursor = req->page_token();
    q.limit = *size;
    auto page = query_.Trials(req->sweep(), q);
    if (!page.ok()) return page.status();
    for (const auto& t : page->trials) *resp->add_trials() = ToProto(t);
    resp->set_total(page->total);
    resp->set_next_page_token(page->next_cursor);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* SweepServiceImpl::GetTrial(grpc::CallbackServerContext* ctx,
                                                     const v1::GetTrialRequest* req, v1::Trial* resp) {
  return gate_.Unary(ctx, [this, req, resp] {
    auto trial = query_.Trial(req->sweep(), req->index());
    if (trial.ok()) *resp = ToProto(*trial);
    return trial.status();
  });
}

grpc::ServerUnaryReactor* SweepServiceImpl::GetBestTrials(grpc::CallbackServerContext* ctx,
                                                          const v1::GetBestTrialsRequest* req,
                                                          v1::GetBestTrialsResponse* resp) {
  return gate_.Unary(ctx, [this, req, resp]() -> absl::Status {
    auto k = PageSize(req->k(), 5, 1000, "k");
    if (!k.ok()) return k.status();
    auto best = query_.Best(req->sweep(), *k);
    if (!best.ok()) return best.status();
    for (const auto& t : *best) *resp->add_trials() = ToProto(t);
    return absl::OkStatus();
  });
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
                                                        const v1::ListWorkersRequest*, v1::ListWorkersResponse* resp) {
  return gate_.Unary(ctx, [this, resp]() -> absl::Status {
    for (const auto& w : query_.Workers()) {
      v1::Worker* p = resp->add_workers();
      p->set_name(w.name);
      p->set_embedded(w.embedded);
      for (const auto& slot : w.slots) p->add_slots(slot);
      p->set_last_seen_ms(w.last_seen_ms);
      for (const auto& k : w.running) {
        v1::WorkerTrial* t = p->add_running();
        t->set_sweep_id(k.sweep_id);
        t->set_index(k.index);
        t->set_attempt(k.attempt);
      }
    }
    return absl::OkStatus();
  });
}

grpc::ServerWriteReactor<v1::SweepEvent>* SweepServiceImpl::WatchSweep(grpc::CallbackServerContext* ctx,
                                                                       const v1::WatchSweepRequest* req) {
  if (auto st = gate_.Admit(ctx); !st.ok()) return new RejectedStream(ToGrpc(st));
  if (open_streams_.fetch_add(1) >= max_watch_streams_) {
    open_streams_.fetch_sub(1);
    return new RejectedStream(ToGrpc(absl::ResourceExhaustedError(absl::StrCat(
        max_watch_streams_, " WatchSweep streams are open, the server's limit (--max-watch-streams)"))));
  }
  return new WatchStream(scheduler_, gate_.executor(), req->sweep(), watch_queue_, &open_streams_);
}

}  // namespace hpsearch::service
