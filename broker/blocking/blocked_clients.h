// Blocked clients: clients waiting in a blocking command (BLPOP, BLMOVE, BZPOPMIN...) for keys.
//
// Contract: a blocking command that finds nothing to serve calls Block() with its keys (priority
// order), an absolute deadline (ms on the engine's clock, 0 = forever) and a serve function; the
// client then executes nothing more (its pipelined input waits) until it is served, times out,
// is unblocked (CLIENT UNBLOCK) or disconnects (Remove). Writes mark keys ready (MarkReady: one
// hash lookup when nobody waits on the key). ServeReady(), which the engine runs after each
// top-level command (never inside EXEC or a script), serves the ready keys: per key, its waiters
// in FIFO order, each serve function popping right there so no other command slips between the
// wake-up and the pop. Serves that make more keys ready (BLMOVE's destination) are served in the
// same call, so chains resolve in one pass. Served, timed-out and unblocked clients are queued
// for the engine, which resumes their pipelined input (TakeResumed).
//
// A serve function replies only when it returns kServed (a value, or an error such as BLMOVE's
// WRONGTYPE destination, which also ends the wait). kNotReady (key missing or empty) keeps the
// waiter and every later waiter on that key waiting; kWrongType keeps this waiter waiting (a
// BLPOP waiter on a key that now holds a zset) while later waiters on the key still get a try.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"

namespace drayman {

class Client;
class Engine;
struct CommandContext;
struct CommandSpec;

enum class ServeResult {
  kServed,     // replied: the client's command is complete
  kNotReady,   // the key is missing or empty: keep waiting
  kWrongType,  // the key holds another type: keep waiting (the first attempt answers WRONGTYPE)
};

// Tries to serve a blocking command from `key`: pops, replies through ctx.reply and calls
// ctx.AddDirty() for each change. `ctx.args` is the command as the client sent it.
using ServeFunction = std::function<ServeResult(CommandContext& ctx, std::string_view key)>;

// What a waiter answers when it times out (or CLIENT UNBLOCK ... TIMEOUT ends its wait): a null
// array for the keyed blocking commands, 0 (no replica acknowledged) for WAIT.
enum class TimeoutReply { kNullArray, kZero };

class BlockedClients {
 public:
  BlockedClients(Engine& engine, int database_count);
  ~BlockedClients();
  BlockedClients(const BlockedClients&) = delete;
  BlockedClients& operator=(const BlockedClients&) = delete;

  // Blocks `client` (in its selected database) on `keys` until `deadline_ms` (0 = forever). With
  // no keys (WAIT) only the deadline or CLIENT UNBLOCK ends the wait.
  void Block(Client& client, const CommandSpec& spec, const std::vector<std::string>& args,
             const std::vector<std::string>& keys, int64_t deadline_ms, ServeFunction serve,
             TimeoutReply timeout_reply = TimeoutReply::kNullArray);

  // A write touched `key` in `db`; waiters on it get a try at the next ServeReady().
  void MarkReady(int db, std::string_view key);
  // Every key waited on in `db` (SWAPDB brought in new contents).
  void MarkDatabaseReady(int db);
  // Serves waiters of ready keys until no key is ready. Re-entrant calls return at once.
  void ServeReady();

  // The nearest deadline of a blocked client (ms on the engine clock), or 0 when none has one.
  int64_t NextDeadline() const;
  // Answers every waiter whose deadline is at or before `now_ms` as timed out (null array).
  void TimeOutDue(int64_t now_ms);

  enum class UnblockReason { kTimeout, kError };
  // CLIENT UNBLOCK: ends the wait of `client` as a timeout or with the UNBLOCKED error. Returns
  // false when the client is not blocked.
  bool Unblock(Client& client, UnblockReason reason);
  // Forgets the client's wait without replying (disconnect).
  void Remove(Client& client);

  // Ids of clients whose wait ended since the last call, in the order their waits ended.
  std::vector<uint64_t> TakeResumed();
  // The same into *out (cleared first), so the caller's buffer keeps its capacity.
  void TakeResumed(std::vector<uint64_t>* out);
  // Queues a client the engine resumes with the others (one whose CLIENT PAUSE ended).
  void QueueResumed(uint64_t client_id) { resumed_.push_back(client_id); }
  bool has_resumed() const { return !resumed_.empty(); }

  size_t blocked_count() const { return waiters_.size(); }
  // Calls fn for each client waiting on `key` in `db`, in FIFO order (a queue's consumers).
  void ForEachWaiter(int db, std::string_view key, absl::FunctionRef<void(const Client&)> fn) const;
  // Calls fn(client, db, key) for every key every blocked client waits on.
  void ForEachWaitedKey(
      absl::FunctionRef<void(const Client&, int db, std::string_view key)> fn) const;
  // Blocked clients with a deadline (INFO's clients_in_timeout_table).
  size_t timeout_count() const { return deadlines_.size(); }

 private:
  struct Waiter;
  using WaiterList = std::list<Waiter*>;
  // The waiters of one key, and whether the key is in ready_ (one entry per key until served).
  struct KeyState {
    WaiterList waiters;
    bool ready = false;
  };
  using KeyWaiters = absl::flat_hash_map<std::string, KeyState>;

  // Serves the waiters of one ready key.
  void ServeKey(int db, const std::string& key);
  // One serve attempt; on kServed the waiter is gone when this returns.
  ServeResult Attempt(Waiter& waiter, std::string_view key);
  // Removes the waiter from every index, clears the client's blocked flag and, when `resume`,
  // queues the client for the engine to resume. Returns the waiter, still intact.
  std::unique_ptr<Waiter> Unlink(Waiter& waiter, bool resume);
  // Destroys an unlinked waiter, or keeps it (emptied) for the next Block.
  void Release(std::unique_ptr<Waiter> waiter);
  void Finish(Waiter& waiter, bool resume);
  // The waiter's timeout reply (TimeoutReply).
  static void ReplyTimedOut(Waiter& waiter);

  Engine& engine_;
  std::vector<KeyWaiters> by_db_;
  absl::flat_hash_map<uint64_t, std::unique_ptr<Waiter>> waiters_;  // by client id
  std::map<std::pair<int64_t, uint64_t>, Waiter*> deadlines_;       // (deadline, sequence)
  std::vector<std::pair<int, std::string>> ready_;                  // in signalling order
  std::vector<std::pair<int, std::string>> serving_batch_;          // ready_'s spare buffer
  std::vector<uint64_t> resumed_;
  // Waiters of finished waits, reused by Block with their buffers (a consumer re-blocks for every
  // message it takes).
  std::vector<std::unique_ptr<Waiter>> spare_;
  uint64_t next_sequence_ = 1;
  bool serving_ = false;
};

}  // namespace drayman
