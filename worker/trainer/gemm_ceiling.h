// The ceiling of a trainer's throughput: a training step's matrix products alone.
#pragma once

#include <vector>

namespace hpsearch::trainer {

// Samples/s (per thread, with `threads` running at once) of one training step's
// matrix products alone — forward, weight gradients, and input gradients for every
// layer but the first: the FLOPs of TrainFlopsPerSample — for a 784-input, 10-output
// MLP with `hidden` widths at `batch`, through the same Eigen SGEMM kernels and
// layout the trainer uses, for about `seconds`. Everything else a step does (the
// update, activations, loss, data) is overhead over this.
double GemmCeiling(const std::vector<int>& hidden, int batch, int threads, double seconds);

}  // namespace hpsearch::trainer
