#include "broker/persistence/large_values.h"

#include <utility>

#include "broker/persistence/rdb_encode.h"
#include "broker/persistence/rdb_format.h"

namespace drayman {

bool IsLargeValue(const Value& value) {
  switch (value.type()) {
    case ValueType::kList:
      return value.list().size() > kLargeListElements ||
             value.list().chunk_count() > kLargeListChunks;
    case ValueType::kHash:
      return value.hash().Encoding() == "hashtable" &&
             value.hash().size() > kLargeCollectionElements;
    case ValueType::kSet:
      return value.set().Encoding() == "hashtable" &&
             value.set().size() > kLargeCollectionElements;
    case ValueType::kZSet:
      return !value.zset().listpack() && value.zset().size() > kLargeCollectionElements;
    default:
      return false;
  }
}

namespace {

// Two passes over the frozen list: count the quicklist nodes (the count comes first in the
// file), then write the header and the nodes.
class RdbListJob final : public SaveJob {
 public:
  RdbListJob(std::string key, std::unique_ptr<List::Frozen> list, int64_t expire_at_ms,
             bool compress)
      : key_(std::move(key)),
        list_(std::move(list)),
        expire_at_ms_(expire_at_ms),
        compress_(compress) {}

  bool Step(size_t max_elements, rdb::RdbChunk& chunk) override {
    std::string& out = chunk.bytes;
    const rdb::Compression compress(compress_, &chunk);
    std::string_view element;
    if (!counted_) {
      for (size_t i = 0; i < max_elements; ++i) {
        if (!list_->Next(&element)) {
          counted_ = true;
          break;
        }
        counter_.Add(element);
      }
      if (!counted_) return false;
      list_->Rewind();
      rdb::AppendKeyHeader(key_, rdb::kTypeListQuicklist2, expire_at_ms_, compress, out);
      rdb::AppendLength(counter_.Finish(), out);
      return false;  // the count pass used this step's budget
    }
    for (size_t i = 0; i < max_elements; ++i) {
      if (!NextElement(&element)) {
        writer_.Finish(compress, out);
        return true;
      }
      writer_.Add(element, compress, out);
    }
    // End the step at a node boundary: the open node's listpack is being built inside the chunk
    // (QuicklistNodeWriter), which the caller may hand to the writer before the next step. Going
    // on until the next element would close the node anyway keeps the nodes Redis's.
    while (writer_.node_open()) {
      if (!NextElement(&element)) {
        writer_.Finish(compress, out);
        return true;
      }
      if (writer_.ClosesNode(element)) {
        writer_.CloseNode(compress, out);
        pending_ = element;
        has_pending_ = true;
        break;
      }
      writer_.Add(element, compress, out);
    }
    return false;
  }

 private:
  bool NextElement(std::string_view* element) {
    if (has_pending_) {
      has_pending_ = false;
      *element = pending_;
      return true;
    }
    return list_->Next(element);
  }

  std::string key_;
  std::unique_ptr<List::Frozen> list_;
  std::string_view pending_;  // read at the end of the last step, not yet added (Frozen views last)
  bool has_pending_ = false;
  int64_t expire_at_ms_;
  bool compress_;
  bool counted_ = false;
  rdb::QuicklistNodeCounter counter_;
  rdb::QuicklistNodeWriter writer_;
};

}  // namespace

std::unique_ptr<SaveJob> MakeRdbListJob(std::string key, std::unique_ptr<List::Frozen> list,
                                        int64_t expire_at_ms, bool compress) {
  return std::make_unique<RdbListJob>(std::move(key), std::move(list), expire_at_ms, compress);
}

void SaveQueue::AddBytes(int db, rdb::RdbChunk bytes) {
  items_.push_back(Item{db, std::move(bytes), nullptr});
}

void SaveQueue::AddJob(int db, std::unique_ptr<SaveJob> job) {
  items_.push_back(Item{db, rdb::RdbChunk(), std::move(job)});
}

bool SaveQueue::Drain(size_t max_elements, absl::FunctionRef<void(int db)> select,
                      rdb::RdbChunk& out) {
  while (!items_.empty()) {
    Item& item = items_.front();
    if (!item.started) {
      select(item.db);
      item.started = true;
    }
    if (item.job == nullptr) {
      out.Append(std::move(item.bytes));
      items_.pop_front();
      continue;
    }
    // One job step per call: the caller checks its deadline between calls.
    if (item.job->Step(max_elements, out)) items_.pop_front();
    return items_.empty();
  }
  return true;
}

}  // namespace drayman
