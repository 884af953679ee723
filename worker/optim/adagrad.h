// AdaGrad (Duchi et al. 2011): h ← h + g²;  w ← w − lr·g/(√h + eps).
#pragma once
#include <vector>
#include "worker/optim/optimizer.h"

namespace hpsearch::optim {

class Adagrad final : public Optimizer {
 public:
  Adagrad(std::size_t size, float eps) : h_(size, 0.0f), eps_(eps) {}
  int StateSlots() const override { return 1; }

 private:
  void Update(std::span<float> w, std::span<const float> g, float lr, std::size_t offset) override;
  std::vector<float> h_;
  float eps_;
};

}  // namespace hpsearch::optim
