// StepThreads for tests: blocks on threads of their own, as a spare core would take
// them, or offered as if there were a second thread but run one by one.
#pragma once

#include <thread>
#include <vector>

#include "worker/nn/step_threads.h"

namespace hpsearch::testing {

// Every block but the first on a thread of its own, the first on the caller's.
inline nn::StepThreads ThreadedSteps() {
  return nn::StepThreads([](int n, absl::FunctionRef<void(int)> body) {
    std::vector<std::thread> t;
    for (int i = 1; i < n; ++i) t.emplace_back([body, i] { body(i); });
    body(0);
    for (auto& th : t) th.join();
  });
}

// Offers a second thread (so work splits) but runs the blocks one by one, the last
// first: no order is assumed.
inline nn::StepThreads InOrderSteps() {
  return nn::StepThreads([](int n, absl::FunctionRef<void(int)> body) {
    for (int i = n; i-- > 0;) body(i);
  });
}

}  // namespace hpsearch::testing
