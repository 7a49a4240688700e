#include "server/http/http_listener.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <optional>

#include "broker/base/errors.h"
#include "server/accept_backoff.h"

namespace drayman {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

class HttpListener::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(HttpListener& owner, asio::ip::tcp::socket socket)
      : owner_(owner),
        stream_(std::move(socket)),
        buffer_(owner.limits_.header_bytes + owner.limits_.body_bytes) {}

  void Begin() {
    int one = 1;
    setsockopt(stream_.socket().native_handle(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    ReadRequest();
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    boost::system::error_code ignored;
    stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
    owner_.sessions_.erase(shared_from_this());
  }

 private:
  void ReadRequest() {
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(owner_.limits_.header_bytes));
    parser_->body_limit(owner_.limits_.body_bytes);
    stream_.expires_after(owner_.limits_.request_timeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code error, size_t) { self->OnRead(error); });
  }

  void OnRead(beast::error_code error) {
    if (closed_) return;
    if (error) {
      // A peer that went away or went quiet is closed without a word; a request the limits or
      // the parser refuse gets its status first.
      if (error == http::error::header_limit || error == http::error::buffer_overflow) {
        Respond(HttpResponse::Text(431, "Request Header Fields Too Large\n"), 11, false, false);
      } else if (error == http::error::body_limit) {
        Respond(HttpResponse::Text(413, "Payload Too Large\n"), 11, false, false);
      } else if (error.category() == beast::error_code(http::error::bad_target).category() &&
                 error != http::error::end_of_stream && error != http::error::partial_message) {
        Respond(HttpResponse::Text(400, "Bad Request\n"), 11, false, false);
      } else {
        Close();
      }
      return;
    }
    const auto& message = parser_->get();
    const bool keep_alive = message.keep_alive();
    const bool head = message.method() == http::verb::head;
    const int version = message.version();
    ++owner_.requests_served_;
    HttpResponse response;
    const HttpAuthResult auth = owner_.authorize_(message[http::field::authorization]);
    if (auth.forbidden) {
      response = HttpResponse::Text(403, "Forbidden\n");
    } else if (!auth.allowed) {
      response = HttpResponse::Text(401, "Unauthorized\n");
      response.headers.emplace_back("WWW-Authenticate", "Basic realm=\"drayman\"");
    } else if (owner_.busy_ && owner_.busy_()) {
      response = HttpResponse::Text(503, std::string(errors::kHttpBusy));
      response.headers.emplace_back("Retry-After", "1");
    } else {
      HttpRequest request;
      request.method = std::string(message.method_string());
      const std::string_view target = message.target();
      const size_t question = target.find('?');
      request.path = std::string(target.substr(0, question));
      if (question != std::string_view::npos) request.query = target.substr(question + 1);
      request.body = message.body();
      request.user = auth.user;
      const auto started = std::chrono::steady_clock::now();
      response = owner_.router_.Dispatch(request);
      // The handler's loop time (every client waited this long), for bench/metrics_scrape.py
      // and browsers' developer tools: Server-Timing durations are in milliseconds.
      const double handler_ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
              .count();
      char timing[64];
      std::snprintf(timing, sizeof(timing), "handler;dur=%.3f", handler_ms);
      response.headers.emplace_back("Server-Timing", timing);
    }
    Respond(std::move(response), version, keep_alive, head);
  }

  void Respond(HttpResponse response, int version, bool keep_alive, bool head) {
    parser_.reset();  // the request's bytes are no longer needed
    response_ = {};
    response_.version(version);
    response_.result(static_cast<unsigned>(response.status));
    response_.set(http::field::server, "drayman");
    response_.set(http::field::content_type, response.content_type);
    for (auto& [name, value] : response.headers) response_.set(name, value);
    response_.keep_alive(keep_alive);
    const size_t length = response.body.size();
    if (!head) response_.body() = std::move(response.body);
    response_.content_length(length);
    stream_.expires_after(owner_.limits_.write_timeout);
    http::async_write(stream_, response_,
                      [self = shared_from_this(), keep_alive](beast::error_code error, size_t) {
                        self->OnWritten(error, keep_alive);
                      });
  }

  void OnWritten(beast::error_code error, bool keep_alive) {
    if (closed_) return;
    response_ = {};  // release the body before waiting for the next request
    if (error || !keep_alive) {
      Close();
      return;
    }
    ReadRequest();
  }

  HttpListener& owner_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  bool closed_ = false;
};

HttpListener::HttpListener(asio::io_context& io, const HttpRouter& router, Authorizer authorize,
                           Limits limits)
    : io_(io), router_(router), authorize_(std::move(authorize)), limits_(limits) {}

HttpListener::~HttpListener() { Close(); }

bool HttpListener::Listen(const std::vector<std::string>& bind, int port, std::string* error_text) {
  int bound_port = port;
  std::vector<std::shared_ptr<asio::ip::tcp::acceptor>> opened;
  for (const std::string& address_text : bind) {
    std::string host = address_text;
    const bool optional = !host.empty() && host[0] == '-';  // "-::1": skipped if unavailable
    if (optional) host.erase(0, 1);
    if (host == "*") host = "0.0.0.0";
    if (host == "::*") host = "::";
    boost::system::error_code error;
    const auto address = asio::ip::make_address(host, error);
    if (error) {
      *error_text = "Invalid http-bind address '" + address_text + "'";
      return false;
    }
    auto acceptor = std::make_shared<asio::ip::tcp::acceptor>(io_);
    const asio::ip::tcp::endpoint endpoint(address, static_cast<unsigned short>(bound_port));
    acceptor->open(endpoint.protocol(), error);
    if (!error) acceptor->set_option(asio::socket_base::reuse_address(true), error);
    if (!error) acceptor->bind(endpoint, error);
    if (!error) acceptor->listen(asio::socket_base::max_listen_connections, error);
    if (error) {
      if (optional) continue;
      *error_text = "Could not create HTTP listening socket " + host + ":" +
                    std::to_string(bound_port) + ": " + error.message();
      return false;
    }
    bound_port = acceptor->local_endpoint().port();
    opened.push_back(std::move(acceptor));
  }
  if (opened.empty()) {
    *error_text = "No http-bind address could be listened on";
    return false;
  }
  closed_ = false;
  port_ = bound_port;
  acceptors_ = std::move(opened);
  for (auto& acceptor : acceptors_) Accept(acceptor);
  return true;
}

void HttpListener::Accept(std::shared_ptr<asio::ip::tcp::acceptor> acceptor) {
  acceptor->async_accept(
      [this, acceptor](boost::system::error_code error, asio::ip::tcp::socket socket) {
        if (closed_ || error == asio::error::operation_aborted) return;
        if (error && IsResourceShortage(error)) {
          auto pause = std::make_shared<asio::steady_timer>(io_, kAcceptBackoff);
          pause->async_wait([this, pause, acceptor](boost::system::error_code waited) {
            if (!waited && !closed_) Accept(acceptor);
          });
          return;
        }
        if (!error) {
          if (sessions_.size() >= limits_.max_connections) {
            ++connections_refused_;
            boost::system::error_code ignored;
            socket.close(ignored);
          } else {
            auto session = std::make_shared<Session>(*this, std::move(socket));
            sessions_.insert(session);
            session->Begin();
          }
        }
        Accept(acceptor);
      });
}

void HttpListener::Close() {
  closed_ = true;
  boost::system::error_code ignored;
  for (auto& acceptor : acceptors_) acceptor->close(ignored);
  acceptors_.clear();
  auto open = sessions_;
  for (auto& session : open) session->Close();
  sessions_.clear();
}

}  // namespace drayman
