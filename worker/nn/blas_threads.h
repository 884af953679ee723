// The trainer's matrix products run through Debian's OpenBLAS, one thread per call:
// every trial already owns a slot and a core, and several slots call OpenBLAS at
// once. The pthread build is used because it is safe to call from many threads;
// Debian 12's serial build (0.3.21) is not (concurrent small SGEMMs corrupt each
// other's results: docs/performance.md). This pins it to the calling thread.
#pragma once

namespace hpsearch::nn {

// Idempotent and thread-safe; Train() and the GEMM ceiling call it first.
void UseOneBlasThreadPerCall();

}  // namespace hpsearch::nn
