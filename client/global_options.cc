#include "client/global_options.h"

namespace hpsearch::client {

std::optional<OutputFormat> ParseOutputFormat(std::string_view name) {
  for (OutputFormat f : {OutputFormat::kTable, OutputFormat::kWide, OutputFormat::kJson, OutputFormat::kCsv}) {
    if (OutputFormatName(f) == name) return f;
  }
  return std::nullopt;
}

std::string_view OutputFormatName(OutputFormat format) {
  switch (format) {
    case OutputFormat::kTable:
      return "table";
    case OutputFormat::kWide:
      return "wide";
    case OutputFormat::kJson:
      return "json";
    case OutputFormat::kCsv:
      return "csv";
  }
  return "table";
}

}  // namespace hpsearch::client
