// CommandTable lookups (case-insensitive, ASCII only, as Redis's command dict), the key
// positions dispatch signals without building a vector, and the refusal of a name registered
// twice.
#include "broker/command/command_table.h"

#include <gtest/gtest.h>

#include <stdexcept>
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

// A second row for a name must not replace the first (registration order would decide).
TEST(CommandTableRegistrationTest, DuplicateCommandThrows) {
  CommandTable table;
  table.Add({.name = "get", .arity = 2});
  try {
    table.Add({.name = "GET", .arity = 3});
    FAIL() << "a duplicate registration was accepted";
  } catch (const std::logic_error& error) {
    EXPECT_STREQ(error.what(), "command 'get' is registered twice");
  }
  EXPECT_EQ(table.Find("get")->arity, 2);
  EXPECT_EQ(table.size(), 1u);
}

TEST(CommandTableRegistrationTest, DuplicateSubcommandThrows) {
  CommandTable table;
  table.Add({.name = "client", .arity = -2});
  table.AddSubcommand("client", {.name = "id", .arity = 2});
  try {
    table.AddSubcommand("CLIENT", {.name = "ID", .arity = 3});
    FAIL() << "a duplicate subcommand was accepted";
  } catch (const std::logic_error& error) {
    EXPECT_STREQ(error.what(), "command 'client|id' is registered twice");
  }
  EXPECT_EQ(table.FindSubcommand(*table.Find("client"), "id")->arity, 2);
}

TEST(CommandTableRegistrationTest, SubcommandOfUnregisteredContainerThrows) {
  CommandTable table;
  try {
    table.AddSubcommand("client", {.name = "unblock", .arity = -3});
    FAIL() << "a subcommand without its container was accepted";
  } catch (const std::logic_error& error) {
    EXPECT_STREQ(error.what(),
                 "subcommand 'unblock' added to 'client', which is not registered (yet)");
  }
}

// Every family registers into one table without a clash (the fixture would have thrown).
TEST(CommandTableRegistrationTest, AllFamiliesRegisterEachNameOnce) {
  CommandTable table;
  EXPECT_NO_THROW(RegisterAllFamilies(table));
  EXPECT_NE(table.Find("client"), nullptr);
  EXPECT_NE(table.FindSubcommand(*table.Find("client"), "unblock"), nullptr);
}

}  // namespace
}  // namespace drayman
