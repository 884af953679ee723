// Secrets: unguessable ids from the kernel's random source (getrandom(2)) for lease
// and session ids, and comparing a secret without leaking where it differs.
// Thread-safe.
#pragma once

#include <string>

namespace hpsearch {

// 128 random bits as 32 lowercase hex digits. Never fails: getrandom blocks only
// until the kernel's pool is first seeded, long before a server takes requests.
std::string RandomId128();

// Whether two secrets are equal, in time that depends on the longer one's length
// only (not on where they first differ).
bool SecretEquals(const std::string& a, const std::string& b);

}  // namespace hpsearch
