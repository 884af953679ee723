// The options every command of the CLI takes (before or after the command): the
// server, credentials, the output format and the per-call timeout. main parses them
// once — -o into an OutputFormat — and hands them to the command (client/commands/command.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hpsearch::client {

// -o: a table (the default), a wide table (trial tables with run details), JSON or
// CSV (those two for programs).
enum class OutputFormat { kTable, kWide, kJson, kCsv };

// "table", "wide", "json" or "csv" → the format; none for any other text.
std::optional<OutputFormat> ParseOutputFormat(std::string_view name);
// The name -o takes for `format`.
std::string_view OutputFormatName(OutputFormat format);
// A table for people: kTable or kWide.
inline bool IsTable(OutputFormat format) { return format == OutputFormat::kTable || format == OutputFormat::kWide; }

struct GlobalOptions {
  std::string server = "127.0.0.1:50051";      // HPSEARCH_SERVER
  std::string token;                           // HPSEARCH_TOKEN
  OutputFormat format = OutputFormat::kTable;  // -o (without it: the command's default, csv for export)
  double timeout_seconds = 10;                 // per call (streams: to connect)
  std::string tls_ca;                          // HPSEARCH_TLS_CA: use TLS, trust this CA (PEM)
};

}  // namespace hpsearch::client
