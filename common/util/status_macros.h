// Early returns on error, for code that chains many fallible steps:
//
//   RETURN_IF_ERROR(CheckRange(p));            // returns the absl::Status if not OK
//   ASSIGN_OR_RETURN(auto rows, ReadRows(db)); // declares `rows`, or returns the error
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define HPSEARCH_CONCAT_INNER(a, b) a##b
#define HPSEARCH_CONCAT(a, b) HPSEARCH_CONCAT_INNER(a, b)

#define RETURN_IF_ERROR(expr)                            \
  do {                                                   \
    const ::absl::Status hpsearch_status_ = (expr);      \
    if (!hpsearch_status_.ok()) return hpsearch_status_; \
  } while (0)

#define HPSEARCH_ASSIGN_OR_RETURN_IMPL(tmp, decl, expr) \
  auto tmp = (expr);                                    \
  if (!tmp.ok()) return tmp.status();                   \
  decl = *std::move(tmp)

#define ASSIGN_OR_RETURN(decl, expr) HPSEARCH_ASSIGN_OR_RETURN_IMPL(HPSEARCH_CONCAT(hpsearch_or_, __LINE__), decl, expr)
