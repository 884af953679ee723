// A command's argv template: placeholders found, refused and filled.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/protocol/command.h"

namespace hpsearch {
namespace {

using ::testing::HasSubstr;

TEST(CommandTemplate, FindsEachPlaceholderAndTheLiteralBraces) {
  EXPECT_EQ(*Placeholders("--lr={lr}"), (std::vector<std::string>{"lr"}));
  EXPECT_EQ(*Placeholders("{a}{b_2}x{_c}"), (std::vector<std::string>{"a", "b_2", "_c"}));
  EXPECT_EQ(*Placeholders("{{\"json\": {{}}}}"), std::vector<std::string>{});
  for (const auto& [text, message] :
       std::vector<std::pair<std::string, std::string>>{{"{lr", "'{' is never closed"},
                                                        {"lr}", "a lone '}'"},
                                                        {"{}", "is not a placeholder"},
                                                        {"{1x}", "is not a placeholder"},
                                                        {"{learning rate}", "is not a placeholder"}}) {
    auto p = Placeholders(text);
    ASSERT_FALSE(p.ok()) << text;
    EXPECT_THAT(std::string(p.status().message()), HasSubstr(message)) << text;
  }
}

TEST(CommandTemplate, FillsValuesAsArgumentsAreWritten) {
  EXPECT_EQ(ArgumentText(Value("adam")), "adam");
  EXPECT_EQ(ArgumentText(Value(0.001)), "0.001");
  EXPECT_EQ(ArgumentText(Value(int64_t{64})), "64");
  EXPECT_EQ(ArgumentText(Value(true)), "true");
  EXPECT_EQ(ArgumentText(Value(Value::List{Value(int64_t{256}), Value(int64_t{128})})), "[256,128]");
  const std::map<std::string, std::string> v = {{"lr", "0.01"}, {"opt", "sgd"}};
  EXPECT_EQ(Fill("--lr={lr}", v), "--lr=0.01");
  EXPECT_EQ(Fill("{opt}-{lr}-{gone}", v), "sgd-0.01-");  // an inactive conditional: empty
  EXPECT_EQ(Fill("{{{lr}}}", v), "{0.01}");
}

}  // namespace
}  // namespace hpsearch
