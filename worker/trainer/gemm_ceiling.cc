#include "worker/trainer/gemm_ceiling.h"

#include <chrono>
#include <cstdint>
#include <thread>

#include "worker/nn/blas_threads.h"
#include "worker/nn/tensor.h"

namespace hpsearch::trainer {

double GemmCeiling(const std::vector<int>& hidden, int batch, int threads, double seconds) {
  nn::UseOneBlasThreadPerCall();
  using Mat = nn::Matrix;
  std::vector<int> widths = {784};
  widths.insert(widths.end(), hidden.begin(), hidden.end());
  widths.push_back(10);
  std::vector<double> rates(static_cast<std::size_t>(threads));
  auto run = [&](int t) {
    const std::size_t layers = widths.size() - 1;
    std::vector<Mat> x(layers + 1), w(layers), dw(layers), dx(layers + 1);
    for (std::size_t l = 0; l <= layers; ++l) {
      x[l] = Mat::Constant(batch, widths[l], 0.01f);
      dx[l] = Mat::Constant(batch, widths[l], 0.01f);
    }
    for (std::size_t l = 0; l < layers; ++l) {
      w[l] = Mat::Constant(widths[l], widths[l + 1], 0.01f);
      dw[l] = Mat::Zero(widths[l], widths[l + 1]);
    }
    auto step = [&] {
      for (std::size_t l = 0; l < layers; ++l) x[l + 1].noalias() = x[l] * w[l];
      for (std::size_t l = layers; l-- > 0;) {
        dw[l].noalias() = x[l].transpose() * dx[l + 1];
        if (l > 0) dx[l].noalias() = dx[l + 1] * w[l].transpose();
      }
    };
    for (int i = 0; i < 20; ++i) step();  // warm-up
    int64_t steps = 0;
    const auto start = std::chrono::steady_clock::now();
    double elapsed = 0;
    while (elapsed < seconds) {
      for (int i = 0; i < 20; ++i) step();
      steps += 20;
      elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
    rates[static_cast<std::size_t>(t)] = static_cast<double>(steps) * batch / elapsed;
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(run, t);
  for (auto& t : pool) t.join();
  double sum = 0;
  for (double r : rates) sum += r;
  return sum / threads;
}

}  // namespace hpsearch::trainer
