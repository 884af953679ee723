#include "worker/trainer/batch_source.h"

#include <cstring>

namespace hpsearch::trainer {

BatchSource::BatchSource(const data::Dataset& dataset, const data::Preprocessor& pre, int max_rows,
                         data::Augment augment, float input_noise)
    : dataset_(dataset), pre_(pre), augment_(augment), input_noise_(input_noise), max_rows_(max_rows) {
  raw_.resize(max_rows, dataset.features());
  if (!pre.identity()) processed_.resize(max_rows, pre.output_features());
  if (dataset.task == data::Task::kRegression) targets_.resize(max_rows, dataset.outputs());
  labels_.resize(max_rows);
  if (dataset.is_image()) scratch_.resize(static_cast<std::size_t>(dataset.features()));
}

void BatchSource::Load(const RowSource& src, std::span<const int32_t> rows, bool training, Rng& rng) {
  n_ = static_cast<int64_t>(rows.size());
  const auto f = raw_.cols();
  const int64_t row_bytes = f * static_cast<int64_t>(sizeof(float));
  for (int64_t i = 0; i < n_; ++i) {
    const int32_t r = rows[i];
    // The shuffled rows are scattered over the whole dataset, each a trip to memory:
    // ask for the next row's cache lines while this one is copied (the gather took
    // 2-30% less time in a standalone test, 128 rows of 784 floats out of 54,000).
    if (i + 1 < n_) {
      const char* next = reinterpret_cast<const char*>(src.x->data() + static_cast<int64_t>(rows[i + 1]) * f);
      for (int64_t b = 0; b < row_bytes; b += 64) __builtin_prefetch(next + b);
    }
    std::memcpy(raw_.data() + i * f, src.x->data() + static_cast<int64_t>(r) * f, row_bytes);
    if (src.labels) labels_[i] = (*src.labels)[r];
    if (src.targets) targets_.row(i) = src.targets->row(r);
  }
  Finish(training, rng);
}

void BatchSource::LoadRange(const RowSource& src, int64_t first, int64_t count) {
  n_ = count;
  const auto f = raw_.cols();
  std::memcpy(raw_.data(), src.x->data() + first * f, count * f * sizeof(float));
  for (int64_t i = 0; i < n_; ++i) {
    if (src.labels) labels_[i] = (*src.labels)[first + i];
    if (src.targets) targets_.row(i) = src.targets->row(first + i);
  }
  Rng unused(0);
  Finish(false, unused);
}

void BatchSource::Finish(bool training, Rng& rng) {
  nn::MatrixMap raw(raw_.data(), n_, raw_.cols());
  if (training && augment_.active() && dataset_.is_image())
    data::AugmentBatch(augment_, dataset_.image_height, dataset_.image_width, rng, raw, scratch_.data());
  if (!pre_.identity()) pre_.Transform(nn::Const(raw), nn::MatrixMap(processed_.data(), n_, processed_.cols()));
  if (training && input_noise_ > 0) {
    nn::Matrix& m = pre_.identity() ? raw_ : processed_;
    float* p = m.data();
    const int64_t size = n_ * m.cols();
    for (int64_t i = 0; i < size; ++i) p[i] += static_cast<float>(rng.Normal() * input_noise_);
  }
}

nn::ConstMatrixMap BatchSource::inputs() const {
  const nn::Matrix& m = pre_.identity() ? raw_ : processed_;
  return {m.data(), n_, m.cols()};
}

nn::ConstMatrixMap BatchSource::targets() const { return {targets_.data(), n_, targets_.cols()}; }

}  // namespace hpsearch::trainer
