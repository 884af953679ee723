// Server benchmarks (Google Benchmark). Not part of ctest: run scripts/bench.sh.
//
//   BM_TinyTrial            the trainer's cost of one tiny trial (xor, hidden [2], 1 epoch)
//   BM_Bookkeeping          scheduler + SQLite file per trial: acquire, one epoch, complete
//   BM_GetBestTrials        best 10 of a 100,000-trial sweep (p50/p99 as counters)
//   BM_ListTrialsPage       a 100-row page of the same sweep, by index, objective or a metric, first or deep
//   BM_HealthUnderListingLoad  health-check latency while clients list that sweep by a metric
//   BM_EndToEndTinySweep    10,000 tiny trials through a real hpsearch-server process
//   BM_TpeSuggest           one TPE suggestion (6 parameters) after N finished trials
//   BM_LockedCallDuringTpe  GetSweep's latency while a worker leases from a TPE sweep of N trials
#include <benchmark/benchmark.h>
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "hpsearch/v1/sweep_service.grpc.pb.h"
#include "proto/convert/spec_convert.h"
#include "search/nsga2_strategy.h"
#include "search/spec_file.h"
#include "search/tpe_strategy.h"
#include "server/scheduler/scheduler.h"
#include "server/store/store.h"
#include "tests/testing/process.h"
#include "worker/data/dataset_loader.h"
#include "worker/runtime/lease_runner.h"

namespace {

namespace v1 = hpsearch::v1;
using namespace hpsearch;

const char* kTinySpec = R"(name: tiny
dataset: {name: xor}
method: random
budget: {max_trials: 10000}
fixed: {epochs: 1, hidden: [2]}
parameters:
  lr: {min: 1.0e-4, max: 1.0, scale: log}
)";

std::string ScratchDir(const std::string& name) {
  auto p = std::filesystem::temp_directory_path() / ("hpsearch-bench-" + name + "-" + std::to_string(getpid()));
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p);
  return p.string();
}

class NullSink : public runtime::TrialSink {
 public:
  bool OnEpoch(const EpochMetrics&, const ActivationStats&) override { return true; }
  void OnComplete(const TrialResult&) override {}
  void OnFail(const std::string&, bool) override { std::abort(); }
};

void BM_TinyTrial(benchmark::State& state) {
  data::DatasetCache cache(data::DataEnvironment{});
  Lease lease;
  lease.dataset.name = "xor";
  lease.params["epochs"] = Value(int64_t{1});
  lease.params["hidden"] = Value(std::vector<Value>{Value(int64_t{2})});
  lease.params["lr"] = Value(0.01);
  lease.objective_metric = "val_accuracy";
  lease.objective_maximize = true;
  NullSink sink;
  for (auto _ : state) {
    ++lease.seed;
    runtime::RunLease(lease, cache, {}, sink);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TinyTrial)->Unit(benchmark::kMicrosecond);

void BM_Bookkeeping(benchmark::State& state) {
  const std::string dir = ScratchDir("book");
  store::StoreOptions so;
  so.path = dir + "/b.db";
  so.sync_full = state.range(0) != 0;
  auto st = store::Store::Open(so);
  scheduler::SchedulerOptions o;
  o.limits.max_trials = 0;
  scheduler::Scheduler s(**st, o);
  (void)s.Recover();
  const std::string yaml = std::string(kTinySpec).replace(std::string(kTinySpec).find("10000"), 5, "1000000");
  (void)s.Submit(*client::ParseSpecYaml(yaml), yaml);
  EpochReport report;
  report.epoch.emplace();
  report.epoch->epoch = 1;
  report.epoch->metrics = {{"val_accuracy", 0.5}, {"val_loss", 0.7}};
  TrialResult done;
  done.metrics = {{"val_accuracy", 0.5}, {"val_loss", 0.7}};
  for (auto _ : state) {
    auto lease = s.Acquire("bench", "");
    report.key = (*lease)->key;
    (void)s.Report(report);
    done.key = (*lease)->key;
    (void)s.Complete(done);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(so.sync_full ? "synchronous=FULL" : "synchronous=NORMAL");
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_Bookkeeping)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

// A 100,000-trial completed sweep, built once.
struct BigSweep {
  std::string dir;
  std::unique_ptr<store::Store> store;
  int64_t sweep = 0;
  BigSweep() {
    dir = ScratchDir("big");
    store::StoreOptions so;
    so.path = dir + "/big.db";
    store = *store::Store::Open(so);
    (void)store->Write([&](store::WriteTxn& w) {
      sweep = w.InsertSweep("big", "name: big\n", 100000, true, 1);
      for (int64_t i = 0; i < 100000; ++i) {
        const double lr = 1e-4 * (1 + (i * 7919) % 10007);
        const int64_t t =
            w.InsertTrial(sweep, i, Params{{"lr", Value(lr)}, {"optimizer", Value(std::string("adam"))}}, i, 2);
        w.StartAttempt(t, 1, "embedded-0", 10, 3);
        const double acc = 0.5 + 0.45 * ((i * 104729) % 100003) / 100003.0;
        w.CompleteTrial(t, 1, acc, true, {{"val_accuracy", acc}, {"val_loss", 1 - acc}, {"test_accuracy", acc - 0.01}},
                        {}, 1234, 4);
      }
      return absl::OkStatus();
    });
  }
  ~BigSweep() {
    store.reset();
    std::filesystem::remove_all(dir);
  }
};
BigSweep& Big() {
  static BigSweep big;
  return big;
}

void Latencies(benchmark::State& state, const std::function<void()>& op) {
  std::vector<double> us;
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    op();
    us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(us.begin(), us.end());
  state.counters["p50_us"] = us[us.size() / 2];
  state.counters["p99_us"] = us[std::min(us.size() - 1, us.size() * 99 / 100)];
}

void BM_GetBestTrials(benchmark::State& state) {
  auto& big = Big();
  Latencies(state, [&] {
    (void)big.store->Read([&](store::ReadTxn& r) {
      benchmark::DoNotOptimize(r.BestTrials(big.sweep, 10));
      return absl::OkStatus();
    });
  });
}
BENCHMARK(BM_GetBestTrials)->Unit(benchmark::kMicrosecond);

const char* SortName(int64_t mode) { return mode == 0 ? "index" : mode == 1 ? "objective" : "val_loss"; }

// A 100-row page `depth` rows deep (the cursor is found first, untimed).
void BM_ListTrialsPage(benchmark::State& state) {
  auto& big = Big();
  store::TrialQuery q;
  q.sort_by = SortName(state.range(0));
  q.limit = 1000;
  (void)big.store->Read([&](store::ReadTxn& r) {
    for (int64_t skipped = 0; skipped < state.range(1); skipped += q.limit)
      q.cursor = r.ListTrials(big.sweep, q)->next_cursor;
    return absl::OkStatus();
  });
  q.limit = 100;
  Latencies(state, [&] {
    (void)big.store->Read([&](store::ReadTxn& r) {
      benchmark::DoNotOptimize(r.ListTrials(big.sweep, q));
      return absl::OkStatus();
    });
  });
  state.SetLabel(q.sort_by + " at row " + std::to_string(state.range(1)));
}
BENCHMARK(BM_ListTrialsPage)
    ->Args({0, 0})
    ->Args({0, 50000})
    ->Args({1, 0})
    ->Args({1, 50000})
    ->Args({2, 0})
    ->Args({2, 50000})
    ->Unit(benchmark::kMicrosecond);

// `hpsearch health` latency while 3 clients list the whole 100,000-trial sweep by a
// metric, page after page, over gRPC: handlers' store work must not hold up the
// threads that answer health checks.
void BM_HealthUnderListingLoad(benchmark::State& state) {
  auto& big = Big();
  hpsearch::testing::ServerProcess server(big.dir + "/big.db", {"--workers", "0"});
  if (!server.Start()) {
    state.SkipWithError("server did not start");
    return;
  }
  auto channel = grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials());
  auto health = grpc::health::v1::Health::NewStub(channel);
  std::atomic<bool> stop{false};
  std::atomic<int64_t> pages{0};
  std::vector<std::thread> listers;
  for (int i = 0; i < static_cast<int>(state.range(0)); ++i) {
    listers.emplace_back([&] {
      // Each lister has its own connection, as separate CLI processes would.
      grpc::ChannelArguments args;
      args.SetInt("lister", i);
      auto stub = v1::SweepService::NewStub(
          grpc::CreateCustomChannel(server.address(), grpc::InsecureChannelCredentials(), args));
      std::string token;
      while (!stop) {
        grpc::ClientContext ctx;
        v1::ListTrialsRequest req;
        req.set_sweep(store::SweepPublicId(big.sweep));
        req.set_sort_by("val_loss");
        req.set_page_size(1000);
        req.set_page_token(token);
        v1::ListTrialsResponse resp;
        if (!stub->ListTrials(&ctx, req, &resp).ok()) break;
        token = resp.next_page_token();
        pages++;
      }
    });
  }
  std::vector<double> us;
  for (auto _ : state) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // probes are spaced, not back to back
    grpc::ClientContext ctx;
    grpc::health::v1::HealthCheckRequest req;
    grpc::health::v1::HealthCheckResponse resp;
    const auto t0 = std::chrono::steady_clock::now();
    if (!health->Check(&ctx, req, &resp).ok()) std::abort();
    us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(us.begin(), us.end());
  state.counters["p50_us"] = us[us.size() / 2];
  state.counters["p99_us"] = us[std::min(us.size() - 1, us.size() * 99 / 100)];
  stop = true;
  for (auto& t : listers) t.join();
  state.counters["listing_pages"] = static_cast<double>(pages.load());
  state.SetLabel(std::to_string(state.range(0)) + " clients listing by val_loss");
  server.Kill(SIGTERM);
  server.Wait(std::chrono::seconds(10));
}
BENCHMARK(BM_HealthUnderListingLoad)->Arg(0)->Arg(3)->Unit(benchmark::kMicrosecond)->Iterations(200);

// The same queries through a real hpsearch-server process and gRPC on loopback.
void BM_QueriesOverGrpc(benchmark::State& state) {
  auto& big = Big();
  hpsearch::testing::ServerProcess server(big.dir + "/big.db", {"--workers", "0"});
  if (!server.Start()) {
    state.SkipWithError("server did not start");
    return;
  }
  auto stub = v1::SweepService::NewStub(grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials()));
  const std::string id = store::SweepPublicId(big.sweep);
  const bool best = state.range(0) == 0;
  Latencies(state, [&] {
    grpc::ClientContext ctx;
    if (best) {
      v1::GetBestTrialsRequest req;
      req.set_sweep(id);
      req.set_k(10);
      v1::GetBestTrialsResponse resp;
      if (!stub->GetBestTrials(&ctx, req, &resp).ok() || resp.trials_size() != 10) std::abort();
    } else {
      v1::ListTrialsRequest req;
      req.set_sweep(id);
      req.set_page_size(100);
      req.set_sort_by("objective");
      v1::ListTrialsResponse resp;
      if (!stub->ListTrials(&ctx, req, &resp).ok() || resp.trials_size() != 100) std::abort();
    }
  });
  state.SetLabel(best ? "GetBestTrials k=10" : "ListTrials 100 rows by objective");
  server.Kill(SIGTERM);
  server.Wait(std::chrono::seconds(10));
}
BENCHMARK(BM_QueriesOverGrpc)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

// Polls GetSweep every 20 ms until the sweep has ended.
v1::Sweep WaitUntilDone(v1::SweepService::Stub& stub, const std::string& id) {
  v1::Sweep now;
  do {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    grpc::ClientContext ctx;
    v1::GetSweepRequest get;
    get.set_sweep(id);
    (void)stub.GetSweep(&ctx, get, &now);
  } while (now.status() == v1::SWEEP_RUNNING);
  return now;
}

// The real thing: submit 10,000 tiny trials to hpsearch-server --workers 2 over gRPC
// and wait (polling GetSweep) until the sweep completes. Items/s = trials/s.
void BM_EndToEndTinySweep(benchmark::State& state) {
  for (auto _ : state) {
    state.PauseTiming();
    const std::string dir = ScratchDir("e2e");
    hpsearch::testing::ServerProcess server(dir + "/e2e.db", {"--workers", "2", "--max-trials", "1000000"});
    if (!server.Start()) {
      state.SkipWithError("server did not start");
      return;
    }
    auto stub = v1::SweepService::NewStub(grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials()));
    v1::SubmitSweepRequest req;
    *req.mutable_spec() = convert::ToProto(*client::ParseSpecYaml(kTinySpec));
    state.ResumeTiming();
    const auto t0 = std::chrono::steady_clock::now();
    v1::Sweep sweep;
    {
      grpc::ClientContext ctx;
      if (!stub->SubmitSweep(&ctx, req, &sweep).ok()) {
        state.SkipWithError("submit failed");
        return;
      }
    }
    v1::Sweep now;
    now = WaitUntilDone(*stub, sweep.id());
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    state.PauseTiming();
    state.counters["trials"] = static_cast<double>(now.counts().completed());
    state.counters["trials_per_s"] = now.counts().completed() / seconds;
    server.Kill(SIGTERM);
    server.Wait(std::chrono::seconds(10));
    std::filesystem::remove_all(dir);
    state.ResumeTiming();
  }
}
BENCHMARK(BM_EndToEndTinySweep)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

// --workers 2 on a 16-trial Fashion-MNIST sweep: wall time against the sum of the
// trials' own times / 2. utilization = (sum / 2) / wall; 1.0 is both cores busy.
void BM_FashionTwoSlots(benchmark::State& state) {
  const char* spec_text = R"(name: fashion16
dataset: {name: fashion-mnist, validation: 0.1}
method: random
seed: 5
budget: {max_trials: 16}
fixed: {epochs: 3, hidden: [128], batch_size: 128, preprocess: center}
parameters:
  lr: {min: 1.0e-4, max: 1.0e-2, scale: log}
  optimizer: {values: [adam, rmsprop, momentum]}
)";
  for (auto _ : state) {
    const std::string dir = ScratchDir("fashion");
    hpsearch::testing::ServerProcess server(dir + "/f.db", {"--workers", "2"});
    if (!server.Start()) {
      state.SkipWithError("server did not start");
      return;
    }
    auto stub = v1::SweepService::NewStub(grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials()));
    v1::SubmitSweepRequest req;
    *req.mutable_spec() = convert::ToProto(*client::ParseSpecYaml(spec_text));
    const auto t0 = std::chrono::steady_clock::now();
    v1::Sweep sweep, now;
    {
      grpc::ClientContext ctx;
      (void)stub->SubmitSweep(&ctx, req, &sweep);
    }
    now = WaitUntilDone(*stub, sweep.id());
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    grpc::ClientContext ctx;
    v1::ListTrialsRequest list;
    list.set_sweep(sweep.id());
    v1::ListTrialsResponse trials;
    (void)stub->ListTrials(&ctx, list, &trials);
    double sum = 0;
    for (const auto& t : trials.trials()) sum += (t.finished_ms() - t.started_ms()) / 1000.0;
    state.counters["wall_s"] = wall;
    state.counters["sum_trial_s"] = sum;
    state.counters["utilization"] = sum / 2 / wall;
    state.counters["completed"] = now.counts().completed();
    server.Kill(SIGTERM);
    server.Wait(std::chrono::seconds(10));
    std::filesystem::remove_all(dir);
  }
}
BENCHMARK(BM_FashionTwoSlots)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

}  // namespace

// What a TPE suggestion costs the scheduler (it runs under the scheduler's lock) as
// a sweep's history grows: 6 parameters, 4 of them numeric, with the constant liar.
// The six-parameter space the suggestion benchmarks draw from.
hpsearch::search::SearchSpace SuggestionSpace() {
  auto spec = hpsearch::client::ParseSpecYaml(R"(dataset: iris
parameters:
  optimizer: {values: [sgd, momentum, adam, rmsprop]}
  lr: {min: 1.0e-4, max: 1.0e-1, scale: log}
  hidden: {values: [[128], [256, 128]]}
  batch_size: {values: [32, 64, 128]}
  dropout: {min: 0.0, max: 0.5, step: 0.05}
  l2: {min: 1.0e-6, max: 1.0e-2, scale: log}
)");
  return *hpsearch::search::SearchSpace::Build(*spec);
}

void BM_TpeSuggest(benchmark::State& state) {
  const hpsearch::search::SearchSpace space = SuggestionSpace();
  const int64_t n = state.range(0);
  hpsearch::search::TpeStrategy tpe(space, {}, 1, n + (1 << 20), false);
  std::vector<hpsearch::search::Observation> history;
  hpsearch::Rng rng(5);
  for (int64_t i = 0; i < n; ++i) {
    hpsearch::Params p = space.Draw(rng);
    const double v = std::log(p.at("lr").number()) + p.at("dropout").number();
    history.push_back({i, p, hpsearch::search::TrialState::kCompleted, v});
  }
  tpe.Restore(n, history);
  int64_t i = n;
  for (auto _ : state) {
    auto p = tpe.Next();
    // Keep the history at n finished trials (plus the ones running now).
    tpe.Observe({i++, *p, hpsearch::search::TrialState::kFailed});
  }
}
BENCHMARK(BM_TpeSuggest)->Arg(100)->Arg(1000)->Arg(10000)->Unit(benchmark::kMicrosecond);

// One suggestion of a two-objective sweep (accuracy-like and size-like values of a
// random history of N completed trials): multi-objective TPE (rank split and greedy
// hypervolume subset selection) with arg 1 = 0, NSGA-II (population 50) with 1.
void BM_MultiObjectiveSuggest(benchmark::State& state) {
  const hpsearch::search::SearchSpace space = SuggestionSpace();
  const int64_t n = state.range(0);
  const std::vector<hpsearch::search::ResolvedObjective> objectives = {{"acc", true}, {"size", false}};
  std::unique_ptr<hpsearch::search::Strategy> strategy;
  if (state.range(1) == 0) {
    strategy = std::make_unique<hpsearch::search::TpeStrategy>(space, hpsearch::search::TpeOptions{}, 1, n + (1 << 20),
                                                               false, nullptr, objectives);
  } else {
    strategy = std::make_unique<hpsearch::search::Nsga2Strategy>(space, hpsearch::search::Nsga2Options{}, 1,
                                                                 n + (1 << 20), objectives);
  }
  std::vector<hpsearch::search::Observation> history;
  hpsearch::Rng rng(5);
  for (int64_t i = 0; i < n; ++i) {
    hpsearch::Params p = space.Draw(rng);
    hpsearch::search::Observation o{i, p, hpsearch::search::TrialState::kCompleted};
    const double l = std::log10(p.at("lr").number()) + 2.5, d = p.at("dropout").number();
    o.values = {1 - l * l - d, std::log(p.at("l2").number()) + 20 * d};
    o.value = o.values[0];
    history.push_back(std::move(o));
  }
  strategy->Restore(n, history);
  int64_t i = n;
  for (auto _ : state) {
    auto p = strategy->Next();
    strategy->Observe({i++, *p, hpsearch::search::TrialState::kFailed});
  }
}
BENCHMARK(BM_MultiObjectiveSuggest)
    ->Args({1000, 0})
    ->Args({10000, 0})
    ->Args({1000, 1})
    ->Args({10000, 1})
    ->Unit(benchmark::kMicrosecond);

// How long a call that needs the scheduler's lock (GetSweep, as `hpsearch status`
// makes) waits while a worker leases trial after trial of a TPE sweep with N finished
// trials: each lease computes a TPE suggestion over the whole history. p50/p99 of
// the call; `suggestions` is how many leases the worker made meanwhile.
void BM_LockedCallDuringTpe(benchmark::State& state) {
  const int64_t n = state.range(0);
  const std::string dir = ScratchDir("tpe-lock");
  store::StoreOptions so;
  so.path = dir + "/t.db";
  auto st = store::Store::Open(so);
  scheduler::SchedulerOptions o;
  o.limits.max_trials = 0;
  o.decode_spec = [](const std::string& yaml) { return client::ParseSpecYaml(yaml); };
  const std::string yaml = R"(name: tpe
dataset: {name: xor}
objective: {metric: val_loss, goal: minimize}
method: tpe
budget: {max_trials: 1000000}
fixed: {epochs: 1}
parameters:
  optimizer: {values: [sgd, momentum, adam, rmsprop]}
  lr: {min: 1.0e-4, max: 1.0e-1, scale: log}
  hidden: {values: [[8], [16, 8]]}
  batch_size: {values: [8, 16, 32]}
  dropout: {min: 0.0, max: 0.5, step: 0.05}
  l2: {min: 1.0e-6, max: 1.0e-2, scale: log}
)";
  int64_t rowid = 0;
  std::string id;
  {
    scheduler::Scheduler s(**st, o);
    (void)s.Recover();
    auto rec = s.Submit(*client::ParseSpecYaml(yaml), yaml);
    rowid = *store::ParseSweepId(rec->id);
    id = rec->id;
  }
  // N finished trials written straight into the store: the restart rebuilds TPE from them.
  (void)(*st)->Write([&](store::WriteTxn& w) {
    auto space = search::SearchSpace::Build(*client::ParseSpecYaml(yaml));
    Rng rng(3);
    for (int64_t i = 0; i < n; ++i) {
      const Params p = space->Draw(rng);
      const int64_t t = w.InsertTrial(rowid, i, p, static_cast<uint64_t>(i), 2);
      w.StartAttempt(t, 1, "bench", 10, 3);
      const double loss = std::log(p.at("lr").number()) + p.at("dropout").number();
      w.CompleteTrial(t, 1, loss, false, {{"val_loss", loss}}, {}, 10, 4);
    }
    return absl::OkStatus();
  });
  scheduler::Scheduler s(**st, o);
  (void)s.Recover();
  std::atomic<bool> done{false};
  std::atomic<int64_t> suggestions{0};
  std::thread worker([&] {
    TrialResult r;
    r.metrics = {{"val_loss", 0.5}};
    while (!done) {
      auto lease = s.Acquire("bench", "");
      if (!lease.ok() || !*lease) continue;
      r.key = (**lease).key;
      (void)s.Complete(r);
      ++suggestions;
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  std::vector<double> us;
  for (auto _ : state) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));  // calls spread over the suggestions
    const auto t0 = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(s.GetSweep(id));
    us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(us.begin(), us.end());
  state.counters["p50_us"] = us[us.size() / 2];
  state.counters["p99_us"] = us[std::min(us.size() - 1, us.size() * 99 / 100)];
  done = true;
  worker.join();
  state.counters["suggestions"] = static_cast<double>(suggestions.load());
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_LockedCallDuringTpe)->Arg(1000)->Arg(10000)->Unit(benchmark::kMicrosecond)->Iterations(500)->UseRealTime();

BENCHMARK_MAIN();
