// hpsearch: the command-line client.
#include <iostream>

#include "CLI/CLI.hpp"
#include "client/commands/plan_command.h"

int main(int argc, char** argv) {
  CLI::App app{"hpsearch: hyperparameter search"};
  app.require_subcommand(1);
  std::string output = "table";
  app.add_option("-o,--output", output, "Output format")->check(CLI::IsMember({"table", "json", "csv"}));

  hpsearch::client::PlanOptions plan;
  auto* plan_cmd = app.add_subcommand("plan", "Validate a sweep spec and preview its trials (offline)");
  plan_cmd->add_option("spec", plan.spec_path, "Sweep spec (YAML)")->required();
  plan_cmd->add_option("--limit", plan.limit, "Trials to show")->check(CLI::NonNegativeNumber);
  plan_cmd->add_option("-o,--output", output, "table or json")->check(CLI::IsMember({"table", "json"}));
  plan_cmd->footer("Example:\n  hpsearch plan examples/quickstart.yaml --limit 5");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  if (*plan_cmd) {
    plan.output = output;
    return hpsearch::client::RunPlan(plan, std::cout, std::cerr);
  }
  return 2;
}
