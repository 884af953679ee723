// The HTTP side's policies, each alone: where /login may send the browser
// (SafeNext, issue 26 item 4), which Host headers are served (HostRule), the wrong
// token throttle and the session store on a fake clock, and the bytes of a
// response (ResponseWriter: gzip, HEAD, Connection: close, chunks).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <set>

#include "server/http/host_rule.h"
#include "server/http/login_throttle.h"
#include "server/http/response_writer.h"
#include "server/http/safe_next.h"
#include "server/http/session_store.h"

namespace hpsearch::http {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(SafeNext, KeepsPathsOfThisSite) {
  for (const char* ok : {"/", "/sweeps", "/sweeps/s-1/trials/3", "/sweeps/abc?x=1&y=a%2Bb", "/a:b@c;d=e,f"}) {
    EXPECT_EQ(SafeNext(ok), ok);
  }
}

TEST(SafeNext, RefusesEverythingABrowserCouldReadAsAnotherOrigin) {
  for (const std::string& bad : std::vector<std::string>{
           "",
           "sweeps",
           "//evil.example",
           "///evil.example",
           "/\\evil.example",
           "\\\\evil.example",
           "/\t/evil.example/x",  // the audit's bypass: /%09/evil.example/x, decoded once
           "/\n/evil.example",
           "/\r/evil.example",
           "/ /evil.example",
           " //evil.example",
           "/x\x7f",
           "/x\x01",
           "/\\/evil.example",
           "/x\\y",
           "https:evil.example",
           "https://evil.example",
           "javascript:alert(1)",
           "/%5Cevil.example",
           "/%5cevil.example",
           "/%09/evil.example",
           "/%2F/evil.example",
           "/%2f%2fevil",
           "/%252F/evil",
           "/%20/evil",
           "/%0a",
           "/%",
           "/%4",
           "/%zz",
           "/caf\xc3\xa9",
           "/%C3%A9",
           "/x" + std::string(3000, 'a'),
       }) {
    EXPECT_EQ(SafeNext(bad), "/") << "'" << bad << "'";
  }
}

TEST(HostRule, ServesAddressesLocalhostAndListedNames) {
  const HostRule rule({"dash.example", "Metrics.Internal."}, /*token_required=*/false);
  for (const char* ok :
       {"127.0.0.1", "127.0.0.1:8080", "10.0.0.7:80", "[::1]", "[::1]:8080", "[2001:db8::1]:1", "localhost",
        "LOCALHOST:8080", "app.localhost", "localhost.", "dash.example", "DASH.example:443", "metrics.internal", ""}) {
    EXPECT_TRUE(rule.Check(ok).ok()) << ok;
  }
  for (const char* bad : {"evil.example", "evil.example:8080", "127.0.0.1.evil.example", "localhost.evil.example",
                          "2130706433", "[::1", "dash.example.evil", "x"}) {
    const absl::Status st = rule.Check(bad);
    EXPECT_EQ(st.code(), absl::StatusCode::kPermissionDenied) << bad;
    EXPECT_THAT(st.message(), HasSubstr("--http-host")) << bad;
  }
  EXPECT_TRUE(HostRule({}, /*token_required=*/true).Check("hpsearch.internal:8080").ok());
  EXPECT_EQ(HostRule::HostOf(" Evil.Example.:80 "), "evil.example");
  EXPECT_EQ(HostRule::HostOf("[::1]:8080"), "[::1]");
}

struct FakeClock {
  std::chrono::steady_clock::time_point t{std::chrono::hours(1)};
  std::function<std::chrono::steady_clock::time_point()> fn() {
    return [this] { return t; };
  }
};

TEST(LoginThrottle, LocksAClientOutDoublingAndForgets) {
  FakeClock clock;
  LoginThrottle throttle({}, clock.fn());
  for (int i = 0; i < 4; ++i) throttle.Failed("a");
  EXPECT_EQ(throttle.RetryAfter("a"), 0);  // four are free
  throttle.Failed("a");                    // the fifth locks: 2 s
  EXPECT_EQ(throttle.RetryAfter("a"), 2);
  EXPECT_EQ(throttle.RetryAfter("b"), 0);  // per client
  clock.t += std::chrono::seconds(2);
  EXPECT_EQ(throttle.RetryAfter("a"), 0);
  throttle.Failed("a");
  EXPECT_EQ(throttle.RetryAfter("a"), 4);
  for (int i = 0; i < 30; ++i) throttle.Failed("a");
  EXPECT_EQ(throttle.RetryAfter("a"), 300);  // capped
  throttle.Succeeded("a");
  EXPECT_EQ(throttle.RetryAfter("a"), 0);
  for (int i = 0; i < 5; ++i) throttle.Failed("c");
  clock.t += std::chrono::minutes(16);  // forgotten: the count starts again
  throttle.Failed("c");
  EXPECT_EQ(throttle.RetryAfter("c"), 0);
}

TEST(LoginThrottle, ItsTableIsBounded) {
  FakeClock clock;
  LoginThrottle throttle({.max_clients = 100}, clock.fn());
  for (int i = 0; i < 5; ++i) throttle.Failed("locked");
  for (int i = 0; i < 10'000; ++i) {
    clock.t += std::chrono::milliseconds(1);
    throttle.Failed("client-" + std::to_string(i));
    ASSERT_LE(throttle.size(), 100u);
  }
}

TEST(SessionStore, RandomIdsThatExpire) {
  FakeClock clock;
  SessionStore sessions({.lifetime = std::chrono::hours(12), .max_sessions = 3}, clock.fn());
  std::set<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    auto id = sessions.Create();
    ASSERT_TRUE(id.ok());
    EXPECT_THAT(*id, ::testing::MatchesRegex("[0-9a-f]{64}"));
    ids.insert(*id);
    clock.t += std::chrono::seconds(1);
  }
  EXPECT_EQ(ids.size(), 3u);
  const std::string first = *ids.begin();
  for (const auto& id : ids) EXPECT_TRUE(sessions.Valid(id));
  EXPECT_FALSE(sessions.Valid(std::string(64, '0')));
  EXPECT_FALSE(sessions.Valid("short"));
  auto fourth = sessions.Create();  // over the cap: the oldest goes
  ASSERT_TRUE(fourth.ok());
  EXPECT_EQ(sessions.size(), 3u);
  sessions.End(*fourth);
  EXPECT_FALSE(sessions.Valid(*fourth));
  clock.t += std::chrono::hours(12);
  for (const auto& id : ids) EXPECT_FALSE(sessions.Valid(id)) << "expired";
}

std::string Gunzip(const std::string& in) {
  z_stream z{};
  inflateInit2(&z, 15 + 16);
  std::string out(1 << 20, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  inflate(&z, Z_FINISH);
  out.resize(z.total_out);
  inflateEnd(&z);
  return out;
}

TEST(ResponseWriter, HeadersGzipHeadAndClose) {
  HttpResponse r;
  r.body = "{\"x\": \"" + std::string(5000, 'a') + "\"}\n";
  r.headers.emplace_back("Location", "/x");
  const std::string plain = SerializeResponse(r, {});
  EXPECT_EQ(plain.rfind("HTTP/1.1 200 OK\r\n", 0), 0u);
  EXPECT_THAT(plain, HasSubstr("\r\nLocation: /x\r\n"));
  EXPECT_THAT(plain, HasSubstr("\r\nCache-Control: no-store\r\n"));
  EXPECT_THAT(plain, HasSubstr("\r\nX-Content-Type-Options: nosniff\r\n"));
  EXPECT_THAT(plain, HasSubstr("\r\nContent-Length: " + std::to_string(r.body.size()) + "\r\n"));
  EXPECT_THAT(plain, Not(HasSubstr("Connection:")));
  const std::string gz = SerializeResponse(r, {.accepts_gzip = true, .close = true});
  EXPECT_THAT(gz, HasSubstr("\r\nContent-Encoding: gzip\r\nVary: Accept-Encoding\r\n"));
  EXPECT_THAT(gz, HasSubstr("\r\nConnection: close\r\n"));
  EXPECT_EQ(Gunzip(gz.substr(gz.find("\r\n\r\n") + 4)), r.body);
  const std::string head = SerializeResponse(r, {.head_only = true});
  EXPECT_EQ(head.substr(head.find("\r\n\r\n")), "\r\n\r\n");  // no body, the GET's Content-Length
  EXPECT_THAT(head, HasSubstr("Content-Length: " + std::to_string(r.body.size())));
  r.headers.emplace_back("Cache-Control", "no-cache");
  EXPECT_THAT(SerializeResponse(r, {}), Not(HasSubstr("no-store")));
  HttpResponse events;
  events.content_type = "text/event-stream";
  EXPECT_THAT(StreamHead(events, true), HasSubstr("Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"));
  EXPECT_EQ(Chunk("hello"), "5\r\nhello\r\n");
  EXPECT_EQ(Chunk(""), "0\r\n\r\n");
  const std::string refused = ErrorResponse(413, "RESOURCE_EXHAUSTED", "too big \xff");
  EXPECT_EQ(refused.rfind("HTTP/1.1 413 Content Too Large\r\n", 0), 0u);
  EXPECT_THAT(refused, HasSubstr("\"code\":\"RESOURCE_EXHAUSTED\""));
}

}  // namespace
}  // namespace hpsearch::http
