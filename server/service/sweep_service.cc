#include "service/sweep_service.h"

#include <charconv>

#include "absl/strings/str_cat.h"
#include "service/status_convert.h"
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

}  // namespace

grpc::ServerUnaryReactor* SweepServiceImpl::SubmitSweep(grpc::CallbackServerContext* ctx,
                                                        const v1::SubmitSweepRequest* req, v1::Sweep* resp) {
  if (auto st = auth_.Check(ctx); !st.ok()) return Reply(ctx, st);
  return Offload(ctx, executor_, [this, req, resp] {
    auto sweep = scheduler_.Submit(req->spec(), req->request_id());
    if (sweep.ok()) *resp = *std::move(sweep);
    return sweep.status();
  });
}

grpc::ServerUnaryReactor* SweepServiceImpl::GetSweep(grpc::CallbackServerContext* ctx,
                                                     const v1::GetSweepRequest* req, v1::Sweep* resp) {
  if (auto st = auth_.Check(ctx); !st.ok()) return Reply(ctx, st);
  return Offload(ctx, executor_, [this, req, resp] {
    auto sweep = scheduler_.GetSweep(req->sweep());
    if (sweep.ok()) *resp = *std::move(sweep);
    return sweep.status();
  });
}

grpc::ServerUnaryReactor* SweepServiceImpl::ListSweeps(grpc::CallbackServerContext* ctx,
                                                       const v1::ListSweepsRequest* req,
                                                       v1::ListSweepsResponse* resp) {
  if (auto st = auth_.Check(ctx); !st.ok()) return Reply(ctx, st);
  auto size = PageSize(req->page_size(), 50, 1000, "page_size");
  if (!size.ok()) return Reply(ctx, size.status());
  auto offset = Offset(req->page_token());
  if (!offset.ok()) return Reply(ctx, offset.status());
  return Offload(ctx, executor_, [this, resp, size = *size, offset = *offset] {
    auto page = scheduler_.ListSweeps(offset, size);
    if (!page.ok()) return page.status();
    for (auto& s : page->sweeps) *resp->add_sweeps() = std::move(s);
    if (page->next_offset >= 0) resp->set_next_page_token(std::to_string(page->next_offset));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* SweepServiceImpl::CancelSweep(grpc::CallbackServerContext* ctx,
                                                        const v1::CancelSweepRequest* req, v1::Sweep* resp) {
  if (auto st = auth_.Check(ctx); !st.ok()) return Reply(ctx, st);
  return Offload(ctx, executor_, [this, req, resp] {
    auto sweep = scheduler_.Cancel(req->sweep(), req->graceful());
    if (sweep.ok()) *resp = *std::move(sweep);
    return sweep.status();
  });
}

grpc::ServerUnaryReactor* SweepServiceImpl::ListTrials(grpc::CallbackServerContext* ctx,
                                                       const v1::ListTrialsRequest* req,
                                                       v1::ListTrialsResponse* resp) {
  if (auto st = auth_.Check(ctx); !st.ok()) return Reply(ctx, st);
  if (!v1::TrialStatus_IsValid(req->status())) {
    return Reply(ctx, absl::InvalidArgumentError(absl::StrCat("status: unknown value ", req->status())));
  }
  auto size = PageSize(req->page_size(), 100, 1000, "page_size");
  if (!size.ok()) return Reply(ctx, size.status());
  return Offload(ctx, executor_, [this, req, resp, size = *size] {
    auto rec = scheduler_.Resolve(req->sweep());
    if (!rec.ok()) return rec.status();
    store::TrialQuery q;
    q.status = req->status();
    q.sort_by = req->sort_by().empty() ? "index" : req->sort_by();
    q.descending = req->descending();
    q.cursor = req->page_token();
    q.limit = size;
    absl::StatusOr<store::TrialPage> page;
    auto st = store_.Read([&](store::ReadTxn& r) {
      page = r.ListTrials(rec->rowid, q);
      return absl::OkStatus();
    });
    if (!st.ok()) return st;
    if (!page.ok()) return page.status();
    for (auto& t : page->trials) *resp->add_trials() = std::move(t);
    resp->set_total(page->total);
    resp->set_next_page_token(page->next_cursor);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* SweepServiceImpl::GetTrial(grpc::CallbackServerContext* ctx,
                                                     const v1::GetTrialRequest* req, v1::Trial* resp) {
  if (auto st = auth_.Check(ctx); !st.ok()) return Reply(ctx, st);
  return Offload(ctx, executor_, [this, req, resp] {
    auto rec = scheduler_.Resolve(req->sweep());
    if (!rec.ok()) return rec.status();
    std::optional<v1::Trial> trial;
    auto st = store_.Read([&](store::ReadTxn& r) {
      trial = r.GetTrial(rec->rowid, req->index());
      return absl::OkStatus();
    });
    if (!st.ok()) return st;
    if (!trial) {
      const bool unstarted = req->index() >= 0 && req->index() < rec->sweep.total_trials();
      return absl::NotFoundError(absl::StrCat(
          "sweep ", rec->sweep.id(), " has no trial ", req->index(), unstarted ? " yet (it has not started)" : "",
          unstarted ? "" : absl::StrCat(" (it has ", rec->sweep.total_trials(), " trials)")));
    }
    *resp = *std::move(trial);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* SweepServiceImpl::GetBestTrials(grpc::CallbackServerContext* ctx,
                                                          const v1::GetBestTrialsRequest* req,
                                                          v1::GetBestTrialsResponse* resp) {
  if (auto st = auth_.Check(ctx); !st.ok()) return Reply(ctx, st);
  auto k = PageSize(req->k(), 5, 1000, "k");
  if (!k.ok()) return Reply(ctx, k.status());
  return Offload(ctx, executor_, [this, req, resp, k = *k] {
    auto rec = scheduler_.Resolve(req->sweep());
    if (!rec.ok()) return rec.status();
    return store_.Read([&](store::ReadTxn& r) {
      for (auto& t : r.BestTrials(rec->rowid, k)) *resp->add_trials() = std::move(t);
      return absl::OkStatus();
    });
  });
}

grpc::ServerWriteReactor<v1::SweepEvent>* SweepServiceImpl::WatchSweep(grpc::CallbackServerContext* ctx,
                                                                       const v1::WatchSweepRequest* req) {
  if (auto st = auth_.Check(ctx); !st.ok()) return new RejectedStream(ToGrpc(st));
  if (open_streams_.fetch_add(1) >= max_watch_streams_) {
    open_streams_.fetch_sub(1);
    return new RejectedStream(ToGrpc(absl::ResourceExhaustedError(absl::StrCat(
        max_watch_streams_, " WatchSweep streams are open, the server's limit (--max-watch-streams)"))));
  }
  return new WatchStream(scheduler_, executor_, req->sweep(), watch_queue_, &open_streams_);
}

}  // namespace hpsearch::service
