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
#include <functional>
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
#include "server/http/admin_http.h"
#include "server/logger.h"
#include "server/open_files.h"
#include "server/protected_mode.h"
#include "server/rdb_files.h"
#include "server/readable_wait.h"
#include "server/tls_context.h"

namespace drayman {

namespace asio = boost::asio;
using GenericSocket = asio::generic::stream_protocol::socket;

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
// How long accepting pauses after accept() fails for lack of descriptors or memory: the pending
// connection stays in the backlog, so retrying at once would spin the loop.
constexpr auto kAcceptBackoff = std::chrono::milliseconds(100);
// BGSAVE: encoding slices of about this long, each followed by this much time back in the
// reactor (see PumpBackgroundSave).
constexpr int64_t kBackgroundSaveSliceUs = 1000;
constexpr auto kBackgroundSaveGap = std::chrono::microseconds(500);

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

// accept() failures that mean "no resources right now" rather than "this one connection failed".
bool IsResourceShortage(const boost::system::error_code& error) {
  return error == asio::error::no_descriptors || error.value() == ENFILE ||
         error == asio::error::no_buffer_space || error == asio::error::no_memory;
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

struct Server::Impl {
  class Session;

  explicit Impl(Config& config, const Clock& clock)
      : logger(config.settings()),
        engine(config, clock),
        cron_timer(io),
        background_save_timer(io),
        blocking_timer(io),
        signals(io) {
    engine.serve_while_busy = [this] { ServeWhileBusy(); };
    engine.host_steps_background_save = true;  // PumpBackgroundSave
    // Posted, not run here: the SHUTDOWN handler is still on the stack.
    engine.shutdown_requested = [this] { asio::post(io, [this] { Shutdown(); }); };
    engine.log_sink = logger.Sink();
    engine.rdb_files = &rdb_files;
    engine.open_background_file = [this](const std::string& path, std::string* error) {
      std::unique_ptr<AsyncFileSink> sink;
      if (auto file = rdb_files.CreateAtomically(path, error)) {
        sink = std::make_unique<ThreadedFileSink>(std::move(file));
      }
      return sink;
    };
    aof_rewrite_files =
        std::make_unique<AofRewriteFiles>(engine, io, aof, engine.open_background_file);
    engine.aof_rewrite_host = aof_rewrite_files.get();
  }

  // One thread runs the loop and owns every socket and timer, so the reactor's per-descriptor
  // locks are off; posting stays thread-safe (the AOF writer and Stop() post from other threads).
  asio::io_context io{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO};
  PosixRdbFileSystem rdb_files;  // before engine: the engine points at it
  Logger logger;
  Engine engine;
  std::vector<std::shared_ptr<asio::ip::tcp::acceptor>> tcp_acceptors;
  // What the TCP listeners are bound to, restored when a CONFIG SET of port/bind cannot listen.
  std::vector<std::string> listening_bind;
  int listening_port = 0;
  std::unique_ptr<asio::local::stream_protocol::acceptor> unix_acceptor;
  // TLS (server/tls_context.h): listeners on tls-port and the context new connections use.
  std::vector<std::shared_ptr<asio::ip::tcp::acceptor>> tls_acceptors;
  int listening_tls_port = 0;
  std::shared_ptr<TlsContext> tls_context;
  // Rebuilds tls_context from the settings when TLS is needed (start-up, CONFIG SET tls-*).
  bool ConfigureTls(std::string* error);
  // Listens on tls-port (0: none) on the bind addresses; keeps the old listeners on failure.
  bool ListenTls(std::string* error);
  asio::steady_timer cron_timer;
  // BGSAVE runs in short slices with a short wait in the reactor between them (clients keep
  // being served); when a slice could do nothing (the writer thread is behind) it waits 1 ms.
  asio::steady_timer background_save_timer;
  bool background_save_pumping = false;
  void PumpBackgroundSave();
  // One timer at the nearest blocked client's deadline, so BLPOP & co. time out on time.
  asio::steady_timer blocking_timer;
  // What blocking_timer is armed for (0 = idle): the earliest deadline seen since it fired, which
  // may have gone since (the timer then fires early and re-arms).
  int64_t blocking_timer_deadline_ms = 0;
  asio::signal_set signals;
  bool handling_signals = false;
  std::unordered_set<std::shared_ptr<Session>> sessions;
  // Sessions with output produced outside their own input (PUBLISH, wake-ups), written once per
  // loop pass as Redis's clients_pending_write: one posted handler for any number of them.
  std::vector<std::shared_ptr<Session>> pending_writes;
  bool pending_flush_posted = false;
  // Sessions running their input (OnRead): each flushes pending writes when its input is done,
  // so output produced meanwhile (a PUBLISH, the clients a push wakes) needs no posted pass.
  int inputs_running = 0;
  void QueuePendingWrite(std::shared_ptr<Session> session);
  void PostFlush();
  void FlushPendingWrites();
  bool stopping = false;
  // The append-only log (appendonly yes); declared after io so it goes before io does.
  std::unique_ptr<AofLog> aof;
  // BGREWRITEAOF's files and pump (server/aof_rewrite.h); after aof, which it refers to.
  std::unique_ptr<AofRewriteFiles> aof_rewrite_files;
  std::string fatal_error;  // why the server stopped on its own (a log it could not load)
  // The HTTP admin listener (http-port >= 0); declared last so it goes first.
  std::unique_ptr<AdminHttp> http;
  void ListenHttp();

  // Busy scripts (see Engine::serve_while_busy): runs the handlers that are ready, without
  // blocking, while a script is past busy-reply-threshold; aborts the script if the server is
  // stopping meanwhile (SHUTDOWN, SIGTERM), so the loop can end.
  bool serving_while_busy = false;
  void ServeWhileBusy() {
    if (serving_while_busy) return;
    serving_while_busy = true;
    // The input running the script ends only when the script does: output queued until now
    // (a PUBLISH from the script) and during the poll goes out from a posted pass, as before.
    const int inputs_outside = inputs_running;
    inputs_running = 0;
    if (!pending_writes.empty() && !pending_flush_posted) PostFlush();
    io.poll();
    inputs_running = inputs_outside;
    serving_while_busy = false;
    if (stopping) engine.scripts().Abort();
  }

  void AcceptTcp(std::shared_ptr<asio::ip::tcp::acceptor> acceptor, bool tls = false);
  // After a failed accept: true when accepting must pause (the caller re-arms after the pause).
  bool BackOffAfterAcceptError(const boost::system::error_code& error,
                               std::function<void()> resume);
  bool accept_error_logged = false;  // one log line per episode of failing accepts
  // Connections refused for maxclients: Redis logs nothing; Drayman says so, at most once a
  // second with the number refused meanwhile, so a flood cannot flood the log.
  int64_t rejected_log_ms = 0;
  uint64_t rejected_unlogged = 0;
  void LogRejectedClient(const std::string& address) {
    const int64_t now_ms = engine.clock().NowMs();
    if (rejected_log_ms != 0 && now_ms - rejected_log_ms < 1000) {
      ++rejected_unlogged;
      return;
    }
    std::string message = "Rejected client " + address +
                          ": max number of clients reached (maxclients " +
                          std::to_string(engine.settings().maxclients) + ")";
    if (rejected_unlogged) {
      message += ", " + std::to_string(rejected_unlogged) + " more rejected since the last report";
    }
    logger.Log(LogLevel::kWarning, message);
    rejected_log_ms = now_ms;
    rejected_unlogged = 0;
  }
  // Opens a listener per address ("-addr" may fail); false with a message if one cannot listen.
  bool ListenTcp(const std::vector<std::string>& bind, int port, int backlog,
                 std::vector<std::shared_ptr<asio::ip::tcp::acceptor>>* out, int* bound_port,
                 std::string* error);
  // CONFIG SET port/bind: re-listens on the configured addresses, or restores the old listeners.
  bool Relisten(int* bound_port);
  void AcceptUnix();
  void StartSession(GenericSocket socket, bool is_unix, bool tls = false);
  void ScheduleCron();
  void ArmBlockingTimer();
  void Shutdown();
  // Start-up with appendonly yes: loads the log in slices on the loop, then starts appending.
  void StartAof();
  void ContinueLoading();
  void Fail(const std::string& message);
  // CONFIG SET appendonly.
  bool ApplyAppendonly(std::string* error);
};

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
    asio::post(owner_.io, [self] { self->Close(); });
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
    if (!closed_ && client_->close_asap) Close();
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

void Server::Impl::ScheduleCron() {
  int hz = std::max(1, engine.settings().hz);
  cron_timer.expires_after(std::chrono::milliseconds(1000 / hz));
  cron_timer.async_wait([this](boost::system::error_code error) {
    if (error || stopping) return;
    engine.Cron();
    if (engine.aof_rewrite() != nullptr) aof_rewrite_files->Pump();
    if (engine.background_save() != nullptr && !background_save_pumping) {
      background_save_pumping = true;
      PumpBackgroundSave();
    }
    ScheduleCron();
  });
}

void Server::Impl::PumpBackgroundSave() {
  if (stopping) return;
  const BackgroundSave* save = engine.background_save();
  const uint64_t before = save ? save->bytes_written() + save->keys_saved() : 0;
  if (!engine.StepBackgroundSave(kBackgroundSaveSliceUs)) {
    background_save_pumping = false;
    return;
  }
  save = engine.background_save();
  const bool progressed = save->bytes_written() + save->keys_saved() != before;
  // Not posted back to back: between slices the loop returns to the reactor and waits there a
  // moment, serving whatever is ready. A loop that never sleeps is, to the kernel, a CPU hog:
  // on a busy machine it is preempted and waits behind other threads for several ms at a time
  // (12 ms PING stalls measured), while a loop that sleeps between slices is woken promptly
  // when a client writes. When a slice could do nothing (the writer thread is behind, or fsync
  // runs) it waits longer.
  background_save_timer.expires_after(progressed ? kBackgroundSaveGap
                                                 : std::chrono::milliseconds(1));
  background_save_timer.async_wait([this](boost::system::error_code error) {
    if (!error) PumpBackgroundSave();
  });
}

void Server::Impl::ArmBlockingTimer() {
  const int64_t deadline_ms = engine.NextBlockingDeadline();
  if (deadline_ms == 0 || stopping) return;
  // Re-armed only for an earlier deadline. One armed for a deadline that is gone (its waiter was
  // served) fires once for nothing and re-arms for the next, so a consumer that re-blocks with a
  // timeout for every message it takes costs no cancel and no new wait per message.
  if (blocking_timer_deadline_ms != 0 && blocking_timer_deadline_ms <= deadline_ms) return;
  blocking_timer_deadline_ms = deadline_ms;
  // Deadlines are on the engine clock; the steady timer waits the remaining time, at least 1 ms
  // (a deadline the engine defers, inside a long command, must not spin the loop) and at most an
  // hour (huge timeouts would overflow the steady clock). An early wake-up finds nothing due and
  // re-arms.
  constexpr int64_t kMaxWaitMs = 3600 * 1000;
  const int64_t wait_ms = std::clamp<int64_t>(deadline_ms - engine.clock().NowMs(), 1, kMaxWaitMs);
  blocking_timer.expires_after(std::chrono::milliseconds(wait_ms));
  blocking_timer.async_wait([this](boost::system::error_code error) {
    if (error || stopping) return;  // re-armed or cancelled
    blocking_timer_deadline_ms = 0;
    engine.TimeOutBlockedClients();
    ArmBlockingTimer();
  });
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

void Server::Impl::Fail(const std::string& message) {
  std::fprintf(stderr, "%s\n", message.c_str());
  std::fflush(stderr);
  fatal_error = message;
  Shutdown();
}

void Server::Impl::StartAof() {
  aof = std::make_unique<AofLog>(
      engine, [this](std::function<void()> task) { asio::post(io, std::move(task)); });
  try {
    aof->Open();
  } catch (const std::exception& e) {
    Fail(e.what());
    return;
  }
  ContinueLoading();
}

void Server::Impl::ContinueLoading() {
  if (stopping || !aof) return;
  std::string message;
  const AofLog::LoadStep step = aof->LoadSlice(&message);
  if (step == AofLog::LoadStep::kFailed) {
    Fail(message);
    return;
  }
  // One log line per line of the loader's report; Redis logs its "!!!" lines as warnings.
  for (size_t start = 0; start < message.size();) {
    size_t end = message.find('\n', start);
    if (end == std::string::npos) end = message.size();
    const std::string_view line = std::string_view(message).substr(start, end - start);
    if (!line.empty()) {
      logger.Log(line.substr(0, 3) == "!!!" ? LogLevel::kWarning : LogLevel::kNotice, line);
    }
    start = end + 1;
  }
  if (step == AofLog::LoadStep::kMore) {
    asio::post(io, [this] { ContinueLoading(); });
    return;
  }
  std::string error;
  if (!aof->StartAppending(&error)) Fail(error);
}

bool Server::Impl::ApplyAppendonly(std::string* error) {
  const bool wanted = engine.settings().appendonly;
  if (engine.persistence().loading) {
    // Redis answers LOADING here (appendonly is a deny-loading config); CONFIG SET can only
    // report a failed apply.
    *error = "Redis is loading the dataset in memory";
    return false;
  }
  if (!wanted) {
    engine.CancelAofRewrite();  // as Redis's stopAppendOnly kills the rewrite child
    if (aof) aof->Stop();
    aof.reset();
    engine.persistence().aof_rewrite_scheduled = false;
    return true;
  }
  if (aof) return true;
  // Redis's startAppendOnly: the log waits for a rewrite that writes its base.
  if (engine.aof_rewrite() != nullptr) {
    logger.Log(LogLevel::kWarning,
               "AOF was enabled but there is already an AOF rewriting in background. Stopping "
               "background AOF and starting a rewrite now.");
    engine.CancelAofRewrite();
  }
  aof = std::make_unique<AofLog>(
      engine, [this](std::function<void()> task) { asio::post(io, std::move(task)); });
  std::string reason;
  if (aof->StartWaitingForRewrite(&reason)) {
    if (engine.background_save() != nullptr) {
      engine.persistence().aof_rewrite_scheduled = true;
      logger.Log(LogLevel::kWarning,
                 "AOF was enabled but there is already another background operation. An AOF "
                 "background was scheduled to start when possible.");
      return true;
    }
    if (engine.StartAofRewrite(&reason)) return true;
  }
  logger.Log(LogLevel::kWarning,
             "Redis needs to enable the AOF but can't trigger a background AOF rewrite "
             "operation. Check the above logs for more info about the error. " +
                 reason);
  aof->Stop();
  aof.reset();
  *error = "Unable to turn on AOF. Check server logs.";
  return false;
}

Server::Server(Config config) : config_(std::move(config)) {}

Server::~Server() { Stop(); }

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

void Server::HandleSignals() {
  Bind();
  if (impl_->handling_signals) return;
  impl_->handling_signals = true;
  impl_->signals.add(SIGINT);
  impl_->signals.add(SIGTERM);
  impl_->signals.async_wait([this](boost::system::error_code error, int signal_number) {
    if (error) return;
    impl_->logger.LogFromSignal(signal_number == SIGINT
                                    ? "Received SIGINT scheduling shutdown..."
                                    : "Received SIGTERM scheduling shutdown...");
    impl_->logger.Log(LogLevel::kWarning, "User requested shutdown...");
    // Like Redis on SIGTERM/SIGINT: with save points set, save first (a running BGSAVE is
    // dropped for a synchronous save of the current dataset). shutdown-on-sigterm/sigint
    // "save" / "nosave" override the save points.
    const Settings& settings = impl_->engine.settings();
    const std::string& how =
        signal_number == SIGINT ? settings.shutdown_on_sigint : settings.shutdown_on_sigterm;
    const bool save = how.find("nosave") == std::string::npos &&
                      (how.find("save") != std::string::npos || !settings.save_points.empty());
    if (save) {
      impl_->engine.CancelBackgroundSave();
      impl_->logger.Log(LogLevel::kNotice, "Saving the final RDB snapshot before exiting.");
      rdb::RdbSaveResult result = rdb::SaveRdbFile(impl_->engine);
      if (result.ok) {
        impl_->logger.Log(LogLevel::kNotice, "DB saved on disk");
      } else {
        impl_->logger.Log(LogLevel::kWarning, "Error trying to save the DB: " + result.error);
      }
    }
    impl_->Shutdown();
  });
}

void Server::Stop() {
  if (!impl_) return;
  asio::post(impl_->io, [this] { impl_->Shutdown(); });
  if (thread_.joinable()) {
    thread_.join();
  }
}

}  // namespace drayman
