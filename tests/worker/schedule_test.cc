#include "worker/optim/schedule.h"

#include <gtest/gtest.h>

namespace hpsearch::optim {
namespace {

TEST(Schedule, Formulas) {
  Schedule s;
  EXPECT_DOUBLE_EQ(s.LearningRate(0.1, 7, 10), 0.1);
  s = {ScheduleKind::kStep, 0.5, 3};
  EXPECT_DOUBLE_EQ(s.LearningRate(0.1, 2, 10), 0.1);
  EXPECT_DOUBLE_EQ(s.LearningRate(0.1, 3, 10), 0.05);
  EXPECT_DOUBLE_EQ(s.LearningRate(0.1, 7, 10), 0.025);
  s = {ScheduleKind::kExponential, 0.9};
  EXPECT_NEAR(s.LearningRate(0.1, 2, 10), 0.1 * 0.81, 1e-12);
  s = {ScheduleKind::kInverseTime, 0.5};
  EXPECT_NEAR(s.LearningRate(0.1, 4, 10), 0.1 / 3.0, 1e-12);
  s = {ScheduleKind::kCosine, -1, 10, 0.001};
  EXPECT_DOUBLE_EQ(s.LearningRate(0.1, 0, 5), 0.1);
  EXPECT_NEAR(s.LearningRate(0.1, 2, 5), 0.001 + 0.5 * 0.099, 1e-12);
  EXPECT_NEAR(s.LearningRate(0.1, 4, 5), 0.001, 1e-12);
}

TEST(Schedule, Defaults) {
  Schedule s{ScheduleKind::kExponential};
  EXPECT_NEAR(s.LearningRate(1.0, 1, 10), 0.95, 1e-12);
  EXPECT_FALSE(ParseSchedule("linear").ok());
}

}  // namespace
}  // namespace hpsearch::optim
