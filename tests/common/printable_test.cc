// util/printable.h: what a terminal or a log line may be shown of outside text.
#include "common/util/printable.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "common/util/did_you_mean.h"

namespace hpsearch {
namespace {

using namespace std::string_literals;

TEST(Printable, EscapesControlInvisibleAndInvalidBytes) {
  EXPECT_EQ(Printable("plain text, é, 日本, ✓"), "plain text, é, 日本, ✓");
  EXPECT_EQ(Printable("a\x1b[31mred\x07"), "a\\x1b[31mred\\x07");
  EXPECT_EQ(Printable("nul\0after"s), "nul\\x00after");
  EXPECT_EQ(Printable("cr\r\nlf\ttab\x7f"), "cr\\x0d\\x0alf\\x09tab\\x7f");
  EXPECT_EQ(Printable("c1 \xc2\x9b"), "c1 \\u{9b}");             // U+009B, CSI
  EXPECT_EQ(Printable("bidi \xe2\x80\xae"), "bidi \\u{202e}");   // U+202E
  EXPECT_EQ(Printable("zw\xe2\x80\x8bsp"), "zw\\u{200b}sp");     // U+200B
  EXPECT_EQ(Printable("bom\xef\xbb\xbf"), "bom\\u{feff}");       // U+FEFF
  EXPECT_EQ(Printable("nbsp\xc2\xa0"), "nbsp\\u{a0}");           // U+00A0
  EXPECT_EQ(Printable("tag\xf3\xa0\x80\x81"), "tag\\u{e0001}");  // U+E0001
  EXPECT_EQ(Printable("bad \xff\xc3"), "bad \\xff\\xc3");        // not UTF-8, cut short
  EXPECT_EQ(Printable("overlong \xc0\xaf"), "overlong \\xc0\\xaf");
  EXPECT_EQ(Printable("surrogate \xed\xa0\x80"), "surrogate \\xed\\xa0\\x80");
  // Once is enough: escaping the escaped text changes nothing.
  const std::string once = Printable("x\x1b\xe2\x80\xae\xff\0"s);
  EXPECT_EQ(Printable(once), once);
}

TEST(Printable, QuotedIsBoundedAndPrintable) {
  EXPECT_EQ(Quoted("lr"), "'lr'");
  const std::string big(20'000, 'x');
  const std::string q = Quoted(big);
  EXPECT_EQ(CharCount(q), 82u);  // 80 characters between the quotes, "…" the last of them
  EXPECT_EQ(q.substr(q.size() - 4), "…'");
  EXPECT_EQ(Quoted("a\x1b"), "'a\\x1b'");
}

TEST(Printable, TruncatedKeepsTheStartAndWholeCharacters) {
  EXPECT_EQ(Truncated("short", 10), "short");
  const std::string t = Truncated(std::string(2000, 'a'), 1024);
  EXPECT_EQ(t.size(), 1024u);
  EXPECT_EQ(t.substr(0, 3), "aaa");
  EXPECT_EQ(t.substr(t.size() - 3), "…");
  // Never inside a UTF-8 sequence: 'é' is two bytes.
  std::string accents;
  for (int i = 0; i < 100; ++i) accents += "é";
  const std::string cut = Truncated(accents, 50);
  EXPECT_LE(cut.size(), 50u);
  EXPECT_EQ(Printable(cut), cut);
}

TEST(Printable, LinesKeepTheirNewlinesAndLoseACarriageReturn) {
  EXPECT_EQ(PrintableLines("loading\r\nTraceback\x1b[2J\n\tat x"), "loading\nTraceback\\x1b[2J\n\\x09at x");
  EXPECT_EQ(PrintableLines("one"), "one");
  EXPECT_EQ(PrintableLines(""), "");
  EXPECT_EQ(PrintableLines("a\n"), "a\n");
}

TEST(DidYouMean, HugeWordsCostNothingAndSuggestionsAreQuoted) {
  const std::string huge(1 << 20, 'y');
  EXPECT_EQ(ClosestMatch(huge, {"y", "target", std::string(1 << 20, 'y')}), "");
  EXPECT_EQ(ClosestMatch("targte", {std::string(1 << 20, 't'), "target"}), "target");
  EXPECT_EQ(DidYouMean("optimiser", {"optimizer"}), " (did you mean 'optimizer'?)");
}

TEST(DidYouMean, AnAbbreviationPartByPartWhenNothingIsClose) {
  const std::vector<std::string> metrics = {"train_loss", "train_accuracy", "val_loss", "val_accuracy"};
  EXPECT_EQ(ClosestMatch("val_acc", metrics), "val_accuracy");
  EXPECT_EQ(ClosestMatch("tr_acc", metrics), "train_accuracy");
  EXPECT_EQ(ClosestMatch("val", metrics), "");  // one part for two: none
  EXPECT_EQ(ClosestMatch("acc", metrics), "");  // no part starts a name
  EXPECT_EQ(ClosestMatch("va", metrics), "");   // too short to tell
  EXPECT_EQ(ClosestMatch("opt", {"optimizer", "lr"}), "optimizer");
  EXPECT_EQ(ClosestMatch("l", {"lr", "l2"}), "lr");                   // close by distance first
  EXPECT_EQ(ClosestMatch("bat", {"batch_size"}), "");                 // a part short
  EXPECT_EQ(ClosestMatch("ba_si", {"batch_size", "base_size"}), "");  // two it abbreviates: none
}

}  // namespace
}  // namespace hpsearch
