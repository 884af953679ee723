// The small UCI datasets (iris, wine, breast_cancer, digits, diabetes), compiled into
// the binary from data/*.csv so no install path is needed at run time.
#pragma once

#include <string_view>

namespace hpsearch::data {

// The CSV text of a built-in dataset, or "" when `name` is not one.
std::string_view BuiltinCsv(std::string_view name);

}  // namespace hpsearch::data
