#include "broker/keyspace/zset.h"

#include <cmath>
#include <new>
#include <random>
#include <vector>

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
  return node->score < score || (node->score == score && node->member < member);
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
  header_ = NewNode(kMaxLevel, 0, {});
  for (int i = 0; i < kMaxLevel; ++i) header_->levels()[i] = {nullptr, 0};
}

ZSet::~ZSet() {
  Node* node = header_->levels()[0].forward;
  while (node != nullptr) {
    Node* next = node->levels()[0].forward;
    FreeNode(node);
    node = next;
  }
  FreeNode(header_);
}

ZSet::Node* ZSet::NewNode(int level, double score, std::string_view member) {
  void* memory = ::operator new(sizeof(Node) + static_cast<size_t>(level) * sizeof(Level));
  Node* node = new (memory) Node{score, member, nullptr, level};
  return node;
}

void ZSet::FreeNode(Node* node) {
  node->~Node();
  ::operator delete(node);
}

const double* ZSet::Find(std::string_view member) const {
  Node** node = index_.Find(member);
  return node ? &(*node)->score : nullptr;
}

void ZSet::FindPath(double score, std::string_view member, Node** update) const {
  Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->levels()[i].forward && Before(x->levels()[i].forward, score, member)) {
      x = x->levels()[i].forward;
    }
    update[i] = x;
  }
}

ZSet::Node* ZSet::LinkNew(double score, std::string_view member, Node** update,
                          const size_t* rank) {
  const int level = RandomLevel();
  size_t ranks[kMaxLevel];
  for (int i = 0; i < level_; ++i) ranks[i] = rank[i];
  if (level > level_) {
    for (int i = level_; i < level; ++i) {
      ranks[i] = 0;
      update[i] = header_;
      header_->levels()[i].span = length_;
    }
    level_ = level;
  }
  Node* x = NewNode(level, score, member);
  for (int i = 0; i < level; ++i) {
    Level& prev = update[i]->levels()[i];
    x->levels()[i].forward = prev.forward;
    prev.forward = x;
    // ranks[0] - ranks[i] nodes lie between update[i] and x's predecessor at level 0.
    x->levels()[i].span = prev.span - (ranks[0] - ranks[i]);
    prev.span = ranks[0] - ranks[i] + 1;
  }
  for (int i = level; i < level_; ++i) ++update[i]->levels()[i].span;
  x->backward = update[0] == header_ ? nullptr : update[0];
  if (x->levels()[0].forward) {
    x->levels()[0].forward->backward = x;
  } else {
    tail_ = x;
  }
  ++length_;
  return x;
}

const ZSet::Node* ZSet::Insert(std::string_view member, double score) {
  if (length_ + 1 > kMaxListpackEntries || member.size() > kMaxListpackValue) listpack_ = false;
  score = StoredScore(score);
  auto [entry, inserted] = index_.Insert(member);
  std::string_view stable(entry->key);
  Node* update[kMaxLevel];
  size_t rank[kMaxLevel];
  Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    rank[i] = i == level_ - 1 ? 0 : rank[i + 1];
    while (x->levels()[i].forward && Before(x->levels()[i].forward, score, stable)) {
      rank[i] += x->levels()[i].span;
      x = x->levels()[i].forward;
    }
    update[i] = x;
  }
  Node* node = LinkNew(score, stable, update, rank);
  entry->value = node;
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
  Node** slot = index_.Find(member);
  Node* node = *slot;
  // Same position after the change: only the score moves (Redis's fast path).
  if ((node->backward == nullptr || node->backward->score < score) &&
      (node->levels()[0].forward == nullptr || node->levels()[0].forward->score > score)) {
    node->score = score;
    return;
  }
  Node* update[kMaxLevel];
  FindPath(node->score, node->member, update);
  Unlink(node, update);
  std::string_view stable = node->member;
  FreeNode(node);
  // Re-insert with a fresh path and rank bookkeeping.
  size_t rank[kMaxLevel];
  Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    rank[i] = i == level_ - 1 ? 0 : rank[i + 1];
    while (x->levels()[i].forward && Before(x->levels()[i].forward, score, stable)) {
      rank[i] += x->levels()[i].span;
      x = x->levels()[i].forward;
    }
    update[i] = x;
  }
  *slot = LinkNew(score, stable, update, rank);
}

void ZSet::DropUnlinked(Node* node) {
  // The index owns the member bytes the node views: erase it first, then free the node.
  index_.Erase(node->member);
  FreeNode(node);
}

bool ZSet::Erase(std::string_view member) {
  Node** slot = index_.Find(member);
  if (slot == nullptr) return false;
  Node* node = *slot;
  Node* update[kMaxLevel];
  FindPath(node->score, node->member, update);
  Unlink(node, update);
  DropUnlinked(node);
  return true;
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
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->levels()[i].forward && (Before(x->levels()[i].forward, node->score, node->member) ||
                                      x->levels()[i].forward == node)) {
      rank += x->levels()[i].span;
      x = x->levels()[i].forward;
    }
    if (x == node) return rank - 1;
  }
  return rank - 1;
}

int64_t ZSet::Rank(std::string_view member) const {
  Node** slot = index_.Find(member);
  if (slot == nullptr) return -1;
  return static_cast<int64_t>(RankOf(*slot));
}

const ZSet::Node* ZSet::FirstInRange(const ScoreRange& range) const {
  if (range.Empty() || tail_ == nullptr || !range.GteMin(tail_->score)) return nullptr;
  const Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->levels()[i].forward && !range.GteMin(x->levels()[i].forward->score)) {
      x = x->levels()[i].forward;
    }
  }
  x = x->levels()[0].forward;
  return x != nullptr && range.LteMax(x->score) ? x : nullptr;
}

const ZSet::Node* ZSet::LastInRange(const ScoreRange& range) const {
  const Node* first = First();
  if (range.Empty() || first == nullptr || !range.LteMax(first->score)) return nullptr;
  const Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->levels()[i].forward && range.LteMax(x->levels()[i].forward->score)) {
      x = x->levels()[i].forward;
    }
  }
  return x != header_ && range.GteMin(x->score) ? x : nullptr;
}

const ZSet::Node* ZSet::FirstInLexRange(const LexRange& range) const {
  if (range.Empty() || tail_ == nullptr || !range.GteMin(tail_->member)) return nullptr;
  const Node* x = header_;
  if (listpack_) {
    // A listpack is searched from the head (see the header): the first element above the
    // minimum, even when mixed scores leave the members unsorted.
    if (!range.LteMax(First()->member)) return nullptr;
    for (x = First(); x != nullptr && !range.GteMin(x->member); x = x->next()) {
    }
    return x != nullptr && range.LteMax(x->member) ? x : nullptr;
  }
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->levels()[i].forward && !range.GteMin(x->levels()[i].forward->member)) {
      x = x->levels()[i].forward;
    }
  }
  x = x->levels()[0].forward;
  return x != nullptr && range.LteMax(x->member) ? x : nullptr;
}

const ZSet::Node* ZSet::LastInLexRange(const LexRange& range) const {
  const Node* first = First();
  if (range.Empty() || first == nullptr || !range.LteMax(first->member)) return nullptr;
  if (listpack_) {
    if (!range.GteMin(tail_->member)) return nullptr;
    const Node* x = tail_;
    for (; x != nullptr && !range.LteMax(x->member); x = x->prev()) {
    }
    return x != nullptr && range.GteMin(x->member) ? x : nullptr;
  }
  const Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->levels()[i].forward && range.LteMax(x->levels()[i].forward->member)) {
      x = x->levels()[i].forward;
    }
  }
  return x != header_ && range.GteMin(x->member) ? x : nullptr;
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
    for (const Node* x = first; x != nullptr && range.LteMax(x->member); x = x->next()) ++count;
    return count;
  }
  const Node* last = LastInLexRange(range);
  return RankOf(last) - RankOf(first) + 1;
}

size_t ZSet::EraseRangeByScore(const ScoreRange& range) {
  if (range.Empty()) return 0;
  Node* update[kMaxLevel];
  Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->levels()[i].forward && !range.GteMin(x->levels()[i].forward->score)) {
      x = x->levels()[i].forward;
    }
    update[i] = x;
  }
  size_t removed = 0;
  x = x->levels()[0].forward;
  while (x != nullptr && range.LteMax(x->score)) {
    Node* next = x->levels()[0].forward;
    Unlink(x, update);
    DropUnlinked(x);
    ++removed;
    x = next;
  }
  return removed;
}

size_t ZSet::EraseRangeByLex(const LexRange& range) {
  if (range.Empty()) return 0;
  Node* update[kMaxLevel];
  if (listpack_) {
    // Start where a listpack search starts (FirstInLexRange), with the path to it.
    const Node* first = FirstInLexRange(range);
    if (first == nullptr) return 0;
    FindPath(first->score, first->member, update);
  } else {
    Node* x = header_;
    for (int i = level_ - 1; i >= 0; --i) {
      while (x->levels()[i].forward && !range.GteMin(x->levels()[i].forward->member)) {
        x = x->levels()[i].forward;
      }
      update[i] = x;
    }
  }
  Node* x = update[0];
  size_t removed = 0;
  x = x->levels()[0].forward;
  while (x != nullptr && range.LteMax(x->member)) {
    Node* next = x->levels()[0].forward;
    Unlink(x, update);
    DropUnlinked(x);
    ++removed;
    x = next;
  }
  return removed;
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
  size_t removed = 0;
  x = x->levels()[0].forward;
  for (size_t rank = start; x != nullptr && rank <= stop; ++rank) {
    Node* next = x->levels()[0].forward;
    Unlink(x, update);
    DropUnlinked(x);
    ++removed;
    x = next;
  }
  return removed;
}

void ZSet::ResetEncoding() {
  bool fits = length_ <= kMaxListpackEntries;
  for (const Node* node = First(); fits && node != nullptr; node = node->next()) {
    if (node->member.size() > kMaxListpackValue) fits = false;
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
    copy->Insert(node->member, node->score);
  }
  return copy;
}

size_t ZSet::MemoryUsage() const {
  size_t bytes = sizeof(ZSet) + sizeof(Node) + kMaxLevel * sizeof(Level) + index_.OverheadBytes();
  for (const Node* node = First(); node != nullptr; node = node->next()) {
    bytes += sizeof(Node) + static_cast<size_t>(node->level_count) * sizeof(Level);
    // The index node's std::string holds short members inline.
    if (node->member.size() > 15) bytes += node->member.size() + 1;
  }
  return bytes;
}

bool ZSet::Validate() const {
  if (index_.size() != length_) return false;
  if (level_ < 1 || level_ > kMaxLevel) return false;
  // Level 0: order, backward links, tail, index agreement.
  size_t count = 0;
  const Node* prev = nullptr;
  std::vector<const Node*> by_rank;
  for (const Node* x = First(); x != nullptr; x = x->next()) {
    if (x->backward != prev) return false;
    if (std::isnan(x->score)) return false;
    if (prev != nullptr && !Before(prev, x->score, x->member)) return false;
    Node** slot = index_.Find(x->member);
    if (slot == nullptr || *slot != x) return false;
    if (listpack_ && x->score == 0 && std::signbit(x->score)) return false;
    by_rank.push_back(x);
    prev = x;
    ++count;
  }
  if (count != length_ || tail_ != prev) return false;
  if (listpack_ && (length_ > kMaxListpackEntries)) return false;
  // Every level: spans equal the distance in ranks; links skip only lower nodes.
  for (int i = 0; i < kMaxLevel; ++i) {
    const Node* x = header_;
    size_t position = 0;  // 0 = header, k = element of rank k-1
    while (true) {
      const Level& level = x->levels()[i];
      if (i >= level_) {
        if (level.forward != nullptr) return false;
        break;
      }
      if (level.forward == nullptr) {
        // A link to the end spans the elements after it.
        if (level.span != length_ - position) return false;
        break;
      }
      size_t next_position = position + level.span;
      if (next_position == 0 || next_position > length_) return false;
      if (by_rank[next_position - 1] != level.forward) return false;
      if (level.forward->level_count <= i) return false;
      position = next_position;
      x = level.forward;
    }
  }
  return true;
}

}  // namespace drayman
