// hpsearch-server's HTTP side, independent of any HTTP library (http_server.h is the
// listener): the dashboard's pages (one page shell and its embedded assets, drawn in
// the browser from the API), the read-only JSON API under /api/v1/ — the gRPC read
// queries, called through the same functions (service/queries.h) with requests
// built from the path and query string and answered in the protobuf JSON mapping —
// and /metrics in the Prometheus text format; /api/v1/sweeps/{sweep}/events streams
// a sweep's events (server-sent events, http/event_stream.h). Every request's Host
// must pass HostRule (421 otherwise: DNS rebinding). With a token, the API and
// /metrics take it as a bearer header or a browser session: /login trades the token
// for a session id in a cookie (SessionStore; /logout ends it), wrong tokens are
// throttled per client (LoginThrottle), and pages send a browser without a session
// to /login. docs/operations.md, "HTTP", lists the routes. Handle is thread-safe.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "server/http/event_stream.h"
#include "server/http/host_rule.h"
#include "server/http/login_throttle.h"
#include "server/http/session_store.h"
#include "server/metrics/server_metrics.h"
#include "server/scheduler/query.h"

namespace hpsearch::http {

struct HttpRequest {
  std::string method = "GET";
  std::string path;                                // decoded, without the query string
  std::multimap<std::string, std::string> params;  // the query string, decoded (a key may repeat)
  std::string authorization;                       // the Authorization header
  std::string cookie;                              // the Cookie header
  bool tls = false;                                // served over HTTPS
  std::string host;                                // the Host header ("" if none was sent)
  std::string client;                              // the client's address (ClientKey): throttling
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

struct HttpApiOptions {
  std::vector<std::string> hosts;  // --http-host: names served besides IP literals and localhost
  SessionStore::Options sessions;
  LoginThrottle::Options throttle;
};

class HttpApi {
 public:
  // `token`: required as `Authorization: Bearer <token>` (or a session from /login)
  // when not empty. `gauges`: read at each /metrics scrape.
  HttpApi(scheduler::Query& query, std::string token, const metrics::ServerMetrics& metrics,
          std::function<metrics::Gauges()> gauges, HttpApiOptions options = {});

  HttpResponse Handle(const HttpRequest& request) const;

 private:
  HttpResponse Api(const HttpRequest& request, const std::vector<std::string>& parts) const;
  // /api/v1/sweeps/{sweep}/history: the optimization history, thinned (Query::SweepHistory).
  HttpResponse HistoryOf(const HttpRequest& request, const std::string& sweep) const;
  // /api/v1/sweeps/{sweep}/pareto: a multi-objective sweep's ranked trials (values,
  // rank, searched parameters) and the hypervolume as they finished; at most
  // kMaxParetoPoints of each. FAILED_PRECONDITION for a sweep of one objective.
  HttpResponse ParetoOf(const HttpRequest& request, const std::string& sweep) const;
  // http_login.cc: the sign-in side.
  HttpResponse Login(const HttpRequest& request) const;
  HttpResponse Logout(const HttpRequest& request) const;
  // OK; UNAUTHENTICATED (no credentials, or a wrong token: counted against the
  // client); RESOURCE_EXHAUSTED while the client is locked out.
  absl::Status Authorize(const HttpRequest& request) const;

  scheduler::Query& query_;
  const std::string token_;
  const metrics::ServerMetrics& metrics_;
  const std::function<metrics::Gauges()> gauges_;
  const HostRule host_rule_;
  const std::unique_ptr<SessionStore> sessions_;   // internally synchronised
  const std::unique_ptr<LoginThrottle> throttle_;  // internally synchronised
};

// The most points /pareto answers with, of the ranked trials (the best ranks first)
// and of the hypervolume history (an even spread, the last point kept): a huge sweep
// cannot blow up the response.
inline constexpr std::size_t kMaxParetoPoints = 100'000;

// The JSON error answer for `status` ({"error": {"code", "message"}}), with the HTTP
// status HttpStatus gives it.
HttpResponse ErrorResponseFor(const absl::Status& status);

// Pages load their code and style from this server only: no CDN, no inline script.
inline constexpr const char* kPagePolicy =
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; frame-ancestors 'none'";

// A 303 See Other to `to`.
HttpResponse RedirectTo(const std::string& to);

// The HTTP status of a call's status (400 invalid argument or failed precondition,
// 401, 404, 409, 429, 503, ...), as grpc-gateway maps them.
int HttpStatus(const absl::Status& status);

}  // namespace hpsearch::http
