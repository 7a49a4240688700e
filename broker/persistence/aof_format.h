// Append-only log formats (Redis 7.0's multi-part AOF): file names, the manifest, and the
// command records of an AOF file.
//
// Contract: pure functions over bytes; nothing here opens a file. The server (server/aof_*.cc)
// does the I/O and calls these.
//
// Layout, as Redis 7.0 writes it: a directory `appenddirname` (default "appendonlydir") holding
//   <appendfilename>.<seq>.base.aof|rdb   the dataset at the last rewrite (at most one)
//   <appendfilename>.<seq>.incr.aof       commands appended since (one or more, in seq order)
//   <appendfilename>.manifest             one line per file: `file <name> seq <n> type b|h|i`
// Manifest lines list the base first, then history files, then incr files. A name that needs
// quoting (spaces, quotes, control bytes) is written as sdscatrepr does ("..." with \n \r \t
// \a \b \\ \" \xHH escapes) and read back with redis-cli-style splitting.
//
// Records: RESP multibulk commands (`*<argc>\r\n` then `$<len>\r\n<bytes>\r\n` per argument);
// lines starting with '#' are annotations (aof-timestamp-enabled's `#TS:<unix seconds>`) and are
// skipped. AofRecordParser tells a record cut short by the end of the data (a torn write: the
// caller sees kNeedMore, and at end of file that is "truncated") from bytes that break the
// grammar (kDamaged, with the offset of the offending byte). It is stricter than Redis, which
// skips the two bytes after a bulk without looking at them: here they must be CRLF.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace drayman::aof {

inline constexpr std::string_view kDefaultDirName = "appendonlydir";
inline constexpr std::string_view kDefaultFileName = "appendonly.aof";

// "appendonly.aof.3.base.aof" (or ".rdb" when `rdb`), "appendonly.aof.4.incr.aof",
// "appendonly.aof.manifest", "temp-appendonly.aof.manifest".
std::string BaseFileName(std::string_view appendfilename, int64_t seq, bool rdb);
std::string IncrFileName(std::string_view appendfilename, int64_t seq);
std::string ManifestFileName(std::string_view appendfilename);
std::string TempManifestFileName(std::string_view appendfilename);

// Whether a base file holds RDB (by its name's suffix, as Redis names them).
bool IsRdbFileName(std::string_view name);

enum class FileType : char { kBase = 'b', kHistory = 'h', kIncr = 'i' };

struct FileInfo {
  std::string name;
  int64_t seq = 0;
  FileType type = FileType::kIncr;
  bool operator==(const FileInfo&) const = default;
};

struct Manifest {
  std::optional<FileInfo> base;
  std::vector<FileInfo> history;
  std::vector<FileInfo> incr;
  // The highest sequence numbers used, so new files continue from them.
  int64_t base_seq = 0;
  int64_t incr_seq = 0;

  bool empty() const { return !base && incr.empty(); }
  // Adds a new incr file named after `appendfilename` with the next sequence number.
  const FileInfo& AddIncr(std::string_view appendfilename);
  // Makes a new base (the old one, if any, becomes history) with the next base sequence number.
  const FileInfo& NewBase(std::string_view appendfilename, bool rdb);
};

// The manifest text, one '\n'-terminated line per file: base, history, incr.
std::string FormatManifest(const Manifest& manifest);

// Why a manifest was refused, in Redis's words; `line` is 0 when no line is at fault.
struct ManifestError {
  std::string reason;  // "Invalid AOF manifest file format", "Found an empty AOF manifest", ...
  int line = 0;
  std::string line_text;  // the offending line, trimmed
  // Redis's report: "Reading the manifest file, at line N\n>>> 'line'\nreason".
  std::string Describe() const;
};

// Parses a manifest as Redis 7.0's aofLoadManifestFromFile does (comments, 1024-byte lines,
// keys in any order, unknown keys ignored, a base at most once, incr seqs strictly increasing).
bool ParseManifest(std::string_view text, Manifest* manifest, ManifestError* error);

// Appends the RESP multibulk encoding of one command.
void AppendCommand(std::string* out, const std::vector<std::string_view>& args);
std::string EncodeCommand(const std::vector<std::string_view>& args);

// Incremental reader of AOF records. Feed it the file's bytes from the start (all at once or in
// chunks); Next takes one command at a time.
class AofRecordParser {
 public:
  enum class Result {
    kCommand,   // *args holds the next command; offset() is the end of its record
    kNeedMore,  // the data ends inside a record (or nothing is left); at end of file: truncated
    kDamaged,   // a byte breaks the grammar; error_offset() is its offset in the file
  };

  // The bytes of a record may not exceed this (Redis's proto-max-bulk-len ceiling of 512 MB per
  // argument; an absurd length is damage, not a reason to wait for gigabytes).
  static constexpr int64_t kMaxBulkLength = 512LL * 1024 * 1024;
  static constexpr int64_t kMaxArgs = 1024LL * 1024 * 1024;
  static constexpr size_t kMaxAnnotationLength = 1024;  // AOF_ANNOTATION_LINE_MAX_LEN

  void Feed(std::string_view bytes);
  // The next byte fed is at file offset `offset` (records after an RDB preamble). Only before
  // anything was fed.
  void StartAt(uint64_t offset) { consumed_ = offset; }
  Result Next(std::vector<std::string>* args);

  // File offset just past the last command returned (where a truncated file is cut).
  uint64_t offset() const { return consumed_; }
  // File offset of the byte that broke the grammar (kDamaged), and why.
  uint64_t error_offset() const { return error_offset_; }
  const std::string& error() const { return error_; }
  // Bytes fed but not yet taken as a command (the torn tail at end of file).
  size_t buffered() const { return buffer_.size() - position_; }

 private:
  Result Damaged(size_t at, std::string reason);
  // Reads "<prefix><digits>\r\n" at *at; kNeedMore, kDamaged, or kCommand meaning "parsed".
  Result ReadNumberLine(size_t* at, char prefix, int64_t max, int64_t* value);

  std::string buffer_;
  size_t position_ = 0;    // start of the next record in buffer_
  uint64_t consumed_ = 0;  // file offset of buffer_[position_]
  uint64_t error_offset_ = 0;
  std::string error_;
};

}  // namespace drayman::aof
