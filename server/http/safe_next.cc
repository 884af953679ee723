#include "server/http/safe_next.h"

namespace hpsearch::http {

namespace {

// A byte a browser strips, rewrites or reads as a separator in a URL, or that has
// no place unescaped in a path.
bool Forbidden(unsigned char c) { return c <= 0x20 || c >= 0x7f || c == '\\'; }

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string SafeNext(std::string_view next) {
  if (next.size() < 1 || next.size() > 2048 || next[0] != '/') return "/";
  if (next.size() > 1 && (next[1] == '/' || next[1] == '\\')) return "/";
  for (std::size_t i = 0; i < next.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(next[i]);
    if (Forbidden(c)) return "/";
    if (c != '%') continue;
    // An escape that decodes to something refused above, or to '/' or '%' (a second
    // decoding somewhere would make "//" or a new escape of it).
    if (i + 2 >= next.size() || Hex(next[i + 1]) < 0 || Hex(next[i + 2]) < 0) return "/";
    const unsigned char decoded = static_cast<unsigned char>(Hex(next[i + 1]) * 16 + Hex(next[i + 2]));
    if (Forbidden(decoded) || decoded == '/' || decoded == '%') return "/";
  }
  return std::string(next);
}

}  // namespace hpsearch::http
