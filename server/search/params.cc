#include "search/params.h"

namespace hpsearch::search {

std::string CanonicalText(const Params& p) { return p.dump(); }

uint64_t ConfigHash(const Params& p) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : CanonicalText(p)) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace hpsearch::search
