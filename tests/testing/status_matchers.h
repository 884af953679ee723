// gMock matchers for absl::Status and absl::StatusOr<T>:
//
//   EXPECT_THAT(store.Open(...), IsOk());
//   EXPECT_THAT(scheduler.Cancel(id, false), StatusIs(absl::StatusCode::kNotFound));
//   EXPECT_THAT(Submit(bad), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("parameters.lr")));
#pragma once

#include <gmock/gmock.h>

#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace hpsearch::testing {

inline const absl::Status& StatusOf(const absl::Status& s) { return s; }
template <typename T>
const absl::Status& StatusOf(const absl::StatusOr<T>& s) {
  return s.status();
}

MATCHER_P2(StatusIs, code, message,
           std::string(negation ? "is not" : "is") + " a status with code " +
               absl::StatusCodeToString(static_cast<absl::StatusCode>(code)) + " and a message that " +
               ::testing::DescribeMatcher<std::string>(message, negation)) {
  const absl::Status& s = StatusOf(arg);
  *result_listener << "whose status is " << s;
  return s.code() == code &&
         ::testing::Matches(::testing::SafeMatcherCast<std::string>(message))(std::string(s.message()));
}

MATCHER_P(StatusIs, code,
          std::string(negation ? "is not" : "is") + " a status with code " +
              absl::StatusCodeToString(static_cast<absl::StatusCode>(code))) {
  const absl::Status& s = StatusOf(arg);
  *result_listener << "whose status is " << s;
  return s.code() == code;
}

MATCHER(IsOk, negation ? "is not OK" : "is OK") {
  const absl::Status& s = StatusOf(arg);
  *result_listener << "whose status is " << s;
  return s.ok();
}

}  // namespace hpsearch::testing
