#include "worker/nn/activation.h"

#include "common/util/enum_names.h"

namespace hpsearch::nn {

namespace {
constexpr NameTable<ActivationKind, 6> kNames = {
    {ActivationKind::kIdentity, "identity"},
    {ActivationKind::kSigmoid, "sigmoid"},
    {ActivationKind::kTanh, "tanh"},
    {ActivationKind::kRelu, "relu"},
    {ActivationKind::kLeakyRelu, "leaky_relu"},
    {ActivationKind::kElu, "elu"},
};
}  // namespace

absl::StatusOr<ActivationKind> ParseActivation(std::string_view name) { return ParseName(kNames, name, "activation"); }

std::string_view ActivationName(ActivationKind kind) { return NameOf(kNames, kind); }

void ActivationForward(const Activation& act, ConstMatrixMap z, MatrixMap a) {
  auto za = z.array();
  auto aa = a.array();
  switch (act.kind) {
    case ActivationKind::kIdentity:
      a = z;
      break;
    case ActivationKind::kSigmoid:
      aa = 1.0f / (1.0f + (-za).exp());
      break;
    case ActivationKind::kTanh:
      aa = za.tanh();
      break;
    case ActivationKind::kRelu:
      aa = za.max(0.0f);
      break;
    case ActivationKind::kLeakyRelu:
      aa = za.max(za * act.leaky_slope);
      break;
    case ActivationKind::kElu:
      aa = (za > 0.0f).select(za, act.elu_alpha * (za.exp() - 1.0f));
      break;
  }
}

void ActivationBackward(const Activation& act, ConstMatrixMap z, ConstMatrixMap a, ConstMatrixMap da, MatrixMap dz) {
  auto za = z.array();
  auto aa = a.array();
  auto g = da.array();
  auto out = dz.array();
  switch (act.kind) {
    case ActivationKind::kIdentity:
      dz = da;
      break;
    case ActivationKind::kSigmoid:
      out = g * aa * (1.0f - aa);
      break;
    case ActivationKind::kTanh:
      out = g * (1.0f - aa.square());
      break;
    case ActivationKind::kRelu:
      out = (za > 0.0f).select(g, 0.0f);
      break;
    case ActivationKind::kLeakyRelu:
      out = (za > 0.0f).select(g, g * act.leaky_slope);
      break;
    case ActivationKind::kElu:
      // f'(z) = 1 for z > 0, alpha*e^z = a + alpha otherwise.
      out = (za > 0.0f).select(g, g * (aa + act.elu_alpha));
      break;
  }
}

}  // namespace hpsearch::nn
