// BackgroundSave: BGSAVE without fork(). A Snapshot (snapshot.h) feeds an RdbWriter; the encoded
// bytes go to an AsyncFileSink the host provides (the server's writes on its own thread), so the
// event loop never waits on the disk.
//
// The loop thread only encodes: LZF and the CRC-64 are left to the sink's writer (RdbWriteOptions
// defer, rdb::ChunkFinisher), as Redis leaves them to its fork child.
//
// Contract: Step(deadline) encodes for about as long as the caller allows and returns; the host
// calls it again until done(). Keys saved early by commands (the snapshot's hooks) are encoded
// at once, inside the command, and counted in bytes_saved_early() (INFO rdb_last_cow_size: the
// extra work writes cost, Drayman's analogue of Redis's copy-on-write). While the sink holds more
// than kMaxQueuedBytes not yet written, Step encodes nothing (back-pressure without blocking).
// The file is committed (fsync, rename) by the sink only after the last byte; a failed or
// cancelled save leaves the previous file in place. FLUSHALL cancels the save (see snapshot.h).
// A long list is encoded over many steps from a frozen copy (large_values.h).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "broker/persistence/large_values.h"
#include "broker/persistence/rdb_encode.h"
#include "broker/persistence/snapshot.h"

namespace drayman {

// Writes a file in the background. Destroying it before Finished() reports success discards the
// file (the target keeps its old contents).
class AsyncFileSink {
 public:
  virtual ~AsyncFileSink() = default;
  // Queues a chunk for writing; never waits. The sink finishes chunks in order with one
  // rdb::ChunkFinisher (LZF of the deferred strings, the CRC-64 trailer) before writing them.
  virtual void Append(rdb::RdbChunk chunk) = 0;
  // Bytes appended (before compression) but not yet written.
  virtual uint64_t queued_bytes() const = 0;
  // No more bytes: make the file durable and visible under its final name, in the background.
  virtual void Commit() = 0;
  // True once the file is committed or writing failed (*error says why; empty on success).
  virtual bool Finished(std::string* error) = 0;
  // An empty buffer whose capacity a written chunk left behind, or a new one: filling a buffer
  // the process already touched costs no page faults on the loop thread.
  virtual std::string SpareBuffer() { return std::string(); }
};

class BackgroundSave final : private SnapshotConsumer {
 public:
  static constexpr uint64_t kMaxQueuedBytes = 16 << 20;
  static constexpr size_t kChunkBytes = 1 << 20;
  static constexpr size_t kChunkSlack = 256 << 10;  // as BackgroundRewrite's

  enum class Outcome { kRunning, kSucceeded, kFailed, kCancelled };

  // Starts the snapshot now (the keyspace's current time) and writes the RDB header.
  BackgroundSave(Keyspace& keyspace, std::unique_ptr<AsyncFileSink> sink, rdb::RdbWriteOptions,
                 const rdb::RdbAuxFields& aux);
  ~BackgroundSave() override;

  // Works until `deadline_us` (on `now_us`'s clock) passes. Returns the outcome so far.
  Outcome Step(int64_t deadline_us, int64_t (*now_us)());
  // Stops the save and discards its file.
  void Cancel();

  Outcome outcome() const { return outcome_; }
  const std::string& error() const { return error_; }
  int64_t started_ms() const { return snapshot_->started_ms(); }
  uint64_t bytes_saved_early() const { return bytes_saved_early_; }
  uint64_t bytes_written() const { return writer_.total_bytes(); }
  uint64_t keys_saved() const { return snapshot_->keys_saved(); }

 private:
  void Save(int db, std::string_view key, const Value& value, int64_t expire_at_ms) override;
  void SaveEarly(int db, std::string_view key, const Value& value, int64_t expire_at_ms) override;
  // Encodes the key now (returns the bytes produced) or queues a job for a large value.
  uint64_t SaveKey(int db, std::string_view key, const Value& value, int64_t expire_at_ms);
  void SelectDb(int db);
  void Flush(bool force);

  rdb::RdbWriter writer_;
  std::unique_ptr<AsyncFileSink> sink_;
  std::vector<uint64_t> sizes_at_start_;  // RESIZEDB hints
  std::vector<uint64_t> expires_at_start_;
  std::unique_ptr<Snapshot> snapshot_;
  SaveQueue queue_;  // large values in progress and the keys waiting behind them
  int selected_db_ = -1;
  bool committing_ = false;
  Outcome outcome_ = Outcome::kRunning;
  std::string error_;
  uint64_t bytes_saved_early_ = 0;
};

}  // namespace drayman
