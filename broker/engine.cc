#include "broker/engine.h"

#include <algorithm>
#include <cassert>
#include <chrono>
#include <limits>
#include <random>
#include <stdexcept>

#include "absl/cleanup/cleanup.h"
#include "absl/container/flat_hash_map.h"
#include "broker/acl/acl.h"
#include "broker/acl/acl_dispatch.h"
#include "broker/acl/redis_command_acl.h"
#include "broker/command/unimplemented.h"
#include "broker/families/families.h"
#include "broker/observability/queue_history.h"
#include "broker/observability/queue_tracker.h"
#include "broker/persistence/aof_rewrite.h"
#include "broker/persistence/background_save.h"
#include "broker/pubsub/keyspace_events.h"
#include "broker/script/function_library.h"
#include "broker/script/script_engine.h"
#include "broker/stats/client_memory.h"

namespace drayman {

namespace {

// Commands MULTI does not queue: they act on the transaction itself, or end the connection.
bool IsTransactionControl(const CommandSpec& spec) {
  const std::string& name = spec.full_name;
  return name == "exec" || name == "discard" || name == "multi" || name == "watch" ||
         name == "quit" || name == "reset";
}


std::string RandomRunId() {
  static constexpr char kHex[] = "0123456789abcdef";
  std::random_device device;
  std::string id(40, '0');
  for (char& c : id) c = kHex[device() % 16];
  return id;
}

// Which keys a write command's generic signal covers (step 4 of docs/ARCHITECTURE.md's "How a
// command runs"): by default every key it names. Redis's handlers signal only what they change,
// and WATCH and client-side caching see the difference.
enum class KeySignalRule { kAll, kWrittenKeysOnly, kNone };

KeySignalRule SignalRuleFor(const CommandSpec& spec) {
  static const absl::flat_hash_map<std::string, KeySignalRule> rules = [] {
    absl::flat_hash_map<std::string, KeySignalRule> built;
    // Keys a write command only reads (SINTERSTORE's sources, COPY's source, SORT ... STORE's
    // list), by Redis's key specs.
    for (const acl::RedisCommandAcl& row : acl::RedisCommandAclTable()) {
      for (const acl::KeySpec& key_spec : row.key_specs) {
        if (key_spec.flags & acl::kKeyRO) {
          built[row.name] = KeySignalRule::kWrittenKeysOnly;
          break;
        }
      }
    }
    // DEL and UNLINK: Database::Delete signals each key that existed; a missing one is unchanged.
    // Stream group bookkeeping: Redis signals none of it (t_stream.c signals XADD, XDEL, XTRIM
    // and XGROUP CREATE ... MKSTREAM only).
    for (const char* name : {"del", "unlink", "xreadgroup", "xack", "xclaim", "xautoclaim",
                             "xsetid", "xgroup|setid", "xgroup|destroy", "xgroup|createconsumer",
                             "xgroup|delconsumer"}) {
      built[name] = KeySignalRule::kNone;
    }
    return built;
  }();
  if (spec.key_signal_rule < 0) {
    auto it = rules.find(spec.full_name);
    spec.key_signal_rule =
        static_cast<int8_t>(it == rules.end() ? KeySignalRule::kAll : it->second);
  }
  return static_cast<KeySignalRule>(spec.key_signal_rule);
}

int64_t SteadyMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Engine::Engine(Config& config, const Clock& clock)
    : config_(config),
      clock_(clock),
      keyspace_(config.settings().databases),
      run_id(RandomRunId()),
      owner_thread_(std::this_thread::get_id()),
      blocked_clients_(*this, config.settings().databases),
      watched_keys_(config.settings().databases) {
  sleep_us = [](int64_t us) { std::this_thread::sleep_for(std::chrono::microseconds(us)); };
  RegisterAllFamilies(commands_);
  client_command_ = commands_.Find("client");
  ping_command_ = commands_.Find("ping");
  acl_ = std::make_unique<acl::Acl>(commands_);
  if (std::string acl_error = InstallAcl(*this); !acl_error.empty()) {
    throw std::runtime_error(acl_error);
  }
  scripts_ = std::make_unique<ScriptEngine>(*this);
  queue_tracker_ = std::make_unique<QueueTracker>(keyspace_);
  queue_history_ = std::make_unique<QueueHistory>();
  keyspace_.set_observer(this);
  stats_.start_time_ms = clock_.NowMs();
  stats_.last_save_time_s = stats_.start_time_ms / 1000;
  stats_.used_memory_startup = stats_.used_memory_peak = UsedMemoryBytes();
  keyspace_.set_now_ms(stats_.start_time_ms);
}

Engine::~Engine() = default;

void Engine::CheckThread() const {
  // The engine has no locks: calls from another thread would race. Threads may hand the engine
  // over (the server constructs it, then runs it on the loop thread), so the owner is re-bound on
  // Connect of the first client.
  assert(std::this_thread::get_id() == owner_thread_ || clients_.empty());
}

Client* Engine::Connect(ClientObserver* observer, std::string addr, std::string laddr, int fd) {
  if (clients_.empty()) owner_thread_ = std::this_thread::get_id();
  CheckThread();
  uint64_t id = next_client_id_++;
  auto client = std::make_unique<Client>(id, observer);
  client->addr = std::move(addr);
  client->laddr = std::move(laddr);
  client->fd = fd;
  client->created_ms = client->last_interaction_ms = clock_.NowMs();
  client->user = acl_->default_user();
  client->authenticated = !acl_->DefaultNeedsAuth();
  client->parser().set_authenticated(client->authenticated);
  client->parser().set_max_bulk_length(config_.settings().proto_max_bulk_len);
  Client* raw = client.get();
  clients_.emplace(id, std::move(client));
  ++stats_.total_connections_received;
  return raw;
}

void Engine::Disconnect(Client* client) {
  CheckThread();
  blocked_clients_.Remove(*client);
  if (client->paused) client_pause_.Forget(client->id());
  watched_keys_.UnwatchAll(*client);
  pubsub_.RemoveClient(*client);  // pub/sub: drop subscriptions and MONITOR mode
  tracking_.Disable(*client);     // its ids stay in the table until their keys change
  client_eviction_.Forget(*client);
  if (tracking_.current_client() == client) tracking_.set_current_client(nullptr);
  auto it = clients_.find(client->id());
  if (it == clients_.end()) return;
  if (!client->is_script_client) stats_.disconnections.Count(client->close_cause);
  if (scripts_->caller() == client) {
    // Its script is still running (busy, serving other clients): the frames below still use
    // the Client, so it is kept until the next Cron.
    client->close_asap = true;
    detached_script_caller_ = std::move(it->second);
  }
  clients_.erase(it);
}

Client* Engine::FindClient(uint64_t id) {
  auto it = clients_.find(id);
  return it == clients_.end() ? nullptr : it->second.get();
}

void Engine::KillClient(Client& client, DisconnectCause cause) {
  client.NoteCloseCause(cause);
  client.close_asap = true;
  if (client.observer()) client.observer()->OnCloseRequested(client);
}

void Engine::ProcessInput(Client& client) {
  CheckThread();
  // A busy script serves other clients from inside its caller's command: the caller's further
  // input waits in its parser until the script returns and this loop resumes.
  if (scripts_->caller() == &client) return;
  ++input_depth_;
  const Settings& settings = config_.settings();
  // A blocked client's pipelined commands wait until its blocking command ends.
  while (!client.close_after_reply && !client.close_asap && !client.blocked) {
    if (client.pending_command) {
      // Held by CLIENT PAUSE, now released: the command runs again from the top of dispatch,
      // as Redis reprocesses a postponed client's pending command.
      client.pending_command = false;
      Execute(client, client.args);
      EndCommandTrackingMode(client);
      if (!client.blocked) client.EndCommandReplyMode();
      continue;
    }
    // Limits follow the configuration and the client as they are before each command (AUTH or
    // CONFIG SET may have just changed them); the unauthenticated limits apply only while a
    // password is set.
    client.parser().set_authenticated(client.authenticated || !acl_->DefaultNeedsAuth());
    client.parser().set_max_bulk_length(settings.proto_max_bulk_len);
    RequestParser::Result result = client.parser().Next(&client.args);
    if (result == RequestParser::Result::kNeedMore) break;
    if (result == RequestParser::Result::kError) {
      client.reply().Error(client.parser().error());
      client.NoteCloseCause(DisconnectCause::kProtocolError);
      client.close_after_reply = true;
      break;
    }
    Execute(client, client.args);
    EndCommandTrackingMode(client);
    // A blocked command completes when it is unblocked (BlockedClients::Finish).
    if (!client.blocked) client.EndCommandReplyMode();
  }
  // Output buffer limits for the client's own replies; a client they close is not evicted too.
  pubsub_.EnforceOutputLimits(client);
  client_eviction_.Update(client);
  if (--input_depth_ == 0) {
    ResumeUnblockedClients();
    // BCAST invalidations go out once per batch of input, as Redis sends them once per event
    // loop pass.
    if (tracking_.broadcast_pending()) tracking_.Broadcast();
    // An eviction cut short by its time limit goes on between input batches, as Redis's
    // evictionTimeProc does between event-loop iterations (Cron covers idle periods).
    if (call_depth_ == 0 && !scripts_->running()) {
      evictor_.ContinueIfPending();
      // Redis evicts clients before each command and before sleeping: here after each batch of
      // input, once its replies (output memory) exist.
      client_eviction_.EvictIfNeeded();
    }
  }
}

void Engine::Execute(Client& client, std::vector<std::string>& args) {
  // One clock read before the command (its "now" and the start of its duration) and one after,
  // as Redis's call(). Commands a script runs all see the script's start time, as in Redis.
  int64_t started_us = clock_.NowUs();
  const int64_t now_ms = client.is_script_client ? scripts_->now_ms() : started_us / 1000;
  keyspace_.set_now_ms(now_ms);
  client.last_interaction_ms = now_ms;
  ReplyBuilder& reply = client.reply();
  const uint64_t errors_before = reply.error_count();
  const uint64_t counted_before = client.counted_error_replies;

  // --- Blocking and transactions: after a top-level command (never inside EXEC or a script),
  // serve clients blocked on keys it made ready; a command rejected before it runs (unknown,
  // arity, auth...) while MULTI queues makes EXEC answer EXECABORT.
  ++call_depth_;
  bool accepted = false;
  Client* const outer_client = current_client_;
  current_client_ = &client;
  // Redis's server.current_client: the client whose top-level command runs (a script's caller,
  // not its Lua client), for client-side caching's NOLOOP and held invalidations.
  if (call_depth_ == 1) tracking_.set_current_client(&client);
  absl::Cleanup after_command = [&] {
    current_client_ = outer_client;
    if (!accepted && client.in_multi) client.multi_aborted = true;
    if (--call_depth_ > 0) return;
    // The command (a whole EXEC or script included) is one unit of the propagation stream,
    // written before the pops of the clients it wakes.
    propagator_.Flush();
    // The client's own invalidations follow its reply (Redis's afterCommand).
    tracking_.FlushPending();
    tracking_.set_current_client(nullptr);
    blocked_clients_.ServeReady();
    if (input_depth_ == 0) {
      ResumeUnblockedClients();
      if (tracking_.broadcast_pending()) tracking_.Broadcast();
    }
  };
  auto count_errors = [&] {
    // Errors of commands run by this one (EXEC's queue) were counted by their own Execute.
    const uint64_t emitted =
        reply.error_count() - errors_before - (client.counted_error_replies - counted_before);
    if (emitted == 0) return false;
    // Out of line, so that this lambda stays small enough to be inlined: every command tests it
    // once, and as a call it cost a successful PING 28 instructions (callgrind).
    CountErrorReplies(client, emitted);
    return true;
  };

  // A Redis command Drayman lacks but Redis refuses inside MULTI anyway (SYNC, PSYNC) gets
  // Redis's refusal rather than "unknown command" (broker/command/unimplemented.h).
  auto refuse_unimplemented = [&] {
    if (!client.in_multi) return false;
    const UnimplementedCommand* row = FindUnimplemented(args);
    if (row == nullptr || !(row->flags & kCmdNoMulti)) return false;
    reply.Error(ArityFits(*row, static_cast<int>(args.size()))
                    ? errors::kNotInTransaction
                    : errors::WrongArity(row->full_name));
    count_errors();
    return true;
  };
  // CLIENT LIST's cmd= names what the client sent last, found or not, as Redis's processCommand
  // sets lastcmd at lookup (NULL for an unknown command or subcommand).
  const bool top_level = call_depth_ == 1;
  const CommandSpec* spec = commands_.Find(args[0]);
  // CLIENT CACHING lasts through a CLIENT command (Redis's prevcmd test in resetClient).
  if (call_depth_ == 1) client.tracking.last_was_client_command = spec == client_command_;
  if (spec == nullptr) {
    if (top_level) client.last_command = nullptr;
    if (refuse_unimplemented()) return;
    reply.Error(errors::UnknownCommand(args[0], args.data() + 1, args.size() - 1));
    count_errors();
    return;
  }
  if (spec->is_container() && args.size() >= 2) {
    const CommandSpec* sub = commands_.FindSubcommand(*spec, args[1]);
    if (sub == nullptr) {
      if (call_depth_ == 1) client.tracking.last_was_client_command = false;
      if (top_level) client.last_command = nullptr;
      if (refuse_unimplemented()) return;
      // Not counted in commandstats: Redis 7.0 records no rejected call for an unknown
      // subcommand (only errorstats see it).
      reply.Error(errors::UnknownSubcommand(args[1], spec->name));
      count_errors();
      return;
    }
    spec = sub;
  }
  if (top_level) client.last_command = spec;
  // Redis's rejectCommand: a rejected EXEC discards the transaction (whether or not MULTI was
  // sent) and answers EXECABORT with the reason, without its "ERR " prefix.
  auto reject = [&](std::string_view error) {
    ++spec->stats.rejected_calls;
    if (spec->full_name == "exec") {
      DiscardTransaction(client);
      reply.Error(errors::ExecAbortBecause(error));
    } else {
      reply.Error(error);
    }
    count_errors();
  };
  const int argc = static_cast<int>(args.size());
  if ((spec->arity > 0 && argc != spec->arity) || argc < -spec->arity) {
    reject(errors::WrongArity(spec->full_name));
    return;
  }
  // DEBUG under enable-debug-command, checked before AUTH as Redis 7.0 does.
  if (spec->flags & kCmdProtected) {
    if (std::string refusal =
            ProtectedCommandRefusal(config_.settings(), client, spec->full_name);
        !refusal.empty()) {
      reject(refusal);
      return;
    }
  }
  // Like Redis's authRequired(): only while a password is set, so clearing requirepass lets
  // connections that never authenticated in.
  if (!client.authenticated && acl_->DefaultNeedsAuth() && !(spec->flags & kCmdNoAuth)) {
    reject(errors::kNoAuth);
    return;
  }
  // --- ACL (broker/acl/): one flag test for users allowed everything; a script's commands are
  // checked by the script engine with its own texts ---
  if (client.user != nullptr && !client.user->unrestricted && !client.is_script_client &&
      !(client.in_multi && (spec->flags & kCmdNoMulti) && !IsTransactionControl(*spec))) {
    if (std::string refusal = CheckCommand(*this, client, *spec, args); !refusal.empty()) {
      if (client.in_exec) {
        reply.Error(refusal);
        count_errors();
      } else {
        reject(refusal);
      }
      return;
    }
  }
  if (scripts_->busy() && !client.is_script_client && !(spec->flags & kCmdAllowBusy)) {
    reject(scripts_->busy_error());
    return;
  }
  // Loading the dataset at start-up: only commands flagged `loading` run, as in Redis (one
  // refused while MULTI queues makes EXEC answer EXECABORT).
  if (persistence_.loading && &client != persistence_.loading_client &&
      !(spec->flags & kCmdLoading)) {
    ++spec->stats.rejected_calls;
    reply.Error(errors::kLoading);
    count_errors();
    return;
  }
  // --- pub/sub: RESP2 subscribed context, MONITOR clients (broker/pubsub/) ---
  // A MONITOR client is a replica to Redis: PubSub::Refusal refuses it what reads, writes or may
  // replicate by the row's flags; a script that declares no-writes (so does not replicate) may run.
  // Only subscribed and MONITOR clients are refused anything here (PubSub::Refusal returns a
  // string; not calling it saves every other command about 17 instructions).
  if (client.pubsub.monitor || client.pubsub.subscribed()) {
    const bool monitor_runs_read_free_script =
        client.pubsub.monitor && !client.pubsub.subscribed() &&
        (spec->flags & kCmdMayReplicate) &&
        !(CommandFlags(*spec, args) & (kCmdWrite | kCmdReadonly | kCmdMayReplicate));
    if (std::string refusal =
            monitor_runs_read_free_script ? std::string() : PubSub::Refusal(client, *spec);
        !refusal.empty()) {
      reject(refusal);
      return;
    }
  }

  // --- maxmemory: evict before every client command (never inside EXEC or a script, nor while
  // a busy script serves others); refuse what may grow memory if still over (Redis's
  // processCommand). Inside MULTI anything but EXEC/DISCARD/QUIT/RESET is refused, since queueing
  // itself takes memory; EXEC is refused when a queued command is denyoom. ---
  const Settings& settings = config_.settings();
  // allkeys-lfu and volatile-lfu: lookups keep LFU counters instead of access times.
  keyspace_.set_access_tracking(settings.maxmemory_policy.ends_with("lfu"), settings.lfu_log_factor,
                                settings.lfu_decay_time);
  if (call_depth_ == 1) pre_command_oom_ = false;
  if (settings.maxmemory > 0 && call_depth_ == 1) {
    const bool out_of_memory = evictor_.PerformEvictions() == Evictor::Result::kFail;
    started_us = clock_.NowUs();  // the command's duration does not include evicting for it
    pre_command_oom_ = out_of_memory;
    if (out_of_memory && DeniedWhenOutOfMemory(client, *spec, args)) {
      ++spec->stats.rejected_calls;
      if (client.in_multi && spec->full_name == "exec") {
        DiscardTransaction(client);
        reply.Error(errors::ExecAbortBecause(errors::kOom));
      } else {
        reply.Error(errors::kOom);
      }
      count_errors();
      return;
    }
  }
  // Client-side caching's table stays within tracking-table-max-keys (Redis's processCommand).
  if (call_depth_ == 1 && tracking_.tracking_clients() > 0) {
    tracking_.LimitTableSize(static_cast<uint64_t>(settings.tracking_table_max_keys));
  }
  // --- A failed BGSAVE with stop-writes-on-bgsave-error: writes (and PING, as in Redis) refused,
  // before MULTI queueing so a transaction holding one aborts ---
  if (((spec->flags & kCmdWrite) || spec == ping_command_) && WritesMayBeDeniedByDiskError()) {
    if (std::string denied = WritesDeniedByDiskError(); !denied.empty()) {
      ++spec->stats.rejected_calls;
      reply.Error(denied);
      count_errors();
      return;
    }
  }

  // --- MULTI refuses no-multi commands; then CLIENT PAUSE holds a client's command before MULTI
  // could queue it (Redis checks the pause last in processCommand, after every refusal); it runs
  // again from here once the pause ends (broker/blocking/client_pause.h). Never inside EXEC, a
  // script or the AOF's replay. ---
  accepted = true;
  if (client.in_multi && (spec->flags & kCmdNoMulti) && !IsTransactionControl(*spec)) {
    accepted = false;
    ++spec->stats.rejected_calls;
    reply.Error(errors::kNotInTransaction);
    count_errors();
    return;
  }
  if (client_pause_.active() && call_depth_ == 1 && !client.is_script_client &&
      &client != persistence_.loading_client && ClientsPaused(now_ms) &&
      client_pause_.Holds(MayReplicate(client, *spec, args))) {
    if (&args != &client.args) client.args = args;
    client.blocked = client.paused = client.pending_command = true;
    client.last_command = spec;  // CLIENT LIST shows cmd=<held command>, as Redis
    client_pause_.Hold(client.id());
    return;
  }

  // --- MULTI: queue instead of running (monitors see queued commands when EXEC runs them) ---
  if (client.in_multi && !IsTransactionControl(*spec)) {
    // Redis's queueMultiCommand keeps nothing once the transaction is bound to fail (a refused
    // command or a touched WATCHed key): CLIENT LIST's multi= stops counting there.
    if (!client.multi_aborted && !client.watched_key_touched) {
      QueueMultiCommand(client, args);
      client.multi_flags |= CommandFlags(*spec, args);
    }
    client.last_command = spec;  // CLIENT LIST shows the queued command, as Redis
    reply.SimpleString("QUEUED");
    return;
  }

  // MONITOR: arguments are formatted before the handler (which may consume them); Redis 7.0
  // feeds monitors after the command ran, except skip_monitor commands (EVAL), fed before.
  std::string monitor_args;
  const bool feed_monitors = pubsub_.ShouldFeed(*spec);
  if (feed_monitors) monitor_args = PubSub::FormatMonitorArgs(args);
  if (feed_monitors && PubSub::FeedsBefore(*spec)) pubsub_.FeedMonitors(client, monitor_args);

  CommandContext context{*this,     client, args, reply, *spec, keyspace_.db(client.db),
                         keyspace_, now_ms};
  if (propagator_.active()) context.propagator = &propagator_;
  // CLIENT NO-TOUCH: this client's lookups leave access times alone, except TOUCH's own.
  keyspace_.set_no_touch(client.no_touch && spec->full_name != "touch");
  // A read-only command changes no entry, so its lookups need not save entries ahead of a running
  // snapshot's walk (broker/persistence/snapshot.h). Restored for the script or EXEC around it.
  const bool outer_read_only = keyspace_.read_only_command();
  keyspace_.set_read_only_command((spec->flags & kCmdReadonly) != 0);
  absl::Cleanup restore_read_only = [&] { keyspace_.set_read_only_command(outer_read_only); };
  // Until the end of this function (the generic key signals below included), invalidations for
  // the current client wait for its reply, as inside Redis's call().
  tracking_.EnterCall();
  absl::Cleanup leave_call = [this] { tracking_.LeaveCall(); };
  spec->handler(context);
  std::move(restore_read_only).Invoke();
  // Client-side caching: keys a read-only command named may now be cached by a tracking client
  // in the default mode (for a script's commands, the script's caller). EVAL_RO and FCALL_RO
  // are read-only but their keys are not what the script read, as in Redis.
  if ((spec->flags & kCmdReadonly) && tracking_.tracking_clients() > 0) {
    const Client* reader = client.is_script_client ? scripts_->caller() : &client;
    const std::string& name = spec->full_name;
    if (reader != nullptr && reader->tracking.on && !reader->tracking.bcast &&
        name != "eval_ro" && name != "evalsha_ro" && name != "fcall_ro") {
      tracking_.RememberKeys(*reader, *spec, args);
    }
  }
  // The wall clock may step back (NTP): a command never takes less than nothing.
  const int64_t duration_us = std::max<int64_t>(0, clock_.NowUs() - started_us);
  ++spec->stats.calls;
  spec->stats.usec += static_cast<uint64_t>(duration_us);
  // The latency monitor's command events and the per-command histograms, as Redis's call()
  // records them (a blocked command's histogram sample waits for its end in Redis; Drayman
  // records the blocking call itself, or nothing while it stays blocked).
  if (settings.latency_monitor_threshold > 0) {
    AddLatencySample((spec->flags & kCmdFast) ? "fast-command" : "command", duration_us / 1000);
  }
  if (settings.latency_tracking && !client.blocked) {
    if (!spec->stats.latency) spec->stats.latency = std::make_unique<LatencyHistogram>();
    spec->stats.latency->Record(duration_us * 1000);
  }
  // Commands a script runs are part of the script's own entry, as in Redis. The threshold is
  // tested here so a fast command does not call into the slow log at all.
  const int64_t slower_than = settings.slowlog_log_slower_than;
  if (slower_than >= 0 && duration_us >= slower_than && !(spec->flags & kCmdSkipSlowlog) &&
      !client.is_script_client) {
    slowlog_.Record(config_, *spec, args, duration_us, now_ms / 1000, client.addr, client.name);
  }
  if (count_errors()) ++spec->stats.failed_calls;
  if (feed_monitors && !PubSub::FeedsBefore(*spec)) pubsub_.FeedMonitors(client, monitor_args);
  if (context.propagator != nullptr && context.propagate_as_received &&
      ((context.dirty > 0 && (spec->flags & kCmdWrite)) || context.force_propagation)) {
    propagator_.Add(context.db.index(), std::span<const std::string>(args));
  }
  if (context.dirty > 0 && (spec->flags & kCmdWrite)) {
    // One generic signal for every key a write command names, so WATCH and blocked clients see
    // changes without each handler remembering to signal (Redis's signalModifiedKey).
    Database& db = keyspace_.db(client.db);
    auto signal = [&](int index) {
      db.SignalModified(args[index]);
      db.SignalReady(args[index]);
    };
    switch (SignalRuleFor(*spec)) {
      case KeySignalRule::kAll:
        spec->ForEachKeyIndex(args, signal);
        break;
      case KeySignalRule::kWrittenKeysOnly:
        for (const acl::KeyReference& key : acl_->KeysWithFlags(*spec, args)) {
          if (!(key.flags & acl::kKeyRO)) signal(key.index);
        }
        break;
      case KeySignalRule::kNone:
        // Not modified for WATCH and client-side caching, but blocked readers still wake: a
        // woken reader re-checks its key, so XGROUP DESTROY's and DEL's XREADGROUP readers get
        // NOGROUP/UNBLOCKED.
        spec->ForEachKeyIndex(args, [&](int index) { db.SignalReady(args[index]); });
        break;
    }
  }
  stats_.dirty += static_cast<uint64_t>(context.dirty);
  ++stats_.total_commands_processed;
  ++client.commands_processed;
  client.last_command = spec;
}

bool Engine::DeniedWhenOutOfMemory(const Client& client, const CommandSpec& spec,
                                   const std::vector<std::string>& args) const {
  const std::string& name = spec.full_name;
  if (client.in_multi) {
    if (name == "discard" || name == "quit" || name == "reset") return false;
    if (name != "exec") return true;
    for (const std::vector<std::string>& queued : client.multi_queue) {
      const CommandSpec* queued_spec = commands_.Find(queued[0]);
      if (queued_spec != nullptr && queued_spec->is_container() && queued.size() >= 2) {
        queued_spec = commands_.FindSubcommand(*queued_spec, queued[1]);
      }
      if (queued_spec != nullptr && (queued_spec->flags & kCmdDenyOom)) return true;
    }
    return false;
  }
  if (spec.flags & kCmdDenyOom) return true;
  // A script with a shebang declares its own flags (Redis's evalGetCommandFlags).
  if (name == "eval" || name == "evalsha" || name == "eval_ro" || name == "evalsha_ro") {
    return args.size() >= 2 && scripts_->DeclaresDenyOom(args[1], name.starts_with("evalsha"));
  }
  // A function always declares its flags (Redis's fcallGetCommandFlags).
  if (name == "fcall" || name == "fcall_ro") {
    const FunctionLibrary::Function* function =
        args.size() >= 2 ? scripts_->functions().Find(args[1]) : nullptr;
    return function != nullptr &&
           (function->flags & (ScriptEngine::kNoWrites | ScriptEngine::kAllowOom)) == 0;
  }
  return false;
}

void Engine::EvictKey(Database& db, std::string_view key) {
  // The log replays the eviction as Redis writes it: `DEL key`, ahead of the command that needed
  // the room. Propagated first: `key` may view the entry's own key, freed by Delete.
  PropagateDel(db.index(), key);
  std::string owned(key);
  evicting_ = true;
  db.Delete(owned);
  evicting_ = false;
  ++stats_.evicted_keys;
  NotifyKeyspaceEvent(*this, kNotifyEvicted, "evicted", owned, db.index());
}

void Engine::Cron() {
  CheckThread();
  // A busy script serves clients while it runs; expiry and timeouts would break its atomicity.
  if (scripts_->running()) return;
  detached_script_caller_.reset();
  const int64_t now_ms = clock_.NowMs();
  keyspace_.set_now_ms(now_ms);
  // A CLIENT PAUSE whose time is up ends here at the latest (Redis's serverCron); its held
  // clients run at the end of this pass.
  absl::Cleanup resume_released = [this] { ResumeUnblockedClients(); };
  const bool paused = ClientsPaused(now_ms);
  // INFO's instantaneous rates and peak memory, sampled as Redis's serverCron does.
  stats_.ops_rate.Sample(now_ms, stats_.total_commands_processed);
  stats_.input_rate.Sample(now_ms, stats_.total_net_input_bytes);
  stats_.output_rate.Sample(now_ms, stats_.total_net_output_bytes);
  stats_.used_memory_peak = std::max(stats_.used_memory_peak, UsedMemoryBytes());
  // Queue insight: lists that arrived without write hooks (a loaded RDB), and the dashboard's
  // history (one sample every few seconds, bounded).
  if (queue_tracker_->rescan_pending()) queue_tracker_->Rescan();
  queue_history_->MaybeSample(*this, now_ms);
  // An eviction cut short by its time limit goes on here (Redis's evictionTimeProc).
  evictor_.ContinueIfPending();
  // Client eviction: counts refreshed (output written since), as Redis's clientsCron does, and
  // the limit enforced (it may have been reached by output appended outside any input).
  client_eviction_.Cron();
  // Incremental rehashing of the key tables, 1 ms at most, unless activerehashing is off (as in
  // Redis's databasesCron; commands still move a bucket each).
  const auto& compat = config_.settings().compat_values;
  if (auto found = compat.find("activerehashing"); found == compat.end() || found->second != "no") {
    keyspace_.RehashKeyTables(clock_, 1000);
  }
  // Active expiry: each database in turn, in slices, within a small time budget per call so a
  // mass expiry never stalls the loop.
  const int64_t cycle_started_us = SteadyMicros();
  const int64_t budget_end = cycle_started_us + 5000;
  const int64_t expire_started_us = clock_.NowUs();
  if (active_expire_enabled && !paused) {
    // INFO's expire figures: every volatile key is looked at (the index is ordered by deadline),
    // so the stale fraction is the expired keys over the volatile keys, smoothed as Redis does.
    uint64_t volatile_keys = 0, expired = 0;
    bool capped = false;
    for (int i = 0; i < keyspace_.database_count(); ++i) {
      Database& database = keyspace_.db(i);
      volatile_keys += database.expires_count();
      // A capped sweep still gives every database its first slice.
      for (;;) {
        const size_t removed = database.ActiveExpire(256);
        expired += removed;
        if (removed < 256) break;
        if (SteadyMicros() >= budget_end) {
          capped = true;
          break;
        }
      }
    }
    const double current = volatile_keys ? static_cast<double>(expired) / volatile_keys : 0;
    stats_.expired_stale_perc = current * 0.05 + stats_.expired_stale_perc * 0.95;
    if (capped) ++stats_.expired_time_cap_reached_count;
    stats_.expire_cycle_time_used_us += static_cast<uint64_t>(SteadyMicros() - cycle_started_us);
    AddLatencySample("expire-cycle", (clock_.NowUs() - expire_started_us) / 1000);
  }
  // Each expired key's DEL stands alone, as Redis 7.0 writes them (no MULTI around a sweep).
  propagator_.Flush(Propagator::Wrap::kNone);
  // Client-side caching: the table's limit (CONFIG SET may have lowered it) and the BCAST keys
  // the sweep expired, as Redis's beforeSleep does.
  if (tracking_.tracking_clients() > 0) {
    tracking_.LimitTableSize(static_cast<uint64_t>(config_.settings().tracking_table_max_keys));
  }
  if (tracking_.broadcast_pending()) tracking_.Broadcast();
  // BGSAVE: save points start one; a running one advances a little here too (the server also
  // steps it between events), so hosts that only call Cron still finish it.
  AofRewriteCron();  // BGREWRITEAOF scheduled behind a BGSAVE, auto-aof-rewrite-percentage
  if (background_save_) {
    if (!host_steps_background_save) StepBackgroundSave(2000);
  } else if (aof_rewrite_) {
    // One background job at a time, as Redis has one child: BGSAVE waits for the rewrite.
  } else if (background_save_scheduled) {
    std::string ignored;
    StartBackgroundSave(&ignored);
  } else if (rdb_files != nullptr || open_background_file) {  // hosts without files never save
    const int64_t now_s = now_ms / 1000;
    for (const auto& [seconds, changes] : config_.settings().save_points) {
      // Redis's rule: enough changes and time, and after a failure wait 5 s between attempts.
      if (stats_.dirty >= static_cast<uint64_t>(changes) &&
          now_s - stats_.last_save_time_s > seconds &&
          (now_s - stats_.last_bgsave_try_s > 5 || stats_.rdb_last_bgsave_ok)) {
        std::string ignored;
        StartBackgroundSave(&ignored);
        break;
      }
    }
  }
  // Idle timeout.
  const int timeout_s = config_.settings().timeout_seconds;
  if (timeout_s > 0) {
    std::vector<Client*> idle;
    for (auto& [id, client] : clients_) {
      // As in Redis's clientsCronHandleTimeout: clients waiting in BLPOP & co., subscribers and
      // MONITOR clients only listen, so they are never idled out.
      if (client->blocked || client->pubsub.subscribed() || client->pubsub.monitor) continue;
      if (now_ms - client->last_interaction_ms > int64_t{timeout_s} * 1000) {
        idle.push_back(client.get());
      }
    }
    for (Client* client : idle) {
      Log(LogLevel::kVerbose, "Closing idle client");  // Redis's words and level
      KillClient(*client, DisconnectCause::kIdleTimeout);
    }
  }
}

// --- Blocking commands and transactions ---

void Engine::TimeOutBlockedClients() {
  CheckThread();
  // Inside a command (a long script serving other clients meanwhile) nothing may change under
  // it: timeouts wait for the command to end, as in Redis.
  if (call_depth_ > 0) return;
  const int64_t now_ms = clock_.NowMs();
  blocked_clients_.TimeOutDue(now_ms);
  ClientsPaused(now_ms);
  ResumeUnblockedClients();
}

int64_t Engine::NextBlockingDeadline() const {
  const int64_t blocked = blocked_clients_.NextDeadline();
  if (!client_pause_.active()) return blocked;
  // The pause is over once its end is in the past: at end + 1.
  const int64_t end = client_pause_.end_ms();
  const int64_t pause_over = end == std::numeric_limits<int64_t>::max() ? end : end + 1;
  return blocked == 0 ? pause_over : std::min(blocked, pause_over);
}

// --- CLIENT PAUSE ---

void Engine::PauseClients(PauseType type, int64_t end_ms) {
  client_pause_.Pause(type, end_ms);
  OnPauseChanged();
  ClientsPaused(keyspace_.now_ms());  // a pause already over (CLIENT PAUSE 0) ends at once
}

void Engine::UnpauseClients() {
  client_pause_.Unpause();
  OnPauseChanged();
}

bool Engine::ClientsPaused(int64_t now_ms) {
  if (!client_pause_.active()) return false;
  if (!client_pause_.EndIfDue(now_ms)) OnPauseChanged();
  return client_pause_.active();
}

void Engine::OnPauseChanged() {
  if (client_pause_.active()) {
    keyspace_.set_expiry_pause_end(client_pause_.end_ms());
    return;
  }
  keyspace_.clear_expiry_pause();
  // Held clients are resumed with the blocked ones (in the order they were held), each running
  // its held command again, by whoever resumes clients next (the end of the current command or
  // input, the blocking timer, Cron): never from inside a check such as a lookup's.
  for (uint64_t id : client_pause_.TakeHeld()) {
    Client* client = FindClient(id);
    if (client == nullptr || !client->paused) continue;
    client->paused = false;
    client->blocked = false;
    blocked_clients_.QueueResumed(id);
  }
}

uint32_t Engine::CommandFlags(const CommandSpec& spec, const std::vector<std::string>& args) const {
  const std::string& name = spec.full_name;
  uint32_t script_flags = 0;
  if (name == "eval" || name == "evalsha" || name == "eval_ro" || name == "evalsha_ro") {
    if (args.size() < 2 ||
        !scripts_->DeclaredFlags(args[1], name.starts_with("evalsha"), &script_flags)) {
      return spec.flags;
    }
  } else if (name == "fcall" || name == "fcall_ro") {
    const FunctionLibrary::Function* function =
        args.size() >= 2 ? scripts_->functions().Find(args[1]) : nullptr;
    if (function == nullptr) return spec.flags;
    script_flags = function->flags;
  } else {
    return spec.flags;
  }
  // Redis's scriptFlagsToCmdFlags: declared flags replace the row's write/denyoom/stale, and
  // say whether the script may replicate.
  uint32_t flags = spec.flags & ~(kCmdStale | kCmdDenyOom | kCmdWrite | kCmdMayReplicate);
  if (!(script_flags & (ScriptEngine::kAllowOom | ScriptEngine::kNoWrites))) flags |= kCmdDenyOom;
  if (!(script_flags & ScriptEngine::kNoWrites)) flags |= kCmdWrite;
  if (script_flags & ScriptEngine::kAllowStale) flags |= kCmdStale;
  return flags;
}

bool Engine::MayReplicate(const Client& client, const CommandSpec& spec,
                          const std::vector<std::string>& args) const {
  constexpr uint32_t kReplicates = kCmdWrite | kCmdMayReplicate;
  if (CommandFlags(spec, args) & kReplicates) return true;
  return spec.full_name == "exec" && (client.multi_flags & kReplicates) != 0;
}

// Out of line: the loop inlined into Execute cost every command instructions (callgrind).
[[gnu::noinline]] void Engine::QueueMultiCommand(Client& client,
                                                 const std::vector<std::string>& args) {
  client.multi_queue.push_back(args);
  client.multi_mem += ArgumentBytes(args);
}

void Engine::DiscardTransaction(Client& client) {
  client.in_multi = false;
  client.multi_aborted = false;
  client.multi_queue.clear();
  client.multi_mem = 0;
  client.multi_flags = 0;
  watched_keys_.UnwatchAll(client);
}

void Engine::ResumeUnblockedClients() {
  // The outer call picks up clients resumed meanwhile; none runs inside another's command.
  if (resuming_ || call_depth_ > 0) return;
  resuming_ = true;
  while (blocked_clients_.has_resumed()) {
    blocked_clients_.TakeResumed(&resuming_ids_);
    for (uint64_t id : resuming_ids_) {
      Client* client = FindClient(id);
      if (client == nullptr || client->blocked) continue;
      // Its reply is in its output; run what it pipelined after the blocking command.
      ProcessInput(*client);
      if (!client->output().empty() && client->observer()) {
        client->observer()->OnOutputPending(*client);
      }
    }
  }
  resuming_ = false;
}

void Engine::OnKeyModified(int db, std::string_view key) {
  watched_keys_.Touch(db, key);
  queue_tracker_->OnKeyWritten(db, key);
  // Client-side caching: expiry and eviction are changes no client made (BCAST's NOLOOP).
  if (tracking_.active()) {
    tracking_.InvalidateKey(key, keyspace_.expiring() || evicting_ ? nullptr : current_client_);
  }
}

void Engine::OnFlush() { tracking_.InvalidateAllOnFlush(); }

void Engine::CountErrorReplies(Client& client, uint64_t emitted) {
  client.counted_error_replies += emitted;
  stats_.total_error_replies += emitted;
  stats_.error_counts[std::string(client.reply().last_error_code())] += emitted;
}

void Engine::EndCommandTrackingMode(Client& client) {
  // Redis's resetClient: CLIENT CACHING covers the next command, or a whole transaction.
  ClientTracking& state = client.tracking;
  if (state.caching && !client.in_multi && !state.last_was_client_command) state.caching = false;
}

void Engine::OnDatabaseModified(int db) {
  watched_keys_.TouchDatabase(keyspace_.db(db), nullptr);
  queue_tracker_->OnDatabaseFlushed(db);
}

void Engine::OnDatabasesSwapped(int first, int second) {
  queue_tracker_->OnDatabasesSwapped(first, second);
  watched_keys_.TouchDatabase(keyspace_.db(first), &keyspace_.db(second));
  watched_keys_.TouchDatabase(keyspace_.db(second), &keyspace_.db(first));
  blocked_clients_.MarkDatabaseReady(first);
  blocked_clients_.MarkDatabaseReady(second);
}

void Engine::OnKeyReady(int db, std::string_view key) { blocked_clients_.MarkReady(db, key); }

void Engine::OnKeyExpired(int db, std::string_view key) {
  // Part of whatever unit runs: the command whose lookup expired it (Redis 7.0 wraps the DEL
  // and the command's own write in MULTI), a blocked client's serve, or Cron's sweep.
  if (propagator_.active()) propagator_.Add(db, {"DEL", key});
  NotifyKeyspaceEvent(*this, kNotifyExpired, "expired", key, db);
}

void Engine::OnKeyCreated(int db, std::string_view key) {
  NotifyKeyspaceEvent(*this, kNotifyNew, "new", key, db);
}

// --- Propagation ---

void Engine::AddPropagationSink(PropagationSink* sink) { propagator_.AddSink(sink); }

void Engine::RemovePropagationSink(PropagationSink* sink) { propagator_.RemoveSink(sink); }

void Engine::PropagateDel(int db, std::string_view key) {
  if (!propagator_.active()) return;
  // Redis 7.0 writes each evicted key's DEL on its own before the command that made room, even
  // though eviction runs inside processCommand; only a call in the middle of a unit (which the
  // evictor never makes) joins that unit rather than splitting it.
  const bool own_unit = !propagator_.pending();
  propagator_.Add(db, {"DEL", key});
  if (own_unit) propagator_.Flush();
}

}  // namespace drayman
