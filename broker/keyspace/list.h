// List: the value behind LPUSH/RPUSH/LPOP/RPOP/LRANGE and the blocking pops.
//
// Contract: O(1) push and pop at both ends; indexes are 0-based and already normalised by the
// caller (0 <= index < size()). Elements are binary strings. The representation is private so it
// can be tuned for the queue workload without touching the command code.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>

namespace drayman {

class List {
 public:
  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }

  void PushFront(std::string_view value) { items_.emplace_front(value); }
  void PushBack(std::string_view value) { items_.emplace_back(value); }
  std::string PopFront();
  std::string PopBack();

  std::string_view At(size_t index) const { return items_[index]; }
  void Set(size_t index, std::string_view value) { items_[index].assign(value); }

  // Calls fn(std::string_view) for the elements at indexes [start, stop], in order.
  template <typename Fn>
  void ForRange(size_t start, size_t stop, Fn&& fn) const {
    for (size_t i = start; i <= stop && i < items_.size(); ++i) fn(std::string_view(items_[i]));
  }
  // Same, from `start` down to `stop` (start >= stop).
  template <typename Fn>
  void ForRangeReverse(size_t start, size_t stop, Fn&& fn) const {
    for (size_t i = start + 1; i-- > stop;) fn(std::string_view(items_[i]));
  }

  // LREM semantics: count > 0 removes from the head, < 0 from the tail, 0 all. Returns removed.
  size_t Remove(std::string_view value, int64_t count);
  // Inserts before/after the first occurrence of pivot. Returns false if pivot is absent.
  bool Insert(std::string_view pivot, std::string_view value, bool after);
  // Keeps only [start, stop] (inclusive, normalised); start > stop empties the list.
  void Trim(size_t start, size_t stop);

  std::unique_ptr<List> Clone() const { return std::make_unique<List>(*this); }
  size_t MemoryUsage() const;
  std::string_view Encoding() const { return "quicklist"; }

 private:
  std::deque<std::string> items_;
};

}  // namespace drayman
