// The request target of an HTTP/1.1 request as the handlers see it: the path
// percent-decoded, the query string split into decoded parameters ('+' is a space
// there, not in the path), the fragment dropped. An escape that is not two hex
// digits is kept as it is, as cpp-httplib did (the dashboard and tests rely on the
// same decoding). Pure functions, thread-safe.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace hpsearch::http {

// "%41" → 'A'; with `plus_as_space`, '+' → ' '.
std::string PercentDecode(std::string_view s, bool plus_as_space);

// "a=1&b=x+y&a=2" → {a: "1", a: "2", b: "x y"}: each pair split at its first '=', an
// empty key dropped, a key without '=' given the value "".
void ParseQuery(std::string_view query, std::multimap<std::string, std::string>* params);

struct Target {
  std::string path;                                // decoded, starts with '/'
  std::multimap<std::string, std::string> params;  // the query string, decoded
  std::string authority;                           // the host of an absolute-form target ("http://host/path"), else ""
};

// Origin form ("/path?query#fragment") or absolute form ("http://host/path?query");
// INVALID_ARGUMENT naming the problem for anything else ("*", "example.com:443").
absl::StatusOr<Target> ParseTarget(std::string_view target);

}  // namespace hpsearch::http
