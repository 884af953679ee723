// Input preprocessing fitted on the training rows only (never validation or test):
//   none         x
//   center       x − μ
//   standardize  (x − μ)/σ   (σ = 1 where a feature is constant)
//   minmax       (x − min)/(max − min), into [0, 1]
//   pca          (x − μ)·P, P = the top-k principal directions (k = pca_components)
//   pca_whiten   (x − μ)·P/√(λ + 1e-5): decorrelated, unit variance
// Applied on the fly per batch, so the shared dataset is never copied.
#pragma once

#include <span>
#include <string_view>

#include "absl/status/statusor.h"
#include "worker/data/dataset.h"
#include "worker/nn/tensor.h"

namespace hpsearch::data {

enum class PreprocessKind { kNone, kCenter, kStandardize, kMinmax, kPca, kPcaWhiten };

absl::StatusOr<PreprocessKind> ParsePreprocess(std::string_view name);
std::string_view PreprocessName(PreprocessKind kind);

class Preprocessor {
 public:
  // Fits on x's `rows`. `components` is used by pca / pca_whiten (clamped to the
  // feature count).
  static Preprocessor Fit(PreprocessKind kind, const nn::Matrix& x, std::span<const int32_t> rows, int components);

  PreprocessKind kind() const { return kind_; }
  int input_features() const { return in_; }
  int output_features() const { return out_; }
  bool identity() const { return kind_ == PreprocessKind::kNone; }

  // out = transform(in). in: n x input_features, out: n x output_features. For the
  // non-PCA kinds `out` may alias `in`.
  void Transform(nn::ConstMatrixMap in, nn::MatrixMap out) const;

 private:
  PreprocessKind kind_ = PreprocessKind::kNone;
  int in_ = 0, out_ = 0;
  nn::RowVector shift_;       // subtracted
  nn::RowVector scale_;       // multiplied (after the shift)
  nn::Matrix projection_;     // in x out (PCA)
  nn::RowVector pca_offset_;  // μ·P
};

}  // namespace hpsearch::data
