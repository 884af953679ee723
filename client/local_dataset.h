// `hpsearch plan` checks a spec's CSV file the way the server will at submit, when
// it can see the file here: the same reader (data/csv_table), the same messages, and
// the task inferred so the objective shown is the one the sweep will use.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "search/spec.h"

namespace hpsearch::client {

// For a csv dataset: looks for `dataset.path` in the current directory, then next to
// the spec file. Found: the file is checked (its error is returned) and the spec's
// `dataset.task` filled in, `note` says what the file holds. Not found: OK, and `note`
// says where plan looked.
absl::Status CheckLocalDataset(search::Spec& spec, const std::string& spec_path, std::string& note);

}  // namespace hpsearch::client
