// HttpListener: the HTTP/1.1 admin listener (Boost.Beast) on the server's event loop.
//
// Contract: Listen() binds every address of `http-bind` on `http-port` (port 0 picks one; the
// first address's port is reused for the others, as for the RESP listener) and accepts on the
// io_context it was given, the one whose thread owns the Engine, so handlers read the engine
// directly. Each request is authorized by the Authorizer first (401 with a Basic challenge when
// refused, 403 when its user lacks a permission), then dispatched by the HttpRouter.
// Connections are kept alive as HTTP/1.1 asks.
//
// A slow or hostile client cannot pin memory or stall the loop: everything is asynchronous; a
// request's header is limited to Limits::header_bytes (431) and its body to body_bytes (413),
// so a connection holds at most those bytes plus the response it is writing; a request must
// arrive whole within request_timeout of the previous response (this is also the keep-alive idle
// time) and a response be taken within write_timeout, else the connection is closed; at most
// max_connections are open (further ones are closed on accept). One connection has one request
// in flight: pipelined requests wait in the kernel, not in the server. Each routed response
// carries `Server-Timing: handler;dur=<ms>`, the loop time its handler took.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "server/http/http_auth.h"
#include "server/http/http_router.h"

namespace drayman {

class HttpListener {
 public:
  struct Limits {
    size_t header_bytes = 8 * 1024;
    size_t body_bytes = 64 * 1024;
    std::chrono::milliseconds request_timeout{30'000};
    std::chrono::milliseconds write_timeout{30'000};
    size_t max_connections = 64;
  };
  // Decides from the Authorization header ("" when absent); see server/http/http_auth.h.
  using Authorizer = std::function<HttpAuthResult(std::string_view authorization)>;

  HttpListener(boost::asio::io_context& io, const HttpRouter& router, Authorizer authorize,
               Limits limits);
  HttpListener(boost::asio::io_context& io, const HttpRouter& router, Authorizer authorize)
      : HttpListener(io, router, std::move(authorize), Limits{}) {}
  ~HttpListener();
  HttpListener(const HttpListener&) = delete;
  HttpListener& operator=(const HttpListener&) = delete;

  // Binds and starts accepting. False with a readable message (nothing left listening) on failure.
  bool Listen(const std::vector<std::string>& bind, int port, std::string* error);
  // The bound port (after Listen), e.g. the one port 0 picked.
  int port() const { return port_; }
  // Stops accepting and closes every connection (on the loop thread).
  void Close();
  // While `busy` returns true (a script past busy-reply-threshold has the engine, and the loop
  // only polls), requests are answered 503 without reaching a handler, as RESP clients get BUSY.
  void set_busy_check(std::function<bool()> busy) { busy_ = std::move(busy); }

  size_t open_connections() const { return sessions_.size(); }
  uint64_t requests_served() const { return requests_served_; }
  uint64_t connections_refused() const { return connections_refused_; }

 private:
  class Session;
  void Accept(std::shared_ptr<boost::asio::ip::tcp::acceptor> acceptor);

  boost::asio::io_context& io_;
  const HttpRouter& router_;
  Authorizer authorize_;
  Limits limits_;
  std::function<bool()> busy_;
  std::vector<std::shared_ptr<boost::asio::ip::tcp::acceptor>> acceptors_;
  std::unordered_set<std::shared_ptr<Session>> sessions_;
  int port_ = 0;
  bool closed_ = false;
  uint64_t requests_served_ = 0;
  uint64_t connections_refused_ = 0;
};

}  // namespace drayman
