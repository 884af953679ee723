// The read side (scheduler/query.h) over a real scheduler and store: listings with
// conditions named through the sweep's spec, and the importance cache.
#include "server/scheduler/query.h"

#include "gmock/gmock.h"
#include "tests/server/scheduler_fixture.h"

namespace hpsearch::scheduler::test {
namespace {

using ::hpsearch::testing::StatusIs;
using ::testing::HasSubstr;

class QueryTest : public SchedulerTest {
 protected:
  // The grid's 6 trials completed in index order with val_loss 0.6, 0.5, ... 0.1.
  std::string CompleteGrid() {
    const auto s = Submit(kGrid);
    for (int i = 0; i < 6; ++i) {
      auto l = Acquire();
      EXPECT_TRUE(l.has_value());
      if (l) {
        EXPECT_TRUE(Complete(*l, 0.6 - 0.1 * i).ok());
      }
    }
    return s.id;
  }

  // Completes the next trial a worker gets, with these final metrics.
  void CompleteNext(const std::map<std::string, double>& metrics) {
    auto l = Acquire();
    ASSERT_TRUE(l.has_value());
    TrialResult r;
    r.key = l->key;
    r.metrics = metrics;
    ASSERT_TRUE(scheduler_->Complete(r).ok());
  }

  std::vector<int64_t> Indices(const std::string& sweep, const std::vector<std::string>& where,
                               const std::string& sort = "index", bool descending = false) {
    Query q(*scheduler_, *store_);
    store::TrialQuery query;
    query.sort_by = sort;
    query.descending = descending;
    auto page = q.Trials(sweep, query, where);
    EXPECT_TRUE(page.ok()) << page.status();
    std::vector<int64_t> out;
    if (page.ok()) {
      for (const auto& t : page->trials) out.push_back(t.index);
      EXPECT_EQ(page->total, static_cast<int64_t>(out.size()));
    }
    return out;
  }
};

// The grid is lr-major: (0.1, sgd), (0.1, adam), (0.01, sgd), ...
TEST_F(QueryTest, ConditionsNameParametersMetricsAndTheObjectiveOfTheSweep) {
  const std::string id = CompleteGrid();
  using V = std::vector<int64_t>;
  EXPECT_EQ(Indices(id, {"optimizer=adam"}), (V{1, 3, 5}));
  EXPECT_EQ(Indices(id, {"optimizer=adam", "lr<0.1"}), (V{3, 5}));
  EXPECT_EQ(Indices(id, {"lr=0.1,0.001"}), (V{0, 1, 4, 5}));
  EXPECT_EQ(Indices(id, {"objective<=0.3"}), (V{3, 4, 5}));
  EXPECT_EQ(Indices(id, {"val_accuracy>0.65"}, "objective"), (V{5, 4, 3}));   // best first
  EXPECT_EQ(Indices(id, {"epochs=2", "hidden=[4]"}), (V{0, 1, 2, 3, 4, 5}));  // fixed settings too
  EXPECT_EQ(Indices(id, {"optimizer=rmsprop"}), (V{}));
  Query q(*scheduler_, *store_);
  EXPECT_THAT(q.Trials(id, {}, {"optimiser=adam"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("did you mean 'optimizer'")));
  EXPECT_THAT(q.Trials(id, {}, {"val_acuracy>1"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("did you mean 'val_accuracy'")));
  EXPECT_THAT(q.Trials("nope", {}, {"lr<1"}), StatusIs(absl::StatusCode::kNotFound));
}

// A program's trials (trainer.command) with x = 1, 2, 3, 4, each reporting `loss`
// (its objective), `score` and `val.acc` (a report's names may have dots); the
// built-in trainer's metrics are no concern of it.
const std::string kOwnMetrics = R"(
name: own
trainer:
  command: [python3, quadratic.py, --x, "{x}"]
objective: {metric: loss, goal: minimize}
method: grid
parameters:
  x: {values: [1, 2, 3, 4]}
)";

// Sweeps of the user's own program report metrics under any names (`loss`, `score`):
// listings sort and filter by them, and an unknown key lists them, not the built-in
// trainer's. They were refused as unknown keys, the suggestions naming val_accuracy &c.
// A built-in sweep in the same store keeps its own vocabulary.
TEST_F(QueryTest, AProgramsReportedMetricsAreKeysAndTheBuiltinTrainersAreNot) {
  SchedulerOptions o;
  o.accepts_commands = true;
  Open(FileDb("query-own-metrics"), o);
  const std::string own = Submit(kOwnMetrics).id;
  const std::vector<std::map<std::string, double>> reported = {
      {{"loss", 0.5}, {"score", 3}, {"val.acc", 0.7}},
      {{"loss", 2.0}, {"score", 1}, {"val.acc", 0.2}},
      {{"loss", 0.25}, {"score", 4}, {"val.acc", 0.9}},
      {{"loss", 1.5}, {"score", 2}, {"val.acc", 0.4}},
  };
  for (const auto& m : reported) CompleteNext(m);
  const std::string grid = CompleteGrid();  // built-in: val_loss 0.6 ... 0.1

  using V = std::vector<int64_t>;
  EXPECT_EQ(Indices(own, {}, "score"), (V{1, 3, 0, 2}));
  EXPECT_EQ(Indices(own, {}, "score", true), (V{2, 0, 3, 1}));
  EXPECT_EQ(Indices(own, {}, "loss"), (V{2, 0, 3, 1}));
  EXPECT_EQ(Indices(own, {"loss<1"}), (V{0, 2}));
  EXPECT_EQ(Indices(own, {"loss<1"}, "score", true), (V{2, 0}));
  EXPECT_EQ(Indices(own, {"score>=2", "x!=4"}), (V{0, 2}));
  EXPECT_EQ(Indices(own, {"val.acc>0.5"}, "val.acc", true), (V{2, 0}));

  Query q(*scheduler_, *store_);
  store::TrialQuery by;
  by.sort_by = "scor";
  auto sorted = q.Trials(own, by);
  EXPECT_THAT(sorted, StatusIs(absl::StatusCode::kInvalidArgument,
                               "sort_by: unknown key 'scor' (did you mean 'score'?); one of index, objective, x, "
                               "loss, score, val.acc"));
  auto filtered = q.Trials(own, {}, {"val_accuracy>0.5"});
  EXPECT_THAT(filtered, StatusIs(absl::StatusCode::kInvalidArgument,
                                 "where 'val_accuracy>0.5': unknown key 'val_accuracy'; one of objective, x, loss, "
                                 "score, val.acc"));

  // The built-in sweep: its trainer's metrics, as before; `loss` is no key of it.
  by.sort_by = "loss";
  EXPECT_THAT(q.Trials(grid, by),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "sort_by: unknown key 'loss'; one of index, objective, lr, optimizer, epochs, hidden, "
                       "train_loss, train_accuracy, val_loss, val_accuracy, test_loss, test_accuracy"));
  EXPECT_THAT(q.Trials(grid, {}, {"score<1"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("unknown key 'score'")));
  EXPECT_EQ(Indices(grid, {"val_accuracy>0.65"}, "val_loss"), (V{5, 4, 3}));
}

// Ask and tell: before any trial is told, the only metric is the objective and the
// error says why; once told, what the client reported sorts the listing.
TEST_F(QueryTest, AnExternalSweepsKeysAreWhatItsClientReported) {
  Open(FileDb("query-external-metrics"));
  const std::string id = Submit(R"(
name: told
trainer: external
objective: {metric: score, goal: maximize}
method: grid
parameters:
  x: {values: [1, 2, 3]}
)")
                             .id;
  Query q(*scheduler_, *store_);
  store::TrialQuery by;
  by.sort_by = "accuracy";
  EXPECT_THAT(q.Trials(id, by), StatusIs(absl::StatusCode::kInvalidArgument,
                                         "sort_by: unknown key 'accuracy'; one of index, objective, x, score (no "
                                         "trial has reported a metric yet)"));
  by.sort_by = "score";  // the objective's metric, reported or not
  EXPECT_TRUE(q.Trials(id, by).ok());
  const std::vector<double> scores = {0.2, 0.9, 0.5};
  for (double score : scores) {
    auto a = scheduler_->Ask(id, "sdk/host-1", "");
    ASSERT_TRUE(a.ok()) << a.status();
    ASSERT_TRUE(a->lease.has_value());
    TrialResult r;
    r.key = a->lease->key;
    r.metrics = {{"score", score}, {"accuracy", score / 2}};
    ASSERT_TRUE(scheduler_->Complete(r).ok());
  }
  using V = std::vector<int64_t>;
  EXPECT_EQ(Indices(id, {}, "score", true), (V{1, 2, 0}));
  EXPECT_EQ(Indices(id, {"accuracy<0.3"}, "accuracy"), (V{0, 2}));
  by.sort_by = "acuracy";
  EXPECT_THAT(q.Trials(id, by), StatusIs(absl::StatusCode::kInvalidArgument,
                                         "sort_by: unknown key 'acuracy' (did you mean 'accuracy'?); one of index, "
                                         "objective, x, score, accuracy"));
}

// Conditions are bounded (item 9): 1,200 of them reached SQLite's limits and came back
// INTERNAL naming the database file; now the count is refused first, as is a
// condition too long or with too many values, and each message stays small.
TEST_F(QueryTest, ConditionsAreBoundedInNumberLengthAndValues) {
  const std::string id = CompleteGrid();
  Query q(*scheduler_, *store_);
  const std::vector<std::string> many(1200, "lr>0");
  EXPECT_THAT(q.Trials(id, {}, many),
              StatusIs(absl::StatusCode::kInvalidArgument, "where: at most 32 conditions (got 1200)"));
  EXPECT_EQ(Indices(id, std::vector<std::string>(32, "lr>0")).size(), 6u);
  const std::string long_value(5000, '9');
  auto st = q.Trials(id, {}, {"lr<" + long_value});
  EXPECT_THAT(st, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("a condition is at most 1000 characters")));
  EXPECT_LT(st.status().message().size(), 300u);
  std::string list = "optimizer=a";
  for (int i = 1; i < 300; ++i) list += ",a";
  EXPECT_THAT(q.Trials(id, {}, {list}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("at most 256 values in a list")));
  // The store checks the same bounds itself, whoever builds the query.
  store::TrialQuery direct;
  store::TrialCondition positive;
  positive.field = store::TrialCondition::Field::kObjective;
  positive.op = store::TrialCondition::Op::kGt;
  positive.values = {0.0};
  direct.where.assign(33, positive);
  absl::StatusOr<store::TrialPage> page;
  ASSERT_TRUE(store_
                  ->Read([&](store::ReadTxn& r) {
                    page = r.ListTrials(1, direct);
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_THAT(page, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("where: at most 32 conditions")));
}

TEST_F(QueryTest, ImportanceIsComputedOnceForEachNumberOfCompletedTrials) {
  const auto s = Submit(kGrid);
  Query q(*scheduler_, *store_);
  for (int i = 0; i < 4; ++i) {
    auto l = Acquire();
    ASSERT_TRUE(l.has_value());
    ASSERT_TRUE(Complete(*l, 0.6 - 0.1 * i).ok());
  }
  auto first = q.Importance(s.id);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(q.importance_computed(), 1);
  auto again = q.Importance(s.id);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(q.importance_computed(), 1);  // from the cache
  EXPECT_EQ(first->completed, 4);
  EXPECT_TRUE(first->withheld());  // 4 < search::kImportanceMinimumTrials
  ASSERT_EQ(again->importances.size(), first->importances.size());
  for (std::size_t i = 0; i < first->importances.size(); ++i) {
    EXPECT_EQ(again->importances[i].name, first->importances[i].name);
    EXPECT_EQ(again->importances[i].importance, first->importances[i].importance);
  }
  // A trial that fails changes nothing; one that completes does.
  auto failing = Acquire();
  ASSERT_TRUE(failing.has_value());
  ASSERT_TRUE(Fail(*failing, "diverged").ok());
  ASSERT_TRUE(q.Importance(s.id).ok());
  EXPECT_EQ(q.importance_computed(), 1);
  auto last = Acquire();
  ASSERT_TRUE(last.has_value());
  ASSERT_TRUE(Complete(*last, 0.01).ok());
  ASSERT_TRUE(q.Importance(s.id).ok());
  EXPECT_EQ(q.importance_computed(), 2);
  ASSERT_TRUE(q.Importance(s.id).ok());
  EXPECT_EQ(q.importance_computed(), 2);
}

}  // namespace
}  // namespace hpsearch::scheduler::test
