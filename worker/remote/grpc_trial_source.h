// A remote hpsearch-worker's TrialSource: WorkerService over gRPC, with a deadline
// on every call, the bearer token, optional TLS, and retries with capped exponential
// backoff while the server is unreachable (restarting, or the network is down).
//
// Retries keep their identity: a retried AcquireTrial sends the same request id, so
// the server returns the same lease rather than a second trial.
#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>

#include "common/protocol/trial_source.h"
#include "hpsearch/v1/worker_service.grpc.pb.h"

namespace hpsearch::remote {

struct RemoteOptions {
  std::string server = "127.0.0.1:50051";
  std::string token;   // sent as authorization: Bearer <token>
  std::string tls_ca;  // PEM file: use TLS and trust this CA; empty: plaintext
  double call_timeout_seconds = 10;
  // How long completion and failure reports keep retrying before giving up.
  double report_retry_seconds = 300;
};

// Channel credentials and arguments (keepalive matching the server's policy).
absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeChannel(const RemoteOptions& options);

class GrpcTrialSource final : public TrialSource {
 public:
  GrpcTrialSource(std::shared_ptr<grpc::Channel> channel, RemoteOptions options);

  absl::StatusOr<std::optional<Lease>> Acquire(const std::string& worker_id, const std::string& request_id,
                                               const WorkerCapacity& capacity) override;
  absl::StatusOr<ReportReply> Report(const EpochReport& report) override;
  absl::Status Complete(const TrialResult& result) override;
  absl::Status Fail(const TrialFailure& failure) override;
  void WaitForWork(std::chrono::milliseconds timeout) override;
  void Wake() override;
  void Leave(const std::string& worker_id) override;

 private:
  // Calls `rpc` until it succeeds, fails for good, `budget` runs out, or Wake().
  template <typename Rpc>
  grpc::Status WithRetries(const char* what, std::chrono::milliseconds budget, Rpc rpc);
  std::unique_ptr<grpc::ClientContext> Context() const;
  void Sleep(std::chrono::milliseconds d);

  RemoteOptions options_;
  std::unique_ptr<hpsearch::v1::WorkerService::Stub> stub_;
  std::atomic<int64_t> retry_after_ms_{1000};
  std::atomic<uint64_t> request_seq_{0};
  std::atomic<bool> unreachable_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  bool woken_ = false;
};

}  // namespace hpsearch::remote
