// Writes a finished sweep of N completed trials straight through the store — no
// training — for the dashboard's scale test (tests/e2e/dashboard_test.py).
//   make_large_sweep DB N     prints the sweep's id
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "common/util/rng.h"
#include "proto/convert/spec_convert.h"
#include "search/spec_file.h"
#include "server/service/convert.h"
#include "server/store/store.h"

int main(int argc, char** argv) {
  using namespace hpsearch;
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s DB N\n", argv[0]);
    return 2;
  }
  const int64_t n = std::atoll(argv[2]);
  auto spec = client::ParseSpecYaml(
      "name: large\ndataset: {name: fashion_mnist}\nmethod: random\nbudget: {max_trials: " + std::to_string(n) +
      "}\nfixed: {epochs: 10}\nparameters:\n  lr: {min: 1.0e-4, max: 1.0e-1, scale: log}\n"
      "  optimizer: {values: [sgd, momentum, adam, rmsprop]}\n  dropout: {min: 0, max: 0.5}\n");
  if (!spec.ok()) {
    std::fprintf(stderr, "%s\n", std::string(spec.status().message()).c_str());
    return 1;
  }
  store::StoreOptions o;
  o.path = argv[1];
  auto s = store::Store::Open(o);
  if (!s.ok()) {
    std::fprintf(stderr, "%s\n", std::string(s.status().message()).c_str());
    return 1;
  }
  const std::string encoded = service::EncodeSpec(convert::ToProto(*spec));
  const char* optimizers[] = {"sgd", "momentum", "adam", "rmsprop"};
  int64_t sweep = 0;
  auto st = (*s)->Write([&](store::WriteTxn& w) {
    const int64_t t0 = 1'790'000'000'000;
    sweep = w.InsertSweep("large", encoded, n, true, t0);
    Rng rng(7);
    for (int64_t i = 0; i < n; ++i) {
      const double log_lr = -4 + 3 * rng.Uniform();
      const double dropout = 0.5 * rng.Uniform();
      const int opt = static_cast<int>(rng.Uniform() * 4) % 4;
      // A plausible landscape: best near lr 1e-2.5 with adam, noisy.
      const double acc = 0.91 - 0.03 * (log_lr + 2.5) * (log_lr + 2.5) - 0.02 * dropout - (opt == 0 ? 0.02 : 0) +
                         0.01 * (rng.Uniform() - 0.5);
      Params p{{"lr", std::pow(10.0, log_lr)}, {"optimizer", optimizers[opt]}, {"dropout", dropout}, {"epochs", 10}};
      const int64_t t = w.InsertTrial(sweep, i, p, static_cast<uint64_t>(i), t0);
      w.StartAttempt(t, 1, "embedded-0", 0, t0 + i * 100);
      w.CompleteTrial(t, 1, acc, true, {{"val_accuracy", acc}, {"val_loss", 1.2 - acc}, {"test_accuracy", acc - 0.005}},
                      {}, 101'770, t0 + i * 100 + 90);
    }
    w.FinishSweep(sweep, SweepStatus::kCompleted, "", n, 0, t0 + n * 100);
    return absl::OkStatus();
  });
  if (!st.ok()) {
    std::fprintf(stderr, "%s\n", std::string(st.message()).c_str());
    return 1;
  }
  std::printf("%s\n", store::SweepPublicId(sweep).c_str());
  return 0;
}
