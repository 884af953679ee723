// Row mappers: a SELECT of kSweepColumns / kTrialColumns → a record.
#pragma once

#include <string>

#include "SQLiteCpp/Column.h"
#include "SQLiteCpp/Statement.h"
#include "server/store/records.h"

namespace hpsearch::store {

// Columns of a sweep row, in the order SweepFromRow reads them.
extern const char* const kSweepColumns;
SweepRecord SweepFromRow(SQLite::Statement& q);

// Columns of a trial row (table alias "t"), in the order TrialFromRow reads them.
extern const char* const kTrialColumns;
inline constexpr int kTrialColumnCount = 17;
// `details`: also the init diagnostics.
TrialRecord TrialFromRow(SQLite::Statement& q, const std::string& sweep_id, bool details);

}  // namespace hpsearch::store
