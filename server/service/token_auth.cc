#include "server/service/token_auth.h"

#include "common/util/secret.h"

namespace hpsearch::service {

bool ConstantTimeEquals(const std::string& a, const std::string& b) { return SecretEquals(a, b); }

absl::Status TokenAuth::Check(const grpc::CallbackServerContext* ctx) const {
  if (token_.empty()) return absl::OkStatus();
  const auto& md = ctx->client_metadata();
  auto it = md.find("authorization");
  if (it == md.end()) {
    return absl::UnauthenticatedError("this server requires a token: authorization: Bearer <token>");
  }
  const std::string value(it->second.data(), it->second.size());
  static const std::string kBearer = "Bearer ";
  const bool bearer = value.size() > kBearer.size() && value.compare(0, kBearer.size(), kBearer) == 0;
  const std::string given = bearer ? value.substr(kBearer.size()) : std::string();
  if (!ConstantTimeEquals(given, token_) || !bearer) return absl::UnauthenticatedError("invalid token");
  return absl::OkStatus();
}

}  // namespace hpsearch::service
