// The dashboard's static files, compiled into the binary (cmake/embed_assets.cmake):
// its HTML, style and script (server/http/assets/, the script as ES modules in js/)
// and Chart.js from Debian's libjs-chart.js. No CDN, nothing read from disk at run time.
#pragma once

#include <optional>
#include <string_view>

namespace hpsearch::http {

// The bytes of asset `name` ("dashboard.css", "js/main.js", "chart.min.js", ...), if there is one.
std::optional<std::string_view> Asset(std::string_view name);

}  // namespace hpsearch::http
