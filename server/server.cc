// Server (server.h) and its sessions: Server::Impl::Session reads a connection into its client's
// parser, lets the engine run what is complete and writes the replies (holding them until the
// append-only log has them durable), the pending-write pass for output produced outside a
// session's own input, shutdown, and the Server lifecycle (Start, Run, Stop, the RDB load).
// Listeners and accepting are in server_listen.cc, the loop's timers, the AOF's start-up and
// signals in server_cron.cc; Server::Impl, which they share, in server_impl.h.
#include "server/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <unordered_set>
#include <vector>

#include "broker/base/errors.h"
#include "broker/engine.h"
#include "broker/families/families.h"
#include "broker/persistence/rdb_file.h"
#include "broker/resp/repr.h"
#include "broker/script/script_engine.h"
#include "server/aof_log.h"
#include "server/aof_rewrite.h"
#include "server/background_file.h"
#include "server/logger.h"
#include "server/protected_mode.h"
#include "server/rdb_files.h"
#include "server/readable_wait.h"
#include "server/server_impl.h"
#include "server/tls_context.h"

namespace drayman {

namespace {

// Replies pending beyond this pause reading from the client until they drain, so a client that
// pipelines without reading cannot grow the server's memory without bound.
constexpr size_t kPauseReadingAbove = 64 * 1024 * 1024;
constexpr size_t kReadChunk = 16 * 1024;
// A plain session reads one chunk per pass, as Redis reads PROTO_IOBUF_LEN per event: a full
// chunk is followed by a posted continuation once its commands ran. Reading more at once would
// hold more query bytes (counted in used_memory) while maxmemory decides.
constexpr int kReadChunksPerPass = 1;
// Replies above this capacity are released once written (a burst of large replies).
constexpr size_t kKeepOutputCapacity = 1024 * 1024;

// Redis's anetKeepAlive: probes after `interval` idle seconds, then every interval/3 seconds,
// and the connection is dropped after three unanswered probes.
void SetKeepAlive(int fd, int interval) {
  int value = 1;
  if (setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &value, sizeof(value)) == -1) return;
  value = interval;
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &value, sizeof(value));
  value = std::max(1, interval / 3);
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &value, sizeof(value));
  value = 3;
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &value, sizeof(value));
}

std::string FormatAddress(const sockaddr* address) {
  char text[INET6_ADDRSTRLEN] = {0};
  if (address->sa_family == AF_INET) {
    auto* in = reinterpret_cast<const sockaddr_in*>(address);
    inet_ntop(AF_INET, &in->sin_addr, text, sizeof(text));
    return std::string(text) + ":" + std::to_string(ntohs(in->sin_port));
  }
  if (address->sa_family == AF_INET6) {
    auto* in6 = reinterpret_cast<const sockaddr_in6*>(address);
    inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof(text));
    return std::string(text) + ":" + std::to_string(ntohs(in6->sin6_port));
  }
  return "";
}

std::string PeerAddress(int fd, bool local) {
  sockaddr_storage storage{};
  socklen_t length = sizeof(storage);
  auto* address = reinterpret_cast<sockaddr*>(&storage);
  if (local ? getsockname(fd, address, &length) : getpeername(fd, address, &length)) return "?:0";
  if (address->sa_family == AF_UNIX) return local ? "/unixsocket:0" : "/unixsocket:0";
  return FormatAddress(address);
}

}  // namespace

class Server::Impl::Session : public ClientObserver, public std::enable_shared_from_this<Session> {
 public:
  Session(Impl& owner, GenericSocket socket) : owner_(owner), socket_(std::move(socket)) {}

  // A TLS session: the handshake runs with `context` before the client exists.
  void UseTls(std::shared_ptr<TlsContext> context) {
    tls_context_ = std::move(context);
    tls_ = std::make_unique<TlsStream>(socket_, *tls_context_);
    SSL_set_verify(tls_->native_handle(), TlsVerifyMode(owner_.engine.settings().tls_auth_clients),
                   nullptr);
  }

  void Begin(bool is_unix) {
    int fd = socket_.native_handle();
    boost::system::error_code ignored;
    socket_.non_blocking(true, ignored);  // reads happen once the socket is readable (see Read)
    const Settings& settings = owner_.engine.settings();
    if (static_cast<int64_t>(owner_.engine.clients().size()) >= settings.maxclients) {
      // As Redis: refused before a client exists, with a best-effort error and no wait.
      ++owner_.engine.stats().rejected_connections;
      owner_.engine.stats().disconnections.Count(DisconnectCause::kMaxClients);
      owner_.LogRejectedClient(is_unix ? "/unixsocket" : PeerAddress(fd, false));
      if (!tls_) {
        socket_.write_some(
            asio::buffer(errors::kMaxClientsReply.data(), errors::kMaxClientsReply.size()),
            ignored);
      }
      Close();
      return;
    }
    if (!is_unix) {
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      if (settings.tcp_keepalive > 0) SetKeepAlive(fd, settings.tcp_keepalive);
    }
    if (!tls_) {
      Admit(is_unix);
      return;
    }
    auto self = shared_from_this();
    tls_->async_handshake(
        asio::ssl::stream_base::server, [self, is_unix](boost::system::error_code error) {
          if (self->closed_) return;
          if (error) {
            // Redis's line for a failed TLS accept (bad or missing certificate).
            self->owner_.logger.Log(LogLevel::kWarning,
                                    "Error accepting a client connection: " + TlsErrorText(error));
            self->Close();
            return;
          }
          self->Admit(is_unix);
        });
  }

  // The connection is established (TLS handshake done): refused in protected mode, or a client.
  void Admit(bool is_unix) {
    const int fd = socket_.native_handle();
    if (ProtectedModeRefuses(owner_.engine, is_unix ? "" : PeerIp(fd), is_unix)) {
      ++owner_.engine.stats().rejected_connections;
      auto self = shared_from_this();
      auto done = [self](boost::system::error_code, size_t) { self->Close(); };
      const auto text = asio::buffer(kProtectedModeDenied.data(), kProtectedModeDenied.size());
      if (tls_) {
        asio::async_write(*tls_, text, std::move(done));
      } else {
        asio::async_write(socket_, text, std::move(done));
      }
      return;
    }
    client_ = owner_.engine.Connect(
        this, is_unix ? "/unixsocket:0" : PeerAddress(fd, false),
        is_unix ? owner_.engine.settings().unixsocket + ":0" : PeerAddress(fd, true), fd);
    Read();
  }

  void OnOutputPending(Client&) override {
    // Flushed later (end of the publisher's input, or a posted pass): by then the unit of work
    // that produced this output (a push that served this blocked client) is in the log.
    if (pending_write_ || closed_) return;
    pending_write_ = true;
    owner_.QueuePendingWrite(shared_from_this());
  }

  // Called by FlushPendingWrites.
  void WritePending() {
    pending_write_ = false;
    NoteOutput();
    MaybeWrite();
  }

  void OnCloseRequested(Client&) override {
    auto self = shared_from_this();
    asio::post(owner_.io, [self] { self->CloseRequested(); });
  }

  // A close the engine asked for (close_asap). An evicted client (maxmemory-clients) first gets
  // what its socket takes of its pending replies in one non-blocking send: Redis evicts in
  // beforeSleep, after that pass's replies were written, so the reply to the command that made
  // it too big still arrives. Killed clients (CLIENT KILL, output limits) lose their output.
  void CloseRequested() {
    if (closed_) return;
    if (client_ != nullptr && client_->close_cause == DisconnectCause::kClientEviction && !tls_ &&
        !write_in_flight_ && !waiting_durable_ && !client_->output().empty()) {
      AofLog* aof = owner_.aof.get();
      if (!(aof && aof->appending() && hold_until_ > aof->durable_offset())) {
        // A plain send, not write_some: a second write_some call site made the compiler stop
        // inlining the hot one in WriteDirectly (+26 instructions per reply, callgrind).
        const std::string& output = client_->output();
        const ssize_t count = ::send(socket_.native_handle(), output.data(), output.size(),
                                     MSG_DONTWAIT | MSG_NOSIGNAL);
        if (count > 0) owner_.engine.stats().total_net_output_bytes += count;
      }
    }
    Close();
  }

  void CloseForShutdown() {
    if (client_) client_->NoteCloseCause(DisconnectCause::kShutdown);
    Close();
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    boost::system::error_code ignored;
    socket_.shutdown(asio::socket_base::shutdown_both, ignored);
    socket_.close(ignored);
    if (client_) owner_.engine.Disconnect(client_);
    client_ = nullptr;
    owner_.sessions.erase(shared_from_this());
  }

 private:
  void Read() {
    if (closed_ || reading_ || client_->close_after_reply) return;
    if (client_->output().size() + writing_.size() > kPauseReadingAbove) return;
    if (tls_) {
      ReadTls();
      return;
    }
    // A readiness wait that costs no syscall (server/readable_wait.h), then reads straight into
    // the parser: nothing is lent to a pending read, and the engine may use the parser meanwhile
    // (resuming this client after a blocking command).
    reading_ = true;
    // A short read proves the socket drained of bytes, not that no FIN or RST came with them;
    // the edge that brought them is spent. A reply sent back would draw an RST (a new edge) from
    // a peer that is gone, so only a pass that answered nothing (a blocked client, CLIENT REPLY
    // OFF) reads once more to see the end of the stream: a gone BLPOP waiter must not be served.
    const bool replied = sent_since_read_ || write_in_flight_ || !client_->output().empty();
    if (!more_to_read_ && !read_until_eagain_ && !replied && !rereading_) {
      // That read is done here and now (usually EAGAIN, then the wait below): a BLPOP waiter
      // parks with no posted handler. Once per chain: data read meanwhile (pipelined after the
      // blocked command) continues by a posted pass.
      auto self = shared_from_this();
      rereading_ = true;
      OnReadable({});
      rereading_ = false;
      return;
    }
    if (more_to_read_ || (!read_until_eagain_ && !replied)) {
      // The last pass stopped before the socket was drained: no epoll edge will come for
      // those bytes.
      more_to_read_ = false;
      asio::post(owner_.io, [self = shared_from_this()] { self->OnReadable({}); });
      return;
    }
    readable_.Start(
        owner_.io, socket_, shared_from_this(),
        [](void* session, const boost::system::error_code& error) {
          static_cast<Session*>(session)->OnReadable(error);
        },
        this);
  }

  void OnReadable(const boost::system::error_code& wait_error) {
    reading_ = false;
    sent_since_read_ = false;
    read_until_eagain_ = false;
    if (closed_) return;
    if (wait_error) {
      Close();
      return;
    }
    size_t total = 0;
    boost::system::error_code error;
    for (int chunk = 0;; ++chunk) {
      if (chunk == kReadChunksPerPass) {
        more_to_read_ = true;
        break;
      }
      size_t available = 0;
      char* buffer = client_->parser().PrepareWrite(kReadChunk, &available);
      const size_t count = socket_.read_some(asio::buffer(buffer, available), error);
      if (error) break;
      client_->parser().CommitWrite(count);
      total += count;
      // A short read drained the socket: bytes arriving later make a new edge. Past the query
      // buffer limit OnRead closes the client.
      if (count < available || static_cast<int64_t>(client_->parser().buffered_bytes()) >
                                   owner_.engine.settings().client_query_buffer_limit) {
        break;
      }
    }
    if (error == asio::error::would_block || error == asio::error::try_again) {
      read_until_eagain_ = true;
      if (total == 0) {
        Read();  // woken for nothing (an edge already read): wait again
        return;
      }
      error.clear();
    }
    // Bytes read before an error or EOF are served first; the next pass meets the error again.
    if (error && total > 0) {
      more_to_read_ = true;
      error.clear();
    }
    OnRead(error, total);
  }

  void CopyToParser(const char* data, size_t count) {
    size_t available = 0;
    char* buffer = client_->parser().PrepareWrite(count, &available);
    std::memcpy(buffer, data, count);
    client_->parser().CommitWrite(count);
  }

  // TLS decrypts into the session's own buffer (the engine may use the parser meanwhile), then
  // the bytes are copied into the parser.
  void ReadTls() {
    reading_ = true;
    tls_read_buffer_.resize(kReadChunk);
    auto self = shared_from_this();
    tls_->async_read_some(asio::buffer(tls_read_buffer_),
                          [self](boost::system::error_code error, size_t count) {
                            self->reading_ = false;
                            if (self->closed_) return;
                            if (!error) self->CopyToParser(self->tls_read_buffer_.data(), count);
                            self->OnRead(error, count);
                          });
  }

  void OnRead(boost::system::error_code error, size_t count) {
    if (closed_) return;
    if (error) {
      Close();
      return;
    }
    owner_.engine.stats().total_net_input_bytes += count;
    ++owner_.engine.stats().total_reads_processed;
    if (static_cast<int64_t>(client_->parser().buffered_bytes()) >
        owner_.engine.settings().client_query_buffer_limit) {
      // Redis closes clients whose query buffer exceeds the limit, and says so.
      owner_.logger.Log(
          LogLevel::kWarning,
          "Closing client that reached max query buffer length: " +
              ClientInfoString(*client_, owner_.engine.clock().NowMs()) +
              " (qbuf initial bytes: " + Repr(client_->parser().buffered().substr(0, 64)) + ")");
      client_->NoteCloseCause(DisconnectCause::kQueryBufferLimit);
      Close();
      return;
    }
    ++owner_.inputs_running;
    owner_.engine.ProcessInput(*client_);
    --owner_.inputs_running;
    NoteOutput();
    owner_.ArmBlockingTimer();  // the command may have blocked a client, or served one
    if (!closed_ && client_->close_asap) CloseRequested();
    if (!closed_) {  // else closed while its busy script served other sessions, or just now
      MaybeWrite();
      Read();
    }
    // Subscribers and woken clients this input produced output for: written now, not by a
    // posted pass (QueuePendingWrite posts none while an input runs).
    owner_.FlushPendingWrites();
  }

  // Replies wait until the log is durable (fsynced under appendfsync always, written otherwise)
  // up to what was appended when they were produced: their own writes, and any they could read.
  void NoteOutput() {
    if (closed_ || !owner_.aof || client_->output().empty()) return;
    hold_until_ = std::max(hold_until_, owner_.aof->appended_offset());
  }

  void MaybeWrite() {
    if (closed_ || write_in_flight_ || waiting_durable_) return;
    if (client_->output().empty()) {
      if (client_->close_after_reply) Close();
      return;
    }
    AofLog* aof = owner_.aof.get();
    if (aof && aof->appending() && hold_until_ > aof->durable_offset()) {
      waiting_durable_ = true;
      auto self = shared_from_this();
      aof->WhenDurable(hold_until_, [self] {
        self->waiting_durable_ = false;
        self->MaybeWrite();
      });
      return;
    }
    // INFO's write and reply-buffer counters: a buffer grown past the size kept between
    // replies is an expand; releasing it after the write, a shrink.
    EngineStats& stats = owner_.engine.stats();
    ++stats.total_writes_processed;
    const size_t capacity = client_->output().capacity();
    if (capacity > kKeepOutputCapacity && capacity > output_capacity_) ++stats.reply_buffer_expands;
    output_capacity_ = capacity;
    if (!tls_ && !WriteDirectly()) return;
    writing_.clear();
    writing_.swap(client_->output());
    client_->output_in_flight = writing_.size();  // output buffer limits count these bytes too
    owner_.engine.NoteOutputWritten(*client_);   // maxmemory-clients: the buffer moved
    write_in_flight_ = true;
    auto self = shared_from_this();
    auto on_written = [self](boost::system::error_code error, size_t count) {
      self->write_in_flight_ = false;
      self->OnWritten(error, count);
    };
    if (tls_) {
      asio::async_write(*tls_, asio::buffer(writing_), std::move(on_written));
    } else {
      asio::async_write(socket_, asio::buffer(writing_), std::move(on_written));
    }
  }

  // Writes the output with one non-blocking send, as Redis's writeToClient does. True when bytes
  // are left for an asynchronous write (the socket buffer was full); false when all went out or
  // the session closed.
  bool WriteDirectly() {
    std::string& output = client_->output();
    boost::system::error_code error;
    const size_t count = socket_.write_some(asio::buffer(output), error);
    if (error && error != asio::error::would_block && error != asio::error::try_again) {
      Close();
      return false;
    }
    owner_.engine.stats().total_net_output_bytes += count;
    sent_since_read_ = true;
    if (count < output.size()) {
      output.erase(0, count);
      return true;
    }
    if (output.capacity() > kKeepOutputCapacity) {
      std::string().swap(output);
      ++owner_.engine.stats().reply_buffer_shrinks;
      output_capacity_ = 0;
    } else {
      output.clear();
    }
    owner_.engine.NoteOutputWritten(*client_);  // maxmemory-clients: the client shrank
    if (client_->close_after_reply) Close();
    return false;
  }

  void OnWritten(boost::system::error_code error, size_t count) {
    if (closed_) return;
    if (error) {
      Close();
      return;
    }
    owner_.engine.stats().total_net_output_bytes += count;
    client_->output_in_flight = 0;
    // Release memory held by a burst of large replies.
    if (writing_.capacity() > kKeepOutputCapacity) {
      std::string().swap(writing_);
      ++owner_.engine.stats().reply_buffer_shrinks;
      output_capacity_ = 0;
    }
    owner_.engine.NoteOutputWritten(*client_);  // maxmemory-clients: the client shrank
    MaybeWrite();
    Read();
  }

  Impl& owner_;
  ReactorSocket socket_;
  std::shared_ptr<TlsContext> tls_context_;  // the context this TLS session started with
  std::unique_ptr<TlsStream> tls_;           // over socket_; null for plain TCP and Unix
  std::vector<char> tls_read_buffer_;
  ReadableWait readable_;          // the plain session's pending wait for bytes
  bool more_to_read_ = false;      // the last read pass stopped before EAGAIN
  bool read_until_eagain_ = true;  // the last read pass ended with EAGAIN (nothing pending)
  bool sent_since_read_ = false;   // replies were written since that pass
  bool rereading_ = false;         // inside the read a pass that answered nothing does at once
  Client* client_ = nullptr;
  std::string writing_;
  size_t output_capacity_ = 0;  // the output buffer's capacity at the last write (INFO)
  bool write_in_flight_ = false;
  uint64_t hold_until_ = 0;  // log offset this session's pending output waits for
  bool waiting_durable_ = false;
  bool reading_ = false;
  bool pending_write_ = false;  // in owner_.pending_writes
  bool closed_ = false;
};

void Server::Impl::QueuePendingWrite(std::shared_ptr<Session> session) {
  pending_writes.push_back(std::move(session));
  if (pending_flush_posted || inputs_running > 0) return;
  PostFlush();
}

void Server::Impl::PostFlush() {
  pending_flush_posted = true;
  asio::post(io, [this] {
    pending_flush_posted = false;
    FlushPendingWrites();
  });
}

void Server::Impl::FlushPendingWrites() {
  while (!pending_writes.empty()) {
    std::vector<std::shared_ptr<Session>> batch;
    batch.swap(pending_writes);
    for (auto& session : batch) session->WritePending();
    // Keep the vector's capacity for the next pass unless a write queued more meanwhile.
    if (pending_writes.empty()) {
      batch.clear();
      pending_writes.swap(batch);
    }
  }
}

void Server::Impl::StartSession(GenericSocket socket, bool is_unix, bool tls) {
  auto session = std::make_shared<Session>(*this, std::move(socket));
  sessions.insert(session);
  if (tls) session->UseTls(tls_context);
  session->Begin(is_unix);
}

void Server::Impl::Shutdown() {
  if (stopping) return;
  stopping = true;
  boost::system::error_code ignored;
  for (auto& acceptor : tcp_acceptors) acceptor->close(ignored);
  for (auto& acceptor : tls_acceptors) acceptor->close(ignored);
  if (unix_acceptor) {
    unix_acceptor->close(ignored);
    std::filesystem::remove(engine.settings().unixsocket, ignored);
  }
  cron_timer.cancel();
  background_save_timer.cancel();
  engine.CancelBackgroundSave();
  engine.CancelAofRewrite();
  aof_rewrite_files->Stop();
  blocking_timer.cancel();
  signals.cancel(ignored);
  if (aof) {
    logger.Log(LogLevel::kNotice, "Calling fsync() on the AOF file.");
    aof->Stop();  // writes and fsyncs what was appended
  }
  if (http) http->Close();
  auto open_sessions = sessions;
  for (auto& session : open_sessions) session->CloseForShutdown();
  io.stop();
}

void Server::Impl::Fail(const std::string& message) {
  std::fprintf(stderr, "%s\n", message.c_str());
  std::fflush(stderr);
  fatal_error = message;
  Shutdown();
}

Server::Server(Config config) : config_(std::move(config)) {}

Server::~Server() { Stop(); }

bool Server::stopped() const { return impl_ && impl_->stopping; }

std::string Server::fatal_error() const { return impl_ ? impl_->fatal_error : std::string(); }

void Server::LoadDataset() {
  // Loaded before listening, so no client ever sees a half-loaded dataset (Redis answers
  // -LOADING meanwhile; here connections wait in the kernel's backlog-less refusal instead).
  // With appendonly yes the AOF is the source of truth and dump.rdb is not read.
  if (config_.settings().appendonly) return;
  const auto start = std::chrono::steady_clock::now();
  rdb::RdbLoadResult result = rdb::LoadRdbFile(impl_->engine);
  if (!result.ok) {
    throw std::runtime_error("Fatal error loading the DB " + rdb::RdbFilePath(impl_->engine) +
                             ": " + result.error + ". Exiting.");
  }
  if (result.version == 0) return;  // no file
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  char loaded[64];
  std::snprintf(loaded, sizeof(loaded), "DB loaded from disk: %.3f seconds", seconds);
  impl_->logger.Log(LogLevel::kNotice,
                    "Done loading RDB, keys loaded: " + std::to_string(result.keys_loaded) +
                        ", keys expired: " + std::to_string(result.expired_skipped) + ".");
  impl_->logger.Log(LogLevel::kNotice, loaded);
}

void Server::Start() {
  Bind();
  thread_ = std::thread([this] { impl_->io.run(); });
}

void Server::Run(bool handle_signals) {
  Bind();
  if (handle_signals) HandleSignals();
  impl_->io.run();
}

void Server::Stop() {
  if (!impl_) return;
  asio::post(impl_->io, [this] { impl_->Shutdown(); });
  if (thread_.joinable()) {
    thread_.join();
  }
}

}  // namespace drayman
