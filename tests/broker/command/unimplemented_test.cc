#include "broker/command/unimplemented.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "broker/command/command_table.h"
#include "tests/broker/engine_fixture.h"

namespace drayman {
namespace {

using testing::EngineTest;

class UnimplementedTest : public EngineTest {};

// A command that gets implemented must leave the list: its row would hide nothing, but the
// list would then lie about what Drayman lacks.
TEST_F(UnimplementedTest, NoRowNamesAnImplementedCommand) {
  const CommandTable& table = engine_->commands();
  for (const UnimplementedCommand& row : UnimplementedCommands()) {
    const std::string name = row.full_name;
    const size_t bar = name.find('|');
    const CommandSpec* spec = table.Find(name.substr(0, bar));
    if (spec != nullptr && bar != std::string::npos) {
      spec = table.FindSubcommand(*spec, name.substr(bar + 1));
    }
    EXPECT_EQ(spec, nullptr) << name;
  }
}

TEST_F(UnimplementedTest, FindsCommandsAndSubcommandsCaseInsensitively) {
  ASSERT_NE(FindUnimplemented({"SyNc"}), nullptr);
  EXPECT_STREQ(FindUnimplemented({"RePlConf", "ack", "0"})->full_name, "replconf");
  EXPECT_EQ(FindUnimplemented({"cluster"}), nullptr);
  EXPECT_EQ(FindUnimplemented({"get", "k"}), nullptr);
}

TEST_F(UnimplementedTest, MultiRefusesNoMultiCommandsAsRedis) {
  EXPECT_EQ(Run("MULTI"), "+OK\r\n");
  EXPECT_EQ(Run("SYNC"), "-ERR Command not allowed inside a transaction\r\n");
  EXPECT_EQ(Run("PSYNC ? -1"), "-ERR Command not allowed inside a transaction\r\n");
  EXPECT_EQ(Run("PSYNC ?"), "-ERR wrong number of arguments for 'psync' command\r\n");
  EXPECT_EQ(Run("EXEC"), "-EXECABORT Transaction discarded because of previous errors.\r\n");
  // Outside MULTI they stay unknown.
  EXPECT_EQ(Run("SYNC"), "-ERR unknown command 'SYNC', with args beginning with: \r\n");
}

TEST_F(UnimplementedTest, ScriptsGetTheNoscriptText) {
  EXPECT_EQ(Run("EVAL \"return redis.pcall('replicaof','no','one')\" 0"),
            "-ERR This Redis command is not allowed from script\r\n");
  EXPECT_EQ(Run("EVAL \"return redis.pcall('replconf','ack','0')\" 0"),
            "-ERR This Redis command is not allowed from script\r\n");
  EXPECT_EQ(Run("EVAL \"return redis.pcall('wait','0')\" 0"),
            "-ERR Wrong number of args calling Redis command from script\r\n");
  EXPECT_EQ(Run("EVAL \"return redis.pcall('nosuch')\" 0"),
            "-ERR Unknown Redis command called from script\r\n");
}

}  // namespace
}  // namespace drayman
