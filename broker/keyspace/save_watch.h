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

}  // namespace drayman
