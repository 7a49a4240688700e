// BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP (list_family.cc), BZPOPMIN, BZPOPMAX, BZMPOP and CLIENT
// UNBLOCK (blocking_family.cc), as transcripts checked against Debian's redis-server 7.0.15.
#include <string>

#include "tests/broker/engine_fixture.h"

namespace drayman::testing {
namespace {

class BlockingFamilyTest : public EngineTest {
 protected:
  static std::string Output(Client* client) {
    std::string out;
    out.swap(client->output());
    return out;
  }
};

constexpr char kWrongType[] =
    "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";

TEST_F(BlockingFamilyTest, TimeoutArgumentErrors) {
  EXPECT_EQ(Run("BLPOP k -1"), "-ERR timeout is negative\r\n");
  EXPECT_EQ(Run("BLPOP k -0.5"), "-ERR timeout is negative\r\n");
  EXPECT_EQ(Run("BLPOP k abc"), "-ERR timeout is not a float or out of range\r\n");
  EXPECT_EQ(Run("BLPOP k nan"), "-ERR timeout is not a float or out of range\r\n");
  EXPECT_EQ(Run("BLPOP k 0.5s"), "-ERR timeout is not a float or out of range\r\n");
  EXPECT_EQ(Run("BLPOP k \" 1\""), "-ERR timeout is not a float or out of range\r\n");
  EXPECT_EQ(Run("BLPOP k \"\""), "-ERR timeout is not a float or out of range\r\n");
  // Redis 7.0 casts milliseconds beyond int64 (infinity included) to a negative number.
  EXPECT_EQ(Run("BLPOP k inf"), "-ERR timeout is negative\r\n");
  EXPECT_EQ(Run("BLPOP k 1e400"), "-ERR timeout is negative\r\n");
  EXPECT_EQ(Run("BLPOP k 9223372036854775807"), "-ERR timeout is negative\r\n");
  EXPECT_EQ(Run("BLPOP k"), "-ERR wrong number of arguments for 'blpop' command\r\n");
  EXPECT_EQ(Run("BRPOP k x"), "-ERR timeout is not a float or out of range\r\n");
  EXPECT_EQ(engine_->blocked_clients().blocked_count(), 0u);
}

TEST_F(BlockingFamilyTest, TimeoutsAreFloatSecondsRoundedUpToMilliseconds) {
  const int64_t start = clock_.NowMs();
  struct Case {
    const char* timeout;
    int64_t deadline;  // 0 = forever
  } cases[] = {
      {"1", start + 1000},
      {"0.5", start + 500},
      {"1e+2", start + 100000},
      {".5", start + 500},
      {"1.", start + 1000},
      {"+1", start + 1000},
      {"0x10", start + 16000},
      {"0.0001", start + 1},
      {"1e-300", start + 1},
      {"0.0015", start + 2},
      {"0", 0},
      {"-0", 0},
      {"-0.0001", 0},  // rounds up to -0: forever, as in Redis
      {"1724003600.5678232", start + 1724003600568},
  };
  for (const Case& c : cases) {
    Client* waiter = NewClient();
    EXPECT_EQ(RunOn(waiter, std::string("BLPOP k ") + c.timeout), "") << c.timeout;
    EXPECT_EQ(engine_->NextBlockingDeadline(), c.deadline) << c.timeout;
    engine_->Disconnect(waiter);
  }
}

TEST_F(BlockingFamilyTest, TinyTimeoutExpiresInsteadOfBlockingForever) {
  Client* waiter = NewClient();
  EXPECT_EQ(RunOn(waiter, "BLPOP k 0.001"), "");
  clock_.AdvanceMs(1);
  engine_->TimeOutBlockedClients();
  EXPECT_EQ(Output(waiter), "*-1\r\n");
}

TEST_F(BlockingFamilyTest, HugeTimeoutNeverFires) {
  Client* waiter = NewClient();
  EXPECT_EQ(RunOn(waiter, "BLPOP k 9223372036854775.807"), "");
  clock_.AdvanceMs(int64_t{1} << 50);
  engine_->TimeOutBlockedClients();
  EXPECT_EQ(Output(waiter), "");
  EXPECT_TRUE(waiter->blocked);
}

TEST_F(BlockingFamilyTest, BlmoveAndBlmpopArgumentErrors) {
  EXPECT_EQ(Run("BLMOVE a b UP RIGHT 0"), "-ERR syntax error\r\n");
  EXPECT_EQ(Run("BLMOVE a b LEFT DOWN 0"), "-ERR syntax error\r\n");
  EXPECT_EQ(Run("BLMOVE a b UP RIGHT x"), "-ERR syntax error\r\n");  // direction first
  EXPECT_EQ(Run("BLMOVE a b LEFT RIGHT x"), "-ERR timeout is not a float or out of range\r\n");
  EXPECT_EQ(Run("BLMOVE a b left right -1"), "-ERR timeout is negative\r\n");
  EXPECT_EQ(Run("BRPOPLPUSH a b x"), "-ERR timeout is not a float or out of range\r\n");
  EXPECT_EQ(Run("BLMPOP 0 0 a LEFT"), "-ERR numkeys should be greater than 0\r\n");
  EXPECT_EQ(Run("BLMPOP 0 -1 a LEFT"), "-ERR numkeys should be greater than 0\r\n");
  EXPECT_EQ(Run("BLMPOP 0 x a LEFT"), "-ERR numkeys should be greater than 0\r\n");
  EXPECT_EQ(Run("BLMPOP x 0 a LEFT"), "-ERR numkeys should be greater than 0\r\n");
  EXPECT_EQ(Run("BLMPOP 0 99999999999999999999 a LEFT"),
            "-ERR numkeys should be greater than 0\r\n");
  EXPECT_EQ(Run("BLMPOP 0 9223372036854775807 a LEFT"), "-ERR syntax error\r\n");
  EXPECT_EQ(Run("BLMPOP 0 2 a LEFT"), "-ERR syntax error\r\n");
  EXPECT_EQ(Run("BLMPOP 0 3 a LEFT"), "-ERR syntax error\r\n");
  EXPECT_EQ(Run("BLMPOP 0 1 a UP"), "-ERR syntax error\r\n");
  EXPECT_EQ(Run("BLMPOP x 1 a UP"), "-ERR syntax error\r\n");
  EXPECT_EQ(Run("BLMPOP 0 1 a LEFT extra"), "-ERR syntax error\r\n");
  EXPECT_EQ(Run("BLMPOP 0 1 a LEFT COUNT"), "-ERR syntax error\r\n");
  EXPECT_EQ(Run("BLMPOP 0 1 a LEFT COUNT 0"), "-ERR count should be greater than 0\r\n");
  EXPECT_EQ(Run("BLMPOP 0 1 a LEFT COUNT -1"), "-ERR count should be greater than 0\r\n");
  EXPECT_EQ(Run("BLMPOP 0 1 a LEFT COUNT x"), "-ERR count should be greater than 0\r\n");
  EXPECT_EQ(Run("BLMPOP x 1 a LEFT COUNT 0"), "-ERR count should be greater than 0\r\n");
  EXPECT_EQ(Run("BLMPOP 0 1 a LEFT COUNT 1 COUNT 2"), "-ERR syntax error\r\n");
  EXPECT_EQ(Run("BLMPOP -1 1 a LEFT"), "-ERR timeout is negative\r\n");
  EXPECT_EQ(Run("BLMPOP x 1 a LEFT"), "-ERR timeout is not a float or out of range\r\n");
  EXPECT_EQ(Run("BLMPOP 0 1 a"), "-ERR wrong number of arguments for 'blmpop' command\r\n");
}

TEST_F(BlockingFamilyTest, RowsMatchRedis) {
  // COMMAND INFO as redis-server 7.0.15 reports these rows.
  const CommandSpec* blpop = engine_->commands().Find("blpop");
  ASSERT_NE(blpop, nullptr);
  EXPECT_EQ(blpop->arity, -3);
  EXPECT_EQ(CommandFlagNames(blpop->flags),
            (std::vector<std::string_view>{"write", "noscript", "blocking"}));
  EXPECT_EQ(blpop->AclCategories(),
            (std::vector<std::string>{"@write", "@list", "@slow", "@blocking"}));
  EXPECT_EQ(blpop->KeyIndexes({"BLPOP", "a", "b", "0"}), (std::vector<int>{1, 2}));
  const CommandSpec* blmove = engine_->commands().Find("blmove");
  EXPECT_EQ(CommandFlagNames(blmove->flags),
            (std::vector<std::string_view>{"write", "denyoom", "noscript", "blocking"}));
  EXPECT_EQ(blmove->KeyIndexes({"BLMOVE", "a", "b", "LEFT", "LEFT", "0"}),
            (std::vector<int>{1, 2}));
  const CommandSpec* blmpop = engine_->commands().Find("blmpop");
  EXPECT_EQ(CommandFlagNames(blmpop->flags),
            (std::vector<std::string_view>{"write", "blocking", "movablekeys"}));
  const CommandSpec* client = engine_->commands().Find("client");
  ASSERT_NE(client, nullptr);
  const CommandSpec* unblock = engine_->commands().FindSubcommand(*client, "unblock");
  ASSERT_NE(unblock, nullptr);
  EXPECT_EQ(unblock->full_name, "client|unblock");
  EXPECT_EQ(CommandFlagNames(unblock->flags),
            (std::vector<std::string_view>{"admin", "noscript", "loading", "stale"}));
  EXPECT_EQ(unblock->AclCategories(),
            (std::vector<std::string>{"@admin", "@slow", "@dangerous", "@connection"}));
}

TEST_F(BlockingFamilyTest, BlmpopNamesItsKeysForDispatch) {
  const CommandSpec* spec = engine_->commands().Find("blmpop");
  ASSERT_NE(spec, nullptr);
  EXPECT_EQ(spec->KeyIndexes({"BLMPOP", "0", "2", "a", "b", "LEFT"}), (std::vector<int>{3, 4}));
  EXPECT_EQ(spec->KeyIndexes({"BLMPOP", "0", "x", "a", "LEFT"}), std::vector<int>{});
  EXPECT_EQ(spec->KeyIndexes({"BLMPOP", "0", "5", "a", "LEFT"}), std::vector<int>{});
}

TEST_F(BlockingFamilyTest, InsideMultiBlockingCommandsAnswerAsTimedOut) {
  EXPECT_EQ(Run("MULTI"), "+OK\r\n");
  EXPECT_EQ(Run("BLMOVE a b LEFT RIGHT 0"), "+QUEUED\r\n");
  EXPECT_EQ(Run("BRPOPLPUSH a b 0"), "+QUEUED\r\n");
  EXPECT_EQ(Run("BLPOP a 0"), "+QUEUED\r\n");
  EXPECT_EQ(Run("BLMPOP 0 2 a b LEFT COUNT 2"), "+QUEUED\r\n");
  EXPECT_EQ(Run("EXEC"), "*4\r\n$-1\r\n$-1\r\n*-1\r\n*-1\r\n");
  EXPECT_FALSE(client_->blocked);
  EXPECT_EQ(engine_->blocked_clients().blocked_count(), 0u);

  Resp3();
  EXPECT_EQ(Run("MULTI"), "+OK\r\n");
  EXPECT_EQ(Run("BLMOVE a b LEFT RIGHT 0"), "+QUEUED\r\n");
  EXPECT_EQ(Run("BRPOP a 0"), "+QUEUED\r\n");
  EXPECT_EQ(Run("EXEC"), "*2\r\n_\r\n_\r\n");
}

TEST_F(BlockingFamilyTest, TheScriptClientNeverBlocks) {
  Client* script = NewClient();
  script->is_script_client = true;
  EXPECT_EQ(RunOn(script, "BLPOP k 0"), "*-1\r\n");
  EXPECT_EQ(RunOn(script, "BRPOPLPUSH a b 0"), "$-1\r\n");
  EXPECT_EQ(RunOn(script, "BLMPOP 0 1 k RIGHT"), "*-1\r\n");
  EXPECT_FALSE(script->blocked);
}

TEST_F(BlockingFamilyTest, TimeoutRepliesNullArrayInBothProtocols) {
  Client* resp2 = NewClient();
  Client* resp3 = NewClient();
  resp3->reply().set_protocol(Protocol::kResp3);
  for (Client* waiter : {resp2, resp3}) {
    EXPECT_EQ(RunOn(waiter, "BLPOP k 1"), "");
  }
  Client* mover = NewClient();
  EXPECT_EQ(RunOn(mover, "BRPOPLPUSH a b 1"), "");
  Client* multi = NewClient();
  EXPECT_EQ(RunOn(multi, "BLMPOP 1 1 k LEFT"), "");
  clock_.AdvanceMs(1000);
  engine_->TimeOutBlockedClients();
  EXPECT_EQ(Output(resp2), "*-1\r\n");
  EXPECT_EQ(Output(resp3), "_\r\n");
  EXPECT_EQ(Output(mover), "*-1\r\n");  // a timed-out BLMOVE answers a null array too
  EXPECT_EQ(Output(multi), "*-1\r\n");
}

TEST_F(BlockingFamilyTest, ClientUnblock) {
  Client* waiter = NewClient();
  const std::string id = std::to_string(waiter->id());
  EXPECT_EQ(Run("CLIENT UNBLOCK " + id), ":0\r\n");  // not blocked
  EXPECT_EQ(RunOn(waiter, "BLPOP k 0"), "");
  EXPECT_EQ(Run("CLIENT UNBLOCK " + id), ":1\r\n");
  EXPECT_EQ(Output(waiter), "*-1\r\n");
  EXPECT_FALSE(waiter->blocked);

  EXPECT_EQ(RunOn(waiter, "BLMOVE k j LEFT LEFT 0"), "");
  EXPECT_EQ(Run("CLIENT UNBLOCK " + id + " TiMeOuT"), ":1\r\n");
  EXPECT_EQ(Output(waiter), "*-1\r\n");

  EXPECT_EQ(RunOn(waiter, "BLPOP k 0"), "");
  EXPECT_EQ(Run("CLIENT UNBLOCK " + id + " error"), ":1\r\n");
  EXPECT_EQ(Output(waiter), "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n");
  EXPECT_EQ(engine_->stats().error_counts["UNBLOCKED"], 1u);

  waiter->reply().set_protocol(Protocol::kResp3);
  EXPECT_EQ(RunOn(waiter, "BLPOP k 0"), "");
  EXPECT_EQ(Run("CLIENT UNBLOCK " + id), ":1\r\n");
  EXPECT_EQ(Output(waiter), "_\r\n");
}

TEST_F(BlockingFamilyTest, ClientUnblockErrors) {
  Client* waiter = NewClient();
  const std::string id = std::to_string(waiter->id());
  EXPECT_EQ(RunOn(waiter, "BLPOP k 0"), "");
  EXPECT_EQ(Run("CLIENT UNBLOCK " + id + " foo"),
            "-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n");
  EXPECT_EQ(Run("CLIENT UNBLOCK abc foo"),
            "-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n");
  EXPECT_EQ(Run("CLIENT UNBLOCK abc"), "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(Run("CLIENT UNBLOCK 01"), "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(Run("CLIENT UNBLOCK"),
            "-ERR wrong number of arguments for 'client|unblock' command\r\n");
  EXPECT_EQ(Run("CLIENT UnBlock " + id + " error x"),
            "-ERR unknown subcommand or wrong number of arguments for 'UnBlock'. Try CLIENT "
            "HELP.\r\n");
  EXPECT_EQ(Run("CLIENT UNBLOCK -1"), ":0\r\n");
  EXPECT_EQ(Run("CLIENT UNBLOCK 99999"), ":0\r\n");
  EXPECT_TRUE(waiter->blocked);  // none of these touched it
}

TEST_F(BlockingFamilyTest, UnblockedClientRunsItsPipelinedCommands) {
  Client* waiter = NewClient();
  EXPECT_EQ(Feed("PING\r\nBLPOP k 0\r\nECHO after\r\nPING\r\n", waiter), "+PONG\r\n");
  EXPECT_TRUE(waiter->blocked);
  // More input while blocked waits too.
  EXPECT_EQ(Feed("ECHO later\r\n", waiter), "");
  const int pending_before = observer_.output_pending;
  EXPECT_EQ(Run("CLIENT UNBLOCK " + std::to_string(waiter->id())), ":1\r\n");
  EXPECT_EQ(Output(waiter), "*-1\r\n$5\r\nafter\r\n+PONG\r\n$5\r\nlater\r\n");
  EXPECT_GT(observer_.output_pending, pending_before);  // the transport hears about it
}

TEST_F(BlockingFamilyTest, TimedOutClientRunsItsPipelinedCommandsAndMayBlockAgain) {
  Client* waiter = NewClient();
  EXPECT_EQ(Feed("BLPOP k 1\r\nECHO between\r\nBRPOP k 2\r\nECHO end\r\n", waiter), "");
  clock_.AdvanceMs(1000);
  engine_->TimeOutBlockedClients();
  EXPECT_EQ(Output(waiter), "*-1\r\n$7\r\nbetween\r\n");
  EXPECT_TRUE(waiter->blocked);
  EXPECT_EQ(engine_->NextBlockingDeadline(), clock_.NowMs() + 2000);
  clock_.AdvanceMs(2000);
  engine_->TimeOutBlockedClients();
  EXPECT_EQ(Output(waiter), "*-1\r\n$3\r\nend\r\n");
}

TEST_F(BlockingFamilyTest, ServesAtOnceWhenAListHasElements) {
  EXPECT_EQ(Run("RPUSH l a b c"), ":3\r\n");
  EXPECT_EQ(Run("BLPOP missing l 0"), "*2\r\n$1\r\nl\r\n$1\r\na\r\n");
  EXPECT_EQ(Run("BRPOP missing l 0"), "*2\r\n$1\r\nl\r\n$1\r\nc\r\n");
  EXPECT_EQ(Run("BLMOVE l m RIGHT LEFT 0"), "$1\r\nb\r\n");
  EXPECT_EQ(Run("EXISTS l"), ":0\r\n");
  EXPECT_EQ(Run("BRPOPLPUSH m m 0"), "$1\r\nb\r\n");  // rotation keeps the list
  EXPECT_EQ(Run("LRANGE m 0 -1"), "*1\r\n$1\r\nb\r\n");
  EXPECT_EQ(Run("RPUSH a 1 2 3"), ":3\r\n");
  EXPECT_EQ(Run("BLMPOP 0 1 a LEFT COUNT 2"), "*2\r\n$1\r\na\r\n*2\r\n$1\r\n1\r\n$1\r\n2\r\n");
  EXPECT_EQ(Run("BLMPOP 0 1 a right count 5"), "*2\r\n$1\r\na\r\n*1\r\n$1\r\n3\r\n");
  Resp3();
  EXPECT_EQ(Run("RPUSH a 1 2 3"), ":3\r\n");
  EXPECT_EQ(Run("BLPOP a 0"), "*2\r\n$1\r\na\r\n$1\r\n1\r\n");
  EXPECT_EQ(Run("BLMPOP 0 1 a LEFT COUNT 2"), "*2\r\n$1\r\na\r\n*2\r\n$1\r\n2\r\n$1\r\n3\r\n");
}

TEST_F(BlockingFamilyTest, WrongTypeKeysInPriorityOrder) {
  EXPECT_EQ(Run("SET s x"), "+OK\r\n");
  EXPECT_EQ(Run("RPUSH l a"), ":1\r\n");
  EXPECT_EQ(Run("BLPOP s l 0"), kWrongType);
  EXPECT_EQ(Run("BLMPOP 0 2 zz s LEFT"), kWrongType);
  EXPECT_EQ(Run("BLMOVE s l LEFT LEFT 0"), kWrongType);
  EXPECT_EQ(Run("BLMOVE l s LEFT LEFT 0"), kWrongType);  // destination checked before popping
  EXPECT_EQ(Run("LRANGE l 0 -1"), "*1\r\n$1\r\na\r\n");
  EXPECT_EQ(Run("BLPOP l s 0"), "*2\r\n$1\r\nl\r\n$1\r\na\r\n");  // a ready key comes first
  // An empty source with a string destination blocks (the destination is checked on serve).
  EXPECT_EQ(Run("BLMOVE empty s LEFT LEFT 0.01"), "");
  EXPECT_TRUE(client_->blocked);
}

// At wake-up BLMOVE moves through LMOVE's code: a destination that became a string answers
// WRONGTYPE and leaves the pushed element in the source; a source of another type is not served.
TEST_F(BlockingFamilyTest, BlmoveAtWakeUpChecksTypesAsLmoveDoes) {
  Client* waiter = NewClient();
  EXPECT_EQ(RunOn(waiter, "BLMOVE src dst LEFT RIGHT 0"), "");
  EXPECT_EQ(Run("SET dst x"), "+OK\r\n");
  EXPECT_EQ(Run("RPUSH src a"), ":1\r\n");
  EXPECT_EQ(Output(waiter), kWrongType);
  EXPECT_FALSE(waiter->blocked);
  EXPECT_EQ(Run("LRANGE src 0 -1"), "*1\r\n$1\r\na\r\n");

  EXPECT_EQ(Run("DEL dst"), ":1\r\n");
  EXPECT_EQ(RunOn(waiter, "BLMOVE empty dst LEFT RIGHT 0"), "");
  EXPECT_EQ(Run("MULTI"), "+OK\r\n");
  EXPECT_EQ(Run("RPUSH empty b"), "+QUEUED\r\n");
  EXPECT_EQ(Run("DEL empty"), "+QUEUED\r\n");
  EXPECT_EQ(Run("SET empty s"), "+QUEUED\r\n");
  EXPECT_EQ(Run("EXEC"), "*3\r\n:1\r\n:1\r\n+OK\r\n");
  EXPECT_EQ(Output(waiter), "");  // signalled, but a string: still waiting
  EXPECT_TRUE(waiter->blocked);
}

TEST_F(BlockingFamilyTest, PushesWakeWaitersInArrivalOrder) {
  Client* first = NewClient();
  Client* second = NewClient();
  Client* third = NewClient();
  EXPECT_EQ(RunOn(first, "BLPOP k 0"), "");
  EXPECT_EQ(RunOn(second, "BLPOP k 0"), "");
  EXPECT_EQ(RunOn(third, "BRPOP k 0"), "");
  EXPECT_EQ(Run("RPUSH k 1 2"), ":2\r\n");  // the pusher sees the length before the pops
  EXPECT_EQ(Output(first), "*2\r\n$1\r\nk\r\n$1\r\n1\r\n");
  EXPECT_EQ(Output(second), "*2\r\n$1\r\nk\r\n$1\r\n2\r\n");
  EXPECT_EQ(Output(third), "");
  EXPECT_EQ(Run("EXISTS k"), ":0\r\n");
  EXPECT_EQ(Run("LPUSH k x y"), ":2\r\n");
  EXPECT_EQ(Output(third), "*2\r\n$1\r\nk\r\n$1\r\nx\r\n");
  EXPECT_EQ(Run("LRANGE k 0 -1"), "*1\r\n$1\r\ny\r\n");
}

TEST_F(BlockingFamilyTest, KombuPriorityQueuesPopTheFirstNonEmptyKey) {
  // kombu's queue names per priority: "celery", then "celery" + "\x06\x16" + step.
  const std::string sep = "\x06\x16";
  const std::string p0 = "celery", p3 = p0 + sep + "3", p9 = p0 + sep + "9";
  EXPECT_EQ(RunArgs({"LPUSH", p9, "low"}), ":1\r\n");
  EXPECT_EQ(RunArgs({"LPUSH", p0, "high"}), ":1\r\n");
  EXPECT_EQ(RunArgs({"BRPOP", p0, p3, p9, "1"}), "*2\r\n$6\r\ncelery\r\n$4\r\nhigh\r\n");
  EXPECT_EQ(RunArgs({"BRPOP", p0, p3, p9, "1"}), "*2\r\n$9\r\n" + p9 + "\r\n$3\r\nlow\r\n");
}

TEST_F(BlockingFamilyTest, LmoveWakesAWaiterOnItsDestination) {
  Client* waiter = NewClient();
  EXPECT_EQ(RunOn(waiter, "BLPOP dst 0"), "");
  EXPECT_EQ(Run("RPUSH src v"), ":1\r\n");
  EXPECT_EQ(Run("LMOVE src dst LEFT RIGHT"), "$1\r\nv\r\n");
  EXPECT_EQ(Output(waiter), "*2\r\n$3\r\ndst\r\n$1\r\nv\r\n");
}

TEST_F(BlockingFamilyTest, BlmoveChainResolvesWithinOnePush) {
  Client* a_to_b = NewClient();
  Client* b_to_c = NewClient();
  Client* c_reader = NewClient();
  EXPECT_EQ(RunOn(a_to_b, "BLMOVE a b LEFT RIGHT 0"), "");
  EXPECT_EQ(RunOn(b_to_c, "BLMOVE b c LEFT RIGHT 0"), "");
  EXPECT_EQ(RunOn(c_reader, "BLPOP c 0"), "");
  EXPECT_EQ(Run("LPUSH a x"), ":1\r\n");
  EXPECT_EQ(Output(a_to_b), "$1\r\nx\r\n");
  EXPECT_EQ(Output(b_to_c), "$1\r\nx\r\n");
  EXPECT_EQ(Output(c_reader), "*2\r\n$1\r\nc\r\n$1\r\nx\r\n");
  EXPECT_EQ(Run("KEYS *"), "*0\r\n");
}

TEST_F(BlockingFamilyTest, WokenBlmoveWithAWrongTypeDestinationGetsWrongTypeAndMovesNothing) {
  Client* waiter = NewClient();
  EXPECT_EQ(RunOn(waiter, "BLMOVE src dst LEFT RIGHT 0"), "");
  EXPECT_EQ(Run("SET dst s"), "+OK\r\n");
  EXPECT_EQ(Run("RPUSH src v"), ":1\r\n");
  EXPECT_EQ(Output(waiter), kWrongType);
  EXPECT_FALSE(waiter->blocked);
  EXPECT_EQ(Run("LRANGE src 0 -1"), "*1\r\n$1\r\nv\r\n");
}

TEST_F(BlockingFamilyTest, AKeyOfAnotherTypeKeepsWaitersWaiting) {
  Client* waiter = NewClient();
  EXPECT_EQ(RunOn(waiter, "BLPOP k 0"), "");
  EXPECT_EQ(Run("SET k s"), "+OK\r\n");
  EXPECT_EQ(Output(waiter), "");
  EXPECT_EQ(Run("DEL k"), ":1\r\n");
  EXPECT_EQ(Run("LPUSH k v"), ":1\r\n");
  EXPECT_EQ(Output(waiter), "*2\r\n$1\r\nk\r\n$1\r\nv\r\n");
}

TEST_F(BlockingFamilyTest, PushesInsideExecWakeWaitersAfterTheWholeExec) {
  Client* waiter = NewClient();
  EXPECT_EQ(RunOn(waiter, "BLPOP k1 k2 0"), "");
  EXPECT_EQ(Run("MULTI"), "+OK\r\n");
  EXPECT_EQ(Run("RPUSH k2 x"), "+QUEUED\r\n");
  EXPECT_EQ(Run("LLEN k2"), "+QUEUED\r\n");
  EXPECT_EQ(Run("RPUSH k1 y"), "+QUEUED\r\n");
  // LLEN inside EXEC still sees x: nobody is served until EXEC is done.
  EXPECT_EQ(Run("EXEC"), "*3\r\n:1\r\n:1\r\n:1\r\n");
  // Redis 7.0 serves ready keys in the order they were signalled: k2 first.
  EXPECT_EQ(Output(waiter), "*2\r\n$2\r\nk2\r\n$1\r\nx\r\n");
  EXPECT_EQ(Run("LLEN k1"), ":1\r\n");
}

TEST_F(BlockingFamilyTest, PipelinedCommandsAroundABlockingCommand) {
  Client* waiter = NewClient();
  // The replies before BLPOP are ready to write while it waits; those after it wait with it.
  EXPECT_EQ(Feed("PING\r\nBLPOP k 0\r\nECHO after\r\nGET k\r\n", waiter), "+PONG\r\n");
  EXPECT_EQ(Run("RPUSH k v"), ":1\r\n");
  EXPECT_EQ(Output(waiter), "*2\r\n$1\r\nk\r\n$1\r\nv\r\n$5\r\nafter\r\n$-1\r\n");
}

TEST_F(BlockingFamilyTest, PushFromAPipelineServesBeforeThePushersNextCommand) {
  Client* waiter = NewClient();
  EXPECT_EQ(RunOn(waiter, "BLPOP k 0"), "");
  EXPECT_EQ(Feed("RPUSH k v\r\nLLEN k\r\n"), ":1\r\n:0\r\n");
  EXPECT_EQ(Output(waiter), "*2\r\n$1\r\nk\r\n$1\r\nv\r\n");
}

TEST_F(BlockingFamilyTest, AServedClientsPipelineCanServeAnother) {
  Client* first = NewClient();
  Client* second = NewClient();
  EXPECT_EQ(RunOn(second, "BLPOP relay 0"), "");
  EXPECT_EQ(Feed("BLPOP k 0\r\nRPUSH relay r\r\n", first), "");
  EXPECT_EQ(Run("RPUSH k v"), ":1\r\n");
  EXPECT_EQ(Output(first), "*2\r\n$1\r\nk\r\n$1\r\nv\r\n:1\r\n");
  EXPECT_EQ(Output(second), "*2\r\n$5\r\nrelay\r\n$1\r\nr\r\n");
}

TEST_F(BlockingFamilyTest, DisconnectedWaiterDoesNotConsume) {
  Client* gone = NewClient();
  EXPECT_EQ(RunOn(gone, "BLPOP k 0"), "");
  engine_->Disconnect(gone);
  EXPECT_EQ(Run("RPUSH k v"), ":1\r\n");
  EXPECT_EQ(Run("LLEN k"), ":1\r\n");
}

// --- Sorted sets: BZPOPMIN, BZPOPMAX, BZMPOP (channels_redis's receive path) ---

TEST_F(BlockingFamilyTest, BzpopServesAtOnceInKeyOrder) {
  EXPECT_EQ(Run("ZADD z 1 a 2 b 3.5 c"), ":3\r\n");
  EXPECT_EQ(Run("SET s x"), "+OK\r\n");
  EXPECT_EQ(Run("BZPOPMIN missing z 0"), "*3\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\n1\r\n");
  EXPECT_EQ(Run("BZPOPMAX z s 0"), "*3\r\n$1\r\nz\r\n$1\r\nc\r\n$3\r\n3.5\r\n");
  EXPECT_EQ(Run("BZPOPMIN s z 0"), kWrongType);
  EXPECT_EQ(Run("BZMPOP 0 2 s z MIN"), kWrongType);
  EXPECT_EQ(Run("ZADD z 2.5 d"), ":1\r\n");
  EXPECT_EQ(Run("BZMPOP 0 1 z MAX COUNT 5"),
            "*2\r\n$1\r\nz\r\n*2\r\n*2\r\n$1\r\nd\r\n$3\r\n2.5\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n");
  EXPECT_EQ(Run("EXISTS z"), ":0\r\n");
  Resp3();
  EXPECT_EQ(Run("ZADD z 1.5 a 2 b"), ":2\r\n");
  EXPECT_EQ(Run("BZPOPMIN z 0"), "*3\r\n$1\r\nz\r\n$1\r\na\r\n,1.5\r\n");
  EXPECT_EQ(Run("BZMPOP 0 1 z MAX"), "*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\nb\r\n,2\r\n");
}

TEST_F(BlockingFamilyTest, BzpopArgumentErrors) {
  EXPECT_EQ(Run("BZPOPMIN z -1"), "-ERR timeout is negative\r\n");
  EXPECT_EQ(Run("BZPOPMAX z x"), "-ERR timeout is not a float or out of range\r\n");
  EXPECT_EQ(Run("BZPOPMIN z"), "-ERR wrong number of arguments for 'bzpopmin' command\r\n");
  EXPECT_EQ(Run("BZMPOP 0 0 z MIN"), "-ERR numkeys should be greater than 0\r\n");
  EXPECT_EQ(Run("BZMPOP x 0 z MIN"), "-ERR numkeys should be greater than 0\r\n");
  EXPECT_EQ(Run("BZMPOP x 1 z MID"), "-ERR syntax error\r\n");
  EXPECT_EQ(Run("BZMPOP 0 1 z MIN COUNT 0"), "-ERR count should be greater than 0\r\n");
  EXPECT_EQ(Run("BZMPOP x 1 z MIN"), "-ERR timeout is not a float or out of range\r\n");
  EXPECT_EQ(Run("BZMPOP -1 1 z MIN"), "-ERR timeout is negative\r\n");
  EXPECT_EQ(Run("BZMPOP 0 1 z"), "-ERR wrong number of arguments for 'bzmpop' command\r\n");
  const CommandSpec* bzmpop = engine_->commands().Find("bzmpop");
  ASSERT_NE(bzmpop, nullptr);
  EXPECT_EQ(bzmpop->KeyIndexes({"BZMPOP", "0", "2", "a", "b", "MIN"}), (std::vector<int>{3, 4}));
  const CommandSpec* bzpopmin = engine_->commands().Find("bzpopmin");
  EXPECT_EQ(CommandFlagNames(bzpopmin->flags),
            (std::vector<std::string_view>{"write", "noscript", "blocking", "fast"}));
  EXPECT_EQ(bzpopmin->AclCategories(),
            (std::vector<std::string>{"@write", "@sortedset", "@fast", "@blocking"}));
  EXPECT_EQ(bzmpop->AclCategories(),
            (std::vector<std::string>{"@write", "@sortedset", "@slow", "@blocking"}));
}

TEST_F(BlockingFamilyTest, BzpopTimesOutAndNeverBlocksInsideMulti) {
  Client* waiter = NewClient();
  EXPECT_EQ(RunOn(waiter, "BZPOPMIN z 5"), "");
  Client* many = NewClient();
  many->reply().set_protocol(Protocol::kResp3);
  EXPECT_EQ(RunOn(many, "BZMPOP 5 1 z MIN"), "");
  clock_.AdvanceMs(5000);
  engine_->TimeOutBlockedClients();
  EXPECT_EQ(Output(waiter), "*-1\r\n");
  EXPECT_EQ(Output(many), "_\r\n");
  EXPECT_EQ(Run("MULTI"), "+OK\r\n");
  EXPECT_EQ(Run("BZPOPMAX z 0"), "+QUEUED\r\n");
  EXPECT_EQ(Run("BZMPOP 0 1 z MIN"), "+QUEUED\r\n");
  EXPECT_EQ(Run("EXEC"), "*2\r\n*-1\r\n*-1\r\n");
}

TEST_F(BlockingFamilyTest, ZaddWakesBzpopminWaitersInOrder) {
  // channels_redis: each consumer waits in BZPOPMIN on its channel; a send is a ZADD.
  Client* first = NewClient();
  Client* second = NewClient();
  EXPECT_EQ(RunOn(first, "BZPOPMIN asgi:inbox 5"), "");
  EXPECT_EQ(RunOn(second, "BZPOPMAX asgi:inbox 5"), "");
  EXPECT_EQ(Run("ZADD asgi:inbox 1700000000.25 m1 1700000001.5 m2 1700000002 m3"), ":3\r\n");
  EXPECT_EQ(Output(first), "*3\r\n$10\r\nasgi:inbox\r\n$2\r\nm1\r\n$13\r\n1700000000.25\r\n");
  EXPECT_EQ(Output(second), "*3\r\n$10\r\nasgi:inbox\r\n$2\r\nm3\r\n$10\r\n1700000002\r\n");
  EXPECT_EQ(Run("ZCARD asgi:inbox"), ":1\r\n");
}

TEST_F(BlockingFamilyTest, ZaddInsideExecWakesBzmpop) {
  Client* waiter = NewClient();
  EXPECT_EQ(RunOn(waiter, "BZMPOP 0 2 a b MIN COUNT 2"), "");
  EXPECT_EQ(Run("MULTI"), "+OK\r\n");
  EXPECT_EQ(Run("ZADD b 3 x 1 y 2 z"), "+QUEUED\r\n");
  EXPECT_EQ(Run("EXEC"), "*1\r\n:3\r\n");
  EXPECT_EQ(Output(waiter),
            "*2\r\n$1\r\nb\r\n*2\r\n*2\r\n$1\r\ny\r\n$1\r\n1\r\n*2\r\n$1\r\nz\r\n$1\r\n2\r\n");
}

TEST_F(BlockingFamilyTest, AListDoesNotWakeASortedSetWaiter) {
  Client* zset_waiter = NewClient();
  Client* list_waiter = NewClient();
  EXPECT_EQ(RunOn(zset_waiter, "BZPOPMIN k 0"), "");
  EXPECT_EQ(RunOn(list_waiter, "BLPOP k 0"), "");
  EXPECT_EQ(Run("RPUSH k v"), ":1\r\n");  // the zset waiter came first but cannot take it
  EXPECT_EQ(Output(zset_waiter), "");
  EXPECT_EQ(Output(list_waiter), "*2\r\n$1\r\nk\r\n$1\r\nv\r\n");
  EXPECT_EQ(Run("ZADD k 1 m"), ":1\r\n");
  EXPECT_EQ(Output(zset_waiter), "*3\r\n$1\r\nk\r\n$1\r\nm\r\n$1\r\n1\r\n");
}

// LMPOP, BLMPOP's non-blocking twin; expected bytes recorded from redis-server 7.0.15.
TEST_F(BlockingFamilyTest, LmpopPopsFromTheFirstNonEmptyListOrAnswersNull) {
  EXPECT_EQ(Run("RPUSH a 1 2 3"), ":3\r\n");
  EXPECT_EQ(Run("LMPOP 2 x a LEFT"), "*2\r\n$1\r\na\r\n*1\r\n$1\r\n1\r\n");
  EXPECT_EQ(Run("LMPOP 2 x a RIGHT COUNT 5"), "*2\r\n$1\r\na\r\n*2\r\n$1\r\n3\r\n$1\r\n2\r\n");
  EXPECT_EQ(Run("EXISTS a"), ":0\r\n");
  EXPECT_EQ(Run("LMPOP 1 a LEFT"), "*-1\r\n");
  EXPECT_EQ(Run("LMPOP 0 a LEFT"), "-ERR numkeys should be greater than 0\r\n");
  EXPECT_EQ(Run("LMPOP x a LEFT"), "-ERR numkeys should be greater than 0\r\n");
  EXPECT_EQ(Run("LMPOP 2 a LEFT"), "-ERR syntax error\r\n");
  EXPECT_EQ(Run("LMPOP 1 a MIDDLE"), "-ERR syntax error\r\n");
  EXPECT_EQ(Run("LMPOP 1 a LEFT COUNT 0"), "-ERR count should be greater than 0\r\n");
  EXPECT_EQ(Run("LMPOP 1 a LEFT COUNT"), "-ERR syntax error\r\n");
  EXPECT_EQ(Run("LMPOP 1 a"), "-ERR wrong number of arguments for 'lmpop' command\r\n");
  EXPECT_EQ(Run("SET s v"), "+OK\r\n");
  EXPECT_EQ(Run("LMPOP 1 s LEFT"),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  Resp3();
  EXPECT_EQ(Run("LMPOP 1 missing LEFT"), "_\r\n");
}

}  // namespace
}  // namespace drayman::testing
