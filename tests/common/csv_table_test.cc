#include "common/csv/csv_table.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "common/csv/csv_dataset_check.h"
#include "tests/testing/status_matchers.h"

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
  d.validation = 0;  // three classes of one row each: no validation split is possible
  c = CheckCsvDataset(d, file);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->dataset.task, "classification");
  EXPECT_EQ(c->Summary(), "3 rows, 2 features, 3 classes");
  d.validation = 0.1;
  d.target = "z";
  EXPECT_THAT(std::string(CheckCsvDataset(d, file).status().message()), HasSubstr("data/r.csv:1: no column named 'z'"));
  std::remove(file.c_str());
}

// A 20 KB field is quoted as 80 characters, and a line past 1 MiB is refused by its
// number: an error message stays small enough for gRPC's metadata (item 9).
TEST(CsvTable, MessagesQuoteAtMostEightyCharactersAndLinesAreBounded) {
  const std::string field(20'000, 'q');
  const std::string message = Error("a,b,y\n1,2,x\n3," + field + ",z\n");
  EXPECT_THAT(message, HasSubstr("in.csv:3: column 'b' (2): not a number: 'qqqq"));
  EXPECT_LT(message.size(), 300u);
  EXPECT_THAT(Error("a,y\n\x1b[2J,x\n2,y\n"), HasSubstr("not a number: '\\x1b[2J'"));  // no raw ESC
  const std::string header(20'000, 'h');
  EXPECT_LT(Error("a," + header + "\n1,k\n2,k\n").size(), 300u);
  EXPECT_LT(Error("a,y\n1,x\n", {"missing_" + header, ""}).size(), 300u);

  const std::string line(kMaxCsvLineBytes + 1, '7');
  EXPECT_THAT(Error("a,y\n1,x\n" + line + "\n"),
              HasSubstr("in.csv:3: the line is longer than 1048576 bytes (1048577)"));
  const std::string longest = std::string(kMaxCsvLineBytes - 3, ' ') + "7,x";
  EXPECT_TRUE(ReadCsvTable("a,y\n" + longest + "\n1,y\n", "in.csv", {}).ok());
}

// What the trainer could not split is refused before any trial runs (item 14): the
// message names the file, its rows and the fraction.
TEST(CsvDatasetCheck, RefusesATableTooSmallToSplit) {
  const std::string file = ::testing::TempDir() + "/csv_split_test.csv";
  vocabulary::DatasetOptions d;
  d.name = "csv";
  d.path = "tiny.csv";
  const auto check = [&](const std::string& text) {
    std::ofstream(file) << text;
    return CheckCsvDataset(d, file).status();
  };
  EXPECT_THAT(check("a,y\n1,p\n2,q\n"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("tiny.csv: 2 rows are too few to split: validation 0.1 holds out no row")));
  EXPECT_THAT(check("a,y\n1,0.5\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("tiny.csv: 1 row is too few to split")));
  EXPECT_TRUE(check("a,y\n1,p\n2,q\n3,p\n").ok());  // class p gives validation one of its two rows
  EXPECT_TRUE(check("a,y\n1,0.5\n2,0.25\n").ok());  // regression: one of two rows
  // A test split asked for must leave rows for training, and `samples` counts.
  d.test = 0.5;
  EXPECT_THAT(check("a,y\n1,0.5\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("leave no row for training")));
  d.test = 0.2;
  EXPECT_THAT(check("a,y\n1,0.5\n2,0.25\n"),  // test takes one of the two rows, validation none of the other
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("validation 0.1 holds out no row")));
  d.test = -1;
  d.samples = 2;
  EXPECT_THAT(check("a,y\n1,p\n2,q\n3,p\n4,q\n"), StatusIs(absl::StatusCode::kInvalidArgument));
  std::remove(file.c_str());
}

}  // namespace
}  // namespace hpsearch::csv
