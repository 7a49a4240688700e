#include "broker/keyspace/zset.h"

#include <cmath>
#include <cstring>
#include <new>
#include <random>
#include <vector>

#include "absl/hash/hash.h"

namespace drayman {

namespace {

// Levels need no unpredictability (they never depend on the data), so a fixed seed keeps runs
// reproducible.
std::mt19937_64& LevelRng() {
  thread_local std::mt19937_64 rng{0x5eed};
  return rng;
}

// Levels grow with probability 1/4 each, as in Redis: about 1.33 links per node on average.
int RandomLevel() {
  int level = 1;
  uint64_t bits = LevelRng()();
  // Two random bits per level decide; 64 bits cover the 32 levels allowed.
  while ((bits & 3) == 0 && level < ZSet::kMaxLevel) {
    ++level;
    bits >>= 2;
  }
  return level;
}

// Order of elements: by score, then by member bytes.
bool Before(const ZSet::Node* node, double score, std::string_view member) {
  return node->score < score || (node->score == score && node->member() < member);
}

// Compares a member with a lex bound: <0, 0, >0.
int CompareToBound(std::string_view member, const LexBound& bound) {
  switch (bound.kind) {
    case LexBound::Kind::kMinusInfinity:
      return 1;
    case LexBound::Kind::kPlusInfinity:
      return -1;
    case LexBound::Kind::kValue:
      return member.compare(bound.value);
  }
  return 0;
}

size_t HashOf(std::string_view member) { return absl::Hash<std::string_view>{}(member); }

}  // namespace

bool LexRange::GteMin(std::string_view member) const {
  int cmp = CompareToBound(member, min);
  return min.exclusive ? cmp > 0 : cmp >= 0;
}

bool LexRange::LteMax(std::string_view member) const {
  int cmp = CompareToBound(member, max);
  return max.exclusive ? cmp < 0 : cmp <= 0;
}

bool LexRange::Empty() const {
  using Kind = LexBound::Kind;
  int cmp;
  if (min.kind == max.kind && min.kind != Kind::kValue) {
    cmp = 0;
  } else if (min.kind == Kind::kMinusInfinity || max.kind == Kind::kPlusInfinity) {
    cmp = -1;
  } else if (min.kind == Kind::kPlusInfinity || max.kind == Kind::kMinusInfinity) {
    cmp = 1;
  } else {
    cmp = std::string_view(min.value).compare(max.value);
  }
  return cmp > 0 || (cmp == 0 && (min.exclusive || max.exclusive));
}

void ZSet::SeedLevels(uint64_t seed) { LevelRng().seed(seed); }

ZSet::ZSet() {
  header_ = NewNode(kSmallHeaderLevels, 0, {});
  for (int i = 0; i < kSmallHeaderLevels; ++i) header_->levels()[i] = {nullptr, 0};
}

ZSet::~ZSet() {
  if (watcher_ != nullptr) {
    ElementWatcher* watcher = watcher_;
    watcher_ = nullptr;
    auto contents = std::make_unique<ZSet>();
    std::swap(header_, contents->header_);
    std::swap(tail_, contents->tail_);
    std::swap(length_, contents->length_);
    std::swap(level_, contents->level_);
    std::swap(header_levels_, contents->header_levels_);
    std::swap(listpack_, contents->listpack_);
    buckets_.swap(contents->buckets_);
    watcher->Adopt(std::move(contents));
  }
  Node* node = header_->levels()[0].forward;
  while (node != nullptr) {
    Node* next = node->levels()[0].forward;
    FreeNode(node);
    node = next;
  }
  FreeNode(header_);
}

ZSet::Node* ZSet::NewNode(int level, double score, std::string_view member) {
  const size_t bytes = sizeof(Node) + static_cast<size_t>(level) * sizeof(Level) + member.size();
  void* memory = ::operator new(bytes);
  Node* node =
      new (memory) Node{score, nullptr, nullptr, static_cast<uint32_t>(member.size()), level};
  if (!member.empty()) {
    std::memcpy(reinterpret_cast<char*>(node->levels() + level), member.data(), member.size());
  }
  return node;
}

void ZSet::FreeNode(Node* node) {
  node->~Node();
  ::operator delete(node);
}

ZSet::Node* ZSet::FindNode(std::string_view member) const {
  if (buckets_.empty()) return nullptr;
  for (Node* node = buckets_[HashOf(member) & (buckets_.size() - 1)]; node != nullptr;
       node = node->hash_next) {
    if (node->member() == member) return node;
  }
  return nullptr;
}

void ZSet::IndexAdd(Node* node) {
  // Called before length_ counts the node.
  const size_t wanted = ScanTableBucketsForInsert(length_, buckets_.size());
  if (wanted != buckets_.size()) Rehash(wanted);
  Node*& head = buckets_[HashOf(node->member()) & (buckets_.size() - 1)];
  node->hash_next = head;
  head = node;
}

void ZSet::IndexRemove(Node* node) {
  // Called after length_ stopped counting the node.
  Node** link = &buckets_[HashOf(node->member()) & (buckets_.size() - 1)];
  while (*link != node) link = &(*link)->hash_next;
  *link = node->hash_next;
  const size_t wanted = ScanTableBucketsAfterErase(length_, buckets_.size());
  if (wanted != buckets_.size()) Rehash(wanted);
}

void ZSet::Rehash(size_t bucket_count) {
  std::vector<Node*> fresh(bucket_count, nullptr);
  const size_t mask = bucket_count - 1;
  for (Node* head : buckets_) {
    while (head != nullptr) {
      Node* next = head->hash_next;
      Node*& slot = fresh[HashOf(head->member()) & mask];
      head->hash_next = slot;
      slot = head;
      head = next;
    }
  }
  buckets_.swap(fresh);
}

const double* ZSet::Find(std::string_view member) const {
  const Node* node = FindNode(member);
  return node ? &node->score : nullptr;
}

template <typename Advance>
ZSet::Node* ZSet::Descend(Advance advance, Node** update) const {
  Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->levels()[i].forward && advance(x->levels()[i].forward)) x = x->levels()[i].forward;
    if (update != nullptr) update[i] = x;
  }
  return x;
}

void ZSet::FindPath(double score, std::string_view member, Node** update) const {
  Descend([&](const Node* next) { return Before(next, score, member); }, update);
}

void ZSet::GrowHeader(Node** update) {
  Node* grown = NewNode(kMaxLevel, 0, {});
  for (int i = 0; i < kMaxLevel; ++i) {
    grown->levels()[i] = i < header_levels_ ? header_->levels()[i] : Level{nullptr, 0};
  }
  for (int i = 0; i < level_; ++i) {
    if (update[i] == header_) update[i] = grown;
  }
  FreeNode(header_);
  header_ = grown;
  header_levels_ = kMaxLevel;
}

void ZSet::Link(Node* x) {
  const double score = x->score;
  const std::string_view member = x->member();
  Node* update[kMaxLevel];
  size_t rank[kMaxLevel];  // elements crossed to reach update[i]
  Node* walk = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    rank[i] = i == level_ - 1 ? 0 : rank[i + 1];
    while (walk->levels()[i].forward && Before(walk->levels()[i].forward, score, member)) {
      rank[i] += walk->levels()[i].span;
      walk = walk->levels()[i].forward;
    }
    update[i] = walk;
  }
  const int level = x->level_count;
  if (level > level_) {
    if (level > header_levels_) GrowHeader(update);
    for (int i = level_; i < level; ++i) {
      rank[i] = 0;
      update[i] = header_;
      header_->levels()[i].span = length_;
    }
    level_ = level;
  }
  for (int i = 0; i < level; ++i) {
    Level& prev = update[i]->levels()[i];
    x->levels()[i].forward = prev.forward;
    prev.forward = x;
    // rank[0] - rank[i] elements lie between update[i] and x's predecessor at level 0.
    x->levels()[i].span = prev.span - (rank[0] - rank[i]);
    prev.span = rank[0] - rank[i] + 1;
  }
  for (int i = level; i < level_; ++i) ++update[i]->levels()[i].span;
  x->backward = update[0] == header_ ? nullptr : update[0];
  if (x->levels()[0].forward) {
    x->levels()[0].forward->backward = x;
  } else {
    tail_ = x;
  }
  ++length_;
}

const ZSet::Node* ZSet::Insert(std::string_view member, double score) {
  if (watcher_ != nullptr) watcher_->BeforeChange(member, /*erasing=*/false, StoredScore(score));
  if (length_ + 1 > kMaxListpackEntries || member.size() > kMaxListpackValue) listpack_ = false;
  Node* node = NewNode(RandomLevel(), StoredScore(score), member);
  IndexAdd(node);
  Link(node);
  return node;
}

void ZSet::Unlink(Node* node, Node** update) {
  for (int i = 0; i < level_; ++i) {
    Level& prev = update[i]->levels()[i];
    if (prev.forward == node) {
      prev.span += node->levels()[i].span - 1;
      prev.forward = node->levels()[i].forward;
    } else {
      --prev.span;
    }
  }
  if (node->levels()[0].forward) {
    node->levels()[0].forward->backward = node->backward;
  } else {
    tail_ = node->backward;
  }
  while (level_ > 1 && header_->levels()[level_ - 1].forward == nullptr) --level_;
  --length_;
}

void ZSet::Update(std::string_view member, double score) {
  score = StoredScore(score);
  if (watcher_ != nullptr) watcher_->BeforeChange(member, /*erasing=*/false, score);
  Node* node = FindNode(member);
  // Same position after the change: only the score moves (Redis's fast path).
  if ((node->backward == nullptr || node->backward->score < score) &&
      (node->levels()[0].forward == nullptr || node->levels()[0].forward->score > score)) {
    node->score = score;
    return;
  }
  // Re-link the same node (same level, same index entry) at its new place.
  Node* update[kMaxLevel];
  FindPath(node->score, node->member(), update);
  Unlink(node, update);
  node->score = score;
  Link(node);
}

void ZSet::Drop(Node* node) {
  IndexRemove(node);
  FreeNode(node);
}

template <typename InRange>
size_t ZSet::EraseRun(Node** update, InRange in_range) {
  size_t removed = 0;
  Node* x = update[0]->levels()[0].forward;
  while (x != nullptr && in_range(x)) {
    Node* next = x->levels()[0].forward;
    if (watcher_ != nullptr) watcher_->BeforeChange(x->member(), /*erasing=*/true, 0);
    Unlink(x, update);
    Drop(x);
    ++removed;
    x = next;
  }
  return removed;
}

bool ZSet::Erase(std::string_view member) {
  Node* node = FindNode(member);
  if (node == nullptr) return false;
  if (watcher_ != nullptr) watcher_->BeforeChange(member, /*erasing=*/true, 0);
  Node* update[kMaxLevel];
  FindPath(node->score, node->member(), update);
  Unlink(node, update);
  Drop(node);
  return true;
}

const ZSet::Node* ZSet::LastBefore(double score, std::string_view member) const {
  const Node* x = Descend([&](const Node* next) { return Before(next, score, member); });
  return x == header_ ? nullptr : x;
}

const ZSet::Node* ZSet::FirstAfter(double score, std::string_view member) const {
  const Node* x = Descend([&](const Node* next) {
    return Before(next, score, member) || (next->score == score && next->member() == member);
  });
  return x->levels()[0].forward;
}

const ZSet::Node* ZSet::AtRank(size_t rank) const {
  // Spans count from 1: the first element is one step from the header.
  const size_t target = rank + 1;
  size_t traversed = 0;
  const Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->levels()[i].forward && traversed + x->levels()[i].span <= target) {
      traversed += x->levels()[i].span;
      x = x->levels()[i].forward;
    }
    if (traversed == target) return x;
  }
  return nullptr;
}

size_t ZSet::RankOf(const Node* node) const {
  size_t rank = 0;
  const Node* x = header_;
  const std::string_view member = node->member();
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->levels()[i].forward && (Before(x->levels()[i].forward, node->score, member) ||
                                      x->levels()[i].forward == node)) {
      rank += x->levels()[i].span;
      x = x->levels()[i].forward;
    }
    if (x == node) return rank - 1;
  }
  return rank - 1;
}

int64_t ZSet::Rank(std::string_view member) const {
  const Node* node = FindNode(member);
  if (node == nullptr) return -1;
  return static_cast<int64_t>(RankOf(node));
}

const ZSet::Node* ZSet::FirstInRange(const ScoreRange& range) const {
  if (range.Empty() || tail_ == nullptr || !range.GteMin(tail_->score)) return nullptr;
  const Node* x = Descend([&](const Node* next) { return !range.GteMin(next->score); })->next();
  return x != nullptr && range.LteMax(x->score) ? x : nullptr;
}

const ZSet::Node* ZSet::LastInRange(const ScoreRange& range) const {
  const Node* first = First();
  if (range.Empty() || first == nullptr || !range.LteMax(first->score)) return nullptr;
  const Node* x = Descend([&](const Node* next) { return range.LteMax(next->score); });
  return x != header_ && range.GteMin(x->score) ? x : nullptr;
}

const ZSet::Node* ZSet::FirstInLexRange(const LexRange& range) const {
  if (range.Empty() || tail_ == nullptr || !range.GteMin(tail_->member())) return nullptr;
  const Node* x = header_;
  if (listpack_) {
    // A listpack is searched from the head (see the header): the first element above the
    // minimum, even when mixed scores leave the members unsorted.
    if (!range.LteMax(First()->member())) return nullptr;
    for (x = First(); x != nullptr && !range.GteMin(x->member()); x = x->next()) {
    }
    return x != nullptr && range.LteMax(x->member()) ? x : nullptr;
  }
  x = Descend([&](const Node* next) { return !range.GteMin(next->member()); })->next();
  return x != nullptr && range.LteMax(x->member()) ? x : nullptr;
}

const ZSet::Node* ZSet::LastInLexRange(const LexRange& range) const {
  const Node* first = First();
  if (range.Empty() || first == nullptr || !range.LteMax(first->member())) return nullptr;
  if (listpack_) {
    if (!range.GteMin(tail_->member())) return nullptr;
    const Node* x = tail_;
    for (; x != nullptr && !range.LteMax(x->member()); x = x->prev()) {
    }
    return x != nullptr && range.GteMin(x->member()) ? x : nullptr;
  }
  const Node* x = Descend([&](const Node* next) { return range.LteMax(next->member()); });
  return x != header_ && range.GteMin(x->member()) ? x : nullptr;
}

size_t ZSet::CountInRange(const ScoreRange& range) const {
  const Node* first = FirstInRange(range);
  if (first == nullptr) return 0;
  const Node* last = LastInRange(range);
  return RankOf(last) - RankOf(first) + 1;
}

size_t ZSet::CountInLexRange(const LexRange& range) const {
  const Node* first = FirstInLexRange(range);
  if (first == nullptr) return 0;
  if (listpack_) {
    size_t count = 0;
    for (const Node* x = first; x != nullptr && range.LteMax(x->member()); x = x->next()) ++count;
    return count;
  }
  const Node* last = LastInLexRange(range);
  return RankOf(last) - RankOf(first) + 1;
}

size_t ZSet::EraseRangeByScore(const ScoreRange& range) {
  if (range.Empty()) return 0;
  Node* update[kMaxLevel];
  Descend([&](const Node* next) { return !range.GteMin(next->score); }, update);
  return EraseRun(update, [&](const Node* x) { return range.LteMax(x->score); });
}

size_t ZSet::EraseRangeByLex(const LexRange& range) {
  if (range.Empty()) return 0;
  Node* update[kMaxLevel];
  if (listpack_) {
    // Start where a listpack search starts (FirstInLexRange), with the path to it.
    const Node* first = FirstInLexRange(range);
    if (first == nullptr) return 0;
    FindPath(first->score, first->member(), update);
  } else {
    Descend([&](const Node* next) { return !range.GteMin(next->member()); }, update);
  }
  return EraseRun(update, [&](const Node* x) { return range.LteMax(x->member()); });
}

size_t ZSet::EraseRangeByRank(size_t start, size_t stop) {
  Node* update[kMaxLevel];
  size_t traversed = 0;
  Node* x = header_;
  // Walk to the node just before 1-based position start + 1.
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->levels()[i].forward && traversed + x->levels()[i].span < start + 1) {
      traversed += x->levels()[i].span;
      x = x->levels()[i].forward;
    }
    update[i] = x;
  }
  size_t rank = start;
  return EraseRun(update, [&](const Node*) { return rank++ <= stop; });
}

void ZSet::ResetEncoding() {
  bool fits = length_ <= kMaxListpackEntries;
  for (const Node* node = First(); fits && node != nullptr; node = node->next()) {
    if (node->member_size > kMaxListpackValue) fits = false;
  }
  listpack_ = fits;
  if (!listpack_) return;
  for (Node* node = header_->levels()[0].forward; node != nullptr;
       node = node->levels()[0].forward) {
    node->score = StoredScore(node->score);
  }
}

std::unique_ptr<ZSet> ZSet::Clone() const {
  auto copy = std::make_unique<ZSet>();
  // Same encoding first, so scores are stored exactly as they are here.
  copy->listpack_ = listpack_;
  // Highest first: each insert then stops at the head, so the copy costs O(n).
  for (const Node* node = tail_; node != nullptr; node = node->backward) {
    copy->Insert(node->member(), node->score);
  }
  return copy;
}

size_t ZSet::MemoryUsage() const {
  size_t bytes = sizeof(ZSet) + sizeof(Node) + static_cast<size_t>(header_levels_) * sizeof(Level) +
                 buckets_.capacity() * sizeof(Node*);
  for (const Node* node = First(); node != nullptr; node = node->next()) {
    bytes +=
        sizeof(Node) + static_cast<size_t>(node->level_count) * sizeof(Level) + node->member_size;
  }
  return bytes;
}

bool ZSet::Validate() const {
  if (level_ < 1 || level_ > header_levels_) return false;
  if (header_levels_ != kSmallHeaderLevels && header_levels_ != kMaxLevel) return false;
  // Level 0: order, backward links, tail, index agreement.
  size_t count = 0;
  const Node* prev = nullptr;
  std::vector<const Node*> by_rank;
  for (const Node* x = First(); x != nullptr; x = x->next()) {
    if (x->backward != prev) return false;
    if (std::isnan(x->score)) return false;
    if (x->level_count < 1 || x->level_count > level_) return false;
    if (prev != nullptr && !Before(prev, x->score, x->member())) return false;
    if (FindNode(x->member()) != x) return false;
    if (listpack_ && x->score == 0 && std::signbit(x->score)) return false;
    by_rank.push_back(x);
    prev = x;
    ++count;
  }
  if (count != length_ || tail_ != prev) return false;
  if (listpack_ && length_ > kMaxListpackEntries) return false;
  // The index holds exactly these nodes, each in the bucket its hash selects.
  size_t indexed = 0;
  for (size_t b = 0; b < buckets_.size(); ++b) {
    for (const Node* node = buckets_[b]; node != nullptr; node = node->hash_next) {
      if ((HashOf(node->member()) & (buckets_.size() - 1)) != b) return false;
      ++indexed;
    }
  }
  if (indexed != length_) return false;
  // Every level: spans equal the distance in ranks; links only reach nodes that tall.
  for (int i = 0; i < level_; ++i) {
    const Node* x = header_;
    size_t position = 0;  // 0 = header, k = element of rank k-1
    while (true) {
      const Level& level = x->levels()[i];
      if (level.forward == nullptr) {
        // A link to the end spans the elements after it.
        if (level.span != length_ - position) return false;
        break;
      }
      const size_t next_position = position + level.span;
      if (next_position == 0 || next_position > length_) return false;
      if (by_rank[next_position - 1] != level.forward) return false;
      if (level.forward->level_count <= i) return false;
      position = next_position;
      x = level.forward;
    }
  }
  for (int i = level_; i < header_levels_; ++i) {
    if (header_->levels()[i].forward != nullptr) return false;
  }
  return true;
}

}  // namespace drayman
