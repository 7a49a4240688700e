#include "broker/persistence/background_save.h"

#include <utility>

#include "broker/persistence/large_collections.h"

namespace drayman {

BackgroundSave::BackgroundSave(Keyspace& keyspace, std::unique_ptr<AsyncFileSink> sink,
                               rdb::RdbWriteOptions options, const rdb::RdbAuxFields& aux)
    : writer_([&] {
        options.defer = true;
        return options;
      }()),
      sink_(std::move(sink)) {
  for (int db = 0; db < keyspace.database_count(); ++db) {
    sizes_at_start_.push_back(keyspace.db(db).size());
    expires_at_start_.push_back(keyspace.db(db).expires_count());
  }
  writer_.WriteHeader(aux);
  SnapshotConsumer& consumer = *this;  // a private base: convert here, inside the class
  snapshot_ = std::make_unique<Snapshot>(keyspace, consumer);
}

BackgroundSave::~BackgroundSave() = default;

void BackgroundSave::SelectDb(int db) {
  if (db == selected_db_) return;
  writer_.SelectDb(db, sizes_at_start_[db], expires_at_start_[db]);
  selected_db_ = db;
}

uint64_t BackgroundSave::SaveKey(int db, std::string_view key, const Value& value,
                                 int64_t expire_at_ms) {
  if (IsLargeValue(value)) {
    if (auto job = MakeLargeValueJob(std::string(key), value, expire_at_ms, SaveFormat::kRdb,
                                     writer_.compress())) {
      queue_.AddJob(db, std::move(job));
      return 0;
    }
  }
  if (!queue_.empty()) {  // behind a large value still being encoded
    rdb::RdbChunk bytes;
    rdb::AppendKeyRecord(key, value, expire_at_ms, rdb::Compression(writer_.compress(), &bytes),
                         bytes.bytes);
    const uint64_t size = bytes.bytes.size();
    queue_.AddBytes(db, std::move(bytes));
    return size;
  }
  // Keys arrive grouped by database from the walk, interleaved with early saves from any
  // database: SELECTDB whenever the database changes (the loader accepts it anywhere).
  const uint64_t before = writer_.total_bytes();
  SelectDb(db);
  writer_.WriteKey(key, value, expire_at_ms);
  return writer_.total_bytes() - before;
}

void BackgroundSave::Save(int db, std::string_view key, const Value& value, int64_t expire_at_ms) {
  SaveKey(db, key, value, expire_at_ms);
}

void BackgroundSave::SaveEarly(int db, std::string_view key, const Value& value,
                               int64_t expire_at_ms) {
  bytes_saved_early_ += SaveKey(db, key, value, expire_at_ms);
  Flush(/*force=*/false);
}

void BackgroundSave::Flush(bool force) {
  if (writer_.pending_size() == 0 || (!force && writer_.pending_size() < kChunkBytes)) return;
  std::string next = sink_->SpareBuffer();
  next.reserve(kChunkBytes + kChunkSlack);
  rdb::RdbChunk chunk;
  writer_.TakeChunk(&chunk, std::move(next));
  sink_->Append(std::move(chunk));
}

void BackgroundSave::Cancel() {
  if (outcome_ != Outcome::kRunning) return;
  snapshot_->Cancel();
  sink_.reset();  // discards the temporary file
  outcome_ = Outcome::kCancelled;
}

BackgroundSave::Outcome BackgroundSave::Step(int64_t deadline_us, int64_t (*now_us)()) {
  if (outcome_ != Outcome::kRunning) return outcome_;
  if (snapshot_->state() == Snapshot::State::kCancelled && !committing_) {
    Cancel();
    return outcome_;
  }
  std::string error;
  if (sink_->Finished(&error)) {
    // Only a failure can finish the sink before Commit.
    outcome_ = committing_ && error.empty() ? Outcome::kSucceeded : Outcome::kFailed;
    error_ = error;
    sink_.reset();
    return outcome_;
  }
  if (committing_) return outcome_;
  do {
    if (sink_->queued_bytes() > kMaxQueuedBytes) return outcome_;  // let the disk catch up
    if (!queue_.empty()) {
      queue_.Drain(
          kJobElementsPerStep, [this](int db) { SelectDb(db); }, writer_.output());
    } else if (snapshot_->state() != Snapshot::State::kRunning || snapshot_->Step(64)) {
      break;
    }
    Flush(/*force=*/false);
  } while (now_us() < deadline_us);
  if (snapshot_->state() == Snapshot::State::kCancelled) {
    Cancel();
  } else if (snapshot_->state() == Snapshot::State::kComplete && queue_.empty()) {
    writer_.Finish();
    Flush(/*force=*/true);
    sink_->Commit();
    committing_ = true;
  }
  return outcome_;
}

}  // namespace drayman
