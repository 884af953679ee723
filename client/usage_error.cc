#include "client/usage_error.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/util/did_you_mean.h"

namespace hpsearch::client {

namespace {

// Every spelling of `app`'s options: --long and -s.
void AddOptionNames(const CLI::App& app, std::vector<std::string>& names) {
  for (const CLI::Option* o : app.get_options()) {
    for (const auto& l : o->get_lnames()) names.push_back("--" + l);
    for (const auto& s : o->get_snames()) names.push_back("-" + s);
  }
}

}  // namespace

std::string UsageError(const CLI::App& app, const CLI::ParseError& e, const std::string& command, int argc,
                       char** argv) {
  const CLI::App* sub = nullptr;
  if (!command.empty()) {
    for (const CLI::App* s : app.get_subcommands([](const CLI::App*) { return true; })) {
      if (s->get_name() == command) sub = s;
    }
  }
  const std::string help = sub != nullptr ? absl::StrCat("hpsearch ", command, " --help") : "hpsearch --help";
  if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
    std::vector<std::string> names;
    AddOptionNames(app, names);  // the global options go after the command too
    if (sub != nullptr) AddOptionNames(*sub, names);
    for (int i = 1; i < argc; ++i) {
      std::string a = argv[i];
      if (a == "--") break;
      if (a.size() < 2 || a[0] != '-' || std::isdigit(static_cast<unsigned char>(a[1])) || a[1] == '.') continue;
      if (a.rfind("--", 0) == 0) a = a.substr(0, a.find('='));
      if (std::find(names.begin(), names.end(), a) != names.end()) continue;
      return absl::StrCat("unknown option '", a, "'", sub != nullptr ? " for " + command : std::string(),
                          DidYouMean(a, names), "; see ", help);
    }
  }
  return absl::StrCat(e.what(), "; see ", help);
}

}  // namespace hpsearch::client
