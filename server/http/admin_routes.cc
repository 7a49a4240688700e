#include "server/http/admin_routes.h"

#include "broker/engine.h"
#include "broker/stats/redis_metrics.h"
#include "server/http/queue_routes.h"

namespace drayman {

namespace {

void RegisterBuiltinRoutes(HttpAdmin& admin) {
  admin.metrics.Add(WriteRedisMetrics);
  admin.metrics.Add(WriteDraymanMetrics);
  admin.router.Add("GET", "/metrics", [&admin](const HttpRequest&) {
    return HttpResponse{200, kPrometheusContentType, admin.metrics.Render(admin.engine), {}};
  });
  admin.router.Add("GET", "/", [&admin](const HttpRequest&) {
    std::string body = "Drayman " + std::string(kDraymanVersion) + " admin interface\n\n";
    for (const auto& [method, path] : admin.router.Routes()) body += method + " " + path + "\n";
    return HttpResponse::Text(200, std::move(body));
  });
}

}  // namespace

void RegisterAdminRoutes(HttpAdmin& admin) {
  RegisterBuiltinRoutes(admin);
  // Other subsystems: one line each below (see admin_routes.h).
  RegisterQueueRoutes(admin);  // queue insight: /api, drayman_queue_* metrics, the dashboard
}

}  // namespace drayman
