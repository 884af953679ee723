// The server's records and events ⇄ hpsearch.v1 messages (the shared protocol and
// spec conversions are proto/convert/). With proto/convert, the only server code
// that touches hpsearch.v1 types outside the gRPC handlers.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "hpsearch/v1/sweep_service.pb.h"
#include "hpsearch/v1/trial.pb.h"
#include "search/spec.h"
#include "server/scheduler/sweep_event.h"
#include "server/store/records.h"

namespace hpsearch::service {

// The spec as stored: its wire form, serialised deterministically (equal specs, equal
// bytes), and back.
std::string EncodeSpec(const hpsearch::v1::SweepSpec& spec);
absl::StatusOr<search::Spec> DecodeSpec(const std::string& encoded);

// `with_spec`: decode the stored spec into the message.
hpsearch::v1::Sweep ToProto(const store::SweepRecord& r, bool with_spec);
hpsearch::v1::Trial ToProto(const store::TrialRecord& t);
hpsearch::v1::SweepEvent ToProto(const scheduler::SweepEvent& e);

}  // namespace hpsearch::service
