// The Prometheus text exposition format (version 0.0.4): one family at a time, each
// with its # HELP and # TYPE lines, label values escaped, numbers as Go's strconv
// would print them ("+Inf", "NaN", shortest round-trip decimals).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace hpsearch::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Exposition {
 public:
  // `type`: counter, gauge or histogram.
  void Family(const std::string& name, const std::string& type, const std::string& help);
  // One sample line: name{labels} value.
  void Sample(const std::string& name, const Labels& labels, double value);
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

// "1", "0.25", "+Inf": a sample value or an `le` bound.
std::string FormatValue(double v);
// A label value with \, " and newline escaped.
std::string EscapeLabel(const std::string& v);

}  // namespace hpsearch::metrics
