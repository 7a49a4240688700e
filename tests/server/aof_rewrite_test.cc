// The files of a rewrite (server/aof_log.h's SwitchToNewIncr / InstallBase, used by
// server/aof_rewrite.h): commands appended before the switch stay in the old incr file, those
// after go to the new one, whatever the writer thread still owes; installing the base writes
// Redis 7.0's manifest and deletes the history files; a log turned on at run time keeps its
// writes in temp-<appendfilename>.incr until its first base is installed.
#include "server/aof_rewrite.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "broker/clock.h"
#include "broker/config/config.h"
#include "broker/engine.h"
#include "tests/broker/engine_fixture.h"

namespace drayman {
namespace {

class AofRewriteFilesTest : public ::testing::Test {
 protected:
  AofRewriteFilesTest() {
    char pattern[] = "/tmp/drayman-aofrw-XXXXXX";
    dir_ = mkdtemp(pattern);
    Settings& settings = config_.settings();
    settings.dir = dir_;
    settings.appendfsync = "always";
    settings.aof_use_rdb_preamble = false;
    engine_ = std::make_unique<Engine>(config_, clock_);
    client_ = engine_->Connect(&observer_, "127.0.0.1:1", "127.0.0.1:2", 3);
    log_ = std::make_unique<AofLog>(
        *engine_, [this](std::function<void()> task) { posted_.push_back(task); });
  }
  ~AofRewriteFilesTest() override {
    log_.reset();
    engine_.reset();
    std::filesystem::remove_all(dir_);
  }

  void Run(std::vector<std::string> args) {
    engine_->Execute(*client_, args);
    client_->output().clear();
  }
  // Runs what the log posted to "the loop" until everything appended is fsynced.
  void Settle() {
    while (log_->durable_offset() < log_->appended_offset() || !posted_.empty()) {
      if (posted_.empty()) {
        std::this_thread::yield();  // the writer thread is writing or fsyncing
        continue;
      }
      auto task = std::move(posted_.front());
      posted_.pop_front();
      task();
    }
  }
  std::string Read(const std::string& name) {
    std::ifstream in(dir_ + "/appendonlydir/" + name, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  std::set<std::string> Files() {
    std::set<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(dir_ + "/appendonlydir")) {
      names.insert(entry.path().filename().string());
    }
    return names;
  }
  void WriteBase(const std::string& name, const std::string& contents) {
    std::ofstream(dir_ + "/appendonlydir/" + name, std::ios::binary) << contents;
  }

  std::string dir_;
  SystemClock clock_;
  Config config_;
  testing::RecordingObserver observer_;
  std::unique_ptr<Engine> engine_;
  Client* client_ = nullptr;
  std::deque<std::function<void()>> posted_;
  std::unique_ptr<AofLog> log_;
};

TEST_F(AofRewriteFilesTest, SwitchSplitsTheStreamExactlyAndInstallWritesRedisManifest) {
  log_->Open();
  std::string error;
  ASSERT_TRUE(log_->StartAppending(&error)) << error;
  Run({"RPUSH", "q", "before"});
  // Not flushed to the writer yet: the switch must still send these bytes to the old file.
  ASSERT_TRUE(log_->SwitchToNewIncr(&error)) << error;
  Run({"RPUSH", "q", "after"});
  Settle();
  EXPECT_NE(Read("appendonly.aof.1.incr.aof").find("before"), std::string::npos);
  EXPECT_EQ(Read("appendonly.aof.1.incr.aof").find("after"), std::string::npos);
  EXPECT_EQ(Read("appendonly.aof.2.incr.aof"),
            "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$5\r\nRPUSH\r\n$1\r\nq\r\n$5\r\nafter\r\n");
  // The manifest listing the new file is on disk before its first byte is acknowledged.
  EXPECT_EQ(Read("appendonly.aof.manifest"),
            "file appendonly.aof.1.base.aof seq 1 type b\n"
            "file appendonly.aof.1.incr.aof seq 1 type i\n"
            "file appendonly.aof.2.incr.aof seq 2 type i\n");
  const std::string base = log_->NextBaseName(/*rdb=*/false);
  EXPECT_EQ(base, "appendonly.aof.2.base.aof");
  WriteBase(base, "*3\r\n$5\r\nRPUSH\r\n$1\r\nq\r\n$6\r\nbefore\r\n");
  ASSERT_TRUE(log_->InstallBase(base, &error)) << error;
  Run({"RPUSH", "q", "later"});
  Settle();
  log_->Stop();  // waits for the background manifest job
  EXPECT_EQ(Read("appendonly.aof.manifest"),
            "file appendonly.aof.2.base.aof seq 2 type b\n"
            "file appendonly.aof.2.incr.aof seq 2 type i\n");
  EXPECT_EQ(Files(),
            (std::set<std::string>{"appendonly.aof.2.base.aof", "appendonly.aof.2.incr.aof",
                                   "appendonly.aof.manifest"}));
  EXPECT_NE(Read("appendonly.aof.2.incr.aof").find("later"), std::string::npos);
}

TEST_F(AofRewriteFilesTest, LogTurnedOnAtRunTimeWritesATempIncrUntilItsBaseIsInstalled) {
  Run({"SET", "k", "before the log"});
  std::string error;
  ASSERT_TRUE(log_->StartWaitingForRewrite(&error)) << error;
  EXPECT_TRUE(engine_->persistence().aof_enabled);
  EXPECT_FALSE(log_->appending());  // nothing to write until the rewrite begins
  ASSERT_TRUE(log_->SwitchToNewIncr(&error)) << error;
  Run({"SET", "k", "during the rewrite"});
  Settle();
  EXPECT_EQ(Files(), (std::set<std::string>{"temp-appendonly.aof.incr"}));
  const std::string base = log_->NextBaseName(false);
  WriteBase(base, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$14\r\nbefore the log\r\n");
  ASSERT_TRUE(log_->InstallBase(base, &error)) << error;
  EXPECT_FALSE(engine_->persistence().aof_wait_rewrite);
  log_->Stop();
  EXPECT_EQ(Read("appendonly.aof.manifest"),
            "file appendonly.aof.1.base.aof seq 1 type b\n"
            "file appendonly.aof.1.incr.aof seq 1 type i\n");
  EXPECT_NE(Read("appendonly.aof.1.incr.aof").find("during the rewrite"), std::string::npos);
  EXPECT_EQ(Files().count("temp-appendonly.aof.incr"), 0u);
}

}  // namespace
}  // namespace drayman
