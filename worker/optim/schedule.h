// Learning-rate schedules: the rate used during epoch e (0-based) of E epochs.
//   constant      lr
//   step          lr·γ^⌊e/decay_epochs⌋          (γ = decay_rate, default 0.5; decay_epochs 10)
//   exponential   lr·γ^e                          (default γ 0.95)
//   inverse_time  lr/(1 + γ·e)                    (default γ 0.1)
//   cosine        lr_min + ½(lr − lr_min)(1 + cos(π·e/(E−1)))   (reaches lr_min at the last epoch)
#pragma once

#include <optional>
#include <string_view>

#include "absl/status/statusor.h"

namespace hpsearch::optim {

enum class ScheduleKind { kConstant, kStep, kExponential, kInverseTime, kCosine };

absl::StatusOr<ScheduleKind> ParseSchedule(std::string_view name);
std::string_view ScheduleName(ScheduleKind kind);

struct Schedule {
  ScheduleKind kind = ScheduleKind::kConstant;
  std::optional<double> decay_rate;  // γ; none: the schedule's default
  int decay_epochs = 10;
  double lr_min = 0;

  double LearningRate(double lr, int epoch, int epochs) const;
};

}  // namespace hpsearch::optim
