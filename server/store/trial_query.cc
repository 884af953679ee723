// ReadTxn::ListTrials: a sweep's trials filtered by status and sorted by index, by
// objective, by a final metric or by a parameter, one keyset page at a time.
//
// Every order is an index walk: `trials (sweep_id, idx)`, `trials_by_rank` for the
// objective, `trial_metrics` (its key is the sort order) for a metric. Trials with no value to sort by
// (no objective yet, or no such metric) follow, by index, in the same direction. A
// cursor names the order it belongs to, the phase (valued rows, then the rest) and
// the last row's (value, index); a page resumes strictly after it.
#include <algorithm>
#include <cctype>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <optional>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "store/rows.h"
#include "store/store.h"

namespace hpsearch::store {

namespace {

bool IsMetricName(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  }
  return true;
}

// Where a page starts: after (value, idx) within `phase` (1: rows with a value to
// sort by, 2: the rest). phase 0: the first page. A parameter's value may be text.
struct Cursor {
  int phase = 0;
  double value = 0;
  std::optional<std::string> text;  // set: the value is this text, not `value`
  int64_t idx = 0;
};

// "<order>|<phase>|<idx>|<value>"; the order is "<key>:<asc|desc>:<status>", the
// value a hex float or "t" and the text's bytes in hex.
std::string OrderTag(const TrialQuery& q) {
  return absl::StrCat(q.by_parameter ? "param." : "", q.sort_by, ":", q.descending ? "desc" : "asc", ":",
                      q.status ? static_cast<int>(*q.status) : 0);
}

std::string Encode(const TrialQuery& q, const Cursor& c) {
  std::string value;
  if (c.text) {
    value = absl::StrCat("t", absl::BytesToHexString(*c.text));
  } else {
    char hex[64];
    std::snprintf(hex, sizeof hex, "%a", c.value);
    value = hex;
  }
  return absl::StrCat(OrderTag(q), "|", c.phase, "|", c.idx, "|", value);
}

absl::StatusOr<Cursor> Decode(const TrialQuery& q) {
  Cursor c;
  if (q.cursor.empty()) return c;
  const auto bad = [] {
    return absl::InvalidArgumentError(
        "page_token: not a token from a previous response of this listing (same sort and filter)");
  };
  std::vector<std::string> parts = absl::StrSplit(q.cursor, '|');
  if (parts.size() != 4 || parts[0] != OrderTag(q)) return bad();
  char* end = nullptr;
  c.phase = static_cast<int>(std::strtol(parts[1].c_str(), &end, 10));
  if (*end != '\0' || (c.phase != 1 && c.phase != 2)) return bad();
  c.idx = std::strtoll(parts[2].c_str(), &end, 10);
  if (*end != '\0' || c.idx < 0) return bad();
  if (!parts[3].empty() && parts[3][0] == 't') {
    const std::string hex = parts[3].substr(1);
    const bool is_hex = hex.size() % 2 == 0 && std::all_of(hex.begin(), hex.end(), [](char ch) {
      return std::isxdigit(static_cast<unsigned char>(ch)) != 0;
    });
    if (!q.by_parameter || !is_hex) return bad();
    c.text = absl::HexStringToBytes(hex);
    return c;
  }
  c.value = std::strtod(parts[3].c_str(), &end);
  if (*end != '\0' || !std::isfinite(c.value)) return bad();
  return c;
}

struct Row {
  TrialRecord trial;
  Cursor at;
};

}  // namespace

absl::StatusOr<TrialPage> ReadTxn::ListTrials(int64_t sweep, const TrialQuery& query) {
  const std::string sort = query.sort_by.empty() ? "index" : query.sort_by;
  const bool by_param = query.by_parameter;
  const bool by_index = sort == "index" && !by_param;
  const bool by_objective = sort == "objective" && !by_param;
  if (!by_index && !by_objective && !IsMetricName(sort)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "sort_by: '", sort, "' is not index, objective or a metric or parameter name (letters, digits and _)"));
  }
  TrialQuery q = query;
  q.sort_by = sort;
  auto cursor = Decode(q);
  if (!cursor.ok()) return cursor.status();
  const int64_t want = static_cast<int64_t>(std::max(q.limit, 0)) + 1;  // one more: is there a next page?
  const bool by_status = q.status.has_value();
  const char* dir = q.descending ? " DESC" : "";
  const char* after = q.descending ? "<" : ">";
  const std::string status = by_status ? " AND t.status = ?2" : "";
  const std::string id = SweepPublicId(sweep);
  std::vector<Row> rows;

  // ?1 sweep, ?2 status, ?3 limit, ?4 cursor value, ?5 cursor index, ?6 metric name,
  // ?7 its JSON path.
  auto run = [&](const std::string& sql, int phase, bool resume, bool valued) {
    auto& s = conn_.Prepare(sql);
    s.bind(1, sweep);
    if (by_status) s.bind(2, static_cast<int>(*q.status));
    s.bind(3, want - static_cast<int64_t>(rows.size()));
    if (resume) {
      if (valued && cursor->text) s.bind(4, *cursor->text);
      if (valued && !cursor->text) s.bind(4, cursor->value);
      s.bind(5, cursor->idx);
    }
    if (!by_index && !by_objective) {
      if (phase == 1 && !by_param) s.bind(6, sort);
      if (phase == 2 || by_param) s.bind(7, absl::StrCat("$.\"", sort, "\""));
    }
    while (s.executeStep()) {
      Row r{TrialFromRow(s, id, false), Cursor{phase, 0, std::nullopt, 0}};
      r.at.idx = r.trial.index;
      if (valued) {
        const auto v = s.getColumn(kTrialColumnCount);
        if (v.isText()) r.at.text = v.getString();
        else r.at.value = v.getDouble();
      }
      rows.push_back(std::move(r));
    }
  };
  const std::string select = absl::StrCat("SELECT ", kTrialColumns);
  // Rows with nothing to sort by (all rows, for the index order), by index.
  auto rest = [&](const std::string& without) {
    const bool resume = cursor->phase == 2;
    run(absl::StrCat(select, " FROM trials t WHERE t.sweep_id = ?1", status, without,
                     resume ? absl::StrCat(" AND t.idx ", after, " ?5") : "", " ORDER BY t.idx", dir, " LIMIT ?3"),
        2, resume, false);
  };
  if (by_index) {
    rest("");
  } else {
    if (cursor->phase <= 1) {
      const bool resume = cursor->phase == 1;
      if (by_param) {
        // A scan of the sweep's trials (parameters are not indexed): fine for the
        // sizes a listing pages through.
        const std::string v = "json_extract(t.params, ?7)";
        run(absl::StrCat(select, ", ", v, " FROM trials t WHERE t.sweep_id = ?1", status, " AND ", v, " IS NOT NULL",
                         resume ? absl::StrCat(" AND (", v, ", t.idx) ", after, " (?4, ?5)") : "", " ORDER BY ", v,
                         dir, ", t.idx", dir, " LIMIT ?3"),
            1, resume, true);
      } else if (by_objective) {
        run(absl::StrCat(select, ", t.rank FROM trials t WHERE t.sweep_id = ?1", status, " AND t.rank IS NOT NULL",
                         resume ? absl::StrCat(" AND (t.rank, t.idx) ", after, " (?4, ?5)") : "", " ORDER BY t.rank",
                         dir, ", t.idx", dir, " LIMIT ?3"),
            1, resume, true);
      } else {
        run(absl::StrCat(select, ", m.value FROM trial_metrics m JOIN trials t ON t.sweep_id = m.sweep_id "
                                 "AND t.idx = m.idx WHERE m.sweep_id = ?1 AND m.name = ?6",
                         status, resume ? absl::StrCat(" AND (m.value, m.idx) ", after, " (?4, ?5)") : "",
                         " ORDER BY m.value", dir, ", m.idx", dir, " LIMIT ?3"),
            1, resume, true);
      }
    }
    if (static_cast<int64_t>(rows.size()) < want) {
      // Without the metric: its JSON has no such key (evaluated only on this walk).
      rest(by_objective ? " AND t.rank IS NULL"
           : by_param   ? " AND json_extract(t.params, ?7) IS NULL"
                        : " AND json_extract(t.metrics, ?7) IS NULL");
    }
  }

  TrialPage page;
  const TrialCounts counts = CountByStatus(sweep);
  page.total = by_status ? counts.of(*q.status) : counts.total();
  if (static_cast<int64_t>(rows.size()) == want) {
    rows.pop_back();
    if (!rows.empty()) page.next_cursor = Encode(q, rows.back().at);
  }
  page.trials.reserve(rows.size());
  for (auto& r : rows) page.trials.push_back(std::move(r.trial));
  return page;
}

}  // namespace hpsearch::store
