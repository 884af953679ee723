#include "worker/data/csv_loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include "tests/testing/status_matchers.h"

namespace hpsearch::data {
namespace {

using ::hpsearch::testing::StatusIs;

using ::testing::HasSubstr;

absl::Status Parse(const std::string& text, CsvOptions o = {}) {
  Dataset d;
  return ParseCsv(text, "in.csv", o, d);
}

TEST(Csv, StringLabelsBecomeClassesInOrderOfAppearance) {
  Dataset d;
  ASSERT_TRUE(ParseCsv("a,b,label\n1,2,cat\n3,4,dog\n5,6,cat\n", "x.csv", {}, d).ok());
  EXPECT_EQ(d.task, Task::kClassification);
  EXPECT_EQ(d.num_classes, 2);
  EXPECT_EQ(d.class_names, (std::vector<std::string>{"cat", "dog"}));
  EXPECT_EQ(d.labels, (std::vector<int32_t>{0, 1, 0}));
  EXPECT_FLOAT_EQ(d.x(2, 1), 6.0f);
  EXPECT_EQ(d.feature_names, (std::vector<std::string>{"a", "b"}));
}

TEST(Csv, TargetByNameAndRegressionInference) {
  Dataset d;
  ASSERT_TRUE(ParseCsv("y,a\n0.5,1\n1.25,2\n2.75,3\n", "x.csv", {"y", ""}, d).ok());
  EXPECT_EQ(d.task, Task::kRegression);
  EXPECT_FLOAT_EQ(d.targets(1, 0), 1.25f);
  EXPECT_FLOAT_EQ(d.x(2, 0), 3.0f);
}

TEST(Csv, QuotedFieldsAndCrlf) {
  Dataset d;
  ASSERT_TRUE(ParseCsv("a,\"the, label\"\r\n1,\"x, y\"\r\n2,z\r\n", "q.csv", {}, d).ok());
  EXPECT_EQ(d.class_names[0], "x, y");
}

TEST(Csv, ErrorsNameFileLineAndColumn) {
  auto st = Parse("a,b,c\n1,2,x\n1,oops,y\n");
  EXPECT_THAT(std::string(st.message()), HasSubstr("in.csv:3: column 'b' (2): not a number: 'oops'"));
  st = Parse("a,b,c\n1,2,x\n1,2\n");
  EXPECT_THAT(std::string(st.message()), HasSubstr("in.csv:3: expected 3 columns, found 2"));
  st = Parse("");
  EXPECT_THAT(std::string(st.message()), HasSubstr("empty file"));
  st = Parse("a,b\n");
  EXPECT_THAT(std::string(st.message()), HasSubstr("no data rows"));
  st = Parse("a,b\n1,\"open\n");
  EXPECT_THAT(std::string(st.message()), HasSubstr("in.csv:2: unterminated quote"));
  st = Parse("a,b\n1,x\n2,y\n", {"lable", ""});
  EXPECT_THAT(std::string(st.message()), HasSubstr("no column named 'lable'"));
  st = Parse("a,label\n1,x\n2,y\n", {"labl", ""});
  EXPECT_THAT(std::string(st.message()), HasSubstr("did you mean 'label'"));
  st = Parse("a,b\n1,x\n2,y\n", {"", "regression"});
  EXPECT_THAT(std::string(st.message()), HasSubstr("not numeric"));
  st = Parse("a,b\n1,x\n2,x\n");
  EXPECT_THAT(std::string(st.message()), HasSubstr("single class"));
  st = Parse("a,b\n1,\n");
  EXPECT_THAT(std::string(st.message()), HasSubstr("in.csv:2: column 'b' is empty"));
  st = Parse("a,b\nnan,1\ninf,0\n");
  EXPECT_THAT(std::string(st.message()), HasSubstr("not a number: 'nan'"));
}

TEST(Csv, MissingFile) {
  Dataset d;
  auto st = LoadCsvFile("/nonexistent/file.csv", {}, d);
  EXPECT_THAT(st, StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(std::string(st.message()), HasSubstr("/nonexistent/file.csv"));
}

}  // namespace
}  // namespace hpsearch::data
