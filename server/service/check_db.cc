#include "server/service/check_db.h"

#include <algorithm>
#include <filesystem>
#include <vector>

#include "server/store/connection.h"
#include "server/store/integrity.h"
#include "server/store/schema.h"

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
    // SQLite's own check of every page first: the rules below read through the
    // b-trees and cannot see a page that no query happens to visit.
    std::vector<std::string> found = store::CheckPages(conn, false, 1000);
    try {
      conn.Exec("BEGIN");
      store::ReadTxn read(conn);
      for (auto& line : store::CheckIntegrity(read, 1000 - std::min<size_t>(found.size(), 999))) {
        found.push_back(std::move(line));
      }
      conn.ResetAll();
      conn.Exec("COMMIT");
    } catch (const std::exception& e) {
      if (found.empty()) throw;
      found.push_back(std::string("the hpsearch checks stopped: ") + e.what());
    }
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
