// ZSet: the value behind ZADD/ZRANGE/ZPOPMIN and the rest of the sorted-set family.
//
// Contract: members are unique binary strings, each with a double score that is never NaN.
// Elements are ordered by score, then by member bytes (memcmp order, shorter first on a tie), as
// Redis orders them. Lookup by member is O(1) average; insert, erase, rank, access by rank and the
// first/last element of a score or lex range are O(log n) expected; walking from an element to
// its neighbour is O(1). Iterators and Node pointers stay valid until their element is erased
// or re-scored. Scan() follows SCAN's cursor contract over the member index.
//
// Representation: a skiplist with spans (Pugh's skiplist, each forward link also counting the
// elements it jumps over, as in Redis) gives the order plus O(log n) rank, and a chained hash
// table threaded through the same nodes maps members to nodes. Each element is one allocation
// holding its score, links and member bytes (about 32 + 21 + member bytes, plus ~10 bytes of
// bucket array; Redis needs ~150 bytes for a 41-byte member, we ~110). We chose this over
// absl::btree_set + hash map because absl's B-tree has no order statistics: ZRANK, ZCOUNT and
// ZLEXCOUNT (rank of last minus rank of first), ZRANGE by index, ZREMRANGEBYRANK and a uniform
// ZRANDMEMBER would all be O(n) there, while channels_redis calls ZCOUNT on every send and
// `ZRANGE 0 -1`/offsets are common; and absl's hash maps have no stable SCAN cursors. Popping
// the minimum (the queue pattern) and appending at the maximum touch only the head or tail.
//
// Encoding: Redis keeps small sets in a listpack (at most 128 entries of at most 64 bytes) and
// converts to a skiplist for good once a limit is crossed. We keep one representation but track
// the same state, so OBJECT ENCODING answers "listpack"/"skiplist" as Redis would, and the
// behaviours that differ by encoding follow it: ZSCAN returns a listpack set whole with cursor 0;
// a listpack stores a -0 score as 0 (it stores scores as text and "-0" becomes integer 0); and lex
// ranges over mixed scores (unspecified by Redis, but deterministic for a listpack) are searched
// linearly from the ends as a listpack is, so small sets answer exactly as Redis does.
//
// A save job may watch a large (skiplist) set while it encodes it in steps, in score order
// (save_watch.h): every change then reports to it first; LastBefore/FirstAfter let the job find
// its place again after the set changed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "broker/keyspace/dict.h"
#include "broker/keyspace/save_watch.h"

namespace drayman {

// A score interval; `min_exclusive`/`max_exclusive` come from "(" prefixes.
struct ScoreRange {
  double min = 0;
  double max = 0;
  bool min_exclusive = false;
  bool max_exclusive = false;

  bool GteMin(double score) const { return min_exclusive ? score > min : score >= min; }
  bool LteMax(double score) const { return max_exclusive ? score < max : score <= max; }
  // True when no score can satisfy the range.
  bool Empty() const { return min > max || (min == max && (min_exclusive || max_exclusive)); }
};

// One end of a lex interval: "-" (below everything), "+" (above everything), or a value with
// "[" (inclusive) or "(" (exclusive).
struct LexBound {
  enum class Kind : uint8_t { kMinusInfinity, kPlusInfinity, kValue };
  Kind kind = Kind::kValue;
  bool exclusive = false;
  std::string value;
};

struct LexRange {
  LexBound min;
  LexBound max;

  bool GteMin(std::string_view member) const;
  bool LteMax(std::string_view member) const;
  bool Empty() const;
};

class ZSet {
 public:
  static constexpr size_t kMaxListpackEntries = 128;
  static constexpr size_t kMaxListpackValue = 64;
  static constexpr int kMaxLevel = 32;

  struct Node;
  struct Level {
    Node* forward;
    size_t span;  // elements between this node and `forward` at this level, `forward` included
  };
  // One allocation per element: the node, then its levels, then the member bytes.
  struct Node {
    double score;
    Node* backward;
    Node* hash_next;  // chain in the member index
    uint32_t member_size;
    int level_count;
    Level* levels() { return reinterpret_cast<Level*>(this + 1); }
    const Level* levels() const { return reinterpret_cast<const Level*>(this + 1); }
    std::string_view member() const {
      return {reinterpret_cast<const char*>(levels() + level_count), member_size};
    }
    const Node* next() const { return levels()[0].forward; }
    const Node* prev() const { return backward; }
  };

  ZSet();
  // With a watcher attached, hands the elements to it (save_watch.h) instead of freeing them.
  ~ZSet();
  ZSet(const ZSet&) = delete;
  ZSet& operator=(const ZSet&) = delete;

  size_t size() const { return length_; }
  bool empty() const { return length_ == 0; }

  // Score of `member`, or nullptr.
  const double* Find(std::string_view member) const;
  // Adds a member that is not present. Returns its node.
  const Node* Insert(std::string_view member, double score);
  // Changes the score of a present member.
  void Update(std::string_view member, double score);
  // Removes `member`; returns whether it was present.
  bool Erase(std::string_view member);

  // First (lowest) and last (highest) elements, or nullptr when empty.
  const Node* First() const { return header_->levels()[0].forward; }
  const Node* Last() const { return tail_; }
  // Element at 0-based `rank` (rank < size()).
  const Node* AtRank(size_t rank) const;
  // 0-based rank of a present member, counted from the lowest.
  size_t RankOf(const Node* node) const;
  // Rank of `member`, or -1 when absent.
  int64_t Rank(std::string_view member) const;

  const Node* FirstInRange(const ScoreRange& range) const;
  const Node* LastInRange(const ScoreRange& range) const;
  const Node* FirstInLexRange(const LexRange& range) const;
  const Node* LastInLexRange(const LexRange& range) const;
  size_t CountInRange(const ScoreRange& range) const;
  size_t CountInLexRange(const LexRange& range) const;

  size_t EraseRangeByScore(const ScoreRange& range);
  size_t EraseRangeByLex(const LexRange& range);
  // Removes ranks [start, stop] (0-based, inclusive, stop < size()).
  size_t EraseRangeByRank(size_t start, size_t stop);

  // ZSCAN step: fn(std::string_view member, double score) for the elements of the member index's
  // bucket at `cursor`; returns the next cursor (0 when done). A listpack-encoded set is visited
  // whole, in order, in one step, as Redis does for its compact encodings.
  template <typename Fn>
  uint64_t Scan(uint64_t cursor, Fn&& fn) const {
    if (listpack_) {
      for (const Node* node = First(); node != nullptr; node = node->next()) {
        fn(node->member(), node->score);
      }
      return 0;
    }
    if (length_ == 0) return 0;
    const uint64_t mask = buckets_.size() - 1;
    for (const Node* node = buckets_[cursor & mask]; node != nullptr; node = node->hash_next) {
      fn(node->member(), node->score);
    }
    return NextScanCursor(cursor, mask);
  }

  // OBJECT ENCODING's answer.
  bool listpack() const { return listpack_; }
  std::string_view Encoding() const { return listpack_ ? "listpack" : "skiplist"; }
  // For sets built whole by a store command (ZUNIONSTORE...): Redis converts the result back to
  // a listpack when it fits.
  void ResetEncoding();
  // SORT converts a listpack-encoded set to a skiplist for good, as Redis 7.0 does.
  void ConvertToSkiplist() { listpack_ = false; }

  std::unique_ptr<ZSet> Clone() const;
  size_t MemoryUsage() const;

  // Save jobs (save_watch.h). Const as Hash's: watching changes nothing a command sees.
  bool watched() const { return watcher_ != nullptr; }
  void Watch(ElementWatcher* watcher) const { watcher_ = watcher; }
  void Unwatch() const { watcher_ = nullptr; }
  // The last element ordered before (score, member), the first ordered after it; nullptr if none.
  const Node* LastBefore(double score, std::string_view member) const;
  const Node* FirstAfter(double score, std::string_view member) const;
  // Whether (a_score, a_member) comes before (b_score, b_member) in the set's order.
  static bool Precedes(double a_score, std::string_view a_member, double b_score,
                       std::string_view b_member) {
    return a_score < b_score || (a_score == b_score && a_member < b_member);
  }

  // Checks every structural invariant (links, spans, order, index); for tests.
  bool Validate() const;
  // Restarts this thread's level generator, so a test's skiplist shapes do not depend on the
  // tests that ran before it.
  static void SeedLevels(uint64_t seed);

 private:
  // Small sets get a short header; it grows to kMaxLevel once a node is that tall.
  static constexpr int kSmallHeaderLevels = 4;

  static Node* NewNode(int level, double score, std::string_view member);
  static void FreeNode(Node* node);
  // The skiplist search: from the header down, at each level moves forward while
  // `advance(next node)` holds; returns the node reached at level 0 (the header if none) and,
  // when `update` is given, records the node reached at each level there.
  template <typename Advance>
  Node* Descend(Advance advance, Node** update = nullptr) const;
  // Finds, at every level, the last node ordered before (score, member).
  void FindPath(double score, std::string_view member, Node** update) const;
  // Links `x` (its score and level set) into the skiplist.
  void Link(Node* x);
  // Unlinks `node`, whose predecessors per level are in `update`.
  void Unlink(Node* node, Node** update);
  // Removes an unlinked node from the member index and frees it.
  void Drop(Node* node);
  // Removes the elements from update[0]'s successor on while `in_range(node)` holds; `update`
  // holds their predecessors per level. Returns how many went.
  template <typename InRange>
  size_t EraseRun(Node** update, InRange in_range);
  void GrowHeader(Node** update);
  double StoredScore(double score) const { return listpack_ && score == 0 ? 0.0 : score; }

  // Member index: a chained hash table threaded through the nodes (hash_next), sized and scanned
  // by ScanDict's rules (ScanTableBuckets*, NextScanCursor in broker/keyspace/dict.h).
  Node* FindNode(std::string_view member) const;
  void IndexAdd(Node* node);
  void IndexRemove(Node* node);
  void Rehash(size_t bucket_count);

  Node* header_;
  Node* tail_ = nullptr;
  size_t length_ = 0;
  int level_ = 1;
  int header_levels_ = kSmallHeaderLevels;
  bool listpack_ = true;
  std::vector<Node*> buckets_;
  mutable ElementWatcher* watcher_ = nullptr;
};

}  // namespace drayman
