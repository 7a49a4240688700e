#include "broker/stats/redis_metrics.h"

#include "broker/engine.h"

namespace drayman {

void WriteRedisMetrics(Engine& engine, PrometheusWriter& out) {
  using Type = PrometheusWriter::Type;
  out.Single("redis_up", Type::kGauge, "Information about the Redis instance", 1);
}

}  // namespace drayman
