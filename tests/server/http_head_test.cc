// The HTTP listener's pure request side: finding the end of a head as bytes arrive
// (HeadScanner), parsing it (ParseRequestHead, ParseTarget), and what is admitted
// before any handler runs (Admit). Ends with a fuzz loop: thousands of mutated
// heads, split at random, never crash and always get the same definite answer
// however they are split.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <variant>

#include "server/http/admission.h"
#include "server/http/head_scanner.h"
#include "server/http/request_head.h"
#include "server/http/request_target.h"

namespace hpsearch::http {
namespace {

using ::testing::HasSubstr;
using State = HeadScan::State;

HeadScan ScanAll(std::string_view bytes, const HttpLimits& limits = {}) {
  HeadScanner s(limits);
  return s.Scan(bytes);
}

// Feeds `bytes` in pieces of the given sizes (cycled), as a connection would.
HeadScan ScanSplit(std::string_view bytes, const std::vector<size_t>& pieces, const HttpLimits& limits = {}) {
  HeadScanner s(limits);
  HeadScan last;
  size_t have = 0;
  for (size_t i = 0; have < bytes.size(); ++i) {
    have = std::min(bytes.size(), have + std::max<size_t>(1, pieces[i % pieces.size()]));
    last = s.Scan(bytes.substr(0, have));
    if (last.state != State::kNeedMore) break;
  }
  return last;
}

RequestHead Parse(const std::string& head) {
  auto r = ParseRequestHead(head, HttpLimits{});
  if (auto* e = std::get_if<HeadError>(&r)) ADD_FAILURE() << e->status << " " << e->message;
  return std::holds_alternative<RequestHead>(r) ? std::get<RequestHead>(r) : RequestHead{};
}

int ErrorOf(const std::string& head) {
  auto r = ParseRequestHead(head, HttpLimits{});
  return std::holds_alternative<HeadError>(r) ? std::get<HeadError>(r).status : 0;
}

TEST(HeadScanner, FindsTheEndHoweverTheBytesArrive) {
  const std::string req = "\r\nGET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b";
  for (size_t piece : {1, 2, 3, 7, 100}) {
    const HeadScan s = ScanSplit(req, {piece});
    ASSERT_EQ(s.state, State::kComplete) << piece;
    EXPECT_EQ(s.skipped, 2u);
    EXPECT_EQ(req.substr(s.skipped, s.end - s.skipped), "GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
  }
  EXPECT_EQ(ScanAll("GET / HTTP/1.1\nHost: x\n\n").state, State::kComplete);  // bare LF lines
  EXPECT_EQ(ScanAll("GET / HTTP/1.1\r\nHost: x\r\n").state, State::kNeedMore);
}

TEST(HeadScanner, RefusesAsSoonAsABoundIsPassed) {
  std::string lines = "GET / HTTP/1.1\r\n";
  for (int i = 0; i < 100; ++i) lines += "X: 1\r\n";
  EXPECT_EQ(ScanAll(lines + "\r\n").state, State::kComplete);  // exactly 100 header lines
  const HeadScan more = ScanAll(lines + "X: 1\r\n");           // the 101st, before the end
  EXPECT_EQ(more.state, State::kRefused);
  EXPECT_EQ(more.status, 431);
  EXPECT_THAT(more.message, HasSubstr("100 header lines"));
  const HeadScan big = ScanAll("GET / HTTP/1.1\r\nX: " + std::string(17'000, 'a'));
  EXPECT_EQ(big.status, 431);
  EXPECT_EQ(ScanAll("GET / HTTP/1.1\r\nX: " + std::string(16'400, 'a') + "\r\n\r\n").status, 431);
  const HeadScan target = ScanAll("GET /" + std::string(9'000, 'a'));  // no line end yet
  EXPECT_EQ(target.status, 414);
  EXPECT_EQ(ScanAll(std::string(65, '\n')).status, 400);  // empty lines for ever
}

TEST(RequestTarget, DecodesAsTheDashboardExpects) {
  auto t = ParseTarget("/sweeps/a%20b+c/x?where=lr%3C%3D0.01&where=optimizer%3Dadam&q=a+b&flag&=x&k=v=w#frag");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->path, "/sweeps/a b+c/x");  // '+' is a space only in the query string
  EXPECT_THAT(t->params,
              ::testing::UnorderedElementsAre(std::pair<const std::string, std::string>("where", "lr<=0.01"),
                                              std::pair<const std::string, std::string>("where", "optimizer=adam"),
                                              std::pair<const std::string, std::string>("q", "a b"),
                                              std::pair<const std::string, std::string>("flag", ""),
                                              std::pair<const std::string, std::string>("k", "v=w")));
  EXPECT_EQ(PercentDecode("%zz%4", false), "%zz%4");  // broken escapes stay as they are
  EXPECT_EQ(PercentDecode("%2f%2F", false), "//");
  auto absolute = ParseTarget("http://Example.com:80?x=1");
  ASSERT_TRUE(absolute.ok());
  EXPECT_EQ(absolute->authority, "Example.com:80");
  EXPECT_EQ(absolute->path, "/");
  EXPECT_EQ(absolute->params.count("x"), 1u);
  EXPECT_FALSE(ParseTarget("*").ok());
  EXPECT_FALSE(ParseTarget("example.com:443").ok());
}

TEST(RequestHead, ParsesTheFramingFacts) {
  const RequestHead h = Parse(
      "POST /login?next=%2F HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Length: 11\r\nCookie: a=1\r\n"
      "cookie: b=2\r\nExpect: 100-continue\r\nX-Spaced:   v  \r\n\r\n");
  EXPECT_EQ(h.method, "POST");
  EXPECT_EQ(h.path, "/login");
  EXPECT_EQ(h.params.find("next")->second, "/");
  EXPECT_EQ(h.host, "127.0.0.1:8080");
  EXPECT_EQ(h.content_length, 11u);
  EXPECT_TRUE(h.expect_continue);
  EXPECT_TRUE(h.keep_alive);
  EXPECT_EQ(h.Header("cookie"), "a=1; b=2");
  EXPECT_EQ(h.Header("x-spaced"), "v");
  EXPECT_FALSE(Parse("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").keep_alive);
  EXPECT_FALSE(Parse("GET / HTTP/1.0\r\n\r\n").keep_alive);  // 1.0: no Host needed, no keep-alive
  EXPECT_TRUE(Parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").keep_alive);
  EXPECT_EQ(Parse("GET http://h.example/p HTTP/1.1\r\nHost: other\r\n\r\n").host, "h.example");
}

TEST(RequestHead, RefusesWhatTwoReadersCouldReadDifferently) {
  EXPECT_EQ(ErrorOf("GET / HTTP/1.1\r\n\r\n"), 400);                          // no Host
  EXPECT_EQ(ErrorOf("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), 400);    // two
  EXPECT_EQ(ErrorOf("GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n"), 400);    // obs-fold
  EXPECT_EQ(ErrorOf("GET / HTTP/1.1\r\nHost : a\r\n\r\n"), 400);              // space before ':'
  EXPECT_EQ(ErrorOf("GET / HTTP/1.1\r\nHost: a\r\nX: a\x01z\r\n\r\n"), 400);  // control in a value
  EXPECT_EQ(ErrorOf("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"), 400);
  EXPECT_EQ(ErrorOf("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n"), 400);
  EXPECT_EQ(ErrorOf("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n"), 413);
  EXPECT_EQ(ErrorOf("GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n"), 400);  // bare CR
  EXPECT_EQ(ErrorOf("GET  / HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
  EXPECT_EQ(ErrorOf("G(T / HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
  EXPECT_EQ(ErrorOf("GET / HTTP/2.0\r\nHost: a\r\n\r\n"), 505);
  EXPECT_EQ(ErrorOf("GET /\x7f HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
  EXPECT_EQ(ErrorOf("GET /" + std::string(8'200, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n"), 414);
  EXPECT_EQ(Parse("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\n").content_length, 5u);
}

Admission AdmitHead(const std::string& head) { return Admit(Parse(head), HttpLimits{}); }

TEST(Admission, OnlyTheLoginFormTakesABody) {
  EXPECT_EQ(AdmitHead("GET / HTTP/1.1\r\nHost: a\r\n\r\n").kind, Admission::Kind::kDispatch);
  const Admission login = AdmitHead("POST /login HTTP/1.1\r\nHost: a\r\nContent-Length: 30\r\n\r\n");
  EXPECT_EQ(login.kind, Admission::Kind::kReadBody);
  EXPECT_EQ(login.body_bytes, 30u);
  const Admission big = AdmitHead("POST /login HTTP/1.1\r\nHost: a\r\nContent-Length: 4097\r\n\r\n");
  EXPECT_EQ(big.status, 413);
  EXPECT_THAT(big.message, HasSubstr("4096"));
  EXPECT_EQ(AdmitHead("POST /api/v1/sweeps HTTP/1.1\r\nHost: a\r\nContent-Length: 600000000\r\n\r\n").status, 413);
  EXPECT_EQ(AdmitHead("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\n").status, 413);
  EXPECT_EQ(AdmitHead("POST /login HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n").status, 411);
  // A small body on a route that takes none: the handler answers (405) from the
  // head, the body stays unread, and the connection closes after.
  const Admission post = AdmitHead("POST /api/v1/sweeps HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n");
  EXPECT_EQ(post.kind, Admission::Kind::kDispatch);
  EXPECT_TRUE(post.close_after);
  EXPECT_TRUE(AdmitHead("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").close_after);
}

// Random edits of real heads: inserted, deleted and replaced bytes (biased towards
// the characters that matter: CR, LF, ':', ' ', '%', digits), duplicated lines,
// truncation. Every mutant is scanned whole and in random pieces (same answer),
// and a complete head is parsed and admitted without a crash, its error statuses
// among the ones the listener sends.
TEST(HttpHeadFuzz, MutatedHeadsAlwaysGetADefiniteAnswer) {
  const std::vector<std::string> seeds = {
      "GET /api/v1/sweeps?page_size=3&page_token=abc HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nAccept: */*\r\n\r\n",
      "POST /login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n"
      "Content-Length: 22\r\nExpect: 100-continue\r\n\r\ntoken=abc&next=%2Fsweeps",
      "HEAD /assets/js/main.js HTTP/1.0\r\nConnection: keep-alive\r\nCookie: hpsearch_session=ff\r\n\r\n",
      "GET http://evil.example/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
  };
  const std::string alphabet = "\r\n: %0123456789aZ/?=&+\t\x01\x7f\xff";
  std::mt19937_64 rng(26);
  const HttpLimits limits;
  std::map<int, int> outcomes;
  for (int round = 0; round < 20'000; ++round) {
    std::string s = seeds[rng() % seeds.size()];
    const int edits = 1 + static_cast<int>(rng() % 6);
    for (int e = 0; e < edits && !s.empty(); ++e) {
      const size_t at = rng() % s.size();
      const char c = rng() % 2 ? alphabet[rng() % alphabet.size()] : static_cast<char>(rng());
      switch (rng() % 5) {
        case 0:
          s.insert(s.begin() + at, c);
          break;
        case 1:
          s.erase(at, 1 + rng() % 4);
          break;
        case 2:
          s[at] = c;
          break;
        case 3:
          s.insert(at, s.substr(at, rng() % 40));
          break;
        default:
          s.resize(at);
          break;
      }
    }
    if (rng() % 50 == 0) s.insert(s.find('\n') + 1, std::string(rng() % 20'000, 'h'));  // oversized
    const HeadScan whole = ScanAll(s, limits);
    const HeadScan split = ScanSplit(s, {1 + rng() % 7, 1 + rng() % 300}, limits);
    ASSERT_EQ(whole.state, split.state) << round;
    ASSERT_EQ(whole.end, split.end) << round;
    ASSERT_EQ(whole.status, split.status) << round;
    if (whole.state == State::kNeedMore) {
      EXPECT_LE(s.size() - whole.skipped, limits.max_head_bytes);
      EXPECT_LT(whole.skipped, 65u);
      ++outcomes[0];
      continue;
    }
    if (whole.state == State::kRefused) {
      EXPECT_THAT(whole.status, ::testing::AnyOf(400, 414, 431)) << round;
      ++outcomes[whole.status];
      continue;
    }
    ASSERT_LE(whole.end, s.size());
    auto parsed = ParseRequestHead(std::string_view(s).substr(whole.skipped, whole.end - whole.skipped), limits);
    if (auto* e = std::get_if<HeadError>(&parsed)) {
      EXPECT_THAT(e->status, ::testing::AnyOf(400, 413, 414, 505)) << round << ": " << e->message;
      EXPECT_FALSE(e->message.empty());
      ++outcomes[e->status];
      continue;
    }
    const Admission a = Admit(std::get<RequestHead>(parsed), limits);
    if (a.kind == Admission::Kind::kRefuse) {
      EXPECT_THAT(a.status, ::testing::AnyOf(411, 413)) << round;
    }
    if (a.kind == Admission::Kind::kReadBody) {
      EXPECT_LE(a.body_bytes, limits.max_body_bytes);
    }
    ++outcomes[a.kind == Admission::Kind::kRefuse ? a.status : 200];
  }
  // The mutants reach every outcome, so the loop covers more than the happy path.
  for (int status : {0, 200, 400, 431}) EXPECT_GT(outcomes[status], 0) << status;
  EXPECT_GT(outcomes[411] + outcomes[413], 0);
}

}  // namespace
}  // namespace hpsearch::http
