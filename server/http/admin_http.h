// AdminHttp: the admin listener as the server starts it: the routes of RegisterAdminRoutes
// served by an HttpListener, authorized by AuthorizeHttp against the engine's live ACL users
// (a CONFIG SET requirepass or ACL SETUSER applies to the next request).
#pragma once

#include <boost/asio/io_context.hpp>
#include <functional>
#include <string>

#include "server/http/admin_routes.h"
#include "server/http/http_listener.h"

namespace drayman {

class AdminHttp {
 public:
  AdminHttp(boost::asio::io_context& io, Engine& engine,
            HttpListener::Limits limits = HttpListener::Limits{});
  // Binds settings.http_bind on settings.http_port.
  bool Listen(std::string* error);
  int port() const { return listener_.port(); }
  void Close() { listener_.Close(); }
  void set_busy_check(std::function<bool()> busy) { listener_.set_busy_check(std::move(busy)); }
  HttpAdmin& admin() { return admin_; }
  const HttpListener& listener() const { return listener_; }

 private:
  HttpAdmin admin_;
  HttpListener listener_;
};

}  // namespace drayman
