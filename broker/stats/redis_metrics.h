// The INFO figures as Prometheus metrics, named as prometheus-redis-exporter names them
// (redis_connected_clients, redis_commands_total{cmd}, redis_db_keys{db}, ...), so dashboards
// built for Redis work when pointed at Drayman. Read from the same source INFO prints
// (broker/stats/server_info.h: the same typed values, collected once per scrape, with no INFO
// text made and read back), so the two always agree; plus figures only Drayman has (drayman_*:
// disconnections by cause, pub/sub messages nobody received, AOF fsync figures).
#pragma once

#include <span>
#include <string_view>

#include "broker/stats/prometheus.h"

namespace drayman {

class Engine;

// One INFO field exported as one unlabelled sample: `metric` is `field`'s number times `scale`
// (e.g. microseconds -> seconds), written only while the field is a number.
struct RedisFieldMetric {
  std::string_view section;
  std::string_view field;
  std::string_view metric;
  PrometheusWriter::Type type;
  std::string_view help;
  double scale = 1;
};
// Those fields, in the order /metrics writes them (INFO's order).
std::span<const RedisFieldMetric> RedisFieldMetrics();

// The exporter's redis_* names, from INFO's fields plus SLOWLOG and CONFIG GET figures.
void WriteRedisMetrics(Engine& engine, PrometheusWriter& out);
// Figures only Drayman has: drayman_disconnections_total{cause},
// drayman_pubsub_messages_published_total, drayman_pubsub_messages_unreceived_total.
void WriteDraymanMetrics(Engine& engine, PrometheusWriter& out);

}  // namespace drayman
