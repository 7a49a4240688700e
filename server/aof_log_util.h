// Clock and file helpers shared by the AofLog's files (aof_log.cc, aof_log_load.cc,
// aof_log_manifest.cc). Internal to server/.
//
// Contract: NowMicros reads the steady clock in microseconds. FileSize is a file's size, 0 when
// it cannot be stat()ed. WriteSome retries EINTR and returns the bytes written, short only on an
// error (errno set); WriteAll says whether every byte was written.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace drayman::aof_log_util {

inline int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

inline uint64_t FileSize(const std::string& path) {
  struct stat info;
  return ::stat(path.c_str(), &info) == 0 ? static_cast<uint64_t>(info.st_size) : 0;
}

// Writes as much as it can; returns the bytes written (short only on an error, errno set).
inline size_t WriteSome(int fd, std::string_view bytes) {
  size_t total = 0;
  while (total < bytes.size()) {
    const ssize_t count = ::write(fd, bytes.data() + total, bytes.size() - total);
    if (count < 0) {
      if (errno == EINTR) continue;
      return total;
    }
    total += static_cast<size_t>(count);
  }
  return total;
}

inline bool WriteAll(int fd, std::string_view bytes) {
  return WriteSome(fd, bytes) == bytes.size();
}

}  // namespace drayman::aof_log_util
