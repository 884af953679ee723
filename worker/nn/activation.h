// Element-wise activations and their derivatives.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "worker/nn/tensor.h"

namespace hpsearch::nn {

enum class ActivationKind { kIdentity, kSigmoid, kTanh, kRelu, kLeakyRelu, kElu };

struct Activation {
  ActivationKind kind = ActivationKind::kRelu;
  float leaky_slope = 0.01f;  // leaky_relu: max(slope*x, x)
  float elu_alpha = 1.0f;     // elu: x > 0 ? x : alpha*(e^x - 1)
};

// "sigmoid", "tanh", "relu", "leaky_relu", "elu" (and "identity").
absl::StatusOr<ActivationKind> ParseActivation(std::string_view name);
std::string_view ActivationName(ActivationKind kind);

// a = f(z). `a` may alias `z` only for kIdentity.
void ActivationForward(const Activation& act, ConstMatrixMap z, MatrixMap a);

// dz = da * f'(z), using the stored forward output `a` where that is cheaper.
// `dz` may alias `da`.
void ActivationBackward(const Activation& act, ConstMatrixMap z, ConstMatrixMap a, ConstMatrixMap da, MatrixMap dz);

}  // namespace hpsearch::nn
