// Finite-difference gradient checking helpers.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <span>

#include "common/util/rng.h"

namespace hpsearch::testing {

// Central difference of `loss` w.r.t. x[i].
inline double NumericGrad(float* x, const std::function<double()>& loss, double eps = 1e-3) {
  const float saved = *x;
  *x = static_cast<float>(saved + eps);
  const double up = loss();
  *x = static_cast<float>(saved - eps);
  const double down = loss();
  *x = saved;
  return (up - down) / (2 * eps);
}

// Compares analytic[i] with the numeric gradient at `samples` random positions (or
// all when there are fewer).
inline void ExpectGradientsMatch(std::span<float> x, std::span<const float> analytic,
                                 const std::function<double()>& loss, const char* what, int samples = 40,
                                 double eps = 1e-3, uint64_t seed = 1) {
  Rng rng(seed);
  const std::size_t n = x.size();
  const std::size_t count = std::min<std::size_t>(n, static_cast<std::size_t>(samples));
  for (std::size_t k = 0; k < count; ++k) {
    const std::size_t i = count == n ? k : rng.Below(n);
    const double num = NumericGrad(&x[i], loss, eps);
    const double ana = analytic[i];
    const double tol = 2e-3 + 2e-2 * std::max(std::fabs(num), std::fabs(ana));
    EXPECT_NEAR(ana, num, tol) << what << " at index " << i;
  }
}

}  // namespace hpsearch::testing
