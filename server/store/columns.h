// How stored columns map to values: JSON column codecs and the row mappers that turn
// a SELECT of kSweepColumns / kTrialColumns into records. Used by the store's
// queries and writes only.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "SQLiteCpp/Statement.h"
#include "hpsearch/v1/trial.pb.h"
#include "store/store.h"

namespace hpsearch::store {

// Throws std::invalid_argument naming `what` for NaN or ±inf (the transaction rolls back).
void RequireFinite(double v, const std::string& what);

// {"name": value, ...}; every value must be finite.
std::string MetricsText(const std::map<std::string, double>& m);
void MetricsFromText(const std::string& text, google::protobuf::Map<std::string, double>* out);
// [x, ...] with non-finite values as null (activation statistics may be NaN).
std::string DoublesText(const google::protobuf::RepeatedField<double>& v);
void DoublesFromText(const std::string& text, google::protobuf::RepeatedField<double>* out);
std::string DiagnosticsText(const std::vector<hpsearch::v1::ActivationStats>& stats);
void DiagnosticsFromText(const std::string& text, hpsearch::v1::Trial* t);

// Columns of a sweep row, in the order SweepFromRow reads them.
extern const char* const kSweepColumns;
SweepRecord SweepFromRow(SQLite::Statement& q);

// Columns of a trial row (table alias "t"), in the order TrialFromRow reads them;
// column 14 is the trial's row id.
extern const char* const kTrialColumns;
// `details`: also the init diagnostics.
hpsearch::v1::Trial TrialFromRow(SQLite::Statement& q, const std::string& sweep_id, bool details);

}  // namespace hpsearch::store
