// hpsearch: the command-line client. The global options are parsed here; every
// command is a Command of client/commands/ (command_table.h lists them), run once the
// command line has named it.
#include <algorithm>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "client/commands/command.h"
#include "client/commands/command_table.h"
#include "client/connection.h"
#include "client/option_checks.h"
#include "client/safe_output.h"
#include "client/usage_error.h"
#include "common/util/did_you_mean.h"

namespace {

// The first word of the command line that names no option or option value: what
// the user meant as the command ("" if none).
std::string CommandWord(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind("-", 0) != 0) return a;
    // Global options that take a separate value.
    if (a == "--server" || a == "--token" || a == "-o" || a == "--output" || a == "--timeout" || a == "--tls-ca") ++i;
  }
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  using namespace hpsearch::client;
  CLI::App app{"hpsearch: submit, watch and query hyperparameter sweeps"};
  app.require_subcommand(1);
  app.fallthrough();
  app.footer(
      "Environment: HPSEARCH_SERVER (default 127.0.0.1:50051), HPSEARCH_TOKEN, HPSEARCH_TLS_CA.\n"
      "Exit codes: 0 ok, 1 server error, 2 usage or invalid spec, 3 server unreachable,\n"
      "4 not serving, 5 the watched sweep failed.");
  GlobalOptions g;
  std::string output;
  app.add_option("--server", g.server, "Server address host:port")->envname("HPSEARCH_SERVER")->capture_default_str();
  app.add_option("--token", g.token, "Bearer token")->envname("HPSEARCH_TOKEN");
  auto* output_opt =
      app.add_option("-o,--output", output, "Output format: table, wide (a table with run details), json or csv")
          ->check(CLI::IsMember({"table", "wide", "json", "csv"}));
  app.add_option("--timeout", g.timeout_seconds, "Seconds per call")->check(kPositive)->capture_default_str();
  app.add_option("--tls-ca", g.tls_ca, "Connect with TLS, trusting this CA certificate (PEM)")
      ->envname("HPSEARCH_TLS_CA");

  CommandTable commands;
  commands.Register(app);

  std::vector<std::string> names;
  for (const auto* sub : app.get_subcommands([](const CLI::App*) { return true; })) names.push_back(sub->get_name());
  const std::string word = CommandWord(argc, argv);
  if (!word.empty() && std::find(names.begin(), names.end(), word) == names.end()) {
    std::cerr << "error: unknown command '" << word << "'" << hpsearch::DidYouMean(word, names)
              << "; see hpsearch --help\n";
    return kExitUsage;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e) == 0 ? kExitOk : kExitUsage;  // --help
    std::cerr << "error: " << UsageError(app, e, word, argc, argv) << "\n";
    return kExitUsage;
  }
  Command* command = commands.Parsed();
  if (command == nullptr) return kExitUsage;  // require_subcommand(1): not reached

  const bool output_given = output_opt->count() > 0;
  g.format = output_given ? ParseOutputFormat(output).value() : command->DefaultFormat();
  // Nothing the server says reaches the terminal as a control sequence
  // (client/safe_output.h); CSV is written exactly, for programs.
  std::optional<SafeStream> safe_out;
  std::optional<SafeStream> safe_err;
  if (command->Escaped()) {
    safe_err.emplace(std::cerr, SafeOutput::Mode::kText);
    if (g.format != OutputFormat::kCsv) {
      safe_out.emplace(std::cout, g.format == OutputFormat::kJson ? SafeOutput::Mode::kJson : SafeOutput::Mode::kText);
    }
  }
  Context ctx{app, g, output_given, std::cin, std::cout, std::cerr};
  return command->Run(ctx);
}
