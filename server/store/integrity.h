// What must hold in every hpsearch database, at any moment a transaction has
// committed — after a crash too. The crash tests check it after every restart;
// `hpsearch-server --check-db` checks a file by hand.
//
//  * trial_counts equals the trial rows, per sweep and status;
//  * a finished sweep has no PENDING or RUNNING trial, and its counters equal its
//    rows (cancelled also counts the trials that never started);
//  * every trial's status is known; a finished trial has its finish time; a
//    COMPLETED trial has an objective and a rank, and no other trial has either;
//  * a trial has at most one "completed" attempt, and a COMPLETED one has exactly
//    one, its last; only a RUNNING trial has an attempt still open;
//  * every metric row belongs to a trial.
#pragma once

#include <string>
#include <vector>

#include "server/store/store.h"

namespace hpsearch::store {

// Each violation found, as one readable line (at most `limit`); empty when sound.
std::vector<std::string> CheckIntegrity(ReadTxn& read, size_t limit = 100);

// The file itself, as SQLite sees it: PRAGMA integrity_check (every page, index and
// constraint; seconds on a large file) or with `quick` PRAGMA quick_check (the pages
// and their structure, without cross-checking indexes: what the server runs when it
// opens a file). Each problem SQLite reports, as one line (at most `limit`); empty when
// the file is sound. A file too damaged to be read at all gives one line saying so.
std::vector<std::string> CheckPages(Connection& conn, bool quick, size_t limit = 100);

}  // namespace hpsearch::store
