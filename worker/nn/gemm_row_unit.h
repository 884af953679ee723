// The row granularity at which this machine's SGEMM can be split exactly.
//
// A product C = A·B split into row blocks (C's rows, computed by separate SGEMM
// calls) gives the same bits as the whole product only if every row is computed by
// the same kernel path: OpenBLAS works through C's rows in chunks of a fixed width
// that depends on the CPU's kernel (12 on AMD Zen's AVX2 kernel: split at 12, 24, 60
// rows the bits stay, at 4, 16 or 64 they change in the last place). Column splits
// changed them at every width tried. A trial that borrows an idle core therefore
// splits its products by rows at multiples of this unit, so its numbers do not
// depend on it.
#pragma once

namespace hpsearch::nn {

// The smallest of 4, 8, 12, 16, 24, 32, 48, 96 rows at which split products matched
// the whole ones bit for bit in a probe run once per process (4 ms: row-major
// products with and without transposes, inner dimensions on both sides of
// OpenBLAS's blocking, splits at 1-4 units); 0 when none did (never split).
int GemmRowUnit();

}  // namespace hpsearch::nn
