// TLS for client connections: the OpenSSL context built from the tls-* parameters, and the
// stream a TLS session reads and writes through.
//
// Contract: BuildTlsContext() makes a server context the way Redis 7.0's tlsConfigure() does
// (certificate chain, private key with tls-key-file-pass, CA file/dir, tls-protocols,
// tls-ciphers, tls-ciphersuites, tls-prefer-server-ciphers, session caching with Redis's session
// id context, DH parameters, no compression, no client renegotiation). It is all or nothing: on
// failure it returns null and sets *error to the line Redis logs ("Failed to load certificate:
// <file>: <OpenSSL error>", "No tls-cert-file configured!", ...); the caller keeps its previous
// context, so a bad CONFIG SET leaves running and new connections as they were. Contexts are
// shared: a connection keeps the one it started with, and a reload (CONFIG SET tls-cert-file)
// only changes what later connections get. TlsNeeded() says whether a context must exist (a TLS
// port, or tls-replication/tls-cluster set), as Redis's applyTlsCfg decides. TlsVerifyMode()
// maps tls-auth-clients (yes | no | optional) to the per-connection OpenSSL verify mode, applied
// when a connection is accepted, so a CONFIG SET of it needs no new context. The client-side
// files (tls-client-cert-file/-key-file) are checked like Redis checks them, but Drayman opens no
// outgoing TLS connections (no replication, no cluster).
#pragma once

#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/ssl.hpp>
#include <memory>
#include <string>

#include "broker/config/config.h"

namespace drayman {

using TlsContext = boost::asio::ssl::context;
// A TLS session layered over the connection's own socket, which the session keeps owning.
using TlsStream = boost::asio::ssl::stream<boost::asio::generic::stream_protocol::socket&>;

// Whether the settings call for a server TLS context (tls-port, tls-replication, tls-cluster).
bool TlsNeeded(const Settings& settings);

// A context for the current tls-* settings, or null with Redis's log line in *error.
std::shared_ptr<TlsContext> BuildTlsContext(const Settings& settings, std::string* error);

// SSL_VERIFY_* flags for tls-auth-clients: "no" none, "optional" verify a certificate if the
// client sends one, anything else (yes) require one.
int TlsVerifyMode(const std::string& tls_auth_clients);

// The last OpenSSL error as one line ("error:80000002:system library::No such file or
// directory"), clearing OpenSSL's error queue; `fallback` when the queue is empty.
std::string TakeOpenSslError(const std::string& fallback = "");

// A failed handshake or TLS read as Redis logs it: OpenSSL's error string
// ("error:0A0000C7:SSL routines::peer did not return a certificate"), or the system message.
std::string TlsErrorText(const boost::system::error_code& error);

}  // namespace drayman
