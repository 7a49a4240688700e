#include "broker/keyspace/list.h"

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <cstring>
#include <new>
#include <vector>

namespace drayman {

namespace {

// glibc's malloc adds 8 bytes to a request and rounds to 16; requests of 16k - 8 bytes fill
// their block exactly, so chunk sizes are chosen of that form.
constexpr size_t kMallocOverhead = 8;

void* CheckedAlloc(void* old, size_t bytes) {
  void* p = old ? std::realloc(old, bytes) : std::malloc(bytes);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

}  // namespace

// ---- ChunkRing ----

List::ChunkRing::~ChunkRing() { std::free(slots_); }

void List::ChunkRing::Resize(size_t capacity) {
  auto** fresh = static_cast<Chunk**>(CheckedAlloc(nullptr, capacity * sizeof(Chunk*)));
  for (size_t i = 0; i < size_; ++i) fresh[i] = (*this)[i];
  std::free(slots_);
  slots_ = fresh;
  capacity_ = capacity;
  head_ = 0;
}

void List::ChunkRing::MaybeShrink() {
  if (capacity_ > 16 && size_ < capacity_ / 8) {
    Resize(std::max<size_t>(16, std::bit_ceil(size_ * 2)));
  }
}

void List::ChunkRing::push_back(Chunk* chunk) {
  if (size_ == capacity_) Resize(capacity_ == 0 ? 1 : capacity_ * 2);
  slots_[(head_ + size_) & (capacity_ - 1)] = chunk;
  ++size_;
}

void List::ChunkRing::push_front(Chunk* chunk) {
  if (size_ == capacity_) Resize(capacity_ == 0 ? 1 : capacity_ * 2);
  head_ = (head_ + capacity_ - 1) & (capacity_ - 1);
  slots_[head_] = chunk;
  ++size_;
}

void List::ChunkRing::pop_back() {
  --size_;
  MaybeShrink();
}

void List::ChunkRing::pop_front() {
  head_ = (head_ + 1) & (capacity_ - 1);
  --size_;
  MaybeShrink();
}

void List::ChunkRing::insert(size_t index, Chunk* chunk) {
  push_back(nullptr);
  for (size_t j = size_ - 1; j > index; --j) (*this)[j] = (*this)[j - 1];
  (*this)[index] = chunk;
}

void List::ChunkRing::erase(size_t index) {
  for (size_t j = index; j + 1 < size_; ++j) (*this)[j] = (*this)[j + 1];
  pop_back();
}

void List::ChunkRing::clear() {
  std::free(slots_);
  slots_ = nullptr;
  capacity_ = head_ = size_ = 0;
}

// ---- List ----

List::List(uint32_t chunk_bytes) : chunk_bytes_(std::max<uint32_t>(chunk_bytes, 64)) {}

List::~List() {
  if (observer_ != nullptr) observer_->OnDetached();
  FreeAll();
}

void List::Clear() {
  if (observer_ != nullptr) observer_->OnClear();
  FreeAll();
}

void List::FreeAll() {
  for (size_t i = 0; i < chunks_.size(); ++i) Release(chunks_[i]);
  chunks_.clear();
  size_ = 0;
}

uint32_t List::MaxData() const {
  return chunk_bytes_ - static_cast<uint32_t>(kMallocOverhead + sizeof(Chunk));
}

namespace {

// Data capacity of the smallest chunk class holding `need` bytes: power-of-two blocks up to the
// full chunk, an exact fit beyond it (an element larger than a chunk).
size_t ClassCapacity(size_t need, size_t header, size_t max_data) {
  const size_t block = std::bit_ceil(std::max<size_t>(need + header + kMallocOverhead, 64));
  size_t capacity = block - header - kMallocOverhead;
  if (capacity <= max_data) return capacity;
  if (need <= max_data) return max_data;
  return ((need + header + kMallocOverhead + 15) & ~size_t{15}) - header - kMallocOverhead;
}

}  // namespace

List::Chunk* List::NewChunk(size_t data_bytes) {
  auto* chunk = static_cast<Chunk*>(CheckedAlloc(nullptr, sizeof(Chunk) + data_bytes));
  chunk->capacity = static_cast<uint32_t>(data_bytes);
  chunk->begin = chunk->end = 0;
  chunk->count = 0;
  chunk->owners = 1;
  return chunk;
}

List::Chunk* List::Own(size_t index) {
  Chunk* c = chunks_[index];
  if (c->owners == 1) return c;
  Chunk* copy = NewChunk(c->capacity);
  copy->begin = c->begin;
  copy->end = c->end;
  copy->count = c->count;
  std::memcpy(copy->data() + c->begin, c->data() + c->begin, c->used());
  --c->owners;
  chunks_[index] = copy;
  return copy;
}

void List::Release(Chunk* chunk) {
  if (--chunk->owners == 0) std::free(chunk);
}

std::unique_ptr<List::Frozen> List::Freeze() const {
  std::unique_ptr<Frozen> frozen(new Frozen());
  frozen->spans_.reserve(chunks_.size());
  for (size_t i = 0; i < chunks_.size(); ++i) {
    Chunk* c = chunks_[i];
    ++c->owners;
    frozen->spans_.push_back({c, c->begin, c->end});
  }
  frozen->size_ = size_;
  frozen->Rewind();
  return frozen;
}

List::Frozen::~Frozen() {
  for (const Span& span : spans_) Release(span.chunk);
}

void List::Frozen::Rewind() {
  span_ = 0;
  off_ = spans_.empty() ? 0 : spans_[0].begin;
}

bool List::Frozen::Next(std::string_view* element) {
  while (span_ < spans_.size()) {
    const Span& span = spans_[span_];
    if (off_ < span.end) {
      size_t entry_size = 0;
      *element = ViewAt(span.chunk->data() + off_, &entry_size);
      off_ += static_cast<uint32_t>(entry_size);
      return true;
    }
    if (++span_ < spans_.size()) off_ = spans_[span_].begin;
  }
  return false;
}

void List::GrowChunk(size_t index, size_t data_bytes) {
  // realloc may free the old block: only for a chunk no Frozen copy shares (callers Own it).
  if (chunks_[index]->owners != 1) std::abort();
  auto* chunk = static_cast<Chunk*>(CheckedAlloc(chunks_[index], sizeof(Chunk) + data_bytes));
  chunk->capacity = static_cast<uint32_t>(data_bytes);
  chunks_[index] = chunk;
}

void List::SlideChunk(size_t index, uint32_t new_begin) {
  Chunk* c = chunks_[index];
  if (c->begin == new_begin) return;
  const uint32_t used = c->used();
  std::memmove(c->data() + new_begin, c->data() + c->begin, used);
  c->begin = new_begin;
  c->end = new_begin + used;
}

void List::WriteEntry(uint8_t* p, std::string_view value) {
  size_t n = value.size();
  const size_t header = VarintSize(n);
  uint8_t bytes[10];
  for (size_t i = 0; i < header; ++i) {
    bytes[i] = static_cast<uint8_t>((n & 0x7f) | (i + 1 < header ? 0x80 : 0));
    n >>= 7;
  }
  std::memcpy(p, bytes, header);
  if (!value.empty()) std::memcpy(p + header, value.data(), value.size());
  // The trailing copy is reversed, so reading backwards meets the low bits first.
  uint8_t* tail = p + header + value.size();
  for (size_t i = 0; i < header; ++i) tail[header - 1 - i] = bytes[i];
}

bool List::RoomAtBack(size_t index, size_t es) {
  Chunk* c = Own(index);
  if (c->capacity - c->end >= es) return true;
  const size_t used = c->used();
  const size_t need = used + es;
  // A lone chunk takes pushes at both ends: keep its slack on both sides.
  const bool alone = chunks_.size() == 1;
  auto slide = [&] {
    c = chunks_[index];
    SlideChunk(index, alone ? static_cast<uint32_t>((c->capacity - need) / 2) : 0);
  };
  if (need <= c->capacity / 2) {
    slide();
    return true;
  }
  if (c->capacity < MaxData() && need <= MaxData()) {
    GrowChunk(index, ClassCapacity(need, sizeof(Chunk), MaxData()));
    c = chunks_[index];
    if (c->capacity - c->end < es) slide();
    return true;
  }
  // A full-size chunk slides only when that frees a quarter of it, so alternating pushes and pops
  // at opposite ends never slide a whole chunk per operation.
  if (need <= static_cast<size_t>(c->capacity) * 3 / 4) {
    slide();
    return true;
  }
  return false;
}

bool List::RoomAtFront(size_t index, size_t es) {
  Chunk* c = Own(index);
  if (c->begin >= es) return true;
  const size_t used = c->used();
  const size_t need = used + es;
  const bool alone = chunks_.size() == 1;
  auto slide = [&] {
    c = chunks_[index];
    SlideChunk(index,
               static_cast<uint32_t>(alone ? es + (c->capacity - need) / 2 : c->capacity - used));
  };
  if (need <= c->capacity / 2) {
    slide();
    return true;
  }
  if (c->capacity < MaxData() && need <= MaxData()) {
    GrowChunk(index, ClassCapacity(need, sizeof(Chunk), MaxData()));
    slide();
    return true;
  }
  if (need <= static_cast<size_t>(c->capacity) * 3 / 4) {
    slide();
    return true;
  }
  return false;
}

void List::PushBack(std::string_view value) {
  const size_t es = EntrySize(value.size());
  if (chunks_.empty() || !RoomAtBack(chunks_.size() - 1, es)) {
    // The first chunk starts small; later ones start full size (the list is long already).
    chunks_.push_back(NewChunk(chunks_.empty() ? ClassCapacity(es, sizeof(Chunk), MaxData())
                                               : std::max<size_t>(MaxData(), es)));
  }
  Chunk* c = chunks_.back();
  WriteEntry(c->data() + c->end, value);
  c->end += static_cast<uint32_t>(es);
  ++c->count;
  ++size_;
  if (observer_ != nullptr) observer_->OnPushed(false);
}

void List::PushFront(std::string_view value) {
  const size_t es = EntrySize(value.size());
  if (chunks_.empty() || !RoomAtFront(0, es)) {
    Chunk* c = NewChunk(chunks_.empty() ? ClassCapacity(es, sizeof(Chunk), MaxData())
                                        : std::max<size_t>(MaxData(), es));
    c->begin = c->end = c->capacity;
    chunks_.push_front(c);
  }
  Chunk* c = chunks_.front();
  c->begin -= static_cast<uint32_t>(es);
  WriteEntry(c->data() + c->begin, value);
  ++c->count;
  ++size_;
  if (observer_ != nullptr) observer_->OnPushed(true);
}

std::string List::PopFront() {
  if (observer_ != nullptr) observer_->OnPopped(true);
  Chunk* c = chunks_.front();
  size_t es = 0;
  std::string value(ViewAt(c->data() + c->begin, &es));
  c->begin += static_cast<uint32_t>(es);
  --size_;
  if (--c->count == 0) {
    Release(c);
    chunks_.pop_front();
  }
  return value;
}

std::string List::PopBack() {
  if (observer_ != nullptr) observer_->OnPopped(false);
  Chunk* c = chunks_.back();
  size_t length = 0;
  const size_t header = DecodeBackward(c->data() + c->end, &length);
  c->end -= static_cast<uint32_t>(2 * header + length);
  std::string value(reinterpret_cast<const char*>(c->data() + c->end + header), length);
  --size_;
  if (--c->count == 0) {
    Release(c);
    chunks_.pop_back();
  }
  return value;
}

std::string_view List::Front() const {
  const Chunk* c = chunks_.front();
  size_t es = 0;
  return ViewAt(c->data() + c->begin, &es);
}

std::string_view List::Back() const {
  const Chunk* c = chunks_.back();
  size_t length = 0;
  const size_t header = DecodeBackward(c->data() + c->end, &length);
  return std::string_view(reinterpret_cast<const char*>(c->data() + c->end - header - length),
                          length);
}

List::Pos List::Locate(size_t index) const {
  size_t chunk = 0;
  size_t in_chunk = 0;
  if (index < size_ / 2) {
    while (index >= chunks_[chunk]->count) index -= chunks_[chunk++]->count;
    in_chunk = index;
  } else {
    size_t from_back = size_ - 1 - index;
    chunk = chunks_.size() - 1;
    while (from_back >= chunks_[chunk]->count) from_back -= chunks_[chunk--]->count;
    in_chunk = chunks_[chunk]->count - 1 - from_back;
  }
  const Chunk* c = chunks_[chunk];
  const uint8_t* data = c->data();
  uint32_t off = 0;
  if (in_chunk < c->count / 2) {
    off = c->begin;
    for (size_t i = 0; i < in_chunk; ++i) {
      size_t length = 0;
      const size_t header = DecodeForward(data + off, &length);
      off += static_cast<uint32_t>(2 * header + length);
    }
  } else {
    off = c->end;
    for (size_t i = in_chunk; i < c->count; ++i) {
      size_t length = 0;
      const size_t header = DecodeBackward(data + off, &length);
      off -= static_cast<uint32_t>(2 * header + length);
    }
  }
  return {chunk, off};
}

std::string_view List::At(size_t index) const {
  Pos pos = Locate(index);
  size_t es = 0;
  return ViewAt(chunks_[pos.chunk]->data() + pos.off, &es);
}

void List::Set(size_t index, std::string_view value) {
  Pos pos = Locate(index);
  Chunk* c = Own(pos.chunk);
  uint8_t* data = c->data();
  size_t old_es = 0;
  ViewAt(data + pos.off, &old_es);
  const size_t es = EntrySize(value.size());
  if (es == old_es) {
    WriteEntry(data + pos.off, value);
    return;
  }
  // Take the old entry out by moving the shorter side over it, then insert where it was.
  uint32_t insert_at = pos.off;
  if (pos.off - c->begin < c->end - pos.off - old_es) {
    std::memmove(data + c->begin + old_es, data + c->begin, pos.off - c->begin);
    c->begin += static_cast<uint32_t>(old_es);
    insert_at = pos.off + static_cast<uint32_t>(old_es);
  } else {
    std::memmove(data + pos.off, data + pos.off + old_es, c->end - pos.off - old_es);
    c->end -= static_cast<uint32_t>(old_es);
  }
  --c->count;
  --size_;
  InsertAt(pos.chunk, insert_at, value);
}

void List::InsertAt(size_t index, uint32_t off, std::string_view value) {
  const size_t es = EntrySize(value.size());
  Chunk* c = Own(index);
  if (c->count == 0) {
    // Reuse the emptied chunk; one that held an oversized element shrinks back.
    if (c->capacity < es || (c->capacity > MaxData() && es <= MaxData())) {
      GrowChunk(index, ClassCapacity(es, sizeof(Chunk), MaxData()));
    }
    c = chunks_[index];
    c->begin = 0;
    c->end = static_cast<uint32_t>(es);
    WriteEntry(c->data(), value);
    c->count = 1;
    ++size_;
    return;
  }
  const size_t used = c->used();
  const size_t need = used + es;
  if (c->begin < es && c->capacity - c->end < es &&
      (need <= c->capacity || (c->capacity < MaxData() && need <= MaxData()))) {
    // Enough room in total (possibly after growing): gather the slack at the back.
    if (need > c->capacity) GrowChunk(index, ClassCapacity(need, sizeof(Chunk), MaxData()));
    const uint32_t old_begin = chunks_[index]->begin;
    SlideChunk(index, 0);
    off -= old_begin;
    c = chunks_[index];
  }
  if (c->begin >= es || c->capacity - c->end >= es) {
    uint8_t* data = c->data();
    const uint32_t front_part = off - c->begin;
    const uint32_t back_part = c->end - off;
    if (c->begin >= es && (front_part <= back_part || c->capacity - c->end < es)) {
      std::memmove(data + c->begin - es, data + c->begin, front_part);
      c->begin -= static_cast<uint32_t>(es);
      WriteEntry(data + off - es, value);
    } else {
      std::memmove(data + off + es, data + off, back_part);
      c->end += static_cast<uint32_t>(es);
      WriteEntry(data + off, value);
    }
    ++c->count;
    ++size_;
    return;
  }
  // The chunk is full: split it at `off`, then put the element at the end of the left part, the
  // start of the right part, or in a chunk of its own between them.
  if (off > c->begin && off < c->end) {
    uint32_t moved = 0;
    for (uint32_t p = off; p < c->end;) {
      size_t entry_size = 0;
      ViewAt(c->data() + p, &entry_size);
      p += static_cast<uint32_t>(entry_size);
      ++moved;
    }
    const uint32_t back_part = c->end - off;
    Chunk* right = NewChunk(std::max<size_t>(MaxData(), back_part));
    std::memcpy(right->data(), c->data() + off, back_part);
    right->end = back_part;
    right->count = moved;
    c->end = off;
    c->count -= moved;
    chunks_.insert(index + 1, right);
    off = c->end;
  }
  c = chunks_[index];
  if (off == c->end) {
    if (RoomAtBack(index, es)) {
      c = chunks_[index];
      WriteEntry(c->data() + c->end, value);
      c->end += static_cast<uint32_t>(es);
      ++c->count;
      ++size_;
      return;
    }
    if (index + 1 < chunks_.size() && RoomAtFront(index + 1, es)) {
      Chunk* next = chunks_[index + 1];
      next->begin -= static_cast<uint32_t>(es);
      WriteEntry(next->data() + next->begin, value);
      ++next->count;
      ++size_;
      return;
    }
    index += 1;
  } else {  // off == c->begin
    if (index > 0 && RoomAtBack(index - 1, es)) {
      Chunk* prev = chunks_[index - 1];
      WriteEntry(prev->data() + prev->end, value);
      prev->end += static_cast<uint32_t>(es);
      ++prev->count;
      ++size_;
      return;
    }
  }
  Chunk* fresh = NewChunk(ClassCapacity(es, sizeof(Chunk), MaxData()));
  WriteEntry(fresh->data(), value);
  fresh->end = static_cast<uint32_t>(es);
  fresh->count = 1;
  chunks_.insert(index, fresh);
  ++size_;
}

void List::FreeChunkAt(size_t index) {
  Release(chunks_[index]);
  chunks_.erase(index);
}

void List::Consolidate(size_t index) {
  if (index >= chunks_.size()) return;
  Chunk* c = chunks_[index];
  if (c->count == 0) {
    FreeChunkAt(index);
    return;
  }
  if (c->used() >= MaxData() / 2) return;
  auto merge = [&](size_t left) {
    Chunk* a = chunks_[left];
    Chunk* b = chunks_[left + 1];
    const size_t need = a->used() + b->used();
    if (need > MaxData()) return false;
    Own(left);
    if (a->capacity < need) GrowChunk(left, ClassCapacity(need, sizeof(Chunk), MaxData()));
    a = chunks_[left];
    if (a->capacity - a->end < b->used()) SlideChunk(left, 0);
    std::memcpy(a->data() + a->end, b->data() + b->begin, b->used());
    a->end += b->used();
    a->count += b->count;
    FreeChunkAt(left + 1);
    return true;
  };
  if (index + 1 < chunks_.size() && merge(index)) return;
  if (index > 0) merge(index - 1);
}

std::vector<size_t> List::MatchIndexes(std::string_view value, int64_t count) const {
  std::vector<size_t> indexes;
  const bool from_tail = count < 0;
  const size_t limit = count == 0  ? SIZE_MAX
                       : from_tail ? static_cast<size_t>(-(count + 1)) + 1
                                   : static_cast<size_t>(count);
  size_t index = from_tail ? size_ : static_cast<size_t>(-1);
  ForEachWhile(from_tail, [&](std::string_view element) {
    index += from_tail ? static_cast<size_t>(-1) : 1;
    if (element == value) indexes.push_back(index);
    return indexes.size() < limit;
  });
  if (from_tail) std::reverse(indexes.begin(), indexes.end());
  return indexes;
}

size_t List::Remove(std::string_view value, int64_t count) {
  if (size_ == 0) return 0;
  if (observer_ != nullptr) {
    std::vector<size_t> indexes = MatchIndexes(value, count);
    if (!indexes.empty()) observer_->OnErased(indexes);
  }
  const bool from_tail = count < 0;
  const size_t limit = count == 0  ? SIZE_MAX
                       : from_tail ? static_cast<size_t>(-(count + 1)) + 1
                                   : static_cast<size_t>(count);
  size_t removed = 0;
  std::vector<uint32_t> hits;
  std::vector<size_t> touched;
  const size_t chunk_total = chunks_.size();
  for (size_t step = 0; step < chunk_total && removed < limit; ++step) {
    const size_t index = from_tail ? chunk_total - 1 - step : step;
    Chunk* c = chunks_[index];
    uint8_t* data = c->data();
    hits.clear();
    for (uint32_t off = c->begin; off < c->end;) {
      size_t es = 0;
      if (ViewAt(data + off, &es) == value) hits.push_back(off);
      off += static_cast<uint32_t>(es);
    }
    if (hits.empty()) continue;
    c = Own(index);  // same offsets in the copy
    data = c->data();
    // Keep the first (from the head) or the last (from the tail) matches the limit allows.
    const size_t take = std::min(hits.size(), limit - removed);
    const size_t first = from_tail ? hits.size() - take : 0;
    uint32_t write = hits[first];
    size_t next_hit = first;
    for (uint32_t off = hits[first]; off < c->end;) {
      size_t es = 0;
      ViewAt(data + off, &es);
      if (next_hit < first + take && off == hits[next_hit]) {
        ++next_hit;
      } else {
        if (write != off) std::memmove(data + write, data + off, es);
        write += static_cast<uint32_t>(es);
      }
      off += static_cast<uint32_t>(es);
    }
    c->end = write;
    c->count -= static_cast<uint32_t>(take);
    size_ -= take;
    removed += take;
    touched.push_back(index);
  }
  // Highest index first: consolidating one chunk only shifts chunks after it.
  std::sort(touched.rbegin(), touched.rend());
  for (size_t index : touched) Consolidate(index);
  return removed;
}

bool List::Insert(std::string_view pivot, std::string_view value, bool after) {
  size_t element = 0;
  for (size_t index = 0; index < chunks_.size(); ++index) {
    Chunk* c = chunks_[index];
    for (uint32_t off = c->begin; off < c->end;) {
      size_t es = 0;
      const bool match = ViewAt(c->data() + off, &es) == pivot;
      if (match) {
        InsertAt(index, after ? off + static_cast<uint32_t>(es) : off, value);
        if (observer_ != nullptr) observer_->OnInserted(after ? element + 1 : element);
        return true;
      }
      off += static_cast<uint32_t>(es);
      ++element;
    }
  }
  return false;
}

void List::Trim(size_t start, size_t stop) {
  if (observer_ != nullptr) observer_->OnTrim(start, stop);
  if (start > stop || start >= size_) {
    FreeAll();
    return;
  }
  stop = std::min(stop, size_ - 1);
  size_t drop_front = start;
  size_t drop_back = size_ - 1 - stop;
  while (drop_front > 0) {
    Chunk* c = chunks_.front();
    if (drop_front >= c->count) {
      drop_front -= c->count;
      size_ -= c->count;
      Release(c);
      chunks_.pop_front();
      continue;
    }
    for (; drop_front > 0; --drop_front) {
      size_t es = 0;
      ViewAt(c->data() + c->begin, &es);
      c->begin += static_cast<uint32_t>(es);
      --c->count;
      --size_;
    }
    Consolidate(0);
  }
  while (drop_back > 0) {
    Chunk* c = chunks_.back();
    if (drop_back >= c->count) {
      drop_back -= c->count;
      size_ -= c->count;
      Release(c);
      chunks_.pop_back();
      continue;
    }
    for (; drop_back > 0; --drop_back) {
      size_t length = 0;
      const size_t header = DecodeBackward(c->data() + c->end, &length);
      c->end -= static_cast<uint32_t>(2 * header + length);
      --c->count;
      --size_;
    }
    Consolidate(chunks_.size() - 1);
  }
}

std::unique_ptr<List> List::Clone() const {
  auto copy = std::make_unique<List>(chunk_bytes_);
  for (size_t i = 0; i < chunks_.size(); ++i) {
    const Chunk* c = chunks_[i];
    Chunk* fresh = copy->NewChunk(c->capacity);
    fresh->begin = c->begin;
    fresh->end = c->end;
    fresh->count = c->count;
    std::memcpy(fresh->data() + c->begin, c->data() + c->begin, c->used());
    copy->chunks_.push_back(fresh);
  }
  copy->size_ = size_;
  return copy;
}

size_t List::MemoryUsage() const {
  size_t bytes = sizeof(List) + chunks_.capacity() * sizeof(Chunk*);
  for (size_t i = 0; i < chunks_.size(); ++i) {
    bytes += sizeof(Chunk) + chunks_[i]->capacity + kMallocOverhead;
  }
  return bytes;
}

}  // namespace drayman
