// The dashboard's static files, compiled into the binary (cmake/embed_assets.cmake):
// its HTML, script and style (server/http/assets/) and Chart.js from Debian's
// libjs-chart.js. No CDN, nothing read from disk at run time.
#pragma once

#include <optional>
#include <string_view>

namespace hpsearch::http {

// The bytes of asset `name` ("dashboard.js", "chart.min.js", ...), if there is one.
std::optional<std::string_view> Asset(std::string_view name);

}  // namespace hpsearch::http
