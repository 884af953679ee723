// Assembles training / evaluation batches from a shared dataset into preallocated
// buffers: gather rows, augment (training), preprocess, add input noise (training).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "common/util/rng.h"
#include "worker/data/augment.h"
#include "worker/data/dataset.h"
#include "worker/data/preprocessor.h"
#include "worker/nn/tensor.h"

namespace hpsearch::trainer {

// Which rows of which matrix a batch comes from.
struct RowSource {
  const nn::Matrix* x = nullptr;
  const std::vector<int32_t>* labels = nullptr;  // classification
  const nn::Matrix* targets = nullptr;           // regression
};

class BatchSource {
 public:
  BatchSource(const data::Dataset& dataset, const data::Preprocessor& pre, int max_rows, data::Augment augment,
              float input_noise);

  // Fills the batch with `rows` of `src` (indices into src.x; nullptr = rows
  // first..first+count). Training batches get augmentation and noise.
  void Load(const RowSource& src, std::span<const int32_t> rows, bool training, Rng& rng);
  void LoadRange(const RowSource& src, int64_t first, int64_t count);

  nn::ConstMatrixMap inputs() const;
  std::span<const int32_t> labels() const { return {labels_.data(), static_cast<std::size_t>(n_)}; }
  nn::ConstMatrixMap targets() const;
  int64_t rows() const { return n_; }

 private:
  void Finish(bool training, Rng& rng);

  const data::Dataset& dataset_;
  const data::Preprocessor& pre_;
  data::Augment augment_;
  float input_noise_;
  int max_rows_;
  int64_t n_ = 0;
  nn::Matrix raw_, processed_, targets_;
  std::vector<int32_t> labels_;
  std::vector<float> scratch_;
};

}  // namespace hpsearch::trainer
