// `hpsearch plan SPEC.yaml [--limit N] [-o table|json]`: validates a spec offline and
// previews its trials — no server needed.
#pragma once

#include <iosfwd>
#include <string>

namespace hpsearch::client {

struct PlanOptions {
  std::string spec_path;
  int64_t limit = 10;
  std::string output = "table";  // table | json | csv (the previewed trials)
};

// Exit code: 0 valid, 2 invalid spec or unreadable file.
int RunPlan(const PlanOptions& options, std::ostream& out, std::ostream& err);

}  // namespace hpsearch::client
