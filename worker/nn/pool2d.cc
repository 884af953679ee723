#include "worker/nn/pool2d.h"

#include "absl/strings/str_cat.h"

namespace hpsearch::nn {

absl::StatusOr<ImageShape> Pool2dOutput(const ImageShape& in, const Pool2dConfig& c) {
  if (in.channels < 1 || in.height < 1 || in.width < 1) {
    return absl::InvalidArgumentError(absl::StrCat("pool: the input ", in.ToString(), " is empty"));
  }
  if (c.size < 1) return absl::InvalidArgumentError(absl::StrCat("pool: size ", c.size, " must be >= 1"));
  if (c.stride < 0) {
    return absl::InvalidArgumentError(absl::StrCat("pool: stride ", c.stride, " must be >= 0 (0: the window's size)"));
  }
  if (in.height < c.size || in.width < c.size) {
    return absl::InvalidArgumentError(absl::StrCat("pool: a ", c.size, "×", c.size, " window does not fit a ",
                                                   in.ToString(), " input: the feature map would shrink below 1×1"));
  }
  return ImageShape{in.channels, (in.height - c.size) / c.step() + 1, (in.width - c.size) / c.step() + 1};
}

namespace {

// 2×2 windows side by side, max: the common case, without a branch per comparison
// (on random maps each one is a coin flip the branch predictor loses half the time).
// The same maxima and tie rule as the general loop: strictly greater replaces, in the
// window's row-major order.
void MaxPool2x2(const ImageShape& in, const ImageShape& out, const float* image, float* result, int32_t* argmax) {
  // Locals and restrict: the int32 stores may not alias the shapes' ints or the input,
  // so the loop vectorises (stride-2 loads, blends for the comparisons).
  const int width = in.width, out_width = out.width, rows = out.height, planes = in.channels;
  const int64_t in_plane = in.plane(), out_plane = out.plane();
  for (int ch = 0; ch < planes; ++ch) {
    for (int oy = 0; oy < rows; ++oy) {
      const auto top = static_cast<int32_t>(ch * in_plane + int64_t{2 * oy} * width);
      const float* __restrict r0 = image + top;
      const float* __restrict r1 = r0 + width;
      float* __restrict z = result + ch * out_plane + int64_t{oy} * out_width;
      int32_t* __restrict at = argmax + ch * out_plane + int64_t{oy} * out_width;
      for (int ox = 0; ox < out_width; ++ox) {
        const float a = r0[2 * ox], b = r0[2 * ox + 1], c = r1[2 * ox], d = r1[2 * ox + 1];
        const int32_t first = top + 2 * ox;
        float m = a;
        int32_t i = first;
        i = b > m ? first + 1 : i;
        m = b > m ? b : m;
        i = c > m ? first + width : i;
        m = c > m ? c : m;
        i = d > m ? first + width + 1 : i;
        m = d > m ? d : m;
        z[ox] = m;
        at[ox] = i;
      }
    }
  }
}

}  // namespace

void Pool2dForward(const ImageShape& in, const Pool2dConfig& c, ConstMatrixMap x, MatrixMap z,
                   std::span<int32_t> argmax, const StepThreads& threads) {
  const ImageShape out = *Pool2dOutput(in, c);
  const float scale = 1.0f / static_cast<float>(c.size * c.size);
  threads.ForRows(x.rows(), x.cols(), [&](int64_t begin, int64_t end) {
    for (Eigen::Index n = begin; n < end; ++n) {
      const float* image = x.data() + n * x.cols();
      float* result = z.data() + n * z.cols();
      if (c.kind == PoolKind::kMax && c.size == 2 && c.step() == 2) {
        MaxPool2x2(in, out, image, result, argmax.data() + n * z.cols());
        continue;
      }
      for (int ch = 0; ch < in.channels; ++ch) {
        for (int oy = 0; oy < out.height; ++oy) {
          for (int ox = 0; ox < out.width; ++ox) {
            const int64_t o = (int64_t{ch} * out.height + oy) * out.width + ox;
            const int64_t first =
                (int64_t{ch} * in.height + int64_t{oy} * c.step()) * in.width + int64_t{ox} * c.step();
            if (c.kind == PoolKind::kMax) {
              int64_t best = first;
              for (int i = 0; i < c.size; ++i) {
                for (int j = 0; j < c.size; ++j) {
                  const int64_t at = first + int64_t{i} * in.width + j;
                  if (image[at] > image[best]) best = at;
                }
              }
              result[o] = image[best];
              argmax[n * z.cols() + o] = static_cast<int32_t>(best);
            } else {
              float sum = 0;
              for (int i = 0; i < c.size; ++i) {
                for (int j = 0; j < c.size; ++j) sum += image[first + int64_t{i} * in.width + j];
              }
              result[o] = sum * scale;
            }
          }
        }
      }
    }
  });
}

void Pool2dBackward(const ImageShape& in, const Pool2dConfig& c, ConstMatrixMap dz, std::span<const int32_t> argmax,
                    MatrixMap dx, const StepThreads& threads) {
  const ImageShape out = *Pool2dOutput(in, c);
  const float scale = 1.0f / static_cast<float>(c.size * c.size);
  threads.ForRows(dz.rows(), dx.cols(), [&](int64_t begin, int64_t end) {
    dx.middleRows(begin, end - begin).setZero();
    for (Eigen::Index n = begin; n < end; ++n) {
      const float* grad = dz.data() + n * dz.cols();
      float* image = dx.data() + n * dx.cols();
      if (c.kind == PoolKind::kMax) {
        for (Eigen::Index o = 0; o < dz.cols(); ++o) image[argmax[n * dz.cols() + o]] += grad[o];
        continue;
      }
      for (int ch = 0; ch < in.channels; ++ch) {
        for (int oy = 0; oy < out.height; ++oy) {
          for (int ox = 0; ox < out.width; ++ox) {
            const float g = grad[(int64_t{ch} * out.height + oy) * out.width + ox] * scale;
            const int64_t first =
                (int64_t{ch} * in.height + int64_t{oy} * c.step()) * in.width + int64_t{ox} * c.step();
            for (int i = 0; i < c.size; ++i) {
              for (int j = 0; j < c.size; ++j) image[first + int64_t{i} * in.width + j] += g;
            }
          }
        }
      }
    }
  });
}

}  // namespace hpsearch::nn
