// The propagation stream (broker/persistence/propagator.h) against Redis 7.0's own AOF.
//
// Every expected byte string below is what Debian's redis-server 7.0.15 wrote to its incremental
// AOF (appendonlydir/*.incr.aof, started with --appendonly yes --aof-use-rdb-preamble no
// --appendfsync always) for the same commands, printed by tools/redis_aof_oracle.py, e.g.
//   python3 tools/redis_aof_oracle.py -c 'SET k v EX 100'
// Where Redis wrote an absolute time computed from its own clock (PEXPIREAT, SET ... PXAT), the
// number is the same computation on this test's ManualClock (kNow = 1700000000000 ms); the
// command shape around it is Redis's. Each test notes the oracle lines it came from.
#include "broker/persistence/propagation.h"

#include <string>
#include <string_view>
#include <vector>

#include "tests/broker/engine_fixture.h"

namespace drayman::testing {
namespace {

constexpr int64_t kNow = 1'700'000'000'000;

class RecordingSink : public PropagationSink {
 public:
  void Append(std::string_view resp) override { batches.emplace_back(resp); }
  // Everything appended since the last call, as one string.
  std::string Take() {
    std::string all;
    for (const std::string& batch : batches) all += batch;
    batches.clear();
    return all;
  }
  std::vector<std::string> batches;
};

class PropagationTest : public EngineTest {
 protected:
  PropagationTest() {
    clock_.SetMs(kNow);
    engine_->AddPropagationSink(&sink_);
  }
  ~PropagationTest() override { engine_->RemovePropagationSink(&sink_); }

  // Runs each command on the default client and returns what the sink received for them.
  std::string Stream(std::initializer_list<std::string_view> lines) {
    for (std::string_view line : lines) Run(line);
    return sink_.Take();
  }
  static std::string Output(Client* client) {
    std::string out;
    out.swap(client->output());
    return out;
  }

  RecordingSink sink_;
};

constexpr std::string_view kSelect0 = "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n";
constexpr std::string_view kMulti = "*1\r\n$5\r\nMULTI\r\n";
constexpr std::string_view kExec = "*1\r\n$4\r\nEXEC\r\n";

std::string S(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view part : parts) out += part;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Plain writes, no-ops, SELECT

// oracle: SET k v / SELECT 1 / SET k v / SET k2 v
TEST_F(PropagationTest, WritesAsReceivedWithSelectWhenTheDatabaseChanges) {
  EXPECT_EQ(Stream({"SET k v"}), S({kSelect0, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"}));
  EXPECT_EQ(Stream({"SELECT 1", "SET k v", "SET k2 v"}),
            "*2\r\n$6\r\nSELECT\r\n$1\r\n1\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"
            "*3\r\n$3\r\nSET\r\n$2\r\nk2\r\n$1\r\nv\r\n");
  // The name keeps the case it was sent in (oracle: `set lower 2` -> "set").
  EXPECT_EQ(Stream({"set lower 2"}), "*3\r\n$3\r\nset\r\n$5\r\nlower\r\n$1\r\n2\r\n");
  EXPECT_EQ(sink_.batches.size(), 0u);
}

// oracle: DEL nokey, SPOP nos, RPOP x 0, LTRIM l 0 -1, ZADD z 1 a (again), SETNX sn 1 (again),
// MSETNX a 1 c 3 (a exists), SREM u 9, HDEL h nothere, SETRANGE sr 0 "", MOVE s 2 (gone),
// RENAMENX onto an existing key, COPY onto an existing key: none wrote anything.
TEST_F(PropagationTest, CommandsThatChangeNothingAreNotPropagated) {
  Stream({"RPUSH x 1", "RPUSH l a", "ZADD z 1 a", "SETNX sn 1", "SET a 1", "SADD u 1", "HSET h f 1",
          "SET s 1", "SET s2 1"});
  EXPECT_EQ(Stream({"GET a",          "DEL nokey",       "SPOP nos",       "SPOP nos 3",
                    "RPOP x 0",       "LTRIM l 0 -1",    "ZADD z 1 a",     "SETNX sn 1",
                    "MSETNX a 1 c 3", "SREM u 9",        "HDEL h nothere", "SETRANGE sr 0 \"\"",
                    "MOVE nokey 2",   "RENAMENX s s2",   "COPY s s2",      "LPOP nokey",
                    "ZPOPMIN nokey",  "EXPIRE nokey 10", "PERSIST a",      "GETEX a",
                    "GETDEL nokey",   "SET nob v XX",    "SET a v NX"}),
            "");
}

// oracle: HSET h f 1 twice: Redis counts an overwrite with the same value as a change.
// redis-server 7.0.15's AOF: PFCOUNT is written when it updated the cached cardinality, and
// PFDEBUG TODENSE when it converted.
TEST_F(PropagationTest, PfcountIsWrittenWhenItCachedTheCardinality) {
  EXPECT_EQ(Stream({"PFADD h a"}),
            std::string(kSelect0) + "*3\r\n$5\r\nPFADD\r\n$1\r\nh\r\n$1\r\na\r\n");
  EXPECT_EQ(Stream({"PFCOUNT h"}), "*2\r\n$7\r\nPFCOUNT\r\n$1\r\nh\r\n");
  EXPECT_EQ(Stream({"PFCOUNT h", "PFADD h a"}), "");
  EXPECT_EQ(Stream({"PFDEBUG TODENSE h", "PFDEBUG TODENSE h"}),
            "*3\r\n$7\r\nPFDEBUG\r\n$7\r\nTODENSE\r\n$1\r\nh\r\n");
}

// redis-server 7.0.15's AOF: GEOADD is written as the ZADD it runs (lowercase, options kept).
TEST_F(PropagationTest, GeoaddIsWrittenAsZadd) {
  EXPECT_EQ(Stream({"GEOADD g CH NX 13.361389 38.115556 Palermo"}),
            std::string(kSelect0) +
                "*6\r\n$4\r\nzadd\r\n$1\r\ng\r\n$2\r\nCH\r\n$2\r\nNX\r\n$16\r\n"
                "3479099956230698\r\n$7\r\nPalermo\r\n");
  EXPECT_EQ(Stream({"GEOADD g NX 13.361389 38.115556 Palermo"}), "");
}

TEST_F(PropagationTest, HsetOfTheSameValueIsPropagated) {
  Stream({"HSET h f 1"});
  EXPECT_EQ(Stream({"HSET h f 1"}), "*4\r\n$4\r\nHSET\r\n$1\r\nh\r\n$1\r\nf\r\n$1\r\n1\r\n");
}

TEST_F(PropagationTest, EachSinkTracksItsOwnDatabaseAndStartsWithSelect) {
  Stream({"SELECT 2", "SET a 1"});
  RecordingSink late;
  engine_->AddPropagationSink(&late);
  Run("SET b 2");
  const std::string set_b = "*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n2\r\n";
  EXPECT_EQ(sink_.Take(), set_b);
  EXPECT_EQ(late.Take(), "*2\r\n$6\r\nSELECT\r\n$1\r\n2\r\n" + set_b);
  // Removed and added again: it starts with no database selected.
  engine_->RemovePropagationSink(&late);
  Run("SET c 3");
  EXPECT_EQ(late.Take(), "");
  engine_->AddPropagationSink(&late);
  Run("SET d 4");
  EXPECT_EQ(late.Take(),
            "*2\r\n$6\r\nSELECT\r\n$1\r\n2\r\n*3\r\n$3\r\nSET\r\n$1\r\nd\r\n$1\r\n4\r\n");
  engine_->RemovePropagationSink(&late);
}

// ---------------------------------------------------------------------------------------------
// MULTI / EXEC

// oracle: MULTI / SET a 1 / SET b 2 / EXEC, then MULTI / SET a 1 / EXEC, then MULTI / SET a 1 /
// DEL nokey / EXEC, then MULTI / GET a / EXEC, then MULTI / EXEC.
TEST_F(PropagationTest, ExecWrapsMoreThanOneWriteInMultiExec) {
  Stream({"SET warm 1"});
  EXPECT_EQ(Stream({"MULTI", "SET a 1", "SET b 2", "EXEC"}),
            S({kMulti, "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n",
               "*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n2\r\n", kExec}));
  EXPECT_EQ(sink_.batches.size(), 0u);
  // Redis 7.0 does not wrap a transaction that wrote once.
  EXPECT_EQ(Stream({"MULTI", "SET a 1", "EXEC"}), "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n");
  EXPECT_EQ(Stream({"MULTI", "SET a 1", "DEL nokey", "EXEC"}),
            "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n");
  EXPECT_EQ(Stream({"MULTI", "GET a", "EXEC"}), "");
  EXPECT_EQ(Stream({"MULTI", "EXEC"}), "");
}

TEST_F(PropagationTest, ExecIsOneAppendPerSink) {
  Run("MULTI");
  Run("SET a 1");
  Run("SET b 2");
  Run("EXEC");
  EXPECT_EQ(sink_.batches.size(), 1u);
}

// oracle: SET a 1 / MULTI / SET a 2 / SELECT 3 / SET b 2 / EXEC / SET c 3, then SELECT 0 /
// MULTI / SELECT 5 / SET x 1 / EXEC.
TEST_F(PropagationTest, SelectInsideExecIsWrittenWhereTheDatabaseChanges) {
  Stream({"SET a 1"});
  EXPECT_EQ(Stream({"MULTI", "SET a 2", "SELECT 3", "SET b 2", "EXEC", "SET c 3"}),
            S({kMulti, "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n2\r\n",
               "*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n", "*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n2\r\n",
               kExec, "*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$1\r\n3\r\n"}));
  EXPECT_EQ(Stream({"SELECT 0", "MULTI", "SELECT 5", "SET x 1", "EXEC"}),
            "*2\r\n$6\r\nSELECT\r\n$1\r\n5\r\n*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$1\r\n1\r\n");
  // oracle: a transaction whose first write is in another database selects it before MULTI.
  EXPECT_EQ(Stream({"SELECT 0", "MULTI", "SET p 1", "SET q 2", "EXEC"}),
            S({kSelect0, kMulti, "*3\r\n$3\r\nSET\r\n$1\r\np\r\n$1\r\n1\r\n",
               "*3\r\n$3\r\nSET\r\n$1\r\nq\r\n$1\r\n2\r\n", kExec}));
}

// ---------------------------------------------------------------------------------------------
// Lua scripts: effects replication

// oracle: EVAL "redis.call('set','k','v') redis.call('incr','n')" 0, then the single set, then
// a read-only script.
TEST_F(PropagationTest, ScriptsPropagateTheCommandsTheyRanWrappedInMultiExec) {
  Stream({"SET warm 1"});
  EXPECT_EQ(Stream({"EVAL \"redis.call('set','k','v') redis.call('incr','n')\" 0"}),
            S({kMulti, "*3\r\n$3\r\nset\r\n$1\r\nk\r\n$1\r\nv\r\n",
               "*2\r\n$4\r\nincr\r\n$1\r\nn\r\n", kExec}));
  EXPECT_EQ(sink_.batches.size(), 0u);
  EXPECT_EQ(Stream({"EVAL \"redis.call('set','k','v')\" 0"}),
            "*3\r\n$3\r\nset\r\n$1\r\nk\r\n$1\r\nv\r\n");
  EXPECT_EQ(Stream({"EVAL \"return redis.call('get','k')\" 0"}), "");
  EXPECT_EQ(Stream({"EVAL \"return redis.call('spop','nos')\" 0"}), "");
  // EVALSHA runs the same way (Redis 7.0 never writes the script itself).
  Run("SCRIPT LOAD \"redis.call('set','sha','v')\"");
  EXPECT_EQ(Stream({"EVALSHA ca2df84c188164950c2b654f5bd1fe31ef2ad8b6 0"}),
            "*3\r\n$3\r\nset\r\n$3\r\nsha\r\n$1\r\nv\r\n");
}

// oracle: EVAL "redis.call('select', 4) redis.call('set','k','v') redis.call('select', 0)
// redis.call('set','k2','v')" 0 (run from database 0 after a write in database 0).
TEST_F(PropagationTest, ScriptSelectIsWrittenWhereTheDatabaseChanges) {
  Stream({"SET warm 1"});
  EXPECT_EQ(Stream({"EVAL \"redis.call('select', 4) redis.call('set','k','v') "
                    "redis.call('select', 0) redis.call('set','k2','v')\" 0"}),
            "*2\r\n$6\r\nSELECT\r\n$1\r\n4\r\n*1\r\n$5\r\nMULTI\r\n"
            "*3\r\n$3\r\nset\r\n$1\r\nk\r\n$1\r\nv\r\n*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n"
            "*3\r\n$3\r\nset\r\n$2\r\nk2\r\n$1\r\nv\r\n*1\r\n$4\r\nEXEC\r\n");
}

// oracle: EVAL "redis.call('incrbyfloat','f', '1.5') redis.call('expire','k', 100)" 0;
// EVAL "redis.call('expire','t', -5)" 0; EVAL "redis.call('set','t2','1','EX','10')" 0.
TEST_F(PropagationTest, CommandsInsideScriptsAreRewrittenToo) {
  Stream({"SET k v", "SET t 1"});
  EXPECT_EQ(Stream({"EVAL \"redis.call('incrbyfloat','f', '1.5') "
                    "redis.call('expire','k', 100)\" 0"}),
            S({kMulti, "*4\r\n$3\r\nSET\r\n$1\r\nf\r\n$3\r\n1.5\r\n$7\r\nKEEPTTL\r\n",
               "*3\r\n$9\r\nPEXPIREAT\r\n$1\r\nk\r\n$13\r\n1700000100000\r\n", kExec}));
  EXPECT_EQ(Stream({"EVAL \"redis.call('expire','t', -5)\" 0"}), "*2\r\n$3\r\nDEL\r\n$1\r\nt\r\n");
  EXPECT_EQ(Stream({"EVAL \"redis.call('set','t2','1','EX','10')\" 0"}),
            "*5\r\n$3\r\nSET\r\n$2\r\nt2\r\n$1\r\n1\r\n$4\r\nPXAT\r\n$13\r\n1700000010000\r\n");
}

// oracle: MULTI / EVAL "redis.call('set','k','v') redis.call('set','k3','v')" 0 / SET m 1 / EXEC
TEST_F(PropagationTest, ScriptInsideExecJoinsTheTransaction) {
  Stream({"SET warm 1"});
  EXPECT_EQ(Stream({"MULTI", "EVAL \"redis.call('set','k','v') redis.call('set','k3','v')\" 0",
                    "SET m 1", "EXEC"}),
            S({kMulti, "*3\r\n$3\r\nset\r\n$1\r\nk\r\n$1\r\nv\r\n",
               "*3\r\n$3\r\nset\r\n$2\r\nk3\r\n$1\r\nv\r\n",
               "*3\r\n$3\r\nSET\r\n$1\r\nm\r\n$1\r\n1\r\n", kExec}));
}

// ---------------------------------------------------------------------------------------------
// Blocked clients

// oracle: @b1 BRPOP k 0 & / LPUSH k a b: LPUSH, then RPOP k, each its own unit (no MULTI).
TEST_F(PropagationTest, BlockedPopServedLaterIsWrittenAsThePopAfterTheWakingPush) {
  Client* waiter = NewClient();
  EXPECT_EQ(RunOn(waiter, "BRPOP k 0"), "");
  EXPECT_EQ(Stream({"LPUSH k a b"}),
            S({kSelect0, "*4\r\n$5\r\nLPUSH\r\n$1\r\nk\r\n$1\r\na\r\n$1\r\nb\r\n",
               "*2\r\n$4\r\nRPOP\r\n$1\r\nk\r\n"}));
  EXPECT_EQ(Output(waiter), "*2\r\n$1\r\nk\r\n$1\r\na\r\n");
  // oracle: BLPOP served at once (k still holds b) is LPOP k.
  EXPECT_EQ(RunOn(waiter, "BLPOP k 0"), "*2\r\n$1\r\nk\r\n$1\r\nb\r\n");
  EXPECT_EQ(sink_.Take(), "*2\r\n$4\r\nLPOP\r\n$1\r\nk\r\n");
}

TEST_F(PropagationTest, EachServedClientIsItsOwnBatch) {
  // oracle: @b1 BRPOP k9 0 & / @b2 BRPOP k9 0 & / RPUSH k9 a b c: RPUSH, RPOP, RPOP.
  Client* first = NewClient();
  Client* second = NewClient();
  RunOn(first, "BRPOP k9 0");
  RunOn(second, "BRPOP k9 0");
  Run("RPUSH k9 a b c");
  ASSERT_EQ(sink_.batches.size(), 3u);
  EXPECT_EQ(sink_.batches[0],
            S({kSelect0, "*5\r\n$5\r\nRPUSH\r\n$2\r\nk9\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n"}));
  EXPECT_EQ(sink_.batches[1], "*2\r\n$4\r\nRPOP\r\n$2\r\nk9\r\n");
  EXPECT_EQ(sink_.batches[2], "*2\r\n$4\r\nRPOP\r\n$2\r\nk9\r\n");
  EXPECT_EQ(Output(first), "*2\r\n$2\r\nk9\r\n$1\r\nc\r\n");
  EXPECT_EQ(Output(second), "*2\r\n$2\r\nk9\r\n$1\r\nb\r\n");
}

// oracle: @b1 SELECT 3 / @b1 BRPOP k 0 & / @b2 SELECT 3 / @b2 MULTI / RPUSH k a / SET foo bar /
// EXEC: the whole transaction, then the pop.
TEST_F(PropagationTest, WaiterWokenByExecIsWrittenAfterTheTransaction) {
  Client* waiter = NewClient();
  RunOn(waiter, "SELECT 3");
  RunOn(waiter, "BRPOP k 0");
  EXPECT_EQ(
      Stream({"SELECT 3", "MULTI", "RPUSH k a", "SET foo bar", "EXEC"}),
      "*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n*1\r\n$5\r\nMULTI\r\n"
      "*3\r\n$5\r\nRPUSH\r\n$1\r\nk\r\n$1\r\na\r\n*3\r\n$3\r\nSET\r\n$3\r\nfoo\r\n$3\r\nbar\r\n"
      "*1\r\n$4\r\nEXEC\r\n*2\r\n$4\r\nRPOP\r\n$1\r\nk\r\n");
}

// oracle: @b1 BLMOVE src dst LEFT RIGHT 0 & / RPUSH src 1 2 -> LMOVE src dst left right (Redis's
// own lower-case directions); BLMOVE l d RIGHT LEFT 0 served at once -> LMOVE l d RIGHT LEFT.
TEST_F(PropagationTest, BlmoveIsWrittenAsLmove) {
  Client* waiter = NewClient();
  RunOn(waiter, "BLMOVE src dst LEFT RIGHT 0");
  EXPECT_EQ(Stream({"RPUSH src 1 2"}),
            S({kSelect0, "*4\r\n$5\r\nRPUSH\r\n$3\r\nsrc\r\n$1\r\n1\r\n$1\r\n2\r\n",
               "*5\r\n$5\r\nLMOVE\r\n$3\r\nsrc\r\n$3\r\ndst\r\n$4\r\nleft\r\n$5\r\nright\r\n"}));
  EXPECT_EQ(Output(waiter), "$1\r\n1\r\n");
  Stream({"RPUSH l a b c"});
  EXPECT_EQ(Stream({"BLMOVE l d RIGHT LEFT 0"}),
            "*5\r\n$5\r\nLMOVE\r\n$1\r\nl\r\n$1\r\nd\r\n$5\r\nRIGHT\r\n$4\r\nLEFT\r\n");
  // oracle: LMOVE and RPOPLPUSH are written as received.
  EXPECT_EQ(Stream({"LMOVE l d RIGHT LEFT"}),
            "*5\r\n$5\r\nLMOVE\r\n$1\r\nl\r\n$1\r\nd\r\n$5\r\nRIGHT\r\n$4\r\nLEFT\r\n");
  EXPECT_EQ(Stream({"RPOPLPUSH d l"}), "*3\r\n$9\r\nRPOPLPUSH\r\n$1\r\nd\r\n$1\r\nl\r\n");
}

// oracle: @b1 BRPOPLPUSH src2 dst 0 & / RPUSH src2 1 -> RPOPLPUSH src2 dst; BRPOPLPUSH d l 0 at
// once -> RPOPLPUSH d l.
TEST_F(PropagationTest, BrpoplpushIsWrittenAsRpoplpush) {
  Client* waiter = NewClient();
  RunOn(waiter, "BRPOPLPUSH src2 dst 0");
  EXPECT_EQ(Stream({"RPUSH src2 1"}), S({kSelect0, "*3\r\n$5\r\nRPUSH\r\n$4\r\nsrc2\r\n$1\r\n1\r\n",
                                         "*3\r\n$9\r\nRPOPLPUSH\r\n$4\r\nsrc2\r\n$3\r\ndst\r\n"}));
  EXPECT_EQ(Stream({"BRPOPLPUSH dst l 0"}), "*3\r\n$9\r\nRPOPLPUSH\r\n$3\r\ndst\r\n$1\r\nl\r\n");
}

// oracle: @b1 BZPOPMIN z 0 & / ZADD z 1 a 2 b -> ZPOPMIN z; the same for BZPOPMAX; BZPOPMIN z 0
// served at once -> ZPOPMIN z.
TEST_F(PropagationTest, BzpopIsWrittenAsZpopWithoutCount) {
  Client* waiter = NewClient();
  RunOn(waiter, "BZPOPMIN z 0");
  EXPECT_EQ(
      Stream({"ZADD z 1 a 2 b"}),
      S({kSelect0, "*6\r\n$4\r\nZADD\r\n$1\r\nz\r\n$1\r\n1\r\n$1\r\na\r\n$1\r\n2\r\n$1\r\nb\r\n",
         "*2\r\n$7\r\nZPOPMIN\r\n$1\r\nz\r\n"}));
  RunOn(waiter, "BZPOPMAX z2 0");
  EXPECT_EQ(Stream({"ZADD z2 1 a 2 b"}),
            "*6\r\n$4\r\nZADD\r\n$2\r\nz2\r\n$1\r\n1\r\n$1\r\na\r\n$1\r\n2\r\n$1\r\nb\r\n"
            "*2\r\n$7\r\nZPOPMAX\r\n$2\r\nz2\r\n");
  EXPECT_EQ(Stream({"BZPOPMIN z 0"}), "*2\r\n$7\r\nZPOPMIN\r\n$1\r\nz\r\n");
}

// oracle: @b1 BLMPOP 0 1 l1 LEFT COUNT 5 & / RPUSH l1 a b c -> LPOP l1 3 (the number popped);
// @b1 BLMPOP 0 1 l3 RIGHT & / RPUSH l3 a b c -> RPOP l3 1; LMPOP 1 l2 RIGHT COUNT 2 -> RPOP l2 2.
TEST_F(PropagationTest, BlmpopAndLmpopAreWrittenAsPopWithTheCountPopped) {
  Client* waiter = NewClient();
  RunOn(waiter, "BLMPOP 0 1 l1 LEFT COUNT 5");
  EXPECT_EQ(Stream({"RPUSH l1 a b c"}),
            S({kSelect0, "*5\r\n$5\r\nRPUSH\r\n$2\r\nl1\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n",
               "*3\r\n$4\r\nLPOP\r\n$2\r\nl1\r\n$1\r\n3\r\n"}));
  RunOn(waiter, "BLMPOP 0 1 l3 RIGHT");
  EXPECT_EQ(Stream({"RPUSH l3 a b c"}),
            "*5\r\n$5\r\nRPUSH\r\n$2\r\nl3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n"
            "*3\r\n$4\r\nRPOP\r\n$2\r\nl3\r\n$1\r\n1\r\n");
  Stream({"RPUSH l2 a b c"});
  EXPECT_EQ(Stream({"LMPOP 1 l2 RIGHT COUNT 2"}), "*3\r\n$4\r\nRPOP\r\n$2\r\nl2\r\n$1\r\n2\r\n");
  EXPECT_EQ(Stream({"BLMPOP 0 1 l2 LEFT COUNT 5"}), "*3\r\n$4\r\nLPOP\r\n$2\r\nl2\r\n$1\r\n1\r\n");
  // oracle: LPOP l 5 with fewer elements stays as received.
  Stream({"RPUSH l a b"});
  EXPECT_EQ(Stream({"LPOP l 5"}), "*3\r\n$4\r\nLPOP\r\n$1\r\nl\r\n$1\r\n5\r\n");
}

// oracle: @b1 BZMPOP 0 1 z3 MIN COUNT 5 & / ZADD z3 1 a 2 b -> ZPOPMIN z3 2; ZMPOP 1 z MAX COUNT
// 10 on three members -> ZPOPMAX z 3; ZMPOP 1 z MAX -> ZPOPMAX z 1.
TEST_F(PropagationTest, BzmpopAndZmpopAreWrittenAsZpopWithTheCountPopped) {
  Client* waiter = NewClient();
  RunOn(waiter, "BZMPOP 0 1 z3 MIN COUNT 5");
  EXPECT_EQ(
      Stream({"ZADD z3 1 a 2 b"}),
      S({kSelect0, "*6\r\n$4\r\nZADD\r\n$2\r\nz3\r\n$1\r\n1\r\n$1\r\na\r\n$1\r\n2\r\n$1\r\nb\r\n",
         "*3\r\n$7\r\nZPOPMIN\r\n$2\r\nz3\r\n$1\r\n2\r\n"}));
  Stream({"ZADD z 1 a 2 b 3 c"});
  EXPECT_EQ(Stream({"ZMPOP 1 z MAX"}), "*3\r\n$7\r\nZPOPMAX\r\n$1\r\nz\r\n$1\r\n1\r\n");
  EXPECT_EQ(Stream({"ZMPOP 1 z MAX COUNT 10"}), "*3\r\n$7\r\nZPOPMAX\r\n$1\r\nz\r\n$1\r\n2\r\n");
  Stream({"ZADD z 1 a 2 b 3 c"});
  EXPECT_EQ(Stream({"BZMPOP 0 1 z MAX COUNT 10"}), "*3\r\n$7\r\nZPOPMAX\r\n$1\r\nz\r\n$1\r\n3\r\n");
  // oracle: ZPOPMIN z 10 stays as received.
  Stream({"ZADD z 1 a"});
  EXPECT_EQ(Stream({"ZPOPMIN z 10"}), "*3\r\n$7\r\nZPOPMIN\r\n$1\r\nz\r\n$2\r\n10\r\n");
}

TEST_F(PropagationTest, BlockingCommandThatBlocksWritesNothing) {
  Client* waiter = NewClient();
  RunOn(waiter, "BLPOP empty 0");
  EXPECT_EQ(sink_.Take(), "");
  Client* unblocker = NewClient();
  RunOn(unblocker, "CLIENT UNBLOCK " + std::to_string(waiter->id()));
  EXPECT_EQ(sink_.Take(), "");
}

// ---------------------------------------------------------------------------------------------
// Expiry

// oracle (DEBUG SET-ACTIVE-EXPIRE 0): SET x v PX 100 / sleep / GET x -> DEL x; EXISTS z -> DEL z;
// DEL w2 on an expired key -> DEL w2 once (the command itself deleted nothing).
TEST_F(PropagationTest, LazyExpiryOnAReadIsWrittenAsDel) {
  Stream({"SET x v PX 100", "SET z v PX 100", "SET w2 v PX 100"});
  clock_.AdvanceMs(200);
  EXPECT_EQ(Stream({"GET x"}), "*2\r\n$3\r\nDEL\r\n$1\r\nx\r\n");
  EXPECT_EQ(Stream({"EXISTS z"}), "*2\r\n$3\r\nDEL\r\n$1\r\nz\r\n");
  EXPECT_EQ(Stream({"DEL w2"}), "*2\r\n$3\r\nDEL\r\n$2\r\nw2\r\n");
}

// oracle (active expiry off, keys past their deadline): TTL e1, TYPE e2, OBJECT ENCODING e3 and
// SCAN 0 MATCH e4 each wrote DEL of the key; KEYS e* and MEMORY USAGE e6 wrote nothing.
TEST_F(PropagationTest, ReadsThatExpireAKeyWriteDelAndPeeksDoNot) {
  Stream(
      {"SET e1 v PX 60", "SET e2 v PX 60", "SET e3 v PX 60", "SET e4 v PX 60", "SET e6 v PX 60"});
  clock_.AdvanceMs(200);
  EXPECT_EQ(Stream({"TTL e1"}), "*2\r\n$3\r\nDEL\r\n$2\r\ne1\r\n");
  EXPECT_EQ(Stream({"TYPE e2"}), "*2\r\n$3\r\nDEL\r\n$2\r\ne2\r\n");
  EXPECT_EQ(Stream({"OBJECT ENCODING e3"}), "*2\r\n$3\r\nDEL\r\n$2\r\ne3\r\n");
  EXPECT_EQ(Stream({"SCAN 0 MATCH e4"}), "*2\r\n$3\r\nDEL\r\n$2\r\ne4\r\n");
  EXPECT_EQ(Stream({"KEYS e*", "MEMORY USAGE e6"}), "");
}

// oracle: SET y v PX 100 / sleep / SET y v2 -> MULTI DEL y SET y v2 EXEC; and MULTI / GET w /
// SET other 1 / EXEC -> MULTI DEL w SET other 1 EXEC.
TEST_F(PropagationTest, LazyExpiryDuringAWriteJoinsItsBatch) {
  Stream({"SET y v PX 100", "SET w v PX 100"});
  clock_.AdvanceMs(200);
  EXPECT_EQ(Stream({"SET y v2"}), S({kMulti, "*2\r\n$3\r\nDEL\r\n$1\r\ny\r\n",
                                     "*3\r\n$3\r\nSET\r\n$1\r\ny\r\n$2\r\nv2\r\n", kExec}));
  EXPECT_EQ(Stream({"MULTI", "GET w", "SET other 1", "EXEC"}),
            S({kMulti, "*2\r\n$3\r\nDEL\r\n$1\r\nw\r\n",
               "*3\r\n$3\r\nSET\r\n$5\r\nother\r\n$1\r\n1\r\n", kExec}));
}

// oracle: SET a1 v PX 100 / SET a2 v PX 100 / SELECT 2 / SET a3 v PX 100 / sleep: the active
// cycle wrote SELECT 0, DEL a2, DEL a1, SELECT 2, DEL a3 with no MULTI. (Redis samples keys at
// random, so its order within a database is random; Drayman expires the oldest deadline first.)
TEST_F(PropagationTest, ActiveExpiryWritesEachDelUnwrapped) {
  Stream({"SET a1 v PX 100"});
  clock_.AdvanceMs(1);
  Stream({"SET a2 v PX 100", "SELECT 2", "SET a3 v PX 100", "SELECT 0"});
  clock_.AdvanceMs(500);
  engine_->Cron();
  EXPECT_EQ(sink_.Take(),
            S({kSelect0, "*2\r\n$3\r\nDEL\r\n$2\r\na1\r\n", "*2\r\n$3\r\nDEL\r\n$2\r\na2\r\n",
               "*2\r\n$6\r\nSELECT\r\n$1\r\n2\r\n", "*2\r\n$3\r\nDEL\r\n$2\r\na3\r\n"}));
  engine_->Cron();
  EXPECT_EQ(sink_.Take(), "");
}

// Eviction's hook. oracle (maxmemory below used memory, allkeys-random, then SET x 1): redis
// wrote DEL k10, DEL k31, ... each on its own, then SET x 1, no MULTI.
TEST_F(PropagationTest, PropagateDelIsItsOwnUnit) {
  Run("SET k v");
  Run("SET k2 v");
  sink_.Take();
  engine_->PropagateDel(0, "k");
  ASSERT_EQ(sink_.batches.size(), 1u);
  engine_->PropagateDel(0, "k2");
  ASSERT_EQ(sink_.batches.size(), 2u);
  EXPECT_EQ(sink_.Take(), "*2\r\n$3\r\nDEL\r\n$1\r\nk\r\n*2\r\n$3\r\nDEL\r\n$2\r\nk2\r\n");
}

// ---------------------------------------------------------------------------------------------
// Relative times become absolute

// oracle: EXPIRE a 100 -> PEXPIREAT a <now+100000>; PEXPIRE f 5000 -> PEXPIREAT; EXPIREAT e
// 4102444800 -> PEXPIREAT e 4102444800000; PEXPIREAT as received; EXPIRE e 100 XX keeps XX;
// EXPIREAT e 1, PEXPIREAT f 1, EXPIRE g 0, EXPIRE f -1 -> DEL; PERSIST as received.
TEST_F(PropagationTest, ExpireFamilyIsWrittenAsPexpireatOrDel) {
  Stream({"SET a v", "SET e v", "SET f v", "SET g v", "SET h v"});
  EXPECT_EQ(Stream({"EXPIRE a 100"}),
            "*3\r\n$9\r\nPEXPIREAT\r\n$1\r\na\r\n$13\r\n1700000100000\r\n");
  EXPECT_EQ(Stream({"PEXPIRE a 5000"}),
            "*3\r\n$9\r\nPEXPIREAT\r\n$1\r\na\r\n$13\r\n1700000005000\r\n");
  EXPECT_EQ(Stream({"EXPIREAT e 4102444800"}),
            "*3\r\n$9\r\nPEXPIREAT\r\n$1\r\ne\r\n$13\r\n4102444800000\r\n");
  EXPECT_EQ(Stream({"pexpireat e 4102444800000"}),
            "*3\r\n$9\r\npexpireat\r\n$1\r\ne\r\n$13\r\n4102444800000\r\n");
  EXPECT_EQ(Stream({"EXPIRE e 100 NX"}), "");
  EXPECT_EQ(Stream({"EXPIRE e 100 XX"}),
            "*4\r\n$9\r\nPEXPIREAT\r\n$1\r\ne\r\n$13\r\n1700000100000\r\n$2\r\nXX\r\n");
  EXPECT_EQ(Stream({"PERSIST e"}), "*2\r\n$7\r\nPERSIST\r\n$1\r\ne\r\n");
  EXPECT_EQ(Stream({"EXPIREAT e 1"}), "*2\r\n$3\r\nDEL\r\n$1\r\ne\r\n");
  EXPECT_EQ(Stream({"PEXPIREAT f 1"}), "*2\r\n$3\r\nDEL\r\n$1\r\nf\r\n");
  EXPECT_EQ(Stream({"EXPIRE g 0"}), "*2\r\n$3\r\nDEL\r\n$1\r\ng\r\n");
  EXPECT_EQ(Stream({"EXPIRE h -1"}), "*2\r\n$3\r\nDEL\r\n$1\r\nh\r\n");
}

// oracle: SET e v EX 100, SETEX f 100 v, PSETEX e 100000 v, SET b v EXAT 4102444800, SET b v
// PXAT ..., SET b v XX EX 10 GET (XX dropped) -> SET key value PXAT <ms>; SET b v KEEPTTL as
// received; SET b v XX GET -> SET b v XX; SET c v GET -> SET c v.
TEST_F(PropagationTest, SetWithAnExpiryIsWrittenWithPxat) {
  EXPECT_EQ(Stream({"SET e v EX 100"}),
            S({kSelect0,
               "*5\r\n$3\r\nSET\r\n$1\r\ne\r\n$1\r\nv\r\n$4\r\nPXAT\r\n$13\r\n1700000100000\r\n"}));
  EXPECT_EQ(Stream({"set e v px 100"}),
            "*5\r\n$3\r\nSET\r\n$1\r\ne\r\n$1\r\nv\r\n$4\r\nPXAT\r\n$13\r\n1700000000100\r\n");
  EXPECT_EQ(Stream({"SETEX f 100 v"}),
            "*5\r\n$3\r\nSET\r\n$1\r\nf\r\n$1\r\nv\r\n$4\r\nPXAT\r\n$13\r\n1700000100000\r\n");
  EXPECT_EQ(Stream({"PSETEX e 100000 v"}),
            "*5\r\n$3\r\nSET\r\n$1\r\ne\r\n$1\r\nv\r\n$4\r\nPXAT\r\n$13\r\n1700000100000\r\n");
  EXPECT_EQ(Stream({"SET b v EXAT 4102444800"}),
            "*5\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\nv\r\n$4\r\nPXAT\r\n$13\r\n4102444800000\r\n");
  EXPECT_EQ(Stream({"SET b v KEEPTTL"}),
            "*4\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\nv\r\n$7\r\nKEEPTTL\r\n");
  EXPECT_EQ(Stream({"SET b v PXAT 4102444800000"}),
            "*5\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\nv\r\n$4\r\nPXAT\r\n$13\r\n4102444800000\r\n");
  EXPECT_EQ(Stream({"SET b v XX GET"}), "*4\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\nv\r\n$2\r\nXX\r\n");
  EXPECT_EQ(Stream({"SET b v XX EX 10 GET"}),
            "*5\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\nv\r\n$4\r\nPXAT\r\n$13\r\n1700000010000\r\n");
  EXPECT_EQ(Stream({"SET c v GET"}), "*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$1\r\nv\r\n");
}

// oracle: GETEX d (nothing), GETEX d EX 100 / PX 100000 / EXAT / PXAT -> PEXPIREAT d <ms>;
// GETEX d PERSIST -> PERSIST d when it had a TTL, nothing otherwise.
TEST_F(PropagationTest, GetexIsWrittenAsPexpireatOrPersist) {
  Stream({"SET d v"});
  EXPECT_EQ(Stream({"GETEX d"}), "");
  EXPECT_EQ(Stream({"GETEX d EX 100"}),
            "*3\r\n$9\r\nPEXPIREAT\r\n$1\r\nd\r\n$13\r\n1700000100000\r\n");
  EXPECT_EQ(Stream({"GETEX d PX 100000"}),
            "*3\r\n$9\r\nPEXPIREAT\r\n$1\r\nd\r\n$13\r\n1700000100000\r\n");
  EXPECT_EQ(Stream({"GETEX d EXAT 4102444800"}),
            "*3\r\n$9\r\nPEXPIREAT\r\n$1\r\nd\r\n$13\r\n4102444800000\r\n");
  EXPECT_EQ(Stream({"GETEX d PXAT 4102444800000"}),
            "*3\r\n$9\r\nPEXPIREAT\r\n$1\r\nd\r\n$13\r\n4102444800000\r\n");
  EXPECT_EQ(Stream({"GETEX d PERSIST"}), "*2\r\n$7\r\nPERSIST\r\n$1\r\nd\r\n");
  EXPECT_EQ(Stream({"GETEX d PERSIST"}), "");
}

// oracle: SET d v / GETEX d PXAT 1 -> DEL d (UNLINK only with lazyfree-lazy-expire, which
// Drayman does not offer).
TEST_F(PropagationTest, GetexWithAPastTimeIsWrittenAsDel) {
  Stream({"SET d v"});
  EXPECT_EQ(Stream({"GETEX d PXAT 1"}), "*2\r\n$3\r\nDEL\r\n$1\r\nd\r\n");
}

// ---------------------------------------------------------------------------------------------
// Non-deterministic writes are written as what they did

// oracle: SPOP s -> SREM s <member>; SPOP s 2 -> MULTI SREM s m1, SREM s m2 EXEC (one SREM per
// member, in reply order); SPOP s 10 on fewer members -> DEL s; SPOP s 0 -> nothing.
TEST_F(PropagationTest, SpopIsWrittenAsSremOfThePickedMembers) {
  Stream({"SADD s a b c d e f g"});
  std::string reply = Run("SPOP s");  // $1\r\n<m>\r\n
  ASSERT_EQ(reply.size(), 7u);
  const std::string member = reply.substr(4, 1);
  EXPECT_EQ(sink_.Take(), "*3\r\n$4\r\nSREM\r\n$1\r\ns\r\n$1\r\n" + member + "\r\n");

  reply = Run("SPOP s 2");  // *2\r\n$1\r\n<m1>\r\n$1\r\n<m2>\r\n
  ASSERT_EQ(reply.size(), 18u);
  EXPECT_EQ(sink_.Take(),
            S({kMulti, "*3\r\n$4\r\nSREM\r\n$1\r\ns\r\n$1\r\n", reply.substr(8, 1),
               "\r\n*3\r\n$4\r\nSREM\r\n$1\r\ns\r\n$1\r\n", reply.substr(15, 1), "\r\n", kExec}));
  EXPECT_EQ(Stream({"SPOP s 0"}), "");
  // 3 of 10 members: a count past a fifth of the set takes the keep-a-remainder path.
  Stream({"SADD big 1 2 3 4 5 6 7 8 9 10"});
  reply = Run("SPOP big 3");
  std::string expected(kMulti);
  for (size_t at = reply.find("$", 0); at != std::string::npos; at = reply.find("$", at + 1)) {
    const size_t length_end = reply.find("\r\n", at);
    const std::string value =
        reply.substr(length_end + 2, std::stoul(reply.substr(at + 1, length_end - at - 1)));
    expected += "*3\r\n$4\r\nSREM\r\n$3\r\nbig\r\n$" + std::to_string(value.size()) + "\r\n" +
                value + "\r\n";
  }
  expected += kExec;
  EXPECT_EQ(sink_.Take(), expected);
  EXPECT_EQ(Stream({"SPOP s 10"}), "*2\r\n$3\r\nDEL\r\n$1\r\ns\r\n");
  // oracle: SADD t 1 / SPOP t -> SREM t 1 (not DEL) even when it empties the set.
  Stream({"SADD t 1"});
  EXPECT_EQ(Stream({"SPOP t"}), "*3\r\n$4\r\nSREM\r\n$1\r\nt\r\n$1\r\n1\r\n");
}

// oracle: SET n 10.5 / INCRBYFLOAT n 0.1 -> SET n 10.6 KEEPTTL; INCRBYFLOAT n3 1.0e3 -> SET n3
// 1000 KEEPTTL; incrbyfloat lower 1.5 -> SET (upper case) lower 3.5 KEEPTTL.
TEST_F(PropagationTest, IncrbyfloatIsWrittenAsSetKeepttl) {
  Stream({"SET n 10.5", "SET lower 2"});
  EXPECT_EQ(Stream({"INCRBYFLOAT n 0.1"}),
            "*4\r\n$3\r\nSET\r\n$1\r\nn\r\n$4\r\n10.6\r\n$7\r\nKEEPTTL\r\n");
  EXPECT_EQ(Stream({"INCRBYFLOAT n3 1.0e3"}),
            "*4\r\n$3\r\nSET\r\n$2\r\nn3\r\n$4\r\n1000\r\n$7\r\nKEEPTTL\r\n");
  EXPECT_EQ(Stream({"incrbyfloat lower 1.5"}),
            "*4\r\n$3\r\nSET\r\n$5\r\nlower\r\n$3\r\n3.5\r\n$7\r\nKEEPTTL\r\n");
  // oracle: INCR, INCRBY, DECR, APPEND as received.
  EXPECT_EQ(Stream({"INCR i"}), "*2\r\n$4\r\nINCR\r\n$1\r\ni\r\n");
}

// oracle: HINCRBYFLOAT h f 1.5 -> HSET h f 1.5; HINCRBYFLOAT h f 2.0e2 -> HSET h f 201.5;
// HINCRBY as received.
TEST_F(PropagationTest, HincrbyfloatIsWrittenAsHsetOfTheResult) {
  EXPECT_EQ(Stream({"HINCRBYFLOAT h f 1.5"}),
            S({kSelect0, "*4\r\n$4\r\nHSET\r\n$1\r\nh\r\n$1\r\nf\r\n$3\r\n1.5\r\n"}));
  EXPECT_EQ(Stream({"HINCRBYFLOAT h f 2.0e2"}),
            "*4\r\n$4\r\nHSET\r\n$1\r\nh\r\n$1\r\nf\r\n$5\r\n201.5\r\n");
  EXPECT_EQ(Stream({"HINCRBY h g 1"}), "*4\r\n$7\r\nHINCRBY\r\n$1\r\nh\r\n$1\r\ng\r\n$1\r\n1\r\n");
}

// oracle: GETSET a 5 -> SET a 5; GETDEL c -> DEL c.
TEST_F(PropagationTest, GetsetAndGetdelAreWrittenAsSetAndDel) {
  Stream({"SET a 1", "SET c v"});
  EXPECT_EQ(Stream({"GETSET a 5"}), "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n5\r\n");
  EXPECT_EQ(Stream({"GETDEL c"}), "*2\r\n$3\r\nDEL\r\n$1\r\nc\r\n");
}

// ---------------------------------------------------------------------------------------------
// Keyspace-wide commands

// oracle: FLUSHDB / FLUSHALL / FLUSHDB on empty databases are all written; FLUSHALL ASYNC and
// FLUSHDB SYNC as received; SWAPDB 0 1 (twice) as received.
TEST_F(PropagationTest, FlushAndSwapdbAreWrittenAsReceivedEvenWhenEmpty) {
  EXPECT_EQ(Stream({"FLUSHDB"}), S({kSelect0, "*1\r\n$7\r\nFLUSHDB\r\n"}));
  EXPECT_EQ(Stream({"FLUSHALL"}), "*1\r\n$8\r\nFLUSHALL\r\n");
  EXPECT_EQ(Stream({"FLUSHALL ASYNC"}), "*2\r\n$8\r\nFLUSHALL\r\n$5\r\nASYNC\r\n");
  EXPECT_EQ(Stream({"FLUSHDB SYNC"}), "*2\r\n$7\r\nFLUSHDB\r\n$4\r\nSYNC\r\n");
  EXPECT_EQ(Stream({"SWAPDB 0 1"}), "*3\r\n$6\r\nSWAPDB\r\n$1\r\n0\r\n$1\r\n1\r\n");
}

// oracle: MOVE s 2 (then again: nothing), COPY s s2, COPY s s3 DB 3, COPY s s2 (exists: nothing),
// COPY s s2 REPLACE, RENAME s s4, RENAMENX s4 s2 (nothing), RENAMENX s4 s5, DEL s5 s2 nokey,
// UNLINK of a missing key (nothing): all as received.
TEST_F(PropagationTest, MoveCopyRenameAreWrittenAsReceived) {
  Stream({"SET s 1"});
  EXPECT_EQ(Stream({"MOVE s 2"}), "*3\r\n$4\r\nMOVE\r\n$1\r\ns\r\n$1\r\n2\r\n");
  EXPECT_EQ(Stream({"MOVE s 2"}), "");
  Stream({"SET s 1"});
  EXPECT_EQ(Stream({"COPY s s2"}), "*3\r\n$4\r\nCOPY\r\n$1\r\ns\r\n$2\r\ns2\r\n");
  EXPECT_EQ(Stream({"COPY s s3 DB 3"}),
            "*5\r\n$4\r\nCOPY\r\n$1\r\ns\r\n$2\r\ns3\r\n$2\r\nDB\r\n$1\r\n3\r\n");
  EXPECT_EQ(Stream({"COPY s s2"}), "");
  EXPECT_EQ(Stream({"COPY s s2 REPLACE"}),
            "*4\r\n$4\r\nCOPY\r\n$1\r\ns\r\n$2\r\ns2\r\n$7\r\nREPLACE\r\n");
  EXPECT_EQ(Stream({"RENAME s s4"}), "*3\r\n$6\r\nRENAME\r\n$1\r\ns\r\n$2\r\ns4\r\n");
  EXPECT_EQ(Stream({"RENAMENX s4 s2"}), "");
  EXPECT_EQ(Stream({"RENAMENX s4 s5"}), "*3\r\n$8\r\nRENAMENX\r\n$2\r\ns4\r\n$2\r\ns5\r\n");
  EXPECT_EQ(Stream({"DEL s5 s2 nokey"}),
            "*4\r\n$3\r\nDEL\r\n$2\r\ns5\r\n$2\r\ns2\r\n$5\r\nnokey\r\n");
  EXPECT_EQ(Stream({"UNLINK s4"}), "");
}

// ---------------------------------------------------------------------------------------------
// No sink

TEST_F(PropagationTest, NothingIsRecordedWithoutASink) {
  engine_->RemovePropagationSink(&sink_);
  Run("SET k v");
  Run("MULTI");
  Run("SET a 1");
  Run("SET b 1");
  Run("EXEC");
  EXPECT_FALSE(engine_->propagator().pending());
  engine_->AddPropagationSink(&sink_);
  EXPECT_EQ(Stream({"SET k v"}), S({kSelect0, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"}));
}

}  // namespace
}  // namespace drayman::testing
