// CLUSTER, ASKING, READONLY and READWRITE as redis-server 7.0.15 answers them with cluster
// support disabled (tests/python/test_command_surface_oracle.py compares them with Redis).
#include "tests/broker/engine_fixture.h"

namespace drayman::testing {
namespace {

constexpr std::string_view kDisabled = "-ERR This instance has cluster support disabled\r\n";

class ClusterFamilyTest : public EngineTest {};

TEST_F(ClusterFamilyTest, EverySubcommandIsRefusedAfterItsArityCheck) {
  EXPECT_EQ(Run("CLUSTER INFO"), kDisabled);
  EXPECT_EQ(Run("CLUSTER HELP"), kDisabled);
  EXPECT_EQ(Run("cluster keyslot foo"), kDisabled);
  EXPECT_EQ(Run("CLUSTER ADDSLOTSRANGE 1 2"), kDisabled);
  EXPECT_EQ(Run("CLUSTER"), "-ERR wrong number of arguments for 'cluster' command\r\n");
  EXPECT_EQ(Run("CLUSTER INFO x"), "-ERR wrong number of arguments for 'cluster|info' command\r\n");
  EXPECT_EQ(Run("CLUSTER KEYSLOT"),
            "-ERR wrong number of arguments for 'cluster|keyslot' command\r\n");
  EXPECT_EQ(Run("CLUSTER NOPE"), "-ERR unknown subcommand 'NOPE'. Try CLUSTER HELP.\r\n");
}

TEST_F(ClusterFamilyTest, ConnectionModesAreRefused) {
  EXPECT_EQ(Run("ASKING"), kDisabled);
  EXPECT_EQ(Run("READONLY"), kDisabled);
  EXPECT_EQ(Run("READWRITE"), kDisabled);
  EXPECT_EQ(Run("READONLY x"), "-ERR wrong number of arguments for 'readonly' command\r\n");
  EXPECT_EQ(Run("MULTI"), "+OK\r\n");
  EXPECT_EQ(Run("ASKING"), "+QUEUED\r\n");
  EXPECT_EQ(Run("EXEC"), std::string("*1\r\n") + std::string(kDisabled));
}

TEST_F(ClusterFamilyTest, TheContainerListsRedisSubcommands) {
  const CommandSpec* cluster = engine_->commands().Find("cluster");
  ASSERT_NE(cluster, nullptr);
  EXPECT_EQ(cluster->subcommands.size(), 27u);
  EXPECT_EQ(Run("COMMAND INFO cluster|reset"),
            "*1\r\n*10\r\n$13\r\ncluster|reset\r\n:-2\r\n*3\r\n+admin\r\n+noscript\r\n+stale\r\n"
            ":0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*0\r\n*0\r\n*0\r\n");
}

}  // namespace
}  // namespace drayman::testing
