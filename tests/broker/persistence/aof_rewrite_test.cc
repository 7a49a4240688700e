// AOF rewrite (broker/persistence/aof_rewrite.h, broker/families/aof_rewrite_family.cc): the
// commands a rewrite writes, that base + the incr file begun with the rewrite replay to exactly
// the live dataset whatever runs meanwhile (both base formats), BGREWRITEAOF's replies and
// scheduling behind BGSAVE, Redis's automatic-rewrite rule, and MISCONF on a log write error.
#include "broker/persistence/aof_rewrite.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "broker/persistence/aof_format.h"
#include "broker/persistence/aof_replay.h"
#include "broker/persistence/propagation.h"
#include "broker/persistence/rdb_decode.h"
#include "tests/broker/engine_fixture.h"

namespace drayman::testing {
namespace {

// A file kept in memory: what the server's ThreadedFileSink does, without a thread.
class MemoryFile : public AsyncFileSink {
 public:
  explicit MemoryFile(std::string* target) : target_(target) {}
  void Append(rdb::RdbChunk chunk) override {
    std::string bytes;
    finisher_.Finish(chunk, &bytes);
    contents_ += bytes;
  }
  uint64_t queued_bytes() const override { return 0; }
  void Commit() override {
    *target_ = contents_;
    committed_ = true;
  }
  bool Finished(std::string* error) override {
    error->clear();
    return committed_;
  }

 private:
  std::string* target_;
  rdb::ChunkFinisher finisher_;
  std::string contents_;
  bool committed_ = false;
};

// The host seam of the engine (server/aof_rewrite.h in the server): a log whose files are
// strings. Propagated commands go to the newest incr file; a rewrite begins a new one.
class MemoryLog : public AofRewriteHost, public PropagationSink {
 public:
  void Append(std::string_view resp) override { incr.back() += resp; }
  std::unique_ptr<AsyncFileSink> BeginRewrite(bool rdb_base, std::string* error) override {
    if (refuse) {
      *error = "refused";
      return nullptr;
    }
    rdb = rdb_base;
    incr.emplace_back();
    return std::make_unique<MemoryFile>(&pending_base);
  }
  bool FinishRewrite(std::string*) override {
    base = pending_base;
    base_is_rdb = rdb;
    incr.erase(incr.begin(), incr.end() - 1);  // the rewritten incr files become history
    ++installed;
    return true;
  }
  void AbortRewrite() override { ++aborted; }

  std::string base;
  bool base_is_rdb = false;
  std::vector<std::string> incr{std::string()};
  std::string pending_base;
  bool rdb = false;
  bool refuse = false;
  int installed = 0;
  int aborted = 0;
};

// Every key of every database as comparable text (type, members in a canonical order, expiry).
std::map<std::string, std::string> Dataset(Engine& engine) {
  std::map<std::string, std::string> out;
  Keyspace& keyspace = engine.keyspace();
  for (int db = 0; db < keyspace.database_count(); ++db) {
    keyspace.db(db).ForEach([&](std::string_view key, const Entry& entry) {
      std::vector<std::string> parts;
      const Value& value = entry.value;
      switch (value.type()) {
        case ValueType::kString:
          parts.emplace_back(value.view());
          break;
        case ValueType::kList:
          value.list().ForEachWhile(false, [&](std::string_view e) {
            parts.emplace_back(e);
            return true;
          });
          break;
        case ValueType::kHash:
          value.hash().ForEach([&](std::string_view f, std::string_view v) {
            parts.push_back(std::string(f) + "=" + std::string(v));
          });
          std::sort(parts.begin(), parts.end());
          break;
        case ValueType::kSet:
          value.set().ForEach([&](std::string_view m) { parts.emplace_back(m); });
          std::sort(parts.begin(), parts.end());
          break;
        case ValueType::kZSet:
          for (auto* node = value.zset().First(); node; node = node->next()) {
            parts.push_back(std::string(node->member()) + "@" + std::to_string(node->score));
          }
          break;
      }
      std::string text = std::to_string(static_cast<int>(value.type())) + " exp " +
                         std::to_string(entry.expire_at_ms) + ":";
      for (const std::string& part : parts) text += part + ",";
      out[std::to_string(db) + "/" + std::string(key)] = text;
    });
  }
  return out;
}

// Names only what differs: whole datasets of thousands of elements are unreadable in a failure.
void ExpectSameDataset(const std::map<std::string, std::string>& loaded,
                       const std::map<std::string, std::string>& live) {
  auto elements = [](const std::string& text) {
    std::set<std::string> out;
    const size_t colon = text.find(':');
    size_t at = colon == std::string::npos ? 0 : colon + 1;
    while (at < text.size()) {
      const size_t comma = text.find(',', at);
      if (comma == std::string::npos) break;
      out.insert(text.substr(at, comma - at));
      at = comma + 1;
    }
    return out;
  };
  for (const auto& [key, text] : live) {
    auto it = loaded.find(key);
    if (it == loaded.end()) {
      ADD_FAILURE() << key << " is missing after the reload";
      continue;
    }
    if (it->second == text) continue;
    const std::set<std::string> want = elements(text), got = elements(it->second);
    std::string only_live, only_loaded;
    for (const std::string& e : want)
      if (!got.count(e)) only_live += e + " ";
    for (const std::string& e : got)
      if (!want.count(e)) only_loaded += e + " ";
    ADD_FAILURE() << key << " differs: header live " << text.substr(0, text.find(':'))
                  << " / loaded " << it->second.substr(0, it->second.find(':'))
                  << "; only live: " << only_live << "; only loaded: " << only_loaded;
  }
  for (const auto& [key, text] : loaded) {
    if (!live.count(key)) ADD_FAILURE() << key << " exists only after the reload: " << text.substr(0, 80);
  }
}

class AofRewriteTest : public EngineTest {
 protected:
  AofRewriteTest() {
    engine_->aof_rewrite_host = &log_;
    engine_->AddPropagationSink(&log_);
  }
  ~AofRewriteTest() override { engine_->RemovePropagationSink(&log_); }

  // Loads log_'s base and incr files into a fresh engine, as the server's loader does.
  std::map<std::string, std::string> Reload() {
    Config config;
    Engine fresh(config, clock_);
    if (log_.base_is_rdb) {
      rdb::RdbReader reader(log_.base);
      const rdb::RdbLoadResult result =
          rdb::RdbLoadIntoKeyspace(reader, fresh.keyspace(), clock_.NowMs(), {});
      EXPECT_TRUE(result.ok) << result.error;
    } else {
      Replay(fresh, log_.base);
    }
    for (const std::string& incr : log_.incr) Replay(fresh, incr);
    return Dataset(fresh);
  }

  static void Replay(Engine& engine, const std::string& file) {
    AofReplayer replayer(engine);
    aof::AofRecordParser parser;
    parser.Feed(file);
    std::vector<std::string> args;
    std::string error;
    while (parser.Next(&args) == aof::AofRecordParser::Result::kCommand) {
      ASSERT_TRUE(replayer.Replay(args, parser.offset(), &error)) << error;
    }
    EXPECT_EQ(parser.buffered(), 0u);
  }

  void Fill() {
    for (int i = 0; i < 300; ++i) {
      const std::string n = std::to_string(i);
      RunArgs({"SET", "s" + n, "value-" + n});
      RunArgs({"RPUSH", "l" + n, "a", "b", n});
      RunArgs({"HSET", "h" + n, "f", n, "g", "x"});
      RunArgs({"SADD", "set" + n, "1", "2", "m" + n});
      RunArgs({"ZADD", "z" + n, "1.5", "a", "-inf", "b", n, "c"});
    }
    Run("PEXPIREAT s7 99999999999999");
    Run("SELECT 2");
    Run("RPUSH big " + std::string(200, 'x'));
    for (int i = 0; i < 150; ++i) RunArgs({"RPUSH", "long", std::to_string(i)});
    Run("SELECT 0");
  }

  // A kombu-like `unacked` hash and `unacked_index` sorted set, a channels-like group set, and
  // big copies in db 3 that get deleted, renamed, overwritten, expired and flushed mid-save.
  void FillCollections() {
    for (int i = 0; i < 3000; ++i) {
      const std::string n = std::to_string(i);
      RunArgs({"HSET", "unacked", "tag" + n, std::string(1000 + i % 500, 'p') + n});
      RunArgs({"ZADD", "unacked_index", std::to_string(1700000000 + i % 700), "tag" + n});
      RunArgs({"SADD", "group", "channel" + n});
      RunArgs({"ZADD", "lexed", "0", "tag" + n});
    }
    Run("PEXPIREAT group 99999999999999");
    for (const char* key : {"h1", "h2", "h3", "h4"}) {
      Run(std::string("COPY unacked ") + key + " DB 3");
    }
    for (const char* key : {"z1", "z2", "z3"}) {
      Run(std::string("COPY unacked_index ") + key + " DB 3");
    }
    for (const char* key : {"s1", "s2"}) Run(std::string("COPY group ") + key + " DB 3");
    Run("SELECT 3");
    Run("PEXPIRE h4 50");
    Run("SELECT 0");
  }

  // Every command kind that changes a hash, set or sorted set element, plus key-level changes.
  void ChangeCollections(int round) {
    const std::string n = std::to_string(round);
    const std::string old = std::to_string((round * 37) % 3000);
    RunArgs({"HSET", "unacked", "new" + n, "message" + n});
    RunArgs({"HSET", "unacked", "tag" + old, "redelivered" + n});
    RunArgs({"HDEL", "unacked", "tag" + std::to_string(2999 - round)});
    RunArgs({"HINCRBY", "unacked", "counter", "1"});
    RunArgs({"HINCRBYFLOAT", "unacked", "float", "0.5"});
    RunArgs({"HSETNX", "unacked", "nx" + n, "x"});
    RunArgs({"ZADD", "unacked_index", "1700000999", "new" + n});
    RunArgs({"ZADD", "unacked_index", "XX", std::to_string(1699999000 + round), "tag" + old});
    RunArgs({"ZINCRBY", "unacked_index", "5", "tag" + std::to_string((round * 11) % 3000)});
    RunArgs({"ZREM", "unacked_index", "tag" + std::to_string(2999 - round)});
    RunArgs({"ZPOPMIN", "unacked_index"});
    RunArgs({"ZPOPMAX", "unacked_index"});
    RunArgs({"BZPOPMIN", "unacked_index", "0"});
    RunArgs({"ZREMRANGEBYSCORE", "unacked_index", std::to_string(1700000100 + round),
             std::to_string(1700000100 + round)});
    RunArgs({"ZREMRANGEBYRANK", "unacked_index", "100", "101"});
    // Lex ranges only on equal scores: over mixed scores Redis leaves the result unspecified, and
    // it depends on the skiplist's random levels, so a reload could remove other members.
    RunArgs({"ZREMRANGEBYLEX", "lexed", "[tag1" + n, "[tag1" + n});
    RunArgs({"SADD", "group", "joined" + n});
    RunArgs({"SREM", "group", "channel" + old});
    RunArgs({"SPOP", "group"});
    RunArgs({"SMOVE", "group", "other", "channel" + std::to_string(2999 - round)});
    Run("SELECT 3");
    if (round == 3) Run("DEL h1");
    if (round == 4) Run("SET h2 overwritten");
    if (round == 5) Run("RENAME z1 z1-renamed");
    if (round == 6) Run("UNLINK s1");
    if (round == 7) {
      clock_.AdvanceMs(100);
      Run("EXISTS h4");  // expired: deleted
    }
    if (round == 8) Run("HSET h3 late x");
    if (round == 9) Run("FLUSHDB");
    Run("SELECT 0");
  }

  MemoryLog log_;
};

TEST_F(AofRewriteTest, CommandsAreRedisRewriteLayout) {
  // Byte for byte what redis-server 7.0.15's rewriteAppendOnlyFileRio writes for these keys.
  std::string out;
  AppendRewriteCommands("k", Value(std::string("v")), 1700000000123, &out);
  EXPECT_EQ(out,
            "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"
            "*3\r\n$9\r\nPEXPIREAT\r\n$1\r\nk\r\n$13\r\n1700000000123\r\n");
  for (int i = 0; i < 130; ++i) RunArgs({"RPUSH", "q", std::to_string(i)});
  out.clear();
  const Entry* entry = engine_->keyspace().db(0).Peek("q");
  ASSERT_NE(entry, nullptr);
  AppendRewriteCommands("q", entry->value, -1, &out);
  // 130 items: RPUSH of 64, 64 and 2, in list order.
  EXPECT_EQ(out.rfind("*66\r\n$5\r\nRPUSH\r\n$1\r\nq\r\n$1\r\n0\r\n", 0), 0u);
  EXPECT_NE(out.find("*66\r\n$5\r\nRPUSH\r\n$1\r\nq\r\n$2\r\n64\r\n"), std::string::npos);
  EXPECT_NE(out.find("*4\r\n$5\r\nRPUSH\r\n$1\r\nq\r\n$3\r\n128\r\n$3\r\n129\r\n"),
            std::string::npos);
  Run("ZADD z 2.5 m -inf n");
  out.clear();
  AppendRewriteCommands("z", engine_->keyspace().db(0).Peek("z")->value, -1, &out);
  EXPECT_EQ(out,
            "*6\r\n$4\r\nZADD\r\n$1\r\nz\r\n$4\r\n-inf\r\n$1\r\nn\r\n$3\r\n2.5\r\n$1\r\nm\r\n");
}

class AofRewriteFormatTest : public AofRewriteTest, public ::testing::WithParamInterface<bool> {};

// Writes reach keys before and after the walk, FLUSHDB, SWAPDB, FLUSHALL and expiry run while the
// rewrite is stepped 64 keys at a time: base + new incr file must replay to the live dataset.
TEST_P(AofRewriteFormatTest, BasePlusNewIncrReplaysToTheLiveDataset) {
  Run(std::string("CONFIG SET aof-use-rdb-preamble ") + (GetParam() ? "yes" : "no"));
  Fill();
  EXPECT_EQ(Run("BGREWRITEAOF"), "+Background append only file rewriting started\r\n");
  ASSERT_NE(engine_->aof_rewrite(), nullptr);
  int round = 0;
  do {
    const std::string n = std::to_string(round);
    RunArgs({"SET", "s" + std::to_string(299 - round), "changed"});  // not yet walked
    RunArgs({"RPUSH", "l" + n, "pushed"});
    RunArgs({"DEL", "h" + std::to_string(150 + round)});
    RunArgs({"INCR", "counter"});
    RunArgs({"SET", "new" + n, n, "PX", "100000"});
    if (round == 2) Run("SWAPDB 0 2");
    if (round == 3) Run("SWAPDB 0 2");
    if (round == 4) {
      Run("SELECT 2");
      Run("FLUSHDB");
      Run("SELECT 0");
    }
    if (round == 5) Run("HSET h3 f newer");
    ++round;
  } while (engine_->StepAofRewrite(0));
  EXPECT_GT(round, 5);
  EXPECT_EQ(log_.installed, 1);
  EXPECT_EQ(log_.base_is_rdb, GetParam());
  if (GetParam()) {
    EXPECT_EQ(log_.base.rfind("REDIS0010", 0), 0u);
    EXPECT_NE(log_.base.find("aof-base"), std::string::npos);
  }
  EXPECT_EQ(Reload(), Dataset(*engine_));
  EXPECT_NE(Run("INFO persistence").find("aof_rewrites:1\r\n"), std::string::npos);
  EXPECT_NE(Run("INFO persistence").find("aof_last_bgrewrite_status:ok\r\n"), std::string::npos);
}

// FLUSHALL cancels a BGSAVE (Redis kills the RDB child) but not a rewrite: the base keeps the
// old dataset and the FLUSHALL lands in the new incr file.
TEST_P(AofRewriteFormatTest, FlushallDoesNotCancelTheRewrite) {
  Run(std::string("CONFIG SET aof-use-rdb-preamble ") + (GetParam() ? "yes" : "no"));
  Fill();
  Run("BGREWRITEAOF");
  engine_->StepAofRewrite(0);
  Run("FLUSHALL");
  Run("SET after flushall");
  while (engine_->StepAofRewrite(0)) {
  }
  EXPECT_EQ(log_.installed, 1);
  EXPECT_GT(log_.base.size(), 10000u);  // the whole old dataset
  EXPECT_EQ(Reload(), Dataset(*engine_));
  EXPECT_EQ(Dataset(*engine_).size(), 1u);
}

// Long lists (broker/persistence/large_values.h) are encoded over many steps from a frozen copy
// while clients push, pop and change them, and keys saved meanwhile queue up behind them.
TEST_P(AofRewriteFormatTest, LongListsAreEncodedOverManyStepsWhileClientsChangeThem) {
  Run(std::string("CONFIG SET aof-use-rdb-preamble ") + (GetParam() ? "yes" : "no"));
  Fill();
  for (int i = 0; i < 5000; ++i) {
    RunArgs(
        {"LPUSH", "queue", std::string(1500, static_cast<char>('a' + i % 26)) + std::to_string(i)});
  }
  Run("SELECT 2");
  for (int i = 0; i < 3000; ++i) RunArgs({"RPUSH", "other", std::to_string(i)});
  Run("PEXPIREAT other 99999999999999");
  Run("SELECT 0");
  Run("BGREWRITEAOF");
  int round = 0;
  do {
    const std::string n = std::to_string(round);
    RunArgs({"LPUSH", "queue", "new" + n});
    RunArgs({"RPOP", "queue"});
    if (round % 5 == 0) RunArgs({"LSET", "queue", "2500", "set" + n});
    if (round == 30) RunArgs({"LTRIM", "queue", "0", "3999"});
    if (round == 40) RunArgs({"LINSERT", "queue", "BEFORE", "new1", "inserted"});
    if (round == 50) RunArgs({"LREM", "queue", "0", "new2"});
    if (round < 200) RunArgs({"SET", "s" + std::to_string(299 - round), "changed"});
    if (round == 60) {
      Run("SELECT 2");
      Run("DEL other");
      Run("RPUSH other recreated");
      Run("SELECT 0");
    }
    ++round;
  } while (engine_->StepAofRewrite(0));
  EXPECT_GT(round, 60);  // 8,000 list elements, counted and written 128 at a time
  EXPECT_EQ(log_.installed, 1);
  EXPECT_EQ(Reload(), Dataset(*engine_));
}


// BGSAVE's file holds a long list exactly as it was when the save started, though clients
// changed and even deleted it while its encoding went on over many steps.
TEST_F(AofRewriteTest, BgsaveWritesLongListsAsTheyWereAtItsStart) {
  std::string rdb_file;
  engine_->open_background_file = [&](const std::string&, std::string*) {
    return std::unique_ptr<AsyncFileSink>(std::make_unique<MemoryFile>(&rdb_file));
  };
  Fill();
  for (int i = 0; i < 4000; ++i)
    RunArgs({"RPUSH", "queue", std::string(1000, 'q') + std::to_string(i)});
  const std::map<std::string, std::string> at_start = Dataset(*engine_);
  EXPECT_EQ(Run("BGSAVE"), "+Background saving started\r\n");
  int round = 0;
  while (engine_->StepBackgroundSave(0)) {
    const std::string n = std::to_string(round);
    RunArgs({"LPUSH", "queue", "new" + n});
    RunArgs({"RPOP", "queue"});
    RunArgs({"LSET", "queue", "100", "set" + n});
    if (round == 20) Run("DEL queue");
    if (round == 21) Run("RPUSH queue reborn");
    RunArgs({"SET", "s" + std::to_string(round % 300), "changed"});
    ++round;
  }
  EXPECT_GT(round, 40);
  Config config;
  Engine fresh(config, clock_);
  rdb::RdbReader reader(rdb_file);
  const rdb::RdbLoadResult result =
      rdb::RdbLoadIntoKeyspace(reader, fresh.keyspace(), clock_.NowMs(), {});
  ASSERT_TRUE(result.ok) << result.error;
  EXPECT_EQ(Dataset(fresh), at_start);
}

// Big hashes, sets and sorted sets (large_collections.h) are encoded over many steps while
// clients change their elements with every kind of command, and delete, overwrite, rename,
// expire and flush them: BGSAVE's file holds them as they were at its start.
TEST_F(AofRewriteTest, BgsaveWritesBigCollectionsAsTheyWereAtItsStart) {
  std::string rdb_file;
  engine_->open_background_file = [&](const std::string&, std::string*) {
    return std::unique_ptr<AsyncFileSink>(std::make_unique<MemoryFile>(&rdb_file));
  };
  FillCollections();
  const std::map<std::string, std::string> at_start = Dataset(*engine_);
  const int64_t start_ms = clock_.NowMs();
  EXPECT_EQ(Run("BGSAVE"), "+Background saving started\r\n");
  int round = 0;
  while (engine_->StepBackgroundSave(0)) ChangeCollections(round++);
  EXPECT_GT(round, 20);
  Config config;
  Engine fresh(config, clock_);
  rdb::RdbReader reader(rdb_file);
  const rdb::RdbLoadResult result =
      rdb::RdbLoadIntoKeyspace(reader, fresh.keyspace(), start_ms, {});
  ASSERT_TRUE(result.ok) << result.error;
  EXPECT_EQ(Dataset(fresh), at_start);
  EXPECT_NE(Dataset(*engine_), at_start);
}

// The same for the rewrite, both base formats: base + new incr file replay to the live dataset.
TEST_P(AofRewriteFormatTest, BigCollectionsAreEncodedOverManyStepsWhileClientsChangeThem) {
  Run(std::string("CONFIG SET aof-use-rdb-preamble ") + (GetParam() ? "yes" : "no"));
  FillCollections();
  Run("BGREWRITEAOF");
  int round = 0;
  do {
    ChangeCollections(round++);
  } while (engine_->StepAofRewrite(0));
  EXPECT_GT(round, 20);
  EXPECT_EQ(log_.installed, 1);
  ExpectSameDataset(Reload(), Dataset(*engine_));
}

INSTANTIATE_TEST_SUITE_P(RdbAndAofBase, AofRewriteFormatTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return std::string(info.param ? "RdbPreamble" : "AofBase");
                         });

TEST_F(AofRewriteTest, RepliesWhileRunningAndWithoutAHost) {
  Fill();
  EXPECT_EQ(Run("BGREWRITEAOF"), "+Background append only file rewriting started\r\n");
  EXPECT_EQ(Run("BGREWRITEAOF"),
            "-ERR Background append only file rewriting already in progress\r\n");
  EXPECT_EQ(Run("BGSAVE"),
            "-ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE "
            "SCHEDULE in order to schedule a BGSAVE whenever possible.\r\n");
  EXPECT_NE(Run("INFO persistence").find("aof_rewrite_in_progress:1\r\n"), std::string::npos);
  engine_->CancelAofRewrite();
  EXPECT_EQ(log_.aborted, 1);
  // A cancelled rewrite is not a failure (Redis's SIGUSR1-killed child).
  EXPECT_NE(Run("INFO persistence").find("aof_last_bgrewrite_status:ok\r\n"), std::string::npos);
  log_.refuse = true;
  EXPECT_EQ(Run("BGREWRITEAOF"),
            "-ERR Can't execute an AOF background rewriting. Please check the server logs for "
            "more information.\r\n");
  EXPECT_NE(Run("INFO persistence").find("aof_last_bgrewrite_status:err\r\n"), std::string::npos);
  EXPECT_EQ(Run("BGREWRITEAOF inline"),
            "-ERR wrong number of arguments for 'bgrewriteaof' command\r\n");
}

TEST_F(AofRewriteTest, ScheduledBehindBgsaveAndInsideExec) {
  std::string rdb_file;
  engine_->open_background_file = [&](const std::string&, std::string*) {
    return std::unique_ptr<AsyncFileSink>(std::make_unique<MemoryFile>(&rdb_file));
  };
  Fill();
  EXPECT_EQ(Run("BGSAVE"), "+Background saving started\r\n");
  EXPECT_EQ(Run("BGREWRITEAOF"), "+Background append only file rewriting scheduled\r\n");
  EXPECT_NE(Run("INFO persistence").find("aof_rewrite_scheduled:1\r\n"), std::string::npos);
  EXPECT_EQ(engine_->aof_rewrite(), nullptr);
  while (engine_->StepBackgroundSave(0)) {
  }
  engine_->Cron();  // starts the scheduled rewrite
  ASSERT_NE(engine_->aof_rewrite(), nullptr);
  EXPECT_NE(Run("INFO persistence").find("aof_rewrite_scheduled:0\r\n"), std::string::npos);
  while (engine_->StepAofRewrite(0)) {
  }
  Run("MULTI");
  Run("BGREWRITEAOF");
  EXPECT_EQ(Run("EXEC"), "*1\r\n+Background append only file rewriting scheduled\r\n");
  engine_->Cron();
  EXPECT_NE(engine_->aof_rewrite(), nullptr);
}

TEST_F(AofRewriteTest, AutomaticRewriteFollowsRedisGrowthRule) {
  Run("CONFIG SET auto-aof-rewrite-percentage 100");
  Run("CONFIG SET auto-aof-rewrite-min-size 1000");
  PersistenceStatus& status = engine_->persistence();
  status.aof_enabled = true;
  status.aof_base_size = 1000;
  status.aof_current_size = 1999;  // 99% growth
  engine_->Cron();
  EXPECT_EQ(engine_->aof_rewrite(), nullptr);
  status.aof_current_size = 2000;  // 100%
  engine_->Cron();
  EXPECT_NE(engine_->aof_rewrite(), nullptr);
  engine_->CancelAofRewrite();
  // Below the minimum size nothing starts, whatever the growth.
  Run("CONFIG SET auto-aof-rewrite-min-size 5000");
  status.aof_current_size = 4000;
  engine_->Cron();
  EXPECT_EQ(engine_->aof_rewrite(), nullptr);
  // Percentage 0 turns automatic rewrites off.
  Run("CONFIG SET auto-aof-rewrite-min-size 0");
  Run("CONFIG SET auto-aof-rewrite-percentage 0");
  engine_->Cron();
  EXPECT_EQ(engine_->aof_rewrite(), nullptr);
}

TEST_F(AofRewriteTest, FailuresBackOffAfterThreeInARow) {
  Run("CONFIG SET auto-aof-rewrite-min-size 0");
  PersistenceStatus& status = engine_->persistence();
  status.aof_enabled = true;
  status.aof_base_size = 1;
  status.aof_current_size = 100;
  status.aof_rewrites_consecutive_failures = 3;
  engine_->Cron();  // limited: the first retry waits a minute
  EXPECT_EQ(engine_->aof_rewrite(), nullptr);
  clock_.AdvanceMs(59'000);
  engine_->Cron();
  EXPECT_EQ(engine_->aof_rewrite(), nullptr);
  clock_.AdvanceMs(2'000);
  engine_->Cron();
  EXPECT_NE(engine_->aof_rewrite(), nullptr);
}

TEST_F(AofRewriteTest, WriteErrorOfTheLogAnswersMisconfUntilItRecovers) {
  Run("SET k v");
  PersistenceStatus& status = engine_->persistence();
  status.aof_enabled = true;
  status.aof_last_write_ok = false;
  status.aof_last_write_errno = ENOSPC;
  const std::string misconf =
      "-MISCONF Errors writing to the AOF file: No space left on device\r\n";
  EXPECT_EQ(Run("SET k w"), misconf);
  EXPECT_EQ(Run("PING"), misconf);
  EXPECT_EQ(Run("GET k"), "$1\r\nv\r\n");
  Run("MULTI");
  EXPECT_EQ(Run("SET k w"), misconf);
  EXPECT_EQ(Run("EXEC"), "-EXECABORT Transaction discarded because of previous errors.\r\n");
  EXPECT_NE(Run("INFO persistence").find("aof_last_write_status:err\r\n"), std::string::npos);
  status.aof_last_write_ok = true;
  EXPECT_EQ(Run("SET k w"), "+OK\r\n");
  // With the log off, a stale error does not refuse writes.
  status.aof_last_write_ok = false;
  status.aof_enabled = false;
  EXPECT_EQ(Run("SET k x"), "+OK\r\n");
}

}  // namespace
}  // namespace drayman::testing
