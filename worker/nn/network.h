// A feed-forward network: optional convolutional layers (feature_layer.h: conv2d →
// [spatial BatchNorm] → activation → [dropout], and pooling), an implicit flatten,
// hidden dense layers of Dense → [BatchNorm] → activation → [dropout], then a linear
// output layer. Without convolutional layers it is the MLP it always was, computed
// the same way to the bit.
//
// All learnable parameters live in one flat buffer and all gradients in another, in
// the same layout (the conv layers first, then the dense ones; per layer: W, b,
// [γ, β]; a conv layer's W is (C·k·k) × F), so an optimizer is one loop over them.
// Batch-norm running statistics live in a third buffer (`state`). Every workspace is
// allocated in the constructor for up to `max_rows` rows: Forward/Backward never
// allocate — but for conv layers computed by oneDNN (dnnl_conv2d.h), which make their
// primitives and buffers on the first step of each batch size and allocate a few
// small argument maps per call.
//
// Thread-safety: none; one Network per trial.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include <Eigen/StdVector>

#include "common/util/rng.h"
#include "worker/nn/activation.h"
#include "worker/nn/batch_norm.h"
#include "worker/nn/dnnl_conv2d.h"
#include "worker/nn/feature_layer.h"
#include "worker/nn/image_shape.h"
#include "worker/nn/init.h"
#include "worker/nn/regularizer.h"
#include "worker/nn/step_threads.h"
#include "worker/nn/tensor.h"

namespace hpsearch::nn {

struct NetworkConfig {
  int inputs = 0;
  std::vector<int> hidden;
  int outputs = 0;
  Activation activation;
  bool batch_norm = false;
  BatchNormConfig bn;
  float dropout = 0;  // hidden dense and conv layers
  // Conv layers drop whole channels (every position of a channel of a row together,
  // PyTorch's Dropout2d) with this probability, in place of `dropout` there.
  float spatial_dropout = 0;
  // The drop probability of conv layers, and whether it drops channels.
  float conv_dropout() const { return spatial_dropout > 0 ? spatial_dropout : dropout; }
  // Convolutional layers before the dense ones, on inputs of shape `image` (then
  // `inputs` == image.size()). REQUIRES: FeatureShapes(image, features) ok.
  ImageShape image;
  std::vector<FeatureLayer> features;
};

class Network {
 public:
  Network(const NetworkConfig& config, int max_rows);

  // Weights from `init`, biases `bias_init`, γ = 1, β = 0, running stats (0, 1).
  void Initialize(InitKind init, float bias_init, Rng& rng);

  std::span<float> params() { return params_; }
  std::span<const float> params() const { return params_; }
  std::span<float> grads() { return grads_; }
  std::span<float> state() { return state_; }
  std::span<const float> state() const { return state_; }
  std::size_t num_params() const { return params_.size(); }
  int num_layers() const { return static_cast<int>(layers_.size()); }
  int max_rows() const { return max_rows_; }
  const NetworkConfig& config() const { return config_; }

  // Convolutional layers, and conv layer `l`'s activations (before dropout; n x
  // (F·H'·W'); a pooling layer's output) of the last Forward of n rows.
  int num_features() const { return static_cast<int>(features_.size()); }
  ConstMatrixMap FeatureActivations(int l, Eigen::Index n) const;

  // x: n x inputs, n <= max_rows. Training mode uses batch statistics and dropout
  // (drawing masks from `rng`); evaluation mode neither. Returns the n x outputs
  // result, valid until the next call.
  ConstMatrixMap Forward(ConstMatrixMap x, bool training, Rng* rng);

  // After a training Forward on the same x: gradients of the loss whose output
  // gradient is `dout` (n x outputs). Overwrites grads().
  void Backward(ConstMatrixMap x, ConstMatrixMap dout);

  // The threads Forward and Backward may use from now on (nn/step_threads.h; the
  // numbers are the same whatever they are).
  void set_threads(StepThreads threads) { threads_ = std::move(threads); }

  // Weight penalty, and its gradient added to grads().
  double Penalty(const Regularizer& reg) const;
  void AddPenaltyGradient(const Regularizer& reg);

  // Hidden layer `l`'s activations (before dropout) of the last Forward of n rows.
  ConstMatrixMap HiddenActivations(int l, Eigen::Index n) const;

  // Learnable parameters of a network built from `config` (num_params() once built):
  // the conv layers' (FeatureParameters) and the dense layers' by
  // vocabulary::ParameterCount, the count the validator's size limit uses.
  static std::size_t ParameterCount(const NetworkConfig& config);
  // Bytes the network would allocate (parameters, gradients, state, workspace).
  static std::size_t EstimateBytes(const NetworkConfig& config, int max_rows);

 private:
  struct Layer {
    int in = 0, out = 0;
    bool hidden = false;
    std::size_t w = 0, b = 0, gamma = 0, beta = 0;  // offsets in params_/grads_
    std::size_t mean = 0, var = 0;                  // offsets in state_
    Matrix z;                                       // pre-activation (after batch norm when on)
    Matrix a;                                       // activation output (hidden layers)
    Matrix dropped;                                 // a ⊙ mask (dropout only)
    Matrix mask;
    Matrix xhat;  // batch norm
    RowVector inv_std;
  };
  struct Feature {
    FeatureLayer spec;
    ImageShape in, out;
    std::size_t w = 0, b = 0, gamma = 0, beta = 0;  // offsets in params_/grads_ (conv)
    std::size_t mean = 0, var = 0;                  // offsets in state_
    Matrix z, a, dropped, mask, xhat;               // as Layer's (z: a pooling layer's output)
    RowVector inv_std;
    std::vector<int32_t> argmax;       // max pooling
    std::unique_ptr<DnnlConv2d> dnnl;  // conv by oneDNN; null: im2col (conv2d.h)
    bool conv() const { return spec.kind == FeatureLayer::Kind::kConv; }
    int depth() const { return in.channels * spec.conv.kernel * spec.conv.kernel; }
    int filters() const { return spec.conv.filters; }
  };
  // What the constructor has laid out so far: floats of params_/grads_ and of
  // state_, the largest conv workspace, the widest layer.
  struct Layout {
    std::size_t params = 0, state = 0, workspace = 0;
    int widest = 1;
  };
  // Sizes the conv and pooling layers and their workspaces; returns the flattened
  // width the dense layers read.
  int AddFeatures(Layout& layout);
  // Sizes the hidden dense layers and the output layer, the first reading `in` columns.
  void AddDenseLayers(int in, Layout& layout);
  // A feature layer's output as the next layer reads it (after dropout, when on).
  const float* FeatureOutput(const Feature& f) const;
  void ForwardFeatures(ConstMatrixMap x, bool training, Rng* rng);
  void BackwardFeatures(ConstMatrixMap x, const float* g, int next);

  ConstMatrixMap CP(std::size_t off, int rows, int cols) const { return {params_.data() + off, rows, cols}; }
  MatrixMap G(std::size_t off, int rows, int cols) { return {grads_.data() + off, rows, cols}; }

  NetworkConfig config_;
  int max_rows_;
  std::vector<Feature> features_;
  std::vector<Layer> layers_;
  // 64-byte aligned, so vectorised reductions peel the same way in every run (the
  // results do not depend on where malloc put the buffer).
  using AlignedFloats = std::vector<float, Eigen::aligned_allocator<float>>;
  AlignedFloats params_, grads_, state_;
  Matrix back_a_, back_b_;   // ping-pong gradient buffers
  AlignedFloats conv_work_;  // the largest conv layer's workspace (Conv2dWorkspace)
  StepThreads threads_;
};

}  // namespace hpsearch::nn
