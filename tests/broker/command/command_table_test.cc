// CommandTable lookups (case-insensitive, ASCII only, as Redis's command dict) and the key
// positions dispatch signals without building a vector.
#include "broker/command/command_table.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "broker/families/families.h"

namespace drayman {
namespace {

class CommandTableTest : public ::testing::Test {
 protected:
  void SetUp() override { RegisterAllFamilies(table_); }
  CommandTable table_;
};

TEST_F(CommandTableTest, FindIgnoresAsciiCaseAtEveryLength) {
  // Names shorter than, equal to and longer than the 8-byte word the lookup lowers at a time.
  for (const std::string name : {"get", "lpush", "rpoplpush", "zrangebyscore", "zremrangebyscore",
                                 "evalsha_ro", "zrevrangebyscore"}) {
    const CommandSpec* lower = table_.Find(name);
    ASSERT_NE(lower, nullptr) << name;
    auto upper_letter = [](char c) {
      return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c;
    };
    std::string mixed = name;
    for (size_t i = 0; i < mixed.size(); i += 2) mixed[i] = upper_letter(mixed[i]);
    EXPECT_EQ(table_.Find(mixed), lower) << mixed;
    std::string upper = name;
    for (char& c : upper) c = upper_letter(c);
    EXPECT_EQ(table_.Find(upper), lower) << upper;
  }
}

TEST_F(CommandTableTest, FindLowersOnlyAsciiLetters) {
  // '@' and '[' sit just outside 'A'..'Z'; their +0x20 neighbours must not match.
  EXPECT_EQ(table_.Find("GE\x54"), table_.Find("get"));
  EXPECT_EQ(table_.Find("GE@"), nullptr);
  EXPECT_EQ(table_.Find("get["), nullptr);
  // A byte above 0x7f whose low seven bits are an uppercase letter is not a letter.
  EXPECT_EQ(table_.Find(std::string("\xC7"
                                    "ET")),
            nullptr);
  EXPECT_EQ(table_.Find(std::string("ZRANGEBYSCOR\xC5")), nullptr);
  EXPECT_EQ(table_.Find(std::string(64, 'A')), nullptr);
  EXPECT_EQ(table_.Find(std::string(65, 'A')), nullptr);
  EXPECT_EQ(table_.Find(""), nullptr);
}

TEST_F(CommandTableTest, ForEachKeyIndexMatchesKeyIndexes) {
  const std::vector<std::vector<std::string>> invocations = {{"set", "k", "v"},
                                                             {"mset", "a", "1", "b", "2"},
                                                             {"del", "a", "b", "c"},
                                                             {"lpush", "q", "x", "y"},
                                                             {"ping"},
                                                             {"zunionstore", "d", "2", "a", "b"},
                                                             {"blpop", "a", "b", "0"},
                                                             {"eval", "return 1", "1", "k"}};
  for (const auto& args : invocations) {
    const CommandSpec* spec = table_.Find(args[0]);
    ASSERT_NE(spec, nullptr) << args[0];
    std::vector<int> visited;
    spec->ForEachKeyIndex(args, [&](int index) { visited.push_back(index); });
    EXPECT_EQ(visited, spec->KeyIndexes(args)) << args[0];
  }
}

}  // namespace
}  // namespace drayman
