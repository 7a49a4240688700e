// CommandContext: everything a handler needs to run one command.
//
// Contract: handlers read `args` (args[0] is the name as sent), change the keyspace through `db`,
// answer through `reply` exactly once (one RESP value, possibly an aggregate), and call
// AddDirty() for each change so persistence and INFO see it. After a write command whose dirty
// count is positive, the dispatcher signals every key the command names (from the table's key
// positions or get_keys) as modified (WATCH) and ready (blocked clients), so handlers signal
// only keys they change that the table does not name (MOVE's target database, for instance).
// Typed lookups reply WRONGTYPE themselves and return false, so a handler just returns on false.
//
// Propagation (broker/persistence/propagator.h): a write command whose dirty count is positive is
// propagated as received. A handler whose command would not replay deterministically (relative
// times, random picks, float results, blocking forms) calls PropagateAs once per command that
// replays them instead, guarded by propagating() so nothing is built when no sink listens.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "broker/base/errors.h"
#include "broker/client.h"
#include "broker/command/command_table.h"
#include "broker/keyspace/database.h"
#include "broker/persistence/propagator.h"
#include "broker/pubsub/keyspace_events.h"
#include "broker/resp/reply_builder.h"

namespace drayman {

class Engine;

struct CommandContext {
  Engine& engine;
  Client& client;
  std::vector<std::string>& args;
  ReplyBuilder& reply;
  const CommandSpec& spec;
  Database& db;
  Keyspace& keyspace;
  int64_t now_ms;
  int64_t dirty = 0;

  void AddDirty(int64_t changes = 1) { dirty += changes; }

  // --- Propagation ---
  // Set by the engine only while a sink is installed.
  Propagator* propagator = nullptr;
  // Cleared by PropagateAs/SuppressPropagation: the command as received is not propagated.
  bool propagate_as_received = true;
  // Propagate as received even with no change counted (FLUSHDB of an empty database, as Redis).
  bool force_propagation = false;
  // The command is a blocked client's, served at wake-up rather than when it ran (BLMOVE's
  // rewrite differs between the two in Redis 7.0).
  bool serving_blocked = false;

  bool propagating() const { return propagator != nullptr; }
  // Propagates `argv` (run in this command's database) instead of the command as received;
  // each call adds one command, in order.
  void PropagateAs(std::initializer_list<std::string_view> argv) {
    propagate_as_received = false;
    if (propagator) propagator->Add(db.index(), argv);
  }
  void PropagateAs(std::span<const std::string_view> argv) {
    propagate_as_received = false;
    if (propagator) propagator->Add(db.index(), argv);
  }
  void SuppressPropagation() { propagate_as_received = false; }
  void ForcePropagation() { force_propagation = true; }

  // Read lookup of `key` as T, counting keyspace hits and misses. *out is null when the key is
  // missing. Returns false (after replying WRONGTYPE) when the key holds another type.
  template <typename T>
  bool LookupRead(std::string_view key, T** out) {
    bool wrong_type = false;
    *out = db.FindAs<T>(key, &wrong_type);
    if (wrong_type) {
      ++keyspace.keyspace_hits;
      reply.Error(errors::kWrongType);
      return false;
    }
    if (*out) {
      ++keyspace.keyspace_hits;
    } else {
      ++keyspace.keyspace_misses;
      NotifyKeyspaceEvent(*this, kNotifyKeyMiss, "keymiss", key);
    }
    return true;
  }

  // Write lookup: like LookupRead, without hit/miss accounting.
  template <typename T>
  bool LookupWrite(std::string_view key, T** out) {
    bool wrong_type = false;
    *out = db.FindAs<T>(key, &wrong_type);
    if (wrong_type) {
      reply.Error(errors::kWrongType);
      return false;
    }
    return true;
  }

  // Write lookup that creates an empty container when the key is missing.
  template <typename T>
  bool LookupOrCreate(std::string_view key, T** out) {
    if (!LookupWrite(key, out)) return false;
    if (*out == nullptr) {
      Entry& entry = db.Add(key, Value(std::make_unique<T>()));
      *out = &ValueAs<T>(entry.value);
    }
    return true;
  }

  // Deletes `key` if its container became empty (Redis never keeps empty containers).
  template <typename T>
  void DeleteIfEmpty(std::string_view key, const T* container) {
    if (container != nullptr && container->empty()) db.Delete(key);
  }
};

}  // namespace drayman
