// Listening and accepting: the TCP listeners (bind, port, tcp-backlog, "-addr" optional
// addresses), the Unix socket (unixsocket, unixsocketperm), the TLS listeners on tls-port with
// the context new connections use, the HTTP admin listener, and Server::Bind, which opens them
// and installs the CONFIG SET hooks that move them (port, bind, tls-*) or depend on them
// (maxclients, appendonly). Accept failures for lack of descriptors or memory pause accepting
// for kAcceptBackoff instead of spinning; every accepted socket becomes a session through
// Server::Impl::StartSession (server.cc).
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "broker/engine.h"
#include "server/accept_backoff.h"
#include "server/http/admin_http.h"
#include "server/logger.h"
#include "server/open_files.h"
#include "server/protected_mode.h"
#include "server/server.h"
#include "server/server_impl.h"
#include "server/tls_context.h"

namespace drayman {

void Server::Impl::AcceptTcp(std::shared_ptr<asio::ip::tcp::acceptor> acceptor, bool tls) {
  acceptor->async_accept(
      [this, acceptor, tls](boost::system::error_code error, asio::ip::tcp::socket socket) {
        // A listener closed by CONFIG SET port/bind stops here.
        if (stopping || error == asio::error::operation_aborted || !acceptor->is_open()) return;
        if (error &&
            BackOffAfterAcceptError(error, [this, acceptor, tls] { AcceptTcp(acceptor, tls); })) {
          return;
        }
        if (!error) {
          accept_error_logged = false;
          // Re-wrap the accepted descriptor so TCP and Unix sessions share one socket type. The
          // generic socket must start closed: assign() refuses an open one.
          const int family = socket.local_endpoint().protocol().family();
          int fd = socket.release();
          GenericSocket generic(io);
          boost::system::error_code assign_error;
          generic.assign(asio::generic::stream_protocol(family, IPPROTO_TCP), fd, assign_error);
          if (assign_error) {
            ::close(fd);
          } else {
            StartSession(std::move(generic), false, tls);
          }
        }
        AcceptTcp(acceptor, tls);
      });
}

bool Server::Impl::BackOffAfterAcceptError(const boost::system::error_code& error,
                                           std::function<void()> resume) {
  if (!accept_error_logged) {
    logger.Log(LogLevel::kWarning, "Accepting client connection: accept: " + error.message());
    accept_error_logged = true;
  }
  if (!IsResourceShortage(error)) return false;
  auto pause = std::make_shared<asio::steady_timer>(io, kAcceptBackoff);
  pause->async_wait([this, pause, resume = std::move(resume)](boost::system::error_code waited) {
    if (waited || stopping) return;
    resume();
  });
  return true;
}

bool Server::Impl::ListenTcp(const std::vector<std::string>& bind, int port, int backlog,
                             std::vector<std::shared_ptr<asio::ip::tcp::acceptor>>* out,
                             int* bound_port, std::string* error_text) {
  *bound_port = port;
  for (const std::string& address_text : bind) {
    std::string host = address_text;
    if (!host.empty() && host[0] == '-') host.erase(0, 1);  // "-::1": optional address
    boost::system::error_code error;
    auto address = asio::ip::make_address(host, error);
    if (error) {
      *error_text = "Invalid bind address '" + address_text + "'";
      return false;
    }
    auto acceptor = std::make_shared<asio::ip::tcp::acceptor>(io);
    asio::ip::tcp::endpoint endpoint(address, static_cast<unsigned short>(*bound_port));
    acceptor->open(endpoint.protocol(), error);
    if (!error) acceptor->set_option(asio::socket_base::reuse_address(true), error);
    if (!error) acceptor->bind(endpoint, error);
    if (!error) acceptor->listen(backlog, error);
    if (error) {
      if (address_text[0] == '-') continue;
      *error_text = "Could not create server TCP listening socket " + host + ":" +
                    std::to_string(*bound_port) + ": " + error.message();
      return false;
    }
    *bound_port = acceptor->local_endpoint().port();
    out->push_back(std::move(acceptor));
  }
  return true;
}

bool Server::Impl::Relisten(int* bound_port) {
  // Like Redis: close the old listeners, open the new ones, and on failure reopen the old ones.
  boost::system::error_code ignored;
  for (auto& acceptor : tcp_acceptors) acceptor->close(ignored);
  tcp_acceptors.clear();
  const Settings& settings = engine.settings();
  std::vector<std::shared_ptr<asio::ip::tcp::acceptor>> fresh;
  std::string error;
  // `port 0` with a tls-port: no plain listener, as in Redis.
  const bool tls_only = settings.port == 0 && settings.tls_port != 0;
  bool ok = ListenTcp(tls_only ? std::vector<std::string>() : settings.bind, settings.port,
                      settings.tcp_backlog, &fresh, bound_port, &error);
  if (ok) {
    listening_bind = settings.bind;
    listening_port = *bound_port;
  } else {
    fresh.clear();
    ListenTcp(listening_bind, listening_port, settings.tcp_backlog, &fresh, bound_port, &error);
  }
  tcp_acceptors = std::move(fresh);
  for (auto& acceptor : tcp_acceptors) AcceptTcp(acceptor);
  return ok;
}

bool Server::Impl::ConfigureTls(std::string* error) {
  if (!TlsNeeded(engine.settings())) return true;
  std::shared_ptr<TlsContext> fresh = BuildTlsContext(engine.settings(), error);
  if (!fresh) return false;
  tls_context = std::move(fresh);  // sessions already running keep the one they started with
  return true;
}

bool Server::Impl::ListenTls(std::string* error) {
  // As Redis's changeListenPort: close the old listeners, open the new ones, and on failure
  // reopen the old ones.
  const Settings& settings = engine.settings();
  boost::system::error_code ignored;
  for (auto& acceptor : tls_acceptors) acceptor->close(ignored);
  tls_acceptors.clear();
  std::vector<std::shared_ptr<asio::ip::tcp::acceptor>> fresh;
  int bound = 0;
  bool ok = settings.tls_port == 0 || ListenTcp(settings.bind, settings.tls_port,
                                                settings.tcp_backlog, &fresh, &bound, error);
  if (ok) {
    listening_tls_port = settings.tls_port;
  } else {
    fresh.clear();
    std::string ignored_error;
    if (listening_tls_port != 0) {
      ListenTcp(listening_bind, listening_tls_port, settings.tcp_backlog, &fresh, &bound,
                &ignored_error);
    }
  }
  tls_acceptors = std::move(fresh);
  for (auto& acceptor : tls_acceptors) AcceptTcp(acceptor, /*tls=*/true);
  return ok;
}

void Server::Impl::AcceptUnix() {
  unix_acceptor->async_accept(
      [this](boost::system::error_code error, asio::local::stream_protocol::socket socket) {
        if (stopping || error == asio::error::operation_aborted) return;
        if (error && BackOffAfterAcceptError(error, [this] { AcceptUnix(); })) return;
        if (!error) {
          accept_error_logged = false;
          int fd = socket.release();
          GenericSocket generic(io);
          boost::system::error_code assign_error;
          generic.assign(asio::generic::stream_protocol(AF_UNIX, 0), fd, assign_error);
          if (assign_error) {
            ::close(fd);
          } else {
            StartSession(std::move(generic), true);
          }
        }
        AcceptUnix();
      });
}

void Server::Impl::ListenHttp() {
  http = std::make_unique<AdminHttp>(io, engine);
  http->set_busy_check([this] { return serving_while_busy; });
  http->admin().metrics.Add([this](Engine&, PrometheusWriter& out) {
    if (aof) aof->sync_stats().Write(out);  // the log's writer lives here, not in the engine
  });
  std::string error;
  if (!http->Listen(&error)) throw std::runtime_error(error);
  // As for port 0: CONFIG GET http-port reports the port actually bound.
  engine.config().settings().http_port = http->port();
}

void Server::Bind() {
  if (impl_) return;
  impl_ = std::make_unique<Impl>(config_, clock_);
  Settings& settings = config_.settings();
  std::string tls_error;
  if (!impl_->ConfigureTls(&tls_error)) {
    impl_->logger.Log(LogLevel::kWarning, tls_error);
    throw std::runtime_error("Failed to configure TLS. Check logs for more info.");
  }
  LoadDataset();
  int bound_port = settings.port;
  // `port 0` with a tls-port listens only for TLS, as in Redis; otherwise port 0 is ephemeral.
  const bool tls_only = settings.port == 0 && settings.tls_port != 0;
  if (!tls_only && (settings.port != 0 || settings.unixsocket.empty())) {
    std::string error;
    if (!impl_->ListenTcp(settings.bind, settings.port, settings.tcp_backlog, &impl_->tcp_acceptors,
                          &bound_port, &error)) {
      throw std::runtime_error(error);
    }
  }
  if (!settings.unixsocket.empty()) {
    boost::system::error_code error;
    std::filesystem::remove(settings.unixsocket, error);
    impl_->unix_acceptor = std::make_unique<asio::local::stream_protocol::acceptor>(impl_->io);
    asio::local::stream_protocol::endpoint endpoint(settings.unixsocket);
    impl_->unix_acceptor->open(endpoint.protocol(), error);
    if (!error) impl_->unix_acceptor->bind(endpoint, error);
    if (!error) impl_->unix_acceptor->listen(settings.tcp_backlog, error);
    if (error) {
      throw std::runtime_error("Could not create server unix socket " + settings.unixsocket + ": " +
                               error.message());
    }
    // unixsocketperm (octal, 0 = leave the umask's mode), as Redis's anetUnixServer applies it.
    if (settings.unixsocketperm != 0) {
      std::filesystem::permissions(
          settings.unixsocket, static_cast<std::filesystem::perms>(settings.unixsocketperm), error);
    }
  }
  settings.port = bound_port;
  port_ = bound_port;
  if (settings.http_port >= 0) {
    impl_->ListenHttp();
    http_port_ = settings.http_port;
  }
  impl_->listening_bind = settings.bind;
  impl_->listening_port = bound_port;
  if (settings.tls_port != 0 && !impl_->ListenTls(&tls_error)) {
    impl_->logger.Log(LogLevel::kWarning, tls_error);
    throw std::runtime_error("Failed listening on port " + std::to_string(settings.tls_port) +
                             " (TLS), aborting.");
  }
  const std::string bind_warning = PublicBindWarning(impl_->engine, settings.bind);
  if (!bind_warning.empty()) impl_->logger.Log(LogLevel::kWarning, bind_warning);
  // CONFIG SET port / bind re-listen at once, as in Redis (the hook runs on the loop thread).
  auto relisten = [this](std::string_view failure) {
    return [this, failure](std::string* error) {
      int bound = 0;
      const bool ok = impl_->Relisten(&bound);
      config_.settings().port = bound;
      port_ = bound;
      if (!ok) *error = std::string(failure);
      return ok;
    };
  };
  config_.SetApplyHook("port", relisten("Unable to listen on this port. Check server logs."));
  config_.SetApplyHook("bind", [this, plain = relisten("Failed to bind to specified addresses.")](
                                   std::string* error) {
    std::string detail;
    if (!plain(error)) return false;
    if (impl_->ListenTls(&detail)) return true;
    *error = "Failed to bind to specified addresses.";
    return false;
  });
  InstallTlsHooks();
  // CONFIG SET maxclients makes room for the new number of descriptors, or fails as Redis does.
  config_.SetApplyHook("maxclients", [this](std::string* error) {
    Settings& settings = config_.settings();
    const int64_t requested = settings.maxclients;
    AdjustOpenFilesLimit(settings, impl_->logger);  // may lower maxclients to what fits
    if (settings.maxclients == requested) return true;
    impl_->logger.Log(LogLevel::kWarning,
                      "Failed applying new configuration. Possibly related to new maxclients "
                      "setting. Restoring previous settings.");
    *error =
        "The operating system is not able to handle the specified number of clients, try with " +
        std::to_string(settings.maxclients);
    return false;
  });
  config_.SetApplyHook("appendonly",
                       [this](std::string* error) { return impl_->ApplyAppendonly(error); });
  for (auto& acceptor : impl_->tcp_acceptors) impl_->AcceptTcp(acceptor);
  if (impl_->unix_acceptor) impl_->AcceptUnix();
  impl_->ScheduleCron();
  // On the loop thread, first thing: clients that connect meanwhile get LOADING.
  if (settings.appendonly) asio::post(impl_->io, [this] { impl_->StartAof(); });
}

void Server::InstallTlsHooks() {
  // Redis's applyTlsCfg: a new context for new connections, or the old one stays.
  auto reconfigure = [this](std::string* error) {
    std::string detail;
    if (impl_->ConfigureTls(&detail)) return true;
    impl_->logger.Log(LogLevel::kWarning, detail);
    *error = "Unable to update TLS configuration. Check server logs.";
    return false;
  };
  for (const char* name :
       {"tls-cert-file", "tls-key-file", "tls-key-file-pass", "tls-client-cert-file",
        "tls-client-key-file", "tls-client-key-file-pass", "tls-dh-params-file", "tls-ca-cert-file",
        "tls-ca-cert-dir", "tls-protocols", "tls-ciphers", "tls-ciphersuites",
        "tls-prefer-server-ciphers", "tls-session-caching", "tls-session-cache-size",
        "tls-session-cache-timeout", "tls-replication", "tls-cluster"}) {
    config_.SetApplyHook(name, reconfigure);
  }
  // Redis's applyTLSPort (tls-auth-clients needs no hook: it is read at each accept).
  config_.SetApplyHook("tls-port", [this](std::string* error) {
    std::string detail;
    if (!impl_->tls_context && !impl_->ConfigureTls(&detail)) {
      impl_->logger.Log(LogLevel::kWarning, detail);
      *error = "Unable to update TLS configuration. Check server logs.";
      return false;
    }
    if (impl_->ListenTls(&detail)) return true;
    impl_->logger.Log(LogLevel::kWarning, detail);
    *error = "Unable to listen on this port. Check server logs.";
    return false;
  });
}

}  // namespace drayman
