#include "http/http_api.h"

#include <google/protobuf/util/json_util.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "nlohmann/json.hpp"
#include "service/metrics_interceptor.h"
#include "service/queries.h"
#include "service/status_convert.h"
#include "service/token_auth.h"

namespace hpsearch::http {

namespace v1 = hpsearch::v1;
using nlohmann::json;

int HttpStatus(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk: return 200;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kOutOfRange: return 400;
    case absl::StatusCode::kUnauthenticated: return 401;
    case absl::StatusCode::kPermissionDenied: return 403;
    case absl::StatusCode::kNotFound: return 404;
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kAborted: return 409;
    case absl::StatusCode::kResourceExhausted: return 429;
    case absl::StatusCode::kUnimplemented: return 501;
    case absl::StatusCode::kUnavailable: return 503;
    case absl::StatusCode::kDeadlineExceeded: return 504;
    default: return 500;
  }
}

namespace {

HttpResponse Error(const absl::Status& status) {
  HttpResponse r;
  r.status = HttpStatus(status);
  r.body = json{{"error",
                 {{"code", service::CodeName(service::ToGrpc(status).error_code())},
                  {"message", std::string(status.message())}}}}
               .dump() +
           "\n";
  return r;
}

// The query string as the request message: each parameter is the field of that
// name (proto3 JSON: enum names, numbers as strings, true/false); an unknown one is
// INVALID_ARGUMENT naming it.
template <typename Request>
absl::Status FromParams(const std::map<std::string, std::string>& params, Request* req) {
  json j = json::object();
  for (const auto& [k, v] : params) {
    if (v == "true" || v == "false") {
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

HttpResponse HttpApi::Handle(const HttpRequest& request) const {
  const bool api = absl::StartsWith(request.path, "/api/");
  if (!api && request.path != "/metrics") {
    if (request.path == "/") {
      HttpResponse r;
      r.content_type = "text/plain; charset=utf-8";
      r.body = "hpsearch-server: the JSON API is under /api/v1/ (sweeps, workers) and metrics are at /metrics\n";
      return r;
    }
    return Error(absl::NotFoundError(absl::StrCat("no page at ", request.path)));
  }
  if (request.method != "GET" && request.method != "HEAD") {
    HttpResponse r = Error(absl::InvalidArgumentError(absl::StrCat(request.method, " ", request.path,
                                                                   ": the HTTP API is read-only (GET)")));
    r.status = 405;
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  }
  if (!token_.empty()) {
    const std::string expected = "Bearer " + token_;
    if (!service::ConstantTimeEquals(request.authorization, expected)) {
      HttpResponse r = Error(absl::UnauthenticatedError(
          request.authorization.empty() ? "missing Authorization: Bearer <token>" : "wrong token"));
      r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"hpsearch\"");
      return r;
    }
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

HttpResponse HttpApi::Api(const HttpRequest& request, const std::vector<std::string>& parts) const {
  // parts[0] == "api"
  if (parts.size() < 3 || parts[1] != "v1") {
    return Error(absl::NotFoundError(absl::StrCat("no API route ", request.path, " (try /api/v1/sweeps)")));
  }
  const std::string& what = parts[2];
  if (what == "workers" && parts.size() == 3) {
    v1::ListWorkersRequest req;
    v1::ListWorkersResponse resp;
    if (auto st = FromParams(request.params, &req); !st.ok()) return Error(st);
    return Answer(service::ListWorkers(query_, req, &resp), resp);
  }
  if (what != "sweeps") return Error(absl::NotFoundError(absl::StrCat("no API route ", request.path)));
  if (parts.size() == 3) {
    v1::ListSweepsRequest req;
    v1::ListSweepsResponse resp;
    if (auto st = FromParams(request.params, &req); !st.ok()) return Error(st);
    return Answer(service::ListSweeps(query_, req, &resp), resp);
  }
  const std::string& sweep = parts[3];
  if (parts.size() == 4) {
    v1::GetSweepRequest req;
    v1::Sweep resp;
    if (auto st = FromParams(request.params, &req); !st.ok()) return Error(st);
    req.set_sweep(sweep);
    return Answer(service::GetSweep(query_, req, &resp), resp);
  }
  if (parts[4] == "trials" && parts.size() == 5) {
    v1::ListTrialsRequest req;
    v1::ListTrialsResponse resp;
    if (auto st = FromParams(request.params, &req); !st.ok()) return Error(st);
    req.set_sweep(sweep);
    return Answer(service::ListTrials(query_, req, &resp), resp);
  }
  if (parts[4] == "trials" && parts.size() == 6) {
    int64_t index = -1;
    if (!absl::SimpleAtoi(parts[5], &index) || index < 0) {
      return Error(absl::InvalidArgumentError(absl::StrCat("trial index: '", parts[5], "' is not a number >= 0")));
    }
    v1::GetTrialRequest req;
    v1::Trial resp;
    if (auto st = FromParams(request.params, &req); !st.ok()) return Error(st);
    req.set_sweep(sweep);
    req.set_index(index);
    return Answer(service::GetTrial(query_, req, &resp), resp);
  }
  if (parts[4] == "best" && parts.size() == 5) {
    v1::GetBestTrialsRequest req;
    v1::GetBestTrialsResponse resp;
    if (auto st = FromParams(request.params, &req); !st.ok()) return Error(st);
    req.set_sweep(sweep);
    return Answer(service::GetBestTrials(query_, req, &resp), resp);
  }
  return Error(absl::NotFoundError(absl::StrCat("no API route ", request.path)));
}

}  // namespace hpsearch::http
