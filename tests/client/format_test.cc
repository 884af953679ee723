// Terminal formatting: display width, tables that line up whatever their cells hold,
// sparklines on a shared scale, the one rule for objective values.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <sstream>

#include "client/format.h"
#include "tests/client/run_cli.h"

namespace hpsearch::client {
namespace {

// Each word as a shell reads it back; one with a control character in $'...', which
// bash reads back to the same bytes.
TEST(Format, ShellWordsReadBackAsTheSameArgument) {
  EXPECT_EQ(ShellWord("train.py"), "train.py");
  EXPECT_EQ(ShellWord(""), "''");
  EXPECT_EQ(ShellWord("it's"), "'it'\\''s'");
  EXPECT_EQ(ShellWord("import x\nprint(1)"), "$'import x\\nprint(1)'");
  EXPECT_EQ(ShellWord("a\tb\\c'd\x1b"), "$'a\\tb\\\\c\\'d\\x1b'");
  const std::string arg = "print('a')\n\tx\\y\x01";
  char script[] = "/tmp/hpsearch-shellword-XXXXXX";
  const int fd = mkstemp(script);
  ASSERT_GE(fd, 0);
  const std::string line = "printf %s " + ShellWord(arg);
  ASSERT_EQ(write(fd, line.data(), line.size()), static_cast<ssize_t>(line.size()));
  close(fd);
  const std::string back = testing::RunShell("bash " + std::string(script)).out;
  unlink(script);
  EXPECT_EQ(back, arg);
}

TEST(Format, DisplayWidthCountsColumnsNotBytes) {
  EXPECT_EQ(DisplayWidth("abc"), 3u);
  EXPECT_EQ(DisplayWidth("▁▄█"), 3u);  // 9 bytes
  EXPECT_EQ(DisplayWidth("é"), 1u);
  EXPECT_EQ(DisplayWidth("日本"), 4u);  // wide
  EXPECT_EQ(DisplayWidth(""), 0u);
}

TEST(Format, TablesLineUpSparklines) {
  std::ostringstream out;
  PrintTable(out, {"KEY", "A", "B"}, {{"curve", "▁▄█", "█"}, {"lr", "x", "y"}}, false);
  std::istringstream lines(out.str());
  std::string header, first, second;
  std::getline(lines, header);
  std::getline(lines, first);
  std::getline(lines, second);
  // Column B starts at the same column on every line.
  EXPECT_EQ(header.find('B'), 12u) << out.str();
  EXPECT_EQ(DisplayWidth(first.substr(0, first.rfind("█"))), 12u) << out.str();
  EXPECT_EQ(second.find('y'), 12u) << out.str();
}

TEST(Format, SparklinesOnASharedScale) {
  EXPECT_EQ(Sparkline({1, 2}), "▁█");        // its own scale
  EXPECT_EQ(Sparkline({1, 2}, 0, 4), "▃▅");  // 1/4 and 2/4 of 7 steps, rounded
  EXPECT_EQ(Sparkline({4, 4}, 0, 4), "██");
  EXPECT_EQ(Sparkline({0.5}, 0.5, 0.5), "▄");  // flat
}

TEST(Format, ObjectivesHaveOnePrecisionRule) {
  EXPECT_EQ(ObjectiveText(0.86), "0.8600");
  EXPECT_EQ(ObjectiveText(0.8624), "0.8624");
  EXPECT_EQ(ObjectiveText(0.862), "0.8620");
  EXPECT_EQ(ObjectiveText(1.992e-06), "1.992e-06");
  EXPECT_EQ(ObjectiveText(2.1e10), "2.100e+10");
  EXPECT_EQ(ObjectiveText(3), "3.000");
}

// A failed program's reason ends with its stderr tail, over several lines.
TEST(Format, MultiLineReasonsReadAsLinesNotEscapes) {
  const std::string reason =
      "the program exited with code 1; the end of its stderr:\nTraceback (most recent call last):\n"
      "  File \"train.py\", line 3\nValueError: depth 6\n";
  EXPECT_EQ(OneLine(reason), "the program exited with code 1; the end of its stderr: … ValueError: depth 6");
  EXPECT_EQ(OneLine("diverged"), "diverged");
  EXPECT_EQ(Indented(reason, "  "),
            "the program exited with code 1; the end of its stderr:\n  Traceback (most recent call last):\n"
            "    File \"train.py\", line 3\n  ValueError: depth 6");  // no empty line at the end
  // Control characters in a line are still escaped.
  EXPECT_EQ(OneLine("a\x1b[2Jb\nc"), "a\\x1b[2Jb … c");
  EXPECT_EQ(Indented("\nx", "> "), "\n> x");
}

}  // namespace
}  // namespace hpsearch::client
