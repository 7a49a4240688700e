// Saving and loading the engine's dataset as an RDB file (SAVE, DEBUG RELOAD, start-up load).
//
// Contract: the broker does no I/O itself. The host installs an RdbFileSystem on the engine
// (Engine::rdb_files); SaveRdbFile streams the RDB through its FileSink in chunks of about 1 MB
// and commits only a complete file (the server's implementation writes a temp file, fsyncs it
// and renames it over dir/dbfilename, so a failed save never damages the previous file).
// LoadRdbFile replaces nothing on failure: it loads into the (normally empty) keyspace and
// empties it again if the file is bad, reporting why. Both run synchronously on the engine's
// thread; a save writes every key as it is at the time (expired-but-present keys included, as
// Redis does; loading skips them).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "broker/persistence/rdb_decode.h"

namespace drayman {
class Engine;
}

namespace drayman::rdb {

// Where the bytes of a file being written go. Destroying a sink without a successful Commit
// discards what was written.
class FileSink {
 public:
  virtual ~FileSink() = default;
  virtual bool Write(std::string_view data, std::string* error) = 0;
  // Makes the file durable and visible under its final name.
  virtual bool Commit(std::string* error) = 0;
};

class RdbFileSystem {
 public:
  virtual ~RdbFileSystem() = default;
  // Starts writing `path` atomically; nullptr with *error on failure.
  virtual std::unique_ptr<FileSink> CreateAtomically(const std::string& path,
                                                     std::string* error) = 0;
  // Opens `path` for reading; nullptr with an empty *error when it does not exist, nullptr with
  // a message when it cannot be read.
  virtual std::unique_ptr<RdbSource> OpenForRead(const std::string& path, std::string* error) = 0;
};

// dir/dbfilename from the engine's settings.
std::string RdbFilePath(const Engine& engine);

struct RdbSaveResult {
  bool ok = false;
  std::string error;
  uint64_t bytes = 0;
  uint64_t keys = 0;
};

// SAVE: writes every database to dir/dbfilename. On success resets the dirty counter and sets
// the last save time and status, as Redis's rdbSave does.
RdbSaveResult SaveRdbFile(Engine& engine);

// Writes the engine's whole dataset as an RDB into `sink` (no commit). For SAVE and for tests.
RdbSaveResult WriteRdb(Engine& engine, FileSink& sink);

struct RdbLoadOptions {
  // DEBUG RELOAD MERGE: a key of the file replaces one already in memory (else the load fails).
  bool replace_existing_keys = false;
  // DEBUG RELOAD: no file is a failure (start-up loads nothing and goes on).
  bool missing_file_is_error = false;
};

// Loads dir/dbfilename if it exists. result.ok with zero keys when there is no file (unless
// options.missing_file_is_error).
RdbLoadResult LoadRdbFile(Engine& engine, const RdbLoadOptions& options = {});

}  // namespace drayman::rdb
