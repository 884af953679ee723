#include "client/connection.h"

#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>

#include "util/address.h"

namespace hpsearch::client {

Connection::Connection(const GlobalOptions& options) : options_(options) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  args.SetInt(GRPC_ARG_ENABLE_RETRIES, 1);
  std::shared_ptr<grpc::ChannelCredentials> creds = grpc::InsecureChannelCredentials();
  if (!options_.tls_ca.empty()) {
    std::ifstream f(options_.tls_ca);
    std::stringstream pem;
    pem << f.rdbuf();
    if (!f || pem.str().empty()) std::cerr << "warning: --tls-ca: cannot read " << options_.tls_ca << "\n";
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = pem.str();
    creds = grpc::SslCredentials(ssl);
  } else if (!options_.token.empty() && !IsLoopback(options_.server)) {
    std::cerr << "warning: sending the token in plaintext to " << options_.server << "; use --tls-ca\n";
  }
  channel_ = grpc::CreateCustomChannel(options_.server, creds, args);
  sweeps_ = hpsearch::v1::SweepService::NewStub(channel_);
  health_ = grpc::health::v1::Health::NewStub(channel_);
}

std::unique_ptr<grpc::ClientContext> Connection::Call() const {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::milliseconds(static_cast<int64_t>(options_.timeout_seconds * 1000)));
  if (!options_.token.empty()) ctx->AddMetadata("authorization", "Bearer " + options_.token);
  return ctx;
}

std::unique_ptr<grpc::ClientContext> Connection::Stream() const {
  auto ctx = std::make_unique<grpc::ClientContext>();
  if (!options_.token.empty()) ctx->AddMetadata("authorization", "Bearer " + options_.token);
  return ctx;
}

int ReportError(const grpc::Status& status, const GlobalOptions& options, std::ostream& err) {
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      err << "error: cannot reach hpsearch-server at " << options.server << ": " << status.error_message()
          << "\n";
      return kExitUnreachable;
    case grpc::StatusCode::INVALID_ARGUMENT:
      err << "error: " << status.error_message() << "\n";
      return kExitUsage;
    case grpc::StatusCode::UNAUTHENTICATED:
      err << "error: not authenticated (set --token or HPSEARCH_TOKEN): " << status.error_message() << "\n";
      return kExitServerError;
    default:
      err << "error: " << status.error_message() << "\n";
      return kExitServerError;
  }
}

}  // namespace hpsearch::client
