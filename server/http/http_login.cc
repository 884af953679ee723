// HttpApi's sign-in side: the login form, sessions for browsers, /logout, and the
// check of a request's credentials with wrong tokens throttled per client.
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "server/http/http_api.h"
#include "server/http/safe_next.h"
#include "server/service/token_auth.h"

namespace hpsearch::http {

namespace {

constexpr const char* kCookie = "hpsearch_session";

std::string HtmlEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
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

std::string SessionCookie(const std::string& value, int64_t max_age, bool tls) {
  return absl::StrCat(kCookie, "=", value, "; Path=/; Max-Age=", max_age, "; HttpOnly; SameSite=Strict",
                      tls ? "; Secure" : "");
}

HttpResponse LoginForm(const std::string& next, int status, const std::string& error) {
  HttpResponse r;
  r.status = status;
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
      "<input type=\"hidden\" name=\"next\" value=\"",
      HtmlEscape(SafeNext(next)),
      "\">"
      "<button type=\"submit\" id=\"sign-in\">Sign in</button></form></main></body></html>\n");
  return r;
}

}  // namespace

absl::Status HttpApi::Authorize(const HttpRequest& request) const {
  if (token_.empty()) return absl::OkStatus();
  // A session id is 256 random bits: guessing one is hopeless, so a stale one (a
  // restarted server, an expired login) is not held against the client.
  const std::string session = CookieValue(request.cookie, kCookie);
  if (!session.empty() && sessions_->Valid(session)) return absl::OkStatus();
  if (request.authorization.empty()) return absl::UnauthenticatedError("missing Authorization: Bearer <token>");
  if (const int64_t wait = throttle_->RetryAfter(request.client); wait > 0) {
    return absl::ResourceExhaustedError(
        absl::StrCat("too many wrong tokens from ", request.client, ": try again in ", wait, " s"));
  }
  if (!service::ConstantTimeEquals(request.authorization, "Bearer " + token_)) {
    throttle_->Failed(request.client);
    return absl::UnauthenticatedError("wrong token");
  }
  throttle_->Succeeded(request.client);
  return absl::OkStatus();
}

HttpResponse HttpApi::Login(const HttpRequest& request) const {
  const auto param = [&](const char* k) {
    auto it = request.params.find(k);
    return it == request.params.end() ? std::string() : it->second;
  };
  const std::string next = SafeNext(param("next"));
  if (token_.empty()) return RedirectTo(next);
  if (request.method != "POST") return LoginForm(next, 200, "");
  if (const int64_t wait = throttle_->RetryAfter(request.client); wait > 0) {
    HttpResponse r =
        LoginForm(next, 429, absl::StrCat("Too many wrong tokens from your address: try again in ", wait, " s."));
    r.headers.emplace_back("Retry-After", std::to_string(wait));
    return r;
  }
  if (!service::ConstantTimeEquals(param("token"), token_)) {
    throttle_->Failed(request.client);
    return LoginForm(next, 401, "That is not the server's token.");
  }
  throttle_->Succeeded(request.client);
  auto session = sessions_->Create();
  if (!session.ok()) return ErrorResponseFor(session.status());
  HttpResponse r = RedirectTo(next);
  r.headers.emplace_back("Set-Cookie", SessionCookie(*session, sessions_->options().lifetime.count(), request.tls));
  return r;
}

HttpResponse HttpApi::Logout(const HttpRequest& request) const {
  const std::string session = CookieValue(request.cookie, kCookie);
  if (!session.empty()) sessions_->End(session);
  HttpResponse r = RedirectTo(token_.empty() ? "/" : "/login");
  r.headers.emplace_back("Set-Cookie", SessionCookie("", 0, request.tls));
  return r;
}

}  // namespace hpsearch::http
