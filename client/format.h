// Terminal output helpers: aligned tables and number formatting.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "nlohmann/json.hpp"

namespace hpsearch::client {

// A JSON scalar or list as a table cell: numbers with 4 significant digits
// (integers exactly), strings bare (through util/printable.h's Printable: `\x1b`
// for an ESC), lists as [a, b].
std::string Cell(const nlohmann::json& v);

// An objective value, one rule wherever one is shown (tables, status, best, watch):
// 4 significant digits with trailing zeros kept, so values line up and compare by eye
// (0.8600, 0.8624, 1.992e-06, 2.100e+10).
std::string ObjectiveText(double v);

// Exact text of a JSON value for CSV: strings bare, numbers round-trip, lists as JSON,
// null empty.
std::string Exact(const nlohmann::json& v);

// One argument as a POSIX shell reads it back: bare when it is only safe characters
// (letters, digits, `_@%+=:,./-`), else in single quotes ('it'\''s'); "" for empty;
// with a newline or another control character, as bash's and zsh's $'a\nb'.
std::string ShellWord(const std::string& arg);

// A reason that may run over several lines (a failed program's stderr tail), for a
// one-line view: its first line, and when there are more, " … " and its last
// non-empty one (a Python traceback's error), each through Printable.
std::string OneLine(std::string_view text);
// The same text over lines of its own, each through Printable, the second and later
// ones after `indent` (a view that has room: `hpsearch trial`).
std::string Indented(std::string_view text, std::string_view indent);

// A sparkline of `values` (▁..█, scaled between their min and max; flat: ▄).
std::string Sparkline(const std::vector<double>& values);
// The same on a given scale [lo, hi] (several curves drawn to compare).
std::string Sparkline(const std::vector<double>& values, double lo, double hi);

// Terminal columns `s` takes: UTF-8 code points, East Asian wide ones two (a table
// lines up whatever its cells hold: sparklines, names in any script).
std::size_t DisplayWidth(const std::string& s);

// Prints rows under a header; cells that look numeric are right-aligned, and (with
// `align_decimals`, for columns of one quantity) their decimal points line up. Every
// cell is printed through Printable: a control character in a name or a failure
// reason shows as `\x1b`, never reaches the terminal, never breaks a row.
void PrintTable(std::ostream& out, const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows, bool align_decimals = true);

// RFC 4180 CSV: a header row, then one row per record; fields quoted when needed and
// otherwise exact (CSV is for programs: nothing escaped).
void PrintCsv(std::ostream& out, const std::vector<std::string>& header,
              const std::vector<std::vector<std::string>>& rows);

}  // namespace hpsearch::client
