// hpsearch-server's HTTP side, independent of any HTTP library (http_server.cc is the
// cpp-httplib glue): the dashboard's pages (one page shell and its embedded assets,
// drawn in the browser from the API), the read-only JSON API under /api/v1/ — the
// gRPC read queries, called through the same functions (service/queries.h) with
// requests built from the path and query string and answered in the protobuf JSON
// mapping — and /metrics in the Prometheus text format; /api/v1/sweeps/{sweep}/events streams a
// sweep's events (server-sent events, http/event_stream.h). With a token, the API and
// /metrics take it as a bearer header or as the cookie /login sets (HttpOnly), and
// pages send a browser without it to /login. docs/operations.md, "HTTP", lists the routes.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "http/event_stream.h"
#include "metrics/server_metrics.h"
#include "scheduler/query.h"

namespace hpsearch::http {

struct HttpRequest {
  std::string method = "GET";
  std::string path;                           // decoded, without the query string
  std::multimap<std::string, std::string> params;  // the query string, decoded (a key may repeat)
  std::string authorization;                  // the Authorization header
  std::string cookie;                         // the Cookie header
  bool tls = false;                           // served over HTTPS
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // Set for /events: the body is this stream's output, sent as it comes
  // (text/event-stream), instead of `body`.
  std::shared_ptr<EventStream> stream;
};

class HttpApi {
 public:
  // `token`: required as `Authorization: Bearer <token>` when not empty. `gauges`:
  // read at each /metrics scrape.
  HttpApi(scheduler::Query& query, std::string token, const metrics::ServerMetrics& metrics,
          std::function<metrics::Gauges()> gauges)
      : query_(query), token_(std::move(token)), metrics_(metrics), gauges_(std::move(gauges)) {}

  HttpResponse Handle(const HttpRequest& request) const;

 private:
  HttpResponse Api(const HttpRequest& request, const std::vector<std::string>& parts) const;
  HttpResponse Login(const HttpRequest& request) const;
  // /api/v1/sweeps/{sweep}/history: the optimization history, thinned (Query::SweepHistory).
  HttpResponse HistoryOf(const HttpRequest& request, const std::string& sweep) const;
  bool Authorized(const HttpRequest& request) const;

  scheduler::Query& query_;
  const std::string token_;
  const metrics::ServerMetrics& metrics_;
  const std::function<metrics::Gauges()> gauges_;
};

// The HTTP status of a call's status (400 invalid argument or failed precondition,
// 401, 404, 409, 429, 503, ...), as grpc-gateway maps them.
int HttpStatus(const absl::Status& status);

}  // namespace hpsearch::http
