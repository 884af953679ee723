#include "worker/remote/grpc_trial_source.h"

#include <fstream>
#include <random>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/util/log.h"
#include "proto/convert/protocol_convert.h"

namespace hpsearch::remote {

namespace v1 = hpsearch::v1;

namespace {

absl::Status FromGrpc(const grpc::Status& st) {
  if (st.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(st.error_code()), st.error_message());
}

bool Transient(const grpc::Status& st) {
  return st.error_code() == grpc::StatusCode::UNAVAILABLE || st.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED;
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeChannel(const RemoteOptions& o) {
  std::shared_ptr<grpc::ChannelCredentials> creds;
  if (!o.tls_ca.empty()) {
    std::ifstream f(o.tls_ca);
    if (!f) return absl::InvalidArgumentError(absl::StrCat("--tls-ca: cannot read ", o.tls_ca));
    std::stringstream pem;
    pem << f.rdbuf();
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = pem.str();
    creds = grpc::SslCredentials(ssl);
  } else {
    creds = grpc::InsecureChannelCredentials();
  }
  grpc::ChannelArguments args;
  // Keepalive pings every 20 s (the server accepts one every 10 s or more), so a
  // dead connection is noticed between reports.
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 20'000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10'000);
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  args.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 5'000);
  args.SetMaxReceiveMessageSize(64 << 20);
  return grpc::CreateCustomChannel(o.server, creds, args);
}

GrpcTrialSource::GrpcTrialSource(std::shared_ptr<grpc::Channel> channel, RemoteOptions options)
    : options_(std::move(options)), stub_(v1::WorkerService::NewStub(channel)) {}

std::unique_ptr<grpc::ClientContext> GrpcTrialSource::Context() const {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::milliseconds(static_cast<int64_t>(options_.call_timeout_seconds * 1000)));
  if (!options_.token.empty()) ctx->AddMetadata("authorization", "Bearer " + options_.token);
  return ctx;
}

void GrpcTrialSource::Sleep(std::chrono::milliseconds d) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, d, [&] { return woken_; });
}

template <typename Rpc>
grpc::Status GrpcTrialSource::WithRetries(const char* what, std::chrono::milliseconds budget, Rpc rpc) {
  const auto until = std::chrono::steady_clock::now() + budget;
  std::chrono::milliseconds backoff(100);
  thread_local std::mt19937 jitter(std::random_device{}());
  for (;;) {
    grpc::Status st = rpc();
    if (!Transient(st)) {
      if (unreachable_.exchange(false)) log::Info("server ", options_.server, " reachable again");
      return st;
    }
    if (!unreachable_.exchange(true)) {
      log::Warn("server ", options_.server, " unreachable (", what, ": ", st.error_message(), "); retrying");
    }
    {
      std::lock_guard lock(mu_);
      if (woken_) return st;
    }
    if (std::chrono::steady_clock::now() + backoff > until) return st;
    Sleep(backoff + std::chrono::milliseconds(jitter() % (backoff.count() / 2 + 1)));
    backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
  }
}

absl::StatusOr<std::optional<Lease>> GrpcTrialSource::Acquire(const std::string& worker_id,
                                                              const std::string& request_id,
                                                              const WorkerCapacity& capacity) {
  v1::AcquireTrialRequest req;
  req.set_worker_id(worker_id);
  req.set_runs_commands(capacity.runs_commands);
  req.set_free_slots(capacity.free_slots);
  req.set_request_id(request_id.empty() ? absl::StrCat(worker_id, "#", ++request_seq_) : request_id);
  v1::AcquireTrialResponse resp;
  grpc::Status st = WithRetries("acquire", std::chrono::hours(24 * 365), [&] {
    resp.Clear();
    auto ctx = Context();
    return stub_->AcquireTrial(ctx.get(), req, &resp);
  });
  if (!st.ok()) return FromGrpc(st);
  if (!resp.has_lease()) {
    retry_after_ms_ = std::clamp<int64_t>(resp.retry_after_ms(), 50, 10'000);
    return std::optional<Lease>();
  }
  auto lease = convert::FromProto(resp.lease());
  if (!lease.ok()) return lease.status();
  return std::optional<Lease>(*std::move(lease));
}

void GrpcTrialSource::Leave(const std::string& worker_id) {
  // One try: a worker shutting down does not wait for a server that is away (its
  // slots then leave the list a lease later, as they always did).
  v1::AcquireTrialRequest req;
  req.set_worker_id(worker_id);
  req.set_leaving(true);
  v1::AcquireTrialResponse resp;
  auto ctx = Context();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
  (void)stub_->AcquireTrial(ctx.get(), req, &resp);
}

absl::StatusOr<ReportReply> GrpcTrialSource::Report(const EpochReport& report) {
  const v1::ReportProgressRequest request = convert::ToProto(report);
  v1::ReportProgressResponse resp;
  // Keep trying for about a lease: past that, the server has given the trial away.
  grpc::Status st = WithRetries("progress report", std::chrono::seconds(30), [&] {
    auto ctx = Context();
    return stub_->ReportProgress(ctx.get(), request, &resp);
  });
  if (!st.ok()) return FromGrpc(st);
  return convert::FromProto(resp);
}

absl::Status GrpcTrialSource::Complete(const TrialResult& result) {
  const v1::CompleteTrialRequest request = convert::ToProto(result);
  v1::CompleteTrialResponse resp;
  const auto budget = std::chrono::milliseconds(static_cast<int64_t>(options_.report_retry_seconds * 1000));
  return FromGrpc(WithRetries("completion", budget, [&] {
    auto ctx = Context();
    return stub_->CompleteTrial(ctx.get(), request, &resp);
  }));
}

absl::Status GrpcTrialSource::Fail(const TrialFailure& failure) {
  const v1::FailTrialRequest request = convert::ToProto(failure);
  v1::FailTrialResponse resp;
  const auto budget = std::chrono::milliseconds(static_cast<int64_t>(options_.report_retry_seconds * 1000));
  return FromGrpc(WithRetries("failure report", budget, [&] {
    auto ctx = Context();
    return stub_->FailTrial(ctx.get(), request, &resp);
  }));
}

void GrpcTrialSource::WaitForWork(std::chrono::milliseconds timeout) {
  Sleep(std::min(timeout, std::chrono::milliseconds(retry_after_ms_.load())));
}

void GrpcTrialSource::Wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

}  // namespace hpsearch::remote
