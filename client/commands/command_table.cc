#include "client/commands/command_table.h"

#include "CLI/CLI.hpp"
#include "client/commands/commands.h"
#include "client/commands/plan_command.h"

namespace hpsearch::client {

CommandTable::CommandTable() {
  for (auto* make :
       {MakePlanCommand,    MakeSubmitCommand,    MakeListCommand,   MakeStatusCommand,     MakeTrialsCommand,
        MakeTrialCommand,   MakeLogsCommand,      MakeBestCommand,   MakeImportanceCommand, MakeSpecCommand,
        MakeWatchCommand,   MakeStopCommand,      MakeCancelCommand, MakeExtendCommand,     MakeRetryCommand,
        MakeDeleteCommand,  MakeCompareCommand,   MakeExportCommand, MakeHealthCommand,     MakeWorkersCommand,
        MakeVersionCommand, MakeCompletionCommand}) {
    commands_.emplace_back(nullptr, make());
  }
}

void CommandTable::Register(CLI::App& app) {
  for (auto& [sub, command] : commands_) sub = command->Register(app);
}

Command* CommandTable::Find(const CLI::App* sub) const {
  for (const auto& [registered, command] : commands_) {
    if (registered != nullptr && registered == sub) return command.get();
  }
  return nullptr;
}

Command* CommandTable::Parsed() const {
  for (const auto& [sub, command] : commands_) {
    if (sub != nullptr && sub->parsed()) return command.get();
  }
  return nullptr;
}

}  // namespace hpsearch::client
