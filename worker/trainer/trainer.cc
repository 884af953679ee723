#include "worker/trainer/trainer.h"

#include <chrono>
#include <cmath>
#include <numeric>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/vocabulary/conv_stack.h"
#include "worker/nn/network.h"
#include "worker/optim/optimizer.h"
#include "worker/trainer/batch_source.h"
#include "worker/trainer/resolved_settings.h"

namespace hpsearch::trainer {

namespace {

using Clock = std::chrono::steady_clock;
constexpr int kProbeRows = 256;  // diagnostics probe batch

double Seconds(Clock::time_point since) { return std::chrono::duration<double>(Clock::now() - since).count(); }

std::string HumanBytes(double b) {
  if (b >= 1 << 30) return absl::StrCat(std::round(b / (1 << 30) * 10) / 10, " GiB");
  return absl::StrCat(std::round(b / (1 << 20) * 10) / 10, " MiB");
}

// Accumulates loss / accuracy / squared error over batches.
struct MetricSum {
  double loss = 0;  // Σ batch_loss·rows
  int64_t correct = 0;
  double sq_error = 0;
  int64_t rows = 0;

  void Add(const nn::LossResult& r, int64_t n, double sq) {
    loss += r.loss * n;
    correct += r.correct;
    sq_error += sq;
    rows += n;
  }
  // Adds prefix_loss, prefix_accuracy / prefix_mse, prefix_r2.
  void Write(const std::string& prefix, const data::Dataset& d, double target_var,
             std::map<std::string, double>& out) const {
    if (rows == 0) return;
    out[prefix + "_loss"] = loss / rows;
    if (d.task == data::Task::kClassification) {
      out[prefix + "_accuracy"] = static_cast<double>(correct) / rows;
    } else {
      const double mse = sq_error / (static_cast<double>(rows) * d.outputs());
      out[prefix + "_mse"] = mse;
      out[prefix + "_r2"] = target_var > 0 ? 1.0 - mse / target_var : 0.0;
    }
  }
};

double TargetVariance(const nn::Matrix& t, const std::vector<int32_t>* rows) {
  if (t.size() == 0) return 0;
  double sum = 0, sq = 0;
  int64_t n = 0;
  auto add = [&](Eigen::Index r) {
    for (Eigen::Index j = 0; j < t.cols(); ++j) {
      sum += t(r, j);
      sq += static_cast<double>(t(r, j)) * t(r, j);
      ++n;
    }
  };
  if (rows)
    for (int32_t r : *rows) add(r);
  else
    for (Eigen::Index r = 0; r < t.rows(); ++r) add(r);
  if (n == 0) return 0;
  const double mean = sum / n;
  return sq / n - mean * mean;
}

class Session {
 public:
  Session(const TrialConfig& c, const data::Dataset& d, const TrainOptions& o, ResolvedSettings settings)
      : config_(c),
        data_(d),
        options_(o),
        settings_(std::move(settings)),
        rng_(o.seed),
        pre_(data::Preprocessor::Fit(settings_.preprocess, d.x, d.train_rows, settings_.pca_components)),
        net_(settings_.net, settings_.max_rows),
        batches_(d, pre_, settings_.max_rows, c.augment, c.input_noise),
        dout_(settings_.max_rows, settings_.net.outputs),
        order_(d.train_rows) {
    net_.Initialize(c.init, c.bias_init, rng_);
    optimizer_ = optim::MakeOptimizer(c.optimizer, net_.num_params());
    train_src_ = {&d.x, regression() ? nullptr : &d.labels, regression() ? &d.targets : nullptr};
    test_src_ = {&d.x_test, regression() ? nullptr : &d.test_labels, regression() ? &d.test_targets : nullptr};
    if (regression() && c.standardize_target) StandardizeTargets();
    train_var_ = TargetVariance(d.targets, &d.train_rows);
    val_var_ = TargetVariance(d.targets, &d.val_rows);
    test_var_ = TargetVariance(d.test_targets, nullptr);
    const std::size_t probe = std::min<std::size_t>(kProbeRows, d.train_rows.size());
    probe_rows_.assign(d.train_rows.begin(), d.train_rows.begin() + static_cast<std::ptrdiff_t>(probe));
    if (c.early_stopping) {
      best_params_.resize(net_.num_params());
      best_state_.resize(net_.state().size());
    }
  }

  TrainResult Run();

 private:
  bool regression() const { return data_.task == data::Task::kRegression; }
  // The network learns (t − μ)/σ, μ and σ of the training split's targets, so a
  // target in the 1e5s trains as one in the 1s does; Loss() reports in t's units.
  void StandardizeTargets();
  // One epoch of training; false when the loss diverged (result_.reason set).
  bool TrainEpoch(int epoch, float lr, MetricSum& sum);
  MetricSum Evaluate(const RowSource& src, const std::vector<int32_t>* rows, int64_t count);
  LayerStats Probe(int epoch);
  nn::LossResult Loss(nn::ConstMatrixMap out, nn::MatrixMap* grad, double* sq);
  bool Improved(double value) const {
    return best_epoch_ == 0 || (options_.maximize ? value > best_value_ : value < best_value_);
  }

  const TrialConfig& config_;
  const data::Dataset& data_;
  const TrainOptions& options_;
  ResolvedSettings settings_;
  Rng rng_;
  data::Preprocessor pre_;
  nn::Network net_;
  std::unique_ptr<optim::Optimizer> optimizer_;
  BatchSource batches_;
  nn::Matrix dout_;
  std::vector<int32_t> order_;
  std::vector<int32_t> probe_rows_;
  RowSource train_src_, test_src_;
  double train_var_ = 0, val_var_ = 0, test_var_ = 0;
  nn::Matrix targets_, test_targets_;  // standardised (StandardizeTargets)
  double target_scale_ = 1;            // σ²: a squared error in learnt units → the target's
  std::vector<float, Eigen::aligned_allocator<float>> best_params_, best_state_;
  int best_epoch_ = 0;
  double best_value_ = 0;
  TrainResult result_;
};

void Session::StandardizeTargets() {
  double sum = 0, sq = 0;
  for (int32_t r : data_.train_rows) {
    sum += data_.targets(r, 0);
    sq += static_cast<double>(data_.targets(r, 0)) * data_.targets(r, 0);
  }
  const double n = std::max<double>(1, static_cast<double>(data_.train_rows.size()));
  const double mean = sum / n;
  const double var = std::max(0.0, sq / n - mean * mean);
  const double sd = var > 1e-24 * std::max(1.0, mean * mean) ? std::sqrt(var) : 1.0;  // a constant target: as is
  targets_ = ((data_.targets.cast<double>().array() - mean) / sd).cast<float>();
  test_targets_ = ((data_.test_targets.cast<double>().array() - mean) / sd).cast<float>();
  train_src_.targets = &targets_;
  test_src_.targets = &test_targets_;
  target_scale_ = sd * sd;
}

nn::LossResult Session::Loss(nn::ConstMatrixMap out, nn::MatrixMap* grad, double* sq) {
  if (regression()) {
    nn::LossResult r = nn::RegressionLoss(out, batches_.targets(), grad, sq);
    r.loss *= target_scale_;
    *sq *= target_scale_;
    return r;
  }
  *sq = 0;
  return nn::ClassificationLoss(settings_.loss, config_.label_smoothing, out, batches_.labels(), grad);
}

bool Session::TrainEpoch(int epoch, float lr, MetricSum& sum) {
  // Fisher–Yates with the trial's generator.
  for (std::size_t i = order_.size(); i > 1; --i) std::swap(order_[i - 1], order_[rng_.Below(i)]);
  const std::size_t n = order_.size();
  int step = 0;
  for (std::size_t start = 0; start < n; start += settings_.batch) {
    ++step;
    const std::size_t count = std::min<std::size_t>(settings_.batch, n - start);
    batches_.Load(train_src_, std::span<const int32_t>(order_).subspan(start, count), true, rng_);
    const auto rows = static_cast<Eigen::Index>(count);
    // The threads this step may use (more while the trial runs alone; the same
    // numbers either way). Small batches stay on one: handing their products and
    // update to a second core costs more than it saves (bench --step-threads).
    const nn::StepThreads threads =
        options_.step_threads && rows >= nn::kMinParallelBatch ? options_.step_threads() : nn::StepThreads{};
    net_.set_threads(threads);
    nn::ConstMatrixMap out = net_.Forward(batches_.inputs(), true, &rng_);
    nn::MatrixMap grad(dout_.data(), rows, dout_.cols());
    double sq = 0;
    const nn::LossResult r = Loss(out, &grad, &sq);
    if (!std::isfinite(r.loss)) {
      // Which value went non-finite first: the network's outputs (its weights or
      // activations overflowed) or only the loss computed from them.
      result_.reason = absl::StrCat("diverged at epoch ", epoch, ", step ", step, ": ",
                                    out.allFinite() ? absl::StrCat("the training loss became ", r.loss)
                                                    : "the network's outputs became inf or nan",
                                    " (lr ", lr, ")");
      return false;
    }
    sum.Add(r, rows, sq);
    net_.Backward(batches_.inputs(), nn::Const(grad));
    if (config_.regularizer.active()) net_.AddPenaltyGradient(config_.regularizer);
    optimizer_->Step(net_.params(), net_.grads(), lr, threads);
  }
  return true;
}

MetricSum Session::Evaluate(const RowSource& src, const std::vector<int32_t>* rows, int64_t count) {
  MetricSum sum;
  if (options_.step_threads) net_.set_threads(options_.step_threads());
  for (int64_t start = 0; start < count; start += settings_.max_rows) {
    const int64_t m = std::min<int64_t>(settings_.max_rows, count - start);
    if (rows) {
      batches_.Load(src, std::span<const int32_t>(*rows).subspan(start, m), false, rng_);
    } else {
      batches_.LoadRange(src, start, m);
    }
    nn::ConstMatrixMap out = net_.Forward(batches_.inputs(), false, nullptr);
    double sq = 0;
    const nn::LossResult r = Loss(out, nullptr, &sq);
    sum.Add(r, m, sq);
  }
  return sum;
}

LayerStats Session::Probe(int epoch) {
  LayerStats s;
  s.epoch = epoch;
  batches_.Load(train_src_, probe_rows_, false, rng_);
  net_.Forward(batches_.inputs(), false, nullptr);
  const auto n = static_cast<Eigen::Index>(probe_rows_.size());
  auto add = [&s](nn::ConstMatrixMap a) {
    const double mean = a.cast<double>().mean();
    const double var = (a.cast<double>().array() - mean).square().mean();
    s.mean.push_back(mean);
    s.std.push_back(std::sqrt(var));
  };
  // The conv layers' activations first (pooling layers learn nothing: skipped), then
  // the hidden dense layers'.
  for (int l = 0; l < net_.num_features(); ++l) {
    if (net_.config().features[l].kind == nn::FeatureLayer::Kind::kConv) add(net_.FeatureActivations(l, n));
  }
  for (int l = 0; l + 1 < net_.num_layers(); ++l) add(net_.HiddenActivations(l, n));
  return s;
}

TrainResult Session::Run() {
  const auto start = Clock::now();
  result_.parameter_count = static_cast<int64_t>(net_.num_params());
  result_.diagnostics.push_back(Probe(0));
  const bool has_val = !data_.val_rows.empty();
  std::string monitor = options_.monitor.empty() ? (has_val ? "val_loss" : "train_loss") : options_.monitor;
  const double base_lr = config_.LearningRate();
  for (int epoch = 1; epoch <= config_.epochs; ++epoch) {
    const auto t0 = Clock::now();
    EpochRecord rec;
    rec.epoch = epoch;
    rec.parameter_count = result_.parameter_count;
    rec.lr = config_.schedule.LearningRate(base_lr, epoch - 1, config_.epochs);
    MetricSum train;
    if (!TrainEpoch(epoch, static_cast<float>(rec.lr), train)) {
      result_.outcome = TrialOutcome::kFailed;
      break;
    }
    train.Write("train", data_, train_var_, rec.metrics);
    if (has_val) {
      Evaluate(train_src_, &data_.val_rows, static_cast<int64_t>(data_.val_rows.size()))
          .Write("val", data_, val_var_, rec.metrics);
      if (!std::isfinite(rec.metrics["val_loss"])) {
        result_.outcome = TrialOutcome::kFailed;
        result_.reason = absl::StrCat("diverged at epoch ", epoch, " (validation loss is not finite)");
        break;
      }
    }
    rec.seconds = Seconds(t0);
    result_.epochs.push_back(rec);
    result_.diagnostics.push_back(Probe(epoch));
    auto it = rec.metrics.find(monitor);
    const double value = it != rec.metrics.end() ? it->second : rec.metrics["train_loss"];
    if (Improved(value)) {
      best_epoch_ = epoch;
      best_value_ = value;
      if (config_.early_stopping) {
        std::copy(net_.params().begin(), net_.params().end(), best_params_.begin());
        std::copy(net_.state().begin(), net_.state().end(), best_state_.begin());
      }
    }
    if (options_.on_epoch && !options_.on_epoch(rec, result_.diagnostics.back())) {
      result_.outcome = TrialOutcome::kStopped;
      result_.reason = "stopped by the scheduler";
      break;
    }
    if (config_.early_stopping && epoch - best_epoch_ >= config_.patience) break;
  }
  if (result_.outcome == TrialOutcome::kCompleted) {
    int kept = static_cast<int>(result_.epochs.size());
    if (config_.early_stopping && best_epoch_ > 0) {
      std::copy(best_params_.begin(), best_params_.end(), net_.params().begin());
      std::copy(best_state_.begin(), best_state_.end(), net_.state().begin());
      kept = best_epoch_;
    }
    result_.best_epoch = kept;
    if (kept > 0) result_.metrics = result_.epochs[kept - 1].metrics;
    if (data_.x_test.rows() > 0)
      Evaluate(test_src_, nullptr, data_.x_test.rows()).Write("test", data_, test_var_, result_.metrics);
  }
  result_.seconds = Seconds(start);
  return result_;
}

}  // namespace

absl::StatusOr<std::size_t> EstimateTrialMemory(const TrialConfig& config, const data::Dataset& dataset) {
  auto settings = ResolveSettings(config, dataset);
  if (!settings.ok()) return settings.status();
  return EstimateBytes(*settings, config, dataset);
}

namespace {

// The dense layers' part, from `inputs` features; `first`: the input is the data (no
// gradient flows to it).
double DenseFlops(const std::vector<int>& hidden, int64_t inputs, int outputs, bool first) {
  double flops = 0;
  int64_t in = inputs;
  std::vector<int> widths = hidden;
  widths.push_back(outputs);
  for (std::size_t i = 0; i < widths.size(); ++i) {
    const double mm = 2.0 * static_cast<double>(in) * widths[i];
    flops += mm * (i == 0 && first ? 2 : 3);  // forward, dW, and dX but for the data
    in = widths[i];
  }
  return flops;
}

}  // namespace

double TrainFlopsPerSample(const TrialConfig& config, int inputs, int outputs) {
  return DenseFlops(config.hidden, inputs, outputs, true);
}

double TrainFlopsPerSample(const TrialConfig& config, const nn::ImageShape& image, int outputs) {
  double flops = 0;
  nn::ImageShape shape = image;
  bool first = true;
  for (const nn::FeatureLayer& l : config.features) {
    if (l.kind == nn::FeatureLayer::Kind::kConv) {
      const auto out = nn::Conv2dOutput(shape, l.conv);
      if (!out.ok()) return 0;
      const double mm = 2.0 * l.conv.kernel * l.conv.kernel * shape.channels * l.conv.filters * out->plane();
      flops += mm * (first ? 2 : 3);
      shape = *out;
      first = false;
    } else {
      const auto out = nn::Pool2dOutput(shape, l.pool);
      if (!out.ok()) return 0;
      shape = *out;
    }
  }
  return flops + DenseFlops(config.hidden, shape.size(), outputs, first);
}

TrainResult Train(const TrialConfig& config, const data::Dataset& dataset, const TrainOptions& options) {
  TrainResult failed;
  failed.outcome = TrialOutcome::kFailed;
  auto settings = ResolveSettings(config, dataset);
  if (!settings.ok()) {
    failed.reason = std::string(settings.status().message());
    return failed;
  }
  const std::size_t bytes = EstimateBytes(*settings, config, dataset);
  if (bytes > options.memory_limit_bytes) {
    failed.reason =
        absl::StrCat("estimated memory ", HumanBytes(static_cast<double>(bytes)), " exceeds the per-trial limit of ",
                     HumanBytes(static_cast<double>(options.memory_limit_bytes)), " (hidden [",
                     absl::StrJoin(config.hidden, ", "), "], batch_size ", settings->batch, ")");
    return failed;
  }
  try {
    Session session(config, dataset, options, std::move(*settings));
    return session.Run();
  } catch (const std::bad_alloc&) {
    failed.reason = "out of memory";
    return failed;
  }
}

}  // namespace hpsearch::trainer
