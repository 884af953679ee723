// The scheduler killed after every commit of a scenario, in process: from commit k on
// the store refuses every write (as a dead process writes nothing), then the
// scheduler is rebuilt from the file, the user repeats what was not acknowledged,
// workers finish what is left, and the sweep must end where it was heading, with a
// sound database (store/integrity.h). The same campaign over a real server process
// and its compiled-in fail points is tests/e2e/failpoint_test.cc.
#include <unistd.h>

#include <filesystem>
#include <functional>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "search/spec_file.h"
#include "server/scheduler/scheduler.h"
#include "server/store/integrity.h"
#include "tests/server/scheduler_fixture.h"

namespace hpsearch::scheduler {
namespace {

using test::kGrid;

constexpr int64_t kLeaseMs = 1000;

// The fixture's 6 grid trials (kGrid); trial i reports Objective(i).
double Objective(int64_t index) { return index == 1 ? 0.05 : 0.3 + 0.01 * index; }

// One life of the server: a store on the test's file and a scheduler over it.
class Harness {
 public:
  Harness(const std::string& db, int crash_at, int64_t* now) : now_(now) {
    store::StoreOptions so;
    so.path = db;
    if (crash_at >= 0) {
      so.before_commit = [this, crash_at] {
        if (commits_ == crash_at) dead_ = true;
        if (dead_) return absl::UnavailableError("the process is dead");
        ++commits_;
        return absl::OkStatus();
      };
    } else {
      so.before_commit = [this] {
        ++commits_;
        return absl::OkStatus();
      };
    }
    store_ = *store::Store::Open(so);
    SchedulerOptions o;
    o.clock = [now] { return *now; };
    o.monotonic_clock = [now] { return *now; };
    o.lease_ms = kLeaseMs;
    o.decode_spec = [](const std::string& yaml) { return client::ParseSpecYaml(yaml); };
    scheduler_ = std::make_unique<Scheduler>(*store_, o);
    ok_ = scheduler_->Recover().ok();
  }
  ~Harness() {
    scheduler_.reset();
    store_.reset();
  }

  Scheduler& s() { return *scheduler_; }
  store::Store& store() { return *store_; }
  bool dead() const { return dead_ || !ok_; }
  int commits() const { return commits_; }
  void Advance(int64_t ms) { *now_ += ms; }

  std::optional<Lease> Acquire(const std::string& worker) {
    auto l = scheduler_->Acquire(worker, "");
    return l.ok() ? *l : std::nullopt;
  }
  bool Epoch(const Lease& l, int epoch) {
    EpochReport r;
    r.key = l.key;
    r.epoch = EpochMetrics{epoch, {{"val_loss", Objective(l.key.index) + 0.1}}, 0.1, 0.01};
    auto reply = scheduler_->Report(r);
    return reply.ok() && !reply->stop;
  }
  absl::Status Complete(const Lease& l) {
    TrialResult r;
    r.key = l.key;
    r.metrics = {{"val_loss", Objective(l.key.index)}, {"val_accuracy", 1 - Objective(l.key.index)}};
    r.parameter_count = 17;
    return scheduler_->Complete(r);
  }
  absl::Status Fail(const Lease& l) { return scheduler_->Fail(TrialFailure{l.key, "diverged: loss is nan", true}); }

 private:
  int64_t* now_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Scheduler> scheduler_;
  int commits_ = 0;
  bool dead_ = false;
  bool ok_ = false;
};

// What the user does in the scenario (whether or not the first life got that far),
// and whether they were told it was done; after a restart they repeat it otherwise.
struct Intent {
  bool cancel = false, stop = false;
  bool cancel_acked = false, stop_acked = false;
};

struct Scenario {
  std::string name;
  std::string spec;
  // Drives the first life; returns early once h.dead().
  std::function<void(Harness& h, const std::string& sweep, Intent& intent)> drive;
  // How workers treat trial i after the restart (true: fail it).
  std::function<bool(int64_t index)> fails = [](int64_t) { return false; };
  SweepStatus expect;
  std::string reason;       // the final reason contains this
  int64_t max_rows = 6;     // trials that may ever have started
  Intent intent;            // the user's actions
  int64_t downtime_ms = 0;  // between the crash and the restart
};

void PrintTo(const Scenario& s, std::ostream* os) { *os << s.name; }

std::vector<Scenario> Scenarios() {
  std::vector<Scenario> all;
  all.push_back({"RunToTheEnd", kGrid,
                 [](Harness& h, const std::string&, Intent&) {
                   for (int i = 0; i < 6 && !h.dead(); ++i) {
                     // Embedded ids: after a restart these trials are requeued at once.
                     auto l = h.Acquire(i % 2 ? "embedded-1" : "embedded-0");
                     if (!l || !h.Epoch(*l, 1) || !h.Epoch(*l, 2)) return;
                     h.Advance(1100);  // every epoch flush writes
                     if (!h.Complete(*l).ok()) return;
                   }
                 },
                 [](int64_t) { return false; }, SweepStatus::kCompleted, "", 6});
  all.push_back({"CancelledMidway",
                 kGrid,
                 [](Harness& h, const std::string& sweep, Intent& intent) {
                   auto a = h.Acquire("remote-a");
                   auto b = h.Acquire("remote-b");
                   auto c = h.Acquire("remote-c");
                   if (!a || !b || !c || !h.Complete(*a).ok()) return;
                   intent.cancel_acked = h.s().Cancel(sweep, false).ok();
                   if (!h.dead()) {
                     EXPECT_FALSE(h.Complete(*b).ok());  // stopped
                   }
                 },
                 [](int64_t) { return false; },
                 SweepStatus::kCancelled,
                 "cancelled by request",
                 3,
                 {.cancel = true}});
  all.push_back({"StoppedMidway",
                 kGrid,
                 [](Harness& h, const std::string& sweep, Intent& intent) {
                   auto a = h.Acquire("remote-a");
                   auto b = h.Acquire("remote-b");
                   if (!a || !b) return;
                   intent.stop_acked = h.s().Cancel(sweep, true).ok();
                   if (h.dead() || !h.Epoch(*a, 1) || !h.Complete(*a).ok()) return;
                   (void)h.Complete(*b);
                 },
                 [](int64_t) { return false; },
                 SweepStatus::kCancelled,
                 "stopped by request",
                 2,
                 {.stop = true}});
  all.push_back({"EndedByTarget", std::string(kGrid) + "objective: {metric: val_loss, goal: minimize, target: 0.1}\n",
                 [](Harness& h, const std::string&, Intent&) {
                   auto a = h.Acquire("remote-a");
                   auto b = h.Acquire("remote-b");  // trial 1 reaches the target
                   auto c = h.Acquire("remote-c");
                   if (!a || !b || !c || !h.Complete(*a).ok() || !h.Complete(*b).ok()) return;
                   if (!h.dead()) {
                     EXPECT_FALSE(h.Complete(*c).ok());  // cancelled by the target
                   }
                 },
                 [](int64_t) { return false; }, SweepStatus::kCompleted, "target val_loss 0.1 reached by trial 1", 3});
  all.push_back({"EndedByMaxFailed", std::string(kGrid) + "budget: {max_failed: 2}\n",
                 [](Harness& h, const std::string&, Intent&) {
                   auto a = h.Acquire("remote-a");
                   auto b = h.Acquire("remote-b");
                   auto c = h.Acquire("remote-c");
                   if (!a || !b || !c || !h.Fail(*a).ok() || !h.Fail(*b).ok()) return;
                   if (!h.dead()) {
                     EXPECT_FALSE(h.Epoch(*c, 1));  // told to stop
                   }
                 },
                 [](int64_t index) { return index < 2; }, SweepStatus::kFailed, "budget.max_failed is 2", 3});
  all.push_back({"LeaseLostWhileStopping",
                 kGrid,
                 [](Harness& h, const std::string& sweep, Intent& intent) {
                   auto a = h.Acquire("remote-a");
                   auto b = h.Acquire("remote-b");  // its worker dies
                   if (!a || !b) return;
                   intent.stop_acked = h.s().Cancel(sweep, true).ok();
                   if (h.dead() || !h.Complete(*a).ok()) return;
                   h.Advance(kLeaseMs + 1);
                   h.s().Tick();  // b's lease expires: cancelled, and the sweep ends
                 },
                 [](int64_t) { return false; },
                 SweepStatus::kCancelled,
                 "stopped by request",
                 2,
                 {.stop = true}});
  all.push_back({"EndedByMaxDuration",
                 std::string(kGrid) + "budget: {max_duration: 10s}\n",
                 [](Harness& h, const std::string&, Intent&) {
                   auto a = h.Acquire("remote-a");
                   if (!a || !h.Complete(*a).ok()) return;
                   auto b = h.Acquire("remote-b");
                   if (!b) return;
                   h.Advance(11'000);
                   h.s().Tick();
                   if (!h.dead()) {
                     EXPECT_FALSE(h.Epoch(*b, 1));
                   }
                 },
                 [](int64_t) { return false; },
                 SweepStatus::kCompleted,
                 "max_duration of 10s reached",
                 2,
                 {},
                 11'000});
  return all;
}

class CrashAfterEveryCommit : public ::testing::TestWithParam<Scenario> {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() / ("hpsearch-crash-" + std::to_string(getpid()) + "-" + GetParam().name);
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // One run: the first life dies at commit `crash_at` (-1: never); returns the
  // number of commits the first life made.
  int Run(int crash_at) {
    const Scenario& sc = GetParam();
    const std::string db = (dir_ / ("c" + std::to_string(crash_at) + ".db")).string();
    std::filesystem::remove(db);
    int64_t now = 1'000'000;
    Intent intent = sc.intent;
    std::string sweep;
    int commits = 0;
    {
      Harness first(db, crash_at, &now);
      auto spec = client::ParseSpecYaml(sc.spec);
      EXPECT_TRUE(spec.ok()) << spec.status();
      auto s = first.s().Submit(*spec, sc.spec);
      if (s.ok()) {
        sweep = s->id;
        sc.drive(first, sweep, intent);
      }
      commits = first.commits();
    }                                   // the process dies
    if (sweep.empty()) return commits;  // the submission itself never committed
    SCOPED_TRACE(::testing::Message() << sc.name << ", crash at commit " << crash_at);
    now += sc.downtime_ms;
    Harness next(db, -1, &now);
    EXPECT_FALSE(next.dead());
    // The user repeats what they were not told had happened.
    if (intent.cancel && !intent.cancel_acked) (void)next.s().Cancel(sweep, false);
    if (intent.stop && !intent.stop_acked) (void)next.s().Cancel(sweep, true);
    // Remote workers of the first life are gone: their leases run out first.
    next.Advance(kLeaseMs + 1);
    next.s().Tick();
    for (int round = 0; round < 50 && !Finished(next.s().GetSweep(sweep)->status); ++round) {
      auto l = next.Acquire("remote-after");
      if (!l) {
        next.Advance(kLeaseMs + 1);
        next.s().Tick();
        continue;
      }
      if (!next.Epoch(*l, 1)) continue;
      EXPECT_TRUE((sc.fails(l->key.index) ? next.Fail(*l) : next.Complete(*l)).ok());
    }
    const store::SweepRecord end = *next.s().GetSweep(sweep);
    EXPECT_EQ(end.status, sc.expect) << end.status_reason;
    EXPECT_TRUE(absl::StrContains(end.status_reason, sc.reason)) << end.status_reason;
    EXPECT_TRUE(next.store()
                    .Read([&](store::ReadTxn& r) {
                      const int64_t rowid = *store::ParseSweepId(sweep);
                      for (const auto& v : store::CheckIntegrity(r)) ADD_FAILURE() << v;
                      EXPECT_LE(r.TrialsCreated(rowid), sc.max_rows) << "trials ran after the sweep was ending";
                      const store::TrialCounts c = r.CountByStatus(rowid);
                      EXPECT_EQ(c.pending + c.running, 0);
                      for (const auto& t : r.BestTrials(rowid, 100)) {
                        EXPECT_EQ(*t.objective, Objective(t.index));
                      }
                      return absl::OkStatus();
                    })
                    .ok());
    return commits;
  }

  std::filesystem::path dir_;
};

TEST_P(CrashAfterEveryCommit, TheSweepEndsWhereItWasHeadingAndTheRecordIsSound) {
  const int commits = Run(-1);  // no crash: counts the commits
  ASSERT_GT(commits, 1);
  for (int k = 0; k <= commits; ++k) Run(k);
  RecordProperty("commits", commits);
}

INSTANTIATE_TEST_SUITE_P(Scenarios, CrashAfterEveryCommit, ::testing::ValuesIn(Scenarios()),
                         [](const ::testing::TestParamInfo<Scenario>& info) { return info.param.name; });

}  // namespace
}  // namespace hpsearch::scheduler
