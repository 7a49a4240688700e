// EngineTest: runs commands against a real Engine with a manual clock, no sockets, no sleeps.
//
// Run("SET k v") splits the line with redis-cli's quoting rules, executes it on the default
// client and returns the raw reply bytes, so tests compare whole replies: EXPECT_EQ(Run("GET k"),
// "$1\r\nv\r\n"). RunArgs takes exact (binary) arguments. Resp3() switches the client to RESP3.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "broker/client.h"
#include "broker/clock.h"
#include "broker/config/config.h"
#include "broker/engine.h"
#include "broker/resp/request_parser.h"

namespace drayman::testing {

class RecordingObserver : public ClientObserver {
 public:
  void OnOutputPending(Client&) override { ++output_pending; }
  void OnCloseRequested(Client&) override { ++close_requested; }
  int output_pending = 0;
  int close_requested = 0;
};

class EngineTest : public ::testing::Test {
 protected:
  EngineTest() { Restart(); }

  // Rebuilds the engine (after changing config_).
  void Restart() {
    engine_.reset();
    engine_ = std::make_unique<Engine>(config_, clock_);
    client_ = NewClient();
  }

  Client* NewClient() { return engine_->Connect(&observer_, "127.0.0.1:50000", "127.0.0.1:6379", 7); }

  std::string RunOn(Client* client, std::string_view line) {
    std::vector<std::string> args;
    EXPECT_TRUE(SplitArgs(line, &args)) << line;
    return RunArgsOn(client, std::move(args));
  }
  std::string RunArgsOn(Client* client, std::vector<std::string> args) {
    client->output().clear();
    engine_->Execute(*client, args);
    std::string out;
    out.swap(client->output());
    return out;
  }
  std::string Run(std::string_view line) { return RunOn(client_, line); }
  std::string RunArgs(std::vector<std::string> args) { return RunArgsOn(client_, std::move(args)); }

  // Feeds raw protocol bytes through the client's parser and returns what the engine wrote.
  std::string Feed(std::string_view bytes, Client* client = nullptr) {
    if (client == nullptr) client = client_;
    client->parser().Feed(bytes);
    engine_->ProcessInput(*client);
    std::string out;
    out.swap(client->output());
    return out;
  }

  void Resp3() { client_->reply().set_protocol(Protocol::kResp3); }

  ManualClock clock_;
  Config config_;
  RecordingObserver observer_;
  std::unique_ptr<Engine> engine_;
  Client* client_ = nullptr;
};

}  // namespace drayman::testing
