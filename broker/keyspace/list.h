// List: the value behind LPUSH/RPUSH/LPOP/RPOP/LRANGE and the blocking pops.
//
// Contract: O(1) push and pop at both ends; indexes are 0-based and already normalised by the
// caller (0 <= index < size()). Elements are binary strings. Views handed out (At, Front, Back,
// the ForRange callbacks) stay valid only until the next change to the list.
//
// Representation, tuned for queues of millions of ~100-byte messages: a ring of chunks, each one
// malloc'd block holding a 20-byte header and a packed run of entries. An entry is
// [LEB128 length][bytes][the same length bytes reversed], so the chunk can be walked, and popped,
// from either end (the layout of Redis's listpack). A full chunk is an 8 KB allocation (Redis's
// list-max-listpack-size -2), so a 100-byte element costs about 102.5 bytes; the first chunk of a
// list starts small and doubles, so short lists stay small. Pushes write into the end chunk's
// slack, sliding its contents when that frees at least a quarter of it; pops move the chunk's
// begin/end offsets and free the chunk once it is empty. An element larger than a chunk gets a
// chunk of its own. Index access walks chunk counts from the nearer end: O(n / 80).
//
// Freeze() takes an immutable copy of the elements in O(chunks) by sharing the chunks (each counts
// its owners): the list copies a shared chunk before it first writes into it, and a chunk the list
// drops lives on until the copy lets it go. A snapshot (BGSAVE, AOF rewrite) encodes a queue of
// millions of messages from such a copy over many steps while clients go on pushing and popping;
// for a queue that is pushed at one end and popped at the other only the end chunks are copied.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace drayman {

// Told about every change to one list's elements, in element indexes, so a side structure can stay
// aligned with the list (broker/observability/ keeps a push time per element of a queue). A list
// without an observer pays one null test per change. Called after the change for pushes and
// before it for removals, except OnTrim/OnClear/OnErased which come before the list changes.
class ListObserver {
 public:
  virtual ~ListObserver() = default;
  virtual void OnPushed(bool front) = 0;
  virtual void OnPopped(bool front) = 0;
  // An element was inserted so that it now sits at `index`.
  virtual void OnInserted(size_t index) = 0;
  // The elements at these indexes (ascending, as they were before the removal) are removed.
  virtual void OnErased(const std::vector<size_t>& indexes) = 0;
  // Only [start, stop] stays (normalised as List::Trim takes them; start > stop empties).
  virtual void OnTrim(size_t start, size_t stop) = 0;
  virtual void OnClear() = 0;
  // The list is being destroyed (or its observer replaced): forget it.
  virtual void OnDetached() = 0;
};

class List {
 private:
  struct Chunk;

 public:
  // The elements of a list at the moment Freeze() was called, unaffected by later changes to the
  // list or its destruction. Single-threaded like the list: use and destroy it on the thread
  // that owns the list.
  class Frozen {
   public:
    ~Frozen();
    Frozen(const Frozen&) = delete;
    Frozen& operator=(const Frozen&) = delete;
    size_t size() const { return size_; }
    // Walks the elements from head to tail: the next one into *element, false after the last.
    // The view stays valid as long as this object.
    bool Next(std::string_view* element);
    // Starts the walk over from the head.
    void Rewind();

   private:
    friend class List;
    Frozen() = default;
    struct Span {
      Chunk* chunk;
      uint32_t begin;
      uint32_t end;
    };
    std::vector<Span> spans_;
    size_t size_ = 0;
    size_t span_ = 0;
    uint32_t off_ = 0;
  };

  // Allocation size of a full chunk: 8 KB, as Redis's default list-max-listpack-size -2.
  static constexpr uint32_t kDefaultChunkBytes = 8192;

  List() = default;
  // `chunk_bytes` (>= 64) sets the size of a full chunk; tests use small ones to cross many
  // chunk boundaries with few elements.
  explicit List(uint32_t chunk_bytes);
  ~List();
  List(const List&) = delete;
  List& operator=(const List&) = delete;

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  void PushFront(std::string_view value);
  void PushBack(std::string_view value);
  std::string PopFront();
  std::string PopBack();
  std::string_view Front() const;
  std::string_view Back() const;

  std::string_view At(size_t index) const;
  void Set(size_t index, std::string_view value);

  // Calls fn(std::string_view) for the elements at indexes [start, stop], in order.
  template <typename Fn>
  void ForRange(size_t start, size_t stop, Fn&& fn) const {
    if (start >= size_ || start > stop) return;
    if (stop >= size_) stop = size_ - 1;
    size_t left = stop - start + 1;
    Pos pos = Locate(start);
    WalkForward(pos.chunk, pos.off, [&](std::string_view value) {
      fn(value);
      return --left > 0;
    });
  }
  // Same, from `start` down to `stop` (start >= stop).
  template <typename Fn>
  void ForRangeReverse(size_t start, size_t stop, Fn&& fn) const {
    if (size_ == 0 || start < stop) return;
    if (start >= size_) start = size_ - 1;
    if (stop > start) return;
    size_t left = start - stop + 1;
    Pos pos = Locate(start);
    const uint8_t* entry = chunks_[pos.chunk]->data() + pos.off;
    size_t length = 0;
    size_t header = DecodeForward(entry, &length);
    WalkBackward(pos.chunk, pos.off + static_cast<uint32_t>(2 * header + length),
                 [&](std::string_view value) {
                   fn(value);
                   return --left > 0;
                 });
  }
  // Calls fn(std::string_view) -> bool (true to go on) from the head, or from the tail when
  // `from_tail`, until it returns false or the list ends.
  template <typename Fn>
  void ForEachWhile(bool from_tail, Fn&& fn) const {
    if (size_ == 0) return;
    if (from_tail) {
      WalkBackward(chunks_.size() - 1, chunks_.back()->end, fn);
    } else {
      WalkForward(0, chunks_.front()->begin, fn);
    }
  }

  // LREM semantics: count > 0 removes from the head, < 0 from the tail, 0 all. Returns removed.
  size_t Remove(std::string_view value, int64_t count);
  // Inserts before/after the first occurrence of pivot. Returns false if pivot is absent.
  bool Insert(std::string_view pivot, std::string_view value, bool after);
  // Keeps only [start, stop] (inclusive, normalised); start > stop empties the list.
  void Trim(size_t start, size_t stop);
  void Clear();

  std::unique_ptr<List> Clone() const;
  // O(chunks); see the top of this file.
  std::unique_ptr<Frozen> Freeze() const;
  size_t MemoryUsage() const;
  // Redis 7.0 reports every list as "quicklist" (7.2 added "listpack" for small ones).
  std::string_view Encoding() const { return "quicklist"; }

  // At most one observer; set_observer(nullptr) detaches without calling OnDetached.
  ListObserver* observer() const { return observer_; }
  void set_observer(ListObserver* observer) { observer_ = observer; }

  // Number of chunks; for tests and memory reports.
  size_t chunk_count() const { return chunks_.size(); }

 private:
  // A chunk is one allocation: this header, then `capacity` bytes of data. Entries occupy
  // [begin, end) of the data. `owners` counts the list and the Frozen copies that share it.
  struct Chunk {
    uint32_t capacity;
    uint32_t begin;
    uint32_t end;
    uint32_t count;
    uint32_t owners;
    uint8_t* data() { return reinterpret_cast<uint8_t*>(this + 1); }
    const uint8_t* data() const { return reinterpret_cast<const uint8_t*>(this + 1); }
    uint32_t used() const { return end - begin; }
  };

  // A growable circular array of chunk pointers: O(1) at both ends, O(n) in the middle.
  class ChunkRing {
   public:
    ChunkRing() = default;
    ChunkRing(const ChunkRing&) = delete;
    ChunkRing& operator=(const ChunkRing&) = delete;
    ~ChunkRing();
    size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    size_t capacity() const { return capacity_; }
    Chunk*& operator[](size_t i) { return slots_[(head_ + i) & (capacity_ - 1)]; }
    Chunk* operator[](size_t i) const { return slots_[(head_ + i) & (capacity_ - 1)]; }
    Chunk*& front() { return (*this)[0]; }
    Chunk*& back() { return (*this)[size_ - 1]; }
    Chunk* front() const { return (*this)[0]; }
    Chunk* back() const { return (*this)[size_ - 1]; }
    void push_back(Chunk* chunk);
    void push_front(Chunk* chunk);
    void pop_back();
    void pop_front();
    void insert(size_t index, Chunk* chunk);
    void erase(size_t index);
    void clear();

   private:
    void Resize(size_t capacity);
    void MaybeShrink();
    Chunk** slots_ = nullptr;
    size_t capacity_ = 0;  // a power of two, or 0
    size_t head_ = 0;
    size_t size_ = 0;
  };

  struct Pos {
    size_t chunk;
    uint32_t off;  // offset of the entry's first byte in the chunk's data
  };

  static size_t VarintSize(size_t n) {
    size_t bytes = 1;
    while (n >= 0x80) {
      n >>= 7;
      ++bytes;
    }
    return bytes;
  }
  static size_t EntrySize(size_t length) { return 2 * VarintSize(length) + length; }
  // Reads the length at the start of an entry; returns the header's size.
  static size_t DecodeForward(const uint8_t* p, size_t* length) {
    size_t value = p[0] & 0x7f;
    size_t bytes = 1;
    while (p[bytes - 1] & 0x80) {
      value |= static_cast<size_t>(p[bytes] & 0x7f) << (7 * bytes);
      ++bytes;
    }
    *length = value;
    return bytes;
  }
  // Reads the length that ends just before `end`; returns its size.
  static size_t DecodeBackward(const uint8_t* end, size_t* length) {
    size_t value = end[-1] & 0x7f;
    size_t bytes = 1;
    while (end[-static_cast<ptrdiff_t>(bytes)] & 0x80) {
      value |= static_cast<size_t>(end[-static_cast<ptrdiff_t>(bytes) - 1] & 0x7f) << (7 * bytes);
      ++bytes;
    }
    *length = value;
    return bytes;
  }
  static void WriteEntry(uint8_t* p, std::string_view value);
  static std::string_view ViewAt(const uint8_t* p, size_t* entry_size) {
    size_t length = 0;
    size_t header = DecodeForward(p, &length);
    *entry_size = 2 * header + length;
    return std::string_view(reinterpret_cast<const char*>(p + header), length);
  }

  template <typename Fn>
  void WalkForward(size_t chunk, uint32_t off, Fn&& fn) const {
    for (; chunk < chunks_.size(); ++chunk) {
      const Chunk* c = chunks_[chunk];
      const uint8_t* data = c->data();
      if (off < c->begin) off = c->begin;
      while (off < c->end) {
        size_t entry_size = 0;
        std::string_view value = ViewAt(data + off, &entry_size);
        if (!fn(value)) return;
        off += static_cast<uint32_t>(entry_size);
      }
      off = 0;
    }
  }
  // Walks backwards starting with the entry that ends at `end` in `chunk`.
  template <typename Fn>
  void WalkBackward(size_t chunk, uint32_t end, Fn&& fn) const {
    for (size_t i = chunk + 1; i-- > 0;) {
      const Chunk* c = chunks_[i];
      const uint8_t* data = c->data();
      if (i != chunk) end = c->end;
      while (end > c->begin) {
        size_t length = 0;
        size_t header = DecodeBackward(data + end, &length);
        end -= static_cast<uint32_t>(2 * header + length);
        if (!fn(std::string_view(reinterpret_cast<const char*>(data + end + header), length))) {
          return;
        }
      }
    }
  }

  uint32_t MaxData() const;
  Chunk* NewChunk(size_t data_bytes);
  // Chunk `index`, copied first if a Frozen copy shares it: call before writing into a chunk.
  Chunk* Own(size_t index);
  // Drops one owner of the chunk, freeing it with the last.
  static void Release(Chunk* chunk);
  // Makes `es` bytes of room after the last entry (or before the first) of chunk `index`,
  // sliding or growing it; false when the chunk is full.
  bool RoomAtBack(size_t index, size_t es);
  bool RoomAtFront(size_t index, size_t es);
  void GrowChunk(size_t index, size_t data_bytes);
  // Moves chunk `index`'s entries so they start at `new_begin`.
  void SlideChunk(size_t index, uint32_t new_begin);
  Pos Locate(size_t index) const;
  void InsertAt(size_t index, uint32_t off, std::string_view value);
  void FreeChunkAt(size_t index);
  // Merges chunk `index` into a neighbour when both fit in one chunk; frees it when empty.
  void Consolidate(size_t index);
  // Frees every chunk (Clear without telling the observer).
  void FreeAll();
  // Indexes of the elements Remove(value, count) would remove, for the observer.
  std::vector<size_t> MatchIndexes(std::string_view value, int64_t count) const;

  ChunkRing chunks_;
  ListObserver* observer_ = nullptr;
  size_t size_ = 0;
  uint32_t chunk_bytes_ = kDefaultChunkBytes;
};

}  // namespace drayman
