#include "worker/nn/network.h"

#include <algorithm>

#include "worker/nn/blas_threads.h"
#include "worker/nn/dense.h"
#include "worker/nn/dropout.h"

namespace hpsearch::nn {

Network::Network(const NetworkConfig& config, int max_rows) : config_(config), max_rows_(max_rows) {
  UseOneBlasThreadPerCall();
  std::size_t p = 0, s = 0;
  int in = config.inputs, widest = 1;
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
    widest = std::max(widest, l.out);
    layers_.push_back(std::move(l));
    in = widths[i];
  }
  params_.assign(p, 0.0f);
  grads_.assign(p, 0.0f);
  state_.assign(s, 0.0f);
  back_a_.resize(max_rows, widest);
  back_b_.resize(max_rows, widest);
}

std::size_t Network::EstimateBytes(const NetworkConfig& c, int max_rows) {
  std::size_t params = 0, work = 0;
  int in = c.inputs;
  std::vector<int> widths = c.hidden;
  widths.push_back(c.outputs);
  int widest = 1;
  for (std::size_t i = 0; i < widths.size(); ++i) {
    const std::size_t out = widths[i];
    const bool hidden = i + 1 < widths.size();
    params += static_cast<std::size_t>(in) * out + out + (hidden && c.batch_norm ? 2 * out : 0);
    std::size_t per_row = out;                        // z
    if (hidden) per_row += out;                       // a
    if (hidden && c.batch_norm) per_row += out;       // xhat
    if (hidden && c.dropout > 0) per_row += 2 * out;  // mask, dropped
    work += per_row * static_cast<std::size_t>(max_rows);
    widest = std::max(widest, widths[i]);
    in = widths[i];
  }
  work += 2 * static_cast<std::size_t>(widest) * max_rows;
  return sizeof(float) * (2 * params + work);
}

void Network::Initialize(InitKind init, float bias_init, Rng& rng) {
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
    const float* input = x.data();
    if (i > 0) {
      const Layer& prev = layers_[i - 1];
      input = (config_.dropout > 0) ? prev.dropped.data() : prev.a.data();
    }
    ConstMatrixMap in(input, n, l.in);
    RowVectorMap db(grads_.data() + l.b, l.out);
    if (i > 0) {
      MatrixMap dx(bufs[next]->data(), n, l.in);
      DenseBackward(in, CP(l.w, l.in, l.out), ConstMatrixMap(g, n, l.out), G(l.w, l.in, l.out), db, &dx, threads_);
      g = bufs[next]->data();
      next = 1 - next;
    } else {
      DenseBackward(in, CP(l.w, l.in, l.out), ConstMatrixMap(g, n, l.out), G(l.w, l.in, l.out), db, nullptr, threads_);
    }
  }
}

double Network::Penalty(const Regularizer& reg) const {
  double total = 0;
  for (const auto& l : layers_)
    total +=
        RegularizerPenalty(reg, std::span<const float>(params_).subspan(l.w, static_cast<std::size_t>(l.in) * l.out));
  return total;
}

void Network::AddPenaltyGradient(const Regularizer& reg) {
  for (const auto& l : layers_) {
    const std::size_t size = static_cast<std::size_t>(l.in) * l.out;
    AddRegularizerGradient(reg, std::span<const float>(params_).subspan(l.w, size),
                           std::span<float>(grads_).subspan(l.w, size));
  }
}

ConstMatrixMap Network::HiddenActivations(int l, Eigen::Index n) const {
  return ConstMatrixMap(layers_[l].a.data(), n, layers_[l].out);
}

}  // namespace hpsearch::nn
