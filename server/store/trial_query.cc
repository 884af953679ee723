// ReadTxn::ListTrials: a sweep's trials filtered by status and by conditions on
// parameters, metrics and the objective, sorted by index, by objective, by a final
// metric or by a parameter, one keyset page at a time.
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
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/util/printable.h"
#include "server/store/columns.h"
#include "server/store/rows.h"
#include "server/store/store.h"

namespace hpsearch::store {

namespace {

// A metric or parameter name: what a report may name a metric (common/protocol/
// report_checks.h: letters, digits, _ and .), put in a JSON path only quoted.
bool IsMetricName(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.')) return false;
  }
  return true;
}

// A listing walks two phases in turn: the rows with a value to sort by, in its order,
// then the rest by index. A page token records the phase it stopped in (as a number).
enum Phase : int { kFirstPage = 0, kValued = 1, kUnvalued = 2 };

// Where a page starts: after (value, idx) within `phase`. A parameter's value may be
// text.
struct Cursor {
  Phase phase = kFirstPage;
  double value = 0;
  std::optional<std::string> text;  // set: the value is this text, not `value`
  int64_t idx = 0;
};

// The conditions in one canonical text, hashed (FNV-1a): a cursor names the filter it
// was made under without carrying it.
std::string WhereTag(const std::vector<TrialCondition>& where) {
  if (where.empty()) return "";
  std::string text;
  for (const auto& c : where) {
    absl::StrAppend(&text, static_cast<int>(c.field), ".", c.name, ".", static_cast<int>(c.op));
    for (const auto& v : c.values) {
      if (const double* d = std::get_if<double>(&v)) {
        char hex[64];
        std::snprintf(hex, sizeof hex, "%a", *d);
        absl::StrAppend(&text, ".n", hex);
      } else {
        absl::StrAppend(&text, ".t", absl::BytesToHexString(std::get<std::string>(v)));
      }
    }
    text += ";";
  }
  uint64_t h = 1469598103934665603ull;
  for (unsigned char ch : text) h = (h ^ ch) * 1099511628211ull;
  char out[24];
  std::snprintf(out, sizeof out, ":%016" PRIx64, h);
  return out;
}

// "<order>|<phase>|<idx>|<value>"; the order is "[param:]<key>:<asc|desc>:<status>[:<where>]",
// the value a hex float or "t" and the text's bytes in hex. (No name has a ':', so a
// parameter's order is never a metric's, whatever their names.)
std::string OrderTag(const TrialQuery& q) {
  return absl::StrCat(q.by_parameter ? "param:" : "", q.sort_by, ":", q.descending ? "desc" : "asc", ":",
                      q.status ? static_cast<int>(*q.status) : 0, WhereTag(q.where));
}

// The conditions as SQL over `trials t`, their values as parameters numbered from
// `first` (bound by Bind in the same order).
struct WhereSql {
  std::string sql;  // " AND ..." per condition; empty without conditions
  std::vector<std::variant<double, std::string>> args;

  WhereSql(const std::vector<TrialCondition>& where, int first) {
    int n = first;
    const auto arg = [&](std::variant<double, std::string> v) {
      args.push_back(std::move(v));
      return absl::StrCat("?", n++);
    };
    for (const auto& c : where) {
      std::string field;
      switch (c.field) {
        case TrialCondition::Field::kObjective:
          field = "t.objective";
          break;
        case TrialCondition::Field::kParameter:
          field = absl::StrCat("json_extract(t.params, ", arg(KeyPath(c.name)), ")");
          break;
        case TrialCondition::Field::kMetric:
          field = absl::StrCat("json_extract(t.metrics, ", arg(KeyPath(c.name)), ")");
          break;
      }
      std::vector<std::string> values;
      for (const auto& v : c.values) values.push_back(arg(v));
      const std::string list = absl::StrJoin(values, ", ");
      switch (c.op) {
        case TrialCondition::Op::kEq:
          absl::StrAppend(&sql, " AND ", field, " IN (", list, ")");
          break;
        case TrialCondition::Op::kNe:
          absl::StrAppend(&sql, " AND ", field, " NOT IN (", list, ")");
          break;
        case TrialCondition::Op::kLt:
          absl::StrAppend(&sql, " AND ", field, " < ", list);
          break;
        case TrialCondition::Op::kLe:
          absl::StrAppend(&sql, " AND ", field, " <= ", list);
          break;
        case TrialCondition::Op::kGt:
          absl::StrAppend(&sql, " AND ", field, " > ", list);
          break;
        case TrialCondition::Op::kGe:
          absl::StrAppend(&sql, " AND ", field, " >= ", list);
          break;
      }
    }
  }

  void Bind(SQLite::Statement& s, int first) const {
    int n = first;
    for (const auto& v : args) {
      if (const double* d = std::get_if<double>(&v))
        s.bind(n++, *d);
      else
        s.bind(n++, std::get<std::string>(v));
    }
  }
};

absl::Status CheckWhere(const std::vector<TrialCondition>& where) {
  if (where.size() > kMaxTrialConditions)
    return absl::InvalidArgumentError(absl::StrCat("where: at most ", kMaxTrialConditions, " conditions"));
  for (const auto& c : where) {
    if (c.values.size() > kMaxConditionValues)
      return absl::InvalidArgumentError(absl::StrCat("where: at most ", kMaxConditionValues, " values in a condition"));
    if (c.field != TrialCondition::Field::kObjective && !IsMetricName(c.name)) {
      return absl::InvalidArgumentError(
          absl::StrCat("where: ", Quoted(c.name), " is not a name (letters, digits, _ and .)"));
    }
    const bool order = c.op != TrialCondition::Op::kEq && c.op != TrialCondition::Op::kNe;
    if (c.values.empty() || (order && (c.values.size() != 1 || !std::holds_alternative<double>(c.values[0])))) {
      return absl::InvalidArgumentError(
          absl::StrCat("where: a condition on '", c.name, "' needs one number (<, <=, >, >=) or values (=, !=)"));
    }
  }
  return absl::OkStatus();
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
  const long phase = std::strtol(parts[1].c_str(), &end, 10);
  if (*end != '\0' || (phase != kValued && phase != kUnvalued)) return bad();
  c.phase = static_cast<Phase>(phase);
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

// The parameters bound in a listing's statements; the conditions' values follow from
// kFirstWhereArg.
enum Arg : int {
  kSweepArg = 1,        // ?1 the sweep's row id
  kStatusArg = 2,       // ?2 the status filtered on
  kLimitArg = 3,        // ?3 rows still wanted
  kCursorValueArg = 4,  // ?4 the cursor's value
  kCursorIndexArg = 5,  // ?5 the cursor's index
  kMetricArg = 6,       // ?6 the metric sorted by
  kJsonPathArg = 7,     // ?7 its (or the parameter's) JSON path
  kFirstWhereArg = 8,
};

// One page of a listing in a checked order: the rows from the cursor on, one more
// than the page holds when there is a next page.
class Listing {
 public:
  Listing(Connection& conn, int64_t sweep, const TrialQuery& q, const Cursor& cursor)
      : conn_(conn),
        sweep_(sweep),
        q_(q),
        cursor_(cursor),
        by_param_(q.by_parameter),
        by_index_(q.sort_by == "index" && !q.by_parameter),
        by_objective_(q.sort_by == "objective" && !q.by_parameter),
        want_(static_cast<int64_t>(std::max(q.limit, 0)) + 1),
        where_(q.where, kFirstWhereArg),
        filter_(absl::StrCat(q.status ? " AND t.status = ?2" : "", where_.sql)),
        id_(SweepPublicId(sweep)) {}

  // The SQL filtering on status and conditions (" AND ..."), and its arguments.
  const std::string& filter() const { return filter_; }
  void BindFilter(SQLite::Statement& s) const {
    if (q_.status) s.bind(kStatusArg, static_cast<int>(*q_.status));
    where_.Bind(s, kFirstWhereArg);
  }

  int64_t want() const { return want_; }

  std::vector<Row> Rows() {
    if (!by_index_) {
      if (cursor_.phase <= kValued) Valued();
      if (Short()) {
        // Without the value: its JSON has no such key (evaluated only on this walk).
        Unvalued(by_objective_ ? " AND t.rank IS NULL"
                 : by_param_   ? " AND json_extract(t.params, ?7) IS NULL"
                               : " AND json_extract(t.metrics, ?7) IS NULL");
      }
    } else {
      Unvalued("");
    }
    return std::move(rows_);
  }

 private:
  bool Short() const { return static_cast<int64_t>(rows_.size()) < want_; }
  const char* Dir() const { return q_.descending ? " DESC" : ""; }
  const char* After() const { return q_.descending ? "<" : ">"; }
  std::string Select() const { return absl::StrCat("SELECT ", kTrialColumns); }

  // The rows with a value to sort by, in its order (then by index).
  void Valued() {
    const bool resume = cursor_.phase == kValued;
    const auto from = [&](const std::string& v) {
      return resume ? absl::StrCat(" AND (", v, ", t.idx) ", After(), " (?4, ?5)") : std::string();
    };
    if (by_param_) {
      // A scan of the sweep's trials (parameters are not indexed): fine for the
      // sizes a listing pages through.
      const std::string v = "json_extract(t.params, ?7)";
      Run(absl::StrCat(Select(), ", ", v, " FROM trials t WHERE t.sweep_id = ?1", filter_, " AND ", v, " IS NOT NULL",
                       from(v), " ORDER BY ", v, Dir(), ", t.idx", Dir(), " LIMIT ?3"),
          kValued, resume);
    } else if (by_objective_) {
      Run(absl::StrCat(Select(), ", t.rank FROM trials t WHERE t.sweep_id = ?1", filter_, " AND t.rank IS NOT NULL",
                       from("t.rank"), " ORDER BY t.rank", Dir(), ", t.idx", Dir(), " LIMIT ?3"),
          kValued, resume);
    } else {
      Run(absl::StrCat(Select(),
                       ", m.value FROM trial_metrics m JOIN trials t ON t.sweep_id = m.sweep_id "
                       "AND t.idx = m.idx WHERE m.sweep_id = ?1 AND m.name = ?6",
                       filter_, resume ? absl::StrCat(" AND (m.value, m.idx) ", After(), " (?4, ?5)") : "",
                       " ORDER BY m.value", Dir(), ", m.idx", Dir(), " LIMIT ?3"),
          kValued, resume);
    }
  }

  // Rows with nothing to sort by (every row, for the index order), by index.
  void Unvalued(const std::string& without) {
    const bool resume = cursor_.phase == kUnvalued;
    Run(absl::StrCat(Select(), " FROM trials t WHERE t.sweep_id = ?1", filter_, without,
                     resume ? absl::StrCat(" AND t.idx ", After(), " ?5") : "", " ORDER BY t.idx", Dir(), " LIMIT ?3"),
        kUnvalued, resume);
  }

  void Run(const std::string& sql, Phase phase, bool resume) {
    const bool valued = phase == kValued;
    SQLite::Statement& s = conn_.Prepare(sql);
    s.bind(kSweepArg, sweep_);
    s.bind(kLimitArg, want_ - static_cast<int64_t>(rows_.size()));
    if (resume) {
      if (valued && cursor_.text) s.bind(kCursorValueArg, *cursor_.text);
      if (valued && !cursor_.text) s.bind(kCursorValueArg, cursor_.value);
      s.bind(kCursorIndexArg, cursor_.idx);
    }
    if (!by_index_ && !by_objective_) {
      if (valued && !by_param_) s.bind(kMetricArg, q_.sort_by);
      if (!valued || by_param_) s.bind(kJsonPathArg, KeyPath(q_.sort_by));
    }
    BindFilter(s);
    while (s.executeStep()) {
      Row r{TrialFromRow(s, id_, false), Cursor{phase, 0, std::nullopt, 0}};
      r.at.idx = r.trial.index;
      if (valued) {
        const auto v = s.getColumn(kTrialColumnCount);
        if (v.isText()) {
          r.at.text = v.getString();
        } else {
          r.at.value = v.getDouble();
        }
      }
      rows_.push_back(std::move(r));
    }
  }

  Connection& conn_;
  const int64_t sweep_;
  const TrialQuery& q_;
  const Cursor& cursor_;
  const bool by_param_, by_index_, by_objective_;
  const int64_t want_;  // one more than a page: is there a next one?
  const WhereSql where_;
  const std::string filter_;
  const std::string id_;
  std::vector<Row> rows_;
};

}  // namespace

absl::StatusOr<TrialPage> ReadTxn::ListTrials(int64_t sweep, const TrialQuery& query) {
  TrialQuery q = query;
  q.sort_by = query.sort_by.empty() ? "index" : query.sort_by;
  if ((q.by_parameter || (q.sort_by != "index" && q.sort_by != "objective")) && !IsMetricName(q.sort_by)) {
    return absl::InvalidArgumentError(absl::StrCat("sort_by: ", Quoted(q.sort_by),
                                                   " is not index, objective or a metric or parameter name (letters, "
                                                   "digits, _ and .)"));
  }
  if (auto st = CheckWhere(q.where); !st.ok()) return st;
  auto cursor = Decode(q);
  if (!cursor.ok()) return cursor.status();
  Listing listing(conn_, sweep, q, *cursor);
  std::vector<Row> rows = listing.Rows();

  TrialPage page;
  if (q.where.empty()) {
    const TrialCounts counts = CountByStatus(sweep);
    page.total = q.status ? counts.of(*q.status) : counts.total();
  } else {
    // Filtered: counted by a scan of the sweep's rows (as the filter itself is).
    auto& s = conn_.Prepare(absl::StrCat("SELECT COUNT(*) FROM trials t WHERE t.sweep_id = ?1", listing.filter()));
    s.bind(kSweepArg, sweep);
    listing.BindFilter(s);
    page.total = s.executeStep() ? s.getColumn(0).getInt64() : 0;
  }
  if (static_cast<int64_t>(rows.size()) == listing.want()) {
    rows.pop_back();
    if (!rows.empty()) page.next_cursor = Encode(q, rows.back().at);
  }
  page.trials.reserve(rows.size());
  for (auto& r : rows) page.trials.push_back(std::move(r.trial));
  return page;
}

}  // namespace hpsearch::store
