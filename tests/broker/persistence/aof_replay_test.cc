#include "broker/persistence/aof_replay.h"

#include <gtest/gtest.h>

#include "broker/persistence/aof_format.h"
#include "tests/broker/engine_fixture.h"

namespace drayman::testing {
namespace {

using aof::AofRecordParser;

class AofReplayTest : public EngineTest {
 protected:
  // Replays `log` as one file; returns the replayer's valid offset after the last whole record.
  uint64_t ReplayLog(const std::string& log, AofRecordParser::Result* last = nullptr) {
    AofReplayer replayer(*engine_);
    AofRecordParser parser;
    parser.Feed(log);
    std::vector<std::string> args;
    AofRecordParser::Result result;
    std::string error;
    while ((result = parser.Next(&args)) == AofRecordParser::Result::kCommand) {
      EXPECT_TRUE(replayer.Replay(args, parser.offset(), &error)) << error;
    }
    if (last) *last = result;
    const uint64_t valid = replayer.valid_offset();
    replayer.DiscardOpenTransaction();
    return valid;
  }
};

TEST_F(AofReplayTest, RebuildsTheDataset) {
  std::string log;
  aof::AppendCommand(&log, {"SELECT", "3"});
  aof::AppendCommand(&log, {"rpush", "q", "a", "b"});
  aof::AppendCommand(&log, {"SET", "k", "v", "PXAT", "99999999999999"});
  aof::AppendCommand(&log, {"SELECT", "0"});
  aof::AppendCommand(&log, {"MULTI"});
  aof::AppendCommand(&log, {"hset", "h", "f", "1"});
  aof::AppendCommand(&log, {"zadd", "z", "1.5", "m"});
  aof::AppendCommand(&log, {"EXEC"});
  EXPECT_EQ(ReplayLog(log), log.size());
  EXPECT_EQ(Run("HGET h f"), "$1\r\n1\r\n");
  EXPECT_EQ(Run("ZSCORE z m"), "$3\r\n1.5\r\n");
  EXPECT_EQ(Run("SELECT 3"), "+OK\r\n");
  EXPECT_EQ(Run("LRANGE q 0 -1"), "*2\r\n$1\r\na\r\n$1\r\nb\r\n");
  EXPECT_EQ(Run("PEXPIRETIME k"), ":99999999999999\r\n");
  // The replaying client is gone.
  EXPECT_EQ(engine_->clients().size(), 1u);
}

// A log that ends inside MULTI (the EXEC never reached the disk) is cut before the MULTI and
// none of the transaction is applied.
TEST_F(AofReplayTest, OpenTransactionAtTheEndIsDroppedWhole) {
  std::string head;
  aof::AppendCommand(&head, {"SELECT", "0"});
  aof::AppendCommand(&head, {"SET", "before", "1"});
  std::string log = head;
  aof::AppendCommand(&log, {"MULTI"});
  aof::AppendCommand(&log, {"SET", "inside", "1"});
  aof::AppendCommand(&log, {"SET", "inside2", "1"});
  for (size_t cut = head.size() + 1; cut <= log.size(); ++cut) {
    Run("FLUSHALL");
    EXPECT_EQ(ReplayLog(log.substr(0, cut)), head.size()) << "cut at " << cut;
    EXPECT_EQ(Run("EXISTS before inside inside2"), ":1\r\n") << "cut at " << cut;
  }
}

// An error answered to the log's own commands is counted (INFO's unexpected_error_replies) and
// logged as Redis logs it; loading goes on.
TEST_F(AofReplayTest, ErrorRepliesAreCountedAndLogged) {
  std::vector<std::string> lines;
  engine_->log_sink = [&lines](LogLevel, std::string_view message) {
    lines.emplace_back(message);
  };
  std::string log;
  aof::AppendCommand(&log, {"SET", "k", "v"});
  aof::AppendCommand(&log, {"INCR", "k"});
  aof::AppendCommand(&log, {"SET", "k2", "v"});
  EXPECT_EQ(ReplayLog(log), log.size());
  engine_->log_sink = nullptr;
  EXPECT_EQ(engine_->stats().unexpected_error_replies, 1u);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0],
            "== CRITICAL == This server is sending an error to its AOF-loading-client: 'value is "
            "not an integer or out of range' after processing the command 'incr'");
  EXPECT_EQ(Run("GET k2"), "$1\r\nv\r\n");
}

TEST_F(AofReplayTest, UnknownCommandRefusesTheLog) {
  AofReplayer replayer(*engine_);
  std::vector<std::string> args = {"NOSUCH", "x"};
  std::string error;
  EXPECT_FALSE(replayer.Replay(args, 10, &error));
  EXPECT_EQ(error, "Unknown command 'NOSUCH' reading the append only file");
}

// While the engine is loading, clients get Redis's LOADING error except for commands flagged
// `loading`; the replaying client itself runs everything.
TEST_F(AofReplayTest, ClientsGetLoadingWhileTheLogReplays) {
  AofReplayer replayer(*engine_);
  engine_->persistence().loading = true;
  engine_->persistence().loading_client = &replayer.client();
  EXPECT_EQ(Run("GET k"), "-LOADING Redis is loading the dataset in memory\r\n");
  EXPECT_EQ(Run("SET k v"), "-LOADING Redis is loading the dataset in memory\r\n");
  EXPECT_EQ(Run("PING"), "-LOADING Redis is loading the dataset in memory\r\n");
  EXPECT_EQ(Run("ECHO x"), "$1\r\nx\r\n");  // flagged `loading` in Redis 7.0
  EXPECT_EQ(Run("MULTI"), "+OK\r\n");
  EXPECT_EQ(Run("SET k v"), "-LOADING Redis is loading the dataset in memory\r\n");
  EXPECT_EQ(Run("EXEC"), "-EXECABORT Transaction discarded because of previous errors.\r\n");
  std::vector<std::string> args = {"SET", "k", "v"};
  std::string error;
  ASSERT_TRUE(replayer.Replay(args, 10, &error));
  engine_->persistence().loading = false;
  EXPECT_EQ(Run("GET k"), "$1\r\nv\r\n");
}

}  // namespace
}  // namespace drayman::testing
