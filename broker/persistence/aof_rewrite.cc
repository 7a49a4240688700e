#include "broker/persistence/aof_rewrite.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "broker/persistence/aof_format.h"
#include "broker/persistence/large_collections.h"
#include "broker/persistence/rdb_stream.h"

namespace drayman {
namespace rewrite {

void AppendBulk(std::string_view arg, std::string* out) {
  out->push_back('$');
  *out += std::to_string(arg.size());
  *out += "\r\n";
  out->append(arg);
  *out += "\r\n";
}

void AppendHeader(size_t argc, std::string_view name, std::string* out) {
  out->push_back('*');
  *out += std::to_string(argc);
  *out += "\r\n";
  AppendBulk(name, out);
}

void BatchedCommand::BeginElement(std::string* out) {
  if (in_batch_ == 0) {
    const size_t batch = std::min(remaining_, kAofRewriteItemsPerCommand);
    AppendHeader(2 + batch * per_, name_, out);
    AppendBulk(key_, out);
    in_batch_ = batch;
  }
  --in_batch_;
  --remaining_;
}

void AppendExpiry(std::string_view key, int64_t expire_at_ms, std::string* out) {
  if (expire_at_ms < 0) return;
  AppendHeader(3, "PEXPIREAT", out);
  AppendBulk(key, out);
  AppendBulk(std::to_string(expire_at_ms), out);
}

std::string FormatScore(double score) {
  char text[64];
  std::snprintf(text, sizeof(text), "%.17g", score);  // rioWriteBulkDouble's format
  return text;
}

}  // namespace rewrite

using rewrite::AppendBulk;
using rewrite::AppendExpiry;
using rewrite::AppendHeader;
using rewrite::BatchedCommand;

namespace {

// A long list's RPUSH batches, from a frozen copy, over several steps (large_values.h).
class RewriteListJob final : public SaveJob {
 public:
  RewriteListJob(std::string key, std::unique_ptr<List::Frozen> list, int64_t expire_at_ms)
      : key_(std::move(key)),
        list_(std::move(list)),
        expire_at_ms_(expire_at_ms),
        command_("RPUSH", key_, list_->size(), 1) {}

  bool Step(size_t max_elements, rdb::RdbChunk& chunk) override {
    std::string& out = chunk.bytes;
    std::string_view element;
    for (size_t i = 0; i < max_elements; ++i) {
      if (!list_->Next(&element)) {
        AppendExpiry(key_, expire_at_ms_, &out);
        return true;
      }
      command_.BeginElement(&out);
      AppendBulk(element, &out);
    }
    return false;
  }

 private:
  std::string key_;
  std::unique_ptr<List::Frozen> list_;
  int64_t expire_at_ms_;
  BatchedCommand command_;
};


}  // namespace

void AppendRewriteCommands(std::string_view key, const Value& value, int64_t expire_at_ms,
                           std::string* out) {
  switch (value.type()) {
    case ValueType::kString:
      AppendHeader(3, "SET", out);
      AppendBulk(key, out);
      AppendBulk(value.view(), out);
      break;
    case ValueType::kList: {
      BatchedCommand command("RPUSH", key, value.list().size(), 1);
      value.list().ForEachWhile(false, [&](std::string_view element) {
        command.BeginElement(out);
        AppendBulk(element, out);
        return true;
      });
      break;
    }
    case ValueType::kSet: {
      BatchedCommand command("SADD", key, value.set().size(), 1);
      value.set().ForEach([&](std::string_view member) {
        command.BeginElement(out);
        AppendBulk(member, out);
      });
      break;
    }
    case ValueType::kZSet: {
      const ZSet& zset = value.zset();
      BatchedCommand command("ZADD", key, zset.size(), 2);
      for (const ZSet::Node* node = zset.First(); node != nullptr; node = node->next()) {
        command.BeginElement(out);
        AppendBulk(rewrite::FormatScore(node->score), out);
        AppendBulk(node->member(), out);
      }
      break;
    }
    case ValueType::kHash: {
      BatchedCommand command("HMSET", key, value.hash().size(), 2);
      value.hash().ForEach([&](std::string_view field, std::string_view field_value) {
        command.BeginElement(out);
        AppendBulk(field, out);
        AppendBulk(field_value, out);
      });
      break;
    }
    case ValueType::kStream:
      rdb::AppendStreamRewriteCommands(key, value.stream(), out);
      break;
  }
  AppendExpiry(key, expire_at_ms, out);
}

std::unique_ptr<SaveJob> MakeRewriteListJob(std::string key, std::unique_ptr<List::Frozen> list,
                                            int64_t expire_at_ms) {
  return std::make_unique<RewriteListJob>(std::move(key), std::move(list), expire_at_ms);
}

BackgroundRewrite::BackgroundRewrite(Keyspace& keyspace, std::unique_ptr<AsyncFileSink> sink,
                                     const Options& options)
    : rdb_base_(options.rdb_base),
      writer_([&] {
        rdb::RdbWriteOptions rdb = options.rdb;
        rdb.defer = true;  // LZF and CRC-64 on the sink's writer thread
        return rdb;
      }()),
      sink_(std::move(sink)) {
  for (int db = 0; db < keyspace.database_count(); ++db) {
    sizes_at_start_.push_back(keyspace.db(db).size());
    expires_at_start_.push_back(keyspace.db(db).expires_count());
  }
  if (rdb_base_) {
    rdb::RdbAuxFields aux = options.aux;
    aux.aof_base = true;
    writer_.WriteHeader(aux);
  } else if (options.timestamp_s >= 0) {
    commands_.bytes = "#TS:" + std::to_string(options.timestamp_s) + "\r\n";
  }
  if (!rdb_base_) {
    // Redis's rewriteFunctions: one FUNCTION LOAD per library, before the keys.
    for (const std::string& code : options.aux.libraries) {
      commands_.bytes += "*3\r\n$8\r\nFUNCTION\r\n$4\r\nLOAD\r\n$" + std::to_string(code.size()) +
                   "\r\n" + code + "\r\n";
    }
  }
  SnapshotConsumer& consumer = *this;
  snapshot_ = std::make_unique<Snapshot>(keyspace, consumer, Snapshot::FlushAllPolicy::kKeepGoing);
}

BackgroundRewrite::~BackgroundRewrite() = default;

size_t BackgroundRewrite::pending_size() const {
  return rdb_base_ ? writer_.pending_size() : commands_.bytes.size();
}

void BackgroundRewrite::SelectDb(int db) {
  if (db == selected_db_) return;
  if (rdb_base_) {
    writer_.SelectDb(db, sizes_at_start_[db], expires_at_start_[db]);
  } else {
    AppendHeader(2, "SELECT", &commands_.bytes);
    AppendBulk(std::to_string(db), &commands_.bytes);
  }
  selected_db_ = db;
}

rdb::RdbChunk& BackgroundRewrite::output() { return rdb_base_ ? writer_.output() : commands_; }

void BackgroundRewrite::Encode(std::string_view key, const Value& value, int64_t expire_at_ms,
                               rdb::RdbChunk& out) {
  if (rdb_base_) {
    rdb::AppendKeyRecord(key, value, expire_at_ms, rdb::Compression(writer_.compress(), &out),
                         out.bytes);
  } else {
    AppendRewriteCommands(key, value, expire_at_ms, &out.bytes);
  }
}

uint64_t BackgroundRewrite::SaveKey(int db, std::string_view key, const Value& value,
                                    int64_t expire_at_ms) {
  if (IsLargeValue(value)) {
    if (auto job = MakeLargeValueJob(std::string(key), value, expire_at_ms,
                                     rdb_base_ ? SaveFormat::kRdb : SaveFormat::kCommands,
                                     writer_.compress())) {
      queue_.AddJob(db, std::move(job));
      return 0;
    }
  }
  if (!queue_.empty()) {  // behind a large value still being encoded
    rdb::RdbChunk bytes;
    Encode(key, value, expire_at_ms, bytes);
    const uint64_t size = bytes.bytes.size();
    queue_.AddBytes(db, std::move(bytes));
    return size;
  }
  // Keys come grouped by database from the walk, interleaved with early saves from any
  // database: select whenever the database changes.
  rdb::RdbChunk& out = output();
  const size_t before = out.bytes.size();
  SelectDb(db);
  Encode(key, value, expire_at_ms, out);
  produced_ += out.bytes.size() - before;
  return out.bytes.size() - before;
}

void BackgroundRewrite::Save(int db, std::string_view key, const Value& value,
                             int64_t expire_at_ms) {
  SaveKey(db, key, value, expire_at_ms);
}

void BackgroundRewrite::SaveEarly(int db, std::string_view key, const Value& value,
                                  int64_t expire_at_ms) {
  bytes_saved_early_ += SaveKey(db, key, value, expire_at_ms);
  Flush(/*force=*/false);
}

void BackgroundRewrite::Flush(bool force) {
  if (pending_size() == 0 || (!force && pending_size() < kChunkBytes)) return;
  std::string next = sink_->SpareBuffer();
  next.reserve(kChunkBytes + kChunkSlack);
  rdb::RdbChunk chunk;
  if (rdb_base_) {
    writer_.TakeChunk(&chunk, std::move(next));
  } else {
    std::swap(chunk, commands_);
    commands_.bytes = std::move(next);
    commands_.bytes.clear();
  }
  sink_->Append(std::move(chunk));
}

void BackgroundRewrite::Cancel() {
  if (outcome_ != Outcome::kRunning) return;
  snapshot_->Cancel();
  sink_.reset();  // discards the temporary file
  outcome_ = Outcome::kCancelled;
}

BackgroundRewrite::Outcome BackgroundRewrite::Step(int64_t deadline_us, int64_t (*now_us)()) {
  if (outcome_ != Outcome::kRunning) return outcome_;
  std::string error;
  if (sink_->Finished(&error)) {
    outcome_ = committing_ && error.empty() ? Outcome::kWritten : Outcome::kFailed;
    error_ = error;
    sink_.reset();
    return outcome_;
  }
  if (committing_) return outcome_;
  do {
    if (sink_->queued_bytes() > kMaxQueuedBytes) return outcome_;  // let the disk catch up
    if (!queue_.empty()) {
      rdb::RdbChunk& out = output();
      const size_t before = out.bytes.size();
      queue_.Drain(
          kJobElementsPerStep, [this](int db) { SelectDb(db); }, out);
      produced_ += out.bytes.size() - before;
    } else if (snapshot_->state() != Snapshot::State::kRunning || snapshot_->Step(64)) {
      break;
    }
    Flush(/*force=*/false);
  } while (now_us() < deadline_us);
  if (snapshot_->state() == Snapshot::State::kCancelled) {
    Cancel();
  } else if (snapshot_->state() == Snapshot::State::kComplete && queue_.empty()) {
    if (rdb_base_) writer_.Finish();
    Flush(/*force=*/true);
    sink_->Commit();
    committing_ = true;
  }
  return outcome_;
}

}  // namespace drayman
