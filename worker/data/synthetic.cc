#include "worker/data/synthetic.h"

#include <cmath>
#include <numbers>

#include "absl/strings/str_cat.h"
#include "common/util/printable.h"
#include "common/util/rng.h"

namespace hpsearch::data {

namespace {

constexpr double kPi = std::numbers::pi;

double NoiseOr(const DatasetOptions& o, double dflt) { return o.noise >= 0 ? o.noise : dflt; }

void Spiral(const DatasetOptions& o, int64_t n, Rng& rng, Dataset& d) {
  const int k = o.classes > 0 ? o.classes : 3;
  const double noise = NoiseOr(o, 0.2);
  d.num_classes = k;
  for (int64_t i = 0; i < n; ++i) {
    const int c = static_cast<int>(i % k);
    const double r = static_cast<double>(i / k) / std::max<int64_t>(1, n / k);
    const double t = c * 4.0 + r * 4.0 + rng.Normal() * noise;
    d.x(i, 0) = static_cast<float>(r * std::sin(t));
    d.x(i, 1) = static_cast<float>(r * std::cos(t));
    d.labels[i] = c;
  }
}

void Moons(const DatasetOptions& o, int64_t n, Rng& rng, Dataset& d) {
  const double noise = NoiseOr(o, 0.1);
  d.num_classes = 2;
  for (int64_t i = 0; i < n; ++i) {
    const int c = static_cast<int>(i % 2);
    const double t = rng.Uniform() * kPi;
    const double x = c == 0 ? std::cos(t) : 1.0 - std::cos(t);
    const double y = c == 0 ? std::sin(t) : 0.5 - std::sin(t);
    d.x(i, 0) = static_cast<float>(x + rng.Normal() * noise);
    d.x(i, 1) = static_cast<float>(y + rng.Normal() * noise);
    d.labels[i] = c;
  }
}

void Circles(const DatasetOptions& o, int64_t n, Rng& rng, Dataset& d) {
  const double noise = NoiseOr(o, 0.05);
  d.num_classes = 2;
  for (int64_t i = 0; i < n; ++i) {
    const int c = static_cast<int>(i % 2);
    const double t = rng.Uniform() * 2 * kPi;
    const double r = c == 0 ? 1.0 : 0.5;
    d.x(i, 0) = static_cast<float>(r * std::cos(t) + rng.Normal() * noise);
    d.x(i, 1) = static_cast<float>(r * std::sin(t) + rng.Normal() * noise);
    d.labels[i] = c;
  }
}

void Xor(const DatasetOptions& o, int64_t n, Rng& rng, Dataset& d) {
  const double noise = NoiseOr(o, 0.05);
  d.num_classes = 2;
  for (int64_t i = 0; i < n; ++i) {
    const double x = rng.Uniform(-1, 1), y = rng.Uniform(-1, 1);
    d.x(i, 0) = static_cast<float>(x + rng.Normal() * noise);
    d.x(i, 1) = static_cast<float>(y + rng.Normal() * noise);
    d.labels[i] = (x * y > 0) ? 1 : 0;
  }
}

void Blobs(const DatasetOptions& o, int64_t n, Rng& rng, Dataset& d) {
  const int k = o.classes > 0 ? o.classes : 3;
  const double sigma = NoiseOr(o, 1.0);
  const auto f = d.x.cols();
  d.num_classes = k;
  nn::Matrix centres(k, f);
  for (int c = 0; c < k; ++c)
    for (Eigen::Index j = 0; j < f; ++j) centres(c, j) = static_cast<float>(rng.Uniform(-5, 5));
  for (int64_t i = 0; i < n; ++i) {
    const int c = static_cast<int>(i % k);
    for (Eigen::Index j = 0; j < f; ++j) d.x(i, j) = static_cast<float>(centres(c, j) + rng.Normal() * sigma);
    d.labels[i] = c;
  }
}

void Regression(const DatasetOptions& o, int64_t n, Rng& rng, Dataset& d) {
  const double noise = NoiseOr(o, 0.1);
  const auto f = d.x.cols();
  d.targets.resize(n, 1);
  for (int64_t i = 0; i < n; ++i) {
    for (Eigen::Index j = 0; j < f; ++j) d.x(i, j) = static_cast<float>(rng.Uniform(-2, 2));
    double y = std::sin(2.0 * d.x(i, 0));
    if (f > 1) y += 0.5 * d.x(i, 1) * d.x(i, 1);
    if (f > 2) y -= d.x(i, 2);
    if (f > 3) y += 0.25 * d.x(i, 0) * d.x(i, 3);
    for (Eigen::Index j = 4; j < f; ++j) y += 0.1 * d.x(i, j);
    d.targets(i, 0) = static_cast<float>(y + rng.Normal() * noise);
  }
}

}  // namespace

bool IsSynthetic(std::string_view name) {
  return name == "spiral" || name == "moons" || name == "circles" || name == "xor" || name == "blobs" ||
         name == "regression";
}

absl::Status GenerateSynthetic(const DatasetOptions& o, Dataset& d) {
  const int64_t n = o.samples > 0 ? o.samples : 1000;
  int f = 2;
  if (o.name == "blobs") f = o.features > 0 ? o.features : 2;
  if (o.name == "regression") f = o.features > 0 ? o.features : 4;
  if (o.features > 0 && f != o.features)
    return absl::InvalidArgumentError(absl::StrCat("dataset.features: ", o.name, " is always 2-dimensional"));
  Rng rng(DeriveSeed(o.seed, 0x5eed));
  d.name = o.name;
  d.x.resize(n, f);
  for (int j = 0; j < f; ++j) d.feature_names.push_back(absl::StrCat("x", j));
  if (o.name == "regression") {
    d.task = Task::kRegression;
    Regression(o, n, rng, d);
    return absl::OkStatus();
  }
  d.task = Task::kClassification;
  d.labels.assign(n, 0);
  if (o.name == "spiral")
    Spiral(o, n, rng, d);
  else if (o.name == "moons")
    Moons(o, n, rng, d);
  else if (o.name == "circles")
    Circles(o, n, rng, d);
  else if (o.name == "xor")
    Xor(o, n, rng, d);
  else if (o.name == "blobs")
    Blobs(o, n, rng, d);
  else
    return absl::InvalidArgumentError(absl::StrCat("dataset.name: ", Quoted(o.name), " is not synthetic"));
  for (int c = 0; c < d.num_classes; ++c) d.class_names.push_back(absl::StrCat(c));
  return absl::OkStatus();
}

}  // namespace hpsearch::data
