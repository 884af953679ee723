#include "client/connection.h"

#include <chrono>

namespace hpsearch::client {

Connection::Connection(const GlobalOptions& options) : options_(options) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  args.SetInt(GRPC_ARG_ENABLE_RETRIES, 1);
  channel_ = grpc::CreateCustomChannel(options_.server, grpc::InsecureChannelCredentials(), args);
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
