#include "client/commands/command.h"

#include <algorithm>
#include <ostream>

#include "CLI/CLI.hpp"
#include "client/connection.h"

namespace hpsearch::client {

int ServerCommand::Run(Context& ctx) {
  if (!ServerUsable(ctx)) return kExitUsage;
  if (const std::optional<int> code = Refuse(ctx)) return *code;
  Connection c(ctx.global);
  return RunOn(c, ctx);
}

bool ServerUsable(const Context& ctx) {
  const std::string problem = ServerAddressProblem(ctx.global.server);
  if (!problem.empty()) ctx.err << "error: --server " << problem << "\n";
  return problem.empty();
}

CLI::App* AddCommand(CLI::App& app, const std::string& name, const std::string& help, const std::string& example) {
  auto* cmd = app.add_subcommand(name, help);
  cmd->footer("Example:\n  " + example);
  return cmd;
}

CLI::Validator TrialIndex() {
  return CLI::Validator(
      [](const std::string& v) {
        return !v.empty() && v.size() <= 18 &&
                       std::all_of(v.begin(), v.end(), [](char ch) { return ch >= '0' && ch <= '9'; })
                   ? std::string()
                   : "'" + v + "' is not a trial index (0, 1, 2, ...: the TRIAL column of `hpsearch trials`)";
      },
      "INDEX");
}

}  // namespace hpsearch::client
