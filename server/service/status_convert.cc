#include "server/service/status_convert.h"

#include <string>

#include "common/util/printable.h"

namespace hpsearch::service {

grpc::Status ToGrpc(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  // absl::StatusCode and grpc::StatusCode share their numbering (both are the
  // canonical google.rpc.Code), checked here so a change cannot slip through.
  static_assert(static_cast<int>(absl::StatusCode::kInvalidArgument) ==
                static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  static_assert(static_cast<int>(absl::StatusCode::kUnauthenticated) ==
                static_cast<int>(grpc::StatusCode::UNAUTHENTICATED));
  static_assert(static_cast<int>(absl::StatusCode::kResourceExhausted) ==
                static_cast<int>(grpc::StatusCode::RESOURCE_EXHAUSTED));
  const absl::string_view message = status.message();
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      Truncated(Printable(std::string_view(message.data(), message.size())), kMaxStatusMessageBytes));
}

}  // namespace hpsearch::service
