// Where /login may send the browser afterwards (its `next` parameter, already
// percent-decoded once): only a path of this site. A browser strips tabs and line
// breaks anywhere in a URL and control characters and spaces at its ends, treats
// '\' as '/', and reads "//host" or "scheme:..." as another origin; so anything with
// a control character, white space, a backslash, non-ASCII bytes, a second leading
// '/', or a percent-escape of any of those or of '/' or '%' is refused whole, and
// the answer is "/". Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace hpsearch::http {

// `next` if it is a same-origin absolute path, else "/".
std::string SafeNext(std::string_view next);

}  // namespace hpsearch::http
