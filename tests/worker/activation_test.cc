#include "worker/nn/activation.h"

#include <gtest/gtest.h>

#include "tests/testing/grad_check.h"

namespace hpsearch::nn {
namespace {

class ActivationGradient : public ::testing::TestWithParam<ActivationKind> {};

TEST_P(ActivationGradient, MatchesFiniteDifferences) {
  Activation act{GetParam(), 0.05f, 1.3f};
  Rng rng(3);
  Matrix z(6, 7), a(6, 7), c(6, 7), dz(6, 7);
  for (Eigen::Index i = 0; i < z.size(); ++i) {
    z.data()[i] = static_cast<float>(rng.Normal() * 1.5);
    if (std::fabs(z.data()[i]) < 0.01f) z.data()[i] = 0.3f;  // keep away from the kink
    c.data()[i] = static_cast<float>(rng.Normal());
  }
  auto loss = [&] {
    Matrix out(6, 7);
    ActivationForward(act, ConstMatrixMap(z.data(), 6, 7), MatrixMap(out.data(), 6, 7));
    return (out.cast<double>().array() * c.cast<double>().array()).sum();
  };
  ActivationForward(act, ConstMatrixMap(z.data(), 6, 7), MatrixMap(a.data(), 6, 7));
  ActivationBackward(act, ConstMatrixMap(z.data(), 6, 7), ConstMatrixMap(a.data(), 6, 7),
                     ConstMatrixMap(c.data(), 6, 7), MatrixMap(dz.data(), 6, 7));
  testing::ExpectGradientsMatch({z.data(), 42}, {dz.data(), 42}, loss, std::string(ActivationName(act.kind)).c_str(),
                                42);
}

INSTANTIATE_TEST_SUITE_P(All, ActivationGradient,
                         ::testing::Values(ActivationKind::kSigmoid, ActivationKind::kTanh, ActivationKind::kRelu,
                                           ActivationKind::kLeakyRelu, ActivationKind::kElu, ActivationKind::kIdentity),
                         [](const auto& info) { return std::string(ActivationName(info.param)); });

TEST(Activation, Values) {
  Matrix z(1, 3), a(1, 3);
  z << -2.0f, 0.0f, 3.0f;
  auto run = [&](Activation act) {
    ActivationForward(act, ConstMatrixMap(z.data(), 1, 3), MatrixMap(a.data(), 1, 3));
    return a;
  };
  Matrix r = run({ActivationKind::kRelu});
  EXPECT_FLOAT_EQ(r(0, 0), 0.0f);
  EXPECT_FLOAT_EQ(r(0, 2), 3.0f);
  r = run({ActivationKind::kLeakyRelu, 0.1f});
  EXPECT_FLOAT_EQ(r(0, 0), -0.2f);
  r = run({ActivationKind::kElu, 0.01f, 2.0f});
  EXPECT_NEAR(r(0, 0), 2.0 * (std::exp(-2.0) - 1.0), 1e-6);
  r = run({ActivationKind::kSigmoid});
  EXPECT_FLOAT_EQ(r(0, 1), 0.5f);
  r = run({ActivationKind::kTanh});
  EXPECT_NEAR(r(0, 2), std::tanh(3.0), 1e-6);
}

TEST(Activation, ParseRejectsUnknown) {
  EXPECT_FALSE(ParseActivation("relu6").ok());
  EXPECT_EQ(*ParseActivation("leaky_relu"), ActivationKind::kLeakyRelu);
}

}  // namespace
}  // namespace hpsearch::nn
