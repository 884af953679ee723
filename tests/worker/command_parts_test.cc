// The pure parts of command trials: the report line protocol and the bounded output.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "worker/runtime/output_tail.h"
#include "worker/runtime/report_line.h"

namespace hpsearch::runtime {
namespace {

using ::testing::HasSubstr;

TEST(ReportLine, ReadsEpochsStepsAndFinalMetrics) {
  auto r = ParseReportLine("epoch=3 val_loss=0.412  val_accuracy=0.871\r");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->kind, ReportLine::Kind::kEpoch);
  EXPECT_EQ(r->epoch, 3);
  EXPECT_EQ(r->metrics, (std::map<std::string, double>{{"val_loss", 0.412}, {"val_accuracy", 0.871}}));
  r = ParseReportLine("step=12000 loss=1e-3 lr=3.0e-4");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->epoch, 12000);
  EXPECT_EQ(r->metrics.at("lr"), 3.0e-4);
  r = ParseReportLine("final test_accuracy=0.88 parameter_count=421642");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->kind, ReportLine::Kind::kFinal);
  EXPECT_EQ(r->metrics.at("parameter_count"), 421642);
  r = ParseReportLine("epoch=1 loss=nan");  // read: the scheduler fails the trial as diverged
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(std::isnan(r->metrics.at("loss")));
}

TEST(ReportLine, RefusesWhatItCannotRead) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"loss=0.4", "needs epoch=N"},
      {"epoch=1 epoch=2 loss=1", "give one of epoch= and step=, once"},
      {"epoch=1 step=2", "give one of epoch= and step=, once"},
      {"epoch=1.5 loss=1", "must be a whole number"},
      {"epoch=-1 loss=1", "must be a whole number"},
      {"epoch=1 loss", "'loss': not key=value"},
      {"epoch=1 loss=abc", "loss='abc': not a number"},
      {"epoch=1 loss=1 loss=2", "loss is given twice"},
      {"epoch=1 val\x1b[31m=1", "metric name 'val\\x1b[31m'"},
      {"epoch=1 " + std::string(100, 'm') + "=1", "is not 1-64 characters"},
      {std::string(20000, 'x'), "at most 16384 bytes"},
  };
  for (const auto& [line, message] : cases) {
    auto r = ParseReportLine(line);
    ASSERT_FALSE(r.ok()) << line;
    EXPECT_THAT(std::string(r.status().message()), HasSubstr(message)) << line;
  }
  std::string many = "epoch=1";
  for (int i = 0; i < 65; ++i) many += " m" + std::to_string(i) + "=1";
  EXPECT_THAT(std::string(ParseReportLine(many).status().message()), HasSubstr("at most 64 metrics"));
}

TEST(ReportLine, StdoutReportsCarryThePrefix) {
  EXPECT_EQ(StdoutReport("hpsearch: epoch=1 loss=2"), std::optional<std::string_view>("epoch=1 loss=2"));
  EXPECT_EQ(StdoutReport("epoch=1 loss=2"), std::nullopt);
  EXPECT_EQ(StdoutReport("hpsearch:epoch=1"), std::nullopt);
}

TEST(OutputTail, KeepsTheLastBytesAndSaysWhatItDropped) {
  OutputTail tail(100);
  std::vector<std::string> lines;
  const auto collect = [&](std::string_view l) { lines.emplace_back(l); };
  tail.Append("first line\nsecond ", collect);
  tail.Append("line\n", collect);
  EXPECT_EQ(lines, (std::vector<std::string>{"first line", "second line"}));
  EXPECT_EQ(tail.Text(), "first line\nsecond line\n");
  for (int i = 0; i < 1000; ++i) tail.Append(std::string(50, 'x') + "\n");
  EXPECT_EQ(tail.total_bytes(), 23u + 1000u * 51u);
  const std::string text = tail.Text();
  EXPECT_THAT(text, HasSubstr("earlier bytes of output dropped"));
  EXPECT_LE(text.size(), 100u + 60u);
  EXPECT_EQ(tail.LastLines(1, 1000), std::string(50, 'x'));
}

TEST(OutputTail, ALineTooLongForAReportIsPassedOnceCut) {
  OutputTail tail(1 << 20);
  std::vector<std::size_t> sizes;
  tail.Append(std::string(OutputTail::kMaxLine + 500, 'y') + "\nshort\n",
              [&](std::string_view l) { sizes.push_back(l.size()); });
  EXPECT_EQ(sizes, (std::vector<std::size_t>{OutputTail::kMaxLine, 5}));
}

}  // namespace
}  // namespace hpsearch::runtime
