#include "server/store/schema.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace hpsearch::store {

namespace {

// migrations[i] takes the schema from version i to i + 1. Append, never edit.
constexpr const char* kMigrations[] = {
    // 0 → 1: sweeps, trials, their epochs and attempts.
    R"sql(
CREATE TABLE sweeps (
  id             INTEGER PRIMARY KEY,      -- public id: "s-" and six digits
  name           TEXT    NOT NULL,
  spec           BLOB    NOT NULL,         -- hpsearch.v1.SweepSpec, binary
  status         INTEGER NOT NULL,         -- hpsearch.v1.SweepStatus
  status_reason  TEXT    NOT NULL DEFAULT '',
  total_trials   INTEGER NOT NULL,
  maximize       INTEGER NOT NULL,
  created_ms     INTEGER NOT NULL,
  finished_ms    INTEGER NOT NULL DEFAULT 0,
  -- Final counters, written when the sweep finishes (the scheduler keeps the live ones).
  n_pending      INTEGER NOT NULL DEFAULT 0,
  n_running      INTEGER NOT NULL DEFAULT 0,
  n_completed    INTEGER NOT NULL DEFAULT 0,
  n_failed       INTEGER NOT NULL DEFAULT 0,
  n_pruned       INTEGER NOT NULL DEFAULT 0,
  n_cancelled    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sweeps_by_name ON sweeps (name, id);
CREATE INDEX sweeps_by_status ON sweeps (status, id);

CREATE TABLE trials (
  id               INTEGER PRIMARY KEY,
  sweep_id         INTEGER NOT NULL REFERENCES sweeps (id),
  idx              INTEGER NOT NULL,       -- position in the sweep, from 0
  params           TEXT    NOT NULL,       -- JSON object
  seed             INTEGER NOT NULL,       -- uint64 stored bit for bit
  status           INTEGER NOT NULL,       -- hpsearch.v1.TrialStatus
  attempt          INTEGER NOT NULL,       -- current or last attempt, from 1
  lost             INTEGER NOT NULL DEFAULT 0,  -- leases lost (counts toward max attempts)
  worker           TEXT    NOT NULL DEFAULT '',
  lease_expires_ms INTEGER NOT NULL DEFAULT 0,
  objective        REAL,                   -- COMPLETED only; always finite
  rank             REAL,                   -- objective, negated when maximizing
  metrics          TEXT    NOT NULL DEFAULT '{}',
  diagnostics      TEXT    NOT NULL DEFAULT '{}',  -- activation stats at init
  parameter_count  INTEGER NOT NULL DEFAULT 0,
  failure_reason   TEXT    NOT NULL DEFAULT '',
  created_ms       INTEGER NOT NULL,
  started_ms       INTEGER NOT NULL DEFAULT 0,
  finished_ms      INTEGER NOT NULL DEFAULT 0,
  UNIQUE (sweep_id, idx)
);
-- Best k of a sweep, and trials sorted by objective: an index walk.
CREATE INDEX trials_by_rank ON trials (sweep_id, rank, idx) WHERE rank IS NOT NULL;
-- Filter and count by status.
CREATE INDEX trials_by_status ON trials (sweep_id, status, idx);

CREATE TABLE trial_epochs (
  trial_id  INTEGER NOT NULL REFERENCES trials (id),
  epoch     INTEGER NOT NULL,
  metrics   TEXT    NOT NULL,              -- JSON object of finite numbers
  lr        REAL    NOT NULL,
  seconds   REAL    NOT NULL,
  act_mean  TEXT    NOT NULL DEFAULT '[]', -- per hidden layer
  act_std   TEXT    NOT NULL DEFAULT '[]',
  PRIMARY KEY (trial_id, epoch)
) WITHOUT ROWID;

CREATE TABLE trial_attempts (
  trial_id    INTEGER NOT NULL REFERENCES trials (id),
  attempt     INTEGER NOT NULL,
  worker      TEXT    NOT NULL,
  started_ms  INTEGER NOT NULL,
  finished_ms INTEGER NOT NULL DEFAULT 0,
  outcome     TEXT    NOT NULL DEFAULT '',   -- completed, failed: ..., lease expired, ...
  PRIMARY KEY (trial_id, attempt)
) WITHOUT ROWID;
)sql",
    // 1 → 2: per-sweep trial counts by status, kept by triggers, so a page of
    // ListTrials knows its total without counting rows.
    R"sql(
CREATE TABLE trial_counts (
  sweep_id INTEGER NOT NULL,
  status   INTEGER NOT NULL,
  n        INTEGER NOT NULL,
  PRIMARY KEY (sweep_id, status)
) WITHOUT ROWID;
INSERT INTO trial_counts (sweep_id, status, n)
  SELECT sweep_id, status, COUNT(*) FROM trials GROUP BY sweep_id, status;
CREATE TRIGGER trial_counts_insert AFTER INSERT ON trials BEGIN
  INSERT INTO trial_counts (sweep_id, status, n) VALUES (NEW.sweep_id, NEW.status, 1)
    ON CONFLICT (sweep_id, status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER trial_counts_update AFTER UPDATE OF status ON trials
  WHEN OLD.status != NEW.status BEGIN
  UPDATE trial_counts SET n = n - 1 WHERE sweep_id = OLD.sweep_id AND status = OLD.status;
  INSERT INTO trial_counts (sweep_id, status, n) VALUES (NEW.sweep_id, NEW.status, 1)
    ON CONFLICT (sweep_id, status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER trial_counts_delete AFTER DELETE ON trials BEGIN
  UPDATE trial_counts SET n = n - 1 WHERE sweep_id = OLD.sweep_id AND status = OLD.status;
END;
)sql",
    // 2 → 3: submit and acquire request ids (a retried call returns what the first made),
    // the status an ending sweep is heading for, and one row per (trial, final
    // metric) so listings sorted by a metric walk an index page by page.
    R"sql(
ALTER TABLE sweeps ADD COLUMN request_id TEXT NOT NULL DEFAULT '';
ALTER TABLE sweeps ADD COLUMN ending_status INTEGER NOT NULL DEFAULT 0;  -- 0: not ending
-- The AcquireTrial request that started an attempt: its retry after a restart gets
-- the same lease back instead of a second trial.
ALTER TABLE trial_attempts ADD COLUMN request_id TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX sweeps_by_request ON sweeps (request_id) WHERE request_id != '';
-- One b-tree, in sort order: a listing by a metric is a walk of it.
CREATE TABLE trial_metrics (
  sweep_id INTEGER NOT NULL,
  name     TEXT    NOT NULL,
  value    REAL    NOT NULL,             -- always finite
  idx      INTEGER NOT NULL,
  PRIMARY KEY (sweep_id, name, value, idx)
) WITHOUT ROWID;
INSERT INTO trial_metrics (sweep_id, name, idx, value)
  SELECT t.sweep_id, j.key, t.idx, j.value FROM trials t, json_each(t.metrics) j
  WHERE j.type IN ('integer', 'real');
)sql",
    // 3 → 4: trials a sweep planned but never started (it ended first) are counted
    // apart: they have no rows, so they are not "cancelled" trials, and counts agree
    // with what `trials` and `export` list. Finished sweeps move them out of n_cancelled.
    R"sql(
ALTER TABLE sweeps ADD COLUMN n_not_started INTEGER NOT NULL DEFAULT 0;
UPDATE sweeps SET
  n_not_started = MAX(0, n_cancelled -
    COALESCE((SELECT n FROM trial_counts c WHERE c.sweep_id = sweeps.id AND c.status = 6), 0)),
  n_cancelled = MIN(n_cancelled,
    COALESCE((SELECT n FROM trial_counts c WHERE c.sweep_id = sweeps.id AND c.status = 6), 0))
WHERE finished_ms > 0;
)sql",
    // 4 → 5: sweeps can be deleted, and a public id names one sweep forever: the
    // highest id ever used is kept, and new sweeps are numbered above it (an
    // INTEGER PRIMARY KEY alone would hand a deleted newest id out again).
    R"sql(
CREATE TABLE sweep_ids (last INTEGER NOT NULL);
INSERT INTO sweep_ids (last) SELECT COALESCE(MAX(id), 0) FROM sweeps;
CREATE TRIGGER sweep_ids_insert AFTER INSERT ON sweeps BEGIN
  UPDATE sweep_ids SET last = MAX(last, NEW.id);
END;
)sql",
    // 5 → 6: each attempt's lease has a random id that only its worker knows; a
    // report must carry it. Attempts made before this version have none ('').
    R"sql(
ALTER TABLE trial_attempts ADD COLUMN lease_id TEXT NOT NULL DEFAULT '';
)sql",
    // 6 → 7: each attempt keeps the seed it trained with (`retry --new-seed` gives a
    // trial a new one); before, every attempt had the trial's. A sweep counts the
    // time it sat finished before `extend` or `retry` ran it again (idle_ms): its
    // elapsed time is the time it ran.
    R"sql(
ALTER TABLE sweeps ADD COLUMN idle_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE trial_attempts ADD COLUMN seed INTEGER NOT NULL DEFAULT 0;
UPDATE trial_attempts SET seed = (SELECT seed FROM trials WHERE trials.id = trial_attempts.trial_id);
)sql",
    // 7 → 8: a trial an ask gave the values of (enqueue) is not one of the search's own
    // draws: after a restart the strategy resumes after its own trials only.
    R"sql(
ALTER TABLE trials ADD COLUMN enqueued INTEGER NOT NULL DEFAULT 0;
)sql",
};
static_assert(std::size(kMigrations) == kSchemaVersion);

}  // namespace

int SchemaVersion(Connection& conn) {
  if (!conn.db().tableExists("schema_version")) return 0;
  SQLite::Statement q(conn.db(), "SELECT version FROM schema_version");
  return q.executeStep() ? q.getColumn(0).getInt() : 0;
}

absl::Status Migrate(Connection& conn) {
  conn.Exec("BEGIN IMMEDIATE");
  int version = 0;
  try {
    conn.Exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
    version = SchemaVersion(conn);
    if (version == 0) conn.Exec("INSERT INTO schema_version SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM schema_version)");
    conn.Exec("COMMIT");
  } catch (...) {
    conn.Exec("ROLLBACK");
    throw;
  }
  if (version > kSchemaVersion) {
    return absl::FailedPreconditionError(absl::StrCat("database schema version ", version,
                                                      " is newer than this hpsearch (", kSchemaVersion,
                                                      "); upgrade hpsearch or use another --db"));
  }
  for (int v = version; v < kSchemaVersion; ++v) {
    conn.Exec("BEGIN IMMEDIATE");
    try {
      conn.Exec(kMigrations[v]);
      SQLite::Statement set(conn.db(), "UPDATE schema_version SET version = ?");
      set.bind(1, v + 1);
      set.exec();
      conn.Exec("COMMIT");
    } catch (...) {
      conn.Exec("ROLLBACK");
      throw;
    }
  }
  return absl::OkStatus();
}

}  // namespace hpsearch::store
