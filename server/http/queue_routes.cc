#include "server/http/queue_routes.h"

#include <cstdlib>
#include <string>

#include "broker/engine.h"
#include "broker/observability/queue_report.h"
#include "server/http/admin_routes.h"

namespace drayman {

namespace {

HttpResponse JsonResponse(const nlohmann::json& document, int status = 200) {
  HttpResponse response = HttpResponse::Json(
      document.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), status);
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

HttpResponse FileResponse(const EmbeddedFile& file) {
  HttpResponse response{200, std::string(file.content_type), std::string(file.data), {}};
  response.headers.emplace_back("Cache-Control", "no-cache");
  return response;
}

}  // namespace

void RegisterQueueRoutes(HttpAdmin& admin) {
  Engine& engine = admin.engine;
  admin.metrics.Add(WriteQueueMetrics);
  admin.router.Add("GET", "/api/server",
                   [&engine](const HttpRequest&) { return JsonResponse(ServerJson(engine)); });
  admin.router.Add("GET", "/api/clients",
                   [&engine](const HttpRequest&) { return JsonResponse(ClientsJson(engine)); });
  admin.router.Add("GET", "/api/queues",
                   [&engine](const HttpRequest&) { return JsonResponse(QueuesJson(engine)); });
  admin.router.Add("GET", "/api/channels",
                   [&engine](const HttpRequest&) { return JsonResponse(ChannelsJson(engine)); });
  admin.router.Add("GET", "/api/history",
                   [&engine](const HttpRequest&) { return JsonResponse(HistoryJson(engine)); });
  admin.router.Add("GET", "/api/queue", [&engine](const HttpRequest& request) {
    const int db = std::atoi(request.QueryParam("db", "0").c_str());
    const long count = std::strtol(request.QueryParam("count", "10").c_str(), nullptr, 10);
    nlohmann::json queue = QueueDetailJson(engine, db, request.QueryParam("name"),
                                           static_cast<size_t>(std::clamp<long>(count, 0, 1000)));
    if (queue.is_null()) return JsonResponse({{"error", "no such queue"}}, 404);
    return JsonResponse(queue);
  });
  admin.router.Add("GET", "/", [](const HttpRequest&) {
    return FileResponse(*FindDashboardFile("index.html"));
  });
  admin.router.Add("GET", "/assets/*", [](const HttpRequest& request) {
    const EmbeddedFile* file = FindDashboardFile(request.path.substr(request.path.rfind('/') + 1));
    if (file == nullptr) return HttpResponse::Text(404, "not found\n");
    return FileResponse(*file);
  });
}

}  // namespace drayman
