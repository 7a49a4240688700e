// Client: the engine's view of one connection.
//
// Contract: the client owns its request parser (bytes in) and output buffer (bytes out); the
// transport (server/ session, the Python binding, or a test) moves bytes between those and a
// socket, and implements ClientObserver to hear about output produced outside its own
// ProcessInput call (pub/sub messages, wake-ups) and about kills. Everything else here is state
// that commands read and change: selected database, protocol, authentication, names.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "broker/command/command_table.h"
#include "broker/pubsub/client_state.h"
#include "broker/resp/reply_builder.h"
#include "broker/resp/request_parser.h"
#include "broker/stats/disconnections.h"
#include "broker/tracking/client_tracking.h"

namespace drayman {

class Client;
namespace acl {
struct User;
}

class ClientObserver {
 public:
  virtual ~ClientObserver() = default;
  // Output was appended to the client while it was not processing its own input.
  virtual void OnOutputPending(Client& client) = 0;
  // The client must be disconnected (CLIENT KILL, limits); output may be dropped.
  virtual void OnCloseRequested(Client& client) = 0;
};

class Client {
 public:
  Client(uint64_t id, ClientObserver* observer) : id_(id), observer_(observer) {}
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  uint64_t id() const { return id_; }
  ClientObserver* observer() const { return observer_; }

  RequestParser& parser() { return parser_; }
  const RequestParser& parser() const { return parser_; }
  std::string& output() { return output_; }
  const std::string& output() const { return output_; }
  ReplyBuilder& reply() { return reply_; }
  Protocol protocol() const { return reply_.protocol(); }

  // Connection facts, set by the transport.
  std::string addr = "?:0";
  std::string laddr = "?:0";
  int fd = -1;

  // Command-visible state.
  std::string name;
  std::string lib_name;
  std::string lib_ver;
  int db = 0;
  bool authenticated = true;
  // ACL user (broker/acl/acl.h), set by Engine::Connect; null for internal clients (the AOF
  // replayer, Lua's), which may run anything, as in Redis.
  acl::User* user = nullptr;
  bool no_evict = false;
  bool no_touch = false;
  int64_t created_ms = 0;
  int64_t last_interaction_ms = 0;
  // The last command looked up, for CLIENT LIST's cmd=: a row of the engine's command table,
  // which never removes or moves a row (each is its own heap block, subcommands too), so the
  // pointer stays valid as long as the engine. Null for an unknown command or subcommand.
  const CommandSpec* last_command = nullptr;
  // cmd='s value: the row's full name ("config|get"), or "NULL" as Redis shows no command.
  std::string_view last_command_name() const {
    return last_command != nullptr ? std::string_view(last_command->full_name) : "NULL";
  }

  // The client Lua's redis.call runs commands through (set by the scripting engine). Blocking
  // commands never block for it: they answer as if they timed out, as in Redis.
  bool is_script_client = false;

  // Blocking commands (broker/blocking/): set while the client waits for a key; the engine runs
  // none of its pipelined input meanwhile. CLIENT LIST shows it as flag 'b'.
  bool blocked = false;
  // CLIENT PAUSE (broker/blocking/client_pause.h): `paused` while dispatch holds the client's
  // command (`blocked` is set too: Redis counts and lists it as blocked); `pending_command` until
  // the held command, kept in `args`, has run again from the top of dispatch.
  bool paused = false;
  bool pending_command = false;
  // MULTI/EXEC (broker/families/transaction_family.cc). in_multi: commands are queued, not run;
  // multi_aborted: one was rejected while queueing, so EXEC answers EXECABORT; in_exec: EXEC is
  // running the queue (blocking commands answer as timed out). CLIENT LIST's multi= is
  // multi_queue.size() while in_multi, else -1.
  bool in_multi = false;
  bool multi_aborted = false;
  bool in_exec = false;
  std::vector<std::vector<std::string>> multi_queue;
  // Argument bytes in multi_queue, kept as commands are queued (CLIENT LIST's multi-mem; client
  // eviction reads it after every batch, so it is never summed by walking the queue).
  size_t multi_mem = 0;
  // CommandFlag bits of the queued commands (Redis's mstate.cmd_flags): a WRITE pause holds EXEC
  // when one of them may replicate.
  uint32_t multi_flags = 0;
  // WATCH (broker/transaction/watched_keys.h): (db, key) pairs, and whether one changed since.
  std::vector<std::pair<int, std::string>> watched_keys;
  bool watched_key_touched = false;
  // Error replies the engine has counted for INFO, so a command that runs others (EXEC) does not
  // count theirs twice.
  uint64_t counted_error_replies = 0;

  // Close once the output is written (QUIT, protocol errors).
  bool close_after_reply = false;
  // Close now, dropping output (CLIENT KILL).
  bool close_asap = false;
  // Why it is being closed, for drayman_disconnections_total (broker/stats/disconnections.h).
  DisconnectCause close_cause = DisconnectCause::kNone;
  void NoteCloseCause(DisconnectCause cause) {
    if (close_cause == DisconnectCause::kNone) close_cause = cause;
  }
  uint64_t commands_processed = 0;
  // Client eviction (broker/eviction/client_eviction.h): the memory last added to the total of
  // client memory for this client, 0 when it is not counted.
  size_t counted_memory = 0;

  std::vector<std::string> args;  // the command being executed (reused between commands)

  // --- pub/sub, MONITOR and output limits (broker/pubsub/) ---
  // CLIENT TRACKING (broker/tracking/): mode, redirection, BCAST prefixes.
  ClientTracking tracking;
  ClientPubSub pubsub;  // subscriptions (reverse sets of the PubSub registry), MONITOR mode
  // Bytes the transport took from output() and has not finished writing to the socket; output
  // buffer limits count them with output() (broker/pubsub/output_limits.h).
  uint64_t output_in_flight = 0;
  int64_t obuf_soft_limit_since_ms = 0;  // when output went over the soft limit, 0 if under

  // --- CLIENT REPLY: Redis's CLIENT_REPLY_OFF / _SKIP_NEXT / _SKIP flags. While off or
  // skipping, reply() writes into a discarded buffer (errors are still counted, as in Redis);
  // pub/sub confirmations and messages go to output() directly, so subscribers still get them,
  // as Redis 7.0 pushes them. ---
  bool reply_off = false;
  bool reply_skip_next = false;  // set by CLIENT REPLY SKIP: the next command is skipped
  bool reply_skip = false;       // this command's reply is skipped
  void UpdateReplySink() { reply_.set_output(reply_off || reply_skip ? &discarded_ : &output_); }
  // Redis's resetClient after a command completed (at once or when unblocked): a skip lasts one
  // command.
  void EndCommandReplyMode() {
    reply_skip = reply_skip_next;
    reply_skip_next = false;
    discarded_.clear();
    UpdateReplySink();
  }

 private:
  uint64_t id_;
  ClientObserver* observer_;
  RequestParser parser_;
  std::string output_;
  std::string discarded_;  // replies CLIENT REPLY OFF/SKIP suppress
  ReplyBuilder reply_{&output_};
};

}  // namespace drayman
