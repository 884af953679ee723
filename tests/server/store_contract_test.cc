// The store's contract, run against both a private :memory: database and a WAL file.
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <thread>

#include "gtest/gtest.h"
#include "server/store/integrity.h"
#include "server/store/schema.h"
#include "server/store/store.h"
#include "sqlite3.h"
#include "tests/testing/status_matchers.h"

namespace hpsearch::store {
namespace {

using ::hpsearch::testing::StatusIs;

class StoreContract : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    if (GetParam()) {
      dir_ = std::filesystem::temp_directory_path() / ("hpsearch-store-" + std::to_string(getpid()) + "-" +
                                                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
      std::filesystem::remove_all(dir_);
      std::filesystem::create_directories(dir_);
      options_.path = (dir_ / "t.db").string();
    } else {
      options_.path = ":memory:";
    }
    auto s = Store::Open(options_);
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = *std::move(s);
  }
  void TearDown() override {
    store_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  // A spec as the service would store it: opaque bytes, NULs and all.
  static std::string Spec(const std::string& name) { return std::string("spec\0of ", 8) + name; }

  int64_t AddSweep(const std::string& name, bool maximize = false, int64_t total = 10) {
    int64_t id = 0;
    EXPECT_TRUE(store_
                    ->Write([&](WriteTxn& w) {
                      id = w.InsertSweep(name, Spec(name), total, maximize, 1000);
                      return absl::OkStatus();
                    })
                    .ok());
    return id;
  }

  // Creates trial `index`, runs it as attempt 1 and completes it with `objective`.
  int64_t AddCompleted(int64_t sweep, int64_t index, double objective, bool maximize = false) {
    int64_t tid = 0;
    EXPECT_TRUE(store_
                    ->Write([&](WriteTxn& w) {
                      tid = w.InsertTrial(sweep, index, Params{{"lr", 0.1 * (index + 1)}}, 7 + index, 2000);
                      w.StartAttempt(tid, 1, "embedded-0", 9999, 2001);
                      w.CompleteTrial(tid, 1, objective, maximize,
                                      {{"val_loss", objective}, {"val_accuracy", 1 - objective}}, {}, 42, 2002);
                      return absl::OkStatus();
                    })
                    .ok());
    return tid;
  }

  StoreOptions options_;
  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
};

TEST_P(StoreContract, NewDatabaseIsAtTheCurrentSchemaVersion) { EXPECT_EQ(store_->schema_version(), kSchemaVersion); }

TEST_P(StoreContract, SweepRoundTripsAndIsFoundByIdOrNewestName) {
  const int64_t a = AddSweep("fashion");
  const int64_t b = AddSweep("fashion");
  const int64_t c = AddSweep("other");
  ASSERT_TRUE(store_
                  ->Read([&](ReadTxn& r) {
                    auto by_id = r.FindSweep(SweepPublicId(a));
                    EXPECT_TRUE(by_id.has_value());
                    EXPECT_EQ(by_id->rowid, a);
                    EXPECT_EQ(by_id->spec, Spec("fashion"));
                    EXPECT_EQ(by_id->status, SweepStatus::kRunning);
                    EXPECT_EQ(by_id->total_trials, 10);
                    EXPECT_EQ(r.FindSweep("fashion")->rowid, b);  // newest of that name
                    EXPECT_EQ(r.FindSweep("other")->rowid, c);
                    EXPECT_FALSE(r.FindSweep("nope").has_value());
                    EXPECT_FALSE(r.FindSweep("s-999999").has_value());
                    auto list = r.ListSweeps(0, 2);
                    EXPECT_EQ(list.size(), 2u);
                    EXPECT_EQ(list[0].rowid, c);  // newest first
                    EXPECT_EQ(r.CountSweeps(), 3);
                    EXPECT_EQ(r.UnfinishedSweeps().size(), 3u);
                    return absl::OkStatus();
                  })
                  .ok());
}

TEST_P(StoreContract, NamesAreDataNeverSql) {
  const std::string evil = "x'; DROP TABLE trials; --";
  const int64_t id = AddSweep(evil);
  ASSERT_TRUE(store_
                  ->Read([&](ReadTxn& r) {
                    auto s = r.FindSweep(evil);
                    EXPECT_TRUE(s.has_value());
                    EXPECT_EQ(s->rowid, id);
                    EXPECT_EQ(s->name, evil);
                    return absl::OkStatus();
                  })
                  .ok());
  AddCompleted(id, 0, 0.5);  // the trials table is still there
}

TEST_P(StoreContract, BestTrialsAreSortedByObjectiveForBothGoals) {
  const int64_t lo = AddSweep("min", false);
  const int64_t hi = AddSweep("max", true);
  const double values[] = {0.5, 0.2, 0.9, 0.2, 0.7};
  for (int i = 0; i < 5; ++i) {
    AddCompleted(lo, i, values[i], false);
    AddCompleted(hi, i, values[i], true);
  }
  ASSERT_TRUE(store_
                  ->Read([&](ReadTxn& r) {
                    auto best = r.BestTrials(lo, 3);
                    EXPECT_EQ(best.size(), 3u);
                    EXPECT_EQ(best[0].index, 1);  // 0.2, ties by index
                    EXPECT_EQ(best[1].index, 3);
                    EXPECT_EQ(best[2].index, 0);
                    EXPECT_DOUBLE_EQ(best[0].objective.value(), 0.2);
                    auto top = r.BestTrials(hi, 2);
                    EXPECT_EQ(top[0].index, 2);  // 0.9
                    EXPECT_EQ(top[1].index, 4);  // 0.7
                    EXPECT_DOUBLE_EQ(top[0].objective.value(), 0.9);
                    EXPECT_EQ(top[0].metrics.at("val_loss"), 0.9);
                    EXPECT_EQ(top[0].params.at("lr").number(), 0.30000000000000004);
                    return absl::OkStatus();
                  })
                  .ok());
}

TEST_P(StoreContract, BestTrialsUseTheRankIndex) {
  const int64_t s = AddSweep("plan");
  (void)s;
  ASSERT_TRUE(store_->Read([&](ReadTxn&) { return absl::OkStatus(); }).ok());
  // EXPLAIN QUERY PLAN through a raw connection on the same file/memory is not
  // possible for :memory:, so open the schema in a scratch connection.
  Connection conn(":memory:", false, false, 1000);
  ASSERT_TRUE(Migrate(conn).ok());
  SQLite::Statement q(conn.db(),
                      "EXPLAIN QUERY PLAN SELECT idx FROM trials t WHERE t.sweep_id = 1 AND t.rank IS NOT NULL "
                      "ORDER BY t.rank, t.idx LIMIT 10");
  std::string plan;
  while (q.executeStep()) plan += q.getColumn(3).getString() + "\n";
  EXPECT_NE(plan.find("trials_by_rank"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << plan;  // no sort step
}

TEST_P(StoreContract, ListTrialsFiltersSortsAndPages) {
  const int64_t s = AddSweep("list");
  for (int i = 0; i < 6; ++i) AddCompleted(s, i, 1.0 - 0.1 * i);  // best is index 5
  ASSERT_TRUE(store_
                  ->Write([&](WriteTxn& w) {
                    const int64_t t6 = w.InsertTrial(s, 6, Params{}, 1, 3000);
                    w.StartAttempt(t6, 1, "w", 9999, 3000);
                    const int64_t t7 = w.InsertTrial(s, 7, Params{}, 1, 3000);
                    w.StartAttempt(t7, 1, "w", 9999, 3000);
                    w.EndTrial(t7, 1, TrialStatus::kFailed, "diverged", 3001);
                    return absl::OkStatus();
                  })
                  .ok());
  ASSERT_TRUE(store_
                  ->Read([&](ReadTxn& r) {
                    TrialQuery q;
                    q.limit = 3;
                    auto p1 = r.ListTrials(s, q);
                    EXPECT_TRUE(p1.ok());
                    EXPECT_EQ(p1->total, 8);
                    EXPECT_EQ(p1->trials.size(), 3u);
                    EXPECT_EQ(p1->trials[0].index, 0);
                    q.cursor = p1->next_cursor;
                    auto p2 = r.ListTrials(s, q);
                    EXPECT_EQ(p2->trials[0].index, 3);
                    q.cursor = p2->next_cursor;
                    auto p3 = r.ListTrials(s, q);
                    EXPECT_EQ(p3->trials.size(), 2u);
                    EXPECT_EQ(p3->trials[1].index, 7);
                    EXPECT_EQ(p3->trials[1].status, TrialStatus::kFailed);
                    EXPECT_EQ(p3->trials[1].failure_reason, "diverged");
                    EXPECT_EQ(p3->next_cursor, "");  // the last page

                    TrialQuery by_obj;
                    by_obj.sort_by = "objective";
                    by_obj.limit = 4;  // ranked 5, 4, 3, 2
                    auto first = r.ListTrials(s, by_obj);
                    EXPECT_EQ(first->trials[0].index, 5);
                    by_obj.cursor = first->next_cursor;
                    by_obj.limit = 3;  // spans ranked (1, 0) and unranked (6) rows
                    auto o = r.ListTrials(s, by_obj);
                    EXPECT_EQ(o->trials.size(), 3u);
                    EXPECT_EQ(o->trials[0].index, 1);
                    EXPECT_EQ(o->trials[1].index, 0);
                    EXPECT_EQ(o->trials[2].index, 6);
                    EXPECT_FALSE(o->trials[2].objective.has_value());
                    by_obj.cursor = o->next_cursor;
                    auto tail = r.ListTrials(s, by_obj);
                    EXPECT_EQ(tail->trials.size(), 1u);
                    if (!tail->trials.empty()) {
                      EXPECT_EQ(tail->trials[0].index, 7);
                    }
                    EXPECT_EQ(tail->next_cursor, "");
                    by_obj.sort_by = "val_loss";  // a cursor of another order is refused
                    EXPECT_THAT(r.ListTrials(s, by_obj), StatusIs(absl::StatusCode::kInvalidArgument));

                    TrialQuery by_metric;
                    by_metric.sort_by = "val_accuracy";
                    by_metric.descending = true;
                    by_metric.limit = 2;
                    auto m = r.ListTrials(s, by_metric);
                    EXPECT_EQ(m->trials[0].index, 5);

                    TrialQuery failed;
                    failed.status = TrialStatus::kFailed;
                    auto f = r.ListTrials(s, failed);
                    EXPECT_EQ(f->total, 1);
                    EXPECT_EQ(f->trials[0].index, 7);

                    TrialQuery bad;
                    bad.sort_by = "val_loss; DROP TABLE trials";
                    auto b = r.ListTrials(s, bad);
                    EXPECT_THAT(b, StatusIs(absl::StatusCode::kInvalidArgument));
                    EXPECT_NE(b.status().message().find("sort_by"), std::string::npos);
                    return absl::OkStatus();
                  })
                  .ok());
}

// Sorting by a parameter pages like any other order: numbers by value, then text
// (strings and lists by their JSON text), then trials without it, by index; a
// cursor resumes strictly after its row, ties broken by index, both directions.
TEST_P(StoreContract, ListTrialsSortsByAParameterAcrossPages) {
  const int64_t s = AddSweep("params");
  const std::vector<Params> params = {
      {{"lr", Value(0.1)}, {"opt", Value("sgd")}},   {{"lr", Value(0.001)}, {"opt", Value("adam")}},
      {{"lr", Value(0.01)}, {"opt", Value("a|b")}},  {{"opt", Value("sgd")}},
      {{"lr", Value(0.01)}, {"opt", Value("adam")}}, {{"lr", Value(1)}, {"opt", Value("rmsprop")}}};
  ASSERT_TRUE(store_
                  ->Write([&](WriteTxn& w) {
                    for (std::size_t i = 0; i < params.size(); ++i) w.InsertTrial(s, i, params[i], 1, 100);
                    return absl::OkStatus();
                  })
                  .ok());
  auto walk = [&](const std::string& key, bool descending, int page) {
    std::vector<int64_t> order;
    EXPECT_TRUE(store_
                    ->Read([&](ReadTxn& r) {
                      TrialQuery q;
                      q.sort_by = key;
                      q.by_parameter = true;
                      q.descending = descending;
                      q.limit = page;
                      for (int guard = 0; guard < 20; ++guard) {
                        auto p = r.ListTrials(s, q);
                        EXPECT_TRUE(p.ok()) << p.status();
                        if (!p.ok()) break;
                        for (const auto& t : p->trials) order.push_back(t.index);
                        if (p->next_cursor.empty()) break;
                        q.cursor = p->next_cursor;
                      }
                      return absl::OkStatus();
                    })
                    .ok());
    return order;
  };
  for (int page : {1, 2, 4, 10}) {
    EXPECT_EQ(walk("lr", false, page), (std::vector<int64_t>{1, 2, 4, 0, 5, 3})) << page;
    EXPECT_EQ(walk("lr", true, page), (std::vector<int64_t>{5, 0, 4, 2, 1, 3})) << page;
    // Text values, one with the cursor's separator in it.
    EXPECT_EQ(walk("opt", false, page), (std::vector<int64_t>{1, 4, 2, 5, 0, 3})) << page;  // adam < a|b
  }
  // A metric's cursor is not a parameter's.
  ASSERT_TRUE(store_
                  ->Read([&](ReadTxn& r) {
                    TrialQuery q;
                    q.sort_by = "opt";
                    q.by_parameter = true;
                    q.limit = 1;
                    auto p = r.ListTrials(s, q);
                    q.by_parameter = false;
                    q.cursor = p->next_cursor;
                    EXPECT_THAT(r.ListTrials(s, q), StatusIs(absl::StatusCode::kInvalidArgument));
                    return absl::OkStatus();
                  })
                  .ok());
}

// Conditions filter every order and its total: parameters (numbers, text, lists,
// booleans), final metrics and the objective; a trial without the key never
// matches; pages under one filter neither repeat nor skip, and a cursor made under
// another filter is refused.
TEST_P(StoreContract, ListTrialsFiltersByParametersMetricsAndObjective) {
  using C = TrialCondition;
  const int64_t s = AddSweep("where");
  const std::vector<Params> params = {
      {{"lr", Value(0.1)}, {"opt", Value("sgd")}, {"hidden", Value(Value::List{Value(256), Value(128)})}},
      {{"lr", Value(0.001)}, {"opt", Value("adam")}, {"hidden", Value(Value::List{Value(128)})}},
      {{"lr", Value(0.01)}, {"opt", Value("adam")}, {"hidden", Value(Value::List{Value(256), Value(128)})}},
      {{"opt", Value("sgd")}, {"bn", Value(true)}},
      {{"lr", Value(0.01)}, {"opt", Value("rmsprop")}, {"bn", Value(false)}},
      {{"lr", Value(1)}, {"opt", Value("adam")}}};
  ASSERT_TRUE(store_
                  ->Write([&](WriteTxn& w) {
                    for (std::size_t i = 0; i < params.size(); ++i) {
                      const int64_t t = w.InsertTrial(s, i, params[i], 1, 100);
                      if (i % 2 == 0) {  // 0, 2, 4 complete; objective 0.5, 0.3, 0.1
                        w.StartAttempt(t, 1, "w", 9999, 101);
                        const double obj = 0.5 - 0.1 * i;
                        w.CompleteTrial(t, 1, obj, false, {{"val_loss", obj}, {"val_accuracy", 1 - obj}}, {}, 42, 102);
                      }
                    }
                    return absl::OkStatus();
                  })
                  .ok());
  const auto cond = [](C::Field f, std::string name, C::Op op, std::vector<std::variant<double, std::string>> v) {
    C c;
    c.field = f;
    c.name = std::move(name);
    c.op = op;
    c.values = std::move(v);
    return c;
  };
  const auto list = [&](std::vector<C> where, const std::string& sort = "index", bool by_param = false, int page = 2) {
    std::vector<int64_t> order;
    int64_t total = -1;
    EXPECT_TRUE(store_
                    ->Read([&](ReadTxn& r) {
                      TrialQuery q;
                      q.where = where;
                      q.sort_by = sort;
                      q.by_parameter = by_param;
                      q.limit = page;
                      for (int guard = 0; guard < 20; ++guard) {
                        auto p = r.ListTrials(s, q);
                        EXPECT_TRUE(p.ok()) << p.status();
                        if (!p.ok()) break;
                        total = p->total;
                        for (const auto& t : p->trials) order.push_back(t.index);
                        if (p->next_cursor.empty()) break;
                        q.cursor = p->next_cursor;
                      }
                      return absl::OkStatus();
                    })
                    .ok());
    EXPECT_EQ(total, static_cast<int64_t>(order.size()));
    return order;
  };
  using V = std::vector<int64_t>;
  EXPECT_EQ(list({cond(C::Field::kParameter, "lr", C::Op::kLe, {0.01})}), (V{1, 2, 4}));
  EXPECT_EQ(list({cond(C::Field::kParameter, "lr", C::Op::kGt, {0.01})}), (V{0, 5}));  // 3 has no lr
  EXPECT_EQ(list({cond(C::Field::kParameter, "lr", C::Op::kGe, {0.001}),
                  cond(C::Field::kParameter, "lr", C::Op::kLt, {0.1})}),
            (V{1, 2, 4}));
  EXPECT_EQ(list({cond(C::Field::kParameter, "opt", C::Op::kEq, {std::string("adam"), std::string("rmsprop")})}),
            (V{1, 2, 4, 5}));
  EXPECT_EQ(list({cond(C::Field::kParameter, "opt", C::Op::kNe, {std::string("adam")})}), (V{0, 3, 4}));
  EXPECT_EQ(list({cond(C::Field::kParameter, "hidden", C::Op::kEq, {std::string("[256,128]")})}), (V{0, 2}));
  EXPECT_EQ(list({cond(C::Field::kParameter, "bn", C::Op::kEq, {1.0})}), (V{3}));
  EXPECT_EQ(list({cond(C::Field::kParameter, "lr", C::Op::kEq, {1.0})}), (V{5}));  // 1 stored as an integer
  EXPECT_EQ(list({cond(C::Field::kObjective, "", C::Op::kLt, {0.4})}), (V{2, 4}));
  EXPECT_EQ(list({cond(C::Field::kMetric, "val_accuracy", C::Op::kGe, {0.7})}), (V{2, 4}));
  // Every order, each page size.
  for (int page : {1, 2, 10}) {
    const std::vector<C> adam = {cond(C::Field::kParameter, "opt", C::Op::kEq, {std::string("adam")})};
    EXPECT_EQ(list(adam, "lr", true, page), (V{1, 2, 5})) << page;          // by the parameter
    EXPECT_EQ(list(adam, "objective", false, page), (V{2, 1, 5})) << page;  // unranked follow, by index
    EXPECT_EQ(list(adam, "val_loss", false, page), (V{2, 1, 5})) << page;
  }
  EXPECT_EQ(list({cond(C::Field::kParameter, "lr", C::Op::kLt, {0.0})}), (V{}));
  ASSERT_TRUE(store_
                  ->Read([&](ReadTxn& r) {
                    TrialQuery q;
                    q.limit = 1;
                    q.where = {cond(C::Field::kParameter, "opt", C::Op::kEq, {std::string("adam")})};
                    auto p = r.ListTrials(s, q);
                    EXPECT_EQ(p->total, 3);
                    q.cursor = p->next_cursor;
                    q.where[0].values = {std::string("sgd")};  // another filter's cursor
                    EXPECT_THAT(r.ListTrials(s, q), StatusIs(absl::StatusCode::kInvalidArgument));
                    q.cursor.clear();
                    q.where = {cond(C::Field::kParameter, "lr'; DROP TABLE trials; --", C::Op::kEq, {1.0})};
                    EXPECT_THAT(r.ListTrials(s, q), StatusIs(absl::StatusCode::kInvalidArgument));
                    q.where = {cond(C::Field::kParameter, "lr", C::Op::kLt, {std::string("big")})};
                    EXPECT_THAT(r.ListTrials(s, q), StatusIs(absl::StatusCode::kInvalidArgument));
                    return absl::OkStatus();
                  })
                  .ok());
}

// What the optimization history plots: completed trials at their objective, pruned
// and failed ones at the last value they reported (none: not plotted), in finish order.
// The metric names a sweep's listings take as keys: those its trials keep, each once,
// by name, never another sweep's; retrying a failed trial takes its kept ones away.
TEST_P(StoreContract, MetricNamesAreTheSweepsOwnDistinctAndByName) {
  const int64_t a = AddSweep("a");
  const int64_t b = AddSweep("b");
  const int64_t quiet = AddSweep("quiet");
  const auto complete = [&](int64_t sweep, int64_t index, const std::map<std::string, double>& metrics) {
    ASSERT_TRUE(store_
                    ->Write([&](WriteTxn& w) {
                      const int64_t tid = w.InsertTrial(sweep, index, Params{{"x", 1.0 * index}}, 7, 2000);
                      w.StartAttempt(tid, 1, "sdk/h", 9999, 2001);
                      w.CompleteTrial(tid, 1, metrics.begin()->second, false, metrics, {}, 0, 2002);
                      return absl::OkStatus();
                    })
                    .ok());
  };
  complete(a, 0, {{"loss", 0.5}, {"score", 2}});
  complete(a, 1, {{"loss", 0.25}, {"score", 3}, {"val.acc", 0.9}});
  complete(a, 2, {{"loss", 0.25}});  // the same value as trial 1's: still one name
  complete(b, 0, {{"accuracy", 0.8}, {"zeta", 1}});
  ASSERT_TRUE(store_
                  ->Write([&](WriteTxn& w) {  // a failed trial's kept metrics are names too
                    const int64_t tid = w.InsertTrial(b, 1, Params{}, 7, 3000);
                    w.StartAttempt(tid, 1, "sdk/h", 9999, 3001);
                    w.KeepMetrics(tid, {{"kept", 1}});
                    w.EndTrial(tid, 1, TrialStatus::kFailed, "crashed", 3002);
                    return absl::OkStatus();
                  })
                  .ok());
  using Names = std::vector<std::string>;
  ASSERT_TRUE(store_
                  ->Read([&](ReadTxn& r) {
                    EXPECT_EQ(r.MetricNames(a, 1000), (Names{"loss", "score", "val.acc"}));
                    EXPECT_EQ(r.MetricNames(b, 1000), (Names{"accuracy", "kept", "zeta"}));
                    EXPECT_EQ(r.MetricNames(a, 2), (Names{"loss", "score"}));
                    EXPECT_EQ(r.MetricNames(a, 0), Names{});
                    EXPECT_EQ(r.MetricNames(quiet, 1000), Names{});
                    EXPECT_EQ(r.MetricNames(999, 1000), Names{});
                    return absl::OkStatus();
                  })
                  .ok());
  ASSERT_TRUE(store_
                  ->Write([&](WriteTxn& w) {
                    EXPECT_EQ(w.RetryTrials(b, TrialStatus::kFailed), 1);
                    EXPECT_EQ(w.MetricNames(b, 1000), (Names{"accuracy", "zeta"}));
                    w.DeleteSweep(a);
                    EXPECT_EQ(w.MetricNames(a, 1000), Names{});
                    return absl::OkStatus();
                  })
                  .ok());
  ASSERT_TRUE(store_
                  ->Read([&](ReadTxn& r) {
                    for (const auto& v : CheckIntegrity(r)) ADD_FAILURE() << v;
                    return absl::OkStatus();
                  })
                  .ok());
}

// Reading the names is a seek per name, not a walk of every (trial, metric) row: over
// 30,000 rows of three names it runs a few hundred VM instructions, where SELECT
// DISTINCT runs hundreds of thousands.
TEST_P(StoreContract, MetricNamesSeekRatherThanScan) {
  Connection conn(GetParam() ? (dir_ / "seek.db").string() : ":memory:", false, false, 1000);
  ASSERT_TRUE(Migrate(conn).ok());
  conn.db().exec(
      "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 29999) "
      "INSERT INTO trial_metrics (sweep_id, name, value, idx) "
      "SELECT 1 + (i % 2), 'm' || (i % 3), i * 0.5, i FROM n");
  int64_t ticks = 0;  // one per 100 VM instructions
  sqlite3_progress_handler(
      conn.db().getHandle(), 100,
      [](void* n) {
        ++*static_cast<int64_t*>(n);
        return 0;
      },
      &ticks);
  ReadTxn r(conn);
  EXPECT_EQ(r.MetricNames(1, 1000), (std::vector<std::string>{"m0", "m1", "m2"}));
  EXPECT_LT(ticks, 20);
  ticks = 0;
  conn.db().exec("SELECT DISTINCT name FROM trial_metrics WHERE sweep_id = 1");  // the scan, for scale
  EXPECT_GT(ticks, 100);
  sqlite3_progress_handler(conn.db().getHandle(), 0, nullptr, nullptr);
}

TEST_P(StoreContract, FinishedValuesAreCompletedPrunedAndFailedTrialsWithAValue) {
  const int64_t s = AddSweep("history");
  ASSERT_TRUE(store_
                  ->Write([&](WriteTxn& w) {
                    const int64_t done = w.InsertTrial(s, 0, Params{{"lr", Value(0.1)}}, 1, 100);
                    w.StartAttempt(done, 1, "w", 9999, 101);
                    w.CompleteTrial(done, 1, 0.4, false, {{"val_loss", 0.4}}, {}, 42, 105);
                    const int64_t cut = w.InsertTrial(s, 1, Params{{"lr", Value(0.2)}}, 1, 100);
                    w.StartAttempt(cut, 1, "w", 9999, 101);
                    w.PruneTrial(cut, 1, "pruned at epoch 1", {{"val_loss", 0.9}}, 102);
                    const int64_t failed = w.InsertTrial(s, 2, Params{{"lr", Value(0.3)}}, 1, 100);
                    w.StartAttempt(failed, 1, "w", 9999, 101);
                    w.KeepMetrics(failed, {{"val_loss", 2.5}});
                    w.EndTrial(failed, 1, TrialStatus::kFailed, "diverged", 103);
                    const int64_t blank = w.InsertTrial(s, 3, Params{{"lr", Value(0.4)}}, 1, 100);
                    w.StartAttempt(blank, 1, "w", 9999, 101);
                    w.EndTrial(blank, 1, TrialStatus::kFailed, "bad data", 104);  // no value: not plotted
                    w.InsertTrial(s, 4, Params{}, 1, 100);                        // pending
                    return absl::OkStatus();
                  })
                  .ok());
  ASSERT_TRUE(store_
                  ->Read([&](ReadTxn& r) {
                    const auto v = r.FinishedValues(s, "val_loss");
                    EXPECT_EQ(v.size(), 3u);
                    if (v.size() != 3u) return absl::OkStatus();
                    EXPECT_EQ(v[0].index, 1);
                    EXPECT_TRUE(v[0].pruned);
                    EXPECT_EQ(v[0].value, 0.9);
                    EXPECT_EQ(v[1].index, 2);
                    EXPECT_TRUE(v[1].failed);
                    EXPECT_FALSE(v[1].pruned);
                    EXPECT_EQ(v[1].value, 2.5);
                    EXPECT_EQ(v[2].index, 0);
                    EXPECT_FALSE(v[2].pruned || v[2].failed);
                    EXPECT_EQ(v[2].value, 0.4);
                    EXPECT_EQ(v[2].params, "{\"lr\":0.1}");
                    return absl::OkStatus();
                  })
                  .ok());
}

// A trial cancelled or failed after some epochs keeps its last epoch's metrics (as a
// pruned one does), by name too; one that kept metrics of its own keeps those; a
// sweep's running trials cancelled at recovery likewise.
TEST_P(StoreContract, ACancelledOrFailedTrialKeepsItsLastEpochsMetrics) {
  const int64_t s = AddSweep("ended");
  const auto epoch = [](int32_t n, double loss) {
    EpochMetrics e;
    e.epoch = n;
    e.metrics = {{"loss", loss}, {"acc", 0.1 * n}};
    return e;
  };
  int64_t cancelled = 0, failed = 0, kept = 0, quiet = 0, recovered = 0;
  ASSERT_TRUE(
      store_
          ->Write([&](WriteTxn& w) {
            for (int64_t* id : {&cancelled, &failed, &kept, &quiet, &recovered}) {
              const int64_t index = id == &cancelled ? 0 : id == &failed ? 1 : id == &kept ? 2 : id == &quiet ? 3 : 4;
              *id = w.InsertTrial(s, index, Params{{"x", 1.0 * index}}, 7, 100);
              w.StartAttempt(*id, 1, "w", 9999, 101);
              if (id != &quiet) {
                w.InsertEpoch(*id, epoch(1, 2.0), nullptr);
                w.InsertEpoch(*id, epoch(2, 1.5), nullptr);
              }
            }
            w.EndTrial(cancelled, 1, TrialStatus::kCancelled, "cancelled by request", 102);
            w.EndTrial(failed, 1, TrialStatus::kFailed, "the program exited with code 3", 102);
            w.KeepMetrics(kept, {{"loss", 9.0}});
            w.EndTrial(kept, 1, TrialStatus::kFailed, "diverged", 102);
            w.EndTrial(quiet, 1, TrialStatus::kFailed, "never reported", 102);
            w.CancelRunningTrials(s, "server restarted", 103);  // `recovered` is still running
            return absl::OkStatus();
          })
          .ok());
  ASSERT_TRUE(store_
                  ->Read([&](ReadTxn& r) {
                    const std::map<std::string, double> last{{"acc", 0.2}, {"loss", 1.5}};
                    EXPECT_EQ(r.GetTrial(s, 0)->metrics, last);
                    EXPECT_EQ(r.GetTrial(s, 1)->metrics, last);
                    EXPECT_EQ(r.GetTrial(s, 2)->metrics, (std::map<std::string, double>{{"loss", 9.0}}));
                    EXPECT_TRUE(r.GetTrial(s, 3)->metrics.empty());
                    EXPECT_EQ(r.GetTrial(s, 4)->metrics, last);
                    EXPECT_EQ(r.GetTrial(s, 4)->status, TrialStatus::kCancelled);
                    EXPECT_EQ(r.MetricNames(s, 1000), (std::vector<std::string>{"acc", "loss"}));
                    // The history plots the two failed ones with a value (not cancelled trials).
                    EXPECT_EQ(r.FinishedValues(s, "loss").size(), 2u);
                    return absl::OkStatus();
                  })
                  .ok());
}

// A program's metric may be named with a dot (`val.loss`): its curves (the pruners'
// history) and finished values are read by that name, not as a nested key.
TEST_P(StoreContract, ADottedMetricNameIsOneKeyInCurvesAndFinishedValues) {
  const int64_t s = AddSweep("dotted");
  ASSERT_TRUE(store_
                  ->Write([&](WriteTxn& w) {
                    const int64_t t = w.InsertTrial(s, 0, Params{{"x", Value(1.0)}}, 1, 100);
                    w.StartAttempt(t, 1, "w", 9999, 101);
                    for (int epoch = 1; epoch <= 2; ++epoch) {
                      EpochMetrics e;
                      e.epoch = epoch;
                      e.metrics = {{"val.loss", 1.0 / epoch}, {"val", 7.0}};
                      w.InsertEpoch(t, e, nullptr);
                    }
                    w.CompleteTrial(t, 1, 0.5, false, {{"val.loss", 0.5}}, {}, 0, 105);
                    const int64_t cut = w.InsertTrial(s, 1, Params{{"x", Value(2.0)}}, 1, 100);
                    w.StartAttempt(cut, 1, "w", 9999, 101);
                    w.PruneTrial(cut, 1, "pruned at epoch 1", {{"val.loss", 0.9}}, 102);
                    return absl::OkStatus();
                  })
                  .ok());
  ASSERT_TRUE(store_
                  ->Read([&](ReadTxn& r) {
                    const auto h = r.History(s, "val.loss");
                    EXPECT_EQ(h.size(), 2u);
                    if (h.size() != 2u) return absl::OkStatus();
                    EXPECT_EQ(h[0].curve, (std::vector<std::pair<int64_t, double>>{{1, 1.0}, {2, 0.5}}));
                    const auto v = r.FinishedValues(s, "val.loss");
                    EXPECT_EQ(v.size(), 2u);
                    if (v.size() == 2u) {
                      EXPECT_EQ(v[0].value, 0.9);
                    }
                    return absl::OkStatus();
                  })
                  .ok());
}

TEST_P(StoreContract, TrialKeepsItsCurveDiagnosticsAndAttempts) {
  const int64_t s = AddSweep("curve");
  ASSERT_TRUE(
      store_
          ->Write([&](WriteTxn& w) {
            const int64_t t = w.InsertTrial(s, 0, Params{{"hidden", Value(Value::List{Value(8), Value(4)})}}, 99, 100);
            w.StartAttempt(t, 1, "remote-a", 500, 101);
            EpochMetrics e;
            e.epoch = 1;
            e.metrics["val_loss"] = 0.9;
            e.lr = 0.01;
            e.seconds = 0.5;
            w.InsertEpoch(t, e, nullptr);
            w.RequeueTrial(t, 1, 1, "lease expired (worker remote-a)", 600);
            w.StartAttempt(t, 2, "remote-b", 900, 601);  // a fresh curve
            for (int ep = 1; ep <= 2; ++ep) {
              e.epoch = ep;
              e.metrics["val_loss"] = 1.0 / ep;
              const ActivationStats st{ep, {0.1 * ep}, {1.0}};
              w.InsertEpoch(t, e, &st);
            }
            const ActivationStats init{0, {0.0}, {0.8}};
            w.CompleteTrial(t, 2, 0.5, false, {{"val_loss", 0.5}, {"test_loss", 0.55}}, {init}, 60, 700);
            return absl::OkStatus();
          })
          .ok());
  ASSERT_TRUE(store_
                  ->Read([&](ReadTxn& r) {
                    auto t = r.GetTrial(s, 0);
                    EXPECT_TRUE(t.has_value());
                    EXPECT_EQ(t->status, TrialStatus::kCompleted);
                    EXPECT_EQ(t->attempt, 2);
                    EXPECT_EQ(t->seed, 99u);
                    EXPECT_EQ(t->epochs.size(), 2u);
                    EXPECT_DOUBLE_EQ(t->epochs[1].metrics.at("val_loss"), 0.5);
                    EXPECT_EQ(t->diagnostics.size(), 3u);  // init + 2 epochs
                    EXPECT_EQ(t->diagnostics[0].epoch, 0);
                    EXPECT_DOUBLE_EQ(t->diagnostics[2].mean[0], 0.2);
                    EXPECT_EQ(t->attempts.size(), 2u);
                    EXPECT_EQ(t->attempts[0].outcome, "lease expired (worker remote-a)");
                    EXPECT_EQ(t->attempts[1].worker, "remote-b");
                    EXPECT_EQ(t->attempts[1].outcome, "completed");
                    EXPECT_EQ(t->metrics.at("test_loss"), 0.55);
                    EXPECT_EQ(t->parameter_count, 60);
                    EXPECT_EQ(t->params.at("hidden").as_list()[1], Value(4));
                    EXPECT_FALSE(r.GetTrial(s, 1).has_value());
                    return absl::OkStatus();
                  })
                  .ok());
}

TEST_P(StoreContract, NonFiniteValuesAreRefusedAndTheTransactionRollsBack) {
  const int64_t s = AddSweep("nan");
  int64_t t = 0;
  ASSERT_TRUE(store_
                  ->Write([&](WriteTxn& w) {
                    t = w.InsertTrial(s, 0, Params{}, 1, 1);
                    w.StartAttempt(t, 1, "w", 10, 1);
                    return absl::OkStatus();
                  })
                  .ok());
  auto st = store_->Write([&](WriteTxn& w) {
    w.CompleteTrial(t, 1, std::nan(""), false, {}, {}, 0, 2);
    return absl::OkStatus();
  });
  EXPECT_FALSE(st.ok());
  st = store_->Write([&](WriteTxn& w) {
    w.InsertTrial(s, 1, Params{}, 1, 1);  // rolled back with the next line
    w.CompleteTrial(t, 1, 0.5, false, {{"val_loss", INFINITY}}, {}, 0, 2);
    return absl::OkStatus();
  });
  EXPECT_FALSE(st.ok());
  ASSERT_TRUE(store_
                  ->Read([&](ReadTxn& r) {
                    EXPECT_EQ(r.GetTrial(s, 0)->status, TrialStatus::kRunning);
                    EXPECT_FALSE(r.GetTrial(s, 1).has_value());
                    EXPECT_EQ(r.TrialsCreated(s), 1);
                    return absl::OkStatus();
                  })
                  .ok());
}

TEST_P(StoreContract, AnErrorFromTheBodyRollsBack) {
  const int64_t s = AddSweep("rollback");
  auto st = store_->Write([&](WriteTxn& w) {
    w.InsertTrial(s, 0, Params{}, 1, 1);
    return absl::AbortedError("changed my mind");
  });
  EXPECT_THAT(st, StatusIs(absl::StatusCode::kAborted));
  ASSERT_TRUE(store_
                  ->Read([&](ReadTxn& r) {
                    EXPECT_EQ(r.TrialsCreated(s), 0);
                    return absl::OkStatus();
                  })
                  .ok());
}

TEST_P(StoreContract, OpenTrialsCountsAndCancellingPending) {
  const int64_t s = AddSweep("open");
  AddCompleted(s, 0, 0.3);
  ASSERT_TRUE(store_
                  ->Write([&](WriteTxn& w) {
                    const int64_t t1 = w.InsertTrial(s, 1, Params{{"a", 1}}, 5, 1);
                    w.StartAttempt(t1, 1, "embedded-0", 10, 1);
                    const int64_t t2 = w.InsertTrial(s, 2, Params{{"a", 2}}, 6, 1);
                    w.StartAttempt(t2, 1, "embedded-1", 10, 1);
                    w.RequeueTrial(t2, 1, 1, "lease expired", 5);
                    return absl::OkStatus();
                  })
                  .ok());
  ASSERT_TRUE(store_
                  ->Read([&](ReadTxn& r) {
                    auto open = r.OpenTrials(s);
                    EXPECT_EQ(open.size(), 2u);
                    EXPECT_EQ(open[0].status, TrialStatus::kRunning);
                    EXPECT_EQ(open[0].worker, "embedded-0");
                    EXPECT_EQ(open[1].status, TrialStatus::kPending);
                    EXPECT_EQ(open[1].attempt, 2);
                    EXPECT_EQ(open[1].lost, 1);
                    EXPECT_EQ(open[1].params.at("a"), Value(2));
                    auto c = r.CountByStatus(s);
                    EXPECT_EQ(c.completed, 1);
                    EXPECT_EQ(c.running, 1);
                    EXPECT_EQ(c.pending, 1);
                    EXPECT_EQ(r.TrialsCreated(s), 3);
                    return absl::OkStatus();
                  })
                  .ok());
  ASSERT_TRUE(store_
                  ->Write([&](WriteTxn& w) {
                    w.CancelPendingTrials(s, "cancelled by request", 9);
                    w.CancelRunningTrials(s, "cancelled by request", 9);
                    // Counters come from the rows: 1 completed, 2 cancelled, 7 never started.
                    w.FinishSweep(s, SweepStatus::kCancelled, "cancelled by request", 10, 7, 10);
                    return absl::OkStatus();
                  })
                  .ok());
  ASSERT_TRUE(store_
                  ->Read([&](ReadTxn& r) {
                    EXPECT_EQ(r.CountByStatus(s).cancelled, 2);
                    EXPECT_EQ(r.CountByStatus(s).running, 0);
                    auto rec = r.SweepById(s);
                    EXPECT_EQ(rec->status, SweepStatus::kCancelled);
                    EXPECT_EQ(rec->counts.completed, 1);
                    EXPECT_EQ(rec->counts.cancelled, 2);  // rows only: what a listing shows
                    EXPECT_EQ(rec->not_started, 7);
                    EXPECT_EQ(rec->counts.running, 0);
                    auto t1 = r.GetTrial(s, 1);
                    EXPECT_EQ(t1->status, TrialStatus::kCancelled);
                    EXPECT_EQ(t1->attempts[0].outcome, "cancelled: cancelled by request");
                    EXPECT_TRUE(CheckIntegrity(r).empty());
                    EXPECT_EQ(rec->finished_ms, 10);
                    EXPECT_TRUE(r.UnfinishedSweeps().empty());
                    return absl::OkStatus();
                  })
                  .ok());
}

TEST_P(StoreContract, ReadersSeeCommittedDataWhileAWriterIsBusy) {
  const int64_t s = AddSweep("concurrent");
  AddCompleted(s, 0, 0.5);
  std::atomic<bool> stop{false};
  std::atomic<int> reads{0};
  std::thread reader([&] {
    while (!stop) {
      ASSERT_TRUE(store_
                      ->Read([&](ReadTxn& r) {
                        EXPECT_GE(r.BestTrials(s, 1).size(), 1u);
                        return absl::OkStatus();
                      })
                      .ok());
      ++reads;
    }
  });
  while (reads.load() == 0) std::this_thread::yield();
  const int before = reads.load();
  for (int i = 1; i < 200; ++i) AddCompleted(s, i, 1.0 / (i + 1));
  while (reads.load() < before + 5) std::this_thread::yield();  // reads interleave with writes
  stop = true;
  reader.join();
  EXPECT_GT(reads.load(), 0);
  ASSERT_TRUE(store_
                  ->Read([&](ReadTxn& r) {
                    EXPECT_EQ(r.BestTrials(s, 1)[0].index, 199);
                    return absl::OkStatus();
                  })
                  .ok());
}

INSTANTIATE_TEST_SUITE_P(MemoryAndFile, StoreContract, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "File" : "Memory"; });

}  // namespace
}  // namespace hpsearch::store
