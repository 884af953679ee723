#include "http/http_server.h"

#include <httplib.h>
#include <zlib.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace hpsearch::http {

namespace {

// gzip at a fast level, or "" if zlib fails. cpp-httplib would compress JSON and
// scripts itself, with Brotli at its slowest quality (0.7 s for a 300 KB plot series),
// so those types are sent in a form it leaves alone and compressed here.
std::string Gzip(const std::string& in) {
  z_stream z{};
  if (deflateInit2(&z, 5, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return "";
  std::string out(deflateBound(&z, in.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return rc == Z_STREAM_END ? out : "";
}

}  // namespace

HttpServer::HttpServer(const HttpApi& api) : api_(api) {}

HttpServer::~HttpServer() { Stop(); }

absl::Status HttpServer::Start(const std::string& address, const std::string& tls_cert, const std::string& tls_key) {
  const size_t colon = address.rfind(':');
  int port = -1;
  if (colon == std::string::npos || colon + 1 == address.size()) {
    return absl::InvalidArgumentError(absl::StrCat("--http '", address, "': give host:port, e.g. 127.0.0.1:8080"));
  }
  try {
    port = std::stoi(address.substr(colon + 1));
  } catch (...) {
    port = -1;
  }
  if (port < 0 || port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("--http '", address, "': the port is not a number in 0..65535"));
  }
  std::string host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "0.0.0.0";
  if (tls_cert.empty() != tls_key.empty()) return absl::InvalidArgumentError("--tls-cert and --tls-key go together");
  if (!tls_cert.empty()) {
    auto ssl = std::make_unique<httplib::SSLServer>(tls_cert.c_str(), tls_key.c_str());
    if (!ssl->is_valid()) return absl::InvalidArgumentError("--http: cannot use the TLS certificate or key");
    server_ = std::move(ssl);
  } else {
    server_ = std::make_unique<httplib::Server>();
  }
  server_->set_read_timeout(10, 0);
  server_->set_write_timeout(10, 0);
  server_->set_keep_alive_timeout(5);
  // Event streams hold a thread each (at most kMaxStreams); the rest serve requests.
  server_->new_task_queue = [] { return new httplib::ThreadPool(kMaxStreams + 8); };
  const bool tls = !tls_cert.empty();
  auto handle = [this, tls](const httplib::Request& req, httplib::Response& res) {
    HttpRequest r;
    r.method = req.method;
    r.path = req.path;
    r.params.insert(req.params.begin(), req.params.end());
    r.authorization = req.get_header_value("Authorization");
    r.cookie = req.get_header_value("Cookie");
    r.tls = tls;
    const HttpResponse out = api_.Handle(r);
    res.status = out.status;
    bool cache = false;
    for (const auto& [k, v] : out.headers) {
      res.set_header(k, v);
      cache = cache || k == "Cache-Control";
    }
    if (!cache) res.set_header("Cache-Control", "no-store");
    res.set_header("X-Content-Type-Options", "nosniff");
    if (out.stream) {
      // Each open stream holds one of the pool's threads until it ends or its
      // client goes away (noticed at the next keep-alive write).
      if (open_streams_.fetch_add(1) >= kMaxStreams) {
        open_streams_.fetch_sub(1);
        res.status = 503;
        res.set_header("Retry-After", "10");
        res.set_content(absl::StrCat("{\"error\": {\"code\": \"UNAVAILABLE\", \"message\": \"", kMaxStreams,
                                     " event streams are open; the page polls instead\"}}\n"),
                        "application/json; charset=utf-8");
        return;
      }
      res.set_chunked_content_provider(
          out.content_type,
          [this, stream = out.stream](size_t, httplib::DataSink& sink) {
            if (stopping_) return false;
            auto bytes = stream->Next(std::chrono::milliseconds(250), std::chrono::seconds(10));
            if (!bytes) {
              sink.done();
              return true;
            }
            return bytes->empty() || sink.write(bytes->data(), bytes->size());
          },
          [this](bool) { open_streams_.fetch_sub(1); });
      return;
    }
    // "application/json; charset=utf-8" is not a type cpp-httplib compresses.
    if (absl::StartsWith(out.content_type, "application/") && out.body.size() > 1024 &&
        req.get_header_value("Accept-Encoding").find("gzip") != std::string::npos) {
      if (std::string gz = Gzip(out.body); !gz.empty()) {
        res.set_header("Content-Encoding", "gzip");
        res.set_header("Vary", "Accept-Encoding");
        res.set_content(std::move(gz), out.content_type);
        return;
      }
    }
    res.set_content(out.body, out.content_type);
  };
  server_->Get(".*", handle);
  server_->Post(".*", handle);
  server_->Put(".*", handle);
  server_->Delete(".*", handle);
  server_->Patch(".*", handle);
  port_ = port == 0 ? server_->bind_to_any_port(host) : (server_->bind_to_port(host, port) ? port : -1);
  if (port_ <= 0) {
    server_.reset();
    port_ = 0;
    return absl::UnavailableError(absl::StrCat("--http: cannot listen on ", address, " (address in use, or not an address?)"));
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  return absl::OkStatus();
}

void HttpServer::Stop() {
  stopping_ = true;
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace hpsearch::http
