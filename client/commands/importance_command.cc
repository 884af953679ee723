// `hpsearch importance SWEEP`: how much each searched parameter mattered (PED-ANOVA
// over the completed trials, computed by the server), as bars; withheld, with how
// many trials it takes, while too few trials have completed to tell.
#include <cmath>
#include <ostream>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "client/commands/call_and_print.h"
#include "client/commands/commands.h"
#include "client/format.h"
#include "hpsearch/v1/sweep_service.grpc.pb.h"

namespace hpsearch::client {
namespace {

namespace v1 = hpsearch::v1;

nlohmann::json ImportanceJson(const v1::Importance& imp) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& p : imp.importances()) list.push_back({{"param", p.param()}, {"importance", p.importance()}});
  return {{"method", imp.method()},
          {"target_quantile", imp.target_quantile()},
          {"completed_trials", imp.completed_trials()},
          {"minimum_trials", imp.minimum_trials()},
          {"withheld", imp.completed_trials() < imp.minimum_trials()},
          {"importances", list}};
}

void PrintImportanceCsv(const v1::Importance& imp, std::ostream& out) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& p : imp.importances()) rows.push_back({p.param(), Exact(p.importance())});
  PrintCsv(out, {"param", "importance"}, rows);
}

// A bar of `share` (0..1) in eighths of a 30-cell column.
std::string Bar(double share) {
  static const char* kEighths[] = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
  const int eighths = static_cast<int>(std::lround(std::clamp(share, 0.0, 1.0) * 30 * 8));
  std::string bar;
  for (int i = 0; i < eighths / 8; ++i) bar += "█";
  return bar + kEighths[eighths % 8];
}

void PrintImportance(const v1::Importance& imp, std::ostream& out) {
  if (imp.completed_trials() < imp.minimum_trials()) {
    out << "importance withheld: " << imp.completed_trials() << " completed trial"
        << (imp.completed_trials() == 1 ? "" : "s") << " so far, it is shown from " << imp.minimum_trials()
        << " on (below that the best " << imp.target_quantile() * 100 << "% is a trial or two)\n";
    return;
  }
  out << "PED-ANOVA over " << imp.completed_trials() << " completed trials (the best " << imp.target_quantile() * 100
      << "% against all); shares sum to 1\n\n";
  std::vector<std::vector<std::string>> rows;
  for (const auto& p : imp.importances()) rows.push_back({p.param(), Cell(p.importance()), Bar(p.importance())});
  PrintTable(out, {"param", "importance", ""}, rows);
}

class ImportanceCommand final : public ServerCommand {
 public:
  CLI::App* Register(CLI::App& app) override {
    auto* cmd = AddCommand(app, "importance", "Which searched parameters mattered (PED-ANOVA over completed trials)",
                           "hpsearch importance quickstart");
    cmd->add_option("sweep", sweep_, "Sweep id or name")->required();
    return cmd;
  }

 protected:
  int RunOn(Connection& c, Context& ctx) override {
    v1::GetImportanceRequest req;
    req.set_sweep(sweep_);
    return CallAndPrint<v1::Importance>(
        c, [&](grpc::ClientContext* cc, v1::Importance* resp) { return c.sweeps().GetImportance(cc, req, resp); },
        {.json = ImportanceJson, .indent = 2, .csv = PrintImportanceCsv, .text = PrintImportance}, ctx.out, ctx.err);
  }

 private:
  std::string sweep_;
};

}  // namespace

std::unique_ptr<Command> MakeImportanceCommand() { return std::make_unique<ImportanceCommand>(); }

}  // namespace hpsearch::client
