#include "broker/observability/queue_history.h"

#include <vector>

#include "broker/engine.h"
#include "broker/observability/queue_report.h"
#include "broker/stats/process_stats.h"

namespace drayman {

void QueueHistory::MaybeSample(Engine& engine, int64_t now_ms) {
  if (last_sample_ms_ >= 0 && now_ms - last_sample_ms_ < kIntervalMs) return;
  Sample(engine, now_ms);
}

void QueueHistory::Sample(Engine& engine, int64_t now_ms) {
  last_sample_ms_ = now_ms;
  ServerSample server;
  server.time_ms = now_ms;
  server.connected_clients = engine.clients().size();
  server.blocked_clients = engine.blocked_clients().blocked_count();
  server.used_memory = UsedMemoryBytes();
  server.commands_processed = engine.stats().total_commands_processed;
  const std::vector<QueueFigures> figures = CollectQueueFigures(engine);
  for (const QueueFigures& q : figures) {
    server.ready += q.ready;
    server.unacked += q.unacked;
    server.consumers += q.consumers;
    server.published += q.published;
    server.delivered += q.delivered;
    auto key = std::make_pair(q.db, q.name);
    auto it = queues_.find(key);
    if (it == queues_.end()) {
      if (queues_.size() >= kMaxQueues) continue;
      it = queues_.emplace(std::move(key), std::deque<QueueSample>()).first;
    }
    it->second.push_back({now_ms, q.ready, q.unacked, q.consumers, q.published, q.delivered});
    if (it->second.size() > kCapacity) it->second.pop_front();
  }
  // Queues no longer declared leave once their last sample is an hour old.
  for (auto it = queues_.begin(); it != queues_.end();) {
    if (!it->second.empty() && now_ms - it->second.back().time_ms > kIntervalMs * kCapacity) {
      queues_.erase(it++);
    } else {
      ++it;
    }
  }
  server_.push_back(server);
  if (server_.size() > kCapacity) server_.pop_front();
}

}  // namespace drayman
