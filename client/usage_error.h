// A command line CLI11 refused, as one `error:` line (docs/cli.md): the mistyped
// option named with a did-you-mean among the command's own, and where help is.
#pragma once

#include <string>

#include "CLI/CLI.hpp"

namespace hpsearch::client {

// What to print after "error: " for `e`, raised parsing `argv` against `app`;
// `command` is the command word the user gave ("" for none).
std::string UsageError(const CLI::App& app, const CLI::ParseError& e, const std::string& command, int argc,
                       char** argv);

}  // namespace hpsearch::client
