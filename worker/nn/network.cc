#include "worker/nn/network.h"

#include <algorithm>

#include "common/vocabulary/network_size.h"
#include "worker/nn/blas_threads.h"
#include "worker/nn/dense.h"
#include "worker/nn/dropout.h"
#include "worker/nn/spatial_batch_norm.h"

namespace hpsearch::nn {

Network::Network(const NetworkConfig& config, int max_rows) : config_(config), max_rows_(max_rows) {
  UseOneBlasThreadPerCall();
  Layout layout;
  const int flat = config.features.empty() ? config.inputs : AddFeatures(layout);
  AddDenseLayers(flat, layout);
  params_.assign(layout.params, 0.0f);
  grads_.assign(layout.params, 0.0f);
  state_.assign(layout.state, 0.0f);
  back_a_.resize(max_rows, layout.widest);
  back_b_.resize(max_rows, layout.widest);
  conv_work_.assign(layout.workspace, 0.0f);
}

int Network::AddFeatures(Layout& layout) {
  const NetworkConfig& config = config_;
  const int max_rows = max_rows_;
  std::size_t& p = layout.params;
  std::size_t& s = layout.state;
  const std::vector<ImageShape> shapes = FeatureShapes(config.image, config.features).value();
  ImageShape shape = config.image;
  for (std::size_t i = 0; i < shapes.size(); ++i) {
    Feature f;
    f.spec = config.features[i];
    f.in = shape;
    f.out = shapes[i];
    const int size = static_cast<int>(f.out.size());
    f.z.resize(max_rows, size);
    if (f.conv()) {
      f.w = p;
      p += static_cast<std::size_t>(f.depth()) * f.filters();
      f.b = p;
      if (f.spec.conv.bias) p += f.filters();
      f.a.resize(max_rows, size);
      if (config.batch_norm) {
        f.gamma = p;
        p += f.filters();
        f.beta = p;
        p += f.filters();
        f.mean = s;
        s += f.filters();
        f.var = s;
        s += f.filters();
        f.xhat.resize(max_rows, size);
        f.inv_std.resize(f.filters());
      }
      if (config.conv_dropout() > 0) {
        f.mask.resize(max_rows, size);
        f.dropped.resize(max_rows, size);
      }
      f.dnnl = DnnlConv2d::Make(f.in, f.spec.conv);
      if (!f.dnnl) {
        layout.workspace = std::max<std::size_t>(layout.workspace, Conv2dWorkspace(f.in, f.spec.conv, max_rows));
      }
    } else if (f.spec.pool.kind == PoolKind::kMax) {
      f.argmax.resize(static_cast<std::size_t>(max_rows) * size);
    }
    layout.widest = std::max(layout.widest, size);
    features_.push_back(std::move(f));
    shape = shapes[i];
  }
  return static_cast<int>(shape.size());
}

void Network::AddDenseLayers(int in, Layout& layout) {
  const NetworkConfig& config = config_;
  const int max_rows = max_rows_;
  std::size_t& p = layout.params;
  std::size_t& s = layout.state;
  std::vector<int> widths = config.hidden;
  widths.push_back(config.outputs);
  for (std::size_t i = 0; i < widths.size(); ++i) {
    Layer l;
    l.in = in;
    l.out = widths[i];
    l.hidden = i + 1 < widths.size();
    l.w = p;
    p += static_cast<std::size_t>(l.in) * l.out;
    l.b = p;
    p += l.out;
    l.z.resize(max_rows, l.out);
    if (l.hidden) {
      l.a.resize(max_rows, l.out);
      if (config.batch_norm) {
        l.gamma = p;
        p += l.out;
        l.beta = p;
        p += l.out;
        l.mean = s;
        s += l.out;
        l.var = s;
        s += l.out;
        l.xhat.resize(max_rows, l.out);
        l.inv_std.resize(l.out);
      }
      if (config.dropout > 0) {
        l.mask.resize(max_rows, l.out);
        l.dropped.resize(max_rows, l.out);
      }
    }
    layout.widest = std::max(layout.widest, l.out);
    layers_.push_back(std::move(l));
    in = widths[i];
  }
}

std::size_t Network::ParameterCount(const NetworkConfig& c) {
  int64_t conv = 0, flat = c.inputs;
  if (!c.features.empty()) {
    if (absl::StatusOr<std::vector<ImageShape>> shapes = FeatureShapes(c.image, c.features); shapes.ok()) {
      conv = FeatureParameters(c.image, c.features, c.batch_norm);
      flat = shapes->back().size();
    }
  }
  const std::vector<int64_t> hidden(c.hidden.begin(), c.hidden.end());
  return static_cast<std::size_t>(conv + vocabulary::ParameterCount(flat, hidden, c.outputs, c.batch_norm));
}

std::size_t Network::EstimateBytes(const NetworkConfig& c, int max_rows) {
  std::size_t work = 0;
  std::vector<int> widths = c.hidden;
  widths.push_back(c.outputs);
  int widest = 1;
  if (!c.features.empty()) {
    absl::StatusOr<std::vector<ImageShape>> shapes = FeatureShapes(c.image, c.features);
    if (shapes.ok()) {
      ImageShape shape = c.image;
      std::size_t cols = 0;
      for (std::size_t i = 0; i < shapes->size(); ++i) {
        const FeatureLayer& l = c.features[i];
        const std::size_t out = (*shapes)[i].size();
        std::size_t per_row = out;  // z (argmax for max pooling: int32, as wide)
        if (l.kind == FeatureLayer::Kind::kConv) {
          per_row += out + (c.batch_norm ? out : 0) + (c.conv_dropout() > 0 ? 2 * out : 0);
          cols = std::max<std::size_t>(cols, Conv2dWorkspace(shape, l.conv, max_rows));
          work += DnnlConv2d::EstimateFloats(shape, l.conv, max_rows);
        } else if (l.pool.kind == PoolKind::kMax) {
          per_row += out;
        }
        work += per_row * static_cast<std::size_t>(max_rows);
        widest = std::max(widest, static_cast<int>(out));
        shape = (*shapes)[i];
      }
      work += cols;
    }
  }
  for (std::size_t i = 0; i < widths.size(); ++i) {
    const std::size_t out = widths[i];
    const bool hidden = i + 1 < widths.size();
    std::size_t per_row = out;                        // z
    if (hidden) per_row += out;                       // a
    if (hidden && c.batch_norm) per_row += out;       // xhat
    if (hidden && c.dropout > 0) per_row += 2 * out;  // mask, dropped
    work += per_row * static_cast<std::size_t>(max_rows);
    widest = std::max(widest, widths[i]);
  }
  work += 2 * static_cast<std::size_t>(widest) * max_rows;
  return sizeof(float) * (2 * ParameterCount(c) + work);
}

void Network::Initialize(InitKind init, float bias_init, Rng& rng) {
  for (auto& f : features_) {
    if (!f.conv()) continue;
    InitWeights(init, f.depth(), f.filters(), rng,
                std::span<float>(params_).subspan(f.w, static_cast<std::size_t>(f.depth()) * f.filters()));
    if (f.spec.conv.bias) std::fill_n(params_.begin() + f.b, f.filters(), bias_init);
    if (config_.batch_norm) {
      std::fill_n(params_.begin() + f.gamma, f.filters(), 1.0f);
      std::fill_n(params_.begin() + f.beta, f.filters(), 0.0f);
      std::fill_n(state_.begin() + f.mean, f.filters(), 0.0f);
      std::fill_n(state_.begin() + f.var, f.filters(), 1.0f);
    }
  }
  for (auto& l : layers_) {
    InitWeights(init, l.in, l.out, rng, std::span<float>(params_).subspan(l.w, static_cast<std::size_t>(l.in) * l.out));
    std::fill_n(params_.begin() + l.b, l.out, bias_init);
    if (l.hidden && config_.batch_norm) {
      std::fill_n(params_.begin() + l.gamma, l.out, 1.0f);
      std::fill_n(params_.begin() + l.beta, l.out, 0.0f);
      std::fill_n(state_.begin() + l.mean, l.out, 0.0f);
      std::fill_n(state_.begin() + l.var, l.out, 1.0f);
    }
  }
}

ConstMatrixMap Network::Forward(ConstMatrixMap x, bool training, Rng* rng) {
  const Eigen::Index n = x.rows();
  const float* input = x.data();
  if (!features_.empty()) {
    ForwardFeatures(x, training, rng);
    input = FeatureOutput(features_.back());
  }
  for (auto& l : layers_) {
    ConstMatrixMap in(input, n, l.in);
    MatrixMap z(l.z.data(), n, l.out);
    DenseForward(in, CP(l.w, l.in, l.out), ConstRowVectorMap(params_.data() + l.b, l.out), z, threads_);
    if (!l.hidden) return ConstMatrixMap(l.z.data(), n, l.out);
    if (config_.batch_norm) {
      ConstRowVectorMap gamma(params_.data() + l.gamma, l.out), beta(params_.data() + l.beta, l.out);
      if (training) {
        BatchNormForwardTrain(config_.bn, Const(z), gamma, beta, RowVectorMap(state_.data() + l.mean, l.out),
                              RowVectorMap(state_.data() + l.var, l.out), MatrixMap(l.xhat.data(), n, l.out),
                              RowVectorMap(l.inv_std.data(), l.out), z);
      } else {
        BatchNormForwardEval(config_.bn, Const(z), gamma, beta, ConstRowVectorMap(state_.data() + l.mean, l.out),
                             ConstRowVectorMap(state_.data() + l.var, l.out), z);
      }
    }
    MatrixMap a(l.a.data(), n, l.out);
    ActivationForward(config_.activation, Const(z), a);
    input = l.a.data();
    if (training && config_.dropout > 0) {
      MatrixMap mask(l.mask.data(), n, l.out), dropped(l.dropped.data(), n, l.out);
      DropoutMask(config_.dropout, *rng, mask);
      dropped.array() = a.array() * mask.array();
      input = l.dropped.data();
    }
  }
  return ConstMatrixMap(layers_.back().z.data(), n, layers_.back().out);
}

void Network::Backward(ConstMatrixMap x, ConstMatrixMap dout) {
  const Eigen::Index n = x.rows();
  // `g` holds ∂loss/∂(this layer's output); starts as dout for the output layer.
  const float* g = dout.data();
  Matrix* bufs[2] = {&back_a_, &back_b_};
  int next = 0;
  for (int i = static_cast<int>(layers_.size()) - 1; i >= 0; --i) {
    Layer& l = layers_[i];
    if (l.hidden) {
      // g is ∂loss/∂(dropped activations) in bufs[1 - next]; turn it into ∂loss/∂z in place.
      MatrixMap dz(const_cast<float*>(g), n, l.out);
      if (config_.dropout > 0) ApplyMask(ConstMatrixMap(l.mask.data(), n, l.out), dz);
      ActivationBackward(config_.activation, ConstMatrixMap(l.z.data(), n, l.out), ConstMatrixMap(l.a.data(), n, l.out),
                         Const(dz), dz);
      if (config_.batch_norm) {
        BatchNormBackward(ConstMatrixMap(l.xhat.data(), n, l.out), ConstRowVectorMap(l.inv_std.data(), l.out),
                          ConstRowVectorMap(params_.data() + l.gamma, l.out), Const(dz), dz,
                          RowVectorMap(grads_.data() + l.gamma, l.out), RowVectorMap(grads_.data() + l.beta, l.out));
      }
    }
    const float* input = features_.empty() ? x.data() : FeatureOutput(features_.back());
    if (i > 0) {
      const Layer& prev = layers_[i - 1];
      input = (config_.dropout > 0) ? prev.dropped.data() : prev.a.data();
    }
    ConstMatrixMap in(input, n, l.in);
    RowVectorMap db(grads_.data() + l.b, l.out);
    if (i > 0 || !features_.empty()) {
      MatrixMap dx(bufs[next]->data(), n, l.in);
      DenseBackward(in, CP(l.w, l.in, l.out), ConstMatrixMap(g, n, l.out), G(l.w, l.in, l.out), db, &dx, threads_);
      g = bufs[next]->data();
      next = 1 - next;
    } else {
      DenseBackward(in, CP(l.w, l.in, l.out), ConstMatrixMap(g, n, l.out), G(l.w, l.in, l.out), db, nullptr, threads_);
    }
  }
  if (!features_.empty()) BackwardFeatures(x, g, next);
}

const float* Network::FeatureOutput(const Feature& f) const {
  if (!f.conv()) return f.z.data();
  return config_.conv_dropout() > 0 ? f.dropped.data() : f.a.data();
}

void Network::ForwardFeatures(ConstMatrixMap x, bool training, Rng* rng) {
  const Eigen::Index n = x.rows();
  const float* input = x.data();
  for (auto& f : features_) {
    ConstMatrixMap in(input, n, f.in.size());
    const Eigen::Index size = f.out.size();
    MatrixMap z(f.z.data(), n, size);
    if (!f.conv()) {
      Pool2dForward(f.in, f.spec.pool, in, z, f.argmax, threads_);
      input = f.z.data();
      continue;
    }
    const int filters = f.filters();
    const ConstRowVectorMap bias(params_.data() + f.b, f.spec.conv.bias ? filters : 0);
    if (f.dnnl) {
      f.dnnl->Forward(in, CP(f.w, f.depth(), filters), bias, z, threads_);
    } else {
      Conv2dForward(f.in, f.spec.conv, in, CP(f.w, f.depth(), filters), bias, z, conv_work_, threads_);
    }
    if (config_.batch_norm) {
      ConstRowVectorMap gamma(params_.data() + f.gamma, filters), beta(params_.data() + f.beta, filters);
      if (training) {
        SpatialBatchNormForwardTrain(config_.bn, filters, Const(z), gamma, beta,
                                     RowVectorMap(state_.data() + f.mean, filters),
                                     RowVectorMap(state_.data() + f.var, filters), MatrixMap(f.xhat.data(), n, size),
                                     RowVectorMap(f.inv_std.data(), filters), z);
      } else {
        SpatialBatchNormForwardEval(config_.bn, filters, Const(z), gamma, beta,
                                    ConstRowVectorMap(state_.data() + f.mean, filters),
                                    ConstRowVectorMap(state_.data() + f.var, filters), z);
      }
    }
    MatrixMap a(f.a.data(), n, size);
    threads_.ForRows(n, size, [&](int64_t begin, int64_t end) {
      ActivationForward(config_.activation, ConstMatrixMap(f.z.data() + begin * size, end - begin, size),
                        MatrixMap(f.a.data() + begin * size, end - begin, size));
    });
    input = f.a.data();
    if (training && config_.conv_dropout() > 0) {
      MatrixMap mask(f.mask.data(), n, size), dropped(f.dropped.data(), n, size);
      if (config_.spatial_dropout > 0) {
        SpatialDropoutMask(config_.spatial_dropout, *rng, filters, f.out.plane(), mask);
      } else {
        DropoutMask(config_.dropout, *rng, mask);
      }
      dropped.array() = a.array() * mask.array();
      input = f.dropped.data();
    }
  }
}

void Network::BackwardFeatures(ConstMatrixMap x, const float* g, int next) {
  // `g` holds ∂loss/∂(the last feature layer's output), in the ping-pong buffer
  // bufs[1 - next].
  const Eigen::Index n = x.rows();
  Matrix* bufs[2] = {&back_a_, &back_b_};
  for (int i = static_cast<int>(features_.size()) - 1; i >= 0; --i) {
    Feature& f = features_[i];
    const Eigen::Index size = f.out.size(), in_size = f.in.size();
    const float* input = i > 0 ? FeatureOutput(features_[i - 1]) : x.data();
    MatrixMap dx(bufs[next]->data(), n, in_size);
    if (!f.conv()) {
      if (i == 0) return;  // nobody needs the input's gradient
      Pool2dBackward(f.in, f.spec.pool, ConstMatrixMap(g, n, size), f.argmax, dx, threads_);
      g = bufs[next]->data();
      next = 1 - next;
      continue;
    }
    const int filters = f.filters();
    MatrixMap dz(const_cast<float*>(g), n, size);
    if (config_.conv_dropout() > 0) ApplyMask(ConstMatrixMap(f.mask.data(), n, size), dz);
    threads_.ForRows(n, size, [&](int64_t begin, int64_t end) {
      const Eigen::Index rows = end - begin;
      MatrixMap part(dz.data() + begin * size, rows, size);
      ActivationBackward(config_.activation, ConstMatrixMap(f.z.data() + begin * size, rows, size),
                         ConstMatrixMap(f.a.data() + begin * size, rows, size), Const(part), part);
    });
    if (config_.batch_norm) {
      SpatialBatchNormBackward(
          filters, ConstMatrixMap(f.xhat.data(), n, size), ConstRowVectorMap(f.inv_std.data(), filters),
          ConstRowVectorMap(params_.data() + f.gamma, filters), Const(dz), dz,
          RowVectorMap(grads_.data() + f.gamma, filters), RowVectorMap(grads_.data() + f.beta, filters));
    }
    RowVectorMap db(grads_.data() + f.b, f.spec.conv.bias ? filters : 0);
    if (f.dnnl) {
      f.dnnl->Backward(CP(f.w, f.depth(), filters), Const(dz), G(f.w, f.depth(), filters), db, i > 0 ? &dx : nullptr,
                       threads_);
    } else {
      Conv2dBackward(f.in, f.spec.conv, ConstMatrixMap(input, n, in_size), CP(f.w, f.depth(), filters), Const(dz),
                     G(f.w, f.depth(), filters), db, i > 0 ? &dx : nullptr, conv_work_, threads_);
    }
    g = bufs[next]->data();
    next = 1 - next;
  }
}

double Network::Penalty(const Regularizer& reg) const {
  double total = 0;
  for (const auto& f : features_) {
    if (f.conv())
      total += RegularizerPenalty(
          reg, std::span<const float>(params_).subspan(f.w, static_cast<std::size_t>(f.depth()) * f.filters()));
  }
  for (const auto& l : layers_)
    total +=
        RegularizerPenalty(reg, std::span<const float>(params_).subspan(l.w, static_cast<std::size_t>(l.in) * l.out));
  return total;
}

void Network::AddPenaltyGradient(const Regularizer& reg) {
  for (const auto& f : features_) {
    if (!f.conv()) continue;
    const std::size_t size = static_cast<std::size_t>(f.depth()) * f.filters();
    AddRegularizerGradient(reg, std::span<const float>(params_).subspan(f.w, size),
                           std::span<float>(grads_).subspan(f.w, size));
  }
  for (const auto& l : layers_) {
    const std::size_t size = static_cast<std::size_t>(l.in) * l.out;
    AddRegularizerGradient(reg, std::span<const float>(params_).subspan(l.w, size),
                           std::span<float>(grads_).subspan(l.w, size));
  }
}

ConstMatrixMap Network::HiddenActivations(int l, Eigen::Index n) const {
  return ConstMatrixMap(layers_[l].a.data(), n, layers_[l].out);
}

ConstMatrixMap Network::FeatureActivations(int l, Eigen::Index n) const {
  const Feature& f = features_[l];
  return ConstMatrixMap(f.conv() ? f.a.data() : f.z.data(), n, f.out.size());
}

}  // namespace hpsearch::nn
