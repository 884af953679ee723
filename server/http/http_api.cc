#include "server/http/http_api.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <numeric>
#include <tuple>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/util/value_json.h"
#include "nlohmann/json.hpp"
#include "proto/convert/spec_convert.h"
#include "search/pareto_ranking.h"
#include "search/spec_writer.h"
#include "server/http/assets.h"
#include "server/service/convert.h"
#include "server/service/metrics_interceptor.h"
#include "server/service/queries.h"
#include "server/service/status_convert.h"

namespace hpsearch::http {

namespace v1 = hpsearch::v1;
using nlohmann::json;

int HttpStatus(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return 200;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kOutOfRange:
      return 400;
    case absl::StatusCode::kUnauthenticated:
      return 401;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kAborted:
      return 409;
    case absl::StatusCode::kResourceExhausted:
      return 429;
    case absl::StatusCode::kUnimplemented:
      return 501;
    case absl::StatusCode::kUnavailable:
      return 503;
    case absl::StatusCode::kDeadlineExceeded:
      return 504;
    default:
      return 500;
  }
}

HttpResponse ErrorResponseFor(const absl::Status& status) {
  HttpResponse r;
  r.status = HttpStatus(status);
  const json body = {{"error",
                      {{"code", service::CodeName(service::ToGrpc(status).error_code())},
                       {"message", std::string(status.message())}}}};
  // A message may quote the request's bytes: never let them make the answer fail.
  r.body = body.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
  return r;
}

namespace {

HttpResponse Error(const absl::Status& status) { return ErrorResponseFor(status); }

// The query string as the request message: each parameter is the field of that
// name (proto3 JSON: enum names, numbers as strings, true/false), a repeated field
// given once per value; an unknown one is INVALID_ARGUMENT naming it.
template <typename Request>
absl::Status FromParams(const std::multimap<std::string, std::string>& params, Request* req) {
  json j = json::object();
  for (const auto& [k, v] : params) {
    const auto* field = Request::descriptor()->FindFieldByName(k);
    if (field && field->is_repeated()) {
      j[k].push_back(v);
    } else if (j.contains(k)) {
      return absl::InvalidArgumentError(absl::StrCat("query string: ", k, " is given twice"));
    } else if (field && field->type() == google::protobuf::FieldDescriptor::TYPE_BOOL &&
               (v == "true" || v == "false")) {
      j[k] = v == "true";
    } else {
      j[k] = v;
    }
  }
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto st = google::protobuf::util::JsonStringToMessage(j.dump(), req, options);
  if (!st.ok()) return absl::InvalidArgumentError(absl::StrCat("query string: ", std::string(st.message())));
  return absl::OkStatus();
}

template <typename Response>
HttpResponse Answer(const absl::Status& st, const Response& resp) {
  if (!st.ok()) return Error(st);
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  HttpResponse r;
  auto printed = google::protobuf::util::MessageToJsonString(resp, &r.body, options);
  if (!printed.ok()) return Error(absl::InternalError(std::string(printed.message())));
  r.body += "\n";
  return r;
}

}  // namespace

namespace {

// Percent-encodes all but unreserved characters and '/'.
std::string UrlEncode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else {
      out += absl::StrFormat("%%%02X", c);
    }
  }
  return out;
}

bool IsPage(const std::string& path) { return path == "/" || path == "/sweeps" || absl::StartsWith(path, "/sweeps/"); }

std::string ContentType(const std::string& name) {
  if (absl::EndsWith(name, ".js")) return "application/javascript; charset=utf-8";
  if (absl::EndsWith(name, ".css")) return "text/css; charset=utf-8";
  if (absl::EndsWith(name, ".html")) return "text/html; charset=utf-8";
  return "application/octet-stream";
}

}  // namespace

HttpResponse RedirectTo(const std::string& to) {
  HttpResponse r;
  r.status = 303;
  r.content_type = "text/plain; charset=utf-8";
  r.headers.emplace_back("Location", to);
  r.body = "see " + to + "\n";
  return r;
}

HttpApi::HttpApi(scheduler::Query& query, std::string token, const metrics::ServerMetrics& metrics,
                 std::function<metrics::Gauges()> gauges, HttpApiOptions options)
    : query_(query),
      token_(std::move(token)),
      metrics_(metrics),
      gauges_(std::move(gauges)),
      host_rule_(options.hosts, !token_.empty()),
      sessions_(std::make_unique<SessionStore>(options.sessions)),
      throttle_(std::make_unique<LoginThrottle>(options.throttle)) {}

HttpResponse HttpApi::Handle(const HttpRequest& request) const {
  if (auto host = host_rule_.Check(request.host); !host.ok()) {
    HttpResponse r = Error(host);
    r.status = 421;  // Misdirected Request: not a name this server answers to
    return r;
  }
  const std::string& path = request.path;
  if (path == "/login") return Login(request);
  if (path == "/logout") return Logout(request);
  const bool api = absl::StartsWith(path, "/api/");
  if (request.method != "GET" && request.method != "HEAD") {
    HttpResponse r =
        Error(absl::InvalidArgumentError(absl::StrCat(request.method, " ", path, ": the HTTP API is read-only (GET)")));
    r.status = 405;
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  }
  if (absl::StartsWith(path, "/assets/")) {
    // The page shell's code and style: no data in them, so no token needed.
    const std::string name = path.substr(8);
    auto bytes = Asset(name);
    if (!bytes) return Error(absl::NotFoundError(absl::StrCat("no asset ", name)));
    HttpResponse r;
    r.content_type = ContentType(name);
    r.body = std::string(*bytes);
    r.headers.emplace_back("Cache-Control", "no-cache");
    return r;
  }
  if (IsPage(path)) {
    if (!Authorize(request).ok()) return RedirectTo("/login?next=" + UrlEncode(path));
    HttpResponse r;
    r.content_type = "text/html; charset=utf-8";
    r.body = std::string(*Asset("dashboard.html"));
    // The page offers "sign out" only where there is a session to end.
    if (!token_.empty()) absl::StrReplaceAll({{" id=\"sign-out\" hidden", " id=\"sign-out\""}}, &r.body);
    r.headers.emplace_back("Content-Security-Policy", kPagePolicy);
    return r;
  }
  if (!api && path != "/metrics") return Error(absl::NotFoundError(absl::StrCat("no page at ", path)));
  if (auto auth = Authorize(request); !auth.ok()) {
    HttpResponse r = Error(auth);
    if (auth.code() == absl::StatusCode::kUnauthenticated) {
      r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"hpsearch\"");
    } else {
      r.headers.emplace_back("Retry-After",
                             std::to_string(std::max<int64_t>(1, throttle_->RetryAfter(request.client))));
    }
    return r;
  }
  if (!api) {
    HttpResponse r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = metrics_.Text(gauges_());
    return r;
  }
  std::vector<std::string> parts = absl::StrSplit(request.path.substr(1), '/', absl::SkipEmpty());
  return Api(request, parts);
}

namespace {

// One query: the request from the query string, then `path_fields` (what the path
// names: the sweep, the trial), the query function, the answer.
template <typename Request, typename Response, typename Query, typename PathFields>
HttpResponse Call(const HttpRequest& http, scheduler::Query& query, Query fn, PathFields path_fields) {
  Request req;
  Response resp;
  if (auto st = FromParams(http.params, &req); !st.ok()) return Error(st);
  path_fields(req);
  return Answer(fn(query, req, &resp), resp);
}

}  // namespace

HttpResponse HttpApi::HistoryOf(const HttpRequest& request, const std::string& sweep) const {
  int64_t max_points = 5000;
  for (const auto& [k, v] : request.params) {
    if (k != "max_points") return Error(absl::InvalidArgumentError(absl::StrCat("query string: ", k, ": unknown")));
    if (!absl::SimpleAtoi(v, &max_points) || max_points < 10 || max_points > 100'000) {
      return Error(absl::InvalidArgumentError("max_points: a number in 10..100000"));
    }
  }
  auto h = query_.SweepHistory(sweep, static_cast<std::size_t>(max_points));
  if (!h.ok()) return Error(h.status());
  json points = json::array(), best = json::array();
  for (const auto& p : h->points) {
    // The searched parameters only (what slice plots need), not the fixed settings.
    json all = json::parse(p.params, nullptr, false), params = json::object();
    if (all.is_object()) {
      for (const auto& name : h->searched) {
        if (auto it = all.find(name); it != all.end()) params[name] = *it;
      }
    }
    points.push_back({{"x", p.order},
                      {"trial", p.index},
                      {"y", p.value},
                      {"pruned", p.pruned},
                      {"failed", p.failed},
                      {"params", params}});
  }
  for (const auto& [x, y] : h->best) best.push_back({{"x", x}, {"y", y}});
  HttpResponse r;
  r.body =
      json{{"metric", h->metric}, {"maximize", h->maximize}, {"total", h->total}, {"points", points}, {"best", best}}
          .dump() +
      "\n";
  return r;
}

namespace {

// The ranked trials in `best` order (the front first), at most kMaxParetoPoints, each
// with its searched parameters only (the fixed settings are the same for all).
json ParetoPoints(const scheduler::Query::Front& f, const std::vector<std::string>& searched) {
  json points = json::array();
  const std::size_t n = std::min(f.trials.size(), kMaxParetoPoints);
  for (std::size_t i = 0; i < n; ++i) {
    json params = json::object();
    for (const auto& name : searched) {
      if (auto it = f.trials[i].params.find(name); it != f.trials[i].params.end()) params[name] = ToJson(it->second);
    }
    points.push_back({{"trial", f.trials[i].index}, {"values", f.values[i]}, {"rank", f.ranks[i]}, {"params", params}});
  }
  return points;
}

// The hypervolume of the ranked trials as they finished (by finished_ms, ties by
// index), against the reference point of all of them; beyond kMaxParetoPoints, an
// even spread of the steps, the first and the last kept.
json HypervolumeSteps(const scheduler::Query::Front& f) {
  std::vector<std::size_t> order(f.trials.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const auto &ta = f.trials[a], &tb = f.trials[b];
    return std::tie(ta.finished_ms, ta.index) < std::tie(tb.finished_ms, tb.index);
  });
  std::vector<std::vector<double>> values;
  values.reserve(order.size());
  for (std::size_t i : order) values.push_back(f.values[i]);
  const std::vector<double> volumes = search::HypervolumeHistory(f.objectives, values);
  json steps = json::array();
  const std::size_t n = volumes.size(), shown = std::min(n, kMaxParetoPoints);
  for (std::size_t j = 0; j < shown; ++j) {
    const std::size_t k = shown == n ? j : (shown == 1 ? n - 1 : j * (n - 1) / (shown - 1));
    steps.push_back({{"x", k + 1}, {"trial", f.trials[order[k]].index}, {"y", volumes[k]}});
  }
  return steps;
}

}  // namespace

HttpResponse HttpApi::ParetoOf(const HttpRequest& request, const std::string& sweep) const {
  if (!request.params.empty()) return Error(absl::InvalidArgumentError("pareto takes no query string"));
  auto rec = query_.Sweep(sweep);
  if (!rec.ok()) return Error(rec.status());
  auto cached = query_.ParetoFront(rec->id);
  if (!cached.ok()) return Error(cached.status());
  const scheduler::Query::Front* front = cached->get();
  if (front->objectives.empty()) {
    const std::string history = absl::StrCat("/api/v1/sweeps/", rec->id, "/history");
    return Error(absl::FailedPreconditionError(
        absl::StrCat("sweep ", rec->id, " has one objective: no Pareto front (its history is ", history, ")")));
  }
  auto spec = service::DecodeSpec(rec->spec);
  if (!spec.ok()) return Error(spec.status());
  std::vector<std::string> searched, metrics;
  std::vector<bool> maximize;
  for (const auto& p : spec->parameters) searched.push_back(p.name);
  for (const auto& o : front->objectives) {
    metrics.push_back(o.metric);
    maximize.push_back(o.maximize);
  }
  HttpResponse r;
  r.body = json{{"metrics", metrics},
                {"maximize", maximize},
                {"reference_point", front->ranking.reference},
                {"hypervolume", front->ranking.hypervolume},
                {"front_size", front->ranking.front_size},
                {"ranked_trials", front->trials.size()},
                {"points", ParetoPoints(*front, searched)},
                {"hypervolume_history", HypervolumeSteps(*front)}}
               .dump(-1, ' ', false, json::error_handler_t::replace) +
           "\n";
  return r;
}

HttpResponse HttpApi::Api(const HttpRequest& request, const std::vector<std::string>& parts) const {
  // parts[0] == "api"
  const auto none = [](auto&) {};
  if (parts.size() < 3 || parts[1] != "v1") {
    return Error(absl::NotFoundError(absl::StrCat("no API route ", request.path, " (try /api/v1/sweeps)")));
  }
  const std::string& what = parts[2];
  if (what == "workers" && parts.size() == 3) {
    return Call<v1::ListWorkersRequest, v1::ListWorkersResponse>(request, query_, service::ListWorkers, none);
  }
  if (what != "sweeps") return Error(absl::NotFoundError(absl::StrCat("no API route ", request.path)));
  if (parts.size() == 3) {
    return Call<v1::ListSweepsRequest, v1::ListSweepsResponse>(request, query_, service::ListSweeps, none);
  }
  const std::string& sweep = parts[3];
  const auto of_sweep = [&](auto& req) { req.set_sweep(sweep); };
  if (parts.size() == 4) return Call<v1::GetSweepRequest, v1::Sweep>(request, query_, service::GetSweep, of_sweep);
  if (parts[4] == "trials" && parts.size() == 5) {
    return Call<v1::ListTrialsRequest, v1::ListTrialsResponse>(request, query_, service::ListTrials, of_sweep);
  }
  if (parts[4] == "trials" && (parts.size() == 6 || (parts.size() == 7 && parts[6] == "log"))) {
    int64_t index = -1;
    if (!absl::SimpleAtoi(parts[5], &index) || index < 0) {
      return Error(absl::InvalidArgumentError(absl::StrCat("trial index: '", parts[5], "' is not a number >= 0")));
    }
    if (parts.size() == 7) {
      return Call<v1::GetTrialLogRequest, v1::TrialLog>(request, query_, service::GetTrialLog,
                                                        [&](v1::GetTrialLogRequest& req) {
                                                          req.set_sweep(sweep);
                                                          req.set_index(index);
                                                        });
    }
    return Call<v1::GetTrialRequest, v1::Trial>(request, query_, service::GetTrial, [&](v1::GetTrialRequest& req) {
      req.set_sweep(sweep);
      req.set_index(index);
    });
  }
  if (parts[4] == "history" && parts.size() == 5) return HistoryOf(request, sweep);
  if (parts[4] == "pareto" && parts.size() == 5) return ParetoOf(request, sweep);
  if (parts[4] == "events" && parts.size() == 5) {
    if (!request.params.empty()) return Error(absl::InvalidArgumentError("events takes no query string"));
    auto stream = EventStream::Open(query_, sweep);
    if (!stream.ok()) return Error(stream.status());
    HttpResponse r;
    // Never compressed or buffered by the listener (response_writer.h): sent as it comes.
    r.content_type = "text/event-stream";
    r.headers.emplace_back("X-Accel-Buffering", "no");  // a proxy in front must not hold events back
    r.stream = std::move(*stream);
    return r;
  }
  if (parts[4] == "importance" && parts.size() == 5) {
    if (!request.params.empty()) return Error(absl::InvalidArgumentError("importance takes no query string"));
    return Call<v1::GetImportanceRequest, v1::Importance>(request, query_, service::GetImportance, of_sweep);
  }
  if (parts[4] == "spec.yaml" && parts.size() == 5) {
    // The stored spec as a spec file (with extend's changes), as `hpsearch spec` prints it.
    if (!request.params.empty()) return Error(absl::InvalidArgumentError("spec.yaml takes no query string"));
    v1::GetSweepRequest req;
    req.set_sweep(sweep);
    v1::Sweep s;
    if (auto st = service::GetSweep(query_, req, &s); !st.ok()) return Error(st);
    auto spec = convert::FromProto(s.spec());
    if (!spec.ok()) return Error(spec.status());
    HttpResponse r;
    r.content_type = "text/yaml; charset=utf-8";
    r.body = search::SpecToYaml(*spec);
    return r;
  }
  if (parts[4] == "best" && parts.size() == 5) {
    return Call<v1::GetBestTrialsRequest, v1::GetBestTrialsResponse>(request, query_, service::GetBestTrials, of_sweep);
  }
  return Error(absl::NotFoundError(absl::StrCat("no API route ", request.path)));
}

}  // namespace hpsearch::http
