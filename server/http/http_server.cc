#include "server/http/http_server.h"

#include <sys/resource.h>

#include "absl/strings/str_cat.h"
#include "common/util/log.h"
#include "server/http/response_writer.h"

namespace hpsearch::http {

namespace {

// At most half the descriptors this process may open (gRPC, SQLite and the rest
// keep the other half).
int ConnectionCap(int wanted) {
  rlimit r{};
  if (getrlimit(RLIMIT_NOFILE, &r) != 0 || r.rlim_cur == RLIM_INFINITY) return wanted;
  return static_cast<int>(std::max<rlim_t>(16, std::min<rlim_t>(wanted, r.rlim_cur / 2)));
}

HttpResponse InternalError(const std::string& what) {
  HttpResponse r;
  r.status = 500;
  r.body =
      absl::StrCat("{\"error\": {\"code\": \"INTERNAL\", \"message\": \"the handler failed; see the server log\"}}\n");
  log::Error("HTTP handler: ", what);
  return r;
}

}  // namespace

HttpServer::HttpServer(const HttpApi& api, HttpLimits limits) : api_(api), limits_(limits) {}

HttpServer::~HttpServer() { Stop(); }

absl::Status HttpServer::Start(const std::string& address, const std::string& tls_cert, const std::string& tls_key) {
  if (tls_cert.empty() != tls_key.empty()) return absl::InvalidArgumentError("--tls-cert and --tls-key go together");
  if (!tls_cert.empty()) {
    auto tls = TlsContext::Load(tls_cert, tls_key);
    if (!tls.ok()) return tls.status();
    tls_ = std::move(*tls);
  }
  clients_ = std::make_unique<ClientLimits>(ConnectionCap(limits_.max_connections), limits_.max_client_connections);
  streams_ = std::make_unique<StreamPump>(limits_.write_grace);
  listener_ = std::make_unique<Listener>(
      limits_, *clients_, tls_.get(),
      [this](PendingRequest r) {
        {
          std::lock_guard lock(mu_);
          queue_.push_back(std::move(r));
        }
        cv_.notify_one();
      },
      [this](std::unique_ptr<Transport> t, ClientSlot slot, Reply reply) {
        streams_->Start(std::move(t), std::move(slot), std::move(reply));
      });
  if (auto st = listener_->Start(address); !st.ok()) {
    listener_.reset();
    return st;
  }
  for (int i = 0; i < limits_.workers; ++i) workers_.emplace_back([this] { Work(); });
  return absl::OkStatus();
}

void HttpServer::Stop() {
  if (listener_) listener_->Stop();  // no more requests; every connection on the loop closes
  {
    std::lock_guard lock(mu_);
    stop_workers_ = true;
    queue_.clear();
  }
  cv_.notify_all();
  for (auto& w : workers_) w.join();
  workers_.clear();
  if (streams_) streams_->Stop();
}

void HttpServer::Work() {
  for (;;) {
    PendingRequest r;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stop_workers_ || !queue_.empty(); });
      if (stop_workers_) return;
      r = std::move(queue_.front());
      queue_.pop_front();
    }
    Handle(std::move(r));
  }
}

void HttpServer::Handle(PendingRequest p) {
  HttpResponse out;
  try {
    out = api_.Handle(p.request);
  } catch (const std::exception& e) {
    out = InternalError(e.what());
  }
  Reply reply;
  reply.connection = p.connection;
  reply.close = p.close;
  if (out.stream && !p.head_only) {
    if (open_streams_.fetch_add(1) < limits_.max_streams) {
      reply.bytes = StreamHead(out, p.chunked);
      reply.stream = std::move(out.stream);
      reply.stream_slot = std::shared_ptr<void>(nullptr, [this](void*) { open_streams_.fetch_sub(1); });
      reply.chunked = p.chunked;
      listener_->Post(std::move(reply));
      return;
    }
    open_streams_.fetch_sub(1);
    out = HttpResponse{};
    out.status = 503;
    out.headers.emplace_back("Retry-After", "10");
    out.body = absl::StrCat("{\"error\": {\"code\": \"UNAVAILABLE\", \"message\": \"", limits_.max_streams,
                            " event streams are open; the page polls instead\"}}\n");
  }
  out.stream.reset();
  const bool http10_keep_alive = !p.chunked && !p.close;
  reply.bytes = SerializeResponse(out, ResponseShape{p.head_only, p.accepts_gzip, p.close, http10_keep_alive});
  listener_->Post(std::move(reply));
}

}  // namespace hpsearch::http
