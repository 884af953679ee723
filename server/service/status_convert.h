// absl::Status (the libraries' errors) → grpc::Status (the wire). The one place the
// mapping lives; codes map one to one, messages pass through unchanged.
#pragma once

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace hpsearch::service {

grpc::Status ToGrpc(const absl::Status& status);

// Finishes a unary callback call with `status` (data already in the response).
inline grpc::ServerUnaryReactor* Reply(grpc::CallbackServerContext* ctx, const absl::Status& status) {
  auto* reactor = ctx->DefaultReactor();
  reactor->Finish(ToGrpc(status));
  return reactor;
}

}  // namespace hpsearch::service
