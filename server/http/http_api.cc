#include "http/http_api.h"

#include <google/protobuf/util/json_util.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/strings/ascii.h"
#include "http/assets.h"
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
    } else if (field && field->type() == google::protobuf::FieldDescriptor::TYPE_BOOL && (v == "true" || v == "false")) {
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

constexpr const char* kCookie = "hpsearch_token";
// Pages load their code and style from this server only: no CDN, no inline script.
constexpr const char* kPagePolicy =
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; frame-ancestors 'none'";

std::string HtmlEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

// The value of cookie `name` in a Cookie header ("" if absent).
std::string CookieValue(const std::string& header, const std::string& name) {
  for (absl::string_view part : absl::StrSplit(header, ';')) {
    part = absl::StripAsciiWhitespace(part);
    if (absl::StartsWith(part, name + "=")) return std::string(part.substr(name.size() + 1));
  }
  return "";
}

// Where a login may send the browser: a path of this site, never another origin.
std::string SafeNext(const std::string& next) {
  if (next.empty() || next[0] != '/' || absl::StartsWith(next, "//") || next.find('\\') != std::string::npos) return "/";
  return next;
}

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

HttpResponse Redirect(const std::string& to) {
  HttpResponse r;
  r.status = 303;
  r.content_type = "text/plain; charset=utf-8";
  r.headers.emplace_back("Location", to);
  r.body = "see " + to + "\n";
  return r;
}

HttpResponse LoginForm(const std::string& next, const std::string& error) {
  HttpResponse r;
  r.status = error.empty() ? 200 : 401;
  r.content_type = "text/html; charset=utf-8";
  r.headers.emplace_back("Content-Security-Policy", kPagePolicy);
  r.body = absl::StrCat(
      "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>hpsearch: sign in</title>"
      "<link rel=\"stylesheet\" href=\"/assets/dashboard.css\"></head><body>"
      "<header><span class=\"brand\">hpsearch</span></header><main>"
      "<form class=\"login\" method=\"post\" action=\"/login\"><h1>Sign in</h1>"
      "<p class=\"sub\">This server requires its token (hpsearch-server --token).</p>",
      error.empty() ? "" : absl::StrCat("<p class=\"error\" id=\"login-error\">", HtmlEscape(error), "</p>"),
      "<input type=\"password\" name=\"token\" id=\"token\" placeholder=\"token\" autofocus>"
      "<input type=\"hidden\" name=\"next\" value=\"", HtmlEscape(SafeNext(next)), "\">"
      "<button type=\"submit\" id=\"sign-in\">Sign in</button></form></main></body></html>\n");
  return r;
}

}  // namespace

bool HttpApi::Authorized(const HttpRequest& request) const {
  if (token_.empty()) return true;
  return service::ConstantTimeEquals(request.authorization, "Bearer " + token_) ||
         service::ConstantTimeEquals(CookieValue(request.cookie, kCookie), token_);
}

HttpResponse HttpApi::Login(const HttpRequest& request) const {
  const auto param = [&](const char* k) {
    auto it = request.params.find(k);
    return it == request.params.end() ? std::string() : it->second;
  };
  const std::string next = SafeNext(param("next"));
  if (request.method != "POST") return token_.empty() ? Redirect(next) : LoginForm(next, "");
  if (token_.empty()) return Redirect(next);
  if (!service::ConstantTimeEquals(param("token"), token_)) return LoginForm(next, "That is not the server's token.");
  HttpResponse r = Redirect(next);
  r.headers.emplace_back("Set-Cookie", absl::StrCat(kCookie, "=", token_, "; Path=/; HttpOnly; SameSite=Strict",
                                                    request.tls ? "; Secure" : ""));
  return r;
}

HttpResponse HttpApi::Handle(const HttpRequest& request) const {
  const std::string& path = request.path;
  if (path == "/login") return Login(request);
  const bool api = absl::StartsWith(path, "/api/");
  if (request.method != "GET" && request.method != "HEAD") {
    HttpResponse r = Error(absl::InvalidArgumentError(absl::StrCat(request.method, " ", path,
                                                                   ": the HTTP API is read-only (GET)")));
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
    if (!Authorized(request)) return Redirect("/login?next=" + UrlEncode(path));
    HttpResponse r;
    r.content_type = "text/html; charset=utf-8";
    r.body = std::string(*Asset("dashboard.html"));
    r.headers.emplace_back("Content-Security-Policy", kPagePolicy);
    return r;
  }
  if (!api && path != "/metrics") return Error(absl::NotFoundError(absl::StrCat("no page at ", path)));
  if (!Authorized(request)) {
    HttpResponse r = Error(absl::UnauthenticatedError(
        request.authorization.empty() ? "missing Authorization: Bearer <token>" : "wrong token"));
    r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"hpsearch\"");
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
  r.body = json{{"metric", h->metric}, {"maximize", h->maximize}, {"total", h->total}, {"points", points},
                {"best", best}}
               .dump() +
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
  if (parts[4] == "trials" && parts.size() == 6) {
    int64_t index = -1;
    if (!absl::SimpleAtoi(parts[5], &index) || index < 0) {
      return Error(absl::InvalidArgumentError(absl::StrCat("trial index: '", parts[5], "' is not a number >= 0")));
    }
    return Call<v1::GetTrialRequest, v1::Trial>(request, query_, service::GetTrial, [&](v1::GetTrialRequest& req) {
      req.set_sweep(sweep);
      req.set_index(index);
    });
  }
  if (parts[4] == "history" && parts.size() == 5) return HistoryOf(request, sweep);
  if (parts[4] == "events" && parts.size() == 5) {
    if (!request.params.empty()) return Error(absl::InvalidArgumentError("events takes no query string"));
    auto stream = EventStream::Open(query_, sweep);
    if (!stream.ok()) return Error(stream.status());
    HttpResponse r;
    // Exactly this type: cpp-httplib compresses (so buffers) every other text/ type.
    r.content_type = "text/event-stream";
    r.headers.emplace_back("X-Accel-Buffering", "no");  // a proxy in front must not hold events back
    r.stream = std::move(*stream);
    return r;
  }
  if (parts[4] == "importance" && parts.size() == 5) {
    if (!request.params.empty()) return Error(absl::InvalidArgumentError("importance takes no query string"));
    auto imp = query_.Importance(sweep);
    if (!imp.ok()) return Error(imp.status());
    json list = json::array();
    for (const auto& i : *imp) list.push_back({{"param", i.name}, {"importance", i.importance}});
    HttpResponse r;
    r.body = json{{"method", "ped-anova"}, {"target_quantile", 0.1}, {"importances", list}}.dump() + "\n";
    return r;
  }
  if (parts[4] == "best" && parts.size() == 5) {
    return Call<v1::GetBestTrialsRequest, v1::GetBestTrialsResponse>(request, query_, service::GetBestTrials,
                                                                      of_sweep);
  }
  return Error(absl::NotFoundError(absl::StrCat("no API route ", request.path)));
}

}  // namespace hpsearch::http
