// The INFO figures as Prometheus metrics, named as prometheus-redis-exporter names them
// (redis_connected_clients, redis_commands_total{cmd}, redis_db_keys{db}, ...), so dashboards
// built for Redis work when pointed at Drayman. Read from the same source INFO prints
// (broker/stats/server_info.h), so the two always agree; plus figures only Drayman has
// (drayman_*: disconnections by cause, pub/sub messages nobody received, AOF fsync figures).
#pragma once

#include "broker/stats/prometheus.h"

namespace drayman {

class Engine;

void WriteRedisMetrics(Engine& engine, PrometheusWriter& out);

}  // namespace drayman
