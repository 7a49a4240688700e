// The admin HTTP surface: which routes and metric producers the listener serves.
//
// Contract: RegisterAdminRoutes fills an HttpAdmin once, before the listener accepts; every
// route and producer runs on the engine's thread (see http_router.h and broker/stats/
// prometheus.h for what a handler and a producer may do). Built in: GET /metrics (Prometheus
// text, every producer in order; the first is the INFO-derived set named as
// prometheus-redis-exporter names it) and GET / (an index of the routes, until a dashboard
// replaces it).
//
// To add a subsystem's routes or metrics (e.g. broker observability):
//   1. in your own file, `void RegisterQueueRoutes(HttpAdmin& admin)` that calls
//      admin.router.Add("GET", "/api/queues", handler) and admin.metrics.Add(producer);
//   2. add one line calling it at the end of RegisterAdminRoutes (admin_routes.cc).
// A later Add of the same method and path replaces an earlier one (a dashboard can take "/").
#pragma once

#include "broker/stats/prometheus.h"
#include "server/http/http_router.h"

namespace drayman {

class Engine;

struct HttpAdmin {
  explicit HttpAdmin(Engine& engine) : engine(engine) {}
  Engine& engine;
  HttpRouter router;
  MetricsRegistry metrics;
};

void RegisterAdminRoutes(HttpAdmin& admin);

// Prometheus's content type for the text exposition format 0.0.4.
inline constexpr const char* kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace drayman
