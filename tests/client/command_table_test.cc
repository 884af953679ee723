// The command table against the parser: every subcommand the parser knows runs a
// Command of the table, each command's example (the footer of its --help) parses to
// that command, and the real binary keeps the commands' special cases.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "CLI/CLI.hpp"
#include "client/commands/command_table.h"
#include "tests/client/run_cli.h"

namespace hpsearch::client {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::RunCli;

std::vector<const CLI::App*> Subcommands(const CLI::App& app) {
  return app.get_subcommands([](const CLI::App*) { return true; });
}

TEST(CommandTable, EverySubcommandRunsACommandOfTheTable) {
  CLI::App app;
  CommandTable table;
  table.Register(app);
  std::set<std::string> names;
  std::set<const Command*> commands;
  for (const CLI::App* sub : Subcommands(app)) {
    EXPECT_TRUE(names.insert(sub->get_name()).second) << sub->get_name() << " is registered twice";
    const Command* command = table.Find(sub);
    ASSERT_NE(command, nullptr) << sub->get_name() << " runs no command of the table";
    EXPECT_TRUE(commands.insert(command).second) << sub->get_name() << ": its command registered another too";
  }
  EXPECT_GE(names.size(), 20u);
  EXPECT_TRUE(names.contains("plan") && names.contains("completion"));
}

TEST(CommandTable, EachExampleParsesToItsCommand) {
  CLI::App probe;
  CommandTable all;
  all.Register(probe);
  for (const CLI::App* sub : Subcommands(probe)) {
    // "Example:\n  hpsearch export quickstart -o csv --file results.csv", or inside
    // "source <(hpsearch completion bash)".
    std::string example = sub->get_footer();
    ASSERT_NE(example.find("hpsearch "), std::string::npos) << sub->get_name() << " has no example";
    example = example.substr(example.find("hpsearch ") + 9);
    if (!example.empty() && example.back() == ')') example.pop_back();
    // A fresh parser, with the global option the examples use.
    CLI::App app;
    app.fallthrough();
    std::string output;
    app.add_option("-o,--output", output);
    CommandTable table;
    table.Register(app);
    EXPECT_EQ(table.Parsed(), nullptr);
    ASSERT_NO_THROW(app.parse(example)) << example;
    ASSERT_NE(table.Parsed(), nullptr) << example;
    EXPECT_EQ(table.Parsed(), table.Find(app.get_subcommand(sub->get_name()))) << example;
  }
}

TEST(CommandTable, EveryCommandIsInTheCliDocs) {
  std::ifstream f(std::string(HPSEARCH_SOURCE_DIR) + "/docs/cli.md");
  std::stringstream docs;
  docs << f.rdbuf();
  CLI::App app;
  CommandTable table;
  table.Register(app);
  for (const CLI::App* sub : Subcommands(app)) {
    EXPECT_THAT(docs.str(), HasSubstr("| `" + sub->get_name())) << sub->get_name() << " is not in docs/cli.md";
  }
}

// What bash completes (the script `completion bash` prints, run in bash): statuses by
// command, and nothing (not sweep names) for an option's free value.
TEST(CommandTable, BashCompletesStatusesByCommandAndLeavesFreeValuesAlone) {
  const auto complete = [](const std::string& line) {
    const std::string script = "source <(" + std::string(HPSEARCH_BIN_DIR) +
                               "/hpsearch completion bash); PATH=/nonexistent:$PATH; COMP_WORDS=(" + line +
                               " \"\"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _hpsearch; echo \"${COMPREPLY[*]}\"";
    return testing::RunShell("bash -c '" + script + "'").out;
  };
  EXPECT_EQ(complete("hpsearch list --status"), "running stopping completed failed cancelled\n");
  EXPECT_EQ(complete("hpsearch trials s-000001 --status"), "pending running completed failed pruned cancelled\n");
  EXPECT_EQ(complete("hpsearch trials s-000001 --sort"), "\n");
  EXPECT_EQ(complete("hpsearch trials s-000001 --where"), "\n");
  EXPECT_EQ(complete("hpsearch logs s-000001 0 --stream"), "stdout stderr\n");
}

// The commands that are not "connect, call, print" keep what makes them special.
TEST(CommandTable, SpecialCasesOfTheRealBinary) {
  // version answers without a usable server; plan needs none.
  auto r = RunCli("--server http://x version");
  EXPECT_EQ(r.code, 0);
  EXPECT_THAT(r.out, ::testing::StartsWith("hpsearch "));
  r = RunCli("--server http://x plan " + std::string(HPSEARCH_SOURCE_DIR) + "/examples/quickstart.yaml --limit 1");
  EXPECT_EQ(r.code, 0) << r.out;
  // Every other command refuses an unusable --server first.
  r = RunCli("--server http://x workers");
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.out, HasSubstr("error: --server 'http://x' is a URL"));
  // logs prints the program's own output: -o does not apply (before --server is looked at).
  r = RunCli("--server http://x logs s-000001 1 -o json");
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.out, HasSubstr("error: logs prints the program's own output; -o json does not apply"));
  // export writes csv or json, a table refused after --server.
  r = RunCli("--server http://x export s-000001 -o wide");
  EXPECT_THAT(r.out, HasSubstr("error: --server 'http://x' is a URL"));
  r = RunCli("--server 127.0.0.1:1 export s-000001 -o wide");
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.out, HasSubstr("error: export writes csv or json (-o wide)"));
  // watch reconnects to a server that restarts, not to one it never reached: that is
  // an error at once, as for every other command (it said "lost the connection" and
  // waited a minute).
  r = RunCli("--server 127.0.0.1:1 watch s-000001");
  EXPECT_EQ(r.code, 3);
  EXPECT_THAT(r.out, HasSubstr("error: cannot reach hpsearch-server at 127.0.0.1:1"));
  EXPECT_THAT(r.out, Not(HasSubstr("lost the connection")));
  // A number out of its range is said in words (not CLI11's "not in range 0.000000
  // to 1797693134862315...").
  r = RunCli("extend s-000001 --trials 0");
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.out, HasSubstr("--trials: must be more than 0 (got 0)"));
  r = RunCli("trials s-000001 --limit -1");
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.out, HasSubstr("--limit: must be at least 0 (got -1)"));
  r = RunCli("--timeout soon list");
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.out, HasSubstr("--timeout: must be a number (got soon)"));
  // completion lists every command registered.
  r = RunCli("completion bash");
  EXPECT_EQ(r.code, 0);
  CLI::App app;
  CommandTable table;
  table.Register(app);
  for (const CLI::App* sub : Subcommands(app)) {
    EXPECT_THAT(r.out, HasSubstr("    " + sub->get_name() + ") opts=\"")) << sub->get_name();
  }
}

}  // namespace
}  // namespace hpsearch::client
