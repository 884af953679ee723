// `hpsearch-server --check-db`: a database's integrity, by hand.
#pragma once

#include <ostream>
#include <string>

namespace hpsearch::service {

// Opens `db` read-only and prints every integrity violation (store/integrity.h).
// 0 when sound, 1 when not, 2 when it cannot be read.
int CheckDatabase(const std::string& db, std::ostream& out, std::ostream& err);

}  // namespace hpsearch::service
