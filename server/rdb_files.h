// PosixRdbFileSystem: the files behind SAVE and start-up loading (broker/persistence/rdb_file.h).
//
// Contract: CreateAtomically writes to "temp-<pid>.rdb" next to the target, and Commit fsyncs it,
// renames it over the target and fsyncs the directory, so the target is always either the old
// file or the complete new one. A sink destroyed before Commit removes its temp file.
// OpenForRead reads with plain read(2) calls.
#pragma once

#include <memory>
#include <string>

#include "broker/persistence/rdb_file.h"

namespace drayman {

class PosixRdbFileSystem : public rdb::RdbFileSystem {
 public:
  std::unique_ptr<rdb::FileSink> CreateAtomically(const std::string& path,
                                                  std::string* error) override;
  std::unique_ptr<rdb::RdbSource> OpenForRead(const std::string& path, std::string* error) override;
};

}  // namespace drayman
