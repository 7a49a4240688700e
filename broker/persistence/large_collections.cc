#include "broker/persistence/large_collections.h"

#include <cassert>
#include <cstdlib>
#include <set>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "broker/keyspace/save_watch.h"
#include "broker/persistence/aof_rewrite.h"
#include "broker/persistence/rdb_format.h"

namespace drayman {
namespace {

// What every collection job shares: the key's header, one element at a time in either format,
// and the end (the rewrite's PEXPIREAT).
class CollectionJob : public SaveJob, public ElementWatcher {
 public:
  CollectionJob(std::string key, int64_t expire_at_ms, SaveFormat format, bool compress,
                uint8_t rdb_type, std::string_view command, size_t items_per_element,
                uint64_t count)
      : key_(std::move(key)),
        expire_at_ms_(expire_at_ms),
        format_(format),
        compress_(compress),
        rdb_type_(rdb_type),
        count_(count),
        command_(command, key_, count, items_per_element) {}

  void Adopt(std::unique_ptr<Hash>) override { std::abort(); }
  void Adopt(std::unique_ptr<Set>) override { std::abort(); }
  void Adopt(std::unique_ptr<ZSet>) override { std::abort(); }

 protected:
  void BeginOnce(rdb::RdbChunk& chunk) {
    if (begun_) return;
    begun_ = true;
    if (format_ == SaveFormat::kRdb) {
      rdb::AppendKeyHeader(key_, rdb_type_, expire_at_ms_, rdb::Compression(compress_, &chunk),
                           chunk.bytes);
      rdb::AppendLength(count_, chunk.bytes);
    }
  }
  void End(rdb::RdbChunk& chunk) {
    assert(written_ == count_);
    if (format_ == SaveFormat::kCommands) rewrite::AppendExpiry(key_, expire_at_ms_, &chunk.bytes);
  }
  void WriteMember(std::string_view member, rdb::RdbChunk& chunk) {
    ++written_;
    if (format_ == SaveFormat::kRdb) {
      rdb::AppendString(member, rdb::Compression(compress_, &chunk), chunk.bytes);
    } else {
      command_.BeginElement(&chunk.bytes);
      rewrite::AppendBulk(member, &chunk.bytes);
    }
  }
  void WriteField(std::string_view field, std::string_view value, rdb::RdbChunk& chunk) {
    ++written_;
    if (format_ == SaveFormat::kRdb) {
      const rdb::Compression compress(compress_, &chunk);
      rdb::AppendString(field, compress, chunk.bytes);
      rdb::AppendString(value, compress, chunk.bytes);
    } else {
      command_.BeginElement(&chunk.bytes);
      rewrite::AppendBulk(field, &chunk.bytes);
      rewrite::AppendBulk(value, &chunk.bytes);
    }
  }
  void WriteScored(std::string_view member, double score, rdb::RdbChunk& chunk) {
    ++written_;
    if (format_ == SaveFormat::kRdb) {
      rdb::AppendString(member, rdb::Compression(compress_, &chunk), chunk.bytes);
      rdb::AppendBinaryDouble(score, chunk.bytes);
    } else {
      command_.BeginElement(&chunk.bytes);
      rewrite::AppendBulk(rewrite::FormatScore(score), &chunk.bytes);
      rewrite::AppendBulk(member, &chunk.bytes);
    }
  }

  // Elements the walk must skip when it meets them (their state at the freeze is written from
  // elsewhere, or they were absent then, or are written already).
  bool Touched(std::string_view member) const {
    return !touched_.empty() && touched_.contains(absl::string_view(member.data(), member.size()));
  }
  void Touch(std::string_view member) { touched_.emplace(member.data(), member.size()); }

  const std::string key_;
  const int64_t expire_at_ms_;
  const SaveFormat format_;
  const bool compress_;

 private:
  const uint8_t rdb_type_;
  const uint64_t count_;  // elements at the freeze: the RDB length, the commands' batching
  uint64_t written_ = 0;
  bool begun_ = false;
  rewrite::BatchedCommand command_;
  absl::flat_hash_set<std::string> touched_;
};

// A hash or set (hashtable encoding), walked bucket by bucket with its table pinned.
template <typename Container>
class BucketJob final : public CollectionJob {
  static constexpr bool kHash = std::is_same_v<Container, Hash>;

 public:
  BucketJob(std::string key, const Container& live, int64_t expire_at_ms, SaveFormat format,
            bool compress)
      : CollectionJob(std::move(key), expire_at_ms, format, compress,
                      kHash ? rdb::kTypeHash : rdb::kTypeSet, kHash ? "HMSET" : "SADD",
                      kHash ? 2 : 1, live.size()),
        live_(&live) {
    live.Watch(this);
  }
  ~BucketJob() override {
    if (owned_ == nullptr) live_->Unwatch();
  }

  using CollectionJob::Adopt;
  void Adopt(std::unique_ptr<Container> contents) override {
    owned_ = std::move(contents);
    live_ = owned_.get();
  }

  void BeforeChange(std::string_view member, bool erasing, double /*new_score*/) override {
    if (Touched(member)) return;
    bool present = false;
    const uint64_t position = live_->PositionOf(member, &present);
    if (present) {
      // Written already: a change leaves it where it is (pinned), an erase takes it away.
      if (position < cursor_) return;
      if constexpr (kHash) {
        Touch(member);
        frozen_.emplace_back(std::string(member), *live_->Find(member));
      } else if (erasing) {  // adding a present member changes nothing
        Touch(member);
        frozen_.emplace_back(std::string(member), std::string());
      }
      return;
    }
    // Absent at the freeze, or written and erased since: the walk must not write it again.
    if (!erasing && position >= cursor_) Touch(member);
  }

  bool Step(size_t max_elements, rdb::RdbChunk& chunk) override {
    BeginOnce(chunk);
    size_t looked_at = 0;
    size_t buckets = 0;
    const uint64_t end = live_->PositionEnd();
    while (cursor_ < end && looked_at < max_elements && buckets < 8 * max_elements) {
      if constexpr (kHash) {
        looked_at += live_->VisitPosition(cursor_, [&](std::string_view f, std::string_view v) {
          if (!Touched(f)) WriteField(f, v, chunk);
        });
      } else {
        looked_at += live_->VisitPosition(cursor_, [&](std::string_view m) {
          if (!Touched(m)) WriteMember(m, chunk);
        });
      }
      ++cursor_;
      ++buckets;
    }
    if (cursor_ < end) return false;
    // The walk is over: nothing can be added to frozen_ any more.
    for (; next_frozen_ < frozen_.size() && looked_at < max_elements; ++next_frozen_, ++looked_at) {
      const auto& [member, value] = frozen_[next_frozen_];
      if constexpr (kHash) {
        WriteField(member, value, chunk);
      } else {
        WriteMember(member, chunk);
      }
    }
    if (next_frozen_ < frozen_.size()) return false;
    End(chunk);
    return true;
  }

 private:
  const Container* live_;
  std::unique_ptr<Container> owned_;  // after the container was destroyed
  uint64_t cursor_ = 0;               // the next position to walk
  std::vector<std::pair<std::string, std::string>> frozen_;  // states at the freeze, written last
  size_t next_frozen_ = 0;
};

// A sorted set (skiplist encoding), walked in the one-go order from a cursor: the last element
// written. Frozen states of changed elements are merged into the walk at their place.
class ZSetJob final : public CollectionJob {
 public:
  ZSetJob(std::string key, const ZSet& live, int64_t expire_at_ms, SaveFormat format,
          bool compress)
      : CollectionJob(std::move(key), expire_at_ms, format, compress, rdb::kTypeZSet2, "ZADD", 2,
                      live.size()),
        live_(&live),
        descending_(format == SaveFormat::kRdb),
        frozen_(WalkOrder{descending_}) {
    live.Watch(this);
  }
  ~ZSetJob() override {
    if (owned_ == nullptr) live_->Unwatch();
  }

  using CollectionJob::Adopt;
  void Adopt(std::unique_ptr<ZSet> contents) override {
    owned_ = std::move(contents);
    live_ = owned_.get();
  }

  void BeforeChange(std::string_view member, bool erasing, double new_score) override {
    if (Touched(member)) return;
    const double* old_score = live_->Find(member);
    if (old_score != nullptr && Ahead(*old_score, member)) {
      Touch(member);
      frozen_.emplace(*old_score, std::string(member));
      return;
    }
    // Absent at the freeze, or written already: moving ahead of the walk must not write it twice.
    if (!erasing && Ahead(new_score, member)) Touch(member);
  }

  bool Step(size_t max_elements, rdb::RdbChunk& chunk) override {
    BeginOnce(chunk);
    const ZSet::Node* node = nullptr;
    if (!has_cursor_) {
      node = descending_ ? live_->Last() : live_->First();
    } else {
      node = descending_ ? live_->LastBefore(cursor_score_, cursor_member_)
                         : live_->FirstAfter(cursor_score_, cursor_member_);
    }
    // The cursor is the last element passed, written or skipped: everything up to it is done
    // (frozen states are merged in before any live element that follows them).
    const ZSet::Node* last_passed = nullptr;
    for (size_t looked_at = 0; looked_at < max_elements; ++looked_at) {
      const bool frozen_first =
          !frozen_.empty() && (node == nullptr || WalkOrder{descending_}(
                                                      *frozen_.begin(), node->score, node->member()));
      if (frozen_first) {
        auto first = frozen_.extract(frozen_.begin());
        WriteScored(first.value().second, first.value().first, chunk);
        has_cursor_ = true;
        cursor_score_ = first.value().first;
        cursor_member_ = std::move(first.value().second);
        last_passed = nullptr;
      } else if (node == nullptr) {
        End(chunk);
        return true;
      } else {
        if (!Touched(node->member())) WriteScored(node->member(), node->score, chunk);
        last_passed = node;
        node = Next(node);
      }
    }
    if (last_passed != nullptr) {
      has_cursor_ = true;
      cursor_score_ = last_passed->score;
      cursor_member_.assign(last_passed->member());
    }
    return false;
  }

 private:
  // Orders (score, member) pairs as the walk meets them.
  struct WalkOrder {
    bool descending;
    bool operator()(const std::pair<double, std::string>& a,
                    const std::pair<double, std::string>& b) const {
      return (*this)(a, b.first, b.second);
    }
    bool operator()(const std::pair<double, std::string>& a, double score,
                    std::string_view member) const {
      return descending ? ZSet::Precedes(score, member, a.first, a.second)
                        : ZSet::Precedes(a.first, a.second, score, member);
    }
  };

  // Whether the walk has yet to reach (score, member).
  bool Ahead(double score, std::string_view member) const {
    if (!has_cursor_) return true;
    return descending_ ? ZSet::Precedes(score, member, cursor_score_, cursor_member_)
                       : ZSet::Precedes(cursor_score_, cursor_member_, score, member);
  }
  const ZSet::Node* Next(const ZSet::Node* node) const {
    return descending_ ? node->prev() : node->next();
  }

  const ZSet* live_;
  std::unique_ptr<ZSet> owned_;  // after the container was destroyed
  const bool descending_;        // RDB: highest first, as Redis writes a skiplist
  bool has_cursor_ = false;
  double cursor_score_ = 0;
  std::string cursor_member_;
  std::set<std::pair<double, std::string>, WalkOrder> frozen_;  // states at the freeze
};

}  // namespace

std::unique_ptr<SaveJob> MakeLargeValueJob(std::string key, const Value& value,
                                           int64_t expire_at_ms, SaveFormat format,
                                           bool compress) {
  if (!IsLargeValue(value)) return nullptr;
  switch (value.type()) {
    case ValueType::kList:
      return format == SaveFormat::kRdb
                 ? MakeRdbListJob(std::move(key), value.list().Freeze(), expire_at_ms, compress)
                 : MakeRewriteListJob(std::move(key), value.list().Freeze(), expire_at_ms);
    case ValueType::kHash:
      if (value.hash().watched()) return nullptr;
      return std::make_unique<BucketJob<Hash>>(std::move(key), value.hash(), expire_at_ms, format,
                                               compress);
    case ValueType::kSet:
      if (value.set().watched()) return nullptr;
      return std::make_unique<BucketJob<Set>>(std::move(key), value.set(), expire_at_ms, format,
                                              compress);
    case ValueType::kZSet:
      if (value.zset().watched()) return nullptr;
      return std::make_unique<ZSetJob>(std::move(key), value.zset(), expire_at_ms, format,
                                       compress);
    default:
      return nullptr;
  }
}

}  // namespace drayman
