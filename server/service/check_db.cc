#include "service/check_db.h"

#include <filesystem>
#include <vector>

#include "store/connection.h"
#include "store/integrity.h"
#include "store/schema.h"

namespace hpsearch::service {

int CheckDatabase(const std::string& db, std::ostream& out, std::ostream& err) {
  if (!std::filesystem::exists(db)) {
    err << "error: " << db << ": no such file\n";
    return 2;
  }
  try {
    store::Connection conn(db, true, false, 5000);
    const int version = store::SchemaVersion(conn);
    if (version != store::kSchemaVersion) {
      err << "error: " << db << " is at schema v" << version << "; this hpsearch checks v" << store::kSchemaVersion
          << (version < store::kSchemaVersion ? " (start hpsearch-server on it once to migrate it)" : "") << "\n";
      return 2;
    }
    conn.Exec("BEGIN");
    store::ReadTxn read(conn);
    const std::vector<std::string> found = store::CheckIntegrity(read, 1000);
    conn.ResetAll();
    conn.Exec("COMMIT");
    for (const auto& line : found) out << line << "\n";
    if (found.empty()) {
      out << db << ": sound (schema v" << version << ")\n";
      return 0;
    }
    err << db << ": " << found.size() << (found.size() == 1000 ? "+" : "") << " violations\n";
    return 1;
  } catch (const std::exception& e) {
    err << "error: " << db << ": " << e.what() << "\n";
    return 2;
  }
}

}  // namespace hpsearch::service
