// Queue history: the samples behind the dashboard's charts of the last hour.
//
// Contract: the engine's Cron calls MaybeSample on every pass; a sample is taken when at least
// kIntervalMs passed since the previous one (engine clock), so history costs one report every
// few seconds whatever `hz` is. Memory is bounded: kCapacity samples of the server's totals, and
// the same number per queue for at most kMaxQueues queues (the first ones by (db, name)); older
// samples fall off the front.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <utility>

namespace drayman {

class Engine;

struct ServerSample {
  int64_t time_ms = 0;
  uint64_t connected_clients = 0;
  uint64_t blocked_clients = 0;
  uint64_t used_memory = 0;
  uint64_t commands_processed = 0;
  uint64_t ready = 0;
  uint64_t unacked = 0;
  uint64_t consumers = 0;
  uint64_t published = 0;
  uint64_t delivered = 0;
};

struct QueueSample {
  int64_t time_ms = 0;
  uint64_t ready = 0;
  uint64_t unacked = 0;
  uint64_t consumers = 0;
  uint64_t published = 0;
  uint64_t delivered = 0;
};

class QueueHistory {
 public:
  static constexpr int64_t kIntervalMs = 5000;
  static constexpr size_t kCapacity = 720;  // an hour at kIntervalMs
  static constexpr size_t kMaxQueues = 64;

  void MaybeSample(Engine& engine, int64_t now_ms);
  void Sample(Engine& engine, int64_t now_ms);

  const std::deque<ServerSample>& server() const { return server_; }
  // By (db, queue name).
  const std::map<std::pair<int, std::string>, std::deque<QueueSample>>& queues() const {
    return queues_;
  }

 private:
  int64_t last_sample_ms_ = -1;
  std::deque<ServerSample> server_;
  std::map<std::pair<int, std::string>, std::deque<QueueSample>> queues_;
};

}  // namespace drayman
