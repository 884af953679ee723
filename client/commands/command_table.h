// Every command of the CLI, in the order `hpsearch --help` lists them, and which of
// them a parsed command line named: main registers the table on its parser, parses,
// and runs what Parsed() returns.
#pragma once

#include <memory>
#include <utility>
#include <vector>

#include "client/commands/command.h"

namespace hpsearch::client {

class CommandTable {
 public:
  CommandTable();
  // Adds every command's subcommand to `app`.
  void Register(CLI::App& app);
  // The command registered as `sub`; nullptr for a subcommand this table did not add.
  Command* Find(const CLI::App* sub) const;
  // The command the parsed command line named; nullptr when none.
  Command* Parsed() const;

 private:
  std::vector<std::pair<CLI::App*, std::unique_ptr<Command>>> commands_;  // the subcommand once registered
};

}  // namespace hpsearch::client
