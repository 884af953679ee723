// absl::Status (the libraries' errors) → grpc::Status (the wire). The one place the
// mapping lives; codes map one to one, messages pass through printable
// (util/printable.h: a control character quoted from a request shows as `\x1b`) and
// cut to kMaxStatusMessageBytes (their start, the field path, kept; "…" marks a cut).
//
// A status message travels in gRPC metadata (grpc-message, percent-encoded: up to
// three bytes per byte), and a client refuses metadata above 8 KB ("received
// initial metadata size exceeds limit") or never sees the reply; every message the
// libraries make quotes values in bounded form (util/printable.h's Quoted), and this
// cut is the last line of defence.
#pragma once

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/status.h>

#include <cstddef>

#include "absl/status/status.h"

namespace hpsearch::service {

inline constexpr std::size_t kMaxStatusMessageBytes = 1024;

grpc::Status ToGrpc(const absl::Status& status);

}  // namespace hpsearch::service
