// A search space from the `parameters:` block of a spec (YAML), for strategy and
// estimator tests that need no dataset or validation.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "search/search_space.h"
#include "search/spec_file.h"

namespace hpsearch::search::test {

inline SearchSpace Space(const std::string& parameters) {
  auto spec = client::ParseSpecYaml("dataset: iris\nparameters:\n" + parameters);
  EXPECT_TRUE(spec.ok()) << spec.status();
  auto space = SearchSpace::Build(*spec);
  EXPECT_TRUE(space.ok()) << space.status();
  return *std::move(space);
}

}  // namespace hpsearch::search::test
