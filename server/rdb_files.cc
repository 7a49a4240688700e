#include "server/rdb_files.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace drayman {
namespace {

std::string DirectoryOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

class PosixSink : public rdb::FileSink {
 public:
  PosixSink(int fd, std::string temp_path, std::string path)
      : fd_(fd), temp_path_(std::move(temp_path)), path_(std::move(path)) {}
  ~PosixSink() override {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) ::unlink(temp_path_.c_str());
  }

  bool Write(std::string_view data, std::string* error) override {
    while (!data.empty()) {
      ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        *error = "Write error saving DB on disk: " + std::string(std::strerror(errno));
        return false;
      }
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  bool Commit(std::string* error) override {
    if (::fsync(fd_) != 0 || ::close(fd_) != 0) {
      fd_ = -1;
      *error = "Write error saving DB on disk (fsync): " + std::string(std::strerror(errno));
      return false;
    }
    fd_ = -1;
    if (::rename(temp_path_.c_str(), path_.c_str()) != 0) {
      *error = "Error moving temp DB file " + temp_path_ + " on the final destination " + path_ +
               ": " + std::strerror(errno);
      return false;
    }
    committed_ = true;
    // Make the rename itself durable.
    int dir_fd = ::open(DirectoryOf(path_).c_str(), O_RDONLY | O_DIRECTORY);
    if (dir_fd >= 0) {
      ::fsync(dir_fd);
      ::close(dir_fd);
    }
    return true;
  }

 private:
  int fd_;
  std::string temp_path_;
  std::string path_;
  bool committed_ = false;
};

class PosixSource : public rdb::RdbSource {
 public:
  explicit PosixSource(int fd) : fd_(fd) {}
  ~PosixSource() override { ::close(fd_); }
  size_t Read(char* dst, size_t size) override {
    size_t total = 0;
    while (total < size) {
      ssize_t n = ::read(fd_, dst + total, size - total);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0)
        throw rdb::RdbError("Error reading the RDB file: " + std::string(std::strerror(errno)));
      if (n == 0) break;
      total += static_cast<size_t>(n);
    }
    return total;
  }

 private:
  int fd_;
};

}  // namespace

std::unique_ptr<rdb::FileSink> PosixRdbFileSystem::CreateAtomically(const std::string& path,
                                                                    std::string* error) {
  const std::string dir = DirectoryOf(path);
  const std::string temp = dir + "/temp-" + std::to_string(::getpid()) + ".rdb";
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    *error = "Failed opening the temp RDB file temp-" + std::to_string(::getpid()) +
             ".rdb (in server root dir " + dir + ") for saving: " + std::strerror(errno);
    return nullptr;
  }
  return std::make_unique<PosixSink>(fd, temp, path);
}

std::unique_ptr<rdb::RdbSource> PosixRdbFileSystem::OpenForRead(const std::string& path,
                                                                std::string* error) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno != ENOENT)
      *error = "Fatal error loading the DB: " + std::string(std::strerror(errno));
    return nullptr;
  }
  return std::make_unique<PosixSource>(fd);
}

}  // namespace drayman
