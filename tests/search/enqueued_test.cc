// EnqueuedConfiguration: given values checked against the search space and typed as
// the space types them; the rest drawn; fixed settings merged.
#include "search/enqueued.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "search/spec_file.h"

namespace hpsearch::search {
namespace {

using ::testing::HasSubstr;

SearchSpace Space() {
  auto spec = client::ParseSpecYaml(R"(trainer: external
objective: {metric: loss}
fixed: {epochs: 5}
parameters:
  lr: {min: 1.0e-4, max: 1.0, scale: log}
  units: {min: 16, max: 256, step: 16}
  optimizer: {values: [sgd, momentum]}
  momentum: {min: 0.5, max: 0.99, when: {optimizer: momentum}}
)");
  EXPECT_TRUE(spec.ok()) << spec.status();
  auto space = SearchSpace::Build(*spec);
  EXPECT_TRUE(space.ok()) << space.status();
  return *std::move(space);
}

std::string Error(const Params& given) {
  Rng rng(1);
  auto p = EnqueuedConfiguration(Space(), given, rng);
  return p.ok() ? "" : std::string(p.status().message());
}

TEST(Enqueued, GivenValuesAreKeptTypedAndTheRestDrawn) {
  Rng rng(3);
  auto p = EnqueuedConfiguration(Space(), {{"units", Value(64.0)}, {"optimizer", Value("momentum")}}, rng);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->at("units"), Value(int64_t{64}));  // the wire's 64.0 is the integer range's 64
  EXPECT_EQ(p->at("optimizer"), Value("momentum"));
  EXPECT_EQ(p->at("epochs"), Value(int64_t{5}));
  ASSERT_TRUE(p->contains("lr") && p->contains("momentum"));  // drawn: momentum is active
  EXPECT_GE(p->at("momentum").number(), 0.5);
  auto sgd = EnqueuedConfiguration(Space(), {{"optimizer", Value("sgd")}}, rng);
  ASSERT_TRUE(sgd.ok());
  EXPECT_FALSE(sgd->contains("momentum"));  // inactive: absent
}

TEST(Enqueued, ValuesTheSpaceDoesNotHoldAreRefusedNamingTheParameter) {
  EXPECT_THAT(Error({{"lr", Value(2.0)}}), HasSubstr("params.lr: 2 is outside [0.0001, 1]"));
  EXPECT_THAT(Error({{"units", Value(40.0)}}), HasSubstr("params.units: 40 is not on its step (16 from 16)"));
  EXPECT_THAT(Error({{"optimizer", Value("adam")}}), HasSubstr("params.optimizer: \"adam\" is not one of its values"));
  EXPECT_THAT(Error({{"optimizer", Value("sgd")}, {"momentum", Value(0.9)}}),
              HasSubstr("params.momentum: is inactive"));
  EXPECT_THAT(Error({{"epochs", Value(3.0)}}), HasSubstr("params.epochs: is fixed in the spec"));
  EXPECT_THAT(Error({{"unit", Value(32.0)}}), HasSubstr("params.unit: is not a searched parameter of this sweep"));
  EXPECT_THAT(Error({{"lr", Value("fast")}}), HasSubstr("params.lr: \"fast\" is not a number"));
}

}  // namespace
}  // namespace hpsearch::search
