#include "server/http/admin_http.h"

#include "broker/acl/acl.h"
#include "broker/engine.h"

namespace drayman {

AdminHttp::AdminHttp(boost::asio::io_context& io, Engine& engine, HttpListener::Limits limits)
    : admin_(engine),
      listener_(
          io, admin_.router,
          [&engine](std::string_view authorization) {
            return AuthorizeHttp(engine.acl(), engine.commands(), authorization);
          },
          limits) {
  RegisterAdminRoutes(admin_);
}

bool AdminHttp::Listen(std::string* error) {
  const Settings& settings = admin_.engine.settings();
  return listener_.Listen(settings.http_bind, settings.http_port, error);
}

}  // namespace drayman
