// ASCII case helpers: only 'A'..'Z' and 'a'..'z' change or compare equal; other bytes are kept.
#include "broker/base/ascii.h"

#include <gtest/gtest.h>

#include <string>

namespace drayman {
namespace {

TEST(AsciiTest, ToLowerAndToUpperChangeOnlyAsciiLetters) {
  EXPECT_EQ(ToLower("CONFIG|Get"), "config|get");
  EXPECT_EQ(ToUpper("client help"), "CLIENT HELP");
  // '@' and '[' border 'A'..'Z', '`' and '{' border 'a'..'z'; bytes above 0x7f stay.
  EXPECT_EQ(ToLower("@[`{\xC7\xE7"), "@[`{\xC7\xE7");
  EXPECT_EQ(ToUpper("@[`{\xC7\xE7"), "@[`{\xC7\xE7");
  EXPECT_EQ(ToLower(std::string("A\0B", 3)), std::string("a\0b", 3));
}

TEST(AsciiTest, EqualsIgnoreCaseComparesAsciiLettersOnly) {
  EXPECT_TRUE(EqualsIgnoreCase("WithScores", "WITHSCORES"));
  EXPECT_TRUE(EqualsIgnoreCase("", ""));
  EXPECT_FALSE(EqualsIgnoreCase("left", "lef"));
  EXPECT_FALSE(EqualsIgnoreCase("@", "`"));
  EXPECT_FALSE(EqualsIgnoreCase("\xC7", "\xE7"));
}

}  // namespace
}  // namespace drayman
