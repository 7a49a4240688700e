#include "broker/base/glob.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace drayman {
namespace {

using namespace std::string_view_literals;

struct Case {
  std::string_view pattern;
  std::string_view text;
  bool matches;
};

// Every expectation below is what redis-server 7.0.15 answers for KEYS <pattern> over a database
// holding <text> (generated with a script against the real server, not written by hand).
constexpr Case kRedisCases[] = {
    {"h?llo"sv, "hello"sv, true},
    {"h?llo"sv, "hallo"sv, true},
    {"h?llo"sv, "hllo"sv, false},
    {"h?llo"sv, "heello"sv, false},
    {"h*llo"sv, "hllo"sv, true},
    {"h*llo"sv, "heeeello"sv, true},
    {"h*llo"sv, "hello!"sv, false},
    {"h[ae]llo"sv, "hello"sv, true},
    {"h[ae]llo"sv, "hallo"sv, true},
    {"h[ae]llo"sv, "hillo"sv, false},
    {"h[^e]llo"sv, "hallo"sv, true},
    {"h[^e]llo"sv, "hello"sv, false},
    {"h[^e]llo"sv, "hbllo"sv, true},
    {"h[a-b]llo"sv, "hallo"sv, true},
    {"h[a-b]llo"sv, "hbllo"sv, true},
    {"h[a-b]llo"sv, "hcllo"sv, false},
    {"h[b-a]llo"sv, "hallo"sv, true},
    {"h[b-a]llo"sv, "hbllo"sv, true},
    {"h[b-a]llo"sv, "hcllo"sv, false},
    {"h\\*llo"sv, "h*llo"sv, true},
    {"h\\*llo"sv, "hello"sv, false},
    {"a\\"sv, "a\\"sv, true},
    {"a\\"sv, "a"sv, false},
    {"[abc"sv, "a"sv, true},
    {"[abc"sv, "b"sv, true},
    {"[abc"sv, "ab"sv, false},
    {"[abc"sv, "d"sv, false},
    {"x["sv, "x"sv, false},
    {"x["sv, "x["sv, false},
    {"x["sv, "xa"sv, false},
    {"[a-]"sv, "a"sv, true},
    {"[a-]"sv, "-"sv, false},
    {"[a-]"sv, "]"sv, true},
    {"[a-]"sv, "^"sv, true},
    {"[a-]"sv, "b"sv, false},
    {"[]a]"sv, "]"sv, false},
    {"[]a]"sv, "a"sv, false},
    {"[]a]"sv, "]a]"sv, false},
    {"[]a]"sv, "a]"sv, false},
    {"[\\]]"sv, "]"sv, true},
    {"[\\]]"sv, "\\"sv, false},
    {"[\\"sv, "\\"sv, true},
    {"[\\"sv, "a"sv, false},
    {"[^]"sv, "a"sv, true},
    {"[^]"sv, "]"sv, true},
    {"[^]"sv, "^"sv, true},
    {"[a-\xff]"sv, "b"sv, false},
    {"[a-\xff]"sv, "a"sv, true},
    {"[a-\xff]"sv, "0"sv, true},
    {"[a-\xff]"sv, "\xff"sv, true},
    {"[a-\xff]"sv, "\x80"sv, false},
    {"[a-\xff]"sv, "z"sv, false},
    {"[\x80-\xff]"sv, "\x90"sv, true},
    {"[\x80-\xff]"sv, "a"sv, false},
    {"[\x80-\xff]"sv, "\x80"sv, true},
    {"[\x80-\xff]"sv, "\xff"sv, true},
    {"*a*"sv, "a"sv, true},
    {"*a*"sv, "bab"sv, true},
    {"*a*"sv, "bbb"sv, false},
    {"a*"sv, "a"sv, true},
    {"a*"sv, "ab"sv, true},
    {"a*"sv, "ba"sv, false},
    {"**"sv, ""sv, false},
    {"**"sv, "x"sv, true},
    {"?"sv, ""sv, false},
    {"?"sv, "x"sv, true},
    {"?"sv, "xy"sv, false},
    {"*?*"sv, "x"sv, true},
    {"*?*"sv, ""sv, false},
    {"a["sv, "a"sv, false},
    {"a["sv, "ab"sv, false},
    {"\\"sv, "\\"sv, true},
    {"\\"sv, "a"sv, false},
    {"\\a"sv, "a"sv, true},
    {"\\a"sv, "\\a"sv, false},
    {"*["sv, "a"sv, false},
    {"*["sv, "["sv, false},
    {"[*]"sv, "*"sv, true},
    {"[*]"sv, "a"sv, false},
    {"[?]"sv, "?"sv, true},
    {"[?]"sv, "a"sv, false},
    {"[a\\-z]"sv, "-"sv, true},
    {"[a\\-z]"sv, "b"sv, false},
    {"[a\\-z]"sv, "a"sv, true},
    {"[a\\-z]"sv, "z"sv, true},
};

TEST(GlobTest, MatchesLikeRedisKeys) {
  for (const Case& c : kRedisCases) {
    EXPECT_EQ(GlobMatch(c.pattern, c.text), c.matches)
        << "pattern '" << c.pattern << "' text '" << c.text << "'";
  }
}

TEST(GlobTest, EmptyTextMatchesOnlyTheEmptyPattern) {
  EXPECT_TRUE(GlobMatch("", ""));
  EXPECT_FALSE(GlobMatch("*", ""));
  EXPECT_FALSE(GlobMatch("", "a"));
}

TEST(GlobTest, BinarySafe) {
  EXPECT_TRUE(GlobMatch("a?c"sv, "a\0c"sv));
  EXPECT_TRUE(GlobMatch("a\0*"sv, "a\0xyz"sv));
  EXPECT_FALSE(GlobMatch("a\0*"sv, "a"sv));
  EXPECT_TRUE(GlobMatch("_kombu.binding.*"sv, "_kombu.binding.celery\x06\x16"sv));
}

TEST(GlobTest, NocaseFoldsAsciiOnlyAndFoldsRangeBoundsAfterOrdering) {
  EXPECT_TRUE(GlobMatch("MAX*", "maxmemory", /*nocase=*/true));
  EXPECT_FALSE(GlobMatch("MAX*", "maxmemory"));
  EXPECT_TRUE(GlobMatch("[A-C]x", "bX", true));
  // Redis orders the bounds first ('Z' < 'a'), then folds them to 'z'..'a': an empty range.
  EXPECT_FALSE(GlobMatch("[Z-a]", "z", true));
  EXPECT_FALSE(GlobMatch("[Z-a]", "a", true));
  EXPECT_TRUE(GlobMatch("[Z-a]", "_"));
  // An escaped byte inside a class compares exactly even without case.
  EXPECT_FALSE(GlobMatch("[\\A]", "a", true));
  EXPECT_TRUE(GlobMatch("\\A", "a", true));
  EXPECT_FALSE(GlobMatch("\xc3", "\xe3", true));
}

TEST(GlobTest, MoreThanAThousandNestedStarsNeverMatch) {
  std::string text(1001, 'a');
  text.push_back('b');
  std::string pattern_1000, pattern_1001;
  for (int i = 0; i < 1000; ++i) pattern_1000 += "a*";
  pattern_1001 = pattern_1000 + "a*";
  // 1000 star groups followed by more pattern: fine; the 1001st group is one too deep.
  EXPECT_TRUE(GlobMatch(pattern_1000 + "b", text));
  EXPECT_FALSE(GlobMatch(pattern_1001 + "b", text));
  // A trailing group needs no descent, so it still matches.
  EXPECT_TRUE(GlobMatch(pattern_1001, text));
}

TEST(GlobTest, PathologicalPatternFinishesQuickly) {
  // Backtracking only to the last star keeps this linear-ish instead of exponential.
  std::string text(5000, 'a');
  std::string pattern;
  for (int i = 0; i < 30; ++i) pattern += "*a";
  pattern += "*b";
  EXPECT_FALSE(GlobMatch(pattern, text));
}

}  // namespace
}  // namespace drayman
