#include "worker/nn/conv2d.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace hpsearch::nn {
namespace {

int Extent(int size, int kernel, int stride, int padding) { return (size + 2 * padding - kernel) / stride + 1; }

// The output columns ox whose input column x = ox·s − p + j lies inside the image:
// [lo, hi). Outside them a kernel column j reads padding.
struct Inside {
  int lo, hi;
};
Inside InsideColumns(int width, int out_width, int stride, int padding, int j) {
  const int first = padding - j;  // ox·s >= p − j
  const int lo = first <= 0 ? 0 : (first + stride - 1) / stride;
  const int last = width - 1 + padding - j;  // ox·s <= W − 1 + p − j
  const int hi = last < 0 ? 0 : std::min(out_width, last / stride + 1);
  return {std::min(lo, out_width), std::max(hi, std::min(lo, out_width))};
}

// cols(r, o) = x(c, oy·s − p + i, ox·s − p + j) for r = (c·k + i)·k + j, o = oy·W' + ox;
// 0 outside the image. The columns inside are copied without a test each (a plain
// copy at stride 1).
void Unfold(const ImageShape& in, const Conv2dConfig& c, const ImageShape& out, const float* image, float* cols) {
  const int k = c.kernel, s = c.stride;
  const int64_t hw = out.plane();
  for (int ch = 0; ch < in.channels; ++ch) {
    const float* plane = image + ch * in.plane();
    for (int i = 0; i < k; ++i) {
      for (int j = 0; j < k; ++j) {
        float* row = cols + ((int64_t{ch} * k + i) * k + j) * hw;
        const Inside inside = InsideColumns(in.width, out.width, s, c.padding, j);
        for (int oy = 0; oy < out.height; ++oy) {
          const int y = oy * s - c.padding + i;
          float* dst = row + int64_t{oy} * out.width;
          if (y < 0 || y >= in.height) {
            std::fill(dst, dst + out.width, 0.0f);
            continue;
          }
          const float* src = plane + int64_t{y} * in.width;
          const int shift = j - c.padding;  // x = ox·s + shift, inside the row for ox in [lo, hi)
          std::fill(dst, dst + inside.lo, 0.0f);
          if (s == 1) {
            std::copy(src + inside.lo + shift, src + inside.hi + shift, dst + inside.lo);
          } else {
            for (int ox = inside.lo; ox < inside.hi; ++ox) dst[ox] = src[ox * s + shift];
          }
          std::fill(dst + inside.hi, dst + out.width, 0.0f);
        }
      }
    }
  }
}

// The adjoint of Unfold: each cols element added back to the pixel it came from.
void Fold(const ImageShape& in, const Conv2dConfig& c, const ImageShape& out, const float* cols, float* image) {
  std::fill(image, image + in.size(), 0.0f);
  const int k = c.kernel, s = c.stride;
  const int64_t hw = out.plane();
  for (int ch = 0; ch < in.channels; ++ch) {
    float* plane = image + ch * in.plane();
    for (int i = 0; i < k; ++i) {
      for (int j = 0; j < k; ++j) {
        const float* row = cols + ((int64_t{ch} * k + i) * k + j) * hw;
        const Inside inside = InsideColumns(in.width, out.width, s, c.padding, j);
        for (int oy = 0; oy < out.height; ++oy) {
          const int y = oy * s - c.padding + i;
          if (y < 0 || y >= in.height) continue;
          float* dst = plane + int64_t{y} * in.width;
          const float* src = row + int64_t{oy} * out.width;
          const int shift = j - c.padding;  // x = ox·s + shift
          if (s == 1) {
            for (int ox = inside.lo; ox < inside.hi; ++ox) dst[ox + shift] += src[ox];
          } else {
            for (int ox = inside.lo; ox < inside.hi; ++ox) dst[ox * s + shift] += src[ox];
          }
        }
      }
    }
  }
}

}  // namespace

absl::StatusOr<ImageShape> Conv2dOutput(const ImageShape& in, const Conv2dConfig& c) {
  if (in.channels < 1 || in.height < 1 || in.width < 1) {
    return absl::InvalidArgumentError(absl::StrCat("conv: the input ", in.ToString(), " is empty"));
  }
  if (c.filters < 1) return absl::InvalidArgumentError(absl::StrCat("conv: filters ", c.filters, " must be >= 1"));
  if (c.kernel < 1) return absl::InvalidArgumentError(absl::StrCat("conv: kernel ", c.kernel, " must be >= 1"));
  if (c.stride < 1) return absl::InvalidArgumentError(absl::StrCat("conv: stride ", c.stride, " must be >= 1"));
  if (c.padding < 0 || c.padding >= c.kernel) {
    return absl::InvalidArgumentError(
        absl::StrCat("conv: padding ", c.padding, " must be in 0..", c.kernel - 1, " for a kernel of ", c.kernel));
  }
  if (in.height + 2 * c.padding < c.kernel || in.width + 2 * c.padding < c.kernel) {
    return absl::InvalidArgumentError(absl::StrCat("conv: a ", c.kernel, "×", c.kernel, " kernel does not fit a ",
                                                   in.ToString(), " input padded by ", c.padding,
                                                   ": the feature map would shrink below 1×1"));
  }
  return ImageShape{c.filters, Extent(in.height, c.kernel, c.stride, c.padding),
                    Extent(in.width, c.kernel, c.stride, c.padding)};
}

int64_t Conv2dParameters(const ImageShape& in, const Conv2dConfig& c) {
  return int64_t{c.filters} * in.channels * c.kernel * c.kernel + (c.bias ? c.filters : 0);
}

namespace {

// One block's part of the workspace: its unfolding, the unfolding's gradient, and
// (used by every block but the first) its own dW and db.
struct BlockWork {
  float *cols, *dcols, *dw, *db;
};

int64_t UnfoldSize(const ImageShape& in, const Conv2dConfig& c) {
  const ImageShape out = *Conv2dOutput(in, c);
  return int64_t{in.channels} * c.kernel * c.kernel * out.plane();
}

int64_t BlockSize(const ImageShape& in, const Conv2dConfig& c) {
  return 2 * UnfoldSize(in, c) + int64_t{in.channels} * c.kernel * c.kernel * c.filters + c.filters;
}

BlockWork Block(const ImageShape& in, const Conv2dConfig& c, std::span<float> work, int k) {
  const int64_t unfold = UnfoldSize(in, c);
  float* base = work.data() + k * BlockSize(in, c);
  float* dw = base + 2 * unfold;
  return {base, base + unfold, dw, dw + int64_t{in.channels} * c.kernel * c.kernel * c.filters};
}

}  // namespace

int Conv2dBlocks(int64_t n) { return n >= kMinParallelBatch ? 2 : 1; }

std::pair<int64_t, int64_t> Conv2dImages(int k, int64_t n) {
  if (Conv2dBlocks(n) == 1) return {0, n};
  return k == 0 ? std::pair<int64_t, int64_t>{0, n / 2} : std::pair<int64_t, int64_t>{n / 2, n};
}

int64_t Conv2dWorkspace(const ImageShape& in, const Conv2dConfig& c, int64_t max_rows) {
  return Conv2dBlocks(max_rows) * BlockSize(in, c);
}

void Conv2dForward(const ImageShape& in, const Conv2dConfig& c, ConstMatrixMap x, ConstMatrixMap w, ConstRowVectorMap b,
                   MatrixMap z, std::span<float> work, const StepThreads& threads) {
  const ImageShape out = *Conv2dOutput(in, c);
  const Eigen::Index depth = w.rows(), hw = out.plane();
  const int blocks = Conv2dBlocks(x.rows());
  threads.For(blocks, [&](int k) {
    const BlockWork bw = Block(in, c, work, k);
    MatrixMap unfolded(bw.cols, depth, hw);
    const auto [begin, end] = Conv2dImages(k, x.rows());
    for (Eigen::Index n = begin; n < end; ++n) {
      Unfold(in, c, out, x.data() + n * x.cols(), bw.cols);
      MatrixMap zs(z.data() + n * z.cols(), c.filters, hw);
      zs.noalias() = w.transpose() * Const(unfolded);
      if (c.bias) zs.colwise() += b.transpose();
    }
  });
}

void Conv2dBackward(const ImageShape& in, const Conv2dConfig& c, ConstMatrixMap x, ConstMatrixMap w, ConstMatrixMap dz,
                    MatrixMap dw, RowVectorMap db, MatrixMap* dx, std::span<float> work, const StepThreads& threads) {
  const ImageShape out = *Conv2dOutput(in, c);
  const Eigen::Index depth = w.rows(), hw = out.plane();
  const int blocks = Conv2dBlocks(x.rows());
  threads.For(blocks, [&](int k) {
    const BlockWork bw = Block(in, c, work, k);
    MatrixMap unfolded(bw.cols, depth, hw), dunfolded(bw.dcols, depth, hw);
    // The first block sums into dW and db themselves, the others apart.
    MatrixMap sum_dw = k == 0 ? dw : MatrixMap(bw.dw, depth, c.filters);
    RowVectorMap sum_db = k == 0 ? db : RowVectorMap(bw.db, c.bias ? c.filters : 0);
    sum_dw.setZero();
    if (c.bias) sum_db.setZero();
    const auto [begin, end] = Conv2dImages(k, x.rows());
    for (Eigen::Index n = begin; n < end; ++n) {
      ConstMatrixMap dzs(dz.data() + n * dz.cols(), c.filters, hw);
      Unfold(in, c, out, x.data() + n * x.cols(), bw.cols);
      sum_dw.noalias() += Const(unfolded) * dzs.transpose();
      if (c.bias) sum_db.noalias() += dzs.rowwise().sum().transpose();
      if (dx != nullptr) {
        dunfolded.noalias() = w * dzs;
        Fold(in, c, out, bw.dcols, dx->data() + n * dx->cols());
      }
    }
  });
  for (int k = 1; k < blocks; ++k) {
    const BlockWork bw = Block(in, c, work, k);
    dw += MatrixMap(bw.dw, depth, c.filters);
    if (c.bias) db += RowVectorMap(bw.db, c.filters);
  }
}

}  // namespace hpsearch::nn
