// ScanDict: a chained hash table keyed by binary strings, with Redis's SCAN guarantees.
//
// Contract: O(1) average find/insert/erase; node addresses (and so keys and values) stay put until
// the entry is erased, so other indexes may hold string_views of keys. Resizes are incremental, as
// in Redis's dict: a resize allocates the new bucket array (calloc: untouched pages cost nothing)
// and from then on each Insert/Erase/RandomNode moves one more bucket of the old array (visiting
// at most 10 empty ones), and RehashSome() lets the owner's cron move more within a time box;
// while both arrays are live, lookups look in both and inserts go to the new one. No operation
// ever moves more than RehashSome's count of buckets, so a table of millions never pauses.
// Scan() walks buckets in reverse-binary order over both arrays (Redis's dictScan), so a full scan
// returns every entry that was present from start to end at least once even if the table grows,
// shrinks, or a rehash starts, advances or finishes between calls (the property SCAN, HSCAN, SSCAN
// and the snapshot walk rely on); an entry may come back twice. ForEach() visits each entry
// exactly once; the table must not change during it. RandomNode() is exactly uniform over entries
// (rejection sampling over (bucket, chain depth) pairs with a maintained bound on chain length;
// O(1) expected draws while the table is at its usual load, see RandomNode).
// Pinning (for save jobs that walk a large hash or set in steps, broker/persistence/
// large_collections.h): while pinned, the table neither starts nor advances a resize (a rehash
// already in progress stays half done: lookups keep looking in both arrays, inserts go to the new
// one) and keeps its arrays when it empties, so an entry's *position* (its bucket, numbered old
// array first, see PositionOf) changes only if it is erased and inserted again. Chains grow
// meanwhile (Redis likewise defers resizes while a fork child saves); Unpin resumes resizing.
// Why not absl::flat_hash_map: it has neither stable scan cursors nor random access.
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/hash/hash.h"

namespace drayman {

// The SCAN cursor that follows `cursor` in a table of `mask` + 1 (a power of two) buckets: the
// cursor's bits reversed, incremented, and reversed back. Walking high bits first keeps buckets
// split by a resize adjacent, so a full scan sees every entry present throughout, across resizes
// (Redis's dictScan). Shared by ScanDict and ZSet's member index.
inline uint64_t NextScanCursor(uint64_t cursor, uint64_t mask) {
  auto reverse_bits = [](uint64_t v) {
    v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
    v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
    v = ((v >> 4) & 0x0F0F0F0F0F0F0F0FULL) | ((v & 0x0F0F0F0F0F0F0F0FULL) << 4);
    v = ((v >> 8) & 0x00FF00FF00FF00FFULL) | ((v & 0x00FF00FF00FF00FFULL) << 8);
    v = ((v >> 16) & 0x0000FFFF0000FFFFULL) | ((v & 0x0000FFFF0000FFFFULL) << 16);
    return (v >> 32) | (v << 32);
  };
  cursor |= ~mask;
  return reverse_bits(reverse_bits(cursor) + 1);
}

// Bucket counts of a scan table (ScanDict, and ZSet's member index, which threads the same kind of
// chains through its own nodes): a power of two, allocated at kScanTableMinBuckets by the first
// insert and doubled when an insert would leave more entries than buckets; after an erase, halved
// down to about two buckets per entry once fewer than one bucket in eight would be used, and
// freed (0) when the table empties. Each returns the current count when no resize is due.
inline constexpr size_t kScanTableMinBuckets = 4;

inline size_t ScanTableBucketsForInsert(size_t size, size_t buckets) {
  if (buckets == 0) return kScanTableMinBuckets;
  return size + 1 > buckets ? buckets * 2 : buckets;
}

inline size_t ScanTableBucketsAfterErase(size_t size, size_t buckets) {
  if (size == 0) return 0;
  if (buckets > kScanTableMinBuckets && size * 8 < buckets) {
    return std::max(kScanTableMinBuckets, std::bit_ceil(size * 2));
  }
  return buckets;
}

template <typename V>
class ScanDict {
 public:
  // One allocation per entry: the chain link, the value, then the key's length and bytes right
  // after the struct, sized to the key (no separate string object or heap block for the key).
  // Nodes are made and freed only by the table (never copied); key() views the stored bytes.
  struct Node {
    Node* next = nullptr;
    [[no_unique_address]] V value{};

    std::string_view key() const {
      const char* tail = reinterpret_cast<const char*>(this) + sizeof(Node);
      uint32_t size;
      std::memcpy(&size, tail, sizeof(size));
      return {tail + sizeof(size), size};
    }
  };

  // Buckets a rehash step may visit without finding an entry, per bucket it is asked to move
  // (Redis's dictRehash empty_visits), so one step stays O(1) in a sparse table.
  static constexpr size_t kEmptyVisitsPerStep = 10;

  ScanDict() = default;
  ScanDict(const ScanDict&) = delete;
  ScanDict& operator=(const ScanDict&) = delete;
  ScanDict(ScanDict&& other) noexcept { Swap(other); }
  ScanDict& operator=(ScanDict&& other) noexcept {
    if (this != &other) {
      Clear();
      Swap(other);
    }
    return *this;
  }
  ~ScanDict() { Clear(); }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // Buckets of the table as it will be once a rehash in progress finishes.
  size_t bucket_count() const { return rehashing() ? target_.count : main_.count; }
  bool rehashing() const { return target_.slots != nullptr; }

  void Pin() { ++pins_; }
  void Unpin() {
    if (--pins_ > 0) return;
    if (size_ == 0) {
      Clear();
    } else if (!rehashing()) {
      if (size_ > main_.count) {
        StartRehash(main_.count * 2);
      } else {
        StartShrinkIfDue();
      }
    }
  }
  bool pinned() const { return pins_ > 0; }
  // Positions: the old array's buckets (while a rehash is in progress; the ones below the rehash
  // index are empty), then the new array's. Stable while pinned.
  uint64_t PositionEnd() const { return main_.count + target_.count; }
  // The position of `key` (*present) or of the bucket an insert of it would use.
  uint64_t PositionOf(std::string_view key, bool* present) const {
    *present = false;
    if (main_.count == 0) return 0;
    const size_t hash = HashOf(key);
    const size_t index = hash & main_.mask();
    if (!rehashing() || index >= rehash_index_) {
      for (Node* node = main_.slots[index]; node != nullptr; node = node->next) {
        if (node->key() == key) {
          *present = true;
          return index;
        }
      }
      if (!rehashing()) return index;
    }
    const size_t target_index = hash & target_.mask();
    for (Node* node = target_.slots[target_index]; node != nullptr; node = node->next) {
      if (node->key() == key) {
        *present = true;
        break;
      }
    }
    return main_.count + target_index;
  }
  // Visits the entries at `position` (< PositionEnd()); `fn(const Node&)` must not change the
  // table.
  template <typename Fn>
  void VisitPosition(uint64_t position, Fn&& fn) const {
    const Node* node = position < main_.count ? main_.slots[position]
                                              : target_.slots[position - main_.count];
    VisitChain(node, fn);
  }

  Node* FindNode(std::string_view key) const {
    if (size_ == 0) return nullptr;
    return FindHashed(key, HashOf(key));
  }

  V* Find(std::string_view key) const {
    Node* node = FindNode(key);
    return node ? &node->value : nullptr;
  }

  // Returns the node for `key`, inserting a default-constructed value if absent.
  std::pair<Node*, bool> Insert(std::string_view key) {
    if (rehashing()) RehashSome(1);
    const size_t hash = HashOf(key);
    if (size_ != 0) {
      if (Node* existing = FindHashed(key, hash)) return {existing, false};
    }
    if (!rehashing() && (pins_ == 0 || main_.count == 0)) {
      const size_t wanted = ScanTableBucketsForInsert(size_, main_.count);
      if (wanted != main_.count) StartRehash(wanted);
    }
    // New entries go to the table that stays.
    Table& table = rehashing() ? target_ : main_;
    size_t& bound = rehashing() ? target_chain_bound_ : chain_bound_;
    Node*& head = table.slots[hash & table.mask()];
    Node* node = NewNode(key, head);
    head = node;
    bound = std::max(bound, ChainLength(node));
    ++size_;
    return {node, true};
  }

  // Sizes an empty table for `expected` entries at once (an RDB file's RESIZEDB hint), so a load
  // neither rehashes nor looks in two arrays on the way; a table with entries is left alone.
  void Reserve(size_t expected) {
    if (size_ != 0 || expected <= main_.count) return;
    main_.Release();
    main_.Allocate(std::max(kScanTableMinBuckets, std::bit_ceil(expected)));
  }

  bool Erase(std::string_view key) {
    if (size_ == 0) return false;
    if (rehashing()) RehashSome(1);
    const size_t hash = HashOf(key);
    const size_t index = hash & main_.mask();
    bool erased = false;
    if (!rehashing() || index >= rehash_index_) erased = Unlink(main_.slots[index], key);
    if (!erased && rehashing()) erased = Unlink(target_.slots[hash & target_.mask()], key);
    if (!erased) return false;
    --size_;
    if (pins_ > 0) return true;  // positions stay put (see Pin)
    if (size_ == 0) {
      Clear();
    } else if (!rehashing()) {
      StartShrinkIfDue();
    }
    return true;
  }

  void Clear() {
    for (Table* table : {&main_, &target_}) {
      for (size_t i = 0; i < table->count; ++i) {
        for (Node* node = table->slots[i]; node != nullptr;) {
          Node* next = node->next;
          FreeNode(node);
          node = next;
        }
      }
      table->Release();
    }
    size_ = 0;
    rehash_index_ = 0;
    chain_bound_ = 0;
    target_chain_bound_ = 0;
  }

  void Swap(ScanDict& other) noexcept {
    std::swap(main_, other.main_);
    std::swap(target_, other.target_);
    std::swap(rehash_index_, other.rehash_index_);
    std::swap(size_, other.size_);
    std::swap(chain_bound_, other.chain_bound_);
    std::swap(target_chain_bound_, other.target_chain_bound_);
    std::swap(pins_, other.pins_);
  }

  // Visits every entry exactly once; `fn(const Node&)`. The table must not change during the walk.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    for (const Table* table : {&main_, &target_}) {
      for (size_t i = 0; i < table->count; ++i) {
        for (Node* node = table->slots[i]; node != nullptr; node = node->next) fn(*node);
      }
    }
  }

  // Visits the entries of the bucket(s) at `cursor` and returns the next cursor (0 when done).
  // Callers loop until they have visited enough entries; `fn` must not change the table. While a
  // rehash is in progress this visits the cursor's bucket in the smaller array and every bucket of
  // the larger array that it splits into (Redis's dictScan), so it makes no difference to the
  // guarantee which array holds an entry at the time.
  template <typename Fn>
  uint64_t Scan(uint64_t cursor, Fn&& fn) const {
    if (size_ == 0) return 0;
    if (!rehashing()) {
      VisitChain(main_.slots[cursor & main_.mask()], fn);
      return NextScanCursor(cursor, main_.mask());
    }
    const Table* smaller = &main_;
    const Table* larger = &target_;
    if (smaller->count > larger->count) std::swap(smaller, larger);
    const uint64_t small_mask = smaller->mask();
    const uint64_t large_mask = larger->mask();
    // Buckets of the old array below rehash_index_ are empty, so they need no special case.
    VisitChain(smaller->slots[cursor & small_mask], fn);
    do {
      VisitChain(larger->slots[cursor & large_mask], fn);
      cursor = NextScanCursor(cursor, large_mask);
    } while ((cursor & (small_mask ^ large_mask)) != 0);
    return cursor;
  }

  // A uniformly random entry (nullptr when empty). Each draw picks one of the live buckets and a
  // depth below chain_bound (an upper bound on every chain's length) uniformly and returns the
  // entry at that depth, drawing again when the chain is shorter: every entry is one (bucket,
  // depth) pair, so each is equally likely, however the chains are shaped. Expected draws are
  // live buckets * bound / size: outside a rehash the table holds between 1/8 and 1 entry per
  // bucket (the shrink and growth rules) and the bound is the longest chain seen since the last
  // resize (a handful), so a few draws. Each draw made during a rehash first advances it by one
  // step, which also keeps a sparse old array from inflating the count.
  template <typename Rng>
  Node* RandomNode(Rng& rng) {
    if (size_ == 0) return nullptr;
    for (;;) {
      if (rehashing()) RehashSome(1);
      // Live buckets: the old array's not yet moved ones, then the new array's.
      const size_t old_live = rehashing() ? main_.count - rehash_index_ : 0;
      const size_t live = rehashing() ? old_live + target_.count : main_.count;
      const size_t bound = std::max(chain_bound_, target_chain_bound_);
      const size_t draw = std::uniform_int_distribution<size_t>(0, live * bound - 1)(rng);
      const size_t bucket = draw / bound;
      size_t depth = draw % bound;
      Node* node = !rehashing()        ? main_.slots[bucket]
                   : bucket < old_live ? main_.slots[rehash_index_ + bucket]
                                       : target_.slots[bucket - old_live];
      while (node != nullptr && depth > 0) {
        node = node->next;
        --depth;
      }
      if (node != nullptr) return node;
    }
  }

  // Up to `count` entries from consecutive buckets starting at a random one (Redis's
  // dictGetSomeKeys): cheap sampling for eviction, cache-friendly where RandomNode's scattered
  // picks miss the cache on every draw. Looks at bucket i of both arrays, then i + 1, visiting at
  // most 10 * count bucket positions; fn(Node&). Not uniform (eviction only needs a sample).
  template <typename Rng, typename Fn>
  void SampleNodes(Rng& rng, size_t count, Fn&& fn) const {
    if (size_ == 0 || count == 0) return;
    const size_t positions = std::max(main_.count, target_.count);
    const size_t mask = positions - 1;
    size_t bucket = std::uniform_int_distribution<size_t>(0, mask)(rng);
    size_t visited = 0;
    for (size_t steps = 0; steps < positions && steps < 10 * count; ++steps) {
      for (const Table* table : {&main_, &target_}) {
        if (bucket >= table->count) continue;
        if (table == &main_ && rehashing() && bucket < rehash_index_) continue;
        for (Node* node = table->slots[bucket]; node != nullptr; node = node->next) {
          fn(*node);
          if (++visited == count) return;
        }
      }
      bucket = (bucket + 1) & mask;
    }
  }

  // Moves up to `buckets` non-empty buckets of a rehash in progress to the new array, visiting at
  // most kEmptyVisitsPerStep empty ones per bucket asked for. Returns whether a rehash is still
  // in progress (a finished rehash may start the next resize at once if one is already due).
  bool RehashSome(size_t buckets) {
    if (!rehashing() || pins_ > 0) return rehashing();
    size_t empty_visits = buckets * kEmptyVisitsPerStep;
    while (buckets > 0 && rehash_index_ < main_.count) {
      Node* node = main_.slots[rehash_index_];
      if (node == nullptr) {
        ++rehash_index_;
        if (--empty_visits == 0) break;
        continue;
      }
      while (node != nullptr) {
        Node* next = node->next;
        Node*& head = target_.slots[HashOf(node->key()) & target_.mask()];
        node->next = head;
        head = node;
        node = next;
      }
      main_.slots[rehash_index_] = nullptr;
      UpdateTargetBoundAfterMoving(rehash_index_);
      ++rehash_index_;
      --buckets;
    }
    if (rehash_index_ == main_.count) FinishRehash();
    return rehashing();
  }

  // Approximate heap bytes used by the table's own structure (not keys' or values' payloads).
  size_t OverheadBytes() const {
    return (main_.count + target_.count) * sizeof(Node*) + size_ * (sizeof(Node) + 4);
  }

  // Bytes of one node's allocation for a key of `key_size` bytes.
  static constexpr size_t NodeBytes(size_t key_size) { return sizeof(Node) + 4 + key_size; }

 private:
  // A bucket array from calloc: for millions of buckets that is fresh zero pages from the
  // kernel, so allocating it touches nothing and the page faults spread over the rehash.
  struct Table {
    Node** slots = nullptr;
    size_t count = 0;  // a power of two, or 0 with slots == nullptr

    size_t mask() const { return count - 1; }
    void Allocate(size_t buckets) {
      slots = static_cast<Node**>(std::calloc(buckets, sizeof(Node*)));
      if (slots == nullptr) throw std::bad_alloc();
      count = buckets;
    }
    void Release() {
      std::free(slots);
      slots = nullptr;
      count = 0;
    }
  };

  static size_t HashOf(std::string_view key) { return absl::Hash<std::string_view>{}(key); }

  static Node* NewNode(std::string_view key, Node* next) {
    const uint32_t size = static_cast<uint32_t>(key.size());
    void* memory = ::operator new(NodeBytes(key.size()));
    Node* node = new (memory) Node{next};
    char* tail = reinterpret_cast<char*>(node) + sizeof(Node);
    std::memcpy(tail, &size, sizeof(size));
    if (size != 0) std::memcpy(tail + sizeof(size), key.data(), size);
    return node;
  }

  static void FreeNode(Node* node) {
    node->~Node();
    ::operator delete(node);
  }

  Node* FindHashed(std::string_view key, size_t hash) const {
    const size_t index = hash & main_.mask();
    if (!rehashing() || index >= rehash_index_) {
      for (Node* node = main_.slots[index]; node != nullptr; node = node->next) {
        if (node->key() == key) return node;
      }
    }
    if (rehashing()) {
      for (Node* node = target_.slots[hash & target_.mask()]; node != nullptr; node = node->next) {
        if (node->key() == key) return node;
      }
    }
    return nullptr;
  }

  static size_t ChainLength(const Node* node) {
    size_t length = 0;
    for (; node != nullptr; node = node->next) ++length;
    return length;
  }

  template <typename Fn>
  static void VisitChain(const Node* node, Fn& fn) {
    for (; node != nullptr; node = node->next) fn(*node);
  }

  // Unlinks and deletes `key` from the chain at `head`; returns whether it was there.
  static bool Unlink(Node*& head, std::string_view key) {
    for (Node** link = &head; *link != nullptr; link = &(*link)->next) {
      if ((*link)->key() == key) {
        Node* doomed = *link;
        *link = doomed->next;
        FreeNode(doomed);
        return true;
      }
    }
    return false;
  }

  void StartRehash(size_t new_bucket_count) {
    if (main_.count == 0) {  // the first insert: nothing to move
      main_.Allocate(new_bucket_count);
      return;
    }
    target_.Allocate(new_bucket_count);
    rehash_index_ = 0;
    target_chain_bound_ = 0;
  }

  void StartShrinkIfDue() {
    const size_t wanted = ScanTableBucketsAfterErase(size_, main_.count);
    if (wanted != main_.count) StartRehash(wanted);
  }

  // Old bucket `index` went to new buckets that all agree with it on the smaller mask's bits:
  // one bucket when shrinking, index + k * old count when growing. Their chains are short (the
  // load is at most about one entry per bucket), so measuring them keeps the bound exact cheaply.
  void UpdateTargetBoundAfterMoving(size_t index) {
    const size_t small_mask = std::min(main_.count, target_.count) - 1;
    for (size_t dest = index & small_mask; dest < target_.count; dest += main_.count) {
      target_chain_bound_ = std::max(target_chain_bound_, ChainLength(target_.slots[dest]));
      if (target_.count <= main_.count) break;
    }
  }

  void FinishRehash() {
    main_.Release();
    main_ = target_;
    target_ = Table{};
    chain_bound_ = target_chain_bound_;
    target_chain_bound_ = 0;
    rehash_index_ = 0;
    // Entries added or erased during the rehash may already call for the next resize.
    if (size_ > main_.count) {
      StartRehash(main_.count * 2);
    } else {
      StartShrinkIfDue();
    }
  }

  Table main_;               // the only array, or the old one while rehashing
  Table target_;             // the new array while rehashing, else empty
  size_t rehash_index_ = 0;  // while rehashing: main_'s buckets below this are moved (empty)
  size_t size_ = 0;
  // Upper bounds of the chain lengths in main_ and target_ (RandomNode's rejection bound). They
  // grow on insert and stay put on erase; a finished rehash replaces main_'s with the measured one.
  size_t chain_bound_ = 0;
  size_t target_chain_bound_ = 0;
  int pins_ = 0;  // Pin() calls not yet undone
};

}  // namespace drayman
