// A command of the hpsearch CLI. Each adds its subcommand to the parser (name, help,
// an example, options bound to its own fields) and runs once the command line named
// it: client/commands/command_table.h lists them all, main registers each, parses
// once and runs the one named. A command writes data on ctx.out and errors (one line
// each) on ctx.err, and returns the exit code (client/connection.h). The parser is
// CLI11; this header names its types only.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>

#include "client/global_options.h"

namespace CLI {
class App;
class Validator;
}  // namespace CLI

namespace hpsearch::client {

class Connection;

// What a parsed command runs with.
struct Context {
  const CLI::App& app;   // the whole command line, every command registered
  GlobalOptions global;  // format: -o as given, else the command's DefaultFormat()
  bool output_given;     // -o was on the command line
  std::istream& in;      // answers to questions (delete asks)
  std::ostream& out;     // data
  std::ostream& err;     // errors, notes and questions
};

class Command {
 public:
  virtual ~Command() = default;
  // Adds this command's subcommand to `app`, its options bound to this object;
  // returns the subcommand.
  virtual CLI::App* Register(CLI::App& app) = 0;
  // Runs the command the command line named (parsed into this object's fields).
  virtual int Run(Context& ctx) = 0;
  // What it writes without -o (a table; export: csv).
  virtual OutputFormat DefaultFormat() const { return OutputFormat::kTable; }
  // Whether what it prints goes through SafeOutput (client/safe_output.h): all
  // but `logs --raw`.
  virtual bool Escaped() const { return true; }
};

// A command that asks the server: Run refuses an unusable --server (exit 2), then
// what Refuse refuses, then connects and runs RunOn.
class ServerCommand : public Command {
 public:
  int Run(Context& ctx) final;

 protected:
  // An exit code (said on ctx.err) for options this command cannot take; none when fine.
  virtual std::optional<int> Refuse(const Context&) const { return std::nullopt; }
  virtual int RunOn(Connection& c, Context& ctx) = 0;
};

// True when --server is usable; otherwise says why on ctx.err.
bool ServerUsable(const Context& ctx);

// Adds subcommand `name` to `app`: `help` in the command list, `example` as the
// footer of its --help.
CLI::App* AddCommand(CLI::App& app, const std::string& name, const std::string& help, const std::string& example);

// A trial index as the user types it: digits (0, 1, 2, ... as `hpsearch trials` shows).
CLI::Validator TrialIndex();

}  // namespace hpsearch::client
