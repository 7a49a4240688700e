// Large values in snapshots: a BGSAVE or an AOF rewrite must not stop the event loop for as long
// as encoding one big key takes (a Celery queue of a million 1.5 KB messages holds 1.5 GB: seconds
// of encoding and compression at once).
//
// Contract: IsLargeValue(value) says whether a snapshot consumer should hand the value to a
// SaveJob instead of encoding it at once: lists of more than kLargeListElements elements or
// kLargeListChunks chunks; hashes and sets in hashtable encoding and sorted sets in skiplist
// encoding of more than kLargeCollectionElements elements (their jobs, which watch the live
// container instead of copying it, are in large_collections.h; MakeLargeValueJob makes the job
// for any large value). Strings, streams and the small encodings are encoded whole (a string is
// one element; the small encodings are small by definition). A list's SaveJob holds a List::Frozen
// copy of the list (O(chunks) to take, see list.h: the live list copies a chunk before writing
// into one the copy shares, so clients go on pushing and popping meanwhile) and appends exactly
// the bytes the one-go encoding would write for the key, over as many Step calls as it needs.
//
// SaveQueue keeps each key's bytes contiguous in the file while a job is in progress: whatever the
// snapshot hands over meanwhile (keys the walk reaches, keys saved early because a command is
// about to change them) is encoded at once into bytes of its own and queued behind the job, each
// item with its database. Drain moves items into the output in order and calls select(db) before
// an item's first bytes, so the consumer writes SELECT whenever the database changes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>

#include "absl/functional/function_ref.h"
#include "broker/keyspace/list.h"
#include "broker/keyspace/value.h"
#include "broker/persistence/rdb_format.h"

namespace drayman {

inline constexpr size_t kLargeListElements = 1024;
inline constexpr size_t kLargeListChunks = 32;
inline constexpr size_t kLargeCollectionElements = 1024;
// Elements a consumer's Step hands a job at a time (a few hundred KB of Celery messages).
inline constexpr size_t kJobElementsPerStep = 128;

bool IsLargeValue(const Value& value);

class SaveJob {
 public:
  virtual ~SaveJob() = default;
  // Appends the key's next bytes to `out` (strings to compress deferred into it, see
  // rdb::Compression), looking at about `max_elements` elements; returns true once the key is
  // complete.
  virtual bool Step(size_t max_elements, rdb::RdbChunk& out) = 0;
};

// The key as RdbWriter::WriteKey writes it (EXPIRETIME_MS, type, name, quicklist nodes).
std::unique_ptr<SaveJob> MakeRdbListJob(std::string key, std::unique_ptr<List::Frozen> list,
                                        int64_t expire_at_ms, bool compress);
// (The AOF rewrite's job, RPUSH batches, is MakeRewriteListJob in aof_rewrite.h.)

class SaveQueue {
 public:
  bool empty() const { return items_.empty(); }
  void AddBytes(int db, rdb::RdbChunk bytes);
  void AddJob(int db, std::unique_ptr<SaveJob> job);
  // Moves queued work into `out` in order, at most one job step (about `max_elements` elements)
  // per call; returns whether the queue is empty.
  bool Drain(size_t max_elements, absl::FunctionRef<void(int db)> select, rdb::RdbChunk& out);

 private:
  struct Item {
    int db;
    rdb::RdbChunk bytes;           // a key encoded at once, or
    std::unique_ptr<SaveJob> job;  // one encoded over several steps
    bool started = false;
  };
  std::deque<Item> items_;
};

}  // namespace drayman
