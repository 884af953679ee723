// service/status_convert.h: the one place statuses reach the wire, so the last place
// to keep a message within gRPC's metadata limit (item 9).
#include "server/service/status_convert.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace hpsearch::service {
namespace {

TEST(StatusConvert, MessagesKeepTheirStartAndCodeAndStaySmallAndPrintable) {
  const std::string huge = "dataset.path: 'data.csv:3: " + std::string(20'000, 'q') + "\x1b[2J'";
  const grpc::Status st = ToGrpc(absl::InvalidArgumentError(huge));
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_LE(st.error_message().size(), kMaxStatusMessageBytes);
  EXPECT_THAT(st.error_message(), ::testing::StartsWith("dataset.path: 'data.csv:3: qqq"));
  EXPECT_THAT(st.error_message(), ::testing::EndsWith("…"));
  const grpc::Status controls = ToGrpc(absl::NotFoundError("sweep 'a\x1b[31mb' not found"));
  EXPECT_EQ(controls.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(controls.error_message(), "sweep 'a\\x1b[31mb' not found");
  EXPECT_EQ(ToGrpc(absl::UnavailableError("short")).error_message(), "short");
  EXPECT_TRUE(ToGrpc(absl::OkStatus()).ok());
}

}  // namespace
}  // namespace hpsearch::service
