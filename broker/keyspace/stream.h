// Stream: the value XADD builds. Entries with 128-bit IDs in increasing order, plus consumer
// groups with their pending entries lists.
//
// Contract: entries live in blocks ordered by their master ID (the ID of the block's first
// entry). A block's bytes are exactly the listpack elements Redis 7.0 keeps in a stream node
// after its count/deleted header (master field count, master fields, the 0 terminator, then per
// entry flags, ms delta, seq delta, [field count, fields], values, lp-count), so memory per entry
// equals Redis's listpack bytes, nodes split where Redis splits them (stream-node-max-bytes 4096,
// stream-node-max-entries 100, counted on the whole listpack), and an RDB node is the block with
// its header prepended. Deleting an entry marks it (flag bit 0) as Redis does; a block whose last
// live entry goes is dropped. Appends require id > last_id (the caller checks and answers).
//
// Consumer groups keep Redis 7.0's state: last-delivered ID, entries-read (-1 = unknown, for lag),
// a group PEL of (delivery time, delivery count, owning consumer) and a per-consumer PEL that
// points into it; groups and consumers are ordered by name bytes as Redis's rax orders them.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace drayman {

struct StreamId {
  uint64_t ms = 0;
  uint64_t seq = 0;
  auto operator<=>(const StreamId&) const = default;
  bool IsZero() const { return ms == 0 && seq == 0; }
  std::string ToString() const;
  static constexpr StreamId Max() { return {UINT64_MAX, UINT64_MAX}; }
  // The next/previous ID; false on overflow (the ID is then unchanged... as Redis: wraps).
  bool Increment();
  bool Decrement();
};

struct StreamConsumer;

// One pending (delivered, not acknowledged) entry of a group.
struct StreamNack {
  int64_t delivery_time = 0;  // ms
  uint64_t delivery_count = 1;
  StreamConsumer* consumer = nullptr;
};

struct StreamConsumer {
  std::string name;
  int64_t seen_time = 0;  // ms
  std::map<StreamId, StreamNack*> pel;
};

struct StreamGroup {
  StreamId last_id;
  int64_t entries_read = -1;
  std::map<StreamId, StreamNack> pel;
  std::map<std::string, std::unique_ptr<StreamConsumer>> consumers;

  StreamConsumer* FindConsumer(std::string_view name);
  StreamConsumer* CreateConsumer(std::string_view name, int64_t now_ms);
  // Deletes the consumer and its pending entries; returns how many were pending.
  size_t DeleteConsumer(std::string_view name);
};

// Per-node limits (Redis's stream-node-max-bytes / stream-node-max-entries defaults).
inline constexpr size_t kStreamNodeMaxBytes = 4096;
inline constexpr int64_t kStreamNodeMaxEntries = 100;

class Stream {
 public:
  struct Block {
    std::string body;      // listpack elements after count/deleted (see the contract)
    uint32_t live = 0;     // valid entries
    uint32_t deleted = 0;  // entries marked deleted
  };
  using Blocks = std::map<StreamId, Block>;

  // One entry as read: field/value strings (listpack integers in decimal form).
  struct EntryView {
    StreamId id;
    std::vector<std::string> fields_and_values;
  };

  Stream() = default;

  size_t length() const { return length_; }
  bool empty() const { return length_ == 0; }
  const StreamId& last_id() const { return last_id_; }
  const StreamId& first_id() const { return first_id_; }
  const StreamId& max_deleted_id() const { return max_deleted_id_; }
  uint64_t entries_added() const { return entries_added_; }
  void set_last_id(StreamId id) { last_id_ = id; }
  void set_max_deleted_id(StreamId id) { max_deleted_id_ = id; }
  void set_entries_added(uint64_t n) { entries_added_ = n; }
  const Blocks& blocks() const { return blocks_; }

  // Appends an entry (`fv` holds field, value, field, value...); id must exceed last_id().
  void Append(StreamId id, std::span<const std::string> fv);

  // Calls fn for live entries with start <= id <= end, ascending (or descending when `rev`),
  // until fn returns false.
  void Range(StreamId start, StreamId end, bool rev,
             const std::function<bool(const EntryView&)>& fn) const;
  // Whether a live entry with this ID exists.
  bool Contains(StreamId id) const;
  // Marks the entry deleted; false when there is no such live entry.
  bool Delete(StreamId id);

  enum class TrimStrategy { kNone, kMaxLen, kMinId };
  struct TrimArgs {
    TrimStrategy strategy = TrimStrategy::kNone;
    bool approx = false;
    int64_t limit = 0;  // 0 = no limit
    int64_t maxlen = 0;
    StreamId minid;
  };
  // Redis's streamTrim: whole nodes first, then (unless approx) entries of the head node.
  int64_t Trim(const TrimArgs& args);

  // The first/last live entry ID (zero when empty).
  StreamId EdgeId(bool first) const;
  // Redis's streamRangeHasTombstones / streamEstimateDistanceFromFirstEverEntry.
  bool RangeHasTombstones(StreamId start, StreamId end) const;
  int64_t EstimateDistanceFromFirstEverEntry(StreamId id) const;

  // --- consumer groups ---
  std::map<std::string, std::unique_ptr<StreamGroup>>& groups() { return groups_; }
  const std::map<std::string, std::unique_ptr<StreamGroup>>& groups() const { return groups_; }
  StreamGroup* FindGroup(std::string_view name);
  // Null when a group of that name exists.
  StreamGroup* CreateGroup(std::string_view name, StreamId id, int64_t entries_read);

  // Restores a node as read from an RDB (already validated by the caller): counts and body.
  void AdoptBlock(StreamId master, Block block) { blocks_.emplace(master, std::move(block)); }
  void set_length(size_t n) { length_ = n; }
  void set_first_id(StreamId id) { first_id_ = id; }

  std::unique_ptr<Stream> Clone() const;
  size_t MemoryUsage() const;

  // The listpack Redis keeps for `block`: header, count, deleted, body, terminator.
  static std::string BlockToListpack(const Block& block);
  // Splits a Redis node listpack into a Block; false when it is not a well-formed stream node.
  static bool ListpackToBlock(std::string_view listpack, StreamId master, Block* block);

 private:
  size_t length_ = 0;
  StreamId last_id_;
  StreamId first_id_;
  StreamId max_deleted_id_;
  uint64_t entries_added_ = 0;
  Blocks blocks_;
  std::map<std::string, std::unique_ptr<StreamGroup>> groups_;
};

// Parses "ms-seq" / "ms" (seq = missing_seq); strict refuses "-" and "+". Returns false when
// invalid. "-" is 0-0, "+" is max. *seq_given is false for "ms" and "ms-*" (when allowed).
bool ParseStreamId(std::string_view text, uint64_t missing_seq, bool strict, StreamId* id,
                   bool* seq_given = nullptr, bool allow_seq_star = false);

}  // namespace drayman
