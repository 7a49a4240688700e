// Watched keys: WATCH's optimistic locks for MULTI/EXEC.
//
// Contract: Watch() records that a client watches (db, key); Touch() marks every client watching
// that key as touched (Client::watched_key_touched), which makes its next EXEC answer a null
// array. The engine touches keys on every change the keyspace reports (writes through dispatch,
// DEL, expiry) and, before FLUSHDB/FLUSHALL/SWAPDB replace a whole database, every watched key
// that exists in it or in the database replacing it, as Redis 7 does. A key already expired when
// it was watched does not count as existing then; one that expires while watched is touched
// (EXEC's lazy lookup deletes it, which reports a change). UnwatchAll() runs on EXEC, DISCARD,
// UNWATCH and disconnect. Costs are O(1) per touched key when nobody watches anything.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"

namespace drayman {

class Client;
class Database;

class WatchedKeys {
 public:
  explicit WatchedKeys(int database_count);

  void Watch(Client& client, int db, std::string_view key);
  void UnwatchAll(Client& client);
  void Touch(int db, std::string_view key);
  // Before `db` is emptied (replaced_with == nullptr) or swapped with `replaced_with`.
  void TouchDatabase(Database& db, Database* replaced_with);

  // Distinct (db, key) pairs watched by at least one client.
  size_t watched_key_count() const { return watched_count_; }

 private:
  std::vector<absl::flat_hash_map<std::string, std::vector<Client*>>> by_db_;
  size_t watched_count_ = 0;
};

}  // namespace drayman
