#include "client/local_dataset.h"

#include <sys/stat.h>

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "common/csv/csv_dataset_check.h"

namespace hpsearch::client {

namespace {

bool IsRegularFile(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace

absl::Status CheckLocalDataset(search::Spec& spec, const std::string& spec_path, std::string& note) {
  namespace fs = std::filesystem;
  const vocabulary::DatasetOptions& d = spec.dataset;
  if (d.name != "csv" || d.path.empty()) return absl::OkStatus();
  std::vector<std::string> places = {d.path};
  const fs::path beside = fs::path(spec_path).parent_path() / d.path;
  if (!fs::path(d.path).is_absolute() && !fs::path(spec_path).parent_path().empty()) places.push_back(beside.string());
  for (const auto& place : places) {
    if (!IsRegularFile(place)) continue;
    auto checked = csv::CheckCsvDataset(d, place);
    if (!checked.ok()) return checked.status();
    spec.dataset = checked->dataset;
    note = absl::StrCat(place, " checked here: ", checked->Summary());
    return absl::OkStatus();
  }
  note = absl::StrCat("dataset.path '", d.path, "' is not here (looked for ", places.front(),
                      places.size() > 1 ? absl::StrCat(" and ", places.back()) : "",
                      "); the server checks it in its --data-dir at submit");
  return absl::OkStatus();
}

}  // namespace hpsearch::client
