// Who may use the HTTP listener of a real hpsearch-server (issue 26, items 4 and 13):
// /login sends the browser only to paths of this site, whatever `next` says; the
// browser gets a session of its own (a random id, never the token); wrong tokens are
// throttled per client address; and the Host header is checked against DNS
// rebinding.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>
#include <thread>

#include "tests/testing/e2e_fixture.h"
#include "tests/testing/process.h"
#include "tests/testing/raw_http.h"

namespace hpsearch::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using Clock = std::chrono::steady_clock;

constexpr const char* kToken = "auth-test-token-0123456789";

std::string UrlEncode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

class HttpAuth : public E2ETest {
 protected:
  HttpAuth() : E2ETest("http-auth") {}

  std::unique_ptr<ServerProcess> StartServer(const std::string& db, std::vector<std::string> extra) {
    const std::string port_file = dir_ / (db + ".http-port");
    extra.insert(extra.end(), {"--workers", "0", "--http", "127.0.0.1:0", "--http-port-file", port_file});
    auto server = std::make_unique<ServerProcess>(dir_ / db, extra);
    EXPECT_TRUE(server->Start()) << server->log();
    const std::string port = ReadFile(port_file);
    EXPECT_FALSE(port.empty()) << server->log();
    port_ = port.empty() ? 1 : std::stoi(port);
    return server;
  }

  // A GET with these extra header lines ("Name: value\r\n" each), from `from`.
  std::string Get(const std::string& path, const std::string& headers = "", const std::string& from = "127.0.0.1",
                  const std::string& host = "127.0.0.1") {
    return RawRequest(
        port_, "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n" + headers + "Connection: close\r\n\r\n", from);
  }

  // The login form posted with `token` and `next` (each URL-encoded once, as a browser does).
  std::string Login(const std::string& token, const std::string& next = "/", const std::string& from = "127.0.0.1") {
    const std::string body = "token=" + UrlEncode(token) + "&next=" + UrlEncode(next);
    return RawRequest(port_,
                      "POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " +
                          std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body,
                      from);
  }

  int port_ = 0;
};

// `next` as the browser would receive it decoded; each must land on this site.
const std::vector<std::string> kEscapes = {
    "/\t/evil.example/x",  // the audit's /%09/evil.example/x: browsers strip the tab
    "/\n/evil.example",   "/\r/evil.example",  "//evil.example",     "/\\evil.example",       "\\\\evil.example",
    "/\\/evil.example",   " //evil.example",   "https:evil.example", "https://evil.example/", "javascript:alert(1)",
    "/%5Cevil.example",   "/%2F/evil.example", "/%09/evil.example",  "\x01//evil.example",    "/ /evil.example",
};

TEST_F(HttpAuth, LoginSendsTheBrowserOnlyToThisSite) {
  auto server = StartServer("next.db", {"--token", kToken});
  for (const auto& next : kEscapes) {
    const std::string r = Login(kToken, next);
    EXPECT_EQ(StatusOf(r), 303) << next;
    EXPECT_EQ(HeaderOf(r, "location"), "/") << "next '" << next << "' was followed";
    const std::string form = Get("/login?next=" + UrlEncode(next));
    EXPECT_THAT(form, HasSubstr("name=\"next\" value=\"/\"")) << next;
  }
  EXPECT_EQ(HeaderOf(Login(kToken, "/sweeps/abc/trials/3"), "location"), "/sweeps/abc/trials/3");
  EXPECT_EQ(HeaderOf(Login(kToken, "/sweeps/abc?x=1"), "location"), "/sweeps/abc?x=1");
  // Without a token /login redirects at once: the same rule.
  auto open = StartServer("open.db", {});
  EXPECT_EQ(HeaderOf(Get("/login?next=/%09/evil.example/x"), "location"), "/");
  EXPECT_EQ(HeaderOf(Get("/login?next=%2Fsweeps%2Fs1"), "location"), "/sweeps/s1");
}

TEST_F(HttpAuth, TheBrowserGetsASessionNotTheToken) {
  auto server = StartServer("session.db", {"--token", kToken});
  const std::string a = Login(kToken), b = Login(kToken);
  ASSERT_EQ(StatusOf(a), 303) << a;
  const std::string cookie = HeaderOf(a, "set-cookie");
  EXPECT_THAT(cookie, Not(HasSubstr(kToken)));
  std::smatch m;
  ASSERT_TRUE(std::regex_search(cookie, m, std::regex("^hpsearch_session=([0-9a-f]{64});"))) << cookie;
  const std::string session = m[1];
  EXPECT_THAT(cookie, HasSubstr("HttpOnly"));
  EXPECT_THAT(cookie, HasSubstr("SameSite=Strict"));
  EXPECT_THAT(cookie, HasSubstr("Max-Age=43200"));
  EXPECT_THAT(cookie, Not(HasSubstr("Secure")));  // plain HTTP (TLS: tests/e2e/http_test.cc)
  EXPECT_NE(HeaderOf(b, "set-cookie"), cookie) << "two logins, one session id";
  // The session reads the API, /metrics and the pages; the token as a cookie does not.
  EXPECT_EQ(StatusOf(Get("/api/v1/sweeps", "Cookie: hpsearch_session=" + session + "\r\n")), 200);
  EXPECT_EQ(StatusOf(Get("/metrics", "Cookie: other=1; hpsearch_session=" + session + "\r\n")), 200);
  EXPECT_EQ(StatusOf(Get("/", "Cookie: hpsearch_session=" + session + "\r\n")), 200);
  EXPECT_EQ(StatusOf(Get("/api/v1/sweeps", std::string("Cookie: hpsearch_token=") + kToken + "\r\n")), 401);
  EXPECT_EQ(StatusOf(Get("/api/v1/sweeps", "Cookie: hpsearch_session=" + std::string(64, 'a') + "\r\n")), 401);
  EXPECT_EQ(StatusOf(Get("/api/v1/sweeps", std::string("Authorization: Bearer ") + kToken + "\r\n")), 200);
  // Signing out ends that session only.
  const std::string out = Get("/logout", "Cookie: hpsearch_session=" + session + "\r\n");
  EXPECT_EQ(StatusOf(out), 303);
  EXPECT_THAT(HeaderOf(out, "set-cookie"), HasSubstr("Max-Age=0"));
  EXPECT_EQ(StatusOf(Get("/api/v1/sweeps", "Cookie: hpsearch_session=" + session + "\r\n")), 401);
  std::smatch mb;
  const std::string cookie_b = HeaderOf(b, "set-cookie");
  ASSERT_TRUE(std::regex_search(cookie_b, mb, std::regex("^hpsearch_session=([0-9a-f]{64});")));
  EXPECT_EQ(StatusOf(Get("/api/v1/sweeps", "Cookie: hpsearch_session=" + mb[1].str() + "\r\n")), 200);
  EXPECT_THAT(server->log(), Not(HasSubstr(session)));
}

// Wrong tokens, at the login form or as a bearer header, count per client address:
// a few are answered, then 429 with Retry-After while the lock lasts (doubling with
// each further failure); another address is not affected; after the wait the right
// token works again.
TEST_F(HttpAuth, WrongTokensAreThrottledPerClient) {
  auto server = StartServer("throttle.db", {"--token", kToken});
  std::vector<int> codes;
  std::string locked;
  for (int i = 0; i < 8; ++i) {
    const std::string r = Login("wrong-" + std::to_string(i), "/", "127.0.0.2");
    codes.push_back(StatusOf(r));
    if (codes.back() == 429 && locked.empty()) locked = r;
  }
  EXPECT_EQ(std::vector<int>(codes.begin(), codes.begin() + 5), std::vector<int>(5, 401));
  EXPECT_EQ(std::vector<int>(codes.begin() + 5, codes.end()), std::vector<int>(3, 429));
  ASSERT_FALSE(locked.empty());
  const int retry = std::atoi(HeaderOf(locked, "retry-after").c_str());
  EXPECT_GE(retry, 1) << locked;
  EXPECT_THAT(BodyOf(locked), HasSubstr("wrong tokens"));
  // While locked even the right token is not checked (it would tell a guess apart).
  EXPECT_EQ(StatusOf(Login(kToken, "/", "127.0.0.2")), 429);
  // Another client is not held up.
  EXPECT_EQ(StatusOf(Login(kToken, "/", "127.0.0.1")), 303);
  // Bearer guesses count the same way.
  codes.clear();
  for (int i = 0; i < 7; ++i) {
    codes.push_back(
        StatusOf(Get("/api/v1/sweeps", "Authorization: Bearer guess-" + std::to_string(i) + "\r\n", "127.0.0.3")));
  }
  EXPECT_EQ(codes, (std::vector<int>{401, 401, 401, 401, 401, 429, 429}));
  // The lock ends: the right token is accepted again from 127.0.0.2.
  const auto until = Clock::now() + std::chrono::seconds(retry + 10);
  int code = 0;
  while (Clock::now() < until && (code = StatusOf(Login(kToken, "/", "127.0.0.2"))) == 429) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  EXPECT_EQ(code, 303);
}

// DNS rebinding: a page of evil.example whose name now resolves to 127.0.0.1 sends
// Host: evil.example. Without a token only IP literals, localhost and --http-host
// names are served (421 otherwise); with a token any name is (the cookie and token
// never reach another origin).
TEST_F(HttpAuth, TheHostHeaderIsChecked) {
  auto open = StartServer("host-open.db", {});
  std::string port = ":" + std::to_string(port_);
  EXPECT_EQ(StatusOf(Get("/api/v1/sweeps", "", "127.0.0.1", "evil.example" + port)), 421);
  auto server = StartServer("host.db", {"--http-host", "dash.example"});
  port = ":" + std::to_string(port_);
  const std::string evil = Get("/api/v1/sweeps", "", "127.0.0.1", "evil.example" + port);
  EXPECT_EQ(StatusOf(evil), 421) << evil;
  EXPECT_THAT(BodyOf(evil), HasSubstr("--http-host"));
  EXPECT_EQ(StatusOf(Get("/", "", "127.0.0.1", "evil.example")), 421);
  EXPECT_EQ(StatusOf(Get("/api/v1/sweeps", "", "127.0.0.1", "127.0.0.1.evil.example")), 421);
  for (const std::string& host :
       std::vector<std::string>{"127.0.0.1" + port, "localhost" + port, "LOCALHOST", "[::1]" + port, "10.1.2.3",
                                "dash.example" + port, "Dash.Example."}) {
    EXPECT_EQ(StatusOf(Get("/api/v1/sweeps", "", "127.0.0.1", host)), 200) << host;
  }
  auto guarded = StartServer("host-token.db", {"--token", kToken});
  EXPECT_EQ(StatusOf(Get("/api/v1/sweeps", std::string("Authorization: Bearer ") + kToken + "\r\n", "127.0.0.1",
                         "hpsearch.internal" + port)),
            200);
}

}  // namespace
}  // namespace hpsearch::testing
