#include "broker/transaction/watched_keys.h"

#include <algorithm>

#include "absl/strings/string_view.h"
#include "broker/client.h"
#include "broker/keyspace/database.h"

namespace drayman {

WatchedKeys::WatchedKeys(int database_count) : by_db_(static_cast<size_t>(database_count)) {}

void WatchedKeys::Watch(Client& client, int db, std::string_view key) {
  for (const auto& [watched_db, watched_key] : client.watched_keys) {
    if (watched_db == db && watched_key == key) return;
  }
  auto [entry, inserted] = by_db_[static_cast<size_t>(db)].try_emplace(std::string(key));
  if (inserted) ++watched_count_;
  entry->second.push_back(&client);
  client.watched_keys.emplace_back(db, std::string(key));
}

void WatchedKeys::UnwatchAll(Client& client) {
  for (const auto& [db, key] : client.watched_keys) {
    auto& keys = by_db_[static_cast<size_t>(db)];
    auto entry = keys.find(key);
    if (entry == keys.end()) continue;
    std::vector<Client*>& clients = entry->second;
    clients.erase(std::remove(clients.begin(), clients.end(), &client), clients.end());
    if (clients.empty()) {
      keys.erase(entry);
      --watched_count_;
    }
  }
  client.watched_keys.clear();
  client.watched_key_touched = false;
}

void WatchedKeys::Touch(int db, std::string_view key) {
  if (watched_count_ == 0) return;
  const auto& keys = by_db_[static_cast<size_t>(db)];
  auto entry = keys.find(absl::string_view(key.data(), key.size()));
  if (entry == keys.end()) return;
  for (Client* client : entry->second) client->watched_key_touched = true;
}

void WatchedKeys::TouchDatabase(Database& db, Database* replaced_with) {
  if (watched_count_ == 0) return;
  // Copy the keys first: Find() may delete an expired key, which touches it through Touch() (the
  // same outcome Redis gives an expired key that is still stored).
  std::vector<std::string> keys;
  for (const auto& [key, clients] : by_db_[static_cast<size_t>(db.index())]) keys.push_back(key);
  for (const std::string& key : keys) {
    if (db.Find(key) != nullptr ||
        (replaced_with != nullptr && replaced_with->Find(key) != nullptr)) {
      Touch(db.index(), key);
    }
  }
}

}  // namespace drayman
