#include "broker/blocking/blocked_clients.h"

#include "absl/container/inlined_vector.h"
#include "absl/strings/string_view.h"
#include "broker/client.h"
#include "broker/command/command_table.h"
#include "broker/command/context.h"
#include "broker/engine.h"

namespace drayman {

namespace {

// CLIENT UNBLOCK ... ERROR: the text the unblocked client receives.

}  // namespace

struct BlockedClients::Waiter {
  Client* client = nullptr;
  const CommandSpec* spec = nullptr;
  std::vector<std::string> args;
  int db = 0;
  int64_t deadline_ms = 0;
  uint64_t sequence = 0;
  TimeoutReply timeout_reply = TimeoutReply::kNullArray;
  ServeFunction serve;
  // Where this waiter sits in each key's FIFO list, for O(keys) removal. List iterators survive
  // the map relocating the lists as it grows; map iterators would not, hence the key.
  std::vector<std::pair<std::string, WaiterList::iterator>> positions;
};

// Waiters kept for reuse at most: one per consumer that re-blocks at once is the common case.
constexpr size_t kMaxSpareWaiters = 16;

BlockedClients::BlockedClients(Engine& engine, int database_count)
    : engine_(engine), by_db_(static_cast<size_t>(database_count)) {}

BlockedClients::~BlockedClients() = default;

void BlockedClients::Block(Client& client, const CommandSpec& spec,
                           const std::vector<std::string>& args,
                           const std::vector<std::string>& keys, int64_t deadline_ms,
                           ServeFunction serve, TimeoutReply timeout_reply) {
  std::unique_ptr<Waiter> waiter;
  if (spare_.empty()) {
    waiter = std::make_unique<Waiter>();
  } else {
    waiter = std::move(spare_.back());
    spare_.pop_back();
  }
  waiter->client = &client;
  waiter->spec = &spec;
  waiter->args.assign(args.begin(), args.end());
  waiter->db = client.db;
  waiter->deadline_ms = deadline_ms;
  waiter->sequence = next_sequence_++;
  waiter->serve = std::move(serve);
  waiter->timeout_reply = timeout_reply;
  KeyWaiters& keys_in_db = by_db_[static_cast<size_t>(client.db)];
  for (const std::string& key : keys) {
    auto [entry, inserted] = keys_in_db.try_emplace(key);
    WaiterList& waiters = entry->second.waiters;
    // BLPOP k k 0 waits once on k.
    if (!inserted && !waiters.empty() && waiters.back() == waiter.get()) continue;
    auto position = waiters.insert(waiters.end(), waiter.get());
    waiter->positions.emplace_back(key, position);
  }
  if (deadline_ms != 0)
    deadlines_.emplace(std::make_pair(deadline_ms, waiter->sequence), waiter.get());
  client.blocked = true;
  waiters_[client.id()] = std::move(waiter);
}

void BlockedClients::MarkReady(int db, std::string_view key) {
  if (waiters_.empty()) return;
  KeyWaiters& keys_in_db = by_db_[static_cast<size_t>(db)];
  auto entry = keys_in_db.find(absl::string_view(key.data(), key.size()));
  if (entry == keys_in_db.end() || entry->second.ready) return;
  entry->second.ready = true;
  ready_.emplace_back(db, key);
}

void BlockedClients::MarkDatabaseReady(int db) {
  std::vector<std::string> keys;
  for (const auto& [key, state] : by_db_[static_cast<size_t>(db)]) keys.push_back(key);
  for (const std::string& key : keys) MarkReady(db, key);
}

void BlockedClients::ServeReady() {
  if (serving_ || ready_.empty()) return;
  serving_ = true;
  engine_.keyspace().set_now_ms(engine_.clock().NowMs());
  while (!ready_.empty()) {
    // Keys marked while this batch is served (a BLMOVE destination) form the next one.
    std::vector<std::pair<int, std::string>> batch;
    batch.swap(serving_batch_);
    batch.swap(ready_);
    for (const auto& [db, key] : batch) ServeKey(db, key);
    batch.clear();
    serving_batch_.swap(batch);
  }
  serving_ = false;
}

void BlockedClients::ServeKey(int db, const std::string& key) {
  KeyWaiters& keys_in_db = by_db_[static_cast<size_t>(db)];
  auto entry = keys_in_db.find(key);
  if (entry == keys_in_db.end()) return;
  // From here a new signal of the key (a serve that pushes back to it) queues it again.
  entry->second.ready = false;
  // Serving removes only the served waiter, and no client runs commands meanwhile (resumes wait
  // for the engine), so a snapshot of the FIFO stays valid.
  const WaiterList& waiters = entry->second.waiters;
  absl::InlinedVector<Waiter*, 4> fifo(waiters.begin(), waiters.end());
  for (Waiter* waiter : fifo) {
    ServeResult result = Attempt(*waiter, key);
    if (result == ServeResult::kNotReady) break;
  }
}

ServeResult BlockedClients::Attempt(Waiter& waiter, std::string_view key) {
  Client& client = *waiter.client;
  ReplyBuilder& reply = client.reply();
  Keyspace& keyspace = engine_.keyspace();
  Database& db = keyspace.db(waiter.db);
  const uint64_t errors_before = reply.error_count();
  CommandContext context{engine_,      client, waiter.args, reply,
                         *waiter.spec, db,     keyspace,    keyspace.now_ms()};
  Propagator& propagator = engine_.propagator();
  if (propagator.active()) context.propagator = &propagator;
  context.serving_blocked = true;
  ServeResult result = waiter.serve(context, key);
  // Each served client is a unit of the propagation stream: the pop it performed (serve
  // functions rewrite it), after the command that woke it.
  if (context.propagator != nullptr && context.propagate_as_received && context.dirty > 0 &&
      result == ServeResult::kServed) {
    propagator.Add(waiter.db, std::span<const std::string>(waiter.args));
  }
  propagator.Flush();
  if (result != ServeResult::kServed) return result;

  EngineStats& stats = engine_.stats();
  if (uint64_t errors = reply.error_count() - errors_before; errors > 0) {
    stats.total_error_replies += errors;
    stats.error_counts[std::string(reply.last_error_code())] += errors;
    ++waiter.spec->stats.failed_calls;
  }
  // Unlinked before the keys are signalled, so the served waiter does not make its own keys
  // ready again.
  std::unique_ptr<Waiter> served = Unlink(waiter, /*resume=*/true);
  if (context.dirty > 0) {
    stats.dirty += static_cast<uint64_t>(context.dirty);
    // As dispatch does for a command that completes at once: every key the command names is
    // modified (WATCH) and ready (a BLMOVE destination may feed the next waiter).
    const std::vector<std::string>& args = served->args;
    served->spec->ForEachKeyIndex(args, [&](int index) {
      db.SignalModified(args[static_cast<size_t>(index)]);
      db.SignalReady(args[static_cast<size_t>(index)]);
    });
  }
  Release(std::move(served));
  return result;
}

std::unique_ptr<BlockedClients::Waiter> BlockedClients::Unlink(Waiter& waiter, bool resume) {
  KeyWaiters& keys_in_db = by_db_[static_cast<size_t>(waiter.db)];
  for (auto& [key, position] : waiter.positions) {
    auto entry = keys_in_db.find(key);
    entry->second.waiters.erase(position);
    if (entry->second.waiters.empty()) keys_in_db.erase(entry);
  }
  if (waiter.deadline_ms != 0) deadlines_.erase({waiter.deadline_ms, waiter.sequence});
  Client& client = *waiter.client;
  client.blocked = false;
  client.EndCommandReplyMode();
  if (resume) resumed_.push_back(client.id());
  auto it = waiters_.find(client.id());
  std::unique_ptr<Waiter> owned = std::move(it->second);
  waiters_.erase(it);
  return owned;
}

void BlockedClients::Finish(Waiter& waiter, bool resume) { Release(Unlink(waiter, resume)); }

void BlockedClients::Release(std::unique_ptr<Waiter> waiter) {
  if (spare_.size() >= kMaxSpareWaiters) return;  // destroyed here
  // Keeps the vectors' capacity; the strings and the serve function's captures go now.
  waiter->client = nullptr;
  waiter->spec = nullptr;
  waiter->args.clear();
  waiter->serve = nullptr;
  waiter->positions.clear();
  spare_.push_back(std::move(waiter));
}

int64_t BlockedClients::NextDeadline() const {
  return deadlines_.empty() ? 0 : deadlines_.begin()->first.first;
}

void BlockedClients::TimeOutDue(int64_t now_ms) {
  while (!deadlines_.empty() && deadlines_.begin()->first.first <= now_ms) {
    Waiter& waiter = *deadlines_.begin()->second;
    ReplyTimedOut(waiter);
    Finish(waiter, /*resume=*/true);
  }
}

bool BlockedClients::Unblock(Client& client, UnblockReason reason) {
  auto it = waiters_.find(client.id());
  if (it == waiters_.end()) return false;
  if (reason == UnblockReason::kError) {
    client.reply().Error(errors::kUnblocked);
    EngineStats& stats = engine_.stats();
    ++stats.total_error_replies;
    ++stats.error_counts["UNBLOCKED"];
  } else {
    ReplyTimedOut(*it->second);
  }
  Finish(*it->second, /*resume=*/true);
  return true;
}

void BlockedClients::ReplyTimedOut(Waiter& waiter) {
  if (waiter.timeout_reply == TimeoutReply::kZero) {
    waiter.client->reply().Integer(0);
  } else {
    waiter.client->reply().NullArray();
  }
}

void BlockedClients::Remove(Client& client) {
  auto it = waiters_.find(client.id());
  if (it != waiters_.end()) Finish(*it->second, /*resume=*/false);
}

std::vector<uint64_t> BlockedClients::TakeResumed() {
  std::vector<uint64_t> resumed;
  resumed.swap(resumed_);
  return resumed;
}

void BlockedClients::TakeResumed(std::vector<uint64_t>* out) {
  out->clear();
  out->swap(resumed_);
}

void BlockedClients::ForEachWaiter(int db, std::string_view key,
                                   absl::FunctionRef<void(const Client&)> fn) const {
  if (db < 0 || db >= static_cast<int>(by_db_.size())) return;
  auto it = by_db_[db].find(absl::string_view(key.data(), key.size()));
  if (it == by_db_[db].end()) return;
  for (const Waiter* waiter : it->second.waiters) fn(*waiter->client);
}

void BlockedClients::ForEachWaitedKey(
    absl::FunctionRef<void(const Client&, int db, std::string_view key)> fn) const {
  for (const auto& [id, waiter] : waiters_) {
    for (const auto& [key, position] : waiter->positions) fn(*waiter->client, waiter->db, key);
  }
}

}  // namespace drayman
