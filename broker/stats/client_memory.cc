#include "broker/stats/client_memory.h"

#include <set>
#include <string_view>
#include <utility>

namespace drayman {
size_t ArgumentBytes(const std::vector<std::string>& args) {
  size_t bytes = 0;
  for (const std::string& arg : args) bytes += arg.size();
  return bytes;
}

namespace {

// A flat_hash_set<string_view> slot is the view plus one control byte.
template <typename Set>
size_t SetOverhead(const Set& set) {
  return set.capacity() * (sizeof(std::string_view) + 1);
}

}  // namespace

ClientMemory ComputeClientMemory(const Client& client,
                                 const std::vector<std::string>* running_args) {
  ClientMemory memory;
  memory.qbuf = client.parser().buffered_bytes();
  memory.qbuf_free = client.parser().free_bytes();
  if (running_args != nullptr) {
    memory.argv_mem = ArgumentBytes(*running_args);
  } else if (client.pending_command) {
    memory.argv_mem = ArgumentBytes(client.args);  // held by CLIENT PAUSE
  }
  memory.multi_mem = client.multi_mem;
  size_t overheads = client.watched_keys.size() * sizeof(client.watched_keys[0]);
  if (client.pubsub.subscribed()) {
    overheads += SetOverhead(client.pubsub.channels) + SetOverhead(client.pubsub.patterns) +
                 SetOverhead(client.pubsub.shard_channels);
  }
  // A std::set node: three links, a colour word, the string.
  overheads += client.tracking.prefixes.size() * (4 * sizeof(void*) + sizeof(std::string));
  memory.total = sizeof(Client) + memory.qbuf + memory.qbuf_free +
                 client.output().capacity() + client.output_in_flight + memory.argv_mem +
                 memory.multi_mem + overheads;
  return memory;
}

}  // namespace drayman
