// absl::Status (the libraries' errors) → grpc::Status (the wire). The one place the
// mapping lives; codes map one to one, messages pass through unchanged.
#pragma once

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace hpsearch::service {

grpc::Status ToGrpc(const absl::Status& status);

}  // namespace hpsearch::service
