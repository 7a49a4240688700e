// MemoryFiles: an rdb::RdbFileSystem whose files live in memory, for engine tests of SAVE,
// DEBUG RELOAD and start-up loading without touching the disk.
#pragma once

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "broker/persistence/rdb_file.h"

namespace drayman::testing {

// A host whose "files" live in memory; commits replace a path's contents whole.
class MemoryFiles : public rdb::RdbFileSystem {
 public:
  std::map<std::string, std::string> files;

  std::unique_ptr<rdb::FileSink> CreateAtomically(const std::string& path, std::string*) override {
    class Sink : public rdb::FileSink {
     public:
      Sink(MemoryFiles& owner, std::string path) : owner_(owner), path_(std::move(path)) {}
      bool Write(std::string_view data, std::string*) override {
        data_.append(data);
        return true;
      }
      bool Commit(std::string*) override {
        owner_.files[path_] = data_;
        return true;
      }

     private:
      MemoryFiles& owner_;
      std::string path_;
      std::string data_;
    };
    return std::make_unique<Sink>(*this, path);
  }

  std::unique_ptr<rdb::RdbSource> OpenForRead(const std::string& path, std::string*) override {
    auto it = files.find(path);
    if (it == files.end()) return nullptr;
    class Source : public rdb::RdbSource {
     public:
      explicit Source(std::string_view data) : data_(data) {}
      size_t Read(char* dst, size_t size) override {
        size_t n = std::min(size, data_.size());
        std::memcpy(dst, data_.data(), n);
        data_.remove_prefix(n);
        return n;
      }

     private:
      std::string_view data_;
    };
    return std::make_unique<Source>(it->second);
  }
};

}  // namespace drayman::testing
