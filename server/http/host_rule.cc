#include "server/http/host_rule.h"

#include <arpa/inet.h>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace hpsearch::http {

namespace {

bool IsIpLiteral(const std::string& host) {
  unsigned char buf[16];
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    return inet_pton(AF_INET6, host.substr(1, host.size() - 2).c_str(), buf) == 1;
  }
  return inet_pton(AF_INET, host.c_str(), buf) == 1;
}

}  // namespace

HostRule::HostRule(const std::vector<std::string>& names, bool token_required) : token_required_(token_required) {
  for (const auto& n : names) names_.insert(HostOf(n));
}

std::string HostRule::HostOf(std::string_view host_header) {
  absl::string_view host = absl::StripAsciiWhitespace(absl::string_view(host_header.data(), host_header.size()));
  if (absl::StartsWith(host, "[")) {
    const std::size_t close = host.find(']');
    host = close == absl::string_view::npos ? host : host.substr(0, close + 1);
  } else if (const std::size_t colon = host.rfind(':'); colon != absl::string_view::npos) {
    host = host.substr(0, colon);
  }
  std::string out = absl::AsciiStrToLower(host);
  if (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

absl::Status HostRule::Check(std::string_view host_header) const {
  if (host_header.empty() || token_required_) return absl::OkStatus();
  const std::string host = HostOf(host_header);
  if (IsIpLiteral(host) || host == "localhost" || absl::EndsWith(host, ".localhost") || names_.count(host)) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError(
      absl::StrCat("Host '", absl::CHexEscape(host.substr(0, 100)),
                   "' is not served here: use an IP address or localhost, or start the server with --http-host ",
                   absl::CHexEscape(host.substr(0, 100)), " (or with --token)"));
}

}  // namespace hpsearch::http
