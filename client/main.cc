// hpsearch: the command-line client.
#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <optional>

#include "CLI/CLI.hpp"
#include "client/commands/commands.h"
#include "client/commands/plan_command.h"
#include "client/connection.h"
#include "client/safe_output.h"
#include "common/util/did_you_mean.h"
#include "search/spec_file.h"

namespace {

CLI::App* Command(CLI::App& app, const std::string& name, const std::string& help, const std::string& example) {
  auto* cmd = app.add_subcommand(name, help);
  cmd->footer("Example:\n  " + example);
  return cmd;
}

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
  app.add_option("--server", g.server, "Server address host:port")->envname("HPSEARCH_SERVER")->capture_default_str();
  app.add_option("--token", g.token, "Bearer token")->envname("HPSEARCH_TOKEN");
  auto* output_opt =
      app.add_option("-o,--output", g.output, "Output format: table, wide (a table with run details), json or csv")
          ->check(CLI::IsMember({"table", "wide", "json", "csv"}));
  app.add_option("--timeout", g.timeout_seconds, "Seconds per call")->check(CLI::PositiveNumber)->capture_default_str();
  app.add_option("--tls-ca", g.tls_ca, "Connect with TLS, trusting this CA certificate (PEM)")
      ->envname("HPSEARCH_TLS_CA");

  PlanOptions plan;
  auto* plan_cmd = Command(app, "plan", "Validate a sweep spec and preview its trials (offline)",
                           "hpsearch plan examples/quickstart.yaml --limit 5");
  plan_cmd->add_option("spec", plan.spec_path, "Sweep spec (YAML)")->required();
  plan_cmd->add_option("--limit", plan.limit, "Trials to show")->check(CLI::NonNegativeNumber);

  SubmitOptions submit;
  auto* submit_cmd =
      Command(app, "submit", "Submit a sweep; prints its id", "hpsearch submit examples/quickstart.yaml --watch");
  submit_cmd->add_option("spec", submit.spec_path, "Sweep spec (YAML)")->required();
  submit_cmd->add_option("--name", submit.name, "Name the sweep (overrides the spec's name)");
  submit_cmd->add_flag("--watch", submit.watch, "Watch it until it ends");
  submit_cmd->add_option("--label", submit.labels, "Tag the sweep NAME=VALUE (repeatable; adds to the spec's labels)");

  ListOptions list;
  auto* list_cmd = Command(app, "list", "Sweeps, newest first", "hpsearch list --status running -l team=vision");
  list_cmd->add_option("--limit", list.limit, "Most sweeps to show (0 = all)")->check(CLI::NonNegativeNumber);
  list_cmd->add_option("--status", list.status,
                       "Only sweeps with this status: running, stopping, completed, failed, cancelled");
  list_cmd->add_option("-l,--label", list.labels, "Only sweeps labelled NAME=VALUE (repeatable: all must match)");

  std::string sweep;
  auto* status_cmd =
      Command(app, "status", "One sweep: counts, best so far, elapsed, ETA", "hpsearch status quickstart");
  status_cmd->add_option("sweep", sweep, "Sweep id or name")->required();

  TrialsOptions trials;
  auto* trials_cmd = Command(app, "trials", "A sweep's trials with their parameters",
                             "hpsearch trials quickstart --status completed --sort objective --limit 10");
  trials_cmd->add_option("sweep", trials.sweep, "Sweep id or name")->required();
  trials_cmd->add_option("--status", trials.status, "pending, running, completed, failed, pruned or cancelled");
  trials_cmd->add_option("--sort", trials.sort, "index, objective, a metric (best first) or a parameter")
      ->capture_default_str();
  bool ascending = false, descending = false;
  auto* asc_flag = trials_cmd->add_flag("--asc", ascending, "Ascending, whatever the key's natural direction");
  trials_cmd->add_flag("--desc", descending, "Descending, whatever the key's natural direction")->excludes(asc_flag);
  trials_cmd->add_flag("--show-fixed", trials.show_fixed, "Columns for the fixed settings too");
  trials_cmd
      ->add_option("--where", trials.where,
                   "Only trials meeting this condition (repeatable): lr<=0.01, optimizer=adam,sgd, objective>0.85")
      ->allow_extra_args(false);
  trials_cmd->add_option("--limit", trials.limit, "Most trials to show (0 = all)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();

  int64_t index = 0;
  auto* trial_cmd = Command(app, "trial", "One trial: parameters, attempts, metrics and learning curve",
                            "hpsearch trial quickstart 3");
  trial_cmd->add_option("sweep", sweep, "Sweep id or name")->required();
  const CLI::Validator trial_index(
      [](const std::string& v) {
        return !v.empty() && v.size() <= 18 &&
                       std::all_of(v.begin(), v.end(), [](char ch) { return ch >= '0' && ch <= '9'; })
                   ? std::string()
                   : "'" + v + "' is not a trial index (0, 1, 2, ...: the TRIAL column of `hpsearch trials`)";
      },
      "INDEX");
  trial_cmd->add_option("index", index, "Trial index (from 0)")->required()->check(trial_index);

  LogsOptions logs;
  bool logs_raw = false;
  auto* logs_cmd = Command(app, "logs", "What a command trial's program wrote: stdout here, stderr to stderr",
                           "hpsearch logs my-cnn 3 -f");
  logs_cmd->add_option("sweep", logs.sweep, "Sweep id or name")->required();
  logs_cmd->add_option("index", logs.index, "Trial index (from 0)")->required()->check(trial_index);
  logs_cmd->add_option("--attempt", logs.attempt, "This attempt (default: the latest)")->check(CLI::PositiveNumber);
  logs_cmd->add_option("--stream", logs.stream, "Only this stream: stdout or stderr (default: both)")
      ->check(CLI::IsMember({"stdout", "stderr"}));
  logs_cmd->add_flag("-f,--follow", logs.follow, "Keep printing as the program writes, until the trial ends");
  logs_cmd->add_flag("--raw", logs_raw, "The bytes exactly as written (control sequences are escaped otherwise)");

  int32_t k = 5;
  auto* best_cmd = Command(app, "best", "The best trials by the sweep's objective, with test metrics",
                           "hpsearch best quickstart -k 3");
  best_cmd->add_option("sweep", sweep, "Sweep id or name")->required();
  best_cmd->add_option("-k", k, "How many")->check(CLI::Range(1, 1000))->capture_default_str();
  bool best_fixed = false;
  best_cmd->add_flag("--show-fixed", best_fixed, "Columns for the fixed settings too");

  auto* watch_cmd = Command(app, "watch", "Live progress until the sweep ends (Ctrl-C leaves it running)",
                            "hpsearch watch quickstart");
  watch_cmd->add_option("sweep", sweep, "Sweep id or name")->required();
  bool watch_starts = false;
  watch_cmd->add_flag("--starts", watch_starts, "Piped: a line when a trial starts too (default: when one ends)");

  auto* stop_cmd = Command(app, "stop", "Start nothing new; running trials finish", "hpsearch stop quickstart");
  stop_cmd->add_option("sweep", sweep, "Sweep id or name")->required();
  auto* cancel_cmd =
      Command(app, "cancel", "Cancel: running trials stop within an epoch", "hpsearch cancel quickstart");
  cancel_cmd->add_option("sweep", sweep, "Sweep id or name")->required();

  ExtendOptions extend;
  std::string extend_duration;
  auto* extend_cmd = Command(app, "extend", "More budget for a running or finished sweep: more trials and/or more time",
                             "hpsearch extend quickstart --trials 20");
  extend_cmd->add_option("sweep", extend.sweep, "Sweep id or name")->required();
  extend_cmd->add_option("--trials", extend.trials, "This many more trials than it plans now")
      ->check(CLI::PositiveNumber);
  extend_cmd->add_option("--duration", extend_duration,
                         "More time (30m, 1h30m, 90s): past a running sweep's limit, from now for a finished one");

  RetryOptions retry;
  auto* retry_cmd = Command(app, "retry", "Run failed (default) or cancelled trials again, as new attempts",
                            "hpsearch retry quickstart --failed --cancelled");
  retry_cmd->add_option("sweep", retry.sweep, "Sweep id or name")->required();
  retry_cmd->add_flag("--failed", retry.failed, "Failed trials (the default)");
  retry_cmd->add_flag("--cancelled", retry.cancelled, "Cancelled trials");

  DeleteOptions del;
  auto* delete_cmd = Command(app, "delete", "Delete a finished sweep with its trials (asks first)",
                             "hpsearch delete quickstart --yes");
  delete_cmd->add_option("sweep", del.sweep, "Sweep id or name")->required();
  delete_cmd->add_flag("-y,--yes", del.yes, "Do not ask for confirmation");

  std::vector<int64_t> compare_indices;
  auto* compare_cmd = Command(app, "compare", "Trials side by side: parameters, metrics (differences marked), curves",
                              "hpsearch compare quickstart 3 7 12");
  compare_cmd->add_option("sweep", sweep, "Sweep id or name")->required();
  compare_cmd->add_option("trials", compare_indices, "Two or more trial indices")->required()->expected(2, 100);

  std::string file;
  auto* export_cmd = Command(app, "export", "Every trial as CSV (default) or JSON",
                             "hpsearch export quickstart -o csv --file results.csv");
  export_cmd->add_option("sweep", sweep, "Sweep id or name")->required();
  export_cmd->add_option("--file", file, "Write here instead of stdout");
  std::vector<std::string> export_where;
  export_cmd->add_option("--where", export_where, "Only trials meeting this condition (repeatable), as for trials")
      ->allow_extra_args(false);

  Command(app, "health", "Is the server serving? (usable as a Docker HEALTHCHECK)", "hpsearch health");
  Command(app, "workers", "Workers that can run trials now: embedded slots and remote workers, with their trials",
          "hpsearch workers");
  Command(app, "version", "Print the version", "hpsearch version");
  std::string shell;
  auto* completion_cmd = Command(app, "completion", "A bash or zsh completion script (commands, options, sweep names)",
                                 "source <(hpsearch completion bash)");
  completion_cmd->add_option("shell", shell, "bash or zsh")->required();

  std::vector<std::string> commands;
  for (const auto* sub : app.get_subcommands([](const CLI::App*) { return true; })) commands.push_back(sub->get_name());
  if (const std::string word = CommandWord(argc, argv);
      !word.empty() && std::find(commands.begin(), commands.end(), word) == commands.end()) {
    std::cerr << "error: unknown command '" << word << "'" << hpsearch::DidYouMean(word, commands)
              << "; see hpsearch --help\n";
    return kExitUsage;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  // Nothing the server says reaches the terminal as a control sequence
  // (client/safe_output.h); CSV is written exactly, for programs.
  std::optional<SafeStream> safe_out;
  std::optional<SafeStream> safe_err;
  if (!(*logs_cmd && logs_raw)) safe_err.emplace(std::cerr, SafeOutput::Mode::kText);
  if (*logs_cmd && output_opt->count() > 0) {
    std::cerr << "error: logs prints the program's own output; -o " << g.output << " does not apply\n";
    return kExitUsage;
  }
  if (*logs_cmd && logs_raw) {
    // No escaping: the bytes as the program wrote them, control sequences included.
  } else if (g.output != "csv" && !(*export_cmd && g.output == "table"))
    safe_out.emplace(std::cout, g.output == "json" ? SafeOutput::Mode::kJson : SafeOutput::Mode::kText);
  if (*plan_cmd) {
    plan.output = g.output == "wide" ? "table" : g.output;
    return RunPlan(plan, std::cout, std::cerr);
  }
  if (*completion_cmd) {
    CompletionWords words;
    for (const auto* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
      std::vector<std::string> options;
      bool first_positional = true;
      for (const auto* opt : sub->get_options()) {
        for (const auto& name : opt->get_lnames()) options.push_back("--" + name);
        for (const auto& name : opt->get_snames()) options.push_back("-" + name);
        if (opt->get_positional() && first_positional) {
          first_positional = false;
          if (opt->get_name(true) == "sweep") words.sweep_commands.push_back(sub->get_name());
        }
      }
      words.commands.emplace_back(sub->get_name(), options);
    }
    for (const auto* opt : app.get_options()) {
      for (const auto& name : opt->get_lnames()) words.global.push_back("--" + name);
    }
    return RunCompletion(shell, words, std::cout, std::cerr);
  }
  if (app.got_subcommand("version") && ServerAddressProblem(g.server).empty()) {
    g.timeout_seconds = std::min(g.timeout_seconds, 2.0);  // a missing server is an answer, not a wait
    Connection c(g);
    return RunVersion(c, HPSEARCH_VERSION, std::cout, std::cerr);
  }
  if (app.got_subcommand("version")) {
    std::cout << "hpsearch " << HPSEARCH_VERSION << "\n";
    return kExitOk;
  }
  if (const std::string problem = ServerAddressProblem(g.server); !problem.empty()) {
    std::cerr << "error: --server " << problem << "\n";
    return kExitUsage;
  }
  if (ascending) trials.descending = false;
  if (descending) trials.descending = true;
  // export writes CSV unless asked for JSON; a table is what `trials` prints.
  if (*export_cmd && output_opt->count() > 0 && (g.output == "table" || g.output == "wide")) {
    std::cerr << "error: export writes csv or json (-o " << g.output
              << "); for a table of every trial use: hpsearch trials " << sweep << " --limit 0\n";
    return kExitUsage;
  }
  if (*export_cmd && g.output == "table") g.output = "csv";
  if (g.output == "wide") {
    g.output = "table";
    g.wide = true;
  }
  Connection c(g);
  if (*submit_cmd) return RunSubmit(c, submit, std::cout, std::cerr);
  if (*list_cmd) return RunList(c, list, std::cout, std::cerr);
  if (*status_cmd) return RunStatus(c, sweep, std::cout, std::cerr);
  if (*trials_cmd) return RunTrials(c, trials, std::cout, std::cerr);
  if (*trial_cmd) return RunTrial(c, sweep, index, std::cout, std::cerr);
  if (*logs_cmd) return RunLogs(c, logs, std::cout, std::cerr);
  if (*best_cmd) return RunBest(c, sweep, k, best_fixed, std::cout, std::cerr);
  if (*watch_cmd) return RunWatch(c, sweep, std::cout, std::cerr, watch_starts);
  if (*stop_cmd) return RunCancel(c, sweep, true, std::cout, std::cerr);
  if (*cancel_cmd) return RunCancel(c, sweep, false, std::cout, std::cerr);
  if (*export_cmd) return RunExport(c, sweep, export_where, file, std::cout, std::cerr);
  if (*extend_cmd) {
    if (!extend_duration.empty()) {
      auto seconds = ParseDuration(extend_duration);
      if (!seconds.ok() || *seconds <= 0) {
        std::cerr << "error: --duration '" << extend_duration
                  << "': give a positive duration such as 30m, 1h30m or 90s\n";
        return kExitUsage;
      }
      extend.seconds = *seconds;
    }
    return RunExtend(c, extend, std::cout, std::cerr);
  }
  if (*retry_cmd) return RunRetry(c, retry, std::cout, std::cerr);
  if (*delete_cmd) return RunDelete(c, del, std::cin, std::cout, std::cerr);
  if (*compare_cmd) return RunCompare(c, sweep, compare_indices, std::cout, std::cerr);
  if (app.got_subcommand("health")) return RunHealth(c, std::cout, std::cerr);
  if (app.got_subcommand("workers")) return RunWorkers(c, std::cout, std::cerr);
  return kExitUsage;
}
