#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "common/util/value_json.h"
#include "tests/testing/status_matchers.h"
#include "worker/data/dataset_loader.h"
#include "worker/data/split.h"

namespace hpsearch::data {
namespace {

using ::hpsearch::testing::StatusIs;

using ::testing::HasSubstr;

DatasetOptions Opt(const std::string& name) {
  DatasetOptions o;
  o.name = name;
  return o;
}

TEST(Dataset, BuiltinSetsLoadWithTheirShapes) {
  struct Want {
    const char* name;
    int rows, features, classes;
  };
  for (Want w : {Want{"iris", 150, 4, 3}, Want{"wine", 178, 13, 3}, Want{"breast_cancer", 569, 30, 2},
                 Want{"digits", 1797, 64, 10}, Want{"diabetes", 442, 10, 0}}) {
    auto d = LoadDataset(Opt(w.name), {});
    ASSERT_TRUE(d.ok()) << w.name << ": " << d.status();
    const Dataset& ds = **d;
    EXPECT_EQ(ds.x.rows() + ds.x_test.rows(), w.rows) << w.name;
    EXPECT_EQ(ds.features(), w.features) << w.name;
    EXPECT_EQ(ds.num_classes, w.classes) << w.name;
    EXPECT_NEAR(static_cast<double>(ds.x_test.rows()) / w.rows, 0.2, 0.02) << w.name;
    EXPECT_EQ(ds.train_rows.size() + ds.val_rows.size(), static_cast<std::size_t>(ds.x.rows()));
  }
}

TEST(Dataset, SyntheticGeneratorsAreSeededAndShaped) {
  for (const char* name : {"spiral", "moons", "circles", "xor", "blobs", "regression"}) {
    DatasetOptions o = Opt(name);
    o.samples = 300;
    auto a = LoadDataset(o, {});
    auto b = LoadDataset(o, {});
    ASSERT_TRUE(a.ok()) << name;
    EXPECT_EQ((*a)->x.rows(), 300) << name;
    EXPECT_TRUE((*a)->x == (*b)->x) << name;
    o.seed = 9;
    auto c = LoadDataset(o, {});
    EXPECT_FALSE((*a)->x == (*c)->x) << name;
  }
  auto r = LoadDataset(Opt("regression"), {});
  EXPECT_EQ((*r)->task, Task::kRegression);
  EXPECT_EQ((*r)->features(), 4);
}

TEST(Split, StratifiedAndDisjoint) {
  std::vector<int32_t> labels, rows;
  for (int i = 0; i < 1000; ++i) {
    labels.push_back(i < 900 ? 0 : 1);
    rows.push_back(i);
  }
  Split s = SplitRows(rows, labels, 0.1, 3);
  EXPECT_EQ(s.held.size(), 100u);
  int minority = 0;
  for (int32_t r : s.held) minority += labels[r];
  EXPECT_EQ(minority, 10);  // 10% of each class
  std::vector<int32_t> all = s.kept;
  all.insert(all.end(), s.held.begin(), s.held.end());
  std::sort(all.begin(), all.end());
  EXPECT_EQ(all, rows);
}

// Images keep their shape for convolutional layers; tabular data stays flat.
TEST(Dataset, ImagesKeepTheirShapeAndTablesStayFlat) {
  auto digits = LoadDataset(Opt("digits"), {});
  ASSERT_TRUE(digits.ok()) << digits.status();
  EXPECT_TRUE((*digits)->is_image());
  EXPECT_EQ((*digits)->image(), (nn::ImageShape{1, 8, 8}));
  EXPECT_EQ((*digits)->image().size(), (*digits)->features());
  for (const char* flat : {"iris", "spiral"}) {
    auto d = LoadDataset(Opt(flat), {});
    ASSERT_TRUE(d.ok()) << flat << ": " << d.status();
    EXPECT_FALSE((*d)->is_image()) << flat;
    EXPECT_EQ((*d)->image(), (nn::ImageShape{})) << flat;
  }
}

TEST(Dataset, FashionMnistFromDebianPackage) {
  DatasetOptions o = Opt("fashion-mnist");
  o.samples = 2000;
  auto d = LoadDataset(o, {});
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ((*d)->x.rows(), 2000);
  EXPECT_EQ((*d)->features(), 784);
  EXPECT_EQ((*d)->x_test.rows(), 10000);
  EXPECT_EQ((*d)->image(), (nn::ImageShape{1, 28, 28}));
  EXPECT_GE((*d)->x.minCoeff(), 0.0f);
  EXPECT_LE((*d)->x.maxCoeff(), 1.0f);
  EXPECT_NEAR(static_cast<double>((*d)->val_rows.size()), 200.0, 10.0);  // per-class rounding
}

TEST(Dataset, MissingFashionDirSaysWhatToInstall) {
  DataEnvironment env;
  env.fashion_mnist_dir = "/nonexistent";
  auto d = LoadDataset(Opt("fashion-mnist"), env);
  ASSERT_FALSE(d.ok());
  EXPECT_THAT(std::string(d.status().message()), HasSubstr("dataset-fashion-mnist"));
}

class DataDir : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() / ("hpsearch_data_" + std::to_string(::getpid()) + "_" +
                                                      ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(root_ / "data" / "sub");
    std::ofstream(root_ / "data" / "sub" / "ok.csv") << "a,b,y\n1,2,p\n3,4,q\n5,6,p\n7,8,q\n";
    std::ofstream(root_ / "secret.csv") << "a,y\n1,p\n2,q\n";
    std::filesystem::create_symlink(root_ / "secret.csv", root_ / "data" / "link.csv");
    env_.data_dir = (root_ / "data").string();
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  std::filesystem::path root_;
  DataEnvironment env_;
};

TEST_F(DataDir, PathsAreConfinedToTheDataDirectory) {
  EXPECT_TRUE(ResolveDataPath("sub/ok.csv", env_).ok());
  EXPECT_THAT(ResolveDataPath("../secret.csv", env_), StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(ResolveDataPath("sub/../../secret.csv", env_), StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(ResolveDataPath((root_ / "secret.csv").string(), env_), StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(ResolveDataPath("link.csv", env_), StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(ResolveDataPath("/dev/zero", env_), StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(ResolveDataPath("sub", env_), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ResolveDataPath("nope.csv", env_), StatusIs(absl::StatusCode::kNotFound));
  DatasetOptions o = Opt("csv");
  o.path = "sub/ok.csv";
  o.validation = 0.25;
  auto d = LoadDataset(o, env_);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ((*d)->num_classes, 2);
}

TEST(DatasetCache, LoadsOnceAndShares) {
  DatasetCache cache({});
  DatasetOptions o = Opt("spiral");
  std::vector<std::shared_ptr<const Dataset>> got(4);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) threads.emplace_back([&, i] { got[i] = *cache.Get(o); });
  for (auto& t : threads) t.join();
  for (auto& g : got) EXPECT_EQ(g.get(), got[0].get());
  DatasetOptions bad = Opt("csv");
  bad.path = "/nonexistent.csv";
  EXPECT_FALSE(cache.Get(bad).ok());
}

TEST(DatasetOptions, ParseErrorsNameTheField) {
  auto e = [](const char* j) {
    return std::string(vocabulary::DatasetFromFields(*ParamsFromJson(nlohmann::json::parse(j))).status().message());
  };
  EXPECT_THAT(e(R"({"name": "fashion_mnist"})"), HasSubstr("did you mean 'fashion-mnist'"));
  EXPECT_THAT(e(R"({"name": "iris", "validaton": 0.2})"),
              HasSubstr("dataset.validaton: unknown key (did you mean 'validation'?)"));
  EXPECT_THAT(e(R"({"name": "iris", "validation": 1.5})"), HasSubstr("dataset.validation: must be in [0, 0.9]"));
  EXPECT_THAT(e(R"({"name": "csv"})"), HasSubstr("dataset.path: is required"));
  EXPECT_THAT(e(R"({"validation": 0.1})"), HasSubstr("dataset.name: is required"));
}

}  // namespace
}  // namespace hpsearch::data
