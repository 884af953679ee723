// Every rpc of hpsearch's services passes through here: the token check first, then
// the handler's work on the Executor (never on gRPC's threads), then the one
// conversion of its status. No handler can skip the check by accident:
// tests/e2e/security_test.cc calls every method found in the service descriptors
// with no, wrong and right tokens.
#pragma once

#include <grpcpp/grpcpp.h>

#include <utility>

#include "absl/status/status.h"
#include "server/service/executor.h"
#include "server/service/status_convert.h"
#include "server/service/token_auth.h"

namespace hpsearch::service {

class Gate {
 public:
  Gate(const TokenAuth& auth, Executor& executor) : auth_(auth), executor_(executor) {}

  // A unary call: `work()` fills the response and returns its status. The request,
  // response and context stay valid until the call is finished.
  template <typename Work>
  grpc::ServerUnaryReactor* Unary(grpc::CallbackServerContext* ctx, Work work) {
    auto* reactor = ctx->DefaultReactor();
    if (auto st = auth_.Check(ctx); !st.ok()) {
      reactor->Finish(ToGrpc(st));
      return reactor;
    }
    const bool queued =
        executor_.Post([reactor, work = std::move(work)]() mutable { reactor->Finish(ToGrpc(work())); });
    if (!queued) reactor->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "the server is overloaded; retry"));
    return reactor;
  }

  // For a stream: OK to open it, or why not.
  absl::Status Admit(const grpc::CallbackServerContext* ctx) const { return auth_.Check(ctx); }
  Executor& executor() { return executor_; }

 private:
  const TokenAuth& auth_;
  Executor& executor_;
};

}  // namespace hpsearch::service
