#include "server/http/admission.h"

#include "absl/strings/str_cat.h"

namespace hpsearch::http {

bool TakesBody(const RequestHead& head) { return head.method == "POST" && head.path == "/login"; }

Admission Admit(const RequestHead& head, const HttpLimits& limits) {
  Admission a;
  const std::string only =
      absl::StrCat("only POST /login takes a body, of at most ", limits.max_body_bytes, " bytes with a Content-Length");
  if (head.transfer_encoding) {
    a.kind = Admission::Kind::kRefuse;
    a.status = 411;
    a.message = absl::StrCat("a body with Transfer-Encoding is not accepted: ", only);
    return a;
  }
  const uint64_t length = head.content_length.value_or(0);
  if (length > limits.max_body_bytes ||
      (length > 0 && !TakesBody(head) && (head.method == "GET" || head.method == "HEAD"))) {
    a.kind = Admission::Kind::kRefuse;
    a.status = 413;
    a.message = absl::StrCat(head.method, " ", head.path, " with a body of ", length, " bytes: ", only);
    return a;
  }
  a.close_after = !head.keep_alive;
  if (length > 0 && TakesBody(head)) {
    a.kind = Admission::Kind::kReadBody;
    a.body_bytes = static_cast<std::size_t>(length);
  } else if (length > 0) {
    a.close_after = true;  // the handler answers from the head (405); the body is never read
  }
  return a;
}

}  // namespace hpsearch::http
