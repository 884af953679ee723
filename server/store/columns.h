// How values are kept in TEXT columns: JSON for metrics, parameters, activation
// statistics. Every stored metric is finite (RequireFinite throws, which rolls the
// transaction back); activation statistics may hold NaN (stored as null).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/protocol/epoch_report.h"
#include "common/util/value.h"

namespace hpsearch::store {

// Throws std::invalid_argument naming `what` for NaN or ±inf.
void RequireFinite(double v, const std::string& what);

std::string MetricsText(const std::map<std::string, double>& m);  // {"name": value, ...}
std::map<std::string, double> MetricsFromText(const std::string& text);
std::string ParamsText(const Params& p);  // canonical JSON
Params ParamsFromText(const std::string& text);
std::string DoublesText(const std::vector<double>& v);  // [x, ...], non-finite as null
std::vector<double> DoublesFromText(const std::string& text);
std::string DiagnosticsText(const std::vector<ActivationStats>& stats);
std::vector<ActivationStats> DiagnosticsFromText(const std::string& text);

// The JSON path of one key of those objects, quoted (`$."val.loss"`): a metric's name
// may hold a dot, which an unquoted path would read as a nested key. Names are
// letters, digits, `_` and `.` (never a quote).
std::string KeyPath(const std::string& key);

}  // namespace hpsearch::store
