// A complete HTTP/1.x request head (HeadScanner found its end) parsed into what the
// listener needs: method, target (decoded: request_target.h), version, headers, and
// the framing facts derived from them — Host, Content-Length, Transfer-Encoding,
// keep-alive, Expect: 100-continue. Strict where leniency lets two readers of one
// request disagree (request smuggling): obsolete line folding, a space before a
// header's colon, control characters, conflicting Content-Length values and a
// missing or repeated Host on HTTP/1.1 are refused. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "server/http/http_limits.h"

namespace hpsearch::http {

struct RequestHead {
  std::string method;
  std::string target;                                        // as sent
  int minor_version = 1;                                     // HTTP/1.0 or HTTP/1.1
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case, values trimmed
  std::string path;                                          // decoded
  std::multimap<std::string, std::string> params;            // the query string, decoded
  std::string host;                                          // the Host header, or an absolute-form target's host
  std::optional<uint64_t> content_length;
  bool transfer_encoding = false;  // any Transfer-Encoding header
  bool keep_alive = true;          // the connection may carry another request after this one
  bool expect_continue = false;    // Expect: 100-continue

  // Every value of header `name` (lower case) joined by ", " ("; " for Cookie), "" if absent.
  std::string Header(std::string_view name) const;
};

// Why a head is refused: the status to answer with (400, 413, 414, 505) and what
// was wrong, for the client.
struct HeadError {
  int status = 400;
  std::string message;
};

std::variant<RequestHead, HeadError> ParseRequestHead(std::string_view head, const HttpLimits& limits);

}  // namespace hpsearch::http
