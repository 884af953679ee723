#include "client/connection.h"

#include <chrono>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <thread>

#include "absl/strings/str_format.h"

#include "common/util/address.h"
#include "common/util/printable.h"

namespace hpsearch::client {

std::string ServerAddressProblem(const std::string& server) {
  for (const char* scheme : {"unix:", "unix-abstract:", "dns:", "ipv4:", "ipv6:"}) {
    if (server.rfind(scheme, 0) == 0) return "";
  }
  if (server.empty()) return "is empty; give host:port, e.g. 127.0.0.1:50051";
  const auto url = server.find("://");
  if (url != std::string::npos) {
    return "'" + server + "' is a URL; give host:port without '" + server.substr(0, url + 3) + "' (e.g. " +
           server.substr(url + 3) + ")";
  }
  const HostPort split = SplitHostPort(server);
  const bool bracketed = !server.empty() && server[0] == '[';
  // A ':' only inside the brackets ("[::1]") is no port.
  if (!split.has_port || (bracketed && split.host.find(']') == std::string::npos)) {
    return "'" + server + "' has no port; give host:port, e.g. " + server + ":50051";
  }
  const std::string& port = split.port;
  if (port.empty() || port.find_first_not_of("0123456789") != std::string::npos || port.size() > 5 ||
      std::stoi(port) == 0 || std::stoi(port) > 65535) {
    return "'" + server + "': the port must be a number from 1 to 65535";
  }
  if (!bracketed && split.host.find(':') != std::string::npos) {
    return "'" + server + "': write an IPv6 address in brackets, e.g. [::1]:50051";
  }
  return "";
}

Connection::Connection(const GlobalOptions& options) : options_(options) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  args.SetInt(GRPC_ARG_ENABLE_RETRIES, 1);
  // Pings on quiet connections (a watch between events), so a server that vanished
  // without closing the connection is noticed.
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 20'000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10'000);
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  args.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
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

std::string NewRequestId() {
  std::random_device rd;
  std::string id;
  for (int i = 0; i < 4; ++i) id += absl::StrFormat("%08x", rd());
  return id;
}

bool Transient(const grpc::Status& status) {
  return status.error_code() == grpc::StatusCode::UNAVAILABLE ||
         status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED;
}

grpc::Status WithRetries(Connection& c, std::ostream& err,
                         const std::function<grpc::Status(grpc::ClientContext*)>& rpc) {
  const auto until = std::chrono::steady_clock::now() +
                     std::chrono::milliseconds(static_cast<int64_t>(std::max(c.options().timeout_seconds, 1.0) * 1000));
  std::chrono::milliseconds backoff(200);
  bool said = false;
  for (;;) {
    auto ctx = c.Call();
    grpc::Status st = rpc(ctx.get());
    if (!Transient(st) || std::chrono::steady_clock::now() + backoff > until) return st;
    if (!said) {
      err << "server " << c.options().server << " unavailable (" << Printable(st.error_message()) << "); retrying\n";
      said = true;
    }
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
  }
}

int ReportError(const grpc::Status& status, const GlobalOptions& options, std::ostream& err) {
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      if (status.error_message().find("DNS resolution failed") != std::string::npos) {
        // gRPC's resolver (c-ares) says so at length; the user needs the host name.
        const std::string host = Unbracketed(SplitHostPort(options.server).host);
        err << "error: cannot resolve host '" << host << "' (--server " << options.server
            << "): check the name, or give an IP address\n";
      } else if (status.error_message().rfind("database", 0) == 0) {
        // The server answered: its store cannot be written just now (disk full, I/O).
        err << "error: hpsearch-server at " << options.server << " cannot write its database now ("
            << Printable(status.error_message()) << "); retry later\n";
      } else if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
        err << "error: hpsearch-server at " << options.server << " did not answer within --timeout ("
            << options.timeout_seconds << " s)\n";
      } else if (status.error_message() == "Cancelling all calls" ||
                 status.error_message().find("Socket closed") != std::string::npos ||
                 status.error_message().find("Connection reset") != std::string::npos) {
        // gRPC's words for a server that went away mid-call: say it in the user's.
        err << "error: hpsearch-server at " << options.server
            << " closed the connection (it is shutting down or restarting); try again\n";
      } else {
        err << "error: cannot reach hpsearch-server at " << options.server << ": " << Printable(status.error_message())
            << "\n";
      }
      return kExitUnreachable;
    case grpc::StatusCode::INVALID_ARGUMENT:
      err << "error: " << Printable(status.error_message()) << "\n";
      return kExitUsage;
    case grpc::StatusCode::UNAUTHENTICATED:
      err << "error: not authenticated (set --token or HPSEARCH_TOKEN): " << Printable(status.error_message()) << "\n";
      return kExitServerError;
    default:
      err << "error: " << Printable(status.error_message()) << "\n";
      return kExitServerError;
  }
}

}  // namespace hpsearch::client
