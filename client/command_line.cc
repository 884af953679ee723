#include "client/command_line.h"

#include "absl/strings/str_join.h"
#include "client/format.h"
#include "common/protocol/command.h"

namespace hpsearch::client {

std::vector<std::string> CommandLine(const search::Spec& spec, const Params& params, const CommandRun& run) {
  const auto values = PlaceholderValues(params, run.sweep, run.index, run.attempt, run.seed, "{trial_dir}");
  std::vector<std::string> argv;
  for (const auto& a : spec.trainer.command.argv) argv.push_back(Fill(a, values));
  return argv;
}

std::string ShellLine(const std::vector<std::string>& argv) {
  std::vector<std::string> words;
  for (const auto& a : argv) words.push_back(ShellWord(a));
  return absl::StrJoin(words, " ");
}

}  // namespace hpsearch::client
