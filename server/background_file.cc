#include "server/background_file.h"

#include <utility>

namespace drayman {

ThreadedFileSink::ThreadedFileSink(std::unique_ptr<rdb::FileSink> file)
    : file_(std::move(file)), thread_([this] { Run(); }) {}

ThreadedFileSink::~ThreadedFileSink() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void ThreadedFileSink::Append(rdb::RdbChunk chunk) {
  queued_bytes_ += chunk.bytes.size();
  {
    std::lock_guard lock(mutex_);
    chunks_.push_back(std::move(chunk));
  }
  wake_.notify_one();
}

void ThreadedFileSink::Commit() {
  {
    std::lock_guard lock(mutex_);
    commit_requested_ = true;
  }
  wake_.notify_one();
}

std::string ThreadedFileSink::SpareBuffer() {
  std::lock_guard lock(mutex_);
  if (spares_.empty()) return std::string();
  std::string spare = std::move(spares_.back());
  spares_.pop_back();
  return spare;
}

bool ThreadedFileSink::Finished(std::string* error) {
  if (!finished_.load()) return false;
  std::lock_guard lock(mutex_);
  *error = error_;
  return true;
}

void ThreadedFileSink::Run() {
  std::string bytes;  // reused: the finished form of each chunk
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [&] { return stop_ || !chunks_.empty() || commit_requested_; });
    if (stop_) break;
    if (!chunks_.empty()) {
      rdb::RdbChunk chunk = std::move(chunks_.front());
      chunks_.pop_front();
      lock.unlock();
      const size_t size = chunk.bytes.size();
      finisher_.Finish(chunk, &bytes);
      std::string error;
      const bool ok = file_->Write(bytes, &error);
      queued_bytes_ -= size;
      lock.lock();
      // Keep the written buffer (the finisher left one in the chunk) for the loop to refill.
      if (spares_.size() < kMaxSpares && chunk.bytes.capacity() > 0) {
        chunk.bytes.clear();
        spares_.push_back(std::move(chunk.bytes));
      }
      if (!ok) {
        error_ = error;
        break;
      }
      continue;
    }
    // Commit requested and every chunk written.
    lock.unlock();
    std::string error;
    const bool ok = file_->Commit(&error);
    lock.lock();
    if (!ok) error_ = error.empty() ? "commit failed" : error;
    break;
  }
  finished_ = true;
}

}  // namespace drayman
