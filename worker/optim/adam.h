// Adam (Kingma & Ba 2015):
//   m ← β1m + (1−β1)g;  v ← β2v + (1−β2)g²;  m̂ = m/(1−β1^t);  v̂ = v/(1−β2^t);
//   w ← w − lr·m̂/(√v̂ + eps).
#pragma once
#include <vector>
#include "worker/optim/optimizer.h"

namespace hpsearch::optim {

class Adam final : public Optimizer {
 public:
  Adam(std::size_t size, double beta1, double beta2, float eps)
      : m_(size, 0.0f), v_(size, 0.0f), beta1_(beta1), beta2_(beta2), eps_(eps) {}
  int StateSlots() const override { return 2; }

 private:
  void Begin() override;
  void Update(std::span<float> w, std::span<const float> g, float lr, std::size_t offset) override;
  std::vector<float> m_, v_;
  double beta1_, beta2_;
  float eps_;
  double beta1_t_ = 1.0, beta2_t_ = 1.0;  // β^t
};

}  // namespace hpsearch::optim
