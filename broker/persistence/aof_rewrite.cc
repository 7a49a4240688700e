#include "broker/persistence/aof_rewrite.h"

#include <cstdio>
#include <utility>

#include "broker/persistence/aof_format.h"
#include "broker/persistence/rdb_stream.h"

namespace drayman {
namespace {

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

// Emits `name key item...` commands of at most kAofRewriteItemsPerCommand items each, as
// Redis's rewriteListObject & co. do. `items_per_element` is 2 for ZADD and HMSET pairs.
class BatchedCommand {
 public:
  BatchedCommand(std::string_view name, std::string_view key, size_t elements,
                 size_t items_per_element, std::string* out)
      : name_(name), key_(key), remaining_(elements), per_(items_per_element), out_(out) {}

  // Called before each element's items are appended.
  void BeginElement() {
    if (in_batch_ == 0) {
      const size_t batch = std::min(remaining_, kAofRewriteItemsPerCommand);
      AppendHeader(2 + batch * per_, name_, out_);
      AppendBulk(key_, out_);
      in_batch_ = batch;
    }
    --in_batch_;
    --remaining_;
  }

 private:
  std::string_view name_;
  std::string_view key_;
  size_t remaining_;
  size_t per_;
  std::string* out_;
  size_t in_batch_ = 0;
};

std::string FormatRewriteScore(double score) {
  char text[64];
  std::snprintf(text, sizeof(text), "%.17g", score);  // rioWriteBulkDouble's format
  return text;
}

}  // namespace

void AppendRewriteCommands(std::string_view key, const Value& value, int64_t expire_at_ms,
                           std::string* out) {
  switch (value.type()) {
    case ValueType::kString:
      AppendHeader(3, "SET", out);
      AppendBulk(key, out);
      AppendBulk(value.str(), out);
      break;
    case ValueType::kList: {
      BatchedCommand command("RPUSH", key, value.list().size(), 1, out);
      value.list().ForEachWhile(false, [&](std::string_view element) {
        command.BeginElement();
        AppendBulk(element, out);
        return true;
      });
      break;
    }
    case ValueType::kSet: {
      BatchedCommand command("SADD", key, value.set().size(), 1, out);
      value.set().ForEach([&](std::string_view member) {
        command.BeginElement();
        AppendBulk(member, out);
      });
      break;
    }
    case ValueType::kZSet: {
      const ZSet& zset = value.zset();
      BatchedCommand command("ZADD", key, zset.size(), 2, out);
      for (const ZSet::Node* node = zset.First(); node != nullptr; node = node->next()) {
        command.BeginElement();
        AppendBulk(FormatRewriteScore(node->score), out);
        AppendBulk(node->member(), out);
      }
      break;
    }
    case ValueType::kHash: {
      BatchedCommand command("HMSET", key, value.hash().size(), 2, out);
      value.hash().ForEach([&](std::string_view field, std::string_view field_value) {
        command.BeginElement();
        AppendBulk(field, out);
        AppendBulk(field_value, out);
      });
      break;
    }
    case ValueType::kStream:
      rdb::AppendStreamRewriteCommands(key, value.stream(), out);
      break;
  }
  if (expire_at_ms >= 0) {
    AppendHeader(3, "PEXPIREAT", out);
    AppendBulk(key, out);
    AppendBulk(std::to_string(expire_at_ms), out);
  }
}

BackgroundRewrite::BackgroundRewrite(Keyspace& keyspace, std::unique_ptr<AsyncFileSink> sink,
                                     const Options& options)
    : rdb_base_(options.rdb_base), writer_(options.rdb), sink_(std::move(sink)) {
  for (int db = 0; db < keyspace.database_count(); ++db) {
    sizes_at_start_.push_back(keyspace.db(db).size());
    expires_at_start_.push_back(keyspace.db(db).expires_count());
  }
  if (rdb_base_) {
    rdb::RdbAuxFields aux = options.aux;
    aux.aof_base = true;
    writer_.WriteHeader(aux);
  } else if (options.timestamp_s >= 0) {
    commands_ = "#TS:" + std::to_string(options.timestamp_s) + "\r\n";
  }
  SnapshotConsumer& consumer = *this;
  snapshot_ = std::make_unique<Snapshot>(keyspace, consumer, Snapshot::FlushAllPolicy::kKeepGoing);
}

BackgroundRewrite::~BackgroundRewrite() = default;

size_t BackgroundRewrite::pending_size() const {
  return rdb_base_ ? writer_.pending_size() : commands_.size();
}

void BackgroundRewrite::Save(int db, std::string_view key, const Value& value,
                             int64_t expire_at_ms) {
  // Keys come grouped by database from the walk, interleaved with early saves from any
  // database: select whenever the database changes.
  if (rdb_base_) {
    if (db != selected_db_) writer_.SelectDb(db, sizes_at_start_[db], expires_at_start_[db]);
    selected_db_ = db;
    const uint64_t before = writer_.total_bytes();
    writer_.WriteKey(key, value, expire_at_ms);
    produced_ += writer_.total_bytes() - before;
    return;
  }
  const size_t before = commands_.size();
  if (db != selected_db_) {
    AppendHeader(2, "SELECT", &commands_);
    AppendBulk(std::to_string(db), &commands_);
    selected_db_ = db;
  }
  AppendRewriteCommands(key, value, expire_at_ms, &commands_);
  produced_ += commands_.size() - before;
}

void BackgroundRewrite::SaveEarly(int db, std::string_view key, const Value& value,
                                  int64_t expire_at_ms) {
  const uint64_t before = produced_;
  Save(db, key, value, expire_at_ms);
  bytes_saved_early_ += produced_ - before;
  Flush(/*force=*/false);
}

void BackgroundRewrite::Flush(bool force) {
  if (pending_size() == 0 || (!force && pending_size() < kChunkBytes)) return;
  std::string chunk;
  if (rdb_base_) {
    writer_.TakeOutput(&chunk);
  } else {
    chunk.swap(commands_);
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
    if (snapshot_->Step(64)) break;
    Flush(/*force=*/false);
  } while (now_us() < deadline_us);
  if (snapshot_->state() == Snapshot::State::kCancelled) {
    Cancel();
  } else if (snapshot_->state() == Snapshot::State::kComplete) {
    if (rdb_base_) writer_.Finish();
    Flush(/*force=*/true);
    sink_->Commit();
    committing_ = true;
  }
  return outcome_;
}

}  // namespace drayman
