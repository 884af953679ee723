#include "server/http/response_writer.h"

#include <zlib.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace hpsearch::http {

namespace {

absl::string_view A(std::string_view s) { return absl::string_view(s.data(), s.size()); }

}  // namespace

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 303:
      return "See Other";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 411:
      return "Length Required";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 421:
      return "Misdirected Request";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "";
  }
}

std::string Gzip(std::string_view in) {
  z_stream z{};
  if (deflateInit2(&z, 5, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return "";
  std::string out(deflateBound(&z, in.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return rc == Z_STREAM_END ? out : "";
}

namespace {

bool Compressible(const std::string& type) {
  return (absl::StartsWith(type, "text/") && !absl::StartsWith(type, "text/event-stream")) ||
         absl::StartsWith(type, "application/");
}

std::string StatusLine(int status) { return absl::StrCat("HTTP/1.1 ", status, " ", A(ReasonPhrase(status)), "\r\n"); }

// The handler's headers and the ones every response carries.
std::string CommonHeaders(const HttpResponse& response) {
  std::string out;
  bool cache = false;
  for (const auto& [k, v] : response.headers) {
    absl::StrAppend(&out, k, ": ", v, "\r\n");
    cache = cache || absl::EqualsIgnoreCase(k, "Cache-Control");
  }
  if (!cache) out += "Cache-Control: no-store\r\n";
  absl::StrAppend(&out, "X-Content-Type-Options: nosniff\r\nContent-Type: ", response.content_type, "\r\n");
  return out;
}

}  // namespace

std::string SerializeResponse(const HttpResponse& response, const ResponseShape& shape) {
  std::string out = StatusLine(response.status) + CommonHeaders(response);
  std::string gz;
  if (shape.accepts_gzip && response.body.size() > 1024 && Compressible(response.content_type)) {
    gz = Gzip(response.body);
    if (!gz.empty()) out += "Content-Encoding: gzip\r\nVary: Accept-Encoding\r\n";
  }
  const std::string& body = gz.empty() ? response.body : gz;
  absl::StrAppend(&out, "Content-Length: ", body.size(), "\r\n",
                  shape.close ? "Connection: close\r\n" : (shape.keep_alive ? "Connection: keep-alive\r\n" : ""),
                  "\r\n");
  if (!shape.head_only) out += body;
  return out;
}

std::string StreamHead(const HttpResponse& response, bool chunked) {
  return absl::StrCat(StatusLine(response.status), CommonHeaders(response),
                      chunked ? "Transfer-Encoding: chunked\r\n" : "", "Connection: close\r\n\r\n");
}

std::string Chunk(std::string_view bytes) {
  char size[20];
  std::snprintf(size, sizeof size, "%zx\r\n", bytes.size());
  return bytes.empty() ? std::string("0\r\n\r\n") : absl::StrCat(size, A(bytes), "\r\n");
}

std::string ErrorResponse(int status, std::string_view code, std::string_view message) {
  HttpResponse r;
  r.status = status;
  const nlohmann::json error = {{"error", {{"code", std::string(code)}, {"message", std::string(message)}}}};
  r.body = error.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  return SerializeResponse(r, ResponseShape{.close = true});
}

}  // namespace hpsearch::http
