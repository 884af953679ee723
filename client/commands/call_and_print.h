// The tail the commands share: one unary call, a failure reported as its exit code,
// and the answer printed in the format asked (-o): JSON, CSV, or text for tables.
#pragma once

#include <functional>
#include <ostream>

#include "client/connection.h"
#include "client/global_options.h"
#include "nlohmann/json.hpp"

namespace hpsearch::client {

// How an answer prints: `json` for -o json (dumped on one line, or indented by
// `indent`), `csv` for -o csv (when unset, -o csv prints `text`), `text` for table
// and wide. `code` is the exit code of an answer printed (unset: kExitOk).
template <class Answer>
struct Printers {
  std::function<nlohmann::json(const Answer&)> json;
  int indent = -1;
  std::function<void(const Answer&, std::ostream&)> csv;
  std::function<void(const Answer&, std::ostream&)> text;
  std::function<int(const Answer&)> code;
};

// Prints `answer` on `out` in `format`; returns its exit code.
template <class Answer>
int PrintAnswer(const Answer& answer, OutputFormat format, const Printers<Answer>& printers, std::ostream& out) {
  if (format == OutputFormat::kJson) {
    out << printers.json(answer).dump(printers.indent) << "\n";
  } else if (format == OutputFormat::kCsv && printers.csv) {
    printers.csv(answer, out);
  } else {
    printers.text(answer, out);
  }
  return printers.code ? printers.code(answer) : kExitOk;
}

// Calls `rpc` once with a fresh unary context (the --timeout deadline, the token). A
// failure is said on `err` and its exit code returned (ReportError); the answer is
// printed on `out` in the connection's format (PrintAnswer).
template <class Answer>
int CallAndPrint(Connection& c, const std::function<grpc::Status(grpc::ClientContext*, Answer*)>& rpc,
                 const Printers<Answer>& printers, std::ostream& out, std::ostream& err) {
  Answer answer;
  const auto ctx = c.Call();
  if (const grpc::Status st = rpc(ctx.get(), &answer); !st.ok()) return ReportError(st, c.options(), err);
  return PrintAnswer(answer, c.options().format, printers, out);
}

}  // namespace hpsearch::client
