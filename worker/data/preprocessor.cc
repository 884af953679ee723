#include "worker/data/preprocessor.h"

#include <Eigen/Eigenvalues>
#include <algorithm>

#include "common/util/enum_names.h"

namespace hpsearch::data {

namespace {
constexpr NameTable<PreprocessKind, 6> kNames = {
    {PreprocessKind::kNone, "none"},
    {PreprocessKind::kCenter, "center"},
    {PreprocessKind::kStandardize, "standardize"},
    {PreprocessKind::kMinmax, "minmax"},
    {PreprocessKind::kPca, "pca"},
    {PreprocessKind::kPcaWhiten, "pca_whiten"},
};
}  // namespace

absl::StatusOr<PreprocessKind> ParsePreprocess(std::string_view name) { return ParseName(kNames, name, "preprocess"); }

std::string_view PreprocessName(PreprocessKind kind) { return NameOf(kNames, kind); }

Preprocessor Preprocessor::Fit(PreprocessKind kind, const nn::Matrix& x, std::span<const int32_t> rows,
                               int components) {
  Preprocessor p;
  p.kind_ = kind;
  p.in_ = p.out_ = static_cast<int>(x.cols());
  const auto d = x.cols();
  const double n = static_cast<double>(rows.size());
  Eigen::VectorXd sum = Eigen::VectorXd::Zero(d), sq = Eigen::VectorXd::Zero(d);
  Eigen::VectorXd lo = Eigen::VectorXd::Constant(d, 1e300), hi = Eigen::VectorXd::Constant(d, -1e300);
  for (int32_t r : rows) {
    const Eigen::VectorXd v = x.row(r).transpose().cast<double>();
    sum += v;
    sq += v.cwiseProduct(v);
    lo = lo.cwiseMin(v);
    hi = hi.cwiseMax(v);
  }
  const Eigen::VectorXd mean = sum / n;
  p.shift_ = mean.transpose().cast<float>();
  p.scale_ = nn::RowVector::Ones(d);
  switch (kind) {
    case PreprocessKind::kNone:
      p.shift_.setZero();
      break;
    case PreprocessKind::kCenter:
      break;
    case PreprocessKind::kStandardize:
      for (Eigen::Index j = 0; j < d; ++j) {
        const double var = std::max(0.0, sq(j) / n - mean(j) * mean(j));
        p.scale_(j) = var > 1e-12 ? static_cast<float>(1.0 / std::sqrt(var)) : 1.0f;
      }
      break;
    case PreprocessKind::kMinmax:
      p.shift_ = lo.transpose().cast<float>();
      for (Eigen::Index j = 0; j < d; ++j)
        p.scale_(j) = hi(j) - lo(j) > 1e-12 ? static_cast<float>(1.0 / (hi(j) - lo(j))) : 1.0f;
      break;
    case PreprocessKind::kPca:
    case PreprocessKind::kPcaWhiten: {
      // Covariance accumulated in chunks: never a centred copy of the whole set.
      Eigen::MatrixXd cov = Eigen::MatrixXd::Zero(d, d);
      const std::size_t chunk = 1024;
      Eigen::MatrixXd block;
      for (std::size_t s = 0; s < rows.size(); s += chunk) {
        const std::size_t m = std::min(chunk, rows.size() - s);
        block.resize(static_cast<Eigen::Index>(m), d);
        for (std::size_t i = 0; i < m; ++i)
          block.row(static_cast<Eigen::Index>(i)) = x.row(rows[s + i]).cast<double>() - mean.transpose();
        cov.noalias() += block.transpose() * block;
      }
      cov /= std::max(1.0, n - 1);
      Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(cov);
      const int k = std::clamp(components, 1, static_cast<int>(d));
      p.out_ = k;
      p.projection_.resize(d, k);
      for (int c = 0; c < k; ++c) {
        const Eigen::Index src = d - 1 - c;  // eigenvalues ascend
        double s = 1.0;
        if (kind == PreprocessKind::kPcaWhiten) s = 1.0 / std::sqrt(std::max(0.0, eig.eigenvalues()(src)) + 1e-5);
        p.projection_.col(c) = (eig.eigenvectors().col(src) * s).cast<float>();
      }
      p.pca_offset_ = p.shift_ * p.projection_;
      break;
    }
  }
  return p;
}

void Preprocessor::Transform(nn::ConstMatrixMap in, nn::MatrixMap out) const {
  switch (kind_) {
    case PreprocessKind::kNone:
      if (out.data() != in.data()) out = in;
      break;
    case PreprocessKind::kCenter:
      out = in.rowwise() - shift_;
      break;
    case PreprocessKind::kStandardize:
    case PreprocessKind::kMinmax:
      out.array() = (in.rowwise() - shift_).array().rowwise() * scale_.array();
      break;
    case PreprocessKind::kPca:
    case PreprocessKind::kPcaWhiten:
      // (x − μ)·P = x·P − μ·P: one GEMM, no centred temporary.
      out.noalias() = in * projection_;
      out.rowwise() -= pca_offset_;
      break;
  }
}

}  // namespace hpsearch::data
