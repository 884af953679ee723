// absl::Status (the libraries' errors) → grpc::Status (the wire). The one place the
// mapping lives; codes map one to one, messages pass through unchanged.
#pragma once

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/status.h>

#include <utility>

#include "absl/status/status.h"
#include "service/executor.h"

namespace hpsearch::service {

grpc::Status ToGrpc(const absl::Status& status);

// Finishes a unary callback call with `status` (data already in the response).
inline grpc::ServerUnaryReactor* Reply(grpc::CallbackServerContext* ctx, const absl::Status& status) {
  auto* reactor = ctx->DefaultReactor();
  reactor->Finish(ToGrpc(status));
  return reactor;
}

// Runs `work` (returning absl::Status, having filled the response) on `executor` and
// finishes the call with its status; UNAVAILABLE when the executor's queue is full.
// The request, response and context stay valid until the call is finished.
template <typename Work>
grpc::ServerUnaryReactor* Offload(grpc::CallbackServerContext* ctx, Executor& executor, Work work) {
  auto* reactor = ctx->DefaultReactor();
  const bool queued = executor.Post([reactor, work = std::move(work)]() mutable { reactor->Finish(ToGrpc(work())); });
  if (!queued) reactor->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "the server is overloaded; retry"));
  return reactor;
}

}  // namespace hpsearch::service
