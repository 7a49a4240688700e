// AofLog's loading (aof_log.h): Open() reads the manifest and prepares the files in order,
// LoadSlice() replays about kSliceMicros of commands per call so the loop keeps serving (clients
// get LOADING), an RDB-preamble base is loaded at once, and a torn last record is dropped (the
// file cut there) when aof-load-truncated allows, with Redis's log lines and failure reports.
#include "server/aof_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>

#include "broker/engine.h"
#include "broker/persistence/aof_replay.h"
#include "broker/persistence/rdb_decode.h"
#include "broker/persistence/rdb_encode.h"
#include "broker/script/function_library.h"
#include "broker/script/script_engine.h"
#include "broker/stats/process_stats.h"
#include "server/aof_log_util.h"

namespace drayman {

using aof_log_util::NowMicros;

namespace {

constexpr size_t kLoadChunk = 1024 * 1024;
constexpr int64_t kSliceMicros = 10 * 1000;  // loading yields to the loop this often

// Reads an RDB base through the load descriptor.
class FdRdbSource : public rdb::RdbSource {
 public:
  explicit FdRdbSource(int fd) : fd_(fd) {}
  size_t Read(char* dst, size_t size) override {
    size_t total = 0;
    while (total < size) {
      const ssize_t count = ::read(fd_, dst + total, size - total);
      if (count < 0 && errno == EINTR) continue;
      if (count < 0) throw rdb::RdbError(std::string("read error: ") + std::strerror(errno));
      if (count == 0) break;
      total += static_cast<size_t>(count);
    }
    return total;
  }

 private:
  int fd_;
};

std::string Seconds(int64_t micros) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.3f", static_cast<double>(micros) / 1e6);
  return text;
}

}  // namespace

void AofLog::Open() {
  std::string error;
  if (!ReadManifest(&error)) throw std::runtime_error(error);
  if (manifest_.base) load_files_.push_back(*manifest_.base);
  load_files_.insert(load_files_.end(), manifest_.incr.begin(), manifest_.incr.end());
  uint64_t total = 0;
  for (const aof::FileInfo& info : load_files_) {
    struct stat file_info;
    if (::stat(PathOf(info.name).c_str(), &file_info) != 0) {
      throw std::runtime_error("The append log file " + info.name +
                               " doesn't exist: " + std::strerror(errno));
    }
    total += static_cast<uint64_t>(file_info.st_size);
  }
  if (load_files_.empty() || total == 0) {
    load_files_.clear();
    return;
  }
  PersistenceStatus& status = engine_.persistence();
  replayer_ = std::make_unique<AofReplayer>(engine_);
  status.loading = true;
  status.loading_client = &replayer_->client();
  status.loading_start_time_s = engine_.clock().NowMs() / 1000;
  status.loading_total_bytes = total;
  status.loading_loaded_bytes = 0;
  load_started_us_ = NowMicros();
}

bool AofLog::OpenNextLoadFile(std::string* message) {
  const aof::FileInfo& info = load_files_[load_index_];
  load_fd_ = ::open(PathOf(info.name).c_str(), O_RDONLY);
  if (load_fd_ < 0) {
    *message = "Fatal error: can't open the append log file " + info.name +
               " for reading: " + std::strerror(errno);
    return false;
  }
  load_eof_ = false;
  parser_ = std::make_unique<aof::AofRecordParser>();
  replayer_->StartFile();
  file_started_us_ = NowMicros();
  return true;
}

bool AofLog::LoadRdbPreamble(const aof::FileInfo& info, std::string* message) {
  // Synchronous: the RDB decoder is not resumable, so the loop serves nobody meanwhile (the
  // commands after it, and every incr file, load in slices again).
  *message = "Reading RDB base file on AOF loading...\n";
  if (::lseek(load_fd_, 0, SEEK_SET) != 0) {
    *message = "Unrecoverable error reading the append only file " + info.name + ": " +
               std::strerror(errno);
    return false;
  }
  FdRdbSource source(load_fd_);
  rdb::RdbReader reader(source);
  rdb::RdbParseOptions options;
  options.verify_checksum = engine_.settings().rdbchecksum;
  options.database_count = engine_.keyspace().database_count();
  FunctionLibrary& functions = engine_.scripts().functions();
  options.on_function = [&functions](const std::string& code) {
    functions.LoadFromRdb(code, /*replace=*/false);
  };
  const rdb::RdbLoadResult result =
      rdb::RdbLoadIntoKeyspace(reader, engine_.keyspace(), engine_.clock().NowMs(), options);
  if (!result.ok) {
    *message = "Bad file format reading the append only file " + info.name +
               " (RDB base: " + result.error +
               "): make a backup of your AOF file, then use ./redis-check-aof " +
               "--fix <filename.manifest>";
    return false;
  }
  const uint64_t rdb_end = reader.offset();
  if (::lseek(load_fd_, static_cast<off_t>(rdb_end), SEEK_SET) < 0) {
    *message = "Unrecoverable error reading the append only file " + info.name + ": " +
               std::strerror(errno);
    return false;
  }
  parser_->StartAt(rdb_end);
  replayer_->StartFile(rdb_end);
  engine_.persistence().loading_loaded_bytes += rdb_end;
  *message += "Done loading RDB, keys loaded: " + std::to_string(result.keys_loaded) +
              ", keys expired: " + std::to_string(result.expired_skipped) + ".\n";
  return true;
}

AofLog::LoadStep AofLog::LoadSlice(std::string* message) {
  if (!replayer_) return LoadStep::kDone;
  const Settings& settings = engine_.settings();
  PersistenceStatus& status = engine_.persistence();
  const int64_t deadline = NowMicros() + kSliceMicros;
  std::vector<std::string> args;
  auto fail = [&](std::string text) {
    *message = std::move(text);
    if (load_fd_ >= 0) ::close(load_fd_);
    load_fd_ = -1;
    return LoadStep::kFailed;
  };
  while (NowMicros() < deadline) {
    if (!parser_) {
      if (load_index_ >= load_files_.size()) {
        replayer_.reset();
        status.loading = false;
        status.loading_client = nullptr;
        *message += "DB loaded from append only file: " + Seconds(NowMicros() - load_started_us_) +
                    " seconds\n";
        return LoadStep::kDone;
      }
      if (!OpenNextLoadFile(message)) return fail(*message);
    }
    const aof::FileInfo& info = load_files_[load_index_];
    const aof::AofRecordParser::Result result = parser_->Next(&args);
    if (result == aof::AofRecordParser::Result::kCommand) {
      std::string error;
      if (!replayer_->Replay(args, parser_->offset(), &error)) {
        return fail(error + " " + info.name);
      }
      continue;
    }
    if (result == aof::AofRecordParser::Result::kDamaged) {
      return fail("Bad file format reading the append only file " + info.name + " at offset " +
                  std::to_string(parser_->error_offset()) + " (" + parser_->error() +
                  "): make a backup of your AOF file, then use ./redis-check-aof --fix "
                  "<filename.manifest>");
    }
    if (!load_eof_) {
      char chunk[64 * 1024];
      size_t read_now = 0;
      while (read_now < kLoadChunk) {
        const ssize_t count = ::read(load_fd_, chunk, sizeof(chunk));
        if (count < 0 && errno == EINTR) continue;
        if (count < 0) {
          return fail("Unrecoverable error reading the append only file " + info.name + ": " +
                      std::strerror(errno));
        }
        if (count == 0) {
          load_eof_ = true;
          break;
        }
        if (parser_->offset() == 0 && parser_->buffered() == 0 && read_now == 0 && count >= 5 &&
            std::memcmp(chunk, "REDIS", 5) == 0) {
          // An RDB base (aof-use-rdb-preamble yes): loaded in one go, then any commands after it.
          std::string error;
          if (!LoadRdbPreamble(info, &error)) return fail(error);
          *message += error;  // the progress lines
          break;
        }
        parser_->Feed(std::string_view(chunk, static_cast<size_t>(count)));
        read_now += static_cast<size_t>(count);
        status.loading_loaded_bytes += static_cast<uint64_t>(count);
      }
      continue;
    }
    // End of this file.
    const bool last_file = load_index_ + 1 == load_files_.size();
    const char* kind = info.type == aof::FileType::kBase ? "base" : "incr";
    if (parser_->buffered() > 0 || replayer_->in_multi()) {
      if (parser_->buffered() == 0) {
        *message += "Revert incomplete MULTI/EXEC transaction in AOF file " + info.name + "\n";
      }
      const uint64_t valid = replayer_->valid_offset();
      replayer_->DiscardOpenTransaction();
      if (!settings.aof_load_truncated) {
        return fail("Unexpected end of file reading the append only file " + info.name +
                    ". You can: 1) Make a backup of your AOF file, then use ./redis-check-aof "
                    "--fix <filename.manifest>. 2) Alternatively you can set the "
                    "'aof-load-truncated' configuration option to yes and restart the server.");
      }
      if (!last_file) return fail("Fatal error: the truncated file is not the last file");
      *message += "!!! Warning: short read while loading the AOF file " + info.name + "!!!\n";
      *message +=
          "!!! Truncating the AOF " + info.name + " at offset " + std::to_string(valid) + " !!!\n";
      if (::truncate(PathOf(info.name).c_str(), static_cast<off_t>(valid)) != 0) {
        return fail("Error truncating the AOF file " + info.name + ": " + std::strerror(errno));
      }
      *message += "AOF " + info.name + " loaded anyway because aof-load-truncated is enabled\n";
    }
    *message += std::string("DB loaded from ") + kind + " file " + info.name + ": " +
                Seconds(NowMicros() - file_started_us_) + " seconds\n";
    ::close(load_fd_);
    load_fd_ = -1;
    parser_.reset();
    ++load_index_;
  }
  return LoadStep::kMore;
}

}  // namespace drayman
