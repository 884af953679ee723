#include "server/http/request_target.h"

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace hpsearch::http {

namespace {

absl::string_view A(std::string_view s) { return absl::string_view(s.data(), s.size()); }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string PercentDecode(std::string_view s, bool plus_as_space) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2]));
      i += 2;
    } else if (c == '+' && plus_as_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

void ParseQuery(std::string_view query, std::multimap<std::string, std::string>* params) {
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const std::size_t eq = pair.find('=');
    std::string key = PercentDecode(pair.substr(0, eq), true);
    if (key.empty()) continue;
    std::string value = eq == std::string_view::npos ? std::string() : PercentDecode(pair.substr(eq + 1), true);
    params->emplace(std::move(key), std::move(value));
  }
}

absl::StatusOr<Target> ParseTarget(std::string_view target) {
  Target t;
  if (const std::size_t hash = target.find('#'); hash != std::string_view::npos) target = target.substr(0, hash);
  std::string origin_form;  // "http://h?q" asks for "/?q" on h
  for (std::string_view scheme : {"http://", "https://"}) {
    if (target.size() < scheme.size() || !absl::EqualsIgnoreCase(A(target.substr(0, scheme.size())), A(scheme)))
      continue;
    target.remove_prefix(scheme.size());
    const std::size_t end = target.find_first_of("/?");
    t.authority = std::string(target.substr(0, end));
    if (t.authority.empty()) return absl::InvalidArgumentError("request target: an absolute URL without a host");
    target = end == std::string_view::npos ? std::string_view() : target.substr(end);
    if (target.empty() || target[0] == '?') {
      origin_form = absl::StrCat("/", A(target));
      target = origin_form;
    }
    break;
  }
  if (target.empty() || target[0] != '/') {
    return absl::InvalidArgumentError(absl::StrCat("request target '", absl::CHexEscape(A(target.substr(0, 64))),
                                                   "': expected a path starting with '/'"));
  }
  const std::size_t q = target.find('?');
  t.path = PercentDecode(target.substr(0, q), false);
  if (q != std::string_view::npos) ParseQuery(target.substr(q + 1), &t.params);
  return t;
}

}  // namespace hpsearch::http
