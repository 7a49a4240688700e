#include "broker/keyspace/set.h"

namespace drayman {

std::unique_ptr<Set> Set::Clone() const {
  auto copy = std::make_unique<Set>();
  ForEach([&](std::string_view member) { copy->Add(member); });
  return copy;
}

size_t Set::MemoryUsage() const {
  size_t bytes = sizeof(Set) + dict_.OverheadBytes();
  dict_.ForEach([&](const auto& node) { bytes += node.key.capacity(); });
  return bytes;
}

}  // namespace drayman
