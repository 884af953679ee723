// A loaded dataset: features, targets, and its train / validation / test split.
// Loaded once per process and shared read-only between trials (see DatasetCache).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "worker/nn/image_shape.h"
#include "worker/nn/tensor.h"

namespace hpsearch::data {

enum class Task { kClassification, kRegression };

struct Dataset {
  std::string name;
  Task task = Task::kClassification;
  int num_classes = 0;  // classification only
  // Images (fashion-mnist, digits): features are one image a row, channel-major
  // (nn/image_shape.h: channels × height × width; the greyscale sets have 1 channel).
  // Tabular data (a CSV, the synthetic sets) is flat: all 0.
  int image_channels = 0;
  int image_height = 0;
  int image_width = 0;
  std::vector<std::string> feature_names;
  std::vector<std::string> class_names;

  // The training file. Classification uses `labels`, regression `targets` (rows x 1).
  nn::Matrix x;
  std::vector<int32_t> labels;
  nn::Matrix targets;
  // Rows of `x` used for training and for validation (disjoint).
  std::vector<int32_t> train_rows;
  std::vector<int32_t> val_rows;

  // The test split (0 rows when the dataset has none).
  nn::Matrix x_test;
  std::vector<int32_t> test_labels;
  nn::Matrix test_targets;

  int features() const { return static_cast<int>(x.cols()); }
  // Width of the network's output layer.
  int outputs() const { return task == Task::kClassification ? num_classes : static_cast<int>(targets.cols()); }
  bool is_image() const { return image_height > 0; }
  // The shape convolutional layers see (0 × 0 × 0 for flat data).
  nn::ImageShape image() const { return {image_channels, image_height, image_width}; }
  std::size_t MemoryBytes() const;
};

}  // namespace hpsearch::data
