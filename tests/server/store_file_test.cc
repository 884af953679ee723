// The store's file: reopening, schema versions and migrations, unwritable paths.
#include <unistd.h>

#include <filesystem>
#include <functional>

#include "SQLiteCpp/SQLiteCpp.h"
#include "gtest/gtest.h"
#include "server/store/integrity.h"
#include "server/store/schema.h"
#include "server/store/store.h"
#include "sqlite3.h"
#include "tests/testing/status_matchers.h"

namespace hpsearch::store {
namespace {

using ::hpsearch::testing::StatusIs;

// A scratch database written by this version through `fill`, then turned back by the
// SQL `downgrade` into what an older version wrote: the file a migration starts from.
struct OldDatabase {
  OldDatabase(const std::string& name, const std::function<void(WriteTxn&)>& fill, const std::string& downgrade)
      : dir(std::filesystem::temp_directory_path() / (name + "-" + std::to_string(getpid()))) {
    std::filesystem::create_directories(dir);
    options.path = (dir / "m.db").string();
    {
      auto s = Store::Open(options);
      EXPECT_TRUE(s.ok()) << s.status();
      if (!s.ok()) return;
      EXPECT_TRUE((*s)->Write([&](WriteTxn& w) {
                        fill(w);
                        return absl::OkStatus();
                      })
                      .ok());
    }
    SQLite::Database db(options.path, SQLite::OPEN_READWRITE);
    db.exec(downgrade);
  }
  ~OldDatabase() { std::filesystem::remove_all(dir); }
  std::filesystem::path dir;
  StoreOptions options;
};

TEST(StoreFile, SurvivesReopeningAndRefusesANewerSchema) {
  const auto dir = std::filesystem::temp_directory_path() / ("hpsearch-reopen-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  StoreOptions o;
  o.path = (dir / "r.db").string();
  {
    auto s = Store::Open(o);
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE((*s)->Write([](WriteTxn& w) {
                      w.InsertSweep("kept", "", 3, false, 1);
                      return absl::OkStatus();
                    })
                    .ok());
  }
  {
    auto s = Store::Open(o);
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE((*s)->Read([](ReadTxn& r) {
                      EXPECT_TRUE(r.FindSweep("kept").has_value());
                      return absl::OkStatus();
                    })
                    .ok());
  }
  {
    SQLite::Database db(o.path, SQLite::OPEN_READWRITE);
    db.exec("UPDATE schema_version SET version = 99");
  }
  auto s = Store::Open(o);
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_NE(s.status().message().find("newer"), std::string::npos);
  EXPECT_NE(s.status().message().find(o.path), std::string::npos);
  std::filesystem::remove_all(dir);
}

// A read that fails part-way (a statement fails while stepping, here on a trial row
// whose parameters are not JSON) leaves its pooled connection usable: every later
// read on every connection of the pool works (it used to stay inside its
// transaction: "cannot start a transaction within a transaction").
TEST(StoreFile, AFailedReadLeavesNoConnectionInsideATransaction) {
  const auto dir = std::filesystem::temp_directory_path() / ("hpsearch-failread-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  StoreOptions o;
  o.path = (dir / "f.db").string();
  o.readers = 1;  // every read goes through the connection that failed
  auto s = Store::Open(o);
  ASSERT_TRUE(s.ok()) << s.status();
  int64_t sweep = 0;
  ASSERT_TRUE((*s)->Write([&](WriteTxn& w) {
                    sweep = w.InsertSweep("broken", "", 2, false, 1);
                    w.InsertTrial(sweep, 0, Params{{"lr", Value(0.1)}}, 1, 1);
                    w.InsertTrial(sweep, 1, Params{{"lr", Value(0.2)}}, 2, 1);
                    return absl::OkStatus();
                  })
                  .ok());
  {
    SQLite::Database db(o.path, SQLite::OPEN_READWRITE);
    db.exec("UPDATE trials SET params = '{not json' WHERE idx = 1");
  }
  TrialQuery q;
  TrialCondition c;
  c.name = "lr";
  c.op = TrialCondition::Op::kGt;
  c.values = {0.0};
  q.where.push_back(c);
  for (int round = 0; round < 3; ++round) {
    absl::Status failed = (*s)->Read([&](ReadTxn& r) { return r.ListTrials(sweep, q).status(); });
    EXPECT_FALSE(failed.ok()) << "a malformed JSON row must fail the filtered listing";
    absl::Status later = (*s)->Read([&](ReadTxn& r) {
      EXPECT_TRUE(r.FindSweep("broken").has_value());
      EXPECT_EQ(r.ListTrials(sweep, TrialQuery{})->trials.size(), 2u);
      return absl::OkStatus();
    });
    EXPECT_TRUE(later.ok()) << later;
  }
  s->reset();
  std::filesystem::remove_all(dir);
}

TEST(StoreFile, MigratesAVersionOneFileForward) {
  int64_t sweep = 0;
  OldDatabase old(
      "hpsearch-migrate",
      [&](WriteTxn& w) {
        sweep = w.InsertSweep("", "", 3, false, 1);
        for (int i = 0; i < 3; ++i) w.InsertTrial(sweep, i, Params{}, 1, 1);
        for (int i = 3; i < 5; ++i) {
          const int64_t t = w.InsertTrial(sweep, i, Params{}, 1, 1);
          w.StartAttempt(t, 1, "w", 10, 1);
          w.CompleteTrial(t, 1, 0.1 * i, false, {{"val_loss", 0.1 * i}, {"val_mse", 1.0 - 0.1 * i}}, {}, 7, 2);
        }
      },
      // What version 1 wrote.
      "DROP INDEX sweeps_by_request; ALTER TABLE sweeps DROP COLUMN request_id; "
      "ALTER TABLE sweeps DROP COLUMN ending_status; DROP TABLE trial_metrics; "
      "ALTER TABLE trial_attempts DROP COLUMN request_id; ALTER TABLE trial_attempts DROP COLUMN lease_id; "
      "ALTER TABLE trial_attempts DROP COLUMN seed; ALTER TABLE sweeps DROP COLUMN idle_ms; "
      "DROP TRIGGER trial_counts_insert; DROP TRIGGER trial_counts_update; "
      "DROP TRIGGER trial_counts_delete; DROP TABLE trial_counts; ALTER TABLE sweeps DROP COLUMN n_not_started; "
      "DROP TRIGGER sweep_ids_insert; DROP TABLE sweep_ids; ALTER TABLE trials DROP COLUMN enqueued; "
      "UPDATE schema_version SET version = 1");
  const StoreOptions& o = old.options;
  auto s = Store::Open(o);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ((*s)->schema_version(), kSchemaVersion);
  ASSERT_TRUE((*s)->Read([&](ReadTxn& r) {
                    EXPECT_EQ(r.CountByStatus(sweep).pending, 3);  // backfilled (v2)
                    EXPECT_EQ(r.CountByStatus(sweep).completed, 2);
                    const auto attempts = r.Attempts(r.GetTrial(sweep, 3)->trial_id);  // backfilled (v7)
                    EXPECT_EQ(attempts.size(), 1u);
                    if (!attempts.empty()) {
                      EXPECT_EQ(attempts[0].seed, 1u);  // the trial's seed
                    }
                    TrialQuery by_mse;  // backfilled (v3): metric rows from the metrics JSON
                    by_mse.sort_by = "val_mse";
                    auto page = r.ListTrials(sweep, by_mse);
                    EXPECT_EQ(page->trials.size(), 5u);
                    EXPECT_EQ(page->trials[0].index, 4);  // 0.6 < 0.7
                    EXPECT_EQ(page->trials[1].index, 3);
                    EXPECT_EQ(page->trials[2].index, 0);  // then the rest, by index
                    EXPECT_TRUE(CheckIntegrity(r).empty());
                    return absl::OkStatus();
                  })
                  .ok());
  s->reset();
}

// Version 3 counted a finished sweep's never-started trials as cancelled; version 4
// counts them apart (rows only in n_cancelled), so counts agree with listings.
TEST(StoreFile, MigratesVersionThreeCountsOfNeverStartedTrials) {
  int64_t sweep = 0;
  OldDatabase old(
      "hpsearch-migrate3",
      [&](WriteTxn& w) {
        sweep = w.InsertSweep("", "", 5, false, 1);
        const int64_t done = w.InsertTrial(sweep, 0, Params{}, 1, 1);
        w.StartAttempt(done, 1, "w", 10, 1);
        w.CompleteTrial(done, 1, 0.5, false, {{"val_loss", 0.5}}, {}, 7, 2);
        w.InsertTrial(sweep, 1, Params{}, 1, 1);
        w.CancelPendingTrials(sweep, "cancelled by request", 3);
        w.FinishSweep(sweep, SweepStatus::kCancelled, "cancelled by request", 5, 3, 3);
      },
      // As version 3 wrote it: the 3 never started counted as cancelled.
      "ALTER TABLE sweeps DROP COLUMN n_not_started; UPDATE sweeps SET n_cancelled = 4; "
      "DROP TRIGGER sweep_ids_insert; DROP TABLE sweep_ids; ALTER TABLE trial_attempts DROP COLUMN lease_id; "
      "ALTER TABLE trial_attempts DROP COLUMN seed; ALTER TABLE sweeps DROP COLUMN idle_ms; "
      "ALTER TABLE trials DROP COLUMN enqueued; UPDATE schema_version SET version = 3");
  const StoreOptions& o = old.options;
  auto s = Store::Open(o);
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_TRUE((*s)->Read([&](ReadTxn& r) {
                    auto rec = r.SweepById(sweep);
                    EXPECT_EQ(rec->counts.cancelled, 1);
                    EXPECT_EQ(rec->not_started, 3);
                    EXPECT_EQ(rec->counts.completed, 1);
                    EXPECT_TRUE(CheckIntegrity(r).empty());
                    return absl::OkStatus();
                  })
                  .ok());
  s->reset();
}

// Version 4 numbered sweeps by rowid alone; version 5 keeps the highest id used, so a
// deleted sweep's id is never handed out again, also for files that had sweeps.
TEST(StoreFile, MigratesVersionFourAndNeverReusesADeletedId) {
  OldDatabase old(
      "hpsearch-migrate4",
      [&](WriteTxn& w) {
        for (int i = 0; i < 3; ++i) w.InsertSweep("s" + std::to_string(i), "", 1, false, 1);
      },
      "DROP TRIGGER sweep_ids_insert; DROP TABLE sweep_ids; ALTER TABLE trial_attempts DROP COLUMN lease_id; "
      "ALTER TABLE trial_attempts DROP COLUMN seed; ALTER TABLE sweeps DROP COLUMN idle_ms; "
      "ALTER TABLE trials DROP COLUMN enqueued; UPDATE schema_version SET version = 4");
  auto s = Store::Open(old.options);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ((*s)->schema_version(), kSchemaVersion);
  int64_t next = 0;
  ASSERT_TRUE((*s)->Write([&](WriteTxn& w) {
                    const int64_t t = w.InsertTrial(3, 0, Params{}, 1, 1);
                    w.StartAttempt(t, 1, "w", 10, 1);
                    w.CompleteTrial(t, 1, 0.5, false, {{"val_loss", 0.5}}, {}, 7, 2);
                    w.FinishSweep(3, SweepStatus::kCompleted, "", 1, 0, 3);
                    w.DeleteSweep(3);  // the newest
                    next = w.InsertSweep("after", "", 1, false, 4);
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(next, 4);
  ASSERT_TRUE((*s)->Read([&](ReadTxn& r) {
                    EXPECT_FALSE(r.SweepById(3).has_value());
                    EXPECT_EQ(r.FindSweep("s-000004")->name, "after");
                    EXPECT_TRUE(CheckIntegrity(r).empty());
                    return absl::OkStatus();
                  })
                  .ok());
  s->reset();
}

// Errors of a running store go to clients (gRPC statuses, the HTTP API): they say
// what SQLite said, never where the file is (item 9: an INTERNAL named it).
TEST(StoreFile, ErrorsOfReadsAndWritesNeverNameTheFile) {
  const auto dir = std::filesystem::temp_directory_path() / ("hpsearch-private-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  StoreOptions o;
  o.path = (dir / "secret-location.db").string();
  auto s = Store::Open(o);
  ASSERT_TRUE(s.ok()) << s.status();
  const auto fail = [](int code) { return [code](auto&) -> absl::Status { throw SQLite::Exception("boom", code); }; };
  for (int code : {SQLITE_CORRUPT, SQLITE_ERROR, SQLITE_FULL, SQLITE_IOERR}) {
    const absl::Status read = (*s)->Read(fail(code));
    const absl::Status write = (*s)->Write(fail(code));
    for (const absl::Status& st : {read, write}) {
      EXPECT_FALSE(st.ok());
      EXPECT_EQ(st.message(), "database: boom");
      EXPECT_EQ(st.message().find("secret-location"), std::string::npos) << st;
    }
  }
  s->reset();
  std::filesystem::remove_all(dir);
}

TEST(StoreFile, AnUnwritableLocationNamesThePath) {
  StoreOptions o;
  o.path = "/proc/hpsearch/no/such/dir/x.db";
  auto s = Store::Open(o);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find(o.path), std::string::npos);
}

}  // namespace
}  // namespace hpsearch::store
