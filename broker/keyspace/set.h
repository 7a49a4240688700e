// Set: the value behind SADD/SREM/SMEMBERS.
//
// Contract: members are unique binary strings; Scan() follows SCAN's cursor contract and
// Random() draws a member for SPOP/SRANDMEMBER. Iteration order is unspecified (as in Redis).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "broker/keyspace/dict.h"

namespace drayman {

class Set {
 public:
  size_t size() const { return dict_.size(); }
  bool empty() const { return dict_.empty(); }
  bool Contains(std::string_view member) const { return dict_.FindNode(member) != nullptr; }
  // Returns true when the member is new.
  bool Add(std::string_view member) { return dict_.Insert(member).second; }
  bool Remove(std::string_view member) { return dict_.Erase(member); }

  // Calls fn(std::string_view member) for every member.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    dict_.ForEach([&](const auto& node) { fn(std::string_view(node.key)); });
  }

  template <typename Fn>
  uint64_t Scan(uint64_t cursor, Fn&& fn) const {
    return dict_.Scan(cursor, [&](const auto& node) { fn(std::string_view(node.key)); });
  }

  template <typename Rng>
  std::string_view Random(Rng& rng) const {
    return dict_.RandomNode(rng)->key;
  }

  std::unique_ptr<Set> Clone() const;
  size_t MemoryUsage() const;
  std::string_view Encoding() const { return "hashtable"; }

 private:
  struct Empty {};
  ScanDict<Empty> dict_;
};

}  // namespace drayman
