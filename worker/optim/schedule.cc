#include "worker/optim/schedule.h"

#include <cmath>
#include <numbers>

#include "common/util/enum_names.h"

namespace hpsearch::optim {

namespace {
constexpr NameTable<ScheduleKind, 5> kNames = {
    {ScheduleKind::kConstant, "constant"},       {ScheduleKind::kStep, "step"},
    {ScheduleKind::kExponential, "exponential"}, {ScheduleKind::kInverseTime, "inverse_time"},
    {ScheduleKind::kCosine, "cosine"},
};
}  // namespace

absl::StatusOr<ScheduleKind> ParseSchedule(std::string_view name) { return ParseName(kNames, name, "schedule"); }

std::string_view ScheduleName(ScheduleKind kind) { return NameOf(kNames, kind); }

double Schedule::LearningRate(double lr, int epoch, int epochs) const {
  auto gamma = [&](double dflt) { return decay_rate.value_or(dflt); };
  switch (kind) {
    case ScheduleKind::kConstant:
      return lr;
    case ScheduleKind::kStep:
      return lr * std::pow(gamma(0.5), epoch / std::max(1, decay_epochs));
    case ScheduleKind::kExponential:
      return lr * std::pow(gamma(0.95), epoch);
    case ScheduleKind::kInverseTime:
      return lr / (1.0 + gamma(0.1) * epoch);
    case ScheduleKind::kCosine: {
      if (epochs <= 1) return lr;
      const double t = static_cast<double>(epoch) / (epochs - 1);
      return lr_min + 0.5 * (lr - lr_min) * (1.0 + std::cos(std::numbers::pi * t));
    }
  }
  return lr;
}

}  // namespace hpsearch::optim
