// A lease: one attempt at one trial, handed to a worker slot.
#pragma once

#include <cstdint>
#include <string>

#include <optional>

#include "common/protocol/command.h"
#include "common/util/value.h"
#include "common/vocabulary/datasets.h"

namespace hpsearch {

// Identifies one attempt at one trial. Every report names it; a report for an
// attempt that no longer holds the lease changes nothing.
struct LeaseKey {
  std::string sweep_id;  // "s-000001"
  int64_t index = 0;     // the trial's position in its sweep, from 0
  int32_t attempt = 1;   // from 1; +1 each time a lease is lost or handed back
  // The server's unguessable id of this attempt's lease (32 hex digits): a report
  // without it changes nothing, so a worker cannot report for an attempt it was never
  // given by guessing its number.
  std::string lease_id;

  friend bool operator==(const LeaseKey&, const LeaseKey&) = default;
};

struct Lease {
  LeaseKey key;
  vocabulary::DatasetOptions dataset;
  Params params;  // the trial's settings (the spec's fixed ones merged in)
  uint64_t seed = 0;
  int64_t expires_ms = 0;  // unix ms on the server's clock (for display)
  // How long the lease lasts past each report: report (or heartbeat) well within it.
  int64_t lease_ms = 0;
  // The sweep's objective: early stopping watches it and picks the best epoch by it.
  std::string objective_metric;
  bool objective_maximize = false;
  // Set for the user's own program (the sweep's trainer.command): what to run.
  std::optional<CommandSpec> command;
};

}  // namespace hpsearch
