// What the listener does with a parsed request head before any handler runs, from
// the head alone: only POST /login takes a body (a form of at most
// HttpLimits::max_body_bytes, with a Content-Length); every other body, and any
// chunked one, is refused without reading a byte of it (413, 411), and a request
// whose body stays unread is the last on its connection. Pure; thread-safe.
#pragma once

#include <cstddef>
#include <string>

#include "server/http/http_limits.h"
#include "server/http/request_head.h"

namespace hpsearch::http {

struct Admission {
  enum class Kind {
    kDispatch,  // complete: hand it to a worker
    kReadBody,  // read `body_bytes` more, then dispatch
    kRefuse,    // answer `status` with `message` and close
  };
  Kind kind = Kind::kDispatch;
  std::size_t body_bytes = 0;
  bool close_after = false;  // kDispatch: the connection closes after the answer
  int status = 0;
  std::string message;
};

// True for the one request that may carry a body.
bool TakesBody(const RequestHead& head);

Admission Admit(const RequestHead& head, const HttpLimits& limits);

}  // namespace hpsearch::http
