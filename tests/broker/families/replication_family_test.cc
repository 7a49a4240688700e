// WAIT, REPLICAOF and SLAVEOF as a master without replicas answers them (redis-server 7.0.15 with
// no replica is the oracle: tests/python/test_connection_oracle.py compares the same lines).
#include <string>

#include "tests/broker/engine_fixture.h"

namespace drayman::testing {
namespace {

class ReplicationFamilyTest : public EngineTest {
 protected:
  static std::string Output(Client* client) {
    std::string out;
    out.swap(client->output());
    return out;
  }
};

TEST_F(ReplicationFamilyTest, WaitForNoReplicaAnswersAtOnce) {
  EXPECT_EQ(Run("WAIT 0 0"), ":0\r\n");
  EXPECT_EQ(Run("WAIT -1 100"), ":0\r\n");
  EXPECT_EQ(Run("WAIT x 0"), "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(Run("WAIT 1 x"), "-ERR timeout is not an integer or out of range\r\n");
  EXPECT_EQ(Run("WAIT 1 -1"), "-ERR timeout is negative\r\n");
  EXPECT_EQ(Run("WAIT 1"), "-ERR wrong number of arguments for 'wait' command\r\n");
}

TEST_F(ReplicationFamilyTest, WaitForReplicasTimesOutWithZero) {
  Client* waiter = NewClient();
  EXPECT_EQ(RunOn(waiter, "WAIT 1 500"), "");
  EXPECT_TRUE(waiter->blocked);
  EXPECT_EQ(engine_->NextBlockingDeadline(), clock_.NowMs() + 500);
  clock_.AdvanceMs(499);
  engine_->TimeOutBlockedClients();
  EXPECT_EQ(Output(waiter), "");
  clock_.AdvanceMs(1);
  engine_->TimeOutBlockedClients();
  EXPECT_EQ(Output(waiter), ":0\r\n");
  EXPECT_FALSE(waiter->blocked);
}

TEST_F(ReplicationFamilyTest, WaitWithoutTimeoutEndsByClientUnblock) {
  Client* waiter = NewClient();
  EXPECT_EQ(RunOn(waiter, "WAIT 2 0"), "");
  EXPECT_EQ(engine_->NextBlockingDeadline(), 0);
  EXPECT_EQ(Run("CLIENT UNBLOCK " + std::to_string(waiter->id())), ":1\r\n");
  EXPECT_EQ(Output(waiter), ":0\r\n");
  EXPECT_EQ(RunOn(waiter, "WAIT 2 0"), "");
  EXPECT_EQ(Run("CLIENT UNBLOCK " + std::to_string(waiter->id()) + " ERROR"), ":1\r\n");
  EXPECT_EQ(Output(waiter), "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n");
}

TEST_F(ReplicationFamilyTest, QueuedInMultiTheyRunInExec) {
  EXPECT_EQ(Run("MULTI"), "+OK\r\n");
  EXPECT_EQ(Run("WAIT 0 0"), "+QUEUED\r\n");
  EXPECT_EQ(Run("WAIT 1 0"), "+QUEUED\r\n");  // never blocks inside EXEC
  EXPECT_EQ(Run("REPLICAOF no one"), "+QUEUED\r\n");
  EXPECT_EQ(Run("SLAVEOF NO ONE"), "+QUEUED\r\n");
  EXPECT_EQ(Run("EXEC"), "*4\r\n:0\r\n:0\r\n+OK\r\n+OK\r\n");
}

TEST_F(ReplicationFamilyTest, ReplicaofChecksThePortThenRefuses) {
  EXPECT_EQ(Run("REPLICAOF NO ONE"), "+OK\r\n");
  EXPECT_EQ(Run("REPLICAOF host x"), "-ERR Invalid master port\r\n");
  EXPECT_EQ(Run("SLAVEOF host 65536"), "-ERR Invalid master port\r\n");
  EXPECT_EQ(Run("REPLICAOF 127.0.0.1 6379").substr(0, 37), "-ERR REPLICAOF <host> <port> is not s");
  EXPECT_EQ(Run("ROLE"), "*3\r\n$6\r\nmaster\r\n:0\r\n*0\r\n");
}

// FAILOVER checks its options, then finds no replica to hand over to.
TEST_F(ReplicationFamilyTest, FailoverNeedsReplicas) {
  const std::string no_replicas = "-ERR FAILOVER requires connected replicas.\r\n";
  EXPECT_EQ(Run("FAILOVER"), no_replicas);
  EXPECT_EQ(Run("FAILOVER TO 127.0.0.1 6380 TIMEOUT 100 FORCE"), no_replicas);
  EXPECT_EQ(Run("FAILOVER ABORT"), "-ERR No failover in progress.\r\n");
  EXPECT_EQ(Run("FAILOVER ABORT x"), "-ERR syntax error\r\n");
  EXPECT_EQ(Run("FAILOVER TIMEOUT 0"), "-ERR FAILOVER timeout must be greater than 0\r\n");
  EXPECT_EQ(Run("FAILOVER TIMEOUT x"), "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(Run("FAILOVER TIMEOUT 5 TIMEOUT 5"), "-ERR syntax error\r\n");
  EXPECT_EQ(Run("FAILOVER TO host"), "-ERR syntax error\r\n");
  EXPECT_EQ(Run("FAILOVER TO host port"), "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(Run("FAILOVER FORCE FORCE"), "-ERR syntax error\r\n");
}

}  // namespace
}  // namespace drayman::testing
