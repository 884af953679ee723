#include "csv/csv_table.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "csv/csv_dataset_check.h"
#include "testing/status_matchers.h"

namespace hpsearch::csv {
namespace {

using ::hpsearch::testing::StatusIs;
using ::testing::HasSubstr;

std::string Error(const std::string& text, CsvOptions o = {}) {
  auto t = ReadCsvTable(text, "in.csv", o);
  EXPECT_FALSE(t.ok()) << text;
  return std::string(t.status().message());
}

TEST(CsvTable, InfersTheTaskFromTheTarget) {
  auto t = ReadCsvTable("a,y\n1,0.5\n2,1.5\n3,2.25\n", "x.csv", {});
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_TRUE(t->regression);
  EXPECT_EQ(t->task(), "regression");
  EXPECT_EQ(t->targets, (std::vector<float>{0.5f, 1.5f, 2.25f}));
  // Integers with few distinct values are classes, ordered by value; "1" and "1.0"
  // are one class.
  t = ReadCsvTable("a,y\n1,2\n2,1\n3,1.0\n4,2\n", "x.csv", {});
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->task(), "classification");
  EXPECT_EQ(t->class_names, (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(t->labels, (std::vector<int>{1, 0, 0, 1}));
  EXPECT_EQ(t->features, (std::vector<float>{1, 2, 3, 4}));
  // More distinct integers than kMaxInferredClasses: a regression.
  std::string many = "a,y\n";
  for (std::size_t i = 0; i <= kMaxInferredClasses; ++i) many += std::to_string(i) + "," + std::to_string(i) + "\n";
  t = ReadCsvTable(many, "x.csv", {});
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->regression);
  // The task given wins over inference.
  t = ReadCsvTable("a,y\n1,0.5\n2,1.5\n", "x.csv", {"", "classification"});
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->class_names.size(), 2u);
}

TEST(CsvTable, SaysWhatToDoAboutMissingValuesAndOtherSeparators) {
  EXPECT_THAT(Error("a,b,y\n1,2,x\n,3,z\n"),
              HasSubstr("in.csv:3: column 'a' (1): not a number: '' (missing values are not supported"));
  for (const char* missing : {"NA", "nan", "NULL", "?", "N/A"}) {
    EXPECT_THAT(Error(std::string("a,b,y\n1,") + missing + ",x\n2,3,z\n"), HasSubstr("missing values")) << missing;
  }
  EXPECT_THAT(Error("a,b,y\n1,red,x\n2,3,z\n"), HasSubstr("not a number: 'red' (features must be numeric)"));
  EXPECT_THAT(Error("a,y\n1,\n2,z\n"), HasSubstr("in.csv:2: column 'y' is empty (missing values"));
  EXPECT_THAT(Error("a;b;y\n1;2;x\n"), HasSubstr("in.csv:1: need at least one feature column and a target column "
                                                 "(the header looks ';'-separated"));
  EXPECT_THAT(Error("a\tb\ty\n1\t2\tx\n"), HasSubstr("looks tab-separated"));
  EXPECT_THAT(Error("a\n1\n"), ::testing::EndsWith("a target column"));
  EXPECT_THAT(Error("a,y\n"), HasSubstr("in.csv: no data rows"));
  EXPECT_THAT(Error("a,y\n1,k\n2,k\n"), HasSubstr("single class ('k')"));
}

TEST(CsvTable, FileErrorsNameThePathAsTheUserWroteIt) {
  const std::string file = ::testing::TempDir() + "/csv_table_test.csv";
  std::ofstream(file) << "a,y\n1,x\noops,z\n";
  auto t = ReadCsvTableFile(file, {}, "mine.csv");
  EXPECT_THAT(t, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(std::string(t.status().message()), HasSubstr("mine.csv:3: column 'a'"));
  EXPECT_THAT(std::string(t.status().message()), ::testing::Not(HasSubstr(file)));
  EXPECT_THAT(ReadCsvTableFile("/nonexistent/x.csv", {}, "x.csv"), StatusIs(absl::StatusCode::kNotFound));
  std::remove(file.c_str());
}

TEST(CsvDatasetCheck, FillsInTheInferredTaskAndSummarises) {
  const std::string file = ::testing::TempDir() + "/csv_check_test.csv";
  std::ofstream(file) << "a,b,y\n1,2,0.25\n2,1,0.5\n3,3,0.75\n";
  vocabulary::DatasetOptions d;
  d.name = "csv";
  d.path = "data/r.csv";
  auto c = CheckCsvDataset(d, file);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->dataset.task, "regression");
  EXPECT_EQ(c->dataset.path, "data/r.csv");
  EXPECT_EQ(c->Summary(), "3 rows, 2 features, regression");
  d.target = "a";
  c = CheckCsvDataset(d, file);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->dataset.task, "classification");
  EXPECT_EQ(c->Summary(), "3 rows, 2 features, 3 classes");
  d.target = "z";
  EXPECT_THAT(std::string(CheckCsvDataset(d, file).status().message()),
              HasSubstr("data/r.csv:1: no column named 'z'"));
  std::remove(file.c_str());
}

}  // namespace
}  // namespace hpsearch::csv
