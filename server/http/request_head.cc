#include "server/http/request_head.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "server/http/request_target.h"

namespace hpsearch::http {

namespace {

// RFC 9110 token characters (method and header names).
bool IsToken(absl::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (!absl::ascii_isalnum(c) && !absl::StrContains("!#$%&'*+-.^_`|~", static_cast<char>(c))) return false;
  }
  return true;
}

bool HasControl(absl::string_view s, bool allow_tab) {
  for (unsigned char c : s) {
    if ((c < 0x20 && !(allow_tab && c == '\t')) || c == 0x7f) return true;
  }
  return false;
}

std::string Quote(absl::string_view s) { return absl::StrCat("'", absl::CHexEscape(s.substr(0, 80)), "'"); }

// "GET /path HTTP/1.1" into `head`.
std::optional<HeadError> ParseRequestLine(absl::string_view line, const HttpLimits& limits, RequestHead* head) {
  std::vector<absl::string_view> parts = absl::StrSplit(line, ' ');
  if (parts.size() != 3)
    return HeadError{400, absl::StrCat("request line ", Quote(line), ": expected METHOD TARGET HTTP/1.1")};
  if (!IsToken(parts[0])) return HeadError{400, absl::StrCat("method ", Quote(parts[0]), " is not a token")};
  if (parts[1].size() > limits.max_target_bytes) {
    return HeadError{414,
                     absl::StrCat("request target of ", parts[1].size(), " bytes: at most ", limits.max_target_bytes)};
  }
  if (parts[1].empty() || HasControl(parts[1], false)) {
    return HeadError{400, absl::StrCat("request target ", Quote(parts[1]), ": empty or with control characters")};
  }
  if (parts[2] == "HTTP/1.1" || parts[2] == "HTTP/1.0") {
    head->minor_version = parts[2].back() - '0';
  } else if (absl::StartsWith(parts[2], "HTTP/")) {
    return HeadError{505, absl::StrCat(Quote(parts[2]), ": this server speaks HTTP/1.1 and HTTP/1.0")};
  } else {
    return HeadError{400, absl::StrCat("request line ", Quote(line), ": expected METHOD TARGET HTTP/1.1")};
  }
  auto target = ParseTarget(std::string_view(parts[1].data(), parts[1].size()));
  if (!target.ok()) return HeadError{400, std::string(target.status().message())};
  head->method = std::string(parts[0]);
  head->target = std::string(parts[1]);
  head->path = std::move(target->path);
  head->params = std::move(target->params);
  head->host = std::move(target->authority);
  return std::nullopt;
}

// "Name: value" into `head->headers`.
std::optional<HeadError> ParseHeaderLine(absl::string_view line, RequestHead* head) {
  if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
    return HeadError{400, "a header line starts with white space (obsolete line folding is not accepted)"};
  }
  const std::size_t colon = line.find(':');
  if (colon == absl::string_view::npos || !IsToken(line.substr(0, colon))) {
    return HeadError{400, absl::StrCat("header line ", Quote(line), ": expected Name: value")};
  }
  absl::string_view value = absl::StripAsciiWhitespace(line.substr(colon + 1));
  if (HasControl(value, true)) {
    return HeadError{400, absl::StrCat("header ", Quote(line.substr(0, colon)), ": control characters in its value")};
  }
  head->headers.emplace_back(absl::AsciiStrToLower(line.substr(0, colon)), std::string(value));
  return std::nullopt;
}

// Host, Content-Length, Transfer-Encoding, Connection and Expect, once all headers are in.
std::optional<HeadError> Frame(RequestHead* head) {
  int hosts = 0;
  for (const auto& [name, value] : head->headers) {
    if (name == "host") {
      ++hosts;
      if (head->host.empty()) head->host = value;
    } else if (name == "content-length") {
      for (absl::string_view v : absl::StrSplit(value, ',')) {  // "5, 5" from a proxy that merged two
        v = absl::StripAsciiWhitespace(v);
        uint64_t n = 0;
        if (v.empty() || v.size() > 18 || !std::all_of(v.begin(), v.end(), absl::ascii_isdigit) ||
            !absl::SimpleAtoi(v, &n)) {
          return HeadError{v.size() > 18 ? 413 : 400, absl::StrCat("Content-Length ", Quote(value), ": not a size")};
        }
        if (head->content_length && *head->content_length != n) {
          return HeadError{400, "Content-Length given twice with different values"};
        }
        head->content_length = n;
      }
    } else if (name == "transfer-encoding") {
      head->transfer_encoding = true;
    } else if (name == "expect") {
      head->expect_continue = absl::EqualsIgnoreCase(value, "100-continue");
    }
  }
  if (hosts > 1) return HeadError{400, "Host given more than once"};
  if (hosts == 0 && head->minor_version == 1) return HeadError{400, "HTTP/1.1 request without a Host header"};
  const std::string connection = absl::AsciiStrToLower(head->Header("connection"));
  const bool close = absl::StrContains(connection, "close");
  head->keep_alive = head->minor_version == 1 ? !close : absl::StrContains(connection, "keep-alive") && !close;
  return std::nullopt;
}

}  // namespace

std::string RequestHead::Header(std::string_view name) const {
  std::vector<absl::string_view> values;
  for (const auto& [n, v] : headers) {
    if (n == name) values.push_back(v);
  }
  return absl::StrJoin(values, name == "cookie" ? "; " : ", ");
}

std::variant<RequestHead, HeadError> ParseRequestHead(std::string_view head_bytes, const HttpLimits& limits) {
  const absl::string_view head(head_bytes.data(), head_bytes.size());
  RequestHead out;
  bool first = true;
  for (absl::string_view line : absl::StrSplit(head, '\n')) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;  // the blank line that ends the head
    if (line.find('\r') != absl::string_view::npos) return HeadError{400, "a bare CR inside a line"};
    auto error = first ? ParseRequestLine(line, limits, &out) : ParseHeaderLine(line, &out);
    if (error) return *error;
    first = false;
  }
  if (first) return HeadError{400, "empty request"};
  if (auto error = Frame(&out)) return *error;
  return out;
}

}  // namespace hpsearch::http
