// completion: a bash or zsh completion script for the CLI — commands, options, output
// formats, spec files for submit/plan, and sweep ids and names (asked of the server
// with `hpsearch list -o csv` as the user would) wherever a sweep is expected.
#include <iostream>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "client/commands/commands.h"

namespace hpsearch::client {

namespace {

constexpr const char* kBash = R"sh(# hpsearch completion for bash. Load it with:  source <(hpsearch completion bash)
shopt -s extglob
_hpsearch() {
  local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}"
  local global="@GLOBAL@" cmd="" i server=()
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "${COMP_WORDS[i]}" in
      --server) server=(--server "${COMP_WORDS[i+1]}"); ((i++)) ;;
      --token|-o|--output|--timeout|--tls-ca) ((i++)) ;;
      -*) ;;
      *) [[ -z "$cmd" ]] && cmd="${COMP_WORDS[i]}" ;;
    esac
  done
  case "$prev" in
    -o|--output) COMPREPLY=($(compgen -W "table wide json csv" -- "$cur")); return ;;
    --tls-ca|--file) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --server|--token|--timeout|--limit|-k|--name|--sort|--where|--label|-l|--trials|--duration|--attempt) return ;;
    --stream) COMPREPLY=($(compgen -W "stdout stderr" -- "$cur")); return ;;
    --status)
      if [[ "$cmd" == list ]]; then  # a sweep's statuses; elsewhere a trial's
        COMPREPLY=($(compgen -W "running stopping completed failed cancelled" -- "$cur"))
      else
        COMPREPLY=($(compgen -W "pending running completed failed pruned cancelled" -- "$cur"))
      fi
      return ;;
  esac
  if [[ -z "$cmd" ]]; then
    if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "$global" -- "$cur"));
    else COMPREPLY=($(compgen -W "@COMMANDS@" -- "$cur")); fi
    return
  fi
  local opts=""
  case "$cmd" in
@OPTIONS@
  esac
  if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "$opts $global" -- "$cur")); return; fi
  case "$cmd" in
    submit|plan) COMPREPLY=($(compgen -f -X '!*.@(yaml|yml)' -o plusdirs -- "$cur")) ;;
    @SWEEP_COMMANDS@)
      local names
      names=$(hpsearch "${server[@]}" --timeout 2 list -o csv 2>/dev/null | tail -n +2 | cut -d, -f1,2 | tr ',' '\n')
      COMPREPLY=($(compgen -W "$names" -- "$cur")) ;;
    completion) COMPREPLY=($(compgen -W "bash zsh" -- "$cur")) ;;
  esac
}
complete -F _hpsearch hpsearch
)sh";

constexpr const char* kZshPrelude = R"sh(# hpsearch completion for zsh (through bashcompinit). Load it with:
#   source <(hpsearch completion zsh)
autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit
)sh";

}  // namespace

int RunCompletion(const std::string& shell, const CompletionWords& words, std::ostream& out, std::ostream& err) {
  if (shell != "bash" && shell != "zsh") {
    err << "error: completion: '" << shell << "' is not a shell this supports (bash or zsh)\n";
    return kExitUsage;
  }
  std::vector<std::string> commands, cases;
  for (const auto& [name, options] : words.commands) {
    commands.push_back(name);
    cases.push_back(absl::StrCat("    ", name, ") opts=\"", absl::StrJoin(options, " "), "\" ;;"));
  }
  const std::string script =
      absl::StrReplaceAll(kBash, {{"@GLOBAL@", absl::StrJoin(words.global, " ")},
                                  {"@COMMANDS@", absl::StrJoin(commands, " ")},
                                  {"@OPTIONS@", absl::StrJoin(cases, "\n")},
                                  {"@SWEEP_COMMANDS@", absl::StrJoin(words.sweep_commands, "|")}});
  if (shell == "zsh") out << kZshPrelude;
  out << script;
  return kExitOk;
}

namespace {

// What to complete, as registered on `app`: every command with its options, the
// global options, and the commands whose first positional is a sweep.
CompletionWords WordsOf(const CLI::App& app) {
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
  return words;
}

// Offline: the script is made from the commands registered, as they are parsed.
class CompletionCommand final : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    auto* cmd = AddCommand(app, "completion", "A bash or zsh completion script (commands, options, sweep names)",
                           "source <(hpsearch completion bash)");
    cmd->add_option("shell", shell_, "bash or zsh")->required();
    return cmd;
  }
  int Run(Context& ctx) override { return RunCompletion(shell_, WordsOf(ctx.app), ctx.out, ctx.err); }

 private:
  std::string shell_;
};

}  // namespace

std::unique_ptr<Command> MakeCompletionCommand() { return std::make_unique<CompletionCommand>(); }

}  // namespace hpsearch::client
