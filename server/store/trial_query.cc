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
#include "server/store/rows.h"
#include "server/store/store.h"

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

// "<order>|<phase>|<idx>|<value>"; the order is "<key>:<asc|desc>:<status>[:<where>]",
// the value a hex float or "t" and the text's bytes in hex.
std::string OrderTag(const TrialQuery& q) {
  return absl::StrCat(q.by_parameter ? "param." : "", q.sort_by, ":", q.descending ? "desc" : "asc", ":",
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
          field = absl::StrCat("json_extract(t.params, ", arg(absl::StrCat("$.\"", c.name, "\"")), ")");
          break;
        case TrialCondition::Field::kMetric:
          field = absl::StrCat("json_extract(t.metrics, ", arg(absl::StrCat("$.\"", c.name, "\"")), ")");
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
          absl::StrCat("where: ", Quoted(c.name), " is not a name (letters, digits and _)"));
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
        "sort_by: ", Quoted(sort), " is not index, objective or a metric or parameter name (letters, digits and _)"));
  }
  if (auto st = CheckWhere(query.where); !st.ok()) return st;
  TrialQuery q = query;
  q.sort_by = sort;
  auto cursor = Decode(q);
  if (!cursor.ok()) return cursor.status();
  const int64_t want = static_cast<int64_t>(std::max(q.limit, 0)) + 1;  // one more: is there a next page?
  const bool by_status = q.status.has_value();
  const char* dir = q.descending ? " DESC" : "";
  const char* after = q.descending ? "<" : ">";
  constexpr int kFirstWhereArg = 8;
  const WhereSql where(q.where, kFirstWhereArg);
  const std::string status = absl::StrCat(by_status ? " AND t.status = ?2" : "", where.sql);
  const std::string id = SweepPublicId(sweep);
  std::vector<Row> rows;

  // ?1 sweep, ?2 status, ?3 limit, ?4 cursor value, ?5 cursor index, ?6 metric name,
  // ?7 its JSON path, ?8... the conditions' values.
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
    where.Bind(s, kFirstWhereArg);
    while (s.executeStep()) {
      Row r{TrialFromRow(s, id, false), Cursor{phase, 0, std::nullopt, 0}};
      r.at.idx = r.trial.index;
      if (valued) {
        const auto v = s.getColumn(kTrialColumnCount);
        if (v.isText())
          r.at.text = v.getString();
        else
          r.at.value = v.getDouble();
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
                         resume ? absl::StrCat(" AND (", v, ", t.idx) ", after, " (?4, ?5)") : "", " ORDER BY ", v, dir,
                         ", t.idx", dir, " LIMIT ?3"),
            1, resume, true);
      } else if (by_objective) {
        run(absl::StrCat(select, ", t.rank FROM trials t WHERE t.sweep_id = ?1", status, " AND t.rank IS NOT NULL",
                         resume ? absl::StrCat(" AND (t.rank, t.idx) ", after, " (?4, ?5)") : "", " ORDER BY t.rank",
                         dir, ", t.idx", dir, " LIMIT ?3"),
            1, resume, true);
      } else {
        run(absl::StrCat(select,
                         ", m.value FROM trial_metrics m JOIN trials t ON t.sweep_id = m.sweep_id "
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
  if (q.where.empty()) {
    const TrialCounts counts = CountByStatus(sweep);
    page.total = by_status ? counts.of(*q.status) : counts.total();
  } else {
    // Filtered: counted by a scan of the sweep's rows (as the filter itself is).
    auto& s = conn_.Prepare(absl::StrCat("SELECT COUNT(*) FROM trials t WHERE t.sweep_id = ?1", status));
    s.bind(1, sweep);
    if (by_status) s.bind(2, static_cast<int>(*q.status));
    where.Bind(s, kFirstWhereArg);
    page.total = s.executeStep() ? s.getColumn(0).getInt64() : 0;
  }
  if (static_cast<int64_t>(rows.size()) == want) {
    rows.pop_back();
    if (!rows.empty()) page.next_cursor = Encode(q, rows.back().at);
  }
  page.trials.reserve(rows.size());
  for (auto& r : rows) page.trials.push_back(std::move(r.trial));
  return page;
}

}  // namespace hpsearch::store
