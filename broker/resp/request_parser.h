// Incremental request parser: turns the bytes a client sends into commands.
//
// Contract: bytes may arrive split anywhere; Next() yields each complete command in order, asks
// for more input, or reports a protocol error whose text is exactly Redis's ("ERR Protocol error:
// ..."); after an error the parser stays in the error state and the connection is to be closed
// once the error reply is written. Both request forms are accepted: multibulk (`*N\r\n$L\r\n...`)
// and inline (a line of space-separated words with Redis's quoting rules). Empty commands
// (`*0`, `*-1`, blank lines) are skipped. Limits follow Redis 7.0: inline lines and length headers
// of at most 64 KiB, multibulk counts up to INT_MAX (10 before AUTH), bulk lengths up to
// proto-max-bulk-len (16 KiB before AUTH). Like Redis, the two bytes after a bulk payload are
// skipped unchecked, and a NUL byte before a line terminator hides the terminator (Redis searches
// its query buffer with strchr).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace drayman {

// Splits a line the way redis-cli and Redis's inline protocol do: words separated by blanks,
// "double quotes" with \n \r \t \b \a \\ \" \xHH escapes, 'single quotes' with \' only.
// Returns false on unbalanced quotes (or a closing quote not followed by a blank).
bool SplitArgs(std::string_view line, std::vector<std::string>* args);

class RequestParser {
 public:
  enum class Result { kNeedMore, kCommand, kError };

  static constexpr size_t kMaxInlineSize = 64 * 1024;
  static constexpr int64_t kDefaultMaxBulkLength = 512LL * 1024 * 1024;

  RequestParser() = default;

  // Returns a pointer to at least `min_size` writable bytes at the end of the buffer; the caller
  // writes up to `*available` bytes there and then calls CommitWrite with the count.
  char* PrepareWrite(size_t min_size, size_t* available);
  void CommitWrite(size_t count);
  // Convenience for tests and embedders: copies `bytes` into the buffer.
  void Feed(std::string_view bytes);

  // Parses the next complete command into `args` (args[0] is the command name as sent).
  Result Next(std::vector<std::string>* args);

  // The whole error text ("ERR Protocol error: ...") after Next returned kError.
  const std::string& error() const { return error_; }
  // Bytes received but not yet consumed (Redis's qbuf).
  size_t buffered_bytes() const { return write_end_ - read_pos_; }
  std::string_view buffered() const {
    return std::string_view(buffer_.data() + read_pos_, write_end_ - read_pos_);
  }
  size_t buffer_capacity() const { return buffer_.capacity(); }
  // Allocated but unused bytes after the buffered data (Redis's qbuf-free).
  size_t free_bytes() const { return buffer_.capacity() - write_end_; }

  void set_authenticated(bool authenticated) { authenticated_ = authenticated; }
  void set_max_bulk_length(int64_t max_bulk_length) { max_bulk_length_ = max_bulk_length; }

 private:
  Result ParseInline(std::vector<std::string>* args);
  Result ParseMultibulk(std::vector<std::string>* args);
  Result Fail(std::string_view what);
  void Compact();

  std::string buffer_;
  size_t read_pos_ = 0;
  size_t write_end_ = 0;  // bytes of buffer_ holding data; the rest is writable space
  // Multibulk state carried across calls.
  std::vector<std::string> pending_;  // arguments of the command being read
  int64_t args_expected_ = 0;         // 0 when not inside a multibulk command
  int64_t args_read_ = 0;
  int64_t bulk_length_ = -1;  // -1 when the next thing is a `$` header
  bool authenticated_ = true;
  int64_t max_bulk_length_ = kDefaultMaxBulkLength;
  bool failed_ = false;
  std::string error_;
};

}  // namespace drayman
