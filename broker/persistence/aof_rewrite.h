// AOF rewrite without fork(): BGREWRITEAOF's new base file, written from a point-in-time Snapshot
// (snapshot.h) while the loop keeps serving, in Redis 7.0's multi-part scheme.
//
// Contract: the engine asks its host (AofRewriteHost, the server's files) to begin: the host
// makes subsequent propagated writes go to a NEW incr file at once (nothing appended after that
// moment reaches an older file) and returns the sink for the temporary base file. The rewrite
// then hands every key the dataset held at that moment to the sink, as an RDB with the
// `aof-base 1` aux field (aof-use-rdb-preamble yes, the `.base.rdb`) or as commands that recreate
// it (`.base.aof`: SELECT, SET, RPUSH/SADD/ZADD/HMSET at most 64 items per command, PEXPIREAT),
// so base + new incr file replay to exactly the live dataset. Step(deadline) encodes for about as
// long as it is allowed; the host's sink writes on its own thread. When the sink committed the
// file (fsync, rename to the base's final name), the engine calls FinishRewrite: the host writes
// the new manifest atomically (old base and older incr files become history) and deletes the
// history files. A failed or cancelled rewrite leaves the previous manifest valid (it lists the
// new incr file too). FLUSHALL does not cancel a rewrite (its FLUSHALL lands in the new incr
// file); it only cancels BGSAVE.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "broker/persistence/background_save.h"
#include "broker/persistence/large_values.h"
#include "broker/persistence/rdb_encode.h"
#include "broker/persistence/snapshot.h"

namespace drayman {

// Redis's AOF_REWRITE_ITEMS_PER_CMD.
inline constexpr size_t kAofRewriteItemsPerCommand = 64;

// The pieces of rewrite commands (shared with large_collections.cc's jobs).
namespace rewrite {
void AppendBulk(std::string_view arg, std::string* out);
void AppendHeader(size_t argc, std::string_view name, std::string* out);
// PEXPIREAT key ms, when expire_at_ms >= 0.
void AppendExpiry(std::string_view key, int64_t expire_at_ms, std::string* out);
// A score as Redis's rioWriteBulkDouble writes it.
std::string FormatScore(double score);

// Emits `name key item...` commands of at most kAofRewriteItemsPerCommand items each, as
// Redis's rewriteListObject & co. do. `items_per_element` is 2 for ZADD and HMSET pairs; the
// element count must be known up front (each command's header counts its items).
class BatchedCommand {
 public:
  BatchedCommand(std::string_view name, std::string_view key, size_t elements,
                 size_t items_per_element)
      : name_(name), key_(key), remaining_(elements), per_(items_per_element) {}
  // Called before each element's items are appended to `out`.
  void BeginElement(std::string* out);

 private:
  std::string_view name_;
  std::string_view key_;
  size_t remaining_;
  size_t per_;
  size_t in_batch_ = 0;
};
}  // namespace rewrite

// Appends the commands that recreate `key` (and its expiry) to `out`, as Redis's
// rewriteAppendOnlyFileRio writes them.
void AppendRewriteCommands(std::string_view key, const Value& value, int64_t expire_at_ms,
                           std::string* out);
// The same for a long list, over several steps from a frozen copy (large_values.h).
std::unique_ptr<SaveJob> MakeRewriteListJob(std::string key, std::unique_ptr<List::Frozen> list,
                                            int64_t expire_at_ms);

// What the engine needs from the host that owns the log's files (server/aof_rewrite.h).
class AofRewriteHost {
 public:
  virtual ~AofRewriteHost() = default;
  // Switches appending to a new incr file (persisting the manifest that lists it) and opens the
  // temporary base file; nullptr with *error when either fails (nothing changed then).
  virtual std::unique_ptr<AsyncFileSink> BeginRewrite(bool rdb_base, std::string* error) = 0;
  // The base file is complete and durable: install it (new manifest, delete history files).
  virtual bool FinishRewrite(std::string* error) = 0;
  // The rewrite failed or was cancelled: forget the temporary base.
  virtual void AbortRewrite() = 0;
};

class BackgroundRewrite final : private SnapshotConsumer {
 public:
  static constexpr uint64_t kMaxQueuedBytes = 16 << 20;
  static constexpr size_t kChunkBytes = 1 << 20;
  // A chunk is handed over once past kChunkBytes; one job step or key may overshoot by this much
  // without growing the buffer (reserved up front: no reallocation or page-fault churn).
  static constexpr size_t kChunkSlack = 256 << 10;

  struct Options {
    bool rdb_base = true;  // aof-use-rdb-preamble
    rdb::RdbWriteOptions rdb;
    rdb::RdbAuxFields aux;     // for the RDB base (aux.aof_base is forced on)
    int64_t timestamp_s = -1;  // aof-timestamp-enabled: a "#TS:" line opens an AOF base
  };

  enum class Outcome { kRunning, kWritten, kFailed, kCancelled };

  // Starts the snapshot now (the keyspace's current time).
  BackgroundRewrite(Keyspace& keyspace, std::unique_ptr<AsyncFileSink> sink,
                    const Options& options);
  ~BackgroundRewrite() override;

  // Works until `deadline_us` (on `now_us`'s clock). kWritten: the sink committed the file.
  Outcome Step(int64_t deadline_us, int64_t (*now_us)());
  void Cancel();

  Outcome outcome() const { return outcome_; }
  const std::string& error() const { return error_; }
  int64_t started_ms() const { return snapshot_->started_ms(); }
  uint64_t bytes_written() const { return produced_; }
  uint64_t keys_saved() const { return snapshot_->keys_saved(); }
  uint64_t bytes_saved_early() const { return bytes_saved_early_; }

 private:
  void Save(int db, std::string_view key, const Value& value, int64_t expire_at_ms) override;
  void SaveEarly(int db, std::string_view key, const Value& value, int64_t expire_at_ms) override;
  // Encodes the key now (returns the bytes produced) or queues a job for a large value.
  uint64_t SaveKey(int db, std::string_view key, const Value& value, int64_t expire_at_ms);
  void Encode(std::string_view key, const Value& value, int64_t expire_at_ms, rdb::RdbChunk& out);
  void SelectDb(int db);
  rdb::RdbChunk& output();
  size_t pending_size() const;
  void Flush(bool force);

  const bool rdb_base_;
  rdb::RdbWriter writer_;  // rdb_base_
  rdb::RdbChunk commands_;  // !rdb_base_: encoded commands not yet handed to the sink
  uint64_t produced_ = 0;
  std::unique_ptr<AsyncFileSink> sink_;
  std::vector<uint64_t> sizes_at_start_;
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
