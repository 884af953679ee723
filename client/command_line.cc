#include "client/command_line.h"

#include <map>

#include "absl/strings/str_join.h"
#include "client/format.h"
#include "common/protocol/command.h"

namespace hpsearch::client {

std::vector<std::string> CommandLine(const search::Spec& spec, const Params& params, const CommandRun& run) {
  std::map<std::string, std::string> values;
  for (const auto& [k, v] : params) values[k] = ArgumentText(v);
  values["sweep"] = run.sweep;
  values["trial"] = std::to_string(run.index);
  values["attempt"] = std::to_string(run.attempt);
  values["seed"] = std::to_string(run.seed);
  values["trial_dir"] = "{trial_dir}";
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
