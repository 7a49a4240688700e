// Queue insight over HTTP: the drayman_queue_* metrics, the /api JSON documents and the dashboard
// page (broker/observability/ computes everything; this file only routes).
//
// Contract: RegisterQueueRoutes adds to an HttpAdmin (server/http/admin_routes.h):
//   GET /api/server, /api/clients, /api/queues, /api/queue?db=N&name=Q[&count=K],
//   /api/channels, /api/history   JSON (nlohmann_json), documented in the README;
//   GET / and /assets/<file>       the dashboard, whose files are compiled into the binary
//                                  (server/http/dashboard/, embedded by a CMake step).
// Handlers run on the loop; each costs one report (linear in the queues, no keyspace scan).
#pragma once

#include <string_view>

namespace drayman {

struct HttpAdmin;

void RegisterQueueRoutes(HttpAdmin& admin);

// An embedded dashboard file by name ("index.html"), or nullptr.
struct EmbeddedFile {
  std::string_view name;
  std::string_view content_type;
  std::string_view data;
};
const EmbeddedFile* FindDashboardFile(std::string_view name);

}  // namespace drayman
