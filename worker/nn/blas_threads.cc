#include "worker/nn/blas_threads.h"

#include <mutex>

extern "C" void openblas_set_num_threads(int num_threads);

namespace hpsearch::nn {

void UseOneBlasThreadPerCall() {
  static std::once_flag once;
  std::call_once(once, [] { openblas_set_num_threads(1); });
}

}  // namespace hpsearch::nn
