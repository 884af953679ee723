// An HttpResponse as the bytes of an HTTP/1.1 response: status line, the handler's
// headers plus the ones every answer carries (Cache-Control: no-store unless the
// handler set its own, X-Content-Type-Options: nosniff, Content-Length, Connection:
// close when the connection ends after it), the body gzip-compressed when the client
// accepts it and it is text or JSON over 1 KiB, and no body for HEAD. Event streams
// get a head of their own and are then sent chunk by chunk. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "server/http/http_api.h"

namespace hpsearch::http {

struct ResponseShape {
  bool head_only = false;     // HEAD: the headers of the GET, no body
  bool accepts_gzip = false;  // Accept-Encoding names gzip
  bool close = false;         // Connection: close, the last response on its connection
  bool keep_alive = false;    // Connection: keep-alive (an HTTP/1.0 client that asked for it)
};

std::string SerializeResponse(const HttpResponse& response, const ResponseShape& shape);

// The head of a server-sent event stream's response; `chunked` for HTTP/1.1 (an
// HTTP/1.0 stream is the raw bytes, ended by closing the connection).
std::string StreamHead(const HttpResponse& response, bool chunked);
// One chunk of a chunked body ("" ends the body).
std::string Chunk(std::string_view bytes);

// A response the listener makes itself (a refused request): the JSON error body the
// API uses, `code` its gRPC-style name, and Connection: close.
std::string ErrorResponse(int status, std::string_view code, std::string_view message);

// "Not Found" for 404, and so on ("" for a status it does not know).
std::string_view ReasonPhrase(int status);

// gzip of `in` at a fast level, or "" if zlib fails.
std::string Gzip(std::string_view in);

}  // namespace hpsearch::http
