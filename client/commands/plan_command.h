// `hpsearch plan SPEC.yaml [--limit N] [-o table|json|csv]`: validates a spec offline
// and previews its trials — no server needed.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>

#include "client/commands/command.h"
#include "client/global_options.h"

namespace hpsearch::client {

struct PlanOptions {
  std::string spec_path;
  int64_t limit = 10;
  OutputFormat format = OutputFormat::kTable;  // json, csv (the previewed trials), else a table
};

// Exit code: 0 valid, 2 invalid spec or unreadable file.
int RunPlan(const PlanOptions& options, std::ostream& out, std::ostream& err);
std::unique_ptr<Command> MakePlanCommand();

}  // namespace hpsearch::client
