// What the CLI prints of the server's strings (item 11): tables escape every control
// character, and SafeOutput under std::cout and std::cerr escapes whatever a view
// forgot — except the CLI's own control sequence.
#include "client/safe_output.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>

#include "client/format.h"
#include "nlohmann/json.hpp"

namespace hpsearch::client {
namespace {

using namespace std::string_literals;
using ::testing::HasSubstr;
using ::testing::Not;

std::string Through(SafeOutput::Mode mode, const std::vector<std::string>& writes) {
  std::ostringstream sink;
  {
    SafeStream safe(sink, mode);
    for (const auto& w : writes) sink << w << std::flush;
  }
  return sink.str();
}

TEST(SafeOutput, TextEscapesControlsButKeepsLinesAndTabs) {
  EXPECT_EQ(Through(SafeOutput::Mode::kText, {"s-000001 evil\x1b]0;owned\x07 name\n", "a\tb\n"}),
            "s-000001 evil\\x1b]0;owned\\x07 name\na\tb\n");
  EXPECT_EQ(Through(SafeOutput::Mode::kText, {"cr\rnul\0x"s,
                                              "\xc2\x9b"
                                              "c1 \xe2\x80\xae"
                                              "bidi \xff\n"}),
            "cr\\x0dnul\\x00x\\u{9b}c1 \\u{202e}bidi \\xff\n");
  // A character split between two writes is held until it is whole.
  EXPECT_EQ(Through(SafeOutput::Mode::kText, {"caf\xc3", "\xa9 \xe2\x80", "\xae!"}), "café \\u{202e}!");
  // Cut short at the end: escaped, not lost.
  EXPECT_EQ(Through(SafeOutput::Mode::kText, {"end\xe2\x80"}), "end\\xe2\\x80");
}

TEST(SafeOutput, JsonStaysTheSameDocument) {
  const nlohmann::json j = {{"name",
                             "a\x1b"
                             "b\x7f"
                             "c\xc2\x9b"
                             "d\xe2\x80\xae"
                             "e\xf3\xa0\x80\x81"
                             "f é"}};
  const std::string out = Through(SafeOutput::Mode::kJson, {j.dump(2) + "\n"});
  EXPECT_EQ(nlohmann::json::parse(out), j);
  EXPECT_THAT(out, HasSubstr("\\u001b"));
  EXPECT_THAT(out, HasSubstr("\\u007f"));
  EXPECT_THAT(out, HasSubstr("\\u009b"));
  EXPECT_THAT(out, HasSubstr("\\u202e"));
  EXPECT_THAT(out, HasSubstr("\\udb40\\udc01"));  // U+E0001 as a surrogate pair
  EXPECT_THAT(out, HasSubstr("f é"));
  for (const char* raw : {"\x1b", "\x7f", "\xc2\x9b", "\xe2\x80\xae"}) EXPECT_THAT(out, Not(HasSubstr(raw)));
}

TEST(SafeOutput, TheCliOwnSequencePassesOnlyThroughWriteControl) {
  std::ostringstream sink;
  {
    SafeStream safe(sink, SafeOutput::Mode::kText);
    sink << "progress";
    WriteControl(sink, "\r\033[K");
    sink << "name \r\033[K spoof\n";
  }
  EXPECT_EQ(sink.str(), "progress\r\033[Kname \\x0d\\x1b[K spoof\n");
  std::ostringstream plain;  // no SafeOutput under it: written as is
  WriteControl(plain, "\r\033[K");
  EXPECT_EQ(plain.str(), "\r\033[K");
}

TEST(Tables, EveryCellAndHeaderIsPrintable) {
  std::ostringstream out;
  PrintTable(out, {"ID", "NAME\x1b"}, {{"s-000001", "evil\x1b[2J\nnext row\r\0"s}, {"s-000002", "fine"}});
  const std::string text = out.str();
  EXPECT_THAT(text, HasSubstr("evil\\x1b[2J\\x0anext row\\x0d\\x00"));
  EXPECT_THAT(text, HasSubstr("NAME\\x1b"));
  EXPECT_THAT(text, Not(HasSubstr("\x1b")));
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 3);  // a header and two rows, whatever the cells held
  EXPECT_EQ(Cell(nlohmann::json("a\x07")), "a\\x07");
  EXPECT_EQ(Cell(nlohmann::json::array({"x\x1b", 1})), "[x\\x1b, 1]");
}

}  // namespace
}  // namespace hpsearch::client
