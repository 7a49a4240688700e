// ThreadedFileSink: BGSAVE's file, written by a thread of its own so the event loop never waits on
// the disk (broker/persistence/background_save.h).
//
// Contract: Append queues a chunk and returns at once; the writer thread finishes chunks in order
// (rdb::ChunkFinisher: the LZF compression and CRC-64 the loop thread left to it), hands the bytes
// to the wrapped rdb::FileSink (PosixRdbFileSystem's temp file), then, after Commit, fsyncs and
// renames through it. Finished() turns true once that is done or a write failed. Destroying the
// sink stops the thread after its current chunk and drops the wrapped sink uncommitted, which
// removes the temp file. Written chunks' buffers come back through SpareBuffer (up to 16),
// so the loop fills memory it has touched before instead of page-faulting fresh allocations.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "broker/persistence/background_save.h"
#include "broker/persistence/rdb_file.h"
#include "broker/persistence/rdb_format.h"

namespace drayman {

class ThreadedFileSink : public AsyncFileSink {
 public:
  explicit ThreadedFileSink(std::unique_ptr<rdb::FileSink> file);
  ~ThreadedFileSink() override;

  void Append(rdb::RdbChunk chunk) override;
  uint64_t queued_bytes() const override { return queued_bytes_.load(); }
  void Commit() override;
  bool Finished(std::string* error) override;
  std::string SpareBuffer() override;

 private:
  void Run();

  static constexpr size_t kMaxSpares = 16;  // 20 MB at most, besides the 16 MB queue bound

  std::unique_ptr<rdb::FileSink> file_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<rdb::RdbChunk> chunks_;
  std::vector<std::string> spares_;  // written chunks' buffers, for SpareBuffer
  rdb::ChunkFinisher finisher_;  // the writer thread's
  bool commit_requested_ = false;
  bool stop_ = false;
  std::string error_;  // guarded by mutex_
  std::atomic<uint64_t> queued_bytes_{0};
  std::atomic<bool> finished_{false};
  std::thread thread_;
};

}  // namespace drayman
