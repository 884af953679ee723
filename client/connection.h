// The CLI's connection to hpsearch-server: channel, per-call deadline and
// credentials, and the mapping from a failed call to an exit code and one line on
// stderr.
#pragma once

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "client/global_options.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "hpsearch/v1/sweep_service.grpc.pb.h"

namespace hpsearch::client {

// Exit codes (docs/cli.md).
inline constexpr int kExitOk = 0;
inline constexpr int kExitServerError = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitUnreachable = 3;
inline constexpr int kExitNotServing = 4;
inline constexpr int kExitSweepFailed = 5;

// What is wrong with a --server value ("" when it is usable): it must be host:port
// (a name, an IPv4 address or a bracketed IPv6 one) — or a gRPC target with its own
// scheme (unix:, dns:, ipv4:, ipv6:) — never a URL.
std::string ServerAddressProblem(const std::string& server);

class Connection {
 public:
  explicit Connection(const GlobalOptions& options);

  hpsearch::v1::SweepService::Stub& sweeps() { return *sweeps_; }
  grpc::health::v1::Health::Stub& health() { return *health_; }
  // A context with the deadline and credentials of one unary call.
  std::unique_ptr<grpc::ClientContext> Call() const;
  // A context for a stream: no deadline, but it must connect within the timeout.
  std::unique_ptr<grpc::ClientContext> Stream() const;
  const GlobalOptions& options() const { return options_; }

 private:
  GlobalOptions options_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<hpsearch::v1::SweepService::Stub> sweeps_;
  std::unique_ptr<grpc::health::v1::Health::Stub> health_;
};

// Prints "error: <message>" (naming the server when it cannot be reached) and
// returns the exit code for the failure.
int ReportError(const grpc::Status& status, const GlobalOptions& options, std::ostream& err);

// 128 random bits as hex: a request id for an rpc that must not take effect twice.
std::string NewRequestId();

// True for failures that a retry of the same call may get past (the server is
// restarting, overloaded, or the connection dropped).
bool Transient(const grpc::Status& status);

// Calls `rpc` (with a fresh unary context each time) until it succeeds, fails for
// good, or about the --timeout has passed in retries of transient failures; says
// once on `err` that it is retrying.
grpc::Status WithRetries(Connection& c, std::ostream& err,
                         const std::function<grpc::Status(grpc::ClientContext*)>& rpc);

}  // namespace hpsearch::client
