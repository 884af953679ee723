// The database schema and its forward migrations.
//
// `schema_version` holds one row: the version the file is at. Opening a file runs
// every migration above that version, each in its own transaction, so a crash in the
// middle of an upgrade leaves the file at the last complete version. A file written
// by a newer hpsearch (version above kSchemaVersion) is refused, never touched.
#pragma once

#include "absl/status/status.h"
#include "server/store/connection.h"

namespace hpsearch::store {

inline constexpr int kSchemaVersion = 8;

// Brings the database to kSchemaVersion. FAILED_PRECONDITION for a newer file.
absl::Status Migrate(Connection& conn);
// The version the database is at (0 for an empty file).
int SchemaVersion(Connection& conn);

}  // namespace hpsearch::store
