// ElementWatcher: how a save job that encodes a large hash, set or sorted set in steps (a BGSAVE or
// an AOF rewrite, broker/persistence/large_collections.h) sees the container change under it.
//
// Contract: while a watcher is attached (Watch), the container calls BeforeChange before every
// change to one element (set, overwrite, increment, erase, pop, range removal: each erased
// element gets its own call), while the element still has its old state, and the watcher must
// not change the container from it. A hash or set also stays pinned meanwhile (dict.h: its
// buckets do not move, so the job can walk them by position). When the container is destroyed
// with the watcher still attached (DEL, overwrite, RENAME over it, expiry, FLUSHDB's table freed,
// FLUSHALL), it hands its contents, in O(1), to Adopt instead of freeing them; the job then owns
// them and frees them when done. At most one watcher per container.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>


namespace drayman {

class Hash;
class Set;
class ZSet;

class ElementWatcher {
 public:
  virtual ~ElementWatcher() = default;
  // `member` (a hash field) is about to be set (erasing false; for a sorted set to `new_score`)
  // or erased (erasing true; also called when it is absent).
  virtual void BeforeChange(std::string_view member, bool erasing, double new_score) = 0;
  // The container is being destroyed; `contents` holds what it held (still pinned), and nothing
  // will change it any more.
  virtual void Adopt(std::unique_ptr<Hash> contents) = 0;
  virtual void Adopt(std::unique_ptr<Set> contents) = 0;
  virtual void Adopt(std::unique_ptr<ZSet> contents) = 0;
};

// The watch side of a container kept in a ScanDict (a large Hash, a hashtable Set), shared by
// both through CRTP: `Derived` names its ScanDict `dict_` (mutable: pinning changes no entry)
// and befriends this class. Watch pins the table, so positions (ScanDict::PositionOf) stay valid
// until Unwatch. Const: a snapshot hands values over as const, and watching changes nothing a
// command can see.
template <typename Derived>
class DictSaveWatch {
 public:
  bool watched() const { return watcher_ != nullptr; }
  void Watch(ElementWatcher* watcher) const {
    watcher_ = watcher;
    dict().Pin();
  }
  void Unwatch() const {
    if (watcher_ == nullptr) return;
    watcher_ = nullptr;
    dict().Unpin();
  }
  uint64_t PositionEnd() const { return dict().PositionEnd(); }
  uint64_t PositionOf(std::string_view key, bool* present) const {
    return dict().PositionOf(key, present);
  }

 protected:
  // Before the element `key` changes (erasing: is removed): tells the watcher, if any.
  void BeforeChange(std::string_view key, bool erasing) const {
    if (watcher_ != nullptr) watcher_->BeforeChange(key, erasing, 0);
  }
  // fn(node) for the table's nodes at `position`; returns how many.
  template <typename Fn>
  size_t VisitNodes(uint64_t position, Fn&& fn) const {
    size_t visited = 0;
    dict().VisitPosition(position, [&](const auto& node) {
      ++visited;
      fn(node);
    });
    return visited;
  }
  // For the destructor's hand-over of the table: detaches the watcher and returns it (null when
  // none), leaving the pin with the table.
  ElementWatcher* ReleaseWatcher() const {
    ElementWatcher* watcher = watcher_;
    watcher_ = nullptr;
    return watcher;
  }

 private:
  auto& dict() const { return static_cast<const Derived*>(this)->dict_; }

  mutable ElementWatcher* watcher_ = nullptr;
};

}  // namespace drayman
