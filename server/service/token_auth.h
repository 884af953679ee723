// Bearer-token authentication for every rpc of every hpsearch service (the health
// service is gRPC's own and stays open for probes).
//
// Each handler calls Check first; tests/e2e/auth_test.cc walks every method of
// every service descriptor, so an rpc added without the check fails the suite.
// The comparison takes the same time whatever the token; the token never appears in
// a message or a log line.
#pragma once

#include <grpcpp/grpcpp.h>

#include <string>

#include "absl/status/status.h"

namespace hpsearch::service {

class TokenAuth {
 public:
  explicit TokenAuth(std::string token) : token_(std::move(token)) {}
  bool enabled() const { return !token_.empty(); }
  // OK, or UNAUTHENTICATED without the right `authorization: Bearer <token>`.
  absl::Status Check(const grpc::CallbackServerContext* ctx) const;

 private:
  std::string token_;
};

// Compares in time that depends only on the lengths.
bool ConstantTimeEquals(const std::string& a, const std::string& b);

}  // namespace hpsearch::service
