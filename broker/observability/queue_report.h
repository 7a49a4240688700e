// Queue reports: the figures of every tracked queue (broker/observability/queue_tracker.h) as
// Prometheus text and as JSON for the admin API and the dashboard.
//
// Contract: reports read the engine and change nothing but the tracker's parse cache (and each
// queue's scratch TrackedQueue::report_row, its row in the report being built); they run on
// the engine's thread (the HTTP handlers run on the loop). The cost of a report is linear in the
// number of queues plus the blocked clients' keys plus the unacked deliveries (each delivery's
// JSON is parsed once, then cached by tag); it never walks the keyspace. Ready counts are the
// lists' lengths (LLEN), unacked counts the `unacked` hash's fields attributed to their queue
// (their sum is HLEN), consumers the distinct clients blocked on any of a queue's lists, and the
// oldest message's age is now minus the server-side push time of the oldest element still queued.
// Ages are seconds on the engine clock. JSON is nlohmann_json.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nlohmann/json.hpp"

namespace drayman {

class Engine;
class PrometheusWriter;
struct TrackedQueue;

struct QueueFigures {
  const TrackedQueue* queue = nullptr;  // valid until the tracker next changes
  int db = 0;
  std::string name;
  std::vector<std::pair<int, size_t>> ready_by_priority;  // priority 0 always, others that exist
  size_t ready = 0;
  size_t unacked = 0;
  size_t consumers = 0;
  double oldest_age_seconds = 0;  // 0 when nothing is queued
  int64_t oldest_age_ms = 0;      // the same in milliseconds
  uint64_t published = 0;
  uint64_t delivered = 0;
};

// One pass over the tracked queues, in the tracker's order: (db, key prefix, name).
std::vector<QueueFigures> CollectQueueFigures(Engine& engine);

// The drayman_queue_* metric families: a MetricProducer for /metrics (broker/stats/prometheus.h).
void WriteQueueMetrics(Engine& engine, PrometheusWriter& writer);

// A kombu message (the JSON kombu LPUSHes) decoded for display: task name, id, ETA, retries,
// arguments; `push_age_seconds` < 0 when unknown.
nlohmann::json DecodeKombuMessage(std::string_view payload, double push_age_seconds);

// --- /api documents ---
nlohmann::json ServerJson(Engine& engine);
nlohmann::json ClientsJson(Engine& engine);
// Every queue's figures, with published/delivered rates from the history (per second; null
// before the history has a sample to measure them from).
nlohmann::json QueuesJson(Engine& engine);
// One queue: figures, up to `count` messages from its head (next out) and its tail (last in),
// and its unacked deliveries with their ages. Null when no such queue is tracked.
nlohmann::json QueueDetailJson(Engine& engine, int db, std::string_view name, size_t count);
// channels_redis groups with members and each member channel's backlog.
nlohmann::json ChannelsJson(Engine& engine);
// The history ring (broker/observability/queue_history.h).
nlohmann::json HistoryJson(Engine& engine);

}  // namespace drayman
