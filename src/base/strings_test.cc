#include "base/strings.h"

#include <gtest/gtest.h>

namespace faultline {
namespace {

TEST(Strings, ParseIntIsStrict) {
  EXPECT_EQ(ParseInt("42"), 42);
  EXPECT_EQ(ParseInt("-3"), -3);
  EXPECT_FALSE(ParseInt("4x"));
  EXPECT_FALSE(ParseInt(""));
  EXPECT_FALSE(ParseInt("99999999999999999999"));
  EXPECT_EQ(ParseDouble("1.5"), 1.5);
  EXPECT_FALSE(ParseDouble("1.5a"));
}

TEST(Strings, SuggestFindsTyposOnly) {
  std::vector<std::string> keys = {"services", "links", "workload", "faults"};
  EXPECT_EQ(Suggest("servics", keys), "services");
  EXPECT_EQ(Suggest("workoad", keys), "workload");
  EXPECT_FALSE(Suggest("zebra", keys));
}

TEST(Strings, ShellQuote) {
  EXPECT_EQ(ShellQuote("abc"), "abc");
  EXPECT_EQ(ShellQuote("a b"), "'a b'");
  EXPECT_EQ(ShellQuote("it's"), "'it'\\''s'");
  EXPECT_EQ(ShellQuote(""), "''");
}

TEST(Strings, TailLines) {
  EXPECT_EQ(TailLines("a\nb\nc\n", 2), "b\nc\n");
  EXPECT_EQ(TailLines("a\nb", 5), "a\nb");
  EXPECT_EQ(TailLines("", 3), "");
}

TEST(Strings, SplitAndTrim) {
  EXPECT_EQ(Split("a,b,,c", ','), (std::vector<std::string>{"a", "b", "", "c"}));
  EXPECT_EQ(Trim("  x y \n"), "x y");
}

}  // namespace
}  // namespace faultline
